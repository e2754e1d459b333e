//! protocol/SPEC.md §6 shows the bytes the codec really produces.

use lookwire_protocol::lwlb::message::Message;
use lookwire_protocol::lwlb::spec_example;
use lookwire_protocol::lwlb::wire::{decode_header, MessageType, HEADER_LEN};

fn spec_blocks() -> Vec<Vec<u8>> {
    let spec = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/SPEC.md")).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    for line in spec.lines() {
        match (line.trim(), current.as_mut()) {
            ("```lwlb", None) => current = Some(Vec::new()),
            ("```", Some(_)) => blocks.extend(current.take()),
            (hex, Some(buf)) => buf.extend(
                hex.split_whitespace()
                    .map(|h| u8::from_str_radix(h, 16).unwrap()),
            ),
            _ => {}
        }
    }
    blocks
}

#[test]
fn spec_example_session_matches_the_codec() {
    let blocks = spec_blocks();
    let frames = spec_example::frames();
    assert_eq!(
        blocks.len(),
        frames.len(),
        "SPEC.md §6 has {} frames",
        blocks.len()
    );
    for (block, (title, bytes)) in blocks.iter().zip(frames) {
        assert_eq!(block, &bytes, "SPEC.md frame {title:?} is stale");
    }
}

#[test]
fn every_spec_frame_decodes_strictly() {
    for block in spec_blocks() {
        let head: [u8; HEADER_LEN] = block[..HEADER_LEN].try_into().unwrap();
        let h = decode_header(&head, 1 << 20).unwrap();
        assert_eq!(h.len as usize, block.len() - HEADER_LEN);
        assert_eq!(h.crc, crc32fast::hash(&block[HEADER_LEN..]));
        let kind = MessageType::from_byte(h.kind).unwrap();
        let msg = Message::decode(kind, &block[HEADER_LEN..]).unwrap();
        assert_eq!(msg.encode().1, block[HEADER_LEN..]);
    }
}
