#!/usr/bin/env bash
# bylaw enforce benchmark: `can` latency, `tick` over pending deadlines,
# projection rebuild and durable appends. See README.md beside this file.
#   bench/enforce/run.sh [TARGETS] [EVENTS]      (default 1000000 5000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p bylaw-enforce --example enforce-bench
exec target/release/examples/enforce-bench "${1:-1000000}" "${2:-5000000}"
