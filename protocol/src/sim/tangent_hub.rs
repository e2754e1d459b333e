//! A simulated Tangent Hub: on each connection it sends InitiateComms (its protocol revision
//! and panel list), then checks every message the application sends: the length prefix, each
//! command strictly decoded to the last byte, the ApplicationDefinition first and equal to
//! the expected one, and every ParameterValue on one of lookwire's parameter ids
//! ([`crate::tangent::ids`]) within its range. A fault is recorded
//! ([`TangentHubSim::errors`]) and ends the connection. Tests play the panel with
//! [`TangentHubSim::send`] (several commands in one message, as the Hub may).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

use crate::tangent::ids::Parameter;
use crate::tangent::wire::{decode_app, encode_hub, read_message, AppCommand, HubCommand, Panel};
use crate::tangent::AppDefinition;

#[derive(Debug, Default)]
struct Log {
    received: Vec<AppCommand>,
    errors: Vec<String>,
    connections: u64,
}

/// The simulator, listening on a loopback port until dropped.
#[derive(Debug)]
pub struct TangentHubSim {
    addr: SocketAddr,
    log: Arc<Mutex<Log>>,
    changed: watch::Receiver<u64>,
    to_app: broadcast::Sender<Vec<u8>>,
    kick: broadcast::Sender<()>,
    task: JoinHandle<()>,
}

impl Drop for TangentHubSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What the simulated Hub announces and expects.
#[derive(Clone, Debug)]
pub struct HubSetup {
    pub protocol_rev: u32,
    pub panels: Vec<Panel>,
    /// The ApplicationDefinition the application must send (`None`: any well-formed one).
    pub expect: Option<AppDefinition>,
}

impl Default for HubSetup {
    /// Revision 6 (the CommandPost client's), one Element Tk and one Element Mf.
    fn default() -> Self {
        Self {
            protocol_rev: 6,
            panels: vec![
                Panel {
                    panel_type: 0x0C,
                    panel_id: 1,
                },
                Panel {
                    panel_type: 0x0D,
                    panel_id: 2,
                },
            ],
            expect: None,
        }
    }
}

impl TangentHubSim {
    /// Listens on `bind` (e.g. `127.0.0.1:0`).
    pub async fn start(bind: &str, setup: HubSetup) -> std::io::Result<Self> {
        let listener = TcpListener::bind(bind).await?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Log::default()));
        let (bump, changed) = watch::channel(0u64);
        let (to_app, _) = broadcast::channel(1024);
        let (kick, _) = broadcast::channel(4);
        let shared = Shared {
            log: Arc::clone(&log),
            bump: Arc::new(bump),
            to_app: to_app.clone(),
            kick: kick.clone(),
            setup: Arc::new(setup),
        };
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve(stream, shared.clone()));
            }
        });
        Ok(Self {
            addr,
            log,
            changed,
            to_app,
            kick,
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sends `commands` in one length-prefixed message to every connected application.
    pub fn send(&self, commands: &[HubCommand]) {
        let _ = self.to_app.send(encode_hub(commands));
    }

    /// Sends raw bytes (for fault tests).
    pub fn send_raw(&self, bytes: Vec<u8>) {
        let _ = self.to_app.send(bytes);
    }

    /// Closes every connection (the application should reconnect).
    pub fn drop_connections(&self) {
        let _ = self.kick.send(());
    }

    /// Every command received so far, in order.
    pub fn received(&self) -> Vec<AppCommand> {
        lock(&self.log).received.clone()
    }

    /// Every fault found so far.
    pub fn errors(&self) -> Vec<String> {
        lock(&self.log).errors.clone()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> u64 {
        lock(&self.log).connections
    }

    /// Waits (up to `timeout`) until a command after the first `skip` received matches.
    pub async fn wait_for(
        &self,
        skip: usize,
        timeout: Duration,
        pred: impl Fn(&AppCommand) -> bool,
    ) -> Option<AppCommand> {
        let mut changed = self.changed.clone();
        let find = || {
            lock(&self.log)
                .received
                .iter()
                .skip(skip)
                .find(|c| pred(c))
                .cloned()
        };
        tokio::time::timeout(timeout, async {
            loop {
                if let Some(c) = find() {
                    return Some(c);
                }
                if changed.changed().await.is_err() {
                    return None;
                }
            }
        })
        .await
        .ok()
        .flatten()
    }

    /// Waits until `n` connections were accepted.
    pub async fn wait_connections(&self, n: u64, timeout: Duration) -> bool {
        let mut changed = self.changed.clone();
        tokio::time::timeout(timeout, async {
            while self.connections() < n {
                if changed.changed().await.is_err() {
                    return false;
                }
            }
            true
        })
        .await
        .unwrap_or(false)
    }
}

fn lock(log: &Mutex<Log>) -> std::sync::MutexGuard<'_, Log> {
    log.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[derive(Clone)]
struct Shared {
    log: Arc<Mutex<Log>>,
    bump: Arc<watch::Sender<u64>>,
    to_app: broadcast::Sender<Vec<u8>>,
    kick: broadcast::Sender<()>,
    setup: Arc<HubSetup>,
}

impl Shared {
    fn note(&self, f: impl FnOnce(&mut Log)) {
        f(&mut lock(&self.log));
        self.bump.send_modify(|n| *n += 1);
    }
}

/// Checks one command in its place on the connection.
fn check(c: &AppCommand, defined: bool, setup: &HubSetup) -> Result<(), String> {
    match c {
        AppCommand::ApplicationDefinition { .. } => match &setup.expect {
            Some(want) if *c != want.command(setup.protocol_rev) => Err(format!(
                "ApplicationDefinition {c:?}, expected {:?}",
                want.command(setup.protocol_rev)
            )),
            _ => Ok(()),
        },
        _ if !defined => Err(format!("{c:?} before the ApplicationDefinition")),
        AppCommand::ParameterValue {
            param_id, value, ..
        } => {
            let p = Parameter::from_id(*param_id).ok_or_else(|| {
                format!("ParameterValue for 0x{param_id:08X}, no lookwire parameter")
            })?;
            let (lo, hi) = p.range();
            let v = f64::from(*value);
            if v < lo - 1e-4 || v > hi + 1e-4 {
                return Err(format!(
                    "ParameterValue {} = {v} outside {lo}..{hi}",
                    p.label()
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

async fn serve(stream: TcpStream, shared: Shared) {
    shared.note(|l| l.connections += 1);
    let setup = Arc::clone(&shared.setup);
    let (mut reader, mut writer) = stream.into_split();
    let hello = encode_hub(&[HubCommand::InitiateComms {
        protocol_rev: setup.protocol_rev,
        panels: setup.panels.clone(),
    }]);
    if writer.write_all(&hello).await.is_err() {
        return;
    }
    let mut to_app = shared.to_app.subscribe();
    let mut kick = shared.kick.subscribe();
    let mut stop = shared.kick.subscribe();
    let writer_task = tokio::spawn(async move {
        loop {
            tokio::select! {
                bytes = to_app.recv() => match bytes {
                    Ok(b) => if writer.write_all(&b).await.is_err() { return },
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(_) => return,
                },
                _ = kick.recv() => return,
            }
        }
    });
    let mut defined = false;
    loop {
        // Cancelling a read only happens when the connection is closed anyway.
        let read = tokio::select! {
            r = read_message(&mut reader) => r,
            _ = stop.recv() => break,
        };
        let body = match read {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(e) => {
                shared.note(|l| l.errors.push(format!("framing: {e}")));
                break;
            }
        };
        let verdict = decode_app(&body, setup.protocol_rev)
            .map_err(|e| e.to_string())
            .and_then(|cmds| {
                for c in &cmds {
                    check(c, defined, &setup)?;
                    defined |= matches!(c, AppCommand::ApplicationDefinition { .. });
                }
                Ok(cmds)
            });
        match verdict {
            Ok(cmds) => shared.note(|l| l.received.extend(cmds)),
            Err(e) => {
                shared.note(|l| l.errors.push(e));
                break;
            }
        }
    }
    writer_task.abort();
}
