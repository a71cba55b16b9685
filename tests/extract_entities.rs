//! The entity finder against the gold annotations of the seed documents, with the full
//! lexicon and with every name it was shown taken out, plus its rules on sentences of our own.
//!
//! Reads `seeds/` and their gold annotations, copied from `../shared/eval/gold` into
//! `tests/data/gold/` so that a clone of the repository alone passes, and the development set
//! `tests/data/dev/` with its gold in `tests/data/dev/gold`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use dossier::extract::entities::find;
use dossier::extract::lexicon::Lexicon;
use dossier::model::Entity;
use unicode_normalization::UnicodeNormalization;

/// score.py's normalization: NFKC, marks and tatweel dropped, alef forms, ى and ة folded,
/// lower case, every non-alphanumeric a space, spaces collapsed.
fn norm(s: &str) -> String {
    let mut out = String::new();
    for c in s.nfkc() {
        let c = match c {
            '\u{0610}'..='\u{061a}'
            | '\u{064b}'..='\u{065f}'
            | '\u{0670}'
            | '\u{06d6}'..='\u{06ed}'
            | '\u{0640}' => continue,
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' => 'ي',
            'ة' => 'ه',
            c => c,
        };
        for l in c.to_lowercase() {
            out.push(if l.is_alphanumeric() { l } else { ' ' });
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

struct GoldEntity {
    kind: String,
    forms: HashSet<String>,
}

fn seed_gold_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/gold")
}

/// The `.txt` documents of `dir` (relative to the repository), by file name, sorted.
fn texts(dir: &str) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::fs::read_to_string(&p).unwrap_or_default();
            (name, text.trim_start_matches('\u{feff}').to_string())
        })
        .collect();
    out.sort();
    out
}

fn seeds() -> Vec<(String, String)> {
    texts("seeds")
}

/// The development set: real articles on other subjects (issue 15), with their own gold.
fn dev() -> Vec<(String, String)> {
    texts("tests/data/dev")
}

fn dev_gold_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/dev/gold")
}

fn gold_in(dir: &Path, doc: &str) -> Vec<GoldEntity> {
    let path = dir.join(doc.replace(".txt", ".json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the gold annotations {} ({e}): tests/data/gold holds the seeds' gold annotations",
            path.display()
        )
    });
    let v: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    v["entities"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    let mut forms: HashSet<String> = HashSet::new();
                    forms.insert(norm(e["name"].as_str().unwrap_or("")));
                    for a in e["aliases"].as_array().into_iter().flatten() {
                        forms.insert(norm(a.as_str().unwrap_or("")));
                    }
                    forms.remove("");
                    GoldEntity {
                        kind: e["type"].as_str().unwrap_or("").to_string(),
                        forms,
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// score.py's typed entity matching: greedy, one-to-one, any shared normalized form.
fn typed_counts(gold: &[GoldEntity], pred: &[Entity]) -> (usize, usize, usize) {
    let mut used = vec![false; gold.len()];
    let mut tp = 0;
    for p in pred {
        let mut pf: HashSet<String> = p.aliases.iter().map(|a| norm(a)).collect();
        pf.insert(norm(&p.name));
        pf.remove("");
        for (j, g) in gold.iter().enumerate() {
            if used[j] || g.kind != p.kind.as_str() {
                continue;
            }
            if !pf.is_disjoint(&g.forms) {
                used[j] = true;
                tp += 1;
                break;
            }
        }
    }
    (tp, pred.len(), gold.len())
}

fn typed_f1(lexicon: &Lexicon) -> f64 {
    typed_f1_of(lexicon, &seeds(), &seed_gold_dir())
}

fn typed_f1_of(lexicon: &Lexicon, docs: &[(String, String)], gold_dir: &Path) -> f64 {
    let (mut tp, mut np, mut ng) = (0, 0, 0);
    for (doc, text) in docs {
        let pred = find(text, lexicon);
        let (t, p, g) = typed_counts(&gold_in(gold_dir, doc), &pred);
        eprintln!("{doc}: tp={t} pred={p} gold={g}");
        tp += t;
        np += p;
        ng += g;
    }
    let p = if np == 0 { 0.0 } else { tp as f64 / np as f64 };
    let r = if ng == 0 { 0.0 } else { tp as f64 / ng as f64 };
    let f = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    eprintln!("typed entities P={p:.3} R={r:.3} F1={f:.3}");
    f
}

#[test]
fn seeds_score_at_least_090_typed_f1_with_the_full_lexicon() {
    let f = typed_f1(&Lexicon::builtin());
    assert!(f >= 0.90, "typed entity F1 {f:.3} < 0.90");
}

/// Files of names (as opposed to grammar: titles, heads, cue verbs, function words) that the
/// held-out check strips; countries, capitals and their demonyms are kept, as agreed.
const NAME_FILES: &[&str] = &[
    "gazetteer_places.txt",
    "gazetteer_orgs.txt",
    "gazetteer_equipment.txt",
    "gazetteer_events.txt",
    "given_names.txt",
];

/// The lexicon without every line of a name file that occurs in one of `docs`.
fn without_names_in(docs: &[(String, String)]) -> (Lexicon, usize) {
    let texts: Vec<String> = docs.iter().map(|(_, t)| format!(" {} ", norm(t))).collect();
    let mut dropped = 0;
    let lexicon = Lexicon::builtin_without(|file, forms| {
        let drop = NAME_FILES.contains(&file)
            && forms.iter().any(|f| {
                let f = norm(f);
                !f.is_empty() && texts.iter().any(|t| t.contains(&f))
            });
        if drop {
            dropped += 1;
        }
        drop
    });
    (lexicon, dropped)
}

#[test]
fn seeds_score_at_least_080_with_every_name_they_contain_removed_from_the_lexicon() {
    let (lexicon, dropped) = without_names_in(&seeds());
    eprintln!("held out: {dropped} lexicon lines that occur in a seed");
    assert!(
        dropped > 20,
        "the held-out filter removed only {dropped} lines"
    );
    let f = typed_f1(&lexicon);
    assert!(f >= 0.80, "held-out typed entity F1 {f:.3} < 0.80");
}

/// The development set with the full lexicon (issue 15's target: 0.85).
#[test]
fn the_dev_set_scores_at_least_085_typed_f1_with_the_full_lexicon() {
    let f = typed_f1_of(&Lexicon::builtin(), &dev(), &dev_gold_dir());
    assert!(f >= 0.85, "dev set typed entity F1 {f:.3} < 0.85");
}

/// The development set with every name line that occurs in one of its articles removed: what
/// the rules find on their own, which is what carries over to articles on other subjects.
#[test]
fn the_dev_set_keeps_its_floor_with_every_name_it_contains_removed_from_the_lexicon() {
    let (lexicon, dropped) = without_names_in(&dev());
    eprintln!("held out: {dropped} lexicon lines that occur in a dev article");
    assert!(
        dropped > 20,
        "the held-out filter removed only {dropped} lines"
    );
    let f = typed_f1_of(&lexicon, &dev(), &dev_gold_dir());
    assert!(
        f >= DEV_HELD_OUT_FLOOR,
        "held-out dev typed entity F1 {f:.3} < {DEV_HELD_OUT_FLOOR}"
    );
}

/// The held-out dev score when the last rule change was measured, less a little: a rule that
/// only a gazetteer line made look good shows here.
const DEV_HELD_OUT_FLOOR: f64 = 0.70;

// ---------------------------------------------------------------------------------------------
// The rules, one by one, on sentences written for these tests (none comes from the seeds).

fn lexicon() -> &'static Lexicon {
    static LEX: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
    LEX.get_or_init(Lexicon::builtin)
}

fn ents(text: &str) -> Vec<Entity> {
    find(text, lexicon())
}

/// (type, name) pairs, in order of first mention.
fn names(text: &str) -> Vec<(String, String)> {
    ents(text)
        .into_iter()
        .map(|e| (e.kind.as_str().to_string(), e.name))
        .collect()
}

fn has(text: &str, kind: &str, name: &str) -> bool {
    names(text).iter().any(|(k, n)| k == kind && n == name)
}

fn assert_has(text: &str, kind: &str, name: &str) {
    assert!(
        has(text, kind, name),
        "expected {kind} {name} in {:?}",
        names(text)
    );
}

fn assert_lacks(text: &str, kind: &str, name: &str) {
    assert!(
        !has(text, kind, name),
        "did not expect {kind} {name} in {:?}",
        names(text)
    );
}

fn entity<'a>(all: &'a [Entity], name: &str) -> &'a Entity {
    all.iter().find(|e| e.name == name).unwrap_or_else(|| {
        panic!(
            "no entity {name} in {:?}",
            all.iter().map(|e| &e.name).collect::<Vec<_>>()
        )
    })
}

#[test]
fn a_rank_introduces_a_name_and_is_not_part_of_it() {
    let t = "وحضر العقيد كمبال دروين بالصحفيين.";
    assert_has(t, "PERSON", "كمبال دروين");
    assert_lacks(t, "PERSON", "العقيد كمبال دروين");
}

#[test]
fn a_name_ends_before_the_masdar_its_verb_governs() {
    let t = "ونفى السفير الكندي جوناثان ويلكس وجود أي توتر بين البلدين.";
    assert_has(t, "PERSON", "جوناثان ويلكس");
    assert_lacks(t, "PERSON", "جوناثان ويلكس وجود");
}

#[test]
fn an_indefinite_ordinal_inside_a_name_is_a_name_a_definite_one_ends_it() {
    let t = "والتقى الفريق الركن سالم محمد ثاني الكعبي نظيره.";
    assert_has(t, "PERSON", "سالم محمد ثاني الكعبي");
    let t = "واستقبل الملك عبد الله الثاني الوفد.";
    assert_has(t, "PERSON", "عبد الله الثاني");
}

#[test]
fn a_headline_verb_after_an_office_names_no_one() {
    for t in [
        "وزير الدفاع يزور مصنعا للذخيرة في الزرقاء",
        "وزيرة الخارجية تستقبل سفيرا جديدا",
        "رئيس الأركان يلتقي قادة الألوية",
    ] {
        let people: Vec<(String, String)> = names(t)
            .into_iter()
            .filter(|(k, _)| k == "PERSON")
            .collect();
        assert!(people.is_empty(), "{t}: {people:?}");
    }
    // The office's person is still found when named.
    assert_has(
        "وزير الدفاع يوسف العيسوي يزور مصنعا",
        "PERSON",
        "يوسف العيسوي",
    );
}

#[test]
fn a_company_name_ends_at_its_nationality() {
    let t = "وأفادت الوكالة بأن شركة ميرسك الدنماركية علقت عبور سفنها.";
    assert_has(t, "ORG", "ميرسك");
    assert_lacks(t, "ORG", "ميرسك الدنماركية علقت");
    assert_has(
        "وقعت شركة ترانوفا ديفنس الكورية عقدا",
        "ORG",
        "ترانوفا ديفنس",
    );
}

#[test]
fn accusative_nouns_before_an_office_are_no_name() {
    let t = "استضافت عمّان، اليوم، اجتماعا ثلاثيا ضم وزير الخارجية الأردني.";
    let people: Vec<(String, String)> = names(t)
        .into_iter()
        .filter(|(k, _)| k == "PERSON")
        .collect();
    assert!(people.is_empty(), "{people:?}");
    assert_has(
        "وصرحت ماريا زاخاروفا المتحدثة باسم الخارجية الروسية",
        "PERSON",
        "ماريا زاخاروفا",
    );
}

#[test]
fn a_port_or_an_airport_takes_a_definite_name_a_sector_does_not() {
    assert_has(
        "وصلت السفينة إلى ميناء الحديدة أمس.",
        "LOCATION",
        "ميناء الحديدة",
    );
    assert_has("هبطت في مطار جيزان الإقليمي", "LOCATION", "مطار جيزان");
    let none = |t: &str| names(t).into_iter().all(|(k, _)| k != "LOCATION");
    assert!(none("هبطت الطائرة في مطار العاصمة"));
    assert!(none("ارتفعت الأسعار في قطاع الكهرباء"));
}

#[test]
fn a_branch_of_arms_is_an_org_arms_in_general_are_not() {
    let t = "وأغار سلاح الجو على مواقع، فيما يمثل السلاح الروسي نحو نصف الواردات.";
    assert_has(t, "ORG", "سلاح الجو");
    assert_lacks(t, "ORG", "السلاح الروسي");
}

#[test]
fn an_institute_named_after_a_place_keeps_its_genitive() {
    assert_has(
        "حسب ما أفاد به معهد ستوكهولم الدولي لأبحاث السلام.",
        "ORG",
        "معهد ستوكهولم الدولي لأبحاث السلام",
    );
    assert_has("وقال بنك المغرب إن التضخم تراجع", "ORG", "بنك المغرب");
}

#[test]
fn a_multiword_rank_is_skipped_whole() {
    assert_has(
        "استقبل الجنرال دو ديفيزيون الطاهر بوستة نظراءه.",
        "PERSON",
        "الطاهر بوستة",
    );
}

#[test]
fn an_office_title_skips_its_complement_before_the_name() {
    let t = "وقال وزير الخارجية الإسباني خوسيه ألباريس إن العلاقات جيدة.";
    assert_has(t, "PERSON", "خوسيه ألباريس");
    // the demonym is not a mention of Spain
    assert_lacks(t, "LOCATION", "إسبانيا");
}

#[test]
fn an_office_complement_may_hold_an_organization_and_a_comma() {
    let t = "وقاد الوفد رئيس شعبة العمليات بالجيش البولندي، ياتسيك كوتشيك، في زيارته.";
    assert_has(t, "PERSON", "ياتسيك كوتشيك");
    assert_has(t, "ORG", "شعبة العمليات");
}

#[test]
fn a_verb_of_saying_introduces_a_speaker() {
    assert_has("وأوضح زيلينسكي أن الحرب مستمرة.", "PERSON", "زيلينسكي");
    assert_has("وقال دوفيلبان إن فرنسا مستعدة.", "PERSON", "دوفيلبان");
    // a plural noun after the verb is not a person
    assert!(names("وقال مراقبون إن الوضع خطير.")
        .iter()
        .all(|(k, _)| k != "PERSON"));
}

#[test]
fn generic_subjects_of_cues_are_not_people() {
    let t = "وقال مصدر مطلع إن الاجتماع كان إيجابيا. وأوضح البيان أن الطرفين اتفقا. \
             وقالت وزارة الخارجية إن الوزير سيزور العاصمة. وقال شهود عيان إن الشرطة تدخلت. \
             وأكد الناطق الرسمي باسم الحكومة أن المجلس سيصادق. وقال نائب برلماني إن القانون مجحف. \
             وقالت مصادر متطابقة إن الرئيس غادر البلاد. ووقعت الشركة عقدا جديدا.";
    let found = names(t);
    assert!(
        found.iter().all(|(k, _)| k != "PERSON" && k != "EQUIPMENT"),
        "{found:?}"
    );
}

#[test]
fn apposition_with_a_title_after_a_comma_marks_a_person() {
    let t = "في حين يرى ذلك.\nتيبو رامبير، الباحث في المعهد، يرى أن الأمر صعب.";
    assert_has(t, "PERSON", "تيبو رامبير");
}

#[test]
fn a_name_right_before_an_office_title_is_a_person() {
    // the clitic before a hamza-initial word is peeled even for an unknown name
    let t = "وجاء ذلك بعد استقبال الوزير لأوريل ماتيوس رئيس أركان الجيش البرتغالي.";
    assert_has(t, "PERSON", "أوريل ماتيوس");
    // a verb and its subject before a title are not a name
    let t = "وتندرج مشاركة المفتش العام في هذا الإطار.";
    assert!(
        names(t).iter().all(|(k, _)| k != "PERSON"),
        "{:?}",
        names(t)
    );
}

#[test]
fn a_name_heading_a_line_before_a_colon_is_a_person() {
    assert_has(
        "مقدمة الخبر\nنوفل بوعمري: الاتفاق خطوة مهمة",
        "PERSON",
        "نوفل بوعمري",
    );
}

#[test]
fn a_given_name_takes_the_family_name_after_it() {
    assert_has("وحضر يوسف الخياطي الاجتماع.", "PERSON", "يوسف الخياطي");
    assert_has("ثم التقى موشيه يعلون بالوفد.", "PERSON", "موشيه يعلون");
    // a given name alone is not enough
    assert!(names("وكان محمد هناك.").iter().all(|(k, _)| k != "PERSON"));
}

#[test]
fn name_particles_keep_the_next_word_in_the_name() {
    assert_has(
        "وصرح الجنرال عمر ولد بوبكر بأن الوضع مستقر.",
        "PERSON",
        "عمر ولد بوبكر",
    );
    assert_has("وقال أبو عبيدة إن المقاومة مستمرة.", "PERSON", "أبو عبيدة");
    assert_has(
        "واستقبل العقيد سالم بن الحاج الوفد.",
        "PERSON",
        "سالم بن الحاج",
    );
}

#[test]
fn a_counterpart_title_and_a_compound_name_opener_find_people() {
    assert_has(
        "وأجرى اتصالا مع نظيره التونسي عماد مميش.",
        "PERSON",
        "عماد مميش",
    );
    assert_has(
        "واتصل الوزير بعبد الواحد الفاسي الفهري.",
        "PERSON",
        "عبد الواحد الفاسي الفهري",
    );
}

#[test]
fn a_regnal_ordinal_ends_a_kings_name() {
    assert_has("وترأس الملك محمد السادس الاجتماع.", "PERSON", "محمد السادس");
}

#[test]
fn an_organization_head_takes_its_idafa_chain_and_agreeing_adjectives() {
    let t = "أعلنت الهيئة الوطنية للرقابة النووية الفرنسية عن تقرير.";
    assert_has(t, "ORG", "الهيئة الوطنية للرقابة النووية الفرنسية");
    assert_has(
        "وقالت وزارة التربية الوطنية إن الدراسة ستبدأ.",
        "ORG",
        "وزارة التربية الوطنية",
    );
    assert_has(
        "وأعلن حزب العدالة والتنمية عن مؤتمره.",
        "ORG",
        "حزب العدالة والتنمية",
    );
}

#[test]
fn an_organization_phrase_stops_at_a_preposition_or_a_function_word() {
    let t = "وقال قسم الاتصال بوزارة الصحة إن الحملة بدأت.";
    assert_has(t, "ORG", "قسم الاتصال");
    assert_has(t, "ORG", "وزارة الصحة");
}

#[test]
fn generic_groups_and_indefinite_bodies_are_not_organizations() {
    assert!(names("وشكلت الحكومة لجنة مشتركة لمتابعة الملف.")
        .iter()
        .all(|(k, _)| k != "ORG"));
    assert!(names("وقالت السلطات المحلية إن الطريق مغلق.")
        .iter()
        .all(|(k, _)| k != "ORG"));
}

#[test]
fn heads_that_also_name_an_activity_need_more_than_one_term() {
    assert!(names("وناقش الخبراء إدارة الأزمة ومركز الصدارة.").is_empty());
    assert_has("وقالت إدارة بايدن إن القرار نهائي.", "ORG", "إدارة بايدن");
    assert_has(
        "وأعلنت إدارة الدفاع الوطني عن مباراة.",
        "ORG",
        "إدارة الدفاع الوطني",
    );
}

#[test]
fn a_ta_marbuta_is_not_a_pronoun_suffix() {
    // مؤسسة is not مؤسس (founder, a title) + ـه
    let t = "وقالت إن المؤسسة العسكرية جاهزة.";
    assert!(
        names(t).iter().all(|(k, _)| k != "PERSON"),
        "{:?}",
        names(t)
    );
}

#[test]
fn a_military_region_is_an_organization_only_with_its_direction() {
    assert_has(
        "وزار قائد المنطقة الشمالية الثكنة.",
        "ORG",
        "المنطقة الشمالية",
    );
    assert!(names("وتشهد المنطقة توترا.")
        .iter()
        .all(|(k, _)| k != "ORG"));
}

#[test]
fn named_heads_give_the_name_alone() {
    assert_has(
        "وأعلنت شركة \"أوبتيما\" الهولندية عن صفقة.",
        "ORG",
        "أوبتيما",
    );
    assert_has("في حديث لموقع \"صوت المغرب\" أمس.", "ORG", "صوت المغرب");
}

#[test]
fn any_organization_head_takes_a_quoted_name() {
    let t = "وأعلنت جمعية \"بيت الحكمة\" عن ندوة. وأصدرت حركة \"ماعت\" بيانا.";
    assert_has(t, "ORG", "بيت الحكمة");
    assert_has(t, "ORG", "ماعت");
    assert!(
        names(t).iter().all(|(k, _)| k != "PERSON"),
        "{:?}",
        names(t)
    );
    // a quoted demonym is not a name
    assert!(names("واستفاد من خبرات الجيش \"الإسرائيلي\" في المجال.").is_empty());
}

#[test]
fn latin_names_acronyms_and_handles_are_organizations() {
    let t = "وغرد حساب Moroccan Royal Navy (@MarineRoyaleMA) على المنصة.";
    let all = ents(t);
    let navy = entity(&all, "Moroccan Royal Navy");
    assert!(
        navy.aliases.iter().any(|a| a == "@MarineRoyaleMA"),
        "{navy:?}"
    );
    assert_has("ووقعت الوزارة عقدا مع MBDA لتوريد الصواريخ.", "ORG", "MBDA");
    // months, hashtags and URLs are not
    let t = "January 17, 2023 #StrongerTogether pic.twitter.com/abcDEF";
    assert!(names(t).is_empty(), "{:?}", names(t));
}

#[test]
fn equipment_is_the_model_name_after_its_head() {
    assert_has(
        "وتسلمت القوات الجوية مقاتلات من طراز KAAN.",
        "EQUIPMENT",
        "KAAN",
    );
    assert_has(
        "اشترت البحرية منظومة الرادار الإيطالية كرونوس لحماية السواحل.",
        "EQUIPMENT",
        "كرونوس",
    );
    assert_has(
        "وصلت طائرات مسيرة من طراز \"شاهد-136\" إلى الجبهة.",
        "EQUIPMENT",
        "شاهد-136",
    );
    // a head alone, or followed by a verb or an adjective, names nothing
    assert!(names("الطائرات استهدفت مواقع بعيدة المدى.")
        .iter()
        .all(|(k, _)| k != "EQUIPMENT"));
    assert!(names("تطوير منظومة دفاعية متطورة.")
        .iter()
        .all(|(k, _)| k != "EQUIPMENT"));
}

#[test]
fn a_quoted_name_after_a_naming_cue_takes_the_type_of_the_head_before_it() {
    let t = "وتشرف على المشروع وحدتها الهندسية وقسمها التقني المعروف بـ\"ماتسبين\" منذ سنوات.";
    assert_has(t, "ORG", "ماتسبين");
    assert!(names("وهو الرجل المعروف بـ\"الثعلب\" في الحي.").is_empty());
}

#[test]
fn a_well_known_system_comes_from_the_gazetteer() {
    assert_has(
        "نشرت إسرائيل بطاريات القبة الحديدية في الجنوب.",
        "EQUIPMENT",
        "القبة الحديدية",
    );
}

#[test]
fn place_heads_take_a_proper_noun() {
    assert_has("ووصل الوفد إلى مدينة بن جرير صباحا.", "LOCATION", "بن جرير");
    assert_has(
        "وتوتر الوضع في قطاع زيكيندر أمس.",
        "LOCATION",
        "قطاع زيكيندر",
    );
    assert!(names("وشهد قطاع الكهرباء بقيمة كبيرة نموا.").is_empty());
}

#[test]
fn events_keep_their_full_title() {
    let t = "شارك الوفد في المؤتمر الدولي الثاني حول الأمن السيبراني بمراكش.";
    assert_has(t, "EVENT", "المؤتمر الدولي الثاني حول الأمن السيبراني");
    assert_has(t, "LOCATION", "مراكش");
    assert_has(
        "وعلى هامش قمة العقبة التقى الوزيران.",
        "EVENT",
        "قمة العقبة",
    );
}

#[test]
fn an_event_head_takes_a_quoted_name() {
    let t = "وشارك المغرب في معرض \"إيروسبيس 2030\" بمدينة طنجة.";
    // the quoted name is the event; with its head, an alias
    assert_has(t, "EVENT", "إيروسبيس 2030");
    let all = ents(t);
    assert!(entity(&all, "إيروسبيس 2030")
        .aliases
        .contains(&"معرض إيروسبيس 2030".to_string()));
    assert_has(t, "LOCATION", "طنجة");
    // an indefinite plural with an adjective is no named event
    assert!(names("ووقع المغرب اتفاقيات مماثلة مع دول أخرى.")
        .iter()
        .all(|(k, _)| k != "EVENT"));
}

#[test]
fn wordings_of_one_unnamed_agreement_are_one_event() {
    let t = "ووقع البلدان مذكرة تفاهم في المجال الأمني. وتنص المذكرة على التعاون. \
             ويشمل الاتفاق الأمني تبادل الخبرات.";
    let events: Vec<Entity> = ents(t)
        .into_iter()
        .filter(|e| e.kind.as_str() == "EVENT")
        .collect();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].mentions.len(), 3, "{events:?}");
}

#[test]
fn an_indefinite_agreement_mentioned_once_is_not_an_event() {
    assert!(names("ووقع الطرفان اتفاقية تعاون مع الشركة.")
        .iter()
        .all(|(k, _)| k != "EVENT"));
}

#[test]
fn clitics_are_removed_from_names_and_offsets() {
    let t = "وصل الوفد بالرباط ثم سافر للمغرب ووزارة الدفاع.";
    let all = ents(t);
    let rabat = entity(&all, "الرباط");
    assert_eq!(&t[rabat.mentions[0].start..rabat.mentions[0].end], "الرباط");
    let morocco = entity(&all, "المغرب");
    // the elided article of للمغرب: the mention starts after the preposition
    assert_eq!(
        &t[morocco.mentions[0].start..morocco.mentions[0].end],
        "لمغرب"
    );
    assert_has(
        "قدم تقريرا للجنة الوطنية للانتخابات.",
        "ORG",
        "اللجنة الوطنية للانتخابات",
    );
}

#[test]
fn a_word_that_starts_with_a_clitic_letter_is_read_whole_first() {
    // وجدة is a city, not و + جدة; وزارة is not و + زارة
    let t = "وصل الوفد إلى وجدة.";
    assert_has(t, "LOCATION", "وجدة");
    assert_lacks(t, "LOCATION", "جدة");
    let t = "أعلنت وزارة الصحة عن حملة.";
    assert_has(t, "ORG", "وزارة الصحة");
    // and the clitic reading still works where the whole word is not known
    assert_has("وجدة مدينة ساحلية وبجدة ميناء.", "LOCATION", "جدة");
}

#[test]
fn a_possessive_suffix_on_a_known_name_resolves_to_the_name() {
    let t = "وجدد المغرب تمسكه بصحرائه.";
    let all = ents(t);
    let sahara = entity(&all, "الصحراء");
    assert_eq!(
        &t[sahara.mentions[0].start..sahara.mentions[0].end],
        "صحرائه"
    );
    assert!(sahara.aliases.iter().any(|a| a == "صحرائه"));
}

#[test]
fn demonyms_and_the_kingdom_are_not_mentions() {
    let t = "وقال مسؤول إسرائيلي إن المملكة شريك.";
    assert!(names(t).is_empty(), "{:?}", names(t));
}

#[test]
fn capitals_are_places_of_their_own() {
    let t = "اتفقت الرباط وتل أبيب على التعاون.";
    assert_has(t, "LOCATION", "الرباط");
    assert_has(t, "LOCATION", "تل أبيب");
    assert_lacks(t, "LOCATION", "المغرب");
}

#[test]
fn a_gazetteer_alias_takes_the_canonical_name_and_stays_an_alias() {
    let all = ents("وقال الجيش الإسرائيلي إن العملية انتهت.");
    let idf = entity(&all, "جيش الدفاع الإسرائيلي");
    assert_eq!(idf.aliases, vec!["الجيش الإسرائيلي".to_string()]);
}

#[test]
fn word_order_variants_are_one_person() {
    let t = "استقبل الجنرال عبد الفتاح الوراق الوفد. وأكد الوراق عبد الفتاح أن التعاون مهم.";
    let people: Vec<Entity> = ents(t)
        .into_iter()
        .filter(|e| e.kind.as_str() == "PERSON")
        .collect();
    assert_eq!(people.len(), 1, "{people:?}");
    assert_eq!(people[0].mentions.len(), 2);
}

#[test]
fn spelling_variants_with_a_space_are_one_person() {
    let t = "وقال العقيد محمد بن العربي إن الوضع هادئ. وأضاف محمد بنعربي أن الوحدات جاهزة.";
    let people: Vec<Entity> = ents(t)
        .into_iter()
        .filter(|e| e.kind.as_str() == "PERSON")
        .collect();
    assert_eq!(people.len(), 1, "{people:?}");
    assert_eq!(people[0].name, "محمد بن العربي");
}

#[test]
fn a_surname_alone_points_to_the_full_name_met_before() {
    let t = "وقال وزير الخارجية ناصر بوريطة إن الحوار مستمر. وأضاف بوريطة أن الرباط منفتحة. \
             ثم التقى وبوريطة السفراء.";
    let all = ents(t);
    let p = entity(&all, "ناصر بوريطة");
    assert_eq!(p.mentions.len(), 3, "{p:?}");
    assert!(p.aliases.iter().any(|a| a == "بوريطة"), "{p:?}");
    assert_eq!(
        all.iter().filter(|e| e.kind.as_str() == "PERSON").count(),
        1
    );
}

#[test]
fn folding_is_in_the_key_only_the_name_keeps_the_texts_spelling() {
    // على (a preposition) and علي (a given name) fold alike but stay what they are
    let t = "وقال علي الرميثي إن الهجوم وقع على الحدود.";
    assert_has(t, "PERSON", "علي الرميثي");
    let t = "ووقعت وزارة الزراعة الاسبانية عقدا.";
    assert_has(t, "ORG", "وزارة الزراعة الاسبانية");
}

#[test]
fn every_mention_slices_back_to_a_form_of_its_entity() {
    let t = "وأكد وزير الدفاع الفرنسي سيباستيان لوكورنو، خلال زيارته للرباط، أن باريس \
             تدعم المغرب. وقال لوكورنو إن وزارة القوات المسلحة الفرنسية ستوقع مذكرة التفاهم.";
    for e in ents(t) {
        let mut forms: Vec<String> = e.aliases.iter().map(|a| norm(a)).collect();
        forms.push(norm(&e.name));
        for m in &e.mentions {
            let slice = &t[m.start..m.end];
            let s = norm(slice);
            let ok = forms
                .iter()
                .any(|f| *f == s || f.strip_prefix('ا') == Some(s.as_str()));
            assert!(ok, "mention {slice:?} of {} is none of {forms:?}", e.name);
        }
    }
}

#[test]
fn entities_come_in_order_of_first_mention_without_duplicates() {
    let t = "زار وزير الخارجية ناصر بوريطة باريس ثم مدريد ثم باريس مرة أخرى.";
    let all = ents(t);
    let firsts: Vec<usize> = all.iter().map(|e| e.mentions[0].start).collect();
    let mut sorted = firsts.clone();
    sorted.sort();
    assert_eq!(firsts, sorted);
    let mut seen = HashSet::new();
    for e in &all {
        assert!(
            seen.insert((e.kind, e.name.clone())),
            "duplicate {}",
            e.name
        );
        assert!(!e.aliases.contains(&e.name));
        assert_eq!(entity(&all, "باريس").mentions.len(), 2);
    }
}

#[test]
fn an_article_of_our_own_snapshot() {
    let t = include_str!("data/entities_article.txt");
    insta::assert_json_snapshot!(ents(t));
}

mod no_panics {
    use super::*;
    use proptest::prelude::*;

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("و".to_string()),
            Just("لل".to_string()),
            Just("بال".to_string()),
            Just("ال".to_string()),
            Just("الجنرال ".to_string()),
            Just("وزارة ".to_string()),
            Just("قال ".to_string()),
            Just("بن ".to_string()),
            Just("المغرب".to_string()),
            Just("صحرائه".to_string()),
            Just("مذكرة تفاهم ".to_string()),
            Just("من طراز ".to_string()),
            Just("@h_1".to_string()),
            Just("Spy-X".to_string()),
            Just("\u{064e}".to_string()),
            Just("\u{0640}".to_string()),
            Just("\u{200f}".to_string()),
            Just("«".to_string()),
            Just("”".to_string()),
            Just("، ".to_string()),
            Just(": ".to_string()),
            Just("\n".to_string()),
            Just(" ".to_string()),
            Just("٢٠٢٣".to_string()),
            Just("🇲🇦".to_string()),
            "[\\p{Arabic}]{1,6}",
            ".{0,4}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

        #[test]
        fn find_never_panics_and_mentions_slice_on_char_boundaries(
            parts in proptest::collection::vec(piece(), 0..40)
        ) {
            let text: String = parts.concat();
            for e in ents(&text) {
                prop_assert!(!e.name.is_empty());
                for m in &e.mentions {
                    prop_assert!(m.start < m.end && m.end <= text.len());
                    prop_assert!(text.is_char_boundary(m.start) && text.is_char_boundary(m.end));
                }
            }
        }

        #[test]
        fn find_never_panics_on_any_string(text in ".{0,200}") {
            for e in ents(&text) {
                for m in &e.mentions {
                    prop_assert!(text.get(m.start..m.end).is_some());
                }
            }
        }
    }
}

#[test]
fn a_model_name_may_precede_an_adjective_and_a_regime_is_no_system() {
    assert_has("وتسلم الجيش دبابات أبرامز الأمريكية.", "EQUIPMENT", "أبرامز");
    // نظام is also a regime
    assert!(names("وانتقد المعارضون نظام مادورو بشدة.")
        .iter()
        .all(|(k, _)| k != "EQUIPMENT"));
}

#[test]
fn a_future_verb_after_a_name_is_not_part_of_it() {
    assert_has(
        "وقال إن وزير الدفاع يسرائيل كاتس سيزور واشنطن.",
        "PERSON",
        "يسرائيل كاتس",
    );
}

#[test]
fn a_model_name_after_a_definite_head_takes_its_number() {
    assert_has(
        "وأطلقت إسرائيل القمر الصناعي أفق 13 من قاعدة بلماحيم.",
        "EQUIPMENT",
        "أفق 13",
    );
    assert!(names("الطائرات استهدفت مواقع.").is_empty());
}

#[test]
fn a_quoted_exercise_name_keeps_its_year() {
    let t = "وأجرت القوات الجوية تمرين \"صقر الصحراء 2031\" قرب الحدود.";
    assert_has(t, "EVENT", "صقر الصحراء 2031");
    // a named show takes the year of its edition
    assert_has(
        "وتنظم الشركة جناحا في معرض سيمكس 2032 بالدوحة.",
        "EVENT",
        "معرض سيمكس 2032",
    );
}

#[test]
fn seas_gulfs_and_straits_are_places() {
    let t = "وأبحرت السفينة من بحر مرمرة نحو خليج سرت ثم عبرت بحر العرب.";
    assert_has(t, "LOCATION", "بحر مرمرة");
    assert_has(t, "LOCATION", "خليج سرت");
    assert_has(t, "LOCATION", "بحر العرب");
    // محيط is also "the vicinity of"
    assert!(names("وانتشر الجنود في محيط ساحة الاستقلال.")
        .iter()
        .all(|(k, _)| k != "LOCATION"));
}

#[test]
fn a_system_keeps_its_latin_model_code() {
    let t = "وتسلم الجيش بطاريات من منظومة باتريوت PAC-3 الأمريكية.";
    let all = ents(t);
    assert!(entity(&all, "باتريوت")
        .aliases
        .contains(&"باتريوت PAC-3".to_string()));
    assert_has(
        "واشترت البحرية زوارق من طراز كورساكوف MK2 الحديثة.",
        "EQUIPMENT",
        "كورساكوف MK2",
    );
    // a transliterated two-word model after من طراز
    assert_has(
        "وتعاقدت الدولة على 20 طائرة من طراز سوبر توكانو.",
        "EQUIPMENT",
        "سوبر توكانو",
    );
}

#[test]
fn a_definite_word_is_not_a_future_verb_inside_a_name() {
    // سيسي... with the article is a family name, not a verb in the future
    assert_has(
        "واستقبل الرئيس كمال السيسري وفدا رسميا.",
        "PERSON",
        "كمال السيسري",
    );
}

#[test]
fn a_country_shaped_like_a_nisba_after_a_body_is_its_adjective() {
    let t = "وأعلنت وزارة الدفاع السعودية أن القوات الجوية الملكية السعودية ستشارك.";
    assert_has(t, "ORG", "وزارة الدفاع السعودية");
    assert_has(t, "ORG", "القوات الجوية الملكية السعودية");
    assert_lacks(t, "LOCATION", "السعودية");
}

#[test]
fn levantine_ranks_and_feminine_counterparts_introduce_people() {
    let t = "والتقى قائد الجيش العماد نديم خوري بالوفد.";
    assert_has(t, "PERSON", "نديم خوري");
    assert!(names(t).iter().all(|(_, n)| !n.contains("العماد")));
    assert_has(
        "وقال اللواء الركن سالم الدباغ إن الوضع مستقر.",
        "PERSON",
        "سالم الدباغ",
    );
    assert_has(
        "واستقبل الوزير نظيرته الإسبانية ماريا لوبيث غارثيا في مدريد.",
        "PERSON",
        "ماريا لوبيث غارثيا",
    );
}

#[test]
fn companies_in_latin_letters_after_a_head_or_a_known_name() {
    assert_has("ووقعت شركة Kongsberg النرويجية العقد.", "ORG", "Kongsberg");
    // The company's canonical name is its full Arabic name: bare رافائيل is also a first name.
    let all = ents("وتتفاوض الوزارة مع Rafael Advanced Defense Systems حول المنظومة.");
    assert!(entity(&all, "رافائيل للأنظمة الدفاعية المتقدمة")
        .aliases
        .contains(&"Rafael Advanced Defense Systems".to_string()));
}

#[test]
fn a_name_set_off_by_commas_may_end_in_yeh_heh() {
    assert_has(
        "وقال مدير الشركة، جان لوك دوفيليه، إن الإنتاج سيبدأ قريبا.",
        "PERSON",
        "جان لوك دوفيليه",
    );
}

#[test]
fn a_regnal_ordinal_ends_a_compound_name() {
    assert_has(
        "واستقبل الملك عبد العزيز الثالث الوفد في القصر.",
        "PERSON",
        "عبد العزيز الثالث",
    );
}

#[test]
fn a_place_noun_with_a_preposition_ends_a_name() {
    let t = "واستقبل الرئيس سامي بلحاج بقصر الضيافة وزير الدفاع.";
    assert_has(t, "PERSON", "سامي بلحاج");
}

#[test]
fn a_definite_media_name_after_an_indefinite_head() {
    let t = "ونقلت صحيفة الفجر عن مصادرها، كما ذكرت قناة الميادين.";
    assert_has(t, "ORG", "الفجر");
    assert_has(t, "ORG", "الميادين");
    // an adjective after the head is no name
    assert_lacks("ونقلت صحيفة المحلية الخبر.", "ORG", "المحلية");
}

#[test]
fn an_office_title_skips_basm_and_its_body() {
    assert_has(
        "وقال الناطق الإعلامي باسم الحكومة رامي العبادي إن الحدود آمنة.",
        "PERSON",
        "رامي العبادي",
    );
}

#[test]
fn an_exercise_described_before_its_quoted_name() {
    let t = "وأشرف القائد على تمرين تكتيكي بالذخيرة الحية \"النسر الذهبي 2031\" بالمنطقة.";
    assert_has(t, "EVENT", "النسر الذهبي 2031");
}

#[test]
fn a_known_exercise_keeps_the_year_of_its_edition() {
    let all = ents("وشاركت الوحدات في تمرين \"الأسد الإفريقي 2031\" جنوب البلاد.");
    assert!(entity(&all, "الأسد الإفريقي")
        .aliases
        .contains(&"الأسد الإفريقي 2031".to_string()));
}

#[test]
fn dateline_agency_acronyms_are_known_organizations() {
    let all = ents("الرياض (واس) - أعلنت الوزارة عن خطة جديدة.");
    assert!(entity(&all, "وكالة الأنباء السعودية")
        .aliases
        .contains(&"واس".to_string()));
}

#[test]
fn a_plural_object_in_construct_ends_a_name() {
    let t = "وناقش الوزير مع نظيره الليبي خالد المنصوري مستجدات الملف الأمني.";
    assert_has(t, "PERSON", "خالد المنصوري");
}

#[test]
fn a_company_name_drops_the_nisba_after_it() {
    let t = "ووقعت الوزارة عقدا مع شركة دايو ماركو الكورية لتوريد السفن.";
    assert_has(t, "ORG", "دايو ماركو");
}

#[test]
fn a_definite_company_with_an_adjective_and_a_genitive_is_named() {
    let t = "وأعلنت الشركة العامة للصناعات الغذائية أن الإنتاج ارتفع.";
    assert_has(t, "ORG", "الشركة العامة للصناعات الغذائية");
    // the company with a demonym alone is a reference, not a name
    let u = "وقالت الشركة الإسرائيلية للإعلام إن العقد وقع.";
    assert_lacks(u, "ORG", "الشركة الإسرائيلية للإعلام");
}

#[test]
fn a_family_name_shaped_like_a_demonym_ends_a_full_name() {
    let t = "وقال وزير المالية أحمد كريم المصري يوم الأحد إن العجز تراجع.";
    assert_has(t, "PERSON", "أحمد كريم المصري");
    // a demonym before the name is the counterpart's nationality, not the name
    let u = "واستقبل الوزير نظيره الليبي سالم الورفلي في العاصمة.";
    assert_has(u, "PERSON", "سالم الورفلي");
}

#[test]
fn an_accusative_object_after_a_company_name_is_not_part_of_it() {
    let t = "ووقعت شركة كارمو عقدا مع البحرية.";
    assert_has(t, "ORG", "كارمو");
    assert_lacks(t, "ORG", "كارمو عقدا");
}

#[test]
fn an_indefinite_agreement_with_a_lam_genitive_mentioned_once_is_not_an_event() {
    let t = "ووقع البلدان اتفاقية للتعاون الاقتصادي في العاصمة.";
    assert!(names(t).iter().all(|(k, _)| k != "EVENT"), "{:?}", names(t));
    // the definite agreement is still one
    let u = "ووقع البلدان اتفاقية للتعاون الاقتصادي. وتنص اتفاقية التعاون الاقتصادي على الكثير.";
    assert!(names(u).iter().any(|(k, _)| k == "EVENT"), "{:?}", names(u));
}

#[test]
fn a_place_named_after_a_titled_person_is_no_person_mention() {
    let t = "وهبطت الطائرات في مطار الأمير نايف الدولي قبل أن تتجه إلى قاعدة الملك سعود الجوية.";
    assert!(
        names(t).iter().all(|(k, _)| k != "PERSON"),
        "{:?}",
        names(t)
    );
    // a rank after a body is still a rank
    assert_has(
        "والتقى قائد الجيش العماد نديم خوري بالوفد.",
        "PERSON",
        "نديم خوري",
    );
}
