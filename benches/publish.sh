#!/usr/bin/env bash
# Publishing, side by side with Oxigraph in one run, on the shared benchmark's data (the kit's
# RML mapping of ../shared/bench/gen.py's output at SCALE, four graphs):
# - dumps: `kulturnetz dump` against `oxigraph dump | gzip -4` of the same store (hyperfine):
#   the whole store as gzipped N-Quads (no sources configured: `all.nq.gz` and its VoID and
#   catalogue), then with the four graphs as sources (also `{id}.nq.gz` and `{id}.ttl.gz`);
# - `/id/…` pages: C keep-alive clients for D seconds (benches/publish.py): HTML and Turtle,
#   beside `DESCRIBE` of the same IRIs on Oxigraph's server.
#
#   benches/publish.sh [SCALE]                 # default medium (1.7 M quads)
#
# Knobs: KULTURNETZ (the binary; default: built with cargo), SHARED (../shared), WORK (scratch,
# default ${TMPDIR:-/tmp}/kulturnetz-bench), OXIGRAPH (default: the pinned version in a venv
# under WORK), RUNS (hyperfine runs, 3), CLIENTS ("1 4"), DURATION (seconds per run, 10).
set -euo pipefail
SCALE=${1:-medium}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
WORK=${WORK:-${TMPDIR:-/tmp}/kulturnetz-bench}
RUNS=${RUNS:-3}
CLIENTS=${CLIENTS:-1 4}
DURATION=${DURATION:-10}
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
if [[ -z ${KULTURNETZ:-} ]]; then
  (cd "$ROOT" && cargo build --release --quiet)
  KULTURNETZ=${CARGO_TARGET_DIR:-$ROOT/target}/release/kulturnetz
fi
if [[ -z ${OXIGRAPH:-} ]]; then
  if [[ ! -x $WORK/venv/bin/oxigraph ]]; then
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet "$(grep '^oxigraph==' "$SHARED/bench/requirements-peers.txt")"
  fi
  OXIGRAPH=$WORK/venv/bin/oxigraph
fi

DATA=$WORK/$SCALE
mkdir -p "$DATA"
[[ -f $DATA/manifest.json ]] || python3 "$SHARED/bench/gen.py" --scale "$SCALE" --out "$DATA" >/dev/null
if [[ ! -f $DATA/publish.nq ]]; then
  cp "$SHARED/bench/mapping/kulturnetz-bench.rml.ttl" "$DATA/publish-mapping.rml.ttl"
  "$KULTURNETZ" map "$DATA/publish-mapping.rml.ttl" --out "$DATA/publish.nq" --format nq
fi
RUN=$WORK/publish-$SCALE
rm -rf "$RUN"
mkdir -p "$RUN"
QUADS=$(wc -l <"$DATA/publish.nq")
echo "loading $QUADS quads into both stores" >&2
"$KULTURNETZ" load "$DATA/publish.nq" --store "$RUN/kn/store" 2>"$RUN/kn-load.log"
"$OXIGRAPH" load --location "$RUN/oxigraph" --file "$DATA/publish.nq" 2>"$RUN/ox-load.log"
# The four graphs as sources, for the dumps per source (nothing is ingested from them).
cat >"$RUN/kn/kulturnetz.toml" <<TOML
[site]
base_iri = "https://daten.kultur.example/"
title = "publish bench"
[store]
path = "store"
TOML
for id in institutions objects events a11y; do
  printf '[[source]]\nid = "%s"\nkind = "rdf"\npath = "%s"\n' "$id" "$DATA/publish.nq" >>"$RUN/kn/kulturnetz.toml"
done

echo "# Publishing against Oxigraph ($SCALE, $QUADS quads), $(date -u +%Y-%m-%d)"
echo
echo "## Dumps"
echo
hyperfine -N -w 1 -r "$RUNS" --export-markdown "$RUN/dumps.md" \
  -n "oxigraph dump | gzip -4" "bash -c '$OXIGRAPH dump --location $RUN/oxigraph --format nq | gzip -4 > $RUN/ox.nq.gz'" \
  -n "kulturnetz dump (whole store)" "$KULTURNETZ dump --store $RUN/kn/store --out $RUN/kn-all" \
  -n "kulturnetz dump (4 sources: + nq.gz, ttl.gz each)" "$KULTURNETZ dump --config $RUN/kn/kulturnetz.toml --out $RUN/kn-sources" \
  >"$RUN/hyperfine.log" 2>&1 || { cat "$RUN/hyperfine.log"; exit 1; }
cat "$RUN/dumps.md"
echo
echo "- sizes: oxigraph $(stat -c %s "$RUN/ox.nq.gz") bytes; kulturnetz all.nq.gz $(stat -c %s "$RUN/kn-all/all.nq.gz") bytes"
echo

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
KN_PORT=$(port)
OX_PORT=$(port)
"$KULTURNETZ" serve --no-ingest --store "$RUN/kn/store" --bind "127.0.0.1:$KN_PORT" 2>"$RUN/kn.log" &
KN_PID=$!
"$OXIGRAPH" serve-read-only --location "$RUN/oxigraph" --bind "127.0.0.1:$OX_PORT" \
  --union-default-graph 2>"$RUN/oxigraph.log" &
OX_PID=$!
trap 'kill $KN_PID $OX_PID 2>/dev/null || true' EXIT
for url in "http://127.0.0.1:$KN_PORT/health" "http://127.0.0.1:$OX_PORT/query"; do
  for _ in $(seq 600); do curl -fs -o /dev/null "$url" 2>/dev/null && break; sleep 0.1; done
done
echo "## \`/id/\` pages"
echo
# shellcheck disable=SC2086
python3 "$ROOT/benches/publish.py" drive --nq "$DATA/publish.nq" \
  --kulturnetz "http://127.0.0.1:$KN_PORT" --oxigraph "http://127.0.0.1:$OX_PORT/query" \
  --clients $CLIENTS --seconds "$DURATION"
