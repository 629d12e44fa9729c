#!/usr/bin/env python3
"""Reduce AIConfigurator's per-operator kernel timings to data/kernels/kernels.csv.

Reads the *_perf.parquet tables of one commit of the AIConfigurator repository
(a bare git mirror), converts them with shared/tools/parquet2csv.py and keeps,
per (system, backend, operator class, dtype), the achieved rate as a function
of one shape variable (see data/kernels/README.md for what each row means).
Run by `make kernels`; never by the build or the tests.

Usage: gen_kernels.py --mirror GIT_DIR --commit SHA --out data/kernels/kernels.csv
"""
import argparse
import csv
import math
import os
import statistics
import subprocess
import sys
import tempfile

import yaml

DATA = "aic-core/src/aiconfigurator_core/systems/data"
SYSTEMS = ["h100_sxm", "h200_sxm", "b200_sxm", "b300_sxm", "gb200", "gb300"]
# One collected version per backend, present for all six systems: the kernels of
# one release, not a mix.
VERSIONS = {"trtllm": "1.3.0rc10", "sglang": "0.5.9", "vllm": "0.19.0"}
GEMM_DTYPES = {"bfloat16": "bf16", "fp8": "fp8", "nvfp4": "fp4"}
KV_DTYPES = {"bfloat16": "bf16", "fp8": "fp8"}
ELEMENT_BYTES = 2  # all-reduce tables are bf16, message_size counts elements


def chip_peaks(catalog):
    """system alias -> (dense BF16 FLOP/s, memory B/s) from catalog/chips (their sources are there)."""
    units = {"TFLOPS": 1e12, "PFLOPS": 1e15, "TB/s": 1e12, "GB/s": 1e9}
    def value(v):
        num, unit = str(v["value"]).split()
        return float(num) * units[unit]
    out = {}
    for name in sorted(os.listdir(catalog)):
        if not name.endswith(".yaml"):
            continue
        with open(os.path.join(catalog, name)) as f:
            c = yaml.safe_load(f)
        try:
            peaks = (value(c["compute"]["bf16"]), value(c["memory"]["bandwidth"]))
        except (KeyError, TypeError, ValueError):
            continue
        for alias in [c["id"]] + list(c.get("aliases") or []):
            out[alias] = peaks
    return out


def git_show(mirror, commit, path, dest):
    r = subprocess.run(["git", "-C", mirror, "show", f"{commit}:{path}"], capture_output=True)
    if r.returncode != 0:
        return False
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    with open(dest, "wb") as f:
        f.write(r.stdout)
    return True


def rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def bucket(x, per_octave=2):
    """Log-spaced bucket of a positive value (half-octaves)."""
    return round(math.log2(x) * per_octave)


def median_by(pairs):
    """pairs: (key, value) -> sorted [(key, median, count)]."""
    by = {}
    for k, v in pairs:
        by.setdefault(k, []).append(v)
    return [(k, statistics.median(v), len(v)) for k, v in sorted(by.items())]


def fit_line(pts):
    """t = a + b x by least squares of relative errors (weights 1/t^2); a >= 0, b > 0."""
    sw = sx = sy = sxx = sxy = 0.0
    for x, t in pts:
        w = 1.0 / (t * t)
        sw += w; sx += w * x; sy += w * t; sxx += w * x * x; sxy += w * x * t
    det = sw * sxx - sx * sx
    if det > 0:
        a = (sy * sxx - sx * sxy) / det
        b = (sw * sxy - sx * sy) / det
        if a >= 0 and b > 0:
            return a, b
    return 0.0, sxy / sxx  # through the origin


def reduce_gemm(t, peaks):
    """Per GEMM type and tokens M: t = a(M) + b(M) N K over the table's shapes, shipped as the
    fixed latency a (us) and the rate 2 M / b (TFLOP/s) that large matrices approach."""
    pts = {}
    for r in t:
        dt = GEMM_DTYPES.get(r["gemm_dtype"])
        if not dt:
            continue
        m, n, k, lat = int(r["m"]), int(r["n"]), int(r["k"]), float(r["latency"]) * 1e-3
        if lat > 0:
            pts.setdefault((dt, m), []).append((float(n) * k, lat))
    out = []
    for (dt, m), p in sorted(pts.items()):
        if len(p) < 5:
            continue
        a, b = fit_line(p)
        out.append(("gemm", dt, 0, m, 2.0 * m / b / 1e12, len(p)))
        out.append(("gemm_fixed", dt, 0, m, a * 1e6, len(p)))
    return out


def reduce_decode_attention(t, peaks):
    """Decode attention by KV bytes per call, the running maximum of the per-bin medians. A timing
    that reads faster than the chip's memory bandwidth did not read that many bytes (cache hits,
    or a kernel that skipped work): dropped."""
    pts = {}
    for r in t:
        if int(r.get("window_size") or 0) != 0 or int(r.get("beam_width") or 1) != 1:
            continue
        dt = KV_DTYPES.get(r["kv_cache_dtype"])
        if not dt:
            continue
        b, ctx = int(r["batch_size"]), int(r["isl"]) + int(r.get("step") or 0)
        kvh, hd = int(r["num_key_value_heads"]), int(r["head_dim"])
        lat = float(r["latency"]) * 1e-3
        byts = b * ctx * 2 * kvh * hd * (1 if dt == "fp8" else 2)
        if lat <= 0 or byts <= 0 or byts / lat > peaks[1]:
            continue
        pts.setdefault(dt, []).append((bucket(byts), (byts, byts / lat / 1e9)))
    out = []
    for dt in sorted(pts):
        by = {}
        for k, v in pts[dt]:
            by.setdefault(k, []).append(v)
        best = 0.0
        for k in sorted(by):
            v = by[k]
            if len(v) < 3:
                continue
            x = statistics.median(p[0] for p in v)
            # Upper envelope over the bytes: a streaming kernel that reads more bytes per call
            # amortises the same fixed cost, so its bandwidth does not fall with the bytes. A
            # bin below a smaller one holds slower shapes, not slower bytes: on Blackwell under
            # TensorRT-LLM the time of the table's kernel grows with the query heads per KV head,
            # and the power-of-two bins mix every GQA ratio while the bins between hold only the
            # ratio-1 shapes, a 2-3x zig-zag (data/kernels/README.md).
            best = max(best, statistics.median(p[1] for p in v))
            out.append(("attn_decode", dt, 0, round(x), best, len(v)))
    return out


def reduce_prefill_attention(t, peaks):
    """Causal context attention by FLOPs per call; a timing faster than the chip's dense BF16
    peak is not a full causal attention of that shape (dropped)."""
    pts = []
    for r in t:
        if int(r.get("window_size") or 0) != 0 or r.get("attn_dtype", "bfloat16") != "bfloat16" or r["kv_cache_dtype"] != "bfloat16":
            continue
        b, s = int(r["batch_size"]), int(r["isl"])
        h, hd = int(r["num_heads"]), int(r["head_dim"])
        lat = float(r["latency"]) * 1e-3
        flops = b * h * 4.0 * hd * s * s / 2.0  # causal: half the square
        if lat <= 0 or flops / lat > peaks[0]:
            continue
        pts.append((bucket(flops), (flops, flops / lat / 1e12)))
    by = {}
    for k, v in pts:
        by.setdefault(k, []).append(v)
    out = []
    for k in sorted(by):
        v = by[k]
        if len(v) < 3:
            continue
        out.append(("attn_prefill", "bf16", 0, round(statistics.median(p[0] for p in v)), statistics.median(p[1] for p in v), len(v)))
    return out


def reduce_allreduce(t, peaks):
    pts = []
    for r in t:
        if r.get("allreduce_dtype", "bfloat16") != "bfloat16":
            continue
        n, size, lat = int(r["num_gpus"]), int(r["message_size"]), float(r["latency"]) * 1e-3
        pts.append(((n, size * ELEMENT_BYTES), lat * 1e6))
    return [("allreduce", "bf16", n, x, v, c) for (n, x), v, c in median_by(pts)]


TABLES = [
    ("gemm", "gemm_perf", reduce_gemm),
    ("attention", "generation_attention_perf", reduce_decode_attention),
    ("attention", "context_attention_perf", reduce_prefill_attention),
    ("comm", "custom_allreduce_perf", reduce_allreduce),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirror", required=True)
    ap.add_argument("--commit", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--catalog", default=os.path.join(os.path.dirname(__file__), "..", "catalog", "chips"))
    ap.add_argument("--parquet2csv", default=os.path.join(os.path.dirname(__file__), "..", "..", "shared", "tools", "parquet2csv.py"))
    a = ap.parse_args()
    peaks = chip_peaks(a.catalog)
    result = []
    with tempfile.TemporaryDirectory() as tmp:
        for system in SYSTEMS:
            for backend, version in VERSIONS.items():
                for folder, name, reduce in TABLES:
                    rel = f"{DATA}/{system}/{folder}/{backend}/{version}/{name}.parquet"
                    dest = os.path.join(tmp, system, backend, name + ".parquet")
                    if not git_show(a.mirror, a.commit, rel, dest):
                        print(f"gen_kernels: no {rel}", file=sys.stderr)
                        continue
                    subprocess.run([sys.executable, a.parquet2csv, dest], check=True, capture_output=True)
                    for op, dt, ranks, x, v, c in reduce(rows(dest[: -len(".parquet")] + ".txt"), peaks[system]):
                        result.append((system, backend, version, op, dt, ranks, x, v, c))
    result.sort(key=lambda r: (r[0], r[1], r[3], r[4], r[5], r[6]))
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["system", "backend", "version", "op", "dtype", "ranks", "x", "value", "points"])
        for r in result:
            w.writerow(list(r[:7]) + [f"{r[7]:.6g}", r[8]])
    print(f"gen_kernels: {len(result)} rows -> {a.out}")


if __name__ == "__main__":
    main()
