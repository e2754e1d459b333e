//! ASC MHL: lookwire against a history written by the reference tool (ascmhl 1.2, committed
//! in tests/post/mhl/A001 with all six hash formats), and lookwire's own histories.

use std::path::{Path, PathBuf};

use lookwire_server::post::mhl::{
    self, Action, CreateOptions, ExitStatus, HashFormat, History, Manifest, MhlError, NoProgress,
    Record, VerifyOptions,
};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/post/mhl/A001")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the ascmhl-made card in a temporary folder named like the card.
fn card_copy() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let card = tmp.path().join("A001");
    copy_tree(&fixture(), &card);
    (tmp, card)
}

fn all_formats() -> Vec<HashFormat> {
    HashFormat::ALL.to_vec()
}

fn generation(card: &Path, number: u32) -> Manifest {
    let history = History::load(card).unwrap();
    let g = history
        .generations
        .iter()
        .find(|g| g.number == number)
        .unwrap();
    g.manifest.clone()
}

#[test]
fn verifies_a_history_written_by_ascmhl() {
    let report = mhl::verify(&fixture(), &VerifyOptions::default(), &NoProgress).unwrap();
    assert_eq!(report.status(), ExitStatus::Ok, "{report:?}");
    assert_eq!(report.verified, 5);
    let diff = mhl::diff(&fixture(), &VerifyOptions::default()).unwrap();
    assert_eq!(diff.status(), ExitStatus::Ok);
}

#[test]
fn file_and_directory_hashes_equal_ascmhl_in_every_format() {
    let (_tmp, card) = card_copy();
    let options = CreateOptions {
        formats: all_formats(),
        force: true,
        ..CreateOptions::default()
    };
    let report = mhl::create(&card, &options, &NoProgress).unwrap();
    assert_eq!(report.status(), ExitStatus::Ok);
    let theirs = generation(&card, 1);
    let ours = generation(&card, 2);
    assert_eq!(ours.creator.tool_name, "lookwire");
    let strip = |digests: &[mhl::DirectoryDigest]| {
        digests
            .iter()
            .map(|d| (d.format, d.content.clone(), d.structure.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&ours.root_hash), strip(&theirs.root_hash));
    assert_eq!(ours.root_hash.len(), 6);
    for record in &theirs.records {
        let mine = ours
            .records
            .iter()
            .find(|r| r.path() == record.path())
            .unwrap();
        match (record, mine) {
            (Record::File { hashes: a, .. }, Record::File { hashes: b, .. }) => {
                for h in a {
                    let same = b.iter().find(|x| x.format == h.format).unwrap();
                    assert_eq!(same.digest, h.digest, "{} {}", record.path(), h.format);
                    assert_eq!(same.action, Some(Action::Verified));
                }
            }
            (Record::Directory { digests: a, .. }, Record::Directory { digests: b, .. }) => {
                assert_eq!(strip(a), strip(b), "{}", record.path())
            }
            _ => panic!("{} changed kind", record.path()),
        }
    }
}

#[test]
fn unchanged_content_adds_no_generation_and_new_content_does() {
    let (_tmp, card) = card_copy();
    let report = mhl::create(&card, &CreateOptions::default(), &NoProgress).unwrap();
    // xxh64 is already recorded for every file: nothing new to say.
    assert_eq!(report.generation, None);
    assert_eq!(report.files, 5);
    std::fs::write(card.join("Sound/S002.wav"), b"more sound").unwrap();
    let report = mhl::create(&card, &CreateOptions::default(), &NoProgress).unwrap();
    let written = report.generation.expect("a new file is a change");
    assert!(written
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("0002_A001_"));
    assert_eq!(report.new_files, ["Sound/S002.wav"]);
    let history = History::load(&card).unwrap();
    assert_eq!(history.chain.len(), 2);
    assert_eq!(history.chain[1].format, HashFormat::C4);
    let new_one = history.lookup("Sound/S002.wav").unwrap();
    assert_eq!(new_one.original.as_ref().unwrap().format, HashFormat::Xxh64);
}

#[test]
fn tampered_new_and_missing_files_are_named_with_ascmhl_exit_codes() {
    let (_tmp, card) = card_copy();
    std::fs::write(card.join("notes.txt"), b"card notes, edited\n").unwrap();
    let report = mhl::verify(&card, &VerifyOptions::default(), &NoProgress).unwrap();
    assert_eq!(report.status(), ExitStatus::HashMismatch);
    assert_eq!(report.status().code(), 11);
    assert_eq!(report.mismatches.len(), 1);
    assert_eq!(report.mismatches[0].path, "notes.txt");

    std::fs::write(card.join("notes.txt"), b"card notes\n").unwrap();
    std::fs::write(card.join("Clips/extra.mov"), b"x").unwrap();
    let report = mhl::verify(&card, &VerifyOptions::default(), &NoProgress).unwrap();
    assert_eq!(
        (report.status().code(), report.new_files.clone()),
        (21, vec!["Clips/extra.mov".to_string()])
    );

    std::fs::remove_file(card.join("Clips/extra.mov")).unwrap();
    std::fs::remove_file(card.join("Sound/S001.wav")).unwrap();
    let report = mhl::diff(&card, &VerifyOptions::default()).unwrap();
    assert_eq!(report.status().code(), 10);
    assert_eq!(report.missing, ["Sound/S001.wav"]);
    // An ignore pattern given on the command line hides the missing file.
    let ignoring = VerifyOptions {
        ignore: vec!["Sound/".into()],
    };
    assert_eq!(
        mhl::diff(&card, &ignoring).unwrap().status(),
        ExitStatus::Ok
    );
}

#[test]
fn create_records_a_failed_file_and_reports_the_mismatch() {
    let (_tmp, card) = card_copy();
    std::fs::write(card.join("Clips/A001C001.xml"), b"rewritten").unwrap();
    let report = mhl::create(&card, &CreateOptions::default(), &NoProgress).unwrap();
    assert_eq!(report.status(), ExitStatus::HashMismatch);
    assert!(
        report.generation.is_some(),
        "ascmhl writes the generation before failing"
    );
    let latest = generation(&card, 2);
    let failed = latest
        .records
        .iter()
        .find(|r| r.path() == "Clips/A001C001.xml")
        .unwrap();
    let Record::File { hashes, .. } = failed else {
        panic!()
    };
    assert_eq!(hashes[0].action, Some(Action::Failed));
}

#[test]
fn broken_histories_fail_with_ascmhl_codes() {
    let (_tmp, card) = card_copy();
    let folder = card.join("ascmhl");
    let manifest = std::fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "mhl"))
        .unwrap();
    let code = |card: &Path| match mhl::verify(card, &VerifyOptions::default(), &NoProgress) {
        Err(e) => e.exit_code(),
        Ok(r) => panic!("verified a broken history: {r:?}"),
    };
    let original = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, original.replace("S001.wav", "S009.wav")).unwrap();
    assert_eq!(code(&card), 31);
    std::fs::remove_file(&manifest).unwrap();
    assert_eq!(code(&card), 33);
    std::fs::remove_file(folder.join("ascmhl_chain.xml")).unwrap();
    assert_eq!(code(&card), 32);
    std::fs::remove_dir_all(&folder).unwrap();
    assert!(matches!(
        mhl::verify(&card, &VerifyOptions::default(), &NoProgress),
        Err(MhlError::NoHistory(_))
    ));
    assert_eq!(code(&card), 30);
}

#[test]
fn a_fresh_history_verifies_and_survives_a_second_generation() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("Export_Day01");
    std::fs::create_dir_all(root.join("cdl")).unwrap();
    std::fs::write(root.join("cdl/A001C001.cc"), b"<ColorCorrection/>").unwrap();
    let options = CreateOptions {
        formats: vec![HashFormat::Xxh128, HashFormat::Md5],
        ..CreateOptions::default()
    };
    let first = mhl::create(&root, &options, &NoProgress).unwrap();
    assert!(first.generation.is_some());
    assert_eq!(
        mhl::create(&root, &options, &NoProgress)
            .unwrap()
            .generation,
        None
    );
    // Asking for a format not recorded yet is a change: it adds verified hashes.
    let sha = CreateOptions {
        formats: vec![HashFormat::Sha1],
        ..CreateOptions::default()
    };
    let second = mhl::create(&root, &sha, &NoProgress).unwrap();
    assert!(second.generation.is_some());
    let latest = generation(&root, 2);
    let Record::File { hashes, .. } = &latest.records[0] else {
        panic!()
    };
    let formats: Vec<_> = hashes.iter().map(|h| (h.format, h.action)).collect();
    assert!(
        formats.contains(&(HashFormat::Sha1, Some(Action::Verified))),
        "{formats:?}"
    );
    let report = mhl::verify(&root, &VerifyOptions::default(), &NoProgress).unwrap();
    assert_eq!((report.status(), report.verified), (ExitStatus::Ok, 1));
}

/// Counts what a progress bar is told.
#[derive(Default)]
struct Counting {
    total: std::cell::Cell<u64>,
    files: std::cell::Cell<usize>,
    done: std::cell::Cell<u64>,
    advances: std::cell::Cell<usize>,
    finished: std::cell::Cell<bool>,
}

impl mhl::Progress for Counting {
    fn start(&self, total_bytes: u64, files: usize) {
        self.total.set(total_bytes);
        self.files.set(files);
    }
    fn advance(&self, bytes: u64) {
        self.done.set(self.done.get() + bytes);
        self.advances.set(self.advances.get() + 1);
    }
    fn finish(&self) {
        self.finished.set(true);
    }
}

/// The progress bar of `create` and `verify` is told the folder's size first and every
/// byte hashed after, in steps (a 3 MiB file moves it more than once).
#[test]
fn create_and_verify_drive_the_progress_bar_byte_for_byte() {
    let (_tmp, card) = card_copy();
    let big: Vec<u8> = (0..3 * 1024 * 1024u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(card.join("Clips/big.mov"), &big).unwrap();
    let size: u64 = snapshot(&card)
        .iter()
        .filter(|(p, _)| !p.starts_with(card.join("ascmhl")))
        .map(|(_, bytes)| bytes.len() as u64)
        .sum();
    let options = CreateOptions {
        formats: vec![HashFormat::Xxh64],
        ..Default::default()
    };
    let progress = Counting::default();
    mhl::create(&card, &options, &progress).unwrap();
    assert_eq!(progress.total.get(), size);
    assert!(
        progress.files.get() >= 6,
        "{} entries",
        progress.files.get()
    );
    assert_eq!(progress.done.get(), progress.total.get());
    assert!(progress.advances.get() >= 4 && progress.finished.get());
    let progress = Counting::default();
    mhl::verify(&card, &VerifyOptions::default(), &progress).unwrap();
    assert_eq!(progress.done.get(), progress.total.get());
    assert!(progress.total.get() >= big.len() as u64 && progress.finished.get());
}

/// Every file under `root` with its bytes.
fn snapshot(root: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// `verify` and `diff` only read: a tampered, a new and a missing file are reported and the
/// folder, its history included, is byte for byte as before.
#[test]
fn verify_and_diff_write_nothing() {
    let (_tmp, card) = card_copy();
    std::fs::write(card.join("notes.txt"), b"tampered").unwrap();
    std::fs::write(card.join("Clips/new.mov"), b"new").unwrap();
    std::fs::remove_file(card.join("Sound/S001.wav")).unwrap();
    let before = snapshot(&card);
    let verified = mhl::verify(&card, &VerifyOptions::default(), &NoProgress).unwrap();
    assert_ne!(verified.status(), ExitStatus::Ok);
    let diffed = mhl::diff(&card, &VerifyOptions::default()).unwrap();
    assert_ne!(diffed.status(), ExitStatus::Ok);
    assert_eq!(snapshot(&card), before);
}
