//! Reading and writing a 65³ `.cube` (274 625 table lines), the size looks ship at.

use lookwire_color::formats::{cube, LutFile, Precision};
use lookwire_color::Lut3d;

fn main() {
    divan::main();
}

fn graded_cube() -> LutFile {
    let lut = Lut3d::from_fn(65, |[r, g, b]| {
        [
            (r * 1.1 - 0.02 * g).max(0.0).powf(0.9),
            0.3 * r + 0.6 * g.powf(1.2) + 0.1 * b,
            b.sqrt() * 0.97 + 0.01,
        ]
    })
    .expect("65³ lattice");
    LutFile::from_3d(lut)
}

#[divan::bench(args = ["roundtrip", "fixed6"])]
fn write_65(bencher: divan::Bencher<'_, '_>, precision: &str) {
    let lut = graded_cube();
    let precision = match precision {
        "fixed6" => Precision::Fixed(6),
        _ => Precision::RoundTrip,
    };
    let options = cube::WriteOptions { precision };
    bencher.bench(|| cube::write(divan::black_box(&lut), &options).expect("writes"));
}

#[divan::bench(args = ["roundtrip", "fixed6"])]
fn read_65(bencher: divan::Bencher<'_, '_>, precision: &str) {
    let precision = match precision {
        "fixed6" => Precision::Fixed(6),
        _ => Precision::RoundTrip,
    };
    let text = cube::write(&graded_cube(), &cube::WriteOptions { precision }).expect("writes");
    bencher
        .counter(divan::counter::BytesCount::new(text.len()))
        .bench(|| cube::read(divan::black_box(&text), "bench.cube").expect("reads"));
}
