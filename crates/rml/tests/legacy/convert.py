#!/usr/bin/env python3
"""Regenerates the legacy-vocabulary golden cases in this folder from the RML-Core test cases.

Each `RMLTC*-JSON` case of the W3C Knowledge Graph Construction Community Group's RML-Core suite
is rewritten from the `http://w3id.org/rml/` vocabulary into the legacy one that most existing
mappings use: R2RML terms (`rr:`, http://www.w3.org/ns/r2rml#), the first RML namespace
(`rml:`, http://semweb.mmlab.be/ns/rml#) for logical sources, iterators, references and language
maps, and `ql:` (http://semweb.mmlab.be/ns/ql#) for reference formulations. A source description
`[ a rml:RelativePathSource; rml:root rml:MappingDirectory; rml:path "x.json" ]` becomes the plain
string "x.json", and a join condition's `rml:childMap [ rml:reference "x" ]` becomes
`rr:child "x"` (`rml:parentMap` likewise `rr:parent`). References from the record's root that
name one field (`$.Name`, `$.amounts[*]`, `$['Country Code']`) are written as legacy mappings
write them, relative to the iterator (`Name`, `amounts[*]`, `Country Code`); other JSONPath stays.
The rest of the mapping text, its layout and the case's input and expected output are kept as
they are. A case that uses a feature with no legacy form is skipped, and the README lists it with
the reason.

Every rewrite is checked: both mappings are parsed with rdflib, the legacy one is read back into
the new vocabulary, and the two graphs must be isomorphic (up to the types of the source
description, which the plain string drops, and of how references are written).

Rerun from the repository root, with `../shared` beside it (needs `pip install rdflib`):

    python3 crates/rml/tests/legacy/convert.py [RML-CORE-TEST-CASES-FOLDER]

The folder defaults to ../shared/conformance/rml/rml-core/test-cases. The script deletes and
rewrites every `RMLTC*` folder here and README.md; the other files (the hand-made cases, the
Morph-KGC runner and its list of disagreements) are left alone. The same suite gives the same
files, byte for byte.
"""

import csv
import os
import re
import shutil
import sys

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
DEFAULT_SUITE = os.path.join(REPO, "..", "shared", "conformance", "rml", "rml-core", "test-cases")

RML = "http://w3id.org/rml/"
RR = "http://www.w3.org/ns/r2rml#"
RML_LEGACY = "http://semweb.mmlab.be/ns/rml#"
QL = "http://semweb.mmlab.be/ns/ql#"
NEW_PREFIX = "@prefix rml: <http://w3id.org/rml/> .\n"
LEGACY_PREFIXES = (
    "@prefix rr: <http://www.w3.org/ns/r2rml#> .\n"
    "@prefix rml: <http://semweb.mmlab.be/ns/rml#> .\n"
    "@prefix ql: <http://semweb.mmlab.be/ns/ql#> .\n"
)

# RML-Core terms that R2RML defines under the same local name.
R2RML_TERMS = {
    "TriplesMap", "SubjectMap", "PredicateObjectMap", "PredicateMap", "ObjectMap", "GraphMap",
    "RefObjectMap", "Join", "TermMap",
    "subjectMap", "predicateObjectMap", "predicateMap", "objectMap", "graphMap",
    "subject", "predicate", "object", "graph",
    "template", "constant", "termType", "IRI", "BlankNode", "Literal",
    "class", "datatype", "language", "defaultGraph",
    "parentTriplesMap", "joinCondition", "child", "parent",
}
# Terms that the first RML namespace (http://semweb.mmlab.be/ns/rml#) defines.
RML_LEGACY_TERMS = {
    "logicalSource", "LogicalSource", "source", "referenceFormulation", "iterator", "reference",
    "languageMap", "LanguageMap",
}
# Reference formulations, which the legacy vocabulary names in ql:.
QL_TERMS = {"JSONPath", "CSV", "XPath"}
# Terms with no legacy form, and why.
NO_LEGACY_FORM = {
    "baseIRI": "rml:baseIRI (a base IRI per triples map) has no legacy form: R2RML leaves the "
               "base IRI to the processor",
    "datatypeMap": "rml:datatypeMap (a datatype generated from the data) has no legacy form: "
                   "R2RML and the first RML namespace have only the constant rr:datatype",
    "UnsafeIRI": "the term type rml:UnsafeIRI is new in RML-Core; R2RML has only rr:IRI, "
                 "rr:BlankNode and rr:Literal",
    "URI": "the term type rml:URI is new in RML-Core; R2RML has only rr:IRI, rr:BlankNode and "
           "rr:Literal",
    "childMap": "a join condition with a template- or constant-valued rml:childMap has no legacy "
                "form: R2RML's rr:child takes only a reference",
    "parentMap": "a join condition with a template- or constant-valued rml:parentMap has no "
                 "legacy form: R2RML's rr:parent takes only a reference",
}
# What a relative path source may say besides its path: the plain string says the same.
SOURCE_STATEMENTS = {
    "a rml:RelativePathSource",
    "a rml:RelativePathSource , rml:Source",
    "a rml:RelativePathSource, rml:Source",
    "rml:root rml:MappingDirectory",
}

SOURCE = re.compile(r"rml:source\s*\[([^\[\]]*)\]")
PATH = re.compile(r'^rml:path\s+("(?:[^"\\]|\\.)*")$')
JOIN_REFERENCE = re.compile(
    r'rml:(child|parent)Map\s*\[\s*rml:reference\s+("(?:[^"\\]|\\.)*")\s*;?\s*\]')
TERM = re.compile(r"\brml:([A-Za-z0-9_]*)")
REFERENCE = re.compile(r'\b(rml:reference|rr:child|rr:parent)(\s+)"([^"\\]*)"')
TEMPLATE = re.compile(r'\b(rr:template\s+)"((?:[^"\\]|\\.)*)"')
TEMPLATE_REFERENCE = re.compile(r"(?<!\\)\{(\$[^{}]*)\}")
# JSONPath references from the record's root that name one field, which legacy mappings write
# as the bare field name: `$.Name`, `$.amounts[*]`, `$['Country Code']`.
DOTTED_FIELD = re.compile(r"^\$\.([A-Za-z_][A-Za-z0-9_]*(?:\[\*\])?)$")
BRACKETED_FIELD = re.compile(r"^\$\['([^'\\{}$@]+)'\]$")


def relative(reference):
    """`reference` as legacy mappings write it: a field's bare name, relative to the iterator."""
    found = DOTTED_FIELD.match(reference) or BRACKETED_FIELD.match(reference)
    return found.group(1) if found else reference


def relative_template(template):
    """`template` with its references written as legacy mappings write them."""
    return TEMPLATE_REFERENCE.sub(lambda m: "{" + relative(m.group(1)) + "}", template)


class Skip(Exception):
    """A case with no legacy form."""


def rewrite(text):
    """The mapping `text` in the legacy vocabulary, or Skip."""
    if text.count(NEW_PREFIX) != 1:
        raise Skip("the mapping does not declare the rml: prefix on a line of its own")
    before, after = text.split(NEW_PREFIX)

    def source(m):
        path = None
        for statement in (s.strip() for s in m.group(1).split(";")):
            statement = " ".join(statement.split())
            if not statement or statement in SOURCE_STATEMENTS:
                continue
            found = PATH.match(statement)
            if found and path is None:
                path = found.group(1)
                continue
            raise Skip(f"a source described by `{statement}` has no plain-string form")
        if path is None:
            raise Skip("a source without rml:path has no plain-string form")
        return f"rml:source {path}"

    body = before + "\u0000" + after
    body = SOURCE.sub(source, body)
    body = JOIN_REFERENCE.sub(lambda m: f"rr:{m.group(1)} {m.group(2)}", body)

    def term(m):
        local = m.group(1)
        if local in R2RML_TERMS:
            return f"rr:{local}"
        if local in RML_LEGACY_TERMS:
            return f"rml:{local}"
        if local in QL_TERMS:
            return f"ql:{local}"
        raise Skip(NO_LEGACY_FORM.get(local, f"rml:{local} has no legacy form"))

    body = TERM.sub(term, body)
    body = REFERENCE.sub(lambda m: f'{m.group(1)}{m.group(2)}"{relative(m.group(3))}"', body)
    body = TEMPLATE.sub(lambda m: f'{m.group(1)}"{relative_template(m.group(2))}"', body)
    return body.replace("\u0000", LEGACY_PREFIXES)


def modernise(graph):
    """`graph` read back from the legacy vocabulary into the new one, to check a rewrite."""
    out = Graph()

    def term(t):
        if isinstance(t, URIRef):
            for ns in (RR, RML_LEGACY, QL):
                if str(t).startswith(ns):
                    return URIRef(RML + str(t)[len(ns):])
        return t

    for s, p, o in graph:
        s, p, o = term(s), term(p), term(o)
        if p == URIRef(RML + "source") and isinstance(o, Literal):
            b = BNode()
            out.add((s, p, b))
            out.add((b, URIRef(RML + "path"), o))
        else:
            out.add((s, p, o))
    return out


def normalise(graph):
    """`graph` without what a plain-string source cannot say (the source's types and root),
    with reference-valued child and parent maps written as the `rml:child`/`rml:parent`
    shortcuts, which RML-Core has too, and with references relative to the iterator."""
    out = Graph()
    sources = set(graph.objects(None, URIRef(RML + "source")))
    folded = {}
    for side in ("child", "parent"):
        for j, m in graph.subject_objects(URIRef(RML + side + "Map")):
            statements = list(graph.predicate_objects(m))
            if len(statements) == 1 and statements[0][0] == URIRef(RML + "reference"):
                folded[m] = (j, URIRef(RML + side), statements[0][1])
    references = {URIRef(RML + n) for n in ("reference", "child", "parent")}
    for s, p, o in graph:
        if s in sources and (p == RDF.type or p == URIRef(RML + "root")):
            continue
        if s in folded:
            continue
        if o in folded:
            s, p, o = folded[o]
        if p in references and isinstance(o, Literal):
            o = Literal(relative(str(o)))
        elif p == URIRef(RML + "template") and isinstance(o, Literal):
            o = Literal(relative_template(str(o)))
        out.add((s, p, o))
    return out


def check(original, legacy, case):
    """The legacy mapping says what the original says."""
    base = "http://example.com/base/"
    try:
        new = Graph().parse(data=original, format="turtle", publicID=base)
    except SyntaxError:
        # Not Turtle (a case that expects an error may be so): then neither may the rewrite be.
        try:
            Graph().parse(data=legacy, format="turtle", publicID=base)
        except SyntaxError:
            return
        sys.exit(f"{case}: the original is not Turtle, but the rewrite is")
    old = Graph().parse(data=legacy, format="turtle", publicID=base)
    left = [t for t in old for x in t if isinstance(x, URIRef) and str(x).startswith(RML)]
    if left:
        sys.exit(f"{case}: the rewrite kept a term of {RML}: {left[0]}")
    if not isomorphic(normalise(new), normalise(modernise(old))):
        sys.exit(f"{case}: the legacy mapping does not say what the original says")


def main():
    suite = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SUITE)
    with open(os.path.join(suite, "metadata.csv"), newline="", encoding="utf-8") as f:
        metadata = {row["ID"]: row for row in csv.DictReader(f)}
    for name in os.listdir(HERE):
        if name.startswith("RMLTC") and os.path.isdir(os.path.join(HERE, name)):
            shutil.rmtree(os.path.join(HERE, name))
    written, skipped = [], []
    for case in sorted(n for n in os.listdir(suite) if re.fullmatch(r"RMLTC\w+-JSON", n)):
        folder = os.path.join(suite, case)
        meta = metadata[case]
        title = meta["title"].strip('"')
        error = meta["error"].strip().lower() == "true"
        with open(os.path.join(folder, "mapping.ttl"), encoding="utf-8") as f:
            original = f.read()
        try:
            legacy = rewrite(original)
        except Skip as reason:
            skipped.append((case, title, str(reason)))
            continue
        check(original, legacy, case)
        has_output = os.path.exists(os.path.join(folder, "output.nq"))
        if has_output == error:
            sys.exit(f"{case}: metadata.csv says error={error}, but output.nq "
                     f"{'exists' if has_output else 'is missing'}")
        target = os.path.join(HERE, case)
        os.mkdir(target)
        header = (f"# RML-Core test case {case} in the legacy vocabulary, written by convert.py\n"
                  f"# from kg-construct/rml-core (CC BY 4.0); see ../README.md.\n")
        with open(os.path.join(target, "mapping.ttl"), "w", encoding="utf-8", newline="\n") as f:
            f.write(header + legacy)
        for name in sorted(os.listdir(folder)):
            if name not in ("README.md", "mapping.ttl"):
                shutil.copyfile(os.path.join(folder, name), os.path.join(target, name))
        if error:
            description = meta["description"].strip('"')
            with open(os.path.join(target, "error.txt"), "w", encoding="utf-8",
                      newline="\n") as f:
                f.write(f"An error is expected: {title}. {description}.\n")
        written.append((case, title, error))
    handmade = []
    for name in sorted(os.listdir(HERE)):
        mapping = os.path.join(HERE, name, "mapping.ttl")
        if not name.startswith("RMLTC") and os.path.isfile(mapping):
            with open(mapping, encoding="utf-8") as f:
                comment = []
                for line in f:
                    if not line.startswith("#"):
                        break
                    comment.append(line[1:].strip())
            handmade.append((name, " ".join(comment).removeprefix("Hand-made: ")))
    write_readme(written, skipped, handmade)
    print(f"{len(written)} cases written, {len(skipped)} skipped", file=sys.stderr)


def write_readme(written, skipped, handmade):
    lines = [
        "# Golden cases in the legacy vocabulary",
        "",
        "Mappings in the legacy vocabulary (R2RML's `rr:` terms, the first RML namespace",
        "`http://semweb.mmlab.be/ns/rml#` and `ql:` reference formulations) with their expected",
        "output: the RML-Core test cases rewritten into it, and hand-made cases for CSV and XML",
        "sources, which the RML-Core suite (JSON only) lacks. `tests/legacy.rs` runs each case",
        "through the engine and compares its output with `output.nq` as an isomorphic dataset, or",
        "expects an error where `error.txt` says so. With `KULTURNETZ_PY_MORPH=1` it also runs",
        "every case through Morph-KGC (`run_morph_kgc.py`) and compares, up to the disagreements",
        "listed with their reasons in `morph-kgc.skip`.",
        "",
        "## Provenance and licence",
        "",
        "Each `RMLTC*` case is an RML-Core test case of the W3C Knowledge Graph Construction",
        "Community Group (GitHub `kg-construct/rml-core`, `test-cases/`; the copy in",
        "`../shared/conformance/rml/rml-core`, whose PROVENANCE.md names the commit), licensed",
        "under CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/), © the RML-Core",
        "contributors. Changed: `mapping.ttl` is rewritten into the legacy vocabulary by",
        "`convert.py` (its header says how), with a two-line comment at its top; `error.txt` is",
        "written from the case's `metadata.csv` entry. The input files and `output.nq` are",
        "copied unchanged; the case READMEs are left out. To regenerate:",
        "",
        "    python3 crates/rml/tests/legacy/convert.py",
        "",
        "The other cases are written for this project, their expected output by hand (Morph-KGC",
        "gives the same).",
        "",
        f"## RML-Core cases ({len(written)})",
        "",
    ]
    for case, title, error in written:
        lines.append(f"- `{case}`: {title}{' (an error is expected)' if error else ''}")
    lines += ["", f"## Hand-made cases ({len(handmade)})", ""]
    for name, description in handmade:
        lines.append(f"- `{name}`: {description}")
    lines += [
        "",
        f"## RML-Core cases skipped: no legacy form ({len(skipped)})",
        "",
    ]
    for case, title, reason in skipped:
        lines.append(f"- `{case}` ({title}): {reason}")
    with open(os.path.join(HERE, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
