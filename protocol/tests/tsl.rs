//! TSL UMD v3.1 and v5.0 tally over UDP and TCP against the simulated mixer.

use std::time::Duration;

use lookwire_protocol::sim::tsl_mixer::{send_udp, v31_packets, v5_packet, TslTcpMixer};
use lookwire_protocol::tsl::{
    decode_datagram, dle_wrap, DleReader, Lamp, TallyEvent, TallyListener, TcpFlavour, V5Display,
    V31, V5,
};
use tokio::sync::mpsc::Receiver;

#[test]
fn v31_bytes() {
    // Address 5, tally 1 on, brightness 3, "CAM 6".
    let m = V31 {
        address: 5,
        tally: [true, false, false, false],
        brightness: 3,
        text: "CAM 6".into(),
    };
    let b = m.encode();
    assert_eq!(b[..7], [0x85, 0x31, b'C', b'A', b'M', b' ', b'6']);
    assert_eq!(b[7..], [b' '; 11]);
    assert_eq!(V31::decode(&b).unwrap(), m);
    let mut bad = b;
    bad[1] |= 0x40;
    assert!(V31::decode(&bad)
        .unwrap_err()
        .to_string()
        .contains("control (byte 1)"));
    bad = b;
    bad[9] = 0x07;
    assert!(V31::decode(&bad)
        .unwrap_err()
        .to_string()
        .contains("text (byte 9)"));
}

#[test]
fn v5_bytes_and_checks() {
    let p = v5_packet(2, 0, 1, false);
    // PBC 0x1A = 26: VER, FLAGS, SCREEN(2), then 2 × (6 + 5).
    assert_eq!(p[..6], [0x1A, 0x00, 0x00, 0x00, 0x00, 0x00]);
    // Display 0: index 0, control = left red (1 << 4) | brightness 3 << 6 = 0xD0, length 5.
    assert_eq!(
        p[6..17],
        [0x00, 0x00, 0xD0, 0x00, 0x05, 0x00, b'C', b'A', b'M', b' ', b'1']
    );
    let v = V5::decode(&p).unwrap();
    assert_eq!(v.displays[1].left, Lamp::Green);
    let u = v5_packet(1, 0, 9, true);
    assert_eq!(V5::decode(&u).unwrap().displays[0].text, "CAM 1");
    let mut bad = p.clone();
    bad[0] = 0x30;
    assert!(V5::decode(&bad)
        .unwrap_err()
        .to_string()
        .contains("PBC (byte 0)"));
    let mut bad = p.clone();
    bad[9] = 0x80; // control data flag of display 0
    assert!(V5::decode(&bad)
        .unwrap_err()
        .to_string()
        .contains("CONTROL (byte 8)"));
    let mut bad = p;
    bad[10] = 0x40; // display 0 length 64: past the packet
    assert!(V5::decode(&bad)
        .unwrap_err()
        .to_string()
        .contains("LENGTH (byte 10)"));
}

#[test]
fn dle_framing_round_trips_with_stuffed_bytes() {
    // "þ" in UTF-16LE is FE 00: a data byte equal to DLE, doubled on the wire.
    let d = V5Display {
        index: 3,
        right: Lamp::Red,
        text_tally: Lamp::Off,
        left: Lamp::Off,
        brightness: 1,
        text: "þ".into(),
    };
    let p = V5 {
        version: 0,
        screen: 0,
        unicode: true,
        displays: vec![d],
    }
    .encode();
    assert!(p.contains(&0xFE));
    let wire = [dle_wrap(&p), dle_wrap(&p)].concat();
    assert_eq!(wire.len(), 2 * (2 + p.len() + 1));
    let mut r = DleReader::default();
    let mut got = Vec::new();
    for chunk in wire.chunks(3) {
        got.extend(r.feed(chunk));
    }
    assert_eq!(got, vec![p.clone(), p.clone()]);
    assert_eq!(V5::decode(&got[0]).unwrap().displays[0].text, "þ");
}

#[test]
fn datagrams_are_recognised_by_shape() {
    let v3: Vec<u8> = v31_packets(3, 1, 2).concat();
    let t = decode_datagram(&v3).unwrap();
    assert_eq!(
        t.iter().map(|x| (x.program, x.preview)).collect::<Vec<_>>(),
        [(false, false), (true, false), (false, true)]
    );
    let t = decode_datagram(&v5_packet(3, 2, 0, false)).unwrap();
    assert!(t[2].program && t[0].preview);
    assert!(decode_datagram(&[1, 2, 3]).is_err());
}

async fn next(rx: &mut Receiver<TallyEvent>) -> TallyEvent {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn udp_and_tcp_tally_arrive_and_garbage_is_ignored() {
    let (l, mut rx) = TallyListener::bind("127.0.0.1:0", "127.0.0.1:0", TcpFlavour::V5)
        .await
        .unwrap();
    send_udp(l.udp_addr, b"nonsense").await.unwrap();
    send_udp(l.udp_addr, &v31_packets(2, 1, 0).concat())
        .await
        .unwrap();
    let a = next(&mut rx).await;
    let b = next(&mut rx).await;
    assert!(a.tally.preview && b.tally.program && b.tally.label == "CAM 2");
    let mut mixer = TslTcpMixer::connect(l.tcp_addr).await.unwrap();
    mixer.send_raw(&[0x00, 0x13, 0x37]).await.unwrap(); // noise before the first DLE STX
    mixer.send_v5(&v5_packet(2, 0, 1, true)).await.unwrap();
    let a = next(&mut rx).await;
    assert!(a.tally.program && a.tally.index == 0);
    assert_eq!(next(&mut rx).await.tally.label, "CAM 2");
    assert_eq!(l.ignored(), 1);
}

#[tokio::test]
async fn v31_over_tcp_split_across_reads() {
    let (l, mut rx) = TallyListener::bind("127.0.0.1:0", "127.0.0.1:0", TcpFlavour::V31)
        .await
        .unwrap();
    let mut mixer = TslTcpMixer::connect(l.tcp_addr).await.unwrap();
    let bytes = v31_packets(1, 0, 9).concat();
    mixer.send_raw(&bytes[..7]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    mixer.send_raw(&bytes[7..]).await.unwrap();
    let e = next(&mut rx).await;
    assert!(e.tally.program);
    assert_eq!(e.tally.label, "CAM 1");
}
