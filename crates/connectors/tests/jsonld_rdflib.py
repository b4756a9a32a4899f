"""Compares the jsonld connector's output for one file with what rdflib makes of it.

Usage: jsonld_rdflib.py CONTEXT INPUT OURS_NT

The input is split into items and the schema.org context substituted by the local copy the
same way the connector does it; then both graphs are compared on their triples without blank
nodes and as graphs up to blank node renaming (isomorphism), numbers compared by value and
`https://schema.org/` read as `http://schema.org/`. Exit status 0 if they agree.
"""

import json
import sys

import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

SCHEMA_ORG = {
    "http://schema.org", "http://schema.org/", "https://schema.org", "https://schema.org/",
    "http://schema.org/docs/jsonldcontext.json", "https://schema.org/docs/jsonldcontext.json",
    "http://schema.org/docs/jsonldcontext.jsonld", "https://schema.org/docs/jsonldcontext.jsonld",
}
NUMERIC = {XSD.double, XSD.float, XSD.decimal, XSD.integer}


def flatten(items):
    for item in items:
        if isinstance(item, list):
            yield from flatten(item)
        else:
            yield item


def split(doc):
    if isinstance(doc, list):
        return list(flatten(doc))
    if isinstance(doc.get("@graph"), list):
        context = doc.get("@context")
        out = []
        for node in doc["@graph"]:
            if context is not None and isinstance(node, dict) and "@context" not in node:
                node = dict(node, **{"@context": context})
            out.append(node)
        return out
    if "@context" not in doc and "@type" not in doc and isinstance(doc.get("items"), list):
        return list(flatten(doc["items"]))
    return [doc]


def substitute(context, local):
    if isinstance(context, str) and context in SCHEMA_ORG:
        return local
    if isinstance(context, list):
        return [substitute(c, local) for c in context]
    return context


def norm_term(term):
    if isinstance(term, URIRef):
        text = str(term)
        if text.startswith("https://schema.org/"):
            text = "http://schema.org/" + text[len("https://schema.org/"):]
        return ("iri", text)
    if isinstance(term, Literal):
        datatype = str(term.datatype) if term.datatype else None
        if datatype and datatype.startswith("https://schema.org/"):
            datatype = "http://schema.org/" + datatype[len("https://schema.org/"):]
        value = str(term)
        if term.datatype in NUMERIC:
            value = float(value)
        return ("lit", value, (term.language or "").lower(), datatype)
    return ("bnode",)


def canonical(graph):
    """The graph with IRIs and literals in the normal form of `norm_term`."""

    def term(t):
        if isinstance(t, BNode):
            return t
        n = norm_term(t)
        if n[0] == "iri":
            return URIRef(n[1])
        value, lang, datatype = n[1], n[2], n[3]
        if lang:
            return Literal(str(value), lang=lang)
        return Literal(repr(value) if isinstance(value, float) else value,
                       datatype=URIRef(datatype) if datatype else None)

    out = rdflib.Graph()
    for s, p, o in graph:
        out.add((term(s), term(p), term(o)))
    return out


def triples(graph):
    named, total = set(), 0
    for s, p, o in graph:
        total += 1
        if isinstance(s, BNode) or isinstance(o, BNode):
            continue
        named.add((norm_term(s), norm_term(p), norm_term(o)))
    return named, total


def main():
    context_path, input_path, ours_path = sys.argv[1:4]
    with open(context_path, encoding="utf-8") as f:
        local = json.load(f)["@context"]
    with open(input_path, encoding="utf-8") as f:
        doc = json.load(f)
    theirs = rdflib.Graph()
    for item in split(doc):
        if isinstance(item, dict) and "@context" in item:
            item = dict(item, **{"@context": substitute(item["@context"], local)})
        graph = rdflib.Graph()
        graph.parse(data=json.dumps(item), format="json-ld")
        theirs += graph  # blank nodes stay apart: rdflib labels them per parse
    ours = rdflib.Graph()
    ours.parse(ours_path, format="nt")
    (a, a_total), (b, b_total) = triples(ours), triples(theirs)
    same_graph = isomorphic(canonical(ours), canonical(theirs))
    if a == b and a_total == b_total and same_graph:
        print(f"{input_path}: isomorphic to rdflib's graph: {a_total} triples, "
              f"{len(a)} of them without blank nodes")
        return 0
    for t in sorted(a - b, key=repr)[:20]:
        print("only ours:  ", t)
    for t in sorted(b - a, key=repr)[:20]:
        print("only rdflib:", t)
    print(f"{input_path}: ours {a_total} triples ({len(a)} without blank nodes), "
          f"rdflib {b_total} ({len(b)}); isomorphic: {same_graph}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
