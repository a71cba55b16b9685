//! What the claim key needs to know of the words: which actors are countries, and which accord
//! names are descriptions ("مذكرة التفاهم الموقعة", "اتفاق التعاون الأمني") rather than names
//! ("اتفاقيات أبراهام"). Word lists are the extractor's data files; built once per process.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::claims::lists::stems;
use super::lexicon::lines;
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
}
