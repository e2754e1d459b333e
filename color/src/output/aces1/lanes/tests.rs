//! The f32 lanes against the f64 rendering: the batch at every vector level this CPU
//! has and one value at a time, on a grid with extremes and on random values.

use super::*;

/// A grid over negatives, black, the glow's and the red modifier's ranges and far highlights,
/// and random values over 2⁻¹⁶..2¹⁶ (a tenth of them negative per channel).
fn values() -> Vec<[f64; 3]> {
    let levels = [
        -1e6, -3.0, -0.2, -1e-4, 0.0, 1e-30, 1e-5, 0.003, 0.02, 0.05, 0.08, 0.18, 0.7, 1.0, 4.0,
        30.0, 300.0, 5e3, 6.5e4, 1e9, 1e17,
    ];
    let mut out = vec![[0.18; 3], [-0.05, 0.2, 0.3], [0.3, 0.05, 0.04]];
    // Just inside the input limit, mixed signs: the glow's squares must stay finite there.
    let limit = 0.99 * f64::from(Aces1Lanes::INPUT_LIMIT);
    for signs in [
        [1.0, 1.0, 1.0],
        [-1.0, 1.0, 1.0],
        [1.0, -1.0, 1.0],
        [-1.0, -1.0, 1.0],
    ] {
        out.push(signs.map(|s| s * limit));
    }
    for &r in &levels {
        for &g in &levels {
            for &b in &levels {
                out.push([r, g, b]);
            }
        }
    }
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut unit = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..30_000 {
        let v = [0, 1, 2].map(|_| {
            let sign = if unit() < 0.1 { -0.2 } else { 1.0 };
            sign * 2f64.powf(unit() * 32.0 - 16.0)
        });
        out.push(v);
    }
    out
}

/// Relative error of `got` against `want`: of the largest channel, plus 1e-4 (a 10-bit
/// code of SDR video is about 4e-4 of white at 0.1 cd/m² of light, 1e-4 of HDR's peak
/// at 0.6 cd/m²).
fn error(got: [f32; 3], want: [f64; 3]) -> f64 {
    let scale = want.iter().fold(0.0f64, |m, c| m.max(c.abs()));
    (0..3)
        .map(|c| (f64::from(got[c]) - want[c]).abs() / (scale + 1e-4))
        .fold(0.0, f64::max)
}

/// The f32 lanes stay within 2e-6 relative (of the largest channel, plus 1e-4) of the
/// f64 rendering, through the vectorised batch at every level and one value at a time,
/// fused and not.
#[test]
fn lanes_match_the_f64_rendering() {
    let input = values();
    let as32: Vec<[f32; 3]> = input.iter().map(|v| v.map(|x| x as f32)).collect();
    for kind in [Aces1Kind::SdrVideo, Aces1Kind::Hdr1000Rec2020] {
        let r = Aces1Rendering::new(kind);
        let lanes = Aces1Lanes::new(&r);
        let want: Vec<[f64; 3]> = as32.iter().map(|v| r.unclamped(v.map(f64::from))).collect();
        for level in CpuLevel::available() {
            let mut out = vec![[f32::NAN; 3]; input.len()];
            lanes.unclamped_batch(level, &as32, &mut out);
            let (mut worst, mut at) = (0.0f64, 0);
            for (i, (got, want)) in out.iter().zip(&want).enumerate() {
                let e = error(*got, *want);
                if e.is_nan() || e > worst {
                    (worst, at) = (e, i);
                }
            }
            eprintln!("{kind:?} {level}: worst {worst:e} at {:?}", as32[at]);
            assert!(
                worst <= 2e-6,
                "{kind:?} {level} at {:?}: {:?} vs {:?}",
                as32[at],
                out[at],
                want[at]
            );
        }
        for (v, want) in as32.iter().zip(&want) {
            for one in [lanes.unclamped::<true>(*v), lanes.unclamped::<false>(*v)] {
                assert!(
                    error(one, *want) <= 2e-6,
                    "{kind:?} {v:?}: {one:?} vs {want:?}"
                );
            }
        }
    }
    let skipped: Vec<CpuLevel> = CpuLevel::ALL
        .into_iter()
        .filter(|l| !l.is_supported())
        .collect();
    eprintln!("skipped levels (not on this CPU): {skipped:?}");
}

/// The f32 curves are the f64 curves (log₁₀ in and out) rescaled to log₂, piece by piece.
#[test]
fn curves_follow_the_f64_tone_scale() {
    let r = Aces1Rendering::new(Aces1Kind::SdrVideo);
    let lanes = Aces1Lanes::new(&r);
    let odt = lanes.odt48.as_ref().unwrap();
    for i in 0..=4000 {
        let log10 = -12.0 + i as f64 * 0.005;
        let u = (log10 / LOG10_2) as f32;
        for (curve, f32_curve) in [(&r.curves[0], lanes.first.eval::<true>(u))]
            .into_iter()
            .chain([(&r.curves[1], odt.eval::<true>(u))])
        {
            let want = curve.eval(f64::from(u) * LOG10_2) / LOG10_2;
            let got = f64::from(f32_curve);
            assert!(
                (got - want).abs() <= 2e-6 * (1.0 + want.abs()),
                "{log10}: {got} vs {want}"
            );
        }
    }
}
