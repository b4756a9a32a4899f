//! Running a plan: every triples map over every record of its logical source, record by
//! record, with joins through hash tables of the parent side.
//! <https://w3id.org/rml/core/spec#generated-triples>

use crate::dedup::QuadSet;
use crate::error::{MappingError, RunError};
use crate::functions::{self, Args};
use crate::join::{JoinTable, each_key};
use crate::plan::{Expr, ObjectMap, Plan, TermMap, TermType, TriplesMap};
use crate::source::{self, DataError, Record, Val};
use crate::template::{Part, iri_safe};
use crate::{Counts, Output, Targets};
use kulturnetz_model::Diagnostic;
use kulturnetz_model::text::{MESSAGE_VALUE_CHARS, clip};
use oxrdf::{BlankNode, GraphName, Literal, NamedNode, NamedOrBlankNode, Quad, Term};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;

const DEFAULT_GRAPH: &str = "http://w3id.org/rml/defaultGraph";
const XSD_STRING: &str = "http://www.w3.org/2001/XMLSchema#string";

pub(crate) struct Engine<'a> {
    plan: &'a Plan,
    file: &'a str,
    base: &'a str,
    salt: &'a str,
    /// Whether records whose quads repeat an earlier record's are handed on all the same.
    keep_duplicates: bool,
    /// Vectors of values for calls to reuse: a call takes one and gives it back empty.
    spare_values: RefCell<Vec<Vec<Val>>>,
}

impl<'a> Engine<'a> {
    pub(crate) fn new(
        plan: &'a Plan,
        file: &'a str,
        base: &'a str,
        salt: &'a str,
        keep_duplicates: bool,
    ) -> Self {
        Self {
            plan,
            file,
            base,
            salt,
            keep_duplicates,
            spare_values: RefCell::default(),
        }
    }
}

impl Engine<'_> {
    pub(crate) fn run(&self, out: &mut dyn Output) -> Result<Counts, RunError> {
        let mut counts = Counts::default();
        // An output that leaves out repeated quads itself (on a thread of its own) spares the
        // mapping the work.
        let mut written = (!self.keep_duplicates && !out.deduplicates()).then(QuadSet::default);
        for map in &self.plan.maps {
            self.run_map(map, out, &mut counts, written.as_mut())?;
        }
        Ok(counts)
    }

    fn references_of_source(&self, source: usize) -> Vec<String> {
        let mut refs = Vec::new();
        for map in &self.plan.maps {
            if map.source == source {
                map_references(map, &mut refs, true);
            }
            for pom in &map.poms {
                for o in &pom.objects {
                    if let ObjectMap::Parent { parent, joins, .. } = o {
                        let p = &self.plan.maps[*parent];
                        if p.source == source {
                            references(&p.subject, &mut refs);
                            for (_, parent) in joins {
                                references(parent, &mut refs);
                            }
                        }
                    }
                }
            }
        }
        refs.sort();
        refs.dedup();
        refs
    }

    fn join_table(
        &self,
        parent: &TriplesMap,
        joins: &[(TermMap, TermMap)],
    ) -> Result<JoinTable, RunError> {
        let hint = match &parent.subject.expr {
            Expr::Template(parts) => match parts.first() {
                Some(Part::Text(t)) => t.as_str(),
                _ => "",
            },
            _ => "",
        };
        let mut table = JoinTable::new(hint);
        let refs = self.references_of_source(parent.source);
        let source = &self.plan.sources[parent.source];
        let mut number = 0;
        let mut values = Vec::with_capacity(joins.len());
        let mut key = String::new();
        let mut too_large = false;
        source::each(source, &refs, self.file, &mut |record| {
            number += 1;
            if record.problem().is_some() {
                return Ok(());
            }
            // A parent record that cannot be mapped is reported by the parent's own run.
            let Ok(subjects) = self.terms(&parent.subject, record, parent, number) else {
                return Ok(());
            };
            if subjects.is_empty() {
                return Ok(());
            }
            values.clear();
            for (_, p) in joins {
                let Ok(v) = self.values(p, record) else {
                    return Ok(());
                };
                values.push(v);
            }
            each_key(&values, &mut key, |key| {
                too_large |= table.insert(key, &subjects).is_err();
            });
            if too_large {
                return Err(RunError::Mapping(MappingError {
                    file: self.file.to_owned(),
                    line: parent.line,
                    triples_map: Some(parent.name.clone()),
                    message:
                        "the join keys and subjects of this parent triples map take more than 4 GiB"
                            .to_owned(),
                }));
            }
            Ok(())
        })?;
        table.shrink_to_fit();
        Ok(table)
    }

    fn run_map(
        &self,
        map: &TriplesMap,
        out: &mut dyn Output,
        counts: &mut Counts,
        mut written: Option<&mut QuadSet>,
    ) -> Result<(), RunError> {
        // Join tables for this map's referencing object maps, built before its records flow.
        let mut tables: HashMap<(usize, usize), JoinTable> = HashMap::new();
        for (i, pom) in map.poms.iter().enumerate() {
            for (j, o) in pom.objects.iter().enumerate() {
                if let ObjectMap::Parent { parent, joins, .. } = o {
                    let p = &self.plan.maps[*parent];
                    if joins.is_empty() {
                        if self.plan.sources[p.source] != self.plan.sources[map.source] {
                            return Err(RunError::Mapping(MappingError {
                                file: self.file.to_owned(),
                                line: map.line,
                                triples_map: Some(map.name.clone()),
                                message: format!(
                                    "the referencing object map to {} has another logical source and needs a join condition",
                                    p.name
                                ),
                            }));
                        }
                    } else {
                        tables.insert((i, j), self.join_table(p, joins)?);
                    }
                }
            }
        }
        let refs = self.references_of_source(map.source);
        let source = &self.plan.sources[map.source];
        let mut number = 0;
        let mut quads: Vec<(Quad, Targets)> = Vec::new();
        let mut scratch = Scratch::default();
        let mut repeats = if self.keep_duplicates {
            None
        } else {
            subject_key(self.plan, map).map(Repeats::new)
        };
        source::each(source, &refs, self.file, &mut |record| {
            number += 1;
            counts.records += 1;
            quads.clear();
            let result = match record.problem() {
                Some(p) => Err(p),
                None => self.record(map, record, number, &tables, &mut scratch, &mut quads),
            };
            match result {
                Ok(()) => {
                    if let Some(repeats) = &mut repeats
                        && !quads.is_empty()
                        && repeats.seen(record)
                    {
                        counts.duplicates += quads.len() as u64;
                        quads.clear();
                    }
                    if let Some(written) = written.as_deref_mut() {
                        counts.duplicates += written.retain_new(&mut quads) as u64;
                    }
                    counts.accepted += 1;
                    counts.quads += quads.len() as u64;
                    out.accept(&record.location(), &quads)
                        .map_err(RunError::Output)
                }
                Err(e) => {
                    counts.rejected += 1;
                    let mut at = record.location();
                    at.field = e.field;
                    let message = format!("triples map {}: {}", map.name, e.message);
                    let diagnostic = Diagnostic::new(at, message);
                    out.reject(match record.raw() {
                        Some(raw) => diagnostic.with_raw(&raw),
                        None => diagnostic,
                    })
                    .map_err(RunError::Output)
                }
            }
        })
    }

    fn record(
        &self,
        map: &TriplesMap,
        record: &dyn Record,
        number: u64,
        tables: &HashMap<(usize, usize), JoinTable>,
        scratch: &mut Scratch,
        out: &mut Vec<(Quad, Targets)>,
    ) -> Result<(), DataError> {
        let Scratch {
            terms,
            subjects,
            subject_graphs,
            graphs,
            predicates,
            objects,
            join_values,
            key,
        } = scratch;
        terms.clear();
        self.terms_into(&map.subject, record, map, number, terms)?;
        if terms.is_empty() {
            return Ok(());
        }
        subjects.clear();
        subjects.extend(terms.drain(..).filter_map(as_subject));
        subject_graphs.clear();
        let base_targets = Targets::of(&map.subject.targets);
        for g in &map.graphs {
            self.graph_terms_into(g, record, map, number, terms, subject_graphs)?;
        }
        let default = [(GraphName::DefaultGraph, Targets::NONE)];
        for class in &map.classes {
            let graphs = if subject_graphs.is_empty() {
                &default[..]
            } else {
                &subject_graphs[..]
            };
            for s in subjects.iter() {
                for (g, gt) in graphs {
                    push(
                        out,
                        Quad::new(s.clone(), oxrdf::vocab::rdf::TYPE, class.clone(), g.clone()),
                        base_targets.union(*gt),
                    );
                }
            }
        }
        for (i, pom) in map.poms.iter().enumerate() {
            predicates.clear();
            for p in &pom.predicates {
                self.terms_into(p, record, map, number, terms)?;
                for t in terms.drain(..) {
                    if let Term::NamedNode(n) = t {
                        predicates.push((n, Targets::of(&p.targets)));
                    }
                }
            }
            objects.clear();
            for (j, o) in pom.objects.iter().enumerate() {
                match o {
                    ObjectMap::Term(tm) => {
                        let mut t = Targets::of(&tm.targets);
                        if let Some(l) = &tm.language {
                            t = t.with(&l.targets);
                        }
                        if let Some(d) = &tm.datatype {
                            t = t.with(&d.targets);
                        }
                        self.terms_into(tm, record, map, number, terms)?;
                        objects.extend(terms.drain(..).map(|term| (term, t)));
                    }
                    ObjectMap::Parent {
                        parent,
                        joins,
                        targets,
                    } => {
                        let t = Targets::of(targets);
                        let parent_map = &self.plan.maps[*parent];
                        if joins.is_empty() {
                            self.terms_into(
                                &parent_map.subject,
                                record,
                                parent_map,
                                number,
                                terms,
                            )?;
                            objects.extend(terms.drain(..).map(|term| (term, t)));
                        } else if let Some(table) = tables.get(&(i, j)) {
                            join_values.clear();
                            for (child, _) in joins {
                                join_values.push(self.values(child, record)?);
                            }
                            each_key(join_values, key, |key| {
                                table.find(key, |term| {
                                    if !objects.iter().any(|(o, _)| *o == term) {
                                        objects.push((term, t));
                                    }
                                });
                            });
                        }
                    }
                }
            }
            graphs.clear();
            graphs.extend_from_slice(subject_graphs);
            for g in &pom.graphs {
                self.graph_terms_into(g, record, map, number, terms, graphs)?;
            }
            let graphs = if graphs.is_empty() {
                &default[..]
            } else {
                &graphs[..]
            };
            // Each predicate and object goes into its last quad as it is, into the others as
            // a copy.
            let (ns, np, no, ng) = (
                subjects.len(),
                predicates.len(),
                objects.len(),
                graphs.len(),
            );
            for (si, s) in subjects.iter().enumerate() {
                for (pi, (p, pt)) in predicates.iter_mut().enumerate() {
                    for (oi, (o, ot)) in objects.iter_mut().enumerate() {
                        for (gi, (g, gt)) in graphs.iter().enumerate() {
                            let last = si + 1 == ns && gi + 1 == ng;
                            let targets = base_targets.union(*pt).union(*ot).union(*gt);
                            let p = if last && oi + 1 == no {
                                std::mem::replace(p, NamedNode::new_unchecked(String::new()))
                            } else {
                                p.clone()
                            };
                            let o = if last && pi + 1 == np {
                                std::mem::replace(o, NamedNode::new_unchecked(String::new()).into())
                            } else {
                                o.clone()
                            };
                            push(out, Quad::new(s.clone(), p, o, g.clone()), targets);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn graph_terms_into(
        &self,
        g: &TermMap,
        record: &dyn Record,
        map: &TriplesMap,
        number: u64,
        terms: &mut Vec<Term>,
        out: &mut Vec<(GraphName, Targets)>,
    ) -> Result<(), DataError> {
        let targets = Targets::of(&g.targets);
        self.terms_into(g, record, map, number, terms)?;
        out.extend(
            terms
                .drain(..)
                .filter_map(|t| match t {
                    Term::NamedNode(n) if n.as_str() == DEFAULT_GRAPH => {
                        Some(GraphName::DefaultGraph)
                    }
                    Term::NamedNode(n) => Some(n.into()),
                    Term::BlankNode(b) => Some(b.into()),
                    Term::Literal(_) => None,
                })
                .map(|g| (g, targets)),
        );
        Ok(())
    }

    /// Runs `f` with an empty vector of values, one that an earlier call gave back if there is.
    fn with_values<R>(&self, f: impl FnOnce(&mut Vec<Val>) -> R) -> R {
        let mut values = self.spare_values.borrow_mut().pop().unwrap_or_default();
        let result = f(&mut values);
        values.clear();
        self.spare_values.borrow_mut().push(values);
        result
    }

    /// The string values of an expression (templates filled in as the term type asks).
    fn values(&self, tm: &TermMap, record: &dyn Record) -> Result<Vec<Val>, DataError> {
        let mut out = Vec::new();
        self.values_into(tm, record, &mut out)?;
        Ok(out)
    }

    /// The string values of an expression, after those in `out`.
    fn values_into(
        &self,
        tm: &TermMap,
        record: &dyn Record,
        out: &mut Vec<Val>,
    ) -> Result<(), DataError> {
        match &tm.expr {
            Expr::Constant(t) => out.push(Val::plain(constant_text(t))),
            Expr::Reference(r) => record.values_into(r, out)?,
            Expr::Template(parts) => self.with_values(|values| {
                let encode = matches!(tm.term_type, TermType::Iri | TermType::Uri);
                let put = |v: &str, s: &mut String| {
                    if encode {
                        iri_safe(v, s);
                    } else {
                        s.push_str(v);
                    }
                };
                // The only result while every reference has one value; all of them once one
                // has several.
                let mut one = String::new();
                let mut results: Vec<String> = Vec::new();
                for part in parts {
                    match part {
                        Part::Text(t) if results.is_empty() => one.push_str(t),
                        Part::Text(t) => results.iter_mut().for_each(|r| r.push_str(t)),
                        Part::Reference(r) => {
                            values.clear();
                            record.values_into(r, values)?;
                            match values.as_slice() {
                                [] => return Ok(()),
                                [v] if results.is_empty() => put(&v.text, &mut one),
                                _ => {
                                    if results.is_empty() {
                                        results.push(std::mem::take(&mut one));
                                    }
                                    let mut next = Vec::with_capacity(results.len() * values.len());
                                    for prefix in &results {
                                        for v in values.iter() {
                                            let mut s = prefix.clone();
                                            put(&v.text, &mut s);
                                            next.push(s);
                                        }
                                    }
                                    results = next;
                                }
                            }
                        }
                    }
                }
                if results.is_empty() {
                    out.push(Val::plain(one));
                } else {
                    out.extend(results.into_iter().map(Val::plain));
                }
                Ok(())
            })?,
            Expr::Function(call) => {
                let mut inputs = Vec::with_capacity(call.inputs.len());
                for (parameter, value) in &call.inputs {
                    inputs.push((parameter.as_str().to_owned(), self.values(value, record)?));
                }
                out.extend(
                    functions::call(call.function.as_str(), &Args::new(&inputs))
                        .map_err(|e| DataError::new(None, e))?,
                );
            }
            Expr::Fresh => {}
        }
        Ok(())
    }

    /// The RDF terms a term map gives for a record.
    fn terms(
        &self,
        tm: &TermMap,
        record: &dyn Record,
        map: &TriplesMap,
        number: u64,
    ) -> Result<Vec<Term>, DataError> {
        let mut terms = Vec::new();
        self.terms_into(tm, record, map, number, &mut terms)?;
        Ok(terms)
    }

    /// The RDF terms a term map gives for a record, after those in `out`.
    fn terms_into(
        &self,
        tm: &TermMap,
        record: &dyn Record,
        map: &TriplesMap,
        number: u64,
        out: &mut Vec<Term>,
    ) -> Result<(), DataError> {
        if let Some(t) = constant_term(tm) {
            out.push(t.clone());
            return Ok(());
        }
        if let Expr::Fresh = tm.expr {
            out.push(
                self.blank(&format!("{}\u{0}{number}", map.name), true)
                    .into(),
            );
            return Ok(());
        }
        self.with_values(|values| {
            self.values_into(tm, record, values)?;
            for v in values.drain(..) {
                out.push(self.term(v, tm, record, map, number)?);
            }
            Ok(())
        })
    }

    /// The term of one value of a term map.
    fn term(
        &self,
        v: Val,
        tm: &TermMap,
        record: &dyn Record,
        map: &TriplesMap,
        number: u64,
    ) -> Result<Term, DataError> {
        Ok(match tm.term_type {
            TermType::Iri => self.iri(v.text, &map.base, tm, !tm.valid_iris)?.into(),
            TermType::UnsafeIri => self.iri(v.text, &map.base, tm, false)?.into(),
            TermType::Uri => {
                let iri = self.iri(v.text, &map.base, tm, !tm.valid_iris)?;
                let mut uri = String::with_capacity(iri.as_str().len());
                for c in iri.as_str().chars() {
                    if c.is_ascii() {
                        uri.push(c);
                    } else {
                        for b in c.encode_utf8(&mut [0; 4]).bytes() {
                            uri.push_str(&format!("%{b:02X}"));
                        }
                    }
                }
                NamedNode::new_unchecked(uri).into()
            }
            TermType::BlankNode => self.blank(&v.text, false).into(),
            TermType::Literal => self.literal(v, tm, record, map, number)?.into(),
        })
    }

    fn literal(
        &self,
        v: Val,
        tm: &TermMap,
        record: &dyn Record,
        map: &TriplesMap,
        number: u64,
    ) -> Result<Literal, DataError> {
        if let Some(l) = &tm.language {
            let tag = match &l.expr {
                Expr::Constant(t) => Cow::Borrowed(constant_text(t)),
                _ => match self.values(l, record)?.into_iter().next() {
                    Some(tag) => Cow::Owned(tag.text),
                    None => return Ok(Literal::new_simple_literal(v.text)),
                },
            };
            if !crate::plan::is_language_tag(&tag) {
                return Err(DataError::new(
                    reference_of(l),
                    format!(
                        "{:?} is not a language tag",
                        clip(&tag, MESSAGE_VALUE_CHARS)
                    ),
                ));
            }
            return Literal::new_language_tagged_literal(v.text, &*tag).map_err(|e| {
                DataError::new(
                    reference_of(l),
                    format!(
                        "{:?} is not a language tag: {e}",
                        clip(&tag, MESSAGE_VALUE_CHARS)
                    ),
                )
            });
        }
        if let Some(d) = &tm.datatype {
            let dt = match constant_term(d) {
                Some(Term::NamedNode(dt)) => dt.clone(),
                Some(_) => return Ok(Literal::new_simple_literal(v.text)),
                None => match self.terms(d, record, map, number)?.into_iter().next() {
                    Some(Term::NamedNode(dt)) => dt,
                    _ => return Ok(Literal::new_simple_literal(v.text)),
                },
            };
            if dt == oxrdf::vocab::rdf::LANG_STRING {
                return Err(DataError::new(
                    reference_of(d),
                    "the datatype rdf:langString needs a language tag; give a language instead",
                ));
            }
            return Ok(if dt.as_str() == XSD_STRING {
                Literal::new_simple_literal(v.text)
            } else {
                let text = canonical(&v.text, dt.as_str()).unwrap_or(v.text);
                Literal::new_typed_literal(text, dt)
            });
        }
        match (v.datatype, &tm.expr) {
            (Some(dt), Expr::Reference(_) | Expr::Function(_)) => Ok(Literal::new_typed_literal(
                v.text,
                NamedNode::new_unchecked(dt),
            )),
            _ => Ok(Literal::new_simple_literal(v.text)),
        }
    }

    /// The IRI of a value: as it is if it has a scheme, else resolved against the base. Only
    /// absolute IRIs come out; `check` also checks their syntax (off for templates that always
    /// make valid IRIs, and for `rml:UnsafeIRI`, which asks for the value as it is).
    fn iri(
        &self,
        text: String,
        base: &str,
        tm: &TermMap,
        check: bool,
    ) -> Result<NamedNode, DataError> {
        if has_scheme(&text) {
            if !check || oxiri::Iri::parse(text.as_str()).is_ok() {
                return Ok(NamedNode::new_unchecked(text));
            }
            return Err(DataError::new(
                reference_of(tm),
                format!(
                    "{:?} does not make a valid IRI",
                    clip(&text, MESSAGE_VALUE_CHARS)
                ),
            ));
        }
        let base = if base.is_empty() { self.base } else { base };
        let mut iri = String::with_capacity(base.len() + text.len());
        iri.push_str(base);
        iri.push_str(&text);
        let valid = if check {
            oxiri::Iri::parse(iri.as_str()).is_ok() && has_scheme(&iri)
        } else {
            has_scheme(&iri)
        };
        if valid {
            Ok(NamedNode::new_unchecked(iri))
        } else {
            Err(DataError::new(
                reference_of(tm),
                format!(
                    "{:?} does not make a valid IRI (with the base {base:?})",
                    clip(&text, MESSAGE_VALUE_CHARS)
                ),
            ))
        }
    }

    fn blank(&self, label: &str, fresh: bool) -> BlankNode {
        let mut hasher = Sha256::new();
        hasher.update(self.salt.as_bytes());
        hasher.update([0, u8::from(fresh)]);
        hasher.update(label.as_bytes());
        let digest = hasher.finalize();
        let mut id = [0; 16];
        id.copy_from_slice(&digest[..16]);
        BlankNode::new_from_unique_id(u128::from_be_bytes(id))
    }
}

/// The references whose values alone decide every quad of a record of `map`, if they are those
/// of its subject: then two records with the same values make the same quads, and a record
/// whose values came before can be left out whole, exactly, by keeping only those values (one
/// key per distinct subject). `None` when other values count too, or a subject is a new blank
/// node per record.
fn subject_key(plan: &Plan, map: &TriplesMap) -> Option<Vec<String>> {
    if matches!(map.subject.expr, Expr::Fresh) {
        return None;
    }
    let mut subject = Vec::new();
    references(&map.subject, &mut subject);
    let mut all = Vec::new();
    map_references(map, &mut all, true);
    for pom in &map.poms {
        for o in &pom.objects {
            if let ObjectMap::Parent { parent, joins, .. } = o
                && joins.is_empty()
            {
                let parent = &plan.maps[*parent].subject;
                if matches!(parent.expr, Expr::Fresh) {
                    return None;
                }
                references(parent, &mut all);
            }
        }
    }
    if !all.iter().all(|r| subject.contains(r)) {
        return None;
    }
    subject.sort();
    subject.dedup();
    Some(subject)
}

/// The keys of the records a triples map has mapped: the values of its subject's references.
struct Repeats {
    references: Vec<String>,
    seen: hashbrown::HashSet<Box<[u8]>>,
    bytes: usize,
    key: Vec<u8>,
    values: Vec<Val>,
}

impl Repeats {
    fn new(references: Vec<String>) -> Self {
        Self {
            references,
            seen: hashbrown::HashSet::new(),
            bytes: 0,
            key: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Whether a record with the same values came before; remembers this one's.
    fn seen(&mut self, record: &dyn Record) -> bool {
        self.key.clear();
        for r in &self.references {
            self.values.clear();
            if record.values_into(r, &mut self.values).is_err() {
                return false;
            }
            // Lengths first, so that no two different lists of values make the same key.
            self.key
                .extend_from_slice(&(self.values.len() as u64).to_le_bytes());
            for v in &self.values {
                self.key
                    .extend_from_slice(&(v.text.len() as u64).to_le_bytes());
                self.key.extend_from_slice(v.text.as_bytes());
                self.key
                    .extend_from_slice(v.datatype.unwrap_or("").as_bytes());
                self.key.push(0);
            }
        }
        if self.seen.contains(self.key.as_slice()) {
            return true;
        }
        if self.bytes + self.key.len() > crate::dedup::DEDUP_BYTES {
            self.seen.clear();
            self.bytes = 0;
        }
        self.bytes += self.key.len() + 32;
        self.seen.insert(self.key.as_slice().into());
        false
    }
}

/// Buffers that the mapping of a record reuses from the record before, so that it allocates
/// only for the terms it hands out.
#[derive(Default)]
struct Scratch {
    terms: Vec<Term>,
    subjects: Vec<NamedOrBlankNode>,
    subject_graphs: Vec<(GraphName, Targets)>,
    graphs: Vec<(GraphName, Targets)>,
    predicates: Vec<(NamedNode, Targets)>,
    objects: Vec<(Term, Targets)>,
    join_values: Vec<Vec<Val>>,
    key: String,
}

/// The term of a constant term map, as it is.
fn constant_term(tm: &TermMap) -> Option<&Term> {
    let Expr::Constant(t) = &tm.expr else {
        return None;
    };
    let as_it_is = matches!(
        (t, tm.term_type),
        (
            Term::NamedNode(_),
            TermType::Iri | TermType::UnsafeIri | TermType::Uri
        ) | (Term::BlankNode(_), TermType::BlankNode)
            | (Term::Literal(_), TermType::Literal)
    );
    (as_it_is && tm.language.is_none() && tm.datatype.is_none()).then_some(t)
}

/// The text of a constant: an IRI, a blank node's label or a literal's value.
fn constant_text(t: &Term) -> &str {
    match t {
        Term::NamedNode(n) => n.as_str(),
        Term::BlankNode(b) => b.as_str(),
        Term::Literal(l) => l.value(),
    }
}

/// Adds a quad unless the record has it already (then only its targets are added).
fn push(out: &mut Vec<(Quad, Targets)>, quad: Quad, targets: Targets) {
    // Quads of a record mostly share their subject: comparing it last is cheaper.
    let same = |q: &Quad| {
        q.predicate == quad.predicate
            && q.object == quad.object
            && q.graph_name == quad.graph_name
            && q.subject == quad.subject
    };
    if out.len() < 32 {
        if let Some(existing) = out.iter_mut().find(|(q, _)| same(q)) {
            existing.1 = existing.1.union(targets);
            return;
        }
    } else if out.iter().rev().take(8).any(|(q, _)| same(q)) {
        return;
    }
    out.push((quad, targets));
}

fn as_subject(t: Term) -> Option<NamedOrBlankNode> {
    match t {
        Term::NamedNode(n) => Some(n.into()),
        Term::BlankNode(b) => Some(b.into()),
        Term::Literal(_) => None,
    }
}

fn has_scheme(s: &str) -> bool {
    let Some(colon) = s.find(':') else {
        return false;
    };
    let scheme = &s[..colon];
    scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

fn reference_of(tm: &TermMap) -> Option<&str> {
    match &tm.expr {
        Expr::Reference(r) => Some(r),
        Expr::Template(parts) => parts.iter().find_map(|p| match p {
            Part::Reference(r) => Some(r.as_str()),
            Part::Text(_) => None,
        }),
        _ => None,
    }
}

/// Every reference a term map makes, into `out`.
pub(crate) fn references(tm: &TermMap, out: &mut Vec<String>) {
    match &tm.expr {
        Expr::Reference(r) => out.push(r.clone()),
        Expr::Template(parts) => {
            for p in parts {
                if let Part::Reference(r) = p {
                    out.push(r.clone());
                }
            }
        }
        Expr::Function(call) => {
            for (_, v) in &call.inputs {
                references(v, out);
            }
        }
        Expr::Constant(_) | Expr::Fresh => {}
    }
    if let Some(l) = &tm.language {
        references(l, out);
    }
    if let Some(d) = &tm.datatype {
        references(d, out);
    }
}

/// Every reference a triples map makes into its own logical source.
pub(crate) fn map_references(map: &TriplesMap, out: &mut Vec<String>, children: bool) {
    references(&map.subject, out);
    for g in &map.graphs {
        references(g, out);
    }
    for pom in &map.poms {
        for tm in pom.predicates.iter().chain(&pom.graphs) {
            references(tm, out);
        }
        for o in &pom.objects {
            match o {
                ObjectMap::Term(tm) => references(tm, out),
                ObjectMap::Parent { joins, .. } if children => {
                    for (child, _) in joins {
                        references(child, out);
                    }
                }
                ObjectMap::Parent { .. } => {}
            }
        }
    }
}

/// The canonical lexical form of `text` as a value of the XSD `datatype`, for the numeric and
/// boolean types; `None` leaves the text as it is (other types, or not a valid value).
fn canonical(text: &str, datatype: &str) -> Option<String> {
    let local = datatype.strip_prefix("http://www.w3.org/2001/XMLSchema#")?;
    let t = text.trim();
    match local {
        "double" | "float" => {
            let v: f64 = t.parse().ok()?;
            Some(if v.is_nan() {
                "NaN".to_owned()
            } else if v.is_infinite() {
                if v > 0.0 { "INF" } else { "-INF" }.to_owned()
            } else {
                let s = format!("{v:E}");
                match s.split_once('E') {
                    Some((m, e)) if !m.contains('.') => format!("{m}.0E{e}"),
                    _ => s,
                }
            })
        }
        "integer" | "int" | "long" | "short" | "byte" | "nonNegativeInteger"
        | "positiveInteger" => {
            let v: i128 = t.strip_prefix('+').unwrap_or(t).parse().ok()?;
            Some(v.to_string())
        }
        "boolean" => match t {
            "true" | "1" => Some("true".to_owned()),
            "false" | "0" => Some("false".to_owned()),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn canonical_lexical_forms() {
        let xsd = |l: &str| format!("http://www.w3.org/2001/XMLSchema#{l}");
        assert_eq!(canonical("33", &xsd("double")).as_deref(), Some("3.3E1"));
        assert_eq!(canonical("1", &xsd("double")).as_deref(), Some("1.0E0"));
        assert_eq!(canonical("0.5", &xsd("double")).as_deref(), Some("5.0E-1"));
        assert_eq!(canonical("+007", &xsd("integer")).as_deref(), Some("7"));
        assert_eq!(canonical("1", &xsd("boolean")).as_deref(), Some("true"));
        assert_eq!(canonical("drei", &xsd("integer")), None);
        assert_eq!(canonical("x", &xsd("date")), None);
    }
}
