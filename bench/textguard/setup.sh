#!/usr/bin/env bash
# Installs the peers of the textguard benchmark. Idempotent: re-running only
# installs what is missing. This is the only step that touches the network.
#   - Python venv bench/textguard/.venv with jieba (word source), pyahocorasick,
#     ahocorasick-rs and matcher_py (Python bindings of the Rust `matcher` crate)
#   - bench/textguard/node/node_modules with mint-filter (npm)
#   - GNU time (/usr/bin/time) for peak memory, via apt-get when missing and root
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

PY="${PYTHON:-python3}"
# Pinned so that numbers are comparable across runs.
PY_PKGS=(
  "jieba==0.42.1"
  "pyahocorasick==2.3.1"
  "ahocorasick-rs==1.0.3"
  "matcher_py==0.15.5"
)

if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv with $($PY --version 2>&1)"
  "$PY" -m venv .venv
fi
if .venv/bin/python - "${PY_PKGS[@]}" <<'PYEOF'
import sys
from importlib.metadata import version, PackageNotFoundError
for spec in sys.argv[1:]:
    name, want = spec.split("==")
    try:
        if version(name) != want:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PYEOF
then
  echo "[setup] python packages already installed"
else
  echo "[setup] installing ${PY_PKGS[*]}"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "${PY_PKGS[@]}"
fi
.venv/bin/python -c "import jieba, ahocorasick, ahocorasick_rs, matcher_py; print('[setup] python imports ok')"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "[setup] WARNING: node/npm not found; mint-filter will be skipped" >&2
else
  if [ -f node/node_modules/mint-filter/package.json ]; then
    echo "[setup] mint-filter already installed"
  else
    echo "[setup] installing mint-filter (npm)"
    (cd node && npm install --no-audit --no-fund --loglevel=error)
  fi
  (cd node && node -e "require('mint-filter'); console.log('[setup] mint-filter', require('mint-filter/package.json').version, 'ok')")
fi

if [ ! -x /usr/bin/time ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "[setup] installing GNU time"
    apt-get install -y time >/dev/null || { apt-get update >/dev/null && apt-get install -y time >/dev/null; } || true
  fi
  [ -x /usr/bin/time ] || echo "[setup] WARNING: /usr/bin/time missing; run.sh falls back to getrusage (same figure: max RSS)" >&2
fi
echo "[setup] done"
