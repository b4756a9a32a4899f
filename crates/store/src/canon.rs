//! Canonical labels for the blank nodes of a graph (RDF Dataset Canonicalization, RDFC-1.0,
//! <https://www.w3.org/TR/rdf-canon/>, by `sophia_c14n`), so that a dump of the same graph has
//! the same bytes whatever labels the store gave its blank nodes when they were loaded.
//!
//! Only the triples that mention a blank node are canonicalized: RDFC-1.0 names a blank node
//! by the hashes of the quads it occurs in, so the other triples do not change its name.

use oxrdf::{BlankNode, Literal, NamedOrBlankNode, Term, Triple};
use sophia_api::MownStr;
use sophia_api::term::{BnodeId, IriRef, LanguageTag, SimpleTerm};
use std::collections::HashSet;

/// Whether `triple` mentions a blank node.
pub(crate) fn has_blank_node(triple: &Triple) -> bool {
    matches!(triple.subject, NamedOrBlankNode::BlankNode(_))
        || matches!(triple.object, Term::BlankNode(_))
}

/// `triples` (each mentioning a blank node) with their blank nodes relabelled `c14n0`, `c14n1`,
/// … as RDFC-1.0 names them, sorted by their N-Triples form.
pub(crate) fn canonical(triples: &[Triple]) -> Result<Vec<Triple>, String> {
    let dataset: HashSet<([SimpleTerm<'_>; 3], Option<SimpleTerm<'_>>)> = triples
        .iter()
        .map(|t| {
            let subject = match &t.subject {
                NamedOrBlankNode::NamedNode(n) => iri(n.as_str()),
                NamedOrBlankNode::BlankNode(b) => blank(b),
            };
            ([subject, iri(t.predicate.as_str()), term(&t.object)], None)
        })
        .collect();
    let (_, labels) = sophia_c14n::rdfc10::relabel(&dataset).map_err(|e| e.to_string())?;
    let relabel = |b: &BlankNode| match labels.get(b.as_str()) {
        Some(label) => BlankNode::new_unchecked(label.as_str()),
        None => b.clone(),
    };
    let mut canonical: Vec<(String, Triple)> = triples
        .iter()
        .map(|t| {
            let subject = match &t.subject {
                NamedOrBlankNode::BlankNode(b) => relabel(b).into(),
                subject @ NamedOrBlankNode::NamedNode(_) => subject.clone(),
            };
            let object = match &t.object {
                Term::BlankNode(b) => relabel(b).into(),
                object => object.clone(),
            };
            let triple = Triple::new(subject, t.predicate.clone(), object);
            (triple.to_string(), triple)
        })
        .collect();
    canonical.sort_by(|a, b| a.0.cmp(&b.0));
    canonical.dedup_by(|a, b| a.0 == b.0);
    Ok(canonical.into_iter().map(|(_, t)| t).collect())
}

fn iri(iri: &str) -> SimpleTerm<'_> {
    SimpleTerm::Iri(IriRef::new_unchecked(MownStr::from_ref(iri)))
}

fn blank(node: &BlankNode) -> SimpleTerm<'_> {
    SimpleTerm::BlankNode(BnodeId::new_unchecked(MownStr::from_ref(node.as_str())))
}

fn literal(literal: &Literal) -> SimpleTerm<'_> {
    let value = MownStr::from_ref(literal.value());
    match literal.language() {
        Some(language) => SimpleTerm::LiteralLanguage(
            value,
            LanguageTag::new_unchecked(MownStr::from_ref(language)),
            None,
        ),
        None => SimpleTerm::LiteralDatatype(
            value,
            IriRef::new_unchecked(MownStr::from_ref(literal.datatype().as_str())),
        ),
    }
}

fn term(term: &Term) -> SimpleTerm<'_> {
    match term {
        Term::NamedNode(n) => iri(n.as_str()),
        Term::BlankNode(b) => blank(b),
        Term::Literal(l) => literal(l),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::NamedNode;

    fn n(iri: &str) -> NamedNode {
        NamedNode::new_unchecked(format!("https://x.example/{iri}"))
    }

    /// The same graph, its blank nodes labelled otherwise and its triples in another order.
    fn graph(labels: [&str; 3], reversed: bool) -> Vec<Triple> {
        let [a, b, c] = labels.map(BlankNode::new_unchecked);
        let mut triples = vec![
            Triple::new(n("s"), n("p"), a.clone()),
            Triple::new(a.clone(), n("name"), Literal::new_simple_literal("eins")),
            Triple::new(a.clone(), n("next"), b.clone()),
            Triple::new(b.clone(), n("name"), Literal::new_simple_literal("zwei")),
            Triple::new(b, n("next"), c.clone()),
            Triple::new(
                c.clone(),
                n("name"),
                Literal::new_language_tagged_literal_unchecked("drei", "de"),
            ),
            Triple::new(c, n("next"), a),
        ];
        if reversed {
            triples.reverse();
        }
        triples
    }

    #[test]
    fn the_same_graph_gets_the_same_labels() {
        let one = canonical(&graph(["x", "y", "z"], false)).unwrap();
        let other = canonical(&graph(["b9", "a1", "q"], true)).unwrap();
        assert_eq!(one, other);
        let text: Vec<String> = one.iter().map(ToString::to_string).collect();
        assert!(
            text.iter()
                .all(|t| !t.contains("_:x") && !t.contains("_:b9")),
            "{text:?}"
        );
        assert!(text.iter().any(|t| t.contains("_:c14n0")), "{text:?}");
        let mut sorted = text.clone();
        sorted.sort();
        assert_eq!(text, sorted);
    }

    #[test]
    fn another_graph_gets_other_triples() {
        let mut changed = graph(["x", "y", "z"], false);
        changed[1] = Triple::new(
            BlankNode::new_unchecked("x"),
            n("name"),
            Literal::new_simple_literal("uno"),
        );
        assert_ne!(
            canonical(&changed).unwrap(),
            canonical(&graph(["x", "y", "z"], false)).unwrap()
        );
    }
}
