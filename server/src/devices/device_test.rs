//! Device tests through the API: a fresh connection (or what a tally source has heard), an
//! identity look or the test look, held and then replaced by the device's own look.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lookwire_color::Lut3d;
use lookwire_protocol::videohub::VideohubClient;
use lookwire_protocol::{ConnectionState, Look};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::admin::AdminError;
use super::config::{DeviceConfig, Driver};
use super::{lock, DeviceService};

/// What a device test does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum TestAction {
    /// Open a fresh connection and read the device's capabilities (routers: the status
    /// dump); the running link is not touched.
    Connect,
    /// Send an identity look, hold it, then restore the device's look.
    Identity,
    /// Send the test look (colour bars' hues swapped: red↔blue), hold it, then restore.
    TestLook,
}

/// The outcome of a device test.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TestResult {
    pub action: TestAction,
    pub ok: bool,
    /// What happened, in words (the device's model, or why it failed).
    pub message: String,
    /// From sending to the device's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<f64>,
}

fn fail(action: TestAction, message: impl Into<String>) -> TestResult {
    TestResult {
        action,
        ok: false,
        message: message.into(),
        latency_ms: None,
    }
}

impl DeviceService {
    /// Runs a test on device `id`; `force` sends a test look to an on-air camera.
    pub async fn test(
        &self,
        id: &str,
        action: TestAction,
        hold: Duration,
        force: bool,
    ) -> Result<TestResult, AdminError> {
        if !self.knows(id) {
            return Err(AdminError::Unknown(id.to_string()));
        }
        let route = lock(&self.shared.routes).get(id).cloned();
        match (action, route) {
            (TestAction::Connect, _) => Ok(self.test_connect(id).await),
            (_, None) => Ok(fail(
                action,
                format!("{id} takes no look: only the connect test applies"),
            )),
            (_, Some(route)) => {
                if let (Some(protection), false) = (self.shared.tally.on_air(&route.camera), force)
                {
                    return Err(AdminError::OnAir {
                        camera: route.camera,
                        protection,
                    });
                }
                Ok(self.test_look(id, action, hold).await)
            }
        }
    }

    async fn test_connect(&self, id: &str) -> TestResult {
        let action = TestAction::Connect;
        let Some(config) = self.config(id) else {
            let r = self.reports().into_iter().find(|r| r.id == id);
            return match r {
                Some(r) => TestResult {
                    action,
                    ok: r.state == ConnectionState::Connected,
                    message: format!(
                        "built-in device: its link is {}{}",
                        r.state.as_str(),
                        r.last_error.map(|e| format!(" ({e})")).unwrap_or_default()
                    ),
                    latency_ms: None,
                },
                None => fail(action, format!("no device {id:?}")),
            };
        };
        if let Driver::Tsl { .. } = &config.driver {
            return self.test_tally(id);
        }
        let start = Instant::now();
        let outcome = tokio::time::timeout(Duration::from_secs(5), connect_once(&config)).await;
        let ms = Some(start.elapsed().as_secs_f64() * 1e3);
        match outcome {
            Ok(Ok(message)) => TestResult {
                action,
                ok: true,
                message,
                latency_ms: ms,
            },
            Ok(Err(message)) => fail(action, message),
            Err(_) => fail(action, "no answer within 5 s"),
        }
    }

    async fn test_look(&self, id: &str, action: TestAction, hold: Duration) -> TestResult {
        let lut = match action {
            TestAction::TestLook => test_lattice(),
            _ => Lut3d::identity(super::bake::DEVICE_LUT_SIZE),
        };
        let Ok(lut) = lut else {
            return fail(action, "cannot build the test lattice");
        };
        let mut look = Look::from_lut(lut, format!("lookwire test {id}"));
        look.cdl = (action == TestAction::Identity).then_some(lookwire_color::Cdl::IDENTITY);
        let before = self.reports().into_iter().find(|r| r.id == id);
        let failures = before.as_ref().map_or(0, |r| r.failures);
        let Ok(version) = lock(&self.manager).push(id, look) else {
            return fail(action, format!("no device {id:?}"));
        };
        let start = Instant::now();
        let mut rx = lock(&self.manager).subscribe();
        let outcome = tokio::time::timeout(
            Duration::from_secs(5),
            rx.wait_for(|m| {
                m.get(id).is_none_or(|r| {
                    r.failures > failures
                        || r.last_push.as_ref().is_some_and(|p| p.version >= version)
                })
            }),
        )
        .await;
        let report = lock(&self.manager)
            .reports()
            .into_iter()
            .find(|r| r.id == id);
        let result = match (outcome, report) {
            (Err(_), _) => fail(action, "the device did not take the look within 5 s"),
            (Ok(_), Some(r)) if r.last_push.as_ref().is_some_and(|p| p.version >= version) => {
                TestResult {
                    action,
                    ok: true,
                    message: format!(
                        "the device took the {} look; its own look returns in {} ms",
                        if action == TestAction::Identity {
                            "identity"
                        } else {
                            "test"
                        },
                        hold.as_millis()
                    ),
                    latency_ms: Some(start.elapsed().as_secs_f64() * 1e3),
                }
            }
            (Ok(_), Some(r)) => fail(
                action,
                r.last_error
                    .unwrap_or_else(|| "the device refused the look".into()),
            ),
            (Ok(_), None) => fail(action, "the device was removed during the test"),
        };
        self.restore_after(id, hold);
        result
    }

    /// A tally source passes when its running listener heard the mixer within its timeout;
    /// the message says where it listens, what it heard, from whom and how long ago.
    fn test_tally(&self, id: &str) -> TestResult {
        let action = TestAction::Connect;
        let Some((udp, tcp, malformed)) = self.admin.tally_sockets(id) else {
            return fail(action, "the tally source is not listening");
        };
        let heard = lock(&self.shared.tally_heard).get(id).cloned();
        let (ok, message) = super::tally_source::describe(heard.as_ref(), udp, tcp, malformed);
        TestResult {
            action,
            ok,
            message,
            latency_ms: None,
        }
    }

    /// Gives the device its own look back after `hold`.
    fn restore_after(&self, id: &str, hold: Duration) {
        let Some(look) = self.shared.tally.shown(id) else {
            return;
        };
        let (manager, id) = (Arc::clone(&self.manager), id.to_string());
        let shared = Arc::clone(&self.shared);
        self.hold(tokio::spawn(async move {
            tokio::time::sleep(hold).await;
            if lock(&shared.routes).contains_key(&id) {
                let newest = shared.tally.shown(&id).unwrap_or(look);
                let _ = lock(&manager).push(&id, newest);
            }
        }));
    }
}

/// One fresh connection to the device the configuration names, closed again.
async fn connect_once(config: &DeviceConfig) -> Result<String, String> {
    if let Driver::Videohub { address } = &config.driver {
        let hub = VideohubClient::connect(address)
            .await
            .map_err(|e| e.to_string())?;
        let s = hub.state();
        return Ok(format!(
            "{} (protocol {}): {} inputs, {} outputs",
            s.model,
            s.protocol_version,
            s.input_labels.len(),
            s.routes.len()
        ));
    }
    if let Driver::Tangent { address, .. } = &config.driver {
        return tangent_hello(address).await;
    }
    if let Driver::Tsl { .. } = &config.driver {
        return Err("a tally source is tested on its running listener".into());
    }
    let mut device = config
        .look_device()
        .ok_or_else(|| "no driver for this configuration".to_string())?;
    let caps = device.connect().await.map_err(|e| e.to_string())?;
    device.disconnect();
    Ok(format!(
        "{}: 3D sizes {:?}, {}{}, {} slot(s)",
        caps.model,
        caps.lut3d_sizes,
        caps.sample_format,
        if caps.cdl_native { ", CDL-native" } else { "" },
        caps.slots
    ))
}

/// Opens a fresh connection to a Tangent Hub and reads its InitiateComms (revision and
/// panels); closes without defining an application, so the running link is not touched.
async fn tangent_hello(address: &str) -> Result<String, String> {
    use lookwire_protocol::tangent::ids::panel_name;
    use lookwire_protocol::tangent::wire::{decode_hub, read_message};
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .map_err(|e| format!("cannot connect to the Tangent Hub at {address}: {e}"))?;
    let body = read_message(&mut stream)
        .await
        .map_err(|e| format!("no InitiateComms from {address}: {e}"))?;
    let commands = decode_hub(&body).map_err(|e| e.to_string())?;
    match commands.first() {
        Some(lookwire_protocol::tangent::HubCommand::InitiateComms {
            protocol_rev,
            panels,
        }) => {
            let names: Vec<String> = panels
                .iter()
                .map(|p| {
                    let name = panel_name(p.panel_type)
                        .map_or_else(|| format!("type 0x{:02X}", p.panel_type), str::to_string);
                    format!("{name} #{}", p.panel_id)
                })
                .collect();
            Ok(format!(
                "Tangent Hub, protocol revision {protocol_rev}, panels: {}",
                if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                }
            ))
        }
        other => Err(format!(
            "the Hub's first command is {other:?}, not InitiateComms"
        )),
    }
}

/// The test look: every node's red and blue swapped, so a wrong cable or a stale box shows
/// at once on any picture (skin turns blue).
fn test_lattice() -> Result<Lut3d, lookwire_color::LutError> {
    Lut3d::from_fn(super::bake::DEVICE_LUT_SIZE, |rgb| [rgb[2], rgb[1], rgb[0]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_look_swaps_red_and_blue() {
        let lut = test_lattice().unwrap();
        let p = lut.lookup([0.8, 0.4, 0.1], lookwire_color::Interpolation::Tetrahedral);
        assert!(
            (p[0] - 0.1).abs() < 1e-6 && (p[2] - 0.8).abs() < 1e-6,
            "{p:?}"
        );
    }
}
