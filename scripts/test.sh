#!/usr/bin/env bash
# Runs every check and test: format, lints (native and wasm32), the shared crate's
# wasm32 build, the dashboard build, and all tests (unit, integration against a real
# MariaDB, and headless Chromium). Safe to run again.
source "$(dirname "$0")/lib.sh"

ensure_mariadb
ensure_brokers
ensure_chromium
ensure_wasm_tools

log "cargo fmt --check"
cargo fmt --all -- --check

log "layers: no import cycles, lower layers never import higher ones"
command -v python3 >/dev/null || apt_install python3
python3 scripts/check_layers.py backend/src --lower db,meta,config,crypto,error
python3 scripts/check_layers.py frontend/src

log "db/schema.rs is what diesel print-schema prints for the migrations"
check_schema_drift

log "shared builds for wasm32 without diesel or tokio"
cargo build -q -p shared --target wasm32-unknown-unknown
if cargo tree -p shared --target wasm32-unknown-unknown -e normal | grep -Eq '^[^a-z]*(diesel|tokio|mysql)'; then
  warn "the shared crate pulls diesel/tokio into the wasm build"; exit 1
fi

log "clippy (server, shared, stand-ins, development tools)"
cargo clippy -q -p shared -p backend -p standins -p devtools --all-targets -- -D warnings
log "clippy (dashboard, wasm32)"
cargo clippy -q -p frontend --target wasm32-unknown-unknown -- -D warnings

build_spa

log "tests"
export WASALES_SPA_DIR="$ROOT/frontend/dist"
cargo test -q -p shared -p frontend -p backend -p standins -p devtools -- --test-threads="${TEST_THREADS:-4}"
log "all green"
