//! The simulated box checks every byte: hand-made frames over a raw socket.

use lookwire_protocol::lwlb::message::Message;
use lookwire_protocol::lwlb::wire::{self, ErrorCode, MessageType};
use lookwire_protocol::sim::lutbox::{default_capabilities, LutBoxSim};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn open() -> (LutBoxSim, TcpStream) {
    let sim = LutBoxSim::start("127.0.0.1:0", default_capabilities("sim"))
        .await
        .unwrap();
    let s = TcpStream::connect(sim.addr()).await.unwrap();
    (sim, s)
}

async fn reply(s: &mut TcpStream) -> (u32, Message) {
    let f = lookwire_protocol::lwlb::read_frame(s, 1 << 20)
        .await
        .unwrap()
        .expect("a reply");
    let kind = MessageType::from_byte(f.header.kind).unwrap();
    (f.header.seq, Message::decode(kind, &f.payload).unwrap())
}

async fn hello(s: &mut TcpStream) {
    let (k, p) = Message::Hello {
        minor: 7,
        name: "raw".into(),
    }
    .encode();
    s.write_all(&wire::frame(k, 1, &p)).await.unwrap();
    let (seq, m) = reply(s).await;
    assert_eq!(seq, 1);
    let Message::Capabilities(c) = m else {
        panic!("{m:?}")
    };
    assert_eq!(c.minor, 0, "agrees on the lower minor");
}

fn error_code(m: &Message) -> (u16, String) {
    match m {
        Message::Error { code, message } => (*code, message.clone()),
        other => panic!("expected ERROR, got {other:?}"),
    }
}

async fn closed(s: &mut TcpStream) -> bool {
    let mut b = [0u8; 1];
    matches!(s.read(&mut b).await, Ok(0) | Err(_))
}

#[tokio::test]
async fn bad_magic_is_a_fatal_framing_error() {
    let (_sim, mut s) = open().await;
    let mut f = wire::frame(MessageType::StatusRequest, 3, &[]);
    f[0] = b'X';
    s.write_all(&f).await.unwrap();
    let (code, msg) = error_code(&reply(&mut s).await.1);
    assert_eq!(code, ErrorCode::Framing as u16);
    assert!(msg.contains("magic (byte 0)"), "{msg}");
    assert!(closed(&mut s).await);
}

#[tokio::test]
async fn a_message_before_hello_is_refused_and_closes() {
    let (_sim, mut s) = open().await;
    s.write_all(&wire::frame(MessageType::StatusRequest, 5, &[]))
        .await
        .unwrap();
    let (seq, m) = reply(&mut s).await;
    assert_eq!(seq, 5);
    assert_eq!(error_code(&m).0, ErrorCode::NoHello as u16);
    assert!(closed(&mut s).await);
}

#[tokio::test]
async fn bad_checksum_is_answered_and_the_session_continues() {
    let (sim, mut s) = open().await;
    hello(&mut s).await;
    let (k, p) = Message::Activate { slot: 1 }.encode();
    let mut f = wire::frame(k, 2, &p);
    f[16] ^= 0xFF;
    s.write_all(&f).await.unwrap();
    assert_eq!(
        error_code(&reply(&mut s).await.1).0,
        ErrorCode::Checksum as u16
    );
    s.write_all(&wire::frame(k, 3, &p)).await.unwrap();
    let (seq, m) = reply(&mut s).await;
    assert_eq!(seq, 3);
    assert_eq!(
        m,
        Message::Ack {
            slot: 1,
            crc: crc32fast::hash(&p)
        }
    );
    assert_eq!(sim.receiver().snapshot().active, 1);
}

#[tokio::test]
async fn reserved_bytes_wrong_lengths_and_unknown_types_name_the_fault() {
    let (_sim, mut s) = open().await;
    hello(&mut s).await;
    // ACTIVATE with a non-zero reserved byte.
    s.write_all(&wire::frame(MessageType::Activate, 4, &[0, 0, 9, 0]))
        .await
        .unwrap();
    let (code, msg) = error_code(&reply(&mut s).await.1);
    assert_eq!(code, ErrorCode::BadPayload as u16);
    assert!(msg.contains("reserved (byte 1)"), "{msg}");
    // ACTIVATE with a trailing byte.
    s.write_all(&wire::frame(MessageType::Activate, 5, &[0, 0, 0, 0, 1]))
        .await
        .unwrap();
    let msg = error_code(&reply(&mut s).await.1).1;
    assert!(msg.contains("1 trailing bytes"), "{msg}");
    // An unknown type is skipped by its length.
    let mut f = wire::frame(MessageType::StatusRequest, 6, &[1, 2, 3]);
    f[5] = 0x7F;
    s.write_all(&f).await.unwrap();
    assert_eq!(
        error_code(&reply(&mut s).await.1).0,
        ErrorCode::UnknownType as u16
    );
    // And the session still works.
    s.write_all(&wire::frame(MessageType::StatusRequest, 7, &[]))
        .await
        .unwrap();
    assert!(matches!(reply(&mut s).await.1, Message::Status(_)));
}

#[tokio::test]
async fn lut_samples_and_sizes_are_checked() {
    let (_sim, mut s) = open().await;
    hello(&mut s).await;
    let mut p = vec![0u8, 2, 12, 0, 2, 0, 0, 0];
    for v in [0.0f32, 0.0, 0.0, 1.0, 1.0, 1.0] {
        p.extend_from_slice(&v.to_le_bytes());
    }
    // 2³ nodes of u16: size 2 is not announced.
    let mut lut = p.clone();
    lut.extend(std::iter::repeat_n(0u8, 8 * 6));
    s.write_all(&wire::frame(MessageType::PushLut3d, 8, &lut))
        .await
        .unwrap();
    let (code, msg) = error_code(&reply(&mut s).await.1);
    assert_eq!(code, ErrorCode::Unsupported as u16, "{msg}");
    // Size 17 with one sample above 12 bits.
    let mut lut = p.clone();
    lut[4] = 17;
    lut.extend(std::iter::repeat_n(0u8, 17 * 17 * 17 * 6));
    let at = 32 + 5 * 2;
    lut[at..at + 2].copy_from_slice(&4096u16.to_le_bytes());
    s.write_all(&wire::frame(MessageType::PushLut3d, 9, &lut))
        .await
        .unwrap();
    let msg = error_code(&reply(&mut s).await.1).1;
    assert!(
        msg.contains("samples (byte 42)") && msg.contains("node 1 value 4096"),
        "{msg}"
    );
    // One sample short.
    lut.truncate(lut.len() - 2);
    s.write_all(&wire::frame(MessageType::PushLut3d, 10, &lut))
        .await
        .unwrap();
    let msg = error_code(&reply(&mut s).await.1).1;
    assert!(msg.contains("needs 29478 bytes, got 29476"), "{msg}");
}

#[tokio::test]
async fn oversized_frames_are_refused_before_reading_them() {
    let (_sim, mut s) = open().await;
    hello(&mut s).await;
    let mut head = wire::frame(MessageType::PushLut3d, 11, &[]);
    head[12..16].copy_from_slice(&u32::MAX.to_le_bytes());
    s.write_all(&head).await.unwrap();
    let (code, msg) = error_code(&reply(&mut s).await.1);
    assert_eq!(code, ErrorCode::TooLarge as u16);
    assert!(msg.contains("length (byte 12)"), "{msg}");
    assert!(closed(&mut s).await);
}
