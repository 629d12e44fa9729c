#!/usr/bin/env bash
# Runs every libFuzzer target (FUZZ_BUILD/fuzz_*) for FUZZ_SECONDS each, one at
# a time, starting from seed corpora made from the shipped catalog and the
# bad-input corpus. Fails if any target finds a crash, a hang (an input that
# takes over FUZZ_TIMEOUT seconds, default 60), a leak or a sanitizer report; the input
# that did it is kept in FUZZ_WORK/<target>/ and named in the output.
#
#   FUZZ_SECONDS=60 FUZZ_BUILD=build-fuzz GPUGAP_BIN=build/gpugap tests/fuzz/run.sh [TARGET...]
#
# Called by `make fuzz` (which .ci/run calls with FUZZ_SECONDS=30). A summary with exec
# counts goes to FUZZ_WORK/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_BUILD=${FUZZ_BUILD:-build-fuzz}
FUZZ_WORK=${FUZZ_WORK:-$FUZZ_BUILD/fuzz-work}
# Wall-clock seconds per input. Under `nice` on a loaded machine a 10 s limit flagged
# 1-second inputs as hangs; a real hang still trips 60 s.
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-60}
FUZZ_RSS_MB=${FUZZ_RSS_MB:-2048}
# Any gpugap build lists the parameter paths for fuzz_set's seeds (the fuzz build has no CLI).
GPUGAP_BIN=${GPUGAP_BIN:-build/gpugap}
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Same order as catalog::kinds() (src/catalog/schema.cpp): the first input byte
# of fuzz_catalog picks the kind by this index.
KINDS=(chips systems models workloads regions stacks vendors scenarios)
# Same order as kDims in fuzz_units.cpp.
NDIMS=12

hex() { printf "\\x$(printf %02x "$1")"; }

seed_catalog() {
  local dir=$1 i f n=0
  for i in "${!KINDS[@]}"; do
    for f in catalog/"${KINDS[$i]}"/*.yaml tests/corpus/files/"${KINDS[$i]}"/*.yaml; do
      [ -f "$f" ] || continue
      { hex "$i"; cat "$f"; } >"$dir/$i-$(basename "$f")"
      n=$((n + 1))
    done
  done
  echo "$n"
}

# Every distinct value written in the catalog ("4.8 TB/s", 0.6, ...), under every Dim.
catalog_values() {
  grep -rhoE '^\s*(value: )?[^:#{}]*$|value: [^,{}]+' catalog --include='*.yaml' |
    sed -E 's/^\s*(value: )?//; s/^"(.*)"$/\1/' | grep -E '^[-+0-9.]' | sort -u | head -400
}

seed_units() {
  local dir=$1 d v n=0
  while IFS= read -r v; do
    for ((d = 0; d < NDIMS; d++)); do
      { hex "$d"; printf '%s' "$v"; } >"$dir/$d-$n"
    done
    n=$((n + 1))
  done < <(catalog_values; printf '%s\n' "1e308 PB/s" "-0" "nan" "0x10 W" "1,000 W" "25000 USD bn" "0.08 RMB/MWh")
  echo $((n * NDIMS))
}

seed_set() {
  local dir=$1 n=0 line
  # Every parameter path with a value of its own dimension, from the default scenario.
  while IFS= read -r line; do
    printf '%s' "$line" >"$dir/$n"
    n=$((n + 1))
  done < <("$GPUGAP_BIN" --format csv params 2>/dev/null | tail -n +2 | cut -d, -f1,2 | sed 's/,/=/' |
           grep -v '=null$' | awk 'NR % 3 == 1' | head -1500)
  for line in "regions.cn.pue=1.3" "supply.yield.model=negative_binomial" "chips.nvidia-h20.memory.bandwidth=4 TB/s"; do
    printf '%s' "$line" >"$dir/extra-$n"
    n=$((n + 1))
  done
  echo "$n"
}

seed_measurements() {
  local dir=$1 n=0 f
  # The shared measurement files (next to the repository, as the perf tests find them) and the bad-input corpus.
  for f in data/measurements/*.csv data/*.csv ../shared/data/*.csv /work/shared/data/*.csv tests/corpus/measurements/*.csv; do
    [ -f "$f" ] || continue
    head -c 65536 "$f" >"$dir/$(basename "$f")"
    n=$((n + 1))
  done
  echo "$n"
}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for b in "$FUZZ_BUILD"/fuzz_*; do
    [ -x "$b" ] && targets+=("$(basename "$b")")
  done
fi
if [ ${#targets[@]} -eq 0 ]; then
  echo "no fuzz targets in $FUZZ_BUILD (configure with -DGPUGAP_FUZZ=ON and clang)" >&2
  exit 1
fi

mkdir -p "$FUZZ_WORK"
summary="$FUZZ_WORK/summary.txt"
printf '%-18s %8s %12s %10s %8s  %s\n' target seconds execs exec/s corpus result >"$summary"
failed=0
for t in "${targets[@]}"; do
  work="$FUZZ_WORK/$t"
  mkdir -p "$work/corpus" "$work/seeds"
  rm -f "$work/seeds"/*
  case "$t" in
    fuzz_catalog) nseeds=$(seed_catalog "$work/seeds") ;;
    fuzz_units) nseeds=$(seed_units "$work/seeds") ;;
    fuzz_set) nseeds=$(seed_set "$work/seeds") ;;
    fuzz_measurements) nseeds=$(seed_measurements "$work/seeds") ;;
    *) nseeds=0 ;;
  esac
  dict=()
  [ -f "tests/fuzz/$t.dict" ] && dict=(-dict="tests/fuzz/$t.dict")
  echo "== $t: $FUZZ_SECONDS s, $nseeds seeds"
  set +e
  "$FUZZ_BUILD/$t" "${dict[@]}" -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" \
    -rss_limit_mb="$FUZZ_RSS_MB" -print_final_stats=1 -artifact_prefix="$work/" \
    "$work/corpus" "$work/seeds" >"$work/log.txt" 2>&1
  rc=$?
  set -e
  execs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$work/log.txt" | grep -oE '[0-9]+$' | tail -1)
  rate=$(grep -oE 'stat::average_exec_per_sec: *[0-9]+' "$work/log.txt" | grep -oE '[0-9]+$' | tail -1)
  size=$(find "$work/corpus" -type f | wc -l)
  if [ "$rc" -eq 0 ]; then
    result=ok
  else
    result="FAILED (rc $rc): $(ls -t "$work"/crash-* "$work"/timeout-* "$work"/leak-* "$work"/oom-* 2>/dev/null | head -1 || true)"
    failed=1
    # What killed it (a sanitizer report, an escaped exception's terminate message, the first
    # stack frames) and the input itself, so that a CI log alone reproduces the failure.
    grep -E 'ERROR|SUMMARY|runtime error|==[0-9]+==|terminate called|what\(\)|^ *#[0-9]+ ' "$work/log.txt" | head -40 >&2 || true
    input=$(ls -t "$work"/crash-* "$work"/timeout-* "$work"/leak-* "$work"/oom-* 2>/dev/null | head -1 || true)
    if [ -n "$input" ] && [ "$(wc -c <"$input")" -le 8192 ]; then
      echo "input ($(wc -c <"$input") bytes, base64; reproduce: base64 -d > x && $FUZZ_BUILD/$t x):" >&2
      base64 -w 100 "$input" >&2
    fi
  fi
  printf '%-18s %8s %12s %10s %8s  %s\n' "$t" "$FUZZ_SECONDS" "${execs:-?}" "${rate:-?}" "$size" "$result" | tee -a "$summary"
done
cat "$summary"
exit "$failed"
