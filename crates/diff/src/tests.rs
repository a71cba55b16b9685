use super::*;
use dossier_core::model::{Claim, ClaimType, Entity, EntityType};

fn ent(kind: EntityType, name: &str, aliases: &[&str]) -> Entity {
    Entity {
        kind,
        name: name.into(),
        aliases: aliases.iter().map(|s| s.to_string()).collect(),
        mentions: vec![],
    }
}

fn claim(kind: ClaimType, actors: &[&str], date: Option<&str>) -> Claim {
    Claim {
        kind,
        actors: actors.iter().map(|s| s.to_string()).collect(),
        date: date.map(String::from),
        quote: "نص".into(),
        attributed_to: None,
        mentioned: Vec::new(),
        negated: false,
        modality: None,
    }
}

fn facts(claims: Vec<Claim>) -> Extraction {
    Extraction {
        claims,
        ..Default::default()
    }
}

#[test]
fn a_claim_about_a_named_accord_keys_on_it_whatever_its_other_actors() {
    let accord = ent(EntityType::Event, "اتفاقية الشراكة", &["الاتفاقية"]);
    let mut old = facts(vec![claim(
        ClaimType::Agreement,
        &["الأردن", "اتفاقية الشراكة"],
        Some("2020"),
    )]);
    old.entities.push(accord.clone());
    let mut new = facts(vec![claim(
        ClaimType::Agreement,
        &["مصر", "الأردن", "الاتفاقية"],
        Some("2021"),
    )]);
    new.entities.push(accord);
    let d = claims::diff_claims(&old, &new);
    assert_eq!(d.changed.len(), 1, "{d:?}");
    assert!(d.added.is_empty() && d.removed.is_empty());
}

#[test]
fn entities_match_by_any_surface_form_and_type() {
    let old = vec![ent(EntityType::Person, "سمير حداد", &["حداد"])];
    let new = vec![
        ent(EntityType::Person, "حداد", &[]),
        ent(EntityType::Location, "عمان", &[]),
    ];
    let d = diff_entities(&old, &new);
    assert_eq!(d.added.len(), 1);
    assert_eq!(d.added[0].name, "عمان");
    assert!(d.removed.is_empty());
}

#[test]
fn values_compare_by_folded_key() {
    let d = diff_values(&["٩٤٪".into()], &["94%".into(), "84%".into()]);
    assert_eq!(d.added, vec!["84%".to_string()]);
    assert!(d.removed.is_empty());
}

#[test]
fn a_moved_date_is_a_changed_claim_not_added_and_removed() {
    let old = vec![claim(
        ClaimType::Agreement,
        &["الأردن", "تركيا"],
        Some("2021-11"),
    )];
    let new = vec![claim(
        ClaimType::Agreement,
        &["تركيا", "الأردن"],
        Some("2021-12"),
    )];
    let d = claims::diff_claims(&facts(old), &facts(new));
    assert!(d.added.is_empty() && d.removed.is_empty());
    assert_eq!(d.changed.len(), 1);
    assert_eq!(d.changed[0].before.date.as_deref(), Some("2021-11"));
    assert_eq!(d.changed[0].after.date.as_deref(), Some("2021-12"));
}

#[test]
fn a_reworded_claim_with_the_same_facts_is_no_change() {
    let old = vec![claim(ClaimType::Visit, &["سمير حداد", "عمان"], None)];
    let mut reworded = old[0].clone();
    reworded.quote = "صيغة أخرى".into();
    assert!(claims::diff_claims(&facts(old), &facts(vec![reworded])).is_empty());
}

#[test]
fn dates_agree_on_prefix_and_null_never_contradicts() {
    let a = claim(ClaimType::Visit, &["x"], Some("2021"));
    let b = claim(ClaimType::Visit, &["x"], Some("2021-11"));
    let c = claim(ClaimType::Visit, &["x"], Some("2022"));
    let n = claim(ClaimType::Visit, &["x"], None);
    assert!(claims_agree(&a, &b));
    assert!(!claims_agree(&b, &c));
    assert!(claims_agree(&n, &c));
}

#[test]
fn sentence_diff_ignores_cosmetic_edits_and_moves() {
    let old = text::sentences("الجملة الأولى. الجملة الثانية. الجملة الثالثة.");
    let new = text::sentences("الجملة  الثانية . الجملة الأُولى. الجملة الرابعة.");
    let d = diff_sentences(&old, &new);
    assert_eq!(d.added, vec!["الجملة الرابعة.".to_string()]);
    assert_eq!(d.removed, vec!["الجملة الثالثة.".to_string()]);
}

#[test]
fn similarity_counts_common_sentences_over_the_larger_side() {
    let a = text::sentences("أ. ب. ج. د.");
    let b = text::sentences("أ. ب. ج. هـ.");
    assert!((sentence_similarity(&a, &b) - 0.75).abs() < 1e-9);
}

#[test]
fn modified_document_reports_quantities_and_sentences() {
    let f1 = Extraction {
        quantities: vec!["94%".into()],
        ..Default::default()
    };
    let f2 = Extraction {
        quantities: vec!["84%".into()],
        ..Default::default()
    };
    let c = diff_document(
        Some(Version {
            path: "a.txt",
            text: "ارتفع بنسبة 94%.",
            facts: &f1,
        }),
        Some(Version {
            path: "a.txt",
            text: "ارتفع بنسبة 84%.",
            facts: &f2,
        }),
    );
    assert_eq!(c.status, DocStatus::Modified);
    assert_eq!(c.quantities.added, vec!["84%".to_string()]);
    assert_eq!(c.quantities.removed, vec!["94%".to_string()]);
    assert_eq!(c.text.added, vec!["ارتفع بنسبة 84%.".to_string()]);
    assert!(is_change(&c));
}

#[test]
fn an_accord_named_by_its_kind_keys_on_its_countries_a_named_one_on_its_name() {
    let with = |accord: &str, kind: ClaimType, actors: &[&str]| {
        let mut f = facts(vec![claim(kind, actors, None)]);
        f.entities.push(ent(EntityType::Event, accord, &[]));
        claims::claim_keys(&f).remove(0)
    };
    let a = with(
        "مذكرة تفاهم أمنية",
        ClaimType::Agreement,
        &["مذكرة تفاهم أمنية", "وزير الدفاع", "الأردن", "مصر"],
    );
    let b = with(
        "اتفاقية التعاون العسكري",
        ClaimType::Agreement,
        &["مصر", "اتفاقية التعاون العسكري", "الأردن"],
    );
    assert_eq!(a, b, "one accord, two wordings");
    let named = with(
        "اتفاقية وادي عربة",
        ClaimType::Agreement,
        &["الأردن", "إسرائيل", "اتفاقية وادي عربة"],
    );
    assert!(named.contains("وادي عربه"), "{named}");
    // A descriptive accord with a single country named keys on the accord.
    let one = with(
        "مذكرة التفاهم",
        ClaimType::Agreement,
        &["وزارة الدفاع", "الأردن", "مذكرة التفاهم"],
    );
    assert!(one.contains("مذكره التفاهم"), "{one}");
    // Other kinds of claims keep their two principal actors.
    let visit = facts(vec![claim(
        ClaimType::Visit,
        &["أيمن الصفدي", "مصر", "الأردن"],
        None,
    )]);
    assert!(claims::claim_keys(&visit)[0].contains("الصفدي"));
}
