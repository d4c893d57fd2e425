# Shared by the project's scripts: paths, tool versions, and idempotent installers.
# Sourced, not run.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Build outputs live under ~/.cargo so repeated runs (and CI on a clean clone) reuse them.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cargo/wasales-target}"
TOOLS_DIR="${WASALES_TOOLS_DIR:-$HOME/.cargo/wasales-tools}"
export PATH="$HOME/.cargo/bin:$TOOLS_DIR/node_modules/.bin:$PATH"

TRUNK_VERSION="0.21.14"
BINARYEN_VERSION="132"
# diesel_cli prints backend/src/db/schema.rs from the migrations (diesel.toml); keep it
# at the version of the `diesel` crate in Cargo.lock.
DIESEL_CLI_VERSION="2.3.14"

log() { printf '\033[1;32m==>\033[0m %s\n' "$*"; }
warn() { printf '\033[1;33m==>\033[0m %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null \
    || { as_root apt-get update -q >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; }
}

# The wasm-bindgen CLI must match the library version in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_wasm_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    log "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! trunk --version 2>/dev/null | grep -q "$TRUNK_VERSION"; then
    log "installing trunk $TRUNK_VERSION (about 10 minutes, once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
  local wbg
  wbg="$(wasm_bindgen_version)"
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$wbg"; then
    log "installing wasm-bindgen-cli $wbg (about 3 minutes, once)"
    # No --locked: its lock file names a version the registry mirror here lacks.
    cargo install wasm-bindgen-cli --version "$wbg" --force
  fi
  if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
    log "installing wasm-opt (binaryen $BINARYEN_VERSION, npm)"
    command -v npm >/dev/null || apt_install nodejs npm
    mkdir -p "$TOOLS_DIR"
    npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR" "binaryen@$BINARYEN_VERSION" >/dev/null
  fi
}

db_listening() {
  (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null
}

ensure_mariadb() {
  if db_listening; then return 0; fi
  if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then
    apt_install mariadb-server
  fi
  log "starting MariaDB"
  as_root mkdir -p /run/mysqld
  as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
  as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  for _ in $(seq 1 60); do db_listening && break; sleep 0.5; done
  db_listening || { warn "MariaDB did not start on 127.0.0.1:3306"; exit 1; }
  # Tests and the demo use root without a password over TCP.
  as_root mariadb -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('') OR unix_socket" 2>/dev/null || true
}

port_listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Redis (6379) and NATS (4222) on loopback: the fleet tests join two replicas through
# them, and `run.sh --replicas N` uses them when they answer.
ensure_brokers() {
  if ! port_listening 6379; then
    command -v redis-server >/dev/null || apt_install redis-server
    log "starting Redis"
    as_root mkdir -p /var/lib/redis /var/log/redis
    as_root redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/wasales.log
  fi
  if ! port_listening 4222; then
    [ -x /usr/sbin/nats-server ] || command -v nats-server >/dev/null || apt_install nats-server
    log "starting NATS"
    as_root start-stop-daemon --start --oknodo --background --exec "$(command -v nats-server || echo /usr/sbin/nats-server)" \
      -- -a 127.0.0.1 -p 4222
  fi
  for _ in $(seq 1 20); do port_listening 6379 && port_listening 4222 && return 0; sleep 0.5; done
  warn "Redis (6379) or NATS (4222) did not start"; exit 1
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then return 0; fi
  apt_install chromium chromium-driver
}

ensure_diesel_cli() {
  if diesel --version 2>/dev/null | grep -q "$DIESEL_CLI_VERSION"; then return 0; fi
  # diesel_cli's mysql backend links the MySQL client library (MariaDB's here).
  apt_install libmariadb-dev-compat pkg-config
  log "installing diesel_cli $DIESEL_CLI_VERSION (mysql only; about 4 minutes of CPU, once)"
  cargo install diesel_cli --no-default-features --features mysql --version "$DIESEL_CLI_VERSION" --locked
}

# Fails when backend/src/db/schema.rs is not what `diesel print-schema` prints for the
# migrations: applies them to a scratch database, prints, compares, drops the database.
check_schema_drift() {
  ensure_diesel_cli
  local db url printed setup_config status=0
  db="wasales_schema_check_$$"
  url="mysql://root@127.0.0.1:3306/$db"
  printed="$(mktemp)"
  # Migrations are applied with a config that has no [print_schema] file, so that
  # diesel does not rewrite the committed schema.rs before it is compared.
  setup_config="$(mktemp)"
  printf '[migrations_directory]\ndir = "%s/migrations"\n' "$ROOT" >"$setup_config"
  diesel database setup --config-file "$setup_config" --database-url "$url" >/dev/null \
    && diesel print-schema --database-url "$url" >"$printed" || status=$?
  mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS \`$db\`" || true
  rm -f "$setup_config"
  if [ "$status" -ne 0 ]; then
    rm -f "$printed"; warn "could not print the schema from the migrations"; return 1
  fi
  if ! diff -u backend/src/db/schema.rs "$printed"; then
    rm -f "$printed"
    warn "backend/src/db/schema.rs drifted from migrations/: run 'diesel migration run' (it rewrites the file) or 'diesel print-schema > backend/src/db/schema.rs'"
    return 1
  fi
  rm -f "$printed"
}

build_spa() {
  ensure_wasm_tools
  log "building the dashboard (trunk build --release)"
  trunk build --release >/dev/null
  compress_spa
}

# Brotli and gzip copies beside each text and wasm file of the build: the server sends
# them to browsers that accept them (no compressing per request).
compress_spa() {
  command -v brotli >/dev/null || apt_install brotli
  local f
  while IFS= read -r -d '' f; do
    gzip -9 -k -f -n "$f"
    brotli -q 11 -k -f "$f"
  done < <(find frontend/dist -type f \( -name '*.wasm' -o -name '*.js' -o -name '*.css' \
    -o -name '*.html' -o -name '*.svg' -o -name '*.json' \) -print0)
}
