//! The validation of a data graph against shapes: focus nodes from targets, value nodes from
//! paths, one check per constraint component
//! ([SHACL §3.4](https://www.w3.org/TR/shacl/#validation), [§4](https://www.w3.org/TR/shacl/#core-components)).

use crate::graph::{AccessError, DataGraph, Lookups as _, as_subject};
use crate::path::{Nodes, Path};
use crate::report::{ValidationReport, ValidationResult};
use crate::shapes::{Constraint, NodeKind, Pair, Range, Shape, Shapes, Target};
use crate::value::{compare, is_well_formed, lang_matches, string_value};
use crate::vocab::{rdfs, sh};
use oxrdf::vocab::rdf;
use oxrdf::{Literal, NamedNodeRef, Term};
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// Validates `data` against `shapes` and returns the report: one result for each focus node,
/// value and constraint that failed.
///
/// ```
/// use kulturnetz_shacl::{Shapes, validate};
/// # fn parse(ttl: &str) -> oxrdf::Graph {
/// #     oxttl::TurtleParser::new().for_slice(ttl).map(|t| t.unwrap()).collect()
/// # }
/// let shapes = Shapes::from_graph(&parse(r#"
///     @prefix sh: <http://www.w3.org/ns/shacl#> .
///     @prefix schema: <http://schema.org/> .
///     <http://example.org/shapes#Museum> a sh:NodeShape ; sh:targetClass schema:Museum ;
///         sh:property [ sh:path schema:name ; sh:minCount 1 ] ."#))?;
/// let data = parse(r#"
///     @prefix schema: <http://schema.org/> .
///     <http://example.org/m1> a schema:Museum ; schema:name "Lindenau-Museum" .
///     <http://example.org/m2> a schema:Museum ."#);
/// let report = validate(&shapes, &data)?;
/// assert!(!report.conforms());
/// assert_eq!(report.results()[0].focus_node.to_string(), "<http://example.org/m2>");
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn validate(shapes: &Shapes, data: &dyn DataGraph) -> Result<ValidationReport, AccessError> {
    let mut validator = Validator {
        shapes,
        data,
        conforms: HashMap::new(),
        in_progress: HashSet::new(),
    };
    let mut results = Vec::new();
    let mut focus_nodes = 0;
    for &i in &shapes.targeted {
        let shape = &shapes.shapes[i];
        if shape.deactivated {
            continue;
        }
        let focus = validator.focus_nodes(shape)?;
        focus_nodes += focus.len();
        for node in &focus {
            validator.shape(i, node, &mut results)?;
        }
    }
    Ok(ValidationReport::new(results, shapes.len(), focus_nodes))
}

struct Validator<'a> {
    shapes: &'a Shapes,
    data: &'a dyn DataGraph,
    /// Whether a node conforms to a shape, once known (`sh:node`, `sh:not`, `sh:or`, … ask
    /// the same questions many times).
    conforms: HashMap<(usize, Term), bool>,
    /// The shapes being checked, each with its focus node: met again, a recursive shape is
    /// taken to conform.
    in_progress: HashSet<(usize, Term)>,
}

impl Validator<'_> {
    fn focus_nodes(&self, shape: &Shape) -> Result<Vec<Term>, AccessError> {
        let mut nodes = Nodes::default();
        for target in &shape.targets {
            match target {
                Target::Node(n) => nodes.push(n.clone()),
                Target::Class(c) => {
                    for class in self.subclasses(c)? {
                        for s in self.data.subjects(rdf::TYPE, &class)? {
                            nodes.push(s);
                        }
                    }
                }
                Target::SubjectsOf(p) => {
                    for t in self.data.triples_matching(None, Some(p.as_ref()), None)? {
                        nodes.push(t.subject.into());
                    }
                }
                Target::ObjectsOf(p) => {
                    for t in self.data.triples_matching(None, Some(p.as_ref()), None)? {
                        nodes.push(t.object);
                    }
                }
            }
        }
        Ok(nodes.list)
    }

    /// The class and every class below it by `rdfs:subClassOf` in the data graph.
    fn subclasses(&self, class: &Term) -> Result<Vec<Term>, AccessError> {
        let path = Path::ZeroOrMore(Box::new(Path::Inverse(Box::new(Path::Predicate(
            rdfs::SUB_CLASS_OF.into_owned(),
        )))));
        path.values(self.data, class)
    }

    /// Whether `node` is a SHACL instance of `class`: typed with it or a subclass of it.
    fn is_instance(&self, node: &Term, class: &Term) -> Result<bool, AccessError> {
        let superclasses = Path::Sequence(vec![
            Path::Predicate(rdf::TYPE.into_owned()),
            Path::ZeroOrMore(Box::new(Path::Predicate(rdfs::SUB_CLASS_OF.into_owned()))),
        ]);
        Ok(superclasses.values(self.data, node)?.contains(class))
    }

    /// Whether `node` conforms to shape `i`: validating it as a focus node gives no results.
    fn conforms(&mut self, i: usize, node: &Term) -> Result<bool, AccessError> {
        let key = (i, node.clone());
        if let Some(&known) = self.conforms.get(&key) {
            return Ok(known);
        }
        if self.in_progress.contains(&key) {
            return Ok(true);
        }
        let mut results = Vec::new();
        self.shape(i, node, &mut results)?;
        let conforms = results.is_empty();
        self.conforms.insert(key, conforms);
        Ok(conforms)
    }

    /// Validates `focus` against shape `i`, adding its results to `out`.
    fn shape(
        &mut self,
        i: usize,
        focus: &Term,
        out: &mut Vec<ValidationResult>,
    ) -> Result<(), AccessError> {
        let shapes = self.shapes;
        let shape = &shapes.shapes[i];
        if shape.deactivated {
            return Ok(());
        }
        // A shape reached again from itself for the same node (through sh:property, sh:node,
        // … over cyclic data) adds nothing: SHACL leaves recursion undefined, and this ends it.
        let key = (i, focus.clone());
        if !self.in_progress.insert(key.clone()) {
            return Ok(());
        }
        let outcome = self.constraints(shape, focus, out);
        self.in_progress.remove(&key);
        outcome
    }

    fn constraints(
        &mut self,
        shape: &Shape,
        focus: &Term,
        out: &mut Vec<ValidationResult>,
    ) -> Result<(), AccessError> {
        let values = match &shape.path {
            Some(path) => path.values(self.data, focus)?,
            None => vec![focus.clone()],
        };
        for constraint in &shape.constraints {
            self.constraint(shape, constraint, focus, &values, out)?;
        }
        Ok(())
    }

    fn constraint(
        &mut self,
        shape: &Shape,
        constraint: &Constraint,
        focus: &Term,
        values: &[Term],
        out: &mut Vec<ValidationResult>,
    ) -> Result<(), AccessError> {
        let component = constraint.component();
        let result = |value: Option<&Term>, component: NamedNodeRef<'_>, path: Option<&Path>| {
            ValidationResult {
                focus_node: focus.clone(),
                path: path.or(shape.path.as_ref()).cloned(),
                value: value.cloned(),
                source_shape: shape.id.clone(),
                component: component.into_owned(),
                severity: shape.severity.clone(),
                messages: if shape.messages.is_empty() {
                    vec![Literal::new_simple_literal(message(constraint, component)).into()]
                } else {
                    shape.messages.clone()
                },
            }
        };
        // The value nodes that fail a check of their own, one result each.
        let mut each = |failed: &dyn Fn(&mut Self, &Term) -> Result<bool, AccessError>,
                        this: &mut Self|
         -> Result<(), AccessError> {
            for v in values {
                if failed(this, v)? {
                    out.push(result(Some(v), component, None));
                }
            }
            Ok(())
        };
        match constraint {
            Constraint::Class(class) => each(&|this, v| Ok(!this.is_instance(v, class)?), self)?,
            Constraint::Datatype(datatype) => each(
                &|_, v| {
                    Ok(!matches!(v, Term::Literal(l)
                        if l.datatype() == datatype.as_ref() && is_well_formed(l.as_ref())))
                },
                self,
            )?,
            Constraint::NodeKind(kind) => each(
                &|_, v| {
                    let ok = match v {
                        Term::NamedNode(_) => matches!(
                            kind,
                            NodeKind::Iri | NodeKind::BlankNodeOrIri | NodeKind::IriOrLiteral
                        ),
                        Term::BlankNode(_) => matches!(
                            kind,
                            NodeKind::BlankNode
                                | NodeKind::BlankNodeOrIri
                                | NodeKind::BlankNodeOrLiteral
                        ),
                        _ => matches!(
                            kind,
                            NodeKind::Literal
                                | NodeKind::BlankNodeOrLiteral
                                | NodeKind::IriOrLiteral
                        ),
                    };
                    Ok(!ok)
                },
                self,
            )?,
            Constraint::MinCount(n) => {
                if (values.len() as u64) < *n {
                    out.push(result(None, component, None));
                }
            }
            Constraint::MaxCount(n) => {
                if values.len() as u64 > *n {
                    out.push(result(None, component, None));
                }
            }
            Constraint::Range(range, bound) => {
                let bound = Term::from(bound.clone());
                each(
                    &|_, v| {
                        let ok = match (range, compare(v, &bound)) {
                            (_, None) => false,
                            (Range::MinExclusive, Some(o)) => o == Ordering::Greater,
                            (Range::MinInclusive, Some(o)) => o != Ordering::Less,
                            (Range::MaxExclusive, Some(o)) => o == Ordering::Less,
                            (Range::MaxInclusive, Some(o)) => o != Ordering::Greater,
                        };
                        Ok(!ok)
                    },
                    self,
                )?;
            }
            Constraint::MinLength(n) => each(
                &|_, v| Ok(string_value(v).is_none_or(|s| (s.chars().count() as u64) < *n)),
                self,
            )?,
            Constraint::MaxLength(n) => each(
                &|_, v| Ok(string_value(v).is_none_or(|s| s.chars().count() as u64 > *n)),
                self,
            )?,
            Constraint::Pattern(regex, _) => {
                each(
                    &|_, v| Ok(string_value(v).is_none_or(|s| !regex.is_match(s))),
                    self,
                )?;
            }
            Constraint::LanguageIn(ranges) => each(
                &|_, v| {
                    let tag = match v {
                        Term::Literal(l) => l.language(),
                        _ => None,
                    };
                    Ok(!tag.is_some_and(|t| ranges.iter().any(|r| lang_matches(t, r))))
                },
                self,
            )?,
            Constraint::UniqueLang => {
                let mut counts: Vec<(String, usize)> = Vec::new();
                for v in values {
                    if let Term::Literal(l) = v
                        && let Some(tag) = l.language()
                    {
                        let tag = tag.to_ascii_lowercase();
                        match counts.iter_mut().find(|(t, _)| *t == tag) {
                            Some((_, n)) => *n += 1,
                            None => counts.push((tag, 1)),
                        }
                    }
                }
                for _ in counts.iter().filter(|(_, n)| *n > 1) {
                    out.push(result(None, component, None));
                }
            }
            Constraint::Pair(pair, property) => {
                let others = self.data.objects(focus, property.as_ref())?;
                match pair {
                    Pair::Equals => {
                        for v in values.iter().filter(|v| !others.contains(v)) {
                            out.push(result(Some(v), component, None));
                        }
                        for o in others.iter().filter(|o| !values.contains(o)) {
                            out.push(result(Some(o), component, None));
                        }
                    }
                    Pair::Disjoint => {
                        for v in values.iter().filter(|v| others.contains(v)) {
                            out.push(result(Some(v), component, None));
                        }
                    }
                    Pair::LessThan | Pair::LessThanOrEquals => {
                        for v in values {
                            for o in &others {
                                let ok = match compare(v, o) {
                                    Some(Ordering::Less) => true,
                                    Some(Ordering::Equal) => *pair == Pair::LessThanOrEquals,
                                    _ => false,
                                };
                                if !ok {
                                    out.push(result(Some(v), component, None));
                                }
                            }
                        }
                    }
                }
            }
            Constraint::Not(s) => each(&|this, v| this.conforms(*s, v), self)?,
            Constraint::And(members) => each(
                &|this, v| {
                    for s in members {
                        if !this.conforms(*s, v)? {
                            return Ok(true);
                        }
                    }
                    Ok(false)
                },
                self,
            )?,
            Constraint::Or(members) => each(
                &|this, v| {
                    for s in members {
                        if this.conforms(*s, v)? {
                            return Ok(false);
                        }
                    }
                    Ok(true)
                },
                self,
            )?,
            Constraint::Xone(members) => each(
                &|this, v| {
                    let mut n = 0;
                    for s in members {
                        if this.conforms(*s, v)? {
                            n += 1;
                        }
                    }
                    Ok(n != 1)
                },
                self,
            )?,
            Constraint::Node(s) => each(&|this, v| Ok(!this.conforms(*s, v)?), self)?,
            Constraint::Property(s) => {
                for v in values {
                    self.shape(*s, v, out)?;
                }
            }
            Constraint::Qualified {
                shape: q,
                min,
                max,
                siblings,
            } => {
                let mut n = 0u64;
                'values: for v in values {
                    if !self.conforms(*q, v)? {
                        continue;
                    }
                    for s in siblings {
                        if self.conforms(*s, v)? {
                            continue 'values;
                        }
                    }
                    n += 1;
                }
                if min.is_some_and(|min| n < min) {
                    out.push(result(
                        None,
                        sh::QUALIFIED_MIN_COUNT_CONSTRAINT_COMPONENT,
                        None,
                    ));
                }
                if max.is_some_and(|max| n > max) {
                    out.push(result(
                        None,
                        sh::QUALIFIED_MAX_COUNT_CONSTRAINT_COMPONENT,
                        None,
                    ));
                }
            }
            Constraint::Closed { allowed } => {
                for v in values {
                    let Some(s) = as_subject(v) else { continue };
                    for t in self.data.triples_matching(Some(s), None, None)? {
                        if !allowed.contains(&t.predicate) {
                            let path = Path::Predicate(t.predicate);
                            let mut r = result(Some(&t.object), component, Some(&path));
                            r.focus_node = v.clone();
                            out.push(r);
                        }
                    }
                }
            }
            Constraint::HasValue(expected) => {
                if !values.contains(expected) {
                    out.push(result(None, component, None));
                }
            }
            Constraint::In(members) => each(&|_, v| Ok(!members.contains(v)), self)?,
        }
        Ok(())
    }
}

/// The message of a result whose shape has no `sh:message`.
fn message(constraint: &Constraint, component: NamedNodeRef<'_>) -> String {
    match constraint {
        Constraint::Class(c) => format!("not an instance of {c}"),
        Constraint::Datatype(d) => format!("not a well-formed literal of datatype {d}"),
        Constraint::NodeKind(k) => format!(
            "not of node kind sh:{}",
            match k {
                NodeKind::Iri => "IRI",
                NodeKind::BlankNode => "BlankNode",
                NodeKind::Literal => "Literal",
                NodeKind::BlankNodeOrIri => "BlankNodeOrIRI",
                NodeKind::BlankNodeOrLiteral => "BlankNodeOrLiteral",
                NodeKind::IriOrLiteral => "IRIOrLiteral",
            }
        ),
        Constraint::MinCount(n) => format!("fewer than {n} values"),
        Constraint::MaxCount(n) => format!("more than {n} values"),
        Constraint::Range(r, b) => {
            let relation = match r {
                Range::MinExclusive => ">",
                Range::MinInclusive => ">=",
                Range::MaxExclusive => "<",
                Range::MaxInclusive => "<=",
            };
            format!("not {relation} {b}, or not comparable with it")
        }
        Constraint::MinLength(n) => format!("shorter than {n} characters"),
        Constraint::MaxLength(n) => format!("longer than {n} characters"),
        Constraint::Pattern(_, p) => format!("does not match {p}"),
        Constraint::LanguageIn(l) => format!("no language tag in {l:?}"),
        Constraint::UniqueLang => "more than one value with the same language".into(),
        Constraint::Pair(p, q) => {
            let relation = match p {
                Pair::Equals => "the same as",
                Pair::Disjoint => "disjoint from",
                Pair::LessThan => "less than",
                Pair::LessThanOrEquals => "less than or equal to",
            };
            format!("not {relation} the values of {q}")
        }
        Constraint::Not(_) => "conforms to the shape of sh:not".into(),
        Constraint::And(_) => "does not conform to every shape of sh:and".into(),
        Constraint::Or(_) => "conforms to none of the shapes of sh:or".into(),
        Constraint::Xone(_) => "does not conform to exactly one shape of sh:xone".into(),
        Constraint::Node(_) => "does not conform to the shape of sh:node".into(),
        Constraint::Property(_) => "does not conform to the property shape".into(),
        Constraint::Qualified { min, max, .. } => {
            if component == sh::QUALIFIED_MIN_COUNT_CONSTRAINT_COMPONENT {
                format!(
                    "fewer than {} values conform to the qualified value shape",
                    min.unwrap_or(0)
                )
            } else {
                format!(
                    "more than {} values conform to the qualified value shape",
                    max.unwrap_or(0)
                )
            }
        }
        Constraint::Closed { .. } => "a property the closed shape does not allow".into(),
        Constraint::HasValue(v) => format!("no value is {v}"),
        Constraint::In(_) => "not one of the values of sh:in".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::AccessError;
    use oxrdf::{Graph, NamedNodeRef, NamedOrBlankNodeRef, TermRef, Triple};
    use std::cell::RefCell;

    const PREFIXES: &str = "@prefix sh: <http://www.w3.org/ns/shacl#> .\n\
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\
        @prefix ex: <http://example.org/> .\n";

    fn parse(ttl: &str) -> Graph {
        oxttl::TurtleParser::new()
            .for_slice(format!("{PREFIXES}{ttl}").as_bytes())
            .map(|t| t.expect("test Turtle parses"))
            .collect()
    }

    /// The results as `focus component-local-name`, sorted.
    fn check(shapes: &str, data: &str) -> Vec<String> {
        let shapes = Shapes::from_graph(&parse(shapes)).expect("well-formed shapes");
        let report = validate(&shapes, &parse(data)).expect("in-memory data");
        let mut found: Vec<String> = report
            .results()
            .iter()
            .map(|r| {
                let component = r.component.as_str().trim_start_matches(sh::NAMESPACE);
                format!("{} {component}", r.focus_node)
            })
            .collect();
        found.sort();
        found
    }

    #[test]
    fn recursive_shapes_end_and_still_check_each_node() {
        let shapes = "ex:Person a sh:NodeShape ; sh:targetNode ex:a ;
            sh:property [ sh:path ex:knows ; sh:node ex:Person ] ;
            sh:property [ sh:path ex:name ; sh:minCount 1 ] .";
        // a knows b knows a: the cycle ends; b has no name, so b fails ex:Person and so does
        // a's ex:knows value.
        let data = "ex:a ex:name \"A\" ; ex:knows ex:b . ex:b ex:knows ex:a .";
        assert_eq!(
            check(shapes, data),
            ["<http://example.org/a> NodeConstraintComponent"]
        );
    }

    #[test]
    fn a_property_shape_that_contains_itself_ends_on_cyclic_data() {
        let shapes = "ex:S sh:targetNode ex:a ; sh:property ex:P .
            ex:P sh:path ex:knows ; sh:property ex:P ; sh:nodeKind sh:BlankNode .";
        let data = "ex:a ex:knows ex:b . ex:b ex:knows ex:a .";
        assert_eq!(
            check(shapes, data),
            [
                "<http://example.org/a> NodeKindConstraintComponent",
                "<http://example.org/b> NodeKindConstraintComponent"
            ]
        );
    }

    #[test]
    fn a_deactivated_shape_is_conformed_to_wherever_it_is_used() {
        let shapes = "ex:S sh:targetNode ex:a ; sh:node ex:Off .
            ex:Off sh:deactivated true ; sh:class ex:Nothing .";
        assert!(check(shapes, "ex:a ex:p 1 .").is_empty());
        let on = "ex:S sh:targetNode ex:a ; sh:node ex:Off .
            ex:Off sh:deactivated false ; sh:class ex:Nothing .";
        assert_eq!(
            check(on, "ex:a ex:p 1 ."),
            ["<http://example.org/a> NodeConstraintComponent"]
        );
    }

    #[test]
    fn patterns_take_flags_and_fail_blank_nodes() {
        let shapes = "ex:S sh:targetSubjectsOf ex:code ;
            sh:property [ sh:path ex:code ; sh:pattern \"^de-\" ; sh:flags \"i\" ] .";
        let data = "ex:a ex:code \"DE-1234\" . ex:b ex:code \"AT-1\" . ex:c ex:code [] .";
        assert_eq!(
            check(shapes, data),
            [
                "<http://example.org/b> PatternConstraintComponent",
                "<http://example.org/c> PatternConstraintComponent"
            ]
        );
    }

    #[test]
    fn values_that_cannot_be_compared_fail_ranges_and_less_than() {
        let shapes = "ex:S sh:targetSubjectsOf ex:start ;
            sh:property [ sh:path ex:start ; sh:lessThan ex:end ; sh:minInclusive 0 ] .";
        let data = "ex:ok ex:start 1 ; ex:end 2.5 .
            ex:equal ex:start 2 ; ex:end 2 .
            ex:text ex:start \"1\" ; ex:end 2 .
            ex:dates ex:start \"2024-01-01\"^^xsd:date ; ex:end \"2024-02-01\"^^xsd:date .";
        assert_eq!(
            check(shapes, data),
            [
                // A date is not comparable with 0.
                "<http://example.org/dates> MinInclusiveConstraintComponent",
                "<http://example.org/equal> LessThanConstraintComponent",
                "<http://example.org/text> LessThanConstraintComponent",
                "<http://example.org/text> MinInclusiveConstraintComponent",
            ]
        );
    }

    #[test]
    fn class_targets_and_sh_class_follow_subclasses_in_the_data_graph() {
        let shapes =
            "ex:S sh:targetClass ex:Venue ; sh:property [ sh:path ex:place ; sh:class ex:Place ] .";
        let data = "ex:Museum rdfs:subClassOf ex:Venue . ex:City rdfs:subClassOf ex:Place .
            ex:m a ex:Museum ; ex:place ex:jena . ex:jena a ex:City .
            ex:v a ex:Venue ; ex:place \"Jena\" .";
        assert_eq!(
            check(shapes, data),
            ["<http://example.org/v> ClassConstraintComponent"]
        );
    }

    #[test]
    fn closed_shapes_allow_their_paths_and_the_ignored_properties() {
        let shapes = "ex:S sh:targetNode ex:a ; sh:closed true ;
            sh:ignoredProperties ( <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> ) ;
            sh:property [ sh:path ex:name ] .";
        let data = "ex:a a ex:T ; ex:name \"a\" ; ex:other 1 .";
        let shapes = Shapes::from_graph(&parse(shapes)).unwrap();
        let report = validate(&shapes, &parse(data)).unwrap();
        let [result] = report.results() else {
            panic!("one result expected: {:?}", report.results())
        };
        assert_eq!(
            result.path,
            Some(Path::Predicate(
                NamedNodeRef::new_unchecked("http://example.org/other").into_owned()
            ))
        );
        assert_eq!(
            result.value.as_ref().map(ToString::to_string).as_deref(),
            Some("\"1\"^^<http://www.w3.org/2001/XMLSchema#integer>")
        );
    }

    #[test]
    fn severities_and_messages_come_from_the_shape() {
        let shapes = "ex:S sh:targetNode ex:a ; sh:severity sh:Warning ;
            sh:message \"Name fehlt\"@de, \"name missing\"@en ;
            sh:property [ sh:path ex:name ; sh:minCount 1 ; sh:message \"no name\" ] ;
            sh:class ex:Thing .";
        let shapes = Shapes::from_graph(&parse(shapes)).unwrap();
        let report = validate(&shapes, &parse("ex:a ex:p 1 .")).unwrap();
        assert_eq!(report.count(sh::WARNING), 1);
        assert_eq!(report.count(sh::VIOLATION), 1);
        let messages: Vec<Vec<String>> = report
            .results()
            .iter()
            .map(|r| {
                let mut m: Vec<String> = r.messages.iter().map(ToString::to_string).collect();
                m.sort();
                m
            })
            .collect();
        assert!(
            messages.contains(&vec!["\"no name\"".to_owned()]),
            "{messages:?}"
        );
        assert!(
            messages.contains(&vec![
                "\"Name fehlt\"@de".to_owned(),
                "\"name missing\"@en".to_owned()
            ]),
            "{messages:?}"
        );
    }

    #[test]
    fn results_without_sh_message_say_what_failed() {
        let shapes = "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:n ;
            sh:minInclusive 3 ; sh:nodeKind sh:IRI ; sh:lessThan ex:m ; sh:languageIn ( \"de\" ) ] .";
        let shapes = Shapes::from_graph(&parse(shapes)).unwrap();
        let report = validate(&shapes, &parse("ex:a ex:n 2 ; ex:m 1 .")).unwrap();
        let mut messages: Vec<String> = report
            .results()
            .iter()
            .flat_map(|r| r.messages.iter().map(ToString::to_string))
            .collect();
        messages.sort();
        assert_eq!(
            messages,
            [
                "\"no language tag in [\\\"de\\\"]\"",
                "\"not >= \\\"3\\\"^^<http://www.w3.org/2001/XMLSchema#integer>, or not comparable with it\"",
                "\"not less than the values of <http://example.org/m>\"",
                "\"not of node kind sh:IRI\"",
            ]
        );
    }

    #[test]
    fn the_report_graph_writes_paths_as_structures() {
        let shapes = "ex:S sh:targetNode ex:a ;
            sh:property [ sh:path ( ex:p [ sh:inversePath ex:q ] ) ; sh:minCount 1 ] .";
        let shapes = Shapes::from_graph(&parse(shapes)).unwrap();
        let graph = validate(&shapes, &parse("ex:a ex:p ex:b ."))
            .unwrap()
            .to_graph();
        let path = graph
            .triples_for_predicate(sh::RESULT_PATH)
            .next()
            .expect("a result path")
            .object;
        let TermRef::BlankNode(list) = path else {
            panic!("a list, not {path}")
        };
        let first = graph.object_for_subject_predicate(list, oxrdf::vocab::rdf::FIRST);
        assert_eq!(
            first,
            Some(NamedNodeRef::new_unchecked("http://example.org/p").into())
        );
        assert_eq!(graph.triples_for_predicate(sh::INVERSE_PATH).count(), 1);
        let conforms = graph
            .triples_for_predicate(sh::CONFORMS)
            .next()
            .unwrap()
            .object;
        assert_eq!(
            conforms.to_string(),
            "\"false\"^^<http://www.w3.org/2001/XMLSchema#boolean>"
        );
    }

    #[test]
    fn shapes_graphs_that_are_not_well_formed_are_refused_with_the_shape() {
        for (shapes, shape, expected) in [
            (
                "ex:S sh:targetNode ex:a ; sh:property ex:P . ex:P sh:path ex:p ; sh:minCount \"one\" .",
                "<http://example.org/P>",
                "sh:minCount must be an xsd:integer",
            ),
            (
                "ex:S sh:targetNode ex:a ; sh:path [ ex:unknown ex:p ] .",
                "<http://example.org/S>",
                "is not a path",
            ),
            (
                "ex:S sh:targetNode ex:a ; sh:pattern \"(\" .",
                "<http://example.org/S>",
                "is not a regular expression",
            ),
            (
                "ex:S sh:targetNode ex:a ; sh:minCount 1 .",
                "<http://example.org/S>",
                "need a property shape",
            ),
            (
                "ex:S sh:targetNode ex:a ; sh:in ex:notAList .",
                "<http://example.org/S>",
                "is not a well-formed RDF list",
            ),
            (
                "ex:S sh:targetNode ex:a ; sh:property [ sh:minCount 1 ] .",
                "<http://example.org/S>",
                "has no sh:path",
            ),
        ] {
            let error = Shapes::from_graph(&parse(shapes)).expect_err(shapes);
            assert_eq!(error.shape(), shape);
            assert!(
                error.to_string().contains(expected),
                "{error} lacks {expected:?}"
            );
        }
    }

    /// A data graph that records the patterns it is asked and can be made to fail.
    struct Recording {
        graph: Graph,
        fail: bool,
        asked: RefCell<Vec<(bool, bool, bool)>>,
    }

    impl DataGraph for Recording {
        fn triples_matching(
            &self,
            s: Option<NamedOrBlankNodeRef<'_>>,
            p: Option<NamedNodeRef<'_>>,
            o: Option<TermRef<'_>>,
        ) -> Result<Vec<Triple>, AccessError> {
            self.asked
                .borrow_mut()
                .push((s.is_some(), p.is_some(), o.is_some()));
            if self.fail {
                return Err(AccessError::new("the store is gone"));
            }
            self.graph.triples_matching(s, p, o)
        }
    }

    #[test]
    fn every_pattern_asked_binds_a_term_and_access_errors_end_validation() {
        let shapes = Shapes::from_graph(&parse(
            "ex:S sh:targetClass ex:T ; sh:targetSubjectsOf ex:p ; sh:targetObjectsOf ex:p ;
             sh:closed true ; sh:property [ sh:path ( ex:p [ sh:zeroOrMorePath [ sh:inversePath ex:q ] ] ) ;
             sh:equals ex:r ; sh:class ex:C ] .",
        ))
        .unwrap();
        let data = Recording {
            graph: parse("ex:a a ex:T ; ex:p ex:b . ex:c ex:q ex:b ; ex:p ex:a ."),
            fail: false,
            asked: RefCell::default(),
        };
        let report = validate(&shapes, &data).unwrap();
        assert!(!report.conforms());
        let asked = data.asked.borrow();
        assert!(asked.iter().all(|&(s, p, o)| s || p || o), "{asked:?}");

        let failing = Recording {
            fail: true,
            ..data_with(parse("ex:a a ex:T ."))
        };
        let error = validate(&shapes, &failing).expect_err("the graph fails");
        assert_eq!(
            error.to_string(),
            "cannot read the data graph: the store is gone"
        );
    }

    fn data_with(graph: Graph) -> Recording {
        Recording {
            graph,
            fail: false,
            asked: RefCell::default(),
        }
    }
}
