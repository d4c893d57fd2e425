#!/usr/bin/env bash
# Runs the product with demo data on http://127.0.0.1:8080.
# Installs what is missing, prepares the database, builds the dashboard, seeds a demo
# business (its login is printed) and serves everything. Safe to run again.
source "$(dirname "$0")/lib.sh"

ensure_mariadb
build_spa
log "building the server and its development tools"
cargo build --release -p backend -p devtools --bins -q
# `wasales-dev demo` serves the product (the `wasales` server code) with the demo
# business and a local Graph API stand-in.
exec "$CARGO_TARGET_DIR/release/wasales-dev" demo "$@"
