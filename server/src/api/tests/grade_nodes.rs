//! Grade nodes over REST: set, read back in the chain, refused with the pointer of the
//! fault; the fitted CDL; and the UI's files answering errors in the API's JSON shape.

use axum::http::{Method, StatusCode};
use serde_json::json;

use super::{assert_error, TestServer};

fn identity() -> serde_json::Value {
    json!({"slope": [1, 1, 1], "offset": [0, 0, 0], "power": [1, 1, 1], "sat": 1})
}

#[tokio::test]
async fn nodes_are_set_over_rest_and_listed_in_the_chain() {
    let t = TestServer::demo();
    let mut sec = identity();
    sec["power"] = json!([1.1, 1.0, 0.9]);
    let body = json!({"nodes": [
        {"kind": "cdl", "id": "sec", "cdl": sec},
        {"kind": "curves", "id": "c", "curves": {"r": [[0, 0], [0.5, 0.56], [1, 1]]}}
    ]});
    let (status, view) = t.patch("/api/v1/cameras/a/grade", body).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["nodes"][1]["curves"]["r"][1], json!([0.5, 0.56]));
    let kinds: Vec<(&str, &str)> = view["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let role = s["role"].as_str().or(s["id"].as_str()).unwrap_or("look");
            (s["kind"].as_str().unwrap(), role)
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("cdl", "match"),
            ("cdl", "trim"),
            ("cdl", "node"),
            ("curves", "c"),
            ("look", "look")
        ]
    );
    // The fitted CDL says it is a fit and what it costs.
    let (status, fit) = t.get("/api/v1/cameras/a/fitted-cdl?output=hdr").await;
    assert_eq!(status, StatusCode::OK, "{fit}");
    assert_eq!(fit["exact"], false);
    assert_eq!(fit["error"]["samples"], 729);
    assert!(fit["error"]["output_max_cv"].as_f64().unwrap() > 0.0);
    let res = t.get("/api/v1/cameras/a/fitted-cdl?output=nope").await;
    assert_error(&res, StatusCode::NOT_FOUND, "not_found", "output");
    let res = t.get("/api/v1/cameras/a/fitted-cdl?bogus=1").await;
    assert_eq!(res.0, StatusCode::BAD_REQUEST, "{}", res.1);
}

#[tokio::test]
async fn bad_nodes_are_refused_with_the_pointer_of_the_fault() {
    let t = TestServer::demo();
    let cases = [
        (
            json!({"nodes": [{"kind": "curves", "id": "c", "curves": {"g": [[0, 0], [1.9, 1]]}}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            "/cameras/a/grade/nodes/0/curves/g/1/0",
        ),
        (
            json!({"nodes": [{"kind": "cdl", "id": "x.y", "cdl": identity()}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            "/cameras/a/grade/nodes/0/id",
        ),
        (
            json!({"trim": {"slope": [1e308, 1, 1], "offset": [0, 0, 0], "power": [1, 1, 1], "sat": 1}}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            "/cameras/a/grade/trim/slope/0",
        ),
        (
            json!({"nodes": [{"kind": "cdl", "id": "n", "cdl": {"slope": [1, 1, 1], "offset": [0, 0, -1e300], "power": [1, 1, 1], "sat": 1}}]}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_value",
            "/cameras/a/grade/nodes/0/cdl/offset/2",
        ),
        (
            json!({"nodes": [{"kind": "lut", "id": "x"}]}),
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "/nodes/0/kind",
        ),
    ];
    for (body, status, code, path) in cases {
        let res = t.patch("/api/v1/cameras/a/grade", body).await;
        assert_error(&res, status, code, path);
    }
    let (_, grade) = t.get("/api/v1/cameras/a/grade").await;
    assert_eq!(grade["nodes"], json!([]), "nothing changed");
    assert_ne!(grade["trim"]["slope"][0], json!(1e308), "nothing changed");
}

#[tokio::test]
async fn missing_ui_files_answer_the_json_error_body() {
    let t = TestServer::demo();
    let res = t.get("/no-such-file.js").await;
    assert_error(&res, StatusCode::NOT_FOUND, "not_found", "/no-such-file.js");
    let res = t.call(Method::DELETE, "/index.html", None).await;
    assert_error(
        &res,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "/index.html",
    );
    assert_eq!(t.get("/").await.0, StatusCode::OK);
}
