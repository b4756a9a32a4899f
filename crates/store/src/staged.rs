//! The staged content of one graph, held in memory until it is published: each term once, each
//! triple as three term numbers, sorted and deduplicated once the conversion is done.
//!
//! A graph of n triples over t distinct terms takes about 12·n bytes for the triples, 8·n for
//! the two lookup orders built on the first pattern that needs them, and the terms themselves
//! (their text and about 40 bytes each): a tenth of what Oxigraph's bulk loader holds for the
//! same quads, and nothing of the write amplification of a transaction.

use indexmap::{Equivalent, IndexSet};
use oxrdf::{NamedNodeRef, NamedOrBlankNode, NamedOrBlankNodeRef, Term, TermRef, Triple};
use rustc_hash::FxBuildHasher;
use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::sync::OnceLock;

/// A term's number in [`StagedGraph`]'s table.
type Id = u32;

/// One graph's triples, interned.
#[derive(Default)]
pub(crate) struct StagedGraph {
    terms: IndexSet<Key, FxBuildHasher>,
    /// Subject, predicate, object; sorted in that order and without repeats once `sealed`.
    triples: Vec<[Id; 3]>,
    sealed: bool,
    /// Positions in `triples` sorted by predicate, object, subject.
    by_predicate: OnceLock<Vec<u32>>,
    /// Positions in `triples` sorted by object, subject, predicate.
    by_object: OnceLock<Vec<u32>>,
}

/// What went wrong while staging.
#[derive(Debug)]
pub(crate) struct TooLarge;

impl StagedGraph {
    /// Adds a triple. Repeats are removed by [`StagedGraph::seal`].
    pub(crate) fn insert(&mut self, triple: oxrdf::TripleRef<'_>) -> Result<(), TooLarge> {
        debug_assert!(!self.sealed, "a sealed staging takes no more triples");
        let s = self.intern(triple.subject.into())?;
        let p = self.intern(triple.predicate.into())?;
        let o = self.intern(triple.object)?;
        if self.triples.len() >= u32::MAX as usize {
            return Err(TooLarge);
        }
        self.triples.push([s, p, o]);
        Ok(())
    }

    fn intern(&mut self, term: TermRef<'_>) -> Result<Id, TooLarge> {
        if let Some(id) = self.terms.get_index_of(&term) {
            return Id::try_from(id).map_err(|_| TooLarge);
        }
        let (id, _) = self.terms.insert_full(Key(term.into_owned()));
        Id::try_from(id).map_err(|_| TooLarge)
    }

    /// Sorts the triples and removes repeats: after this, [`StagedGraph::len`] is the number of
    /// distinct triples and patterns can be matched.
    pub(crate) fn seal(&mut self) {
        if !self.sealed {
            self.triples.sort_unstable();
            self.triples.dedup();
            self.triples.shrink_to_fit();
            self.sealed = true;
        }
    }

    /// How many distinct triples are staged (after [`StagedGraph::seal`]).
    pub(crate) fn len(&self) -> usize {
        self.triples.len()
    }

    /// The triple at `position` of the sorted order.
    pub(crate) fn triple(&self, position: usize) -> Triple {
        let [s, p, o] = self.triples[position];
        Triple::new(self.subject(s), self.named(p), self.term(o).clone())
    }

    /// The staged triples, sorted by their terms' numbers.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Triple> + '_ {
        (0..self.triples.len()).map(|i| self.triple(i))
    }

    /// The position of a triple in the sorted order, if it is staged.
    pub(crate) fn position(&self, triple: oxrdf::TripleRef<'_>) -> Option<usize> {
        let key = [
            self.id(triple.subject.into())?,
            self.id(triple.predicate.into())?,
            self.id(triple.object)?,
        ];
        self.triples.binary_search(&key).ok()
    }

    /// The staged triples that match a pattern (`None` matches any term).
    pub(crate) fn matching(
        &self,
        subject: Option<NamedOrBlankNodeRef<'_>>,
        predicate: Option<NamedNodeRef<'_>>,
        object: Option<TermRef<'_>>,
    ) -> Vec<Triple> {
        // A term that was never staged matches nothing.
        let s = match subject {
            Some(s) => match self.id(s.into()) {
                Some(id) => Some(id),
                None => return Vec::new(),
            },
            None => None,
        };
        let p = match predicate {
            Some(p) => match self.id(p.into()) {
                Some(id) => Some(id),
                None => return Vec::new(),
            },
            None => None,
        };
        let o = match object {
            Some(o) => match self.id(o) {
                Some(id) => Some(id),
                None => return Vec::new(),
            },
            None => None,
        };
        let keep = |t: &[Id; 3]| {
            s.is_none_or(|s| t[0] == s)
                && p.is_none_or(|p| t[1] == p)
                && o.is_none_or(|o| t[2] == o)
        };
        let positions: Vec<usize> = match (s, p, o) {
            (Some(s), p, o) => {
                let prefix = |t: &[Id; 3]| match t[0].cmp(&s) {
                    Ordering::Equal => p.map_or(Ordering::Equal, |p| t[1].cmp(&p)),
                    other => other,
                };
                range(&self.triples, |i| i, prefix)
                    .filter(|&i| o.is_none_or(|o| self.triples[i][2] == o))
                    .collect()
            }
            (None, Some(p), o) => {
                let index = self
                    .by_predicate
                    .get_or_init(|| self.order(|t| [t[1], t[2], t[0]]));
                let prefix = |t: &[Id; 3]| match t[1].cmp(&p) {
                    Ordering::Equal => o.map_or(Ordering::Equal, |o| t[2].cmp(&o)),
                    other => other,
                };
                range_of(&self.triples, index, prefix).collect()
            }
            (None, None, Some(o)) => {
                let index = self
                    .by_object
                    .get_or_init(|| self.order(|t| [t[2], t[0], t[1]]));
                range_of(&self.triples, index, |t| t[2].cmp(&o)).collect()
            }
            (None, None, None) => (0..self.triples.len()).collect(),
        };
        positions
            .into_iter()
            .filter(|&i| keep(&self.triples[i]))
            .map(|i| self.triple(i))
            .collect()
    }

    /// The positions of the triples sorted by `key`.
    fn order(&self, key: impl Fn(&[Id; 3]) -> [Id; 3]) -> Vec<u32> {
        let mut positions: Vec<u32> = (0..self.triples.len() as u32).collect();
        positions.sort_unstable_by_key(|&i| key(&self.triples[i as usize]));
        positions
    }

    fn id(&self, term: TermRef<'_>) -> Option<Id> {
        self.terms
            .get_index_of(&term)
            .and_then(|i| Id::try_from(i).ok())
    }

    fn term(&self, id: Id) -> &Term {
        &self.terms[id as usize].0
    }

    fn subject(&self, id: Id) -> NamedOrBlankNode {
        match self.term(id) {
            Term::NamedNode(n) => n.clone().into(),
            Term::BlankNode(b) => b.clone().into(),
            other => unreachable!("only named and blank nodes are staged as subjects: {other}"),
        }
    }

    fn named(&self, id: Id) -> oxrdf::NamedNode {
        match self.term(id) {
            Term::NamedNode(n) => n.clone(),
            other => unreachable!("only named nodes are staged as predicates: {other}"),
        }
    }
}

/// The positions `i` of `sorted` (mapped to triples by `at`) where `prefix` is `Equal`; `prefix`
/// must be monotonic over the order.
fn range<'a>(
    triples: &'a [[Id; 3]],
    at: impl Fn(usize) -> usize + 'a,
    prefix: impl Fn(&[Id; 3]) -> Ordering + 'a,
) -> impl Iterator<Item = usize> + 'a {
    let start = triples.partition_point(|t| prefix(t) == Ordering::Less);
    let end = triples.partition_point(|t| prefix(t) != Ordering::Greater);
    (start..end).map(at)
}

/// Like [`range`], over the positions of `index`.
fn range_of<'a>(
    triples: &'a [[Id; 3]],
    index: &'a [u32],
    prefix: impl Fn(&[Id; 3]) -> Ordering + 'a,
) -> impl Iterator<Item = usize> + 'a {
    let start = index.partition_point(|&i| prefix(&triples[i as usize]) == Ordering::Less);
    let end = index.partition_point(|&i| prefix(&triples[i as usize]) != Ordering::Greater);
    index[start..end].iter().map(|&i| i as usize)
}

/// A term in [`StagedGraph`]'s table, hashed as its borrowed form so that a [`TermRef`] finds it.
#[derive(PartialEq, Eq)]
struct Key(Term);

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.as_ref().hash(state);
    }
}

impl Equivalent<Key> for TermRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        *self == key.0.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use oxrdf::{BlankNode, Literal, NamedNode};

    /// Every pattern shape answers what a scan of all triples answers.
    #[test]
    fn every_pattern_finds_what_a_scan_finds() {
        let node = |i: usize| NamedNode::new_unchecked(format!("https://x.example/n{i}"));
        let blank = BlankNode::new_unchecked("b0");
        let mut graph = StagedGraph::default();
        let mut all = Vec::new();
        for i in 0..200_usize {
            let subject: NamedOrBlankNode = if i % 7 == 0 {
                blank.clone().into()
            } else {
                node(i % 13).into()
            };
            let object: Term = match i % 3 {
                0 => node(i % 11).into(),
                1 => Literal::new_language_tagged_literal_unchecked(format!("t{}", i % 5), "de")
                    .into(),
                _ => Literal::from(i as i64 % 4).into(),
            };
            let triple = Triple::new(subject, node(100 + i % 3), object);
            // Each triple twice: the second is a repeat.
            graph.insert(triple.as_ref()).unwrap();
            graph.insert(triple.as_ref()).unwrap();
            all.push(triple);
        }
        all.sort_by_key(ToString::to_string);
        all.dedup();
        graph.seal();
        assert_eq!(graph.len(), all.len());
        let subjects: Vec<Option<NamedOrBlankNode>> = [
            None,
            Some(node(1).into()),
            Some(blank.clone().into()),
            Some(node(99).into()),
        ]
        .into();
        let predicates = [None, Some(node(101)), Some(node(7))];
        let objects: Vec<Option<Term>> = [
            None,
            Some(node(2).into()),
            Some(Literal::from(1).into()),
            Some(Literal::new_language_tagged_literal_unchecked("t1", "de").into()),
        ]
        .into();
        for s in &subjects {
            for p in &predicates {
                for o in &objects {
                    let mut found = graph.matching(
                        s.as_ref().map(|s| s.as_ref()),
                        p.as_ref().map(|p| p.as_ref()),
                        o.as_ref().map(|o| o.as_ref()),
                    );
                    found.sort_by_key(ToString::to_string);
                    let expected: Vec<_> = all
                        .iter()
                        .filter(|t| {
                            s.as_ref().is_none_or(|s| &t.subject == s)
                                && p.as_ref().is_none_or(|p| &t.predicate == p)
                                && o.as_ref().is_none_or(|o| &t.object == o)
                        })
                        .cloned()
                        .collect();
                    assert_eq!(found, expected, "pattern {s:?} {p:?} {o:?}");
                }
            }
        }
        for (i, triple) in all.iter().enumerate() {
            let position = graph.position(triple.as_ref()).unwrap();
            assert_eq!(&graph.triple(position), triple, "triple {i}");
        }
        let absent = Triple::new(node(1), node(101), Literal::from(99));
        assert_eq!(graph.position(absent.as_ref()), None);
    }
}
