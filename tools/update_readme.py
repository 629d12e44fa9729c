#!/usr/bin/env python3
"""Rewrites the output README.md shows under each "$ gpugap ..." command from a run of it.

    tools/update_readme.py [--gpugap build/gpugap]      (`make readme` builds and calls it)

Each command runs from the repository root as the test does (Readme.EveryCommandRunsAndPrints
WhatTheReadmeShows in tests/unit/test_readme.cpp: "-q" appended, files written under
/tmp/gpugap-readme-out/). A block keeps its length: the first N lines of the output replace
the N shown, and a closing "... (K lines)" is updated to the lines left out; a block shown
whole is replaced whole. A shown line that differs from the output only by the checkout's
path or a wall-clock time is kept as written.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ELIDED = re.compile(r"^\.\.\. \((\d+) lines\)$")


def normalise(line: str) -> str:
    line = re.sub(r"(/[^ ()]*)?/catalog/", "catalog/", line)
    line = re.sub(r"evaluated in [0-9.]+ s", "evaluated in T s", line)
    return line.rstrip(" ")


def run(gpugap: str, command: str) -> list[str]:
    args = command
    for flag in ("-o out/", "--out out/", "--xlsx out/", "--json out/"):
        args = args.replace(flag, flag[:-4] + "/tmp/gpugap-readme-out/")
    r = subprocess.run(f"{gpugap} {args}", shell=True, cwd=ROOT, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"update_readme: gpugap {command} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout.splitlines()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gpugap", default=os.path.join(ROOT, "build", "gpugap"))
    a = ap.parse_args()
    gpugap = os.path.abspath(a.gpugap)
    path = os.path.join(ROOT, "README.md")
    lines = open(path, encoding="utf-8").read().split("\n")
    out: list[str] = []
    i = 0
    changed = 0
    in_code = False
    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            in_code = not in_code
            out.append(line)
            i += 1
            continue
        if not (in_code and line.startswith("$ gpugap ")):
            out.append(line)
            i += 1
            continue
        out.append(line)
        command = line[len("$ gpugap "):]
        i += 1
        shown: list[str] = []
        elided = None
        while i < len(lines) and not lines[i].startswith("```") and not lines[i].startswith("$ gpugap "):
            m = ELIDED.match(lines[i])
            if m:
                elided = int(m.group(1))
            else:
                shown.append(lines[i])
            i += 1
        got = run(gpugap, command)
        if elided is None:
            new = got
        else:
            new = got[: len(shown)]
        new = [s if k < len(shown) and normalise(s) == normalise(g) else g for k, (s, g) in enumerate(zip(shown + [None] * len(new), new))]
        if elided is not None and len(got) > len(new):
            new.append(f"... ({len(got) - len(new)} lines)")
        if new != shown + ([f"... ({elided} lines)"] if elided is not None else []):
            changed += 1
        out.extend(new)
    open(path, "w", encoding="utf-8").write("\n".join(out))
    print(f"update_readme: {changed} command outputs rewritten in README.md; review with git diff README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
