//! Blackmagic cameras over the REST API (`/control/api/v1/colorCorrection/*`,
//! protocols.md §1): the camera's primary corrector is set with one PUT per parameter
//! group over one keep-alive HTTP/1.1 connection, only for groups that changed.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Map, Value};
use tokio::net::TcpStream;

use super::corrector::{mapping_error, PrimaryCorrection};
use crate::device::{
    BoxFuture, Capabilities, Device, DeviceError, DeviceStatus, Look, PushReport, SampleFormat,
};
use crate::encode::EncodeError;

/// Where the corrector lives under the camera's web server.
pub const BASE: &str = "/control/api/v1/colorCorrection";

/// The seven parameter groups with their JSON bodies for a correction.
pub fn bodies(c: &PrimaryCorrection) -> [(&'static str, Value); 7] {
    let c = c.clamped();
    let rgby = |v: [f64; 4]| json!({"red": v[0], "green": v[1], "blue": v[2], "luma": v[3]});
    [
        ("lift", rgby(c.lift)),
        ("gamma", rgby(c.gamma)),
        ("gain", rgby(c.gain)),
        ("offset", rgby(c.offset)),
        (
            "contrast",
            json!({"pivot": c.contrast_pivot, "adjust": c.contrast_adjust}),
        ),
        ("color", json!({"hue": c.hue, "saturation": c.saturation})),
        ("lumaContribution", json!({"lumaContribution": c.luma_mix})),
    ]
}

/// Reads one group's JSON body back into a correction; absent fields keep their value.
pub fn apply_body(
    c: &mut PrimaryCorrection,
    group: &str,
    body: &Map<String, Value>,
) -> Result<(), String> {
    let num = |k: &str| -> Result<Option<f64>, String> {
        match body.get(k) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|x| x.is_finite())
                .map(Some)
                .ok_or_else(|| format!("{group}.{k} is not a number")),
        }
    };
    let rgby = |target: &mut [f64; 4]| -> Result<(), String> {
        for (i, k) in ["red", "green", "blue", "luma"].iter().enumerate() {
            if let Some(v) = num(k)? {
                target[i] = v;
            }
        }
        Ok(())
    };
    let allowed: &[&str] = match group {
        "lift" | "gamma" | "gain" | "offset" => &["red", "green", "blue", "luma"],
        "contrast" => &["pivot", "adjust"],
        "color" => &["hue", "saturation"],
        "lumaContribution" => &["lumaContribution"],
        other => return Err(format!("unknown colorCorrection group {other:?}")),
    };
    if let Some(k) = body.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!("{group}: unknown field {k:?}"));
    }
    match group {
        "lift" => rgby(&mut c.lift)?,
        "gamma" => rgby(&mut c.gamma)?,
        "gain" => rgby(&mut c.gain)?,
        "offset" => rgby(&mut c.offset)?,
        "contrast" => {
            c.contrast_pivot = num("pivot")?.unwrap_or(c.contrast_pivot);
            c.contrast_adjust = num("adjust")?.unwrap_or(c.contrast_adjust);
        }
        "color" => {
            c.hue = num("hue")?.unwrap_or(c.hue);
            c.saturation = num("saturation")?.unwrap_or(c.saturation);
        }
        _ => c.luma_mix = num("lumaContribution")?.unwrap_or(c.luma_mix),
    }
    Ok(())
}

/// A Blackmagic camera's corrector reached over HTTP.
#[derive(Debug)]
pub struct BmdRestCamera {
    /// `host:port` of the camera's web server (plain HTTP; HTTPS is not implemented yet).
    host: String,
    timeout: Duration,
    conn: Option<SendRequest<Full<Bytes>>>,
    caps: Option<Capabilities>,
    /// What the camera holds after our last successful PUTs (to send only changes).
    sent: Option<PrimaryCorrection>,
}

impl BmdRestCamera {
    pub fn new(host: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            timeout: Duration::from_secs(2),
            conn: None,
            caps: None,
            sent: None,
        }
    }

    fn err(&self, message: String) -> DeviceError {
        DeviceError::Protocol {
            addr: self.address(),
            message,
        }
    }

    async fn request(
        &mut self,
        method: Method,
        group: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Bytes), DeviceError> {
        let addr = self.address();
        let conn = self
            .conn
            .as_mut()
            .ok_or(DeviceError::NotConnected { addr: addr.clone() })?;
        let payload = body.map(|b| Bytes::from(b.to_string())).unwrap_or_default();
        let req = Request::builder()
            .method(method)
            .uri(format!("{BASE}/{group}"))
            .header("host", &self.host)
            .header("content-type", "application/json")
            .body(Full::new(payload))
            .map_err(|e| DeviceError::Protocol {
                addr: addr.clone(),
                message: e.to_string(),
            })?;
        let exchange = async {
            let resp = conn.send_request(req).await?;
            let status = resp.status();
            let bytes = resp.into_body().collect().await?.to_bytes();
            Ok::<_, hyper::Error>((status, bytes))
        };
        match tokio::time::timeout(self.timeout, exchange).await {
            Err(_) => Err(DeviceError::Timeout {
                addr,
                timeout: self.timeout,
                doing: "waiting for the camera",
            }),
            Ok(Err(e)) => Err(DeviceError::Io {
                addr,
                source: std::io::Error::other(e),
            }),
            Ok(Ok(r)) => Ok(r),
        }
    }

    async fn do_connect(&mut self) -> Result<Capabilities, DeviceError> {
        self.disconnect();
        let addr = self.address();
        let stream = tokio::time::timeout(self.timeout, TcpStream::connect(&self.host))
            .await
            .map_err(|_| DeviceError::Timeout {
                addr: addr.clone(),
                timeout: self.timeout,
                doing: "connecting",
            })?
            .map_err(|source| DeviceError::Connect {
                addr: addr.clone(),
                source,
            })?;
        let _ = stream.set_nodelay(true);
        let (send, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| DeviceError::Connect {
                addr: addr.clone(),
                source: std::io::Error::other(e),
            })?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        self.conn = Some(send);
        let (status, body) = self
            .request(Method::GET, "gain", None)
            .await
            .inspect_err(|_| self.conn = None)?;
        if !status.is_success() {
            self.conn = None;
            let why = if status == StatusCode::NOT_IMPLEMENTED {
                "this camera has no REST colour corrector"
            } else {
                "the colour corrector does not answer"
            };
            return Err(self.err(format!(
                "GET {BASE}/gain: {status}: {why} ({})",
                String::from_utf8_lossy(&body)
            )));
        }
        let caps = Capabilities {
            model: "Blackmagic camera (REST colour corrector)".into(),
            lut3d_sizes: vec![],
            lut1d_size: None,
            cdl_native: true,
            sample_format: SampleFormat::F32,
            slots: 1,
            sdr: true,
            hdr: true,
        };
        self.caps = Some(caps.clone());
        Ok(caps)
    }

    async fn do_push(&mut self, look: &Look) -> Result<PushReport, DeviceError> {
        let start = Instant::now();
        let Some(cdl) = look.cdl else {
            return Err(DeviceError::Encode {
                addr: self.address(),
                source: EncodeError::NoCdl,
            });
        };
        let target = PrimaryCorrection::from_cdl(&cdl);
        let before = self.sent.map(|s| bodies(&s));
        let mut bytes = 0;
        for (i, (group, body)) in bodies(&target).into_iter().enumerate() {
            if before.as_ref().is_some_and(|b| b[i].1 == body) {
                continue;
            }
            bytes += body.to_string().len();
            let result = self.request(Method::PUT, group, Some(&body)).await;
            let (status, reply) = result.inspect_err(|_| self.disconnect())?;
            if status == StatusCode::BAD_REQUEST {
                self.sent = None;
                let message = format!(
                    "PUT {BASE}/{group}: 400 {}",
                    String::from_utf8_lossy(&reply)
                );
                return Err(DeviceError::Refused {
                    addr: self.address(),
                    message,
                });
            }
            if !status.is_success() {
                self.disconnect();
                return Err(self.err(format!("PUT {BASE}/{group}: {status}")));
            }
        }
        self.sent = Some(target);
        Ok(PushReport {
            bytes,
            latency: start.elapsed(),
            error: mapping_error(&cdl, look.cdl_style),
        })
    }

    /// Reads the camera's corrector back (seven GETs).
    pub async fn read_back(&mut self) -> Result<PrimaryCorrection, DeviceError> {
        let mut c = PrimaryCorrection::NEUTRAL;
        for (group, _) in bodies(&c) {
            let (status, body) = self.request(Method::GET, group, None).await?;
            if !status.is_success() {
                return Err(self.err(format!("GET {BASE}/{group}: {status}")));
            }
            let v: Value = serde_json::from_slice(&body)
                .map_err(|e| self.err(format!("GET {BASE}/{group}: not JSON: {e}")))?;
            let obj = v
                .as_object()
                .ok_or_else(|| self.err(format!("GET {BASE}/{group}: not a JSON object")))?;
            apply_body(&mut c, group, obj)
                .map_err(|e| self.err(format!("GET {BASE}/{group}: {e}")))?;
        }
        Ok(c)
    }
}

impl Device for BmdRestCamera {
    fn kind(&self) -> &'static str {
        "bmd-rest"
    }
    fn address(&self) -> String {
        format!("http://{}{BASE}", self.host)
    }
    fn connect(&mut self) -> BoxFuture<'_, Result<Capabilities, DeviceError>> {
        Box::pin(self.do_connect())
    }
    fn capabilities(&self) -> Option<&Capabilities> {
        self.caps.as_ref()
    }
    fn push<'a>(&'a mut self, look: &'a Look) -> BoxFuture<'a, Result<PushReport, DeviceError>> {
        Box::pin(self.do_push(look))
    }
    fn status(&mut self) -> BoxFuture<'_, Result<DeviceStatus, DeviceError>> {
        Box::pin(async move {
            let (status, body) = self
                .request(Method::GET, "gain", None)
                .await
                .inspect_err(|_| self.disconnect())?;
            if !status.is_success() {
                self.disconnect();
                return Err(self.err(format!("GET {BASE}/gain: {status}")));
            }
            Ok(DeviceStatus {
                active_slot: None,
                active_checksum: None,
                detail: format!("gain {}", String::from_utf8_lossy(&body)),
            })
        })
    }
    fn disconnect(&mut self) {
        self.conn = None;
        self.caps = None;
        self.sent = None;
    }
}
