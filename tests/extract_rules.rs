//! The extractor's rules name (`dossier_extract::RULES`) changes whenever its output does: a
//! state database whose facts were made by other rules has them made again from the stored
//! texts (silently), so an upgrade never shows as a change of every document. This test keeps
//! the name honest: it hashes the extraction of the seeds and fails when that hash moved while
//! the name did not. After bumping `RULES`, record the new pair with
//! `DOSSIER_UPDATE_RULES=1 cargo test --test extract_rules`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use dossier::extract::{ArabicExtractor, Extractor, RULES};
use sha2::{Digest, Sha256};

fn seeds_hash() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    let ex = ArabicExtractor::new();
    let mut h = Sha256::new();
    for f in files {
        let facts = ex.extract(&std::fs::read_to_string(&f).unwrap());
        h.update(serde_json::to_vec(&facts).unwrap());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_rules_name_changes_with_the_seeds_extraction() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/extract_rules.txt");
    let hash = seeds_hash();
    let recorded = std::fs::read_to_string(&file).unwrap_or_default();
    let field = |name: &str| {
        recorded
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .map(str::trim)
            .unwrap_or_default()
            .to_string()
    };
    let (rules, seen) = (field("rules "), field("hash "));
    if std::env::var_os("DOSSIER_UPDATE_RULES").is_some() {
        assert!(
            seen == hash || rules != RULES,
            "the extraction changed: bump dossier_extract::RULES first"
        );
        std::fs::write(&file, format!("rules {RULES}\nhash {hash}\n")).unwrap();
        return;
    }
    assert!(
        seen == hash,
        "the seeds' extraction changed (recorded under rules {rules:?}, now {RULES:?}): {}",
        if rules == RULES {
            "bump dossier_extract::RULES, then DOSSIER_UPDATE_RULES=1 cargo test --test extract_rules"
        } else {
            "record it: DOSSIER_UPDATE_RULES=1 cargo test --test extract_rules"
        }
    );
    assert_eq!(
        rules, RULES,
        "record the new rules name: DOSSIER_UPDATE_RULES=1 cargo test --test extract_rules"
    );
}
