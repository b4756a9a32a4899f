//! Content lines of iCalendar: unfolding, parameters and text escapes
//! (<https://www.rfc-editor.org/rfc/rfc5545#section-3.1>).

use std::borrow::Cow;
use std::io::{self, BufRead};

/// Property names that are common enough to be kept without an allocation of their own.
const KNOWN: &[&str] = &[
    "BEGIN",
    "END",
    "UID",
    "DTSTAMP",
    "DTSTART",
    "DTEND",
    "DURATION",
    "SUMMARY",
    "DESCRIPTION",
    "LOCATION",
    "GEO",
    "CATEGORIES",
    "URL",
    "STATUS",
    "RRULE",
    "RDATE",
    "EXDATE",
    "RECURRENCE-ID",
    "ORGANIZER",
    "ATTACH",
    "IMAGE",
    "SEQUENCE",
    "CREATED",
    "LAST-MODIFIED",
    "CLASS",
    "TRANSP",
    "PRIORITY",
    "CONTACT",
    "TZID",
    "TZOFFSETFROM",
    "TZOFFSETTO",
    "TZNAME",
    "X-LIC-LOCATION",
];

/// Reads logical (unfolded) lines from a stream, one physical line ahead.
///
/// Folding may split a UTF-8 sequence, so lines are joined as bytes and decoded afterwards.
/// The buffers are reused from line to line.
pub(super) struct Unfolder<'a> {
    reader: &'a mut (dyn BufRead + Send),
    /// The logical line last returned, as bytes.
    line: Vec<u8>,
    /// The next physical line (with its line break), already read to see whether it continues
    /// the current one.
    next: Vec<u8>,
    /// The length of `next` without its line break.
    next_len: usize,
    /// Whether `next` holds a line.
    pending: bool,
    /// Physical lines read so far.
    read: u64,
    /// The text of a line that is no valid UTF-8, with replacement characters.
    lossy: String,
}

/// One unfolded line and the number of the physical line it starts on.
pub(super) struct Line<'a> {
    pub(super) number: u64,
    pub(super) text: &'a str,
}

/// Reads one physical line into `buf`, with its line break; its length without the line break,
/// `None` at the end.
fn physical(
    reader: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    read: &mut u64,
) -> io::Result<Option<usize>> {
    buf.clear();
    if reader.read_until(b'\n', buf)? == 0 {
        return Ok(None);
    }
    *read += 1;
    if *read == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
        buf.drain(..3);
    }
    let mut len = buf.len();
    while len > 0 && matches!(buf[len - 1], b'\n' | b'\r') {
        len -= 1;
    }
    Ok(Some(len))
}

impl<'a> Unfolder<'a> {
    pub(super) fn new(reader: &'a mut (dyn BufRead + Send)) -> Self {
        Self {
            reader,
            line: Vec::new(),
            next: Vec::new(),
            next_len: 0,
            pending: false,
            read: 0,
            lossy: String::new(),
        }
    }

    /// The next logical line, `None` at the end of the input. Its physical lines, as the input
    /// has them (folded, with their line breaks), are appended to `raw`.
    pub(super) fn next_line(&mut self, raw: &mut Vec<u8>) -> io::Result<Option<Line<'_>>> {
        if !self.pending {
            match physical(self.reader, &mut self.next, &mut self.read)? {
                Some(len) => self.next_len = len,
                None => return Ok(None),
            }
        }
        std::mem::swap(&mut self.line, &mut self.next);
        self.pending = false;
        let number = self.read;
        raw.extend_from_slice(&self.line);
        self.line.truncate(self.next_len);
        while let Some(len) = physical(self.reader, &mut self.next, &mut self.read)? {
            if matches!(self.next.first(), Some(b' ' | b'\t')) {
                raw.extend_from_slice(&self.next);
                self.line.extend_from_slice(&self.next[1..len]);
            } else {
                self.next_len = len;
                self.pending = true;
                break;
            }
        }
        let text = match std::str::from_utf8(&self.line) {
            Ok(text) => text,
            Err(_) => {
                self.lossy = String::from_utf8_lossy(&self.line).into_owned();
                &self.lossy
            }
        };
        Ok(Some(Line { number, text }))
    }
}

/// One property: `NAME;PARAM=value,value:value`.
#[derive(Debug, Clone)]
pub(super) struct Property {
    /// Upper case.
    pub(super) name: Cow<'static, str>,
    /// Parameter names upper case, values as written (quotes removed).
    pub(super) params: Vec<(String, Vec<String>)>,
    /// The raw value, still escaped.
    pub(super) value: String,
    /// The line it starts on.
    pub(super) line: u64,
}

impl Property {
    /// The first value of the parameter `name`.
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, v)| v.first())
            .map(String::as_str)
    }

    /// A property name in upper case, shared if it is a common one.
    pub(super) fn name(name: &str) -> Cow<'static, str> {
        match KNOWN.iter().find(|k| k.eq_ignore_ascii_case(name)) {
            Some(known) => Cow::Borrowed(*known),
            None => Cow::Owned(name.to_ascii_uppercase()),
        }
    }

    /// Parses a content line; `None` if it has no name or no `:`.
    pub(super) fn parse(text: &str, line: u64) -> Option<Self> {
        let end = text.find([';', ':'])?;
        let name = &text[..end];
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return None;
        }
        let mut params = Vec::new();
        let mut rest = &text[end..];
        // `rest` starts with the separator just seen.
        while let Some(after) = rest.strip_prefix(';') {
            let stop = after.find(['=', ';', ':'])?;
            let pname = after[..stop].trim().to_ascii_uppercase();
            let mut values = Vec::new();
            rest = &after[stop..];
            if let Some(mut v) = rest.strip_prefix('=') {
                loop {
                    if let Some(quoted) = v.strip_prefix('"') {
                        let close = quoted.find('"')?;
                        values.push(caret_unescape(&quoted[..close]));
                        v = &quoted[close + 1..];
                    } else {
                        let stop = v.find([',', ';', ':'])?;
                        values.push(caret_unescape(&v[..stop]));
                        v = &v[stop..];
                    }
                    match v.strip_prefix(',') {
                        Some(more) => v = more,
                        None => break,
                    }
                }
                rest = v;
            }
            params.push((pname, values));
        }
        let value = rest.strip_prefix(':')?;
        Some(Self {
            name: Self::name(name),
            params,
            value: value.to_owned(),
            line,
        })
    }
}

/// Parameter values escape `^n`, `^^` and `^'` (RFC 6868).
fn caret_unescape(s: &str) -> String {
    if !s.contains('^') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '^' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('^') => out.push('^'),
            Some('\'') => out.push('"'),
            Some(other) => {
                out.push('^');
                out.push(other);
            }
            None => out.push('^'),
        }
    }
    out
}

/// Undoes the escapes of a TEXT value: `\,` `\;` `\n` `\N` `\\`. Other backslashes stay.
pub(super) fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        match after.chars().next() {
            Some('n' | 'N') => {
                out.push('\n');
                rest = &after[1..];
            }
            Some(c @ (',' | ';' | '\\' | ':' | '"')) => {
                out.push(c);
                rest = &after[1..];
            }
            Some(other) => {
                out.push('\\');
                out.push(other);
                rest = &after[other.len_utf8()..];
            }
            None => {
                out.push('\\');
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Splits a raw value at each `sep` that is not escaped, then unescapes each part.
pub(super) fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(unescape(&s[start..i]));
            start = i + c.len_utf8();
        }
    }
    parts.push(unescape(&s[start..]));
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(data: &[u8]) -> Vec<(u64, String)> {
        let mut reader = data;
        let mut u = Unfolder::new(&mut reader);
        let mut out = Vec::new();
        while let Some(l) = u.next_line(&mut Vec::new()).unwrap() {
            out.push((l.number, l.text.to_owned()));
        }
        out
    }

    #[test]
    fn unfolds_crlf_and_lf_and_tabs() {
        assert_eq!(
            lines(b"A:one\r\n  two\r\nB:x\n\tyz\nC:\r\n"),
            vec![
                (1, "A:one two".to_owned()),
                (3, "B:xyz".to_owned()),
                (5, "C:".to_owned())
            ]
        );
    }

    #[test]
    fn keeps_the_physical_lines_of_each_logical_line() {
        let data = b"A:one\r\n  two\r\nB:x\n\tyz\nC:";
        let mut reader = &data[..];
        let mut u = Unfolder::new(&mut reader);
        let mut raws = Vec::new();
        let mut raw = Vec::new();
        while u.next_line(&mut raw).unwrap().is_some() {
            raws.push(String::from_utf8(std::mem::take(&mut raw)).unwrap());
        }
        assert_eq!(raws, ["A:one\r\n  two\r\n", "B:x\n\tyz\n", "C:"]);
    }

    #[test]
    fn unfolds_inside_a_utf8_sequence() {
        // "ö" is C3 B6, folded between its two bytes.
        assert_eq!(
            lines(b"S:K\xC3\r\n \xB6ln\r\n"),
            vec![(1, "S:Köln".to_owned())]
        );
    }

    #[test]
    fn strips_a_byte_order_mark() {
        assert_eq!(
            lines(b"\xEF\xBB\xBFBEGIN:VCALENDAR\n")[0].1,
            "BEGIN:VCALENDAR"
        );
    }

    #[test]
    fn parses_quoted_parameters() {
        let p = Property::parse(
            r#"ORGANIZER;CN="Müller; Anna: Kulturamt";X-A=a,"b,c":mailto:a@example.org"#,
            1,
        )
        .unwrap();
        assert_eq!(p.name, "ORGANIZER");
        assert_eq!(p.param("CN"), Some("Müller; Anna: Kulturamt"));
        assert_eq!(p.params[1].1, vec!["a".to_owned(), "b,c".to_owned()]);
        assert_eq!(p.value, "mailto:a@example.org");
        let p = Property::parse("dtstart;tzid=Europe/Berlin:20190101T100000", 1).unwrap();
        assert_eq!(
            (&*p.name, p.param("TZID")),
            ("DTSTART", Some("Europe/Berlin"))
        );
        assert!(Property::parse("no colon here", 1).is_none());
        assert!(Property::parse(":value", 1).is_none());
        assert!(Property::parse("A;B=\"open:x", 1).is_none());
    }

    #[test]
    fn unescapes_text() {
        assert_eq!(unescape(r"a\, b\; c\nd\\e\Nf \x"), "a, b; c\nd\\e\nf \\x");
        assert_eq!(
            split_unescaped(r"Kunst\, Kultur,Musik,", ','),
            vec!["Kunst, Kultur", "Musik", ""]
        );
        assert_eq!(split_unescaped(r"a\\,b", ','), vec!["a\\", "b"]);
    }
}
