//! Crash safety of the outbox: a process killed between commit and delivery, or between a
//! channel's acceptance and the outbox being told, loses no alert and sends none twice.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashSet;

use common::*;

fn unique(ids: &[String]) -> bool {
    ids.iter().collect::<HashSet<_>>().len() == ids.len()
}

#[test]
fn killed_after_commit_before_sending_delivers_once_after_restart() {
    let ws = Workspace::with_seeds(None);
    let out = ws
        .cmd()
        .args(["check"])
        .env("DOSSIER_FAILPOINT", "after-commit")
        .output()
        .unwrap();
    assert!(!out.status.success(), "the failpoint aborts the process");
    assert!(
        ws.alert_ids().is_empty(),
        "nothing was sent before the crash"
    );

    // Restart: the state is committed (nothing new to report) and the queued alerts go out.
    let (report, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(report["documents"].as_array().unwrap().len(), 0);
    let ids = ws.alert_ids();
    assert_eq!(ids.len(), 5);
    assert!(unique(&ids));

    ws.check_json(&[]);
    assert_eq!(ws.alert_ids(), ids, "no alert goes twice");
}

#[test]
fn killed_after_the_channel_accepted_is_not_sent_twice() {
    let ws = Workspace::with_seeds(None);
    let out = ws
        .cmd()
        .args(["check"])
        .env("DOSSIER_FAILPOINT", "after-accept")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        ws.alert_ids().len(),
        1,
        "one alert accepted before the crash"
    );

    let out = ws.run(&["show", "outbox", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rows.as_array().unwrap().len(),
        5,
        "the outbox still holds all five"
    );

    let (_, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let ids = ws.alert_ids();
    assert_eq!(ids.len(), 5);
    assert!(
        unique(&ids),
        "the accepted alert was not appended again: {ids:?}"
    );
    let out = ws.run(&["show", "outbox", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 0);
}

#[test]
fn a_channel_that_fails_keeps_the_alert_and_exits_3_then_retry_sends_it() {
    let ws = Workspace::with_seeds(Some(&["000"]));
    // The jsonl file's folder is a regular file: every append fails.
    std::fs::write(ws.path().join("blocked"), "").unwrap();
    std::fs::write(
        ws.path().join("dossier.toml"),
        "[watch]\ndir = \"docs\"\n[state]\npath = \"state.db\"\n[[channel]]\nkind = \"jsonl\"\npath = \"blocked/alerts.jsonl\"\n",
    )
    .unwrap();
    let out = ws.run(&["check", "--exit-code"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "exit 3 wins over --exit-code's 1: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("blocked"), "{}", stderr(&out));
    let rows = ws.run(&["show", "outbox", "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&rows.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert!(rows[0]["last_error"].as_str().unwrap().contains("blocked"));

    // The channel comes back: `retry` sends it, once.
    std::fs::remove_file(ws.path().join("blocked")).unwrap();
    let out = ws.run(&["retry"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = std::fs::read_to_string(ws.path().join("blocked/alerts.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 1);
    let out = ws.run(&["retry"]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(ws.path().join("blocked/alerts.jsonl")).unwrap();
    assert_eq!(text.lines().count(), 1);
}
