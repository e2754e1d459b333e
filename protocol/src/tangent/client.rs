//! A Tangent Hub client over TCP (default `127.0.0.1:64246`): connects, answers the Hub's
//! InitiateComms with an ApplicationDefinition, hands every other Hub command to the
//! application and sends the application's commands, one command per message. A lost or
//! refused connection is retried with backoff (100 ms doubling to 5 s), like the other
//! drivers.
//!
//! A message whose bytes are not TIPC is dropped whole and reported ([`HubEvent::Garbage`]);
//! its length prefix kept the stream in step, so the connection stays. A bad length prefix
//! ends the connection (the stream is out of step), which is then retried.

use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::wire::{decode_hub, encode_app, read_message, AppCommand, HubCommand, Panel, TipcError};

/// Tangent Hub's default address.
pub const DEFAULT_ADDRESS: &str = "127.0.0.1:64246";

/// What the application tells the Hub about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppDefinition {
    pub app_name: String,
    /// The folder of the application's Controls XML and Default Map XML.
    pub system_dir: String,
    /// The folder of the user's maps (may be empty).
    pub user_dir: String,
}

impl AppDefinition {
    /// The ApplicationDefinition command for a Hub of `protocol_rev` (rev ≥ 7 takes a task
    /// name; lookwire sends an empty one, as its name is its task's).
    pub fn command(&self, protocol_rev: u32) -> AppCommand {
        AppCommand::ApplicationDefinition {
            app_name: self.app_name.clone(),
            system_dir: self.system_dir.clone(),
            user_dir: self.user_dir.clone(),
            task: (protocol_rev >= 7).then(String::new),
        }
    }
}

/// What the client reports to the application.
#[derive(Clone, Debug, PartialEq)]
pub enum HubEvent {
    /// Connecting (again) to the Hub.
    Connecting,
    /// The Hub opened communications and got the ApplicationDefinition.
    Ready {
        protocol_rev: u32,
        panels: Vec<Panel>,
    },
    /// Any other command from the Hub.
    Command(HubCommand),
    /// A message that was not TIPC, dropped.
    Garbage(TipcError),
    /// The connection is gone (or never came); it is retried.
    Disconnected(String),
}

/// The running client; dropping it closes the connection.
#[derive(Debug)]
pub struct HubClient {
    out: mpsc::UnboundedSender<AppCommand>,
    task: JoinHandle<()>,
}

impl Drop for HubClient {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl HubClient {
    /// Starts connecting to the Hub at `address`; events arrive on the returned channel.
    pub fn start(address: String, app: AppDefinition) -> (Self, mpsc::Receiver<HubEvent>) {
        let (events, rx) = mpsc::channel(1024);
        let (out, out_rx) = mpsc::unbounded_channel();
        let task = tokio::spawn(run(address, app, events, out_rx));
        (Self { out, task }, rx)
    }

    /// Queues a command for the Hub (dropped while no Hub is connected).
    pub fn send(&self, command: AppCommand) {
        let _ = self.out.send(command);
    }
}

async fn run(
    address: String,
    app: AppDefinition,
    events: mpsc::Sender<HubEvent>,
    mut out: mpsc::UnboundedReceiver<AppCommand>,
) {
    let mut backoff = Duration::from_millis(100);
    loop {
        if events.send(HubEvent::Connecting).await.is_err() {
            return;
        }
        let connect = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(&address));
        let reason = match connect.await {
            Ok(Ok(stream)) => {
                backoff = Duration::from_millis(100);
                let _ = stream.set_nodelay(true);
                session(stream, &app, &events, &mut out).await
            }
            Ok(Err(e)) => format!("cannot connect to the Tangent Hub at {address}: {e}"),
            Err(_) => format!("the Tangent Hub at {address} did not answer within 5 s"),
        };
        if events.send(HubEvent::Disconnected(reason)).await.is_err() {
            return;
        }
        // Commands queued while disconnected are stale.
        while out.try_recv().is_ok() {}
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
}

/// Reads whole messages into a channel (a read cut short by `select!` would lose bytes).
fn spawn_reader(
    mut reader: tokio::net::tcp::OwnedReadHalf,
) -> (mpsc::Receiver<Result<Vec<u8>, String>>, JoinHandle<()>) {
    let (tx, rx) = mpsc::channel(64);
    let task = tokio::spawn(async move {
        loop {
            let msg = read_message(&mut reader).await.map_err(|e| {
                if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    "the Tangent Hub closed the connection".to_string()
                } else {
                    format!("reading from the Tangent Hub: {e}")
                }
            });
            let end = msg.is_err();
            if tx.send(msg).await.is_err() || end {
                return;
            }
        }
    });
    (rx, task)
}

/// One connection: returns why it ended.
async fn session(
    stream: TcpStream,
    app: &AppDefinition,
    events: &mpsc::Sender<HubEvent>,
    out: &mut mpsc::UnboundedReceiver<AppCommand>,
) -> String {
    let (reader, mut writer) = stream.into_split();
    let (mut messages, reader_task) = spawn_reader(reader);
    let _stop = AbortOnDrop(reader_task);
    let mut ready = false;
    loop {
        tokio::select! {
            msg = messages.recv() => {
                let body = match msg {
                    Some(Ok(b)) => b,
                    Some(Err(e)) => return e,
                    None => return "the reader stopped".into(),
                };
                let commands = match decode_hub(&body) {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!("Tangent Hub: dropped a message: {e}");
                        if events.send(HubEvent::Garbage(e)).await.is_err() {
                            return "closed".into();
                        }
                        continue;
                    }
                };
                for c in commands {
                    let event = match c {
                        HubCommand::InitiateComms { protocol_rev, panels } => {
                            let def = encode_app(&[app.command(protocol_rev)]);
                            if let Err(e) = write_within(&mut writer, &def).await {
                                return e;
                            }
                            ready = true;
                            HubEvent::Ready { protocol_rev, panels }
                        }
                        other => HubEvent::Command(other),
                    };
                    if events.send(event).await.is_err() {
                        return "closed".into();
                    }
                }
            }
            command = out.recv() => {
                let Some(command) = command else { return "closed".into() };
                if !ready {
                    continue;
                }
                if let Err(e) = write_within(&mut writer, &encode_app(&[command])).await {
                    return e;
                }
            }
        }
    }
}

/// How long a write may wait on a Hub that does not read before the link counts as stalled.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);

/// Writes one message, or says why not: an error, or a Hub that stopped reading (a stalled
/// link is dropped and retried, so the commands queued behind it do not pile up).
async fn write_within(
    writer: &mut tokio::net::tcp::OwnedWriteHalf,
    bytes: &[u8],
) -> Result<(), String> {
    match tokio::time::timeout(WRITE_TIMEOUT, writer.write_all(bytes)).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("writing to the Tangent Hub: {e}")),
        Err(_) => Err(format!(
            "the Tangent Hub has not read for {} s (stalled)",
            WRITE_TIMEOUT.as_secs()
        )),
    }
}

struct AbortOnDrop(JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
