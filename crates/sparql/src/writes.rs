//! Which graphs an update may write (<https://www.w3.org/TR/sparql11-update/#graphManagement>),
//! so that a server can refuse writes into graphs that it does not let clients change.

use oxrdf::NamedNode;
use spargebra::term::{GraphName, GraphNamePattern};
use spargebra::{GraphUpdateOperation, Update, algebra::GraphTarget};

/// A graph an update may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written<'a> {
    /// This named graph.
    Graph(&'a NamedNode),
    /// The default graph.
    Default,
    /// Named graphs not known before it runs: `GRAPH ?g` in a template, `CLEAR NAMED`,
    /// `DROP ALL`, ….
    AnyNamed,
}

/// Every graph `update` may change, in the order its operations name them (repeats included).
///
/// ```
/// use kulturnetz_sparql::{Written, parse_update, written_graphs};
///
/// let update = parse_update(
///     "INSERT DATA { GRAPH <http://ex.example/g> { <http://ex.example/s> <http://ex.example/p> 1 } } ;
///      DELETE { GRAPH ?g { ?s ?p ?o } } WHERE { GRAPH ?g { ?s ?p ?o } }",
///     None,
/// )?;
/// let written = written_graphs(&update);
/// assert!(matches!(written[0], Written::Graph(g) if g.as_str() == "http://ex.example/g"));
/// assert_eq!(written[1], Written::AnyNamed);
/// # Ok::<_, Box<dyn std::error::Error>>(())
/// ```
pub fn written_graphs(update: &Update) -> Vec<Written<'_>> {
    let mut out = Vec::new();
    for op in &update.operations {
        match op {
            GraphUpdateOperation::InsertData { data } => {
                out.extend(data.iter().map(|q| ground(&q.graph_name)));
            }
            GraphUpdateOperation::DeleteData { data } => {
                out.extend(data.iter().map(|q| ground(&q.graph_name)));
            }
            GraphUpdateOperation::DeleteInsert { delete, insert, .. } => {
                out.extend(delete.iter().map(|q| pattern(&q.graph_name)));
                out.extend(insert.iter().map(|q| pattern(&q.graph_name)));
            }
            GraphUpdateOperation::Load { destination, .. } => out.push(ground(destination)),
            GraphUpdateOperation::Clear { graph, .. }
            | GraphUpdateOperation::Drop { graph, .. } => match graph {
                GraphTarget::NamedNode(n) => out.push(Written::Graph(n)),
                GraphTarget::DefaultGraph => out.push(Written::Default),
                GraphTarget::NamedGraphs => out.push(Written::AnyNamed),
                GraphTarget::AllGraphs => out.extend([Written::Default, Written::AnyNamed]),
            },
            GraphUpdateOperation::Create { graph, .. } => out.push(Written::Graph(graph)),
        }
    }
    out
}

fn pattern(graph: &GraphNamePattern) -> Written<'_> {
    match graph {
        GraphNamePattern::NamedNode(n) => Written::Graph(n),
        GraphNamePattern::DefaultGraph => Written::Default,
        GraphNamePattern::Variable(_) => Written::AnyNamed,
    }
}

fn ground(graph: &GraphName) -> Written<'_> {
    match graph {
        GraphName::NamedNode(n) => Written::Graph(n),
        GraphName::DefaultGraph => Written::Default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_update;

    fn written(text: &str) -> Vec<String> {
        let update = parse_update(text, None).unwrap();
        written_graphs(&update)
            .into_iter()
            .map(|w| match w {
                Written::Graph(g) => g.as_str().to_owned(),
                Written::Default => "default".into(),
                Written::AnyNamed => "any".into(),
            })
            .collect()
    }

    #[test]
    fn every_operation_names_what_it_writes() {
        assert_eq!(
            written("INSERT DATA { <http://s> <http://p> 1 }"),
            ["default"]
        );
        assert_eq!(
            written("DELETE DATA { GRAPH <http://g> { <http://s> <http://p> 1 } }"),
            ["http://g"]
        );
        assert_eq!(
            written(
                "WITH <http://g> DELETE { ?s ?p ?o } INSERT { GRAPH <http://h> { ?s ?p 2 } } WHERE { ?s ?p ?o }"
            ),
            ["http://g", "http://h"]
        );
        assert_eq!(
            written("LOAD <http://x/a.ttl> INTO GRAPH <http://g>"),
            ["http://g"]
        );
        assert_eq!(written("CLEAR GRAPH <http://g>"), ["http://g"]);
        assert_eq!(written("DROP NAMED"), ["any"]);
        assert_eq!(written("DROP ALL"), ["default", "any"]);
        assert_eq!(written("CLEAR DEFAULT"), ["default"]);
        assert_eq!(written("CREATE GRAPH <http://g>"), ["http://g"]);
        assert_eq!(written("DELETE WHERE { GRAPH ?g { ?s ?p ?o } }"), ["any"]);
    }
}
