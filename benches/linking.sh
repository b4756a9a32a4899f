#!/usr/bin/env bash
# Linking beside loading at generated scale, in one run: ingests four sources made by
# ../shared/bench/gen.py (institutions and objects mapped by the kit's RML mapping, events as
# iCalendar, accessibility as A11yJSON: the accessibility directory overlaps the institutions)
# into a fresh store with --report, and prints each source's load time, its validation's (part
# of it) and the linking stage's.
#
#   benches/linking.sh small|medium|large      (KULTURNETZ=path/to/kulturnetz, WORK=scratch dir,
#                                               VALIDATE=warn|gate|off, default warn)
set -euo pipefail
SCALE=${1:-small}
VALIDATE=${VALIDATE:-warn}
REPO=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${KULTURNETZ_SHARED:-$REPO/../shared}
K=${KULTURNETZ:-${CARGO_TARGET_DIR:-$REPO/target}/release/kulturnetz}
W=${WORK:-${TMPDIR:-/tmp}/kulturnetz-linking}/$SCALE
mkdir -p "$W"
if [ ! -f "$W/manifest.json" ]; then python3 "$SHARED/bench/gen.py" --scale "$SCALE" --out "$W" >/dev/null; fi
if [ ! -f "$W/institutions.nq" ]; then
  cp "$SHARED/bench/mapping/kulturnetz-bench.rml.ttl" "$W/m.rml.ttl"
  "$K" map "$W/m.rml.ttl" --out "$W/all.nq" --format nq
  grep -F '<https://daten.kultur.example/graph/institutions> .' "$W/all.nq" > "$W/institutions.nq"
  grep -F '<https://daten.kultur.example/graph/objects> .' "$W/all.nq" > "$W/objects.nq"
  # The generator names a PlaceInfo by originalId; accessibility.cloud names it _id.
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); [f['properties'].__setitem__('_id', f['properties']['originalId']) for f in d['features']]; json.dump(d, open(sys.argv[2],'w'))" "$W/a11y.json" "$W/a11y-id.json"
fi
rm -rf "$W/site" && mkdir -p "$W/site"
cat > "$W/site/kulturnetz.toml" <<TOML
[pipeline]
shapes = "$REPO/ontologies/shapes"
[site]
base_iri = "https://daten.kultur.example/"
title = "bench"
[store]
path = "store"
[[source]]
id = "institutions"
kind = "rdf"
path = "$W/institutions.nq"
validate = "$VALIDATE"
[[source]]
id = "objects"
kind = "rdf"
path = "$W/objects.nq"
validate = "$VALIDATE"
[[source]]
id = "events"
kind = "ical"
path = "$W/events.ics"
window_start = "2025-01-01"
window_end = "2025-12-31"
validate = "$VALIDATE"
max_rejected = "5%"
[[source]]
id = "a11y"
kind = "a11yjson"
path = "$W/a11y-id.json"
validate = "$VALIDATE"
max_rejected = "5%"
TOML
cd "$W/site"
/usr/bin/time -f "ingest wall %e s, peak %M KB" "$K" ingest --report report.json >/dev/null 2>ingest.err || { tail -5 ingest.err; exit 1; }
tail -1 ingest.err
python3 - <<'PY'
import json
r=json.load(open('report.json'))
checked=lambda s: (s.get('validation') or {}).get('seconds', 0)
validation=sum(checked(s) for s in r['sources'])
load=sum(s['seconds'] for s in r['sources'])-validation
for s in r['sources']: print(f"  {s['id']:<13} {s['outcome']:<8} {s['triples']:>9} triples {s['seconds']-checked(s):7.2f} s, validation {checked(s):6.2f} s, {(s.get('validation') or {}).get('violations', 0)} violations")
l=r.get('linking') or {}
print(f"  load (sum of sources, without validation) {load:.2f} s; validation {validation:.2f} s; linking {l.get('seconds',0):.2f} s; links {l.get('links')} {l.get('per_kind')}; records read: venues {l.get('venues')}, events {l.get('events')}, accessibility {l.get('accessibility')}, objects {l.get('objects')}")
PY
