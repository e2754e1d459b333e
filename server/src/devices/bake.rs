//! Baking a camera's look for one output, as devices receive it: the live bake (33³ in
//! well under a millisecond in release builds) with per-output tables built once and
//! shared by every camera.

use std::collections::HashMap;
use std::sync::Arc;

use lookwire_color::output::live::{exact_bake, LiveBake, OutputTable};
use lookwire_color::output::{OutputTransform, SignalRange};
use lookwire_color::pipeline::{self, Op};
use lookwire_color::{spaces, Cdl, CdlStyle, Domain, Lut3d};
use lookwire_protocol::Look;

use crate::show::{Bypass, Camera, Show, WorkingSpace};

/// Lattice size of the looks sent to devices (the common LUT-box size).
pub const DEVICE_LUT_SIZE: usize = 33;
/// Lattice size of the shared output tables.
const OUTPUT_TABLE_SIZE: usize = 65;

/// Why a look could not be baked for a device.
#[derive(Debug, thiserror::Error)]
pub enum BakeError {
    #[error("unknown camera {0:?}")]
    Camera(String),
    #[error("unknown output {0:?}")]
    Output(String),
    #[error("output {0:?} uses a show LUT file: devices are fed display transforms only for now")]
    ShowLut(String),
    #[error("show look {0:?} carries a LUT file: devices are fed CDL looks only for now")]
    LookLut(String),
    #[error("output {0:?}: unknown display transform {1:?}")]
    Display(String, String),
    #[error(transparent)]
    Look(#[from] crate::show::LookError),
    #[error(transparent)]
    Lut(#[from] lookwire_color::LutError),
    #[error(transparent)]
    Pipeline(#[from] pipeline::PipelineError),
    #[error(transparent)]
    Space(#[from] spaces::SpaceError),
}

/// What a camera's live bake depends on apart from its trim.
#[derive(Clone, Debug, PartialEq)]
struct LiveKey {
    input: String,
    working: WorkingSpace,
    display: String,
    legal: bool,
    look: Option<Cdl>,
    style: CdlStyle,
}

/// Caches of output tables and per-camera live bakes.
#[derive(Debug, Default)]
pub struct Baker {
    tables: HashMap<(String, bool), Arc<OutputTable>>,
    lives: HashMap<(String, String), (LiveKey, LiveBake)>,
}

fn color_working(w: WorkingSpace) -> pipeline::WorkingSpace {
    match w {
        WorkingSpace::Camera => pipeline::WorkingSpace::Camera,
        WorkingSpace::Acescct => pipeline::WorkingSpace::AcesCct,
    }
}

impl Baker {
    /// The look of `camera` through `output` with the device's `bypass`.
    pub fn bake(
        &mut self,
        show: &Show,
        camera: &str,
        output: &str,
        bypass: Bypass,
    ) -> Result<Look, BakeError> {
        let cam = show
            .cameras
            .get(camera)
            .ok_or_else(|| BakeError::Camera(camera.into()))?;
        let out = show
            .outputs
            .get(output)
            .ok_or_else(|| BakeError::Output(output.into()))?;
        let bypass = if bypass == Bypass::None {
            out.bypass
        } else {
            bypass
        };
        let label = format!("{} {}", cam.label, out.name);
        let display = match (&out.display, &out.lut) {
            (Some(d), None) => d.clone(),
            _ => return Err(BakeError::ShowLut(output.into())),
        };
        let style = show.cdl_style;
        let mut trim = cam.grade.trim;
        let mut look_cdl = None;
        match bypass {
            Bypass::Identity => {
                return Ok(Look {
                    cdl: Some(Cdl::IDENTITY),
                    cdl_style: style,
                    ..Look::from_lut(Lut3d::identity(DEVICE_LUT_SIZE)?, label)
                });
            }
            Bypass::DisplayOnly => trim = Cdl::IDENTITY,
            Bypass::None => {
                if let Some(id) = &cam.grade.look {
                    let l = show
                        .looks
                        .get(id)
                        .ok_or_else(|| BakeError::LookLut(id.clone()))?;
                    if l.lut.is_some() {
                        return Err(BakeError::LookLut(id.clone()));
                    }
                    look_cdl = l.cdl;
                }
            }
        }
        let legal = out.range == crate::show::SignalRange::Legal;
        let lut = if bypass == Bypass::None && !cam.grade.nodes.is_empty() {
            // Secondary trims and curves: the exact bake of the show's one look description.
            let look = crate::show::look_for_grade(show, cam, output, &cam.grade, bypass)?;
            let desc = look
                .pipeline
                .ok_or_else(|| BakeError::Output(output.into()))?;
            exact_bake(&desc, DEVICE_LUT_SIZE)?
        } else if bypass == Bypass::None && !cam.grade.match_cdl.is_identity() {
            exact(cam, &display, legal, &trim, look_cdl, style)?
        } else {
            let key = LiveKey {
                input: cam.input_space.clone(),
                working: cam.working_space,
                display,
                legal,
                look: look_cdl,
                style,
            };
            let live = self.live(camera, output, key)?;
            live.bake(&trim, style)?
        };
        let mut look = Look::from_lut(lut, label);
        look.cdl = device_cdl(cam, bypass, &trim, look_cdl, style);
        look.cdl_style = style;
        Ok(look)
    }

    fn table(
        &mut self,
        key: &LiveKey,
        input: &spaces::InputSpace,
    ) -> Result<Arc<OutputTable>, BakeError> {
        let transform = output_transform(&key.display, key.legal)?;
        if key.working == WorkingSpace::Camera {
            return Ok(Arc::new(OutputTable::camera(
                input,
                &transform,
                false,
                OUTPUT_TABLE_SIZE,
            )?));
        }
        let id = (key.display.clone(), key.legal);
        if let Some(t) = self.tables.get(&id) {
            return Ok(Arc::clone(t));
        }
        let t = Arc::new(OutputTable::acescct(&transform, false, OUTPUT_TABLE_SIZE)?);
        self.tables.insert(id, Arc::clone(&t));
        Ok(t)
    }

    fn live(&mut self, camera: &str, output: &str, key: LiveKey) -> Result<&LiveBake, BakeError> {
        let id = (camera.to_string(), output.to_string());
        let fresh = self.lives.get(&id).is_some_and(|(k, _)| *k == key);
        if !fresh {
            let input = spaces::lookup(&key.input)?;
            let table = self.table(&key, &input)?;
            let mut live =
                LiveBake::new(&input, color_working(key.working), table, DEVICE_LUT_SIZE)?;
            if let Some(cdl) = key.look {
                live.set_look(Some(&look_lattice(&cdl, key.style)?));
            }
            self.lives.insert(id.clone(), (key, live));
        }
        Ok(&self.lives[&id].1)
    }
}

/// The one CDL that CDL-only devices get for the grade the lattice carries: match, trim and
/// look merged, the same merge post exports. `None` when they do not merge exactly.
fn device_cdl(
    cam: &Camera,
    bypass: Bypass,
    trim: &Cdl,
    look: Option<Cdl>,
    style: CdlStyle,
) -> Option<Cdl> {
    if bypass != Bypass::None {
        // Display only: no match, trim or look in the lattice either.
        return Some(Cdl::IDENTITY);
    }
    if !cam.grade.nodes.is_empty() {
        // Secondary nodes: `crate::show::fit_cdl` gives the best single CDL and its error.
        return None;
    }
    let chain = [Some(cam.grade.match_cdl), Some(*trim), look];
    Cdl::merge_exact(&chain.into_iter().flatten().collect::<Vec<_>>(), style)
}

fn output_transform(display: &str, legal: bool) -> Result<OutputTransform, BakeError> {
    let t = OutputTransform::from_id(display)
        .ok_or_else(|| BakeError::Display(String::new(), display.into()))?;
    Ok(t.with_range(if legal {
        SignalRange::Legal
    } else {
        SignalRange::Full
    }))
}

/// The show look's CDL as a lattice over the working values a trim can hand it: 0..1
/// after an ASC-clamped trim, a wider span (ACEScct's) without the clamp.
fn look_lattice(cdl: &Cdl, style: CdlStyle) -> Result<Lut3d, lookwire_color::LutError> {
    let (lo, hi) = match style {
        CdlStyle::Asc => (0.0f32, 1.0f32),
        CdlStyle::NoClamp => (-0.5, 1.75),
    };
    let span = f64::from(hi - lo);
    let unit = Lut3d::from_fn(DEVICE_LUT_SIZE, |u| {
        cdl.apply(u.map(|c| f64::from(lo) + c * span), style)
    })?;
    Lut3d::new(
        DEVICE_LUT_SIZE,
        unit.into_data(),
        Domain::new([lo; 3], [hi; 3])?,
    )
}

/// The exact bake for grades the live path cannot express (a match CDL before the trim).
fn exact(
    cam: &Camera,
    display: &str,
    legal: bool,
    trim: &Cdl,
    look: Option<Cdl>,
    style: CdlStyle,
) -> Result<Lut3d, BakeError> {
    let range = if legal {
        SignalRange::Legal
    } else {
        SignalRange::Full
    };
    let output = pipeline::resolve_output(display)?.with_range(range);
    let mut desc =
        pipeline::Look::from_ids(&cam.input_space, color_working(cam.working_space), display)?
            .with_cdl(cam.grade.match_cdl, style)
            .with_look(Op::Cdl { cdl: *trim, style });
    if let Some(cdl) = look {
        desc = desc.with_look(Op::Cdl { cdl, style });
    }
    desc.output = output;
    Ok(exact_bake(&desc, DEVICE_LUT_SIZE)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::demo::demo_show;
    use lookwire_color::Interpolation;

    /// The live bake the devices get against the exact f64 pipeline of the same grade.
    #[test]
    fn device_looks_match_the_exact_pipeline() {
        let mut show = demo_show();
        show.cameras["a"].grade.trim = Cdl {
            slope: [1.1, 1.0, 0.9],
            offset: [0.01, 0.0, -0.01],
            power: [1.0, 1.05, 0.95],
            sat: 0.9,
        };
        let mut baker = Baker::default();
        let look = baker.bake(&show, "a", "sdr", Bypass::None).unwrap();
        let cam = &show.cameras["a"];
        let look_cdl = show.looks["warm-contrast"].cdl;
        let want = exact(
            cam,
            "aces2-sdr-rec709",
            true,
            &cam.grade.trim,
            look_cdl,
            show.cdl_style,
        )
        .unwrap();
        // The engine's live bake is within a code at the median; its tail (out-of-gamut
        // nodes the output clamps, where the display curves are steepest) is larger
        // (color/tests/output_live.rs pins max < 400, p99.9 < 100).
        let mut errs: Vec<f32> = look
            .lut
            .data()
            .iter()
            .zip(want.data())
            .flat_map(|(a, b)| (0..3).map(move |c| (a[c] - b[c]).abs() * 1023.0))
            .collect();
        errs.sort_by(f32::total_cmp);
        let (median, max) = (errs[errs.len() / 2], errs[errs.len() - 1]);
        assert!(
            median < 0.25 && max < 400.0,
            "live vs exact: median {median}, max {max} 10-bit codes"
        );
        let probe = look.lut.lookup([0.4, 0.4, 0.4], Interpolation::Tetrahedral);
        let exact_probe = want.lookup([0.4, 0.4, 0.4], Interpolation::Tetrahedral);
        // Between nodes the show look, sampled as a 33³ lattice, costs about a code more.
        assert!(
            (probe[1] - exact_probe[1]).abs() * 1023.0 < 2.0,
            "mid grey {probe:?} vs {exact_probe:?}"
        );
        // The trim's power before the look's slope: no single CDL carries both.
        assert_eq!(look.cdl, None);
        assert_eq!(look.lut.size(), DEVICE_LUT_SIZE);
    }

    /// CDL-only devices get match, trim and show look merged into one CDL, as post exports.
    #[test]
    fn device_cdl_is_match_trim_and_look_merged() {
        let mut show = demo_show();
        show.cdl_style = CdlStyle::NoClamp;
        let cam = show.cameras.get_mut("a").unwrap();
        cam.grade.match_cdl =
            Cdl::from_sop_sat([1.02, 0.98, 1.0, 0.01, 0.0, -0.005, 1.0, 1.0, 1.0], 1.0).unwrap();
        cam.grade.trim =
            Cdl::from_sop_sat([1.1, 1.0, 0.9, 0.01, 0.0, -0.01, 1.0, 1.0, 1.0], 1.0).unwrap();
        let mut baker = Baker::default();
        let look = baker.bake(&show, "a", "sdr", Bypass::None).unwrap();
        let cam = &show.cameras["a"];
        let look_cdl = show.looks["warm-contrast"].cdl.unwrap();
        let merged = look.cdl.expect("a merged CDL");
        assert_eq!(look.cdl_style, CdlStyle::NoClamp);
        // The merged CDL renders what the three render one after the other.
        for x in [-0.2, 0.0, 0.18, 0.6, 1.2] {
            let rgb = [x, x * 0.8 + 0.02, x * 1.1];
            let chain = [cam.grade.match_cdl, cam.grade.trim, look_cdl];
            let want = chain.iter().fold(rgb, |v, c| c.apply(v, CdlStyle::NoClamp));
            let got = merged.apply(rgb, CdlStyle::NoClamp);
            assert!(
                got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-12),
                "{rgb:?}: {got:?} vs {want:?}"
            );
        }
        assert_ne!(merged, cam.grade.trim, "not the trim alone");
        // Post exports the same CDL for this grade.
        let post = crate::post::show_log::post_grade(&show, "a", &cam.grade).unwrap();
        assert_eq!(post.cdl, merged);
        // Under the ASC clamp the three do not merge: CDL-only devices get none.
        show.cdl_style = CdlStyle::Asc;
        let look = baker.bake(&show, "a", "sdr", Bypass::None).unwrap();
        assert_eq!(look.cdl, None);
        let look = baker.bake(&show, "a", "sdr", Bypass::DisplayOnly).unwrap();
        assert_eq!(look.cdl, Some(Cdl::IDENTITY));
    }

    #[test]
    fn bypass_identity_and_unknown_ids() {
        let show = demo_show();
        let mut baker = Baker::default();
        let look = baker.bake(&show, "b", "hdr", Bypass::Identity).unwrap();
        assert_eq!(*look.lut, Lut3d::identity(DEVICE_LUT_SIZE).unwrap());
        assert!(baker
            .bake(&show, "zz", "sdr", Bypass::None)
            .unwrap_err()
            .to_string()
            .contains("zz"));
        assert!(baker
            .bake(&show, "a", "nope", Bypass::None)
            .unwrap_err()
            .to_string()
            .contains("nope"));
    }
}
