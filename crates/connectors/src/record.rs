//! The quads of one record, each term kept once and each quad handed over once.
//!
//! A record of a feed repeats its terms: an event's IRI is the subject of a dozen quads, the
//! predicates are fixed IRIs, and every occurrence of a series shares its name and description.
//! Owned [`oxrdf::Quad`]s would copy each of those strings into every quad; a [`Record`] keeps
//! one copy of each term and hands the sink borrowed [`QuadRef`]s.
//!
//! Terms are interned: an equal term added twice gets the same index, so a quad is three
//! indexes, and a quad added a second time is left out. The sink counts distinct quads, and so
//! do the reports' triple counts. Vocabulary terms are `NamedNodeRef<'static>` constants: they
//! are never copied, and are found again by the address of their text rather than by hashing it.
//! A record is cleared and reused from record to record, so that its buffers are allocated once
//! per input and its vocabulary is learnt once. It is some 4 KiB (the address cache of its
//! vocabulary and its filter of triples are inline, so that the innermost lookups follow no
//! pointer): keep it in one place and lend it out rather than move it for every record.
//!
//! Adding a quad is the innermost step of every connector, so the lookups use small
//! open-addressing tables of their own (linear probing, at most a quarter full) rather than
//! general hash maps: a record's terms and triples are a few dozen small numbers.

use crate::text::{clean, lang_literal, web_iri};
use crate::{RecordSink, SinkError};
use kulturnetz_model::Location;
use oxrdf::vocab::rdf;
use oxrdf::{
    BlankNode, GraphNameRef, Literal, LiteralRef, NamedNode, NamedNodeRef, NamedOrBlankNode,
    NamedOrBlankNodeRef, QuadRef, TermRef,
};
use std::hash::BuildHasher;

/// A subject (or IRI or blank node object) kept in a [`Record`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Node(u32);

/// Any object kept in a [`Record`]: a [`Node`] or a literal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Object(u32);

impl From<Node> for Object {
    fn from(node: Node) -> Self {
        Self(node.0)
    }
}

/// What can be the object of a quad added to a [`Record`].
pub(crate) trait IntoObject {
    /// The object, kept in `record`.
    fn into_object(self, record: &mut Record) -> Object;
}

impl IntoObject for Object {
    fn into_object(self, _: &mut Record) -> Object {
        self
    }
}

impl IntoObject for Node {
    fn into_object(self, _: &mut Record) -> Object {
        self.into()
    }
}

impl IntoObject for NamedNodeRef<'static> {
    fn into_object(self, record: &mut Record) -> Object {
        record.iri(self).into()
    }
}

impl IntoObject for Literal {
    fn into_object(self, record: &mut Record) -> Object {
        record.literal(self)
    }
}

// A term index: the kind of term in the top three bits, its place in that kind's list below.
const KIND: u32 = 29;
const IRI: u32 = 0;
const BLANK: u32 = 1;
const LITERAL: u32 = 2;
/// A typed literal whose datatype is a vocabulary term, which is not copied.
const TYPED: u32 = 3;
const VOCABULARY: u32 = 4;
const PLACE: u32 = (1 << KIND) - 1;

fn index(kind: u32, place: usize) -> u32 {
    let place = u32::try_from(place)
        .ok()
        .filter(|&p| p <= PLACE)
        .expect("fewer than 2^29 terms of a kind in a record");
    kind << KIND | place
}

/// The hash of a term: of its text only (IRI, blank node number or label, lexical form), which
/// tells nearly all terms of a record apart; equal texts of other kinds or datatypes are told
/// apart by comparing.
fn hash(hasher: &foldhash::fast::FixedState, term: TermRef<'_>) -> u64 {
    match term {
        TermRef::NamedNode(n) => hasher.hash_one(n.as_str()),
        TermRef::BlankNode(b) => match b.unique_id() {
            Some(id) => hasher.hash_one(id),
            None => hasher.hash_one(b.as_str()),
        },
        TermRef::Literal(l) => hasher.hash_one(l.value()),
    }
}

/// Term indexes by hash: slots of 32 bits of the hash and the index plus one, 0 when empty.
#[derive(Default)]
struct Table {
    slots: Vec<u64>,
    len: usize,
}

impl Table {
    /// The index whose term `is` the one looked for, among those of hash `hash`.
    #[inline]
    fn find(&self, hash: u64, mut is: impl FnMut(u32) -> bool) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let high = hash >> 32;
        let mask = self.slots.len() - 1;
        let mut at = high as usize & mask;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return None;
            }
            if slot >> 32 == high && is(slot as u32 - 1) {
                return Some(slot as u32 - 1);
            }
            at = (at + 1) & mask;
        }
    }

    /// Adds `index`, whose term is not in the table yet.
    fn insert(&mut self, hash: u64, index: u32) {
        if 4 * (self.len + 1) > self.slots.len() {
            let size = (self.slots.len() * 2).max(64);
            let old = std::mem::replace(&mut self.slots, vec![0; size]);
            self.len = 0;
            for slot in old.into_iter().filter(|&s| s != 0) {
                self.insert(slot & !0xFFFF_FFFF, slot as u32 - 1);
            }
        }
        let high = hash >> 32;
        let mask = self.slots.len() - 1;
        let mut at = high as usize & mask;
        while self.slots[at] != 0 {
            at = (at + 1) & mask;
        }
        self.slots[at] = high << 32 | u64::from(index + 1);
        self.len += 1;
    }

    fn clear(&mut self) {
        clear_slots(&mut self.slots, self.len);
        self.len = 0;
    }
}

/// Empties `slots`, of which `len` were taken. After a record much larger than most, the table
/// starts small again rather than being zeroed whole for every small record that follows.
fn clear_slots<T: Default + Clone>(slots: &mut Vec<T>, len: usize) {
    if slots.len() > 4096 && 16 * len < slots.len() {
        *slots = Vec::new();
    } else {
        slots.fill(T::default());
    }
}

/// The hash of a triple of term indexes: they are small numbers, which multiplying by odd
/// constants spreads over the high bits.
fn triple_hash([s, p, o]: [u32; 3]) -> u64 {
    (u64::from(s).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ u64::from(p).wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ u64::from(o).wrapping_mul(0x1656_67B1_9E37_79F9))
    .wrapping_mul(0xFF51_AFD7_ED55_8CCD)
}

/// The triples a record has, to find a repeat.
///
/// Repeats are rare, so a triple is first looked up in a filter of one bit per hash value: a
/// clear bit means no triple of the record had that hash, and the triple is new. Only when the
/// bit is set is the triple looked up in a table of packed triples, which is filled then (and
/// from then on) with the triples before it.
struct Seen {
    /// One bit per value of a triple's hash.
    bits: [u64; 64],
    /// How many of the record's first triples are in `slots` (none until a bit is found set).
    exact: usize,
    /// Packed triples with [`Seen::TAKEN`] set; 0 is an empty slot. The length is a power of two.
    slots: Vec<u128>,
    len: usize,
}

impl Default for Seen {
    fn default() -> Self {
        Self {
            bits: [0; 64],
            exact: 0,
            slots: Vec::new(),
            len: 0,
        }
    }
}

impl Seen {
    /// Set in every packed triple, so that none is 0.
    const TAKEN: u128 = 1 << 127;

    /// Whether `triple` is new, `triples` being those of the record so far.
    #[inline]
    fn is_new(&mut self, triple: [u32; 3], triples: &[[u32; 3]]) -> bool {
        let bit = (triple_hash(triple) >> 52) as usize;
        let (word, mask) = (bit / 64, 1 << (bit % 64));
        if self.bits[word] & mask == 0 {
            self.bits[word] |= mask;
            return true;
        }
        self.is_new_exactly(triple, triples)
    }

    fn is_new_exactly(&mut self, triple: [u32; 3], triples: &[[u32; 3]]) -> bool {
        for &earlier in &triples[self.exact..] {
            self.insert(earlier);
        }
        self.exact = triples.len();
        let new = self.insert(triple);
        self.exact += usize::from(new);
        new
    }

    /// Adds `triple` to the table; `false` if it is there already.
    fn insert(&mut self, [s, p, o]: [u32; 3]) -> bool {
        if 4 * (self.len + 1) > self.slots.len() {
            let size = (self.slots.len() * 2).max(128);
            let old = std::mem::replace(&mut self.slots, vec![0; size]);
            self.len = 0;
            for key in old.into_iter().filter(|&k| k != 0) {
                self.insert([key as u32, (key >> 32) as u32, (key >> 64) as u32]);
            }
        }
        let key = Self::TAKEN | u128::from(s) | u128::from(p) << 32 | u128::from(o) << 64;
        let mask = self.slots.len() - 1;
        let mut at = (triple_hash([s, p, o]) >> 32) as usize & mask;
        loop {
            match self.slots[at] {
                0 => {
                    self.slots[at] = key;
                    self.len += 1;
                    return true;
                }
                slot if slot == key => return false,
                _ => at = (at + 1) & mask,
            }
        }
    }

    fn clear(&mut self) {
        self.bits = [0; 64];
        if self.exact > 0 {
            clear_slots(&mut self.slots, self.len);
            self.len = 0;
            self.exact = 0;
        }
    }
}

/// Slots of [`Vocabulary::by_address`], a power of two.
const SLOTS: usize = 256;

/// The vocabulary terms met so far: kept from record to record, since they are `'static`.
struct Vocabulary {
    terms: Vec<NamedNodeRef<'static>>,
    table: Table,
    /// Address and length of a term's text, and its index, in the slot of the address: a
    /// constant's text has one address, so the term is found without hashing its text.
    by_address: [(usize, usize, u32); SLOTS],
}

impl Default for Vocabulary {
    fn default() -> Self {
        Self {
            terms: Vec::new(),
            table: Table::default(),
            by_address: [(0, 0, 0); SLOTS],
        }
    }
}

/// The quads of one record: see the module documentation.
#[derive(Default)]
pub(crate) struct Record {
    iris: Vec<NamedNode>,
    blanks: Vec<BlankNode>,
    literals: Vec<Literal>,
    typed: Vec<(String, NamedNodeRef<'static>)>,
    /// The record's own terms (all but the vocabulary's) by hash.
    table: Table,
    vocabulary: Vocabulary,
    /// Subject, predicate and object as term indexes, in the order added.
    triples: Vec<[u32; 3]>,
    seen: Seen,
    hasher: foldhash::fast::FixedState,
    /// A record for a part of this one, kept for reuse (see [`Record::take_part`]).
    part: Option<Box<Record>>,
    /// The buffers [`Record::accept`] lends its terms and quads in, kept empty between calls:
    /// a series of a thousand occurrences needs a megabyte, and fresh memory costs the
    /// system's zeroing of its pages.
    lent: std::cell::Cell<(Vec<TermRef<'static>>, Vec<QuadRef<'static>>)>,
}

/// An empty vector of `T` in the memory of `v` (which the standard library's in-place
/// collection reuses when `T` and `U` have the same layout, as here the same type with
/// another lifetime does).
fn emptied<T, U>(mut v: Vec<T>) -> Vec<U> {
    v.clear();
    v.into_iter()
        .map(|_| unreachable!("the vector is empty"))
        .collect()
}

impl Record {
    /// The term of index `i`.
    fn term(&self, i: u32) -> TermRef<'_> {
        let place = (i & PLACE) as usize;
        match i >> KIND {
            IRI => self.iris[place].as_ref().into(),
            BLANK => self.blanks[place].as_ref().into(),
            LITERAL => self.literals[place].as_ref().into(),
            TYPED => {
                let (value, datatype) = &self.typed[place];
                LiteralRef::new_typed_literal(value, *datatype).into()
            }
            _ => self.vocabulary.terms[place].into(),
        }
    }

    /// The index of `term` if the record has it.
    ///
    /// An IRI is looked up in the vocabulary first, so that an input IRI equal to a vocabulary
    /// term the input has used before is that term.
    #[inline]
    fn lookup(&self, term: TermRef<'_>, hash: u64) -> Option<u32> {
        if term.is_named_node() {
            let vocabulary = &self.vocabulary;
            let known = vocabulary.table.find(hash, |v| {
                TermRef::from(vocabulary.terms[(v & PLACE) as usize]) == term
            });
            if known.is_some() {
                return known;
            }
        }
        self.table.find(hash, |i| self.term(i) == term)
    }

    /// The index of the term `new` gives the index of once it has kept the term; `term` is
    /// looked up first.
    fn intern(&mut self, term: TermRef<'_>, hash: u64, new: impl FnOnce(&mut Self) -> u32) -> u32 {
        if let Some(index) = self.lookup(term, hash) {
            return index;
        }
        let index = new(self);
        self.table.insert(hash, index);
        index
    }

    /// Keeps `node` (an IRI or a blank node) for the quads still to be added.
    pub(crate) fn node(&mut self, node: impl Into<NamedOrBlankNode>) -> Node {
        Node(match node.into() {
            NamedOrBlankNode::NamedNode(n) => {
                let term = TermRef::from(n.as_ref());
                let hash = hash(&self.hasher, term);
                match self.lookup(term, hash) {
                    Some(index) => index,
                    None => {
                        let index = index(IRI, self.iris.len());
                        self.iris.push(n);
                        self.table.insert(hash, index);
                        index
                    }
                }
            }
            NamedOrBlankNode::BlankNode(b) => {
                // The label of a blank node made from a number is written out on every reading.
                let term = TermRef::from(b.as_ref());
                let hash = hash(&self.hasher, term);
                match self.lookup(term, hash) {
                    Some(index) => index,
                    None => {
                        let index = index(BLANK, self.blanks.len());
                        self.blanks.push(b);
                        self.table.insert(hash, index);
                        index
                    }
                }
            }
        })
    }

    /// Keeps `literal` for the quads still to be added.
    pub(crate) fn literal(&mut self, literal: Literal) -> Object {
        let hash = hash(&self.hasher, literal.as_ref().into());
        Object(match self.lookup(literal.as_ref().into(), hash) {
            Some(index) => index,
            None => {
                let index = index(LITERAL, self.literals.len());
                self.literals.push(literal);
                self.table.insert(hash, index);
                index
            }
        })
    }

    /// Keeps the literal `value` of type `datatype` for the quads still to be added.
    pub(crate) fn typed_literal(
        &mut self,
        value: String,
        datatype: NamedNodeRef<'static>,
    ) -> Object {
        let term = TermRef::from(LiteralRef::new_typed_literal(&value, datatype));
        let hash = hash(&self.hasher, term);
        Object(match self.lookup(term, hash) {
            Some(index) => index,
            None => {
                let index = index(TYPED, self.typed.len());
                self.typed.push((value, datatype));
                self.table.insert(hash, index);
                index
            }
        })
    }

    /// Keeps the vocabulary term `iri` (no copy of it is made).
    #[inline]
    pub(crate) fn iri(&mut self, iri: NamedNodeRef<'static>) -> Node {
        let text = iri.as_str();
        let address = text.as_ptr() as usize;
        // The high bits of the address times an odd constant: constants lie close together,
        // and their low bits alone would pick few slots.
        let slot = ((address as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as usize % SLOTS;
        let (known, len, index) = self.vocabulary.by_address[slot];
        if known == address && len == text.len() {
            return Node(index);
        }
        Node(self.iri_by_text(iri, slot))
    }

    /// [`Record::iri`] for a term not found by its address.
    fn iri_by_text(&mut self, iri: NamedNodeRef<'static>, slot: usize) -> u32 {
        let term = TermRef::from(iri);
        let hash = hash(&self.hasher, term);
        let vocabulary = &self.vocabulary;
        let known = vocabulary
            .table
            .find(hash, |v| vocabulary.terms[(v & PLACE) as usize] == iri);
        let index = match known {
            Some(index) => index,
            None => {
                // The record may have met the IRI in its input before the vocabulary met the
                // term: then the record's own copy stands for both, for the rest of the record.
                if let Some(own) = self.table.find(hash, |i| self.term(i) == term) {
                    return own;
                }
                let index = index(VOCABULARY, self.vocabulary.terms.len());
                self.vocabulary.terms.push(iri);
                self.vocabulary.table.insert(hash, index);
                index
            }
        };
        self.vocabulary.by_address[slot] =
            (iri.as_str().as_ptr() as usize, iri.as_str().len(), index);
        index
    }

    /// Adds the quad `subject predicate object` in the default graph, unless the record has it.
    #[inline]
    pub(crate) fn add(
        &mut self,
        subject: Node,
        predicate: NamedNodeRef<'static>,
        object: impl IntoObject,
    ) {
        let predicate = self.iri(predicate);
        let object = object.into_object(self);
        self.push([subject.0, predicate.0, object.0]);
    }

    #[inline]
    fn push(&mut self, triple: [u32; 3]) {
        if self.seen.is_new(triple, &self.triples) {
            self.triples.push(triple);
        }
    }

    /// Adds `subject rdf:type class`.
    pub(crate) fn a(&mut self, subject: Node, class: NamedNodeRef<'static>) {
        self.add(subject, rdf::TYPE, class);
    }

    /// Adds a text value (cleaned of extra whitespace), tagged with `lang` if that is a valid
    /// language tag; nothing if the text is empty.
    pub(crate) fn text(
        &mut self,
        subject: Node,
        predicate: NamedNodeRef<'static>,
        value: &str,
        lang: Option<&str>,
    ) {
        if let Some(value) = clean(value) {
            self.add(subject, predicate, lang_literal(&value, lang));
        }
    }

    /// Adds an IRI value given as text; nothing (and `false`) if it is no web IRI.
    pub(crate) fn link(
        &mut self,
        subject: Node,
        predicate: NamedNodeRef<'static>,
        iri: &str,
    ) -> bool {
        match web_iri(iri) {
            Some(iri) => {
                let object = self.node(iri);
                self.add(subject, predicate, object);
                true
            }
            None => false,
        }
    }

    /// Adds a typed literal.
    pub(crate) fn typed(
        &mut self,
        subject: Node,
        predicate: NamedNodeRef<'static>,
        value: &str,
        datatype: NamedNodeRef<'static>,
    ) {
        let object = self.typed_literal(value.to_owned(), datatype);
        self.add(subject, predicate, object);
    }

    /// Adds the quads of `other` (a part of this record built on its own), after this record's
    /// own; those this record has already are left out.
    pub(crate) fn append(&mut self, other: &Record) {
        for &triple in &other.triples {
            let triple = triple.map(|i| {
                if i >> KIND == VOCABULARY {
                    return self.iri(other.vocabulary.terms[(i & PLACE) as usize]).0;
                }
                let term = other.term(i);
                let hash = hash(&self.hasher, term);
                self.intern(term, hash, |record| match term {
                    TermRef::NamedNode(n) => {
                        record.iris.push(n.into_owned());
                        index(IRI, record.iris.len() - 1)
                    }
                    TermRef::BlankNode(b) => {
                        record.blanks.push(b.into_owned());
                        index(BLANK, record.blanks.len() - 1)
                    }
                    TermRef::Literal(l) => {
                        record.literals.push(l.into_owned());
                        index(LITERAL, record.literals.len() - 1)
                    }
                })
            });
            self.push(triple);
        }
    }

    /// An empty record for a part of this one that is added (with [`Record::append`]) only if
    /// it says something; [`Record::give_back_part`] keeps it for the next record.
    pub(crate) fn take_part(&mut self) -> Box<Record> {
        let mut part = self.part.take().unwrap_or_default();
        part.clear();
        part
    }

    /// Keeps `part`, taken with [`Record::take_part`], for reuse.
    pub(crate) fn give_back_part(&mut self, part: Box<Record>) {
        self.part = Some(part);
    }

    /// Quads added so far.
    pub(crate) fn len(&self) -> usize {
        self.triples.len()
    }

    /// Whether no quad was added.
    pub(crate) fn is_empty(&self) -> bool {
        self.triples.is_empty()
    }

    /// Gives the record's quads to `out` as one accepted record.
    pub(crate) fn accept(&self, at: &Location, out: &mut dyn RecordSink) -> Result<(), SinkError> {
        // Each term read once, not once per quad: a blank node's label is made on reading.
        let starts = [
            0,
            self.iris.len(),
            self.iris.len() + self.blanks.len(),
            self.iris.len() + self.blanks.len() + self.literals.len(),
        ];
        let (own, quads) = self.lent.take();
        let (mut own, mut quads): (Vec<TermRef<'_>>, Vec<QuadRef<'_>>) = (own, quads);
        own.reserve(starts[3] + self.typed.len());
        own.extend(self.iris.iter().map(|n| TermRef::from(n.as_ref())));
        own.extend(self.blanks.iter().map(|b| TermRef::from(b.as_ref())));
        own.extend(self.literals.iter().map(|l| TermRef::from(l.as_ref())));
        own.extend(self.typed.iter().map(|(value, datatype)| {
            TermRef::from(LiteralRef::new_typed_literal(value, *datatype))
        }));
        let term = |i: u32| -> TermRef<'_> {
            let (kind, place) = (i >> KIND, (i & PLACE) as usize);
            match starts.get(kind as usize) {
                Some(start) => own[start + place],
                None => self.vocabulary.terms[place].into(),
            }
        };
        quads.extend(self.triples.iter().map(|&[s, p, o]| {
            let subject = match term(s) {
                TermRef::NamedNode(n) => NamedOrBlankNodeRef::from(n),
                TermRef::BlankNode(b) => b.into(),
                TermRef::Literal(_) => unreachable!("subjects are nodes"),
            };
            let TermRef::NamedNode(predicate) = term(p) else {
                unreachable!("predicates are IRIs")
            };
            QuadRef::new(subject, predicate, term(o), GraphNameRef::DefaultGraph)
        }));
        let accepted = out.accept(at, &quads);
        self.lent.set((emptied(own), emptied(quads)));
        accepted
    }

    /// Empties the record, keeping its buffers and its vocabulary.
    pub(crate) fn clear(&mut self) {
        self.iris.clear();
        self.blanks.clear();
        self.literals.clear();
        self.typed.clear();
        self.table.clear();
        self.triples.clear();
        self.seen.clear();
    }
}

#[cfg(test)]
impl Record {
    /// The record's quads as N-Triples-like text, in order.
    pub(crate) fn quads_as_text(&self) -> Vec<String> {
        struct Text(Vec<String>);
        impl RecordSink for Text {
            fn accept(&mut self, _: &Location, quads: &[QuadRef<'_>]) -> Result<(), SinkError> {
                self.0.extend(quads.iter().map(ToString::to_string));
                Ok(())
            }
            fn reject(&mut self, _: kulturnetz_model::Diagnostic) -> Result<(), SinkError> {
                Ok(())
            }
        }
        let mut text = Text(Vec::new());
        self.accept(&Location::default(), &mut text)
            .expect("the sink takes every record");
        text.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kulturnetz_model::vocab::schema;

    fn iri(text: &str) -> NamedNode {
        NamedNode::new(text).expect("a valid IRI")
    }

    #[test]
    fn a_quad_added_twice_is_handed_over_once() {
        let mut t = Record::default();
        let a = t.node(iri("https://x.example/a"));
        let again = t.node(iri("https://x.example/a"));
        assert_eq!(a, again);
        t.text(a, schema::NAME, " Museum ", None);
        t.text(again, schema::NAME, "Museum", None);
        t.typed(a, schema::LATITUDE, "51.0", xsd_decimal());
        t.typed(a, schema::LATITUDE, "51.0", xsd_decimal());
        t.a(a, schema::MUSEUM);
        t.a(a, schema::MUSEUM);
        assert_eq!(t.len(), 3);
        assert_eq!(
            t.quads_as_text(),
            [
                "<https://x.example/a> <http://schema.org/name> \"Museum\"",
                "<https://x.example/a> <http://schema.org/latitude> \"51.0\"^^<http://www.w3.org/2001/XMLSchema#decimal>",
                "<https://x.example/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/Museum>",
            ]
        );
    }

    fn xsd_decimal() -> NamedNodeRef<'static> {
        oxrdf::vocab::xsd::DECIMAL
    }

    #[test]
    fn an_input_iri_equal_to_a_vocabulary_term_is_that_term() {
        let mut t = Record::default();
        let a = t.node(iri("https://x.example/a"));
        // The input names the class before the vocabulary term is used …
        let class = t.node(iri("http://schema.org/Museum"));
        t.add(a, rdf::TYPE, class);
        t.a(a, schema::MUSEUM);
        assert_eq!(t.len(), 1);
        // … and after, in the next record, whose vocabulary has the term.
        t.clear();
        let a = t.node(iri("https://x.example/a"));
        t.a(a, schema::MUSEUM);
        let class = t.node(iri("http://schema.org/Museum"));
        t.add(a, rdf::TYPE, class);
        assert_eq!(t.len(), 1);
        assert_eq!(t.quads_as_text().len(), 1);
    }

    #[test]
    fn a_part_adds_only_what_the_record_lacks() {
        let mut t = Record::default();
        let a = t.node(iri("https://x.example/a"));
        t.a(a, schema::PLACE);
        let mut part = t.take_part();
        let b = part.node(iri("https://x.example/a"));
        part.a(b, schema::PLACE);
        part.text(b, schema::NAME, "Rathaus", Some("de"));
        t.append(&part);
        t.give_back_part(part);
        assert_eq!(
            t.quads_as_text(),
            [
                "<https://x.example/a> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://schema.org/Place>",
                "<https://x.example/a> <http://schema.org/name> \"Rathaus\"@de",
            ]
        );
        assert!(t.take_part().is_empty(), "a part is handed out empty");
    }

    #[test]
    fn large_records_keep_every_distinct_quad_once() {
        let mut t = Record::default();
        for round in 0..2 {
            for i in 0..5_000 {
                let s = t.node(iri(&format!("https://x.example/{}", i % 700)));
                t.typed(s, schema::VALUE, &i.to_string(), xsd_decimal());
                // 7 divides 700: each subject has one name.
                t.text(s, schema::NAME, &format!("name {}", i % 7), None);
            }
            assert_eq!(t.len(), 5_000 + 700, "round {round}");
        }
        t.clear();
        assert!(t.is_empty());
        let s = t.node(BlankNode::default());
        t.a(s, schema::PLACE);
        assert_eq!(t.len(), 1);
    }
}
