//! Blackmagic Videohub Ethernet Protocol v2.3 (text over TCP port 9990, protocols.md §3):
//! a block parser shared with the simulator, the router state it describes, and a client
//! that follows every change (including ones made on the router's panel) and routes with
//! one un-acknowledged block in flight.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch, Mutex};

/// The default TCP port of a Videohub.
pub const PORT: u16 = 9990;
/// Longest line accepted: a label line is short; anything longer is noise.
const MAX_LINE: usize = 4096;

/// One block: an all-caps header (`VIDEO OUTPUT ROUTING`, `ACK`, …) and its lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    /// Without the trailing colon.
    pub header: String,
    pub lines: Vec<String>,
}

impl Block {
    pub fn new(header: &str, lines: Vec<String>) -> Self {
        Self {
            header: header.to_string(),
            lines,
        }
    }

    /// The block as sent: header (with a colon unless ACK/NAK), lines, a blank line.
    pub fn to_text(&self) -> String {
        let colon = if matches!(self.header.as_str(), "ACK" | "NAK") {
            ""
        } else {
            ":"
        };
        let mut s = format!("{}{colon}\n", self.header);
        for l in &self.lines {
            s.push_str(l);
            s.push('\n');
        }
        s.push('\n');
        s
    }
}

/// Splits a line stream into blocks.
#[derive(Debug, Default)]
pub struct BlockParser {
    current: Option<Block>,
}

impl BlockParser {
    /// Feeds one line (without its `\n`; a trailing `\r` is dropped); returns a finished block.
    pub fn line(&mut self, line: &str) -> Option<Block> {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            return self.current.take();
        }
        match &mut self.current {
            Some(b) => b.lines.push(line.to_string()),
            None => {
                let header = line.strip_suffix(':').unwrap_or(line).to_string();
                self.current = Some(Block {
                    header,
                    lines: Vec::new(),
                });
            }
        }
        None
    }
}

/// A video output's lock as the router reports it to this client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    /// Locked by this client.
    Owned,
    /// Locked by another client.
    Locked,
    Unlocked,
}

/// What the client knows about the router, kept only from the router's status blocks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RouterState {
    pub protocol_version: String,
    pub model: String,
    pub device_present: String,
    pub input_labels: Vec<String>,
    pub output_labels: Vec<String>,
    /// Input routed to each output.
    pub routes: Vec<u32>,
    pub locks: Vec<Option<Lock>>,
    /// Whether the initial dump has been read (END PRELUDE, or the routing block).
    pub ready: bool,
}

fn index_line(line: &str) -> Option<(usize, &str)> {
    let (idx, rest) = line.split_once(' ')?;
    Some((idx.parse().ok()?, rest))
}

impl RouterState {
    /// Applies one status block; unknown blocks and malformed lines are ignored (the
    /// protocol's forward-compatibility rule), with a warning for the latter.
    pub fn apply(&mut self, block: &Block) {
        match block.header.as_str() {
            "PROTOCOL PREAMBLE" => {
                for l in &block.lines {
                    if let Some(v) = l.strip_prefix("Version: ") {
                        self.protocol_version = v.to_string();
                    }
                }
            }
            "VIDEOHUB DEVICE" => self.apply_device(block),
            "INPUT LABELS" => apply_indexed(&block.lines, &mut self.input_labels, |s| {
                Some(s.to_string())
            }),
            "OUTPUT LABELS" => apply_indexed(&block.lines, &mut self.output_labels, |s| {
                Some(s.to_string())
            }),
            "VIDEO OUTPUT ROUTING" => {
                apply_indexed(&block.lines, &mut self.routes, |s| s.parse().ok());
                self.ready = true;
            }
            "VIDEO OUTPUT LOCKS" => apply_indexed(&block.lines, &mut self.locks, |s| {
                Some(match s {
                    "O" => Some(Lock::Owned),
                    "L" => Some(Lock::Locked),
                    "U" => Some(Lock::Unlocked),
                    _ => return None,
                })
            }),
            "END PRELUDE" => self.ready = true,
            _ => {}
        }
    }

    fn apply_device(&mut self, block: &Block) {
        for l in &block.lines {
            let Some((key, value)) = l.split_once(": ") else {
                continue;
            };
            let count = value.parse::<usize>().ok().filter(|&n| n <= 1024);
            match (key, count) {
                ("Device present", _) => self.device_present = value.to_string(),
                ("Model name", _) => self.model = value.to_string(),
                ("Video inputs", Some(n)) => self.input_labels.resize(n, String::new()),
                ("Video outputs", Some(n)) => {
                    self.output_labels.resize(n, String::new());
                    self.routes.resize(n, 0);
                    self.locks.resize(n, None);
                }
                _ => {}
            }
        }
    }
}

fn apply_indexed<T>(lines: &[String], into: &mut [T], parse: impl Fn(&str) -> Option<T>) {
    for l in lines {
        match index_line(l).and_then(|(i, rest)| Some((i, parse(rest)?))) {
            Some((i, v)) if i < into.len() => into[i] = v,
            _ => tracing::warn!("Videohub: ignoring line {l:?}"),
        }
    }
}

/// Why talking to a Videohub failed.
#[derive(Debug, thiserror::Error)]
pub enum VideohubError {
    #[error("{addr}: {source}")]
    Io {
        addr: String,
        source: std::io::Error,
    },
    #[error(
        "{addr}: no ACK within {0:?}; the connection is dropped",
        Duration::from_secs(2)
    )]
    NoAck { addr: String },
    #[error("{addr}: the router answered NAK to {what}")]
    Nak { addr: String, what: String },
    #[error("{addr}: {what} is out of range (router has {inputs} inputs, {outputs} outputs)")]
    OutOfRange {
        addr: String,
        what: String,
        inputs: usize,
        outputs: usize,
    },
    #[error("{addr}: the connection is closed")]
    Closed { addr: String },
}

/// A connected Videohub client.
#[derive(Debug)]
pub struct VideohubClient {
    addr: String,
    writer: Mutex<OwnedWriteHalf>,
    acks: Mutex<mpsc::Receiver<bool>>,
    state: watch::Receiver<RouterState>,
    reader: tokio::task::JoinHandle<()>,
    /// How long to wait for ACK before giving up on the link.
    pub ack_timeout: Duration,
}

impl Drop for VideohubClient {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl VideohubClient {
    /// Connects and waits for the initial dump.
    pub async fn connect(addr: &str) -> Result<Arc<Self>, VideohubError> {
        let io = |source| VideohubError::Io {
            addr: addr.to_string(),
            source,
        };
        let stream = tokio::time::timeout(Duration::from_secs(2), TcpStream::connect(addr))
            .await
            .map_err(|_| io(std::io::ErrorKind::TimedOut.into()))?
            .map_err(io)?;
        let (rd, wr) = stream.into_split();
        let (state_tx, mut state) = watch::channel(RouterState::default());
        let (ack_tx, ack_rx) = mpsc::channel(8);
        let reader = tokio::spawn(read_loop(
            BufReader::new(rd),
            state_tx,
            ack_tx,
            addr.to_string(),
        ));
        let ready = tokio::time::timeout(Duration::from_secs(3), state.wait_for(|s| s.ready))
            .await
            .map(|r| r.map(|_| ()));
        match ready {
            Ok(Ok(())) => {}
            Ok(Err(_)) => {
                return Err(VideohubError::Closed {
                    addr: addr.to_string(),
                })
            }
            Err(_) => {
                return Err(io(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    "no status dump from the router",
                )))
            }
        }
        Ok(Arc::new(Self {
            addr: addr.to_string(),
            writer: Mutex::new(wr),
            acks: Mutex::new(ack_rx),
            state,
            reader,
            ack_timeout: Duration::from_secs(2),
        }))
    }

    /// The router's state now.
    pub fn state(&self) -> RouterState {
        self.state.borrow().clone()
    }
    /// Wakes on every change, including changes made on the router's panel.
    pub fn subscribe(&self) -> watch::Receiver<RouterState> {
        self.state.clone()
    }
    /// Whether the reader still runs (the router has not closed the connection).
    pub fn is_open(&self) -> bool {
        !self.reader.is_finished()
    }
    pub fn address(&self) -> &str {
        &self.addr
    }

    /// Routes `input` to `output` (both from 0). ACK means accepted; the state follows when
    /// the router broadcasts the change.
    pub async fn route(&self, output: usize, input: usize) -> Result<(), VideohubError> {
        let s = self.state();
        if output >= s.routes.len() || input >= s.input_labels.len() {
            return Err(VideohubError::OutOfRange {
                addr: self.addr.clone(),
                what: format!("route input {input} to output {output}"),
                inputs: s.input_labels.len(),
                outputs: s.routes.len(),
            });
        }
        let block = Block::new("VIDEO OUTPUT ROUTING", vec![format!("{output} {input}")]);
        self.send(&block, "a route").await
    }

    /// Renames an output.
    pub async fn set_output_label(&self, output: usize, label: &str) -> Result<(), VideohubError> {
        let clean: String = label.chars().filter(|c| !c.is_control()).collect();
        let block = Block::new("OUTPUT LABELS", vec![format!("{output} {clean}")]);
        self.send(&block, "an output label").await
    }

    /// Keep-alive.
    pub async fn ping(&self) -> Result<(), VideohubError> {
        self.send(&Block::new("PING", vec![]), "PING").await
    }

    /// Sends one block and waits for its ACK; one block in flight (bursts are dropped by
    /// real routers), and a missing ACK drops the link so a late one is not misattributed.
    async fn send(&self, block: &Block, what: &str) -> Result<(), VideohubError> {
        let mut acks = self.acks.lock().await;
        while acks.try_recv().is_ok() {} // stale answers from a timed-out exchange
        let mut w = self.writer.lock().await;
        w.write_all(block.to_text().as_bytes())
            .await
            .map_err(|source| VideohubError::Io {
                addr: self.addr.clone(),
                source,
            })?;
        drop(w);
        match tokio::time::timeout(self.ack_timeout, acks.recv()).await {
            Ok(Some(true)) => Ok(()),
            Ok(Some(false)) => Err(VideohubError::Nak {
                addr: self.addr.clone(),
                what: what.to_string(),
            }),
            Ok(None) => Err(VideohubError::Closed {
                addr: self.addr.clone(),
            }),
            Err(_) => {
                self.reader.abort();
                Err(VideohubError::NoAck {
                    addr: self.addr.clone(),
                })
            }
        }
    }
}

async fn read_loop(
    mut rd: BufReader<tokio::net::tcp::OwnedReadHalf>,
    state: watch::Sender<RouterState>,
    acks: mpsc::Sender<bool>,
    addr: String,
) {
    let mut parser = BlockParser::default();
    let mut line = String::new();
    loop {
        line.clear();
        match (&mut rd).take(MAX_LINE as u64).read_line(&mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) if !line.ends_with('\n') && line.len() >= MAX_LINE => {
                tracing::warn!("Videohub {addr}: line longer than {MAX_LINE} bytes; closing");
                return;
            }
            Ok(_) => {}
        }
        let Some(block) = parser.line(line.trim_end_matches('\n')) else {
            continue;
        };
        match block.header.as_str() {
            "ACK" => {
                let _ = acks.try_send(true);
            }
            "NAK" => {
                let _ = acks.try_send(false);
            }
            _ => {
                state.send_modify(|s| s.apply(&block));
            }
        }
    }
}
