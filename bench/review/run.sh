#!/usr/bin/env bash
# bylaw review benchmark: (a) time per image-heavy listing, (b) text-only
# listings per second on one core. See README.md beside this file.
#
#   bench/review/run.sh [--runs N] [--secs S] [--listing FILE] [--no-build] [--pin]
#     --runs N       CLI runs and in-process reviews of the listing (default 20)
#     --secs S       seconds of the text-only throughput loop (default 2)
#     --listing F    the image-heavy listing (default examples/meeting-search/listing.json:
#                    logo, company logo, 5 desktop and 5 mobile previews, privacy policy)
#     --no-build     use the existing target/release binaries
#     --pin          run everything on core 0 (taskset); the review is single-threaded
#                    either way, so this only helps on an otherwise idle machine
#
#
# Targets: ≤ 150 ms per image-heavy listing; ≥ 5,000 text-only listings/s.
# Exit code 0 when both targets are met, 1 when one is missed, 2 on a setup error.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"

RUNS=20
SECS=2
LISTING="examples/meeting-search/listing.json"
BUILD=1
PIN_CORE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --secs) SECS="$2"; shift 2 ;;
    --listing) LISTING="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --pin) PIN_CORE=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

TARGET_MS=150
TARGET_PER_S=5000
BYLAW="$REPO/target/release/bylaw"
BENCH="$REPO/target/release/examples/review-bench"

if [ "$BUILD" = 1 ]; then
  echo "building (release)…" >&2
  cargo build --release -q -p bylaw-cli
  cargo build --release -q -p bylaw-review --example review-bench
fi
for b in "$BYLAW" "$BENCH"; do
  [ -x "$b" ] || { echo "run.sh: $b missing (run without --no-build)" >&2; exit 2; }
done
[ -f "$LISTING" ] || { echo "run.sh: $LISTING missing" >&2; exit 2; }

# The review and the harness are single-threaded: one core either way.
PIN=()
if [ "$PIN_CORE" = 1 ]; then
  command -v taskset >/dev/null 2>&1 || { echo "run.sh: --pin needs taskset" >&2; exit 2; }
  PIN=(taskset -c 0)
fi

median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# (a) the CLI, process start to exit: parse, read the images, load the
# textguard engine from its cache, review, print JSON. A first run fills
# the engine cache and is not counted.
"${PIN[@]}" "$BYLAW" review "$LISTING" --format json >/dev/null || true
code=0
"${PIN[@]}" "$BYLAW" review "$LISTING" --format json > /tmp/bylaw-review-bench.$$.json || code=$?
verdict=$(sed -n 's/^  "verdict": "\(.*\)",$/\1/p' /tmp/bylaw-review-bench.$$.json)
rm -f /tmp/bylaw-review-bench.$$.json
times=()
for _ in $(seq "$RUNS"); do
  t0=$(date +%s%N)
  "${PIN[@]}" "$BYLAW" review "$LISTING" --format json >/dev/null || true
  t1=$(date +%s%N)
  times+=("$(( (t1 - t0) / 1000 ))")
done
cli_ms=$(printf '%s\n' "${times[@]}" | median | awk '{printf "%.1f", $1/1000}')
cli_min=$(printf '%s\n' "${times[@]}" | sort -n | head -1 | awk '{printf "%.1f", $1/1000}')
cli_max=$(printf '%s\n' "${times[@]}" | sort -n | tail -1 | awk '{printf "%.1f", $1/1000}')

# (a) in process and (b) text-only throughput.
inproc=$("${PIN[@]}" "$BENCH" --listing "$LISTING" --runs "$RUNS" --secs "$SECS")

echo
echo "bylaw review benchmark — $(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?), ${PIN[*]:-unpinned}"
echo
echo "(a) image-heavy listing $LISTING"
echo "    CLI, process start to exit: median $cli_ms ms over $RUNS runs (min $cli_min, max $cli_max);"
echo "    verdict ${verdict:-?}, exit code $code"
echo
echo "in process (review-bench: rulebook and engine built once):"
echo "$inproc" | sed 's/^/    /'
echo
ok=0
pass() { awk -v a="$1" -v b="$2" -v op="$3" 'BEGIN { exit !((op == "le") ? a <= b : a >= b) }'; }
per_s=$(echo "$inproc" | sed -n 's/^(b) text-only listings on one thread: \([0-9]*\)\/s.*/\1/p')
if pass "$cli_ms" "$TARGET_MS" le; then a="met"; else a="MISSED"; ok=1; fi
if [ -n "$per_s" ] && pass "$per_s" "$TARGET_PER_S" ge; then b="met"; else b="MISSED"; ok=1; fi
echo "targets: ≤ $TARGET_MS ms per image-heavy listing (CLI median $cli_ms ms): $a"
echo "         ≥ $TARGET_PER_S text-only listings/s on one core (${per_s:-?}/s): $b"
exit $ok
