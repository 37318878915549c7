#!/usr/bin/env bash
# bylaw server benchmark: wrk against a real `bylaw serve` on loopback.
# See README.md beside this file.
#
#   bench/server/run.sh [options]
#     --duration S     seconds per wrk run (default 10)
#     --conns "C..."   connection counts (default "16 32 64")
#     --threads T      wrk threads (default 2)
#     --pin            pin the server to CPU 0 and wrk to CPU 1 (taskset);
#                      default: both float over every core
#     --log LEVEL      the server's RUST_LOG (default info: one line per request,
#                      as deployed; written to a file)
#     --endpoints "E..." subset of: healthz scan review can (default all four)
#     --no-build       use the existing target/release/bylaw
#     --port P         port (default: a free one)
#
# Writes the raw wrk output, the server log tail and summary.{md,json} to
# bench/server/results/<UTC date and time>-<host>[-pinned][-log-LEVEL]/ and
# prints the table.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$REPO"

DURATION=10
CONNS="16 32 64"
THREADS=2
PIN=0
LOG=info
ENDPOINTS="healthz scan review can"
BUILD=1
PORT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --conns) CONNS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --pin) PIN=1; shift ;;
    --log) LOG="$2"; shift 2 ;;
    --endpoints) ENDPOINTS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --port) PORT="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

# ---- build and tools ---------------------------------------------------------
if [ "$BUILD" = 1 ]; then
  echo "[run] cargo build --release" >&2
  cargo build --release -q
  cargo build --release -q -p bylaw-review --example review-bench
fi
REVIEW_BENCH="$REPO/target/release/examples/review-bench"
BYLAW="$REPO/target/release/bylaw"
[ -x "$BYLAW" ] || { echo "run.sh: $BYLAW missing (drop --no-build)" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
  echo "[run] installing wrk" >&2
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null; else sudo apt-get install -y wrk >/dev/null; fi
fi
for tool in curl python3; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is needed" >&2; exit 1; }
done
SERVER_CPU=""
WRK_CPU=""
if [ "$PIN" = 1 ]; then
  command -v taskset >/dev/null || { echo "run.sh: --pin needs taskset" >&2; exit 1; }
  SERVER_CPU="taskset -c 0"
  WRK_CPU="taskset -c 1"
fi

# ---- server -------------------------------------------------------------------
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
[ -n "$PORT" ] || PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
echo "[run] starting bylaw serve on $BASE (RUST_LOG=$LOG${SERVER_CPU:+, $SERVER_CPU})" >&2
RUST_LOG="$LOG" $SERVER_CPU "$BYLAW" serve --addr "127.0.0.1:$PORT" \
  --database "sqlite://$WORK/bylaw.db" --cache "$WORK/cache" 2>"$WORK/server.log" &
SERVER_PID=$!
for _ in $(seq 1 600); do
  grep -q 'listening on' "$WORK/server.log" 2>/dev/null && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
grep -q 'listening on' "$WORK/server.log" || { echo "run.sh: the server did not start" >&2; exit 1; }
OPERATOR="$(grep -o 'bylaw_[0-9a-f]*_[0-9a-f]*' "$WORK/server.log" | head -1)"
[ -n "$OPERATOR" ] || { echo "run.sh: no bootstrap key in the server log" >&2; exit 1; }

# call METHOD PATH TOKEN [JSON]: prints the body, fails on a non-2xx answer.
call() {
  local code
  code="$(curl -sS -o "$WORK/answer.json" -w '%{http_code}' -X "$1" \
    -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
    ${4:+--data-binary "$4"} "$BASE$2")"
  case "$code" in
    2*) cat "$WORK/answer.json" ;;
    *) echo "run.sh: $1 $2 answered $code: $(cat "$WORK/answer.json")" >&2; return 1 ;;
  esac
}
field() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# Keys of the roles that do this work in production.
SCANNER="$(call POST /v1/admin/keys "$OPERATOR" '{"role":"scanner","label":"bench"}' | field '["token"]')"
REVIEWER="$(call POST /v1/admin/keys "$OPERATOR" '{"role":"reviewer","label":"bench"}' | field '["token"]')"

# An enforcement target with a sanction: miniprogram/5.7 branch 3 (three days
# to rectify, then delisting) decided 30 days ago and lapsed; a clean target
# of the same subject beside it.
T0="$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc)-d.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ"))')"
T3="$(python3 -c 'import datetime as d; print((d.datetime.now(d.timezone.utc)-d.timedelta(days=27)).strftime("%Y-%m-%dT%H:%M:%SZ"))')"
call POST /v1/enforcement/subjects "$OPERATOR" "{\"id\":\"subj-bench\",\"name\":\"压测科技\",\"at\":\"$T0\"}" >/dev/null
for t in mp-bench-sanctioned mp-bench-clean; do
  call POST /v1/enforcement/targets "$OPERATOR" \
    "{\"id\":\"$t\",\"subject\":\"subj-bench\",\"kind\":\"mini-program\",\"platform\":\"miniprogram\",\"at\":\"$T0\"}" >/dev/null
done
call POST /v1/enforcement/violations "$REVIEWER" \
  "{\"case\":\"c-bench\",\"rule\":\"miniprogram/5.7\",\"target\":\"mp-bench-sanctioned\",\"evidence\":\"直播未选直播类目\",\"at\":\"$T0\"}" >/dev/null
call POST /v1/enforcement/cases/c-bench/decisions "$REVIEWER" "{\"branch\":\"3\",\"reason\":\"bench\",\"at\":\"$T0\"}" >/dev/null
call POST /v1/enforcement/tick "$OPERATOR" "{\"now\":\"$T3\"}" >/dev/null
DENIED="$(call GET '/v1/enforcement/can?target=mp-bench-sanctioned&capability=searchable' "$REVIEWER" | field '["allowed"]')"
ALLOWED="$(call GET '/v1/enforcement/can?target=mp-bench-clean&capability=searchable' "$REVIEWER" | field '["allowed"]')"
[ "$DENIED" = False ] && [ "$ALLOWED" = True ] || {
  echo "run.sh: the sanction is not in force (sanctioned: $DENIED, clean: $ALLOWED)" >&2; exit 1; }

# Review bodies: the example listings as TOML text, their policies, no images.
python3 - "$REPO/examples" "$WORK" <<'PY'
import json, sys, pathlib
ex, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for name, d in (("good", "meeting-listing"), ("bad", "meeting-bad")):
    body = {"listing": (ex / d / "listing.toml").read_text(),
            "privacy_policy": (ex / d / "privacy-policy.md").read_text(),
            "skip_images": True}
    (out / f"review-{name}.json").write_text(json.dumps(body, ensure_ascii=False))
PY
for b in good bad; do
  V="$(call POST /v1/review "$REVIEWER" "@$WORK/review-$b.json" | field '["verdict"]')"
  echo "[run] review-$b.json: $V" >&2
done
call POST /v1/scan "$SCANNER" '{"text":"加微信 abc12345 兼职日结"}' >/dev/null

# ---- runs -------------------------------------------------------------------
HOST="$(hostname -s 2>/dev/null || echo host)"
STAMP="$(date -u +%Y-%m-%dT%H%MZ)-$HOST$([ "$PIN" = 1 ] && echo -pinned || true)$([ "$LOG" != info ] && echo "-log-$LOG" || true)"
OUT="$HERE/results/$STAMP"
mkdir -p "$OUT"
CPU_MODEL="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//' || echo unknown)"
NCPU="$(nproc)"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet 2>/dev/null || echo +dirty)"
  echo "cpu: $CPU_MODEL, $NCPU cores"
  echo "kernel: $(uname -sr)"
  echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "pinned: $PIN (server: ${SERVER_CPU:-any}, wrk: ${WRK_CPU:-any})"
  echo "server RUST_LOG: $LOG"
  echo "duration: ${DURATION}s, wrk threads: $THREADS, connections: $CONNS"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" >&2

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }
# Busy ticks of every process on the machine (user, nice, system; interrupt
# time, much of it this run's loopback traffic, is left out).
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4}' /proc/stat; }
TICK="$(getconf CLK_TCK)"

# The in-process peers run right after their endpoint's wrk runs, so that
# both see the same load on a shared machine.
inprocess_scan() {
  python3 - "$HERE/texts.tsv" "$WORK/scan.jsonl" <<'PY'
import json, sys
rows = [l.rstrip("\n").split("\t", 1) for l in open(sys.argv[1]) if l.strip()]
with open(sys.argv[2], "w") as f:
    for i in range(200_000):
        scene, text = rows[i % len(rows)]
        f.write(json.dumps({"text": text, "scene": scene}, ensure_ascii=False) + "\n")
PY
  for t in 1 "$NCPU"; do
    echo "[run] in process: bylaw scan --jsonl, $t thread(s)" >&2
    BYLAW_CACHE="$WORK/cache" "$BYLAW" scan --jsonl "$WORK/scan.jsonl" --threads "$t" \
      >/dev/null 2>"$OUT/inprocess-scan-t$t.txt" || true
  done
}
inprocess_review() {
  if [ -x "$REVIEW_BENCH" ]; then
    echo "[run] in process: review-bench (text-only listings with their policies, 1 thread)" >&2
    "$REVIEW_BENCH" --runs 3 --secs "$DURATION" --json > "$OUT/inprocess-review.json" 2>/dev/null || true
  fi
}

for ep in $ENDPOINTS; do
  case "$ep" in
    healthz) TOKEN="" ;;
    scan) TOKEN="$SCANNER" ;;
    review|can) TOKEN="$REVIEWER" ;;
    *) echo "run.sh: unknown endpoint $ep" >&2; exit 2 ;;
  esac
  for c in $CONNS; do
    echo "[run] $ep, $c connections, ${DURATION}s" >&2
    before="$(cpu_ticks)"
    busy_before="$(busy_ticks)"
    # bash's `time` gives wrk's own CPU seconds (user+system).
    TIMEFORMAT='%U %S'
    { time BYLAW_TOKEN="$TOKEN" BENCH_DIR="$HERE" BENCH_WORK="$WORK" \
        $WRK_CPU wrk -t"$THREADS" -c"$c" -d"${DURATION}s" --latency -s "$HERE/$ep.lua" "$BASE" \
        > "$OUT/$ep-c$c.txt"; } 2> "$WORK/wrk-time"
    after="$(cpu_ticks)"
    busy_after="$(busy_ticks)"
    {
      echo "server_cpu_seconds: $(python3 -c "print(($after - $before) / $TICK)")"
      echo "wrk_cpu_seconds: $(awk '{print $1 + $2}' "$WORK/wrk-time")"
      echo "machine_busy_cpu_seconds: $(python3 -c "print(($busy_after - $busy_before) / $TICK)")"
      echo "cores: $NCPU"
    } >> "$OUT/$ep-c$c.txt"
  done
  case "$ep" in
    scan) inprocess_scan ;;
    review) inprocess_review ;;
  esac
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.txt"
# The log's tail, without colour codes and with key tokens masked.
tail -n 200 "$WORK/server.log" \
  | sed -E 's/\x1b\[[0-9;]*m//g; s/bylaw_[0-9a-f]+_[0-9a-f]+/bylaw_<id>_<secret>/g' \
  > "$OUT/server-log-tail.txt"
grep -c '' "$WORK/server.log" > "$OUT/server-log-lines.txt" || true

# ---- table ----------------------------------------------------------------------
python3 "$HERE/report.py" "$OUT"
