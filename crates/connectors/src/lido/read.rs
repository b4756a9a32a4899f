//! The records of a LIDO file, streamed (<https://lido-schema.org/schema/latest/lido.html>): each
//! `lido:lido` element is read into a small tree of its own with quick-xml, handed over and
//! dropped before the next one is read, so memory does not grow with the file. The text of the
//! record being read is kept beside it ([`Records::raw`]), for its diagnostic if it is rejected.

use crate::ConnectorError;
use crate::input::LineCounter;
use crate::text::clean;
use kulturnetz_model::{Diagnostic, Location};
use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use std::io::BufRead;

/// The LIDO namespace.
const LIDO_NS: &[u8] = b"http://www.lido-schema.org";

/// What the reader found.
pub(super) enum Item {
    /// A record, read whole, and where it starts.
    Record(El, Location),
    /// A record with a syntax error, rejected; reading resumes at the next `lido:lido`.
    Broken(Diagnostic),
}

/// Reads the `lido:lido` records of an input one after the other.
pub(super) struct Records<'a> {
    reader: NsReader<LineCounter<'a>>,
    buf: Vec<u8>,
    /// Whether the root element is in the LIDO namespace, once it is read.
    root: Option<bool>,
    /// Where the last syntax error left the reader.
    last_error_at: Option<u64>,
    ended: bool,
    tree: Tree<'a>,
}

/// The record being read.
struct Tree<'a> {
    name: &'a str,
    /// Records found so far, broken ones included.
    record: u64,
    /// The open elements of the record.
    stack: Vec<El>,
    start_line: u64,
    /// Whether the rest of a broken record is being passed over.
    skipping: bool,
}

impl<'a> Records<'a> {
    pub(super) fn new(name: &'a str, reader: &'a mut dyn BufRead) -> Self {
        let mut reader = NsReader::from_reader(LineCounter::new(reader));
        reader.config_mut().check_end_names = true;
        Self {
            reader,
            buf: Vec::new(),
            root: None,
            last_error_at: None,
            ended: false,
            tree: Tree {
                name,
                record: 0,
                stack: Vec::new(),
                start_line: 0,
                skipping: false,
            },
        }
    }

    /// The next record, whole or broken; `Err` for I/O errors and input that is not LIDO.
    pub(super) fn next(&mut self) -> Result<Option<Item>, ConnectorError> {
        let tree = &mut self.tree;
        while !self.ended {
            let line = self.reader.get_ref().line();
            self.buf.clear();
            let (ns, event) = match self.reader.read_resolved_event_into(&mut self.buf) {
                Ok(ok) => ok,
                Err(quick_xml::Error::Io(e)) => {
                    return Err(ConnectorError::Io {
                        name: tree.name.to_owned(),
                        source: std::io::Error::new(e.kind(), e.to_string()),
                    });
                }
                Err(e) => {
                    // Before the first record, a broken document is no LIDO file to take records
                    // from.
                    if self.root.is_none() || (tree.record == 0 && tree.stack.is_empty()) {
                        return Err(not_lido(
                            tree.name,
                            &format!("not well-formed XML on line {line}: {e}"),
                        ));
                    }
                    let at = self.reader.get_ref().line();
                    let inside = !tree.stack.is_empty();
                    let broken = tree.broken(line, &format!("malformed XML on line {at}: {e}"));
                    let broken = with_text(broken, inside, &mut self.reader);
                    // An error that does not move the reader on would repeat for ever.
                    let position = self.reader.buffer_position();
                    if self.last_error_at == Some(position) {
                        self.ended = true;
                    }
                    self.last_error_at = Some(position);
                    match broken {
                        Some(broken) => return Ok(Some(broken)),
                        None => continue,
                    }
                }
            };
            let lido = matches!(ns, ResolveResult::Bound(Namespace(n)) if n == LIDO_NS);
            let starts = tree.stack.is_empty();
            let item = match event {
                Event::Start(e) => {
                    self.root.get_or_insert(lido);
                    if tree.open(&e, lido, line) && starts {
                        // The start tag is consumed: its text is put back together.
                        self.reader.get_mut().keep_from(&[b"<", &e, b">"]);
                    }
                    None
                }
                Event::Empty(e) => {
                    self.root.get_or_insert(lido);
                    if tree.open(&e, lido, line) {
                        if starts {
                            self.reader.get_mut().keep_from(&[b"<", &e, b"/>"]);
                            self.reader.get_mut().stop_keeping();
                        }
                        tree.close()
                    } else {
                        None
                    }
                }
                Event::End(_) => {
                    let item = tree.close();
                    if tree.stack.is_empty() {
                        self.reader.get_mut().stop_keeping();
                    }
                    item
                }
                Event::Text(t) if !tree.stack.is_empty() => match t.unescape() {
                    Ok(text) => {
                        tree.text(&text);
                        None
                    }
                    Err(e) => {
                        let at = self.reader.get_ref().line();
                        let broken = tree.broken(line, &format!("malformed XML on line {at}: {e}"));
                        with_text(broken, true, &mut self.reader)
                    }
                },
                Event::CData(t) => {
                    tree.text(&String::from_utf8_lossy(&t));
                    None
                }
                Event::Eof => {
                    self.ended = true;
                    if tree.stack.is_empty() {
                        None
                    } else {
                        let broken = tree.broken(line, "the input ends inside this record");
                        with_text(broken, true, &mut self.reader)
                    }
                }
                _ => None,
            };
            if item.is_some() {
                return Ok(item);
            }
        }
        if tree.record == 0 && self.root != Some(true) {
            return Err(not_lido(
                tree.name,
                "found no lido:lido element in the LIDO namespace http://www.lido-schema.org",
            ));
        }
        Ok(None)
    }
}

impl Records<'_> {
    /// The text of the last record handed over, from its start tag to its end tag, as the input
    /// has it.
    pub(super) fn raw(&self) -> String {
        String::from_utf8_lossy(self.reader.get_ref().kept()).into_owned()
    }
}

/// A broken record (`inside` a record when the error was found) with its text as far as it was
/// read, from its start tag to where the error was found: where it would have ended is not
/// known. A syntax error between records has no record text to show.
fn with_text(
    item: Option<Item>,
    inside: bool,
    reader: &mut NsReader<LineCounter<'_>>,
) -> Option<Item> {
    let counter = reader.get_mut();
    counter.stop_keeping();
    match item {
        Some(Item::Broken(diagnostic)) if inside => {
            let text = String::from_utf8_lossy(counter.kept());
            Some(Item::Broken(diagnostic.with_raw(text.trim_end())))
        }
        other => other,
    }
}

impl Tree<'_> {
    /// An element opens on `line`; `true` if it is kept (inside a record, or a record itself).
    fn open(&mut self, e: &BytesStart<'_>, lido: bool, line: u64) -> bool {
        if self.stack.is_empty() {
            if !(lido && e.local_name().as_ref() == b"lido") {
                return false;
            }
            self.skipping = false;
            self.start_line = line;
        }
        let lang = self.stack.last().and_then(|p| p.lang.clone());
        self.stack.push(El::open(e, lido, lang));
        true
    }

    /// The innermost open element closes; a record, if that closes it.
    fn close(&mut self) -> Option<Item> {
        let el = self.stack.pop()?;
        match self.stack.last_mut() {
            Some(parent) => {
                parent.children.push(el);
                None
            }
            None => {
                self.record += 1;
                let at = Location::file(self.name)
                    .with_position(self.start_line, 1)
                    .with_record(self.record);
                Some(Item::Record(el, at))
            }
        }
    }

    fn text(&mut self, text: &str) {
        if let Some(el) = self.stack.last_mut() {
            el.text.push_str(text);
        }
    }

    /// A syntax error: the record being read is rejected (once) and the rest of it skipped.
    fn broken(&mut self, line: u64, message: &str) -> Option<Item> {
        if self.stack.is_empty() && self.skipping {
            return None;
        }
        self.record += 1;
        let mut at = Location::file(self.name).with_record(self.record);
        if self.stack.is_empty() {
            at = at.with_position(line, 1);
        } else {
            let field: Vec<&str> = self.stack.iter().skip(1).map(|e| e.name.as_str()).collect();
            at = at.with_position(self.start_line, 1);
            if !field.is_empty() {
                at = at.with_field(field.join("/"));
            }
        }
        self.stack.clear();
        self.skipping = true;
        Some(Item::Broken(Diagnostic::new(
            at,
            crate::text::clip_message(message),
        )))
    }
}

fn not_lido(name: &str, message: &str) -> ConnectorError {
    ConnectorError::Format(Box::new(
        Diagnostic::new(Location::file(name), format!("not LIDO: {message}")).with_hint(
            "LIDO records are lido:lido elements in the namespace http://www.lido-schema.org",
        ),
    ))
}

/// An element of a record: its local name (prefixed with `{namespace}` outside LIDO), its
/// attributes by local name, its language (`xml:lang`, inherited) and its text.
#[derive(Default)]
pub(super) struct El {
    pub(super) name: String,
    attrs: Vec<(String, String)>,
    /// The language (`xml:lang`), the element's own or inherited.
    pub(super) lang: Option<String>,
    /// Whether `lang` is the element's own `xml:lang`, not inherited.
    own_lang: bool,
    pub(super) text: String,
    children: Vec<El>,
}

impl El {
    fn open(e: &BytesStart<'_>, lido: bool, inherited: Option<String>) -> Self {
        let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
        let mut el = El {
            name: if lido { local } else { format!("{{}}{local}") },
            lang: inherited,
            ..El::default()
        };
        for attr in e.attributes().with_checks(false).flatten() {
            let key = attr.key.as_ref();
            let value = match attr.unescape_value() {
                Ok(v) => v.into_owned(),
                Err(_) => String::from_utf8_lossy(&attr.value).into_owned(),
            };
            if key == b"xml:lang" {
                el.lang = clean(&value);
                el.own_lang = true;
            } else {
                let local = String::from_utf8_lossy(attr.key.local_name().as_ref()).into_owned();
                el.attrs.push((local, value));
            }
        }
        el
    }

    /// The element's own `xml:lang`, if it has one.
    pub(super) fn own_lang(&self) -> Option<&str> {
        self.lang.as_deref().filter(|_| self.own_lang)
    }

    pub(super) fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The descendants along `path` of child names.
    pub(super) fn all<'s>(&'s self, path: &[&str]) -> Vec<&'s El> {
        let mut level = vec![self];
        for step in path {
            level = level
                .into_iter()
                .flat_map(|e| e.children.iter().filter(|c| c.name == *step))
                .collect();
        }
        level
    }

    /// The text, cleaned; `None` if empty.
    pub(super) fn value(&self) -> Option<String> {
        clean(&self.text)
    }

    /// The cleaned texts along `path`.
    pub(super) fn values(&self, path: &[&str]) -> Vec<String> {
        self.all(path).into_iter().filter_map(El::value).collect()
    }
}
