//! `dossier check` end to end, through the real binary, in temp dirs (issue 3's acceptance).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

fn first_seed_name(ws: &Workspace) -> String {
    let mut names: Vec<String> = std::fs::read_dir(ws.docs())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names[0].clone()
}

#[test]
fn first_check_adds_every_seed_then_a_second_finds_nothing() {
    let ws = Workspace::with_seeds(None);
    let (report, out) = ws.check_json(&["--exit-code"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    assert_eq!(report["scanned"], 5);
    assert_eq!(with_status(&report, "added").len(), 5);
    for d in report["documents"].as_array().unwrap() {
        assert!(d["path"].as_str().unwrap().starts_with("docs/"), "{d}");
    }

    // new_entities holds every distinct entity the extractor finds in the five documents: each
    // extracted entity is a new entity, or shares a surface form with one (an alias met first).
    let files: Vec<String> = seed_files()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut args = vec!["extract", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let ex = ws.run(&args);
    assert!(ex.status.success(), "{}", stderr(&ex));
    let mut extracted: Vec<(String, BTreeSet<String>)> = Vec::new();
    for line in stdout(&ex).lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        for e in v["entities"].as_array().unwrap() {
            // Every form, folded, and for people also word-order free (as the dossier links them).
            let mut forms = BTreeSet::new();
            let names = std::iter::once(&e["name"]).chain(e["aliases"].as_array().unwrap());
            for n in names {
                let n = n.as_str().unwrap();
                forms.insert(dossier::text::key(n));
                if e["type"] == "PERSON" {
                    forms.extend(dossier::text::order_free_key(n));
                }
            }
            extracted.push((e["type"].to_string(), forms));
        }
    }
    let new: Vec<&Value> = report["dossier"]["new_entities"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let forms_of = |n: &Value| -> BTreeSet<String> {
        let key = dossier::text::key(n["name"].as_str().unwrap());
        let kind = n["type"].to_string();
        extracted
            .iter()
            .filter(|(t, f)| *t == kind && f.contains(&key))
            .flat_map(|(_, f)| f.iter().cloned())
            .collect()
    };
    let new_forms: Vec<(String, BTreeSet<String>)> = new
        .iter()
        .map(|n| (n["type"].to_string(), forms_of(n)))
        .collect();
    for (kind, forms) in &extracted {
        // An accord named only by its kind is known by its parties and date, not its
        // wording: the 2021 memorandum of one seed is the accord of another seed's words.
        let accord = kind == "\"EVENT\""
            && forms
                .iter()
                .any(|f| dossier::extract::accords::is_generic_accord(f));
        if accord {
            continue;
        }
        assert!(
            new_forms
                .iter()
                .any(|(t, f)| t == kind && !f.is_disjoint(forms)),
            "entity {kind} {forms:?} missing from new_entities"
        );
    }
    assert!(new.len() <= extracted.len());
    assert_eq!(ws.alert_ids().len(), 5);

    let (again, out) = ws.check_json(&["--exit-code"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    assert_eq!(again["documents"].as_array().unwrap().len(), 0);
    assert_eq!(ws.alert_ids().len(), 5, "no alert for an unchanged folder");
}

#[test]
fn a_cosmetic_edit_is_not_a_change() {
    let ws = Workspace::with_seeds(Some(&["000", "001"]));
    ws.check_json(&[]);
    let name = first_seed_name(&ws);
    let p = ws.docs().join(&name);
    let text = std::fs::read_to_string(&p).unwrap();
    // Doubled spaces, an extra blank line, a fatha on the first Arabic letter, tatweel.
    let mut edited = text.replacen(' ', "  ", 5).replacen('\n', "\n\n", 1);
    let first_arabic = edited
        .char_indices()
        .find(|(_, c)| ('\u{0621}'..='\u{064A}').contains(c))
        .unwrap();
    let at = first_arabic.0 + first_arabic.1.len_utf8();
    edited.insert(at, '\u{064E}');
    edited = edited.replacen("ال", "الـ", 1);
    std::fs::write(&p, edited).unwrap();
    let before = ws.alert_ids().len();
    let (report, out) = ws.check_json(&["--exit-code"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(report["documents"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(ws.alert_ids().len(), before);
}

#[test]
fn a_changed_percentage_is_a_modified_quantity() {
    let ws = Workspace::with_seeds(Some(&["000"]));
    ws.check_json(&[]);
    let name = first_seed_name(&ws);
    let p = ws.docs().join(&name);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains("94%"), "the seed holds 94%");
    std::fs::write(&p, text.replace("94%", "84%")).unwrap();
    let (report, out) = ws.check_json(&["--exit-code"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let docs = report["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["status"], "modified");
    assert_eq!(docs[0]["quantities"]["added"], serde_json::json!(["84%"]));
    assert_eq!(docs[0]["quantities"]["removed"], serde_json::json!(["94%"]));
    assert_eq!(ws.alert_ids().len(), 2);
}

#[test]
fn a_rename_is_renamed_and_a_delete_is_removed() {
    let ws = Workspace::with_seeds(None);
    ws.check_json(&[]);
    let name = first_seed_name(&ws);
    std::fs::create_dir_all(ws.docs().join("archive")).unwrap();
    std::fs::rename(ws.docs().join(&name), ws.docs().join("archive/moved.txt")).unwrap();
    let (report, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let docs = report["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "{report}");
    assert_eq!(docs[0]["status"], "renamed");
    assert_eq!(docs[0]["path"], "docs/archive/moved.txt");
    assert_eq!(docs[0]["previous_path"], format!("docs/{name}"));

    // Deleting a document reports its stored claims and entities removed.
    let shown = ws.run(&["show", "documents", "--format", "json"]);
    let rows: Value = serde_json::from_slice(&shown.stdout).unwrap();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["path"].as_str().unwrap().ends_with(".txt") && r["path"] != "docs/archive/moved.txt"
        })
        .unwrap()
        .clone();
    let victim = ws.path().join(row["path"].as_str().unwrap());
    std::fs::remove_file(&victim).unwrap();
    let (report, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let docs = report["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["status"], "removed");
    assert_eq!(
        docs[0]["claims"]["removed"].as_array().unwrap().len() as u64,
        row["claims"].as_u64().unwrap()
    );
    assert_eq!(
        docs[0]["entities"]["removed"].as_array().unwrap().len() as u64,
        row["entities"].as_u64().unwrap()
    );
}

#[test]
fn a_missing_folder_is_a_runtime_error_and_records_nothing() {
    let ws = Workspace::with_seeds(Some(&["000", "001"]));
    ws.check_json(&[]);
    std::fs::rename(ws.docs(), ws.path().join("unmounted")).unwrap();
    let out = ws.run(&["check"]);
    assert_eq!(out.status.code(), Some(3));
    let err = stderr(&out);
    assert!(err.contains("docs"), "the error names the folder: {err}");
    assert!(!err.contains("panicked"), "{err}");
    std::fs::rename(ws.path().join("unmounted"), ws.docs()).unwrap();
    let (report, out) = ws.check_json(&["--exit-code"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "nothing was recorded as removed: {report}"
    );
}

#[test]
fn more_than_half_gone_at_once_is_refused() {
    let ws = Workspace::with_seeds(None);
    ws.check_json(&[]);
    let mut files: Vec<_> = std::fs::read_dir(ws.docs())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in &files[..3] {
        std::fs::remove_file(f).unwrap();
    }
    let out = ws.run(&["check"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("3 of the 5"), "{}", stderr(&out));
    // Nothing was recorded: the documents are all still there.
    let docs = ws.run(&["show", "documents", "--format", "json"]);
    let docs: Value = serde_json::from_slice(&docs.stdout).unwrap();
    assert_eq!(docs.as_array().unwrap().len(), 5);
    // Said on purpose, it goes through.
    let (report, out) = ws.check_json(&["--allow-mass-removal"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(with_status(&report, "removed").len(), 3);
}

#[test]
fn no_notify_sets_a_silent_baseline() {
    let ws = Workspace::with_seeds(None);
    let (report, out) = ws.check_json(&["--no-notify"]);
    assert!(out.status.success());
    assert_eq!(report["documents"].as_array().unwrap().len(), 5);
    assert!(ws.alert_ids().is_empty());
    let out = ws.run(&["show", "outbox", "--format", "json"]);
    let rows: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 0);
}

#[test]
fn read_only_commands_never_create_a_database() {
    let ws = Workspace::with_seeds(Some(&["000"]));
    for args in [
        &["show", "entities"][..],
        &["show", "documents", "--format", "json"],
        &["show", "outbox"],
        &["config"],
    ] {
        let out = ws.run(args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    assert!(!ws.path().join("state.db").exists());
}

#[test]
fn the_text_report_lists_facts_and_the_jsonl_alert_has_id_and_time() {
    let ws = Workspace::with_seeds(Some(&["000"]));
    let out = ws.run(&["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    // The default language is Arabic: "one document scanned: 1 new", then the document.
    assert!(text.contains("فُحصت وثيقة واحدة: 1 جديدة"), "{text}");
    assert!(text.contains("جديدة \u{2066}docs/"), "{text}");
    let line = std::fs::read_to_string(ws.path().join("alerts.jsonl")).unwrap();
    let v: Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    assert!(v["id"].as_str().is_some_and(|s| !s.is_empty()));
    let time = v["time"].as_str().unwrap();
    assert!(time.parse::<jiff::Timestamp>().is_ok(), "RFC 3339: {time}");
    assert_eq!(v["documents"][0]["status"], "added");
}

#[test]
fn a_moved_and_slightly_edited_document_is_renamed_with_its_edit() {
    let ws = Workspace::with_seeds(None);
    ws.check_json(&[]);
    let name = first_seed_name(&ws);
    let text = std::fs::read_to_string(ws.docs().join(&name)).unwrap();
    let sentences = dossier::text::sentences(&text);
    assert!(sentences.len() >= 10, "enough sentences for 90 %");
    let edited = text.replacen(&sentences[0].text, "جملة أولى جديدة كتبت مكان القديمة.", 1);
    assert_ne!(edited, text);
    std::fs::remove_file(ws.docs().join(&name)).unwrap();
    std::fs::write(ws.docs().join("moved.txt"), edited).unwrap();
    let (report, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let docs = report["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "{report}");
    assert_eq!(docs[0]["status"], "renamed");
    assert_eq!(docs[0]["previous_path"], format!("docs/{name}"));
    assert_eq!(
        docs[0]["text"]["added"],
        serde_json::json!(["جملة أولى جديدة كتبت مكان القديمة."])
    );
}
