# What the benchmark scripts share; sourced by them once ROOT, SHARED and WORK are set. Sets
# KULTURNETZ (built here with cargo unless given) and OXIGRAPH (unless given, the version
# ../shared/bench pins, in a venv under WORK), and defines the helpers below.
# shellcheck shell=bash

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

# A free TCP port on 127.0.0.1.
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Serves the Kulturnetz store $1 and the Oxigraph store $2 read-only on free ports (KN_PORT,
# OX_PORT; logs kn.log and oxigraph.log in the folder $3) until the script ends; returns once
# both answer. KN_PID and OX_PID name the two servers.
start_servers() {
  KN_PORT=$(port)
  OX_PORT=$(port)
  "$KULTURNETZ" serve --no-ingest --store "$1" --bind "127.0.0.1:$KN_PORT" 2>"$3/kn.log" &
  KN_PID=$!
  "$OXIGRAPH" serve-read-only --location "$2" --bind "127.0.0.1:$OX_PORT" \
    --union-default-graph 2>"$3/oxigraph.log" &
  OX_PID=$!
  trap 'kill $KN_PID $OX_PID 2>/dev/null || true' EXIT
  local url
  for url in "http://127.0.0.1:$KN_PORT/health" "http://127.0.0.1:$OX_PORT/query"; do
    for _ in $(seq 600); do curl -fs -o /dev/null "$url" 2>/dev/null && break; sleep 0.1; done
  done
}

# The shared benchmark's data at scale $1 as N-Quads (../shared/bench/gen.py's files mapped by
# its RML mapping with `kulturnetz map`), made once into WORK/$1/all.nq; prints that path.
shared_data() {
  local data=$WORK/$1
  if [[ ! -f $data/all.nq ]]; then
    echo "generating the $1 data into $data" >&2
    mkdir -p "$data"
    grep -qs "\"scale\": \"$1\"" "$data/manifest.json" ||
      python3 "$SHARED/bench/gen.py" --scale "$1" --out "$data" >&2
    cp "$SHARED/bench/mapping/kulturnetz-bench.rml.ttl" "$data/kn-mapping.rml.ttl"
    "$KULTURNETZ" map "$data/kn-mapping.rml.ttl" --out "$data/all.nq.part" --format nq >&2
    mv "$data/all.nq.part" "$data/all.nq"
  fi
  echo "$data/all.nq"
}
