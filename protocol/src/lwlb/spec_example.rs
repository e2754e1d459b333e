//! The example session printed in protocol/SPEC.md §6, built with the real codec; a test
//! checks that the bytes in SPEC.md are these.

use lookwire_color::Lut3d;

use super::message::{CapabilitiesMsg, Message, SlotState, StatusMsg};
use super::wire;
use crate::encode::{quantize, EncodedLut};
use crate::SampleFormat;

/// The 2³ identity lattice pushed in the example, as 10-bit integers.
pub fn example_lut() -> EncodedLut {
    let lut = Lut3d::identity(2).expect("2 is a valid size");
    quantize(&lut, SampleFormat::UInt { bits: 10 }).expect("10 bits is valid")
}

/// The frames of the example session: a title and the bytes.
pub fn frames() -> Vec<(&'static str, Vec<u8>)> {
    let caps = CapabilitiesMsg {
        minor: 0,
        slots: 2,
        cdl_native: false,
        f32_samples: true,
        uint_bits: Some(10),
        sdr: true,
        hdr: false,
        max_payload: 1 << 20,
        sizes: vec![2, 33],
        model: "demo".into(),
    };
    let lut = Message::PushLut3d {
        slot: 0,
        lut: example_lut(),
    };
    let lut_crc = crc32fast::hash(&lut.encode().1);
    let status = StatusMsg {
        active_slot: 0,
        applied: 1,
        slots: vec![
            SlotState {
                kind: 1,
                size: 2,
                crc: lut_crc,
            },
            SlotState::default(),
        ],
    };
    let msgs = [
        (
            "1. sender → receiver: HELLO",
            1,
            Message::Hello {
                minor: 0,
                name: "lookwire".into(),
            },
        ),
        (
            "2. receiver → sender: CAPABILITIES",
            1,
            Message::Capabilities(caps),
        ),
        (
            "3. sender → receiver: PUSH_LUT3D (slot 0, 2³ identity, 10-bit)",
            2,
            lut,
        ),
        (
            "4. receiver → sender: ACK",
            2,
            Message::Ack {
                slot: 0,
                crc: lut_crc,
            },
        ),
        (
            "5. sender → receiver: STATUS_REQUEST",
            3,
            Message::StatusRequest,
        ),
        ("6. receiver → sender: STATUS", 3, Message::Status(status)),
        (
            "7. sender → receiver: ACTIVATE slot 5 (there is no slot 5)",
            4,
            Message::Activate { slot: 5 },
        ),
        (
            "8. receiver → sender: ERROR",
            4,
            Message::Error {
                code: wire::ErrorCode::BadSlot as u16,
                message: "slot 5 does not exist".into(),
            },
        ),
    ];
    msgs.into_iter()
        .map(|(title, seq, m)| {
            let (k, p) = m.encode();
            (title, wire::frame(k, seq, &p))
        })
        .collect()
}

/// Hex, 16 bytes a line, header on its own line.
pub fn hex(bytes: &[u8]) -> String {
    let (head, payload) = bytes.split_at(wire::HEADER_LEN.min(bytes.len()));
    let line = |b: &[u8]| {
        b.iter()
            .map(|x| format!("{x:02X}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut out = vec![line(head)];
    out.extend(payload.chunks(16).map(line));
    out.join("\n")
}
