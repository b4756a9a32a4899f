//! Which hosts `SERVICE` (<https://www.w3.org/TR/sparql11-federated-query/>) and `LOAD` may
//! reach: none unless the operator allows them.

use crate::visit::{Node, walk_query, walk_update};
use oxiri::Iri;
use oxrdf::NamedNode;
use spargebra::algebra::GraphPattern;
use spargebra::term::NamedNodePattern;
use spargebra::{GraphUpdateOperation, Query, Update};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::ops::ControlFlow;

/// The operator's allow list for outbound requests made by queries and updates.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServicePolicy {
    allow: Vec<String>,
}

/// The `SERVICE`s of a query or update that a policy refuses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefusedServices {
    /// The refused `SERVICE` IRIs.
    pub names: BTreeSet<NamedNode>,
    /// Whether a `SERVICE` names a variable: always refused, since where it would go is not
    /// known before the query runs.
    pub variable: bool,
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

    /// Whether no host at all may be reached (then every `SERVICE` is refused without looking).
    pub fn allows_none(&self) -> bool {
        self.allow.is_empty()
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

    /// The `SERVICE`s of `query` that are refused.
    pub fn refused_in_query(&self, query: &Query) -> RefusedServices {
        let mut refused = RefusedServices::default();
        let _ = walk_query(query, |node, _| self.collect(node, &mut refused));
        refused
    }

    /// The `SERVICE`s of `update`'s patterns that are refused.
    pub fn refused_in_update(&self, update: &Update) -> RefusedServices {
        let mut refused = RefusedServices::default();
        let _ = walk_update(update, |node, _| self.collect(node, &mut refused));
        refused
    }

    fn collect(&self, node: Node<'_>, refused: &mut RefusedServices) -> ControlFlow<()> {
        if let Node::Pattern(GraphPattern::Service { name, .. }) = node {
            match name {
                NamedNodePattern::NamedNode(n) if !self.allows(n.as_str()) => {
                    refused.names.insert(n.clone());
                }
                NamedNodePattern::NamedNode(_) => {}
                NamedNodePattern::Variable(_) => refused.variable = true,
            }
        }
        ControlFlow::Continue(())
    }

    /// `update` without its refused `LOAD SILENT` operations (a silent failure is no failure);
    /// a refused `LOAD` without `SILENT` refuses the whole update.
    pub fn check_update<'a>(&self, update: &'a Update) -> Result<Cow<'a, Update>, Refused> {
        let refused_load = |op: &GraphUpdateOperation| match op {
            GraphUpdateOperation::Load { source, .. } => !self.allows(source.as_str()),
            _ => false,
        };
        if !update.operations.iter().any(refused_load) {
            return Ok(Cow::Borrowed(update));
        }
        let mut checked = update.clone();
        checked.operations.clear();
        for op in &update.operations {
            if let GraphUpdateOperation::Load { silent, source, .. } = op
                && !self.allows(source.as_str())
            {
                if *silent {
                    continue;
                }
                return Err(Refused::new("LOAD", source));
            }
            checked.operations.push(op.clone());
        }
        Ok(Cow::Owned(checked))
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

/// A refused `SERVICE` or `LOAD`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation} <{target}> is refused: its host is not in the server's service_allow list")]
pub struct Refused {
    operation: &'static str,
    target: String,
}

impl Refused {
    /// `operation` (`SERVICE` or `LOAD`) to `target` is refused.
    pub fn new(operation: &'static str, target: &NamedNode) -> Self {
        Self {
            operation,
            target: target.as_str().to_owned(),
        }
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
        assert!(ServicePolicy::default().allows_none());
    }

    #[test]
    fn finds_services_everywhere() {
        let q = spargebra::SparqlParser::new()
            .parse_query("SELECT * { ?s ?p ?o FILTER EXISTS { SERVICE <http://a.example/> { ?s ?p ?o } } OPTIONAL { SERVICE SILENT ?x {} } }")
            .unwrap();
        let refused = ServicePolicy::default().refused_in_query(&q);
        assert_eq!(refused.names.len(), 1);
        assert!(refused.variable);
        let allowed = ServicePolicy::new(["a.example"]).refused_in_query(&q);
        assert!(allowed.names.is_empty());
    }

    #[test]
    fn refused_loads() {
        let update = spargebra::SparqlParser::new()
            .parse_update("LOAD SILENT <http://evil.example/a.ttl> ; INSERT DATA { <http://s.example/> <http://p.example/> 1 }")
            .unwrap();
        let checked = ServicePolicy::default().check_update(&update).unwrap();
        assert_eq!(checked.operations.len(), 1);
        let update = spargebra::SparqlParser::new()
            .parse_update("LOAD <http://evil.example/a.ttl>")
            .unwrap();
        assert_eq!(
            ServicePolicy::default()
                .check_update(&update)
                .unwrap_err()
                .to_string(),
            "LOAD <http://evil.example/a.ttl> is refused: its host is not in the server's service_allow list"
        );
        let plain = spargebra::SparqlParser::new()
            .parse_update("CLEAR ALL")
            .unwrap();
        assert!(matches!(
            ServicePolicy::default().check_update(&plain),
            Ok(Cow::Borrowed(_))
        ));
    }
}
