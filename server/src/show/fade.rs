//! Scene fades: a scene recalled with `fade_frames > 0` commits its grades at once (the
//! store, undo and every client see the new grades immediately), while the picture — what
//! devices and previews render — moves from the old grades to the new over that many
//! frames of the show's frame rate.
//!
//! In-between grades interpolate each number linearly: match and primary trim CDLs
//! parameter by parameter; nodes matched by id, CDL with CDL, curves with curves (the
//! union of both curves' control inputs, each output the blend of the two curves there); a
//! node present on one side only fades from or to the identity. Until halfway the old
//! grade's node order and show look hold, from halfway the new one's, so the first frame
//! is exactly the old grade and the last exactly the new. A change to a fading camera's
//! grade ends its fade at once (the live trim wins); a second faded recall (or the undo of
//! a faded recall, which fades too) starts from the grade on screen, not the committed one.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use lookwire_color::Cdl;
use tokio::sync::watch;

use super::curves::{RgbCurves, Spline, MAX_POINTS};
use super::model::{Grade, GradeNode, Id};
use super::writer::ShowView;
use super::Event;

/// A camera on its way from one grade to another.
#[derive(Clone, Debug, PartialEq)]
pub struct CameraFade {
    pub from: Grade,
    pub to: Grade,
    pub start: Instant,
    pub duration: Duration,
}

impl CameraFade {
    /// How far along the fade is at `now`, 0..=1.
    pub fn progress(&self, now: Instant) -> f64 {
        if self.duration.is_zero() {
            return 1.0;
        }
        (now.saturating_duration_since(self.start).as_secs_f64() / self.duration.as_secs_f64())
            .clamp(0.0, 1.0)
    }
}

fn lerp(a: f64, b: f64, t: f64) -> f64 {
    a + (b - a) * t
}

/// The CDL `t` of the way from `a` to `b`, number by number.
pub fn cdl_between(a: &Cdl, b: &Cdl, t: f64) -> Cdl {
    let l3 = |x: [f64; 3], y: [f64; 3]| [0, 1, 2].map(|c| lerp(x[c], y[c], t));
    Cdl {
        slope: l3(a.slope, b.slope),
        offset: l3(a.offset, b.offset),
        power: l3(a.power, b.power),
        sat: lerp(a.sat, b.sat, t),
    }
}

fn points_between(a: &[[f64; 2]], b: &[[f64; 2]], t: f64) -> Vec<[f64; 2]> {
    if a.is_empty() && b.is_empty() {
        return Vec::new();
    }
    let (sa, sb) = (Spline::new(a), Spline::new(b));
    let mut xs: Vec<f64> = a.iter().chain(b).map(|p| p[0]).collect();
    if a.is_empty() || b.is_empty() {
        // A straight curve has no points of its own: anchor it at black and white.
        xs.extend([0.0, 1.0]);
    }
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    xs.truncate(2 * MAX_POINTS);
    xs.into_iter()
        .map(|x| [x, lerp(sa.eval(x), sb.eval(x), t)])
        .collect()
}

/// Curves `t` of the way from `a` to `b`.
pub fn curves_between(a: &RgbCurves, b: &RgbCurves, t: f64) -> RgbCurves {
    RgbCurves {
        master: points_between(&a.master, &b.master, t),
        r: points_between(&a.r, &b.r, t),
        g: points_between(&a.g, &b.g, t),
        b: points_between(&a.b, &b.b, t),
    }
}

/// The identity node of the same kind and id.
fn identity_like(node: &GradeNode) -> GradeNode {
    match node {
        GradeNode::Cdl { id, .. } => GradeNode::Cdl {
            id: id.clone(),
            cdl: Cdl::IDENTITY,
        },
        GradeNode::Curves { id, .. } => GradeNode::Curves {
            id: id.clone(),
            curves: RgbCurves::default(),
        },
    }
}

fn node_between(a: &GradeNode, b: &GradeNode, t: f64) -> GradeNode {
    match (a, b) {
        (GradeNode::Cdl { id, cdl: x }, GradeNode::Cdl { cdl: y, .. }) => GradeNode::Cdl {
            id: id.clone(),
            cdl: cdl_between(x, y, t),
        },
        (GradeNode::Curves { id, curves: x }, GradeNode::Curves { curves: y, .. }) => {
            GradeNode::Curves {
                id: id.clone(),
                curves: curves_between(x, y, t),
            }
        }
        // The same id, another kind: the one fades out while the other fades in.
        _ if t < 0.5 => node_between(a, &identity_like(a), t * 2.0),
        _ => node_between(&identity_like(b), b, t * 2.0 - 1.0),
    }
}

/// The grade `t` of the way from `from` to `to`.
pub fn grade_between(from: &Grade, to: &Grade, t: f64) -> Grade {
    let (lead, other, reversed) = if t < 0.5 {
        (from, to, false)
    } else {
        (to, from, true)
    };
    let find = |nodes: &[GradeNode], id: &str| nodes.iter().find(|n| n.id() == id).cloned();
    let pair = |mine: &GradeNode, theirs: Option<GradeNode>| {
        let theirs = theirs.unwrap_or_else(|| identity_like(mine));
        if reversed {
            node_between(&theirs, mine, t)
        } else {
            node_between(mine, &theirs, t)
        }
    };
    let mut nodes: Vec<GradeNode> = lead
        .nodes
        .iter()
        .map(|n| pair(n, find(&other.nodes, n.id())))
        .collect();
    for n in other
        .nodes
        .iter()
        .filter(|n| find(&lead.nodes, n.id()).is_none())
    {
        // Present on the other side only: from (or to) the identity, placed last.
        let ident = identity_like(n);
        nodes.push(if reversed {
            node_between(n, &ident, t)
        } else {
            node_between(&ident, n, t)
        });
    }
    Grade {
        match_cdl: cdl_between(&from.match_cdl, &to.match_cdl, t),
        trim: cdl_between(&from.trim, &to.trim, t),
        nodes,
        look: lead.look.clone(),
    }
}

/// The fades running now, by camera.
#[derive(Debug, Default)]
pub struct Fades {
    running: HashMap<Id, CameraFade>,
}

impl Fades {
    /// Follows one committed change: a faded scene recall starts fades, any other change
    /// to a fading camera's grade ends its fade.
    pub fn follow(&mut self, event: &Event, now: Instant, frame_rate_fps: f64) {
        let fade_frames = event.fade_frames.unwrap_or(0);
        for patch in &event.patches {
            let Some(camera) = grade_patch_camera(patch.path()) else {
                continue;
            };
            // Where the picture is now: a fade cut short leaves its in-between grade.
            let shown = self
                .running
                .remove(camera)
                .map(|f| grade_between(&f.from, &f.to, f.progress(now)));
            let super::Patch::Replace { before, after, .. } = patch else {
                continue;
            };
            if fade_frames == 0 || patch.path() != format!("/cameras/{camera}/grade") {
                continue;
            }
            let (Ok(committed), Ok(to)) = (
                serde_json::from_value::<Grade>(before.clone()),
                serde_json::from_value::<Grade>(after.clone()),
            ) else {
                continue;
            };
            let from = shown.unwrap_or(committed);
            if from != to {
                let duration = Duration::from_secs_f64(f64::from(fade_frames) / frame_rate_fps);
                self.running.insert(
                    camera.to_owned(),
                    CameraFade {
                        from,
                        to,
                        start: now,
                        duration,
                    },
                );
            }
        }
    }

    /// Starts (or replaces) a camera's fade.
    pub fn insert(&mut self, camera: &str, fade: CameraFade) {
        self.running.insert(camera.to_owned(), fade);
    }

    pub fn is_empty(&self) -> bool {
        self.running.is_empty()
    }

    /// The cameras fading now.
    pub fn cameras(&self) -> Vec<Id> {
        self.running.keys().cloned().collect()
    }

    /// `view` with every fading camera's grade at `now`; finished fades are dropped.
    pub fn render(&mut self, view: &ShowView, now: Instant) -> ShowView {
        let mut out = view.clone();
        self.running.retain(|camera, fade| {
            let t = fade.progress(now);
            if let Some(cam) = out.show.cameras.get_mut(camera) {
                cam.grade = grade_between(&fade.from, &fade.to, t);
            }
            t < 1.0
        });
        out
    }
}

/// The camera whose grade a patch path touches (`/cameras/a/grade/...`).
fn grade_patch_camera(path: &str) -> Option<&str> {
    let rest = path.strip_prefix("/cameras/")?;
    let (camera, tail) = rest.split_once('/')?;
    (tail == "grade" || tail.starts_with("grade/")).then_some(camera)
}

/// Where fade time comes from: the system clock with real frame waits, or a test's hand
/// ([`ManualFrames`]), so a fade can be checked frame by frame without the wall clock.
pub trait FrameClock: Send + Sync + std::fmt::Debug {
    /// Now, on this clock.
    fn now(&self) -> Instant;
    /// Waits about one frame `period` (or less: the fader then renders the same instant again).
    fn wait(&self, period: Duration);
}

/// The system clock: frames are real time.
#[derive(Debug, Default)]
pub struct SystemFrames;

impl FrameClock for SystemFrames {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn wait(&self, period: Duration) {
        std::thread::sleep(period);
    }
}

/// A clock that moves only when told ([`ManualFrames::advance`]); a frame wait ends when
/// it moves (or after a short real-time bound, so a waiting fader can notice shutdown).
#[derive(Debug)]
pub struct ManualFrames {
    start: Instant,
    elapsed: Mutex<Duration>,
    moved: Condvar,
}

impl Default for ManualFrames {
    fn default() -> Self {
        ManualFrames {
            start: Instant::now(),
            elapsed: Mutex::new(Duration::ZERO),
            moved: Condvar::new(),
        }
    }
}

impl ManualFrames {
    /// Moves the clock on by `by`, waking a fader waiting for its next frame.
    pub fn advance(&self, by: Duration) {
        *self.elapsed.lock().unwrap_or_else(PoisonError::into_inner) += by;
        self.moved.notify_all();
    }
}

impl FrameClock for ManualFrames {
    fn now(&self) -> Instant {
        self.start + *self.elapsed.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn wait(&self, _period: Duration) {
        let elapsed = self.elapsed.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = *elapsed;
        let _ = self
            .moved
            .wait_timeout_while(elapsed, Duration::from_millis(100), |e| *e == seen);
    }
}

/// The fades, shared by the writer (which starts and ends them as it commits, and
/// publishes the rendered show before it answers) and the fader thread (which publishes
/// one rendered show per frame while any fade runs).
#[derive(Debug)]
pub struct Fader {
    fades: Mutex<Fades>,
    wake: Condvar,
    rendered: watch::Sender<Arc<ShowView>>,
    clock: Arc<dyn FrameClock>,
}

impl Fader {
    /// A fader with nothing fading, timed by `clock`, and the receiver of its rendered shows.
    pub fn new(
        initial: Arc<ShowView>,
        clock: Arc<dyn FrameClock>,
    ) -> (Arc<Fader>, watch::Receiver<Arc<ShowView>>) {
        let (rendered, rx) = watch::channel(initial);
        let fader = Arc::new(Fader {
            fades: Mutex::new(Fades::default()),
            wake: Condvar::new(),
            rendered,
            clock,
        });
        (fader, rx)
    }

    fn lock(&self) -> MutexGuard<'_, Fades> {
        self.fades.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Follows committed events and publishes the rendered show for `view`.
    pub fn committed<'a>(&self, view: &Arc<ShowView>, events: impl IntoIterator<Item = &'a Event>) {
        let now = self.clock.now();
        let mut fades = self.lock();
        let (num, den) = view.show.frame_rate.ratio();
        for event in events {
            fades.follow(event, now, num as f64 / den as f64);
        }
        self.publish(&mut fades, view, now);
        if !fades.is_empty() {
            self.wake.notify_one();
        }
    }

    fn publish(&self, fades: &mut Fades, view: &Arc<ShowView>, now: Instant) {
        let rendered = if fades.is_empty() {
            Arc::clone(view)
        } else {
            Arc::new(fades.render(view, now))
        };
        self.rendered.send_replace(rendered);
    }

    /// Starts the thread that renders one frame after another while fades run. It ends
    /// once the writer has dropped its fader.
    pub fn spawn(self: &Arc<Self>, view: watch::Receiver<Arc<ShowView>>) -> std::io::Result<()> {
        let fader = Arc::clone(self);
        std::thread::Builder::new()
            .name("show-fader".into())
            .spawn(move || fader.run(&view))
            .map(|_| ())
    }

    fn run(self: Arc<Self>, view: &watch::Receiver<Arc<ShowView>>) {
        loop {
            let mut fades = self.lock();
            while fades.is_empty() {
                if Arc::strong_count(&self) == 1 {
                    return;
                }
                fades = self
                    .wake
                    .wait_timeout(fades, Duration::from_secs(1))
                    .unwrap_or_else(PoisonError::into_inner)
                    .0;
            }
            let committed = view.borrow().clone();
            let (num, den) = committed.show.frame_rate.ratio();
            drop(fades);
            self.clock
                .wait(Duration::from_secs_f64(den as f64 / num as f64));
            let committed = view.borrow().clone();
            let mut fades = self.lock();
            self.publish(&mut fades, &committed, self.clock.now());
        }
    }
}
