#!/usr/bin/env bash
# Regenerates backend/src/db/schema.rs from migrations/ on a scratch database (what
# scripts/test.sh compares against). Run it after adding or changing a migration.
source "$(dirname "$0")/lib.sh"
ensure_mariadb
ensure_diesel_cli
db="wasales_print_schema_$$"
url="mysql://root@127.0.0.1:3306/$db"
cfg="$(mktemp)"
printf '[migrations_directory]\ndir = "%s/migrations"\n' "$ROOT" >"$cfg"
trap 'mariadb -h 127.0.0.1 -u root -e "DROP DATABASE IF EXISTS \`$db\`"; rm -f "$cfg"' EXIT
diesel database setup --config-file "$cfg" --database-url "$url" >/dev/null
diesel print-schema --database-url "$url" >backend/src/db/schema.rs
log "backend/src/db/schema.rs regenerated"
