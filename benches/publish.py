"""The `/id/` part of benches/publish.sh: C keep-alive clients ask for the pages of IRIs drawn
from the data, for D seconds each: Kulturnetz's `/id/…` as HTML and as Turtle, and the same
IRIs as `DESCRIBE` on Oxigraph's server (Turtle); p50 and p99 latency and requests per second,
as a markdown table.

`drive --nq FILE --kulturnetz URL --oxigraph URL [--clients 1 4] [--seconds 10]`
"""

import argparse
import random
import urllib.parse

from common import load

BASE = "https://daten.kultur.example/"


def iris(nq, count):
    """`count` subjects under `{BASE}id/`, drawn with a fixed seed."""
    subjects = set()
    with open(nq, encoding="utf-8") as f:
        for line in f:
            if line.startswith("<" + BASE + "id/"):
                subjects.add(line[1:line.index(">")])
    subjects = sorted(subjects)
    return random.Random(15).sample(subjects, min(count, len(subjects)))


def drive(args):
    chosen = iris(args.nq, 500)
    kn = urllib.parse.urlsplit(args.kulturnetz)
    ox = urllib.parse.urlsplit(args.oxigraph)
    # A request line is ASCII: what an IRI has beyond it goes percent-encoded (as a browser sends it).
    kn_paths = [urllib.parse.quote(urllib.parse.urlsplit(i).path, safe="/%:@!$&'()*+,;=") for i in chosen]
    ox_paths = [f"{ox.path}?query={urllib.parse.quote(f'DESCRIBE <{i}>')}" for i in chosen]
    runs = [
        ("Kulturnetz `/id/…` HTML", kn, kn_paths, {"Accept": "text/html"}),
        ("Kulturnetz `/id/…` Turtle", kn, kn_paths, {"Accept": "text/turtle"}),
        ("Oxigraph `DESCRIBE` Turtle", ox, ox_paths, {"Accept": "text/turtle"}),
    ]
    print(f"- {len(chosen)} IRIs drawn from {args.nq}, each request one of them at random")
    print()
    print("| clients | what | requests | p50 ms | p99 ms | req/s | errors |")
    print("|---|---|---|---|---|---|---|")
    for clients in args.clients:
        for label, url, paths, headers in runs:
            r = load(url.hostname, url.port, paths, headers, clients, args.seconds)
            print(f"| {clients} | {label} | {r['requests']} | {r['p50']:.2f} | {r['p99']:.2f} | "
                  f"{r['rps']:.0f} | {r['errors']} |", flush=True)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("drive")
    d.add_argument("--nq", required=True)
    d.add_argument("--kulturnetz", required=True)
    d.add_argument("--oxigraph", required=True)
    d.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    d.add_argument("--seconds", type=float, default=10)
    drive(p.parse_args())


if __name__ == "__main__":
    main()
