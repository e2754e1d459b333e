use std::io::Read;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use lookwire_color::formats::cdl_xml;
use serde_json::json;

use super::{assert_error, Server};
use crate::post::mhl::{self, NoProgress, VerifyOptions};

const ALE: &str = "Heading\nFIELD_DELIM\tTABS\nVIDEO_FORMAT\t1080\nAUDIO_FORMAT\t48kHz\nFPS\t25\n\nColumn\nName\tTracks\tStart\tEnd\tTape\tSource File\tScene\n\nData\nA001C003_240501_R1AB\tV\t14:02:10:00\t14:02:16:12\tA001\tA001C003_240501_R1AB.mxf\t12A\nA001C004_240501_R1AB\tV\t14:10:00:00\t14:11:00:00\tA001\tA001C004_240501_R1AB.mxf\t12B\nB012C003_240501_R2CD\tVA1\t14:02:10:05\t14:02:20:00\tB012\tB012C003_240501_R2CD.mxf\t12A\nC007C001_240501_R3EF\tV\t15:00:00:00\t15:00:10:00\tC007\tC007C001_240501_R3EF.mxf\t14\n";

fn names(v: &serde_json::Value) -> Vec<String> {
    v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_export_of_chosen_formats_cameras_and_clips_is_served_and_sealed() {
    let s = Server::demo();
    let clips = s.upload("day1.ale", ALE.as_bytes().to_vec()).await;
    let body = json!({
        "formats": ["cc", "ccc", "ale", "report"],
        "clips": clips,
        "cameras": ["a", "b"],
        "clip_names": ["A001C003_240501_R1AB", "B012C003_240501_R2CD", "C007C001_240501_R3EF"],
        "day": "2024-05-01",
        "name": "day1"
    });
    let r = s.post("/api/v1/exports", body.clone()).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let x = r.json();
    let files = names(&x);
    for want in [
        "cc/A001C003_240501_R1AB.cc",
        "cc/B012C003_240501_R2CD.cc",
        "ccc/A_2024-05-01.ccc",
        "ale/day1_graded.ale",
        "report.html",
        "workflow.svg",
        "review.txt",
        "ascmhl/ascmhl_chain.xml",
    ] {
        assert!(
            files.iter().any(|f| f == want),
            "{want} missing from {files:?}"
        );
    }
    // Camera C and the unlisted clip stay out.
    assert!(
        !files
            .iter()
            .any(|f| f.contains("C007") || f.contains("A001C004")),
        "{files:?}"
    );
    assert!(files
        .iter()
        .any(|f| f.starts_with("ascmhl/0001_day1_") && f.ends_with(".mhl")));
    assert_eq!(
        x["generation"].as_str().unwrap().split('/').next(),
        Some("ascmhl")
    );

    // One file: the .cc holds camera A's grade, the demo's look CDL.
    let cc = s
        .get(&format!(
            "/api/v1/exports/{}/files/cc/A001C003_240501_R1AB.cc",
            x["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(cc.status, StatusCode::OK);
    let doc = cdl_xml::read(&cc.bytes, "a.cc").unwrap();
    let c = doc.find("A001C003_240501_R1AB").unwrap();
    assert_eq!(c.cdl.slope, [1.06, 1.0, 0.95]);
    let ale = s
        .get(&format!(
            "/api/v1/exports/{}/files/ale/day1_graded.ale",
            x["id"].as_str().unwrap()
        ))
        .await;
    let ale = String::from_utf8(ale.bytes).unwrap();
    assert!(ale.contains("ASC_SOP") && ale.contains("12A"), "{ale}");

    // The package verifies with its ASC MHL history on the server's disk.
    let folder = std::path::PathBuf::from(x["folder"].as_str().unwrap());
    let report = mhl::verify(&folder, &VerifyOptions::default(), &NoProgress).unwrap();
    assert!(
        report.mismatches.is_empty() && report.new_files.is_empty() && report.missing.is_empty()
    );
    assert_eq!(
        report.verified,
        files.iter().filter(|f| !f.starts_with("ascmhl/")).count()
    );

    // The zip holds every file under the package's name, byte for byte.
    let zip = s.get(x["zip"].as_str().unwrap()).await;
    assert_eq!(
        (zip.status, zip.content_type()),
        (StatusCode::OK, "application/zip")
    );
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.bytes)).unwrap();
    assert_eq!(archive.len(), files.len());
    for f in &files {
        let mut entry = archive.by_name(&format!("day1/{f}")).unwrap();
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes).unwrap();
        assert_eq!(bytes, std::fs::read(folder.join(f)).unwrap(), "{f}");
    }

    let listed = s.get("/api/v1/exports").await.json();
    assert_eq!(listed[0]["id"], x["id"]);
    // The same name again is refused: packages are never overwritten.
    let again = s.post("/api/v1/exports", body).await;
    assert_error(&again, StatusCode::CONFLICT, "exists", "/name");
}

#[tokio::test]
async fn looks_and_the_report_export_without_a_clip_list() {
    let s = Server::demo();
    let r = s
        .post(
            "/api/v1/exports",
            json!({"formats": ["cube", "clf"], "cameras": ["a"], "lut_size": 5, "day": "d1"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
    let files = names(&r.json());
    assert!(
        files.iter().any(|f| f.starts_with("cube/a_sdr_d1")),
        "{files:?}"
    );
    assert!(
        files.iter().any(|f| f.starts_with("clf/a_sdr_d1")),
        "{files:?}"
    );
    assert!(!files.iter().any(|f| f.contains("/b_")), "{files:?}");
}

#[tokio::test]
async fn bad_exports_say_what_and_where() {
    let s = Server::demo();
    let post = |body| s.post("/api/v1/exports", body);
    let r = post(json!({"formats": []})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/formats",
    );
    let r = post(json!({"formats": ["report", "pdfx"]})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/formats/1",
    );
    let r = post(json!({"formats": ["cc"]})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/clips",
    );
    let r = post(json!({"formats": ["report"], "cameras": ["a", "zz"]})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/cameras/1",
    );
    let r = post(json!({"formats": ["report"], "rule": "sometimes"})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/rule",
    );
    let r = post(json!({"formats": ["report"], "fps": "31"})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/fps",
    );
    let r = post(json!({"formats": ["report"], "hash": ["xxh64", "crc"]})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/hash/1",
    );
    let r = post(json!({"formats": ["report"], "name": "../up"})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/name",
    );
    let r = post(json!({"formats": ["cube"], "lut_size": 400})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/lut_size",
    );
    let r = post(json!({"formats": ["cc"], "clips": "fnothing"})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/clips",
    );
    // A clip list with a short row: the error names the uploaded file and its line.
    let broken = ALE.replace("\t12B\n", "\n");
    let id = s.upload("broken.ale", broken.into_bytes()).await;
    let r = post(json!({"formats": ["cc"], "clips": id})).await;
    assert_error(
        &r,
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_value",
        "/clips",
    );
    let msg = r.json()["error"]["message"].as_str().unwrap().to_owned();
    assert!(msg.contains("broken.ale:12"), "{msg}");
    let r = post(json!({"formats": ["report"], "folder": "/tmp"})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);

    let r = s.get("/api/v1/exports/xnothing").await;
    assert_error(&r, StatusCode::NOT_FOUND, "not_found", "/exports/xnothing");
    let ok = post(json!({"formats": ["report"]})).await.json();
    let id = ok["id"].as_str().unwrap();
    let r = s
        .get(&format!("/api/v1/exports/{id}/files/../show.sqlite"))
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let r = s
        .get(&format!("/api/v1/exports/{id}/files/cc/none.cc"))
        .await;
    assert_error(
        &r,
        StatusCode::NOT_FOUND,
        "not_found",
        &format!("/exports/{id}/files/cc/none.cc"),
    );
}

/// The report's stills come from the server's previews: a still uploaded for a camera is
/// what its PDF page shows.
#[tokio::test]
async fn the_report_shows_a_still_uploaded_to_the_previews() {
    let s = Server::demo();
    let report = |name: &'static str| {
        let s = &s;
        async move {
            let body = json!({"formats": ["report"], "cameras": ["a"], "name": name, "day": "d1"});
            let r = s.post("/api/v1/exports", body).await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.json());
            let url = format!(
                "{}/files/report.pdf",
                r.json()["zip"]
                    .as_str()
                    .unwrap()
                    .trim_end_matches("/package.zip")
            );
            s.get(&url).await.bytes
        }
    };
    let chart = report("chart").await;
    let png = super::matching::png_bytes(192, 108, 30_000);
    let put = s
        .send(
            Method::PUT,
            "/api/v1/cameras/a/source",
            Body::from(png),
            "image/png",
        )
        .await;
    assert!(put.status.is_success(), "{}", put.json());
    let still = report("still").await;
    let images = |pdf: &[u8]| -> Vec<Vec<u8>> {
        // Each still is a JPEG stream (DCTDecode): from its SOI to its EOI marker.
        let mut out = Vec::new();
        let mut rest = pdf;
        while let Some(i) = rest.windows(3).position(|w| w == [0xff, 0xd8, 0xff]) {
            let jpeg = &rest[i..];
            let end = jpeg
                .windows(2)
                .position(|w| w == [0xff, 0xd9])
                .map_or(jpeg.len(), |e| e + 2);
            out.push(jpeg[..end].to_vec());
            rest = &jpeg[end..];
        }
        out
    };
    let (before, after) = (images(&chart), images(&still));
    assert_eq!((before.len(), after.len()), (2, 2));
    // The flat still renders as a picture of one colour: far smaller than the chart.
    for (b, a) in before.iter().zip(&after) {
        assert!(
            a.len() * 3 < b.len(),
            "still {} bytes vs chart {}",
            a.len(),
            b.len()
        );
    }
}
