#!/usr/bin/env python3
"""Refits the shipped software-stack values (catalog/stacks/*.yaml) the way validate's
refits fit them: `gpugap calibrate` over the four measurement files with the measured
kernel tables on (data/kernels/kernels.csv), written as an overlay into a temporary
folder, then copied into the catalog files of the stacks it fitted.

    tools/refit_catalog.py [--gpugap build/gpugap] [--date YYYY-MM-DD] [--folds 5]
    make refit                      (builds, then runs this)

What a stack file keeps from the catalog: every top-level key the fit does not write
(name, notes, eta_comm, named, ...), in its order. What it takes from the overlay: the
fitted values with their source/as_of/confidence (calibrated, calibration, the seven
efficiencies, the backend and family blocks). The family-only chip fits of the
overlay's chips/ folder are not shipped (chips keep their stack's values). A stack the
fit leaves out keeps its file; one shipped as calibrated but left out is reported.
Review the diff, then regenerate what depends on the values (README, goldens, docs:
see docs/model-perf.md, "Serving stack").
"""
import argparse
import datetime
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MEASUREMENTS = [
    "data/measurements/measurements-shared.csv",
    "data/measurements/aic-silicon-sample.csv",
    "data/measurements/cloudmatrix384-2506.12708.csv",
    "data/measurements/lmsys-gb200-nvl72.csv",
]
# Top-level keys a calibrate overlay writes into stacks/<id>.yaml.
FITTED = {"id", "calibrated", "calibration", "eta_compute", "eta_memory", "launch_overhead", "ttft_overhead",
          "comm_latency", "seq_overhead", "benchmark_burst", "backend", "family"}
TOP = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*):")


def blocks(text):
    """Top-level blocks of a YAML file as (key, lines); leading comments are (None, lines)."""
    out, key, cur = [], None, []
    for line in text.splitlines(keepends=True):
        m = TOP.match(line)
        if m:
            if cur:
                out.append((key, cur))
            key, cur = m.group(1), [line]
        else:
            cur.append(line)
    if cur:
        out.append((key, cur))
    return out


def merge(catalog_text, overlay_text, header):
    kept = [(k, l) for k, l in blocks(catalog_text) if k is not None and k not in FITTED]
    fitted = [(k, l) for k, l in blocks(overlay_text) if k is not None]
    ident = [l for k, l in fitted if k == "id"]
    body = [l for k, l in fitted if k != "id"]
    lines = [header]
    for chunk in ident + [l for _, l in kept] + body:
        lines.extend(chunk)
    return "".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gpugap", default=os.path.join(ROOT, "build", "gpugap"))
    ap.add_argument("--date", default=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--catalog", default=os.path.join(ROOT, "catalog"), help="catalog folder to write (default: the shipped one)")
    a = ap.parse_args()
    if not os.access(a.gpugap, os.X_OK):
        sys.exit(f"refit_catalog: no gpugap binary at {a.gpugap} (make build)")
    with tempfile.TemporaryDirectory() as tmp:
        overlay = os.path.join(tmp, "overlay")
        cmd = [a.gpugap, "-q", "calibrate"]
        for f in MEASUREMENTS:
            cmd += ["--measurements", f]
        cmd += ["--folds", str(a.folds), "--date", a.date, "--overlay", overlay, "--format", "json"]
        shown = " ".join(["gpugap"] + cmd[2:]).replace(overlay, "DIR")
        print("running:", shown, file=sys.stderr)
        with open(os.path.join(tmp, "calibrate.json"), "w") as out:
            subprocess.run(cmd, cwd=ROOT, check=True, stdout=out)
        stacks_dir = os.path.join(overlay, "stacks")
        written = set()
        for name in sorted(os.listdir(stacks_dir)):
            target = os.path.join(a.catalog, "stacks", name)
            if not os.path.exists(target):
                print(f"refit_catalog: {name}: no catalog file of that stack; skipped", file=sys.stderr)
                continue
            header = (
                "# Software-stack efficiency parameters of the perf model (docs/model-perf.md).\n"
                "# Fitted values written by tools/refit_catalog.py from the overlay of\n"
                f"#   {shown}\n"
                f"# (kernel tables on: data/kernels/kernels.csv; DIR/stacks/{name}; the family-only fits of DIR/chips/ "
                "are not shipped). eta_comm is not fitted.\n"
            )
            with open(target) as f:
                old = f.read()
            with open(os.path.join(stacks_dir, name)) as f:
                new = merge(old, f.read(), header)
            with open(target, "w") as f:
                f.write(new)
            written.add(name)
            print(f"wrote {os.path.relpath(target, ROOT)}", file=sys.stderr)
        for name in sorted(os.listdir(os.path.join(a.catalog, "stacks"))):
            if name in written:
                continue
            with open(os.path.join(a.catalog, "stacks", name)) as f:
                if re.search(r"^calibrated: true", f.read(), re.M):
                    print(f"refit_catalog: {name} is shipped as calibrated but the fit left it out: check it", file=sys.stderr)


if __name__ == "__main__":
    main()
