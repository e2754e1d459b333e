//! One 960×540 multiviewer tile: the devices' live bake of a fresh trim, the SIMD kernel
//! over the cached chart, 8-bit conversion and JPEG encoding; HD scopes (counting alone, and
//! grading and counting as the route does); a cache hit.

use lookwire_server::preview::{self, encode, scopes, Previews};
use lookwire_server::show::demo::demo_show;

fn main() {
    divan::main();
}

/// A fresh trim per iteration, as when a panel moves at 60 changes per second.
#[divan::bench]
fn tile_960_render_and_encode(bencher: divan::Bencher<'_, '_>) {
    let mut show = demo_show();
    let previews = Previews::new();
    let target = preview::target(&show, "a", Some("sdr"), false).unwrap();
    previews.graded(&show, &target, 960).unwrap();
    let mut step = 0u32;
    bencher.bench_local(|| {
        step = step.wrapping_add(1);
        show.cameras["a"].grade.trim.slope[0] = 1.0 + f64::from(step % 100) * 1e-3;
        let graded = previews.graded(&show, &target, 960).unwrap();
        encode::jpeg(&graded).unwrap()
    });
}

/// Only the JPEG encoding of a graded 960×540 tile, 4:2:0 (the previews') and 4:4:4.
#[divan::bench(args = [encode::Chroma::Half, encode::Chroma::Full])]
fn tile_960_encode_only(bencher: divan::Bencher<'_, '_>, chroma: encode::Chroma) {
    let show = demo_show();
    let previews = Previews::new();
    let target = preview::target(&show, "a", Some("sdr"), false).unwrap();
    let graded = previews.graded(&show, &target, 960).unwrap();
    bencher.bench_local(|| encode::jpeg_with(&graded, chroma).unwrap());
}

/// Scopes of a graded HD frame (grading not included).
#[divan::bench]
fn scopes_hd(bencher: divan::Bencher<'_, '_>) {
    let show = demo_show();
    let previews = Previews::new();
    let target = preview::target(&show, "a", Some("sdr"), true).unwrap();
    let graded = previews
        .graded(&show, &target, preview::SCOPE_WIDTH)
        .unwrap();
    bencher.bench_local(|| scopes::compute(&show, &graded));
}

/// HD scopes as `GET /scopes` makes them after a trim: the camera graded and counted band
/// by band ([`Previews::scopes`]), a fresh trim each time so the cache never answers.
#[divan::bench]
fn scopes_hd_graded(bencher: divan::Bencher<'_, '_>) {
    let mut show = demo_show();
    let previews = Previews::new();
    let target = preview::target(&show, "a", Some("sdr"), true).unwrap();
    previews.scopes(&show, &target).unwrap();
    let mut step = 0u32;
    bencher.bench_local(|| {
        step = step.wrapping_add(1);
        show.cameras["a"].grade.trim.slope[0] = 1.0 + f64::from(step % 100) * 1e-3;
        previews.scopes(&show, &target).unwrap()
    });
}

/// A repeated request while the grade is unchanged.
#[divan::bench]
fn tile_960_cached(bencher: divan::Bencher<'_, '_>) {
    let show = demo_show();
    let previews = Previews::new();
    let target = preview::target(&show, "a", Some("sdr"), false).unwrap();
    previews.jpeg(&show, &target, 960).unwrap();
    bencher.bench_local(|| previews.jpeg(&show, &target, 960).unwrap());
}
