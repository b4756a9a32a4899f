//! The service policy of `kulturnetz-sparql` enforced inside Oxigraph's evaluator: `SERVICE`
//! calls to hosts that are not allowed are answered with a refusal.

use kulturnetz_sparql::Refused;
use oxigraph::sparql::QuerySolutionIter;
use oxiri::Iri;
use oxrdf::NamedNode;
use spargebra::algebra::GraphPattern;

/// Answers the `SERVICE` it is registered for with a refusal (`SILENT` turns it into an empty
/// solution, as the evaluator does for any failing silent service).
pub(crate) struct Refuse(pub(crate) NamedNode);

impl oxigraph::sparql::ServiceHandler for Refuse {
    type Error = Refused;

    fn handle(
        &self,
        _pattern: &GraphPattern,
        _base_iri: Option<&Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, Refused> {
        Err(Refused::new("SERVICE", &self.0))
    }
}

/// Refuses every `SERVICE` whose name is not registered, including variable ones.
pub(crate) struct RefuseAll;

impl oxigraph::sparql::DefaultServiceHandler for RefuseAll {
    type Error = Refused;

    fn handle(
        &self,
        service_name: &NamedNode,
        _pattern: &GraphPattern,
        _base_iri: Option<&Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, Refused> {
        Err(Refused::new("SERVICE", service_name))
    }
}
