#!/usr/bin/env python3
"""Generate the gpugap YAML catalog (catalog/) from the sourced inputs in shared/data.

Provenance tool: the generated YAML files under catalog/ are the source of truth
that gets committed; this script documents how each value was taken from
shared/data/{accelerators.json, models.json, vendors.json, ...}.

Rules applied (see docs/catalog.md):
  * every number carries source / as_of / confidence copied from the input record;
    as_of = the record's date, else the latest date stated in the source text,
    else the data set's date "2026-09";
  * unknown = null; derived values keep the source, get confidence <= medium and a
    note with the arithmetic;
  * compute is dense; sparse-only figures are not halved here;
  * no `software:` block is written (added by another tool).

Usage:  python3 tools/import_catalog.py [--data DIR] [--out DIR]
Requires Python 3.8+ and PyYAML.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import re
import sys

import yaml

DATASET_AS_OF = "2026-09"
CONF_ORDER = {"low": 0, "medium": 1, "high": 2}

# ----------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------

_MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
_YEAR = r"(?:19[89]\d|20[0-3]\d)"


def dates_in(text):
    """All dates stated in a text, in text order, as (y, m, d) tuples (0 = not given)."""
    if not text:
        return []
    out = []
    used = [False] * len(text)

    def mark(m):
        for i in range(m.start(), m.end()):
            used[i] = True

    for m in re.finditer(r"\b(" + _YEAR + r")-(0[1-9]|1[0-2])-([0-3]\d)\b", text):
        out.append((m.start(), (int(m.group(1)), int(m.group(2)), int(m.group(3)))))
        mark(m)
    for m in re.finditer(r"\b(" + _YEAR + r")-(0[1-9]|1[0-2])\b", text):
        if used[m.start()]:
            continue
        out.append((m.start(), (int(m.group(1)), int(m.group(2)), 0)))
        mark(m)
    for m in re.finditer(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?,? (" + _YEAR + r")\b",
                         text):
        out.append((m.start(), (int(m.group(2)), _MONTHS[m.group(1).lower()[:3]], 0)))
        mark(m)
    for m in re.finditer(r"\b(" + _YEAR + r")\b", text):
        if used[m.start()]:
            continue
        out.append((m.start(), (int(m.group(1)), 0, 0)))
    return [t for _, t in sorted(out)]


def fmt_date(t):
    y, m, d = t
    if d:
        return f"{y:04d}-{m:02d}-{d:02d}"
    if m:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}"


def as_of_from_source(source, default=DATASET_AS_OF):
    """The source's own date: the latest month-precise date it states, else the latest year,
    else the data set's date. (Bare years in source texts are often not publication dates,
    e.g. '2026 target', so month-precise dates win.)"""
    ds = dates_in(source)
    if not ds:
        return default
    precise = [d for d in ds if d[1]]
    return fmt_date(max(precise or ds))


def as_of_from_record_date(date_text):
    """as_of from a record's own date field: the first date it states."""
    ds = dates_in(date_text)
    return fmt_date(ds[0]) if ds else DATASET_AS_OF


def recency_key(date_text):
    ds = dates_in(date_text)
    return max(ds) if ds else (0, 0, 0)


def num(v):
    """Number as it should appear in a unit string (no trailing .0 noise)."""
    if isinstance(v, bool):
        raise TypeError(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if v.is_integer() and abs(v) >= 10:
            return str(int(v))
        return repr(v)
    raise TypeError(v)


def cap_conf(conf, cap="medium"):
    conf = norm_conf(conf)
    return conf if CONF_ORDER[conf] <= CONF_ORDER[cap] else cap


def norm_conf(conf):
    c = (conf or "").strip().lower()
    if c in CONF_ORDER:
        return c
    if c.startswith("medium-high"):
        return "medium"
    for k in ("high", "medium", "low"):
        if c.startswith(k):
            return k
    raise ValueError(f"unknown confidence {conf!r}")


def pv(value, source=None, as_of=None, confidence=None, note=None, direction=None,
       estimate=None, rationale=None):
    """A provenance mapping in the key order of docs/catalog.md."""
    d = {"value": value}
    if source is not None:
        d["source"] = source
    if as_of is not None:
        d["as_of"] = as_of
    if confidence is not None:
        d["confidence"] = norm_conf(confidence)
    if estimate is not None:
        d["estimate"] = estimate
    if rationale is not None:
        d["rationale"] = rationale
    if note:
        d["note"] = note
    if direction is not None:
        d["direction"] = direction
    return d


def from_field(f, unit=None, extra_note=None, conf_cap=None):
    """Convert an input {value, unit?, source, confidence, note?} object."""
    if f is None or f.get("value") is None:
        return None
    v = f["value"]
    val = f"{num(v)} {unit}" if unit else v
    note = f.get("note")
    if extra_note:
        note = f"{note}; {extra_note}" if note else extra_note
    conf = f.get("confidence")
    if conf_cap:
        conf = cap_conf(conf, conf_cap)
    return pv(val, source=f.get("source"), as_of=as_of_from_source(f.get("source")),
              confidence=conf, note=note)


def sval(f):
    """String-valued field (memory type, interconnect, node, foundry)."""
    if f is None or f.get("value") is None:
        return None
    return f["value"]


class Flow(list):
    """A list dumped in flow style ([a, b])."""


class Dumper(yaml.SafeDumper):
    pass


def _flow_repr(dumper, data):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", list(data), flow_style=True)


Dumper.add_representer(Flow, _flow_repr)


def write_yaml(path, obj, header):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = yaml.dump(obj, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(header)
        fh.write(text)


HEADER = ("# Generated by tools/import_catalog.py from shared/data ({inputs}); hand-checked.\n"
          "# Every number carries its source; see docs/catalog.md for the format.\n")

# ----------------------------------------------------------------------------
# chips
# ----------------------------------------------------------------------------

CHIP_IDS = {
    "nvidia-a100-sxm4-80gb": "nvidia-a100-sxm",
    "nvidia-a800-sxm4-80gb": "nvidia-a800",
    "nvidia-h100-sxm5-80gb": "nvidia-h100-sxm",
    "nvidia-h800-sxm5": "nvidia-h800",
    "nvidia-h20-96gb": "nvidia-h20",
    "nvidia-h200-sxm-141gb": "nvidia-h200-sxm",
    "nvidia-b200-hgx": "nvidia-b200",
    "nvidia-gb200-per-gpu": "nvidia-gb200",
    "nvidia-b300-hgx": "nvidia-b300",
    "nvidia-gb300-per-gpu": "nvidia-gb300",
    "nvidia-rtx-pro-6000d-b40": "nvidia-rtx-pro-6000d",
    "nvidia-b30a": "nvidia-b30a",
    "amd-mi300x": "amd-mi300x",
    "amd-mi325x": "amd-mi325x",
    "amd-mi355x": "amd-mi355x",
    "huawei-ascend-910b2": "huawei-ascend-910b2",
    "huawei-ascend-910b3": "huawei-ascend-910b3",
    "huawei-ascend-910b4": "huawei-ascend-910b4",
    "huawei-ascend-910c": "huawei-ascend-910c",
    "huawei-ascend-950pr": "huawei-ascend-950pr",
    "huawei-atlas-350": "huawei-atlas-350",
    "huawei-ascend-950dt": "huawei-ascend-950dt",
    "huawei-ascend-960": "huawei-ascend-960",
    "huawei-ascend-970": "huawei-ascend-970",
    "cambricon-mlu370-x8": "cambricon-mlu370-x8",
    "cambricon-mlu590": "cambricon-mlu590",
    "cambricon-mlu690": "cambricon-mlu690",
    "hygon-dcu-k100": "hygon-k100",
    "hygon-bw1000": "hygon-bw1000",
    "kunlunxin-p800": "kunlunxin-p800",
    "kunlunxin-m100": "kunlunxin-m100",
    "kunlunxin-m300": "kunlunxin-m300",
    "thead-zhenwu-810e": "thead-ppu",
    "moorethreads-mtt-s4000": "moorethreads-s4000",
    "moorethreads-mtt-s5000": "moorethreads-s5000",
    "metax-c500": "metax-c500",
    "metax-c550": "metax-c550",
    "metax-c600": "metax-c600",
    "biren-br100": "biren-br100",
    "biren-br104": "biren-br104",
    "biren-br166": "biren-br166",
    "iluvatar-tiangai-150": "iluvatar-tiangai-150",
    "enflame-latest": "enflame-latest",
    "google-tpu-v5e": "google-tpu-v5e",
    "google-tpu-v6e": "google-tpu-v6e",
    "google-tpu7x-ironwood": "google-tpu7x-ironwood",
}

EXTRA_ALIASES = {
    "nvidia-h100-sxm": ["h100_sxm"],
    "nvidia-h200-sxm": ["h200_sxm"],
    "nvidia-b200": ["b200_sxm"],
    "nvidia-b300": ["b300_sxm"],
    "nvidia-gb200": ["gb200"],
    "nvidia-gb300": ["gb300"],
    "nvidia-rtx-pro-6000d": ["nvidia-b40"],
}

NVIDIA_CHINA = {"nvidia-h20", "nvidia-h800", "nvidia-a800", "nvidia-rtx-pro-6000d", "nvidia-b30a"}
VENDOR_BY_PREFIX = [
    ("huawei-", "huawei"), ("cambricon-", "cambricon"), ("hygon-", "hygon"),
    ("kunlunxin-", "kunlunxin"), ("thead-", "thead"), ("moorethreads-", "moorethreads"),
    ("metax-", "metax"), ("biren-", "biren"), ("iluvatar-", "iluvatar"), ("enflame-", "enflame"),
    ("amd-", "amd"), ("google-", "google"), ("nvidia-", "nvidia"),
]
FOREIGN_VENDORS = {"nvidia", "amd", "google"}


def chip_vendor(cid):
    if cid in NVIDIA_CHINA:
        return "nvidia-china"
    for p, v in VENDOR_BY_PREFIX:
        if cid.startswith(p):
            return v
    raise KeyError(cid)


# Direction strings in accelerators.json -> (catalog direction or None, note)
def map_direction(d):
    if d is None:
        return None, None
    t = d.strip()
    if t == "bidirectional":
        return "bidirectional", None
    if t == "per direction":
        return "per_direction", None
    if t.startswith("per direction"):
        return "per_direction", f"input direction text: '{t}'"
    if t.startswith("bidirectional"):
        return "bidirectional", f"input direction text: '{t}'"
    return None, (f"direction not given as bidirectional or per-direction in the input "
                  f"(input says '{t}'); left unset")


# Ascend 950-family: accelerators-notes.md section 1 says a roofline/GEMM model should use
# the white-paper cube-only peaks; the input stores keynote/product-page figures for some
# fields and quotes the cube-only figures in notes/source text.  (chip, field) ->
# (cube-only TFLOPS, note)
ASCEND_CUBE_ONLY = {
    ("huawei-ascend-950pr", "fp8_dense_tflops"): (865, "Huawei keynote headline 1000 TFLOPS (1 PF FP8/MXFP8/HiF8, confidence high in the input)"),
    ("huawei-ascend-950pr", "fp4_dense_tflops"): (1730, "Huawei keynote headline 2000 TFLOPS (2 PF MXFP4)"),
    ("huawei-ascend-950dt", "fp8_dense_tflops"): (973, "Huawei keynote headline 1000 TFLOPS"),
    ("huawei-ascend-950dt", "fp4_dense_tflops"): (1946, "Huawei keynote headline 2000 TFLOPS"),
    ("huawei-atlas-350", "bf16_dense_tflops"): (378, "hiascend.com product page figure 425 TFLOPS (cube+vector)"),
    ("huawei-atlas-350", "fp8_dense_tflops"): (756, "hiascend.com product page figure 804 TFLOPS (cube+vector, MXFP8/HiF8)"),
    ("huawei-atlas-350", "fp4_dense_tflops"): (1513, "product page 1561 TFLOPS; launch coverage 1.56 PF (cube+vector)"),
}
ASCEND_WP_SOURCE = ("Secondary compilation in a public GitHub repository (Chinese report "
                    "'Huawei AI 基础设施架构演进', dated 2026-09-28) citing Huawei 'Ascend 950 NPU "
                    "architecture white paper' (2026) and the hiascend.com Atlas 350 product page")

COMPUTE_FIELDS = [("bf16", "bf16_dense_tflops", "TFLOPS"), ("fp16", "fp16_dense_tflops", "TFLOPS"),
                  ("fp8", "fp8_dense_tflops", "TFLOPS"), ("int8", "int8_dense_tops", "TOPS"),
                  ("fp4", "fp4_dense_tflops", "TFLOPS")]


def launch_year_from(field, override=None):
    """Integer year = first year stated in the input's `launch` text."""
    if override is not None:
        return override
    if field is None or field.get("value") is None:
        return None
    ds = dates_in(str(field["value"]))
    if not ds:
        return None
    y = ds[0][0]
    return pv(y, source=field["source"], as_of=as_of_from_source(field["source"]),
              confidence=field["confidence"], note=f"launch text: '{field['value']}'")


def compute_block(cid, rec):
    out = {}
    for key, field, unit in COMPUTE_FIELDS:
        f = rec.get(field)
        if (cid, field) in ASCEND_CUBE_ONLY:
            v, why = ASCEND_CUBE_ONLY[(cid, field)]
            out[key] = pv(f"{v} {unit}", source=ASCEND_WP_SOURCE, as_of="2026-09-28", confidence="medium",
                          note=("white-paper cube-only (matrix) peak, used because accelerators-notes.md "
                                "section 1 says roofline/GEMM models should use cube-only figures; " + why))
            continue
        out[key] = from_field(f, unit)
    return out


def price_per_chip(entries, region_of):
    """Pick, per region, the most recent per-chip (or per-8-GPU-module / 8) price."""
    by_region = {"cn": [], "us": []}
    for e in entries:
        by_region[region_of(e)].append(e)
    out = {"cn": None, "us": None}
    for region, es in by_region.items():
        if not es:
            continue
        usable = [e for e in es if "141GB" not in e["unit"]]  # other H20 variant
        pick = max(usable or es, key=lambda e: recency_key(e["date"]))
        v = pick["value"]
        unit_txt = pick["unit"]
        notes = []
        conf = pick["confidence"]
        if "8-GPU" in unit_txt:
            per = v / 8
            per = int(per) if float(per).is_integer() else round(per, 2)
            notes.append(f"{num(v)} {pick['currency']} {unit_txt} / 8 = {num(per)} {pick['currency']} per chip (derived)")
            v = per
            conf = cap_conf(conf, "medium")
        else:
            notes.append(f"input unit: '{unit_txt}'")
        if pick.get("note"):
            notes.append(pick["note"])
        notes.append(f"input date: '{pick['date']}'")
        if pick.get("usd_approx"):
            notes.append(f"~{num(pick['usd_approx'])} USD ({pick.get('usd_approx_note')})")
        alts = [e for e in es if e is not pick]
        if alts:
            notes.append("alternatives: " + "; ".join(
                f"{num(e['value'])} {e['currency']} {e['unit']} ({e['date']}, {e['source']}, {e['confidence']})"
                for e in alts))
        out[region] = pv(f"{num(v)} {pick['currency']}", source=pick["source"],
                         as_of=as_of_from_record_date(pick["date"]), confidence=conf,
                         note="; ".join(notes))
    return out


# export-control data (year it could be bought in China / last year it could)
ACC_NOTES = "shared/data/accelerators-notes.md"
EXPORT = {
    "nvidia-a100-sxm": ("launch", 2022,
                        "accelerators.json status of nvidia-a100-sxm4-80gb: 'export to China restricted since 2022-10'",
                        "sold in China from launch until the US restriction of 2022-10"),
    "nvidia-a800": ("launch", 2023,
                    "accelerators.json nvidia-a800-sxm4-80gb notes ('barred by the 2023-10-17 BIS update'); " + ACC_NOTES + " section 3.1",
                    "China variant of A100 (NVLink cut to 400 GB/s); barred from 2023-10-17, large installed fleets remain"),
    "nvidia-h800": ("launch", 2023,
                    "accelerators.json nvidia-h800-sxm5 status/notes ('discontinued for China after 2023-10-17 rules'); " + ACC_NOTES + " section 3.1",
                    "China variant of H100; barred from 2023-10-17, large installed fleets remain"),
    "nvidia-h20": ("launch", None,
                   "accelerators.json nvidia-h20-96gb status; " + ACC_NOTES + " section 3.1",
                   "launched 2024; licence requirement from April 2025 ($5.5B write-off); sales resumed July/August 2025 "
                   "with a 15% revenue share to the US; Chinese regulators then discouraged purchases. Treated as still "
                   "available (no end year)"),
    "nvidia-h200-sxm": (2026, None,
                        "accelerators.json economics entry export-policy-h200 (Trump announcement 2025-12-08, 25% levy; "
                        "Reuters) and nvidia-h200-sxm-141gb status/notes",
                        "US approval announced 2025-12-08 with 25% of revenue to the US government; Jan 2026 Commerce rule "
                        "(case-by-case, China volume capped at 50% of US production); first deliveries targeted mid-Feb 2026"),
    "nvidia-rtx-pro-6000d": (2025, None,
                             "accelerators.json nvidia-rtx-pro-6000d-b40 status ('production from ~June 2025 (reported)') and notes",
                             "China-specific SKU; CAC reportedly told Chinese firms not to buy it (late 2025)"),
    "nvidia-b30a": (None, None, "accelerators.json nvidia-b30a status ('no export approval found')",
                    "proposed China SKU, no export approval found: treat as a scenario input only"),
}
NEVER = {  # foreign parts the input marks as not exportable to China
    "nvidia-h100-sxm", "nvidia-b200", "nvidia-gb200", "nvidia-b300", "nvidia-gb300",
    "amd-mi300x", "amd-mi325x", "amd-mi355x",
}


def export_block(cid, rec, launch):
    if cid in EXPORT:
        frm, until, src, note = EXPORT[cid]
        if frm == "launch":
            frm_v = (pv(launch["value"], source=launch["source"], as_of=launch["as_of"],
                        confidence=launch["confidence"], note="launch year; " + note) if launch else None)
        elif frm is None:
            frm_v = None
        else:
            frm_v = pv(frm, source=src, as_of=as_of_from_source(src), confidence="medium", note=note)
        until_v = pv(until, source=src, as_of=as_of_from_source(src), confidence="medium") if until else None
        if frm_v is None and note and cid == "nvidia-b30a":
            return {"cn_available_from": None, "cn_available_until": None}
        return {"cn_available_from": frm_v, "cn_available_until": until_v}
    if cid in NEVER:
        return {"cn_available_from": None, "cn_available_until": None}
    if chip_vendor(cid) not in FOREIGN_VENDORS and chip_vendor(cid) != "nvidia-china":
        if launch is None:
            return None
        planned = any(w in (rec.get("status") or "").lower() for w in ("plan", "roadmap"))
        return {"cn_available_from": pv(launch["value"], source=launch["source"], as_of=launch["as_of"],
                                        confidence=launch["confidence"],
                                        note="domestic chip: available in China from its launch year"
                                        + (" (planned launch)" if planned else "")),
                "cn_available_until": None}
    return None


# Extra launch-year sources for chips whose `launch` field is null (vendors.json facts).
LAUNCH_OVERRIDES = {
    "huawei-ascend-910b3": pv(2023, source="vendors.json huawei fact chip_launch 2023 'Ascend 910B (redesigned Virtuvian B chiplet)': jishuzhan.net / Atlas A2 timeline; Tom's Hardware analysis as republished at wm.org.tr/?p=131768",
                              as_of=DATASET_AS_OF, confidence="low",
                              note="launch year of the 910B family; no bin-specific date published"),
    "huawei-ascend-910b4": pv(2023, source="vendors.json huawei fact chip_launch 2023 'Ascend 910B (redesigned Virtuvian B chiplet)': jishuzhan.net / Atlas A2 timeline; Tom's Hardware analysis as republished at wm.org.tr/?p=131768",
                              as_of=DATASET_AS_OF, confidence="low",
                              note="launch year of the 910B family; no bin-specific date published"),
    "hygon-k100": pv(2023, source="vendors.json hygon fact chip_launch 2023 'DCU 深算二号 (Shensuan-2, K100 / K100 AI family) - mass produced': reportify.cn 新财富 summary (2023); ccyxbj.cn report 619306 (Shanxi Securities, 2025-03-26); staging.reportify.cn 深算二号 tag (Gelonghui 2025-08-14)",
                     as_of="2025-08-14", confidence="medium",
                     note="year the K100 family was mass produced; accelerators.json launch is null"),
}


def chip_entry(rec):
    src_id = rec["id"]
    cid = CHIP_IDS[src_id]
    vendor = chip_vendor(cid)
    aliases = [src_id] if src_id != cid else []
    aliases += EXTRA_ALIASES.get(cid, [])
    launch = launch_year_from(rec.get("launch"), LAUNCH_OVERRIDES.get(cid))

    e = {"id": cid, "name": rec["name"], "vendor": vendor}
    if aliases:
        e["aliases"] = Flow(aliases)
    e["status"] = rec.get("status")
    e["launch_year"] = launch
    e["compute"] = compute_block(cid, rec)

    mem_cap = rec.get("memory_capacity_gb")
    cap_unit = "GB"
    cap_note = None
    if cid == "google-tpu7x-ironwood":
        cap_unit = "GiB"
        cap_note = "source states 192 GiB; written in GiB"
    e["memory"] = {
        "type": sval(rec.get("memory_type")),
        "capacity": from_field(mem_cap, cap_unit, cap_note),
        "bandwidth": from_field(rec.get("memory_bandwidth_tbs"), "TB/s"),
        "hbm_stacks": from_field(rec.get("hbm_stacks")),
    }
    sb = rec.get("scaleup_bw_gbs_per_chip")
    sb_v = None
    if sb and sb.get("value") is not None:
        direction, dnote = map_direction(sb.get("direction"))
        sb_v = from_field(sb, "GB/s", dnote)
        if direction:
            sb_v["direction"] = direction
    e["scaleup"] = {
        "interconnect": sval(rec.get("scaleup_interconnect")),
        "bandwidth": sb_v,
        "domain_size": from_field(rec.get("scaleup_domain_size")),
    }
    e["scaleout"] = {"bandwidth": from_field(rec.get("scaleout_nic_gbps_per_chip"), "Gb/s")}
    e["power"] = {"tdp": from_field(rec.get("tdp_w"), "W")}
    e["silicon"] = {
        "process_node": sval(rec.get("process_node")),
        "foundry": sval(rec.get("foundry")),
        "compute_dies": from_field(rec.get("compute_dies")),
        "die_area": from_field(rec.get("die_area_mm2"), "mm2"),
        "transistors_bn": from_field(rec.get("transistors_billion")),
    }
    domestic_or_cn = vendor not in FOREIGN_VENDORS

    def region_of(p):
        return "cn" if (p["currency"] == "RMB" or domestic_or_cn) else "us"

    e["price"] = price_per_chip(rec.get("street_price") or [], region_of)
    ex = export_block(cid, rec, launch)
    if ex is not None:
        e["export_control"] = ex
    notes = []
    if rec.get("form_factor"):
        notes.append(f"Form factor: {rec['form_factor']}.")
    if rec.get("sparsity_note"):
        notes.append(f"Compute: {rec['sparsity_note']}")
    if rec.get("notes"):
        notes.append(rec["notes"])
    notes += CHIP_EXTRA_NOTES.get(cid, [])
    if ex is None:
        notes.append("export_control omitted: the inputs give no China availability for this part "
                     "(null would mean 'never').")
    notes.append(f"Imported from shared/data/accelerators.json entry '{src_id}'.")
    e["notes"] = " ".join(notes)
    return cid, e


CHIP_EXTRA_NOTES = {
    "amd-mi300x": ["Scale-up 896 GB/s: accelerators-notes.md section 1 says AMD's Infinity Fabric figure is the sum "
                   "over the peer links (7 x 128 GB/s); its direction is not stated, so `direction` is unset."],
    "amd-mi325x": ["Scale-up 896 GB/s is the aggregate over peer links (see amd-mi300x); direction unset."],
    "huawei-ascend-950pr": ["Compute: white-paper cube-only peaks are used for FP8/FP4 (BF16 432 was already cube-only); "
                            "keynote headlines 1 PF FP8 / 2 PF FP4 are in the value notes."],
    "huawei-ascend-950dt": ["Compute: white-paper cube-only peaks are used for FP8/FP4 (BF16 486 was already cube-only); "
                            "keynote headlines 1 PF FP8 / 2 PF FP4 are in the value notes."],
    "huawei-atlas-350": ["Compute: cube-only figures (28 of 32 cube cores enabled) are used; product-page cube+vector "
                         "figures are in the value notes."],
    "nvidia-h20": ["Price: 880k RMB per 8-GPU module (96GB) is the most recent; the 1.05M RMB module price is for "
                   "the 141GB H20 variant and is kept only in the note."],
}


# ---- chips that appear only in measurements-shared.csv (no accelerators.json record) ----

L40S_DS = ("NVIDIA L40S datasheet (vendor datasheet copy at scribd.com/document/909978823/l40s-datasheet; "
           "spec table as reproduced by the reseller page mullet.se/product.html?product_id=355414, "
           "'* With Sparsity' marks the sparse column)")
MLPERF_L40S = ("MLPerf Inference v4.1 system description github.com/mlcommons/inference_results_v4.1:"
               "closed/Fujitsu/systems/CDI_L40Sx8_TRT.json (2024-08-28)")
MLPERF_H100NVL = ("MLPerf Inference v4.1 system description github.com/mlcommons/inference_results_v4.1:"
                  "closed/Lenovo/systems/SR675_V3_8xH100_NVL_TRT.json (2024-08-28)")
MLPERF_GH200 = ("MLPerf Inference v4.1 system description (submitter NVIDIA) github.com/mlcommons/"
                "inference_results_v4.1:closed/NVIDIA/systems/GH200-GraceHopper-Superchip_GH200-144GB_aarch64x1_TRT.json (2024-08-28)")
RTX6000D_SRC = ("teardown and Geekbench reports: weeklypost.kr, pepelac.news, tugatech.com.pt, overclockers.ru "
                "(2025-11), takechance.work (2025-11-27) (as recorded in accelerators.json nvidia-rtx-pro-6000d-b40 "
                "memory_capacity note: 'full RTX PRO 6000: 96 GB, 512-bit')")
CHITU_SRC = ("github.com/thu-pacman/chitu docs/en/PERFORMANCE.md (2025), as recorded in the notes of "
             "shared/data/measurements-shared.csv ('Hygon DCU model not named by the source (64 GB)')")


def empty_chip(cid, name, vendor, status, aliases=None):
    e = {"id": cid, "name": name, "vendor": vendor}
    if aliases:
        e["aliases"] = Flow(aliases)
    e.update({
        "status": status,
        "launch_year": None,
        "compute": {k: None for k, _, _ in COMPUTE_FIELDS},
        "memory": {"type": None, "capacity": None, "bandwidth": None, "hbm_stacks": None},
        "scaleup": {"interconnect": None, "bandwidth": None, "domain_size": None},
        "scaleout": {"bandwidth": None},
        "power": {"tdp": None},
        "silicon": {"process_node": None, "foundry": None, "compute_dies": None, "die_area": None,
                    "transistors_bn": None},
        "price": {"cn": None, "us": None},
    })
    return e


def extra_chips(acc_by_catalog_id):
    out = {}
    # NVIDIA L40S
    e = empty_chip("nvidia-l40s", "L40S (48GB GDDR6, PCIe)", "nvidia",
                   "shipping; used in MLPerf Inference v4.1 submissions (Fujitsu PRIMERGY CDI 8x L40S)")
    dsd = DATASET_AS_OF  # the datasheet copy read carries no date
    e["compute"]["bf16"] = pv("362.05 TFLOPS", L40S_DS, dsd, "medium", note="dense; datasheet sparse figure 733")
    e["compute"]["fp16"] = pv("362.05 TFLOPS", L40S_DS, dsd, "medium", note="dense; datasheet sparse figure 733")
    e["compute"]["fp8"] = pv("733 TFLOPS", L40S_DS, dsd, "medium", note="dense; datasheet sparse figure 1,466")
    e["memory"]["type"] = "GDDR6"
    e["memory"]["capacity"] = pv("48 GB", MLPERF_L40S + "; " + L40S_DS, "2024-08-28", "high")
    e["memory"]["bandwidth"] = pv("864 GB/s", L40S_DS, dsd, "medium")
    e["scaleup"]["interconnect"] = "none (PCIe Gen4 x16 only; no NVLink)"
    e["scaleup"]["bandwidth"] = pv("64 GB/s", L40S_DS, dsd, "medium", direction="bidirectional",
                                   note="PCIe Gen4 x16 host interface ('64GB/s bidirectional'); the MLPerf system lists accelerator_interconnect N/A")
    e["power"]["tdp"] = pv("350 W", L40S_DS, dsd, "medium", note="'Max Power Consumption 350W'")
    e["notes"] = ("Not in accelerators.json; added because measurements-shared.csv uses this chip id (MLPerf v4.1 "
                  "Llama-2-70B). Values only from the NVIDIA datasheet (as copied/reproduced, hence medium) and the "
                  "MLPerf system description. The datasheet's INT8 row for L40S was not legible in the copy read: "
                  "int8 left null. The datasheet copy carries no date, so its values use the data set's as_of. "
                  "export_control omitted: no China availability in the inputs.")
    out[e["id"]] = e

    # NVIDIA H100 NVL
    e = empty_chip("nvidia-h100-nvl", "H100 NVL (94GB HBM3, PCIe + NVLink bridge)", "nvidia",
                   "shipping; used in MLPerf Inference v4.1 submissions (Lenovo SR675 V3 8x H100 NVL)")
    e["memory"]["type"] = "HBM3"
    e["memory"]["capacity"] = pv("94 GB", MLPERF_H100NVL, "2024-08-28", "medium",
                                 note="'accelerator_memory_capacity: 94 GB' of the measured system")
    e["scaleup"]["interconnect"] = "4th Gen NVLink (bridge), 18 links"
    e["scaleup"]["bandwidth"] = pv("600 GB/s", MLPERF_H100NVL, "2024-08-28", "medium",
                                   note="'18x 4th Gen NVLink, 600GB/s'; direction not stated in the source, left unset")
    e["notes"] = ("Not in accelerators.json; added because measurements-shared.csv uses this chip id. Only the "
                  "memory and NVLink figures stated in the MLPerf v4.1 system description (submitter Lenovo) are "
                  "filled; compute, memory bandwidth and TDP were not found in a vendor datasheet in the stored "
                  "material (third-party spec pages disagree) and are null. export_control omitted: no China "
                  "availability in the inputs.")
    out[e["id"]] = e

    # NVIDIA GH200
    e = empty_chip("nvidia-gh200", "GH200 Grace Hopper Superchip (144GB HBM3e)", "nvidia",
                   "shipping; used in MLPerf Inference v4.1 submissions (NVIDIA GH200 NVL2 platform)")
    e["memory"]["type"] = "HBM3e"
    e["memory"]["capacity"] = pv("144 GB", MLPERF_GH200, "2024-08-28", "medium",
                                 note="GPU HBM of the measured GH200-144GB; the Grace CPU adds 480 GB LPDDR5x (host memory)")
    e["scaleout"]["bandwidth"] = pv("400 Gb/s", MLPERF_GH200, "2024-08-28", "medium",
                                    note="'accelerator_interconnect: 1x 400Gbe Infiniband' for the 1-GPU system")
    e["notes"] = ("Not in accelerators.json; added because measurements-shared.csv uses this chip id. Memory and NIC "
                  "from NVIDIA's own MLPerf v4.1 system description; no vendor datasheet with GH200 compute, memory "
                  "bandwidth or TDP was found in the stored material, so those are null (the GPU is Hopper, but the "
                  "H100/H200 figures are not copied). export_control omitted: no China availability in the inputs.")
    out[e["id"]] = e

    # NVIDIA RTX PRO 6000 (global Blackwell card)
    e = empty_chip("nvidia-rtx-pro-6000", "RTX PRO 6000 (Blackwell, GB202, 96GB GDDR7)", "nvidia",
                   "shipping (global SKU; the China SKU is nvidia-rtx-pro-6000d)")
    e["memory"]["type"] = "GDDR7"
    e["memory"]["capacity"] = pv("96 GB", RTX6000D_SRC, "2025-11-27", "medium",
                                 note="full (global) RTX PRO 6000: 96 GB on a 512-bit bus, per the note on the China SKU")
    e["notes"] = ("Not in accelerators.json as its own entry; added because measurements-shared.csv uses this chip "
                  "id (TensorRT-LLM perf-overview). Only the 96 GB capacity is stated in the inputs (note on "
                  "nvidia-rtx-pro-6000d-b40); the 1.7-1.8 TB/s bandwidth there is an estimate range and is not "
                  "used; no vendor datasheet was found in the stored material. export_control omitted: no China "
                  "availability in the inputs.")
    out[e["id"]] = e

    # Hygon DCU (model not named)
    e = empty_chip("hygon-dcu", "Hygon DCU (model not named by the source, 64 GB)", "hygon",
                   "measurement-only entry (Chitu benchmark on an unnamed Hygon DCU)")
    e["memory"]["capacity"] = pv("64 GB", CHITU_SRC, "2025", "medium")
    e["notes"] = ("Generic entry for measurements-shared.csv rows whose source does not name the Hygon DCU model. "
                  "Both hygon-k100 (K100 AI) and hygon-bw1000 have 64 GB, so the part cannot be identified; all "
                  "other figures are null. export_control omitted (launch year unknown).")
    out[e["id"]] = e

    # Generic Huawei Ascend 910B (bin not stated)
    b2 = acc_by_catalog_id["huawei-ascend-910b2"]
    e = empty_chip("huawei-ascend-910b", "Ascend 910B (bin not stated)", "huawei",
                   "shipping (2023-); generic entry for sources that do not name the bin")
    launch = pv(2023, source=("vendors.json huawei fact chip_launch 2023 'Ascend 910B (redesigned Virtuvian B "
                              "chiplet)': jishuzhan.net / Atlas A2 timeline; Tom's Hardware analysis as republished "
                              "at wm.org.tr/?p=131768"), as_of=DATASET_AS_OF, confidence="medium")
    e["launch_year"] = launch
    e["memory"]["type"] = "HBM2e"
    e["silicon"]["process_node"] = "SMIC N+1 (7nm-class)"
    e["silicon"]["foundry"] = "SMIC (plus TSMC-made dies obtained via proxies)"
    e["silicon"]["compute_dies"] = from_field(b2["compute_dies"])
    e["silicon"]["die_area"] = from_field(b2["die_area_mm2"], "mm2")
    p = [x for x in b2["street_price"] if x["currency"] == "RMB"][0]
    e["price"]["cn"] = pv(f"{num(p['value'])} RMB", source=p["source"], as_of=as_of_from_record_date(p["date"]),
                          confidence=p["confidence"],
                          note=("channel check quotes '910B RMB 90k' without a bin (accelerators-notes.md sections 3.3 "
                                "and 5); input date '2025 (Apr-May)'; alternative: ~38,750 USD per chip implied by "
                                "Baidu's 2024 order of 1,600 910B for ~$62M (SCMP via the-decoder.com, low; probably "
                                "includes servers)"))
    e["export_control"] = {"cn_available_from": pv(2023, source=launch["source"], as_of=DATASET_AS_OF,
                                                   confidence="medium",
                                                   note="domestic chip: available in China from its launch year"),
                           "cn_available_until": None}
    e["notes"] = (
        "accelerators-notes.md does not say which bin the generic '910B' is, so only the fields shared by all bins "
        "(910B2/910B3/910B4 in accelerators.json) are filled: HBM2e, SMIC N+1, one compute die (die area from the "
        "910B die-shot), no FP8/FP4. Bin-specific figures (simulator HWConf table): 910B2 353.8 TFLOPS FP16 / 64 GB / "
        "1.6 TB/s; 910B3 294.9 / 64 GB / 1.6 TB/s; 910B4 245.7 / 32 GB / 0.8 TB/s. Gitee AI's 910B page gives FP16 280 "
        "TFLOPS (bin unknown); a public microbenchmark measured ~328 TFLOPS BF16 GEMM on a 910B. Compute, memory "
        "capacity/bandwidth, scale-up and TDP are null here; use a bin entry (e.g. huawei-ascend-910b2) or a scenario "
        "overlay when the bin is known. TDP: the 310/350 W claims trace back to the original 910 and are not used.")
    out[e["id"]] = e
    return out


# ----------------------------------------------------------------------------
# systems
# ----------------------------------------------------------------------------

SYSTEM_VENDOR = {
    "nvidia-hgx-h100-8gpu": "nvidia", "nvidia-hgx-h200-8gpu-china": "nvidia",
    "nvidia-hgx-h20-8gpu-china": "nvidia-china", "nvidia-dgx-b200": "nvidia",
    "nvidia-gb200-nvl72": "nvidia", "nvidia-gb300-nvl72": "nvidia",
    "huawei-cloudmatrix-384": "huawei", "huawei-atlas-950-superpod": "huawei",
    "huawei-atlas-960-superpod": "huawei", "alibaba-panjiu-al128": "thead",
    "bytedance-256-rack": None, "sugon-scalex640": None, "kunlun-tianchi-256-512": "kunlunxin",
    "google-tpu7x-pod": "google", "google-tpu-v6e-pod": "google",
}

GIZMO = "gizmochina.com/?p=707365 (Huawei Connect 2025 SuperPoD coverage, 2025-09) (vendors.json huawei roadmap evidence)"
SYSTEM_LAUNCH = {
    "nvidia-gb200-nvl72": (2025, "kshirol-dev.github.io; nullvuild.com (accelerators.json nvidia-gb200-per-gpu launch: '2024-25 (rack volume 2025)')", "medium", "rack volume 2025"),
    "nvidia-gb300-nvl72": (2025, "aiwiki.ai/wiki/nvidia_gb300_nvl72 (accelerators.json nvidia-gb300-per-gpu launch: 'first production unit delivered July 2025 (Dell to CoreWeave)')", "medium", "first production rack delivered July 2025"),
    "huawei-atlas-950-superpod": (2026, GIZMO, "high", "planned Q4 2026 (roadmap)"),
    "huawei-atlas-960-superpod": (2027, GIZMO, "high", "planned Q4 2027 (roadmap)"),
    "kunlun-tianchi-256-512": (2026, "reportify.ai summary of Baidu World 2025 (2025-11-13) Kunlun roadmap; nbdnews.com", "medium", "roadmap: Tianchi 256 H1 2026, Tianchi 512 H2 2026"),
    "alibaba-panjiu-al128": (2025, "alibabacloud.com blog 'In-depth Analysis of Alibaba Cloud Panjiu AL128' (accelerators.json status: 'announced Apsara Conference 2025-09')", "medium", "announced at the Apsara Conference, 2025-09"),
    "sugon-scalex640": (2025, "besthub.dev article on scaleX640 (accelerators.json status: 'unveiled Wuzhen World Internet Conference 2025')", "medium", "unveiled at the Wuzhen World Internet Conference 2025"),
}

SYSTEM_EXTRA_FIELDS = [("cpus", "CPUs", ""), ("racks_or_cabinets", "racks/cabinets", ""),
                       ("bf16_dense_pflops", "BF16 dense", " PFLOPS"), ("fp8_dense_pflops", "FP8 dense", " PFLOPS"),
                       ("fp4_dense_pflops", "FP4 dense", " PFLOPS"), ("hbm_total_tb", "HBM total", " TB"),
                       ("hbm_bw_total_tbs", "HBM bandwidth total", " TB/s"),
                       ("scaleup_aggregate_tbs", "scale-up aggregate", " TB/s")]


def system_entry(rec):
    sid = rec["id"]
    e = {"id": sid, "name": rec["name"], "vendor": SYSTEM_VENDOR[sid]}
    chip = CHIP_IDS.get(rec.get("accelerator_ref")) if rec.get("accelerator_ref") else None
    if sid == "kunlun-tianchi-256-512":
        chip = "kunlunxin-p800"
    e["chip"] = chip
    if sid in SYSTEM_LAUNCH:
        y, src, conf, note = SYSTEM_LAUNCH[sid]
        e["launch_year"] = pv(y, source=src, as_of=as_of_from_source(src), confidence=conf, note=note)
    else:
        e["launch_year"] = launch_year_from(rec.get("launch"))
    e["chips_per_domain"] = from_field(rec.get("chips_per_scaleup_domain"))
    sb = rec.get("scaleup_bw_per_chip_gbs")
    sb_v = None
    if sb and sb.get("value") is not None:
        direction, dnote = map_direction(sb.get("direction"))
        sb_v = from_field(sb, "GB/s", dnote)
        if direction:
            sb_v["direction"] = direction
    e["scaleup_bandwidth"] = sb_v
    e["scaleout_bandwidth"] = from_field(rec.get("scaleout_per_chip_gbps"), "Gb/s")
    e["power"] = from_field(rec.get("power_kw"), "kW")
    prices = [p for p in (rec.get("price") or []) if "all-in" not in p["unit"] and "141GB" not in p["unit"]]
    if prices:
        pick = max(prices, key=lambda p: recency_key(p["date"]))
        alts = [p for p in rec["price"] if p is not pick]
        notes = [f"input unit: '{pick['unit']}'", f"input date: '{pick['date']}'"]
        if pick.get("note"):
            notes.append(pick["note"])
        if pick.get("usd_approx"):
            notes.append(f"~{num(pick['usd_approx'])} USD ({pick.get('usd_approx_note')})")
        if alts:
            notes.append("alternatives: " + "; ".join(
                f"{num(p['value'])} {p['currency']} {p['unit']} ({p['date']}, {p['source']}, {p['confidence']})"
                for p in alts))
        if sid == "nvidia-gb200-nvl72":
            notes.append("chosen: the most recent dated system-only price; the Bernstein 5.9M USD figure is all-in "
                         "(includes 2.5M USD of facility capex, which the region's datacenter_capex_per_kw covers)")
        e["price"] = pv(f"{num(pick['value'])} {pick['currency']}", source=pick["source"],
                        as_of=as_of_from_record_date(pick["date"]), confidence=pick["confidence"],
                        note="; ".join(notes))
    else:
        e["price"] = None
    notes = []
    if rec.get("status"):
        notes.append(f"Status: {rec['status']}.")
    extra = []
    for f, label, unit in SYSTEM_EXTRA_FIELDS:
        v = rec.get(f)
        if v and v.get("value") is not None:
            extra.append(f"{label} {num(v['value'])}{unit} ({v['source']}; {v['confidence']})")
    if extra:
        notes.append("Also in accelerators.json: " + "; ".join(extra) + ".")
    if rec.get("notes"):
        notes.append(rec["notes"])
    if chip is None:
        notes.append("chip: null - the input fixes no accelerator for this system.")
    if e["vendor"] is None:
        notes.append(f"vendor: null - '{rec['vendor']}' is not a catalog vendor.")
    if sid == "alibaba-panjiu-al128":
        notes.append("vendor set to thead (Alibaba's chip unit); accelerators.json thead-zhenwu-810e notes call "
                     "Panjiu AL128 the matching rack for the T-Head PPU.")
    if sid == "kunlun-tianchi-256-512":
        notes.append("chip: accelerators.json gives no accelerator_ref; set to kunlunxin-p800 because vendors.json "
                     "kunlunxin capacity_access evidence (10100.com/article/65963959, 2025-11) says Tianchi 256/512 "
                     "use the P800.")
    notes.append(f"Imported from shared/data/accelerators.json entry '{sid}'.")
    e["notes"] = " ".join(notes)
    return sid, e


# ----------------------------------------------------------------------------
# models
# ----------------------------------------------------------------------------

MODEL_IDS = {
    "deepseek-ai/DeepSeek-V3": "deepseek-v3",
    "deepseek-ai/DeepSeek-R1": "deepseek-r1",
    "deepseek-ai/DeepSeek-V3.2-Exp": "deepseek-v3.2-exp",
    "moonshotai/Kimi-K2-Instruct": "kimi-k2",
    "moonshotai/Kimi-K2.5": "kimi-k2.5",
    "Qwen/Qwen3-235B-A22B": "qwen3-235b-a22b",
    "Qwen/Qwen3-32B": "qwen3-32b",
    "Qwen/Qwen3-30B-A3B": "qwen3-30b-a3b",
    "Qwen/Qwen3.5-397B-A17B": "qwen3.5-397b-a17b",
    "Qwen/Qwen2.5-72B-Instruct": "qwen2.5-72b",
    "meta-llama/Llama-3.1-8B-Instruct": "llama-3.1-8b",
    "meta-llama/Llama-3.1-70B-Instruct": "llama-3.1-70b",
    "meta-llama/Llama-3.3-70B-Instruct": "llama-3.3-70b",
    "meta-llama/Llama-3.1-405B-Instruct": "llama-3.1-405b",
    "meta-llama/Llama-2-70b-chat-hf": "llama-2-70b",
    "mistralai/Mixtral-8x7B-Instruct-v0.1": "mixtral-8x7b",
    "openai/gpt-oss-120b": "gpt-oss-120b",
    "zai-org/GLM-4.5": "glm-4.5",
    "zai-org/GLM-4.5-Air": "glm-4.5-air",
    "zai-org/GLM-5": "glm-5",
    "MiniMaxAI/MiniMax-M2": "minimax-m2",
    "MiniMaxAI/MiniMax-M2.5": "minimax-m2.5",
}

# Other Hugging Face ids (AIC model_path, measurement `model`) with the same architecture.
MODEL_ALIASES = {
    "deepseek-r1": ["nvidia/DeepSeek-R1-NVFP4"],
    "deepseek-v3": ["nvidia/DeepSeek-V3.1-NVFP4"],
    "qwen3-235b-a22b": ["Qwen/Qwen3-235B-A22B-FP8"],
    "qwen3-32b": ["nvidia/Qwen3-32B-NVFP4"],
    "llama-3.1-8b": ["nvidia/Llama-3.1-8B-Instruct-FP8"],
    "llama-3.1-70b": ["meta-llama/Llama-3.1-70B"],
    "glm-5": ["zhipuai/GLM-5"],
}
MODEL_ALIAS_NOTES = {
    "deepseek-v3": ("Alias nvidia/DeepSeek-V3.1-NVFP4 (AIConfigurator sample) is DeepSeek-V3.1, a later checkpoint with "
                    "the same V3 architecture (DeepSeek-V3.2-Exp notes call the backbone 'DeepSeek-V3.1-Terminus/V3'), "
                    "NVFP4-quantised by NVIDIA; it shares this entry's shapes, not its weights."),
    "deepseek-r1": "Alias nvidia/DeepSeek-R1-NVFP4 is NVIDIA's NVFP4 quantisation of the same checkpoint.",
    "qwen3-235b-a22b": "Alias Qwen/Qwen3-235B-A22B-FP8 is the official FP8 checkpoint of the same model.",
    "qwen3-32b": "Alias nvidia/Qwen3-32B-NVFP4 is NVIDIA's NVFP4 quantisation of the same model.",
    "llama-3.1-8b": "Alias nvidia/Llama-3.1-8B-Instruct-FP8 is NVIDIA's FP8 quantisation of the same model.",
    "llama-3.1-70b": "Alias meta-llama/Llama-3.1-70B (AIC model_path) is the base model; same architecture as the Instruct model.",
    "glm-5": "Alias zhipuai/GLM-5 is the id used in the brief/AIC sample; the repository is zai-org/GLM-5.",
}

# Confidence of the entry (architecture) and of the parameter counts, where the record mixes levels.
MODEL_CONF = {
    "deepseek-v3.2-exp": ("high", None),
    "llama-3.3-70b": ("high", None),
    "llama-2-70b": ("high", None),
    "minimax-m2.5": ("high", "medium"),
    "qwen3.5-397b-a17b": ("high", "medium"),
    "glm-5": ("high", "medium"),
    "kimi-k2.5": ("high", "medium"),
}

NATIVE_PRECISION_NOTES = {
    "gpt-oss-120b": "native_precision fp4: MoE expert weights are MXFP4; attention, router, embeddings and lm_head stay BF16 (quantization.modules_to_not_convert).",
    "kimi-k2.5": ("native_precision w4a16: the released checkpoint is INT4 weight-only (group 32, symmetric, "
                  "compressed-tensors pack-quantized) on routed experts; attention, shared experts, dense-layer MLP and "
                  "lm_head stay BF16. INT4 is not one of bf16/fp8/fp4, so the measurement-schema name w4a16 is used."),
    "llama-2-70b": "native_precision fp16: torch_dtype float16 (medium confidence per the record).",
}

ATTN_NOTES = {
    "deepseek-v3.2-exp": ("Attention is MLA + DSA (DeepSeek Sparse Attention): a lightning indexer (64 heads x 128 dim) "
                          "picks index_topk = 2048 KV entries per query, so core attention per decoded token is O(2048) "
                          "once context > 2048 (the indexer itself stays O(context) and caches one 128-dim FP8 key per "
                          "token per layer). The MLA fields are the closest catalog fields; DSA is not modelled by them."),
    "glm-5": ("Attention is MLA + DSA (DeepSeek-style sparse attention): indexer 32 heads x 128 dim, top-2048 tokens. "
              "MLA fields are the closest catalog fields. Config head_dim = 64 equals qk_rope_head_dim and is not a "
              "per-head q/k size, so head_dim is null as for the other MLA models; q/k head = 192 + 64 = 256, v = 256."),
    "qwen3.5-397b-a17b": ("Hybrid attention: 45 of 60 layers are linear attention (Gated DeltaNet family per the "
                          "record; fixed-size recurrent state: 16 key heads x 128, 64 value heads x 128, conv kernel 4) "
                          "and every 4th layer (15 layers) is output-gated full GQA attention. heads/kv_heads/head_dim "
                          "describe the full-attention layers only (32 heads, 2 KV heads, head_dim 256); only those 15 "
                          "layers keep a growing KV cache. The catalog has no field for linear-attention layers, so "
                          "they are described here; sliding_window/sliding_layers do not apply (0)."),
    "minimax-m2": ("Full GQA attention in all 62 layers (attn_type_list all 1), QK-norm per layer, partial RoPE "
                   "(rotary_dim 64 of head_dim 128). MiniMax-M2 has no linear/lightning-attention layers (unlike "
                   "MiniMax-01)."),
    "minimax-m2.5": ("Full GQA attention in all layers, QK-norm per layer, partial RoPE (rotary_dim 64 of 128); same "
                     "architecture as MiniMax-M2."),
    "gpt-oss-120b": ("Alternating attention: sliding-window (128 tokens) on the 18 even-indexed layers and full "
                     "attention on the 18 odd-indexed layers; sliding layers only keep the last 128 tokens of KV. "
                     "Learned per-head attention sinks."),
    "glm-4.5": "GQA with partial RoPE (0.5), QKV bias and QK-norm.",
    "glm-4.5-air": "GQA with partial RoPE (0.5), QKV bias, no QK-norm.",
}


def model_entry(rec):
    hf = rec["id"]
    mid = MODEL_IDS[hf]
    entry_conf, params_conf = MODEL_CONF.get(mid, (norm_conf(rec["confidence"]), None))
    src = rec["source"] + " (via shared/data/models.json)"
    e = {"id": mid, "name": hf.split("/")[-1], "aliases": Flow([hf] + MODEL_ALIASES.get(mid, [])),
         "source": src, "as_of": as_of_from_source(rec["source"]), "confidence": entry_conf}
    pconf = params_conf or entry_conf
    psrc = rec["params_source"]
    for key, f in (("params_total_b", "total_params_b"), ("params_active_b", "active_params_b")):
        v = rec[f]
        if v is None:
            e[key] = None
        else:
            note = None
            if f == "active_params_b" and "active_params_b" in (rec.get("derived_fields") or []):
                note = "dense model: active = total (derived in models.json)"
            e[key] = pv(v, source=psrc, as_of=as_of_from_source(psrc), confidence=pconf, note=note)
    e["layers"] = rec["num_hidden_layers"]
    e["hidden"] = rec["hidden_size"]
    e["vocab"] = rec["vocab_size"]
    e["tie_embeddings"] = rec["tie_word_embeddings"]
    q = rec.get("quantization") or {}
    method = (q.get("method") or "").lower()
    if method == "fp8":
        prec = "fp8"
    elif method == "mxfp4":
        prec = "fp4"
    elif method == "compressed-tensors" and (q.get("weights") or {}).get("num_bits") == 4:
        prec = "w4a16"
    elif rec.get("torch_dtype") == "float16":
        prec = "fp16"
    else:
        prec = "bf16"
    e["native_precision"] = prec

    kind_txt = rec["attention_kind"]
    k = kind_txt.lower()
    kind = "mla" if k.startswith("mla") else ("mha" if rec["num_key_value_heads"] == rec["num_attention_heads"]
                                              and "gqa" not in k and not k.startswith("hybrid") else "gqa")
    att = {"kind": kind, "heads": rec["num_attention_heads"], "kv_heads": rec["num_key_value_heads"]}
    if mid == "deepseek-v3.2-exp":
        att["kv_heads"] = pv(rec["num_key_value_heads"], confidence="medium",
                             note="HF-only field taken from the DeepSeek-V3.2 config (record: medium)")
    if kind == "mla":
        att["head_dim"] = rec["head_dim"]  # null: not a q/k head size for MLA
        att["q_lora_rank"] = rec["q_lora_rank"]
        att["kv_lora_rank"] = rec["kv_lora_rank"]
        att["qk_nope_dim"] = rec["qk_nope_head_dim"]
        att["qk_rope_dim"] = rec["qk_rope_head_dim"]
        att["v_head_dim"] = rec["v_head_dim"]
    else:
        hd = rec["head_dim"]
        if hd is None:
            hd = rec["hidden_size"] // rec["num_attention_heads"]
        att["head_dim"] = hd
    lp = rec.get("layer_pattern") or {}
    if rec.get("sliding_window"):
        att["sliding_window"] = rec["sliding_window"]
        att["sliding_layers"] = lp.get("n_sliding_layers", 0)
    else:
        att["sliding_window"] = None
        att["sliding_layers"] = 0
    e["attention"] = att

    moe = bool(rec.get("n_routed_experts"))
    ffn = {"kind": "moe" if moe else "dense", "intermediate": rec["intermediate_size"]}
    if moe:
        ffn["experts"] = rec["n_routed_experts"]
        ffn["experts_per_token"] = rec["num_experts_per_tok"]
        ffn["shared_experts"] = rec["n_shared_experts"]
        ffn["expert_intermediate"] = rec["moe_intermediate_size"]
        ffn["shared_intermediate"] = rec["shared_expert_intermediate_size"]
        ffn["dense_layers"] = rec["n_dense_ffn_layers"] if rec["n_dense_ffn_layers"] is not None else rec["first_k_dense_replace"]
    else:
        ffn["dense_layers"] = rec["n_dense_ffn_layers"]
    e["ffn"] = ffn
    mtp = rec.get("num_nextn_predict_layers")
    mtp_note = None
    if mtp is None:
        mtp = 0
        mtp_note = ("mtp_layers 0: the config has no MTP field (num_nextn_predict_layers absent) and the "
                    "architecture has no MTP head.")
    if mid == "deepseek-v3.2-exp":
        mtp = pv(mtp, confidence="medium", note="HF-only field taken from the DeepSeek-V3.2 config (record: medium)")
    e["mtp_layers"] = mtp

    notes = []
    if mid in ATTN_NOTES:
        notes.append(ATTN_NOTES[mid])
    notes.append(f"models.json attention_kind: '{kind_txt.strip()}'.")
    if mid in NATIVE_PRECISION_NOTES:
        notes.append(NATIVE_PRECISION_NOTES[mid])
    if mtp_note:
        notes.append(mtp_note)
    if rec.get("max_position_embeddings"):
        notes.append(f"max_position_embeddings {rec['max_position_embeddings']}.")
    if rec.get("partial_rotary_factor"):
        notes.append(f"partial_rotary_factor {rec['partial_rotary_factor']}.")
    if not moe and rec.get("n_moe_layers") == 0:
        notes.append("Dense model: every layer uses the dense FFN (dense_layers = layers).")
    if rec.get("derived_fields"):
        notes.append("Fields derived in models.json (not read verbatim from the config): "
                     + ", ".join(rec["derived_fields"]) + ".")
    if rec["confidence"] not in ("high", "medium", "low"):
        notes.append(f"Record confidence: '{rec['confidence']}'.")
    if mid in MODEL_ALIAS_NOTES:
        notes.append(MODEL_ALIAS_NOTES[mid])
    notes.append(rec["notes"])
    e["notes"] = " ".join(notes)
    return mid, e


# ----------------------------------------------------------------------------
# workloads
# ----------------------------------------------------------------------------

MLPERF_CONF = ("MLPerf Inference LoadGen config mlcommons/inference@001712e9daf80386e0dda43f97b8f36981d792c4:"
               "loadgen/mlperf.conf")
WL_SOURCE = "gpugap standard workload (InferenceMAX-style ISL/OSL grid)"


def workloads():
    out = {}

    def wl(wid, name, isl, osl, ttft, tpot, notes):
        out[wid] = {"id": wid, "name": name, "source": WL_SOURCE, "isl": isl, "osl": osl,
                    "ttft_target": ttft, "tpot_target": tpot, "notes": notes}

    p99 = ("MLPerf Server-scenario token-latency constraint (99th percentile, *.Server.target_latency_percentile = 99)")
    wl("chat", "Chat 1k/1k", 1024, 1024,
       pv("450 ms", source=MLPERF_CONF + " (llama2-70b-interactive.Server.ttft_latency = 450)", as_of=DATASET_AS_OF,
          confidence="high", note=p99 + "; the non-interactive llama2-70b Server limit is 2000 ms"),
       pv("40 ms", source=MLPERF_CONF + " (llama2-70b-interactive.Server.tpot_latency = 40)", as_of=DATASET_AS_OF,
          confidence="high", note=p99 + "; the non-interactive llama2-70b Server limit is 200 ms"),
       "TTFT/TPOT targets: MLPerf Inference Llama-2-70B interactive scenario (chat-style streaming), chosen over "
       "the Server scenario (2000 ms / 200 ms) because chat users watch the stream. Pairing this SLO with the 1k/1k "
       "shape is a gpugap choice.")
    wl("reasoning", "Reasoning 1k/8k", 1024, 8192,
       pv("2000 ms", source=MLPERF_CONF + " (deepseek-r1.Server.ttft_latency = 2000)", as_of=DATASET_AS_OF,
          confidence="high", note=p99 + "; the deepseek-r1-interactive limit is 1500 ms"),
       pv("80 ms", source=MLPERF_CONF + " (deepseek-r1.Server.tpot_latency = 80)", as_of=DATASET_AS_OF,
          confidence="high", note=p99 + "; the deepseek-r1-interactive limit is 15 ms"),
       "TTFT/TPOT targets: MLPerf Inference DeepSeek-R1 (reasoning model) Server scenario. Pairing this SLO with the "
       "1k/8k shape is a gpugap choice.")
    wl("rag", "RAG 8k/1k", 8192, 1024,
       pv("6000 ms", source=MLPERF_CONF + " (llama3_1-405b.Server.ttft_latency = 6000)", as_of=DATASET_AS_OF,
          confidence="high", note=p99 + "; the llama3_1-405b-interactive limit is 4500 ms"),
       pv("175 ms", source=MLPERF_CONF + " (llama3_1-405b.Server.tpot_latency = 175)", as_of=DATASET_AS_OF,
          confidence="high", note=p99 + "; the llama3_1-405b-interactive limit is 80 ms"),
       "TTFT/TPOT targets: MLPerf Inference Llama-3.1-405B Server scenario, MLPerf's long-prompt LLM task with the "
       "loosest TTFT limit. Pairing this SLO with the 8k/1k shape is a gpugap choice.")
    rationale_t = ("No published SLO for 32k-token prompts was found. The longest-prompt MLPerf LLM limit "
                   "(llama3_1-405b Server, TTFT 6000 ms) is reused unchanged; a 32k prompt needs ~4x the prefill of "
                   "an 8k prompt, so this target is strict - relax it in a scenario if needed.")
    rationale_p = ("No published SLO for 32k-token prompts was found; the MLPerf llama3_1-405b Server TPOT limit "
                   "(175 ms) is reused unchanged.")
    wl("long-context", "Long context 32k/1k", 32768, 1024,
       pv("6000 ms", source=MLPERF_CONF + " (llama3_1-405b.Server.ttft_latency = 6000; reused)", as_of=DATASET_AS_OF,
          confidence="low", estimate=True, rationale=rationale_t),
       pv("175 ms", source=MLPERF_CONF + " (llama3_1-405b.Server.tpot_latency = 175; reused)", as_of=DATASET_AS_OF,
          confidence="low", estimate=True, rationale=rationale_p),
       "Targets are estimates (reused MLPerf Llama-3.1-405B Server limits). Models whose context is shorter than "
       "32k + 1k tokens (e.g. Llama-2-70B, 4096) cannot run this workload.")
    return out


# ----------------------------------------------------------------------------
# regions
# ----------------------------------------------------------------------------

COC_RATIONALE = ("No sourced cost of capital for AI data-centre investment is in the inputs. 8%/yr is a placeholder, "
                 "the same for both regions so that it does not create a gap by itself; the only related figure in "
                 "the inputs is Goldman Sachs' 12.7% cost of equity for Cambricon (supply-market-notes.md section 6), "
                 "an equity rate for a chip designer, not a data-centre WACC. Override in scenarios.")
UTIL_RATIONALE = ("No sourced fleet utilisation (average fraction of TDP drawn / of hours serving) is in the inputs. "
                  "0.6 is a placeholder, the same for both regions; sweep it in scenarios.")


def regions(econ):
    E = {e["id"]: e for e in econ}

    def ed(eid):
        return E[eid]["data"]

    fx_src = ("shared/data/accelerators.json _meta.conventions.currency ('usd_approx uses 7.15 RMB/USD'); "
              "catalog convention of the input data set")
    cn = {"id": "cn", "name": "China", "currency": "RMB"}
    cn["fx_per_usd"] = pv(7.15, source=fx_src, as_of=DATASET_AS_OF, confidence="medium",
                          note=("a fixed conversion convention, not a dated market quote; supply-market-notes.md "
                                "section 4 converts at 7.0-7.2 RMB/USD"))
    d = ed("elec-china-subsidised-dc")
    rng = ed("elec-china-dc-range")
    cn["electricity_price"] = pv(f"{num(d['value'])} USD/kWh", source=d["source"], as_of=as_of_from_source(d["source"]),
                                 confidence=d["confidence"],
                                 note=(d["note"] + f". Range {num(rng['value'][0])}-{num(rng['value'][1])} USD/kWh "
                                       f"({rng['source']}, {rng['confidence']}). The subsidy applies only to sites "
                                       "using domestic chips; sites running NVIDIA parts pay up to ~2x (subsidies cut "
                                       "bills by up to 50%) - override per scenario."))
    d = ed("pue-china-target")
    cl = ed("pue-claims-leading")
    cn["pue"] = pv(d["value"], source=d["source"], as_of=as_of_from_source(d["source"]), confidence=d["confidence"],
                   note=(d["note"] + "; a policy target (upper bound), not a measured average. New large sites claim "
                         "1.04-1.25 (accelerators-notes.md section 5); Sugon scaleX640 claims "
                         f"{num(cl['value']['Sugon scaleX640 (immersion)'])} ({cl['source']}, {cl['confidence']}). "
                         "Uptime (Oct 2025) reports China among the lowest regional averages."))
    cn["cost_of_capital"] = pv(0.08, estimate=True, rationale=COC_RATIONALE)
    d = ed("depr-china-internet")
    cn["depreciation_years"] = pv(d["value"][1], source=d["source"], as_of=as_of_from_source(d["source"]),
                                  confidence=d["confidence"],
                                  note=(f"Baidu 20-F gives {d['value'][0]}-{d['value'][1]} years for computer "
                                        "equipment; the upper end is used for comparability with US hyperscalers "
                                        "(5-6 years). " + d["note"] + ". Economic life may be shorter (~3 years is "
                                        "argued; accelerators-notes.md section 5)."))
    cn["server_overhead_fraction"] = None
    cn["datacenter_capex_per_kw"] = None
    cn["datacenter_years"] = None
    cn["operations_fraction"] = None
    cn["utilisation"] = pv(0.6, estimate=True, rationale=UTIL_RATIONALE)
    cn["notes"] = ("Null fields have no China-specific sourced figure in the inputs (server non-GPU BOM, data-centre "
                   "capex split and colocation prices are US figures; see regions/us.yaml). Energy per token of "
                   "current Chinese chips is 1.3-1.5x H20 (FT 2025-11-04; accelerators.json energy-per-token-gap) - a "
                   "check for the model, not an input. China rental prices: A100/A800 RMB 8-12 per card-hour (2023, "
                   "low); 8x A100 server $6/hr vs $10/hr in the US (FT via Tom's Hardware, 2024-09); H100 8-GPU node "
                   "~RMB 70k per period (late 2024, low); no H20/910B per-hour prices found. Policy: state-funded "
                   "data-centre projects must use domestic AI chips (Reuters 2025-11-05); provincial electricity "
                   "subsidies only for sites running domestic chips.")

    us = {"id": "us", "name": "United States", "currency": "USD"}
    us["fx_per_usd"] = pv(1, source="definition (USD is the reference currency)", as_of=DATASET_AS_OF,
                          confidence="high")
    d = ed("elec-us-average")
    rng = ed("elec-us-dc-range")
    st = ed("elec-us-industrial-states-apr2025")
    us["electricity_price"] = pv(f"{num(d['value'])} USD/kWh", source=d["source"], as_of=as_of_from_source(d["source"]),
                                 confidence=d["confidence"],
                                 note=(d["note"] + f". Data-centre range {num(rng['value'][0])}-{num(rng['value'][1])} "
                                       f"USD/kWh ({rng['source']}, {rng['confidence']}); industrial prices by state, "
                                       f"April 2025: {min(st['value'].values())}-{max(st['value'].values())} USD/kWh "
                                       f"({st['source']}, {st['confidence']})."))
    d = ed("pue-global-avg")
    us["pue"] = pv(d["value"], source=d["source"], as_of=as_of_from_source(d["source"]), confidence=d["confidence"],
                   note=(d["note"] + f"; a global survey average (largest site), used for the US. Hyperscale fleets "
                         f"run ~{num(cl['value']['Google fleet'])} (Google fleet; {cl['source']}, {cl['confidence']}); "
                         f"Equinix 2023 {num(cl['value']['Equinix 2023'])}."))
    us["cost_of_capital"] = pv(0.08, estimate=True, rationale=COC_RATIONALE)
    d = ed("depr-hyperscalers")
    us["depreciation_years"] = pv(6, source=d["source"], as_of=as_of_from_source(d["source"]), confidence=d["confidence"],
                                  note=("useful life used by Microsoft, Alphabet and CoreWeave (6); Amazon 5 for a subset "
                                        "of servers from 2025, Meta 5.5. " + d["note"]))
    srv = ed("overhead-server-non-gpu")
    h100 = 27500
    frac = round(srv["value"] / (8 * h100), 4)
    us["server_overhead_fraction"] = pv(frac, source=(srv["source"] + "; H100 price 27,500 USD per GPU: Raymond James "
                                                       "estimate via Tae Kim, cited in epoch-research/training-cost-trends"),
                                        as_of="2023-08", confidence="medium",
                                        note=(f"derived: non-GPU BOM of an 8-GPU H100 server {srv['value']} USD / "
                                              f"(8 x {h100} USD per H100, midpoint of 25k-30k) = {frac}. "
                                              f"{srv['note']} (non-GPU share of the DGX sale price: "
                                              f"{srv['value']}/270000 = {round(srv['value'] / 270000, 4)})"))
    cap = ed("overhead-dc-capex-split")
    me = cap["value"]["mechanical+electrical"]
    per_kw = int(round(35e9 / 1e6 * me))
    us["datacenter_capex_per_kw"] = pv(f"{per_kw} USD", source=cap["source"], as_of=as_of_from_source(cap["source"]),
                                       confidence="low",
                                       note=(f"derived: ~35B USD per GW (Bernstein, in the record note) x {me} "
                                             f"mechanical+electrical share = {per_kw} USD per kW. Low: it is not "
                                             "stated whether the GW is IT load or facility power, and ~11% of the "
                                             "split is unlisted (GPUs 39%, networking 13%, CPUs 3%, storage 1.25%). "
                                             "Cross-check from the same source: GB200 NVL72 facility 2.5M USD per "
                                             "rack / 132 kW = ~18,900 USD per kW."))
    us["datacenter_years"] = None
    us["operations_fraction"] = None
    us["utilisation"] = pv(0.6, estimate=True, rationale=UTIL_RATIONALE)
    col = ed("overhead-colocation")
    us["notes"] = ("datacenter_years and operations_fraction have no sourced figure in the inputs. Related: "
                   f"colocation {col['value'][0]}-{col['value'][1]} USD per kW per month ({col['source']}, "
                   f"{col['confidence']}; {col['note']}). Rental reference: H100 1-year reserved 1.70 -> 2.35 USD/GPU-h "
                   "(2025-10 -> 2026-03, SemiAnalysis index); H100 on-demand median 2.95 USD/GPU-h (aimultiple, "
                   "2026-05); H200 2.50-7.00; B200 ~6.03 (spheron, 2026-03).")
    return {"cn": cn, "us": us}


# ----------------------------------------------------------------------------
# vendors
# ----------------------------------------------------------------------------

def _q(score, rationale, sources):
    return {"score": score, "rationale": rationale, "sources": Flow(sources) if len(sources) < 2 else sources,
            "estimate": True}


def _ev_sources(rec, key, idx):
    ev = rec["qualitative_evidence"][key]
    return [ev[i]["source"] for i in idx]


# Scores are gpugap's judgement (0..5, 5 = strongest) from each record's qualitative_evidence.
QUAL = {
    "huawei": {
        "capacity_access": (4, [1, 2, 3, 5, 6, 4],
            "Strongest domestic access: SMIC N+1/N+2 capacity with three dedicated Ascend fabs and SMIC doubling 7nm in "
            "2026 (FT), a ~2.9M TSMC-die bank (TechInsights), ~13M stockpiled HBM stacks (SemiAnalysis) and in-house "
            "HBM for the 950 series. Not 5: Entity List since 2019, 910C yields ~20-40%, and HBM/packaging (not logic) "
            "gate the ramp (rbtfl.xyz 2026-06, low)."),
        "csp_ties": (4, [0, 1, 3, 2, 4],
            "Baidu's 1,600-chip 910B order (2023, high); Alibaba, Tencent and DeepSeek expected as main 910C customers "
            "(Bloomberg 2025-09); ~RMB 3.4bn of China Mobile's all-domestic inference tender went to CANN equipment "
            "(2025-08). Reported 2026 shifts (ByteDance >RMB 40bn; FT: ByteDance/Alibaba/Tencent/Baidu moving volume "
            "to Ascend) are low-confidence, and hyperscalers mostly use Ascend for inference, so not 5."),
        "policy": (5, [2, 3, 0, 1, 4],
            "Beijing urges firms to prioritise Ascend; CAC ordered ByteDance/Alibaba to stop buying RTX Pro 6000D "
            "(2025-09); state-funded data centres must use domestic chips (Reuters 2025-11). US measures (Entity List "
            "since 2019, BIS GP10 guidance naming 910B/910C/910D) weigh on supply and exports, not on home demand."),
        "roadmap": (5, [0, 1, 2, 3],
            "Public annual roadmap with specs (HC2025: 950PR Q1 2026, 950DT Q4 2026, 960 Q4 2027, 970 Q4 2028), "
            "SuperPoD systems (Atlas 950: 8,192 NPUs; Atlas 960: 15,488), and HC2026 pulled 960 forward and added "
            "Ascend 980 for 2029 (medium); 950PR shipped on schedule (Atlas 350, 2026-03)."),
    },
    "cambricon": {
        "capacity_access": (3, [0, 1, 2, 3],
            "Cut off from TSMC by the Dec-2022 Entity Listing; 590/690 on SMIC N+2, competing with Huawei for "
            "allocation, yields ~20% (Bloomberg 2025-12). Offsets: inventory RMB 4.94bn and prepayments RMB 745mn at "
            "end-2025 (high) signal secured wafer/HBM supply, and SMIC's 2026 7nm doubling should free slots (FT)."),
        "csp_ties": (3, [0, 1, 2, 3],
            "99%+ of revenue is the cloud line with internet, telecom and finance customers (Huatai, high), but "
            "extremely concentrated: largest customer 79.15%, top-5 94.63% of 2024 revenue (widely identified as "
            "ByteDance); Alibaba 150k-unit and ByteDance 40k-unit order rumours were denied."),
        "policy": (4, [0, 2, 3, 1],
            "CAS entity holds ~18%; beneficiary of CAC guidance against H20/RTX Pro 6000D and of the state-funded "
            "data-centre domestic-chip rule; DeepSeek's UE8M0 FP8 targets domestic chips and Cambricon passed CAICT "
            "DeepSeek compatibility tests. Entity List since Dec 2022."),
        "roadmap": (2, [0, 1, 2],
            "MLU690 (FP8) expected 2026 but still in testing with volume possibly slipping to 2H26 (TrendForce, low); "
            "the company said in Aug 2025 it had no new product launch plans (high); no published specs. The RMB ~4bn "
            "placement funds chip and software platforms."),
    },
    "hygon": {
        "capacity_access": (2, [0, 1],
            "Entity List (with Sugon) since June 2019; fabless with an undisclosed foundry, and brokers flag foundry "
            "capacity limits as a key risk. Inventory RMB 6.0bn and contract liabilities RMB 3.1bn (mid-2025) suggest "
            "pre-bought supply."),
        "csp_ties": (2, [0, 1, 2, 3],
            "Sales go to server OEMs (top-5 98% of 2024 revenue; Sugon and Inspur) for government, finance and "
            "telecom; the DCU historically served state/supercomputing demand and is only now targeting commercial AI "
            "buyers; no disclosed ByteDance/Alibaba/Tencent/Baidu orders found (low). DTK is CUDA/ROCm-compatible."),
        "policy": (3, [0, 1, 2],
            "CAS-affiliated 'national team' company (Sugon 27.96%; merger announced then terminated 2025-12-09); its "
            "CPU is on the CNITSEC safe-and-reliable list with SOE migration by 2027 - an indirect benefit for the DCU. "
            "Entity List since 2019."),
        "roadmap": (2, [0, 1],
            "深算三号 on the market and 深算四号 in development with no dates or specs; HSL open interconnect "
            "(spec Dec 2025, reference design 1Q26 with 10+ partners)."),
    },
    "kunlunxin": {
        "capacity_access": (2, [0, 1, 2],
            "P800 reportedly made at Samsung 7nm with Broadcom support and 2025 deliveries limited by Samsung capacity "
            "(Dolphin Research, low) - a foreign-foundry dependency; no Entity List designation found (low); Tianchi "
            "supernodes reportedly use domestic CPU, memory and other parts (medium)."),
        "csp_ties": (4, [0, 1, 2, 3],
            "Parent Baidu is the anchor customer (30k+ P800 cluster); won the bulk of the CUDA-like packages of China "
            "Mobile's 2025-26 all-domestic inference tender (70/70/100% of packages 1-3); China Merchants Bank and "
            "other buyers. External sales were still 'insignificant' in late 2025."),
        "policy": (3, [0, 1],
            "State-linked investors (China Internet Investment Fund, Social Security Fund, Beijing funds, China Mobile "
            "fund) and the domestic-chip mandate / all-domestic tenders favour it; no specific central endorsement "
            "beyond that."),
        "roadmap": (3, [0],
            "Public roadmap from Baidu World 2025: M100 early 2026, M300 early 2027, Tianchi 256/512 supernodes in "
            "2026, 1,000/4,000-card supernodes from 2H27, a new chip every year for five years; but no chip specs "
            "published (M100 shown at WAIC 2026 without materials, per accelerators.json)."),
    },
    "thead": {
        "capacity_access": (2, [0, 1],
            "Foundry for the PPU/Zhenwu not identified (low); Alibaba's RMB 380bn three-year cloud/AI capex gives an "
            "internal demand base, but nothing in the evidence shows secured wafer, HBM or packaging capacity."),
        "csp_ties": (5, [0, 1, 2],
            "Captive hyperscaler: PPU used at scale for Qwen training and inference with multiple 10k-card clusters on "
            "Alibaba Cloud and >400 external customers (LatePost via MoneyDJ); supplied 16,384 of ~23k domestic "
            "accelerators at China Unicom Sanjiangyuan. J.P. Morgan notes revenue is mostly internal."),
        "policy": (3, [0, 1, 2],
            "State endorsement (PPU in CCTV coverage of Premier Li Qiang's visit to China Unicom Sanjiangyuan, high); "
            "beneficiary of CAC guidance and the domestic-chip rule; no Entity List designation found (low)."),
        "roadmap": (3, [0, 1],
            "'Tong-Yun-Ge' chip-cloud-model strategy with a next-generation PPU; Zhenwu M890 announced 2026-05-20 "
            "(144 GB, 800 GB/s, ~3x 810E) - a successor exists but compute specs are unpublished."),
    },
    "moorethreads": {
        "capacity_access": (2, [0, 1],
            "Entity List (Oct 2023) ended TSMC access; production moved to a domestic foundry (named only by letter); "
            "IPO raised ~RMB 7.6bn net for next-gen chips."),
        "csp_ties": (2, [0, 1, 2, 3],
            "Revenue from AI clusters sold to a few customers ('Customer R' 56.63% of 1H25, follow-on orders unsigned); "
            "strategic shareholders include ByteDance, Tencent and a China Mobile fund; S5000 DeepSeek-R1 results with "
            "SiliconFlow; no disclosed volume orders from top clouds (low)."),
        "policy": (3, [0, 1],
            "STAR listing of an unprofitable company approved in 88 days (fastest on record) signals state support; "
            "Entity List since Oct 2023."),
        "roadmap": (3, [0, 1],
            "Huagang architecture (FP4-FP64, MTLink 4.0 at 1,314 GB/s, >100k-card clusters) and Huashan chip claims, "
            "MTT C256 supernode and MUSA 5.0 (2025-12); no dates or mass-production schedule."),
    },
    "metax": {
        "capacity_access": (3, [0, 1],
            "C600 moved to a fully domestic supply chain (risk production end-2025) and SMIC's 2026 7nm doubling should "
            "free capacity (FT); no Entity List designation found (low)."),
        "csp_ties": (3, [0, 1, 2, 3],
            "Strategic IPO investors China Telecom, JD.com and Meituan; deployed on national and operator compute "
            "platforms (4,096 cards at China Unicom); but 28.39% of 1Q25 revenue from one shareholder-customer; "
            "MXMACA claims CUDA compatibility."),
        "policy": (3, [0],
            "The National Artificial Intelligence Industry Investment Fund joined the IPO strategic placement (with "
            "China Telecom, JD.com, Meituan) - a direct state signal; no other policy evidence."),
        "roadmap": (3, [0, 1],
            "C600 volume 1H26, C700 (H100-class, FP4) tape-out 2H26, Nx inference chip funded by the IPO; Morgan "
            "Stanley Equal-weight (2026-04-26)."),
    },
    "biren": {
        "capacity_access": (2, [0, 1],
            "BR100/BR104 were designed for TSMC N7 and the Oct-2023 Entity Listing constrains TSMC supply; BR166 "
            "doubles performance via chiplets without a new node; SMIC's 2026 expansion may free slots (FT)."),
        "csp_ties": (2, [0, 1],
            "Customers are a few industry leaders, operators and national compute projects (1,328 cards at China "
            "Unicom); no disclosed ByteDance/Alibaba/Tencent/Baidu orders (low)."),
        "policy": (2, [0, 1],
            "Entity List since Oct 2023; HK IPO with 23 mostly commercial cornerstone investors (US$372.5mn) and a "
            "planned A-share listing - no specific state-support evidence."),
        "roadmap": (2, [0],
            "IPO proceeds fund next-generation BR20X and BR30X GPGPUs; timing undisclosed (BR20X in physical design as "
            "of 2026-08 per accelerators.json)."),
    },
    "iluvatar": {
        "capacity_access": (2, [0],
            "7nm mass production since 2021 (Tiangai 100); foundry not named and no Entity List designation found "
            "(both low confidence) - little evidence either way on secured capacity."),
        "csp_ties": (2, [0, 1],
            "Customers grew to >290 by mid-2025 across finance, healthcare, transport, manufacturing and research, but "
            "no hyperscaler anchor; cornerstones ZTE and 4Paradigm are solution partners, not clouds."),
        "policy": (2, [0, 1],
            "IPO cornerstones include 芯鑫控股 and ZTE; Frost & Sullivan expects domestic GPGPU share >50% by 2029 - "
            "sector tailwind but no vendor-specific state backing in the evidence."),
        "roadmap": (3, [0, 1],
            "Training line on an 18-24 month cadence with Gen3 volume in Q1 2026 and next-gen Zhikai inference "
            "products (high); Morgan Stanley Overweight (2026-04-26)."),
    },
    "enflame": {
        "capacity_access": (2, [0, 1],
            "Prospectus: strategic stockpiling (inventory RMB 1.15bn at 9M25) and a plan to localise supply with "
            "domestic foundries and OSATs; no Entity List designation found (low); foundry not disclosed."),
        "csp_ties": (3, [0, 1],
            "Tencent is ~20% shareholder and 71.84% of 9M25 revenue and designates OEMs to buy Enflame cards - a deep "
            "tie to one major cloud, but the software is tuned to Tencent scenarios with limited traction elsewhere."),
        "policy": (2, [0],
            "Big Fund II (4.32%) and Shanghai state capital are shareholders; no further policy evidence."),
        "roadmap": (3, [0],
            "IPO proceeds allocated to 5th-gen (2027) and 6th-gen (2028) chip industrialisation (high); the L600 "
            "(2025) is in early commercialisation, not mass production."),
    },
    "nvidia-china": {
        "capacity_access": (4, [0],
            "Manufacturing is not the constraint (TSMC 4N); China allocation is set by US licences (H20 licence from "
            "Apr 2025; H200 from Jan 2026 with a 25% revenue share and China volume capped at 50% of US production)."),
        "csp_ties": (4, [0, 1, 2],
            "ByteDance, Alibaba and Tencent were the main H20 buyers; China approved >400k H200 for them in Jan 2026; "
            "ByteDance planned ~RMB 100bn of NVIDIA purchases and Alibaba/ByteDance each wanted >200k H200. Licences "
            "reportedly require buying domestic chips too, so not 5."),
        "policy": (1, [0, 1, 2, 3],
            "Adverse on both sides: CAC told firms to cancel RTX Pro 6000D orders and discouraged H20 (2025-09); "
            "state-funded data centres must use domestic chips (2025-11); SAMR anti-monopoly finding; H200 approvals "
            "exclude government and critical infrastructure; Jensen Huang put NVIDIA's China AI share near zero."),
        "roadmap": (2, [0],
            "China-compliant path H20 (2024) -> RTX Pro 6000D/B40 (2025) -> proposed B30A (no approval found) -> H200 "
            "under licence (2026): each step depends on US approval, and nothing newer than Hopper is approved."),
    },
}


def vendor_entries(vrecs, chips):
    out = {}
    for rec in vrecs:
        vid = rec["id"]
        cat_ids = [CHIP_IDS[c] for c in rec["catalog_ids"]]
        extra = [cid for cid, c in chips.items() if c["vendor"] == vid and cid not in cat_ids]
        ids = cat_ids + extra
        ids = sorted(ids, key=lambda c: (chips[c]["launch_year"]["value"] if chips[c].get("launch_year") else 9999,
                                         ids.index(c)))
        facts = []
        for f in rec["facts"]:
            facts.append({k: f[k] for k in ("field", "year", "value", "unit", "source", "confidence", "note") if k in f})
        q = {}
        for key in ("capacity_access", "csp_ties", "policy", "roadmap"):
            score, idx, rationale = QUAL[vid][key]
            q[key] = _q(score, rationale, _ev_sources(rec, key, idx))
        e = {"id": vid, "name": rec["name"], "country": "us" if vid == "nvidia-china" else "cn",
             "aliases": Flow(rec["aliases"]), "chips": Flow(ids), "facts": facts, "qualitative": q}
        notes = [rec["conventions"]]
        if rec.get("gaps"):
            notes.append("Gaps: " + "; ".join(rec["gaps"]) + ".")
        if vid == "nvidia-china":
            notes.append("NVIDIA's China business (US company). nvidia-h200-sxm is listed because vendors.json counts it "
                         "(sold to China under licence from 2026), although the chip's own vendor is nvidia.")
        notes.append("qualitative scores are gpugap judgements from vendors.json qualitative_evidence "
                     "(5 = strongest); each rationale cites that evidence.")
        e["notes"] = " ".join(notes)
        out[vid] = e
    for vid, name in (("nvidia", "NVIDIA"), ("amd", "AMD"), ("google", "Google (TPU)")):
        ids = [cid for cid, c in chips.items() if c["vendor"] == vid]
        if vid == "nvidia":
            pass
        ids = sorted(ids, key=lambda c: (chips[c]["launch_year"]["value"] if chips[c].get("launch_year") else 9999,
                                         ids.index(c)))
        out[vid] = {"id": vid, "name": name, "country": "us", "chips": Flow(ids)}
    return out


# ----------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------

def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="/work/shared/data")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(here), "catalog"))
    args = ap.parse_args(argv)

    acc = json.load(open(os.path.join(args.data, "accelerators.json"), encoding="utf-8"))
    models = json.load(open(os.path.join(args.data, "models.json"), encoding="utf-8"))
    vendors = json.load(open(os.path.join(args.data, "vendors.json"), encoding="utf-8"))

    accel = [x for x in acc if x["category"] == "accelerator"]
    systems = [x for x in acc if x["category"] == "system"]
    econ = [x for x in acc if x["category"] == "economics"]

    chips = {}
    acc_by_cid = {}
    for rec in accel:
        cid, e = chip_entry(rec)
        chips[cid] = e
        acc_by_cid[cid] = rec
    chips.update(extra_chips(acc_by_cid))

    h = HEADER.format(inputs="accelerators.json")
    for cid, e in chips.items():
        write_yaml(os.path.join(args.out, "chips", f"{cid}.yaml"), e, h)
    for rec in systems:
        sid, e = system_entry(rec)
        write_yaml(os.path.join(args.out, "systems", f"{sid}.yaml"), e, h)
    h = HEADER.format(inputs="models.json")
    for rec in models:
        mid, e = model_entry(rec)
        write_yaml(os.path.join(args.out, "models", f"{mid}.yaml"), e, h)
    h = HEADER.format(inputs="MLPerf loadgen/mlperf.conf for latency targets")
    for wid, e in workloads().items():
        write_yaml(os.path.join(args.out, "workloads", f"{wid}.yaml"), e, h)
    h = HEADER.format(inputs="accelerators.json economics entries, accelerators-notes.md, supply-market-notes.md")
    for rid, e in regions(econ).items():
        write_yaml(os.path.join(args.out, "regions", f"{rid}.yaml"), e, h)
    h = HEADER.format(inputs="vendors.json")
    for vid, e in vendor_entries(vendors, chips).items():
        write_yaml(os.path.join(args.out, "vendors", f"{vid}.yaml"), e, h)
    print(f"wrote {len(chips)} chips, {len(systems)} systems, {len(models)} models, 4 workloads, 2 regions, "
          f"{len(vendors) + 3} vendors to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
