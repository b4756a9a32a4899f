//! Which hosts `SERVICE` and `LOAD` may reach: none unless the operator allows them.

use oxigraph::sparql::QuerySolutionIter;
use oxiri::Iri;
use oxrdf::NamedNode;
use spargebra::algebra::{Expression, GraphPattern};
use spargebra::term::NamedNodePattern;
use spargebra::{GraphUpdateOperation, Query, Update};
use std::collections::BTreeSet;

/// The operator's allow list for outbound requests made by queries and updates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServicePolicy {
    allow: Vec<String>,
}

impl ServicePolicy {
    /// Allows the given hosts (`example.org`, or `example.org:8080`); empty: no host.
    pub fn new(allow: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            allow: allow
                .into_iter()
                .map(|h| h.into().to_ascii_lowercase())
                .collect(),
        }
    }

    /// Whether a request to `iri` is allowed.
    pub fn allows(&self, iri: &str) -> bool {
        let Some(host) = service_host(iri) else {
            return false;
        };
        self.allow
            .iter()
            .any(|a| *a == host || host.split_once(':').is_some_and(|(name, _)| a == name))
    }

    /// The `SERVICE` names of `query` that are refused, and whether any is a variable (which is
    /// always refused: where it would go is not known before the query runs).
    pub(crate) fn refused_services(
        &self,
        patterns: &[&GraphPattern],
    ) -> (BTreeSet<NamedNode>, bool) {
        let mut names = Vec::new();
        let mut variable = false;
        for pattern in patterns {
            services(pattern, &mut |name| match name {
                NamedNodePattern::NamedNode(n) => names.push(n.clone()),
                NamedNodePattern::Variable(_) => variable = true,
            });
        }
        (
            names
                .into_iter()
                .filter(|n| !self.allows(n.as_str()))
                .collect(),
            variable,
        )
    }

    /// `update` without its refused `LOAD SILENT` operations (a silent failure is no failure);
    /// a refused `LOAD` without `SILENT` refuses the whole update.
    pub(crate) fn check_update(&self, update: &Update) -> Result<Update, RefusedService> {
        let mut checked = update.clone();
        checked.operations.clear();
        for op in &update.operations {
            if let GraphUpdateOperation::Load { silent, source, .. } = op {
                if !self.allows(source.as_str()) {
                    if *silent {
                        continue;
                    }
                    return Err(RefusedService::new("LOAD", source));
                }
            }
            checked.operations.push(op.clone());
        }
        Ok(checked)
    }
}

/// The host (and port, if given) of an `http(s)` IRI, lower case.
pub fn service_host(iri: &str) -> Option<String> {
    let iri = Iri::parse(iri).ok()?;
    if !matches!(iri.scheme(), "http" | "https") {
        return None;
    }
    let authority = iri.authority()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    Some(host.to_ascii_lowercase())
}

/// The patterns of a query, for walking.
pub(crate) fn query_patterns(query: &Query) -> Vec<&GraphPattern> {
    match query {
        Query::Select { pattern, .. }
        | Query::Construct { pattern, .. }
        | Query::Describe { pattern, .. }
        | Query::Ask { pattern, .. } => vec![pattern],
    }
}

/// The patterns of an update, for walking.
pub(crate) fn update_patterns(update: &Update) -> Vec<&GraphPattern> {
    update
        .operations
        .iter()
        .filter_map(|op| match op {
            GraphUpdateOperation::DeleteInsert { pattern, .. } => Some(&**pattern),
            _ => None,
        })
        .collect()
}

fn services(pattern: &GraphPattern, f: &mut dyn FnMut(&NamedNodePattern)) {
    match pattern {
        GraphPattern::Service { name, inner, .. } => {
            f(name);
            services(inner, f);
        }
        GraphPattern::Join { left, right }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => {
            services(left, f);
            services(right, f);
        }
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => {
            services(left, f);
            services(right, f);
            if let Some(e) = expression {
                expression_services(e, f);
            }
        }
        GraphPattern::Filter { expr, inner } => {
            expression_services(expr, f);
            services(inner, f);
        }
        GraphPattern::Extend {
            inner, expression, ..
        } => {
            expression_services(expression, f);
            services(inner, f);
        }
        GraphPattern::OrderBy { inner, expression } => {
            for e in expression {
                match e {
                    spargebra::algebra::OrderExpression::Asc(e)
                    | spargebra::algebra::OrderExpression::Desc(e) => expression_services(e, f),
                }
            }
            services(inner, f);
        }
        GraphPattern::Group {
            inner, aggregates, ..
        } => {
            for (_, a) in aggregates {
                if let spargebra::algebra::AggregateExpression::FunctionCall { expr, .. } = a {
                    expression_services(expr, f);
                }
            }
            services(inner, f);
        }
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. } => services(inner, f),
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. } => {}
    }
}

fn expression_services(expression: &Expression, f: &mut dyn FnMut(&NamedNodePattern)) {
    match expression {
        Expression::Exists(p) => services(p, f),
        Expression::Or(a, b)
        | Expression::And(a, b)
        | Expression::Equal(a, b)
        | Expression::SameTerm(a, b)
        | Expression::Greater(a, b)
        | Expression::GreaterOrEqual(a, b)
        | Expression::Less(a, b)
        | Expression::LessOrEqual(a, b)
        | Expression::Add(a, b)
        | Expression::Subtract(a, b)
        | Expression::Multiply(a, b)
        | Expression::Divide(a, b) => {
            expression_services(a, f);
            expression_services(b, f);
        }
        Expression::UnaryPlus(a) | Expression::UnaryMinus(a) | Expression::Not(a) => {
            expression_services(a, f);
        }
        Expression::In(a, list) => {
            expression_services(a, f);
            for e in list {
                expression_services(e, f);
            }
        }
        Expression::If(a, b, c) => {
            expression_services(a, f);
            expression_services(b, f);
            expression_services(c, f);
        }
        Expression::Coalesce(list) | Expression::FunctionCall(_, list) => {
            for e in list {
                expression_services(e, f);
            }
        }
        Expression::NamedNode(_)
        | Expression::Literal(_)
        | Expression::Variable(_)
        | Expression::Bound(_) => {}
    }
}

/// The error of a refused `SERVICE` or `LOAD`.
#[derive(Debug, thiserror::Error)]
#[error("{operation} <{target}> is refused: its host is not in the server's service_allow list")]
pub(crate) struct RefusedService {
    operation: &'static str,
    target: String,
}

impl RefusedService {
    pub(crate) fn new(operation: &'static str, target: &NamedNode) -> Self {
        Self {
            operation,
            target: target.as_str().to_owned(),
        }
    }
}

/// Answers the `SERVICE` it is registered for with a refusal (`SILENT` turns it into an empty
/// solution, as the evaluator does for any failing silent service).
pub(crate) struct Refuse(pub(crate) NamedNode);

impl oxigraph::sparql::ServiceHandler for Refuse {
    type Error = RefusedService;

    fn handle(
        &self,
        _pattern: &GraphPattern,
        _base_iri: Option<&Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, RefusedService> {
        Err(RefusedService::new("SERVICE", &self.0))
    }
}

/// Refuses every `SERVICE` whose name is not registered, including variable ones.
pub(crate) struct RefuseAll;

impl oxigraph::sparql::DefaultServiceHandler for RefuseAll {
    type Error = RefusedService;

    fn handle(
        &self,
        service_name: &NamedNode,
        _pattern: &GraphPattern,
        _base_iri: Option<&Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, RefusedService> {
        Err(RefusedService::new("SERVICE", service_name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            service_host("https://query.wikidata.org/sparql").as_deref(),
            Some("query.wikidata.org")
        );
        assert_eq!(
            service_host("http://u@Example.org:8080/x").as_deref(),
            Some("example.org:8080")
        );
        assert_eq!(service_host("file:///etc/passwd"), None);
        let policy = ServicePolicy::new(["example.org"]);
        assert!(policy.allows("http://example.org:8080/sparql"));
        assert!(!policy.allows("http://evil.example/sparql"));
        assert!(!ServicePolicy::default().allows("http://example.org/"));
    }

    #[test]
    fn finds_services_everywhere() {
        let q = spargebra::SparqlParser::new()
            .parse_query("SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE <http://a.example/> { ?s ?p ?o } } OPTIONAL { SERVICE SILENT ?x {} } }")
            .unwrap();
        let (names, variable) = ServicePolicy::default().refused_services(&query_patterns(&q));
        assert_eq!(names.len(), 1);
        assert!(variable);
    }
}
