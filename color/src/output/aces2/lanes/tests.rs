//! The f32 lanes against the f64 rendering: the selected level's batch, the portable
//! batch and one value at a time.

use super::*;
use crate::output::fastmath32::PORTABLE_FMA;
use crate::output::matrix::Primaries;

fn values() -> Vec<[f64; 3]> {
    let levels = [
        -0.2, 0.0, 1e-5, 0.003, 0.05, 0.18, 0.7, 1.0, 4.0, 30.0, 300.0, 5e3,
    ];
    let mut out = vec![[0.18; 3], [-0.05, 0.2, 0.3]];
    for &r in &levels {
        for &g in &levels {
            for &b in &levels {
                out.push([r, g, b]);
            }
        }
    }
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..20_000 {
        let mut unit = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let v = [unit(), unit(), unit()].map(|u| 2f64.powf(u * 18.0 - 12.0) - 0.001);
        out.push(v);
    }
    out
}

/// Every ACES 2.0 rendering's peak (cd/m²) and limiting gamut.
const RENDERINGS: [(f64, Primaries); 6] = [
    (100.0, Primaries::REC709),
    (100.0, Primaries::P3_D65),
    (500.0, Primaries::P3_D65),
    (1000.0, Primaries::P3_D65),
    (2000.0, Primaries::P3_D65),
    (4000.0, Primaries::P3_D65),
];

/// The hue interval from the bins equals the f64 path's binary search, and each bin's
/// reach M are the rendering's at the whole degrees around its hues, 360° included.
#[test]
fn hue_bins_find_the_searched_interval() {
    for (peak, prims) in RENDERINGS {
        let r = Aces2Rendering::new(peak, &prims);
        let lanes = Aces2Lanes::new(&r);
        for i in 0..=360_000 {
            let h = i as f64 * 0.001;
            let k = (h as f32).floor() as usize;
            let reach = [k + 1, k + 2].map(|k| r.reach_m.get(k).map_or(0.0, |&m| m as f32));
            assert_eq!(
                lanes.bins[lanes.bin_index(h as f32)].reach,
                reach,
                "{peak} h={h}"
            );
            let want = r.gamut.hues.interval(h, r.gamut.search_range);
            let got = lanes.hue_interval(h as f32);
            let hues = &r.gamut.hues.0;
            // f32 rounding may move a hue that sits on a knot to the next interval.
            let on_knot = (h - hues[want]).abs() < 1e-4 || (h - hues[want - 1]).abs() < 1e-4;
            assert!(got == want || on_knot, "{peak} h={h}: {got} vs {want}");
        }
    }
}

/// The f32 lanes stay within 2e-5 relative (of the largest channel, plus 1e-6) of
/// the f64 rendering, through the batch at every CPU level this machine has and one
/// value at a time.
#[test]
fn lanes_match_the_f64_rendering() {
    use crate::kernel::CpuLevel;
    for (peak, prims) in [
        (100.0, Primaries::REC709),
        (100.0, Primaries::P3_D65),
        (1000.0, Primaries::P3_D65),
        (4000.0, Primaries::P3_D65),
    ] {
        let r = Aces2Rendering::new(peak, &prims);
        let lanes = Aces2Lanes::new(&r);
        let as32: Vec<[f32; 3]> = values().iter().map(|v| v.map(|x| x as f32)).collect();
        let want: Vec<[f64; 3]> = as32.iter().map(|v| r.unclamped(v.map(f64::from))).collect();
        let error = |got: [f32; 3], want: [f64; 3]| {
            let scale = want.iter().fold(0.0f64, |m, c| m.max(c.abs()));
            (0..3).fold(0.0f64, |e, c| {
                e.max((f64::from(got[c]) - want[c]).abs() / (scale + 0.05))
            })
        };
        for level in CpuLevel::available() {
            let mut out = vec![[f32::NAN; 3]; as32.len()];
            batch_at(&lanes, level, &as32, &mut out);
            let mut worst = 0.0f64;
            for ((v, got), want) in as32.iter().zip(&out).zip(&want) {
                let e = error(*got, *want);
                worst = worst.max(e);
                assert!(e <= 2e-5, "{peak} {level} {v:?}: {got:?} vs {want:?}");
                // One value at a time, fused as the level's batch is.
                let one = match level {
                    CpuLevel::Scalar => lanes.unclamped::<PORTABLE_FMA>(*v),
                    _ => lanes.unclamped::<true>(*v),
                };
                assert!(error(one, *want) <= 2e-5, "{peak} {v:?} one value: {one:?}");
                // Below AVX-512 the batch runs the one-value code itself; at AVX-512
                // its powers are other code (`fastplanes`), within their own bound.
                if level != CpuLevel::Avx512 {
                    for c in 0..3 {
                        let d = (got[c] - one[c]).abs();
                        assert!(d <= 1e-6 * (1.0 + one[c].abs()), "{peak} {level} {v:?}");
                    }
                }
            }
            eprintln!("{peak} {level}: worst relative error {worst:e}");
        }
    }
}

/// The hue records read with loads and a transpose (AMD's reads at AVX-512) give the same
/// bits as read with gathers, at every ACES 2.0 peak and gamut, hues near every knot
/// included.
#[test]
fn hue_record_loads_equal_gathers() {
    use crate::kernel::{CpuLevel, NodeReads};
    if !CpuLevel::Avx512.is_supported() {
        eprintln!("skipped: the loads are read at AVX-512 only, which this CPU lacks");
        return;
    }
    for (peak, prims) in RENDERINGS {
        let r = Aces2Rendering::new(peak, &prims);
        let mut lanes = Aces2Lanes::new(&r);
        let mut input: Vec<[f32; 3]> = values().iter().map(|v| v.map(|x| x as f32)).collect();
        // Saturated values around the hue circle: every cusp interval is read.
        for i in 0..7200 {
            let a = (i as f32 * 0.05).to_radians();
            let (s, c) = a.sin_cos();
            input.push([0.3 + 0.25 * c, 0.3 + 0.25 * s, 0.3 - 0.25 * (c + s) * 0.5]);
        }
        let mut got = [
            vec![[f32::NAN; 3]; input.len()],
            vec![[f32::NAN; 3]; input.len()],
        ];
        for (reads, out) in [NodeReads::Gathers, NodeReads::Loads]
            .into_iter()
            .zip(&mut got)
        {
            lanes.set_node_reads(reads);
            batch_at(&lanes, CpuLevel::Avx512, &input, out);
        }
        for ((v, g), l) in input.iter().zip(&got[0]).zip(&got[1]) {
            assert_eq!(
                g.map(f32::to_bits),
                l.map(f32::to_bits),
                "{peak} {v:?}: {g:?} vs {l:?}"
            );
        }
    }
}
