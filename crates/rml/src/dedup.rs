//! Leaving out quads written before: [`QuadSet`], used by the engine on quads and by the
//! writer's thread on N-Quads lines.

use oxrdf::Quad;
use std::hash::BuildHasher as _;

/// The most bytes that the sets finding repeats keep; past it they are forgotten and collected
/// anew, so memory stays bounded and a repeat further back than that is written again (never is
/// a distinct quad left out).
pub(crate) const DEDUP_BYTES: usize = 256 << 20;

/// The quads a run has written, grouped by subject, to leave out every quad written before,
/// whichever map or record it came from. Each subject is kept as a 64-bit fingerprint with the
/// 64-bit fingerprints of the rest of its quads (predicate, object, graph), two foldhash digests
/// under random seeds, so a quad costs 8 bytes and a look among its own subject's quads, not a
/// probe into one large table. Up to [`DEDUP_BYTES`]; past it the set starts anew. A distinct
/// quad is taken for a written one only if both its subject's and its own fingerprints collide
/// with another's (for 10⁸ quads a chance below 10⁻¹⁸): in practice none is left out.
#[derive(Default)]
pub(crate) struct QuadSet {
    subjects: hashbrown::HashMap<u64, Vec<u64>, BuildU64>,
    bytes: usize,
    keys: (hashbrown::DefaultHashBuilder, hashbrown::DefaultHashBuilder),
}

impl QuadSet {
    /// Whether the quad of `subject` whose other terms are `rest` is new; remembers it.
    fn insert(&mut self, subject: u64, rest: u64) -> bool {
        let seen = self.subjects.entry(subject).or_default();
        if seen.contains(&rest) {
            return false;
        }
        seen.push(rest);
        self.bytes += 8;
        if self.bytes + self.subjects.len() * 48 > DEDUP_BYTES {
            self.subjects.clear();
            self.bytes = 0;
        }
        true
    }

    /// Leaves out of `quads` those written before (and repeats among them); remembers the rest.
    /// Returns how many it left out.
    pub(crate) fn retain_new<T>(&mut self, quads: &mut Vec<(Quad, T)>) -> usize {
        let before = quads.len();
        let mut subject: Option<(oxrdf::NamedOrBlankNode, u64)> = None;
        quads.retain(|(quad, _)| {
            let s = match &subject {
                Some((s, fp)) if s == &quad.subject => *fp,
                _ => {
                    let fp = self.keys.0.hash_one(&quad.subject);
                    subject = Some((quad.subject.clone(), fp));
                    fp
                }
            };
            let rest = self
                .keys
                .1
                .hash_one((&quad.predicate, &quad.object, &quad.graph_name));
            self.insert(s, rest)
        });
        before - quads.len()
    }

    /// Whether the N-Quads (or N-Triples) `line` is new; remembers it. The subject is what comes
    /// before the first space (no IRI or blank node label of N-Quads holds one).
    pub(crate) fn line_is_new(&mut self, line: &[u8]) -> bool {
        let split = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
        let (subject, rest) = line.split_at(split);
        let s = self.keys.0.hash_one(subject);
        let rest = self.keys.1.hash_one(rest);
        self.insert(s, rest)
    }
}

/// A fingerprint is already a hash: the table uses it as it is.
#[derive(Default, Clone, Copy)]
struct BuildU64;

impl std::hash::BuildHasher for BuildU64 {
    type Hasher = U64Hasher;
    fn build_hasher(&self) -> U64Hasher {
        U64Hasher(0)
    }
}

struct U64Hasher(u64);

impl std::hash::Hasher for U64Hasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 ^= u64::from_le_bytes(word);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_or_quad_is_new_once() {
        let mut set = QuadSet::default();
        assert!(set.line_is_new(b"<http://s> <http://p> \"1\" .\n"));
        assert!(set.line_is_new(b"<http://s> <http://p> \"2\" .\n"));
        assert!(set.line_is_new(b"<http://t> <http://p> \"1\" .\n"));
        assert!(!set.line_is_new(b"<http://s> <http://p> \"1\" .\n"));
    }
}
