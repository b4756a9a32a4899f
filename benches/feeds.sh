#!/usr/bin/env bash
# /feeds/events against the same question as SPARQL on Oxigraph's server, side by side in one
# run: generated events and venues in Kulturnetz's model (default 100k events at 10k venues,
# benches/feeds.py generate) loaded into a Kulturnetz store and into Oxigraph's; then events in
# June 2025 within 15 km of Erfurt at wheelchair-accessible venues, 50 a page, asked by C
# keep-alive clients for D seconds of each server (benches/feeds.py drive): p50 and p99 latency
# and requests per second. The clients share the machine's cores with the servers.
#
#   benches/feeds.sh                          # 100k events, 10k venues, 1 and 4 clients, 15 s
#   EVENTS=20000 VENUES=2000 DURATION=5 benches/feeds.sh
#
# Knobs: KULTURNETZ (the binary; default: built with cargo), SHARED (../shared), WORK (scratch,
# default ${TMPDIR:-/tmp}/kulturnetz-bench), OXIGRAPH (default: the pinned version of
# ../shared/bench/requirements-peers.txt in a venv under WORK), EVENTS, VENUES, CLIENTS ("1 4"),
# DURATION (seconds per server and number of clients).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
WORK=${WORK:-${TMPDIR:-/tmp}/kulturnetz-bench}
EVENTS=${EVENTS:-100000}
VENUES=${VENUES:-10000}
CLIENTS=${CLIENTS:-1 4}
DURATION=${DURATION:-15}
mkdir -p "$WORK"

# shellcheck source=benches/common.sh
source "$ROOT/benches/common.sh"

RUN=$WORK/feeds-$EVENTS
rm -rf "$RUN"
mkdir -p "$RUN"
python3 "$ROOT/benches/feeds.py" generate "$RUN/feeds.nq" "$EVENTS" "$VENUES"
QUADS=$(wc -l <"$RUN/feeds.nq")
echo "loading $QUADS quads into both stores" >&2
"$KULTURNETZ" load "$RUN/feeds.nq" --store "$RUN/kn/store" 2>"$RUN/kn-load.log"
"$OXIGRAPH" load --location "$RUN/oxigraph" --file "$RUN/feeds.nq" 2>"$RUN/ox-load.log"

start_servers "$RUN/kn/store" "$RUN/oxigraph" "$RUN"

echo "# /feeds/events against SPARQL on Oxigraph ($EVENTS events, $VENUES venues, $QUADS quads), $(date -u +%Y-%m-%d)"
echo
# shellcheck disable=SC2086
python3 "$ROOT/benches/feeds.py" drive --kulturnetz "http://127.0.0.1:$KN_PORT" \
  --oxigraph "http://127.0.0.1:$OX_PORT/query" --clients $CLIENTS --seconds "$DURATION"
