#!/usr/bin/env bash
# Runs the product with demo data on http://127.0.0.1:8080.
# Installs what is missing, prepares the database, builds the dashboard, seeds a demo
# business (its login is printed) and serves everything. Safe to run again.
#
#   ./scripts/run.sh                 one server on 127.0.0.1:8080
#   ./scripts/run.sh --replicas N    N replicas on 127.0.0.1:8090.. behind a round-robin
#                                    proxy on 127.0.0.1:8080, joined by NATS (events) and
#                                    Redis (limits) on loopback when they answer
#                                    (NATS_URL / REDIS_URL override)
source "$(dirname "$0")/lib.sh"

replicas=1
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --replicas) replicas="$2"; shift 2 ;;
    --replicas=*) replicas="${1#*=}"; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
[[ "$replicas" =~ ^[1-9][0-9]*$ ]] || { warn "--replicas needs a positive number"; exit 2; }

ensure_mariadb
build_spa
log "building the server and its development tools"
cargo build --release -p backend -p devtools --bins -q
DEV="$CARGO_TARGET_DIR/release/wasales-dev"

if [ "$replicas" = 1 ]; then
  # `wasales-dev demo` serves the product (the `wasales` server code) with the demo
  # business and a local Graph API stand-in.
  exec "$DEV" demo "${args[@]}"
fi

listening() { port_listening "$1"; }

if [ -z "${NATS_URL:-}" ] && listening 4222; then export NATS_URL="nats://127.0.0.1:4222"; fi
if [ -z "${REDIS_URL:-}" ] && listening 6379; then export REDIS_URL="redis://127.0.0.1:6379"; fi
if [ -z "${NATS_URL:-}" ] && [ -z "${REDIS_URL:-}" ]; then
  warn "neither NATS (4222) nor Redis (6379) answers: each replica sees only its own live events"
fi
[ -n "${REDIS_URL:-}" ] || warn "no Redis: send pacing and rate limits are per replica"
events="each replica alone"; limits="memory (per replica)"
if [ -n "${NATS_URL:-}" ]; then events="NATS"; elif [ -n "${REDIS_URL:-}" ]; then events="Redis"; fi
if [ -n "${REDIS_URL:-}" ]; then limits="Redis"; fi
log "live events: $events; send pacing and rate limits: $limits"

export PUBLIC_URL="${PUBLIC_URL:-http://127.0.0.1:8080}"
pids=()
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait; }
trap stop_all EXIT INT TERM

upstreams=()
for n in $(seq 0 $((replicas - 1))); do
  port=$((8090 + n))
  upstreams+=(--to "127.0.0.1:$port")
  if [ "$n" = 0 ]; then
    # The first replica migrates, seeds the demo and starts the Graph API stand-in
    # (on 8081) that every replica sends through.
    BIND_ADDR="127.0.0.1:$port" "$DEV" demo "${args[@]}" &
  else
    BIND_ADDR="127.0.0.1:$port" META_GRAPH_URL="${META_GRAPH_URL:-http://127.0.0.1:8081}" \
      "$DEV" demo "${args[@]}" &
  fi
  pids+=($!)
  for _ in $(seq 1 240); do listening "$port" && break; sleep 0.5; done
  listening "$port" || { warn "replica $n did not start on 127.0.0.1:$port"; exit 1; }
  log "replica $n on 127.0.0.1:$port"
done

log "$replicas replicas behind http://127.0.0.1:8080"
"$DEV" proxy --listen 127.0.0.1:8080 "${upstreams[@]}" &
pids+=($!)
wait -n "${pids[@]}"
