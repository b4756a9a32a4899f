"""The feeds benchmark of benches/feeds.sh: generates the data, and drives the servers.

`generate OUT EVENTS VENUES`: deterministic N-Quads in Kulturnetz's model (events with
`schema:location`, venues with a `schema:geo` node and a `kn:accessibility` node), two graphs.

`drive --kulturnetz URL --oxigraph URL`: one question, events in June 2025 within 15 km of Erfurt at
wheelchair-accessible venues, soonest first, 50 a page, asked as `/feeds/events` of Kulturnetz
and as the same SPARQL `SELECT` of Oxigraph's server; C keep-alive clients for D seconds each,
then p50 and p99 latency and requests per second, as a markdown table.
"""

import argparse
import http.client
import random
import time
import urllib.parse

from common import load

BASE = "https://daten.kultur.example/"
S = "http://schema.org/"
KN = "https://w3id.org/kulturnetz/ontology/kulturnetz#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# Cities the venues cluster around (latitude, longitude).
CITIES = [
    (50.9787, 11.0328), (50.9795, 11.3235), (50.9271, 11.5892), (52.5200, 13.4050),
    (51.3397, 12.3731), (51.0504, 13.7373), (52.3759, 9.7320), (53.5511, 9.9937),
    (48.1351, 11.5820), (50.1109, 8.6821), (50.9375, 6.9603), (48.7758, 9.1829),
    (52.1205, 11.6276), (51.4818, 11.9700), (54.0924, 12.0991), (49.4521, 11.0767),
]
CATEGORIES = ["Konzert", "Ausstellung", "Führung", "Lesung", "Theater", "Workshop",
              "Kinder", "Film", "Tanz", "Vortrag"]
WORDS = ["Sommer", "Nacht", "Museum", "Musik", "Stadt", "Geschichte", "Kunst", "Familie",
         "Jazz", "Klassik", "Barock", "Moderne", "Fotografie", "Natur", "Technik"]


def generate(out, events, venues):
    rnd = random.Random(16)
    gv = f"<{BASE}graph/bench-venues>"
    ge = f"<{BASE}graph/bench-events>"
    access = [f"<{KN}Yes>", f"<{KN}Limited>", f"<{KN}No>"]
    with open(out, "w", encoding="utf-8") as f:
        w = f.write
        for i in range(venues):
            v = f"<{BASE}id/venue/v{i}>"
            lat0, lon0 = CITIES[i % len(CITIES)]
            lat = lat0 + rnd.gauss(0, 0.08)
            lon = lon0 + rnd.gauss(0, 0.12)
            kind = "Museum" if i % 3 == 0 else "Place"
            w(f"{v} <{RDF_TYPE}> <{S}{kind}> {gv} .\n")
            w(f'{v} <{S}name> "{rnd.choice(WORDS)}haus {i}"@de {gv} .\n')
            w(f"{v} <{S}geo> <{BASE}id/venue/v{i}/geo> {gv} .\n")
            w(f'<{BASE}id/venue/v{i}/geo> <{S}latitude> "{lat:.6f}"^^<{XSD}decimal> {gv} .\n')
            w(f'<{BASE}id/venue/v{i}/geo> <{S}longitude> "{lon:.6f}"^^<{XSD}decimal> {gv} .\n')
            w(f"{v} <{KN}accessibility> <{BASE}id/venue/v{i}/a11y> {gv} .\n")
            w(f"<{BASE}id/venue/v{i}/a11y> <{KN}wheelchairAccess> {access[rnd.randrange(3)]} {gv} .\n")
            if rnd.random() < 0.4:
                w(f'<{BASE}id/venue/v{i}/a11y> <{KN}hasToiletWheelchairAccessible> "true"^^<{XSD}boolean> {gv} .\n')
        start = 1735689600  # 2025-01-01T00:00:00Z
        for i in range(events):
            e = f"<{BASE}id/event/e{i}>"
            t = start + rnd.randrange(365 * 24) * 3600
            when = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t + 7200)) + "+02:00"
            w(f"{e} <{RDF_TYPE}> <{S}Event> {ge} .\n")
            w(f'{e} <{S}name> "{rnd.choice(CATEGORIES)}: {rnd.choice(WORDS)} {i}"@de {ge} .\n')
            w(f'{e} <{S}startDate> "{when}"^^<{XSD}dateTime> {ge} .\n')
            w(f"{e} <{S}location> <{BASE}id/venue/v{rnd.randrange(venues)}> {ge} .\n")
            w(f'{e} <{S}keywords> "{rnd.choice(CATEGORIES)}" {ge} .\n')
            w(f'{e} <{S}description> "{" ".join(rnd.choice(WORDS) for _ in range(12))}"@de {ge} .\n')


FEED = "/feeds/events?from=2025-06-01&to=2025-06-30&near=50.9787,11.0328&radius_km=15&accessible=wheelchair&limit=50"

# The same question as plain SPARQL: the planar distance of the feed (docs/feeds.md).
KY2 = 111.195 ** 2
KX2 = (111.195 * 0.62984) ** 2  # cos(50.9787°)
SPARQL = f"""PREFIX schema: <http://schema.org/>
PREFIX kn: <{KN}>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?event ?start ?name ?venue ?lat ?lon WHERE {{
  ?event schema:startDate ?start ; schema:location ?venue .
  FILTER(?start >= "2025-06-01T00:00:00Z"^^xsd:dateTime && ?start < "2025-07-01T00:00:00Z"^^xsd:dateTime)
  ?venue kn:accessibility/kn:wheelchairAccess kn:Yes ; schema:geo ?g .
  ?g schema:latitude ?lat ; schema:longitude ?lon .
  FILTER((xsd:double(?lat) - 50.9787) * (xsd:double(?lat) - 50.9787) * {KY2}
       + (xsd:double(?lon) - 11.0328) * (xsd:double(?lon) - 11.0328) * {KX2} <= 225)
  OPTIONAL {{ ?event schema:name ?name }}
}} ORDER BY ?start ?event LIMIT 50"""


def first(host, port, path, headers):
    conn = http.client.HTTPConnection(host, port, timeout=600)
    t0 = time.perf_counter()
    conn.request("GET", path, headers=headers)
    r = conn.getresponse()
    body = r.read()
    assert r.status == 200, (r.status, body[:500])
    return time.perf_counter() - t0, body


def drive(args):
    kn = urllib.parse.urlsplit(args.kulturnetz)
    ox = urllib.parse.urlsplit(args.oxigraph)
    ox_path = f"{ox.path}?query={urllib.parse.quote(SPARQL)}"
    ox_headers = {"Accept": "application/sparql-results+json"}
    kn_first, body = first(kn.hostname, kn.port, FEED, {})
    import json
    kn_rows = len(json.loads(body)["events"])
    ox_first, body = first(ox.hostname, ox.port, ox_path, ox_headers)
    ox_rows = len(json.loads(body)["results"]["bindings"])
    rows = []
    for clients in args.clients:
        k = load(kn.hostname, kn.port, [FEED], {}, clients, args.seconds)
        o = load(ox.hostname, ox.port, [ox_path], ox_headers, clients, args.seconds)
        rows.append((clients, k, o))
    print(f"- first request (Kulturnetz reads its feed index): {kn_first * 1000:.0f} ms; "
          f"Oxigraph's first: {ox_first * 1000:.0f} ms")
    print(f"- rows: Kulturnetz {kn_rows} events (with venue, address, accessibility, source), "
          f"Oxigraph {ox_rows} rows")
    print()
    print("| clients | server | requests | p50 ms | p99 ms | req/s | errors | p50 ratio (Oxigraph / Kulturnetz) |")
    print("|---|---|---|---|---|---|---|---|")
    for clients, k, o in rows:
        ratio = o["p50"] / k["p50"] if k["p50"] else float("nan")
        print(f"| {clients} | Kulturnetz `/feeds/events` | {k['requests']} | {k['p50']:.2f} | {k['p99']:.2f} | {k['rps']:.0f} | {k['errors']} | {ratio:.1f}× |")
        print(f"| {clients} | Oxigraph SPARQL | {o['requests']} | {o['p50']:.2f} | {o['p99']:.2f} | {o['rps']:.0f} | {o['errors']} | |")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("generate")
    g.add_argument("out")
    g.add_argument("events", type=int)
    g.add_argument("venues", type=int)
    d = sub.add_parser("drive")
    d.add_argument("--kulturnetz", required=True)
    d.add_argument("--oxigraph", required=True)
    d.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    d.add_argument("--seconds", type=float, default=15)
    args = p.parse_args()
    if args.cmd == "generate":
        generate(args.out, args.events, args.venues)
    else:
        drive(args)


if __name__ == "__main__":
    main()
