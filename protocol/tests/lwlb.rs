//! The LWLB driver against the simulated box over real loopback sockets.

use std::time::Duration;

use lookwire_color::{Cdl, Lut3d};
use lookwire_protocol::encode::Samples;
use lookwire_protocol::lwlb::receiver::SlotContent;
use lookwire_protocol::lwlb::sender::{LutBoxClient, Timeouts};
use lookwire_protocol::sim::lutbox::{default_capabilities, Fault, LutBoxSim};
use lookwire_protocol::{Device, DeviceError, Look, SampleFormat};

fn look(size: usize) -> Look {
    let lut = Lut3d::from_fn(size, |[r, g, b]| {
        [r.powf(0.9), g * 0.95 + 0.02, (b + r) * 0.5]
    })
    .unwrap();
    Look::from_lut(lut, "cam A SDR")
}

fn quick() -> Timeouts {
    Timeouts {
        connect: Duration::from_millis(500),
        write: Duration::from_millis(500),
        reply: Duration::from_millis(500),
    }
}

async fn sim() -> LutBoxSim {
    LutBoxSim::start("127.0.0.1:0", default_capabilities("sim"))
        .await
        .unwrap()
}

#[tokio::test]
async fn pushes_an_f32_lut_that_the_box_holds_exactly() {
    let sim = sim().await;
    let mut dev = LutBoxClient::new(sim.addr().to_string(), 2);
    let caps = dev.connect().await.unwrap();
    assert_eq!(caps.lut3d_sizes, vec![17, 33, 65]);
    assert_eq!(caps.sample_format, SampleFormat::F32);
    let l = look(33);
    let report = dev.push(&l).await.unwrap();
    assert_eq!(report.bytes, 20 + 32 + 33 * 33 * 33 * 12);
    assert_eq!(report.error.max_10bit, 0.0);
    let state = sim.receiver().snapshot();
    let SlotContent::Lut { lut, crc } = &state.slots[2] else {
        panic!("slot 2 empty")
    };
    assert_eq!(lut.samples, Samples::F32(l.lut.data().to_vec()));
    assert_eq!(state.applied, 1);
    // ACTIVATE has not been sent: slot 0 is still on air and empty.
    let status = dev.status().await.unwrap();
    assert_eq!(status.active_slot, Some(0));
    assert_eq!(status.active_checksum, None);
    assert_ne!(*crc, 0);
}

#[tokio::test]
async fn integer_only_box_gets_a_resampled_quantised_lut_and_the_error_is_reported() {
    let mut caps = default_capabilities("12-bit box");
    caps.f32_samples = false;
    caps.sizes = vec![17];
    let sim = LutBoxSim::start("127.0.0.1:0", caps).await.unwrap();
    let mut dev = LutBoxClient::new(sim.addr().to_string(), 0);
    dev.connect().await.unwrap();
    let report = dev.push(&look(33)).await.unwrap();
    assert!(
        report.error.max_10bit > 0.1 && report.error.max_10bit < 8.0,
        "{:?}",
        report.error
    );
    let status = dev.status().await.unwrap();
    let state = sim.receiver().snapshot();
    let SlotContent::Lut { lut, crc } = &state.slots[0] else {
        panic!("slot 0 empty")
    };
    assert_eq!(lut.size, 17);
    assert!(matches!(lut.samples, Samples::UInt { bits: 12, .. }));
    assert_eq!(status.active_checksum, Some(*crc));
}

#[tokio::test]
async fn cdl_native_box_gets_the_cdl() {
    let mut caps = default_capabilities("cdl-only box");
    caps.cdl_native = true;
    caps.f32_samples = false;
    caps.uint_bits = None;
    caps.sizes.clear();
    let sim = LutBoxSim::start("127.0.0.1:0", caps).await.unwrap();
    let mut events = sim.receiver().subscribe();
    let mut dev = LutBoxClient::new(sim.addr().to_string(), 1);
    dev.connect().await.unwrap();
    let mut l = look(17);
    let cdl = Cdl::from_sop_sat([1.1, 1.0, 0.9, 0.01, 0.0, -0.02, 1.0, 1.05, 0.95], 0.9).unwrap();
    l.cdl = Some(cdl);
    dev.push(&l).await.unwrap();
    let got = events.recv().await.unwrap();
    assert_eq!(got.slot, 1);
    assert!(matches!(got.content, SlotContent::Cdl { cdl: c, .. } if c == cdl));
}

#[tokio::test]
async fn off_at_start_then_reachable() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut dev = LutBoxClient::new(addr.to_string(), 0).with_timeouts(quick());
    let err = dev.connect().await.unwrap_err();
    assert!(matches!(err, DeviceError::Connect { .. }), "{err}");
    assert!(err.to_string().contains(&addr.to_string()));
    let _sim = LutBoxSim::start(&addr.to_string(), default_capabilities("late"))
        .await
        .unwrap();
    dev.connect().await.unwrap();
    dev.push(&look(17)).await.unwrap();
}

#[tokio::test]
async fn a_box_that_never_reads_times_out() {
    let sim = sim().await;
    sim.set_fault(Fault::NeverReads);
    let mut dev = LutBoxClient::new(sim.addr().to_string(), 0).with_timeouts(quick());
    let err = dev.connect().await.unwrap_err();
    assert!(matches!(err, DeviceError::Timeout { .. }), "{err}");
    assert!(dev.capabilities().is_none());
}

#[tokio::test]
async fn a_box_that_drops_mid_lut_fails_the_push_and_recovers_on_reconnect() {
    let sim = sim().await;
    sim.set_fault(Fault::DropsMidLut);
    let mut dev = LutBoxClient::new(sim.addr().to_string(), 0).with_timeouts(quick());
    dev.connect().await.unwrap();
    let err = dev.push(&look(65)).await.unwrap_err();
    assert!(err.needs_reconnect(), "{err}");
    assert!(dev.capabilities().is_none(), "a failed link is dropped");
    assert_eq!(sim.receiver().snapshot().applied, 0);
    sim.set_fault(Fault::None);
    dev.connect().await.unwrap();
    dev.push(&look(65)).await.unwrap();
    assert_eq!(sim.receiver().snapshot().applied, 1);
}

#[tokio::test]
async fn a_box_that_answers_garbage_is_a_protocol_error() {
    let sim = sim().await;
    sim.set_fault(Fault::Garbage);
    let mut dev = LutBoxClient::new(sim.addr().to_string(), 0).with_timeouts(quick());
    let err = dev.connect().await.unwrap_err();
    assert!(matches!(err, DeviceError::Protocol { .. }), "{err}");
    assert!(err.to_string().contains("magic"), "{err}");
}

#[tokio::test]
async fn a_refused_slot_is_reported_without_dropping_the_link() {
    let sim = sim().await;
    let mut dev = LutBoxClient::new(sim.addr().to_string(), 9);
    dev.connect().await.unwrap();
    let err = dev.push(&look(17)).await.unwrap_err();
    assert!(matches!(err, DeviceError::Refused { .. }), "{err}");
    assert!(err.to_string().contains("slot 9"), "{err}");
    assert!(dev.capabilities().is_some());
    dev.status().await.unwrap();
}
