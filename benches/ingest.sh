#!/usr/bin/env bash
# Ingest against bulk load, side by side in one run: `kulturnetz ingest` converts 1 M CSV rows
# through YARRRML (objects and institutions of ../shared/bench's generator) and 100 k iCalendar
# events into the embedded store; `oxigraph load` and `kulturnetz load` then load the very quads
# that ingest published (dumped as N-Quads) into fresh stores. Each step runs RUNS times,
# interleaved; the report gives the median wall-clock time and peak memory of each and the
# ratios the pipeline is held to (ingest <= 1.2x and load <= 1.1x `oxigraph load`).
#
#   benches/ingest.sh                      # 10k institutions, 1M objects, 100k events, 3 runs
#   OBJECTS=200000 EVENTS=20000 RUNS=1 benches/ingest.sh
#   VALIDATE=warn benches/ingest.sh        # with SHACL validation against ontologies/shapes
#
# Knobs: KULTURNETZ (the binary; default: built with cargo), SHARED (../shared), WORK (scratch,
# default ${TMPDIR:-/tmp}/kulturnetz-bench-ingest), OXIGRAPH (default: the pinned version of
# ../shared/bench/requirements-peers.txt in a venv under WORK), RUNS, INSTITUTIONS, OBJECTS,
# EVENTS, VALIDATE (off by default: conversion and loading alone).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
WORK=${WORK:-${TMPDIR:-/tmp}/kulturnetz-bench-ingest}
RUNS=${RUNS:-3}
INSTITUTIONS=${INSTITUTIONS:-10000}
OBJECTS=${OBJECTS:-1000000}
EVENTS=${EVENTS:-100000}
VALIDATE=${VALIDATE:-off}
mkdir -p "$WORK"

# shellcheck source=benches/common.sh
source "$ROOT/benches/common.sh"
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }

DATA=$WORK/data-$INSTITUTIONS-$OBJECTS-$EVENTS
if [[ ! -f $DATA/manifest.json ]]; then
  python3 "$SHARED/bench/gen.py" --scale large --institutions "$INSTITUTIONS" \
    --objects "$OBJECTS" --events "$EVENTS" --out "$DATA"
fi
cp "$ROOT/benches/ingest/"*.yarrrml.yaml "$DATA/"
cat >"$DATA/kulturnetz.toml" <<TOML
[site]
base_iri = "https://daten.kultur.example/"
title = "Ingest benchmark"
publisher = "Kulturnetz"
license = "http://dcat-ap.de/def/licenses/cc-by/4.0"

[store]
path = "store"

[pipeline]
shapes = "$ROOT/ontologies/shapes"

[[source]]
id = "institutions"
kind = "yarrrml"
path = "institutions.csv"
mapping = "institutions.yarrrml.yaml"
validate = "$VALIDATE"

[[source]]
id = "objects"
kind = "yarrrml"
path = "objects.csv"
mapping = "objects.yarrrml.yaml"
validate = "$VALIDATE"

[[source]]
id = "events"
kind = "ical"
path = "events.ics"
window_start = "2020-01-01"
window_end = "2030-12-31"
validate = "$VALIDATE"
TOML

# Runs a command under GNU time; appends "label seconds kilobytes" to $WORK/times.
timed() {
  local label=$1
  shift
  /usr/bin/time -o "$WORK/time.out" -f "%e %M" "$@" >"$WORK/$label.log" 2>&1 || {
    echo "$label failed:" >&2
    tail -20 "$WORK/$label.log" >&2
    exit 1
  }
  echo "$label $(cat "$WORK/time.out")" >>"$WORK/times"
}

: >"$WORK/times"
for run in $(seq "$RUNS"); do
  rm -rf "$DATA/store" "$DATA/ox-store" "$DATA/kn-load"
  (cd "$DATA" && timed ingest "$KULTURNETZ" ingest --log-format json --no-dumps \
    --report "$WORK/report.json")
  # What the target is about, converting and publishing the sources, is the time from the first
  # source's start to the last one's end in the JSON log; the linking stage and the search
  # index that follow are reported on their own.
  python3 - "$WORK/ingest.log" "$WORK/report.json" >>"$WORK/times" <<'PY'
import datetime, json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
at = lambda e: datetime.datetime.fromisoformat(e["timestamp"].replace("Z", "+00:00")).timestamp()
started = min(at(e) for e in events if e["message"] == "source started")
finished = max(at(e) for e in events if e["message"] == "source finished")
print("publish", round(finished - started, 3), 0)
print("linking", (json.load(open(sys.argv[2])).get("linking") or {}).get("seconds", 0.0), 0)
PY
  if [[ ! -f $DATA/published.nq ]] || [[ $run == 1 ]]; then
    rm -rf "$DATA/dump"
    "$KULTURNETZ" dump --config "$DATA/kulturnetz.toml" --out "$DATA/dump" >/dev/null 2>&1
    gzip -dc "$DATA/dump/all.nq.gz" >"$DATA/published.nq"
  fi
  timed oxigraph "$OXIGRAPH" load --location "$DATA/ox-store" --file "$DATA/published.nq"
  timed load "$KULTURNETZ" load --store "$DATA/kn-load" "$DATA/published.nq"
done

quads=$(wc -l <"$DATA/published.nq")
rows=$(( $(wc -l <"$DATA/objects.csv") + $(wc -l <"$DATA/institutions.csv") - 2 ))
python3 - "$WORK/times" "$quads" "$rows" "$EVENTS" "$RUNS" "$VALIDATE" <<'PY'
import statistics, sys
times, quads, rows, events, runs, validate = sys.argv[1:]
by = {}
for line in open(times):
    label, seconds, kb = line.split()
    by.setdefault(label, []).append((float(seconds), int(kb)))
med = {k: (statistics.median(s for s, _ in v), statistics.median(m for _, m in v) / 1024) for k, v in by.items()}
ox_s, ox_m = med["oxigraph"]
print(f"# Ingest against bulk load: {rows} CSV rows + {events} iCalendar events -> {quads} quads "
      f"(median of {runs}, validate = {validate})\n")
print("| step | time (s) | min-max | peak (MB) | time / oxigraph load | peak / oxigraph load |")
print("|---|---|---|---|---|---|")
# Converting and publishing share the ingest's process: its peak memory is theirs at most.
med["publish"] = (med["publish"][0], med["ingest"][1])
for label, what in [("oxigraph", "`oxigraph load` of the published quads"),
                    ("publish", "`kulturnetz ingest`: the sources converted, validated, published"),
                    ("ingest", "`kulturnetz ingest`, whole (with linking and the search index)"),
                    ("load", "`kulturnetz load` of the published quads")]:
    s, m = med[label]
    lo, hi = min(x for x, _ in by[label]), max(x for x, _ in by[label])
    print(f"| {what} | {s:.2f} | {lo:.2f}-{hi:.2f} | {m:.0f} | {s / ox_s:.2f}x | {m / ox_m:.2f}x |")
lk = [s for s, _ in by["linking"]]
print(f"\nLinking stage: {statistics.median(lk):.2f} s (median; peak memory is the whole ingest's).")
PY
