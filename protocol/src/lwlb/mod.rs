//! lookwire's open software-LUT-box protocol ("LWLB", protocol/SPEC.md): the wire codec,
//! the sending side ([`sender::LutBoxClient`], a [`crate::Device`]) and the receiving side
//! ([`receiver::Receiver`]), which the simulator and lookwire's own listener build on.

pub mod message;
pub mod receiver;
pub mod sender;
pub mod spec_example;
pub mod wire;

use tokio::io::{AsyncRead, AsyncReadExt};

pub use message::{CapabilitiesMsg, Message, SlotState, StatusMsg};
pub use wire::{ErrorCode, MessageType, WireError};

/// Why a frame could not be read from a stream.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("connection closed after {got} of {want} bytes of a frame")]
    Truncated { got: usize, want: usize },
    #[error(transparent)]
    Wire(#[from] WireError),
}

/// One frame as read: header and the whole payload (its CRC already checked).
#[derive(Debug)]
pub struct Frame {
    pub header: wire::Header,
    pub payload: Vec<u8>,
}

/// Reads exactly `buf.len()` bytes; `Ok(false)` if the stream ended before the first byte.
async fn read_full<R: AsyncRead + Unpin>(r: &mut R, buf: &mut [u8]) -> Result<bool, FrameError> {
    let mut got = 0;
    while got < buf.len() {
        let n = r.read(&mut buf[got..]).await?;
        if n == 0 {
            if got == 0 {
                return Ok(false);
            }
            return Err(FrameError::Truncated {
                got,
                want: buf.len(),
            });
        }
        got += n;
    }
    Ok(true)
}

/// Reads one frame. `Ok(None)` on a clean end of stream between frames. A CRC mismatch is
/// reported after the whole payload is read, so the stream stays aligned.
pub async fn read_frame<R: AsyncRead + Unpin>(
    r: &mut R,
    max_payload: u32,
) -> Result<Option<Frame>, FrameError> {
    let mut head = [0u8; wire::HEADER_LEN];
    if !read_full(r, &mut head).await? {
        return Ok(None);
    }
    let header = wire::decode_header(&head, max_payload)?;
    let mut payload = vec![0u8; header.len as usize];
    if !read_full(r, &mut payload).await? && !payload.is_empty() {
        return Err(FrameError::Truncated {
            got: wire::HEADER_LEN,
            want: wire::HEADER_LEN + payload.len(),
        });
    }
    let crc = crc32fast::hash(&payload);
    if crc != header.crc {
        return Err(FrameError::Wire(WireError {
            code: ErrorCode::Checksum,
            field: "crc",
            offset: 16,
            problem: format!(
                "header says {:08X}, payload hashes to {crc:08X}",
                header.crc
            ),
        }));
    }
    Ok(Some(Frame { header, payload }))
}
