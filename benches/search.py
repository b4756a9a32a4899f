"""The three search questions of benches/search.sh, asked of Kulturnetz and of Oxigraph's server,
interleaved run by run; prints a markdown table of median and p95 latency and result sizes.

Oxigraph answers plain SPARQL (the queries of ../shared/bench/queries: q03, q11, q01). Kulturnetz
answers the same questions from its search indexes: over /api/search and over SPARQL with the
kn: search patterns (which must give the same rows as Oxigraph's query where the semantics are
the same: q01, and q03's set of titles).
"""

import argparse
import json
import statistics
import time
import urllib.parse
import urllib.request

PREFIXES = """PREFIX schema: <http://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX bk: <https://daten.kultur.example/ontology/kulturnetz#>
PREFIX kn: <https://w3id.org/kulturnetz/ontology/kulturnetz#>
"""

TEXT_OXIGRAPH = PREFIXES + """SELECT ?obj ?title WHERE {
  ?obj a schema:CreativeWork ; schema:name ?title .
  FILTER(CONTAINS(LCASE(STR(?title)), "mondnacht"))
} ORDER BY ?title ?obj LIMIT 50"""

TEXT_KULTURNETZ = PREFIXES + """SELECT ?obj ?title WHERE {
  ?obj kn:textSearch "mondnacht" .
  ?obj a schema:CreativeWork ; schema:name ?title .
  FILTER(CONTAINS(LCASE(STR(?title)), "mondnacht"))
} ORDER BY ?title ?obj LIMIT 50"""

NEAREST_OXIGRAPH = PREFIXES + """SELECT ?venue ?name ?d2 WHERE {
  ?venue schema:latitude ?lat ; schema:longitude ?lon ; schema:name ?name .
  BIND(xsd:double(?lat) - 50.9787 AS ?dy)
  BIND(xsd:double(?lon) - 11.0328 AS ?dx)
  BIND(?dy * ?dy + ?dx * ?dx AS ?d2)
} ORDER BY ?d2 ?venue LIMIT 10"""

NEAREST_KULTURNETZ = PREFIXES + """SELECT ?venue ?name ?d WHERE {
  ?venue kn:nearest "50.9787 11.0328 10" ; schema:name ?name .
  BIND(kn:distance(?venue, "POINT(11.0328 50.9787)") AS ?d)
} ORDER BY ?d ?venue"""

EVENTS_OXIGRAPH = PREFIXES + """SELECT ?event ?name ?start ?venue ?venueName WHERE {
  ?event a schema:Event ; schema:name ?name ; schema:startDate ?start ; schema:location ?venue .
  FILTER(?start >= "2025-06-01T00:00:00+02:00"^^xsd:dateTime && ?start < "2025-07-01T00:00:00+02:00"^^xsd:dateTime)
  ?venue bk:wheelchair "yes" ; schema:latitude ?lat ; schema:longitude ?lon ; schema:name ?venueName .
  FILTER(?lat > 50.88 && ?lat < 51.08 && ?lon > 10.88 && ?lon < 11.18)
} ORDER BY ?start ?event LIMIT 100"""

# The box's half-diagonal is under 16 km from its centre: the radius holds the box, and the
# same box filter keeps the rows equal to Oxigraph's. First with the venues from the index and
# the rest joined in the store, then with the events from the index (their start and their
# location's point), intersected there.
EVENTS_KULTURNETZ_VENUES = PREFIXES + """SELECT ?event ?name ?start ?venue ?venueName WHERE {
  ?venue kn:nearby "50.98 11.03 16" .
  ?venue bk:wheelchair "yes" ; schema:latitude ?lat ; schema:longitude ?lon ; schema:name ?venueName .
  FILTER(?lat > 50.88 && ?lat < 51.08 && ?lon > 10.88 && ?lon < 11.18)
  ?event schema:location ?venue ; a schema:Event ; schema:name ?name ; schema:startDate ?start .
  FILTER(?start >= "2025-06-01T00:00:00+02:00"^^xsd:dateTime && ?start < "2025-07-01T00:00:00+02:00"^^xsd:dateTime)
} ORDER BY ?start ?event LIMIT 100"""

EVENTS_KULTURNETZ = PREFIXES + """SELECT ?event ?name ?start ?venue ?venueName WHERE {
  ?event kn:startsBetween "2025-06-01T00:00:00+02:00 2025-07-01T00:00:00+02:00" ;
         kn:locatedNear "50.98 11.03 16" .
  ?event a schema:Event ; schema:name ?name ; schema:startDate ?start ; schema:location ?venue .
  FILTER(?start >= "2025-06-01T00:00:00+02:00"^^xsd:dateTime && ?start < "2025-07-01T00:00:00+02:00"^^xsd:dateTime)
  ?venue bk:wheelchair "yes" ; schema:latitude ?lat ; schema:longitude ?lon ; schema:name ?venueName .
  FILTER(?lat > 50.88 && ?lat < 51.08 && ?lon > 10.88 && ?lon < 11.18)
} ORDER BY ?start ?event LIMIT 100"""


def sparql(endpoint, query):
    data = urllib.parse.urlencode({"query": query}).encode()
    request = urllib.request.Request(
        endpoint, data=data, headers={"Accept": "application/sparql-results+json"}
    )
    with urllib.request.urlopen(request, timeout=300) as r:
        rows = json.load(r)["results"]["bindings"]
    return rows


def api(base, query):
    with urllib.request.urlopen(f"{base}/api/search?{query}", timeout=300) as r:
        return json.load(r)["hits"]


def timed(call):
    start = time.perf_counter()
    result = call()
    return (time.perf_counter() - start) * 1000, result


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--kulturnetz", required=True)
    p.add_argument("--oxigraph", required=True)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    a = p.parse_args()
    kn_sparql = a.kulturnetz + "/sparql"
    questions = [
        ("text search (q03: titles with 'mondnacht')", [
            ("Oxigraph, SPARQL CONTAINS", lambda: sparql(a.oxigraph, TEXT_OXIGRAPH)),
            ("Kulturnetz, /api/search", lambda: api(a.kulturnetz, "q=mondnacht&type=schema:CreativeWork&limit=50")),
            ("Kulturnetz, SPARQL kn:textSearch", lambda: sparql(kn_sparql, TEXT_KULTURNETZ)),
        ]),
        ("ten nearest venues (q11)", [
            ("Oxigraph, SPARQL ORDER BY distance", lambda: sparql(a.oxigraph, NEAREST_OXIGRAPH)),
            ("Kulturnetz, /api/search", lambda: api(a.kulturnetz, "near=50.9787,11.0328&limit=10")),
            ("Kulturnetz, SPARQL kn:nearest", lambda: sparql(kn_sparql, NEAREST_KULTURNETZ)),
        ]),
        ("events by date, distance and accessibility (q01)", [
            ("Oxigraph, SPARQL", lambda: sparql(a.oxigraph, EVENTS_OXIGRAPH)),
            ("Kulturnetz, SPARQL kn:nearby (venues)", lambda: sparql(kn_sparql, EVENTS_KULTURNETZ_VENUES)),
            ("Kulturnetz, SPARQL kn:startsBetween + kn:locatedNear", lambda: sparql(kn_sparql, EVENTS_KULTURNETZ)),
        ]),
    ]
    print("| question | engine | median ms | p95 ms | rows |")
    print("|---|---|---|---|---|")
    notes = []
    for title, engines in questions:
        times = {name: [] for name, _ in engines}
        rows = {}
        for i in range(a.warmup + a.runs):
            for name, call in engines:
                ms, result = timed(call)
                if i >= a.warmup:
                    times[name].append(ms)
                rows[name] = result
        for name, _ in engines:
            t = sorted(times[name])
            p95 = t[min(len(t) - 1, int(round(0.95 * (len(t) - 1))))]
            print(f"| {title} | {name} | {statistics.median(t):.1f} | {p95:.1f} | {len(rows[name])} |")
        names = [n for n, _ in engines]
        same = lambda r: [tuple(sorted((k, v["value"]) for k, v in row.items() if k not in ("d", "d2"))) for row in r]
        if "text" in title or "events" in title:
            ox = rows[names[0]]
            for name in names[1:]:
                if "SPARQL" in name:
                    verdict = "equal" if same(ox) == same(rows[name]) else "DIFFER FROM"
                    notes.append(f"- {title}: the rows of {name} {verdict} Oxigraph's")
        if "nearest" in title:
            ox = [r["venue"]["value"] for r in rows[names[0]]]
            kn = [h["iri"] for h in rows[names[1]]]
            notes.append(f"- {title}: the same ten venues: {'yes' if sorted(ox) == sorted(kn) else 'no (degrees against metres)'}")
    print()
    print("\n".join(notes))


if __name__ == "__main__":
    main()
