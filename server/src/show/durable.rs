//! The second stage of a commit: the disk sync, then the answers and the broadcast.
//!
//! The writer applies a batch, writes it to the store (committed, not yet synced) and
//! hands it here, then goes on with the next batch at once. Up to [`SYNCERS`] disk syncs
//! run at a time, each covering every batch written before it began, so a trim that
//! arrives during a sync is written at once and its own sync starts at once instead of
//! waiting for the one running. A batch is published (view, fades, changes, replies)
//! only once a sync that began after it was written has returned, and batches are
//! published in the order written. A store without a deferred sync (its `append` is as
//! durable as it will be) has its batches published at once on the writer's thread.
//!
//! When a sync fails, what it covered is in an unknown state: those batches (and any
//! written since) are committed in SQLite, so readers, exports and a restarted server see
//! them, and the writer's in-memory show includes them, but some of their pages may never
//! reach the disk and a power cut could lose them. Nothing can be promised any more, so:
//! every batch waiting is refused with a message saying its outcome is unknown, every later
//! change is refused with one saying the server must be restarted (a restart reloads the
//! show from what the store holds), and the failure is logged with `tracing::error!`.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};

use tokio::sync::{broadcast, oneshot, watch};

use super::fade::Fader;
use super::writer::{Applied, Change, ShowView};
use super::ShowError;
use crate::store::{StoreError, SyncHandle};
use crate::sync::lock;

/// Disk syncs in flight at once at most (a virtual disk overlaps them).
const SYNCERS: usize = 2;

/// Written batches waiting for their sync at most: at this many the writer waits for a sync
/// before writing the next, so a stalled disk holds at most this many shows in memory (and
/// the commands behind them wait in the writer's channel, which is bounded too).
pub(super) const MAX_WAITING: u64 = 64;

pub(super) type Reply = (
    oneshot::Sender<Result<Applied, ShowError>>,
    Result<Applied, ShowError>,
);

/// A batch written to the store: what to publish once it is durable.
pub(super) struct Committed {
    /// The show after the batch (none when the batch changed nothing).
    pub view: Option<Arc<ShowView>>,
    pub changes: Vec<Arc<Change>>,
    pub replies: Vec<Reply>,
}

/// Where committed changes go: the readers' view, the fader and the clients.
pub(super) struct Outlets {
    pub view: watch::Sender<Arc<ShowView>>,
    pub fader: Arc<Fader>,
    pub changes: broadcast::Sender<Arc<Change>>,
}

impl Outlets {
    fn publish(&self, batch: Committed) {
        if let Some(view) = batch.view {
            self.view.send_replace(Arc::clone(&view));
            let events = batch.changes.iter().map(|c| &c.event);
            self.fader.committed(&view, events);
            for change in batch.changes {
                let _ = self.changes.send(change);
            }
        }
        for (reply, result) in batch.replies {
            let _ = reply.send(result);
        }
    }
}

/// Answers every command of a batch that could not be made durable with `message`.
fn fail(batch: Committed, message: &str) {
    for (reply, result) in batch.replies {
        let result = result.and(Err(ShowError::Store(message.to_owned())));
        let _ = reply.send(result);
    }
}

/// The answer to a change written before a sync that failed.
fn unknown_outcome(error: &str) -> String {
    format!(
        "the disk sync failed ({error}): this change is in the store but may not be on the \
         disk, so whether it survives a power cut is unknown; the server takes no more \
         changes until it is restarted"
    )
}

/// The answer to every change after a sync failed.
fn refused_after(error: &str) -> String {
    format!(
        "the server takes no more changes since a disk sync failed ({error}); restart it \
         (the changes it answered before are on the disk)"
    )
}

/// Batches written and not yet published, and the syncs' progress (counted in batches).
#[derive(Default)]
struct Queue {
    /// Batches written so far.
    written: u64,
    /// The most batches a sync has begun to cover.
    started: u64,
    /// The most batches known durable.
    durable: u64,
    /// Written batches waiting for their sync, by number, in order.
    waiting: VecDeque<(u64, Committed)>,
    /// A sync failed (its error): nothing written since can be promised durable.
    failed: Option<String>,
    /// The writer has stopped: the syncers end once everything is published.
    stopped: bool,
}

/// The sync and publish stage.
pub(super) struct Durable {
    /// Batches wait for a sync (the store deferred it); otherwise they are published at once.
    pipelined: bool,
    queue: Mutex<Queue>,
    /// Wakes the sync threads: a batch was written, or the writer stopped.
    wake: Condvar,
    /// Wakes the writer waiting for room: a sync ended.
    drained: Condvar,
    /// Held while batches are taken from the queue and published, so they go out in order.
    outlets: Mutex<Outlets>,
}

impl std::fmt::Debug for Durable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Durable")
            .field("pipelined", &self.pipelined)
            .finish_non_exhaustive()
    }
}

impl Durable {
    /// Starts the stage; with a sync handle, its sync threads too.
    ///
    /// Each sync thread syncs through its own handle ([`SyncHandle::reopen`]), opened here
    /// before any batch is written. Linux reports a write-back error once per open file
    /// description: two threads syncing one file could see one get the error and the other
    /// Ok, and the Ok could publish batches whose pages were lost. With a handle each,
    /// every sync that began after a write-back error is told of it.
    pub fn start(
        outlets: Outlets,
        sync: Option<Arc<dyn SyncHandle>>,
    ) -> Result<Arc<Durable>, StoreError> {
        let handles = match &sync {
            Some(handle) => (0..SYNCERS)
                .map(|_| handle.reopen())
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        let stage = Arc::new(Durable {
            pipelined: sync.is_some(),
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            drained: Condvar::new(),
            outlets: Mutex::new(outlets),
        });
        for (i, handle) in handles.into_iter().enumerate() {
            let me = Arc::clone(&stage);
            std::thread::Builder::new()
                .name(format!("show-sync-{i}"))
                .spawn(move || me.run(handle.as_ref()))
                .map_err(|e| StoreError::Corrupt(format!("cannot start a sync thread: {e}")))?;
        }
        Ok(stage)
    }

    /// Why no more changes are taken (the answer to give them), once a sync has failed.
    pub fn failed(&self) -> Option<String> {
        lock(&self.queue).failed.as_deref().map(refused_after)
    }

    /// Takes a batch the store has committed; publishes it once durable. Returns once fewer
    /// than [`MAX_WAITING`] batches wait for their sync (or a sync failed).
    pub fn push(&self, batch: Committed) {
        if !self.pipelined {
            lock(&self.outlets).publish(batch);
            return;
        }
        let mut queue = lock(&self.queue);
        if let Some(error) = queue.failed.clone() {
            drop(queue);
            fail(batch, &unknown_outcome(&error));
            return;
        }
        queue.written += 1;
        let number = queue.written;
        queue.waiting.push_back((number, batch));
        self.wake.notify_one();
        while queue.written - queue.durable >= MAX_WAITING && queue.failed.is_none() {
            queue = self
                .drained
                .wait(queue)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }

    /// The writer has stopped: publish what is written, then end the sync threads.
    pub fn stop(&self) {
        lock(&self.queue).stopped = true;
        self.wake.notify_all();
    }

    /// A sync thread: syncs whenever batches were written since the last sync began.
    fn run(&self, sync: &dyn SyncHandle) {
        loop {
            let mut queue = lock(&self.queue);
            while queue.written == queue.started && !queue.stopped {
                queue = self
                    .wake
                    .wait(queue)
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
            }
            if queue.written == queue.started {
                return;
            }
            let target = queue.written;
            queue.started = target;
            drop(queue);
            let result = sync.sync();
            self.finish(target, result.map_err(|e| e.to_string()));
        }
    }

    /// After a sync covering `target` batches: publishes every batch now durable, in order,
    /// or on failure refuses every batch not yet published and every later one.
    fn finish(&self, target: u64, result: Result<(), String>) {
        let outlets = lock(&self.outlets);
        let mut queue = lock(&self.queue);
        let mut ready = Vec::new();
        match result {
            Ok(()) if queue.failed.is_none() => {
                queue.durable = queue.durable.max(target);
                while queue.waiting.front().is_some_and(|b| b.0 <= queue.durable) {
                    ready.extend(queue.waiting.pop_front());
                }
            }
            Ok(()) => {}
            Err(error) => {
                tracing::error!(
                    "the store's disk sync failed: {error}; the changes written since the \
                     last good sync may not be on the disk; no more changes are taken, \
                     restart the server"
                );
                let message = unknown_outcome(&error);
                queue.failed = Some(error);
                let refused: Vec<_> = queue.waiting.drain(..).collect();
                drop(queue);
                self.drained.notify_all();
                refused.into_iter().for_each(|(_, b)| fail(b, &message));
                return;
            }
        }
        drop(queue);
        self.drained.notify_all();
        for (_, batch) in ready {
            outlets.publish(batch);
        }
    }
}
