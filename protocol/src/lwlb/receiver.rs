//! The receiving side of the protocol: what a software LUT box (or lookwire listening as
//! one) runs. Strict: every byte of every frame is checked, and every fault is answered
//! with an ERROR naming the field and byte offset.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};

use lookwire_color::{Cdl, CdlStyle};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

use super::message::{CapabilitiesMsg, Message, SlotState, StatusMsg};
use super::wire::{self, ErrorCode, MessageType, WireError};
use super::{read_frame, Frame, FrameError};
use crate::encode::{EncodedLut, Samples};

/// What one slot holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum SlotContent {
    #[default]
    Empty,
    Lut {
        lut: EncodedLut,
        crc: u32,
    },
    Cdl {
        cdl: Cdl,
        style: CdlStyle,
        crc: u32,
    },
}

impl SlotContent {
    fn state(&self) -> SlotState {
        match self {
            SlotContent::Empty => SlotState::default(),
            SlotContent::Lut { lut, crc } => SlotState {
                kind: 1,
                size: lut.size as u16,
                crc: *crc,
            },
            SlotContent::Cdl { crc, .. } => SlotState {
                kind: 2,
                size: 0,
                crc: *crc,
            },
        }
    }
}

/// The receiver's state: its slots, the active one, and how many pushes it applied.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BoxState {
    pub slots: Vec<SlotContent>,
    pub active: u8,
    pub applied: u32,
}

/// A look a peer pushed, as published to subscribers.
#[derive(Clone, Debug)]
pub struct Received {
    pub peer: SocketAddr,
    pub seq: u32,
    pub slot: u8,
    pub content: SlotContent,
}

/// A protocol receiver with its announced capabilities and its slots.
#[derive(Debug)]
pub struct Receiver {
    caps: CapabilitiesMsg,
    state: Mutex<BoxState>,
    events: broadcast::Sender<Received>,
}

impl Receiver {
    pub fn new(caps: CapabilitiesMsg) -> Arc<Self> {
        let state = BoxState {
            slots: vec![SlotContent::Empty; usize::from(caps.slots)],
            ..BoxState::default()
        };
        Arc::new(Self {
            caps,
            state: Mutex::new(state),
            events: broadcast::channel(64).0,
        })
    }

    pub fn capabilities(&self) -> &CapabilitiesMsg {
        &self.caps
    }

    /// Subscribes to every look applied from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Received> {
        self.events.subscribe()
    }

    /// A copy of the slots.
    pub fn snapshot(&self) -> BoxState {
        self.lock().clone()
    }

    fn lock(&self) -> MutexGuard<'_, BoxState> {
        // A panic elsewhere cannot leave the slots half-written: every update is one assignment.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Accepts connections forever, one task per peer.
    pub async fn serve(self: Arc<Self>, listener: TcpListener) {
        loop {
            match listener.accept().await {
                Ok((stream, peer)) => {
                    let me = Arc::clone(&self);
                    tokio::spawn(async move { me.handle(stream, peer).await });
                }
                Err(e) => {
                    tracing::warn!("LWLB receiver: accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    }

    /// Runs one peer's session until it closes or commits a fatal fault.
    pub async fn handle(&self, stream: TcpStream, peer: SocketAddr) {
        let _ = stream.set_nodelay(true);
        let (rd, mut wr) = stream.into_split();
        let mut rd = BufReader::with_capacity(1 << 16, rd);
        let mut greeted = false;
        loop {
            let frame = match read_frame(&mut rd, self.caps.max_payload).await {
                Ok(Some(f)) => f,
                Ok(None) => return,
                Err(FrameError::Wire(e)) if e.code == ErrorCode::Checksum => {
                    tracing::warn!("LWLB receiver: {peer}: {e}");
                    if send(&mut wr, 0, error_msg(&e)).await.is_err() {
                        return;
                    }
                    continue;
                }
                Err(e) => {
                    tracing::warn!("LWLB receiver: {peer}: {e}");
                    if let FrameError::Wire(w) = e {
                        let _ = send(&mut wr, 0, error_msg(&w)).await;
                    }
                    return;
                }
            };
            let seq = frame.header.seq;
            let (reply, fatal) = self.answer(frame, peer, &mut greeted);
            if send(&mut wr, seq, reply).await.is_err() || fatal {
                return;
            }
        }
    }

    /// The reply to one frame, and whether the session ends after it.
    fn answer(&self, frame: Frame, peer: SocketAddr, greeted: &mut bool) -> (Message, bool) {
        let result = self.apply(&frame, peer, greeted);
        match result {
            Ok(reply) => (reply, false),
            Err(e) => {
                tracing::warn!("LWLB receiver: {peer}: frame {}: {e}", frame.header.seq);
                let fatal = e.code.is_fatal() || e.code == ErrorCode::NoHello;
                (error_msg(&e), fatal)
            }
        }
    }

    fn apply(
        &self,
        frame: &Frame,
        peer: SocketAddr,
        greeted: &mut bool,
    ) -> Result<Message, WireError> {
        let Some(kind) = MessageType::from_byte(frame.header.kind) else {
            let problem = format!("unknown message type {:#04x}", frame.header.kind);
            return Err(err(ErrorCode::UnknownType, "type", 5, problem));
        };
        let msg = Message::decode(kind, &frame.payload)?;
        if !*greeted && kind != MessageType::Hello {
            let problem = "the first message must be HELLO".to_string();
            return Err(err(ErrorCode::NoHello, "type", 5, problem));
        }
        let crc = frame.header.crc;
        match msg {
            Message::Hello { minor, name } => {
                tracing::debug!("LWLB receiver: {peer} is {name:?} (minor {minor})");
                *greeted = true;
                let mut caps = self.caps.clone();
                caps.minor = caps.minor.min(minor);
                Ok(Message::Capabilities(caps))
            }
            Message::PushLut3d { slot, lut } => {
                self.check_lut(slot, &lut)?;
                self.store(peer, frame.header.seq, slot, SlotContent::Lut { lut, crc })
            }
            Message::PushCdl { slot, cdl, style } => {
                if !self.caps.cdl_native {
                    return Err(err(
                        ErrorCode::Unsupported,
                        "type",
                        5,
                        "this receiver takes no CDL".into(),
                    ));
                }
                self.check_slot(slot)?;
                self.store(
                    peer,
                    frame.header.seq,
                    slot,
                    SlotContent::Cdl { cdl, style, crc },
                )
            }
            Message::Activate { slot } => {
                self.check_slot(slot)?;
                self.lock().active = slot;
                Ok(Message::Ack { slot, crc })
            }
            Message::StatusRequest => Ok(Message::Status(self.status())),
            _ => {
                let problem = format!(
                    "{} is sent by receivers only",
                    super::message::kind_name(kind)
                );
                Err(err(ErrorCode::UnknownType, "type", 5, problem))
            }
        }
    }

    fn check_slot(&self, slot: u8) -> Result<(), WireError> {
        if slot >= self.caps.slots {
            let problem = format!("slot {slot} does not exist (slots 0..{})", self.caps.slots);
            return Err(err(ErrorCode::BadSlot, "slot", wire::HEADER_LEN, problem));
        }
        Ok(())
    }

    fn check_lut(&self, slot: u8, lut: &EncodedLut) -> Result<(), WireError> {
        self.check_slot(slot)?;
        if !self.caps.sizes.contains(&(lut.size as u16)) {
            let problem = format!(
                "size {} not among the announced {:?}",
                lut.size, self.caps.sizes
            );
            return Err(err(ErrorCode::Unsupported, "size", 4, problem));
        }
        let ok = match &lut.samples {
            Samples::F32(_) => self.caps.f32_samples,
            Samples::UInt { bits, .. } => self.caps.uint_bits == Some(*bits),
        };
        if !ok {
            let problem = "sample encoding or bit depth not announced in CAPABILITIES".to_string();
            return Err(err(ErrorCode::Unsupported, "encoding", 1, problem));
        }
        Ok(())
    }

    fn store(
        &self,
        peer: SocketAddr,
        seq: u32,
        slot: u8,
        content: SlotContent,
    ) -> Result<Message, WireError> {
        let crc = content.state().crc;
        {
            let mut st = self.lock();
            st.slots[usize::from(slot)] = content.clone();
            st.applied = st.applied.wrapping_add(1);
        }
        let _ = self.events.send(Received {
            peer,
            seq,
            slot,
            content,
        });
        Ok(Message::Ack { slot, crc })
    }

    fn status(&self) -> StatusMsg {
        let st = self.lock();
        StatusMsg {
            active_slot: st.active,
            applied: st.applied,
            slots: st.slots.iter().map(SlotContent::state).collect(),
        }
    }
}

fn err(code: ErrorCode, field: &'static str, offset: usize, problem: String) -> WireError {
    WireError {
        code,
        field,
        offset,
        problem,
    }
}

fn error_msg(e: &WireError) -> Message {
    Message::Error {
        code: e.code as u16,
        message: e.to_string(),
    }
}

async fn send<W: tokio::io::AsyncWrite + Unpin>(
    w: &mut W,
    seq: u32,
    msg: Message,
) -> std::io::Result<()> {
    let (kind, payload) = msg.encode();
    w.write_all(&wire::frame(kind, seq, &payload)).await
}
