//! Independent sources: copies of one article (near-duplicates, each with its own outlet
//! line) count as one origin when they corroborate a claim, and a copy of a document already
//! in the dossier is reported as such. Through the real binary, on a real state file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{stderr, stdout, Workspace, SEEDS};
use serde_json::Value;

const OUTLETS: [&str; 5] = [
    "هسبريس - الرباط",
    "المصدر: وكالة المغرب العربي للأنباء",
    "الأيام 24 | متابعة",
    "le360 (بتصرف)",
    "موقع العمق المغربي",
];

/// Five copies of seed 000 under `docs/copy_N.txt`, and seed 001 beside them.
fn five_copies() -> Workspace {
    let ws = Workspace::with_seeds(Some(&["001"]));
    let article = std::fs::read_to_string(format!("{SEEDS}/000_eecf0e1a0b2ec473.txt")).unwrap();
    for (i, outlet) in OUTLETS.iter().enumerate() {
        let p = ws.docs().join(format!("copy_{}.txt", i + 1));
        std::fs::write(p, format!("{outlet}\n\n{article}")).unwrap();
    }
    ws
}

fn doc<'a>(report: &'a Value, path: &str) -> &'a Value {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in the report"))
}

#[test]
fn five_copies_with_their_outlet_lines_are_one_independent_origin() {
    let ws = five_copies();
    let (report, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));

    // The first copy is new; each later one is reported as a copy of it; the other article
    // is nobody's copy.
    assert!(doc(&report, "docs/copy_1.txt")
        .get("near_duplicate_of")
        .is_none());
    for i in 2..=5 {
        assert_eq!(
            doc(&report, &format!("docs/copy_{i}.txt"))["near_duplicate_of"],
            "docs/copy_1.txt"
        );
    }
    assert!(doc(&report, "docs/001_4a3b5b82a1c1f330.txt")
        .get("near_duplicate_of")
        .is_none());

    // The fifth copy's alert: every claim it corroborates is stated by the copies (and
    // perhaps by the other article): one origin for the five copies.
    let changes: Value =
        serde_json::from_slice(&ws.run(&["changes", "--format", "json"]).stdout).unwrap();
    let last = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["documents"][0]["path"] == "docs/copy_5.txt")
        .expect("the fifth copy's alert");
    let corroborated = last["dossier"]["corroborated"].as_array().unwrap();
    assert!(!corroborated.is_empty(), "{last}");
    let mut five_of_one = 0;
    for c in corroborated {
        let total = c["total_sources"].as_u64().unwrap();
        let independent = c["independent"].as_u64().unwrap();
        let others = c["sources"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| !s.as_str().unwrap().contains("copy_"))
            .count() as u64;
        assert!(total >= 5, "{c}");
        // The copies are one origin; the other article, if it says so too, another.
        assert_eq!(independent, 1 + others.min(1), "{c}");
        if total == 5 {
            assert_eq!(independent, 1, "{c}");
            five_of_one += 1;
        }
    }
    assert!(five_of_one > 0, "a claim only the copies state: {last}");

    // The text report says it, in English and (by default) in Arabic.
    ws.write_config("[report]\nlanguage = \"en\"\n");
    let text = stdout(&ws.run(&["changes"]));
    assert!(text.contains("5 sources, 1 independent"), "{text}");
    assert!(text.contains("≈ near-duplicate of"), "{text}");
    ws.write_config("");
    let text = stdout(&ws.run(&["changes"]));
    assert!(text.contains("5 مصادر، 1 منها مستقلة"), "{text}");
    assert!(text.contains("≈ نسخة شبه مطابقة من"), "{text}");

    // A fingerprint is stored per version, and the copies' are within a few bits.
    let conn = rusqlite::Connection::open(ws.path().join("state.db")).unwrap();
    let fps: Vec<(String, Option<i64>)> = conn
        .prepare("SELECT path, fingerprint FROM versions ORDER BY path")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(fps.len(), 6);
    assert!(fps.iter().all(|(_, f)| f.is_some()), "{fps:?}");
    let copy1 = fps[1].1.unwrap() as u64;
    for (p, f) in &fps[1..] {
        let d = dossier_core::dupes::distance(copy1, f.unwrap() as u64);
        assert!(d <= 7, "{p}: {d} bits");
    }
    let other = fps[0].1.unwrap() as u64;
    assert!(dossier_core::dupes::distance(copy1, other) > 7);
}

#[test]
fn a_copy_added_later_is_reported_and_a_removed_original_is_not_named() {
    let ws = Workspace::with_seeds(Some(&["000", "001"]));
    assert!(ws.check_json(&[]).1.status.success());
    let article = std::fs::read_to_string(format!("{SEEDS}/000_eecf0e1a0b2ec473.txt")).unwrap();
    std::fs::write(
        ws.docs().join("zz_copy.txt"),
        format!("{}\n{article}", OUTLETS[0]),
    )
    .unwrap();
    let (report, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        doc(&report, "docs/zz_copy.txt")["near_duplicate_of"],
        "docs/000_eecf0e1a0b2ec473.txt"
    );
    // The original goes; a new copy then has no original in the dossier but the first copy.
    // (In a check of its own: a copy added as the original goes would be its rename.)
    std::fs::remove_file(ws.docs().join("000_eecf0e1a0b2ec473.txt")).unwrap();
    assert!(ws.check_json(&[]).1.status.success());
    std::fs::write(
        ws.docs().join("zz_copy2.txt"),
        format!("{}\n{article}", OUTLETS[1]),
    )
    .unwrap();
    let (report, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        doc(&report, "docs/zz_copy2.txt")["near_duplicate_of"],
        "docs/zz_copy.txt"
    );
}
