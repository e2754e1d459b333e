//! ASC CDL XML: `.cc` (one `ColorCorrection`), `.ccc` (`ColorCorrectionCollection`)
//! and `.cdl` (`ColorDecisionList`), namespaces v1.01, v1.2 or none.
//!
//! Element names are matched by local name without regard to case, with the XSD's
//! substitutes (`ASC_SOP`, `ASC_SAT`, `ASC_CC_XML`) and OpenColorIO's `SATNode`.
//! Descriptions are kept so that a read → write round trip loses nothing the
//! schema defines. Unknown elements are ignored, as OpenColorIO does.

use super::error::FormatError;
use super::text::{f64_text, parse_f64};
use super::xml::{self, escape, Element};
use crate::cdl::{short_number, Cdl};

pub const NAMESPACE_V101: &str = "urn:ASC:CDL:v1.01";
pub const NAMESPACE_V12: &str = "urn:ASC:CDL:v1.2";

const SOP: &[&str] = &["SOPNode", "ASC_SOP"];
const SAT: &[&str] = &["SatNode", "ASC_SAT"];
const REF: &[&str] = &["ColorCorrectionRef", "ASC_CC_XML"];

/// Which of the three documents a file is (its root element).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CdlFileKind {
    /// `.cc`: one `ColorCorrection`.
    Cc,
    /// `.ccc`: a `ColorCorrectionCollection`.
    Ccc,
    /// `.cdl`: a `ColorDecisionList` of `ColorDecision`s.
    Cdl,
}

impl CdlFileKind {
    fn root(self) -> &'static str {
        match self {
            Self::Cc => "ColorCorrection",
            Self::Ccc => "ColorCorrectionCollection",
            Self::Cdl => "ColorDecisionList",
        }
    }
}

/// The free-text notes the schema allows on most elements.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Descriptions {
    pub description: Vec<String>,
    pub input: Option<String>,
    pub viewing: Option<String>,
}

/// One `ColorCorrection`: an id, its notes and the ten numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct ColorCorrection {
    pub id: Option<String>,
    pub notes: Descriptions,
    /// `Description`s inside `SOPNode` and `SatNode`.
    pub sop_description: Vec<String>,
    pub sat_description: Vec<String>,
    pub cdl: Cdl,
}

impl ColorCorrection {
    pub fn new(id: impl Into<String>, cdl: Cdl) -> Self {
        Self {
            id: Some(id.into()),
            notes: Descriptions::default(),
            sop_description: Vec::new(),
            sat_description: Vec::new(),
            cdl,
        }
    }
}

/// A correction written out, or a reference to one by id (`ColorCorrectionRef ref=…`).
#[derive(Clone, Debug, PartialEq)]
pub enum Correction {
    Inline(ColorCorrection),
    Ref(String),
}

/// One entry of a document; in `.cc`/`.ccc` only `correction` is used.
#[derive(Clone, Debug, PartialEq)]
pub struct ColorDecision {
    pub notes: Descriptions,
    pub media_ref: Option<String>,
    pub correction: Correction,
}

/// A `.cc`, `.ccc` or `.cdl` document.
#[derive(Clone, Debug, PartialEq)]
pub struct CdlDocument {
    pub kind: CdlFileKind,
    /// The default namespace (`xmlns`) of the root, if any.
    pub namespace: Option<String>,
    /// Notes on the collection or list itself.
    pub notes: Descriptions,
    pub decisions: Vec<ColorDecision>,
}

impl CdlDocument {
    /// A collection (`.ccc`, or `.cc` when there is one) of inline corrections.
    pub fn from_corrections(kind: CdlFileKind, corrections: Vec<ColorCorrection>) -> Self {
        let decisions = corrections
            .into_iter()
            .map(|c| ColorDecision {
                notes: Descriptions::default(),
                media_ref: None,
                correction: Correction::Inline(c),
            })
            .collect();
        Self {
            kind,
            namespace: Some(NAMESPACE_V101.to_owned()),
            notes: Descriptions::default(),
            decisions,
        }
    }

    /// The corrections written inline, in file order.
    pub fn corrections(&self) -> impl Iterator<Item = &ColorCorrection> {
        self.decisions.iter().filter_map(|d| match &d.correction {
            Correction::Inline(c) => Some(c),
            Correction::Ref(_) => None,
        })
    }

    /// The inline correction with this id.
    pub fn find(&self, id: &str) -> Option<&ColorCorrection> {
        self.corrections().find(|c| c.id.as_deref() == Some(id))
    }
}

/// Reads a `.cc`, `.ccc` or `.cdl` document (the root element tells which).
pub fn read(src: &[u8], file: &str) -> Result<CdlDocument, FormatError> {
    let root = xml::parse(src, file)?;
    let kind = match root.name.to_ascii_lowercase().as_str() {
        "colorcorrection" => CdlFileKind::Cc,
        "colorcorrectioncollection" => CdlFileKind::Ccc,
        "colordecisionlist" => CdlFileKind::Cdl,
        _ => {
            return Err(FormatError::format(
                root.at(file),
                format!("root element <{}>", root.name),
                "ColorCorrection, ColorCorrectionCollection or ColorDecisionList",
            ))
        }
    };
    let namespace = root.attr("xmlns").map(str::to_owned);
    let (notes, decisions) = match kind {
        CdlFileKind::Cc => (
            Descriptions::default(),
            vec![inline(correction(&root, file)?)],
        ),
        CdlFileKind::Ccc => (descriptions(&root), collection(&root, file)?),
        CdlFileKind::Cdl => (descriptions(&root), decision_list(&root, file)?),
    };
    check_unique_ids(&root, &decisions, file)?;
    Ok(CdlDocument {
        kind,
        namespace,
        notes,
        decisions,
    })
}

fn inline(c: ColorCorrection) -> ColorDecision {
    ColorDecision {
        notes: Descriptions::default(),
        media_ref: None,
        correction: Correction::Inline(c),
    }
}

fn collection(root: &Element, file: &str) -> Result<Vec<ColorDecision>, FormatError> {
    let items: Vec<_> = root
        .children_named(&["ColorCorrection"])
        .map(|c| correction(c, file).map(inline))
        .collect::<Result<_, _>>()?;
    if items.is_empty() {
        return Err(FormatError::format(
            root.at(file),
            "no ColorCorrection",
            "at least one",
        ));
    }
    Ok(items)
}

fn decision_list(root: &Element, file: &str) -> Result<Vec<ColorDecision>, FormatError> {
    let mut items = Vec::new();
    for el in root.children_named(&["ColorDecision"]) {
        let correction = if let Some(cc) = el.child(&["ColorCorrection"]) {
            Correction::Inline(correction(cc, file)?)
        } else if let Some(r) = el.child(REF) {
            Correction::Ref(reference(r, file)?)
        } else {
            return Err(FormatError::format(
                el.at(file),
                "ColorDecision has no ColorCorrection or ColorCorrectionRef",
                "one of them",
            ));
        };
        let media_ref = el
            .child(&["MediaRef"])
            .and_then(|m| m.attr("ref"))
            .map(str::to_owned);
        items.push(ColorDecision {
            notes: descriptions(el),
            media_ref,
            correction,
        });
    }
    if items.is_empty() {
        return Err(FormatError::format(
            root.at(file),
            "no ColorDecision",
            "at least one",
        ));
    }
    Ok(items)
}

fn reference(el: &Element, file: &str) -> Result<String, FormatError> {
    match el.attr("ref") {
        Some(r) if !r.trim().is_empty() => Ok(r.trim().to_owned()),
        _ => Err(FormatError::format(
            el.at(file),
            format!("<{}> without a ref", el.name),
            "ref=\"correction id\"",
        )),
    }
}

fn descriptions(el: &Element) -> Descriptions {
    Descriptions {
        description: texts(el, "Description"),
        input: el
            .child(&["InputDescription"])
            .map(|e| e.trimmed().to_owned()),
        viewing: el
            .child(&["ViewingDescription"])
            .map(|e| e.trimmed().to_owned()),
    }
}

fn texts(el: &Element, name: &str) -> Vec<String> {
    el.children_named(&[name])
        .map(|e| e.trimmed().to_owned())
        .collect()
}

fn correction(el: &Element, file: &str) -> Result<ColorCorrection, FormatError> {
    let (cdl, sop, sat) = sop_sat(el, file)?;
    if sop.is_none() && sat.is_none() {
        return Err(FormatError::format(
            el.at(file),
            "ColorCorrection has no SOPNode or SatNode",
            "at least one of them",
        ));
    }
    Ok(ColorCorrection {
        id: el.attr("id").map(|s| s.trim().to_owned()),
        notes: descriptions(el),
        sop_description: sop.map(|s| texts(s, "Description")).unwrap_or_default(),
        sat_description: sat.map(|s| texts(s, "Description")).unwrap_or_default(),
        cdl,
    })
}

/// The CDL of an element holding `SOPNode` and/or `SatNode` (or the historical `ASC_SOP`,
/// `ASC_SAT`): a `ColorCorrection`, or a CLF `ASC_CDL`, which share this reader. Missing
/// parts are the identity's; every number is checked against the ASC rules. Also returns
/// the two nodes, when present.
pub(crate) fn sop_sat<'a>(
    el: &'a Element,
    file: &str,
) -> Result<(Cdl, Option<&'a Element>, Option<&'a Element>), FormatError> {
    let mut cdl = Cdl::IDENTITY;
    let sop = el.child(SOP);
    if let Some(sop) = sop {
        cdl.slope = triple(sop, "Slope", file, [1.0; 3], "slope")?;
        cdl.offset = triple(sop, "Offset", file, [0.0; 3], "offset")?;
        cdl.power = triple(sop, "Power", file, [1.0; 3], "power")?;
    }
    // OpenColorIO also accepts `SATNode`; the case-blind match covers it.
    let sat = el.child(SAT);
    if let Some(sat) = sat {
        cdl.sat = saturation(sat, file)?;
    }
    Ok((cdl, sop, sat))
}

/// Three numbers of `Slope`, `Offset` or `Power`, each checked against the ASC rule.
fn triple(
    node: &Element,
    name: &str,
    file: &str,
    default: [f64; 3],
    part: &str,
) -> Result<[f64; 3], FormatError> {
    let Some(el) = node.child(&[name]) else {
        return Ok(default);
    };
    let values = numbers(el, file)?;
    let [r, g, b] = values[..] else {
        return Err(FormatError::format(
            el.at(file),
            format!("{name} has {} numbers", values.len()),
            "3 (R G B)",
        ));
    };
    for v in [r, g, b] {
        if let Err(rule) = Cdl::check_value(part, v) {
            return Err(FormatError::format(
                el.at(file),
                format!("{name} value {}", short_number(v)),
                rule,
            ));
        }
    }
    Ok([r, g, b])
}

fn saturation(node: &Element, file: &str) -> Result<f64, FormatError> {
    let Some(el) = node.child(&["Saturation"]) else {
        return Err(FormatError::format(
            node.at(file),
            format!("<{}> without Saturation", node.name),
            "<Saturation>",
        ));
    };
    match numbers(el, file)?[..] {
        [v] => match Cdl::check_value("sat", v) {
            Ok(()) => Ok(v),
            Err(rule) => Err(FormatError::format(
                el.at(file),
                format!("Saturation value {}", short_number(v)),
                rule,
            )),
        },
        ref vs => Err(FormatError::format(
            el.at(file),
            format!("Saturation has {} numbers", vs.len()),
            "1",
        )),
    }
}

/// At most a few numbers of an element's text (padding and newlines allowed).
fn numbers(el: &Element, file: &str) -> Result<Vec<f64>, FormatError> {
    el.text
        .split_ascii_whitespace()
        .take(8)
        .map(|t| parse_f64(t.as_bytes(), || el.at(file)))
        .collect()
}

fn check_unique_ids(
    root: &Element,
    decisions: &[ColorDecision],
    file: &str,
) -> Result<(), FormatError> {
    let mut seen: Vec<&str> = Vec::new();
    let ids = decisions.iter().filter_map(|d| match &d.correction {
        Correction::Inline(c) => c.id.as_deref(),
        Correction::Ref(_) => None,
    });
    for (index, id) in ids.enumerate() {
        if seen.contains(&id) {
            let at = correction_elements(root)
                .nth(index)
                .map_or_else(|| root.at(file), |e| e.at(file));
            return Err(FormatError::format(
                at,
                format!("duplicate id {id:?}"),
                "ids unique in the file",
            ));
        }
        seen.push(id);
    }
    Ok(())
}

/// The `ColorCorrection` elements that carry an id, in document order.
fn correction_elements(root: &Element) -> impl Iterator<Item = &Element> {
    let direct = root.children_named(&["ColorCorrection"]);
    let nested = root
        .children_named(&["ColorDecision"])
        .filter_map(|d| d.child(&["ColorCorrection"]));
    direct.chain(nested).filter(|e| e.attr("id").is_some())
}

/// Writes a document; fails on duplicate ids or non-finite / out-of-range numbers.
pub fn write(doc: &CdlDocument) -> Result<Vec<u8>, FormatError> {
    let mut seen: Vec<&str> = Vec::new();
    for c in doc.corrections() {
        c.cdl
            .validate()
            .map_err(|e| FormatError::unsupported("ASC CDL", e.to_string()))?;
        if let Some(id) = c.id.as_deref() {
            if seen.contains(&id) {
                return Err(FormatError::unsupported(
                    "ASC CDL",
                    format!("two corrections with id {id:?}"),
                ));
            }
            seen.push(id);
        }
    }
    let mut w = Writer::default();
    w.line(0, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let ns = doc
        .namespace
        .as_deref()
        .map(|n| format!(" xmlns=\"{}\"", escape(n)))
        .unwrap_or_default();
    match doc.kind {
        CdlFileKind::Cc => {
            let Some(Correction::Inline(c)) = doc.decisions.first().map(|d| &d.correction) else {
                return Err(FormatError::unsupported(
                    ".cc",
                    "anything but one inline correction",
                ));
            };
            if doc.decisions.len() != 1 {
                return Err(FormatError::unsupported(
                    ".cc",
                    format!("{} corrections", doc.decisions.len()),
                ));
            }
            w.correction(0, c, &ns);
        }
        kind => {
            w.line(0, &format!("<{}{ns}>", kind.root()));
            w.descriptions(1, &doc.notes);
            for d in &doc.decisions {
                w.decision(kind, d)?;
            }
            w.line(0, &format!("</{}>", kind.root()));
        }
    }
    Ok(w.out.into_bytes())
}

#[derive(Default)]
struct Writer {
    out: String,
}

impl Writer {
    fn line(&mut self, depth: usize, text: &str) {
        for _ in 0..depth {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn element(&mut self, depth: usize, name: &str, text: &str) {
        self.line(depth, &format!("<{name}>{}</{name}>", escape(text)));
    }

    fn descriptions(&mut self, depth: usize, notes: &Descriptions) {
        for d in &notes.description {
            self.element(depth, "Description", d);
        }
        if let Some(t) = &notes.input {
            self.element(depth, "InputDescription", t);
        }
        if let Some(t) = &notes.viewing {
            self.element(depth, "ViewingDescription", t);
        }
    }

    fn decision(&mut self, kind: CdlFileKind, d: &ColorDecision) -> Result<(), FormatError> {
        let depth = if kind == CdlFileKind::Cdl { 2 } else { 1 };
        if kind == CdlFileKind::Cdl {
            self.line(1, "<ColorDecision>");
            self.descriptions(2, &d.notes);
            if let Some(m) = &d.media_ref {
                self.line(2, &format!("<MediaRef ref=\"{}\"/>", escape(m)));
            }
        }
        match &d.correction {
            Correction::Inline(c) => self.correction(depth, c, ""),
            Correction::Ref(r) if kind == CdlFileKind::Cdl => {
                self.line(2, &format!("<ColorCorrectionRef ref=\"{}\"/>", escape(r)))
            }
            Correction::Ref(r) => {
                return Err(FormatError::unsupported(
                    ".ccc",
                    format!("a reference to {r:?}"),
                ));
            }
        }
        if kind == CdlFileKind::Cdl {
            self.line(1, "</ColorDecision>");
        }
        Ok(())
    }

    fn correction(&mut self, depth: usize, c: &ColorCorrection, ns: &str) {
        let id =
            c.id.as_deref()
                .map(|i| format!(" id=\"{}\"", escape(i)))
                .unwrap_or_default();
        self.line(depth, &format!("<ColorCorrection{id}{ns}>"));
        self.descriptions(depth + 1, &c.notes);
        self.line(depth + 1, "<SOPNode>");
        for d in &c.sop_description {
            self.element(depth + 2, "Description", d);
        }
        for (name, v) in [
            ("Slope", c.cdl.slope),
            ("Offset", c.cdl.offset),
            ("Power", c.cdl.power),
        ] {
            let text = v.map(f64_text).join(" ");
            self.element(depth + 2, name, &text);
        }
        self.line(depth + 1, "</SOPNode>");
        self.line(depth + 1, "<SatNode>");
        for d in &c.sat_description {
            self.element(depth + 2, "Description", d);
        }
        self.element(depth + 2, "Saturation", &f64_text(c.cdl.sat));
        self.line(depth + 1, "</SatNode>");
        self.line(depth, "</ColorCorrection>");
    }
}

#[cfg(test)]
#[path = "cdl_xml_tests.rs"]
mod tests;
