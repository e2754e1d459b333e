//! The file sink against a real folder, read back with lookwire's own readers.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use lookwire_color::formats::{self, LutFormat, Precision};
use lookwire_color::{Cdl, Lut3d};
use lookwire_protocol::filesink::{FileSink, FileSinkConfig, SinkFormat};
use lookwire_protocol::{Device, DeviceError, Look};

fn look() -> Look {
    let lut = Lut3d::from_fn(33, |[r, g, b]| [r.powf(0.8), g * 0.9 + 0.05, (r + b) * 0.5]).unwrap();
    let mut l = Look::from_lut(lut, "Cam A / SDR");
    l.cdl = Some(Cdl::from_sop_sat([1.2, 1.0, 0.9, 0.01, 0.0, -0.01, 1.0, 1.1, 0.9], 0.8).unwrap());
    l
}

fn sink(dir: &std::path::Path, format: SinkFormat, size: usize) -> FileSink {
    FileSink::new(FileSinkConfig {
        dir: dir.to_path_buf(),
        format,
        size,
        precision: Precision::RoundTrip,
    })
}

#[tokio::test]
async fn writes_a_resampled_cube_that_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sink(dir.path(), SinkFormat::from_name("cube").unwrap(), 17);
    let caps = s.connect().await.unwrap();
    assert_eq!(caps.lut3d_sizes, vec![17]);
    let l = look();
    let report = s.push(&l).await.unwrap();
    assert!(report.error.max_10bit > 0.0, "17³ from 33³ costs something");
    let path = dir.path().join("Cam A _ SDR.cube");
    let file = formats::read_lut(&path).unwrap();
    let lut = file.lut3d.unwrap();
    assert_eq!(lut.size(), 17);
    // Node (4, 8, 12) of 17³ is node (8, 16, 24) of 33³.
    assert_eq!(lut.node(4, 8, 12), l.lut.node(8, 16, 24));
    assert_eq!(
        report.bytes,
        std::fs::metadata(&path).unwrap().len() as usize
    );
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "no temporary file left behind: {names:?}");
}

#[tokio::test]
async fn writes_the_cdl_as_a_cc() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sink(dir.path(), SinkFormat::Cc, 33);
    assert!(s.connect().await.unwrap().cdl_native);
    let l = look();
    s.push(&l).await.unwrap();
    let doc = formats::read_cdl(&dir.path().join("Cam A _ SDR.cc")).unwrap();
    let cc = doc
        .find("Cam A / SDR")
        .expect("the label is the correction id");
    assert_eq!(cc.cdl, l.cdl.unwrap());
    let err = s
        .push(&Look::from_lut(Lut3d::identity(2).unwrap(), "b"))
        .await
        .unwrap_err();
    assert!(matches!(err, DeviceError::Encode { .. }), "{err}");
}

#[tokio::test]
async fn a_missing_folder_fails_to_connect_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope");
    let mut s = sink(&missing, SinkFormat::Cc, 33);
    let err = s.connect().await.unwrap_err();
    assert!(err.to_string().contains("nope"), "{err}");
}

#[tokio::test]
async fn a_watcher_never_sees_a_partial_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = sink(dir.path(), SinkFormat::Lut(LutFormat::Cube), 33);
    s.connect().await.unwrap();
    s.push(&look()).await.unwrap();
    let path = dir.path().join("Cam A _ SDR.cube");
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (stop, path) = (Arc::clone(&stop), path.clone());
        std::thread::spawn(move || {
            let mut reads = 0;
            while !stop.load(Ordering::Relaxed) {
                let lut = formats::read_lut(&path).expect("every read sees a whole file");
                assert_eq!(lut.lut3d.unwrap().size(), 33);
                reads += 1;
            }
            reads
        })
    };
    for _ in 0..8 {
        s.push(&look()).await.unwrap();
    }
    stop.store(true, Ordering::Relaxed);
    assert!(watcher.join().unwrap() > 0);
}

#[tokio::test]
async fn writes_every_lut_format_the_api_offers_and_each_reads_back() {
    // The API's file-sink formats beyond .cube and .cc (devices::config validates these).
    for (name, tolerance) in [
        ("3dl", 1.0 / 4095.0),
        ("clf", 1e-5),
        ("spi3d", 1e-5),
        ("csp", 1e-5),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = sink(dir.path(), SinkFormat::from_name(name).unwrap(), 17);
        s.connect().await.unwrap();
        let l = look();
        s.push(&l).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{name}: {files:?}");
        let path = files[0].clone();
        let file = formats::read_lut(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            path.extension().and_then(|e| e.to_str()),
            Some(name),
            "a box watching for .{name} files sees this one"
        );
        let lut = file.lut3d.unwrap_or_else(|| panic!("{name}: no 3D LUT"));
        assert_eq!(lut.size(), 17, "{name}");
        for (i, j, k) in [(0, 0, 0), (4, 8, 12), (16, 3, 9), (16, 16, 16)] {
            let (got, want) = (lut.node(i, j, k), l.lut.node(2 * i, 2 * j, 2 * k));
            for c in 0..3 {
                assert!(
                    (got[c] - want[c]).abs() <= tolerance,
                    "{name} node ({i},{j},{k}): {got:?} vs {want:?}"
                );
            }
        }
    }
}
