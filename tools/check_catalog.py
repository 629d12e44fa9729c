#!/usr/bin/env python3
"""Self-check of the YAML catalog (catalog/): parse, ids, provenance, units, references.

Checks
  * every file parses; file name == id; ids are lower-case [a-z0-9.-];
  * every numeric leaf is null, or has a source (its own or the entry's), or is
    estimate: true with a rationale;
  * unit strings have a number and a unit allowed for that key;
  * required chip ids exist; systems' chips, chips' vendors and vendors' chips resolve;
  * every chip in measurements-shared.csv and every `system` in aic-silicon-sample.csv
    resolves by id or alias; every model in both CSVs resolves by id or alias;
  * aliases are unique.
Prints counts and the fraction of numeric values with a source. Exit status 1 on errors.

Usage: python3 tools/check_catalog.py [--catalog DIR] [--data DIR]
"""
from __future__ import annotations

import argparse
import csv
import glob
import os
import re
import sys

import yaml

ID_RE = re.compile(r"^[a-z0-9.-]+$")
NUM_UNIT_RE = re.compile(r"^\s*[-+]?\d+(\.\d+)?([eE][-+]?\d+)?\s+(\S.*)$")

REQUIRED_CHIPS = """nvidia-a100-sxm nvidia-a800 nvidia-h100-sxm nvidia-h800 nvidia-h20 nvidia-h200-sxm nvidia-b200
nvidia-b300 nvidia-gb200 nvidia-gb300 amd-mi300x amd-mi325x amd-mi355x huawei-ascend-910b2 huawei-ascend-910b3
huawei-ascend-910b4 huawei-ascend-910c huawei-ascend-950pr huawei-ascend-950dt huawei-ascend-960 huawei-ascend-970
huawei-atlas-350 cambricon-mlu370-x8 cambricon-mlu590 cambricon-mlu690 hygon-k100 hygon-bw1000 kunlunxin-p800
kunlunxin-m100 kunlunxin-m300 thead-ppu moorethreads-s4000 moorethreads-s5000 metax-c500 metax-c550 metax-c600
biren-br100 biren-br104 biren-br166 iluvatar-tiangai-150 enflame-latest google-tpu-v5e google-tpu-v6e
google-tpu7x-ironwood nvidia-rtx-pro-6000d nvidia-b30a huawei-ascend-910b""".split()
REQUIRED_MODELS = """deepseek-v3 deepseek-r1 deepseek-v3.2-exp kimi-k2 kimi-k2.5 qwen3-235b-a22b qwen3-32b
qwen3-30b-a3b qwen3.5-397b-a17b qwen2.5-72b llama-3.1-8b llama-3.1-70b llama-3.3-70b llama-3.1-405b llama-2-70b
mixtral-8x7b gpt-oss-120b glm-4.5 glm-4.5-air glm-5 minimax-m2 minimax-m2.5""".split()

# allowed units by the last path component (or a full dotted path)
UNITS = {
    "bf16": {"TFLOPS"}, "fp16": {"TFLOPS"}, "fp8": {"TFLOPS"}, "fp4": {"TFLOPS"}, "int8": {"TOPS"},
    "memory.capacity": {"GB", "GiB"}, "memory.bandwidth": {"TB/s", "GB/s"},
    "scaleup.bandwidth": {"GB/s"}, "scaleout.bandwidth": {"Gb/s"}, "scaleup_bandwidth": {"GB/s"},
    "scaleout_bandwidth": {"Gb/s"}, "tdp": {"W"}, "power": {"kW"}, "die_area": {"mm2"},
    "cn": {"RMB", "USD"}, "us": {"RMB", "USD"}, "price": {"RMB", "USD"},
    "electricity_price": {"USD/kWh", "RMB/kWh"}, "ttft_target": {"ms"}, "tpot_target": {"ms"},
    "datacenter_capex_per_kw": {"USD", "RMB"},
}
# keys whose values must be plain numbers (no unit)
PLAIN = {"hbm_stacks", "domain_size", "compute_dies", "devices_per_package", "transistors_bn", "launch_year", "chips_per_domain",
         "fx_per_usd", "pue", "cost_of_capital", "depreciation_years", "server_overhead_fraction",
         "datacenter_years", "operations_fraction", "utilisation", "cn_available_from", "cn_available_until",
         "params_total_b", "params_active_b", "kv_heads", "mtp_layers", "isl", "osl", "score"}
TEXT_KEYS = {"id", "name", "vendor", "chip", "status", "notes", "note", "source", "as_of", "confidence",
             "rationale", "direction", "type", "interconnect", "process_node", "foundry", "currency",
             "country", "native_precision", "kind", "field", "unit", "value_text"}


def is_num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


class Stats:
    def __init__(self):
        self.values = 0
        self.sourced = 0
        self.estimates = 0
        self.nulls = 0
        self.errors = []

    def err(self, msg):
        self.errors.append(msg)


def check_unit(path, v, st, where):
    key = path[-1]
    full2 = ".".join(path[-2:]) if len(path) >= 2 else key
    allowed = UNITS.get(full2) or UNITS.get(key)
    if isinstance(v, str):
        m = NUM_UNIT_RE.match(v)
        if not m:
            st.err(f"{where}: {'.'.join(path)} = {v!r} is not 'number unit'")
            return
        unit = m.group(3).strip()
        if allowed and unit not in allowed:
            st.err(f"{where}: {'.'.join(path)} unit {unit!r} not in {sorted(allowed)}")
        if key in PLAIN:
            st.err(f"{where}: {'.'.join(path)} should be a plain number, got {v!r}")
    elif is_num(v):
        if allowed and key not in PLAIN and "facts" not in path:
            st.err(f"{where}: {'.'.join(path)} = {v} needs a unit {sorted(allowed)}")


PROV_KEYS = {"value", "source", "as_of", "confidence", "estimate", "rationale", "note", "direction"}


def count_value(v, covered, is_est, path, st, where):
    st.values += 1
    if is_est:
        st.estimates += 1
    elif covered:
        st.sourced += 1
    else:
        st.err(f"{where}: {'.'.join(path)} = {v!r} has no source and is not an estimate")
    check_unit(path, v, st, where)


def is_numeric_leaf(v):
    return is_num(v) or (isinstance(v, str) and NUM_UNIT_RE.match(v) is not None)


def walk(node, path, entry_src, st, where):
    """Count numeric leaves and check their provenance."""
    if isinstance(node, dict) and "value" in node and "field" in node:  # vendors' facts
        if not node.get("source"):
            st.err(f"{where}: {'.'.join(path)} fact without source")
        if node.get("confidence") not in ("high", "medium", "low"):
            st.err(f"{where}: {'.'.join(path)} fact bad confidence {node.get('confidence')!r}")
        for k in ("value", "year"):
            if is_num(node.get(k)):
                st.values += 1
                st.sourced += 1 if node.get("source") else 0
        return
    if isinstance(node, dict) and "value" in node:
        extra = set(node) - PROV_KEYS
        if extra:
            st.err(f"{where}: {'.'.join(path)} has unknown keys {sorted(extra)}")
        v = node["value"]
        if v is None:
            st.nulls += 1
            return
        if node.get("confidence") is not None and node["confidence"] not in ("high", "medium", "low"):
            st.err(f"{where}: {'.'.join(path)} bad confidence {node['confidence']!r}")
        if node.get("direction") is not None and node["direction"] not in ("bidirectional", "per_direction"):
            st.err(f"{where}: {'.'.join(path)} bad direction {node['direction']!r}")
        if "as_of" in node and not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", str(node["as_of"])):
            st.err(f"{where}: {'.'.join(path)} bad as_of {node['as_of']!r}")
        est = node.get("estimate") is True
        if est and not node.get("rationale"):
            st.err(f"{where}: {'.'.join(path)} estimate without rationale")
        if is_numeric_leaf(v):
            count_value(v, bool(node.get("source") or entry_src), est, path, st, where)
        elif not isinstance(v, (str, bool)):
            st.err(f"{where}: {'.'.join(path)} odd value {v!r}")
        return
    if isinstance(node, dict):
        # record-like dicts (facts items, qualitative scores) carry their own source / estimate
        own_src = node.get("source") or node.get("sources")
        own_est = node.get("estimate") is True and bool(node.get("rationale"))
        for k, v in node.items():
            p = path + [str(k)]
            if isinstance(v, (dict, list)):
                walk(v, p, entry_src, st, where)
            elif v is None:
                if k not in TEXT_KEYS:
                    st.nulls += 1
            elif k in TEXT_KEYS or isinstance(v, bool):
                continue
            elif is_numeric_leaf(v):
                count_value(v, bool(own_src or entry_src), own_est, p, st, where)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            if isinstance(v, (dict, list)):
                walk(v, path + [str(i)], entry_src, st, where)
            elif is_numeric_leaf(v):
                count_value(v, bool(entry_src), False, path + [str(i)], st, where)


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--catalog", default=os.path.join(os.path.dirname(here), "catalog"))
    ap.add_argument("--data", default="/work/shared/data")
    a = ap.parse_args(argv)
    st = Stats()
    entries = {}
    counts = {}
    for path in sorted(glob.glob(os.path.join(a.catalog, "*", "*.yaml"))):
        kind = os.path.basename(os.path.dirname(path))
        where = os.path.relpath(path, a.catalog)
        try:
            d = yaml.safe_load(open(path, encoding="utf-8"))
        except yaml.YAMLError as ex:
            st.err(f"{where}: does not parse: {ex}")
            continue
        if not isinstance(d, dict):
            st.err(f"{where}: not a mapping")
            continue
        fid = os.path.splitext(os.path.basename(path))[0]
        if d.get("id") != fid:
            st.err(f"{where}: id {d.get('id')!r} != file name {fid!r}")
        if not ID_RE.match(fid):
            st.err(f"{where}: id {fid!r} is not [a-z0-9.-]")
        if kind == "chips" and "software" in d:
            st.err(f"{where}: has a software block (not ours to write)")
        entries.setdefault(kind, {})[fid] = d
        counts[kind] = counts.get(kind, 0) + 1
        walk(d, [], d.get("source"), st, where)

    chips = entries.get("chips", {})
    models = entries.get("models", {})
    vendors = entries.get("vendors", {})
    systems = entries.get("systems", {})

    def resolver(group):
        m = {}
        for eid, e in group.items():
            for name in [eid] + list(e.get("aliases") or []):
                if name in m and m[name] != eid:
                    st.err(f"alias {name!r} used by both {m[name]} and {eid}")
                m[name] = eid
        return m

    chip_res = resolver(chips)
    model_res = resolver(models)
    for c in REQUIRED_CHIPS:
        if c not in chips:
            st.err(f"required chip {c} missing")
    for m in REQUIRED_MODELS:
        if m not in models:
            st.err(f"required model {m} missing")
    for sid, s in systems.items():
        if s.get("chip") is not None and s["chip"] not in chips:
            st.err(f"systems/{sid}: chip {s['chip']} not found")
        if s.get("vendor") is not None and s["vendor"] not in vendors:
            st.err(f"systems/{sid}: vendor {s['vendor']} not found")
    for cid, c in chips.items():
        if c.get("vendor") not in vendors:
            st.err(f"chips/{cid}: vendor {c.get('vendor')} not found")
    for vid, v in vendors.items():
        for c in v.get("chips") or []:
            if c not in chips:
                st.err(f"vendors/{vid}: chip {c} not found")
        q = v.get("qualitative")
        if q:
            for k in ("capacity_access", "csp_ties", "policy", "roadmap"):
                x = q.get(k) or {}
                if not (isinstance(x.get("score"), int) and 0 <= x["score"] <= 5 and x.get("rationale")
                        and x.get("sources") and x.get("estimate") is True):
                    st.err(f"vendors/{vid}: qualitative.{k} incomplete")

    unresolved = []
    meas = os.path.join(a.data, "measurements-shared.csv")
    aic = os.path.join(a.data, "aic-silicon-sample.csv")
    mchips, mmodels, asys, amodels = set(), set(), set(), set()
    with open(meas, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            mchips.add(r["chip"])
            mmodels.add(r["model"])
    with open(aic, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            asys.add(r["system"])
            amodels.add(r["model_path"])
    for name in sorted(mchips | asys):
        if name not in chip_res:
            unresolved.append(f"chip {name}")
    for name in sorted(mmodels | amodels):
        if name not in model_res:
            unresolved.append(f"model {name}")
    for u in unresolved:
        st.err(f"unresolved: {u}")

    print("files:", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), f"(total {sum(counts.values())})")
    print(f"numeric values: {st.values} non-null ({st.sourced} with a source, {st.estimates} estimate:true); "
          f"{st.nulls} null")
    if st.values:
        print(f"fraction with a source: {st.sourced / st.values:.3f}; with source or estimate: "
              f"{(st.sourced + st.estimates) / st.values:.3f}")
    print(f"resolved: {len(mchips | asys)} chip names from the CSVs, {len(mmodels | amodels)} model names")
    if st.errors:
        print(f"{len(st.errors)} error(s):")
        for e in st.errors:
            print("  " + e)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
