//! The whole extraction of each seed document, as the contract's JSON, pinned by an insta
//! snapshot (`tests/snapshots/`): any change of the extractor's output on the seeds shows as a
//! reviewed diff (`cargo insta review`, or `INSTA_UPDATE=always cargo test -p dossier-extract`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use dossier_extract::{ArabicExtractor, Extractor};

#[test]
fn each_seed_extraction_is_as_snapshotted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../seeds");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "the seeds are missing");
    let ex = ArabicExtractor::new();
    for path in files {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let x = ex.extract(text.trim_start_matches('\u{feff}'));
        insta::assert_json_snapshot!(format!("seed_{stem}"), x);
    }
}
