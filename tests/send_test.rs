//! `dossier send-test` through a jsonl channel: the line it appends is marked as a test, so
//! that a dashboard reading the file can leave it out, and it is no change of the dossier.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{stderr, stdout, Workspace};
use serde_json::Value;

fn lines(ws: &Workspace) -> Vec<Value> {
    std::fs::read_to_string(ws.path().join("alerts.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn the_test_line_says_test_and_real_alerts_do_not() {
    let ws = Workspace::with_seeds(Some(&["000", "001"]));
    assert!(ws.check_json(&[]).1.status.success());
    let real = lines(&ws);
    assert_eq!(real.len(), 2);

    let out = ws.run(&["send-test"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("ok (accepted yes, marked \"test\": true yes)"),
        "{}",
        stdout(&out)
    );

    let all = lines(&ws);
    assert_eq!(all.len(), 3, "one line appended");
    let test = &all[2];
    assert_eq!(test["test"], Value::Bool(true), "{test}");
    assert!(test["id"].as_str().unwrap().starts_with("test-"), "{test}");
    assert_eq!(
        test["documents"].as_array().map(Vec::len),
        Some(0),
        "{test}"
    );
    for line in &all[..2] {
        assert!(
            line.get("test").is_none(),
            "a real alert has no test field: {line}"
        );
        assert_eq!(line["documents"].as_array().map(Vec::len), Some(1));
    }

    // What a dashboard does: leave the test lines out, and the count is the real alerts'.
    let counted = all
        .iter()
        .filter(|l| l["test"] != Value::Bool(true))
        .count();
    assert_eq!(counted, 2);

    // The test alert is not a change of the dossier: not in the outbox, not listed.
    let out = ws.run(&["changes", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.iter().all(|i| !i.starts_with("test-")), "{ids:?}");
    let out = ws.run(&["show", "outbox"]);
    assert!(stdout(&out).starts_with("outbox empty"), "{}", stdout(&out));
}
