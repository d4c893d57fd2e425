#!/usr/bin/env bash
# Plays a WhatsApp customer against the running demo (./scripts/run.sh): sends a
# real-shaped, signed Meta webhook delivery to http://127.0.0.1:8080.
#   ./scripts/simulate.sh --from 15551234567 --name Ada "how much is the ankara dress?"
#   ./scripts/simulate.sh --echo --from 15551234567 "I'll bring it tomorrow"   (the owner, from the phone)
#   ./scripts/simulate.sh --image --from 15551234567 "this one in blue?"          (a photo with a caption)
#   ./scripts/simulate.sh --help
source "$(dirname "$0")/lib.sh"

bin="$CARGO_TARGET_DIR/release/wasales-dev"
if [ ! -x "$bin" ]; then
  log "building the development tools (once)"
  cargo build --release -p devtools --bins -q
fi
exec "$bin" simulate "$@"
