#!/usr/bin/env bash
# textguard benchmark: bylaw vs matcher-py, pyahocorasick, ahocorasick-rs and
# mint-filter, side by side in one run, same corpus, same lexicons.
#
#   bench/textguard/run.sh [options] [SIZES...]
#     SIZES            lexicon sizes, default: 1k 10k 100k 350k
#     --corpus-mb N    use data/corpus-<N>mb.txt (N*10^6 bytes; generated if missing)
#                      instead of data/corpus.txt (60 MB); for quick runs
#     --repeat R       run every (tool, size) R times, keep the fastest scan (default 1)
#     --unit U         how peers feed the corpus to their matcher:
#                      auto (default): as bylaw's tg-bench does for the row they are
#                        compared with: chain tools one call per line (= per message,
#                        like bylaw-chain), raw tools one call on the whole corpus
#                        (like bylaw-raw);
#                      whole | line: force it for every peer (tg-bench ignores it)
#     --latency        pass --latency to bylaw-chain (p50/p99 us per 200-char message;
#                      its peak memory then includes the latency buffer)
#     --tools LIST     comma-separated subset/extension of the default tool list
#                      (default: bylaw-chain,bylaw-raw,matcher-py-chain,matcher-py-raw,
#                      pyahocorasick,ahocorasick-rs,mint-filter; extra tools:
#                      matcher-py-chain-pinyin, pyahocorasick-ll, ahocorasick-rs-ll)
#     --no-build       do not run cargo build (use the existing tg-bench binary)
#     --timeout S      kill a single tool run after S seconds (default 1800)
#   env: TG_BENCH=path  use this tg-bench binary instead of target/release/examples/tg-bench
#
# Needs setup.sh to have run (the only step that downloads anything).
# Writes data/results.json (every run, plus the table rows and ratios).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
cd "$HERE"

SIZES=()
CORPUS_MB=""
REPEAT=1
UNIT=auto
LATENCY=0
TOOLS="bylaw-chain,bylaw-chain-nosound,bylaw-raw,matcher-py-chain,matcher-py-chain-pinyin,matcher-py-raw,pyahocorasick,ahocorasick-rs,mint-filter"
BUILD=1
TIMEOUT=1800
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus-mb) CORPUS_MB="$2"; shift 2 ;;
    --repeat) REPEAT="$2"; shift 2 ;;
    --unit) UNIT="$2"; shift 2 ;;
    --tools) TOOLS="$2"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    --latency) LATENCY=1; shift ;;
    --timeout) TIMEOUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    1k|10k|100k|350k) SIZES+=("$1"); shift ;;
    *) echo "run.sh: unknown argument $1 (sizes are 1k 10k 100k 350k)" >&2; exit 2 ;;
  esac
done
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1k 10k 100k 350k)
case "$UNIT" in auto|whole|line) ;; *) echo "run.sh: --unit auto|whole|line" >&2; exit 2 ;; esac

PY="$HERE/.venv/bin/python"
if [ ! -x "$PY" ]; then
  echo "run.sh: $HERE/.venv missing; run bench/textguard/setup.sh first" >&2
  exit 1
fi

# ---- data (deterministic, offline) -----------------------------------------
if [ -n "$CORPUS_MB" ]; then
  CORPUS="$("$PY" gen.py --corpus-mb "$CORPUS_MB")"
else
  CORPUS="$("$PY" gen.py)"
fi

# ---- peak memory -------------------------------------------------------------
if [ ! -x /usr/bin/time ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "[run] installing GNU time" >&2
  apt-get install -y time >/dev/null 2>&1 || true
fi
if [ -x /usr/bin/time ]; then
  PEAK_METHOD="/usr/bin/time -f %M"
else
  PEAK_METHOD="getrusage(RUSAGE_CHILDREN).ru_maxrss"
  echo "[run] /usr/bin/time not available; measuring max RSS with getrusage" >&2
fi
# measure OUTFILE PEAKFILE cmd...: stdout -> OUTFILE, max RSS in KB -> PEAKFILE
measure() {
  local out="$1" peak="$2"; shift 2
  if [ -x /usr/bin/time ]; then
    timeout "$TIMEOUT" /usr/bin/time -f %M -o "$peak" "$@" >"$out"
  else
    timeout "$TIMEOUT" "$PY" -c '
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$peak" "$@" >"$out"
  fi
}

# ---- bylaw's tg-bench ----------------------------------------------------------
TGB="${TG_BENCH:-${CARGO_TARGET_DIR:-$REPO/target}/release/examples/tg-bench}"
HAVE_BYLAW=1
if [[ ",$TOOLS," == *",bylaw-"* ]]; then
  if [ -z "${TG_BENCH:-}" ] && [ "$BUILD" = 1 ]; then
    echo "[run] cargo build --release -p bylaw-textguard --example tg-bench" >&2
    if ! (cd "$REPO" && cargo build --release -p bylaw-textguard --example tg-bench >&2); then
      echo "[run] WARNING: could not build tg-bench (example missing or build error)" >&2
    fi
  fi
  if [ ! -x "$TGB" ]; then
    echo "[run] SKIPPING bylaw-chain/bylaw-raw: $TGB does not exist" >&2
    HAVE_BYLAW=0
  fi
fi
HAVE_NODE=1
if ! command -v node >/dev/null || [ ! -d node/node_modules/mint-filter ]; then
  HAVE_NODE=0
fi

# tool_cmd TOOL SIZE -> prints the command (one arg per line) or nothing if skipped
tool_cmd() {
  local tool="$1" size="$2" txt="data/lex-$2.txt" tsv="data/lex-$2.tsv"
  local unit="$UNIT"
  if [ "$unit" = auto ]; then
    case "$tool" in *-chain*) unit=line ;; *) unit=whole ;; esac
  fi
  local u=(--unit "$unit")
  case "$tool" in
    bylaw-chain|bylaw-chain-nosound|bylaw-raw)
      [ "$HAVE_BYLAW" = 1 ] || return 0
      local extra=()
      [ "$tool" = bylaw-raw ] && extra+=(--raw)
      [ "$tool" = bylaw-chain-nosound ] && extra+=(--no-sound)
      [ "$tool" = bylaw-chain ] && [ "$LATENCY" = 1 ] && extra+=(--latency)
      printf '%s\n' "$TGB" --lexicon "$tsv" --corpus "$CORPUS" "${extra[@]}" ;;
    matcher-py-raw|matcher-py-chain|matcher-py-chain-pinyin)
      printf '%s\n' "$PY" py_matcher.py --mode "${tool#matcher-py-}" --lexicon "$txt" --corpus "$CORPUS" "${u[@]}" ;;
    pyahocorasick)
      printf '%s\n' "$PY" py_pyahocorasick.py --lexicon "$txt" --corpus "$CORPUS" "${u[@]}" ;;
    pyahocorasick-ll)
      printf '%s\n' "$PY" py_pyahocorasick.py --leftmost-longest --lexicon "$txt" --corpus "$CORPUS" "${u[@]}" ;;
    ahocorasick-rs)
      printf '%s\n' "$PY" py_ahocorasick_rs.py --lexicon "$txt" --corpus "$CORPUS" "${u[@]}" ;;
    ahocorasick-rs-ll)
      printf '%s\n' "$PY" py_ahocorasick_rs.py --leftmost-longest --lexicon "$txt" --corpus "$CORPUS" "${u[@]}" ;;
    mint-filter)
      [ "$HAVE_NODE" = 1 ] || return 0
      printf '%s\n' node node/mint.js --lexicon "$txt" --corpus "$CORPUS" "${u[@]}" ;;
    *) echo "run.sh: unknown tool $tool" >&2; exit 2 ;;
  esac
}

RUNS="$(mktemp "${TMPDIR:-/tmp}/tg-bench-runs.XXXXXX")"
TMPO="$(mktemp "${TMPDIR:-/tmp}/tg-bench-out.XXXXXX")"
TMPP="$(mktemp "${TMPDIR:-/tmp}/tg-bench-peak.XXXXXX")"
trap 'rm -f "$RUNS" "$TMPO" "$TMPP"' EXIT
IFS=',' read -r -a TOOL_LIST <<<"$TOOLS"

echo "[run] corpus $CORPUS ($(stat -c %s "$CORPUS") bytes), sizes ${SIZES[*]}, repeat $REPEAT, unit $UNIT, peak memory via $PEAK_METHOD" >&2
for size in "${SIZES[@]}"; do
  for rep in $(seq 1 "$REPEAT"); do
    for tool in "${TOOL_LIST[@]}"; do
      mapfile -t cmd < <(tool_cmd "$tool" "$size")
      if [ ${#cmd[@]} -eq 0 ]; then
        printf '{"tool":"%s","size":"%s","rep":%d,"skipped":true}\n' "$tool" "$size" "$rep" >>"$RUNS"
        continue
      fi
      printf '[run] %-24s %-5s rep %d ... ' "$tool" "$size" "$rep" >&2
      : >"$TMPP"
      rc=0
      measure "$TMPO" "$TMPP" "${cmd[@]}" || rc=$?
      line="$(grep '^{' "$TMPO" | tail -n 1 || true)"
      peak="$(grep -E '^[0-9]+$' "$TMPP" | tail -n 1 || true)"
      if [ "$rc" != 0 ] || [ -z "$line" ]; then
        echo "FAILED (exit $rc)" >&2
        "$PY" -c 'import json,sys; print(json.dumps({"tool":sys.argv[1],"size":sys.argv[2],"rep":int(sys.argv[3]),"error":"exit %s"%sys.argv[4],"output":open(sys.argv[5],errors="replace").read()[-2000:]}))' \
          "$tool" "$size" "$rep" "$rc" "$TMPO" >>"$RUNS"
        continue
      fi
      "$PY" -c 'import json,sys
r=json.loads(sys.argv[1]); r["size"]=sys.argv[2]; r["rep"]=int(sys.argv[3]); r["requested_tool"]=sys.argv[4]
r["peak_kb"]=int(sys.argv[5]) if sys.argv[5] else None
print(json.dumps(r,ensure_ascii=False))' "$line" "$size" "$rep" "$tool" "$peak" >>"$RUNS"
      tail -n 1 "$RUNS" | "$PY" -c 'import json,sys; r=json.loads(sys.stdin.read()); print("build %.3fs scan %.3fs %s MB/s peak %s MB" % (r["build_s"], r["scan_s"], round(r["bytes"]/1e6/r["scan_s"],1), round((r["peak_kb"] or 0)/1024,1)))' >&2
    done
  done
done

"$PY" report.py --runs "$RUNS" --corpus "$CORPUS" --unit "$UNIT" --repeat "$REPEAT" \
  --peak-method "$PEAK_METHOD" --out data/results.json
