#!/usr/bin/env bash
# The gate `make test` and `make sanitize` run after ctest (tests/README in docs/robustness.md):
#
#   tests/ci_gate.sh BUILD/ctest-junit.xml
#
# Reads ctest's JUnit file (--output-junit) and fails when
#   - any test was skipped or disabled (ctest counts a GTEST_SKIP as a pass; here it is not),
#   - tests/known_failures.txt names a test (a filtered-out test is a skipped test),
#   - fewer tests ran than tests/min_test_count (lowering it takes a commit that says why),
#   - the JUnit file is missing (ctest did not run).
# Its last line, "test gate: ...", states the counts, the skipped one included.
set -uo pipefail
cd "$(dirname "$0")/.."

junit=${1:?usage: tests/ci_gate.sh BUILD/ctest-junit.xml}
min=$(grep -v '^\s*#' tests/min_test_count | grep -oE '[0-9]+' | head -1)
known=$(grep -cvE '^\s*(#|$)' tests/known_failures.txt || true)

if [ ! -s "$junit" ]; then
  echo "test gate: FAIL: no $junit (ctest wrote no results); minimum ${min:-?} tests"
  exit 1
fi
# The <testsuite> element's counts, as ctest writes them (one attribute a line).
attr() { grep -m1 -oE "^\s*$1=\"[0-9]+\"" "$junit" | grep -oE '[0-9]+'; }
total=$(attr tests)
failed=$(attr failures)
skipped=$(( $(attr skipped) + $(attr disabled) ))
ran=$((total - skipped))

problems=()
[ "$skipped" -eq 0 ] || problems+=("$skipped skipped")
[ "$known" -eq 0 ] || problems+=("$known excluded by tests/known_failures.txt")
[ -n "$min" ] || problems+=("tests/min_test_count holds no number")
[ -n "$min" ] && [ "$ran" -lt "$min" ] && problems+=("$ran tests ran, fewer than the minimum $min")
[ "$failed" -eq 0 ] || problems+=("$failed failed")

if [ "$skipped" -gt 0 ]; then
  echo "skipped tests (a skip is a failure here):"
  grep -B1 -E '<skipped|status="(notrun|disabled)"' "$junit" | grep -oE 'testcase name="[^"]*"' | sed 's/testcase name=/  /' | sort -u
fi
status=PASS
[ ${#problems[@]} -eq 0 ] || status="FAIL ($(IFS=';'; echo "${problems[*]}" | sed 's/;/; /g'))"
echo "test gate: $ran tests ran, $failed failed, $skipped skipped, $known known failures excluded; minimum $min: $status"
[ "$status" = PASS ]
