//! A simulated Arduino running the forwarding sketch with a 3G-SDI shield, on the master
//! side of a pseudo-terminal pair: it checks every frame and every SDI group the way the
//! sketch does and records the groups the shield would have put into the SDI stream.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serialport::{SerialPort, TTYPort};

use crate::bmd::sdi;
use crate::bmd::shield::{kind, nak, SKETCH_PROTOCOL};
use crate::serial::{self, Packet};

/// State shared between the simulator thread and the test.
#[derive(Debug, Default)]
struct Shared {
    groups: Mutex<Vec<Vec<u8>>>,
    naks: Mutex<Vec<u8>>,
    shield_missing: AtomicBool,
    stop: AtomicBool,
}

/// A running simulated sketch + shield.
#[derive(Debug)]
pub struct ShieldSim {
    path: String,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
    // Held open so the master never reads EIO while lookwire has the slave closed.
    _slave: TTYPort,
}

impl ShieldSim {
    /// Opens a pseudo-terminal pair and runs the sketch on its master side. `TTYPort::pair`
    /// is not thread-safe: callers serialise.
    pub fn start() -> io::Result<Self> {
        let (mut master, slave) = TTYPort::pair().map_err(io::Error::other)?;
        master
            .set_timeout(Duration::from_millis(20))
            .map_err(io::Error::other)?;
        let path = slave
            .name()
            .ok_or_else(|| io::Error::other("pty slave has no name"))?;
        let shared = Arc::new(Shared::default());
        let s = Arc::clone(&shared);
        let thread = std::thread::spawn(move || run(&mut master, &s));
        Ok(Self {
            path,
            shared,
            thread: Some(thread),
            _slave: slave,
        })
    }

    /// The serial port path lookwire opens.
    pub fn path(&self) -> &str {
        &self.path
    }
    /// Every group forwarded to the shield, in order.
    pub fn groups(&self) -> Vec<Vec<u8>> {
        self.shared
            .groups
            .lock()
            .map(|g| g.clone())
            .unwrap_or_default()
    }
    /// Every NAK reason sent.
    pub fn naks(&self) -> Vec<u8> {
        self.shared
            .naks
            .lock()
            .map(|g| g.clone())
            .unwrap_or_default()
    }
    /// Simulates a shield that does not answer on I2C.
    pub fn set_shield_missing(&self, missing: bool) {
        self.shared.shield_missing.store(missing, Ordering::SeqCst);
    }
}

impl Drop for ShieldSim {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(port: &mut TTYPort, shared: &Shared) {
    while !shared.stop.load(Ordering::SeqCst) {
        let frame = match serial::read_frame(port, Duration::from_millis(50), 600) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::TimedOut => continue,
            Err(_) => {
                std::thread::sleep(Duration::from_millis(10));
                continue;
            }
        };
        let reply = answer(&frame, shared);
        if let Packet {
            kind: kind::NAK,
            payload,
            ..
        } = &reply
        {
            if let Ok(mut n) = shared.naks.lock() {
                n.push(payload[0]);
            }
        }
        let _ = serial::write_packet(port, &reply);
    }
}

fn answer(frame: &[u8], shared: &Shared) -> Packet {
    let nak = |seq, reason| Packet {
        kind: kind::NAK,
        seq,
        payload: vec![reason],
    };
    let p = match Packet::from_frame(frame) {
        Ok(p) => p,
        Err(_) => return nak(0, nak::CRC),
    };
    let shield_ok = !shared.shield_missing.load(Ordering::SeqCst);
    match p.kind {
        kind::PING => Packet {
            kind: kind::READY,
            seq: p.seq,
            payload: vec![u8::from(shield_ok), SKETCH_PROTOCOL],
        },
        kind::GROUP if p.payload.is_empty() || sdi::decode_group(&p.payload).is_err() => {
            nak(p.seq, nak::BAD_GROUP)
        }
        kind::GROUP if !shield_ok => nak(p.seq, nak::SHIELD_BUSY),
        kind::GROUP => {
            if let Ok(mut g) = shared.groups.lock() {
                g.push(p.payload);
            }
            Packet {
                kind: kind::ACK,
                seq: p.seq,
                payload: vec![],
            }
        }
        _ => nak(p.seq, nak::UNKNOWN_TYPE),
    }
}
