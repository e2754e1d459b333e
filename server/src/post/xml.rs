//! The XML tree the post formats lookwire reads back (ASC MHL manifests and chains, and
//! the exports in tests), parsed by the formats module's reader
//! ([`lookwire_color::formats::xml`]: nesting limit, linear line tracking) and kept with
//! trimmed text, local names and the start tag's line.

use lookwire_color::formats::xml as formats_xml;

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

    /// The namespace declared on this element: the default one, else a prefixed one.
    pub fn namespace(&self) -> Option<&str> {
        self.attr("xmlns").or_else(|| {
            self.attrs
                .iter()
                .find(|(k, _)| k.starts_with("xmlns:"))
                .map(|(_, v)| v.as_str())
        })
    }

    fn from_formats(e: formats_xml::Element) -> Element {
        Element {
            text: e.trimmed().to_owned(),
            name: e.name,
            attrs: e.attrs,
            line: e.line,
            children: e.children.into_iter().map(Element::from_formats).collect(),
        }
    }
}

/// Parses a whole document into its root element.
pub fn parse(text: &str) -> Result<Element, XmlError> {
    formats_xml::parse(text.as_bytes(), "")
        .map(Element::from_formats)
        .map_err(|e| XmlError {
            line: e.location().map_or(0, |l| l.line),
            message: match &e {
                lookwire_color::formats::FormatError::Format { what, expected, .. }
                | lookwire_color::formats::FormatError::Limits { what, expected, .. } => {
                    format!("{what}, expected {expected}")
                }
                other => other.to_string(),
            },
        })
}

/// Text escaped for XML content and attribute values.
pub fn escape(text: &str) -> String {
    formats_xml::escape(text)
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
    fn deep_nesting_is_refused_not_followed() {
        let doc = format!(
            "<hashlist>{}{}</hashlist>",
            "<a>".repeat(5000),
            "</a>".repeat(5000)
        );
        let err = parse(&doc).unwrap_err();
        assert!(
            err.message.contains("deep") || err.message.contains("nest"),
            "{err}"
        );
    }

    #[test]
    fn escape_round_trips_through_the_reader() {
        let text = "A&B <\"c\"> 'd'";
        let root = parse(&format!("<r v=\"{0}\">{0}</r>", escape(text))).unwrap();
        assert_eq!(root.text, text);
        assert_eq!(root.attr("v"), Some(text));
    }
}
