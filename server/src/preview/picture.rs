//! A picture request: which view of the camera (graded, ungraded log, false color), which
//! overlays, and what it is compared with. Parsed from query parameters; rendered by
//! [`Previews::picture`].

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use lookwire_color::kernel::{self, Coding, ImageDesc, Kernel, Layout};
use lookwire_color::output::{Gamut as OutputGamut, OutputTransform};
use lookwire_color::spaces::{self, gamut, Adaptation};
use lookwire_color::Lut3d;

use super::views::{self, Zone};
use super::{lock, scopes, target, Graded, PreviewError, Previews, Target};
use crate::looks::look_key;
use crate::show::{Bypass, Show};

/// What the picture shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum View {
    /// Through the camera's look (the default).
    #[default]
    Graded,
    /// The camera's own log signal, ungraded.
    Log,
    /// False color for exposure ([`views::zones`]).
    FalseColor,
}

/// Overlays drawn on the picture.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Overlays {
    pub safe: bool,
    pub cross: bool,
    pub clip: bool,
    pub gamut: bool,
}

/// What the second picture of a compare is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Against {
    /// The same camera, ungraded log.
    Log,
    /// Another camera, graded (through the same output id when it has it).
    Camera(String),
    /// A snapshot's grade on its camera.
    Snapshot(String),
}

/// How two pictures are put together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareMode {
    /// One frame: the first picture left of a movable boundary, the second right of it.
    Wipe,
    /// Both whole pictures side by side at half width.
    Split,
}

/// A compare of the picture with another one.
#[derive(Clone, Debug, PartialEq)]
pub struct Compare {
    pub mode: CompareMode,
    pub against: Against,
    /// Wipe boundary, 0..1 of the width.
    pub position: f64,
}

/// Everything a picture request asks for beyond camera, output and width.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Picture {
    pub view: View,
    pub overlays: Overlays,
    /// Render the camera with this snapshot's grade instead of its current one.
    pub snapshot: Option<String>,
    pub compare: Option<Compare>,
}

fn bad(param: &'static str, message: String) -> PreviewError {
    PreviewError::Param { param, message }
}

impl Picture {
    /// Reads `view`, `overlay`, `snapshot`, `compare`, `against` and `position`.
    pub fn from_query(q: &HashMap<String, String>) -> Result<Picture, PreviewError> {
        let view = match q.get("view").map(String::as_str) {
            None | Some("graded") => View::Graded,
            Some("log") => View::Log,
            Some("false-color") => View::FalseColor,
            Some(v) => {
                return Err(bad(
                    "view",
                    format!("view {v:?}: expected graded, log or false-color"),
                ))
            }
        };
        let mut overlays = Overlays::default();
        for name in q.get("overlay").into_iter().flat_map(|o| o.split(',')) {
            match name {
                "safe" => overlays.safe = true,
                "cross" => overlays.cross = true,
                "clip" => overlays.clip = true,
                "gamut" => overlays.gamut = true,
                "" => {}
                o => {
                    return Err(bad(
                        "overlay",
                        format!("overlay {o:?}: expected a comma list of safe, cross, clip, gamut"),
                    ))
                }
            }
        }
        Ok(Picture {
            view,
            overlays,
            snapshot: q.get("snapshot").cloned(),
            compare: compare(q)?,
        })
    }
}

fn compare(q: &HashMap<String, String>) -> Result<Option<Compare>, PreviewError> {
    let mode = match q.get("compare").map(String::as_str) {
        None => {
            if q.contains_key("against") {
                return Err(bad(
                    "compare",
                    "against needs compare=wipe or compare=split".into(),
                ));
            }
            return Ok(None);
        }
        Some("wipe") => CompareMode::Wipe,
        Some("split") => CompareMode::Split,
        Some(m) => {
            return Err(bad(
                "compare",
                format!("compare {m:?}: expected wipe or split"),
            ))
        }
    };
    let against = match q.get("against").map(String::as_str) {
        None | Some("log") => Against::Log,
        Some(a) => match a.split_once(':') {
            Some(("camera", id)) if !id.is_empty() => Against::Camera(id.into()),
            Some(("snapshot", id)) if !id.is_empty() => Against::Snapshot(id.into()),
            _ => {
                return Err(bad(
                    "against",
                    format!("against {a:?}: expected log, camera:ID or snapshot:ID"),
                ))
            }
        },
    };
    let position = match q.get("position") {
        None => 0.5,
        Some(p) => p
            .parse::<f64>()
            .ok()
            .filter(|p| (0.0..=1.0).contains(p))
            .ok_or_else(|| bad("position", format!("position {p:?}: expected 0..1")))?,
    };
    Ok(Some(Compare {
        mode,
        against,
        position,
    }))
}

/// `show` with `snapshot`'s grade on its camera, and that camera's id.
fn with_snapshot<'a>(
    show: &'a Show,
    snapshot: &str,
) -> Result<(Cow<'a, Show>, String), PreviewError> {
    let snap = show
        .snapshots
        .get(snapshot)
        .ok_or_else(|| PreviewError::Snapshot(snapshot.into()))?;
    let mut owned = show.clone();
    let cam = owned
        .cameras
        .get_mut(&snap.camera)
        .ok_or_else(|| PreviewError::Camera(snap.camera.clone()))?;
    cam.grade = snap.grade.clone();
    Ok((Cow::Owned(owned), snap.camera.clone()))
}

/// The target of another camera: the same output id when it has it, else its default.
fn other_target(
    show: &Show,
    camera: &str,
    t: &Target,
    keep_hdr: bool,
) -> Result<Target, PreviewError> {
    let has = show
        .cameras
        .get(camera)
        .is_some_and(|c| c.outputs.contains(&t.requested));
    target(show, camera, has.then_some(t.requested.as_str()), keep_hdr)
}

/// What a picture depends on: every look and snapshot it shows.
fn picture_key(show: &Show, t: &Target, pic: &Picture) -> String {
    let mut key = look_key(show, &t.camera, &t.rendered, Bypass::None);
    let snap = |id: &str| {
        show.snapshots.get(id).map_or_else(String::new, |s| {
            let output = show.cameras.get(&s.camera).and_then(|c| c.outputs.first());
            format!(
                "{s:?}{}",
                look_key(show, &s.camera, output.map_or("", |o| o), Bypass::None)
            )
        })
    };
    if let Some(s) = &pic.snapshot {
        key += &snap(s);
    }
    match pic.compare.as_ref().map(|c| &c.against) {
        Some(Against::Camera(id)) => {
            show.cameras
                .get(id)
                .iter()
                .flat_map(|c| &c.outputs)
                .for_each(|o| {
                    key += &look_key(show, id, o, Bypass::None);
                });
        }
        Some(Against::Snapshot(s)) => key += &snap(s),
        _ => {}
    }
    key
}

impl Previews {
    /// What a picture depends on: every look, snapshot and source it shows.
    pub fn picture_key(&self, show: &Show, t: &Target, pic: &Picture) -> String {
        let mut key = picture_key(show, t, pic);
        let mut cameras = vec![t.camera.as_str()];
        match pic.compare.as_ref().map(|c| &c.against) {
            Some(Against::Camera(id)) => cameras.push(id),
            Some(Against::Snapshot(s)) => {
                cameras.extend(show.snapshots.get(s).map(|s| s.camera.as_str()))
            }
            _ => {}
        }
        for c in cameras {
            key += "|";
            key += &self.sources.key(c);
        }
        key
    }

    /// The picture `pic` asks for of `t.camera` at `width`.
    pub fn picture(
        &self,
        show: &Show,
        t: &Target,
        width: usize,
        pic: &Picture,
    ) -> Result<Graded, PreviewError> {
        let (show_a, camera_a) = match &pic.snapshot {
            Some(s) => {
                let (shown, cam) = with_snapshot(show, s)?;
                if cam != t.camera {
                    return Err(bad(
                        "snapshot",
                        format!("snapshot {s:?} is of camera {cam:?}, not {:?}", t.camera),
                    ));
                }
                (shown, cam)
            }
            None => (Cow::Borrowed(show), t.camera.clone()),
        };
        let t_a = Target {
            camera: camera_a,
            ..t.clone()
        };
        let Some(c) = &pic.compare else {
            return self.one(&show_a, &t_a, width, pic.view, pic.overlays);
        };
        let each = match c.mode {
            CompareMode::Wipe => width,
            CompareMode::Split => (width / 2).max(*super::WIDTHS.start()),
        };
        let a = self.one(&show_a, &t_a, each, pic.view, pic.overlays)?;
        let b = match &c.against {
            Against::Log => self.one(show, t, each, View::Log, pic.overlays)?,
            Against::Camera(id) => {
                let tb = other_target(show, id, t, false)?;
                self.one(show, &tb, each, pic.view, pic.overlays)?
            }
            Against::Snapshot(s) => {
                let (shown, cam) = with_snapshot(show, s)?;
                let tb = other_target(&shown, &cam, t, false)?;
                self.one(&shown, &tb, each, pic.view, pic.overlays)?
            }
        };
        match c.mode {
            CompareMode::Split => Ok(views::split(&a, &b)),
            CompareMode::Wipe if (a.width, a.height) == (b.width, b.height) => {
                Ok(views::wipe(&a, &b, c.position))
            }
            CompareMode::Wipe => Err(bad(
                "compare",
                format!(
                    "a wipe needs pictures of one size: {}×{} and {}×{}; use compare=split",
                    a.width, a.height, b.width, b.height
                ),
            )),
        }
    }

    /// One camera's picture with its view and overlays.
    fn one(
        &self,
        show: &Show,
        t: &Target,
        width: usize,
        view: View,
        o: Overlays,
    ) -> Result<Graded, PreviewError> {
        let mut g = match view {
            View::Log => self.log(show, &t.camera, width)?,
            _ => self.graded(show, t, width)?,
        };
        let transform = transform(show, &g.output);
        match (&transform, view) {
            (Some(tr), View::FalseColor) if views::has_zones(tr) => {
                views::false_color(&mut g, &views::zones(tr), weights(tr));
            }
            (_, View::FalseColor) => {
                return Err(bad(
                    "view",
                    format!("output {:?} has no false color: SDR outputs only", g.output),
                ))
            }
            _ if o.clip => views::mark_clipped(&mut g),
            _ => {}
        }
        if o.gamut {
            let mask = self.gamut_mask(show, t, width)?;
            views::mark_out_of_gamut(&mut g, &mask);
        }
        if o.safe {
            views::draw_safe_areas(&mut g);
        }
        if o.cross {
            views::draw_centre_cross(&mut g);
        }
        Ok(g)
    }

    /// The camera's ungraded log signal at `width`.
    pub fn log(&self, show: &Show, camera: &str, width: usize) -> Result<Graded, PreviewError> {
        if !super::WIDTHS.contains(&width) {
            return Err(PreviewError::Width(width));
        }
        let cam = show
            .cameras
            .get(camera)
            .ok_or_else(|| PreviewError::Camera(camera.into()))?;
        let src = self.sources.camera_frame(camera, &cam.input_space, width)?;
        Ok(Graded {
            width: src.width,
            height: src.height,
            rgb: src.data.clone(),
            output: "log".into(),
        })
    }

    /// Per pixel: is the scene colour outside the rendered output's gamut?
    pub fn gamut_mask(
        &self,
        show: &Show,
        t: &Target,
        width: usize,
    ) -> Result<Vec<bool>, PreviewError> {
        let cam = show
            .cameras
            .get(&t.camera)
            .ok_or_else(|| PreviewError::Camera(t.camera.clone()))?;
        let out_gamut = transform(show, &t.rendered)
            .map_or(OutputGamut::Rec709, |tr| tr.info().encoding_primaries);
        let id = (cam.input_space.clone(), out_gamut.name().to_owned());
        let cached = lock(&self.gamut_kernels).get(&id).cloned();
        let kernel = match cached {
            Some(k) => k,
            None => {
                let k = Arc::new(gamut_kernel(&cam.input_space, out_gamut)?);
                lock(&self.gamut_kernels).insert(id, Arc::clone(&k));
                k
            }
        };
        let src = self
            .sources
            .camera_frame(&t.camera, &cam.input_space, width)?;
        let desc = ImageDesc::new(src.width, src.height, Layout::Rgb, Coding::Float);
        let mut flags = vec![0.0f32; src.data.len()];
        kernel.par_render(&desc, &src.data, &mut flags)?;
        Ok(flags.chunks_exact(3).map(|p| p[0] > 0.5).collect())
    }

    /// The false-color zones of the camera's picture through `t.rendered`, each with the
    /// share of the picture's pixels in it.
    pub fn zones(
        &self,
        show: &Show,
        t: &Target,
        width: usize,
    ) -> Result<Vec<(Zone, f64)>, PreviewError> {
        let tr = transform(show, &t.rendered)
            .filter(views::has_zones)
            .ok_or_else(|| {
                bad(
                    "output",
                    format!(
                        "output {:?} has no false color: SDR outputs only",
                        t.rendered
                    ),
                )
            })?;
        let zones = views::zones(&tr);
        let g = self.graded(show, t, width)?;
        let shares = views::zone_shares(&g, &zones, weights(&tr));
        Ok(zones.into_iter().zip(shares).collect())
    }
}

fn transform(show: &Show, output: &str) -> Option<OutputTransform> {
    show.outputs
        .get(output)
        .and_then(|o| o.display.as_deref())
        .and_then(OutputTransform::from_id)
}

fn weights(t: &OutputTransform) -> [f32; 3] {
    scopes::luma_weights(Some(t.info().encoding_primaries)).map(|w| w as f32)
}

/// Lattice size of the gamut flag LUT.
const GAMUT_LUT: usize = 33;

/// A kernel that turns camera code values into 1 where the scene colour lies outside
/// `out` (a channel below −0.5 % of the brightest one in that gamut's linear light), else 0.
fn gamut_kernel(input: &str, out: OutputGamut) -> Result<Kernel, PreviewError> {
    let space = spaces::lookup(input).map_err(|e| bad("input_space", e.to_string()))?;
    let dst = match out {
        OutputGamut::Rec709 => gamut::REC709,
        OutputGamut::P3D65 => gamut::P3_D65,
        OutputGamut::Rec2020 => gamut::REC2020,
    };
    let m = gamut::conversion_matrix(&space.gamut, &dst, Adaptation::Bradford);
    let lut = Lut3d::from_fn(GAMUT_LUT, |code| {
        let lin = code.map(|c| space.curve.decode(c));
        let rgb: [f64; 3] = std::array::from_fn(|r| (0..3).map(|c| m[(r, c)] * lin[c]).sum());
        let peak = rgb.iter().copied().fold(f64::MIN, f64::max);
        let low = rgb.iter().copied().fold(f64::MAX, f64::min);
        let out = peak > 1e-4 && low < -0.005 * peak;
        [f64::from(u8::from(out)); 3]
    })
    .map_err(|e| bad("input_space", e.to_string()))?;
    Ok(Kernel::new(&kernel::Look::lut(lut)))
}
