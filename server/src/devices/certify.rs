//! Certified looks once a grade settles (issue #6 on devices).
//!
//! While a grade changes, devices get live looks: the exact output in f32 lanes
//! ([`super::bake::Baker::bake`]), ACES 2.0 and 1.x, within a fraction of a 10-bit code
//! of the exact bake almost everywhere, but the exact ACES 2.0 output jumps tens of codes
//! within 1e-6 of some nodes, where the f32 path may land on the other side. When a live
//! look has not changed for the settle time, its certified bake ([`super::bake::Certify`]:
//! the exact bake, every node in f64) is computed off the async workers and pushed to
//! every device still holding that live look. A newer change drops it: a bake not yet started is
//! skipped, a finished one whose look is no longer current is thrown away, and live pushes
//! never wait for it (the certified bakes run on their own pool, which leaves the other
//! cores to the live bakes and the previews).
//!
//! Looks are identified by their inputs (camera, output and everything the look depends
//! on), so devices on one look share one certified bake, and a device (re)added on a look
//! already certified gets the certified lattice at once.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use lookwire_color::Lut3d;
use lookwire_protocol::{Look, LookQuality};
use tokio::sync::mpsc;
use tokio::time::Instant;

use lookwire_color::output::live::{Certified, LiveError};

use super::bake::{live_error_of, Baker};
use crate::show::{Bypass, ShowView};
use crate::sync::lock;

/// The settle time when none is configured.
pub const DEFAULT_SETTLE: Duration = Duration::from_millis(150);
/// The environment variable that sets the settle time in milliseconds (`off` disables
/// certified pushes).
pub const SETTLE_ENV: &str = "LOOKWIRE_CERTIFY_AFTER_MS";

/// The settle time from [`SETTLE_ENV`]: `None` when certified pushes are off.
pub fn settle_from_env() -> Option<Duration> {
    match std::env::var(SETTLE_ENV) {
        Err(_) => Some(DEFAULT_SETTLE),
        Ok(v) => parse_settle(&v).unwrap_or_else(|e| {
            tracing::warn!("{SETTLE_ENV}: {e}; using {} ms", DEFAULT_SETTLE.as_millis());
            Some(DEFAULT_SETTLE)
        }),
    }
}

/// `off`, or a whole number of milliseconds up to a minute.
pub fn parse_settle(v: &str) -> Result<Option<Duration>, String> {
    let v = v.trim();
    if v.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    match v.parse::<u64>() {
        Ok(ms) if ms <= 60_000 => Ok(Some(Duration::from_millis(ms))),
        _ => Err(format!(
            "{v:?} is not `off` or a number of milliseconds from 0 to 60000"
        )),
    }
}

/// The pool certified bakes run on: half the cores (at least one), so that a settle of
/// several cameras at once leaves the rest to live bakes and previews.
fn pool() -> Option<&'static rayon::ThreadPool> {
    static POOL: OnceLock<Option<rayon::ThreadPool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        rayon::ThreadPoolBuilder::new()
            .num_threads((cores / 2).max(1))
            .thread_name(|i| format!("lookwire-certify-{i}"))
            .build()
            .map_err(|e| tracing::warn!("certified bakes share rayon's pool: {e}"))
            .ok()
    })
    .as_ref()
}

/// What the certified side has done since the service started.
#[derive(Debug, Default)]
pub struct CertifyCounts {
    /// Certified bakes handed to the blocking pool.
    pub started: AtomicU64,
    /// Certified bakes pushed to at least one device.
    pub delivered: AtomicU64,
    /// Certified bakes thrown away: superseded by a newer change before they started or
    /// while they ran (or failed).
    pub dropped: AtomicU64,
}

impl CertifyCounts {
    /// (started, delivered, dropped)
    pub fn get(&self) -> (u64, u64, u64) {
        let n = |a: &AtomicU64| a.load(Ordering::Relaxed);
        (n(&self.started), n(&self.delivered), n(&self.dropped))
    }
}

/// Where a look comes from, for baking it again.
#[derive(Clone, Debug)]
pub(super) struct Source {
    pub view: Arc<ShowView>,
    pub camera: String,
    pub output: String,
    pub bypass: Bypass,
}

/// A look waiting for its settle time.
#[derive(Debug)]
struct Pending {
    due: Instant,
    source: Source,
}

/// The look a device was last handed by the feeder.
#[derive(Debug)]
struct Current {
    inputs: String,
    look: Look,
    certified: bool,
}

/// A finished certified bake (`None`: skipped, superseded before it started, or failed).
#[derive(Debug)]
pub(super) struct Done {
    inputs: String,
    lut: Option<(Lut3d, Certified)>,
}

/// The certified side of the feeder: which live looks wait, run and are done.
#[derive(Debug)]
pub(super) struct Certifier {
    settle: Option<Duration>,
    baker: Arc<Mutex<Baker>>,
    current: HashMap<String, Current>,
    pending: HashMap<String, Pending>,
    running: HashMap<String, Arc<AtomicBool>>,
    results: HashMap<String, (Arc<Lut3d>, Option<LiveError>)>,
    done_tx: mpsc::UnboundedSender<Done>,
    done_rx: mpsc::UnboundedReceiver<Done>,
    counts: Arc<CertifyCounts>,
}

impl Certifier {
    pub fn new(settle: Option<Duration>, counts: Arc<CertifyCounts>) -> Self {
        let (done_tx, done_rx) = mpsc::unbounded_channel();
        Self {
            counts,
            settle,
            baker: Arc::default(),
            current: HashMap::new(),
            pending: HashMap::new(),
            running: HashMap::new(),
            results: HashMap::new(),
            done_tx,
            done_rx,
        }
    }

    /// Device `id` is about to be handed `look` (identified by `inputs`): returns the look
    /// to hand (the certified one when this look is already certified) and the live look's
    /// error when known. A live look starts its settle time.
    pub fn handed(
        &mut self,
        id: &str,
        inputs: &str,
        look: Look,
        source: Source,
    ) -> (Look, Option<LiveError>) {
        let live = look.quality == LookQuality::Live && self.settle.is_some();
        let known = self.results.get(inputs).filter(|_| live).cloned();
        let certified = !live || known.is_some();
        self.current.insert(
            id.to_string(),
            Current {
                inputs: inputs.to_string(),
                look: look.clone(),
                certified,
            },
        );
        if let Some((lut, error)) = known {
            return (certified_look(&look, lut), error);
        }
        if live && !self.running.contains_key(inputs) {
            let due = Instant::now() + self.settle.unwrap_or_default();
            self.pending
                .insert(inputs.to_string(), Pending { due, source });
        }
        (look, None)
    }

    /// Forgets devices no longer routed, and the looks no device holds any more (a bake
    /// that has not started yet is skipped).
    pub fn retain(&mut self, routed: &HashSet<&String>) {
        self.current.retain(|id, _| routed.contains(id));
        let used: HashSet<&String> = self.current.values().map(|c| &c.inputs).collect();
        self.pending.retain(|k, _| used.contains(k));
        self.results.retain(|k, _| used.contains(k));
        self.running.retain(|k, cancel| {
            let keep = used.contains(k);
            if !keep {
                cancel.store(true, Ordering::Relaxed);
            }
            keep
        });
    }

    /// When the next settled look is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.pending.values().map(|p| p.due).min()
    }

    /// Starts the certified bakes of every look whose settle time is over.
    pub fn start_due(&mut self) {
        let now = Instant::now();
        let due: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| p.due <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for inputs in due {
            let Some(p) = self.pending.remove(&inputs) else {
                continue;
            };
            let cancel = Arc::new(AtomicBool::new(false));
            self.counts.started.fetch_add(1, Ordering::Relaxed);
            self.running.insert(inputs.clone(), Arc::clone(&cancel));
            let (baker, tx) = (Arc::clone(&self.baker), self.done_tx.clone());
            // Detached: a bake in progress cannot be interrupted; its result is dropped.
            drop(tokio::task::spawn_blocking(move || {
                let lut = certified_bake(&baker, &p.source, &cancel);
                let _ = tx.send(Done { inputs, lut });
            }));
        }
    }

    /// The next finished certified bake.
    pub async fn finished(&mut self) -> Option<Done> {
        self.done_rx.recv().await
    }

    /// The certified looks to hand for a finished bake: every device still holding that
    /// live look, when the newest show (`inputs_now` gives a device's look inputs in it)
    /// still asks for it. Returns each device's look and its live look's error.
    pub fn deliver(
        &mut self,
        done: Done,
        inputs_now: impl Fn(&str) -> Option<String>,
    ) -> Vec<(String, Look, Option<LiveError>)> {
        self.running.remove(&done.inputs);
        let Some(certified) = done.lut else {
            self.counts.dropped.fetch_add(1, Ordering::Relaxed);
            return Vec::new();
        };
        let lut = Arc::new(certified.0.clone());
        let mut out = Vec::new();
        let mut error = None;
        for (id, cur) in &mut self.current {
            if cur.certified
                || cur.inputs != done.inputs
                || inputs_now(id).as_deref() != Some(&done.inputs)
            {
                continue;
            }
            cur.certified = true;
            error = live_error_of(&cur.look.lut, &certified);
            out.push((
                id.clone(),
                certified_look(&cur.look, Arc::clone(&lut)),
                error,
            ));
        }
        let used = self.current.values().any(|c| c.inputs == done.inputs);
        if used {
            self.results.insert(done.inputs, (lut, error));
        }
        let count = match out.is_empty() {
            true => &self.counts.dropped,
            false => &self.counts.delivered,
        };
        count.fetch_add(1, Ordering::Relaxed);
        out
    }
}

/// `live` with the certified lattice (its CDL, fitted or not, and label kept).
fn certified_look(live: &Look, lut: Arc<Lut3d>) -> Look {
    Look {
        lut,
        quality: LookQuality::Certified,
        ..live.clone()
    }
}

/// Runs one certified bake, unless it was superseded before it started.
fn certified_bake(
    baker: &Mutex<Baker>,
    s: &Source,
    cancel: &AtomicBool,
) -> Option<(Lut3d, Certified)> {
    if cancel.load(Ordering::Relaxed) {
        return None;
    }
    let job = lock(baker).certify(&s.view.show, &s.camera, &s.output, s.bypass);
    let job = match job {
        Ok(Some(job)) => job,
        Ok(None) => return None,
        Err(e) => {
            tracing::warn!(
                "camera {} for output {}: no certified bake: {e}",
                s.camera,
                s.output
            );
            return None;
        }
    };
    if cancel.load(Ordering::Relaxed) {
        return None;
    }
    let run = || job.run();
    let lut = match pool() {
        Some(p) => p.install(run),
        None => run(),
    };
    lut.map_err(|e| tracing::warn!("camera {}: certified bake failed: {e}", s.camera))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settle_time_parses_off_and_milliseconds_and_refuses_the_rest() {
        assert_eq!(parse_settle("off"), Ok(None));
        assert_eq!(parse_settle(" 150 "), Ok(Some(Duration::from_millis(150))));
        assert_eq!(parse_settle("0"), Ok(Some(Duration::ZERO)));
        for bad in ["-1", "1.5", "soon", "60001", ""] {
            let e = parse_settle(bad).unwrap_err();
            assert!(e.contains("milliseconds"), "{bad}: {e}");
        }
    }
}
