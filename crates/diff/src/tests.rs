use super::*;
use dossier_core::model::{Claim, ClaimType, Entity, EntityType};
use dossier_core::vocab::Vocabulary;

/// A few countries, and accords named by their kind, for these tests.
struct Vocab;

impl Vocabulary for Vocab {
    fn is_country(&self, name: &str) -> bool {
        ["الأردن", "مصر", "تركيا", "إسرائيل"].contains(&name)
    }
    fn is_generic_accord(&self, name: &str) -> bool {
        name.starts_with("مذكرة")
    }
}

/// Ids 1, 2, … for a version's entities, in order.
fn seq(f: &Extraction) -> Vec<EntityId> {
    (1..=f.entities.len() as EntityId).collect()
}

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
fn a_claim_about_an_event_keys_on_it_whatever_its_other_actors() {
    let accord = ent(EntityType::Event, "اتفاقية الشراكة", &["الاتفاقية"]);
    let mut old = facts(vec![claim(
        ClaimType::Agreement,
        &["الأردن", "اتفاقية الشراكة"],
        Some("2020"),
    )]);
    old.entities = vec![ent(EntityType::Location, "الأردن", &[]), accord.clone()];
    let mut new = facts(vec![claim(
        ClaimType::Agreement,
        &["مصر", "الأردن", "اتفاقية الشراكة"],
        Some("2021"),
    )]);
    new.entities = vec![
        ent(EntityType::Location, "مصر", &[]),
        ent(EntityType::Location, "الأردن", &[]),
        accord,
    ];
    let (old_ids, new_ids) = (vec![1, 2], vec![3, 1, 2]);
    let d = claims::diff_claims(
        &Linked::new(&old, &old_ids),
        &Linked::new(&new, &new_ids),
        &Vocab,
    );
    assert_eq!(d.changed.len(), 1, "{d:?}");
    assert_eq!(d.changed[0].fields, vec!["date", "actors"]);
    assert!(d.added.is_empty() && d.removed.is_empty());
}

#[test]
fn entities_compare_by_identity_not_by_name() {
    let old = facts(vec![]);
    let old = Extraction {
        entities: vec![ent(EntityType::Person, "سمير حداد", &["حداد"])],
        ..old
    };
    let new = Extraction {
        entities: vec![
            ent(EntityType::Person, "حداد", &[]),
            ent(EntityType::Location, "عمان", &[]),
        ],
        ..Default::default()
    };
    let (a, b) = (vec![7], vec![7, 9]);
    let d = diff_entities(&Linked::new(&old, &a), &Linked::new(&new, &b));
    assert_eq!(d.added.len(), 1);
    assert_eq!(d.added[0].name, "عمان");
    assert!(d.removed.is_empty());
    // Same names, another identity: removed and added.
    let c = vec![8, 9];
    let d = diff_entities(&Linked::new(&old, &a), &Linked::new(&new, &c));
    assert_eq!(d.removed.len(), 1);
    assert_eq!(d.added.len(), 2);
}

#[test]
fn actors_spelled_otherwise_are_no_change() {
    let p = |name: &str| ent(EntityType::Person, name, &[]);
    let mut old = facts(vec![claim(
        ClaimType::Meeting,
        &["الفاروق بلخير", "أفيف كوخافي"],
        None,
    )]);
    old.entities = vec![p("الفاروق بلخير"), p("أفيف كوخافي")];
    let mut new = facts(vec![claim(
        ClaimType::Meeting,
        &["بلخير الفاروق", "كوخافي"],
        None,
    )]);
    new.entities = vec![p("بلخير الفاروق"), p("كوخافي")];
    let ids = vec![4, 5];
    let d = claims::diff_claims(&Linked::new(&old, &ids), &Linked::new(&new, &ids), &Vocab);
    assert!(d.is_empty(), "{d:?}");
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
    let (o, n) = (facts(old), facts(new));
    let d = claims::diff_claims(&Linked::new(&o, &[]), &Linked::new(&n, &[]), &Vocab);
    assert!(d.added.is_empty() && d.removed.is_empty());
    assert_eq!(d.changed.len(), 1);
    assert_eq!(d.changed[0].fields, vec!["date"]);
    assert_eq!(d.changed[0].before.date.as_deref(), Some("2021-11"));
    assert_eq!(d.changed[0].after.date.as_deref(), Some("2021-12"));
}

#[test]
fn a_reworded_claim_with_the_same_facts_is_no_change() {
    let old = vec![claim(ClaimType::Visit, &["سمير حداد", "عمان"], None)];
    let mut reworded = old[0].clone();
    reworded.quote = "صيغة أخرى".into();
    let (o, n) = (facts(old), facts(vec![reworded]));
    let d = claims::diff_claims(&Linked::new(&o, &[]), &Linked::new(&n, &[]), &Vocab);
    assert!(d.is_empty());
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
            ids: &[],
        }),
        Some(Version {
            path: "a.txt",
            text: "ارتفع بنسبة 84%.",
            facts: &f2,
            ids: &[],
        }),
        &Vocab,
    );
    assert_eq!(c.status, DocStatus::Modified);
    assert_eq!(c.quantities.added, vec!["84%".to_string()]);
    assert_eq!(c.quantities.removed, vec!["94%".to_string()]);
    assert_eq!(c.text.added, vec!["ارتفع بنسبة 84%.".to_string()]);
    assert!(is_change(&c));
}

#[test]
fn an_agreement_keys_on_its_event_else_its_countries_else_its_first_two_actors() {
    let key = |f: &Extraction| {
        let ids = seq(f);
        claims::claim_keys(&Linked::new(f, &ids), &Vocab).remove(0)
    };
    let loc = |n: &str| ent(EntityType::Location, n, &[]);
    let mut with_event = facts(vec![claim(
        ClaimType::Agreement,
        &["مذكرة تفاهم أمنية", "وزير الدفاع", "الأردن", "مصر"],
        None,
    )]);
    with_event.entities = vec![
        ent(EntityType::Event, "مذكرة تفاهم أمنية", &[]),
        ent(EntityType::Person, "وزير الدفاع", &[]),
        loc("الأردن"),
        loc("مصر"),
    ];
    assert_eq!(
        key(&with_event),
        "AGREEMENT|3+4",
        "an accord named by its kind: its countries"
    );
    let mut countries = facts(vec![claim(
        ClaimType::Agreement,
        &["أيمن الصفدي", "مصر", "الأردن"],
        None,
    )]);
    countries.entities = vec![
        ent(EntityType::Person, "أيمن الصفدي", &[]),
        loc("مصر"),
        loc("الأردن"),
    ];
    assert_eq!(key(&countries), "AGREEMENT|2+3");
    let mut visit = countries.clone();
    visit.claims[0].kind = ClaimType::Visit;
    assert_eq!(key(&visit), "VISIT|1+2");
    // A commentator merely mentioned is no part of the key.
    let mut commented = visit.clone();
    commented.claims[0].actors.insert(0, "محمد الطيار".into());
    commented.claims[0].mentioned = vec!["محمد الطيار".into()];
    commented
        .entities
        .push(ent(EntityType::Person, "محمد الطيار", &[]));
    assert_eq!(key(&commented), "VISIT|1+2");
}

#[test]
fn quotes_of_one_statement_overlap_those_of_two_do_not() {
    use claims::quotes_overlap;
    assert!(quotes_overlap(
        "البحرين الشهر الماضي، والتي وقّع خلالها اتفاقية تعاون أمني",
        "بيني غانتس، إلى البحرين الشهر الماضي، والتي وقّع"
    ));
    assert!(quotes_overlap(
        "واتفق الطرفان",
        "واتفق الطرفان على مواصلة المحادثات"
    ));
    assert!(!quotes_overlap("زار الوزير المغرب", "وقع البلدان اتفاقا"));
    assert!(!quotes_overlap("", "نص"));
}

#[test]
fn a_restatement_moving_to_another_claim_is_no_change_of_that_claim() {
    // Old text: A (Iran, Europe, the UN) then B (Iran, US), and a restatement C (Iran, Europe,
    // US, Grossi) that the extractor merged with A. A's sentence goes: C now merges with B, whose
    // own sentence did not change.
    let ents = |names: &[&str]| -> Vec<Entity> {
        names
            .iter()
            .map(|n| ent(EntityType::Location, n, &[]))
            .collect()
    };
    let quoted = |actors: &[&str], q: &str| Claim {
        quote: q.into(),
        ..claim(ClaimType::Meeting, actors, None)
    };
    let (a, b) = ("اجتمعت إيران وأوروبا", "محادثات مع الولايات المتحدة");
    let mut old = facts(vec![
        quoted(
            &[
                "إيران",
                "أوروبا",
                "الأمم المتحدة",
                "الولايات المتحدة",
                "جروسي",
            ],
            a,
        ),
        quoted(&["إيران", "الولايات المتحدة"], b),
    ]);
    old.entities = ents(&[
        "إيران",
        "أوروبا",
        "الولايات المتحدة",
        "جروسي",
        "الأمم المتحدة",
    ]);
    let mut new = facts(vec![quoted(
        &["إيران", "الولايات المتحدة", "أوروبا", "جروسي"],
        b,
    )]);
    new.entities = ents(&["إيران", "الولايات المتحدة", "أوروبا", "جروسي"]);
    let (old_ids, new_ids) = (vec![1, 2, 3, 4, 5], vec![1, 3, 2, 4]);
    let old_text = format!("{a}. {b}. يجري محادثات.");
    let new_text = format!("{b}. يجري محادثات.");
    let d = claims::diff_claims_in(
        &Linked::new(&old, &old_ids),
        &old_text,
        &Linked::new(&new, &new_ids),
        &new_text,
        &Vocab,
    );
    assert!(d.changed.is_empty(), "{d:?}");
    assert_eq!(d.removed.len(), 1, "{d:?}");
    assert_eq!(d.removed[0].quote, a);

    // The same claim gaining a party no other claim had is a change.
    let mut new = facts(vec![quoted(&["إيران", "الولايات المتحدة", "مصر"], b)]);
    new.entities = ents(&["إيران", "الولايات المتحدة", "مصر"]);
    let new_ids = vec![1, 3, 9];
    let d = claims::diff_claims_in(
        &Linked::new(&old, &old_ids),
        &old_text,
        &Linked::new(&new, &new_ids),
        &new_text,
        &Vocab,
    );
    assert_eq!(d.changed.len(), 1, "{d:?}");
    assert_eq!(d.changed[0].fields, vec!["actors"]);
}
