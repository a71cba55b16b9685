//! Claim finder tests on sentences written for them, with hand-built entities whose mentions
//! are every occurrence of their forms in the text.

use super::*;
use dossier_core::model::Mention;

/// An entity whose mentions are every occurrence of each of `forms` in `text`.
fn ent(text: &str, kind: EntityType, name: &str, forms: &[&str]) -> Entity {
    let mut mentions = Vec::new();
    for f in forms {
        for (s, _) in text.match_indices(f) {
            mentions.push(Mention {
                start: s,
                end: s + f.len(),
            });
        }
    }
    mentions.sort();
    Entity {
        kind,
        name: name.to_string(),
        aliases: Vec::new(),
        mentions,
    }
}

fn loc(text: &str, name: &str) -> Entity {
    ent(text, EntityType::Location, name, &[name])
}

/// A news agency of the attribution tests.
const AGENCY: &str = "وكالة الأنباء الرسمية";

/// An EVENT named the same way at each mention.
fn event(text: &str, name: &str) -> Entity {
    ent(text, EntityType::Event, name, &[name])
}

fn person(text: &str, name: &str, forms: &[&str]) -> Entity {
    ent(text, EntityType::Person, name, forms)
}

fn run(text: &str, ents: &[Entity]) -> Vec<Claim> {
    let dates = crate::dates::find(text);
    find(text, ents, &dates)
}

fn kinds(cs: &[Claim]) -> Vec<&'static str> {
    cs.iter().map(|c| c.kind.as_str()).collect()
}

/// Egypt and Jordan, the two places of most test sentences.
fn two(text: &str) -> Vec<Entity> {
    vec![loc(text, "مصر"), loc(text, "الأردن")]
}

#[test]
fn every_trigger_family_types_its_claim() {
    for (text, kind) in [
        (
            "وقعت مصر والأردن اتفاقية للتعاون في مجال الطاقة.",
            "AGREEMENT",
        ),
        ("أبرمت مصر مع الأردن اتفاقا تجاريا.", "AGREEMENT"),
        ("جرى توقيع مذكرة تفاهم بين مصر والأردن.", "AGREEMENT"),
        ("اتفقت مصر والأردن على تنسيق المواقف.", "AGREEMENT"),
        ("وصل وفد من مصر في زيارة رسمية إلى الأردن.", "VISIT"),
        ("زار رئيس وزراء مصر الأردن أمس.", "VISIT"),
        ("استقبل ملك الأردن وزير خارجية مصر.", "MEETING"),
        ("عقدت مصر والأردن مباحثات في العقبة.", "MEETING"),
        ("التقى وزير خارجية مصر نظيره من الأردن.", "MEETING"),
        ("اشترت مصر من الأردن شحنة قمح.", "ACQUISITION"),
        ("أعلنت مصر اقتناء معدات من الأردن.", "ACQUISITION"),
        ("افتتحت شركة من الأردن مصنعا في مصر.", "MANUFACTURING"),
        ("بدأ تجميع الحافلات في مصر بترخيص من الأردن.", "MANUFACTURING"),
        (
            "قررت مصر استئناف العلاقات الدبلوماسية مع الأردن.",
            "RELATIONS",
        ),
        ("قطعت مصر علاقاتها مع الأردن.", "RELATIONS"),
        ("أجرت مصر والأردن مناورات بحرية في البحر الأحمر.", "EXERCISE"),
        ("تجريان مصر والأردن مناورات مشتركة في الصحراء.", "EXERCISE"),
        ("أعلنت مصر انطلاق مناورات مع الأردن.", "EXERCISE"),
        ("قالت مصر إنها والأردن سيجريان مناورات بحرية.", "EXERCISE"),
        (
            "يشارك جنود من الأردن في التمرين الذي تحتضنه مصر.",
            "EXERCISE",
        ),
        ("تدعم مصر الأردن في ملف المياه.", "OTHER"),
    ] {
        assert_eq!(kinds(&run(text, &two(text))), vec![kind], "{text}");
    }
}

#[test]
fn clitics_on_triggers() {
    let text = "وزار وزير مصر الأردن.";
    assert_eq!(kinds(&run(text, &two(text))), vec!["VISIT"]);
    let text = "رحبت مصر بزيارة وفد من الأردن.";
    assert_eq!(kinds(&run(text, &two(text))), vec!["VISIT"]);
    let text = "استعدت مصر للتوقيع مع الأردن.";
    assert_eq!(kinds(&run(text, &two(text))), vec!["AGREEMENT"]);
}

#[test]
fn a_verb_after_a_preposition_is_a_purpose_not_an_event() {
    // لبحث: "in order to discuss", no meeting is asserted.
    let text = "شكلت مصر والأردن لجنة لبحث فرص التعاون.";
    assert!(run(text, &two(text)).is_empty());
}

#[test]
fn near_words_are_required_where_the_data_says() {
    // استئناف alone (of a match, a trial) is not about relations.
    let text = "قررت مصر استئناف المباراة مع الأردن.";
    assert!(run(text, &two(text)).is_empty());
    // Drills merely discussed are not an exercise (the talks are a meeting).
    let text = "ناقشت مصر مع الأردن مناورات مستقبلية.";
    assert_eq!(kinds(&run(text, &two(text))), vec!["MEETING"]);
}

#[test]
fn blockers_make_aims_and_possibilities_no_event() {
    let text = "الاتفاق يسمح لمصر باقتناء معدات من الأردن.";
    assert!(kinds(&run(text, &two(text)))
        .iter()
        .all(|k| *k != "ACQUISITION"));
}

#[test]
fn a_claim_needs_two_actors() {
    let text = "وقعت مصر اتفاقية جديدة.";
    assert!(run(text, &two(text)).is_empty());
}

#[test]
fn two_claims_in_one_sentence_take_the_actors_of_their_clauses() {
    let text = "زار وزير خارجية مصر سامح شكري عمان حيث التقى أيمن الصفدي ثم وقع الأردن والعراق اتفاقية للربط الكهربائي.";
    let ents = vec![
        loc(text, "مصر"),
        person(text, "سامح شكري", &["سامح شكري"]),
        loc(text, "عمان"),
        person(text, "أيمن الصفدي", &["أيمن الصفدي"]),
        loc(text, "الأردن"),
        loc(text, "العراق"),
    ];
    let cs = run(text, &ents);
    assert_eq!(kinds(&cs), vec!["VISIT", "MEETING", "AGREEMENT"]);
    assert_eq!(cs[0].actors, vec!["مصر", "سامح شكري", "عمان"]);
    assert_eq!(cs[2].actors, vec!["الأردن", "العراق"]);
    for c in &cs {
        assert!(text.contains(&c.quote), "{}", c.quote);
    }
    assert_eq!(cs[2].quote, "وقع الأردن والعراق");
}

#[test]
fn attribution_to_a_speaker_or_a_source() {
    let text = "قال خالد العمري إن مصر والأردن وقعتا اتفاقية للنقل.";
    let mut ents = two(text);
    ents.push(person(text, "خالد العمري", &["خالد العمري"]));
    let cs = run(text, &ents);
    assert_eq!(cs.len(), 1);
    assert_eq!(cs[0].attributed_to.as_deref(), Some("خالد العمري"));
    assert!(
        cs[0].modality.is_none(),
        "a named source leaves the claim a fact"
    );

    let text = "وقعت مصر والأردن اتفاقية للنقل، وفق وكالة الأنباء الرسمية.";
    let mut ents = two(text);
    ents.push(ent(text, EntityType::Org, AGENCY, &[AGENCY]));
    let cs = run(text, &ents);
    assert_eq!(cs[0].attributed_to.as_deref(), Some("وكالة الأنباء الرسمية"));
    assert_eq!(
        cs[0].actors,
        vec!["مصر", "الأردن"],
        "a cited source is no party"
    );
}

#[test]
fn negation() {
    for text in [
        "لم يوقع رئيس مصر الاتفاقية مع الأردن بعد.",
        "نفت مصر أن تكون قد وقعت اتفاقا مع الأردن.",
        "أكدت مصر عدم توقيع أي اتفاق مع الأردن.",
    ] {
        let cs = run(text, &two(text));
        assert_eq!(cs.len(), 1, "{text}");
        assert!(cs[0].negated, "{text}");
    }
    let text = "وقعت مصر والأردن اتفاقية دون تأخير.";
    assert!(!run(text, &two(text))[0].negated);
}

#[test]
fn modality() {
    let text = "من المقرر أن يزور رئيس مصر الأردن.";
    assert_eq!(run(text, &two(text))[0].modality, Some(Modality::Planned));
    let text = "تعتزم مصر شراء طائرات من الأردن.";
    assert_eq!(run(text, &two(text))[0].modality, Some(Modality::Planned));
    let text = "وقعت مصر والأردن اتفاقا سريا، حسب مصادر مطلعة.";
    assert_eq!(run(text, &two(text))[0].modality, Some(Modality::Reported));
    let text = "وقعت مصر والأردن اتفاقا سريا.";
    assert_eq!(run(text, &two(text))[0].modality, None);
}

#[test]
fn dates_tied_to_their_event() {
    let text = "وفي 3 مارس 2019 وقعت مصر والأردن اتفاقية، بعد قطع العلاقات عام 2015.";
    let cs = run(text, &two(text));
    assert_eq!(kinds(&cs), vec!["AGREEMENT", "RELATIONS"]);
    assert_eq!(cs[0].date.as_deref(), Some("2019-03-03"));
    assert_eq!(cs[1].date.as_deref(), Some("2015"));
}

#[test]
fn demonyms_and_the_two_countries_stand_for_places() {
    let text = "زار وفد مصري الأردن. ووقع البلدان اتفاقية.";
    let cs = run(text, &two(text));
    assert_eq!(kinds(&cs), vec!["VISIT", "AGREEMENT"]);
    assert!(cs[0].actors.contains(&"مصر".to_string()));
    assert_eq!(cs[1].actors.len(), 2);
}

#[test]
fn restatements_are_merged_keeping_the_precise_date() {
    let text = "وقعت مصر والأردن اتفاقية للطاقة. وكانت مصر والأردن قد وقعتا الاتفاقية في يناير 2020.";
    let cs = run(text, &two(text));
    assert_eq!(kinds(&cs), vec!["AGREEMENT"]);
    assert_eq!(cs[0].date.as_deref(), Some("2020-01"));
}

#[test]
fn different_people_or_destinations_are_different_events() {
    let text = "زار سامح شكري الأردن. وزار سامح شكري العراق.";
    let ents = vec![
        person(text, "سامح شكري", &["سامح شكري"]),
        loc(text, "الأردن"),
        loc(text, "العراق"),
    ];
    assert_eq!(kinds(&run(text, &ents)), vec!["VISIT", "VISIT"]);
    let text = "استقبل الملك سامح شكري في عمان. واستقبل الملك أيمن الصفدي في عمان.";
    let ents = vec![
        person(text, "سامح شكري", &["سامح شكري"]),
        person(text, "أيمن الصفدي", &["أيمن الصفدي"]),
        loc(text, "عمان"),
        ent(text, EntityType::Org, "الملك", &["الملك"]),
    ];
    assert_eq!(kinds(&run(text, &ents)), vec!["MEETING", "MEETING"]);
}

#[test]
fn relative_months_keep_undated_events_apart() {
    let text =
        "وقعت مصر والأردن اتفاقية في مارس الماضي. ووقعت مصر والأردن اتفاقية أخرى في يوليو الماضي.";
    assert_eq!(
        kinds(&run(text, &two(text))),
        vec!["AGREEMENT", "AGREEMENT"]
    );
}

#[test]
fn empty_and_odd_input() {
    assert!(run("", &[]).is_empty());
    let text = "وقع";
    assert!(run(text, &two(text)).is_empty());
    // Mentions out of range or off char boundaries must not panic.
    let bad = Entity {
        kind: EntityType::Location,
        name: "x".into(),
        aliases: vec![],
        mentions: vec![Mention { start: 1, end: 999 }],
    };
    let _ = run("زار مصر الأردن", &[bad]);
}

#[test]
fn an_event_of_the_article_days_is_not_an_older_dated_one() {
    let text = "اتفقت مصر والأردن الثلاثاء على توسيع التعاون. وكانت مصر والأردن قد اتفقتا في مايو 2018 على إنشاء لجنة.";
    assert_eq!(
        kinds(&run(text, &two(text))),
        vec!["AGREEMENT", "AGREEMENT"]
    );
}

#[test]
fn the_same_two_people_restate_one_meeting() {
    let text = "التقى سامح شكري أيمن الصفدي في القاهرة لبحث الملفات. وقالت وزارة الخارجية إن شكري والصفدي عقدا اجتماعا مطولا.";
    let ents = vec![
        person(text, "سامح شكري", &["سامح شكري", "شكري"]),
        person(text, "أيمن الصفدي", &["أيمن الصفدي", "الصفدي"]),
        loc(text, "القاهرة"),
        ent(text, EntityType::Org, "وزارة الخارجية", &["وزارة الخارجية"]),
    ];
    assert_eq!(kinds(&run(text, &ents)), vec!["MEETING"]);
}

#[test]
fn unnamed_insiders_make_a_claim_reported_but_media_do_not() {
    let text = "تسلمت مصر معدات من الأردن، وفق ما أفادت به مصادر مطلعة.";
    assert_eq!(run(text, &two(text))[0].modality, Some(Modality::Reported));
    let text = "تسلمت مصر معدات من الأردن، حسب ما أوردته وسائل إعلام محلية.";
    assert_eq!(run(text, &two(text))[0].modality, None);
}

#[test]
fn acquisitions_of_different_systems_are_different_events() {
    let text = "اشترت مصر من الأردن منظومة أفق. ثم اشترت مصر من الأردن منظومة درع.";
    let mut ents = two(text);
    ents.push(ent(text, EntityType::Equipment, "أفق", &["أفق"]));
    ents.push(ent(text, EntityType::Equipment, "درع", &["درع"]));
    assert_eq!(kinds(&run(text, &ents)), vec!["ACQUISITION", "ACQUISITION"]);
}

#[test]
fn other_claims_of_different_kinds_are_not_merged() {
    let text = "تدعم مصر الأردن في ملف المياه. وارتفع حجم المبادلات بين مصر والأردن.";
    assert_eq!(kinds(&run(text, &two(text))), vec!["OTHER", "OTHER"]);
}

#[test]
fn a_sentence_naming_no_party_speaks_of_the_two_main_places() {
    let text = "زار وفد من مصر الأردن. وتوالت بعد ذلك صفقات الشراء.";
    let cs = run(text, &two(text));
    assert_eq!(kinds(&cs), vec!["VISIT", "ACQUISITION"]);
    assert_eq!(cs[1].actors.len(), 2);
}

#[test]
fn a_date_of_another_clause_does_not_date_a_claim_that_has_its_own() {
    let text = "ولم يزر سامح شكري الأردن منذ آب 2019، فيما زار مصر العراق بين 2020 و2021.";
    let ents = vec![
        person(text, "سامح شكري", &["سامح شكري"]),
        loc(text, "الأردن"),
        loc(text, "مصر"),
        loc(text, "العراق"),
    ];
    let cs = run(text, &ents);
    assert_eq!(kinds(&cs), vec!["VISIT", "VISIT"]);
    assert!(cs[0].negated);
    assert_eq!(cs[0].date.as_deref(), Some("2019-08"));
    assert_eq!(cs[1].date.as_deref(), Some("2020"));
}

#[test]
fn capitals_stand_for_their_countries_when_restating() {
    let text =
        "قررت مصر والأردن استئناف العلاقات الدبلوماسية. واحتفلت القاهرة وعمان بذكرى استئناف العلاقات.";
    let ents = vec![
        loc(text, "مصر"),
        loc(text, "الأردن"),
        loc(text, "القاهرة"),
        loc(text, "عمان"),
    ];
    assert_eq!(kinds(&run(text, &ents)), vec!["RELATIONS"]);
}

#[test]
fn a_definite_meeting_refers_back_and_is_no_new_claim() {
    let text = "وصف وزير مصر الاجتماع مع الأردن بالمهم.";
    assert!(run(text, &two(text)).is_empty());
}

#[test]
fn an_announcement_that_is_itself_the_event() {
    let text = "أعلنت مصر والأردن إطلاق منصة مشتركة للاستثمار.";
    assert_eq!(kinds(&run(text, &two(text))), vec!["ANNOUNCEMENT"]);
    // Announcing a signing is typed by the signing.
    let text = "أعلنت مصر عن توقيع اتفاقية مع الأردن.";
    assert_eq!(kinds(&run(text, &two(text))), vec!["AGREEMENT"]);
}

#[test]
fn a_clause_naming_no_actor_is_quoted_with_its_trigger_context() {
    let text = "زار وفد من مصر الأردن. وتوالت بعد ذلك صفقات الشراء الكبيرة.";
    let cs = run(text, &two(text));
    assert_eq!(cs[1].quote, "وتوالت بعد ذلك صفقات الشراء الكبيرة");
}

#[test]
fn taking_part_is_a_meeting_only_in_a_gathering() {
    let text = "شاركت مصر والأردن في قمة المناخ.";
    assert_eq!(kinds(&run(text, &two(text))), vec!["MEETING"]);
    let text = "شاركت مصر والأردن في تشجير الحدود.";
    assert!(run(text, &two(text)).is_empty());
}

#[test]
fn a_limit_or_horizon_is_not_the_date_of_the_event() {
    let text = "وقعت مصر والأردن في مايو 2021 خطة تمتد إلى غاية 2030.";
    assert_eq!(run(text, &two(text))[0].date.as_deref(), Some("2021-05"));
    let text = "وقعت مصر والأردن خطة تمتد حتى 2030.";
    assert_eq!(run(text, &two(text))[0].date, None);
}

#[test]
fn drones_are_no_negation() {
    let text = "اقتنت مصر طائرات بدون طيار وصفقة رادارات من الأردن.";
    let cs = run(text, &two(text));
    assert!(!cs.is_empty());
    assert!(cs.iter().all(|c| !c.negated));
}

#[test]
fn envoys_and_missions_are_relations() {
    let text = "استدعت مصر سفيرها لدى الأردن.";
    assert_eq!(kinds(&run(text, &two(text))), vec!["RELATIONS"]);
    let text = "افتتحت مصر قنصلية عامة في الأردن.";
    assert_eq!(kinds(&run(text, &two(text))), vec!["RELATIONS"]);
    let text = "قررت مصر افتتاح سفارة في الأردن.";
    assert_eq!(kinds(&run(text, &two(text))), vec!["RELATIONS"]);
}

#[test]
fn intentions_are_planned_only_near_their_trigger() {
    let text = "تتجه مصر نحو اقتناء رادارات من الأردن.";
    // "تتجه ... نحو" is split by the subject here: the verb alone does not mark it.
    let _ = run(text, &two(text));
    let text = "مصر تتجه نحو اقتناء رادارات من الأردن.";
    assert_eq!(run(text, &two(text))[0].modality, Some(Modality::Planned));
    let text = "أبدت مصر اهتماما باقتناء رادارات من الأردن.";
    assert_eq!(run(text, &two(text))[0].modality, Some(Modality::Planned));
    let text = "يسعى البلدان إلى تعزيز التعاون في مجالات عديدة تشمل الطاقة والمياه والنقل والتعليم والصحة بعد أن وقعت مصر والأردن اتفاقية.";
    assert_eq!(run(text, &two(text))[0].modality, None);
}

#[test]
fn a_clause_naming_the_accord_and_one_party_takes_the_parties_of_its_sentence() {
    let text = "زار وزير الخارجية الأردني القاهرة في مصر حيث توّجت الزيارة بتوقيع مذكرة تفاهم للتعاون الأمني مع الأردن.";
    let mut ents = two(text);
    ents.push(event(text, "مذكرة تفاهم للتعاون الأمني"));
    let cs = run(text, &ents);
    let accord = cs
        .iter()
        .find(|c| c.kind == ClaimType::Agreement)
        .unwrap_or_else(|| panic!("{cs:?}"));
    for party in ["مصر", "الأردن"] {
        assert!(accord.actors.iter().any(|a| a == party), "{accord:?}");
    }
}

#[test]
fn agreements_about_two_different_accords_stay_two_claims() {
    let text =
        "وقّعت مصر والأردن خطة العمل المشتركة لسنة 2026، بعد أن وقّع البلدان مذكرة التفاهم الأمنية.";
    let mut ents = two(text);
    ents.push(event(text, "خطة العمل المشتركة"));
    ents.push(event(text, "مذكرة التفاهم الأمنية"));
    let cs = run(text, &ents);
    let agreements: Vec<&Claim> = cs
        .iter()
        .filter(|c| c.kind == ClaimType::Agreement)
        .collect();
    assert_eq!(agreements.len(), 2, "{cs:?}");
}

#[test]
fn an_outlet_that_relays_a_source_is_no_party() {
    let text = "ونقلت وكالة الأنباء الرسمية عن مصدر مطلع أن مصر والأردن وقعتا اتفاقا للنقل.";
    let mut ents = two(text);
    ents.push(ent(text, EntityType::Org, AGENCY, &[AGENCY]));
    let cs = run(text, &ents);
    assert_eq!(cs.len(), 1, "{cs:?}");
    assert_eq!(cs[0].attributed_to.as_deref(), Some("وكالة الأنباء الرسمية"));
    assert_eq!(cs[0].actors, vec!["مصر", "الأردن"]);
}

#[test]
fn a_newspaper_that_reports_a_claim_is_no_party() {
    let text = "كشفت صحيفة \"الأيام\" أن مصر اقتنت رادارات من الأردن.";
    let mut ents = two(text);
    ents.push(ent(text, EntityType::Org, "الأيام", &["الأيام"]));
    let cs = run(text, &ents);
    assert_eq!(cs.len(), 1, "{cs:?}");
    assert_eq!(cs[0].attributed_to.as_deref(), Some("الأيام"));
    assert_eq!(cs[0].actors, vec!["مصر", "الأردن"]);
}

#[test]
fn a_headline_naming_one_party_restates_the_body_s_claim() {
    let text = "الأردن توقف تصدير الفوسفات. وأوقفت شركة مناجم الفوسفات الأردنية تصدير الفوسفات من الأردن إلى مصر.";
    let ents = vec![
        loc(text, "الأردن"),
        loc(text, "مصر"),
        ent(
            text,
            EntityType::Org,
            "شركة مناجم الفوسفات الأردنية",
            &["شركة مناجم الفوسفات الأردنية"],
        ),
    ];
    let cs = run(text, &ents);
    assert_eq!(kinds(&cs), vec!["OTHER"]);
    // The body's mention, which names the parties, is quoted.
    assert!(cs[0].quote.contains("شركة"), "{}", cs[0].quote);
}
