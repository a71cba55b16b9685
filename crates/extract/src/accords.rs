//! What the claim key and the linker need to know of the words: which actors are countries,
//! and which accord names are descriptions ("مذكرة التفاهم الموقعة", "اتفاق التعاون الأمني")
//! rather than names ("اتفاقيات أبراهام") ([`ArabicVocabulary`]); and, inside one document,
//! which mentions of an accord so described are of another accord ([`separate`]). Word lists
//! are the extractor's data files; built once per process.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::claims::lists::stems;
use super::lexicon::lines;
use crate::dates::DateMatch;
use dossier_core::model::{Entity, EntityType, Mention};
use dossier_core::text;
use dossier_core::vocab::Vocabulary;

struct Words {
    countries: HashSet<String>,
    /// Folded heads of the `agreement` family, longest first.
    heads: Vec<Vec<String>>,
    descriptors: HashSet<String>,
}

fn words() -> &'static Words {
    static WORDS: OnceLock<Words> = OnceLock::new();
    WORDS.get_or_init(|| {
        let countries = lines(include_str!("data/gazetteer_countries.txt"))
            .flat_map(|(forms, _)| forms.into_iter().map(text::key))
            .collect();
        let mut heads: Vec<Vec<String>> = lines(include_str!("data/event_heads.txt"))
            .filter(|(_, flag)| *flag == Some("agreement"))
            .flat_map(|(forms, _)| forms.into_iter())
            .map(|f| f.split_whitespace().map(text::key).collect())
            .collect();
        heads.sort_by_key(|h: &Vec<String>| std::cmp::Reverse(h.len()));
        let descriptors = lines(include_str!("data/accord_words.txt"))
            .flat_map(|(forms, _)| forms.into_iter().map(|w| bare(&text::key(w)).to_string()))
            .collect();
        Words {
            countries,
            heads,
            descriptors,
        }
    })
}

/// A folded word without its article.
fn bare(w: &str) -> &str {
    w.strip_prefix("ال")
        .filter(|rest| rest.chars().count() >= 2)
        .unwrap_or(w)
}

/// A folded word of an accord's name that describes it: with its clitics read off as the
/// claim triggers' are (والعسكري، للتعاون), a listed word or a nisba adjective.
fn descriptive(w: &str, descriptors: &HashSet<String>) -> bool {
    let mut forms = Vec::new();
    stems(w, &mut forms);
    forms.iter().any(|s| {
        let b = bare(&s.form);
        descriptors.contains(b) || b.ends_with('ي') || b.ends_with("يه")
    })
}

/// The extractor's answers to [`Vocabulary`]: its gazetteer's countries, its accord heads and
/// descriptive words.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArabicVocabulary;

impl Vocabulary for ArabicVocabulary {
    fn is_country(&self, name: &str) -> bool {
        is_country(name)
    }
    fn is_generic_accord(&self, name: &str) -> bool {
        is_generic_accord(name)
    }
}

/// `name` (any spelling the folding merges) is a country of the gazetteer.
pub fn is_country(name: &str) -> bool {
    is_country_key(&text::key(name))
}

/// [`is_country`] of a name already folded by [`text::key`].
pub fn is_country_key(key: &str) -> bool {
    words().countries.contains(key)
}

/// `name` is an accord (memorandum, agreement, treaty) named only by its kind and domain:
/// an `agreement` head followed by descriptive words or nisba adjectives, no proper name.
pub fn is_generic_accord(name: &str) -> bool {
    let w = words();
    let toks: Vec<String> = name.split_whitespace().map(text::key).collect();
    let Some(head) = w
        .heads
        .iter()
        .find(|h| toks.len() >= h.len() && toks[..h.len()] == h[..])
    else {
        return false;
    };
    toks[head.len()..]
        .iter()
        .all(|t| descriptive(t, &w.descriptors))
}

/// The sentence of the text around byte `at`: from after the last full stop, question or
/// exclamation mark or line break before it to the next one (a full stop between digits is
/// a decimal point).
fn sentence_at(text: &str, at: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let ends = |i: usize| -> bool {
        match b.get(i) {
            Some(b'\n' | b'!' | b'?') => true,
            Some(b'.') => {
                let digit =
                    |j: Option<usize>| j.and_then(|j| b.get(j)).is_some_and(|c| c.is_ascii_digit());
                !(digit(i.checked_sub(1)) && digit(Some(i + 1)))
            }
            // ؟ is D8 9F in UTF-8.
            Some(0x9F) => i > 0 && b.get(i - 1) == Some(&0xD8),
            _ => false,
        }
    };
    let at = at.min(b.len());
    let mut lo = at;
    while lo > 0 && !ends(lo - 1) {
        lo -= 1;
    }
    let mut hi = at;
    while hi < b.len() && !ends(hi) {
        hi += 1;
    }
    (lo, hi)
}

/// The fullest of some forms: most words, then most letters, then the first.
fn fullest(names: &[String]) -> Option<usize> {
    (0..names.len()).max_by_key(|&k| {
        (
            names[k].split_whitespace().count(),
            names[k].chars().count(),
            std::cmp::Reverse(k),
        )
    })
}

/// Two partial dates agree when one is a prefix of the other.
fn agree(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// One accord among the mentions of an entity: its mentions, and what its sentences say of it.
#[derive(Default)]
struct Cluster {
    mentions: Vec<Mention>,
    parties: Vec<usize>,
    date: Option<String>,
}

impl Cluster {
    fn fits(&self, parties: &[usize], date: Option<&str>) -> bool {
        let dates = match (self.date.as_deref(), date) {
            (Some(a), Some(b)) => agree(a, b),
            _ => true,
        };
        let subset = |a: &[usize], b: &[usize]| a.iter().all(|p| b.contains(p));
        let parties = self.parties.is_empty()
            || parties.is_empty()
            || subset(parties, &self.parties)
            || subset(&self.parties, parties);
        dates && parties
    }
}

/// Separates the accords that one document names by their kind alone (`مذكرة التفاهم`,
/// `اتفاقية تعاون أمني`) and that the entity finder grouped as one because their words are
/// alike: the mentions of such an entity whose sentences name other countries (neither set
/// holding the other) or another date are another accord. A separated accord mentioned only
/// once, or never with the article, is not an entity (an unnamed accord mentioned in passing);
/// its claims name their parties only. `dates` are the text's dates.
pub fn separate(text: &str, entities: &mut Vec<Entity>, dates: &[DateMatch]) {
    let countries: Vec<usize> = (0..entities.len())
        .filter(|&i| entities[i].kind == EntityType::Location && is_country(&entities[i].name))
        .collect();
    if countries.is_empty() && dates.is_empty() {
        return;
    }
    let mut added: Vec<Entity> = Vec::new();
    for e in 0..entities.len() {
        let ent = &entities[e];
        if ent.kind != EntityType::Event || ent.mentions.len() < 2 || !is_generic_accord(&ent.name)
        {
            continue;
        }
        let mut clusters: Vec<Cluster> = Vec::new();
        // Mentions whose sentence says nothing of parties or date: given to the accord of the
        // mention before them (a reader's antecedent), else to the first.
        let mut bare: Vec<(Mention, Option<usize>)> = Vec::new();
        let mut last: Option<usize> = None;
        for &m in &ent.mentions {
            let (lo, hi) = sentence_at(text, m.start);
            let mut parties: Vec<usize> = countries
                .iter()
                .copied()
                .filter(|&c| {
                    entities[c]
                        .mentions
                        .iter()
                        .any(|x| x.start >= lo && x.end <= hi)
                })
                .collect();
            parties.sort_unstable();
            let date = dates
                .iter()
                .filter(|d| d.span.start >= lo && d.span.end <= hi)
                .min_by_key(|d| d.span.start.abs_diff(m.start))
                .map(|d| d.value.as_str());
            if parties.is_empty() && date.is_none() {
                bare.push((m, last));
                continue;
            }
            let at = match clusters.iter().position(|c| c.fits(&parties, date)) {
                Some(i) => i,
                None => {
                    clusters.push(Cluster::default());
                    clusters.len() - 1
                }
            };
            let c = &mut clusters[at];
            c.mentions.push(m);
            for p in parties {
                if !c.parties.contains(&p) {
                    c.parties.push(p);
                }
            }
            c.parties.sort_unstable();
            if let Some(d) = date {
                if c.date.as_ref().is_none_or(|old| d.len() > old.len()) {
                    c.date = Some(d.to_string());
                }
            }
            last = Some(at);
        }
        if clusters.len() < 2 {
            continue;
        }
        for (m, before) in bare {
            clusters[before.unwrap_or(0)].mentions.push(m);
        }
        // The entity stays with the accord mentioned most (of two as often, the one of its
        // name's mention, else the first).
        let forms: Vec<String> = std::iter::once(&ent.name)
            .chain(&ent.aliases)
            .cloned()
            .collect();
        let form_of = |m: &Mention| -> Option<usize> {
            let written = text::key(text.get(m.start..m.end).unwrap_or(""));
            forms.iter().position(|f| {
                let f = text::key(f);
                !f.is_empty() && written.ends_with(&f)
            })
        };
        let main = (0..clusters.len())
            .max_by_key(|&i| {
                let c = &clusters[i];
                (
                    c.mentions.len(),
                    c.mentions.iter().any(|m| form_of(m) == Some(0)),
                    std::cmp::Reverse(i),
                )
            })
            .unwrap_or(0);
        let named = |c: &Cluster| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for m in &c.mentions {
                if let Some(f) = form_of(m).and_then(|i| forms.get(i)) {
                    if !out.iter().any(|o| text::key(o) == text::key(f)) {
                        out.push(f.clone());
                    }
                }
            }
            out
        };
        let definite = |f: &str| {
            let k = text::key(f);
            let mut words = k.split(' ');
            words.next().is_some_and(|w| w.starts_with("ال"))
                || words.next().is_some_and(|w| w.starts_with("ال"))
        };
        let mut kept = Entity {
            kind: ent.kind,
            name: ent.name.clone(),
            aliases: Vec::new(),
            mentions: Vec::new(),
        };
        for (i, c) in clusters.iter().enumerate() {
            let mut names = named(c);
            if i == main {
                let mut mentions = c.mentions.clone();
                mentions.sort_unstable();
                // Its name, when none of its mentions is the entity's name: its fullest form.
                if !names.iter().any(|n| text::key(n) == text::key(&kept.name)) {
                    if let Some(best) = fullest(&names) {
                        kept.name = names.remove(best);
                    }
                }
                names.retain(|n| text::key(n) != text::key(&kept.name));
                kept.aliases = names;
                kept.mentions = mentions;
                continue;
            }
            if c.mentions.len() < 2 || !names.iter().any(|n| definite(n)) {
                continue;
            }
            let Some(best) = fullest(&names) else {
                continue;
            };
            let name = names.remove(best);
            let mut mentions = c.mentions.clone();
            mentions.sort_unstable();
            added.push(Entity {
                kind: ent.kind,
                name,
                aliases: names,
                mentions,
            });
        }
        entities[e] = kept;
    }
    entities.retain(|e| !e.mentions.is_empty());
    entities.extend(added);
    entities.sort_by_key(|e| e.mentions.first().map_or(usize::MAX, |m| m.start));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accords_named_by_their_kind_are_generic() {
        for name in [
            "مذكرة التفاهم",
            "مذكرة تفاهم أمنية",
            "اتفاق التعاون الأمني",
            "اتفاقية التعاون العسكري والتقني",
            "الاتفاق المبرم",
            "معاهدة الدفاع المشترك",
            "اتفاق استئناف العلاقات الدبلوماسية",
            "مذكرة تفاهم للتعاون في مجال الغاز الطبيعي",
        ] {
            assert!(is_generic_accord(name), "{name}");
        }
    }

    #[test]
    fn accords_with_a_proper_name_or_no_accord_head_are_not() {
        for name in [
            "اتفاقيات أبراهام",
            "اتفاقية كامب ديفيد",
            "اتفاق أوسلو",
            "اتفاقية الشراكة",
            "خطة العمل العسكرية",
            "قمة النقب",
            "المؤتمر الدولي للأمن",
        ] {
            assert!(!is_generic_accord(name), "{name}");
        }
    }

    #[test]
    fn countries_by_any_spelling() {
        assert!(is_country("المغرب"));
        assert!(is_country("المملكة المغربية"));
        assert!(is_country("الاردن"));
        assert!(!is_country("الرباط"));
        assert!(!is_country("وزارة الدفاع"));
    }

    fn events(text: &str) -> (usize, Vec<Entity>) {
        let lex = crate::lexicon::Lexicon::builtin();
        let mut ents = crate::entities::find(text, &lex);
        let before = ents.iter().filter(|e| e.kind == EntityType::Event).count();
        let dates = crate::dates::find(text);
        separate(text, &mut ents, &dates);
        let after = ents
            .into_iter()
            .filter(|e| e.kind == EntityType::Event)
            .collect();
        (before, after)
    }

    #[test]
    fn two_accords_of_the_same_parties_with_other_dates_are_two() {
        let text = "وقع المغرب وإسرائيل مذكرة التفاهم الأمنية في نوفمبر 2021 بالرباط.\n\
                    وتنص مذكرة التفاهم الأمنية الموقعة بين المغرب وإسرائيل في نوفمبر 2021 على تبادل المعلومات.\n\
                    ووقع البلدان مذكرة التفاهم الاقتصادية في مارس 2023 بتل أبيب.\n\
                    وتشمل مذكرة التفاهم الاقتصادية بين المغرب وإسرائيل الموقعة في مارس 2023 الفلاحة والطاقة.\n";
        let (before, after) = events(text);
        assert_eq!(before, 1, "the entity finder groups accords of one kind");
        assert_eq!(after.len(), 2, "{after:?}");
        assert_eq!(after[0].mentions.len(), 2);
        assert_eq!(after[1].mentions.len(), 2);
    }

    #[test]
    fn an_accord_of_other_parties_mentioned_once_is_no_entity() {
        let text = "وقع المغرب وإسرائيل مذكرة التفاهم في نوفمبر 2021.\n\
                    وأكد البلدان أن مذكرة التفاهم تشمل التدريب.\n\
                    وكان الوزير قد وقع في البحرين اتفاقية تعاون أمني مع الأردن.\n";
        let (_, after) = events(text);
        assert_eq!(after.len(), 1, "{after:?}");
        assert_eq!(after[0].mentions.len(), 2, "{after:?}");
    }

    #[test]
    fn one_accord_in_several_wordings_stays_one() {
        let text = "وقع المغرب وإسرائيل مذكرة التفاهم الأمنية في نوفمبر 2021.\n\
                    وتعد اتفاقية التعاون الأمني بين المغرب وإسرائيل الأولى من نوعها.\n\
                    ودخل الاتفاق الأمني حيز التنفيذ.\n";
        let (_, after) = events(text);
        assert_eq!(after.len(), 1, "{after:?}");
        assert_eq!(after[0].mentions.len(), 3, "{after:?}");
    }
}
