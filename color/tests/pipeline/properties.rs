//! Properties of the CDL and of every op, for any input (proptest).

use lookwire_color::lut::{Domain, Interpolation, Lut1d, Lut3d};
use lookwire_color::pipeline::{Look, Op, WorkingSpace};
use lookwire_color::spaces;
use lookwire_color::{Cdl, CdlStyle};
use proptest::prelude::*;
use std::sync::Arc;

fn rgb_any() -> impl Strategy<Value = [f64; 3]> {
    // Any finite f64, with the interesting small range well represented.
    let one = prop_oneof![
        3 => -2.0f64..3.0,
        1 => proptest::num::f64::NORMAL | proptest::num::f64::ZERO | proptest::num::f64::SUBNORMAL,
    ];
    [one.clone(), one.clone(), one]
}

fn cdl_valid() -> impl Strategy<Value = Cdl> {
    (
        [0.0f64..8.0, 0.0f64..8.0, 0.0f64..8.0],
        [-2.0f64..2.0, -2.0f64..2.0, -2.0f64..2.0],
        [0.05f64..8.0, 0.05f64..8.0, 0.05f64..8.0],
        0.0f64..4.0,
    )
        .prop_map(|(slope, offset, power, sat)| Cdl {
            slope,
            offset,
            power,
            sat,
        })
}

fn style() -> impl Strategy<Value = CdlStyle> {
    prop_oneof![Just(CdlStyle::Asc), Just(CdlStyle::NoClamp)]
}

/// Every kind of op: each space's curve both ways, its matrices, CDLs, ranges, tables.
fn any_op() -> impl Strategy<Value = Op> {
    let n = spaces::all().len();
    prop_oneof![
        (0..n, any::<bool>()).prop_map(|(i, enc)| {
            let s = &spaces::all()[i];
            if enc {
                Op::encode(s.curve)
            } else {
                Op::decode(s.curve)
            }
        }),
        (0..n, any::<bool>()).prop_map(|(i, inv)| {
            let s = &spaces::all()[i];
            Op::Matrix(if inv { s.from_aces() } else { s.to_aces() })
        }),
        (cdl_valid(), style()).prop_map(|(cdl, style)| Op::Cdl { cdl, style }),
        (-1.0f64..0.5, 0.5f64..2.0).prop_map(|(min, max)| Op::Range { min, max }),
        proptest::collection::vec(-10.0f32..10.0, 17 * 3).prop_map(|v| {
            let data = v.chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
            Op::Lut1d(Arc::new(Lut1d::new(data, Domain::UNIT).unwrap()))
        }),
        proptest::collection::vec(-10.0f32..10.0, 27 * 3).prop_map(|v| {
            let data = v.chunks(3).map(|c| [c[0], c[1], c[2]]).collect();
            Op::Lut3d {
                lut: Arc::new(Lut3d::new(3, data, Domain::UNIT).unwrap()),
                interpolation: Interpolation::Tetrahedral,
            }
        }),
    ]
}

proptest! {
    #[test]
    fn no_clamp_identity_is_exact(rgb in rgb_any()) {
        prop_assert_eq!(Cdl::IDENTITY.apply(rgb, CdlStyle::NoClamp), rgb);
    }

    #[test]
    fn asc_identity_is_a_clamp_to_unit(rgb in rgb_any()) {
        prop_assert_eq!(Cdl::IDENTITY.apply(rgb, CdlStyle::Asc), rgb.map(|x| x.clamp(0.0, 1.0)));
    }

    #[test]
    fn asc_output_stays_in_unit(cdl in cdl_valid(), rgb in rgb_any()) {
        for v in cdl.apply(rgb, CdlStyle::Asc) {
            prop_assert!((0.0..=1.0).contains(&v), "{v}");
        }
    }

    #[test]
    fn no_op_gives_nan_or_infinity(op in any_op(), rgb in rgb_any()) {
        let out = op.apply(rgb);
        prop_assert!(out.iter().all(|x| x.is_finite()), "{op:?} {rgb:?} → {out:?}");
    }

    #[test]
    fn chains_of_ops_stay_finite(ops in proptest::collection::vec(any_op(), 1..6), rgb in rgb_any()) {
        let p = lookwire_color::pipeline::Pipeline::new(ops);
        prop_assert!(p.apply(rgb).iter().all(|x| x.is_finite()));
        prop_assert!(p.optimized().apply(rgb).iter().all(|x| x.is_finite()));
    }

    /// With ASC clamping values stay bounded, so the optimised chain must equal the
    /// full one to rounding.
    #[test]
    fn optimiser_keeps_the_result(
        input in 0..spaces::all().len(),
        output in 0..spaces::all().len(),
        acescct in any::<bool>(),
        cdl in cdl_valid(),
        rgb in [0.0f64..=1.0, 0.0f64..=1.0, 0.0f64..=1.0],
    ) {
        let ids = spaces::ids();
        let working = if acescct { WorkingSpace::AcesCct } else { WorkingSpace::Camera };
        let look = Look::from_ids(ids[input], working, ids[output])
            .unwrap()
            .with_cdl(cdl, CdlStyle::Asc);
        let full = look.pipeline().unwrap();
        let (a, b) = (full.apply(rgb), full.clone().optimized().apply(rgb));
        for c in 0..3 {
            prop_assert!((a[c] - b[c]).abs() <= 1e-7 * a[c].abs().max(1.0), "{a:?} {b:?}");
        }
    }
}
