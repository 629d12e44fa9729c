"""What the doc generators (gen_economics_doc.py, gen_gap_doc.py) share: running
a gpugap command for its JSON, and writing numbers the same way."""
import json
import subprocess
import sys


def run(gpugap, args):
    """Runs `gpugap ARGS --format json`; returns (parsed JSON, the command as shown in the doc)."""
    cmd = [gpugap] + args + ["--format", "json"]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed: {out.stderr}")
    return json.loads(out.stdout), "gpugap " + " ".join(args) + " --format json"


def fmt(x, digits=3, sci_from=None):
    """n/a, 0, 1,234 (thousands), 0.123 (significant digits); values >= sci_from in 3-digit scientific form."""
    if x is None:
        return "n/a"
    if x == 0:
        return "0"
    if sci_from is not None and abs(x) >= sci_from:
        return f"{x:.3g}"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"
