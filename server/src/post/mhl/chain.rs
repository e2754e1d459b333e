//! `ascmhl/ascmhl_chain.xml`: the list of generations with the C4 id of each manifest.

use super::hash::HashFormat;
use crate::post::xml::{self, escape, XmlError};

pub const CHAIN_FILE: &str = "ascmhl_chain.xml";
pub const CHAIN_NAMESPACE: &str = "urn:ASC:MHL:DIRECTORY:v2.0";

/// One generation as the chain records it.
#[derive(Clone, Debug, PartialEq)]
pub struct ChainLink {
    pub sequence: u32,
    pub file_name: String,
    pub format: HashFormat,
    pub digest: String,
}

/// Reads a chain file.
pub fn parse(text: &str) -> Result<Vec<ChainLink>, XmlError> {
    let root = xml::parse(text)?;
    if root.name != "ascmhldirectory" {
        return Err(XmlError {
            line: root.line,
            message: format!(
                "root element is <{}>, expected <ascmhldirectory>",
                root.name
            ),
        });
    }
    let mut links = Vec::new();
    for list in root.children_named("hashlist") {
        let bad = |message: String| XmlError {
            line: list.line,
            message,
        };
        let seq = list.attr("sequencenr").unwrap_or_default();
        let sequence = seq
            .parse()
            .map_err(|_| bad(format!("sequencenr {seq:?} is not a number")))?;
        let file_name = list
            .child("path")
            .map(|p| p.text.clone())
            .ok_or_else(|| bad("<hashlist> without <path>".into()))?;
        let (format, digest) = list
            .children
            .iter()
            .find_map(|c| {
                c.name
                    .parse::<HashFormat>()
                    .ok()
                    .map(|f| (f, c.text.clone()))
            })
            .ok_or_else(|| bad("<hashlist> without a hash".into()))?;
        links.push(ChainLink {
            sequence,
            file_name,
            format,
            digest,
        });
    }
    Ok(links)
}

/// Serialises a chain as ascmhl lays it out.
pub fn to_xml(links: &[ChainLink]) -> String {
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ascmhldirectory xmlns=\"{CHAIN_NAMESPACE}\">\n"
    );
    for link in links {
        let tag = link.format.as_str();
        out.push_str(&format!(
            "  <hashlist sequencenr=\"{}\">\n    <path>{}</path>\n    <{tag}>{}</{tag}>\n  </hashlist>\n",
            link.sequence,
            escape(&link.file_name),
            escape(&link.digest)
        ));
    }
    out.push_str("</ascmhldirectory>\n");
    out
}
