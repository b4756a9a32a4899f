//! The dumps a site publishes (`all.nq.gz` and `SHA256SUMS`), written so that nobody ever reads a
//! half-written file.

use crate::{Backend, StoreError};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// The file of every quad of the store, as gzipped N-Quads.
const ALL: &str = "all.nq.gz";
/// The checksum file, in the format `sha256sum --check` reads.
const SUMS: &str = "SHA256SUMS";

/// What [`dump`] wrote: the data files, each with its size and digest (for the checksum file, a
/// DCAT catalogue, ETags).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The data files (not `SHA256SUMS` itself), in the order they are listed there.
    pub files: Vec<DumpFile>,
}

/// One file of a dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpFile {
    /// The file's name in the dump folder.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// The SHA-256 of its bytes.
    pub sha256: [u8; 32],
}

/// Writes the dumps of `backend` into `dir`: `all.nq.gz` (every quad) and `SHA256SUMS`.
///
/// Each file is written to a temporary file in `dir` and renamed over the old one when
/// complete, so a reader (the `/dumps/` route, a mirror) sees the previous dump or the new one.
/// The digest is computed while the compressed bytes are written; nothing is read back.
pub fn dump(backend: &dyn Backend, dir: &Path) -> Result<Manifest, StoreError> {
    std::fs::create_dir_all(dir).map_err(|error| StoreError::Write {
        path: dir.to_owned(),
        error,
    })?;
    let all = write_atomically(dir, ALL, |out| {
        let mut gz = flate2::write::GzEncoder::new(out, flate2::Compression::default());
        backend.dump(&mut gz)?;
        gz.try_finish().map_err(|error| StoreError::Write {
            path: dir.join(ALL),
            error,
        })?;
        Ok(())
    })?;
    let manifest = Manifest { files: vec![all] };
    let mut sums = String::new();
    for file in &manifest.files {
        sums.push_str(&kulturnetz_model::hex(&file.sha256));
        sums.push_str("  ");
        sums.push_str(&file.name);
        sums.push('\n');
    }
    write_atomically(dir, SUMS, |out| {
        out.write_all(sums.as_bytes())
            .map_err(|error| StoreError::Write {
                path: dir.join(SUMS),
                error,
            })
    })?;
    Ok(manifest)
}

/// Writes `dir/name` through `write` into a temporary file, hashing as it goes, then renames it.
fn write_atomically(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut Hashing<BufWriter<File>>) -> Result<(), StoreError>,
) -> Result<DumpFile, StoreError> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    let failed = |path: &PathBuf| {
        let path = path.clone();
        move |error| StoreError::Write { path, error }
    };
    let file = File::create(&tmp).map_err(failed(&tmp))?;
    let mut out = Hashing {
        inner: BufWriter::new(file),
        hasher: Sha256::new(),
        bytes: 0,
    };
    let written = write(&mut out).and_then(|()| {
        let file = out.inner.into_inner().map_err(|e| StoreError::Write {
            path: tmp.clone(),
            error: e.into_error(),
        })?;
        file.sync_all().map_err(failed(&tmp))
    });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, &path).map_err(failed(&path))?;
    Ok(DumpFile {
        name: name.to_owned(),
        bytes: out.bytes,
        sha256: out.hasher.finalize().into(),
    })
}

/// A writer that hashes and counts the bytes it passes on.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Backend, Embedded, EmbeddedOptions};
    use oxrdf::{Literal, NamedNode, Quad};
    use std::io::Read;

    #[test]
    fn the_manifest_matches_the_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Embedded::open(&dir.path().join("store"), &EmbeddedOptions::default()).unwrap();
        let g = NamedNode::new_unchecked("https://x.example/g");
        let quad = Quad::new(
            NamedNode::new_unchecked("https://x.example/s"),
            NamedNode::new_unchecked("https://x.example/p"),
            Literal::from(1),
            g,
        );
        let mut loader = store.loader().unwrap();
        loader.insert(&[quad.as_ref()]).unwrap();
        loader.finish().unwrap();
        let out = dir.path().join("dumps");
        let manifest = dump(&store, &out).unwrap();
        let bytes = std::fs::read(out.join("all.nq.gz")).unwrap();
        assert_eq!(manifest.files.len(), 1);
        assert_eq!(manifest.files[0].bytes, bytes.len() as u64);
        let sum = kulturnetz_model::hex(&Sha256::digest(&bytes));
        assert_eq!(
            manifest.files[0].sha256,
            <[u8; 32]>::from(Sha256::digest(&bytes))
        );
        assert_eq!(
            std::fs::read_to_string(out.join("SHA256SUMS")).unwrap(),
            format!("{sum}  all.nq.gz\n")
        );
        let mut nquads = String::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_string(&mut nquads)
            .unwrap();
        assert_eq!(nquads, format!("{quad} .\n"));
        // No temporary file is left behind.
        let mut names: Vec<_> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["SHA256SUMS", "all.nq.gz"]);
    }
}
