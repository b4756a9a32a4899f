//! The shapes graph read into shapes and their constraints
//! ([SHACL §2](https://www.w3.org/TR/shacl/#shapes), [§4](https://www.w3.org/TR/shacl/#core-components)).

use crate::path::Path;
use crate::vocab::{rdfs, sh};
use oxrdf::vocab::{rdf, xsd};
use oxrdf::{Graph, Literal, NamedNode, NamedNodeRef, NamedOrBlankNodeRef, Term, TermRef};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::fmt;

/// The shapes of a shapes graph, ready to validate data graphs with.
#[derive(Debug, Clone)]
pub struct Shapes {
    pub(crate) shapes: Vec<Shape>,
    /// The shapes that have targets, in the order of the shapes graph's subjects.
    pub(crate) targeted: Vec<usize>,
}

/// One shape: its focus nodes' targets, the path of a property shape, and its constraints.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    pub(crate) id: Term,
    pub(crate) path: Option<Path>,
    pub(crate) targets: Vec<Target>,
    pub(crate) severity: NamedNode,
    pub(crate) messages: Vec<Term>,
    pub(crate) deactivated: bool,
    pub(crate) constraints: Vec<Constraint>,
}

/// How a shape selects its focus nodes.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Node(Term),
    /// `sh:targetClass`, and the implicit class target of a shape that is also a class.
    Class(Term),
    SubjectsOf(NamedNode),
    ObjectsOf(NamedNode),
}

/// `sh:nodeKind`'s values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeKind {
    Iri,
    BlankNode,
    Literal,
    BlankNodeOrIri,
    BlankNodeOrLiteral,
    IriOrLiteral,
}

/// Which bound a value range constraint sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Range {
    MinExclusive,
    MinInclusive,
    MaxExclusive,
    MaxInclusive,
}

/// Which relation a property pair constraint requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pair {
    Equals,
    Disjoint,
    LessThan,
    LessThanOrEquals,
}

/// One constraint of a shape: a constraint component with its parameters' values.
#[derive(Debug, Clone)]
pub(crate) enum Constraint {
    Class(Term),
    Datatype(NamedNode),
    NodeKind(NodeKind),
    MinCount(u64),
    MaxCount(u64),
    Range(Range, Literal),
    MinLength(u64),
    MaxLength(u64),
    Pattern(Regex, Term),
    LanguageIn(Vec<String>),
    UniqueLang,
    Pair(Pair, NamedNode),
    Not(usize),
    And(Vec<usize>),
    Or(Vec<usize>),
    Xone(Vec<usize>),
    Node(usize),
    Property(usize),
    Qualified {
        shape: usize,
        min: Option<u64>,
        max: Option<u64>,
        /// The sibling shapes' qualified value shapes, when `sh:qualifiedValueShapesDisjoint`.
        siblings: Vec<usize>,
    },
    Closed {
        allowed: HashSet<NamedNode>,
    },
    HasValue(Term),
    In(Vec<Term>),
}

impl Constraint {
    /// The constraint component, as `sh:sourceConstraintComponent` names it.
    pub(crate) fn component(&self) -> NamedNodeRef<'static> {
        match self {
            Self::Class(_) => sh::CLASS_CONSTRAINT_COMPONENT,
            Self::Datatype(_) => sh::DATATYPE_CONSTRAINT_COMPONENT,
            Self::NodeKind(_) => sh::NODE_KIND_CONSTRAINT_COMPONENT,
            Self::MinCount(_) => sh::MIN_COUNT_CONSTRAINT_COMPONENT,
            Self::MaxCount(_) => sh::MAX_COUNT_CONSTRAINT_COMPONENT,
            Self::Range(Range::MinExclusive, _) => sh::MIN_EXCLUSIVE_CONSTRAINT_COMPONENT,
            Self::Range(Range::MinInclusive, _) => sh::MIN_INCLUSIVE_CONSTRAINT_COMPONENT,
            Self::Range(Range::MaxExclusive, _) => sh::MAX_EXCLUSIVE_CONSTRAINT_COMPONENT,
            Self::Range(Range::MaxInclusive, _) => sh::MAX_INCLUSIVE_CONSTRAINT_COMPONENT,
            Self::MinLength(_) => sh::MIN_LENGTH_CONSTRAINT_COMPONENT,
            Self::MaxLength(_) => sh::MAX_LENGTH_CONSTRAINT_COMPONENT,
            Self::Pattern(..) => sh::PATTERN_CONSTRAINT_COMPONENT,
            Self::LanguageIn(_) => sh::LANGUAGE_IN_CONSTRAINT_COMPONENT,
            Self::UniqueLang => sh::UNIQUE_LANG_CONSTRAINT_COMPONENT,
            Self::Pair(Pair::Equals, _) => sh::EQUALS_CONSTRAINT_COMPONENT,
            Self::Pair(Pair::Disjoint, _) => sh::DISJOINT_CONSTRAINT_COMPONENT,
            Self::Pair(Pair::LessThan, _) => sh::LESS_THAN_CONSTRAINT_COMPONENT,
            Self::Pair(Pair::LessThanOrEquals, _) => sh::LESS_THAN_OR_EQUALS_CONSTRAINT_COMPONENT,
            Self::Not(_) => sh::NOT_CONSTRAINT_COMPONENT,
            Self::And(_) => sh::AND_CONSTRAINT_COMPONENT,
            Self::Or(_) => sh::OR_CONSTRAINT_COMPONENT,
            Self::Xone(_) => sh::XONE_CONSTRAINT_COMPONENT,
            Self::Node(_) => sh::NODE_CONSTRAINT_COMPONENT,
            Self::Property(_) => sh::PROPERTY_CONSTRAINT_COMPONENT,
            // The validator names min or max for the bound that failed.
            Self::Qualified { .. } => sh::QUALIFIED_MIN_COUNT_CONSTRAINT_COMPONENT,
            Self::Closed { .. } => sh::CLOSED_CONSTRAINT_COMPONENT,
            Self::HasValue(_) => sh::HAS_VALUE_CONSTRAINT_COMPONENT,
            Self::In(_) => sh::IN_CONSTRAINT_COMPONENT,
        }
    }
}

/// The shapes graph is not well-formed: a shape's parameter has a value SHACL does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("shape {shape}: {message}")]
pub struct ShapesError {
    shape: String,
    message: String,
}

impl ShapesError {
    pub(crate) fn new(shape: &str, message: String) -> Self {
        Self {
            shape: shape.to_owned(),
            message,
        }
    }

    /// The shape, as written in N-Triples (`<iri>` or `_:id`).
    pub fn shape(&self) -> &str {
        &self.shape
    }
}

impl Shapes {
    /// Reads the shapes of a shapes graph: every `sh:NodeShape` and `sh:PropertyShape`, every
    /// subject of a target, and the shapes these refer to.
    ///
    /// Fails on a shapes graph that is not well-formed, as SHACL requires (a `sh:minCount` that
    /// is not an integer, a `sh:path` that is not a path, a list that is not a list, …).
    pub fn from_graph(graph: &Graph) -> Result<Self, ShapesError> {
        let mut reader = Reader {
            graph,
            shapes: Vec::new(),
            index: HashMap::new(),
        };
        let mut roots: Vec<Term> = Vec::new();
        let mut seen = HashSet::new();
        let mut add = |t: Term, roots: &mut Vec<Term>| {
            if seen.insert(t.clone()) {
                roots.push(t);
            }
        };
        for class in [sh::NODE_SHAPE, sh::PROPERTY_SHAPE] {
            for s in graph.subjects_for_predicate_object(rdf::TYPE, class) {
                add(s.into_owned().into(), &mut roots);
            }
        }
        for p in [
            sh::TARGET_NODE,
            sh::TARGET_CLASS,
            sh::TARGET_SUBJECTS_OF,
            sh::TARGET_OBJECTS_OF,
        ] {
            for t in graph.triples_for_predicate(p) {
                add(t.subject.into_owned().into(), &mut roots);
            }
        }
        // Sorted, so that reports come in the same order whatever order the parser gave.
        roots.sort_by_cached_key(ToString::to_string);
        let mut targeted = Vec::new();
        for root in roots {
            let i = reader.shape(root.as_ref())?;
            if !reader.shapes[i].targets.is_empty() {
                targeted.push(i);
            }
        }
        Ok(Self {
            shapes: reader.shapes,
            targeted,
        })
    }

    /// How many shapes the shapes graph has (those with targets and those they refer to).
    pub fn len(&self) -> usize {
        self.shapes.len()
    }

    /// Whether the shapes graph has no shapes at all.
    pub fn is_empty(&self) -> bool {
        self.shapes.is_empty()
    }
}

struct Reader<'g> {
    graph: &'g Graph,
    shapes: Vec<Shape>,
    index: HashMap<Term, usize>,
}

impl Reader<'_> {
    /// The index of the shape `node`, read now if it was not before. A shape that refers to
    /// itself (directly or not) finds its own index, so recursive shapes are read once.
    fn shape(&mut self, node: TermRef<'_>) -> Result<usize, ShapesError> {
        if let Some(&i) = self.index.get(&node.into_owned()) {
            return Ok(i);
        }
        let i = self.shapes.len();
        let id = node.into_owned();
        self.index.insert(id.clone(), i);
        self.shapes.push(Shape {
            id: id.clone(),
            path: None,
            targets: Vec::new(),
            severity: sh::VIOLATION.into_owned(),
            messages: Vec::new(),
            deactivated: false,
            constraints: Vec::new(),
        });
        let name = id.to_string();
        let subject = match node {
            TermRef::NamedNode(n) => NamedOrBlankNodeRef::from(n),
            TermRef::BlankNode(b) => b.into(),
            // A literal as a shape has no parameters: every node conforms to it.
            _ => return Ok(i),
        };
        let shape = self.read(subject, &name)?;
        self.shapes[i] = Shape { id, ..shape };
        Ok(i)
    }

    fn read(&mut self, s: NamedOrBlankNodeRef<'_>, name: &str) -> Result<Shape, ShapesError> {
        let g = self.graph;
        let bad = |message: String| ShapesError::new(name, message);
        let values = |p: NamedNodeRef<'_>| -> Vec<TermRef<'_>> {
            g.objects_for_subject_predicate(s, p).collect()
        };
        let path = match values(sh::PATH).as_slice() {
            [] => None,
            [p] => Some(Path::from_graph(g, *p, name)?),
            _ => return Err(bad("a property shape has exactly one sh:path".into())),
        };
        let mut targets = Vec::new();
        for t in values(sh::TARGET_NODE) {
            targets.push(Target::Node(t.into_owned()));
        }
        for t in values(sh::TARGET_CLASS) {
            targets.push(Target::Class(t.into_owned()));
        }
        for t in values(sh::TARGET_SUBJECTS_OF) {
            targets.push(Target::SubjectsOf(
                iri(t, "sh:targetSubjectsOf").map_err(bad)?,
            ));
        }
        for t in values(sh::TARGET_OBJECTS_OF) {
            targets.push(Target::ObjectsOf(
                iri(t, "sh:targetObjectsOf").map_err(bad)?,
            ));
        }
        let is_shape = [sh::NODE_SHAPE, sh::PROPERTY_SHAPE]
            .iter()
            .any(|c| g.contains(oxrdf::TripleRef::new(s, rdf::TYPE, *c)));
        if is_shape && g.contains(oxrdf::TripleRef::new(s, rdf::TYPE, rdfs::CLASS)) {
            targets.push(Target::Class(s.into_owned().into()));
        }
        let severity = match values(sh::SEVERITY).as_slice() {
            [] => sh::VIOLATION.into_owned(),
            [TermRef::NamedNode(n)] => n.into_owned(),
            _ => return Err(bad("sh:severity must be one IRI".into())),
        };
        let messages = values(sh::MESSAGE)
            .into_iter()
            .map(TermRef::into_owned)
            .collect();
        let deactivated = match values(sh::DEACTIVATED).as_slice() {
            [] => false,
            [t] => boolean(*t, "sh:deactivated").map_err(bad)?,
            _ => return Err(bad("sh:deactivated must have one value".into())),
        };

        let mut constraints = Vec::new();
        for t in values(sh::CLASS) {
            constraints.push(Constraint::Class(t.into_owned()));
        }
        for t in values(sh::DATATYPE) {
            constraints.push(Constraint::Datatype(iri(t, "sh:datatype").map_err(bad)?));
        }
        for t in values(sh::NODE_KIND) {
            let kind = match t {
                TermRef::NamedNode(n) if n == sh::IRI_KIND => NodeKind::Iri,
                TermRef::NamedNode(n) if n == sh::BLANK_NODE_KIND => NodeKind::BlankNode,
                TermRef::NamedNode(n) if n == sh::LITERAL_KIND => NodeKind::Literal,
                TermRef::NamedNode(n) if n == sh::BLANK_NODE_OR_IRI => NodeKind::BlankNodeOrIri,
                TermRef::NamedNode(n) if n == sh::BLANK_NODE_OR_LITERAL => {
                    NodeKind::BlankNodeOrLiteral
                }
                TermRef::NamedNode(n) if n == sh::IRI_OR_LITERAL => NodeKind::IriOrLiteral,
                other => return Err(bad(format!("sh:nodeKind {other} is not a node kind"))),
            };
            constraints.push(Constraint::NodeKind(kind));
        }
        let counts = [
            (sh::MIN_COUNT, "sh:minCount"),
            (sh::MAX_COUNT, "sh:maxCount"),
            (sh::MIN_LENGTH, "sh:minLength"),
            (sh::MAX_LENGTH, "sh:maxLength"),
        ];
        for (p, label) in counts {
            for t in values(p) {
                let n = integer(t, label).map_err(bad)?;
                constraints.push(match label {
                    "sh:minCount" => Constraint::MinCount(n),
                    "sh:maxCount" => Constraint::MaxCount(n),
                    "sh:minLength" => Constraint::MinLength(n),
                    _ => Constraint::MaxLength(n),
                });
            }
        }
        if path.is_none()
            && constraints
                .iter()
                .any(|c| matches!(c, Constraint::MinCount(_) | Constraint::MaxCount(_)))
        {
            return Err(bad(
                "sh:minCount and sh:maxCount need a property shape (sh:path)".into(),
            ));
        }
        let ranges = [
            (sh::MIN_EXCLUSIVE, Range::MinExclusive),
            (sh::MIN_INCLUSIVE, Range::MinInclusive),
            (sh::MAX_EXCLUSIVE, Range::MaxExclusive),
            (sh::MAX_INCLUSIVE, Range::MaxInclusive),
        ];
        for (p, range) in ranges {
            for t in values(p) {
                let TermRef::Literal(l) = t else {
                    return Err(bad(format!("{p} must be a literal, not {t}")));
                };
                constraints.push(Constraint::Range(range, l.into_owned()));
            }
        }
        let flags = match values(sh::FLAGS).as_slice() {
            [] => String::new(),
            [TermRef::Literal(l)] => l.value().to_owned(),
            _ => return Err(bad("sh:flags must be one string".into())),
        };
        for t in values(sh::PATTERN) {
            let TermRef::Literal(l) = t else {
                return Err(bad(format!("sh:pattern must be a string, not {t}")));
            };
            let regex = pattern(l.value(), &flags).map_err(bad)?;
            constraints.push(Constraint::Pattern(regex, t.into_owned()));
        }
        for t in values(sh::LANGUAGE_IN) {
            let ranges = list(g, t)
                .map_err(bad)?
                .into_iter()
                .map(|r| match r {
                    Term::Literal(l) => Ok(l.value().to_owned()),
                    other => Err(bad(format!("sh:languageIn lists {other}, not a string"))),
                })
                .collect::<Result<_, _>>()?;
            constraints.push(Constraint::LanguageIn(ranges));
        }
        for t in values(sh::UNIQUE_LANG) {
            if boolean(t, "sh:uniqueLang").map_err(bad)? {
                if path.is_none() {
                    return Err(bad("sh:uniqueLang needs a property shape (sh:path)".into()));
                }
                constraints.push(Constraint::UniqueLang);
            }
        }
        let pairs = [
            (sh::EQUALS, Pair::Equals),
            (sh::DISJOINT, Pair::Disjoint),
            (sh::LESS_THAN, Pair::LessThan),
            (sh::LESS_THAN_OR_EQUALS, Pair::LessThanOrEquals),
        ];
        for (p, pair) in pairs {
            for t in values(p) {
                let property = iri(t, p.as_str()).map_err(bad)?;
                if path.is_none() && matches!(pair, Pair::LessThan | Pair::LessThanOrEquals) {
                    return Err(bad(format!("{p} needs a property shape (sh:path)")));
                }
                constraints.push(Constraint::Pair(pair, property));
            }
        }
        for t in values(sh::NOT) {
            constraints.push(Constraint::Not(self.shape(t)?));
        }
        for (p, make) in [
            (sh::AND, Constraint::And as fn(Vec<usize>) -> Constraint),
            (sh::OR, Constraint::Or),
            (sh::XONE, Constraint::Xone),
        ] {
            for t in values(p) {
                let members = list(g, t).map_err(bad)?;
                let shapes = members
                    .iter()
                    .map(|m| self.shape(m.as_ref()))
                    .collect::<Result<_, _>>()?;
                constraints.push(make(shapes));
            }
        }
        for t in values(sh::NODE) {
            constraints.push(Constraint::Node(self.shape(t)?));
        }
        for t in values(sh::PROPERTY) {
            let has_path =
                subject(t).is_some_and(|p| g.object_for_subject_predicate(p, sh::PATH).is_some());
            if !has_path {
                return Err(bad(format!("sh:property {t} has no sh:path")));
            }
            let i = self.shape(t)?;
            constraints.push(Constraint::Property(i));
        }
        let qualified = values(sh::QUALIFIED_VALUE_SHAPE);
        if !qualified.is_empty() {
            if path.is_none() {
                return Err(bad(
                    "sh:qualifiedValueShape needs a property shape (sh:path)".into(),
                ));
            }
            let one_count =
                |p: NamedNodeRef<'_>, label: &str| -> Result<Option<u64>, ShapesError> {
                    match values(p).as_slice() {
                        [] => Ok(None),
                        [t] => integer(*t, label).map(Some).map_err(bad),
                        _ => Err(bad(format!("{label} must have one value"))),
                    }
                };
            let min = one_count(sh::QUALIFIED_MIN_COUNT, "sh:qualifiedMinCount")?;
            let max = one_count(sh::QUALIFIED_MAX_COUNT, "sh:qualifiedMaxCount")?;
            let disjoint = match values(sh::QUALIFIED_VALUE_SHAPES_DISJOINT).as_slice() {
                [] => false,
                [t] => boolean(*t, "sh:qualifiedValueShapesDisjoint").map_err(bad)?,
                _ => {
                    return Err(bad(
                        "sh:qualifiedValueShapesDisjoint must have one value".into()
                    ));
                }
            };
            for q in &qualified {
                let shape = self.shape(*q)?;
                let siblings = if disjoint {
                    self.siblings(s, *q)?
                } else {
                    Vec::new()
                };
                constraints.push(Constraint::Qualified {
                    shape,
                    min,
                    max,
                    siblings,
                });
            }
        }
        for t in values(sh::CLOSED) {
            if boolean(t, "sh:closed").map_err(bad)? {
                let mut allowed = HashSet::new();
                for p in values(sh::PROPERTY) {
                    let Some(ps) = subject(p) else { continue };
                    for path in g.objects_for_subject_predicate(ps, sh::PATH) {
                        if let TermRef::NamedNode(n) = path {
                            allowed.insert(n.into_owned());
                        }
                    }
                }
                for l in values(sh::IGNORED_PROPERTIES) {
                    for p in list(g, l).map_err(bad)? {
                        match p {
                            Term::NamedNode(n) => {
                                allowed.insert(n);
                            }
                            other => {
                                return Err(bad(format!(
                                    "sh:ignoredProperties lists {other}, not an IRI"
                                )));
                            }
                        }
                    }
                }
                constraints.push(Constraint::Closed { allowed });
            }
        }
        for t in values(sh::HAS_VALUE) {
            constraints.push(Constraint::HasValue(t.into_owned()));
        }
        for t in values(sh::IN) {
            constraints.push(Constraint::In(list(g, t).map_err(bad)?));
        }
        Ok(Shape {
            id: s.into_owned().into(),
            path,
            targets,
            severity,
            messages,
            deactivated,
            constraints,
        })
    }

    /// The qualified value shapes of the property shapes beside `shape` (the values of
    /// `sh:property` of every shape that has `shape` as one), other than `own`.
    fn siblings(
        &mut self,
        shape: NamedOrBlankNodeRef<'_>,
        own: TermRef<'_>,
    ) -> Result<Vec<usize>, ShapesError> {
        let g = self.graph;
        let mut found = Vec::new();
        for parent in g.subjects_for_predicate_object(sh::PROPERTY, shape) {
            for sibling in g.objects_for_subject_predicate(parent, sh::PROPERTY) {
                let Some(sibling) = subject(sibling) else {
                    continue;
                };
                for q in g.objects_for_subject_predicate(sibling, sh::QUALIFIED_VALUE_SHAPE) {
                    if q != own {
                        let i = self.shape(q)?;
                        if !found.contains(&i) {
                            found.push(i);
                        }
                    }
                }
            }
        }
        Ok(found)
    }
}

fn subject(t: TermRef<'_>) -> Option<NamedOrBlankNodeRef<'_>> {
    match t {
        TermRef::NamedNode(n) => Some(n.into()),
        TermRef::BlankNode(b) => Some(b.into()),
        _ => None,
    }
}

fn iri(t: TermRef<'_>, parameter: &str) -> Result<NamedNode, String> {
    match t {
        TermRef::NamedNode(n) => Ok(n.into_owned()),
        other => Err(format!("{parameter} must be an IRI, not {other}")),
    }
}

fn integer(t: TermRef<'_>, parameter: &str) -> Result<u64, String> {
    match t {
        TermRef::Literal(l) if crate::value::is_integer_type(l.datatype()) => l
            .value()
            .trim()
            .trim_start_matches('+')
            .parse()
            .map_err(|_| format!("{parameter} must be a non-negative integer, not {t}")),
        other => Err(format!("{parameter} must be an xsd:integer, not {other}")),
    }
}

/// A boolean parameter: on only when it is the literal `true` itself, as SHACL compares terms
/// (`"1"^^xsd:boolean` is another term, and leaves the parameter off).
fn boolean(t: TermRef<'_>, parameter: &str) -> Result<bool, String> {
    match t {
        TermRef::Literal(l) if l.datatype() == xsd::BOOLEAN => Ok(l.value() == "true"),
        other => Err(format!("{parameter} must be an xsd:boolean, not {other}")),
    }
}

/// `sh:pattern` with `sh:flags` as a regular expression. XPath's flags `s`, `m`, `i` and `x`
/// are the regex crate's; `q` quotes the whole pattern. The XPath syntax the regex crate lacks
/// (character class subtraction `[a-z-[aeiou]]`, `\i`, `\c`) is refused with the shapes graph
/// rather than matched differently.
fn pattern(source: &str, flags: &str) -> Result<Regex, String> {
    let source = if flags.contains('q') {
        std::borrow::Cow::Owned(regex::escape(source))
    } else {
        std::borrow::Cow::Borrowed(source)
    };
    // In XPath `[a-z-[aeiou]]` subtracts a class; the regex crate would read a union.
    if !flags.contains('q') && subtracts_a_class(&source) {
        return Err(format!(
            "sh:pattern {source:?}: character class subtraction is not supported"
        ));
    }
    let mut builder = regex::RegexBuilder::new(&source);
    for f in flags.chars() {
        match f {
            'i' => builder.case_insensitive(true),
            'm' => builder.multi_line(true),
            's' => builder.dot_matches_new_line(true),
            'x' => builder.ignore_whitespace(true),
            'q' => &mut builder,
            other => return Err(format!("sh:flags {flags:?}: unknown flag {other:?}")),
        };
    }
    builder
        .size_limit(1 << 22)
        .build()
        .map_err(|e| format!("sh:pattern {source:?} is not a regular expression: {e}"))
}

/// Whether the XPath pattern has `-[` inside a character class.
fn subtracts_a_class(source: &str) -> bool {
    let mut in_class = false;
    let mut chars = source.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '-' if in_class && chars.peek() == Some(&'[') => return true,
            _ => {}
        }
    }
    false
}

/// The members of the RDF list that starts at `head`.
pub(crate) fn list(graph: &Graph, head: TermRef<'_>) -> Result<Vec<Term>, String> {
    let mut items = Vec::new();
    let mut node = head;
    let mut seen = HashSet::new();
    loop {
        let cell = match node {
            TermRef::NamedNode(n) if n == rdf::NIL => return Ok(items),
            TermRef::NamedNode(n) => NamedOrBlankNodeRef::from(n),
            TermRef::BlankNode(b) => b.into(),
            other => return Err(format!("{other} is not an RDF list")),
        };
        if !seen.insert(node) {
            return Err(format!("the RDF list {head} is cyclic"));
        }
        let (Some(first), Some(rest)) = (
            graph.object_for_subject_predicate(cell, rdf::FIRST),
            graph.object_for_subject_predicate(cell, rdf::REST),
        ) else {
            return Err(format!("{head} is not a well-formed RDF list"));
        };
        items.push(first.into_owned());
        node = rest;
    }
}

impl fmt::Display for Shapes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} shapes, {} with targets",
            self.shapes.len(),
            self.targeted.len()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::pattern;

    #[test]
    fn xpath_syntax_the_regex_crate_reads_otherwise_is_refused() {
        assert!(pattern("[a-z-[aeiou]]", "").is_err());
        assert!(pattern("^DE-[0-9]+$", "").unwrap().is_match("DE-1234"));
        assert!(pattern(r"[\\]-[0-9]", "").unwrap().is_match("\\-1"));
        assert!(pattern(r"\i\c*", "").is_err());
        assert!(pattern("a-[b", "q").unwrap().is_match("xa-[by"));
        assert!(pattern("^DE-", "i").unwrap().is_match("de-1"));
        assert!(pattern("a b", "x").unwrap().is_match("ab"));
        assert!(pattern("a", "z").is_err());
    }
}
