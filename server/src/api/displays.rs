//! The display transforms an output can use: `GET /displays` lists the colour engine's
//! output transforms (ids an output's `display` accepts) as its catalogue describes them.

use axum::routing::get;
use axum::{Json, Router};
use lookwire_color::output::{list, Encoding, OutputInfo, RenderingKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::AppState;
use crate::auth::Caller;

pub fn routes() -> Router<AppState> {
    Router::new().route("/displays", get(list_displays))
}

/// Standard or high dynamic range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DisplayKind {
    Sdr,
    Hdr,
}

/// One display transform of the colour engine.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DisplayView {
    /// The id an output's `display` takes, e.g. `aces2-sdr-rec709`.
    pub id: String,
    pub name: String,
    /// `hdr` for PQ and HLG encodings, `sdr` for gamma encodings.
    pub kind: DisplayKind,
    /// Peak luminance the rendering targets, in cd/m².
    pub peak_nits: f64,
    /// The signal's encoding (inverse EOTF), e.g. `ST 2084 PQ`.
    pub encoding: String,
    /// The primaries of the encoded signal, e.g. `Rec.2020`.
    pub gamut: String,
    /// The gamut the rendering limits colours to (inside `gamut`), e.g. `P3-D65`.
    pub limiting_gamut: String,
    /// `ACES 2.0` or `ACES 1.3`.
    pub rendering: String,
}

impl DisplayView {
    fn of(info: &OutputInfo) -> DisplayView {
        let kind = match info.encoding {
            Encoding::Pq | Encoding::Hlg1000 => DisplayKind::Hdr,
            Encoding::Bt1886 | Encoding::Gamma26 => DisplayKind::Sdr,
        };
        let rendering = match info.rendering {
            RenderingKind::Aces2 { .. } => "ACES 2.0",
            RenderingKind::Aces1(_) => "ACES 1.3",
        };
        DisplayView {
            id: info.id.to_owned(),
            name: info.name.to_owned(),
            kind,
            peak_nits: info.peak_nits,
            encoding: info.encoding.name().to_owned(),
            gamut: info.encoding_primaries.name().to_owned(),
            limiting_gamut: info.limiting.name().to_owned(),
            rendering: rendering.to_owned(),
        }
    }
}

/// Every display transform, in the engine's stable order.
#[utoipa::path(get, path = "/displays", tag = "outputs",
    responses((status = 200, body = [DisplayView])))]
pub async fn list_displays(_caller: Caller) -> Json<Vec<DisplayView>> {
    Json(list().iter().map(DisplayView::of).collect())
}

#[cfg(test)]
mod tests {
    use axum::http::{Method, StatusCode};
    use serde_json::{json, Value};

    use crate::api::testkit::{assert_error, TestApp};
    use crate::auth::{hash_secret, Auth};

    async fn displays(t: &TestApp) -> Vec<Value> {
        let (status, body) = t.get("/api/v1/displays").await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body.as_array().expect("a JSON array").clone()
    }

    fn find<'a>(list: &'a [Value], id: &str) -> &'a Value {
        list.iter().find(|d| d["id"] == id).expect(id)
    }

    #[tokio::test]
    async fn lists_each_output_transform_as_the_catalogue_describes_it() {
        let t = TestApp::demo();
        let list = displays(&t).await;
        let ids: Vec<&str> = list.iter().filter_map(|d| d["id"].as_str()).collect();
        let engine: Vec<&str> = lookwire_color::output::list()
            .iter()
            .map(|o| o.id)
            .collect();
        assert_eq!(ids, engine);
        // A few rows written out from the ACES output names, not from the code under test.
        assert_eq!(
            find(&list, "aces2-hdr-rec2100-pq1000"),
            &json!({"id": "aces2-hdr-rec2100-pq1000",
                "name": "ACES 2.0 HDR 1000 nit Rec.2100 PQ (P3-D65 limited)", "kind": "hdr",
                "peak_nits": 1000.0, "encoding": "ST 2084 PQ", "gamut": "Rec.2020",
                "limiting_gamut": "P3-D65", "rendering": "ACES 2.0"})
        );
        assert_eq!(
            find(&list, "aces2-sdr-p3d65"),
            &json!({"id": "aces2-sdr-p3d65", "name": "ACES 2.0 SDR 100 nit P3-D65 (gamma 2.6)",
                "kind": "sdr", "peak_nits": 100.0, "encoding": "gamma 2.6", "gamut": "P3-D65",
                "limiting_gamut": "P3-D65", "rendering": "ACES 2.0"})
        );
        let hlg = find(&list, "aces2-hdr-rec2100-hlg1000");
        assert_eq!(
            (&hlg["kind"], &hlg["encoding"]),
            (&json!("hdr"), &json!("BT.2100 HLG (1000 nit)"))
        );
        let aces1 = find(&list, "aces1-sdr-rec709");
        assert_eq!(
            (&aces1["kind"], &aces1["rendering"]),
            (&json!("sdr"), &json!("ACES 1.3"))
        );
        // HDR exactly where the peak is above SDR's 100 nits.
        for d in &list {
            let hdr = d["peak_nits"].as_f64().unwrap() > 100.0;
            assert_eq!(d["kind"], if hdr { "hdr" } else { "sdr" }, "{d}");
        }
    }

    #[tokio::test]
    async fn an_output_takes_every_listed_display_and_no_other() {
        let t = TestApp::demo();
        for d in displays(&t).await {
            let res = t
                .patch("/api/v1/outputs/sdr", json!({"display": d["id"]}))
                .await;
            assert_eq!(res.0, StatusCode::OK, "{}: {}", d["id"], res.1);
            assert_eq!(t.get("/api/v1/outputs/sdr").await.1["display"], d["id"]);
        }
        let res = t
            .patch(
                "/api/v1/outputs/sdr",
                json!({"display": "aces2-sdr-rec601"}),
            )
            .await;
        assert_eq!(res.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.1);
    }

    #[tokio::test]
    async fn needs_a_login_where_the_server_asks_for_one() {
        let t = TestApp::with_auth(Auth::with_passphrase(hash_secret("truck seven").unwrap()));
        let res = t.call(Method::GET, "/api/v1/displays", None).await;
        assert_error(&res, StatusCode::UNAUTHORIZED, "unauthorized", "");
        let login = t
            .post("/api/v1/login", json!({"passphrase": "truck seven"}))
            .await;
        let token = login.1["token"].as_str().expect("a token").to_owned();
        let res = t
            .call_with(Method::GET, "/api/v1/displays", None, Some(&token))
            .await;
        assert_eq!(res.0, StatusCode::OK, "{}", res.1);
        assert_eq!(
            res.1.as_array().map(Vec::len),
            Some(lookwire_color::output::list().len())
        );
    }
}
