//! Test helpers shared by the show-look and show-LUT-output tests: small cube files, an
//! upload through the API, and camera-log samples.

use lookwire_color::Lut3d;

use crate::api::testkit::TestApp;

/// A 2³ cube that swaps red and blue (exact under tetrahedral interpolation inside 0..1);
/// the title makes each file's bytes, and so its id, its own.
pub(super) fn swap_cube(title: &str) -> Vec<u8> {
    cube(title, |r, g, b| [b, g, r])
}

pub(super) fn identity_cube(title: &str) -> Vec<u8> {
    cube(title, |r, g, b| [r, g, b])
}

fn cube(title: &str, f: impl Fn(u8, u8, u8) -> [u8; 3]) -> Vec<u8> {
    let mut s = format!("TITLE \"{title}\"\nLUT_3D_SIZE 2\n");
    for b in 0..2 {
        for g in 0..2 {
            for r in 0..2 {
                let [x, y, z] = f(r, g, b);
                s += &format!("{x} {y} {z}\n");
            }
        }
    }
    s.into_bytes()
}

/// Uploads `bytes` as file `name` and returns its id.
pub(super) async fn upload(t: &TestApp, name: &str, bytes: Vec<u8>) -> String {
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(format!("/api/v1/files?name={name}"))
        .header("content-type", "application/octet-stream")
        .body(axum::body::Body::from(bytes))
        .unwrap();
    let reply = t.send(req).await;
    assert!(reply.status.is_success(), "{}", reply.json());
    reply.json()["id"].as_str().unwrap().to_owned()
}

/// Mid-range camera-log samples: graded (and, for a show LUT output, taken back to the
/// camera's log) they stay inside a LUT's 0..1.
pub(super) fn samples() -> Vec<[f64; 3]> {
    let v = [0.2, 0.35, 0.5];
    let mut out = Vec::new();
    for r in v {
        for g in v {
            for b in v {
                out.push([r, g, b]);
            }
        }
    }
    out
}

pub(super) fn max_diff(a: [f64; 3], b: [f64; 3]) -> f64 {
    (0..3).map(|c| (a[c] - b[c]).abs()).fold(0.0, f64::max)
}

/// The largest difference between two lattices over the nodes whose coordinates all lie
/// in 0.2..0.5, and how many nodes that is.
pub(super) fn mid_lattice_diff(a: &Lut3d, b: &Lut3d) -> (usize, f64) {
    let n = a.size();
    let (mut checked, mut worst) = (0, 0.0f64);
    for (i, (x, y)) in a.data().iter().zip(b.data()).enumerate() {
        let idx = [i % n, (i / n) % n, i / (n * n)];
        if idx
            .iter()
            .all(|&k| (0.2..=0.5).contains(&(k as f64 / (n - 1) as f64)))
        {
            checked += 1;
            let d = (0..3).map(|c| f64::from((x[c] - y[c]).abs()));
            worst = worst.max(d.fold(0.0, f64::max));
        }
    }
    (checked, worst)
}
