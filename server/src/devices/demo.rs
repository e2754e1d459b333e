//! The demo show's simulated devices, all on loopback: one LWLB LUT box per camera (SDR),
//! a file sink (camera A, HDR, .cube), a `.cc` sink (camera B, SDR: CDL only, so it gets a
//! fitted CDL when the grade merges into none), the Blackmagic camera (E) over REST, an OSC
//! surface, a Videohub and a Tangent panel through a simulated Tangent Hub.

use std::any::Any;

use lookwire_color::formats::{LutFormat, Precision};
use lookwire_protocol::bmd::rest::BmdRestCamera;
use lookwire_protocol::filesink::{FileSink, FileSinkConfig, SinkFormat};
use lookwire_protocol::lwlb::sender::LutBoxClient;
use lookwire_protocol::sim::bmd_camera::BmdCameraSim;
use lookwire_protocol::sim::lutbox::{default_capabilities, LutBoxSim};
use lookwire_protocol::sim::osc_surface::OscSurfaceSim;
use lookwire_protocol::sim::tangent_hub::{HubSetup, TangentHubSim};
use lookwire_protocol::sim::videohub::VideohubSim;

use super::{control, DeviceService, LookDevice};
use crate::device_registry::DeviceRegistry;
use crate::show::ShowHandle;

/// The running demo devices and the simulators they talk to (dropped together).
#[derive(Debug)]
pub struct DemoDevices {
    pub service: std::sync::Arc<DeviceService>,
    /// Where the file sink writes.
    pub folder: tempfile::TempDir,
    sims: Vec<Box<dyn Any + Send>>,
    osc: std::sync::Arc<lookwire_protocol::osc::OscEndpoint>,
}

impl DemoDevices {
    /// Where the OSC endpoint listens.
    pub fn osc_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.osc.local_addr()
    }

    /// What the simulated Blackmagic camera's corrector holds now.
    pub fn bmd_corrector(&self) -> Option<lookwire_protocol::bmd::corrector::PrimaryCorrection> {
        self.sims
            .iter()
            .find_map(|s| s.downcast_ref::<BmdCameraSim>())
            .map(BmdCameraSim::corrector)
    }

    /// The simulated Blackmagic camera (to turn its knobs in tests).
    pub fn bmd_sim(&self) -> Option<&BmdCameraSim> {
        self.sims
            .iter()
            .find_map(|s| s.downcast_ref::<BmdCameraSim>())
    }

    /// The simulated Tangent Hub (to play its panel in tests).
    pub fn tangent_hub(&self) -> Option<&TangentHubSim> {
        self.sims
            .iter()
            .find_map(|s| s.downcast_ref::<TangentHubSim>())
    }

    /// How many simulators run.
    pub fn simulators(&self) -> usize {
        self.sims.len()
    }
}

/// Starts the simulators and the devices that drive them.
pub async fn start(show: ShowHandle, registry: DeviceRegistry) -> std::io::Result<DemoDevices> {
    let mut sims: Vec<Box<dyn Any + Send>> = Vec::new();
    let mut devices = Vec::new();
    let cameras: Vec<String> = show.view().show.cameras.keys().cloned().collect();
    for cam in &cameras {
        let sim = LutBoxSim::start(
            "127.0.0.1:0",
            default_capabilities(&format!("simulated box {cam}")),
        )
        .await?;
        let client = LutBoxClient::new(sim.addr().to_string(), 0);
        devices.push(LookDevice {
            id: format!("lutbox-{cam}"),
            camera: cam.clone(),
            output: "sdr".into(),
            device: Box::new(client),
        });
        sims.push(Box::new(sim));
    }
    let folder = tempfile::Builder::new()
        .prefix("lookwire-demo-looks-")
        .tempdir()?;
    if let Some(first) = cameras.first() {
        let sink = FileSink::new(FileSinkConfig {
            dir: folder.path().to_path_buf(),
            format: SinkFormat::Lut(LutFormat::Cube),
            size: 33,
            precision: Precision::Fixed(6),
        });
        devices.push(LookDevice {
            id: "folder".into(),
            camera: first.clone(),
            output: "hdr".into(),
            device: Box::new(sink),
        });
    }
    if let Some(second) = cameras.get(1) {
        // A CDL-only consumer: the `.cc` a CDL-reading monitor or app picks up.
        let sink = FileSink::new(FileSinkConfig {
            dir: folder.path().to_path_buf(),
            format: SinkFormat::Cc,
            size: 33,
            precision: Precision::Fixed(6),
        });
        devices.push(LookDevice {
            id: "folder-cc".into(),
            camera: second.clone(),
            output: "sdr".into(),
            device: Box::new(sink),
        });
    }
    let mut bmd_id = None;
    if let Some(bmd) = show
        .view()
        .show
        .cameras
        .values()
        .find(|c| c.make.starts_with("Blackmagic"))
    {
        let sim = BmdCameraSim::start("127.0.0.1:0").await?;
        let cam = BmdRestCamera::new(sim.addr().to_string());
        bmd_id = Some(format!("bmd-camera-{}", bmd.id));
        devices.push(LookDevice {
            id: format!("bmd-camera-{}", bmd.id),
            camera: bmd.id.clone(),
            output: "sdr".into(),
            device: Box::new(cam),
        });
        sims.push(Box::new(sim));
    }
    let bmd_addr = sims
        .iter()
        .find_map(|s| s.downcast_ref::<BmdCameraSim>())
        .map(|s| s.addr().to_string());
    let service = DeviceService::start(show.clone(), registry, devices);
    if let (Some(addr), Some(d)) = (bmd_addr, bmd_id) {
        service.hold(service.watch_bmd_camera(&d, &addr));
    }
    let (ep, task) = control::start_osc(
        service.manager(),
        show.clone(),
        "osc-surface",
        "127.0.0.1:0",
    )
    .await?;
    service.hold(task);
    let surface = OscSurfaceSim::start(ep.local_addr()?).await?;
    ep.add_peer(surface.addr()?);
    sims.push(Box::new(surface));
    let hub = VideohubSim::start("127.0.0.1:0", 12, 12).await?;
    let (task, slot) =
        control::start_videohub(service.manager(), "videohub", hub.addr().to_string());
    service.register_router("videohub", task, slot);
    sims.push(Box::new(hub));
    let tangent = TangentHubSim::start("127.0.0.1:0", HubSetup::default()).await?;
    let app = lookwire_protocol::tangent::AppDefinition {
        app_name: "lookwire".into(),
        system_dir: String::new(),
        user_dir: String::new(),
    };
    service.hold(super::tangent::start_tangent(
        service.manager(),
        show.clone(),
        "tangent",
        tangent.addr().to_string(),
        app,
    ));
    sims.push(Box::new(tangent));
    Ok(DemoDevices {
        service,
        folder,
        sims,
        osc: ep,
    })
}
