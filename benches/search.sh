#!/usr/bin/env bash
# Search against plain SPARQL, side by side in one run: the generated data of ../shared/bench
# (scale medium: 10k venues, 200k objects, 20k events, 1.7 M quads) loaded into a Kulturnetz store
# and into Oxigraph's; `kulturnetz reindex` builds the search indexes (time, size); then both
# servers answer the same three questions, interleaved run by run (benches/search.py): a text
# search on titles, the ten nearest venues, and events in a date range at wheelchair-accessible
# venues near a point. Last, a one-source change is ingested, to show that the index update
# follows the source, not the store.
#
#   benches/search.sh                       # scale medium, 20 runs a query
#   SCALE=small RUNS=50 benches/search.sh
#
# Knobs: KULTURNETZ (the binary; default: built with cargo), SHARED (../shared), WORK (scratch,
# default ${TMPDIR:-/tmp}/kulturnetz-bench), OXIGRAPH (default: the pinned version of
# ../shared/bench/requirements-peers.txt in a venv under WORK), SCALE, RUNS, WARMUP. The data,
# WORK/SCALE/all.nq, is made by ../shared/bench/gen.py and `kulturnetz map` if missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
WORK=${WORK:-${TMPDIR:-/tmp}/kulturnetz-bench}
SCALE=${SCALE:-medium}
RUNS=${RUNS:-20}
WARMUP=${WARMUP:-3}
mkdir -p "$WORK"

# shellcheck source=benches/common.sh
source "$ROOT/benches/common.sh"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }

NQ=$(shared_data "$SCALE")
QUADS=$(wc -l <"$NQ")
RUN=$WORK/search-$SCALE
rm -rf "$RUN"
mkdir -p "$RUN"

# Wall-clock seconds and peak RSS (MB) of a command, from GNU time.
timed() {
  /usr/bin/time -f '%e %M' -o "$RUN/time" "$@" >"$RUN/out" 2>"$RUN/err" || { cat "$RUN/err" >&2; exit 1; }
  read -r secs kb <"$RUN/time"
  echo "$secs $((kb / 1024))"
}

echo "loading $QUADS quads into both stores" >&2
read -r KN_LOAD _ < <(timed "$KULTURNETZ" load "$NQ" --store "$RUN/kn/store")
read -r OX_LOAD _ < <(timed "$OXIGRAPH" load --location "$RUN/oxigraph" --file "$NQ")
read -r INDEX_S INDEX_MB < <(timed "$KULTURNETZ" reindex --store "$RUN/kn/store")
INDEX_LINE=$(grep 'rebuilt' "$RUN/err")
INDEX_BYTES=$(du -sb "$RUN/kn/search" | cut -f1)

start_servers "$RUN/kn/store" "$RUN/oxigraph" "$RUN"

python3 "$ROOT/benches/search.py" --kulturnetz "http://127.0.0.1:$KN_PORT" \
  --oxigraph "http://127.0.0.1:$OX_PORT/query" --runs "$RUNS" --warmup "$WARMUP" >"$RUN/queries.md"
kill $KN_PID
wait $KN_PID 2>/dev/null || true

# A one-source change: a new source of 100 venues ingested into the same store.
python3 - "$RUN/extra.ttl" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    for i in range(100):
        f.write(f'<https://daten.kultur.example/id/venue/extra{i}> <http://schema.org/name> "Neuer Ort {i}"@de ;'
                f' <http://schema.org/latitude> {50.9 + i / 1000} ; <http://schema.org/longitude> {11.0 + i / 1000} .\n')
PY
cat >"$RUN/kulturnetz.toml" <<TOML
[site]
base_iri = "https://daten.kultur.example/"
title = "Search benchmark"

[store]
path = "kn/store"

[[source]]
id = "extra"
kind = "rdf"
path = "extra.ttl"
validate = "off"
TOML
(cd "$RUN" && timed "$KULTURNETZ" ingest --config kulturnetz.toml >/dev/null)
UPDATE_LINE=$(grep 'search index' "$RUN/err" || true)

mquads=$(python3 -c "print($QUADS / 1e6)")
cat <<MD
# Search against plain SPARQL ($SCALE: $QUADS quads), $(date -u +%Y-%m-%d)

| step | seconds |
|---|---|
| \`kulturnetz load\` | $KN_LOAD |
| \`oxigraph load\` | $OX_LOAD |
| \`kulturnetz reindex\` | $INDEX_S (peak $INDEX_MB MB) |

- reindex: $INDEX_LINE
- index size: $(python3 -c "print(f'{$INDEX_BYTES / 1e6:.1f} MB, {$INDEX_BYTES / 1e6 / $mquads:.1f} MB per million triples')");
  build $(python3 -c "print(f'{$INDEX_S / $mquads:.1f}')") s per million triples
- one new source of 100 venues (300 triples), ingested into the same store: $UPDATE_LINE

$(cat "$RUN/queries.md")
MD
