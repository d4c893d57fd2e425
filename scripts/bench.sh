#!/usr/bin/env bash
# Runs the benchmarks one after another and prints their figures (they measure; they
# are not tests). Installs what is missing and builds the development tools in release.
#
#   ./scripts/bench.sh            quick sizes (a few minutes on 2 cores)
#   ./scripts/bench.sh --full     the sizes the README quotes (1M-message export, ...)
source "$(dirname "$0")/lib.sh"

full=0
[ "${1:-}" = "--full" ] && full=1

ensure_mariadb
log "building the development tools (release)"
cargo build --release -p devtools --bins -q
DEV="$CARGO_TARGET_DIR/release/wasales-dev"

if [ "$full" = 1 ]; then
  ingest=(--concurrency 64 --messages 50000)
  agent=()
  export_size=(--messages 1000000)
  search_size=(--contacts 100000)
else
  ingest=(--concurrency 64 --messages 10000)
  agent=(--conversations 100 --burst 200)
  export_size=(--messages 100000)
  search_size=(--contacts 100000 --queries 100)
fi

log "ingest: signed webhook deliveries to stored messages (reply workers off)"
"$DEV" bench-ingest "${ingest[@]}"
log "AI pipeline overhead: webhook to reply at the Graph stand-in (zero-latency model)"
"$DEV" bench-agent "${agent[@]}"
log "export: streamed archive of one business, peak memory"
"$DEV" bench-export "${export_size[@]}"
log "inbox search: chats by name and number over many customers (indexes vs the old scan)"
"$DEV" bench-search "${search_size[@]}"
