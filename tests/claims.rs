//! Claims through the binary: a moved date is `claims.changed`, two sources that agree
//! corroborate, two that disagree contradict, and `history` follows one person across
//! spellings. The documents are our own sentences, not the seeds.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

fn write(ws: &Workspace, name: &str, text: &str) {
    std::fs::write(ws.docs().join(name), text).unwrap();
}

/// One list of the report's dossier section (`corroborated`, `contradicted`, `new_entities`).
fn dossier<'a>(report: &'a Value, list: &str) -> &'a Vec<Value> {
    report["dossier"][list]
        .as_array()
        .unwrap_or_else(|| panic!("no dossier.{list}: {report}"))
}

fn empty_workspace() -> Workspace {
    Workspace::with_seeds(Some(&["none"]))
}

#[test]
fn a_moved_date_is_a_changed_claim_not_an_added_and_a_removed_one() {
    let ws = empty_workspace();
    write(
        &ws,
        "accord.txt",
        "وقّع وزير الدفاع الأردني يوسف الحنيطي اتفاقية تعاون عسكري مع وزير الدفاع التركي خلوصي أكار في أنقرة يوم 12 مارس 2021.\n",
    );
    let (first, _) = ws.check_json(&[]);
    let added = &first["documents"][0]["claims"]["added"];
    assert_eq!(added[0]["type"], "AGREEMENT", "{first}");
    assert_eq!(added[0]["date"], "2021-03-12");

    write(
        &ws,
        "accord.txt",
        "وقّع وزير الدفاع الأردني يوسف الحنيطي اتفاقية تعاون عسكري مع وزير الدفاع التركي خلوصي أكار في أنقرة يوم 12 مايو 2021.\n",
    );
    let (report, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = &report["documents"][0];
    assert_eq!(doc["status"], "modified");
    let claims = &doc["claims"];
    assert_eq!(claims["added"].as_array().unwrap().len(), 0, "{claims}");
    assert_eq!(claims["removed"].as_array().unwrap().len(), 0, "{claims}");
    assert_eq!(claims["changed"][0]["before"]["date"], "2021-03-12");
    assert_eq!(claims["changed"][0]["after"]["date"], "2021-05-12");
    // The text report says it in facts first.
    let out = ws.run(&["show", "claims"]);
    assert!(stdout(&out).contains("2021-05-12"), "{}", stdout(&out));
}

#[test]
fn two_sources_that_disagree_on_a_date_are_a_contradiction() {
    let ws = empty_workspace();
    write(
        &ws,
        "one.txt",
        "زار الفريق أسامة عسكر عمّان في 3 أبريل 2022.\n",
    );
    ws.check_json(&[]);
    write(
        &ws,
        "two.txt",
        "زار الفريق أسامة عسكر عمّان في 9 يونيو 2022.\n",
    );
    let (report, out) = ws.check_json(&[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let contra = dossier(&report, "contradicted");
    assert_eq!(contra.len(), 1, "{report}");
    let sources: BTreeSet<&str> = contra[0]["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(sources, BTreeSet::from(["docs/one.txt", "docs/two.txt"]));
    let dates: BTreeSet<&str> = contra[0]["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["date"].as_str().unwrap())
        .collect();
    assert_eq!(dates, BTreeSet::from(["2022-04-03", "2022-06-09"]));
    assert!(dossier(&report, "corroborated").is_empty());
}

#[test]
fn an_edit_that_makes_two_sources_disagree_is_a_contradiction_once() {
    let ws = empty_workspace();
    let visit = |date: &str| format!("زار الفريق أسامة عسكر عمّان في {date}.\n");
    write(&ws, "one.txt", &visit("3 أبريل 2022"));
    write(&ws, "two.txt", &visit("3 أبريل 2022"));
    ws.check_json(&[]);
    write(&ws, "two.txt", &visit("9 يونيو 2022"));
    let (report, _) = ws.check_json(&[]);
    let contra = dossier(&report, "contradicted");
    assert_eq!(contra.len(), 1, "{report}");
    assert_eq!(contra[0]["total_sources"], 2);
    // Another edit of the same sentence that keeps the disagreement says nothing new of it.
    write(&ws, "two.txt", &visit("10 يونيو 2022"));
    let (report, _) = ws.check_json(&[]);
    assert!(dossier(&report, "contradicted").is_empty(), "{report}");
    // Back to the first source's date: the two agree again.
    write(&ws, "two.txt", &visit("3 أبريل 2022"));
    let (report, _) = ws.check_json(&[]);
    assert_eq!(dossier(&report, "corroborated").len(), 1, "{report}");
}

#[test]
fn unlike_facts_of_the_same_parties_are_no_contradiction() {
    // Both are OTHER (support, recognition): different facts, whatever their dates.
    let ws = empty_workspace();
    write(&ws, "one.txt", "دعمت مصر الأردن في ملف المياه عام 2019.\n");
    ws.check_json(&[]);
    write(&ws, "two.txt", "اعترفت مصر بحدود الأردن عام 1994.\n");
    let (report, _) = ws.check_json(&[]);
    let claims: Vec<&str> = report["documents"][0]["claims"]["added"]
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["type"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(claims, vec!["OTHER"], "{report}");
    assert!(dossier(&report, "contradicted").is_empty(), "{report}");
}

#[test]
fn a_second_source_that_agrees_corroborates() {
    let ws = empty_workspace();
    write(
        &ws,
        "one.txt",
        "زار الفريق أسامة عسكر عمّان في 3 أبريل 2022.\n",
    );
    ws.check_json(&[]);
    write(
        &ws,
        "two.txt",
        "زار الفريق أسامة عسكر عمّان في أبريل 2022 في زيارة رسمية.\n",
    );
    let (report, _) = ws.check_json(&[]);
    let corr = dossier(&report, "corroborated");
    assert_eq!(corr.len(), 1, "{report}");
    assert_eq!(corr[0]["claim"]["type"], "VISIT");
    assert_eq!(corr[0]["sources"].as_array().unwrap().len(), 2);
    assert!(dossier(&report, "contradicted").is_empty());
}

#[test]
fn history_follows_one_person_under_two_spellings() {
    let ws = empty_workspace();
    write(
        &ws,
        "one.txt",
        "زار الفريق أسامة عسكر عمّان في 3 أبريل 2022.\n",
    );
    ws.check_json(&[]);
    write(&ws, "two.txt", "قال اللواء عسكر أسامة إن الزيارة ناجحة.\n");
    ws.check_json(&[]);
    for name in ["أسامة عسكر", "عسكر اسامه"] {
        let out = ws.run(&["history", name, "--format", "json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let h: Value = serde_json::from_slice(&out.stdout).unwrap();
        let h = h.as_array().unwrap();
        assert_eq!(h.len(), 1, "one entity: {h:?}");
        let docs: Vec<&str> = h[0]["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["document"].as_str().unwrap())
            .collect();
        assert_eq!(docs, vec!["docs/one.txt", "docs/two.txt"], "{h:?}");
        assert_eq!(h[0]["timeline"][0]["claims"]["added"][0]["type"], "VISIT");
    }
    let out = ws.run(&["history", "لا أحد"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no entity named"));
}

#[test]
fn people_first_named_by_a_new_document_are_new_entities() {
    // Seeds 000–003 first, then 004: the people 004 names that the others do not are new.
    let ws = Workspace::with_seeds(Some(&["000", "001", "002", "003"]));
    ws.check_json(&[]);
    let files = seed_files();
    let persons = |f: &std::path::Path| -> Vec<BTreeSet<String>> {
        let out = ws.run(&["extract", "--format", "json", f.to_str().unwrap()]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["entities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["type"] == "PERSON")
            .map(|e| {
                let mut forms = BTreeSet::new();
                forms.insert(dossier::text::key(e["name"].as_str().unwrap()));
                for a in e["aliases"].as_array().unwrap() {
                    forms.insert(dossier::text::key(a.as_str().unwrap()));
                }
                forms
            })
            .collect()
    };
    let before: Vec<BTreeSet<String>> = files[..4].iter().flat_map(|f| persons(f)).collect();
    let fresh: Vec<BTreeSet<String>> = persons(&files[4])
        .into_iter()
        .filter(|p| before.iter().all(|b| b.is_disjoint(p)))
        .collect();
    assert!(!fresh.is_empty(), "004 names someone new");
    std::fs::copy(&files[4], ws.docs().join(files[4].file_name().unwrap())).unwrap();
    let (report, _) = ws.check_json(&[]);
    let new: Vec<String> = dossier(&report, "new_entities")
        .iter()
        .filter(|e| e["type"] == "PERSON")
        .map(|e| dossier::text::key(e["name"].as_str().unwrap()))
        .collect();
    for p in &fresh {
        assert!(new.iter().any(|n| p.contains(n)), "{p:?} not in {new:?}");
    }
    assert!(
        new.iter().all(|n| fresh.iter().any(|p| p.contains(n))),
        "only the new ones: {new:?}"
    );
    // The November 2021 memorandum, which all five state (each in its own words), is
    // corroborated by the five.
    let memo = dossier(&report, "corroborated")
        .iter()
        .find(|c| c["claim"]["type"] == "AGREEMENT" && c["claim"]["date"] == "2021-11")
        .unwrap_or_else(|| panic!("no corroborated 2021-11 agreement: {report}"));
    assert_eq!(memo["total_sources"], 5, "{memo}");
    let sources: BTreeSet<&str> = memo["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(sources.len(), 5, "{memo}");
    let actors: Vec<String> = memo["claim"]["actors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| dossier::text::key(a.as_str().unwrap()))
        .collect();
    for country in ["المغرب", "إسرائيل"] {
        assert!(actors.contains(&dossier::text::key(country)), "{memo}");
    }
}

#[test]
fn one_accord_named_three_ways_is_corroborated_by_three_sources() {
    // The press names one accord by its kind and domain, differently in each article: the
    // claims are the same agreement between the same two countries.
    let ws = empty_workspace();
    write(
        &ws,
        "a.txt",
        "وقّعت مصر والأردن مذكرة تفاهم أمنية في مايو 2019 خلال زيارة وزير الداخلية المصري إلى عمّان.\n",
    );
    write(
        &ws,
        "b.txt",
        "وقع الأردن ومصر اتفاقية التعاون العسكري في العاصمة عمّان.\n",
    );
    ws.check_json(&[]);
    write(
        &ws,
        "c.txt",
        "أكد مسؤول أردني أن الاتفاق الأمني المبرم بين الأردن ومصر في مايو 2019 دخل حيز التنفيذ، بعد أن وقّع البلدان الاتفاق الأمني.\n",
    );
    let (report, _) = ws.check_json(&[]);
    let corr: Vec<&Value> = dossier(&report, "corroborated")
        .iter()
        .filter(|c| c["claim"]["type"] == "AGREEMENT")
        .collect();
    assert_eq!(corr.len(), 1, "{report}");
    assert_eq!(corr[0]["total_sources"], 3, "{report}");
    assert!(dossier(&report, "contradicted").is_empty());
}

#[test]
fn a_named_accord_is_not_merged_with_another_accord_of_the_same_countries() {
    let ws = empty_workspace();
    write(
        &ws,
        "a.txt",
        "وقّعت مصر وإسرائيل اتفاقية كامب ديفيد عام 1978.\n",
    );
    ws.check_json(&[]);
    write(
        &ws,
        "b.txt",
        "وقّعت مصر وإسرائيل مذكرة تفاهم للتعاون في مجال الغاز عام 2018.\n",
    );
    let (report, _) = ws.check_json(&[]);
    for list in ["corroborated", "contradicted"] {
        assert!(dossier(&report, list).is_empty(), "{list}: {report}");
    }
}

#[test]
fn a_claim_stated_everywhere_names_a_few_sources_and_counts_the_rest() {
    let ws = empty_workspace();
    for i in 0..13 {
        write(
            &ws,
            &format!("d{i:02}.txt"),
            "زار الفريق أسامة عسكر عمّان في 3 أبريل 2022.\n",
        );
    }
    ws.check_json(&[]);
    write(
        &ws,
        "last.txt",
        "زار الفريق أسامة عسكر عمّان في 3 أبريل 2022.\n",
    );
    let (report, _) = ws.check_json(&[]);
    let corr = dossier(&report, "corroborated");
    assert_eq!(corr.len(), 1, "{report}");
    assert_eq!(corr[0]["total_sources"], 14);
    let sources = corr[0]["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 11, "ten others and the new one");
    assert!(sources.iter().any(|s| s == "docs/last.txt"));
}
