//! Claim finder through the public API: a snapshot of every field on a paragraph written for
//! it, and robustness on arbitrary input.

use dossier::extract::{claims, dates};
use dossier::model::{Entity, EntityType, Mention};
use proptest::prelude::*;

fn ent(text: &str, kind: EntityType, name: &str, forms: &[&str]) -> Entity {
    let mut mentions: Vec<Mention> = forms
        .iter()
        .flat_map(|f| {
            text.match_indices(f).map(|(s, _)| Mention {
                start: s,
                end: s + f.len(),
            })
        })
        .collect();
    mentions.sort();
    Entity {
        kind,
        name: name.to_string(),
        aliases: Vec::new(),
        mentions,
    }
}

const PARAGRAPH: &str = "القاهرة\n\
وقعت مصر والأردن، في 14 شباط/فبراير 2019، اتفاقية للربط الكهربائي بحضور وزير الطاقة المصري \
محمد شاكر. وقال شاكر إن البلدين سيبدآن التنفيذ خلال أشهر.\n\
وفي اليوم التالي استقبل العاهل الأردني عبد الله الثاني رئيس الوزراء المصري مصطفى مدبولي في \
عمان، حيث بحث الجانبان التعاون الاقتصادي، كما زار مدبولي مصنعا للأسمدة في العقبة.\n\
ولم توقع الحكومتان أي اتفاق عسكري، وفق وكالة الأنباء الأردنية بترا. ومن المقرر أن تجري \
القوات المصرية والأردنية مناورات مشتركة في 2020.";

fn entities(text: &str) -> Vec<Entity> {
    vec![
        ent(text, EntityType::Location, "القاهرة", &["القاهرة"]),
        ent(text, EntityType::Location, "مصر", &["مصر"]),
        ent(text, EntityType::Location, "الأردن", &["الأردن"]),
        ent(
            text,
            EntityType::Person,
            "محمد شاكر",
            &["محمد شاكر", "شاكر"],
        ),
        ent(
            text,
            EntityType::Person,
            "عبد الله الثاني",
            &["عبد الله الثاني"],
        ),
        ent(
            text,
            EntityType::Person,
            "مصطفى مدبولي",
            &["مصطفى مدبولي", "مدبولي"],
        ),
        ent(text, EntityType::Location, "عمان", &["عمان"]),
        ent(text, EntityType::Location, "العقبة", &["العقبة"]),
        ent(
            text,
            EntityType::Org,
            "وكالة الأنباء الأردنية",
            &["وكالة الأنباء الأردنية"],
        ),
    ]
}

#[test]
fn claims_of_a_paragraph() {
    let ents = entities(PARAGRAPH);
    let d = dates::find(PARAGRAPH);
    let found = claims::find(PARAGRAPH, &ents, &d);
    for c in &found {
        assert!(
            PARAGRAPH.contains(&c.quote),
            "quote not in text: {}",
            c.quote
        );
    }
    insta::assert_json_snapshot!(found);
}

/// Arbitrary Arabic-like text with entities whose mentions are arbitrary byte ranges (off
/// char boundaries, reversed, past the end).
fn text_and_entities() -> impl Strategy<Value = (String, Vec<Entity>)> {
    "[\u{0621}-\u{064A}\u{064B}0-9 ،,.\n:؛/%]{0,120}".prop_flat_map(|s| {
        let len = s.len() + 3;
        let ents = prop::collection::vec((0..len, 0..len, "[\u{0621}-\u{064A} ]{1,8}"), 0..5)
            .prop_map(|v| {
                v.into_iter()
                    .map(|(a, b, name)| Entity {
                        kind: EntityType::Location,
                        name,
                        aliases: Vec::new(),
                        mentions: vec![Mention { start: a, end: b }],
                    })
                    .collect::<Vec<_>>()
            });
        (Just(s), ents)
    })
}

proptest! {
    #[test]
    fn claim_finder_never_panics((s, ents) in text_and_entities()) {
        let d = dates::find(&s);
        for c in claims::find(&s, &ents, &d) {
            prop_assert!(s.contains(&c.quote));
        }
    }

    #[test]
    fn claim_finder_with_triggers_and_random_mentions(
        words in prop::collection::vec(prop::sample::select(vec![
            "وقعت", "زار", "استقبل", "مصر", "الأردن", "اتفاقية", "في", "2019", "،", "حيث",
            "البلدين", "لم", "من المقرر", "وفق", "المصري", "يناير", ".", "\n",
        ]), 0..40),
        cuts in prop::collection::vec((0usize..400, 0usize..400), 0..6),
    ) {
        let s = words.join(" ");
        let mut ents = vec![
            ent(&s, EntityType::Location, "مصر", &["مصر"]),
            ent(&s, EntityType::Location, "الأردن", &["الأردن"]),
        ];
        ents.push(Entity {
            kind: EntityType::Person,
            name: "x".into(),
            aliases: vec![],
            mentions: cuts.into_iter().map(|(a, b)| Mention { start: a, end: b }).collect(),
        });
        let d = dates::find(&s);
        for c in claims::find(&s, &ents, &d) {
            prop_assert!(s.contains(&c.quote));
            prop_assert!(c.actors.len() >= 2);
        }
    }
}

/// A long text with no punctuation is one sentence: the finder must stay linear on it.
#[test]
fn a_long_unpunctuated_text_stays_fast() {
    let text = "زار وزير مصر الأردن ووقع البلدان اتفاقية في 3 مارس 2020 ".repeat(5_000);
    let ents = vec![
        ent(&text, EntityType::Location, "مصر", &["مصر"]),
        ent(&text, EntityType::Location, "الأردن", &["الأردن"]),
    ];
    let start = std::time::Instant::now();
    let d = dates::find(&text);
    let found = claims::find(&text, &ents, &d);
    assert!(!found.is_empty());
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}
