//! A TSL tally source at run time: marks cameras on air from the vision mixer's tally,
//! expires them when the source falls silent, and keeps what it heard for its device test.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lookwire_protocol::manager::{DeviceManager, LinkReporter};
use lookwire_protocol::tsl::{Tally, TallyEvent};
use lookwire_protocol::ConnectionState;

use super::config::Protection;
use super::lock;
use crate::show::{Show, ShowHandle};

/// What a tally source has heard, for its device test.
#[derive(Clone, Debug, Default)]
pub struct TallyHeard {
    /// Tally messages (one per index) received.
    pub messages: u64,
    pub last_from: Option<SocketAddr>,
    pub last_at: Option<Instant>,
    pub timeout: Duration,
    /// Silent for longer than the timeout: its cameras are expired.
    pub silent: bool,
}

/// One running tally source's settings.
pub(super) struct TallySource {
    pub id: String,
    pub sources: BTreeMap<String, String>,
    pub protection: Protection,
    pub timeout: Duration,
    pub reporter: LinkReporter,
}

/// The camera a tally index stands for: the configured map, else a camera whose id or label
/// is the tally's label (case and spaces ignored).
fn tally_camera(show: &Show, sources: &BTreeMap<String, String>, tally: &Tally) -> Option<String> {
    if let Some(c) = sources.get(&tally.index.to_string()) {
        return Some(c.clone());
    }
    let squash = |s: &str| s.split_whitespace().collect::<String>().to_lowercase();
    let want = squash(&tally.label);
    if want.is_empty() {
        return None;
    }
    show.cameras
        .values()
        .find(|c| c.id == want || squash(&c.label) == want)
        .map(|c| c.id.clone())
}

/// Marks cameras on air from a tally source; a camera leaving air releases its held looks.
/// A source silent for its timeout expires its cameras (off air, `expired`) and says so in
/// its device row; the next message brings them back.
pub(super) async fn follow_tally(
    mut rx: tokio::sync::mpsc::Receiver<TallyEvent>,
    show: ShowHandle,
    manager: Arc<Mutex<DeviceManager>>,
    shared: Arc<super::Shared>,
    src: TallySource,
) {
    let heard = |f: &dyn Fn(&mut TallyHeard)| {
        let mut all = lock(&shared.tally_heard);
        f(all.entry(src.id.clone()).or_default());
    };
    heard(&|h| h.timeout = src.timeout);
    let mut deadline = tokio::time::Instant::now() + src.timeout;
    let mut silent = false;
    loop {
        let event = tokio::select! {
            e = rx.recv() => match e { Some(e) => e, None => return },
            () = tokio::time::sleep_until(deadline), if !silent => {
                silent = true;
                heard(&|h| h.silent = true);
                expire(&manager, &shared, &src);
                continue;
            }
        };
        deadline = tokio::time::Instant::now() + src.timeout;
        if silent {
            silent = false;
            src.reporter.set(ConnectionState::Connected, None);
        }
        heard(&|h| {
            h.messages += 1;
            h.last_from = Some(event.from);
            h.last_at = Some(Instant::now());
            h.silent = false;
        });
        let Some(camera) = tally_camera(&show.view().show, &src.sources, &event.tally) else {
            tracing::debug!(
                "tally {}: index {} ({:?}) is no camera",
                src.id,
                event.tally.index,
                event.tally.label
            );
            continue;
        };
        let routes = lock(&shared.routes).clone();
        let released = shared.tally.set(
            &camera,
            event.tally.program,
            event.tally.preview,
            &src.id,
            src.protection,
            &routes,
        );
        for (device, look) in released {
            let _ = lock(&manager).push(&device, look);
        }
        shared.wake_publish.notify_one();
    }
}

fn expire(manager: &Arc<Mutex<DeviceManager>>, shared: &Arc<super::Shared>, src: &TallySource) {
    let routes = lock(&shared.routes).clone();
    for (device, look) in shared.tally.expire_source(&src.id, &routes) {
        let _ = lock(manager).push(&device, look);
    }
    src.reporter.set(
        ConnectionState::Connected,
        Some(format!(
            "no tally for {:.1} s: its cameras are marked off air (expired) until it speaks",
            src.timeout.as_secs_f64()
        )),
    );
    tracing::warn!(
        "tally {}: silent for {:?}, cameras expired",
        src.id,
        src.timeout
    );
    shared.wake_publish.notify_one();
}

/// The connect test of a tally source: what it heard, and whether recently.
pub(super) fn describe(
    heard: Option<&TallyHeard>,
    udp: SocketAddr,
    tcp: SocketAddr,
    malformed: u64,
) -> (bool, String) {
    let listening = format!("listening on udp {udp} and tcp {tcp}");
    let Some(h) = heard.filter(|h| h.messages > 0) else {
        return (
            false,
            format!("{listening}; no tally heard yet ({malformed} malformed packets)"),
        );
    };
    let ago = h
        .last_at
        .map_or(f64::INFINITY, |t| t.elapsed().as_secs_f64());
    let from = h.last_from.map_or_else(|| "?".into(), |a| a.to_string());
    let summary = format!(
        "{listening}; last tally {ago:.1} s ago from {from} ({} messages, {malformed} malformed packets)",
        h.messages
    );
    if h.silent || ago > h.timeout.as_secs_f64() {
        (
            false,
            format!(
                "{summary}: silent past its {:.1} s timeout, its cameras are expired",
                h.timeout.as_secs_f64()
            ),
        )
    } else {
        (true, summary)
    }
}
