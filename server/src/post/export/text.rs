//! Number and description text shared by the exports.

use lookwire_color::{Cdl, CdlStyle};

use crate::post::grades::{MatchRule, MatchedGrade};

/// A number as post tools parse it: shortest round-trip decimal, always with a decimal
/// point and never an exponent (OTIO's ALE and EDL readers need both).
pub fn number(v: f64) -> String {
    let v = if v == 0.0 { 0.0 } else { v };
    let s = format!("{v}");
    if s.contains('.') {
        s
    } else {
        format!("{s}.0")
    }
}

fn triple(v: &[f64; 3]) -> String {
    format!("({} {} {})", number(v[0]), number(v[1]), number(v[2]))
}

/// `(s s s)(o o o)(p p p)` as in an ALE `ASC_SOP` column.
pub fn asc_sop(cdl: &Cdl) -> String {
    format!(
        "{}{}{}",
        triple(&cdl.slope),
        triple(&cdl.offset),
        triple(&cdl.power)
    )
}

/// `(s s s) (o o o) (p p p)` as OTIO's EDL writer spaces it.
pub fn asc_sop_spaced(cdl: &Cdl) -> String {
    format!(
        "{} {} {}",
        triple(&cdl.slope),
        triple(&cdl.offset),
        triple(&cdl.power)
    )
}

pub fn style_text(style: CdlStyle) -> &'static str {
    match style {
        CdlStyle::Asc => "ASC v1.2 (clamped to 0-1)",
        CdlStyle::NoClamp => "no-clamp (values outside 0-1 kept)",
    }
}

/// The sentence every export carries so post applies the grade as it was seen.
pub fn description(m: &MatchedGrade, rule: &MatchRule) -> String {
    let g = &m.grade;
    let look = g
        .look
        .as_deref()
        .map(|l| format!("; look: {l}"))
        .unwrap_or_default();
    format!(
        "lookwire {}: CDL style {}; working space {}{look}; {} ({})",
        env!("CARGO_PKG_VERSION"),
        style_text(g.style),
        g.working_space,
        m.source,
        rule
    )
}

/// A name safe as a file name on every OS (reserved characters become `_`).
pub fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    let s = s.trim().trim_matches('.').to_owned();
    if s.is_empty() {
        "_".into()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_keep_a_point_and_no_exponent() {
        assert_eq!(number(1.0), "1.0");
        assert_eq!(number(-0.0), "0.0");
        assert_eq!(number(0.9875), "0.9875");
        assert_eq!(number(1e-7), "0.0000001");
        assert_eq!(number(-0.015), "-0.015");
        let cdl = Cdl {
            slope: [1.021, 0.9875, 0.95],
            offset: [-0.015, 0.0, 0.012],
            power: [1.0, 1.0, 1.05],
            sat: 0.95,
        };
        assert_eq!(
            asc_sop(&cdl),
            "(1.021 0.9875 0.95)(-0.015 0.0 0.012)(1.0 1.0 1.05)"
        );
    }

    #[test]
    fn file_stems_drop_reserved_characters() {
        assert_eq!(file_stem("A001/C003:v2"), "A001_C003_v2");
        assert_eq!(file_stem(".."), "_");
    }
}
