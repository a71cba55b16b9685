//! Finds quantities: percentages, sums of money, counts of things with their unit.
//!
//! Architecture invariant: a quantity is a number (digits or a cardinal word) with what it
//! counts, as written; the value keeps the text's words and folds only the digits
//! (`٩٤٪` → `94%`, `وخمسة أنظمة` → `خمسة أنظمة`). Numbers that are part of a date, labels
//! (`القرار 2231`), durations (`ثلاث سنوات`) and vague plurals (`عشرات`) are not quantities.

use std::sync::LazyLock;

use super::claims::lists::{word_set, WordSet};
use super::dates::find_in as find_dates;
use super::dates::tokens::{Kind, Tokens};
use super::dates::DateMatch;
use dossier_core::model::Mention;

/// One quantity in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityMatch {
    pub span: Mention,
    /// The quantity as written, digits normalized to ASCII (`94%`, `خمسة أنظمة`).
    pub value: String,
}

static NUMBER_WORDS: LazyLock<WordSet> =
    LazyLock::new(|| word_set(include_str!("data/quantity_numbers.txt")));
static SCALES: LazyLock<WordSet> =
    LazyLock::new(|| word_set(include_str!("data/quantity_scales.txt")));
static CURRENCIES: LazyLock<WordSet> =
    LazyLock::new(|| word_set(include_str!("data/quantity_currencies.txt")));
static NOT_UNITS: LazyLock<WordSet> =
    LazyLock::new(|| word_set(include_str!("data/quantity_not_units.txt")));
static LABEL_CUES: LazyLock<WordSet> =
    LazyLock::new(|| word_set(include_str!("data/quantity_label_cues.txt")));

/// Every quantity of `text`, in text order.
pub fn find(text: &str) -> Vec<QuantityMatch> {
    let t = Tokens::new(text);
    let dates = find_dates(&t);
    find_in(text, &t, &dates)
}

/// [`find`] over tokens and dates already made (the extractor shares them between finders).
pub(crate) fn find_in(text: &str, t: &Tokens, dates: &[DateMatch]) -> Vec<QuantityMatch> {
    // Tokens lying wholly inside a date's span.
    let mut dated = vec![false; t.len()];
    for d in dates {
        let first = t.toks.partition_point(|x| x.start < d.span.start);
        for (k, x) in t.toks.iter().enumerate().skip(first) {
            if x.start >= d.span.end {
                break;
            }
            if x.end <= d.span.end {
                dated[k] = true;
            }
        }
    }
    let in_date = |i: usize| dated.get(i).copied().unwrap_or(false);
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        // A quantity opens on a number or a number word (see `number_at`).
        let opens = match t.kind(i) {
            Some(Kind::Num) => true,
            Some(Kind::Word) => may_be_number_word(t.fb(i)) && is_number_word(t.f(i)),
            _ => false,
        };
        if !opens || in_date(i) {
            i += 1;
            continue;
        }
        match quantity_at(t, text, i) {
            Some((value, start, end, next)) => {
                out.push(QuantityMatch {
                    span: Mention { start, end },
                    value,
                });
                i = next.max(i + 1);
            }
            None => i += 1,
        }
    }
    out
}

/// False when a folded word is certainly no number word, with or without a clitic (quick
/// filters on its bytes).
#[inline]
fn may_be_number_word(w: &[u8]) -> bool {
    NUMBER_WORDS.may_contain_bytes(w)
        || matches!(w, [0xD9, 0x88 | 0x84 | 0x81, ..] | [0xD8, 0xA8, ..])
            && NUMBER_WORDS.may_contain_bytes(w.get(2..).unwrap_or(&[]))
}

/// A folded word is a cardinal number word, with or without a clitic.
fn is_number_word(w: &str) -> bool {
    // A clitic is stripped only before a number word.
    strip_clitic(w).1 == 1 || NUMBER_WORDS.contains(w)
}

/// A number at token `i`: digits (with a decimal or thousands part glued: `3.5`, `2,000`), or
/// a cardinal word (its clitic dropped). Returns (text of the number, byte start, next token).
fn number_at<'a>(t: &'a Tokens, text: &'a str, i: usize) -> Option<(&'a str, usize, usize)> {
    let tok = t.toks.get(i)?;
    match tok.kind {
        Kind::Num => {
            // Glued to a letter before it (F-16, A400): a model name, not a count.
            if t.glued(i) && (t.kind(i - 1) == Some(Kind::Word) || t.f(i - 1) == "-") {
                return None;
            }
            let mut j = i + 1;
            while matches!(t.f(j), "." | ",")
                && t.glued(j)
                && t.kind(j + 1) == Some(Kind::Num)
                && t.glued(j + 1)
            {
                j += 2;
            }
            // The folded digits and separators, read where they lie end to end.
            Some((t.f_span(i, j - 1), tok.start, j))
        }
        Kind::Word => {
            let w = t.f(i);
            let (bare, skip) = strip_clitic(w);
            if !NUMBER_WORDS.contains(bare) {
                return None;
            }
            // Keep the number word as written, without its clitic.
            let start = tok.start + clitic_bytes(text.get(tok.start..tok.end)?, skip);
            Some((text.get(start..tok.end)?, start, i + 1))
        }
        Kind::Punct => None,
    }
}

/// A leading و ب ل ف (folded form) when what remains is at least three letters long and a
/// number word.
fn strip_clitic(w: &str) -> (&str, usize) {
    // و ب ل ف are two bytes each; at least three letters follow when three of the bytes
    // after them start a character (without counting them all).
    if matches!(
        w.as_bytes(),
        [0xD9, 0x88 | 0x84 | 0x81, ..] | [0xD8, 0xA8, ..]
    ) {
        let rest = w.get(2..).unwrap_or("");
        let three = rest
            .bytes()
            .filter(|&b| (b as i8) >= -0x40)
            .nth(2)
            .is_some();
        if three && NUMBER_WORDS.contains(rest) {
            return (rest, 1);
        }
    }
    (w, 0)
}

/// Byte length of the first `n` letters of `raw` (with the diacritics that follow them).
fn clitic_bytes(raw: &str, n: usize) -> usize {
    if n == 0 {
        return 0;
    }
    let mut seen = 0;
    for (b, c) in raw.char_indices() {
        if !dossier_core::text::is_diacritic(c) {
            if seen == n {
                return b;
            }
            seen += 1;
        }
    }
    raw.len()
}

fn is_percent_words(t: &Tokens, j: usize) -> Option<usize> {
    let (a, b) = (t.f(j), t.f(j + 1));
    if t.kind(j) != Some(Kind::Word) {
        return None;
    }
    if matches!(a, "بالميه" | "بالمايه") {
        return Some(1);
    }
    if a == "في" && matches!(b, "الميه" | "المايه") {
        return Some(2);
    }
    None
}

/// The quantity starting at token `i`: (value, byte start, byte end, next token).
fn quantity_at(t: &Tokens, text: &str, i: usize) -> Option<(String, usize, usize, usize)> {
    // A label: القرار 2231, رقم 5.
    if t.kind(i) == Some(Kind::Num) && i > 0 && LABEL_CUES.contains(t.f(i - 1)) {
        return None;
    }
    // `$5`, `€ 3 مليون`.
    let symbol_before =
        i > 0 && t.kind(i) == Some(Kind::Num) && matches!(t.f(i - 1), "$" | "€" | "£");
    let (num, mut start, mut j) = number_at(t, text, i)?;
    let is_digits = t.kind(i) == Some(Kind::Num);
    if symbol_before {
        start = t.toks.get(i - 1)?.start;
    }
    let word = |k: usize| t.kind(k) == Some(Kind::Word);
    // Percentages; right-to-left typing also puts the sign first (%94).
    let sign_before = is_digits
        && t.glued(i)
        && t.f(i - 1) == "%"
        && !(i >= 2 && t.kind(i - 2) == Some(Kind::Num) && t.glued(i - 1));
    if sign_before && t.f(j) != "%" {
        let end = t.toks.get(j - 1)?.end;
        return Some((format!("{num}%"), t.toks.get(i - 1)?.start, end, j));
    }
    if is_digits && t.f(j) == "%" {
        let end = t.toks.get(j)?.end;
        return Some((format!("{num}%"), start, end, j + 1));
    }
    if let Some(n) = is_percent_words(t, j) {
        let end = t.toks.get(j + n - 1)?.end;
        let value = if is_digits {
            format!("{num}%")
        } else {
            collapse(text.get(start..end)?)
        };
        return Some((value, start, end, j + n));
    }
    // From here the value is the text as written from `start` (digits folded).
    // Scales: 3 مليون, 1.5 مليار.
    let mut scaled = false;
    while word(j) && SCALES.contains(t.f(j)) && !t.toks.get(j).is_some_and(|x| x.newline_before) {
        scaled = true;
        j += 1;
    }
    let cur = t.f(j);
    let next_ok = t
        .toks
        .get(j)
        .is_some_and(|x| !x.newline_before && x.space_before || matches!(x.kind, Kind::Punct));
    // Money: a currency word or symbol.
    if next_ok && CURRENCIES.contains(cur) {
        let tok = t.toks.get(j)?;
        return Some((collapse(text.get(start..tok.end)?), start, tok.end, j + 1));
    }
    if symbol_before {
        let end = t.toks.get(j - 1)?.end;
        return Some((collapse(text.get(start..end)?), start, end, j));
    }
    // A count: the number with the noun it counts.
    let Some(tok) = t.toks.get(j) else {
        return scaled_alone(scaled && is_digits, text, start, t, j);
    };
    if !word(j) || tok.newline_before || !tok.space_before {
        return scaled_alone(scaled && is_digits, text, start, t, j);
    }
    // A day of a month (`حتى 28 نوفمبر الجاري`) is a date the date finder may leave out as
    // relative, never a count.
    if NOT_UNITS.contains(cur)
        || cur.chars().count() < 2
        || !cur.chars().all(is_arabic_letter)
        || super::dates::month_name_at(t, j).is_some()
    {
        return scaled_alone(scaled && is_digits, text, start, t, j);
    }
    // A four-digit number before a noun is a count (2000 جندي); a bare number word before a
    // word that is itself a number word is part of a compound we do not spell out.
    if NUMBER_WORDS.contains(cur) {
        return None;
    }
    Some((collapse(text.get(start..tok.end)?), start, tok.end, j + 1))
}

/// `3 ملايين` with nothing counted after it is still a quantity; a bare number is not.
fn scaled_alone(
    scaled: bool,
    text: &str,
    start: usize,
    t: &Tokens,
    j: usize,
) -> Option<(String, usize, usize, usize)> {
    if !scaled {
        return None;
    }
    let end = t.toks.get(j.checked_sub(1)?)?.end;
    Some((collapse(text.get(start..end)?), start, end, j))
}

fn is_arabic_letter(c: char) -> bool {
    matches!(c, '\u{0620}'..='\u{064A}' | '\u{066E}'..='\u{06D3}')
}

/// The text as written with digits folded to ASCII, diacritics kept, white space collapsed.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in w.chars() {
            match dossier_core::text::fold_char(c) {
                Some(f) if f.is_ascii_digit() || f == '%' => out.push(f),
                _ => out.push(c),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<String> {
        find(text).into_iter().map(|q| q.value).collect()
    }

    /// [`strip_clitic`] as first written, on characters.
    fn strip_reference(w: &str) -> (&str, usize) {
        let mut chars = w.chars();
        if let Some('و' | 'ب' | 'ل' | 'ف') = chars.next() {
            let rest = chars.as_str();
            if rest.chars().count() >= 3 && NUMBER_WORDS.contains(rest) {
                return (rest, 1);
            }
        }
        (w, 0)
    }

    proptest::proptest! {
        #[test]
        fn clitics_stripped_as_first_written(
            w in "(و|ب|ل|ف|ك|a)?(خمسه|ثلاثه|عشره|مليون|ست|ا|ًٌ|日)?[بسهa]{0,2}"
        ) {
            proptest::prop_assert_eq!(strip_clitic(&w), strip_reference(&w));
            proptest::prop_assert_eq!(
                is_number_word(&w),
                NUMBER_WORDS.contains(strip_reference(&w).0)
            );
        }
    }

    #[test]
    fn percentages_in_every_spelling() {
        assert_eq!(values("ارتفعت الأسعار بنسبة 12%"), vec!["12%"]);
        assert_eq!(values("ارتفعت الأسعار بنسبة ١٢٪ هذا العام"), vec!["12%"]);
        assert_eq!(values("تراجع بـ 7.5 % فقط"), vec!["7.5%"]);
        assert_eq!(values("زادت 40 في المائة"), vec!["40%"]);
        assert_eq!(values("زادت 40 في المئة"), vec!["40%"]);
        assert_eq!(values("زادت 40 بالمئة"), vec!["40%"]);
        assert_eq!(values("بنسبة %15 مقارنة بالعام السابق"), vec!["15%"]);
    }

    #[test]
    fn money() {
        assert_eq!(values("بقيمة 3 مليون دولار"), vec!["3 مليون دولار"]);
        assert_eq!(values("بقيمة 1.5 مليار درهم"), vec!["1.5 مليار درهم"]);
        assert_eq!(values("دفع 500 يورو"), vec!["500 يورو"]);
        assert_eq!(values("كلف $20 مليون"), vec!["$20 مليون"]);
        assert_eq!(values("نحو مليار دولار"), vec!["مليار دولار"]);
        assert_eq!(values("غرامة 200 شيكل"), vec!["200 شيكل"]);
        assert_eq!(values("كلفت 5$ فقط"), vec!["5$"]);
        assert_eq!(values("بلغت ٣ ملايين"), vec!["3 ملايين"]);
    }

    #[test]
    fn counts_with_their_unit_as_written() {
        assert_eq!(values("اشترت البحرية أربعة زوارق"), vec!["أربعة زوارق"]);
        assert_eq!(values("وصلت 3 طائرات إلى القاعدة"), vec!["3 طائرات"]);
        assert_eq!(values("نشرت 2000 جندي على الحدود"), vec!["2000 جندي"]);
        assert_eq!(values("تسلم الجيش وستة رادارات"), vec!["ستة رادارات"]);
        assert_eq!(values("شارك ٢٥٠ خبيرا"), vec!["250 خبيرا"]);
    }

    #[test]
    fn not_quantities() {
        assert!(values("استمرت المفاوضات ثلاث سنوات").is_empty());
        assert!(values("بعد أكثر من 4 أشهر").is_empty());
        assert!(values("الاجتماع الثالث للجنة").is_empty());
        assert!(values("عشرات الجنود وآلاف المدنيين").is_empty());
        assert!(values("تبنى القرار 2231 بالإجماع").is_empty());
        assert!(values("تستمر المناورات حتى 28 نوفمبر الجاري").is_empty());
        assert!(values("تنتهي الدورة في 3 شباط المقبل").is_empty());
        assert!(values("اقتنى طائرات F-16 جديدة").is_empty());
        assert!(values("وقع في 12 شتنبر 2022 اتفاقا").is_empty());
        assert!(values("الساعة 10:30 صباحا").is_empty());
        assert!(values("شارك 3 من الضباط").is_empty());
        assert!(values("قمة مجموعة الـ 20 زعيما").is_empty());
    }
}
