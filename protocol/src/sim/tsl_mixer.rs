//! A simulated vision mixer sending TSL UMD tally (v3.1 or v5.0) over UDP or TCP.

use std::net::SocketAddr;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpStream, UdpSocket};

use crate::tsl::{dle_wrap, Lamp, V5Display, V31, V5};

/// The packets a mixer sends when `program` is on air and `preview` is next, for sources
/// `0..sources` with their labels.
pub fn v31_packets(sources: u8, program: u8, preview: u8) -> Vec<[u8; 18]> {
    (0..sources)
        .map(|i| {
            V31 {
                address: i,
                tally: [i == program, i == preview, false, false],
                brightness: 3,
                text: format!("CAM {}", i + 1),
            }
            .encode()
        })
        .collect()
}

/// The same as one v5.0 packet (left lamp: red on program, green on preview).
pub fn v5_packet(sources: u16, program: u16, preview: u16, unicode: bool) -> Vec<u8> {
    let displays = (0..sources)
        .map(|i| V5Display {
            index: i,
            right: Lamp::Off,
            text_tally: Lamp::Off,
            left: if i == program {
                Lamp::Red
            } else if i == preview {
                Lamp::Green
            } else {
                Lamp::Off
            },
            brightness: 3,
            text: format!("CAM {}", i + 1),
        })
        .collect();
    V5 {
        version: 0,
        screen: 0,
        unicode,
        displays,
    }
    .encode()
}

/// Sends a datagram from a fresh socket.
pub async fn send_udp(to: SocketAddr, bytes: &[u8]) -> std::io::Result<()> {
    let s = UdpSocket::bind("127.0.0.1:0").await?;
    s.send_to(bytes, to).await.map(|_| ())
}

/// A mixer connected over TCP.
#[derive(Debug)]
pub struct TslTcpMixer {
    stream: TcpStream,
}

impl TslTcpMixer {
    pub async fn connect(to: SocketAddr) -> std::io::Result<Self> {
        Ok(Self {
            stream: TcpStream::connect(to).await?,
        })
    }
    /// Writes raw bytes (v3.1 packets back to back, or anything).
    pub async fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(bytes).await
    }
    /// Writes one v5.0 packet in its DLE/STX wrapper.
    pub async fn send_v5(&mut self, packet: &[u8]) -> std::io::Result<()> {
        self.stream.write_all(&dle_wrap(packet)).await
    }
}
