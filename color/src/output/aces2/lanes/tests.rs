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

/// The hue interval from the bins equals the f64 path's binary search, and each bin's
/// reach M are the rendering's at the whole degrees around its hues, 360° included.
#[test]
fn hue_bins_find_the_searched_interval() {
    for (peak, prims) in [
        (100.0, Primaries::REC709),
        (100.0, Primaries::P3_D65),
        (500.0, Primaries::P3_D65),
        (1000.0, Primaries::P3_D65),
        (2000.0, Primaries::P3_D65),
        (4000.0, Primaries::P3_D65),
    ] {
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
/// the f64 rendering, through the vectorised batch and one value at a time.
#[test]
fn lanes_match_the_f64_rendering() {
    for (peak, prims) in [
        (100.0, Primaries::REC709),
        (100.0, Primaries::P3_D65),
        (1000.0, Primaries::P3_D65),
        (4000.0, Primaries::P3_D65),
    ] {
        let r = Aces2Rendering::new(peak, &prims);
        let lanes = Aces2Lanes::new(&r);
        let input = values();
        let as32: Vec<[f32; 3]> = input.iter().map(|v| v.map(|x| x as f32)).collect();
        let mut out = vec![[f32::NAN; 3]; input.len()];
        lanes.unclamped_batch(&as32, &mut out);
        // The portable build (no FMA on x86_64) as well.
        let mut portable = vec![[f32::NAN; 3]; input.len()];
        batch_at(
            &lanes,
            crate::kernel::CpuLevel::Scalar,
            &as32,
            &mut portable,
        );
        let mut worst = 0.0f64;
        let avx512 = crate::kernel::selection().level == crate::kernel::CpuLevel::Avx512;
        for (((v, v32), got), plain) in input.iter().zip(&as32).zip(&out).zip(&portable) {
            let want = r.unclamped(v32.map(f64::from));
            // One value at a time, fused as the selected level's batch is.
            let one = if crate::kernel::selection().level == crate::kernel::CpuLevel::Scalar {
                lanes.unclamped::<PORTABLE_FMA>(*v32)
            } else {
                lanes.unclamped::<true>(*v32)
            };
            let scale = want.iter().fold(0.0f64, |m, c| m.max(c.abs()));
            for c in 0..3 {
                let e = (f64::from(got[c]) - want[c]).abs() / (scale + 0.05);
                worst = worst.max(e);
                assert!(e <= 2e-5, "{peak} {v:?}: {got:?} vs {want:?}");
                let e = (f64::from(plain[c]) - want[c]).abs() / (scale + 0.05);
                assert!(e <= 2e-5, "{peak} {v:?} portable: {plain:?} vs {want:?}");
                let e = (f64::from(one[c]) - want[c]).abs() / (scale + 0.05);
                assert!(e <= 2e-5, "{peak} {v:?} one value: {one:?} vs {want:?}");
                // Below AVX-512 the batch runs the one-value code itself; at AVX-512
                // its powers are other code (`fastplanes`), within their own bound.
                if !avx512 {
                    assert!((got[c] - one[c]).abs() <= 1e-6 * (1.0 + one[c].abs()));
                }
            }
        }
        eprintln!("{peak}: worst relative error {worst:e}");
    }
}

/// The hue records read with loads and a transpose (AMD's reads at AVX-512) give the same
/// bits as read with gathers, at every ACES 2.0 peak and gamut, hues near every knot
/// included.
#[test]
fn hue_record_loads_equal_gathers() {
    use crate::kernel::{selection, CpuLevel, NodeReads};
    if selection().level != CpuLevel::Avx512 {
        eprintln!(
            "skipped: the loads are read at AVX-512 only, this process runs {}",
            selection().level
        );
        return;
    }
    for (peak, prims) in [
        (100.0, Primaries::REC709),
        (100.0, Primaries::P3_D65),
        (500.0, Primaries::P3_D65),
        (1000.0, Primaries::P3_D65),
        (2000.0, Primaries::P3_D65),
        (4000.0, Primaries::P3_D65),
    ] {
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
            lanes.unclamped_batch(&input, out);
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
