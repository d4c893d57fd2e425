#!/usr/bin/env bash
# Runs the product with demo data on http://127.0.0.1:8080.
# Installs what is missing, prepares the database, builds the dashboard, seeds a demo
# business (its login is printed) and serves everything. Safe to run again.
source "$(dirname "$0")/lib.sh"

ensure_mariadb
build_spa
log "building the server"
cargo build --release -p backend --bins -q
exec "$CARGO_TARGET_DIR/release/wasales" serve --demo "$@"
