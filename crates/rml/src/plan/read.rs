//! Reading a plan from the RML graph of a mapping (<https://w3id.org/rml/core/spec>,
//! <https://w3id.org/rml/io/spec>, <https://w3id.org/rml/fnml/spec>), with the defaults and
//! checks of each kind of term map, and errors that name the mapping file, line and triples map.

use super::legacy;
use super::{
    Call, Expr, Formulation, LogicalSource, ObjectMap, Plan, PredicateObjectMap, Target, TermMap,
    TermType, TriplesMap, is_language_tag,
};
use crate::error::MappingError;
use crate::template;
use crate::vocab::{self, RDF_TYPE, rml};
use kulturnetz_model::text::{MESSAGE_VALUE_CHARS, clip};
use oxrdf::{Graph, Literal, NamedNode, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef};
use std::path::{Path, PathBuf};

/// Reads a plan from the RML graph of `file` (`text` is its content, for line numbers).
///
/// `yarrrml`: the graph was translated from YARRRML. YARRRML and the legacy vocabulary, like the
/// engines that run them (Morph-KGC, RMLMapper), read an empty CSV cell as no value unless the
/// source says otherwise; RML-IO reads it as an empty string unless `rml:null` says otherwise.
pub(crate) fn read(
    graph: &Graph,
    file: &str,
    text: &str,
    dir: &Path,
    base: &str,
    yarrrml: bool,
) -> Result<Plan, MappingError> {
    let empty_is_null = yarrrml || legacy::is_legacy(graph);
    let graph = legacy::modernise(graph);
    let mut reader = Reader {
        graph: &graph,
        file,
        text,
        dir,
        base,
        sources: Vec::new(),
        targets: Vec::new(),
        target_nodes: Vec::new(),
        map_name: None,
        notes: Vec::new(),
        empty_is_null,
    };
    let mut nodes: Vec<NamedOrBlankNode> = Vec::new();
    for t in graph.iter() {
        let is_map = (t.predicate == RDF_TYPE && t.object == rml("TriplesMap").as_ref().into())
            || t.predicate == rml("logicalSource").as_ref();
        if is_map && !nodes.iter().any(|n| n.as_ref() == t.subject) {
            nodes.push(t.subject.into_owned());
        }
    }
    if nodes.is_empty() {
        return Err(MappingError::new(file, "the mapping has no triples map"));
    }
    nodes.sort_by_key(|n| (n.is_blank_node(), n.to_string()));
    let mut maps = Vec::with_capacity(nodes.len());
    for node in &nodes {
        maps.push(reader.triples_map(node.as_ref(), &nodes)?);
    }
    Ok(Plan {
        maps,
        sources: reader.sources,
        targets: reader.targets,
        notes: reader.notes,
    })
}

struct Reader<'a> {
    graph: &'a Graph,
    file: &'a str,
    text: &'a str,
    dir: &'a Path,
    base: &'a str,
    sources: Vec<LogicalSource>,
    targets: Vec<Target>,
    target_nodes: Vec<Term>,
    map_name: Option<(String, Option<u64>)>,
    notes: Vec<String>,
    /// Whether a CSV source that names no null values reads an empty cell as no value.
    empty_is_null: bool,
}

/// Where a term map is used: it decides defaults and what is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Subject,
    Predicate,
    Object,
    Graph,
    Language,
    Datatype,
    Input,
    Join,
}

impl<'a> Reader<'a> {
    fn error(&self, message: impl Into<String>) -> MappingError {
        let mut e = MappingError::new(self.file, message);
        if let Some((name, line)) = &self.map_name {
            e.triples_map = Some(name.clone());
            e.line = *line;
        }
        e
    }

    fn objects(&self, s: NamedOrBlankNodeRef<'_>, p: &str) -> Vec<TermRef<'a>> {
        let p = rml(p);
        let mut v: Vec<TermRef<'a>> = self.graph.objects_for_subject_predicate(s, &p).collect();
        v.sort_by_key(ToString::to_string);
        v
    }

    fn object(
        &self,
        s: NamedOrBlankNodeRef<'_>,
        p: &str,
    ) -> Result<Option<TermRef<'a>>, MappingError> {
        let v = self.objects(s, p);
        if v.len() > 1 {
            return Err(self.error(format!(
                "rml:{p} is given {} times, once is allowed",
                v.len()
            )));
        }
        Ok(v.into_iter().next())
    }

    fn string(&self, s: NamedOrBlankNodeRef<'_>, p: &str) -> Result<Option<String>, MappingError> {
        match self.object(s, p)? {
            None => Ok(None),
            Some(TermRef::Literal(l)) => Ok(Some(l.value().to_owned())),
            Some(other) => Err(self.error(format!("rml:{p} must be a string, found {other}"))),
        }
    }

    fn node(&self, t: TermRef<'a>, what: &str) -> Result<NamedOrBlankNodeRef<'a>, MappingError> {
        match t {
            TermRef::NamedNode(n) => Ok(n.into()),
            TermRef::BlankNode(b) => Ok(b.into()),
            other => Err(self.error(format!("{what} must be a node, found {other}"))),
        }
    }

    fn iri(&self, t: TermRef<'a>, what: &str) -> Result<NamedNode, MappingError> {
        match t {
            TermRef::NamedNode(n) => {
                self.absolute(n.as_str(), what)?;
                Ok(n.into_owned())
            }
            other => Err(self.error(format!("{what} must be an IRI, found {other}"))),
        }
    }

    /// Checks that `iri`, which the mapping gives as it is, is an absolute IRI: written into the
    /// output, anything else would make a file that no RDF parser reads.
    fn absolute(&self, iri: &str, what: &str) -> Result<(), MappingError> {
        if is_absolute_iri(iri) {
            return Ok(());
        }
        let clipped = clip(iri, MESSAGE_VALUE_CHARS);
        let mut message = format!("{what} `{clipped}` is not an absolute IRI");
        if !iri.contains(':') {
            message.push_str(" (is a prefix or the scheme missing?)");
        }
        Err(self.error(message))
    }

    fn local(t: TermRef<'_>) -> Option<&str> {
        match t {
            TermRef::NamedNode(n) => n.as_str().strip_prefix(vocab::RML),
            _ => None,
        }
    }

    fn triples_map(
        &mut self,
        node: NamedOrBlankNodeRef<'_>,
        all: &[NamedOrBlankNode],
    ) -> Result<TriplesMap, MappingError> {
        let name = display_name(node);
        let line = find_line(self.text, node);
        self.map_name = Some((name.clone(), line));
        let source = match self.object(node, "logicalSource")? {
            Some(s) => {
                let s = self.node(s, "rml:logicalSource")?;
                self.logical_source(s)?
            }
            None => return Err(self.error("it has no rml:logicalSource")),
        };
        let base = match self.object(node, "baseIRI")? {
            Some(TermRef::NamedNode(n)) => n.as_str().to_owned(),
            Some(TermRef::Literal(l)) => {
                self.absolute(l.value(), "rml:baseIRI")?;
                l.value().to_owned()
            }
            Some(other) => {
                return Err(self.error(format!("rml:baseIRI must be an IRI, found {other}")));
            }
            None => self.base.to_owned(),
        };
        let mut subjects = Vec::new();
        for s in self.objects(node, "subjectMap") {
            subjects.push(self.node(s, "rml:subjectMap")?);
        }
        let shortcut = self.objects(node, "subject");
        let (subject, classes, graphs) = match (subjects.as_slice(), shortcut.as_slice()) {
            ([s], []) => {
                let subject = self.term_map(*s, Position::Subject)?;
                let mut classes = Vec::new();
                for c in self.objects(*s, "class") {
                    classes.push(self.iri(c, "rml:class")?);
                }
                let graphs = self.graph_maps(*s)?;
                (subject, classes, graphs)
            }
            ([], [c]) => (
                self.constant((*c).into_owned(), Position::Subject)?,
                Vec::new(),
                Vec::new(),
            ),
            ([], []) => return Err(self.error("it has no rml:subjectMap")),
            _ => return Err(self.error("it has more than one subject map; exactly one is allowed")),
        };
        let mut poms = Vec::new();
        for p in self.objects(node, "predicateObjectMap") {
            let p = self.node(p, "rml:predicateObjectMap")?;
            poms.push(self.predicate_object_map(p, all)?);
        }
        Ok(TriplesMap {
            name,
            line,
            source,
            subject,
            classes,
            graphs,
            poms,
            base,
        })
    }

    fn graph_maps(&mut self, node: NamedOrBlankNodeRef<'_>) -> Result<Vec<TermMap>, MappingError> {
        let mut graphs = Vec::new();
        for g in self.objects(node, "graphMap") {
            let g = self.node(g, "rml:graphMap")?;
            graphs.push(self.term_map(g, Position::Graph)?);
        }
        for g in self.objects(node, "graph") {
            graphs.push(self.constant(g.into_owned(), Position::Graph)?);
        }
        Ok(graphs)
    }

    fn predicate_object_map(
        &mut self,
        node: NamedOrBlankNodeRef<'_>,
        all: &[NamedOrBlankNode],
    ) -> Result<PredicateObjectMap, MappingError> {
        let mut predicates = Vec::new();
        for p in self.objects(node, "predicateMap") {
            let p = self.node(p, "rml:predicateMap")?;
            predicates.push(self.term_map(p, Position::Predicate)?);
        }
        for p in self.objects(node, "predicate") {
            predicates.push(self.constant(p.into_owned(), Position::Predicate)?);
        }
        if predicates.is_empty() {
            return Err(self.error("a predicate-object map has no predicate"));
        }
        let mut objects = Vec::new();
        for o in self.objects(node, "objectMap") {
            let o = self.node(o, "rml:objectMap")?;
            if let Some(parent) = self.object(o, "parentTriplesMap")? {
                let parent = self.node(parent, "rml:parentTriplesMap")?;
                let Some(index) = all.iter().position(|n| n.as_ref() == parent) else {
                    return Err(self.error(format!(
                        "rml:parentTriplesMap {parent} is not a triples map of this mapping"
                    )));
                };
                let mut joins = Vec::new();
                for j in self.objects(o, "joinCondition") {
                    let j = self.node(j, "rml:joinCondition")?;
                    let child = self.side(j, "child")?;
                    let parent = self.side(j, "parent")?;
                    joins.push((child, parent));
                }
                let targets = self.targets_of(o)?;
                objects.push(ObjectMap::Parent {
                    parent: index,
                    joins,
                    targets,
                });
            } else {
                objects.push(ObjectMap::Term(self.term_map(o, Position::Object)?));
            }
        }
        for o in self.objects(node, "object") {
            objects.push(ObjectMap::Term(
                self.constant(o.into_owned(), Position::Object)?,
            ));
        }
        if objects.is_empty() {
            return Err(self.error("a predicate-object map has no object"));
        }
        let graphs = self.graph_maps(node)?;
        Ok(PredicateObjectMap {
            predicates,
            objects,
            graphs,
        })
    }

    /// One side of a join condition: `rml:child "ref"` or `rml:childMap [ … ]`.
    fn side(&mut self, node: NamedOrBlankNodeRef<'_>, side: &str) -> Result<TermMap, MappingError> {
        if let Some(reference) = self.string(node, side)? {
            return Ok(TermMap::plain(
                Expr::Reference(reference),
                TermType::Literal,
            ));
        }
        match self.object(node, &format!("{side}Map"))? {
            Some(m) => {
                let m = self.node(m, "a join map")?;
                self.term_map(m, Position::Join)
            }
            None => Err(self.error(format!("a join condition has no rml:{side}"))),
        }
    }

    fn constant(&mut self, term: Term, position: Position) -> Result<TermMap, MappingError> {
        if let Term::NamedNode(n) = &term {
            self.absolute(n.as_str(), &format!("the {} constant", position.name()))?;
        }
        let term_type = match &term {
            Term::NamedNode(_) => TermType::Iri,
            Term::BlankNode(_) => TermType::BlankNode,
            Term::Literal(_) => TermType::Literal,
        };
        if term_type == TermType::Literal
            && matches!(
                position,
                Position::Subject | Position::Predicate | Position::Graph
            )
        {
            return Err(self.error(format!("the constant {term} cannot be a {position:?}")));
        }
        Ok(TermMap::plain(Expr::Constant(term), term_type))
    }

    fn term_map(
        &mut self,
        node: NamedOrBlankNodeRef<'_>,
        position: Position,
    ) -> Result<TermMap, MappingError> {
        let mut exprs = Vec::new();
        if let Some(c) = self.object(node, "constant")? {
            if let TermRef::NamedNode(n) = c {
                self.absolute(n.as_str(), &format!("the {} constant", position.name()))?;
            }
            exprs.push(Expr::Constant(c.into_owned()));
        }
        if let Some(r) = self.string(node, "reference")? {
            exprs.push(Expr::Reference(r));
        }
        if let Some(t) = self.string(node, "template")? {
            exprs.push(Expr::Template(
                template::parse(&t).map_err(|e| self.error(e))?,
            ));
        }
        if let Some(f) = self.object(node, "functionExecution")? {
            let f = self.node(f, "rml:functionExecution")?;
            exprs.push(Expr::Function(Box::new(self.call(f)?)));
        }
        if let Some(f) = self.object(node, "legacy-fnml-functionValue")? {
            let f = self.node(f, "fnml:functionValue")?;
            exprs.push(Expr::Function(Box::new(self.legacy_call(f)?)));
        }
        let term_type = match self.object(node, "termType")? {
            None => None,
            Some(t) => Some(match Self::local(t) {
                Some("IRI") => TermType::Iri,
                Some("URI") => TermType::Uri,
                Some("UnsafeIRI" | "UnsafeURI") => TermType::UnsafeIri,
                Some("BlankNode") => TermType::BlankNode,
                Some("Literal") => TermType::Literal,
                _ => return Err(self.error(format!("unknown rml:termType {t}"))),
            }),
        };
        let expr = match exprs.len() {
            1 => exprs.remove(0),
            0 if position == Position::Subject && term_type == Some(TermType::BlankNode) => {
                Expr::Fresh
            }
            0 => {
                return Err(self.error(format!(
                    "a {} map has no rml:constant, rml:reference, rml:template or function",
                    position.name()
                )));
            }
            _ => {
                return Err(self.error(format!(
                    "a {} map has more than one of rml:constant, rml:reference, rml:template and function",
                    position.name()
                )));
            }
        };
        let mut language = None;
        if let Some(l) = self.object(node, "language")? {
            let TermRef::Literal(l) = l else {
                return Err(self.error(format!("rml:language must be a string, found {l}")));
            };
            language = Some(Box::new(TermMap::plain(
                Expr::Constant(Literal::new_simple_literal(l.value()).into()),
                TermType::Literal,
            )));
        }
        if let Some(l) = self.object(node, "languageMap")? {
            let l = self.node(l, "rml:languageMap")?;
            language = Some(Box::new(self.term_map(l, Position::Language)?));
        }
        let mut datatype = None;
        if let Some(d) = self.object(node, "datatype")? {
            let d = self.iri(d, "rml:datatype")?;
            if d == oxrdf::vocab::rdf::LANG_STRING {
                return Err(self.error(
                    "rml:datatype rdf:langString needs a language tag; give rml:language instead",
                ));
            }
            datatype = Some(Box::new(TermMap::plain(
                Expr::Constant(d.into()),
                TermType::Iri,
            )));
        }
        if let Some(d) = self.object(node, "datatypeMap")? {
            let d = self.node(d, "rml:datatypeMap")?;
            datatype = Some(Box::new(self.term_map(d, Position::Datatype)?));
        }
        if let Some(Expr::Constant(Term::Literal(l))) = language.as_deref().map(|l| &l.expr)
            && (Literal::new_language_tagged_literal("", l.value()).is_err()
                || !is_language_tag(l.value()))
        {
            return Err(self.error(format!(
                "rml:language {:?} is not a BCP 47 language tag",
                l.value()
            )));
        }
        let default = match (&expr, position) {
            (Expr::Constant(c), _) => match c {
                Term::NamedNode(_) => TermType::Iri,
                Term::BlankNode(_) => TermType::BlankNode,
                Term::Literal(_) => TermType::Literal,
            },
            (_, Position::Subject | Position::Predicate | Position::Graph | Position::Datatype) => {
                TermType::Iri
            }
            (Expr::Template(_), Position::Object) => {
                if language.is_some() || datatype.is_some() {
                    TermType::Literal
                } else {
                    TermType::Iri
                }
            }
            _ => TermType::Literal,
        };
        let term_type = term_type.unwrap_or(default);
        let allowed = match position {
            Position::Subject => term_type != TermType::Literal,
            Position::Predicate => matches!(
                term_type,
                TermType::Iri | TermType::Uri | TermType::UnsafeIri
            ),
            Position::Graph => matches!(
                term_type,
                TermType::Iri | TermType::Uri | TermType::UnsafeIri | TermType::BlankNode
            ),
            Position::Object | Position::Input | Position::Join => true,
            Position::Language => term_type == TermType::Literal,
            Position::Datatype => matches!(
                term_type,
                TermType::Iri | TermType::Uri | TermType::UnsafeIri
            ),
        };
        if !allowed {
            return Err(self.error(format!(
                "a {} map cannot make a {term_type:?}",
                position.name()
            )));
        }
        if (language.is_some() || datatype.is_some()) && term_type != TermType::Literal {
            return Err(self.error("rml:language and rml:datatype need rml:termType rml:Literal"));
        }
        if let Expr::Constant(c) = &expr
            && matches!(
                position,
                Position::Subject | Position::Predicate | Position::Graph
            )
            && c.is_literal()
            && term_type != TermType::Iri
        {
            return Err(self.error(format!("the constant {c} cannot be a {}", position.name())));
        }
        if let Expr::Constant(Term::Literal(l)) = &expr
            && matches!(term_type, TermType::Iri | TermType::Uri)
            && template::invalid_fixed_text(&[template::Part::Text(l.value().to_owned())]).is_some()
        {
            return Err(self.error(format!(
                "the {} constant `{}` is not an IRI",
                position.name(),
                clip(l.value(), MESSAGE_VALUE_CHARS)
            )));
        }
        if let Expr::Template(parts) = &expr
            && matches!(term_type, TermType::Iri | TermType::Uri)
            && let Some(iri) = template::invalid_fixed_text(parts)
        {
            return Err(self.error(format!(
                "the {} template cannot make an IRI: with 0 for each reference it gives `{}`, which is not one",
                position.name(),
                clip(&iri, MESSAGE_VALUE_CHARS)
            )));
        }
        let targets = self.targets_of(node)?;
        let valid_iris =
            matches!(&expr, Expr::Template(parts) if template::makes_valid_iris(parts));
        Ok(TermMap {
            expr,
            term_type,
            language,
            datatype,
            targets,
            valid_iris,
        })
    }

    fn call(&mut self, node: NamedOrBlankNodeRef<'_>) -> Result<Call, MappingError> {
        let function = match self.object(node, "function")? {
            Some(f) => self.iri(f, "rml:function")?,
            None => match self.object(node, "functionMap")? {
                Some(m) => {
                    let m = self.node(m, "rml:functionMap")?;
                    match self.object(m, "constant")? {
                        Some(f) => self.iri(f, "the constant of rml:functionMap")?,
                        None => return Err(self.error("rml:functionMap must have an rml:constant")),
                    }
                }
                None => return Err(self.error("a function execution has no rml:function")),
            },
        };
        let mut inputs = Vec::new();
        for i in self.objects(node, "input") {
            let i = self.node(i, "rml:input")?;
            let parameter = match self.object(i, "parameter")? {
                Some(p) => self.iri(p, "rml:parameter")?,
                None => return Err(self.error("a function input has no rml:parameter")),
            };
            let value = if let Some(v) = self.object(i, "inputValue")? {
                self.constant(v.into_owned(), Position::Input)?
            } else if let Some(m) = self.object(i, "inputValueMap")? {
                let m = self.node(m, "rml:inputValueMap")?;
                self.term_map(m, Position::Input)?
            } else {
                return Err(self.error(format!("the input {parameter} has no rml:inputValueMap")));
            };
            inputs.push((parameter, value));
        }
        Ok(Call { function, inputs })
    }

    /// `fnml:functionValue [ rr:predicateObjectMap [ rr:predicate fno:executes; rr:objectMap
    /// [ rr:constant grel:… ] ], [ rr:predicate grel:valueParameter; rr:objectMap [ … ] ] ]`.
    fn legacy_call(&mut self, node: NamedOrBlankNodeRef<'_>) -> Result<Call, MappingError> {
        let mut function = None;
        let mut inputs = Vec::new();
        for p in self.objects(node, "predicateObjectMap") {
            let p = self.node(p, "rml:predicateObjectMap")?;
            let mut predicates = Vec::new();
            for c in self.objects(p, "predicate") {
                predicates.push(self.iri(c, "rr:predicate")?);
            }
            for m in self.objects(p, "predicateMap") {
                let m = self.node(m, "rr:predicateMap")?;
                if let Some(c) = self.object(m, "constant")? {
                    predicates.push(self.iri(c, "rr:constant")?);
                }
            }
            let mut values = Vec::new();
            for o in self.objects(p, "objectMap") {
                let o = self.node(o, "rr:objectMap")?;
                values.push(self.term_map(o, Position::Input)?);
            }
            for o in self.objects(p, "object") {
                values.push(self.constant(o.into_owned(), Position::Input)?);
            }
            for predicate in predicates {
                for value in &values {
                    if predicate.as_str() == format!("{}legacy-fno-executes", vocab::RML) {
                        if let Expr::Constant(Term::NamedNode(f)) = &value.expr {
                            function = Some(f.clone());
                        } else {
                            return Err(self.error("fno:executes must be a constant IRI"));
                        }
                    } else {
                        inputs.push((predicate.clone(), value.clone()));
                    }
                }
            }
        }
        let Some(function) = function else {
            return Err(self.error(
                "fnml:functionValue does not say which function it executes (fno:executes)",
            ));
        };
        Ok(Call { function, inputs })
    }

    fn targets_of(&mut self, node: NamedOrBlankNodeRef<'_>) -> Result<Vec<usize>, MappingError> {
        let mut targets = Vec::new();
        for t in self.objects(node, "logicalTarget") {
            if let Some(i) = self.target_nodes.iter().position(|n| n.as_ref() == t) {
                targets.push(i);
                continue;
            }
            let n = self.node(t, "rml:logicalTarget")?;
            let Some(target) = self.object(n, "target")? else {
                return Err(self.error("a logical target has no rml:target"));
            };
            let target = self.node(target, "rml:target")?;
            let path = self.file_path(target)?;
            let format = self.object(n, "serialization")?.map(|f| match f {
                TermRef::NamedNode(f) => f
                    .as_str()
                    .strip_prefix(vocab::FORMATS)
                    .unwrap_or(f.as_str())
                    .to_owned(),
                other => other.to_string(),
            });
            let compression = self
                .object(n, "compression")?
                .or(self.object(target, "compression")?)
                .and_then(|c| Self::local(c).map(str::to_owned));
            let encoding = self
                .object(n, "encoding")?
                .or(self.object(target, "encoding")?)
                .and_then(|c| Self::local(c).map(str::to_owned));
            self.targets.push(Target {
                path,
                format,
                compression,
                encoding,
            });
            self.target_nodes.push(t.into_owned());
            targets.push(self.targets.len() - 1);
        }
        Ok(targets)
    }

    /// A source path as legacy mappings and YARRRML give it: relative to the mapping's folder,
    /// or, if it is not there but in the working directory (where other engines look), there;
    /// the place not taken is kept for the message if neither has the file.
    fn relative(&mut self, path: &str, also_tried: &mut Option<PathBuf>) -> PathBuf {
        let beside = self.dir.join(path);
        let here = PathBuf::from(path);
        if Path::new(path).is_absolute() || beside == here || self.dir == Path::new(".") {
            return beside;
        }
        if !beside.exists() && here.exists() {
            let note = format!(
                "{}: the source {path:?} is not in the mapping's folder ({}); using {} in the working directory",
                self.file,
                beside.display(),
                here.display()
            );
            if !self.notes.contains(&note) {
                self.notes.push(note);
            }
            return here;
        }
        *also_tried = Some(here);
        beside
    }

    /// The path of an `rml:FilePath`/`rml:RelativePathSource` node, resolved against its root.
    fn file_path(&self, node: NamedOrBlankNodeRef<'_>) -> Result<PathBuf, MappingError> {
        let Some(path) = self.string(node, "path")? else {
            return Err(self.error(format!("the source or target {node} has no rml:path")));
        };
        let root = match self.object(node, "root")? {
            None => self.dir.to_path_buf(),
            Some(r) => match Self::local(r) {
                Some("MappingDirectory") => self.dir.to_path_buf(),
                Some("CurrentWorkingDirectory") => PathBuf::from("."),
                _ => match r {
                    TermRef::Literal(l) => PathBuf::from(l.value()),
                    other => return Err(self.error(format!("unknown rml:root {other}"))),
                },
            },
        };
        Ok(root.join(path))
    }

    fn logical_source(&mut self, node: NamedOrBlankNodeRef<'_>) -> Result<usize, MappingError> {
        let mut nulls = Vec::new();
        let mut explicit_nulls = false;
        let mut also_tried = None;
        let mut encoding = None;
        let mut compression = None;
        let mut delimiter = None;
        let mut ragged = false;
        let (path, display) = match self.object(node, "source")? {
            None => return Err(self.error("the logical source has no rml:source")),
            Some(TermRef::Literal(l)) => (
                self.relative(l.value(), &mut also_tried),
                l.value().to_owned(),
            ),
            Some(s) => {
                let s = self.node(s, "rml:source")?;
                let types = self
                    .graph
                    .objects_for_subject_predicate(s, RDF_TYPE)
                    .map(|t| t.to_string())
                    .collect::<Vec<_>>();
                if types
                    .iter()
                    .any(|t| t.contains("d2rq") || t.contains("Database"))
                    || self
                        .graph
                        .triples_for_subject(s)
                        .any(|t| t.predicate.as_str().contains("jdbc"))
                {
                    return Err(self.error("database sources are not supported"));
                }
                for n in self.objects(s, "null") {
                    explicit_nulls = true;
                    match n {
                        TermRef::Literal(l) => nulls.push(l.value().to_owned()),
                        // `rml:null ()`: no value is null, not even the empty string.
                        TermRef::NamedNode(n) if n == oxrdf::vocab::rdf::NIL => {}
                        other => {
                            return Err(
                                self.error(format!("rml:null must be a string, found {other}"))
                            );
                        }
                    }
                }
                encoding = self
                    .object(s, "encoding")?
                    .map(|e| Self::local(e).map_or_else(|| e.to_string(), str::to_owned));
                compression = self
                    .object(s, "compression")?
                    .map(|e| Self::local(e).map_or_else(|| e.to_string(), str::to_owned));
                ragged = self
                    .graph
                    .object_for_subject_predicate(s, &NamedNode::new_unchecked(vocab::RAGGED_ROWS))
                    .is_some_and(|v| matches!(v, TermRef::Literal(l) if l.value() == "true"));
                // CSVW descriptions (`csvw:url`, `csvw:dialect`), which legacy mappings use.
                let csvw =
                    |p: &str| NamedNode::new_unchecked(format!("http://www.w3.org/ns/csvw#{p}"));
                if let Some(TermRef::Literal(url)) =
                    self.graph.object_for_subject_predicate(s, &csvw("url"))
                {
                    if let Some(d) = self.graph.object_for_subject_predicate(s, &csvw("dialect")) {
                        let d = self.node(d, "csvw:dialect")?;
                        if let Some(TermRef::Literal(del)) = self
                            .graph
                            .object_for_subject_predicate(d, &csvw("delimiter"))
                        {
                            delimiter = Some(delimiter_byte(del.value()).ok_or_else(|| {
                                self.error(format!(
                                    "the delimiter {:?} is not one ASCII character",
                                    del.value()
                                ))
                            })?);
                        }
                        if let Some(TermRef::Literal(e)) = self
                            .graph
                            .object_for_subject_predicate(d, &csvw("encoding"))
                        {
                            encoding = Some(e.value().to_owned());
                        }
                    }
                    for n in self.graph.objects_for_subject_predicate(s, &csvw("null")) {
                        explicit_nulls = true;
                        if let TermRef::Literal(l) = n {
                            nulls.push(l.value().to_owned());
                        }
                    }
                    (
                        self.relative(url.value(), &mut also_tried),
                        url.value().to_owned(),
                    )
                } else {
                    let path = self.file_path(s)?;
                    let display = self.string(s, "path")?.unwrap_or_default();
                    (path, display)
                }
            }
        };
        let mut namespaces = Vec::new();
        let formulation = match self.object(node, "referenceFormulation")? {
            None => match Path::new(&display)
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("csv" | "tsv") => Formulation::Csv,
                Some("json") => Formulation::JsonPath,
                Some("xml") => Formulation::XPath,
                _ => {
                    return Err(self.error(format!(
                        "the logical source {display:?} has no rml:referenceFormulation"
                    )));
                }
            },
            Some(f) => {
                let name = match f {
                    TermRef::NamedNode(_) => Self::local(f).map(str::to_owned),
                    TermRef::BlankNode(b) => {
                        for ns in self.objects(b.into(), "namespace") {
                            let ns = self.node(ns, "rml:namespace")?;
                            let prefix = self.string(ns, "namespacePrefix")?.unwrap_or_default();
                            let url = self.string(ns, "namespaceURL")?.unwrap_or_default();
                            namespaces.push((prefix, url));
                        }
                        self.graph
                            .objects_for_subject_predicate(b, RDF_TYPE)
                            .find_map(|t| Self::local(t).map(str::to_owned))
                    }
                    TermRef::Literal(_) => None,
                };
                match name.as_deref() {
                    Some("CSV" | "Tabular") => Formulation::Csv,
                    Some("JSONPath") => Formulation::JsonPath,
                    Some("XPath" | "XPathReferenceFormulation") => Formulation::XPath,
                    _ => return Err(self.error(format!("the reference formulation {f} is not supported (CSV, JSONPath and XPath are)"))),
                }
            }
        };
        let iterator = self.string(node, "iterator")?;
        let delimiter = delimiter.unwrap_or(if display.to_ascii_lowercase().ends_with(".tsv") {
            b'\t'
        } else {
            b','
        });
        // In YARRRML and legacy mappings an empty CSV cell is no value, as in CSVW (`csvw:null`
        // defaults to "") and the engines that run them: otherwise every empty cell would become
        // an empty literal, and a template over it one shared entity. RML-IO keeps it unless
        // the source names its null values.
        if !explicit_nulls && formulation == Formulation::Csv && self.empty_is_null {
            nulls.push(String::new());
        }
        let source = LogicalSource {
            path,
            also_tried,
            display,
            formulation,
            iterator,
            nulls,
            encoding,
            compression,
            delimiter,
            ragged,
            namespaces,
            stream: true,
        };
        if let Some(i) = self.sources.iter().position(|s| *s == source) {
            return Ok(i);
        }
        self.sources.push(source);
        Ok(self.sources.len() - 1)
    }
}

impl Position {
    fn name(self) -> &'static str {
        match self {
            Self::Subject => "subject",
            Self::Predicate => "predicate",
            Self::Object => "object",
            Self::Graph => "graph",
            Self::Language => "language",
            Self::Datatype => "datatype",
            Self::Input => "function input",
            Self::Join => "join",
        }
    }
}

fn delimiter_byte(s: &str) -> Option<u8> {
    match s {
        "\\t" | "\t" | "tab" => Some(b'\t'),
        s if s.len() == 1 && s.is_ascii() => Some(s.as_bytes()[0]),
        _ => None,
    }
}

/// `"TriplesMap1"` for `<http://example.com/base/TriplesMap1>`, the label for a blank node.
fn display_name(node: NamedOrBlankNodeRef<'_>) -> String {
    match node {
        NamedOrBlankNodeRef::NamedNode(n) => {
            let iri = n.as_str();
            let local = iri
                .rsplit(['#', '/'])
                .next()
                .filter(|l| !l.is_empty())
                .unwrap_or(iri);
            format!("{local:?}")
        }
        NamedOrBlankNodeRef::BlankNode(b) => format!("_:{}", b.as_str()),
    }
}

/// The line where the mapping text first names `node`.
fn find_line(text: &str, node: NamedOrBlankNodeRef<'_>) -> Option<u64> {
    let NamedOrBlankNodeRef::NamedNode(n) = node else {
        return None;
    };
    let iri = n.as_str();
    let local = iri
        .rsplit(['#', '/', ':'])
        .next()
        .filter(|l| !l.is_empty())?;
    let is_word = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    for (i, line) in text.lines().enumerate() {
        let line = line.split(" #").next().unwrap_or(line);
        if line.contains(&format!("<{iri}>")) {
            return Some(i as u64 + 1);
        }
        let mut from = 0;
        while let Some(at) = line[from..].find(local) {
            let start = from + at;
            let end = start + local.len();
            let before = line[..start].chars().next_back();
            let after = line[end..].chars().next();
            if before.is_none_or(|c| !is_word(c)) && after.is_none_or(|c| !is_word(c)) {
                return Some(i as u64 + 1);
            }
            from = end;
        }
    }
    None
}

/// Whether `iri` is an absolute IRI (RFC 3987), as N-Quads needs every IRI to be.
pub(crate) fn is_absolute_iri(iri: &str) -> bool {
    oxiri::Iri::parse(iri).is_ok()
}
