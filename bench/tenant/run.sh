#!/usr/bin/env bash
# bylaw tenant benchmark: `Tenant::check` latency (ManageDirectory on a
# member, SendMessage to a member) beside Cedar on the same model with every
# answer compared, department moves with re-scoping, resident memory.
# See README.md beside this file.
#
#   bench/tenant/run.sh [--members N] [--depts N] [--admins N] [--apps N]
#                       [--queries N] [--cedar-queries N] [--moves N]
#                       [--cedar-moves N] [--verify N] [--seed N]
#
# Defaults: 100k members, 10k departments 12 levels deep, 2k admins, 50 apps,
# 1M queries per action through both engines, 50 moves, 100k queries per
# action to re-check agreement after the moves.
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p bylaw-tenant --example tenant-bench
exec target/release/examples/tenant-bench "$@"
