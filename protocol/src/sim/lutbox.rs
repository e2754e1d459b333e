//! A simulated software LUT box speaking LWLB, with the faults real boxes show: off at
//! start, accepts and never reads, drops the connection in the middle of a LUT, answers
//! garbage.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

use crate::lwlb::message::CapabilitiesMsg;
use crate::lwlb::receiver::Receiver;
use crate::lwlb::wire;

/// How the simulated box behaves towards new connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Fault {
    /// A correct, strict receiver.
    None = 0,
    /// Accepts the connection and never reads from it.
    NeverReads = 1,
    /// Reads the hello properly, then closes in the middle of the first LUT.
    DropsMidLut = 2,
    /// Answers every frame with bytes that are not a frame.
    Garbage = 3,
}

/// The capabilities of a typical simulated box: 17/33/65 cubes, f32 or 12-bit, CDL, 4 slots.
pub fn default_capabilities(model: &str) -> CapabilitiesMsg {
    CapabilitiesMsg {
        minor: wire::MINOR,
        slots: 4,
        cdl_native: false,
        f32_samples: true,
        uint_bits: Some(12),
        sdr: true,
        hdr: true,
        max_payload: 65 * 65 * 65 * 12 + wire::LUT_HEADER_LEN as u32,
        sizes: vec![17, 33, 65],
        model: model.into(),
    }
}

/// A running simulated box.
#[derive(Debug)]
pub struct LutBoxSim {
    addr: SocketAddr,
    receiver: Arc<Receiver>,
    fault: Arc<AtomicU8>,
    task: JoinHandle<()>,
}

impl LutBoxSim {
    /// Starts a box on `addr` (port 0 picks a free one).
    pub async fn start(addr: &str, caps: CapabilitiesMsg) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self::from_listener(listener, caps))
    }

    pub fn from_listener(listener: TcpListener, caps: CapabilitiesMsg) -> Self {
        let addr = listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)));
        let receiver = Receiver::new(caps);
        let fault = Arc::new(AtomicU8::new(Fault::None as u8));
        let task = tokio::spawn(accept_loop(
            listener,
            Arc::clone(&receiver),
            Arc::clone(&fault),
        ));
        Self {
            addr,
            receiver,
            fault,
            task,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    pub fn receiver(&self) -> &Arc<Receiver> {
        &self.receiver
    }
    /// Sets the behaviour for connections accepted from now on.
    pub fn set_fault(&self, fault: Fault) {
        self.fault.store(fault as u8, Ordering::SeqCst);
    }
    /// Stops listening; open sessions end with the runtime or their peer.
    pub fn stop(self) {
        self.task.abort();
    }
}

impl Drop for LutBoxSim {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn accept_loop(listener: TcpListener, receiver: Arc<Receiver>, fault: Arc<AtomicU8>) {
    let mut held = Vec::new();
    while let Ok((stream, peer)) = listener.accept().await {
        match fault.load(Ordering::SeqCst) {
            1 => held.push(stream), // never read: keep the socket open, untouched
            2 => {
                tokio::spawn(drop_mid_lut(stream, Arc::clone(&receiver), peer));
            }
            3 => {
                tokio::spawn(garbage(stream));
            }
            _ => {
                let r = Arc::clone(&receiver);
                tokio::spawn(async move { r.handle(stream, peer).await });
            }
        }
    }
}

/// Answers HELLO correctly, then reads half of the next frame and closes.
async fn drop_mid_lut(mut stream: TcpStream, receiver: Arc<Receiver>, _peer: SocketAddr) {
    let mut head = [0u8; wire::HEADER_LEN];
    if stream.read_exact(&mut head).await.is_err() {
        return;
    }
    let len = wire::u32_at(&head, 12) as usize;
    let mut payload = vec![0u8; len.min(4096)];
    if stream.read_exact(&mut payload).await.is_err() {
        return;
    }
    let seq = wire::u32_at(&head, 8);
    let caps = crate::lwlb::Message::Capabilities(receiver.capabilities().clone());
    let (kind, p) = caps.encode();
    if stream.write_all(&wire::frame(kind, seq, &p)).await.is_err() {
        return;
    }
    let mut half = vec![0u8; 4096];
    let _ = stream.read(&mut half).await;
    // Dropping the stream closes it mid-frame.
}

/// Reads whatever comes and answers with bytes that are not a frame.
async fn garbage(mut stream: TcpStream) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = stream.read(&mut buf).await {
        if n == 0
            || stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n")
                .await
                .is_err()
        {
            return;
        }
    }
}
