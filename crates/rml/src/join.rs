//! The parent side of a join, packed: every parent record's join key and subjects in one
//! buffer, found through a hash table of offsets into it
//! (<https://w3id.org/rml/core/spec#join-condition>).
//!
//! A table of `HashMap<Vec<String>, Vec<Term>>` costs some 300 bytes per parent record: a
//! heap block for the key list, one for each key value, one for the subject list and one for
//! each subject, besides the map's own slots. Here a record with one subject takes an 8-byte
//! slot, its key after its length, and its subject's text less the part of the IRI that all
//! subjects share (`https://example.org/id/institution/`), so the table of 100,000 parents
//! takes under 2 MB.

use hashbrown::{DefaultHashBuilder, HashTable};
use oxrdf::{NamedNode, Term};
use std::hash::BuildHasher;

/// A subject as 32 bits: what kind it is (the top three bits), and the length of its text in
/// the buffer (an IRI), its index in `JoinTable::others` (any other term) or the index of the
/// first of a key's subjects in `JoinTable::more` (a list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Subject(u32);

impl Subject {
    const KIND: u32 = 7 << 29;
    /// An IRI that starts with the shared prefix, stored without it.
    const PREFIXED: u32 = 0;
    /// An IRI that is the shared prefix and the key (`…/institution/{id}` joined on `id`): its
    /// text is that of the key, not stored twice.
    const KEY: u32 = 1 << 29;
    /// An IRI stored whole.
    const WHOLE: u32 = 2 << 29;
    /// A blank node or a literal, kept as a term.
    const OTHER: u32 = 3 << 29;
    /// The key has several subjects.
    const LIST: u32 = 4 << 29;
    /// The longest IRI text that fits; longer ones are kept as terms.
    const MAX: usize = (1 << 29) - 1;

    fn kind(self) -> u32 {
        self.0 & Self::KIND
    }

    fn value(self) -> usize {
        (self.0 & !Self::KIND) as usize
    }
}

/// One key: where it is in the buffer (its length, then its text), and its subject (whose
/// text, if it has its own, follows the key's).
#[derive(Debug, Clone, Copy)]
struct Entry {
    start: u32,
    subject: Subject,
}

impl Entry {
    /// Where the key's text starts, and its length.
    fn key_span(self, text: &[u8]) -> (u32, u32) {
        let mut len = 0;
        let mut at = self.start as usize;
        let mut shift = 0;
        while let Some(&b) = text.get(at) {
            len |= u32::from(b & 0x7F) << shift;
            at += 1;
            shift += 7;
            if b < 0x80 || shift > 28 {
                break;
            }
        }
        (at as u32, len)
    }

    fn key(self, text: &[u8]) -> &[u8] {
        let (start, len) = self.key_span(text);
        &text[start as usize..(start + len) as usize]
    }

    fn subject_start(self, text: &[u8]) -> u32 {
        let (start, len) = self.key_span(text);
        if self.subject.kind() == Subject::KEY {
            start
        } else {
            start + len
        }
    }
}

/// One of the subjects of a key that has several, in a list in the order of the parent
/// records.
#[derive(Debug, Clone, Copy)]
struct More {
    start: u32,
    subject: Subject,
    /// One more than the index of the next; 0 at the end.
    next: u32,
}

/// The subjects of a parent triples map by the values of its join conditions.
pub(crate) struct JoinTable {
    /// Keys (each after its length in LEB128) and the text of subject IRIs (without the shared
    /// prefix), back to back.
    text: Vec<u8>,
    index: HashTable<Entry>,
    hasher: DefaultHashBuilder,
    more: Vec<More>,
    others: Vec<Term>,
    /// The start that (nearly) all subject IRIs share, set by the first one.
    prefix: Option<String>,
    /// Where to cut the first subject IRI to find the prefix: after this text, if it has it.
    prefix_hint: String,
}

/// The table would need more than 4 GiB of key and subject text.
#[derive(Debug)]
pub(crate) struct TooLarge;

impl JoinTable {
    /// An empty table; `prefix_hint` is the constant text that starts the parent's subject
    /// template, if it has one (the shared prefix is found from the first subject otherwise).
    pub(crate) fn new(prefix_hint: &str) -> Self {
        Self {
            text: Vec::new(),
            index: HashTable::new(),
            hasher: DefaultHashBuilder::default(),
            more: Vec::new(),
            others: Vec::new(),
            prefix: None,
            prefix_hint: prefix_hint.to_owned(),
        }
    }

    /// Adds `subjects` under `key` (from [`each_key`]), after those the key already has,
    /// leaving out any it already has.
    pub(crate) fn insert(&mut self, key: &str, subjects: &[Term]) -> Result<(), TooLarge> {
        let Some((first, rest)) = subjects.split_first() else {
            return Ok(());
        };
        let key = key.as_bytes();
        let hash = self.hasher.hash_one(key);
        let text = &self.text;
        let found = self.index.find(hash, |e| e.key(text) == key).copied();
        let (mut entry, new) = if let Some(entry) = found {
            (entry, subjects)
        } else {
            let start = offset(self.text.len())?;
            let mut len = offset(key.len())?;
            while len >= 0x80 {
                self.text.push((len & 0x7F) as u8 | 0x80);
                len >>= 7;
            }
            self.text.push(len as u8);
            let key_start = self.append(key)?;
            let (_, subject) = self.push_subject(first, key_start, offset(key.len())?)?;
            let entry = Entry { start, subject };
            let text = &self.text;
            let hasher = &self.hasher;
            self.index
                .insert_unique(hash, entry, |e| hasher.hash_one(e.key(text)));
            (entry, rest)
        };
        let (key_start, key_len) = entry.key_span(&self.text);
        for s in new {
            // The last of the key's subjects, unless `s` is one of them already.
            let mut last = None;
            let mut duplicate = false;
            if entry.subject.kind() == Subject::LIST {
                let mut next = entry.subject.value() + 1;
                while next != 0 && !duplicate {
                    let m = self.more[next - 1];
                    duplicate = self.same(s, m.start, m.subject);
                    last = Some(next - 1);
                    next = m.next as usize;
                }
            } else {
                duplicate = self.same(s, entry.subject_start(&self.text), entry.subject);
            }
            if duplicate {
                continue;
            }
            if self.more.len() + 2 > Subject::MAX {
                return Err(TooLarge);
            }
            let last = match last {
                Some(last) => last,
                None => {
                    // The key's second subject: the first moves into a list.
                    self.more.push(More {
                        start: entry.subject_start(&self.text),
                        subject: entry.subject,
                        next: 0,
                    });
                    let head = self.more.len() - 1;
                    entry.subject = Subject(Subject::LIST | head as u32);
                    let text = &self.text;
                    if let Some(e) = self.index.find_mut(hash, |e| e.key(text) == key) {
                        e.subject = entry.subject;
                    }
                    head
                }
            };
            let (start, subject) = self.push_subject(s, key_start, key_len)?;
            self.more.push(More {
                start,
                subject,
                next: 0,
            });
            self.more[last].next = offset(self.more.len())?;
        }
        Ok(())
    }

    /// Calls `f` with every subject of `key`, in the order they were added.
    pub(crate) fn find(&self, key: &str, mut f: impl FnMut(Term)) {
        let key = key.as_bytes();
        let hash = self.hasher.hash_one(key);
        let Some(entry) = self.index.find(hash, |e| e.key(&self.text) == key) else {
            return;
        };
        if entry.subject.kind() != Subject::LIST {
            f(self.term(entry.subject_start(&self.text), entry.subject));
            return;
        }
        let mut next = entry.subject.value() + 1;
        while next != 0 {
            let m = self.more[next - 1];
            f(self.term(m.start, m.subject));
            next = m.next as usize;
        }
    }

    /// Frees what the table reserved for growth and did not use.
    pub(crate) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
        self.more.shrink_to_fit();
        self.others.shrink_to_fit();
    }

    /// The bytes the table holds on the heap.
    #[cfg(test)]
    pub(crate) fn heap_size(&self) -> usize {
        self.text.capacity()
            + self.index.allocation_size()
            + self.more.capacity() * size_of::<More>()
            + self.others.capacity() * size_of::<Term>()
            + self.prefix.as_ref().map_or(0, String::capacity)
            + self.prefix_hint.capacity()
    }

    /// Stores a subject of the key at `key_start`: the text of an IRI less the prefix (unless it
    /// is the key's), or the term. Returns where its text starts, and what it is.
    fn push_subject(
        &mut self,
        subject: &Term,
        key_start: u32,
        key_len: u32,
    ) -> Result<(u32, Subject), TooLarge> {
        let Term::NamedNode(n) = subject else {
            return self.push_other(subject);
        };
        let iri = n.as_str();
        let prefix = self.prefix.get_or_insert_with(|| {
            let end = match iri.find(self.prefix_hint.as_str()) {
                Some(at) if !self.prefix_hint.is_empty() => at + self.prefix_hint.len(),
                _ => iri.rfind(['/', '#']).map_or(0, |i| i + 1),
            };
            iri[..end].to_owned()
        });
        let (kind, rest) = match iri.strip_prefix(prefix.as_str()) {
            Some(rest) => (Subject::PREFIXED, rest),
            None => (Subject::WHOLE, iri),
        };
        if kind == Subject::PREFIXED
            && key_len as usize <= Subject::MAX
            && rest.as_bytes() == &self.text[key_start as usize..(key_start + key_len) as usize]
        {
            return Ok((key_start, Subject(Subject::KEY | key_len)));
        }
        if rest.len() > Subject::MAX {
            return self.push_other(subject);
        }
        let start = self.append(rest.as_bytes())?;
        Ok((start, Subject(kind | rest.len() as u32)))
    }

    /// Appends `bytes` to the buffer and returns where they start.
    fn append(&mut self, bytes: &[u8]) -> Result<u32, TooLarge> {
        let start = offset(self.text.len())?;
        offset(self.text.len() + bytes.len())?;
        self.text.extend_from_slice(bytes);
        Ok(start)
    }

    fn push_other(&mut self, subject: &Term) -> Result<(u32, Subject), TooLarge> {
        let index = self.others.len();
        if index > Subject::MAX {
            return Err(TooLarge);
        }
        self.others.push(subject.clone());
        Ok((0, Subject(Subject::OTHER | index as u32)))
    }

    /// The prefix and the stored text of an IRI subject.
    fn iri(&self, start: u32, subject: Subject) -> (&str, &[u8]) {
        let start = start as usize;
        let stored = &self.text[start..start + subject.value()];
        if subject.kind() == Subject::WHOLE {
            ("", stored)
        } else {
            (self.prefix.as_deref().unwrap_or(""), stored)
        }
    }

    /// Whether the subject stored at `start` is `term`.
    fn same(&self, term: &Term, start: u32, subject: Subject) -> bool {
        if subject.kind() == Subject::OTHER {
            return self.others[subject.value()] == *term;
        }
        let Term::NamedNode(n) = term else {
            return false;
        };
        let (prefix, stored) = self.iri(start, subject);
        let n = n.as_str().as_bytes();
        n.len() == prefix.len() + stored.len()
            && n.starts_with(prefix.as_bytes())
            && n.ends_with(stored)
    }

    fn term(&self, start: u32, subject: Subject) -> Term {
        if subject.kind() == Subject::OTHER {
            return self.others[subject.value()].clone();
        }
        let (prefix, stored) = self.iri(start, subject);
        let mut iri = String::with_capacity(prefix.len() + stored.len());
        iri.push_str(prefix);
        // Whole `&str`s went into the buffer, so this is never lossy.
        iri.push_str(&String::from_utf8_lossy(stored));
        NamedNode::new_unchecked(iri).into()
    }
}

fn offset(n: usize) -> Result<u32, TooLarge> {
    u32::try_from(n).map_err(|_| TooLarge)
}

/// Encodes the values of one record's join conditions as one key into `out`, each after its
/// length and a colon, so that two different lists never share a key.
fn encode_key<'a>(values: impl Iterator<Item = &'a str>, out: &mut String) {
    out.clear();
    for v in values {
        use std::fmt::Write as _;
        let _ = write!(out, "{}:", v.len());
        out.push_str(v);
    }
}

/// Calls `f` with the key of every combination of `values` (one list per join condition; the
/// first condition's values vary slowest), in order. The key of a single condition is its
/// value; that of several is encoded by `encode_key`.
pub(crate) fn each_key(
    values: &[Vec<crate::source::Val>],
    buf: &mut String,
    mut f: impl FnMut(&str),
) {
    if values.iter().any(Vec::is_empty) {
        return;
    }
    if let [single] = values {
        for v in single {
            f(&v.text);
        }
        return;
    }
    let mut at = vec![0; values.len()];
    loop {
        encode_key(
            values.iter().zip(&at).map(|(v, &i)| v[i].text.as_str()),
            buf,
        );
        f(buf);
        // The next combination: the last condition's values vary fastest.
        let mut i = values.len();
        loop {
            if i == 0 {
                return;
            }
            i -= 1;
            at[i] += 1;
            if at[i] < values[i].len() {
                break;
            }
            at[i] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Val;
    use oxrdf::{BlankNode, Literal};

    fn iri(s: &str) -> Term {
        NamedNode::new_unchecked(s).into()
    }

    fn found(table: &JoinTable, key: &str) -> Vec<Term> {
        let mut out = Vec::new();
        table.find(key, |t| out.push(t));
        out
    }

    #[test]
    fn subjects_come_back_in_order_without_duplicates() {
        let mut table = JoinTable::new("https://ex.org/id/");
        let a = iri("https://ex.org/id/a");
        let b = iri("https://ex.org/id/b");
        let other = iri("urn:x:c");
        let blank: Term = BlankNode::new_from_unique_id(7).into();
        let literal: Term = Literal::new_simple_literal("l").into();
        table.insert("1", std::slice::from_ref(&a)).unwrap();
        table
            .insert("2", &[b.clone(), a.clone(), b.clone()])
            .unwrap();
        table
            .insert("1", &[other.clone(), a.clone(), blank.clone()])
            .unwrap();
        table
            .insert("1", &[blank.clone(), literal.clone(), other.clone()])
            .unwrap();
        table.insert("3", &[]).unwrap();
        table.shrink_to_fit();
        assert_eq!(found(&table, "1"), vec![a.clone(), other, blank, literal]);
        assert_eq!(found(&table, "2"), vec![b, a]);
        assert!(found(&table, "3").is_empty());
        assert!(found(&table, "").is_empty());
    }

    /// The parent side of the benchmark's join: 100,000 institutions by their number.
    #[test]
    fn a_parent_record_takes_a_few_dozen_bytes() {
        let mut table = JoinTable::new("https://daten.kultur.example/id/institution/");
        let rows = 100_000;
        for id in 1..=rows {
            let subject = iri(&format!("https://daten.kultur.example/id/institution/{id}"));
            table.insert(&id.to_string(), &[subject]).unwrap();
        }
        table.shrink_to_fit();
        let per_row = table.heap_size() / rows;
        eprintln!("{per_row} bytes per parent record");
        assert!(per_row <= 24, "{per_row} bytes per parent record");
        assert_eq!(
            found(&table, "4711"),
            vec![iri("https://daten.kultur.example/id/institution/4711")]
        );
    }

    #[test]
    fn long_and_non_ascii_keys() {
        let mut table = JoinTable::new("http://ex.org/");
        let keys = [
            "ä".repeat(100),
            "x".repeat(127),
            "x".repeat(128),
            "y".repeat(70_000),
            String::new(),
        ];
        for (i, k) in keys.iter().enumerate() {
            table
                .insert(k, &[iri(&format!("http://ex.org/{i}"))])
                .unwrap();
            // The subject is the prefix and the key: stored once.
            table
                .insert(k, &[iri(&format!("http://ex.org/{k}"))])
                .unwrap();
        }
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(
                found(&table, k),
                vec![
                    iri(&format!("http://ex.org/{i}")),
                    iri(&format!("http://ex.org/{k}"))
                ]
            );
        }
        assert!(found(&table, &"x".repeat(129)).is_empty());
    }

    #[test]
    fn the_prefix_is_found_without_a_hint() {
        let mut table = JoinTable::new("");
        let subjects = ["http://ex.org/a/1", "http://ex.org/b/2", "http://ex.org/a"];
        for (i, s) in subjects.iter().enumerate() {
            table.insert(&i.to_string(), &[iri(s)]).unwrap();
        }
        for (i, s) in subjects.iter().enumerate() {
            assert_eq!(found(&table, &i.to_string()), vec![iri(s)]);
        }
        assert_eq!(table.prefix.as_deref(), Some("http://ex.org/a/"));
    }

    #[test]
    fn keys_of_several_values_do_not_collide() {
        let values = |lists: &[&[&str]]| -> Vec<Vec<Val>> {
            lists
                .iter()
                .map(|l| l.iter().map(|v| Val::plain(*v)).collect())
                .collect()
        };
        let mut keys = Vec::new();
        let mut buf = String::new();
        each_key(&values(&[&["a:", "b"], &["c", ":d"]]), &mut buf, |k| {
            keys.push(k.to_owned());
        });
        assert_eq!(keys, ["2:a:1:c", "2:a:2::d", "1:b1:c", "1:b2::d"]);
        keys.clear();
        each_key(&values(&[&["x", "y"]]), &mut buf, |k| {
            keys.push(k.to_owned())
        });
        assert_eq!(keys, ["x", "y"]);
        keys.clear();
        each_key(&values(&[&["x"], &[]]), &mut buf, |k| {
            keys.push(k.to_owned())
        });
        assert!(keys.is_empty());
    }
}
