//! What a WebSocket connection sends: one task owns the socket's sending half and writes
//! changes, acks and other replies as they become ready, everything ready at once in one
//! flush (one write), so the changes and acks of one commit leave together.
//!
//! Rules kept: every change once, in version order (missed ones replayed from the store);
//! acks in the order the messages came in, each after the change it acknowledges; a client
//! too slow for the live stream catches up from the store and never holds up the others
//! (each connection has its own task and its own place in the broadcast).

use std::collections::VecDeque;
use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::{FutureExt, SinkExt};
use tokio::sync::{broadcast, mpsc};

use super::{error, text, ServerMessage, REPLAY_PAGE};
use crate::api::error::ApiError;
use crate::api::AppState;
use crate::show::writer::{Applied, Change, Pending};
use crate::show::ShowError;

type Sink = SplitSink<WebSocket, Message>;

/// The socket is gone (or the store failed during a replay): the task ends.
struct Closed;

/// A client message waiting for its outcome, in arrival order.
struct Awaited {
    seq: u64,
    pending: Pending,
    /// The outcome, once the writer gave it (the ack may still wait for its change).
    outcome: Option<Result<Applied, ShowError>>,
}

/// The sending half of one connection and what feeds it.
pub(super) struct Outbox {
    pub state: AppState,
    pub sink: Sink,
    pub changes: broadcast::Receiver<Arc<Change>>,
    /// Accepted client messages whose outcome is pending, in order.
    pub acks: mpsc::Receiver<(u64, Pending)>,
    /// Any other message (immediate errors, tally, device lists).
    pub other: mpsc::Receiver<Message>,
}

/// What woke the task.
enum Woke {
    Change(Result<Arc<Change>, broadcast::error::RecvError>),
    Awaited(Option<(u64, Pending)>),
    Outcome(Result<Applied, ShowError>),
    Other(Option<Message>),
}

impl Outbox {
    /// Sends missed changes (after `since`) then live ones, acks and replies, until the
    /// socket closes or the reader has gone and everything it queued is sent.
    pub async fn run(mut self, since: Option<u64>) {
        let mut run = Run {
            sent: 0,
            awaited: VecDeque::new(),
            acks_open: true,
            other_open: true,
            unflushed: false,
        };
        run.sent = match since {
            Some(v) => match replay(&self.state, v, &mut self.sink).await {
                Ok(v) => v,
                Err(Closed) => return,
            },
            None => self.state.show.view().version,
        };
        let _ = run.serve(&mut self).await;
    }
}

/// The task's own state.
struct Run {
    /// The newest version sent on this socket.
    sent: u64,
    awaited: VecDeque<Awaited>,
    acks_open: bool,
    other_open: bool,
    /// Messages fed to the sink since its last flush.
    unflushed: bool,
}

impl Run {
    async fn serve(&mut self, o: &mut Outbox) -> Result<(), Closed> {
        while self.acks_open || self.other_open || !self.awaited.is_empty() {
            let woke = self.wait(o).await;
            self.take(o, woke).await?;
            self.drain(o).await?;
            if self.unflushed {
                o.sink.flush().await.map_err(|_| Closed)?;
                self.unflushed = false;
            }
        }
        Ok(())
    }

    /// Waits for the next change, client message, outcome or other message.
    async fn wait(&mut self, o: &mut Outbox) -> Woke {
        let head = self.awaited.front_mut().filter(|a| a.outcome.is_none());
        let outcome = async {
            match head {
                Some(a) => (&mut a.pending).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            change = o.changes.recv() => Woke::Change(change),
            result = outcome => Woke::Outcome(result),
            awaited = o.acks.recv(), if self.acks_open => Woke::Awaited(awaited),
            other = o.other.recv(), if self.other_open => Woke::Other(other),
        }
    }

    /// Acts on what woke the task.
    async fn take(&mut self, o: &mut Outbox, woke: Woke) -> Result<(), Closed> {
        match woke {
            Woke::Change(change) => self.change(o, change).await,
            Woke::Awaited(Some((seq, pending))) => {
                self.awaited.push_back(Awaited {
                    seq,
                    pending,
                    outcome: None,
                });
                Ok(())
            }
            Woke::Awaited(None) => {
                self.acks_open = false;
                Ok(())
            }
            Woke::Outcome(result) => {
                if let Some(head) = self.awaited.front_mut() {
                    head.outcome = Some(result);
                }
                Ok(())
            }
            Woke::Other(Some(msg)) => self.feed(o, msg).await,
            Woke::Other(None) => {
                self.other_open = false;
                Ok(())
            }
        }
    }

    /// Sends everything ready now without waiting: changes first, then the acks they
    /// allow, then other messages.
    async fn drain(&mut self, o: &mut Outbox) -> Result<(), Closed> {
        loop {
            let mut progress = false;
            loop {
                match o.changes.try_recv() {
                    Err(broadcast::error::TryRecvError::Empty) => break,
                    Err(broadcast::error::TryRecvError::Closed) => return Err(Closed),
                    Ok(change) => self.change(o, Ok(change)).await?,
                    Err(broadcast::error::TryRecvError::Lagged(n)) => {
                        self.change(o, Err(broadcast::error::RecvError::Lagged(n)))
                            .await?
                    }
                }
                progress = true;
            }
            while self.acks_open {
                match o.acks.try_recv() {
                    Ok(item) => self.take(o, Woke::Awaited(Some(item))).await?,
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => self.acks_open = false,
                }
                progress = true;
            }
            progress |= self.send_ready_acks(o).await?;
            while self.other_open {
                match o.other.try_recv() {
                    Ok(msg) => self.feed(o, msg).await?,
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => self.other_open = false,
                }
                progress = true;
            }
            if !progress {
                return Ok(());
            }
        }
    }

    /// Sends the acks (and refusals) at the head of the queue whose outcome is known and
    /// whose change has gone out; returns whether it sent any.
    async fn send_ready_acks(&mut self, o: &mut Outbox) -> Result<bool, Closed> {
        let mut sent_any = false;
        while let Some(head) = self.awaited.front_mut() {
            if head.outcome.is_none() {
                match (&mut head.pending).now_or_never() {
                    Some(result) => head.outcome = Some(result),
                    None => break,
                }
            }
            let reply = match head.outcome.as_ref() {
                Some(Ok(applied)) if applied.version > self.sent => break,
                Some(Ok(applied)) => ServerMessage::Ack {
                    seq: head.seq,
                    version: applied.version,
                },
                Some(Err(e)) => error(Some(head.seq), ApiError::from(e.clone())),
                None => break,
            };
            self.awaited.pop_front();
            self.feed(o, text(&reply)).await?;
            sent_any = true;
        }
        Ok(sent_any)
    }

    /// Sends one live change (each version once), or catches up from the store when this
    /// client fell too far behind the live stream.
    async fn change(
        &mut self,
        o: &mut Outbox,
        change: Result<Arc<Change>, broadcast::error::RecvError>,
    ) -> Result<(), Closed> {
        match change {
            Ok(change) if change.event.version <= self.sent => Ok(()),
            Ok(change) => {
                self.feed(o, Message::Text(change.message.clone())).await?;
                self.sent = change.event.version;
                Ok(())
            }
            Err(broadcast::error::RecvError::Lagged(_)) => {
                self.sent = replay(&o.state, self.sent, &mut o.sink).await?;
                Ok(())
            }
            Err(broadcast::error::RecvError::Closed) => Err(Closed),
        }
    }

    async fn feed(&mut self, o: &mut Outbox, msg: Message) -> Result<(), Closed> {
        o.sink.feed(msg).await.map_err(|_| Closed)?;
        self.unflushed = true;
        Ok(())
    }
}

/// Sends every stored change after `since` (and flushes); returns the last version sent.
async fn replay(state: &AppState, mut since: u64, sink: &mut Sink) -> Result<u64, Closed> {
    loop {
        let from = since;
        // Only what is durable: the store may already hold a commit whose disk sync runs.
        let durable = state.show.view().version;
        let events = match state
            .with_reader(move |s| s.events_since(from, REPLAY_PAGE))
            .await
            .map(|mut events| {
                events.retain(|e| e.version <= durable);
                events
            }) {
            Ok(events) => events,
            Err(e) => {
                let _ = sink.send(text(&error(None, e))).await;
                return Err(Closed);
            }
        };
        if events.is_empty() {
            sink.flush().await.map_err(|_| Closed)?;
            return Ok(since);
        }
        for event in events {
            since = event.version;
            let msg = ServerMessage::Change {
                version: event.version,
                origin: None,
                event,
            };
            sink.feed(text(&msg)).await.map_err(|_| Closed)?;
        }
    }
}
