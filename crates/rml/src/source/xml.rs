//! XML records: the iterator and the references are XPath 1.0, with the namespaces the logical
//! source declares and those declared on the document's root element.
//! <https://w3id.org/rml/io/spec#xpath>
//!
//! Iterators of the common shapes `/a/b/c` and `//c` (names with or without prefixes) stream
//! when no reference can look outside the record (`..`, absolute paths, other axes): the reader
//! passes over the document once, and each record is parsed on its own, with the namespace
//! declarations in scope at its start, so that one record is in memory at a time. Other
//! iterators read the whole document into a tree first. Both give the same values.

use super::{DataError, Record, Val, Visit};
use crate::error::{MappingError, RunError};
use crate::plan::LogicalSource;
use kulturnetz_model::Location;
use quick_xml::events::{BytesStart, Event};
use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::io::{self, BufRead, Cursor, Read};
use std::ops::Range;
use sxd_xpath::nodeset::Node as XNode;
use sxd_xpath::{Context, Factory, Value, XPath};

pub(super) fn check(expression: &str) -> Result<(), String> {
    compile(&Factory::new(), expression).map(|_| ())
}

fn compile(factory: &Factory, expression: &str) -> Result<XPath, String> {
    match factory.build(expression) {
        Ok(Some(x)) => Ok(x),
        Ok(None) => Err(format!("empty XPath {expression:?}")),
        Err(e) => Err(format!("invalid XPath {expression:?}: {e}")),
    }
}

struct Element<'a, 'd> {
    node: XNode<'d>,
    context: &'a Context<'d>,
    factory: &'a Factory,
    paths: &'a RefCell<HashMap<String, XPath>>,
    file: &'a str,
    number: u64,
    /// The line of the record's start tag, where known.
    line: Option<u64>,
    /// The record's text as read when streaming, and the declarations inherited from its
    /// ancestors that were added to its start tag (a range of the text). A record of a document
    /// read whole is a node of its tree, which keeps no text.
    text: Option<(&'a str, Range<usize>)>,
}

impl Record for Element<'_, '_> {
    fn values_into(&self, reference: &str, out: &mut Vec<Val>) -> Result<(), DataError> {
        let mut paths = self.paths.borrow_mut();
        if !paths.contains_key(reference) {
            let x =
                compile(self.factory, reference).map_err(|e| DataError::new(Some(reference), e))?;
            paths.insert(reference.to_owned(), x);
        }
        let value = paths[reference]
            .evaluate(self.context, self.node)
            .map_err(|e| DataError::new(Some(reference), format!("XPath {reference:?}: {e}")))?;
        match value {
            Value::Nodeset(nodes) => out.extend(
                nodes
                    .document_order()
                    .into_iter()
                    .map(|n| Val::plain(n.string_value())),
            ),
            Value::String(s) => out.push(Val::plain(s)),
            Value::Number(n) => out.push(Val::plain(n.to_string())),
            Value::Boolean(b) => out.push(Val::plain(b.to_string())),
        }
        Ok(())
    }

    fn location(&self) -> Location {
        let mut at = Location::file(self.file).with_record(self.number);
        at.line = self.line;
        at
    }

    fn raw(&self) -> Option<String> {
        let (text, inherited) = self.text.as_ref()?;
        Some(format!(
            "{}{}",
            text.get(..inherited.start)?,
            text.get(inherited.end..)?
        ))
    }
}

/// Visits the records of `source` in document order: streaming where the iterator and
/// `references` allow it, else from the whole document.
pub(super) fn each(
    source: &LogicalSource,
    references: &[String],
    file: &str,
    reader: Box<dyn BufRead>,
    visit: &mut Visit<'_>,
) -> Result<(), RunError> {
    let iterator = source.iterator.as_deref().unwrap_or("/*");
    if source.stream
        && references.iter().all(|r| stays_inside(r))
        && let Some(path) = SimplePath::parse(iterator)
    {
        return stream(source, file, &path, reader, visit);
    }
    whole(source, file, reader, visit)
}

/// Reads the whole document into a tree, then evaluates the iterator on it.
fn whole(
    source: &LogicalSource,
    file: &str,
    mut reader: Box<dyn BufRead>,
    visit: &mut Visit<'_>,
) -> Result<(), RunError> {
    let mut text = String::new();
    reader.read_to_string(&mut text).map_err(|e| RunError::Io {
        file: source.display.clone(),
        source: e,
    })?;
    let package = sxd_document::parser::parse(&text).map_err(|e| {
        RunError::Mapping(MappingError::new(
            file,
            format!("{}: not XML: {e}", source.display),
        ))
    })?;
    let document = package.as_document();
    let mut context = Context::new();
    for child in document.root().children() {
        if let sxd_document::dom::ChildOfRoot::Element(e) = child {
            for ns in e.namespaces_in_scope() {
                context.set_namespace(ns.prefix(), ns.uri());
            }
        }
    }
    for (prefix, url) in &source.namespaces {
        context.set_namespace(prefix, url);
    }
    let factory = Factory::new();
    let iterator = source.iterator.as_deref().unwrap_or("/*");
    let path =
        compile(&factory, iterator).map_err(|e| RunError::Mapping(MappingError::new(file, e)))?;
    let nodes = match path.evaluate(&context, document.root()) {
        Ok(Value::Nodeset(nodes)) => nodes.document_order(),
        Ok(_) => {
            return Err(RunError::Mapping(MappingError::new(
                file,
                format!("the iterator {iterator:?} does not select nodes"),
            )));
        }
        Err(e) => {
            return Err(RunError::Mapping(MappingError::new(
                file,
                format!("the iterator {iterator:?}: {e}"),
            )));
        }
    };
    let paths = RefCell::new(HashMap::new());
    for (i, node) in nodes.into_iter().enumerate() {
        visit(&Element {
            node,
            context: &context,
            factory: &factory,
            paths: &paths,
            file: &source.display,
            number: i as u64 + 1,
            line: None,
            text: None,
        })?;
    }
    Ok(())
}

/// An iterator that the reader can follow as it goes: `/a/b/c` (each step an element name,
/// with or without a prefix, or `*`), or `//c` (every element of that name, at any depth).
#[derive(Debug, PartialEq, Eq)]
struct SimplePath {
    /// Steps as (prefix, local name); the local name `*` matches any element.
    steps: Vec<(Option<String>, String)>,
    anywhere: bool,
}

impl SimplePath {
    fn parse(iterator: &str) -> Option<Self> {
        let (anywhere, rest) = match iterator.strip_prefix("//") {
            Some(rest) => (true, rest),
            None => (false, iterator.strip_prefix('/')?),
        };
        let mut steps = Vec::new();
        for step in rest.split('/') {
            let (prefix, local) = match step.split_once(':') {
                Some((p, l)) => (Some(p), l),
                None => (None, step),
            };
            if prefix.is_some_and(|p| !is_ncname(p)) || !(is_ncname(local) || local == "*") {
                return None;
            }
            steps.push((prefix.map(str::to_owned), local.to_owned()));
        }
        if anywhere && (steps.len() != 1 || steps[0].1 == "*") {
            return None;
        }
        Some(Self { steps, anywhere })
    }
}

/// An XML name without a colon, as far as an iterator needs one.
fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

/// Whether the XPath `reference`, evaluated on a record's element, can only reach that element
/// and what is inside it. Conservative: `false` when unsure.
fn stays_inside(reference: &str) -> bool {
    // String literals cannot leave the record; blank them out.
    let mut text = String::with_capacity(reference.len());
    let mut quote = None;
    for c in reference.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                text.push('x');
            }
            Some(_) => text.push('x'),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                text.push('x');
            }
            None => text.push(c),
        }
    }
    if quote.is_some() || text.contains("..") || text.contains('$') {
        return false;
    }
    let bytes = text.as_bytes();
    let word_before = |end: usize| {
        let start = text[..end]
            .rfind(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')))
            .map_or(0, |i| i + 1);
        &text[start..end]
    };
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' => {
                // A step after a step: the character before is part of a name, a predicate,
                // a parenthesised expression, `.` or a name test `*`. Anything else (start,
                // `(`, `,`, `|`, an operator, space) begins an absolute path.
                let ok = match i.checked_sub(1).map(|j| bytes[j]) {
                    Some(b')' | b']' | b'.') => true,
                    Some(b'*') => i < 2 || matches!(bytes[i - 2], b'/' | b'@' | b':' | b'('),
                    Some(c) if c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80 => {
                        !matches!(word_before(i), "and" | "or" | "div" | "mod")
                    }
                    _ => false,
                };
                if !ok {
                    return false;
                }
                i += if bytes.get(i + 1) == Some(&b'/') {
                    2
                } else {
                    1
                };
            }
            b':' if bytes.get(i + 1) == Some(&b':') => {
                let axis = word_before(i).trim_end_matches(':');
                if !matches!(
                    axis,
                    "child" | "attribute" | "self" | "descendant" | "descendant-or-self"
                ) {
                    return false;
                }
                i += 2;
            }
            b'(' => {
                let name = word_before(text[..i].trim_end().len());
                if matches!(name, "id" | "lang" | "root" | "document") {
                    return false;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    true
}

/// Why streaming stopped.
enum Stop {
    /// Nothing was visited yet, and the whole-document reading should take over (it reports
    /// the errors it finds as it always has).
    Fallback,
    Run(RunError),
}

/// How many bytes before the first record are kept for the whole-document reading to start
/// over with; past them, errors are reported as they are after the first record.
const REWIND_LIMIT: usize = 16 << 20;

/// The bytes a reader consumes, counted by line, and kept until the first record is visited
/// (or `REWIND_LIMIT`) so that the whole-document reading can start over.
struct Tee {
    inner: Box<dyn BufRead>,
    buffer: Box<[u8]>,
    start: usize,
    end: usize,
    kept: Option<Vec<u8>>,
    newlines: u64,
}

impl Tee {
    fn new(inner: Box<dyn BufRead>) -> Self {
        Self {
            inner,
            buffer: vec![0; 64 * 1024].into_boxed_slice(),
            start: 0,
            end: 0,
            kept: Some(Vec::new()),
            newlines: 0,
        }
    }

    /// Everything the reader has been given, and what follows.
    fn rewind(self) -> Box<dyn BufRead> {
        let mut head = self.kept.unwrap_or_default();
        head.extend_from_slice(&self.buffer[self.start..self.end]);
        Box::new(Cursor::new(head).chain(self.inner))
    }
}

impl Read for Tee {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Tee {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.start == self.end {
            self.end = self.inner.read(&mut self.buffer)?;
            self.start = 0;
        }
        Ok(&self.buffer[self.start..self.end])
    }

    fn consume(&mut self, n: usize) {
        let taken = &self.buffer[self.start..self.start + n];
        self.newlines += taken.iter().filter(|&&b| b == b'\n').count() as u64;
        if let Some(kept) = &mut self.kept {
            if kept.len() + n > REWIND_LIMIT {
                self.kept = None;
            } else {
                kept.extend_from_slice(taken);
            }
        }
        self.start += n;
    }
}

/// A namespace declaration in scope: prefix (empty for the default namespace), the attribute
/// value as written, and the namespace name.
struct Declaration {
    prefix: Vec<u8>,
    raw: Vec<u8>,
    uri: String,
    depth: usize,
}

/// A record being read: its text, from its start tag, and where in it the declarations it
/// inherits were added.
struct Capture {
    text: Vec<u8>,
    inherited: Range<usize>,
    depth: usize,
    line: u64,
    done: bool,
}

const XML_NAMESPACE: &str = "http://www.w3.org/XML/1998/namespace";

/// Reads the document once; each element that `path` selects is parsed on its own and visited.
fn stream(
    source: &LogicalSource,
    file: &str,
    path: &SimplePath,
    reader: Box<dyn BufRead>,
    visit: &mut Visit<'_>,
) -> Result<(), RunError> {
    let mut xml = quick_xml::Reader::from_reader(Tee::new(reader));
    let mut streamer = Streamer {
        source,
        file,
        path,
        steps: Vec::new(),
        context: Context::new(),
        factory: Factory::new(),
        paths: RefCell::new(HashMap::new()),
        scope: Vec::new(),
        on_path: Vec::new(),
        captures: VecDeque::new(),
        number: 0,
        root_seen: false,
        rewindable: true,
    };
    match streamer.run(&mut xml, visit) {
        Ok(()) => Ok(()),
        Err(Stop::Run(e)) => Err(e),
        Err(Stop::Fallback) => {
            let tee = xml.into_inner();
            if tee.kept.is_none() {
                // Only a prolog longer than `REWIND_LIMIT` gets here.
                return Err(RunError::Mapping(MappingError::new(
                    file,
                    format!("{}: the XML prolog is too long", source.display),
                )));
            }
            whole(source, file, tee.rewind(), visit)
        }
    }
}

struct Streamer<'a> {
    source: &'a LogicalSource,
    file: &'a str,
    path: &'a SimplePath,
    /// The steps of `path` with their namespace names (`None`: no namespace).
    steps: Vec<(Option<String>, String)>,
    context: Context<'static>,
    factory: Factory,
    paths: RefCell<HashMap<String, XPath>>,
    scope: Vec<Declaration>,
    /// For each open element, whether it and its ancestors match the leading steps.
    on_path: Vec<bool>,
    captures: VecDeque<Capture>,
    /// Records visited.
    number: u64,
    root_seen: bool,
    /// Whether the whole-document reading can still take over.
    rewindable: bool,
}

impl Streamer<'_> {
    fn run(&mut self, xml: &mut quick_xml::Reader<Tee>, visit: &mut Visit<'_>) -> Result<(), Stop> {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let line = xml.get_ref().newlines + 1;
            let event = xml.read_event_into(&mut buf);
            self.rewindable = xml.get_ref().kept.is_some();
            let event = match event {
                Ok(event) => event,
                Err(quick_xml::Error::Io(e)) => {
                    return Err(Stop::Run(RunError::Io {
                        file: self.source.display.clone(),
                        source: io::Error::new(e.kind(), e.to_string()),
                    }));
                }
                Err(e) => return Err(self.fail(xml.get_ref().newlines + 1, &e)),
            };
            let depth = self.on_path.len();
            match event {
                Event::Start(e) => {
                    self.append(|t| {
                        t.push(b'<');
                        t.extend_from_slice(&e);
                        t.push(b'>');
                    });
                    self.open(&e, line, b">")?;
                }
                Event::Empty(e) => {
                    self.append(|t| {
                        t.push(b'<');
                        t.extend_from_slice(&e);
                        t.extend_from_slice(b"/>");
                    });
                    self.open(&e, line, b"/>")?;
                    self.close(visit)?;
                }
                Event::End(e) => {
                    self.append(|t| {
                        t.extend_from_slice(b"</");
                        t.extend_from_slice(&e);
                        t.push(b'>');
                    });
                    self.close(visit)?;
                }
                Event::Text(e) => {
                    if depth == 0 {
                        if !e.iter().all(u8::is_ascii_whitespace) {
                            return Err(self.fail(line, "text outside the root element"));
                        }
                    } else {
                        self.append(|t| t.extend_from_slice(&e));
                    }
                }
                Event::CData(e) => {
                    if depth == 0 {
                        return Err(self.fail(line, "CDATA outside the root element"));
                    }
                    self.append(|t| {
                        t.extend_from_slice(b"<![CDATA[");
                        t.extend_from_slice(&e);
                        t.extend_from_slice(b"]]>");
                    });
                }
                Event::Comment(e) => self.append(|t| {
                    t.extend_from_slice(b"<!--");
                    t.extend_from_slice(&e);
                    t.extend_from_slice(b"-->");
                }),
                Event::PI(e) => self.append(|t| {
                    t.extend_from_slice(b"<?");
                    t.extend_from_slice(&e);
                    t.extend_from_slice(b"?>");
                }),
                Event::Decl(_) if depth == 0 && !self.root_seen => {}
                Event::Decl(_) => return Err(self.fail(line, "an XML declaration inside")),
                // A document type may declare entities; the tree reading knows what to do.
                Event::DocType(_) => return Err(self.fail(line, "a document type declaration")),
                Event::Eof => {
                    if depth > 0 {
                        return Err(self.fail(line, "the document ends inside an element"));
                    }
                    if !self.root_seen {
                        return Err(Stop::Fallback);
                    }
                    return Ok(());
                }
            }
            // Once a record is visited, there is no going back.
            if self.number > 0 && xml.get_ref().kept.is_some() {
                xml.get_mut().kept = None;
            }
        }
    }

    /// A syntax error at `line`: before any record, the tree reading reports it as it always
    /// has; later, the records before it are mapped and the error says where.
    fn fail(&self, line: u64, message: impl std::fmt::Display) -> Stop {
        if self.number == 0 && self.rewindable {
            return Stop::Fallback;
        }
        Stop::Run(RunError::Mapping(MappingError::new(
            self.file,
            format!("{}:{line}: not XML: {message}", self.source.display),
        )))
    }

    /// An element starts: its namespace declarations come into scope, and a record starts if
    /// the path selects it. `close` ends its start tag: `>` or `/>`.
    fn open(&mut self, e: &BytesStart<'_>, line: u64, close: &[u8]) -> Result<(), Stop> {
        let depth = self.on_path.len() + 1;
        if depth == 1 {
            if self.root_seen {
                return Err(self.fail(line, "a second root element"));
            }
            self.root_seen = true;
        }
        let mut own = Vec::new();
        if e.windows(5).any(|w| w == b"xmlns") {
            for attribute in e.attributes() {
                let attribute = attribute.map_err(|err| self.fail(line, &err))?;
                let key = attribute.key.as_ref();
                let prefix = match key.strip_prefix(b"xmlns") {
                    Some([]) => &[][..],
                    Some([b':', prefix @ ..]) => prefix,
                    _ => continue,
                };
                let uri = attribute
                    .unescape_value()
                    .map_err(|err| self.fail(line, &err))?;
                own.push(prefix.to_vec());
                self.scope.push(Declaration {
                    prefix: prefix.to_vec(),
                    raw: attribute.value.to_vec(),
                    uri: uri.into_owned(),
                    depth,
                });
            }
        }
        if depth == 1 {
            self.start_document(e, line)?;
        }
        let name = e.name();
        let (prefix, local) = match name.as_ref().iter().position(|&b| b == b':') {
            Some(i) => (&name.as_ref()[..i], &name.as_ref()[i + 1..]),
            None => (&[][..], name.as_ref()),
        };
        let namespace = if prefix == b"xml" {
            Some(XML_NAMESPACE)
        } else {
            match self.scope.iter().rev().find(|d| d.prefix == prefix) {
                Some(d) if d.uri.is_empty() && prefix.is_empty() => None,
                Some(d) => Some(d.uri.as_str()),
                None if prefix.is_empty() => None,
                None => return Err(self.fail(line, "an undeclared namespace prefix")),
            }
        };
        // `*` is any element; `p:*` any element of a namespace; `a` and `p:a` one name.
        let matches = |(uri, name): &(Option<String>, String)| match (uri, name.as_str()) {
            (None, "*") => true,
            (uri, "*") => uri.as_deref() == namespace,
            (uri, name) => name.as_bytes() == local && uri.as_deref() == namespace,
        };
        let selected = if self.path.anywhere {
            self.on_path.push(false);
            matches(&self.steps[0])
        } else {
            let on_path = self.on_path.last().copied().unwrap_or(true)
                && self.steps.get(depth - 1).is_some_and(matches);
            self.on_path.push(on_path);
            on_path && depth == self.steps.len()
        };
        if selected {
            // The record's own start tag, with the declarations it inherits.
            let mut text = Vec::with_capacity(256);
            text.push(b'<');
            text.extend_from_slice(e);
            let from = text.len();
            let mut seen: Vec<&[u8]> = own.iter().map(Vec::as_slice).collect();
            for d in self.scope.iter().rev().filter(|d| d.depth < depth) {
                if seen.contains(&d.prefix.as_slice()) {
                    continue;
                }
                seen.push(&d.prefix);
                text.extend_from_slice(b" xmlns");
                if !d.prefix.is_empty() {
                    text.push(b':');
                    text.extend_from_slice(&d.prefix);
                }
                let quote = if d.raw.contains(&b'"') { b'\'' } else { b'"' };
                text.push(b'=');
                text.push(quote);
                text.extend_from_slice(&d.raw);
                text.push(quote);
            }
            let inherited = from..text.len();
            text.extend_from_slice(close);
            self.captures.push_back(Capture {
                text,
                inherited,
                depth,
                line,
                done: false,
            });
        }
        Ok(())
    }

    /// The root element starts: the namespaces it declares are those of the references, and
    /// they give the steps of the path their namespace names.
    fn start_document(&mut self, e: &BytesStart<'_>, line: u64) -> Result<(), Stop> {
        let mut tag = b"<".to_vec();
        tag.extend_from_slice(e);
        tag.extend_from_slice(b"/>");
        let tag = String::from_utf8(tag).map_err(|err| self.fail(line, &err))?;
        let package = sxd_document::parser::parse(&tag).map_err(|err| self.fail(line, &err))?;
        let document = package.as_document();
        let mut namespaces = HashMap::new();
        for child in document.root().children() {
            if let sxd_document::dom::ChildOfRoot::Element(e) = child {
                for ns in e.namespaces_in_scope() {
                    namespaces.insert(ns.prefix().to_owned(), ns.uri().to_owned());
                }
            }
        }
        for (prefix, url) in &self.source.namespaces {
            namespaces.insert(prefix.clone(), url.clone());
        }
        for (prefix, url) in &namespaces {
            self.context.set_namespace(prefix, url);
        }
        for (prefix, local) in &self.path.steps {
            let uri = match prefix {
                None => None,
                // An unknown prefix: the tree reading says so.
                Some(p) => Some(namespaces.get(p).ok_or(Stop::Fallback)?.clone()),
            };
            self.steps.push((uri, local.clone()));
        }
        Ok(())
    }

    /// Appends markup to the records being read.
    fn append(&mut self, write: impl Fn(&mut Vec<u8>)) {
        for c in self.captures.iter_mut().filter(|c| !c.done) {
            write(&mut c.text);
        }
    }

    /// An element ends: records that end with it are visited, in the order they started.
    fn close(&mut self, visit: &mut Visit<'_>) -> Result<(), Stop> {
        let depth = self.on_path.len();
        self.on_path.pop();
        while self.scope.last().is_some_and(|d| d.depth == depth) {
            self.scope.pop();
        }
        for c in &mut self.captures {
            if c.depth == depth {
                c.done = true;
            }
        }
        while self.captures.front().is_some_and(|c| c.done) {
            let capture = self.captures.pop_front().expect("checked");
            self.visit(capture, visit)?;
        }
        Ok(())
    }

    fn visit(&mut self, capture: Capture, visit: &mut Visit<'_>) -> Result<(), Stop> {
        let line = capture.line;
        let inherited = capture.inherited;
        let text = String::from_utf8(capture.text).map_err(|err| self.fail(line, &err))?;
        let package = sxd_document::parser::parse(&text).map_err(|err| self.fail(line, &err))?;
        let document = package.as_document();
        let Some(node) = document
            .root()
            .children()
            .into_iter()
            .find_map(|c| match c {
                sxd_document::dom::ChildOfRoot::Element(e) => Some(e),
                _ => None,
            })
        else {
            return Err(self.fail(line, "no element"));
        };
        self.number += 1;
        visit(&Element {
            node: node.into(),
            context: &self.context,
            factory: &self.factory,
            paths: &self.paths,
            file: &self.source.display,
            number: self.number,
            line: Some(line),
            text: Some((&text, inherited)),
        })
        .map_err(Stop::Run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_paths() {
        let path = SimplePath::parse("/lido:lidoWrap/lido:lido").unwrap();
        assert!(!path.anywhere);
        assert_eq!(
            path.steps,
            [
                (Some("lido".to_owned()), "lidoWrap".to_owned()),
                (Some("lido".to_owned()), "lido".to_owned())
            ]
        );
        assert!(SimplePath::parse("/a/*/c").is_some());
        assert!(SimplePath::parse("//record").unwrap().anywhere);
        for other in [
            "",
            "/",
            "a/b",
            "/a/",
            "/a//b",
            "//a/b",
            "//*",
            "/a[1]",
            "/a/@b",
            "/a/text()",
            "/a/b | /c",
            "/child::a",
            "//x[@y]",
        ] {
            assert_eq!(SimplePath::parse(other), None, "{other}");
        }
    }

    #[test]
    fn references_inside_the_record() {
        for inside in [
            "name",
            "lido:title/@xml:lang",
            "@id",
            ".",
            "text()",
            "./a/b",
            ".//a",
            "a//b[@c = 'x']",
            "concat(a, '/', b, \"//\")",
            "count(a/b) * 2",
            "normalize-space(child::a)",
            "descendant::a/self::a",
            "(a | b)/c",
            "a[1]/b",
            "string(.)",
        ] {
            assert!(stays_inside(inside), "{inside}");
        }
        for outside in [
            "/a",
            "//a",
            "../a",
            "a/../b",
            "concat(a, /b)",
            "a | /b",
            "count(//a)",
            "a[/b]",
            "ancestor::a",
            "following-sibling :: a",
            "preceding::a",
            "parent::a",
            "namespace::*",
            "id('x')",
            "lang ('de')",
            "1 div /a",
            "a and /b",
            "2 * /a",
            "a - /b",
            "a /b",
            "$v",
            "concat('unclosed",
        ] {
            assert!(!stays_inside(outside), "{outside}");
        }
    }
}
