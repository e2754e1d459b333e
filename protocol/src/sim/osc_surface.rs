//! A simulated OSC control surface (a TouchOSC layout): sends messages to lookwire over UDP
//! and collects the feedback it gets back.

use std::net::SocketAddr;

use rosc::{OscMessage, OscPacket, OscType};
use tokio::net::UdpSocket;

/// A surface on its own UDP port.
#[derive(Debug)]
pub struct OscSurfaceSim {
    socket: UdpSocket,
    target: SocketAddr,
}

impl OscSurfaceSim {
    pub async fn start(target: SocketAddr) -> std::io::Result<Self> {
        let socket = UdpSocket::bind("127.0.0.1:0").await?;
        Ok(Self { socket, target })
    }

    pub fn addr(&self) -> std::io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Sends one message with float arguments.
    pub async fn send(&self, addr: &str, args: &[f32]) -> std::io::Result<()> {
        let msg = OscMessage {
            addr: addr.into(),
            args: args.iter().map(|&v| OscType::Float(v)).collect(),
        };
        self.send_raw(
            &rosc::encoder::encode(&OscPacket::Message(msg))
                .map_err(|e| std::io::Error::other(format!("{e:?}")))?,
        )
        .await
    }

    /// Sends arbitrary bytes (to test malformed input).
    pub async fn send_raw(&self, bytes: &[u8]) -> std::io::Result<()> {
        self.socket.send_to(bytes, self.target).await.map(|_| ())
    }

    /// Waits for the next feedback message.
    pub async fn recv(&self) -> std::io::Result<OscMessage> {
        let mut buf = vec![0u8; 65_536];
        loop {
            let (n, _) = self.socket.recv_from(&mut buf).await?;
            if let Ok((_, OscPacket::Message(m))) = rosc::decoder::decode_udp(&buf[..n]) {
                return Ok(m);
            }
        }
    }
}
