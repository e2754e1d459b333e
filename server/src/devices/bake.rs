//! Baking a camera's look for one output, as devices receive it, from the show's one look
//! description ([`crate::show::look_for_grade`]).
//!
//! A grade of at most one CDL before the show look's CDL (the trim, or the match when the
//! trim is neutral) goes through the live bake, with per-output tables built once and
//! shared by every camera and every [`Baker`] in the process; anything else (secondary
//! nodes, curves, match and trim both set, a show LUT output) is baked exactly.
//!
//! For ACES 2.0 and 1.x outputs the live bake is [`LiveBake::bake_live`]: the exact output per
//! node in f32 lanes, the show look's CDL applied exactly, within a fraction of a 10-bit
//! code of the exact bake for nearly every grade (color/tests/output_live.rs). Not for
//! every one: the exact ACES 2.0 output jumps tens of codes within 1e-6 of some nodes
//! (the f32 path, ~1e-7 off in its working values, may land on the other side), so such
//! looks are [`LookQuality::Live`] too, and once the grade settles the feeder pushes the
//! exact bake ([`Certify`], every node in f64). ACES 1.x outputs go the same way: their
//! rendering in f32 lanes is within a fraction of a code too (its table bake, before, was
//! hundreds of codes off on saturated and bright nodes), and their [`Certify`] bake is the
//! exact bake as well.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use lookwire_color::output::live::{
    exact_bake, live_error, Certified, LiveBake, LiveError, OutputTable,
};
use lookwire_color::output::{OutputTransform, SignalRange};
use lookwire_color::pipeline;
use lookwire_color::{spaces, Cdl, CdlStyle, Lut3d};
use lookwire_protocol::{Look, LookQuality};

use crate::show::look::engine_working;
use crate::show::{Bypass, CameraLook, LookNode, Show, WorkingSpace};
use crate::sync::lock;

/// Lattice size of the looks sent to devices (the common LUT-box size).
pub const DEVICE_LUT_SIZE: usize = 33;
/// Lattice size of the shared output tables.
const OUTPUT_TABLE_SIZE: usize = 65;
/// The certified bake's bound, in 10-bit code values (the "within one code").
pub const CERTIFIED_MAX_CODES: f32 = 1.0;

/// Why a look could not be baked for a device.
#[derive(Debug, thiserror::Error)]
pub enum BakeError {
    #[error("unknown camera {0:?}")]
    Camera(String),
    #[error("output {0:?}: its show LUT file has no table loaded")]
    ShowLut(String),
    #[error("show look {0:?}: its LUT file has no table loaded")]
    LookLut(String),
    #[error("output {0:?}: unknown display transform {1:?}")]
    Display(String, String),
    #[error(transparent)]
    Look(crate::show::LookError),
    #[error(transparent)]
    Lut(#[from] lookwire_color::LutError),
    #[error(transparent)]
    Pipeline(#[from] pipeline::PipelineError),
    #[error(transparent)]
    Space(#[from] spaces::SpaceError),
}

impl From<crate::show::LookError> for BakeError {
    fn from(e: crate::show::LookError) -> Self {
        use crate::show::LookError;
        match e {
            LookError::ShowLut(o, _) => BakeError::ShowLut(o),
            LookError::LookLut(l, _) => BakeError::LookLut(l),
            e => BakeError::Look(e),
        }
    }
}

/// What a camera's live bake depends on apart from its first CDL.
#[derive(Clone, Debug, PartialEq)]
struct LiveKey {
    input: String,
    working: WorkingSpace,
    display: String,
    range: SignalRange,
    look: Option<Cdl>,
    style: CdlStyle,
}

/// Per-camera live bakes (their output tables come from `output_table`).
#[derive(Debug, Default)]
pub struct Baker {
    lives: HashMap<(String, String), (LiveKey, Arc<LiveBake>)>,
}

/// How a look goes through the live bake: its first CDL and the bake that takes it.
struct LivePlan {
    first: Cdl,
    key: LiveKey,
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
        let desc = describe(show, camera, output, bypass)?;
        let label = label(show, &desc);
        let Some(exact) = exact_description(&desc) else {
            // The identity bypass: the box shows the camera's log signal.
            return Ok(Look {
                cdl: Some(Cdl::IDENTITY),
                cdl_style: desc.style,
                ..Look::from_lut(Lut3d::identity(DEVICE_LUT_SIZE)?, label)
            });
        };
        let (lut, quality) = match live_plan(show, &desc) {
            Some(plan) => {
                let live = self.live(camera, output, &plan.key)?;
                (live.bake_live(&plan.first, desc.style)?, LookQuality::Live)
            }
            None => (exact_bake(&exact, DEVICE_LUT_SIZE)?, LookQuality::Certified),
        };
        let mut look = Look::from_lut(lut, label);
        look.cdl = device_cdl(&desc);
        look.cdl_style = desc.style;
        look.quality = quality;
        Ok(look)
    }

    /// The certified bake of the same look, ready to run off the async workers; `None` when
    /// [`Baker::bake`] already bakes it exactly (or as the identity).
    pub fn certify(
        &mut self,
        show: &Show,
        camera: &str,
        output: &str,
        bypass: Bypass,
    ) -> Result<Option<Certify>, BakeError> {
        let desc = describe(show, camera, output, bypass)?;
        let (Some(_), Some(plan)) = (exact_description(&desc), live_plan(show, &desc)) else {
            return Ok(None);
        };
        let live = self.live(camera, output, &plan.key)?;
        Ok(Some(Certify {
            live: Arc::clone(live),
            first: plan.first,
            style: desc.style,
        }))
    }

    fn live(
        &mut self,
        camera: &str,
        output: &str,
        key: &LiveKey,
    ) -> Result<&Arc<LiveBake>, BakeError> {
        let id = (camera.to_string(), output.to_string());
        let fresh = self.lives.get(&id).is_some_and(|(k, _)| k == key);
        if !fresh {
            let input = spaces::lookup(&key.input)?;
            let table = output_table(key, &input)?;
            let mut live =
                LiveBake::new(&input, engine_working(key.working), table, DEVICE_LUT_SIZE)?;
            live.set_look_cdl(key.look);
            self.lives.insert(id.clone(), (key.clone(), Arc::new(live)));
        }
        Ok(&self.lives[&id].1)
    }
}

/// A certified bake to run, the show look's CDL exact: [`LiveBake::bake_exact`] for
/// outputs with an f32 live bake (ACES 2.0 and 1.x: the table certifies next to no node
/// there), [`LiveBake::bake_certified`] for any other; the lattice within
/// [`CERTIFIED_MAX_CODES`] of the exact bake.
#[derive(Debug, Clone)]
pub struct Certify {
    live: Arc<LiveBake>,
    first: Cdl,
    style: CdlStyle,
}

impl Certify {
    /// The certified lattice and how many nodes were computed exactly (the certified
    /// bake's exact nodes run on rayon's pool of the caller: see
    /// [`LiveBake::bake_certified`]).
    pub fn run(&self) -> Result<(Lut3d, Certified), BakeError> {
        let live = &self.live;
        Ok(match live.has_exact_live() {
            true => live.bake_exact(&self.first, self.style)?,
            false => live.bake_certified(&self.first, self.style, CERTIFIED_MAX_CODES)?,
        })
    }
}

/// How far the live lattice `live` is from the exact look, measured through `certified`
/// (its certified bake and what that bake reported), in 10-bit code values;
/// `None` when the lattices differ in size.
pub fn live_error_of(live: &Lut3d, certified: &(Lut3d, Certified)) -> Option<LiveError> {
    let (lut, report) = certified;
    (live.size() == lut.size())
        .then(|| live_error(live.data(), lut.data(), CERTIFIED_MAX_CODES, *report))
}

/// The engine's description of the look, for exact bakes; `None` under the identity
/// bypass. Its grade CDLs are all in `looks`; the description's own CDL stays the identity,
/// which under the ASC style would still clamp the working values to 0..1 (saturated
/// camera colours reach ACEScct far below 0): it is made a true no-op, as in the live bake.
pub fn exact_description(desc: &CameraLook) -> Option<pipeline::Look> {
    let mut look = desc.pipeline.clone()?;
    if look.cdl.is_identity() {
        look.cdl_style = CdlStyle::NoClamp;
    }
    Some(look)
}

/// The show's description of the look, for a camera that must exist.
fn describe(
    show: &Show,
    camera: &str,
    output: &str,
    bypass: Bypass,
) -> Result<CameraLook, BakeError> {
    let cam = show
        .cameras
        .get(camera)
        .ok_or_else(|| BakeError::Camera(camera.into()))?;
    Ok(crate::show::look_for_grade(
        show, cam, output, &cam.grade, bypass,
    )?)
}

fn label(show: &Show, desc: &CameraLook) -> String {
    let cam = show
        .cameras
        .get(&desc.camera)
        .map_or("", |c| c.label.as_str());
    let out = show
        .outputs
        .get(&desc.output)
        .map_or("", |o| o.name.as_str());
    format!("{cam} {out}")
}

/// The show look's CDL of the camera's grade, when it has one that does something.
fn show_look_cdl(show: &Show, desc: &CameraLook) -> Option<Cdl> {
    let grade = &show.cameras.get(&desc.camera)?.grade;
    let cdl = show.looks.get(grade.look.as_ref()?)?.cdl?;
    (!cdl.is_identity()).then_some(cdl)
}

/// The live bake takes one CDL per change and then the show look's CDL (exact, kept in
/// the bake): a description of at most one CDL before the show look's goes live.
fn live_plan(show: &Show, desc: &CameraLook) -> Option<LivePlan> {
    // A show LUT output has no shared output table: its looks are baked exactly.
    if desc.show_lut.is_some() {
        return None;
    }
    let mut look = None;
    let mut nodes = desc.nodes.as_slice();
    // The show look is the last node when the bypass keeps it.
    if let (Some(cdl), Some((LookNode::Cdl(last), rest))) =
        (show_look_cdl(show, desc), nodes.split_last())
    {
        if *last == cdl {
            (look, nodes) = (Some(cdl), rest);
        }
    }
    let first = match nodes {
        [] => Cdl::IDENTITY,
        [LookNode::Cdl(c)] => *c,
        _ => return None,
    };
    let cam = show.cameras.get(&desc.camera)?;
    let key = LiveKey {
        input: cam.input_space.clone(),
        working: desc.working,
        display: desc.display.clone(),
        range: desc.range,
        look,
        style: desc.style,
    };
    Some(LivePlan { first, key })
}

/// The one CDL that CDL-only devices get for the grade the lattice carries: its CDLs
/// merged, the same merge post exports. `None` when they do not merge exactly (or the
/// grade holds curves); `crate::show::fit_cdl` then gives the best single CDL.
fn device_cdl(desc: &CameraLook) -> Option<Cdl> {
    Cdl::merge_exact(&desc.cdls()?, desc.style)
}

/// The output table of a live key: shared by every bake in the process that needs it,
/// kept as long as one of them does. ACEScct tables depend on the display alone; camera
/// working mode tables on the camera's input too.
fn output_table(key: &LiveKey, input: &spaces::InputSpace) -> Result<Arc<OutputTable>, BakeError> {
    type Tables = Mutex<HashMap<(Option<String>, String, bool), Weak<OutputTable>>>;
    static TABLES: OnceLock<Tables> = OnceLock::new();
    let camera = (key.working == WorkingSpace::Camera).then(|| key.input.clone());
    let id = (camera, key.display.clone(), key.range == SignalRange::Legal);
    let tables = TABLES.get_or_init(Tables::default);
    if let Some(t) = lock(tables).get(&id).and_then(Weak::upgrade) {
        return Ok(t);
    }
    let transform = OutputTransform::from_id(&key.display)
        .ok_or_else(|| BakeError::Display(String::new(), key.display.clone()))?
        .with_range(key.range);
    // Built outside the lock (seconds in debug builds); two first users may both build it.
    let t = Arc::new(match key.working {
        WorkingSpace::Camera => OutputTable::camera(input, &transform, false, OUTPUT_TABLE_SIZE)?,
        WorkingSpace::Acescct => OutputTable::acescct(&transform, false, OUTPUT_TABLE_SIZE)?,
    });
    let mut tables = lock(tables);
    tables.retain(|_, w| w.strong_count() > 0);
    tables.insert(id, Arc::downgrade(&t));
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::show::demo::demo_show;
    use lookwire_color::{Domain, Interpolation};

    /// The exact bake of camera A's look through `output` in `show`.
    fn exact_of(show: &Show, output: &str) -> Lut3d {
        let desc = crate::show::look_for(show, "a", output).unwrap();
        exact_bake(&exact_description(&desc).unwrap(), DEVICE_LUT_SIZE).unwrap()
    }

    /// Every node's distance from the exact bake (max and p99.9, 10-bit codes).
    fn to_exact(lut: &Lut3d, exact: &Lut3d) -> LiveError {
        let all_exact = Certified {
            exact_nodes: DEVICE_LUT_SIZE.pow(3),
        };
        live_error_of(lut, &(exact.clone(), all_exact)).unwrap()
    }

    /// The live bake the devices get against the exact f64 pipeline of the same grade:
    /// within a code at every node, with the show look's CDL (a live look: the certified
    /// step follows once the grade settles).
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
        assert_eq!(look.quality, LookQuality::Live);
        let desc = crate::show::look_for(&show, "a", "sdr").unwrap();
        assert_eq!(desc.range, SignalRange::Legal);
        let want = exact_of(&show, "sdr");
        let error = to_exact(&look.lut, &want);
        assert!(error.max_codes < 1.0, "live vs exact: {error:?}");
        let probe = look.lut.lookup([0.4, 0.4, 0.4], Interpolation::Tetrahedral);
        let exact_probe = want.lookup([0.4, 0.4, 0.4], Interpolation::Tetrahedral);
        assert!(
            (probe[1] - exact_probe[1]).abs() * 1023.0 < 1.0,
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

    /// ACES 2.0 outputs: the live look is within a code of the exact bake on saturated and
    /// bright nodes too, with and without a show look; it is still a live look (the exact
    /// output jumps within 1e-6 of some nodes, where the f32 path may not follow), and
    /// its certified bake is the exact bake.
    #[test]
    fn aces2_live_looks_are_within_a_code_and_certified_by_the_exact_bake() {
        let mut show = demo_show();
        // Saturated and bright: where ACES 2.0's creases made the table bake's tail.
        show.cameras["a"].grade.trim = Cdl {
            slope: [1.6, 1.0, 0.7],
            offset: [0.02, 0.0, -0.02],
            power: [1.0, 1.0, 1.0],
            sat: 1.4,
        };
        let mut baker = Baker::default();
        for look in [None, Some("warm-contrast")] {
            show.cameras["a"].grade.look = look.map(Into::into);
            let live = baker.bake(&show, "a", "hdr", Bypass::None).unwrap();
            assert_eq!(live.quality, LookQuality::Live, "{look:?}");
            let exact = exact_of(&show, "hdr");
            let error = to_exact(&live.lut, &exact);
            assert!(
                error.max_codes < 1.0 && error.p999_codes <= error.max_codes,
                "{look:?}: {error:?}"
            );
            let job = baker.certify(&show, "a", "hdr", Bypass::None).unwrap();
            let certified = job
                .expect("a live look has a certified bake")
                .run()
                .unwrap();
            assert_eq!(certified.1.exact_nodes, DEVICE_LUT_SIZE.pow(3));
            let certified_error = to_exact(&certified.0, &exact);
            assert!(
                certified_error.max_codes < 0.01,
                "{look:?}: {certified_error:?}"
            );
            // Measured through the certified bake, the live error is the exact one.
            let through = live_error_of(&live.lut, &certified).unwrap();
            assert_eq!(through.within_codes, 0.0);
            assert!(
                (through.max_codes - error.max_codes).abs() < 0.01,
                "{through:?}"
            );
        }
        // Grades the live bake cannot take are baked exactly: nothing to certify.
        show.cameras["a"].grade.match_cdl.slope[1] = 1.05;
        let exact_look = baker.bake(&show, "a", "hdr", Bypass::None).unwrap();
        assert_eq!(exact_look.quality, LookQuality::Certified);
        assert_eq!(*exact_look.lut, exact_of(&show, "hdr"));
        assert!(baker
            .certify(&show, "a", "hdr", Bypass::None)
            .unwrap()
            .is_none());
        assert!(baker
            .certify(&show, "a", "hdr", Bypass::Identity)
            .unwrap()
            .is_none());
    }

    /// ACES 1.x outputs: the live look (the rendering in f32 lanes) is within a code of
    /// the exact bake on saturated and bright nodes too, with and without a show look,
    /// where the table bake it replaces is more than a code off; as for ACES 2.0 its
    /// certified bake is the exact bake, through which the live error is measured exactly.
    #[test]
    fn aces1_live_looks_are_within_a_code_and_certified_by_the_exact_bake() {
        let mut show = demo_show();
        show.outputs["hdr"].display = Some("aces1-hdr-rec2100-pq1000".into());
        show.cameras["a"].grade.trim = Cdl {
            slope: [1.6, 1.0, 0.7],
            offset: [0.02, 0.0, -0.02],
            power: [1.0, 1.0, 1.0],
            sat: 1.4,
        };
        let mut baker = Baker::default();
        for look in [None, Some("warm-contrast")] {
            show.cameras["a"].grade.look = look.map(Into::into);
            let live = baker.bake(&show, "a", "hdr", Bypass::None).unwrap();
            assert_eq!(live.quality, LookQuality::Live);
            let exact = exact_of(&show, "hdr");
            let live_exact = to_exact(&live.lut, &exact);
            assert!(live_exact.max_codes < 1.0, "{look:?}: {live_exact:?}");
            let job = baker
                .certify(&show, "a", "hdr", Bypass::None)
                .unwrap()
                .expect("a live look has a certified bake");
            // The table bake (the live look before the f32 lanes) is not within a code.
            let table = job.live.bake(&job.first, job.style).unwrap();
            let table_error = to_exact(&table, &exact);
            assert!(table_error.max_codes > 1.0, "{look:?}: {table_error:?}");
            let certified = job.run().unwrap();
            assert_eq!(certified.1.exact_nodes, DEVICE_LUT_SIZE.pow(3));
            let certified_error = to_exact(&certified.0, &exact);
            assert!(
                certified_error.max_codes < 0.01,
                "{look:?}: certified vs exact: {certified_error:?}"
            );
            let through = live_error_of(&live.lut, &certified).unwrap();
            assert_eq!(through.within_codes, 0.0);
            assert!(
                (through.max_codes - live_exact.max_codes).abs() < 0.01,
                "{through:?} vs {live_exact:?}"
            );
        }
    }

    #[test]
    fn live_error_is_max_and_p999_in_codes_through_the_certified_bake() {
        let id = Lut3d::identity(9).unwrap();
        let mut data = id.data().to_vec();
        data[7][1] += 10.0 / 1023.0;
        let moved = Lut3d::new(9, data, Domain::UNIT).unwrap();
        let all = Certified { exact_nodes: 729 };
        let e = live_error_of(&moved, &(id.clone(), all)).unwrap();
        assert!((e.max_codes - 10.0).abs() < 1e-3, "{e:?}");
        // One channel of 2187 is off: the 99.9th percentile is not.
        assert!(e.p999_codes < 1e-3, "{e:?}");
        assert_eq!(
            e.within_codes, 0.0,
            "every node exact: the figures are exact"
        );
        let some = Certified { exact_nodes: 100 };
        let e = live_error_of(&moved, &(id.clone(), some)).unwrap();
        assert_eq!(e.within_codes, CERTIFIED_MAX_CODES);
        assert!(live_error_of(&id, &(Lut3d::identity(3).unwrap(), all)).is_none());
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
