//! Opening a source file: decompression (gzip, zip, tar.gz, tar.xz) and decoding to UTF-8
//! (<https://w3id.org/rml/io/spec#source-description>), as a stream.

use encoding_rs::{Decoder, Encoding};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Cursor, Read};
use std::path::Path;

/// The bytes of `path`, decompressed as `compression` (an RML compression name) or its file
/// extension says, decoded from `encoding` (default: UTF-8, or what a byte-order mark says).
pub(crate) fn open(
    path: &Path,
    compression: Option<&str>,
    encoding: Option<&str>,
) -> io::Result<Box<dyn BufRead>> {
    let file = File::open(path)?;
    let name = path.to_string_lossy().to_ascii_lowercase();
    let compression = match compression {
        Some(c) if !c.eq_ignore_ascii_case("none") => c.to_ascii_lowercase(),
        Some(_) => String::new(),
        None if name.ends_with(".tar.gz") || name.ends_with(".tgz") => "targz".into(),
        None if name.ends_with(".tar.xz") => "tarxz".into(),
        None if name.ends_with(".gz") => "gzip".into(),
        None if name.ends_with(".zip") => "zip".into(),
        None => String::new(),
    };
    let raw: Box<dyn Read> = match compression.as_str() {
        "" => Box::new(file),
        "gzip" | "gz" => Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(file))),
        "zip" => {
            let mut archive = zip::ZipArchive::new(file).map_err(io::Error::other)?;
            let mut entry = archive.by_index(0).map_err(io::Error::other)?;
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes)?;
            Box::new(Cursor::new(bytes))
        }
        "targz" => first_tar_entry(flate2::read::GzDecoder::new(BufReader::new(file)))?,
        "tarxz" => {
            let mut xz = Vec::new();
            lzma_rs::xz_decompress(&mut BufReader::new(file), &mut xz)
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, format!("{e:?}")))?;
            first_tar_entry(Cursor::new(xz))?
        }
        other => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unknown compression {other:?} (gzip, zip, targz and tarxz are known)"),
            ));
        }
    };
    decode(BufReader::with_capacity(64 * 1024, raw), encoding)
}

/// The first file of a tar archive. Archives of sources hold one file.
fn first_tar_entry(reader: impl Read) -> io::Result<Box<dyn Read>> {
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries()? {
        let mut entry = entry?;
        if entry.header().entry_type().is_file() {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes)?;
            return Ok(Box::new(Cursor::new(bytes)));
        }
    }
    Err(io::Error::new(
        io::ErrorKind::InvalidData,
        "the archive holds no file",
    ))
}

/// `reader` as UTF-8: decoded from `encoding`, or from what its byte-order mark says.
pub(crate) fn decode(
    mut reader: impl BufRead + 'static,
    encoding: Option<&str>,
) -> io::Result<Box<dyn BufRead>> {
    let head = reader.fill_buf()?;
    let bom = Encoding::for_bom(head);
    let named = match encoding {
        None => None,
        Some(label) => {
            let label = label.replace('_', "-");
            Some(Encoding::for_label(label.as_bytes()).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("unknown encoding {label:?}"),
                )
            })?)
        }
    };
    match (bom, named) {
        (None, None) => Ok(Box::new(reader)),
        (Some((e, _)), _) | (None, Some(e)) if e == encoding_rs::UTF_8 => {
            if bom.is_some() {
                reader.consume(3);
            }
            Ok(Box::new(reader))
        }
        (Some((e, _)), _) | (None, Some(e)) => Ok(Box::new(BufReader::with_capacity(
            64 * 1024,
            Transcode {
                inner: reader,
                decoder: e.new_decoder(),
                pending: Vec::new(),
                done: false,
            },
        ))),
    }
}

/// Decodes a byte stream into UTF-8 as it is read.
struct Transcode<R> {
    inner: R,
    decoder: Decoder,
    pending: Vec<u8>,
    done: bool,
}

impl<R: BufRead> Read for Transcode<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pending.is_empty() && !self.done {
            let input = self.inner.fill_buf()?;
            let last = input.is_empty();
            let mut out = String::with_capacity(input.len() * 2 + 16);
            let (_, read, _) = self.decoder.decode_to_string(input, &mut out, last);
            self.inner.consume(read);
            self.pending = out.into_bytes();
            self.done = last;
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_windows_1252_and_utf16() {
        let mut out = String::new();
        decode(Cursor::new(b"M\xfcller".to_vec()), Some("windows-1252"))
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "Müller");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Grüße".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        out.clear();
        decode(Cursor::new(utf16), None)
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "Grüße");
        out.clear();
        decode(Cursor::new(b"\xEF\xBB\xBFid".to_vec()), None)
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "id");
    }
}
