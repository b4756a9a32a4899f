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
# shellcheck source=benches/common.sh
source "$ROOT/benches/common.sh"

NQ=$(shared_data "$SCALE")
RUN=$WORK/publish-$SCALE
rm -rf "$RUN"
mkdir -p "$RUN"
QUADS=$(wc -l <"$NQ")
echo "loading $QUADS quads into both stores" >&2
"$KULTURNETZ" load "$NQ" --store "$RUN/kn/store" 2>"$RUN/kn-load.log"
"$OXIGRAPH" load --location "$RUN/oxigraph" --file "$NQ" 2>"$RUN/ox-load.log"
# The four graphs as sources, for the dumps per source (nothing is ingested from them).
cat >"$RUN/kn/kulturnetz.toml" <<TOML
[site]
base_iri = "https://daten.kultur.example/"
title = "publish bench"
[store]
path = "store"
TOML
for id in institutions objects events a11y; do
  printf '[[source]]\nid = "%s"\nkind = "rdf"\npath = "%s"\n' "$id" "$NQ" >>"$RUN/kn/kulturnetz.toml"
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

start_servers "$RUN/kn/store" "$RUN/oxigraph" "$RUN"
echo "## \`/id/\` pages"
echo
# shellcheck disable=SC2086
python3 "$ROOT/benches/publish.py" drive --nq "$NQ" \
  --kulturnetz "http://127.0.0.1:$KN_PORT" --oxigraph "http://127.0.0.1:$OX_PORT/query" \
  --clients $CLIENTS --seconds "$DURATION"
