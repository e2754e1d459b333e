//! A small XML tree for the post formats lookwire reads back (ASC MHL manifests and chains).
//!
//! Element names are kept as local names: the formats are matched by namespace URI on the
//! root only, and their prefixes vary between writers.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use quick_xml::XmlVersion;

/// One element with its attributes, children and text (concatenated, trimmed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
    /// 1-based line of the start tag in the source.
    pub line: usize,
}

/// XML that could not be read, with the line where it went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct XmlError {
    pub line: usize,
    pub message: String,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Namespace URI declared on this element for its own prefix (or the default one).
    pub fn namespace(&self) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == "xmlns" || k.starts_with("xmlns:"))
            .map(|(_, v)| v.as_str())
    }
}

fn line_at(text: &str, pos: u64) -> usize {
    let end = (pos as usize).min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn local(name: &[u8]) -> String {
    let local = match name.iter().rposition(|&b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    };
    String::from_utf8_lossy(local).into_owned()
}

fn start_element(start: &BytesStart<'_>, line: usize) -> Result<Element, XmlError> {
    let mut element = Element {
        name: local(start.name().as_ref()),
        line,
        ..Element::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| XmlError {
            line,
            message: format!("bad attribute: {e}"),
        })?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| XmlError {
                line,
                message: format!("bad attribute value: {e}"),
            })?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let key = if key.starts_with("xmlns") {
            key
        } else {
            local(key.as_bytes())
        };
        element.attrs.push((key, value.into_owned()));
    }
    Ok(element)
}

fn resolve_reference(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix('x') {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).map(String::from);
    }
    quick_xml::escape::resolve_predefined_entity(name).map(str::to_owned)
}

/// Parses a whole document into its root element.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let err = |pos: u64, message: String| XmlError {
        line: line_at(text, pos),
        message,
    };
    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| err(reader.error_position(), e.to_string()))?;
        match event {
            Event::Start(start) => stack.push(start_element(&start, line_at(text, pos))?),
            Event::Empty(start) => {
                let element = start_element(&start, line_at(text, pos))?;
                if let Some(done) = close(&mut stack, element) {
                    return Ok(done);
                }
            }
            Event::End(_) => {
                let element = stack
                    .pop()
                    .ok_or_else(|| err(pos, "closing tag without an opening one".into()))?;
                if let Some(done) = close(&mut stack, element) {
                    return Ok(done);
                }
            }
            Event::Text(t) => {
                let s = t.xml10_content().map_err(|e| err(pos, e.to_string()))?;
                push_text(&mut stack, &s);
            }
            Event::CData(t) => {
                let s = t.decode().map_err(|e| err(pos, e.to_string()))?;
                push_text(&mut stack, &s);
            }
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| err(pos, e.to_string()))?;
                let s = resolve_reference(&name)
                    .ok_or_else(|| err(pos, format!("unknown entity &{name};")))?;
                push_text(&mut stack, &s);
            }
            Event::Eof => {
                return Err(err(
                    pos,
                    "document ends before its root element closes".into(),
                ))
            }
            _ => {}
        }
    }
}

fn push_text(stack: &mut [Element], s: &str) {
    if let Some(top) = stack.last_mut() {
        top.text.push_str(s);
    }
}

/// Attaches a finished element to its parent; returns it when it was the root.
fn close(stack: &mut [Element], mut element: Element) -> Option<Element> {
    element.text = element.text.trim().to_owned();
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(element);
            None
        }
        None => Some(element),
    }
}

/// Escapes text for element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_nested_elements_attributes_and_entities() {
        let doc = "<?xml version=\"1.0\"?>\n<a:root xmlns:a=\"urn:x\">\n  <item n=\"1 &amp; 2\">x &lt; y</item>\n  <empty/>\n</a:root>\n";
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "root");
        assert_eq!(root.namespace(), Some("urn:x"));
        let item = root.child("item").unwrap();
        assert_eq!(item.attr("n"), Some("1 & 2"));
        assert_eq!(item.text, "x < y");
        assert_eq!(item.line, 3);
        assert!(root.child("empty").is_some());
    }

    #[test]
    fn broken_xml_names_its_line() {
        let err = parse("<root>\n<a>\n</b>\n</root>").unwrap_err();
        assert_eq!(err.line, 3, "{err}");
        let err = parse("<root>\n<a>").unwrap_err();
        assert!(err.message.contains("ends"), "{err}");
    }

    #[test]
    fn escape_round_trips_through_the_reader() {
        let text = "A&B <\"c\"> 'd'";
        let root = parse(&format!("<r v=\"{0}\">{0}</r>", escape(text))).unwrap();
        assert_eq!(root.text, text);
        assert_eq!(root.attr("v"), Some(text));
    }
}
