#!/usr/bin/env python3
"""Refits the shipped software-stack values (catalog/stacks/*.yaml) the way validate's
refits fit them: `gpugap calibrate` over the four measurement files with the measured
kernel tables on (data/kernels/kernels.csv), written as an overlay into a temporary
folder, then copied into the catalog files of the stacks it fitted.

Two fits, one per kind of group. A (family, backend) group whose family has kernel tables
for that backend (a system of data/kernels/kernels.csv resolving to a chip of the family)
takes the fit with the tables on: only its overheads are fitted, and its efficiencies stay
at their start, so it is marked `kernels: true` (perf/serving.hpp then gives a chip of the
family without tables the backend's stack-level values instead). Every other group -- the
pooled stack, the stack-level backends, families without tables and their models -- takes
the fit with the tables off (`--no-kernels`): its efficiencies describe the roofline that
the chips it serves run.

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
    "data/measurements/trtllm-issue5929-dsr1.csv",
    "data/measurements/inferencex-issue870-dsr1.csv",
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


def tree(lines):
    """Indentation tree of YAML lines: [(line, children)]."""
    out = []
    stack = [(-1, out)]
    for line in lines:
        ind = len(line) - len(line.lstrip(" "))
        while stack[-1][0] >= ind:
            stack.pop()
        node = (line, [])
        stack[-1][1].append(node)
        stack.append((ind, node[1]))
    return out


def flat(nodes):
    return "".join(line + flat(ch) for line, ch in nodes)


def key_of(line):
    return line.strip().split(":", 1)[0]


def kernel_pairs(catalog_dir):
    """(family, backend) pairs with kernel tables: data/kernels systems resolved to catalog chips."""
    import yaml
    alias, family = {}, {}
    chips = os.path.join(catalog_dir, "chips")
    for f in os.listdir(chips):
        with open(os.path.join(chips, f)) as fh:
            y = yaml.safe_load(fh)
        cid = y["id"]
        for a in [cid] + list(y.get("aliases") or []):
            alias[str(a)] = cid
        family[cid] = ((y.get("software") or {}).get("family")) or cid
    pairs = set()
    with open(os.path.join(ROOT, "data", "kernels", "kernels.csv")) as fh:
        next(fh)
        for row in fh:
            system, backend = row.split(",")[:2]
            if system in alias:
                pairs.add((family[alias[system]], backend))
    return pairs


def merge_fits(on_text, off_text, pairs):
    """The stack file of both fits (see the module doc): `on` for kernel (family, backend) groups."""
    on = [n for n in tree(on_text.splitlines(keepends=True)) if not n[0].startswith("#")]
    off = [n for n in tree(off_text.splitlines(keepends=True)) if not n[0].startswith("#")]
    off_by = {key_of(l): (l, ch) for l, ch in off}
    on_by = {key_of(l): (l, ch) for l, ch in on}
    out = [(l, ch) for l, ch in off if key_of(l) != "family"]
    fams = {}
    for src, by in (("off", off_by), ("on", on_by)):
        if "family" not in by:
            continue
        for fl, fch in by["family"][1]:
            fam = key_of(fl)
            for bl, bch in fch:  # "backend:"
                for el, ech in bch:
                    be = key_of(el)
                    kernel = (fam, be) in pairs
                    if (src == "on") == kernel:
                        if kernel:
                            ind = " " * (len(el) - len(el.lstrip(" ")) + 2)
                            ech = [(ind + "kernels: true\n", [])] + list(ech)
                        fams.setdefault(fam, {})[be] = (el, ech)
    if fams:
        fam_ind = "  "
        text = "family:\n"
        for fam in sorted(fams):
            text += fam_ind + fam + ":\n" + fam_ind * 2 + "backend:\n"
            for be in sorted(fams[fam]):
                el, ech = fams[fam][be]
                text += el + flat(ech)
        out.append((text, []))
    return "".join(l + flat(ch) for l, ch in out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gpugap", default=os.path.join(ROOT, "build", "gpugap"))
    ap.add_argument("--date", default=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"))
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--catalog", default=os.path.join(ROOT, "catalog"), help="catalog folder to write (default: the shipped one)")
    a = ap.parse_args()
    if not os.access(a.gpugap, os.X_OK):
        sys.exit(f"refit_catalog: no gpugap binary at {a.gpugap} (make build)")
    pairs = kernel_pairs(a.catalog)
    with tempfile.TemporaryDirectory() as tmp:
        def fit(name, extra):
            overlay = os.path.join(tmp, name)
            cmd = [a.gpugap, "-q", "calibrate"]
            for f in MEASUREMENTS:
                cmd += ["--measurements", f]
            cmd += ["--folds", str(a.folds), "--date", a.date] + extra + ["--overlay", overlay]
            shown = " ".join(["gpugap"] + cmd[2:]).replace(overlay, "DIR")
            print("running:", shown, file=sys.stderr)
            with open(os.path.join(tmp, name + ".json"), "w") as out:
                subprocess.run(cmd + ["--format", "json"], cwd=ROOT, check=True, stdout=out)
            return overlay, shown
        on_dir, shown = fit("on", [])
        off_dir, shown_off = fit("off", ["--no-kernels"])
        stacks_dir = os.path.join(on_dir, "stacks")
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
                f"# for the (family, backend) groups with kernel tables (marked kernels: true), and of\n"
                f"#   {shown_off}\n"
                f"# for every other group (DIR/stacks/{name}; the family-only fits of DIR/chips/ are not shipped).\n"
                "# eta_comm is not fitted.\n"
            )
            with open(target) as f:
                old = f.read()
            with open(os.path.join(stacks_dir, name)) as f:
                on_text = f.read()
            off_path = os.path.join(off_dir, "stacks", name)
            fitted = on_text
            if os.path.exists(off_path):
                with open(off_path) as f:
                    fitted = merge_fits(on_text, f.read(), pairs)
            new = merge(old, fitted, header)
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
