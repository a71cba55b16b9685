//! Facts an analyst can trust (issue 14): an edit is reported as what it changed, nothing
//! else. Through the binary, on the five seeds and the 25 real articles of the development set
//! (`tests/data/dev/`), in one dossier: a paragraph about something else appended to each
//! document reports that paragraph's facts only, and taking it away again only those; one
//! sentence deleted from each reports that sentence's facts going, nothing added, nothing
//! renamed. And `dossier extract` and the facts `check` stores are the same.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// Paragraphs about other subjects, each naming its own entities, dates and quantities.
const PARAGRAPHS: [&str; 3] = [
    "وفي سياق منفصل، فاز نادي الترجي التونسي على النادي الصفاقسي بهدفين مقابل هدف في مباراة جرت مساء السبت بملعب رادس في العاصمة تونس.",
    "من جهة أخرى، أعلنت هيئة الأرصاد الجوية في سلطنة عمان أن إعصار شاهين سيضرب السواحل يوم الأحد، ودعت السكان إلى توخي الحذر.",
    "وعلى صعيد آخر، افتتح رئيس وزراء اليابان فوميو كيشيدا معرضا للفنون في طوكيو يوم 3 مارس 2023 بحضور 500 زائر.",
];

fn dev_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dev");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("tests/data/dev")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    v.sort();
    v
}

/// A dossier of the seeds and the development set's articles, checked twice.
fn dossier_of_everything() -> (Workspace, Vec<String>) {
    let ws = Workspace::with_seeds(None);
    for f in dev_files() {
        std::fs::copy(&f, ws.docs().join(f.file_name().unwrap())).unwrap();
    }
    let (first, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut names: Vec<String> = std::fs::read_dir(ws.docs())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    assert!(names.len() >= 30, "seeds and development set: {names:?}");
    assert_eq!(first["documents"].as_array().unwrap().len(), names.len());
    let (second, _) = ws.check_json(&[]);
    assert!(second["documents"].as_array().unwrap().is_empty());
    (ws, names)
}

fn key(s: &str) -> String {
    dossier::text::key(s)
}

/// `dossier extract --format json` of a text (written outside the watched folder).
fn extract(ws: &Workspace, text: &str) -> Value {
    let p = ws.path().join("piece.txt");
    std::fs::write(&p, text).unwrap();
    let out = ws.run(&["extract", "--format", "json", p.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Every folded form of every entity of an extraction.
fn forms(x: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in x["entities"].as_array().unwrap() {
        out.insert(key(e["name"].as_str().unwrap()));
        out.extend(strs(&e["aliases"]).iter().map(|a| key(a)));
    }
    out
}

fn keys_of(v: &Value) -> BTreeSet<String> {
    strs(v).iter().map(|s| key(s)).collect()
}

/// Names as the linker tells them apart: by loose key (`عبد الله أوجلان` and `عبدالله أوجلان`
/// are one name, whichever spelling the version left names the entity by).
fn names_of(v: &Value) -> BTreeSet<String> {
    strs(v)
        .iter()
        .map(|s| dossier::text::loose_key(s))
        .collect()
}

/// The one document of a report, after asserting it is the only one and modified.
fn only_document<'a>(r: &'a Value, name: &str) -> &'a Value {
    let docs = r["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 1, "{name}: {r}");
    assert_eq!(docs[0]["status"], "modified", "{name}");
    &docs[0]
}

fn empty(v: &Value) -> bool {
    v.as_array().is_some_and(|a| a.is_empty())
}

fn no_dossier_surprise(r: &Value, name: &str) {
    let d = &r["dossier"];
    assert!(d.get("renamed").is_none_or(empty), "{name}: renamed {d}");
    assert!(empty(&d["contradicted"]), "{name}: contradicted {d}");
}

/// A claim's principal actors, folded.
fn principal(c: &Value) -> BTreeSet<String> {
    let mentioned = names_of(&c["mentioned"]);
    names_of(&c["actors"])
        .into_iter()
        .filter(|a| !mentioned.contains(a))
        .collect()
}

#[test]
fn a_paragraph_about_something_else_reports_its_facts_only_and_so_does_taking_it_away() {
    let (ws, names) = dossier_of_everything();
    for (i, name) in names.iter().enumerate() {
        let path = ws.docs().join(name);
        let orig = std::fs::read_to_string(&path).unwrap();
        let para = PARAGRAPHS[i % PARAGRAPHS.len()];
        let old = extract(&ws, &orig);
        let alone = extract(&ws, para);
        let (old_forms, para_forms) = (forms(&old), forms(&alone));
        let para_key = key(para);

        std::fs::write(&path, format!("{}\n\n{para}\n", orig.trim_end())).unwrap();
        let (r, out) = ws.check_json(&[]);
        assert!(out.status.success(), "{}", stderr(&out));
        let d = only_document(&r, name);
        for part in ["entities", "claims", "dates", "quantities", "text"] {
            assert!(empty(&d[part]["removed"]), "{name}: {part} removed: {d}");
        }
        assert!(
            empty(&d["claims"]["changed"]),
            "{name}: claims changed: {d}"
        );
        // Every entity added is one of the paragraph's; every entity of the paragraph is
        // added or was already in the document.
        let added: Vec<String> = d["entities"]["added"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| key(e["name"].as_str().unwrap()))
            .collect();
        for a in &added {
            assert!(para_forms.contains(a), "{name}: {a} is not the paragraph's");
        }
        for e in alone["entities"].as_array().unwrap() {
            let mut f = keys_of(&e["aliases"]);
            f.insert(key(e["name"].as_str().unwrap()));
            assert!(
                f.iter().any(|x| added.contains(x) || old_forms.contains(x)),
                "{name}: the paragraph's {e} is not reported"
            );
        }
        // Its claims, and only them.
        let claims = d["claims"]["added"].as_array().unwrap();
        assert_eq!(
            claims.len(),
            alone["claims"].as_array().unwrap().len(),
            "{name}: {claims:?} against the paragraph's own {}",
            alone["claims"]
        );
        for c in claims {
            let q = key(c["quote"].as_str().unwrap());
            assert!(
                para_key.contains(&q),
                "{name}: claim {c} is not the paragraph's"
            );
        }
        // Its dates and quantities that the document did not have.
        for part in ["dates", "quantities"] {
            let want: BTreeSet<String> = keys_of(&alone[part])
                .difference(&keys_of(&old[part]))
                .cloned()
                .collect();
            assert_eq!(keys_of(&d[part]["added"]), want, "{name}: {part}");
        }
        assert_eq!(
            keys_of(&d["text"]["added"]),
            BTreeSet::from([para_key.clone()])
        );
        no_dossier_surprise(&r, name);

        // Taken away: exactly the same facts go.
        std::fs::write(&path, &orig).unwrap();
        let (back, _) = ws.check_json(&[]);
        let b = only_document(&back, name);
        for part in ["entities", "claims", "dates", "quantities", "text"] {
            assert!(
                empty(&b[part]["added"]),
                "{name}: {part} added when restored: {b}"
            );
        }
        assert!(empty(&b["claims"]["changed"]), "{name}: {b}");
        let removed: BTreeSet<String> = b["entities"]["removed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| key(e["name"].as_str().unwrap()))
            .collect();
        assert_eq!(removed, added.iter().cloned().collect(), "{name}");
        assert_eq!(
            b["claims"]["removed"].as_array().unwrap().len(),
            claims.len(),
            "{name}"
        );
        for part in ["dates", "quantities"] {
            assert_eq!(
                keys_of(&b[part]["removed"]),
                keys_of(&d[part]["added"]),
                "{name}"
            );
        }
        no_dossier_surprise(&back, name);
        assert!(back["dossier"]["new_entities"]
            .as_array()
            .unwrap()
            .is_empty());
    }
}

/// Whether an entity named `actor` in extraction `x` has a mention in `start..end`.
fn mentioned_in(x: &Value, actor: &str, start: usize, end: usize) -> bool {
    x["entities"].as_array().unwrap().iter().any(|e| {
        e["name"]
            .as_str()
            .is_some_and(|n| dossier::text::loose_key(n) == dossier::text::loose_key(actor))
            && e["mentions"].as_array().unwrap().iter().any(|m| {
                let (s, t) = (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap());
                s as usize >= start && t as usize <= end
            })
    })
}

#[test]
fn deleting_one_sentence_reports_only_that_sentence_s_facts_going() {
    let (ws, names) = dossier_of_everything();
    let mut tried = 0;
    for name in &names {
        let path = ws.docs().join(name);
        let orig = std::fs::read_to_string(&path).unwrap();
        // A sentence of six words or more from the middle of the document.
        let long: Vec<String> = dossier::text::sentences(&orig)
            .into_iter()
            .map(|s| s.text)
            .filter(|s| s.split_whitespace().count() >= 6)
            .collect();
        if long.len() < 3 {
            continue;
        }
        for sentence in [&long[long.len() / 2], &long[long.len() / 3]] {
            let Some(start) = orig.find(sentence.as_str()) else {
                continue;
            };
            let end = start + sentence.len();
            tried += 1;
            let old = extract(&ws, &orig);
            let alone = extract(&ws, sentence);
            std::fs::write(&path, format!("{}{}", &orig[..start], &orig[end..])).unwrap();
            let (r, out) = ws.check_json(&[]);
            assert!(out.status.success(), "{}", stderr(&out));
            let d = only_document(&r, name);
            for part in ["entities", "claims", "dates", "quantities", "text"] {
                assert!(empty(&d[part]["added"]), "{name}: {part} added: {d}");
            }
            let sentence_key = key(sentence);
            for c in d["claims"]["removed"].as_array().unwrap() {
                let quote = c["quote"].as_str().unwrap();
                // Its quote is in the sentence, or runs from it into the next when the text's
                // punctuation (`للشعوب.،`) ends a sentence for us and not for the extractor.
                assert!(
                    sentence_key.contains(&key(quote))
                        || dossier::diff::quotes_overlap(sentence, quote),
                    "{name}: removed {c} is not the sentence's"
                );
            }
            // A claim that changed lost what the sentence said of it: its date, or actors named
            // there; it gained nothing.
            for c in d["claims"]["changed"].as_array().unwrap() {
                let (b, a) = (&c["before"], &c["after"]);
                for f in strs(&c["fields"]) {
                    match f.as_str() {
                        "date" => {
                            let was = b["date"].as_str().unwrap_or_default();
                            assert!(
                                strs(&alone["dates"]).iter().any(|x| x == was)
                                    && a["date"].as_str().is_none_or(|now| was.starts_with(now)),
                                "{name}: {c}"
                            );
                        }
                        "actors" => {
                            let (pb, pa) = (principal(b), principal(a));
                            assert!(pa.is_subset(&pb), "{name}: actors gained: {c}");
                            for gone in pb.difference(&pa) {
                                assert!(
                                    mentioned_in(&old, gone, start, end),
                                    "{name}: {gone} left {c} though not named in the sentence"
                                );
                            }
                        }
                        other => panic!("{name}: {other} moved: {c}"),
                    }
                }
            }
            for e in d["entities"]["removed"].as_array().unwrap() {
                let n = e["name"].as_str().unwrap();
                assert!(mentioned_in(&old, n, start, end), "{name}: {n} removed");
            }
            for part in ["dates", "quantities"] {
                assert!(
                    keys_of(&d[part]["removed"]).is_subset(&keys_of(&alone[part])),
                    "{name}: {part} removed: {d}"
                );
            }
            assert_eq!(
                keys_of(&d["text"]["removed"]),
                BTreeSet::from([sentence_key.clone()]),
                "{name}"
            );
            no_dossier_surprise(&r, name);
            assert!(
                r["dossier"]["new_entities"].as_array().unwrap().is_empty(),
                "{name}"
            );
            std::fs::write(&path, &orig).unwrap();
            ws.check_json(&[]);
        }
    }
    assert!(
        tried >= 50,
        "only {tried} documents had a sentence to delete"
    );
}

#[test]
fn extract_and_check_store_the_same_facts() {
    let ws = Workspace::with_seeds(None);
    ws.check_json(&[]);
    let conn = rusqlite::Connection::open(ws.path().join("state.db")).unwrap();
    for f in seed_files() {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        let extracted = extract(&ws, &text);
        let stored: String = conn
            .query_row(
                "SELECT facts FROM documents WHERE path = ?1",
                [format!("docs/{name}")],
                |r| r.get(0),
            )
            .unwrap();
        let stored: dossier::model::Extraction = serde_json::from_str(&stored).unwrap();
        let extracted: dossier::model::Extraction = serde_json::from_value(extracted).unwrap();
        assert_eq!(stored, extracted, "{name}");
        assert!(!stored.entities.is_empty() && !stored.claims.is_empty());
    }
}

/// `dossier show entities --type T --format json`.
fn entities_of(ws: &Workspace, kind: &str) -> Vec<Value> {
    let out = ws.run(&["show", "entities", "--type", kind, "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn show_claims(ws: &Workspace) -> Vec<Value> {
    let out = ws.run(&["show", "claims", "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn moving_the_accord_s_date_in_one_source_is_a_changed_claim_and_a_contradiction() {
    let ws = Workspace::with_seeds(None);
    ws.check_json(&[]);
    let name = seed_files()[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let path = ws.docs().join(&name);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.matches("نونبر 2021").count(),
        1,
        "the seed dates the accord once"
    );
    std::fs::write(&path, text.replace("نونبر 2021", "نونبر 2022")).unwrap();
    let (r, _) = ws.check_json(&[]);
    let d = only_document(&r, &name);
    let moved: Vec<&Value> = d["claims"]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["after"]["type"] == "AGREEMENT")
        .collect();
    assert_eq!(moved.len(), 1, "{d}");
    assert_eq!(strs(&moved[0]["fields"]), vec!["date"]);
    assert_eq!(moved[0]["before"]["date"], "2021-11");
    assert_eq!(moved[0]["after"]["date"], "2022-11");
    assert!(
        empty(&d["claims"]["removed"]) && empty(&d["claims"]["added"]),
        "{d}"
    );
    // Against the source that dates it November 2021.
    let contra = r["dossier"]["contradicted"].as_array().unwrap();
    assert_eq!(contra.len(), 1, "{}", r["dossier"]);
    let dates: BTreeSet<String> = contra[0]["claims"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["date"].as_str().map(String::from))
        .collect();
    assert_eq!(dates, BTreeSet::from(["2021-11".into(), "2022-11".into()]));
    let sources = strs(&contra[0]["sources"]);
    assert!(sources.iter().any(|s| s.contains("004_")), "{sources:?}");
    // The dossier's view agrees: that key is contradicted, with both values and their sources.
    let groups = show_claims(&ws);
    let g = groups
        .iter()
        .find(|g| {
            g["claims"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["claim"]["date"] == "2022-11")
        })
        .expect("a group states 2022-11");
    assert_eq!(g["state"], "contradicted", "{g}");
    let values: Vec<&Value> = g["values"].as_array().unwrap().iter().collect();
    let of = |date: &str| {
        values
            .iter()
            .find(|v| v["date"] == date)
            .map(|v| strs(&v["sources"]))
            .unwrap_or_default()
    };
    assert_eq!(of("2022-11"), vec![format!("docs/{name}")]);
    assert!(of("2021-11").iter().any(|s| s.contains("004_")), "{g}");
    // Every source of the group states its key.
    for s in strs(&g["sources"]) {
        assert!(
            g["claims"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["source"] == s.as_str()),
            "{s}"
        );
    }
}

#[test]
fn one_accord_in_three_wordings_across_the_seeds_is_one_event() {
    let ws = Workspace::with_seeds(None);
    ws.check_json(&[]);
    let events = entities_of(&ws, "EVENT");
    let memo: Vec<&Value> = events
        .iter()
        .filter(|e| e["documents"].as_array().unwrap().len() >= 3)
        .collect();
    assert_eq!(memo.len(), 1, "{events:?}");
    // 000, 001 and 003 each name it in words of their own.
    let docs = strs(&memo[0]["documents"]);
    for seed in ["000_", "001_", "003_"] {
        assert!(docs.iter().any(|d| d.contains(seed)), "{seed} {docs:?}");
    }
    let mut forms = strs(&memo[0]["aliases"]);
    forms.push(memo[0]["name"].as_str().unwrap().to_string());
    let forms: BTreeSet<String> = forms.iter().map(|f| key(f)).collect();
    assert!(forms.len() >= 3, "three wordings: {forms:?}");
}

#[test]
fn two_accords_of_the_same_countries_in_one_text_stay_two_events() {
    let ws = Workspace::with_seeds(Some(&[]));
    std::fs::write(
        ws.docs().join("accords.txt"),
        "وقع المغرب وإسرائيل مذكرة التفاهم الأمنية في نوفمبر 2021 بالرباط.\n\
         وتنص مذكرة التفاهم الأمنية الموقعة بين المغرب وإسرائيل في نوفمبر 2021 على تبادل المعلومات.\n\
         ووقع البلدان مذكرة التفاهم الاقتصادية في مارس 2023 بتل أبيب.\n\
         وتشمل مذكرة التفاهم الاقتصادية بين المغرب وإسرائيل الموقعة في مارس 2023 الفلاحة والطاقة.\n",
    )
    .unwrap();
    let (r, _) = ws.check_json(&[]);
    assert!(empty(&r["dossier"]["contradicted"]), "{}", r["dossier"]);
    let events = entities_of(&ws, "EVENT");
    assert_eq!(events.len(), 2, "{events:?}");
    let agreements: Vec<Value> = show_claims(&ws)
        .into_iter()
        .filter(|g| g["type"] == "AGREEMENT")
        .collect();
    assert_eq!(agreements.len(), 2, "{agreements:?}");
    assert!(agreements.iter().all(|g| g["state"] != "contradicted"));
}

#[test]
fn facts_made_by_other_rules_are_made_again_silently_before_anything_is_compared() {
    let ws = Workspace::with_seeds(None);
    ws.check_json(&[]);
    assert_eq!(ws.alert_ids().len(), 5);
    {
        // As an older dossier left it: other facts (here none at all), no links, another rule.
        let conn = rusqlite::Connection::open(ws.path().join("state.db")).unwrap();
        conn.execute_batch(
            "UPDATE meta SET value = 'extract 0' WHERE key = 'facts_rule';
             UPDATE documents SET facts = '{\"entities\":[],\"dates\":[],\"quantities\":[],\"claims\":[]}';
             DELETE FROM links; DELETE FROM claims;",
        )
        .unwrap();
    }
    let (r, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(empty(&r["documents"]), "an upgrade is no change: {r}");
    assert_eq!(ws.alert_ids().len(), 5, "nothing sent");
    let conn = rusqlite::Connection::open(ws.path().join("state.db")).unwrap();
    let links: i64 = conn
        .query_row("SELECT count(*) FROM links", [], |r| r.get(0))
        .unwrap();
    assert!(links > 50, "linked again: {links}");
    let name = seed_files()[1]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_string();
    let stored: String = conn
        .query_row(
            "SELECT facts FROM documents WHERE path = ?1",
            [format!("docs/{name}")],
            |r| r.get(0),
        )
        .unwrap();
    let text = std::fs::read_to_string(ws.docs().join(&name)).unwrap();
    let stored: dossier::model::Extraction = serde_json::from_str(&stored).unwrap();
    let extracted: dossier::model::Extraction =
        serde_json::from_value(extract(&ws, &text)).unwrap();
    assert_eq!(stored, extracted);
    // The next edit is compared with facts made the same way as its own.
    std::fs::write(
        ws.docs().join(&name),
        format!("{}\n\n{}\n", text.trim_end(), PARAGRAPHS[0]),
    )
    .unwrap();
    let (r, _) = ws.check_json(&[]);
    let d = only_document(&r, &name);
    assert!(
        empty(&d["entities"]["removed"]) && empty(&d["claims"]["changed"]),
        "{d}"
    );
}
