#!/usr/bin/env bash
# End-to-end check of the HTML report in a real browser (headless Chromium):
# every chart container drew a non-empty canvas, no script error reached the
# console, the page loads nothing from outside, and a screenshot is saved.
#
#   tests/e2e/report_browser.sh GPUGAP_BINARY OUT_DIR
#
# Exit codes: 0 pass, 1 fail, 77 skipped (no Chromium installed; `make test`
# installs it and sets GPUGAP_REQUIRE_BROWSER=1, which turns a skip into a fail).
set -euo pipefail

bin=${1:?usage: report_browser.sh GPUGAP_BINARY OUT_DIR}
out=${2:?usage: report_browser.sh GPUGAP_BINARY OUT_DIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
html="$out/report.html"

fail() { echo "report_browser: FAIL: $*" >&2; exit 1; }

browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$(command -v "$b"); break; fi
done
if [ -z "$browser" ]; then
  [ "${GPUGAP_REQUIRE_BROWSER:-0}" = 1 ] && fail "no chromium found (make browser-deps installs it)"
  echo "report_browser: SKIP: no chromium found" >&2
  exit 77
fi

"$bin" report -q -o "$html" > "$out/summary.txt" || fail "gpugap report exited $?"

# The page must be self-contained: no script, style, image or frame from a URL.
if grep -Eiq '(src|href)=["'"'"']?(https?:)?//' "$html"; then fail "the report references an external URL"; fi
if grep -Eiq 'url\(["'"'"']?(https?:)?//|@import' "$html"; then fail "the report's CSS loads an external resource"; fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir="$profile"
       --window-size=1400,2200 --hide-scrollbars --enable-logging=stderr --v=0)

timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$html" > "$out/dom.html" 2> "$out/chromium-dom.log" \
  || fail "chromium --dump-dom exited $? (see $out/chromium-dom.log)"
timeout 120 "$browser" "${flags[@]}" --screenshot="$out/report.png" "file://$html" > /dev/null 2> "$out/chromium-shot.log" \
  || fail "chromium --screenshot exited $? (see $out/chromium-shot.log)"

expected=$(grep -o 'class="chart" id="chart-[^"]*"' "$html" | wc -l)
[ "$expected" -gt 0 ] || fail "the report has no chart containers"
marker=$(grep -o '<div id="gpugap-selfcheck"[^>]*>[^<]*' "$out/dom.html" || true)
[ -n "$marker" ] || fail "no self-check marker in the rendered page (did the scripts run?)"
attr() { printf '%s' "$marker" | sed -n "s/.*$1=\"\([^\"]*\)\".*/\1/p"; }
status=$(attr data-status); charts=$(attr data-charts); rendered=$(attr data-rendered); errors=$(attr data-errors)
detail=${marker#*>}
[ "$status" = ok ] || fail "self-check status '$status': $detail"
[ "$charts" = "$expected" ] || fail "self-check saw $charts charts, the page has $expected containers"
[ "$rendered" = "$expected" ] || fail "only $rendered of $expected charts rendered: $detail"
[ "$errors" = 0 ] || fail "$errors script errors: $detail"
# Anything the console printed as an error (chromium logs console messages with --enable-logging).
if grep -E 'CONSOLE' "$out/chromium-dom.log" | grep -Eiq 'error|uncaught'; then
  fail "console errors: $(grep -E 'CONSOLE' "$out/chromium-dom.log" | head -5)"
fi
[ -s "$out/report.png" ] || fail "no screenshot written"
size=$(stat -c %s "$out/report.png")
[ "$size" -gt 20000 ] || fail "screenshot is only $size bytes (blank page?)"

echo "report_browser: OK: $rendered/$expected charts rendered, 0 errors, screenshot $out/report.png ($size bytes)"
