#!/usr/bin/env bash
# Regenerates the golden files tests/golden/NAME.json from tests/golden/goldens.tsv
# (NAME<TAB>gpugap ARGUMENTS), running each command from the repository root:
#
#   tools/update_goldens.sh [GPUGAP_BINARY]      (`make goldens` builds and calls it)
#
# The only writer of golden files: tests compare against them and never write them.
# Review the diff; a move of a value that tests/unit/test_golden_refs.cpp also checks
# against an independent reference fails that test, and the commit must say why.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/gpugap}
[ -x "$bin" ] || { echo "update_goldens: no gpugap binary at $bin (make build)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

n=0
while IFS=$'\t' read -r name args; do
  case "$name" in '' | '#'*) continue ;; esac
  [ -n "$args" ] || { echo "update_goldens: no arguments for $name" >&2; exit 1; }
  out="tests/golden/$name.json"
  tmp="$out.tmp.$$"
  # shellcheck disable=SC2086 # the manifest's arguments are shell words
  if ! eval "\"\$bin\" $args" >"$tmp"; then
    rm -f "$tmp"
    echo "update_goldens: gpugap $args failed" >&2
    exit 1
  fi
  mv "$tmp" "$out"
  n=$((n + 1))
  echo "wrote $out"
done <tests/golden/goldens.tsv
echo "update_goldens: $n golden files written; review with git diff tests/golden"
