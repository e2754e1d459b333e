//! The SDI camera-control codec against the byte examples of protocols.md §2.5
//! (Blackmagic's own "Example Protocol Packets" and lookwire's computed ones).

use lookwire_color::{Cdl, CdlStyle};
use lookwire_protocol::bmd::corrector::{self, mapping_error, PrimaryCorrection};
use lookwire_protocol::bmd::sdi::{
    decode_group, encode_group, from_fixed16, to_fixed16, Data, Message, Operation, SdiError,
};

fn msg(dest: u8, category: u8, parameter: u8, operation: Operation, data: Data) -> Message {
    Message {
        destination: dest,
        category,
        parameter,
        operation,
        data,
    }
}

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect()
}

/// The vendor's five examples, in the decimal the document prints.
fn vendor_examples() -> Vec<(Message, Vec<u8>)> {
    vec![
        (
            msg(4, 0, 1, Operation::Assign, Data::Void),
            vec![4, 4, 0, 0, 0, 1, 0, 0],
        ),
        (
            msg(255, 0, 6, Operation::Assign, Data::Bool(vec![true])),
            vec![255, 5, 0, 0, 0, 6, 0, 0, 1, 0, 0, 0],
        ),
        (
            msg(4, 1, 5, Operation::Assign, Data::Int32(vec![10000])),
            vec![4, 8, 0, 0, 1, 5, 3, 0, 0x10, 0x27, 0, 0],
        ),
        (
            msg(
                4,
                4,
                2,
                Operation::Offset,
                Data::Fixed16(vec![to_fixed16(0.15)]),
            ),
            vec![4, 6, 0, 0, 4, 2, 128, 1, 0x33, 0x01, 0, 0],
        ),
        (
            msg(
                4,
                8,
                1,
                Operation::Offset,
                Data::Fixed16(vec![0, to_fixed16(-0.3), to_fixed16(-0.3), 0]),
            ),
            // R 0, G −0.3, B −0.3, luma 0: length 12 = 4 + 4 elements, no padding.
            vec![
                4, 12, 0, 0, 8, 1, 128, 1, 0, 0, 0x9a, 0xfd, 0x9a, 0xfd, 0, 0,
            ],
        ),
    ]
}

#[test]
fn vendor_example_packets_encode_and_decode_byte_for_byte() {
    for (m, bytes) in vendor_examples() {
        assert_eq!(m.encode().unwrap(), bytes, "{m:?}");
        assert_eq!(decode_group(&bytes).unwrap(), vec![m]);
    }
}

#[test]
fn the_five_vendor_examples_form_one_60_byte_group() {
    // protocols.md §2.5 says 76 bytes; the five packets are 8 + 12 + 12 + 12 + 16 = 60.
    let (msgs, bytes): (Vec<_>, Vec<_>) = vendor_examples().into_iter().unzip();
    let group = encode_group(&msgs).unwrap();
    assert_eq!(group.len(), 60);
    assert_eq!(group, bytes.concat());
    assert_eq!(decode_group(&group).unwrap(), msgs);
}

#[test]
fn fixed16_rounds_to_nearest_and_clamps() {
    assert_eq!(to_fixed16(0.15), 0x0133);
    assert_eq!(to_fixed16(-0.3) as u16, 0xFD9A);
    assert_eq!(to_fixed16(16.0), 0x7FFF, "16.0 is not representable");
    assert_eq!(to_fixed16(-40.0), i16::MIN);
    assert_eq!(to_fixed16(f64::NAN), 0);
    assert_eq!(from_fixed16(0x0800), 1.0);
    assert_eq!(from_fixed16(to_fixed16(1.2)), 2458.0 / 2048.0);
}

#[test]
fn lookwire_color_examples_match_the_spec() {
    let c = |p, v: &[f64]| {
        Message::color(
            1,
            p,
            Data::Fixed16(v.iter().map(|&x| to_fixed16(x)).collect()),
        )
        .encode()
        .unwrap()
    };
    use corrector::param::*;
    assert_eq!(
        c(GAIN, &[1.2, 1.0, 0.9, 1.0]),
        hex("01 0C 00 00 08 02 80 00 9A 09 00 08 33 07 00 08")
    );
    assert_eq!(
        c(LIFT, &[-0.05, 0.0, 0.02, 0.0]),
        hex("01 0C 00 00 08 00 80 00 9A FF 00 00 29 00 00 00")
    );
    assert_eq!(
        c(CONTRAST, &[0.5, 1.1]),
        hex("01 08 00 00 08 04 80 00 00 04 CD 08")
    );
    assert_eq!(
        c(LUMA_MIX, &[1.0]),
        hex("01 06 00 00 08 05 80 00 00 08 00 00")
    );
    assert_eq!(
        c(COLOR, &[0.0, 0.9]),
        hex("01 08 00 00 08 06 80 00 00 00 33 07")
    );
    assert_eq!(
        corrector::reset(1).encode().unwrap(),
        hex("01 04 00 00 08 07 00 00")
    );
}

#[test]
fn a_whole_primary_grade_is_one_100_byte_group() {
    let grade = PrimaryCorrection {
        gain: [1.2, 1.0, 0.9, 1.0],
        lift: [-0.05, 0.0, 0.02, 0.0],
        contrast_adjust: 1.1,
        saturation: 0.9,
        ..PrimaryCorrection::NEUTRAL
    };
    let group = grade.sdi_group(1).unwrap();
    assert_eq!(group.len(), 100);
    assert_eq!(
        group[..16],
        hex("01 0C 00 00 08 00 80 00 9A FF 00 00 29 00 00 00")
    );
    let back = decode_group(&group).unwrap();
    assert_eq!(back.len(), 7);
    assert!(back
        .iter()
        .all(|m| m.destination == 1 && m.operation == Operation::Assign));
}

#[test]
fn out_of_range_values_are_clamped_before_sending() {
    let wild = PrimaryCorrection {
        gain: [40.0, -1.0, f64::NAN, 1.0],
        saturation: 9.0,
        ..PrimaryCorrection::NEUTRAL
    };
    let c = wild.clamped();
    assert_eq!(c.gain[..3], [32767.0 / 2048.0, 0.0, 1.0]);
    assert_eq!(c.saturation, 2.0);
}

#[test]
fn malformed_groups_name_the_fault_and_its_offset() {
    let good = hex("01 08 00 00 08 04 80 00 00 04 CD 08");
    let mut bad_pad = hex("01 06 00 00 08 05 80 00 00 08 07 00");
    assert!(
        matches!(decode_group(&bad_pad), Err(SdiError::Malformed { at: 0, ref problem }) if problem.contains("padding"))
    );
    bad_pad.splice(0..0, good.clone());
    assert!(matches!(
        decode_group(&bad_pad),
        Err(SdiError::Malformed { at: 12, .. })
    ));
    let runs_past = hex("01 3C 00 00 08 04 80 00");
    let err = decode_group(&runs_past).unwrap_err();
    assert!(err.to_string().contains("runs past"), "{err}");
    let odd = hex("01 07 00 00 08 04 80 00 00 04 CD 00");
    let err = decode_group(&odd).unwrap_err();
    assert!(err.to_string().contains("whole number"), "{err}");
    let long = vec![Message::color(1, 0, Data::Fixed16(vec![0; 29]))];
    assert_eq!(encode_group(&long).unwrap_err(), SdiError::TooLong(4 + 58));
    let many: Vec<_> = (0..3)
        .flat_map(|_| PrimaryCorrection::NEUTRAL.to_sdi(1))
        .collect();
    assert_eq!(
        encode_group(&many).unwrap_err(),
        SdiError::GroupTooLong(300)
    );
}

#[test]
fn unknown_commands_are_skipped_by_length() {
    let mut group = hex("02 05 07 00 01 02 03 04 05 00 00 00");
    group.extend(hex("01 06 00 00 08 05 80 00 00 08 00 00"));
    let msgs = decode_group(&group).unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].parameter, 5);
}

#[test]
fn cdl_mapping_is_exact_without_power_and_measured_with_it() {
    let linear = Cdl::from_sop_sat([1.1, 1.0, 0.9, 0.02, 0.0, -0.01, 1.0, 1.0, 1.0], 0.9).unwrap();
    let e = mapping_error(&linear, CdlStyle::Asc);
    assert!(e.max_10bit < 0.5, "only fixed16 rounding: {e:?}");
    let powered = Cdl {
        power: [1.2, 1.0, 0.8],
        ..linear
    };
    let e = mapping_error(&powered, CdlStyle::Asc);
    assert!(e.max_10bit > 20.0, "dropping power costs codes: {e:?}");
    let corr = PrimaryCorrection::from_cdl(&powered);
    assert_eq!(corr.gain, [1.1, 1.0, 0.9, 1.0]);
    assert_eq!(corr.gamma, [0.0; 4]);
}
