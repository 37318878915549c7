#!/usr/bin/env bash
# bylaw tenant books benchmark: durable ledger postings per second through
# the journal (batched) beside raw appends to the same store, one posting
# per transaction, replay, in-memory postings, external-contact quota adds
# and approval instance steps. See README.md beside this file.
#
#   bench/tenant/books.sh [--postings N] [--batch N] [--single N]
#                         [--adds N] [--instances N]
set -euo pipefail
cd "$(dirname "$0")/../.."
cargo build --release -q -p bylaw-tenant --example books-bench
exec target/release/examples/books-bench "$@"
