//! The state refuses to start from nothing by accident: a 0-byte file, a file that is not
//! SQLite, or a state path whose folder is missing is exit 3 with nothing recorded or sent,
//! until `--init` says to start anew; `check --verify` and the daemon's start find damaged
//! pages. Through the binary, on real files.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;

const REFUSED: &str = "looks empty or is not a dossier state; move it away or pass --init";

fn assert_refused(ws: &Workspace, out: &std::process::Output, needle: &str) {
    assert_eq!(out.status.code(), Some(3), "{}", stderr(out));
    assert!(stderr(out).contains(needle), "{}", stderr(out));
    assert!(
        !ws.path().join("alerts.jsonl").exists(),
        "nothing may be sent"
    );
}

#[test]
fn a_zero_byte_state_is_refused_by_check_watch_and_retry_until_init() {
    let ws = Workspace::with_seeds(None);
    std::fs::write(ws.path().join("state.db"), "").unwrap();
    for args in [&["check"][..], &["watch"], &["retry"]] {
        let out = ws.run(args);
        assert_refused(&ws, &out, REFUSED);
        assert!(
            stderr(&out).contains("is an empty file (0 bytes)"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(
        std::fs::metadata(ws.path().join("state.db")).unwrap().len(),
        0
    );
    let (report, out) = ws.check_json(&["--init"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(with_status(&report, "added").len(), 5);
    assert_eq!(ws.alert_ids().len(), 5);
    // From now on it is a state like any other.
    let (report, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(report["documents"].as_array().unwrap().is_empty());
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_init_moves_it_aside() {
    let ws = Workspace::with_seeds(Some(&["000"]));
    let notes = "these are my notes, not a database\n".repeat(200);
    std::fs::write(ws.path().join("state.db"), &notes).unwrap();
    let out = ws.run(&["check"]);
    assert_refused(&ws, &out, REFUSED);
    assert!(
        stderr(&out).contains("is not an SQLite database"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read_to_string(ws.path().join("state.db")).unwrap(),
        notes,
        "left as it was"
    );
    let out = ws.run(&["check", "--init"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("moved to"), "{}", stderr(&out));
    let moved: Vec<_> = std::fs::read_dir(ws.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with("state.db.moved-")
        })
        .collect();
    assert_eq!(moved.len(), 1);
    assert_eq!(std::fs::read_to_string(moved[0].path()).unwrap(), notes);
    assert_eq!(ws.alert_ids().len(), 1);
}

#[test]
fn another_programs_sqlite_database_is_refused() {
    let ws = Workspace::with_seeds(Some(&["000"]));
    rusqlite::Connection::open(ws.path().join("state.db"))
        .unwrap()
        .execute_batch("CREATE TABLE birds (name TEXT); INSERT INTO birds VALUES ('hoopoe');")
        .unwrap();
    let out = ws.run(&["check"]);
    assert_refused(&ws, &out, "another program");
}

#[test]
fn a_state_in_a_missing_folder_is_refused_unless_init() {
    let ws = Workspace::with_seeds(Some(&["000"]));
    let typo = ws.path().join("stat/dossier.db");
    let out = ws
        .cmd()
        .arg("--state")
        .arg(&typo)
        .arg("check")
        .output()
        .unwrap();
    assert_refused(&ws, &out, "does not exist");
    assert!(stderr(&out).contains("--init"), "{}", stderr(&out));
    assert!(!ws.path().join("stat").exists(), "nothing created");
    // The folder of a path in the configuration file is held to the same rule.
    let cfg = std::fs::read_to_string(ws.path().join("dossier.toml"))
        .unwrap()
        .replace("path = \"state.db\"", "path = \"nowhere/state.db\"");
    std::fs::write(ws.path().join("dossier.toml"), cfg).unwrap();
    assert_refused(&ws, &ws.run(&["watch"]), "does not exist");
    let out = ws.run(&["check", "--init"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(ws.path().join("nowhere/state.db").exists());
    assert_eq!(ws.alert_ids().len(), 1);
}

#[test]
fn the_default_state_folder_is_created() {
    // No configuration anywhere: the built-in defaults watch ./seeds, keep the state in
    // ./.dossier/state.db, and alert to the log.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("seeds")).unwrap();
    std::fs::copy(&seed_files()[0], dir.path().join("seeds/a.txt")).unwrap();
    if std::path::Path::new("/etc/dossier/dossier.toml").exists() {
        eprintln!("SKIPPED the_default_state_folder_is_created: /etc/dossier/dossier.toml exists");
        return;
    }
    let out = assert_cmd::Command::cargo_bin("dossier")
        .unwrap()
        .current_dir(dir.path())
        .env_remove("DOSSIER_CONFIG")
        .env_remove("STATE_DIRECTORY")
        .arg("check")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join(".dossier/state.db").exists());
}

/// Overwrites the root page of the `versions` table with garbage: a page that a check of an
/// unchanged folder never reads.
fn damage(path: &std::path::Path) {
    assert!(
        !std::path::Path::new(&format!("{}-wal", path.display())).exists(),
        "the state was closed cleanly"
    );
    let (root, size): (i64, i64) = {
        let c = rusqlite::Connection::open(path).unwrap();
        let root = c
            .query_row(
                "SELECT rootpage FROM sqlite_master WHERE name = 'versions'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let size = c.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap();
        (root, size)
    };
    let mut bytes = std::fs::read(path).unwrap();
    let from = ((root - 1) * size) as usize;
    for (i, b) in bytes[from..from + size as usize].iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(31).wrapping_add(7);
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn damaged_pages_are_found_by_check_verify_and_by_the_daemon_start() {
    let ws = Workspace::with_seeds(None);
    let (_, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = ws.run(&["check", "--verify"]);
    assert!(
        out.status.success(),
        "a sound state passes: {}",
        stderr(&out)
    );
    damage(&ws.path().join("state.db"));
    let before = ws.alert_ids();
    // A check that reads nothing does not notice.
    let out = ws.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = ws.run(&["check", "--verify"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("is damaged"), "{}", stderr(&out));
    assert!(stderr(&out).contains("integrity_check"), "{}", stderr(&out));
    let out = ws.run(&["watch"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("quick_check"), "{}", stderr(&out));
    assert_eq!(ws.alert_ids(), before, "nothing sent");
}
