//! YARRRML (<https://rml.io/yarrrml/spec/>), translated to the RML graph that the Turtle reader
//! reads, so both run through one plan. `$(ref)` is a reference, `~iri`, `~lang`, `~csv`, …
//! are the YARRRML suffixes. Beyond the spec, a source may give `delimiter`, `encoding`,
//! `null` and `ragged: true` (rows may leave out trailing empty fields): CSV dialects that real
//! exports need.

use crate::error::MappingError;
use crate::vocab::{GREL, IDLAB_FN, RDF_TYPE, rml};
use kulturnetz_model::text::{MESSAGE_VALUE_CHARS, clip};
use oxrdf::{BlankNode, Graph, Literal, NamedNode, NamedOrBlankNode, Term, Triple};
use std::collections::HashMap;
use yaml_rust2::{Yaml, YamlLoader};

const WELL_KNOWN: &[(&str, &str)] = &[
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("schema", "http://schema.org/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("dc", "http://purl.org/dc/elements/1.1/"),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("geo", "http://www.opengis.net/ont/geosparql#"),
    ("grel", GREL),
    ("idlab-fn", IDLAB_FN),
];

struct Translator<'a> {
    file: &'a str,
    text: &'a str,
    prefixes: HashMap<String, String>,
    sources: HashMap<String, Yaml>,
    base: String,
    graph: Graph,
    blanks: u64,
}

/// Translates a YARRRML document into RML.
pub(crate) fn translate(text: &str, file: &str) -> Result<Graph, MappingError> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| {
        let mut err = MappingError::new(file, format!("not YAML: {}", e.info()));
        err.line = Some(e.marker().line() as u64);
        err
    })?;
    let Some(Yaml::Hash(doc)) = docs.into_iter().next() else {
        return Err(MappingError::new(
            file,
            "a YARRRML document is a mapping with a `mappings` key",
        ));
    };
    let mut t = Translator {
        file,
        text,
        prefixes: WELL_KNOWN
            .iter()
            .map(|(p, i)| ((*p).to_owned(), (*i).to_owned()))
            .collect(),
        sources: HashMap::new(),
        base: "http://example.com/mapping#".to_owned(),
        graph: Graph::new(),
        blanks: 0,
    };
    if let Some(Yaml::Hash(prefixes)) = doc.get(&key("prefixes")) {
        for (k, v) in prefixes {
            if let (Some(k), Some(v)) = (k.as_str(), v.as_str()) {
                t.prefixes.insert(k.to_owned(), v.to_owned());
            }
        }
    }
    if let Some(b) = doc.get(&key("base")).and_then(Yaml::as_str) {
        b.clone_into(&mut t.base);
    }
    if let Some(Yaml::Hash(sources)) = doc.get(&key("sources")) {
        for (k, v) in sources {
            if let Some(k) = k.as_str() {
                t.sources.insert(k.to_owned(), v.clone());
            }
        }
    }
    let mappings = match doc.get(&key("mappings")).or_else(|| doc.get(&key("m"))) {
        Some(Yaml::Hash(m)) => m.clone(),
        _ => return Err(MappingError::new(file, "the document has no `mappings`")),
    };
    let names: Vec<String> = mappings
        .keys()
        .filter_map(|k| k.as_str().map(str::to_owned))
        .collect();
    for (name, body) in &mappings {
        let Some(name) = name.as_str() else { continue };
        t.mapping(name, body, &names)?;
    }
    Ok(t.graph)
}

fn key(s: &str) -> Yaml {
    Yaml::String(s.to_owned())
}

fn get<'y>(h: &'y Yaml, keys: &[&str]) -> Option<&'y Yaml> {
    let Yaml::Hash(h) = h else { return None };
    // An unquoted `null:` key is YAML's null, not the string "null".
    keys.iter().find_map(|k| {
        h.get(&key(k))
            .or_else(|| (*k == "null").then(|| h.get(&Yaml::Null)).flatten())
    })
}

fn scalar(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A list, whether given as one value or as a sequence.
fn list(y: &Yaml) -> Vec<&Yaml> {
    match y {
        Yaml::Array(a) => a.iter().collect(),
        Yaml::Null | Yaml::BadValue => Vec::new(),
        other => vec![other],
    }
}

/// A YAML line without its comment: a `#` at the start or after a space or tab begins one (a
/// `#` inside an IRI such as `http://schema.org/#x` does not). Quoted `#`s are rare enough in a
/// mapping that a line cut short there only points an error at a later line.
fn without_comment(line: &str) -> &str {
    let mut previous = None;
    for (at, c) in line.char_indices() {
        if c == '#' && previous.is_none_or(|p: char| p == ' ' || p == '\t') {
            return &line[..at];
        }
        previous = Some(c);
    }
    line
}

impl Translator<'_> {
    fn error(&self, mapping: &str, message: impl Into<String>) -> MappingError {
        let mut e = MappingError::new(self.file, message);
        e.triples_map = Some(format!("{mapping:?}"));
        e.line = self
            .text
            .lines()
            .position(|l| l.trim_start().starts_with(&format!("{mapping}:")))
            .map(|i| i as u64 + 1);
        e
    }

    /// An error at the first line of `mapping` that holds `needle` as a word of its own, else at
    /// the mapping's line.
    fn error_at(&self, mapping: &str, needle: &str, message: impl Into<String>) -> MappingError {
        let mut e = self.error(mapping, message);
        if let Some(start) = e.line
            && !needle.is_empty()
        {
            let skip = usize::try_from(start).unwrap_or(0).saturating_sub(1);
            let is_word = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | ':' | '~');
            let holds = |line: &str| {
                line.match_indices(needle).any(|(at, _)| {
                    let before = line[..at].chars().next_back();
                    let after = line[at + needle.len()..].chars().next();
                    before.is_none_or(|c| !is_word(c)) && after.is_none_or(|c| !is_word(c))
                })
            };
            if let Some(i) = self
                .text
                .lines()
                .skip(skip)
                .position(|line| holds(without_comment(line)))
            {
                e.line = Some(start + i as u64);
            }
        }
        e
    }

    fn blank(&mut self) -> BlankNode {
        self.blanks += 1;
        BlankNode::new_unchecked(format!("y{:08}", self.blanks))
    }

    fn add(&mut self, s: impl Into<NamedOrBlankNode>, p: NamedNode, o: impl Into<Term>) {
        self.graph.insert(&Triple::new(s, p, o));
    }

    fn map_iri(&self, name: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("{}{name}", self.base))
    }

    /// `ex:name` → the IRI, if `ex` is a known prefix; `a` → `rdf:type`.
    fn expand(&self, s: &str) -> String {
        if s == "a" {
            return RDF_TYPE.as_str().to_owned();
        }
        if let Some((prefix, local)) = s.split_once(':')
            && !local.starts_with("//")
            && let Some(ns) = self.prefixes.get(prefix)
        {
            return format!("{ns}{local}");
        }
        s.to_owned()
    }

    fn mapping(&mut self, name: &str, body: &Yaml, names: &[String]) -> Result<(), MappingError> {
        let node = self.map_iri(name);
        self.add(node.clone(), RDF_TYPE.into_owned(), rml("TriplesMap"));
        let sources = get(body, &["sources", "source"])
            .map(list)
            .unwrap_or_default();
        let [source] = sources.as_slice() else {
            return Err(self.error(
                name,
                if sources.is_empty() {
                    "the mapping has no `sources`".to_owned()
                } else {
                    "the mapping has more than one source; give each its own mapping".to_owned()
                },
            ));
        };
        let ls = self.logical_source(name, source)?;
        self.add(node.clone(), rml("logicalSource"), ls);
        let subjects = get(body, &["subjects", "subject", "s"])
            .map(list)
            .unwrap_or_default();
        let subject_map = self.blank();
        self.add(node.clone(), rml("subjectMap"), subject_map.clone());
        match subjects.as_slice() {
            [] => self.add(subject_map.clone(), rml("termType"), rml("BlankNode")),
            [s] if get(s, &["function", "fn", "f"]).is_some() => {
                let fe = self.function(name, s)?;
                self.add(subject_map.clone(), rml("functionExecution"), fe);
            }
            [s] => {
                let s =
                    scalar(s).ok_or_else(|| self.error(name, "the subject must be a string"))?;
                self.value(subject_map.clone().into(), &s, false)?;
                // A subject is an IRI: a constant one that is not absolute once its prefix is
                // expanded (`id/organization/x`) is relative to the base, like a template's.
                if !s.contains("$(") && !crate::plan::is_absolute_iri(&self.expand(s.trim())) {
                    self.add(subject_map.clone(), rml("termType"), rml("IRI"));
                }
            }
            _ => return Err(self.error(name, "more than one subject; give each its own mapping")),
        }
        for g in get(body, &["graphs", "graph", "g"])
            .map(list)
            .unwrap_or_default()
        {
            let g = scalar(g).ok_or_else(|| self.error(name, "a graph must be a string"))?;
            let gm = self.blank();
            self.add(subject_map.clone(), rml("graphMap"), gm.clone());
            self.value(gm.into(), &g, false)?;
        }
        for po in get(body, &["predicateobjects", "po"])
            .map(list)
            .unwrap_or_default()
        {
            self.predicate_object(name, &node, po, names)?;
        }
        Ok(())
    }

    fn logical_source(&mut self, mapping: &str, source: &Yaml) -> Result<BlankNode, MappingError> {
        let source = match source {
            Yaml::String(s) if self.sources.contains_key(s) => self.sources[s].clone(),
            other => other.clone(),
        };
        let (access, formulation, iterator, extra) = match &source {
            Yaml::Array(a) => {
                let first = a.first().and_then(scalar).unwrap_or_default();
                let (access, formulation) = match first.rsplit_once('~') {
                    Some((a, f)) => (a.to_owned(), Some(f.to_owned())),
                    None => (first.clone(), None),
                };
                (access, formulation, a.get(1).and_then(scalar), None)
            }
            Yaml::String(s) => match s.rsplit_once('~') {
                Some((a, f)) => (a.to_owned(), Some(f.to_owned()), None, None),
                None => (s.clone(), None, None, None),
            },
            Yaml::Hash(_) => (
                get(&source, &["access"])
                    .and_then(scalar)
                    .unwrap_or_default(),
                get(&source, &["referenceFormulation"]).and_then(scalar),
                get(&source, &["iterator"]).and_then(scalar),
                Some(&source),
            ),
            _ => return Err(self.error(mapping, "a source must be a string, a list or a mapping")),
        };
        if access.is_empty() {
            return Err(self.error(mapping, "the source has no file (`access`)"));
        }
        let formulation =
            match formulation
                .as_deref()
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("csv" | "tsv") => Some("CSV"),
                Some("json" | "jsonpath") => Some("JSONPath"),
                Some("xml" | "xpath") => Some("XPath"),
                None => None,
                Some(other) => return Err(self.error(
                    mapping,
                    format!(
                        "unknown reference formulation ~{other} (csv, jsonpath and xpath are known)"
                    ),
                )),
            };
        let ls = self.blank();
        let src = self.blank();
        self.add(ls.clone(), rml("source"), src.clone());
        let csvw = |p: &str| NamedNode::new_unchecked(format!("http://www.w3.org/ns/csvw#{p}"));
        self.add(
            src.clone(),
            csvw("url"),
            Literal::new_simple_literal(&access),
        );
        if let Some(extra) = extra {
            let dialect = self.blank();
            let mut any = false;
            if let Some(d) = get(extra, &["delimiter"]).and_then(scalar) {
                self.add(
                    dialect.clone(),
                    csvw("delimiter"),
                    Literal::new_simple_literal(d),
                );
                any = true;
            }
            if let Some(e) = get(extra, &["encoding"]).and_then(scalar) {
                self.add(
                    dialect.clone(),
                    csvw("encoding"),
                    Literal::new_simple_literal(e),
                );
                any = true;
            }
            if any {
                self.add(src.clone(), csvw("dialect"), dialect);
            }
            if let Some(Yaml::Boolean(true)) = get(extra, &["ragged"]) {
                self.add(
                    src.clone(),
                    NamedNode::new_unchecked(crate::vocab::RAGGED_ROWS),
                    Literal::from(true),
                );
            }
            match get(extra, &["null"]) {
                // `null: []`: no value is null, not even the empty string.
                Some(Yaml::Array(a)) if a.is_empty() => {
                    self.add(
                        src.clone(),
                        csvw("null"),
                        oxrdf::vocab::rdf::NIL.into_owned(),
                    );
                }
                Some(n) => {
                    for n in list(n) {
                        let n = scalar(n).unwrap_or_default();
                        self.add(src.clone(), csvw("null"), Literal::new_simple_literal(n));
                    }
                }
                None => {}
            }
        }
        if let Some(f) = formulation {
            self.add(ls.clone(), rml("referenceFormulation"), rml(f));
        }
        if let Some(i) = iterator {
            self.add(ls.clone(), rml("iterator"), Literal::new_simple_literal(i));
        }
        Ok(ls)
    }

    fn predicate_object(
        &mut self,
        mapping: &str,
        node: &NamedNode,
        po: &Yaml,
        names: &[String],
    ) -> Result<(), MappingError> {
        let pom = self.blank();
        self.add(node.clone(), rml("predicateObjectMap"), pom.clone());
        match po {
            Yaml::Array(items) => {
                let [p, o, rest @ ..] = items.as_slice() else {
                    return Err(self.error(
                        mapping,
                        "a predicate-object list needs a predicate and an object",
                    ));
                };
                for p in list(p) {
                    let p = scalar(p)
                        .ok_or_else(|| self.error(mapping, "a predicate must be a string"))?;
                    self.predicate(&pom, &p)?;
                }
                let is_type = list(p).iter().any(|p| scalar(p).as_deref() == Some("a"));
                let extra = rest.first().and_then(scalar);
                for o in list(o) {
                    self.object(mapping, &pom, o, extra.as_deref(), is_type, names)?;
                }
            }
            Yaml::Hash(_) => {
                let ps = get(po, &["predicates", "predicate", "p"])
                    .map(list)
                    .unwrap_or_default();
                if ps.is_empty() {
                    return Err(
                        self.error(mapping, "a predicate-object map has no predicate (`p`)")
                    );
                }
                let mut is_type = false;
                for p in ps {
                    let p = scalar(p)
                        .ok_or_else(|| self.error(mapping, "a predicate must be a string"))?;
                    is_type |= p == "a";
                    self.predicate(&pom, &p)?;
                }
                let os = get(po, &["objects", "object", "o"])
                    .map(list)
                    .unwrap_or_default();
                if os.is_empty() {
                    return Err(self.error(mapping, "a predicate-object map has no object (`o`)"));
                }
                for o in os {
                    self.object(mapping, &pom, o, None, is_type, names)?;
                }
                for g in get(po, &["graphs", "graph", "g"])
                    .map(list)
                    .unwrap_or_default()
                {
                    let g =
                        scalar(g).ok_or_else(|| self.error(mapping, "a graph must be a string"))?;
                    let gm = self.blank();
                    self.add(pom.clone(), rml("graphMap"), gm.clone());
                    self.value(gm.into(), &g, false)?;
                }
            }
            _ => {
                return Err(self.error(
                    mapping,
                    "a predicate-object map must be a list or a mapping",
                ));
            }
        }
        Ok(())
    }

    fn predicate(&mut self, pom: &BlankNode, p: &str) -> Result<(), MappingError> {
        let pm = self.blank();
        self.add(pom.clone(), rml("predicateMap"), pm.clone());
        self.value(pm.into(), p, false)
    }

    fn object(
        &mut self,
        mapping: &str,
        pom: &BlankNode,
        o: &Yaml,
        extra: Option<&str>,
        is_type: bool,
        names: &[String],
    ) -> Result<(), MappingError> {
        let om = self.blank();
        self.add(pom.clone(), rml("objectMap"), om.clone());
        if let Yaml::Hash(_) = o {
            if let Some(parent) = get(o, &["mapping"]).and_then(scalar) {
                if !names.contains(&parent) {
                    return Err(self.error(
                        mapping,
                        format!(
                            "the object refers to the mapping {parent:?}, which does not exist"
                        ),
                    ));
                }
                self.add(om.clone(), rml("parentTriplesMap"), self.map_iri(&parent));
                for c in get(o, &["condition", "conditions"])
                    .map(list)
                    .unwrap_or_default()
                {
                    self.condition(mapping, &om, c)?;
                }
                return Ok(());
            }
            if get(o, &["function", "fn", "f"]).is_some() {
                let fe = self.function(mapping, o)?;
                self.add(om.clone(), rml("functionExecution"), fe);
            } else {
                let v = get(o, &["value", "v"])
                    .and_then(scalar)
                    .ok_or_else(|| self.error(mapping, "an object has no `value`"))?;
                self.value(om.clone().into(), &v, is_type)?;
            }
            match get(o, &["type"]).and_then(scalar).as_deref() {
                Some("iri") => self.add(om.clone(), rml("termType"), rml("IRI")),
                Some("blank" | "blanknode") => {
                    self.add(om.clone(), rml("termType"), rml("BlankNode"))
                }
                Some("literal") => self.add(om.clone(), rml("termType"), rml("Literal")),
                _ => {}
            }
            if let Some(d) = get(o, &["datatype"]).and_then(scalar) {
                self.datatype(mapping, &om, &d)?;
            }
            if let Some(l) = get(o, &["language"]).and_then(scalar) {
                if l.contains("$(") {
                    let lm = self.blank();
                    self.add(om.clone(), rml("languageMap"), lm.clone());
                    self.value(lm.into(), &l, false)?;
                } else {
                    self.add(om.clone(), rml("language"), Literal::new_simple_literal(l));
                }
            }
            return Ok(());
        }
        let o = scalar(o)
            .ok_or_else(|| self.error(mapping, "an object must be a string or a mapping"))?;
        let (value, kind) = match o.rsplit_once('~') {
            Some((v, k @ ("iri" | "lang" | "blanknode" | "literal"))) => (v.to_owned(), Some(k)),
            _ => (o.clone(), None),
        };
        // `ex:a~iri` is the IRI its prefix makes; a relative `id/x~iri` stays text, resolved
        // against the base IRI like any relative IRI a term map makes.
        let iri_constant = (is_type && kind.is_none())
            || (kind == Some("iri") && crate::plan::is_absolute_iri(&self.expand(value.trim())));
        self.value(om.clone().into(), &value, iri_constant)?;
        match kind {
            Some("iri") => self.add(om.clone(), rml("termType"), rml("IRI")),
            Some("blanknode") => self.add(om.clone(), rml("termType"), rml("BlankNode")),
            Some("literal") => self.add(om.clone(), rml("termType"), rml("Literal")),
            _ => {}
        }
        if let Some(extra) = extra {
            if let Some(lang) = extra.strip_suffix("~lang") {
                if lang.contains("$(") {
                    let lm = self.blank();
                    self.add(om.clone(), rml("languageMap"), lm.clone());
                    self.value(lm.into(), lang, false)?;
                } else {
                    self.add(
                        om.clone(),
                        rml("language"),
                        Literal::new_simple_literal(lang),
                    );
                }
            } else {
                self.datatype(mapping, &om, extra)?;
            }
        }
        Ok(())
    }

    /// `rml:datatype` of an object map: an absolute IRI once prefixes are expanded. A datatype
    /// that is a language tag is the usual slip, `[p, $(v), de]` for `[p, $(v), de~lang]`.
    fn datatype(&mut self, mapping: &str, om: &BlankNode, d: &str) -> Result<(), MappingError> {
        let iri = self.expand(d.trim());
        if !crate::plan::is_absolute_iri(&iri) {
            let d = clip(d, MESSAGE_VALUE_CHARS);
            let mut message = format!("datatype `{d}` is not an IRI");
            if crate::plan::is_language_tag(&d) {
                message.push_str(&format!("; for a language tag write `{d}~lang`"));
            } else if !d.contains(':') {
                message.push_str(" (is a prefix missing?)");
            }
            return Err(self.error_at(mapping, &d, message));
        }
        self.add(om.clone(), rml("datatype"), NamedNode::new_unchecked(iri));
        Ok(())
    }

    /// `condition: {function: equal, parameters: [[str1, $(child)], [str2, $(parent)]]}`.
    fn condition(&mut self, mapping: &str, om: &BlankNode, c: &Yaml) -> Result<(), MappingError> {
        let f = get(c, &["function", "fn", "f"])
            .and_then(scalar)
            .unwrap_or_default();
        if !matches!(f.as_str(), "equal" | "idlab-fn:equal" | "grel:equal")
            && !f.ends_with("#equal")
        {
            return Err(self.error(
                mapping,
                format!("a join condition must use the function `equal`, found {f:?}"),
            ));
        }
        let mut child = None;
        let mut parent = None;
        for p in get(c, &["parameters", "pms"]).map(list).unwrap_or_default() {
            let (name, value) = match p {
                Yaml::Array(a) => (a.first().and_then(scalar), a.get(1).and_then(scalar)),
                Yaml::Hash(_) => (
                    get(p, &["parameter"]).and_then(scalar),
                    get(p, &["value"]).and_then(scalar),
                ),
                _ => (None, None),
            };
            let (Some(name), Some(value)) = (name, value) else {
                continue;
            };
            let (value, side) = match value.rsplit_once('~') {
                Some((v, "s")) => (v.to_owned(), Some(true)),
                Some((v, "o")) => (v.to_owned(), Some(false)),
                _ => (value.clone(), None),
            };
            let is_child = side.unwrap_or(name.ends_with("str1"));
            let reference = value
                .strip_prefix("$(")
                .and_then(|v| v.strip_suffix(')'))
                .ok_or_else(|| {
                    self.error(
                        mapping,
                        format!("a join parameter must be a reference $(…), found {value:?}"),
                    )
                })?
                .to_owned();
            if is_child {
                child = Some(reference)
            } else {
                parent = Some(reference)
            }
        }
        let (Some(child), Some(parent)) = (child, parent) else {
            return Err(self.error(
                mapping,
                "a join condition needs str1 (this mapping) and str2 (the other)",
            ));
        };
        let jc = self.blank();
        self.add(om.clone(), rml("joinCondition"), jc.clone());
        self.add(jc.clone(), rml("child"), Literal::new_simple_literal(child));
        self.add(jc, rml("parent"), Literal::new_simple_literal(parent));
        Ok(())
    }

    fn function(&mut self, mapping: &str, f: &Yaml) -> Result<BlankNode, MappingError> {
        let name = get(f, &["function", "fn", "f"])
            .and_then(scalar)
            .ok_or_else(|| self.error(mapping, "a function needs a name"))?;
        let iri = if name.contains(':') {
            self.expand(&name)
        } else {
            format!("{GREL}{name}")
        };
        let fe = self.blank();
        self.add(fe.clone(), rml("function"), NamedNode::new_unchecked(iri));
        for p in get(f, &["parameters", "pms"]).map(list).unwrap_or_default() {
            let (param, value) = match p {
                Yaml::Array(a) => (a.first().and_then(scalar), a.get(1)),
                Yaml::Hash(_) => (get(p, &["parameter"]).and_then(scalar), get(p, &["value"])),
                _ => (None, None),
            };
            let (Some(param), Some(value)) = (param, value) else {
                return Err(self.error(mapping, "a function parameter needs a name and a value"));
            };
            let param = if param.contains(':') {
                self.expand(&param)
            } else {
                format!("{GREL}{param}")
            };
            let input = self.blank();
            self.add(fe.clone(), rml("input"), input.clone());
            self.add(
                input.clone(),
                rml("parameter"),
                NamedNode::new_unchecked(param),
            );
            let vm = self.blank();
            self.add(input, rml("inputValueMap"), vm.clone());
            if get(value, &["function", "fn", "f"]).is_some() {
                let inner = self.function(mapping, value)?;
                self.add(vm, rml("functionExecution"), inner);
            } else {
                let v = scalar(value).ok_or_else(|| {
                    self.error(mapping, "a function parameter's value must be a string")
                })?;
                if v.contains("$(") {
                    self.value(vm.into(), &v, false)?;
                } else {
                    self.add(vm, rml("constant"), Literal::new_simple_literal(v));
                }
            }
        }
        Ok(fe)
    }

    /// Adds `rml:constant`, `rml:reference` or `rml:template` for a YARRRML value.
    fn value(
        &mut self,
        node: NamedOrBlankNode,
        v: &str,
        iri_constant: bool,
    ) -> Result<(), MappingError> {
        let v = v.trim();
        if !v.contains("$(") {
            let expanded = self.expand(v);
            let looks_iri = expanded != v || v.contains("://") || v == "a";
            let term: Term = if iri_constant || (looks_iri && is_iri_position(&node, &self.graph)) {
                NamedNode::new_unchecked(expanded).into()
            } else {
                Literal::new_simple_literal(v).into()
            };
            self.add(node, rml("constant"), term);
            return Ok(());
        }
        let expanded = self.expand(v);
        let mut template = String::new();
        let mut rest = expanded.as_str();
        let mut references = Vec::new();
        let mut only = true;
        while let Some(start) = rest.find("$(") {
            let text = &rest[..start];
            only &= text.is_empty();
            for c in text.chars() {
                if matches!(c, '{' | '}' | '\\') {
                    template.push('\\');
                }
                template.push(c);
            }
            let mut depth = 0;
            let mut end = None;
            for (i, c) in rest[start + 2..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' if depth == 0 => {
                        end = Some(start + 2 + i);
                        break;
                    }
                    ')' => depth -= 1,
                    _ => {}
                }
            }
            let Some(end) = end else {
                return Err(MappingError::new(
                    self.file,
                    format!("{v:?}: a $( is not closed"),
                ));
            };
            let reference = &rest[start + 2..end];
            references.push(reference.to_owned());
            template.push('{');
            for c in reference.chars() {
                if matches!(c, '{' | '}' | '\\') {
                    template.push('\\');
                }
                template.push(c);
            }
            template.push('}');
            rest = &rest[end + 1..];
        }
        only &= rest.is_empty();
        for c in rest.chars() {
            if matches!(c, '{' | '}' | '\\') {
                template.push('\\');
            }
            template.push(c);
        }
        if only && references.len() == 1 {
            let r = references.remove(0);
            self.add(node, rml("reference"), Literal::new_simple_literal(r));
        } else {
            self.add(node, rml("template"), Literal::new_simple_literal(template));
        }
        Ok(())
    }
}

/// Whether constants at `node` are IRIs by default: in subject, predicate and graph maps.
fn is_iri_position(node: &NamedOrBlankNode, graph: &Graph) -> bool {
    let NamedOrBlankNode::BlankNode(b) = node else {
        return true;
    };
    graph.triples_for_object(b).any(|t| {
        ["subjectMap", "predicateMap", "graphMap"]
            .iter()
            .any(|p| t.predicate == rml(p).as_ref())
    })
}
