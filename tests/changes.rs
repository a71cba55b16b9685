//! `dossier mark NAME` and `dossier changes [--since TIME | --since-mark NAME]`: the changes
//! recorded since an analyst last looked, through the real binary on a real state file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{stderr, stdout, Workspace};
use serde_json::Value;

const SEED: &str = "000_eecf0e1a0b2ec473.txt";

fn edit_seed(ws: &Workspace, from: &str, to: &str) {
    let p = ws.docs().join(SEED);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "the seed says {from}");
    std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
}

fn changes_json(ws: &Workspace, args: &[&str]) -> Value {
    let mut all = vec!["changes", "--format", "json"];
    all.extend_from_slice(args);
    let out = ws.run(&all);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("changes output is not JSON ({e}): {}", stdout(&out)))
}

fn paths_and_statuses(v: &Value) -> Vec<(String, String)> {
    v["changes"]
        .as_array()
        .expect("changes[]")
        .iter()
        .flat_map(|c| c["documents"].as_array().expect("documents[]").clone())
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn changes_since_a_mark_lists_only_what_came_after_it() {
    let ws = Workspace::with_seeds(Some(&["000", "001", "002"]));
    let (_, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(paths_and_statuses(&changes_json(&ws, &[])).len(), 3);

    let out = ws.run(&["mark", "alice"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("mark alice set at "),
        "{}",
        stdout(&out)
    );
    // Nothing yet after the mark (and the mark is exact within the second it was set).
    let v = changes_json(&ws, &["--since-mark", "alice"]);
    assert_eq!(v["changes"].as_array().unwrap().len(), 0, "{v}");
    assert_eq!(v["mark"]["name"], "alice");

    edit_seed(&ws, "94%", "84%");
    let (_, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));

    let v = changes_json(&ws, &["--since-mark", "alice"]);
    assert_eq!(
        paths_and_statuses(&v),
        [(format!("docs/{SEED}"), "modified".to_string())],
        "{v}"
    );
    let change = &v["changes"][0];
    assert!(change["id"].as_str().is_some_and(|s| !s.is_empty()));
    assert!(change["time"].as_str().is_some_and(|s| s.ends_with('Z')));
    assert_eq!(change["documents"][0]["quantities"]["added"][0], "84%");
    // The same alert as the jsonl channel got.
    assert!(ws
        .alert_ids()
        .contains(&change["id"].as_str().unwrap().to_string()));

    // Text: the report's renderer, Arabic by default; only the edit is there.
    let out = ws.run(&["changes", "--since-mark", "alice"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("تغيير واحد منذ العلامة"), "{text}");
    assert!(text.contains("معدّلة") && text.contains("84%"), "{text}");
    assert!(
        !text.contains("جديدة"),
        "no added document after the mark: {text}"
    );

    // Moving the mark empties the list; another analyst's mark is their own.
    assert!(ws.run(&["mark", "alice"]).status.success());
    let v = changes_json(&ws, &["--since-mark", "alice"]);
    assert_eq!(v["changes"].as_array().unwrap().len(), 0, "{v}");
    let text = stdout(&ws.run(&["changes", "--since-mark", "alice"]));
    assert!(text.starts_with("لا تغيير منذ العلامة"), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
}

#[test]
fn changes_since_a_time_an_rfc3339_time_a_date_or_a_duration_ago() {
    let ws = Workspace::with_seeds(Some(&["000", "001"]));
    assert!(ws.check_json(&[]).1.status.success());
    // Alert times are to the second: the edit is recorded in a later second than the adds.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    edit_seed(&ws, "94%", "84%");
    assert!(ws.check_json(&[]).1.status.success());

    let all = changes_json(&ws, &[]);
    assert_eq!(paths_and_statuses(&all).len(), 3, "{all}");
    let edit_time = all["changes"][2]["time"].as_str().unwrap().to_string();

    let v = changes_json(&ws, &["--since", &edit_time]);
    assert_eq!(
        paths_and_statuses(&v),
        [(format!("docs/{SEED}"), "modified".to_string())],
        "{v}"
    );
    assert_eq!(v["since"], edit_time.as_str());
    assert_eq!(v["mark"], Value::Null);
    // With an offset: the same instant written in Rabat-plus-two.
    let ts: jiff::Timestamp = edit_time.parse().unwrap();
    let offset = ts
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(3)))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    assert_eq!(
        paths_and_statuses(&changes_json(&ws, &["--since", &offset])).len(),
        1
    );
    assert_eq!(
        paths_and_statuses(&changes_json(&ws, &["--since", "1d"])).len(),
        3
    );
    assert_eq!(
        paths_and_statuses(&changes_json(&ws, &["--since", "2000-01-01"])).len(),
        3
    );
    assert_eq!(
        paths_and_statuses(&changes_json(&ws, &["--since", "2999-01-01T00:00:00Z"])).len(),
        0
    );

    // English labels when the configuration asks.
    ws.write_config("[report]\nlanguage = \"en\"\n");
    let out = ws.run(&["changes", "--since", &edit_time]);
    let text = stdout(&out);
    let first = text.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("1 change since ") && first.contains(&edit_time),
        "{text}"
    );

    let out = ws.run(&["changes", "--since", "yesterday"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`yesterday` is not a time"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_unknown_mark_is_a_usage_error_and_mark_needs_a_state() {
    let ws = Workspace::with_seeds(Some(&["000"]));
    // No state yet: `mark` creates none.
    let out = ws.run(&["mark", "alice"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("no state yet"), "{}", stderr(&out));
    assert!(!ws.path().join("state.db").exists());

    assert!(ws.check_json(&[]).1.status.success());
    assert!(ws.run(&["mark", "alice"]).status.success());
    let out = ws.run(&["changes", "--since-mark", "bob"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    assert!(
        err.contains("no mark named `bob`") && err.contains("alice"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let out = ws.run(&["changes", "--since", "1h", "--since-mark", "alice"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = ws.run(&["mark", ""]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// A state written before marks and fingerprints existed (schema 4) is listed as it is by
/// `changes`, and `mark` migrates it in place, keeping its alerts and fingerprinting its
/// documents.
#[test]
fn a_state_from_before_marks_opens_and_is_migrated_by_mark() {
    let ws = Workspace::with_seeds(Some(&["000", "001"]));
    assert!(ws.check_json(&[]).1.status.success());
    {
        let conn = rusqlite::Connection::open(ws.path().join("state.db")).unwrap();
        // As schema 4 left it: no marks, no fingerprints.
        conn.execute_batch(
            "DROP TABLE marks; DROP TABLE fingerprint_bands;
             ALTER TABLE documents DROP COLUMN fingerprint;
             ALTER TABLE versions DROP COLUMN fingerprint;
             PRAGMA user_version = 4;",
        )
        .unwrap();
    }
    assert_eq!(paths_and_statuses(&changes_json(&ws, &[])).len(), 2);
    let out = ws.run(&["changes", "--since-mark", "alice"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = ws.run(&["mark", "alice"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let conn = rusqlite::Connection::open(ws.path().join("state.db")).unwrap();
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, 6);
    // The documents stored before fingerprints got theirs from their stored texts.
    let unprinted: i64 = conn
        .query_row(
            "SELECT count(*) FROM documents WHERE fingerprint IS NULL OR fingerprint = 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(unprinted, 0);
    let bands: i64 = conn
        .query_row("SELECT count(*) FROM fingerprint_bands", [], |r| r.get(0))
        .unwrap();
    assert_eq!(bands, 2 * 8);
    // Once: the next opens read no document row for it.
    let done: String = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'fingerprints'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(done, "all");
    assert_eq!(paths_and_statuses(&changes_json(&ws, &[])).len(), 2);
    assert_eq!(
        changes_json(&ws, &["--since-mark", "alice"])["changes"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}
