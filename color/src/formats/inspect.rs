//! What `lookwire info` says about a LUT file: tables, sizes, domains, the range of
//! values, whether it is an identity and whether it clips.

use super::LutFile;
use crate::lut::Domain;

/// A summary of one LUT file.
#[derive(Clone, Debug, PartialEq)]
pub struct LutSummary {
    /// "1D", "3D" or "1D shaper + 3D".
    pub kind: &'static str,
    pub size1d: Option<usize>,
    pub size3d: Option<usize>,
    /// The domain of the first table (the file's input domain).
    pub domain: Domain,
    /// Smallest and largest output value per channel (over the last table).
    pub min: [f32; 3],
    pub max: [f32; 3],
    /// Output equals input within 1e-5 everywhere on a probe grid over the domain.
    pub identity: bool,
    /// Nodes whose output is pinned at 0 or 1 although their input is not there.
    pub clipped_nodes: usize,
}

/// Summarises a LUT file.
pub fn summarize(lut: &LutFile) -> LutSummary {
    let kind = match (&lut.lut1d, &lut.lut3d) {
        (Some(_), Some(_)) => "1D shaper + 3D",
        (Some(_), None) => "1D",
        _ => "3D",
    };
    let domain = lut
        .lut1d
        .as_ref()
        .map(|l| l.domain())
        .or(lut.lut3d.as_ref().map(|l| l.domain()))
        .unwrap_or(Domain::UNIT);
    let last: &[[f32; 3]] = match (&lut.lut1d, &lut.lut3d) {
        (_, Some(l)) => l.data(),
        (Some(l), None) => l.data(),
        (None, None) => &[],
    };
    let mut min = [f32::INFINITY; 3];
    let mut max = [f32::NEG_INFINITY; 3];
    for v in last {
        for c in 0..3 {
            min[c] = min[c].min(v[c]);
            max[c] = max[c].max(v[c]);
        }
    }
    LutSummary {
        kind,
        size1d: lut.lut1d.as_ref().map(|l| l.size()),
        size3d: lut.lut3d.as_ref().map(|l| l.size()),
        domain,
        min,
        max,
        identity: is_identity(lut, domain),
        clipped_nodes: clipped_nodes(lut),
    }
}

fn is_identity(lut: &LutFile, d: Domain) -> bool {
    const STEPS: usize = 16;
    let at = |c: usize, i: usize| {
        f64::from(d.min[c]) + (i as f64 / STEPS as f64) * f64::from(d.max[c] - d.min[c])
    };
    (0..=STEPS).all(|i| {
        (0..=STEPS).all(|j| {
            (0..=STEPS).all(|k| {
                let x = [at(0, i), at(1, j), at(2, k)];
                let y = lut.apply_f64(x);
                (0..3).all(|c| (y[c] - x[c]).abs() <= 1e-5)
            })
        })
    })
}

/// Counts table entries that output exactly 0 or 1 in a channel whose input there is
/// neither at that value nor at the domain's end: a flat, clipped stretch.
fn clipped_nodes(lut: &LutFile) -> usize {
    let pinned = |v: f32| v == 0.0 || v == 1.0;
    if let Some(cube) = &lut.lut3d {
        let n = cube.size();
        let d = cube.domain();
        let input =
            |c: usize, i: usize| d.min[c] + (i as f32 / (n - 1) as f32) * (d.max[c] - d.min[c]);
        let mut count = 0;
        for b in 0..n {
            for g in 0..n {
                for r in 0..n {
                    let v = cube.node(r, g, b);
                    let idx = [r, g, b];
                    let clipped = (0..3).any(|c| pinned(v[c]) && v[c] != input(c, idx[c]));
                    count += usize::from(clipped);
                }
            }
        }
        return count;
    }
    let Some(table) = &lut.lut1d else {
        return 0;
    };
    let n = table.size();
    let d = table.domain();
    table
        .data()
        .iter()
        .enumerate()
        .filter(|(i, v)| {
            (0..3).any(|c| {
                let x = d.min[c] + (*i as f32 / (n - 1) as f32) * (d.max[c] - d.min[c]);
                pinned(v[c]) && v[c] != x
            })
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lut::{Lut1d, Lut3d};

    #[test]
    fn identity_and_ranges() {
        let s = summarize(&LutFile::from_3d(Lut3d::identity(5).unwrap()));
        assert_eq!(
            (s.kind, s.size3d, s.identity, s.clipped_nodes),
            ("3D", Some(5), true, 0)
        );
        assert_eq!((s.min, s.max), ([0.0; 3], [1.0; 3]));
        let graded =
            LutFile::from_3d(Lut3d::from_fn(5, |[r, g, b]| [r * 1.5 - 0.1, g, b]).unwrap());
        let s = summarize(&graded);
        assert!(!s.identity);
        assert_eq!((s.min[0], s.max[0]), (-0.1, 1.4));
    }

    #[test]
    fn clipping_is_counted() {
        let clip =
            LutFile::from_3d(Lut3d::from_fn(5, |[r, g, b]| [(r * 2.0).min(1.0), g, b]).unwrap());
        // r = 0.5 and 0.75 clip to 1 on every g, b: 2 · 25 nodes.
        assert_eq!(summarize(&clip).clipped_nodes, 50);
        let shaper = Lut1d::from_fn(4, Domain::UNIT, |_, x| (x * 3.0).min(1.0)).unwrap();
        let mut f = LutFile::from_1d(shaper);
        assert_eq!(summarize(&f).clipped_nodes, 2);
        f.lut3d = Some(Lut3d::identity(3).unwrap());
        assert_eq!(summarize(&f).kind, "1D shaper + 3D");
    }
}
