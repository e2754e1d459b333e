//! Turning one LUT file into what another format can hold: resampling the 3D table
//! (tetrahedral), keeping a shaper where the target holds one and baking it in where not.

use super::{FormatError, Holds, LutFile, LutFormat};
use crate::lut::{Domain, Interpolation, Lut1d, Lut3d, LUT1D_SIZE_RANGE, LUT3D_SIZE_RANGE};

/// 3D size used when a 1D table has to become a 3D one and no size was asked for.
pub const DEFAULT_3D_SIZE: usize = 33;

/// The converted file and what was changed to make it fit, in words for the user.
#[derive(Clone, Debug, PartialEq)]
pub struct Conversion {
    pub lut: LutFile,
    pub notes: Vec<String>,
}

/// Fits `lut` into `target`, resampling tables to `size` when given.
pub fn convert(
    lut: &LutFile,
    target: LutFormat,
    size: Option<usize>,
) -> Result<Conversion, FormatError> {
    if let Some(n) = size {
        let range = if lut.lut3d.is_some() || !target.holds().lut1d {
            LUT3D_SIZE_RANGE
        } else {
            LUT1D_SIZE_RANGE
        };
        if !range.contains(&n) {
            return Err(FormatError::unsupported(
                target.name(),
                format!("size {n} (expected {} to {})", range.start(), range.end()),
            ));
        }
    }
    let holds = target.holds();
    let mut notes = Vec::new();
    let mut out = lut.clone();
    match (&lut.lut1d, &lut.lut3d) {
        (_, Some(_)) if !holds.lut3d => {
            return Err(FormatError::unsupported(target.name(), "a 3D table"));
        }
        (Some(_), Some(cube)) if !holds.shaper => {
            let n = size.unwrap_or(cube.size());
            let domain = input_domain(lut, holds, &mut notes);
            out = bake(lut, n, domain)?;
            notes.push(format!(
                "baked the 1D shaper into a {n}³ table ({} holds no shaper)",
                target.name()
            ));
        }
        (Some(table), None) if !holds.lut1d => {
            let n = size.unwrap_or(DEFAULT_3D_SIZE);
            let domain = if holds.domain {
                table.domain()
            } else {
                unit(table.domain(), &mut notes)
            };
            out = bake(lut, n, domain)?;
            notes.push(format!(
                "made the 1D table a {n}³ table ({} holds only 3D tables)",
                target.name()
            ));
        }
        (None, None) => {
            return Err(FormatError::unsupported(
                target.name(),
                "a file without tables",
            ))
        }
        _ => {}
    }
    resize(&mut out, size, &mut notes)?;
    if let Some(cube) = &out.lut3d {
        if !holds.domain && !cube.domain().is_unit() {
            let n = cube.size();
            let d = unit(cube.domain(), &mut notes);
            out = bake(&out, n, d)?;
        }
    }
    Ok(Conversion { lut: out, notes })
}

/// The domain the whole file takes its input over: the first table's.
fn input_domain(lut: &LutFile, holds: Holds, notes: &mut Vec<String>) -> Domain {
    let first = lut
        .lut1d
        .as_ref()
        .map(Lut1d::domain)
        .or(lut.lut3d.as_ref().map(Lut3d::domain))
        .unwrap_or(Domain::UNIT);
    if holds.domain {
        first
    } else {
        unit(first, notes)
    }
}

fn unit(domain: Domain, notes: &mut Vec<String>) -> Domain {
    if !domain.is_unit() {
        notes.push(format!(
            "input domain {:?}..{:?} narrowed to 0..1 (the format has no domain)",
            domain.min, domain.max
        ));
    }
    Domain::UNIT
}

/// One 3D table of `n`³ nodes over `domain` that applies the whole file.
fn bake(lut: &LutFile, n: usize, domain: Domain) -> Result<LutFile, FormatError> {
    let engine = |e: crate::lut::LutError| FormatError::unsupported("lookwire", e.to_string());
    let at =
        |c: usize, t: f64| f64::from(domain.min[c]) + t * f64::from(domain.max[c] - domain.min[c]);
    let unit = Lut3d::from_fn(n, |t| {
        lut.apply_f64([at(0, t[0]), at(1, t[1]), at(2, t[2])])
    })
    .map_err(engine)?;
    let cube = Lut3d::new(n, unit.into_data(), domain).map_err(engine)?;
    Ok(LutFile {
        lut1d: None,
        lut3d: Some(cube),
        interpolation: Interpolation::Tetrahedral,
        ..lut.clone()
    })
}

/// Resamples the 3D table (or a lone 1D table) to `size`, keeping domain and shaper.
fn resize(
    out: &mut LutFile,
    size: Option<usize>,
    notes: &mut Vec<String>,
) -> Result<(), FormatError> {
    let Some(n) = size else {
        return Ok(());
    };
    let engine = |e: crate::lut::LutError| FormatError::unsupported("lookwire", e.to_string());
    if let Some(cube) = &out.lut3d {
        if cube.size() != n {
            let resampled = cube
                .resample(n, Interpolation::Tetrahedral)
                .map_err(engine)?;
            notes.push(format!(
                "resampled the 3D table from {}³ to {n}³",
                cube.size()
            ));
            out.lut3d = Some(resampled);
            out.interpolation = Interpolation::Tetrahedral;
        }
    } else if let Some(table) = &out.lut1d {
        if table.size() != n {
            let d = table.domain();
            let resampled = Lut1d::from_fn(n, d, |c, x| {
                let mut v = [
                    f64::from(d.min[0]),
                    f64::from(d.min[1]),
                    f64::from(d.min[2]),
                ];
                v[c] = x;
                table.lookup_f64(v)[c]
            })
            .map_err(engine)?;
            notes.push(format!(
                "resampled the 1D table from {} to {n} entries",
                table.size()
            ));
            out.lut1d = Some(resampled);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graded() -> LutFile {
        let cube = Lut3d::from_fn(9, |[r, g, b]| [r * r, 0.5 * g + 0.2 * b, b.sqrt()]).unwrap();
        let mut f = LutFile::from_3d(cube);
        f.lut1d = Some(
            Lut1d::from_fn(64, Domain::new([-0.1; 3], [2.0; 3]).unwrap(), |_, x| {
                ((x + 0.1) / 2.1).max(0.0).sqrt()
            })
            .unwrap(),
        );
        f
    }

    #[test]
    fn keeps_the_shaper_where_the_target_holds_it() {
        let c = convert(&graded(), LutFormat::Cube, None).unwrap();
        assert_eq!(c.lut, graded());
        assert!(c.notes.is_empty());
    }

    #[test]
    fn bakes_the_shaper_in_for_3dl_and_narrows_the_domain() {
        let src = graded();
        let c = convert(&src, LutFormat::Flame, Some(17)).unwrap();
        assert!(c.lut.lut1d.is_none());
        let cube = c.lut.lut3d.as_ref().unwrap();
        assert_eq!(cube.size(), 17);
        assert!(cube.domain().is_unit());
        assert_eq!(c.notes.len(), 2, "{:?}", c.notes);
        // Nodes of the baked table are exact applications of the source.
        let want = src.apply_f64([0.5, 0.25, 0.75]);
        let got = cube.node(8, 4, 12).map(f64::from);
        for ch in 0..3 {
            assert!((got[ch] - want[ch]).abs() < 1e-6, "{got:?} {want:?}");
        }
    }

    #[test]
    fn resamples_3d_tetrahedrally_and_keeps_domain() {
        let mut src = LutFile::from_3d(Lut3d::from_fn(5, |[r, g, b]| [r * g, g, b * b]).unwrap());
        src.lut3d = Some(
            Lut3d::new(
                5,
                src.lut3d.unwrap().into_data(),
                Domain::new([0.0; 3], [2.0; 3]).unwrap(),
            )
            .unwrap(),
        );
        let c = convert(&src, LutFormat::Cube, Some(9)).unwrap();
        let cube = c.lut.lut3d.as_ref().unwrap();
        assert_eq!((cube.size(), cube.domain().max), (9, [2.0; 3]));
        // Even nodes of the 9³ table are the 5³ nodes.
        assert_eq!(
            cube.node(2, 4, 6),
            src.lut3d.as_ref().unwrap().node(1, 2, 3)
        );
        // A trilinear source is resampled tetrahedrally too (the rule).
        src.interpolation = Interpolation::Trilinear;
        let c = convert(&src, LutFormat::Cube, Some(9)).unwrap();
        let at = [0.25f32, 1.75, 0.75];
        let want = src
            .lut3d
            .as_ref()
            .unwrap()
            .lookup(at, Interpolation::Tetrahedral);
        let tri = src
            .lut3d
            .as_ref()
            .unwrap()
            .lookup(at, Interpolation::Trilinear);
        assert!(
            (0..3).any(|k| (tri[k] - want[k]).abs() > 1e-4),
            "the point tells them apart"
        );
        let node = c.lut.lut3d.as_ref().unwrap().node(1, 7, 3);
        assert!(
            (0..3).all(|k| (node[k] - want[k]).abs() < 1e-6),
            "{node:?} vs {want:?}"
        );
    }

    #[test]
    fn refuses_3d_into_spi1d_and_bad_sizes() {
        assert_eq!(
            convert(&graded(), LutFormat::Spi1d, None)
                .unwrap_err()
                .to_string(),
            "spi1d cannot hold a 3D table"
        );
        assert_eq!(
            convert(&graded(), LutFormat::Cube, Some(1))
                .unwrap_err()
                .to_string(),
            "cube cannot hold size 1 (expected 2 to 256)"
        );
    }

    #[test]
    fn one_d_becomes_3d_for_spi3d() {
        let src = LutFile::from_1d(
            Lut1d::from_fn(16, Domain::UNIT, |c, x| x.powf(1.0 + c as f64)).unwrap(),
        );
        let c = convert(&src, LutFormat::Spi3d, Some(5)).unwrap();
        let cube = c.lut.lut3d.unwrap();
        assert_eq!(cube.size(), 5);
        let want = src.apply_f64([0.25, 0.5, 1.0]);
        let got = cube.node(1, 2, 4);
        assert!((f64::from(got[1]) - want[1]).abs() < 1e-6);
    }
}
