//! A small element tree over quick-xml for the XML formats (CDL, CLF): local names
//! (prefixes dropped), attributes, text, children, and each element's line and column.

use super::error::{FormatError, Location};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// Deepest nesting accepted (the formats need fewer than 10 levels).
const MAX_DEPTH: usize = 64;

/// One XML element.
#[derive(Clone, Debug, Default)]
pub struct Element {
    /// Local name, without any namespace prefix.
    pub name: String,
    /// Attributes by local name (namespace declarations kept as `xmlns` / `xmlns:p`).
    pub attrs: Vec<(String, String)>,
    /// All text directly inside the element, entities resolved.
    pub text: String,
    pub children: Vec<Element>,
    pub line: usize,
    pub col: usize,
    /// Element path from the root, e.g. `/ProcessList/LUT3D[2]/Array`.
    pub path: String,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Children whose local name matches one of `names` (case-insensitively).
    pub fn children_named<'a>(
        &'a self,
        names: &'a [&'a str],
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children
            .iter()
            .filter(move |c| names.iter().any(|n| c.name.eq_ignore_ascii_case(n)))
    }

    pub fn child(&self, names: &[&str]) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| names.iter().any(|n| c.name.eq_ignore_ascii_case(n)))
    }

    pub fn at(&self, file: &str) -> Location {
        Location::new(file, self.line, self.col).with_path(self.path.clone())
    }

    /// The element's text with surrounding whitespace trimmed.
    pub fn trimmed(&self) -> &str {
        self.text.trim()
    }
}

/// Tracks line and column of byte offsets, moving forward only.
struct Positions<'a> {
    src: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
}

impl Positions<'_> {
    fn at(&mut self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        if offset >= self.pos {
            for (i, &b) in self.src[self.pos..offset].iter().enumerate() {
                if b == b'\n' {
                    self.line += 1;
                    self.line_start = self.pos + i + 1;
                }
            }
            self.pos = offset;
        }
        (self.line, offset.saturating_sub(self.line_start) + 1)
    }
}

/// Parses a whole document into its root element.
pub fn parse(src: &[u8], file: &str) -> Result<Element, FormatError> {
    let text = std::str::from_utf8(src).map_err(|e| {
        let (line, col) = Positions {
            src,
            pos: 0,
            line: 1,
            line_start: 0,
        }
        .at(e.valid_up_to());
        FormatError::format(
            Location::new(file, line, col),
            "text is not UTF-8",
            "a UTF-8 XML document",
        )
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut pos = Positions {
        src: text.as_bytes(),
        pos: 0,
        line: 1,
        line_start: 0,
    };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            let (line, col) = pos.at(reader.error_position() as usize);
            let at = Location::new(file, line, col).with_path(path_of(&stack));
            FormatError::format(at, format!("malformed XML ({e})"), "well-formed XML")
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if root.is_some() && stack.is_empty() => {
                let (line, col) = pos.at(start);
                return Err(second_root(file, line, col, &e));
            }
            Event::Start(e) => {
                let el = open(&e, &stack, pos.at(start), file)?;
                if stack.len() >= MAX_DEPTH {
                    return Err(FormatError::limits(
                        el.at(file),
                        "elements nested too deep",
                        format!("at most {MAX_DEPTH} levels"),
                    ));
                }
                stack.push(el);
            }
            Event::Empty(e) => {
                let el = open(&e, &stack, pos.at(start), file)?;
                close(el, &mut stack, &mut root);
            }
            Event::End(_) => {
                if let Some(el) = stack.pop() {
                    close(el, &mut stack, &mut root);
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.xml10_content().unwrap_or_default()),
            Event::CData(t) => push_text(&mut stack, &t.decode().unwrap_or_default()),
            Event::GeneralRef(r) => {
                let name = r.decode().unwrap_or_default();
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => quick_xml::escape::resolve_predefined_entity(&name).map(str::to_owned),
                };
                let Some(resolved) = resolved else {
                    let (line, col) = pos.at(start);
                    let at = Location::new(file, line, col).with_path(path_of(&stack));
                    return Err(FormatError::format(
                        at,
                        format!("unknown entity &{name};"),
                        "&lt; &gt; &amp; &apos; &quot; or a character reference",
                    ));
                };
                push_text(&mut stack, &resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let end = pos.at(text.len());
    if let Some(open) = stack.last() {
        let at = Location::new(file, end.0, end.1).with_path(open.path.clone());
        return Err(FormatError::format(
            at,
            format!("file ends inside <{}>", open.name),
            format!("</{}>", open.name),
        ));
    }
    root.ok_or_else(|| {
        FormatError::format(
            Location::new(file, end.0, end.1),
            "no root element",
            "an XML document",
        )
    })
}

fn second_root(file: &str, line: usize, col: usize, e: &BytesStart<'_>) -> FormatError {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    FormatError::format(
        Location::new(file, line, col),
        format!("second root element <{name}>"),
        "one root element",
    )
}

fn path_of(stack: &[Element]) -> String {
    stack
        .last()
        .map_or_else(|| "/".to_owned(), |e| e.path.clone())
}

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(el) = stack.last_mut() {
        el.text.push_str(text);
    }
}

fn close(el: Element, stack: &mut [Element], root: &mut Option<Element>) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None => *root = Some(el),
    }
}

fn open(
    e: &BytesStart<'_>,
    stack: &[Element],
    (line, col): (usize, usize),
    file: &str,
) -> Result<Element, FormatError> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let path = match stack.last() {
        Some(parent) => {
            let same = parent.children.iter().filter(|c| c.name == name).count();
            if same == 0 {
                format!("{}/{name}", parent.path)
            } else {
                format!("{}/{name}[{}]", parent.path, same + 1)
            }
        }
        None => format!("/{name}"),
    };
    let mut el = Element {
        name,
        line,
        col,
        path,
        ..Element::default()
    };
    for attr in e.attributes() {
        let attr = attr.map_err(|err| {
            FormatError::format(
                el.at(file),
                format!("malformed attribute ({err})"),
                "name=\"value\"",
            )
        })?;
        let key = attr.key;
        let key = if key.as_namespace_binding().is_some() {
            String::from_utf8_lossy(key.as_ref()).into_owned()
        } else {
            String::from_utf8_lossy(key.local_name().as_ref()).into_owned()
        };
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|err| {
                FormatError::format(
                    el.at(file),
                    format!("bad value of attribute {key} ({err})"),
                    "an XML attribute value",
                )
            })?;
        el.attrs.push((key, value.into_owned()));
    }
    Ok(el)
}

/// Escapes text for element content and attribute values. Characters XML 1.0 cannot
/// hold (control characters other than tab, line feed and carriage return; U+FFFE and
/// U+FFFF) become U+FFFD, so a name typed with a stray control character still gives a
/// well-formed file.
pub fn escape(text: &str) -> String {
    let escaped = quick_xml::escape::escape(text);
    if escaped.chars().all(is_xml_char) {
        return escaped.into_owned();
    }
    escaped
        .chars()
        .map(|c| if is_xml_char(c) { c } else { '\u{FFFD}' })
        .collect()
}

/// XML 1.0's `Char` production (Rust's `char` already excludes the surrogates).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_text_and_replaces_what_xml_cannot_hold() {
        assert_eq!(escape("A & B <1>"), "A &amp; B &lt;1&gt;");
        assert_eq!(escape("tab\there\nnext"), "tab\there\nnext");
        assert_eq!(escape("CAM\u{7} A\u{1b}[0m"), "CAM\u{FFFD} A\u{FFFD}[0m");
        assert_eq!(escape("\u{FFFE}ü😀"), "\u{FFFD}ü😀");
        let doc = format!(
            "<a n=\"{}\">{}</a>",
            escape("x\u{0}y"),
            escape("1\u{8}2 < 3")
        );
        let root = parse(doc.as_bytes(), "names.xml").expect("well-formed");
        assert_eq!(root.attr("n"), Some("x\u{FFFD}y"));
        assert_eq!(root.text, "1\u{FFFD}2 < 3");
    }
}
