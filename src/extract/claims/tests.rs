use super::*;
use crate::model::Mention;

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

fn run(text: &str, ents: &[Entity]) -> Vec<Claim> {
    let dates = crate::extract::dates::find(text);
    find(text, ents, &dates)
}

fn kinds(cs: &[Claim]) -> Vec<&'static str> {
    cs.iter().map(|c| c.kind.as_str()).collect()
}

#[test]
fn placeholder() {
    let text = "وقعت مصر والأردن اتفاقية للتعاون في مجال الطاقة.";
    let ents = vec![
        ent(text, EntityType::Location, "مصر", &["مصر"]),
        ent(text, EntityType::Location, "الأردن", &["الأردن"]),
    ];
    assert_eq!(kinds(&run(text, &ents)), vec!["AGREEMENT"]);
}

#[test]
fn debug_clause() {
    let text = "زار الوزير مصر والأردن، حيث وقع البلدان مذكرة تفاهم في نوفمبر الماضي.";
    let ents = vec![
        ent(text, EntityType::Location, "مصر", &["مصر"]),
        ent(text, EntityType::Location, "الأردن", &["الأردن"]),
    ];
    let t = Tokens::new(text);
    eprintln!("OCC {:?} {:?}", occurrences(&t, &ents), PAIR_WORDS.iter().collect::<Vec<_>>());
    for c in run(text, &ents) { eprintln!("{:?}", c); }
    panic!();
}
