#!/usr/bin/env bash
# Faults in the middle of a webhook load, each on a fresh database of its own:
#
#   1. the server is SIGKILLed and started again, while it answers with AI replies
#      (every chat must get its answer, each message reaching WhatsApp once);
#   2. MariaDB is stopped for a few seconds and started again (the server answers 503
#      meanwhile and must recover by itself).
#
# Each run prints what Meta's side saw (200s, 503s, refused connections) against what
# is stored, and fails when an acknowledged delivery is missing or stored twice.
# Broker outages and a failing Graph API are covered by the test suite
# (tests/fleet.rs, tests/sender.rs). Not part of ./scripts/test.sh: restarting MariaDB
# would break the tests running beside it.
#
#   ./scripts/faults.sh [--deliveries N]
source "$(dirname "$0")/lib.sh"

ensure_mariadb
log "building the server and the development tools (release)"
cargo build --release -p backend -p devtools --bins -q
DEV="$CARGO_TARGET_DIR/release/wasales-dev"

log "fault 1: the server is SIGKILLed mid-load and started again, answering with AI replies"
"$DEV" fault --kill-server --replies "$@"

log "fault 2: MariaDB is stopped mid-load for 3 s and started again"
restart='mariadb-admin --protocol=tcp -h127.0.0.1 -uroot shutdown && sleep 3 && bash -c "source scripts/lib.sh && ensure_mariadb"'
"$DEV" fault --run "$restart" "$@"
log "faults survived"
