//! OSC 1.0 control in and out (rosc; protocols.md §4), for TouchOSC, Open Stage Control
//! and consoles. Address scheme (every value is untrusted and checked):
//!
//! | Address | Arguments | Meaning |
//! |---|---|---|
//! | `/lookwire/camera/{id}/slope` | r g b | trim slope (0–100) |
//! | `/lookwire/camera/{id}/offset` | r g b | trim offset (±100) |
//! | `/lookwire/camera/{id}/power` | r g b | trim power (> 0, ≤ 100) |
//! | `/lookwire/camera/{id}/{slope,offset,power}/{r,g,b}` | v | one channel (a fader) |
//! | `/lookwire/camera/{id}/sat` | s | trim saturation (0–100) |
//! | `/lookwire/camera/{id}/reset` | — | trim back to identity |
//!
//! Numbers may be int32, float32 or float64. Feedback: lookwire answers each change with
//! the applied value on the same address, to every known surface except, within a guard
//! window, the one that sent it (so faders do not fight). A malformed message is logged
//! with its source and address and ignored.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lookwire_color::cdl::{short_number, Cdl};
use rosc::{OscMessage, OscPacket, OscType};
use tokio::net::UdpSocket;
use tokio::sync::mpsc;

/// Which part of the trim CDL a command sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TrimField {
    Slope,
    Offset,
    Power,
}

impl TrimField {
    pub fn name(self) -> &'static str {
        match self {
            TrimField::Slope => "slope",
            TrimField::Offset => "offset",
            TrimField::Power => "power",
        }
    }
}

/// One decoded, validated control command.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// All three channels.
    Rgb {
        camera: String,
        field: TrimField,
        rgb: [f64; 3],
    },
    /// One channel (0 red, 1 green, 2 blue).
    Channel {
        camera: String,
        field: TrimField,
        channel: usize,
        value: f64,
    },
    Saturation {
        camera: String,
        value: f64,
    },
    Reset {
        camera: String,
    },
}

/// Why a message was ignored; names the address.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{address}: {problem}")]
pub struct OscInputError {
    pub address: String,
    pub problem: String,
}

fn number(arg: &OscType) -> Option<f64> {
    match arg {
        OscType::Float(f) => Some(f64::from(*f)),
        OscType::Double(d) => Some(*d),
        OscType::Int(i) => Some(f64::from(*i)),
        _ => None,
    }
}

/// The CDL's own rules (finite, the ASC bounds and lookwire's ceiling), so a value the
/// server would refuse is refused here, where the sender and address are known.
fn check(field: &str, v: f64) -> Result<f64, String> {
    let rule = if v.is_finite() {
        Cdl::check_value(field, v)
    } else {
        Err("a finite number")
    };
    rule.map(|()| v)
        .map_err(|rule| format!("{field} {} must be {rule}", short_number(v)))
}

fn numbers(msg: &OscMessage, want: usize, field: &str) -> Result<Vec<f64>, String> {
    if msg.args.len() != want {
        return Err(format!(
            "expected {want} numeric argument(s), got {}",
            msg.args.len()
        ));
    }
    msg.args
        .iter()
        .enumerate()
        .map(|(i, a)| {
            number(a)
                .ok_or_else(|| format!("argument {i} is {a:?}, not a number"))
                .and_then(|v| check(field, v))
        })
        .collect()
}

fn field(name: &str) -> Option<TrimField> {
    match name {
        "slope" => Some(TrimField::Slope),
        "offset" => Some(TrimField::Offset),
        "power" => Some(TrimField::Power),
        _ => None,
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// Decodes one message of the address scheme.
pub fn parse_message(msg: &OscMessage) -> Result<Command, OscInputError> {
    let fail = |problem: String| OscInputError {
        address: msg.addr.clone(),
        problem,
    };
    let parts: Vec<&str> = msg.addr.split('/').collect();
    let ["", "lookwire", "camera", camera, rest @ ..] = parts.as_slice() else {
        return Err(fail("not under /lookwire/camera/{id}/".into()));
    };
    if !valid_id(camera) {
        return Err(fail(format!(
            "camera id {camera:?} is not 1-64 of a-z 0-9 - _ ."
        )));
    }
    let camera = camera.to_string();
    match rest {
        ["reset"] if msg.args.is_empty() => Ok(Command::Reset { camera }),
        ["reset"] => Err(fail("reset takes no arguments".into())),
        ["sat"] => Ok(Command::Saturation {
            camera,
            value: numbers(msg, 1, "sat").map_err(fail)?[0],
        }),
        [name] => {
            let f = field(name).ok_or_else(|| fail(format!("unknown control {name:?}")))?;
            let v = numbers(msg, 3, name).map_err(fail)?;
            Ok(Command::Rgb {
                camera,
                field: f,
                rgb: [v[0], v[1], v[2]],
            })
        }
        [name, ch] => {
            let f = field(name).ok_or_else(|| fail(format!("unknown control {name:?}")))?;
            let channel = ["r", "g", "b"]
                .iter()
                .position(|c| c == ch)
                .ok_or_else(|| fail(format!("channel {ch:?} is not r, g or b")))?;
            Ok(Command::Channel {
                camera,
                field: f,
                channel,
                value: numbers(msg, 1, name).map_err(fail)?[0],
            })
        }
        _ => Err(fail("unknown address".into())),
    }
}

/// Decodes a datagram: a message or a bundle (flattened, in order).
pub fn parse_packet(bytes: &[u8]) -> Vec<Result<Command, OscInputError>> {
    match rosc::decoder::decode_udp(bytes) {
        Ok((_, packet)) => {
            let mut out = Vec::new();
            flatten(packet, &mut out);
            out
        }
        Err(e) => vec![Err(OscInputError {
            address: "(undecodable packet)".into(),
            problem: format!("{e:?}"),
        })],
    }
}

fn flatten(packet: OscPacket, out: &mut Vec<Result<Command, OscInputError>>) {
    match packet {
        OscPacket::Message(m) => out.push(parse_message(&m)),
        OscPacket::Bundle(b) => b.content.into_iter().for_each(|p| flatten(p, out)),
    }
}

/// The feedback message for an applied value.
pub fn feedback(camera: &str, field: &str, values: &[f64]) -> OscMessage {
    OscMessage {
        addr: format!("/lookwire/camera/{camera}/{field}"),
        args: values.iter().map(|&v| OscType::Float(v as f32)).collect(),
    }
}

/// A command with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    pub from: SocketAddr,
    pub command: Command,
}

/// A UDP endpoint: receives commands, sends feedback to every surface it has heard from
/// (and any configured ones).
#[derive(Debug)]
pub struct OscEndpoint {
    socket: Arc<UdpSocket>,
    peers: Arc<Mutex<HashMap<SocketAddr, Option<Instant>>>>,
    /// Feedback is not echoed to a surface that sent on the same address this recently.
    pub guard: Duration,
    task: tokio::task::JoinHandle<()>,
    ignored: Arc<std::sync::atomic::AtomicU64>,
}

impl Drop for OscEndpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Largest datagram read (peers may exceed rosc's 1536-byte MTU buffer).
const MAX_DATAGRAM: usize = 65_536;

impl OscEndpoint {
    /// Binds `addr` and forwards valid commands to the returned channel.
    pub async fn bind(addr: &str) -> std::io::Result<(Self, mpsc::Receiver<Received>)> {
        let socket = Arc::new(UdpSocket::bind(addr).await?);
        let peers = Arc::new(Mutex::new(HashMap::new()));
        let ignored = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (tx, rx) = mpsc::channel(256);
        let task = tokio::spawn(recv_loop(
            Arc::clone(&socket),
            Arc::clone(&peers),
            tx,
            Arc::clone(&ignored),
        ));
        Ok((
            Self {
                socket,
                peers,
                guard: Duration::from_millis(250),
                task,
                ignored,
            },
            rx,
        ))
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Adds a surface that gets feedback before it has sent anything.
    pub fn add_peer(&self, peer: SocketAddr) {
        if let Ok(mut p) = self.peers.lock() {
            p.entry(peer).or_insert(None);
        }
    }

    /// How many messages were malformed and ignored.
    pub fn ignored(&self) -> u64 {
        self.ignored.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sends `msg` to every surface except one that sent within the guard window.
    pub async fn send_feedback(&self, msg: OscMessage) -> std::io::Result<usize> {
        let bytes = rosc::encoder::encode(&OscPacket::Message(msg))
            .map_err(|e| std::io::Error::other(format!("{e:?}")))?;
        let targets: Vec<SocketAddr> = match self.peers.lock() {
            Ok(p) => p
                .iter()
                .filter(|(_, last)| last.is_none_or(|t| t.elapsed() >= self.guard))
                .map(|(a, _)| *a)
                .collect(),
            Err(_) => Vec::new(),
        };
        for t in &targets {
            self.socket.send_to(&bytes, t).await?;
        }
        Ok(targets.len())
    }
}

async fn recv_loop(
    socket: Arc<UdpSocket>,
    peers: Arc<Mutex<HashMap<SocketAddr, Option<Instant>>>>,
    tx: mpsc::Sender<Received>,
    ignored: Arc<std::sync::atomic::AtomicU64>,
) {
    let mut buf = vec![0u8; MAX_DATAGRAM];
    loop {
        let Ok((n, from)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        if let Ok(mut p) = peers.lock() {
            p.insert(from, Some(Instant::now()));
        }
        for result in parse_packet(&buf[..n]) {
            match result {
                Ok(command) => {
                    if tx.send(Received { from, command }).await.is_err() {
                        return;
                    }
                }
                Err(e) => {
                    ignored.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    tracing::warn!("OSC from {from}: ignored {e}");
                }
            }
        }
    }
}
