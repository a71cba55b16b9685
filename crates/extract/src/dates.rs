//! Finds explicit calendar dates (every Arabic month tradition, Hijri months, numeric forms)
//! and normalizes them to ISO 8601 partial dates.
//!
//! Architecture invariant: only dates the text fixes on the calendar are returned. A month
//! counts only with a year next to it (`مارس` is also a verb, `آب` a word), a bare four-digit
//! number only with a cue that makes it a year (`عام`, `لسنة`, `نهاية`, a date range, a line of
//! its own), and relative expressions (`نوفمبر الماضي`, `العام الماضي`) never.

pub(crate) mod tokens;

use std::collections::HashMap;
use std::sync::LazyLock;

use super::claims::lists::{WordBits, WordHasher};

use self::tokens::{Kind, Tokens};
use dossier_core::model::Mention;
use dossier_core::text::key;

/// One explicit date in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateMatch {
    /// Where the date is written (byte offsets into the text).
    pub span: Mention,
    /// ISO 8601 partial date, as precise as the text: `2021`, `2021-11`, `2021-11-10`.
    pub value: String,
}

/// Years outside this range are not taken for years.
const MIN_YEAR: u32 = 1900;
const MAX_YEAR: u32 = 2100;
/// Hijri years written with a Hijri month or the `هـ` mark (1900–2100 Gregorian).
const MIN_HIJRI: u32 = 1318;
const MAX_HIJRI: u32 = 1530;

/// Month names by folded form: single words, and two-word names keyed by their first word.
struct MonthTable {
    single: WordMap<u8>,
    double: WordMap<Vec<(String, u8)>>,
    /// Quick filter on [`word_bits`] of every key of `single` and `double`: most words are no
    /// month and skip the hash lookups.
    maybe: WordBits,
}

type WordMap<V> = HashMap<String, V, std::hash::BuildHasherDefault<WordHasher>>;

impl MonthTable {
    fn parse(data: &str) -> MonthTable {
        let mut single = WordMap::default();
        let mut double: WordMap<Vec<(String, u8)>> = WordMap::default();
        for line in data.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((n, name)) = line.split_once(' ') else {
                continue;
            };
            let Ok(n) = n.parse::<u8>() else { continue };
            let name = key(name);
            match name.split_once(' ') {
                Some((a, b)) => double
                    .entry(a.to_string())
                    .or_default()
                    .push((b.to_string(), n)),
                None => {
                    single.insert(name, n);
                }
            }
        }
        let mut maybe = WordBits::default();
        for k in single.keys().chain(double.keys()) {
            maybe.insert(k);
        }
        MonthTable {
            single,
            double,
            maybe,
        }
    }

    /// The month written at token `i`: its number and how many tokens it spans.
    fn at(&self, t: &Tokens, i: usize) -> Option<(u8, usize)> {
        if t.kind(i) != Some(Kind::Word) {
            return None;
        }
        let w = t.f(i);
        if !self.maybe.may_contain(w) {
            return None;
        }
        if let Some(rest) = self.double.get(w) {
            if t.kind(i + 1) == Some(Kind::Word) {
                let next = t.f(i + 1);
                if let Some((_, n)) = rest.iter().find(|(b, _)| b == next) {
                    return Some((*n, 2));
                }
            }
        }
        self.single.get(w).map(|&n| (n, 1))
    }
}

static MONTHS: LazyLock<MonthTable> =
    LazyLock::new(|| MonthTable::parse(include_str!("data/months.txt")));
static HIJRI_MONTHS: LazyLock<MonthTable> =
    LazyLock::new(|| MonthTable::parse(include_str!("data/months_hijri.txt")));
/// [`MonthTable::maybe`] of both tables: most words are no month of either, known in one test.
static ANY_MONTH: LazyLock<WordBits> = LazyLock::new(|| {
    let mut bits = WordBits::default();
    for table in [&*MONTHS, &*HIJRI_MONTHS] {
        for k in table.single.keys().chain(table.double.keys()) {
            bits.insert(k);
        }
    }
    bits
});

/// The ordinal words of the days 1 to 10 (folded), as [`ordinal_day_at`] reads them.
const UNITS: [&str; 10] = [
    "الحادي",
    "الثاني",
    "الثالث",
    "الرابع",
    "الخامس",
    "السادس",
    "السابع",
    "الثامن",
    "التاسع",
    "العاشر",
];

/// The other words [`ordinal_day_at`] reads as a day on their own.
const DAY_WORDS: [&str; 6] = ["فاتح", "الفاتح", "غره", "الاول", "العشرين", "الثلاثين"];

/// [`WordBits`] of every word that can open a date ([`month_date_in`]): a month of either
/// table, `شهر`, and a day's ordinal. Any other word opens none and is passed over at once.
static OPENERS: LazyLock<WordBits> = LazyLock::new(|| {
    let mut bits = ANY_MONTH.clone();
    for w in UNITS.iter().chain(&DAY_WORDS).chain(&["شهر"]) {
        bits.insert(w);
    }
    bits
});

#[derive(Clone, Copy, PartialEq, Eq)]
enum Cue {
    Strong,
    Weak,
    /// The head of a name that may end in its year («معرض "إيروسبيس 2024"»).
    Name,
}

static CUES: LazyLock<HashMap<String, Cue>> = LazyLock::new(|| {
    let mut m = HashMap::new();
    for line in include_str!("data/date_cues.txt").lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        if let Some((k, w)) = line.split_once(' ') {
            let cue = match k {
                "strong" => Cue::Strong,
                "name" => Cue::Name,
                _ => Cue::Weak,
            };
            m.insert(key(w), cue);
        }
    }
    m
});

/// The cue a word gives a following year, trying it with its clitics (و ف ب ل) stripped.
fn cue_of(word: &str) -> Option<Cue> {
    let mut w = word;
    for _ in 0..3 {
        if let Some(c) = CUES.get(w) {
            return Some(*c);
        }
        let mut chars = w.chars();
        match chars.next() {
            Some('و' | 'ف' | 'ب' | 'ل') if w.chars().count() > 2 => w = chars.as_str(),
            _ => return None,
        }
    }
    None
}

/// Every explicit calendar date of `text`, in text order.
pub fn find(text: &str) -> Vec<DateMatch> {
    let t = Tokens::new(text);
    find_in(&t)
}

/// [`find`] over tokens already made (the quantity finder shares them).
pub(crate) fn find_in(t: &Tokens) -> Vec<DateMatch> {
    let openers = &*OPENERS;
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        // A date opens on a number, or on a word that is a month, `شهر` or an ordinal (see
        // `month_date_in`): every finder below gives up on any other token.
        let opens = match t.kind(i) {
            Some(Kind::Num) => true,
            Some(Kind::Word) => openers.may_contain_bytes(t.fb(i)),
            _ => false,
        };
        if !opens {
            i += 1;
            continue;
        }
        i = date_at(t, i, &mut out);
    }
    out
}

/// Tries every date form at token `i`, pushing what it finds; the token to go on from.
fn date_at(t: &Tokens, i: usize, out: &mut Vec<DateMatch>) -> usize {
    let next = numeric(t, i, out)
        .or_else(|| month_date(t, i, out))
        .or_else(|| year_range(t, i, out))
        .or_else(|| year_alone(t, i, out));
    next.unwrap_or(i + 1).max(i + 1)
}

fn push(out: &mut Vec<DateMatch>, t: &Tokens, from: usize, to: usize, value: String) {
    if let (Some(a), Some(b)) = (t.toks.get(from), t.toks.get(to)) {
        out.push(DateMatch {
            span: Mention {
                start: a.start,
                end: b.end,
            },
            value,
        });
    }
}

fn year_ok(y: u32) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&y)
}

/// A four-digit year at token `i`, not glued to more digits or to a decimal/time separator.
fn year_at(t: &Tokens, i: usize) -> Option<u32> {
    if t.digits(i) != 4 {
        return None;
    }
    let y = t.num(i)?;
    // 2022.5, 2022:30, 2022/23 are not a year written alone.
    let glued_after = t.glued(i + 1)
        && matches!(t.f(i + 1), "." | ":" | "/" | "," | "-")
        && t.kind(i + 2) == Some(Kind::Num)
        && t.glued(i + 2);
    let glued_before = t.glued(i)
        && matches!(t.f(i.wrapping_sub(1)), "." | ":" | "/" | "," | "-")
        && i >= 2
        && t.kind(i - 2) == Some(Kind::Num)
        && t.glued(i - 1);
    if glued_after || glued_before {
        return None;
    }
    Some(y)
}

/// `30/03/2022`, `30-3-2022`, `2022-03-30`, `2022/3/30`: the same separator twice, no spaces.
fn numeric(t: &Tokens, i: usize, out: &mut Vec<DateMatch>) -> Option<usize> {
    let sep = t.f(i + 1);
    if !matches!(sep, "/" | "-" | ".") || t.f(i + 3) != sep {
        return None;
    }
    if !(1..=4).all(|k| t.glued(i + k)) || t.glued(i + 5) && t.kind(i + 5) == Some(Kind::Num) {
        return None;
    }
    let (a, b, c) = (t.num(i)?, t.num(i + 2)?, t.num(i + 4)?);
    let (y, m, d) = if t.digits(i) == 4 && t.digits(i + 2) <= 2 && t.digits(i + 4) <= 2 {
        (a, b, c)
    } else if t.digits(i) <= 2 && t.digits(i + 2) <= 2 && t.digits(i + 4) == 4 {
        // Day first, as Arabic and European texts write it; month first only when the
        // first number cannot be a month... and the second cannot be one either.
        if b > 12 && a <= 12 {
            (c, a, b)
        } else {
            (c, b, a)
        }
    } else {
        return None;
    };
    if !year_ok(y) || !valid_day(y, m, d) {
        return None;
    }
    push(out, t, i, i + 4, format!("{y:04}-{m:02}-{d:02}"));
    Some(i + 5)
}

fn leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn valid_day(y: u32, m: u32, d: u32) -> bool {
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap(y) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// A day number (1–31, one or two digits) at token `i`.
fn day_at(t: &Tokens, i: usize) -> Option<u32> {
    if !(1..=2).contains(&t.digits(i)) {
        return None;
    }
    t.num(i).filter(|d| (1..=31).contains(d))
}

/// A day of the month spelled as an ordinal word (folded): its number and how many tokens it
/// takes. `الحادي` alone is no day; `الثاني عشر` is the 12th, `الخامس والعشرين` the 25th.
fn ordinal_day_at(t: &Tokens, i: usize) -> Option<(u32, usize)> {
    if t.kind(i) != Some(Kind::Word) {
        return None;
    }
    let w = t.f(i);
    // Every form below but two opens with the article: most words are none of them.
    if !w.starts_with("ال") && !matches!(w, "فاتح" | "غره") {
        return None;
    }
    match w {
        "فاتح" | "الفاتح" | "غره" | "الاول" => return Some((1, 1)),
        "العشرين" => return Some((20, 1)),
        "الثلاثين" => return Some((30, 1)),
        _ => {}
    }
    let unit = UNITS.iter().position(|u| *u == w)? as u32 + 1;
    let next = if t.kind(i + 1) == Some(Kind::Word) {
        t.f(i + 1)
    } else {
        ""
    };
    match (unit, next) {
        (1..=9, "عشر") => Some((10 + unit, 2)),
        (1..=9, "والعشرين") => Some((20 + unit, 2)),
        (1, "والثلاثين") => Some((31, 2)),
        (1, _) => None,
        _ => Some((unit, 1)),
    }
}

/// A word joining two members of a range or list: و (also as a clitic), إلى, حتى, -, and the
/// like. Returns how many tokens it takes.
fn connector(t: &Tokens, i: usize) -> Option<usize> {
    match (t.kind(i), t.f(i)) {
        (Some(Kind::Word), "و" | "الي" | "حتي" | "لغايه" | "او" | "to" | "and" | "au" | "et") => {
            Some(1)
        }
        (Some(Kind::Punct), "-" | "/") => Some(1),
        _ => None,
    }
}

/// A month at token `i` (standard or Hijri), with a paired name (`نوفمبر/تشرين الثاني`,
/// `تشرين الثاني (نوفمبر)`) absorbed. Returns (month, hijri, tokens taken).
fn month_at(t: &Tokens, i: usize) -> Option<(u8, bool, usize)> {
    if t.kind(i) != Some(Kind::Word) || !ANY_MONTH.may_contain(t.f(i)) {
        return None;
    }
    let (m, hijri, n) = match MONTHS.at(t, i) {
        Some((m, n)) => (m, false, n),
        None => {
            let (m, n) = HIJRI_MONTHS.at(t, i)?;
            (m, true, n)
        }
    };
    let mut len = n;
    if !hijri {
        let j = i + len;
        let open = matches!(t.f(j), "/" | "(" | "-" | "،" | ",");
        if open {
            if let Some((m2, n2)) = MONTHS.at(t, j + 1) {
                if m2 == m {
                    len += 1 + n2;
                    if t.f(i + len) == ")" {
                        len += 1;
                    }
                }
            }
        }
    }
    Some((m, hijri, len))
}

/// The Gregorian month named at token `i` (any tradition), even with no year: the claim
/// finder uses `نوفمبر الماضي` to keep apart events it cannot date.
pub(crate) fn month_name_at(t: &Tokens, i: usize) -> Option<u8> {
    MONTHS.at(t, i).map(|(m, _)| m)
}

/// The days (number, token) read before or after a month: at most two (`من 3 إلى 5 مارس`).
#[derive(Default)]
struct Days {
    found: [(u32, usize); 2],
    len: usize,
}

impl Days {
    fn push(&mut self, day: (u32, usize)) {
        if let Some(slot) = self.found.get_mut(self.len) {
            *slot = day;
            self.len += 1;
        }
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn as_slice(&self) -> &[(u32, usize)] {
        self.found.get(..self.len).unwrap_or(&[])
    }
}

/// `[day [إلى day]] [من] [شهر] MONTH[/MONTH] [day][,] [من] [عام|سنة] YEAR [م|هـ]`.
fn month_date(t: &Tokens, i: usize, out: &mut Vec<DateMatch>) -> Option<usize> {
    month_date_in(t, i, out, true)
}

/// [`month_date`]; `ranges` allows a yearless first end of a range (one level only, so that a
/// long chain of ranges cannot recurse deeply).
fn month_date_in(t: &Tokens, i: usize, out: &mut Vec<DateMatch>, ranges: bool) -> Option<usize> {
    // What opens a date is a word (a month, an ordinal, شهر) or a day number.
    match t.kind(i) {
        Some(Kind::Word) => {}
        Some(Kind::Num) if (1..=2).contains(&t.digits(i)) => {}
        _ => return None,
    }
    let mut j = i;
    let mut days = Days::default();
    if let Some(d) = day_at(t, j) {
        days.push((d, j));
        j += 1;
        if let Some(c) = connector(t, j) {
            if let Some(d2) = day_at(t, j + c) {
                days.push((d2, j + c));
                j += c + 1;
            }
        }
        if t.is_word(j, "من") {
            j += 1;
        }
    } else if let Some((d, n)) = ordinal_day_at(t, j) {
        // A day spelled as an ordinal: فاتح يناير (Maghreb), غرة رمضان, الأول من نوفمبر,
        // الخامس من آذار, الحادي والعشرين من مايو.
        let k = if t.is_word(j + n, "من") {
            j + n + 1
        } else {
            j + n
        };
        let k = if t.is_word(k, "شهر") { k + 1 } else { k };
        if month_at(t, k).is_some() {
            days.push((d, j));
            j = k;
        }
    }
    if t.is_word(j, "شهر") {
        j += 1;
    }
    let (m, hijri, n) = month_at(t, j)?;
    j += n;
    // English order: January 17, 2023.
    if days.is_empty() {
        if let Some(d) = day_at(t, j) {
            days.push((d, j));
            j += 1;
        }
    }
    if matches!(t.f(j), "," | "،") {
        j += 1;
    }
    if t.is_word(j, "من") {
        j += 1;
    }
    if matches!(t.f(j), "عام" | "العام" | "سنه" | "السنه") {
        j += 1;
    }
    let Some(y) = year_at(t, j) else {
        if !ranges {
            return None;
        }
        return range_start(t, j, m, hijri, days.as_slice(), out);
    };
    let mut end = j;
    let hijri_mark = is_hijri_mark(t, j + 1);
    if hijri_mark || t.is_word(j + 1, "م") {
        end = j + 1;
        if t.is_punct(j + 2, ".") && hijri_mark {
            end = j + 2;
        }
    }
    let days = days.as_slice();
    let start = days.first().map_or(i, |&(_, k)| k).min(i);
    if hijri {
        if (MIN_HIJRI..=MAX_HIJRI).contains(&y) {
            if days.is_empty() {
                let (gy, gm, _) = hijri_to_gregorian(y, u32::from(m), 1);
                push(out, t, start, end, format!("{gy:04}-{gm:02}"));
            }
            for &(d, k) in days {
                if d <= 30 {
                    let (gy, gm, gd) = hijri_to_gregorian(y, u32::from(m), d);
                    push(out, t, k, end, format!("{gy:04}-{gm:02}-{gd:02}"));
                }
            }
        } else if year_ok(y) {
            // A Hijri month with a Gregorian year (رمضان 2023): only the year is certain.
            push(out, t, j, j, format!("{y:04}"));
        } else {
            return None;
        }
        return Some(end + 1);
    }
    if !year_ok(y) {
        return None;
    }
    if days.is_empty() {
        push(out, t, start, end, format!("{y:04}-{m:02}"));
    }
    for &(d, k) in days {
        if valid_day(y, u32::from(m), d) {
            push(out, t, k, end, format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    Some(chain_years(t, end + 1, out))
}

/// A day and month with no year that open a range whose other end has one
/// (`من 28 نوفمبر إلى 2 ديسمبر 2022`): the first end takes the year of the second.
fn range_start(
    t: &Tokens,
    j: usize,
    m: u8,
    hijri: bool,
    days: &[(u32, usize)],
    out: &mut Vec<DateMatch>,
) -> Option<usize> {
    let c = connector(t, j)?;
    if hijri || days.is_empty() || day_at(t, j + c).is_none() {
        return None;
    }
    let mut rest = Vec::new();
    let next = month_date_in(t, j + c, &mut rest, false)?;
    let y: u32 = rest.first()?.value.get(..4)?.parse().ok()?;
    for &(d, k) in days {
        if valid_day(y, u32::from(m), d) {
            push(out, t, k, j - 1, format!("{y:04}-{m:02}-{d:02}"));
        }
    }
    out.extend(rest);
    Some(next)
}

/// After a year: `و2022`, `- 2022`, `إلى 2022` add the years of a range or list.
fn chain_years(t: &Tokens, mut j: usize, out: &mut Vec<DateMatch>) -> usize {
    while let Some(c) = connector(t, j) {
        let Some(y) = year_at(t, j + c).filter(|&y| year_ok(y)) else {
            break;
        };
        push(out, t, j + c, j + c, format!("{y:04}"));
        j += c + 1;
    }
    j
}

/// `2015-2018`, `2015/2018` written glued: a span of years, both ends listed.
fn year_range(t: &Tokens, i: usize, out: &mut Vec<DateMatch>) -> Option<usize> {
    if t.digits(i) != 4 || t.digits(i + 2) != 4 || !matches!(t.f(i + 1), "-" | "/") {
        return None;
    }
    if !(t.glued(i + 1) && t.glued(i + 2)) || t.glued(i + 3) && t.kind(i + 3) != Some(Kind::Punct) {
        return None;
    }
    let (a, b) = (t.num(i)?, t.num(i + 2)?);
    if !(year_ok(a) && year_ok(b) && a < b && b - a <= 50) {
        return None;
    }
    push(out, t, i, i, format!("{a:04}"));
    push(out, t, i + 2, i + 2, format!("{b:04}"));
    Some(i + 3)
}

/// `هـ`, `هجرية`, `للهجرة` after a year.
fn is_hijri_mark(t: &Tokens, i: usize) -> bool {
    t.kind(i) == Some(Kind::Word) && matches!(t.f(i), "ه" | "هجريه" | "هجري" | "للهجره")
}

/// A year with no month: after a cue word, or alone on its line, or marked Hijri (`1444 هـ`).
fn year_alone(t: &Tokens, i: usize, out: &mut Vec<DateMatch>) -> Option<usize> {
    let y = year_at(t, i)?;
    let hijri_mark = is_hijri_mark(t, i + 1);
    if hijri_mark && (MIN_HIJRI..=MAX_HIJRI).contains(&y) {
        let (gy, _, _) = hijri_to_gregorian(y, 1, 1);
        push(out, t, i, i + 1, format!("{gy:04}"));
        return Some(i + 2);
    }
    if !year_ok(y) {
        return None;
    }
    let prev = i.checked_sub(1);
    let cue = prev
        .filter(|&p| t.kind(p) == Some(Kind::Word))
        .and_then(|p| cue_of(t.f(p)));
    let after_free = match t.kind(i + 1) {
        None | Some(Kind::Punct) => true,
        Some(Kind::Num) => false,
        Some(Kind::Word) => {
            t.toks.get(i + 1).is_some_and(|x| x.newline_before)
                || t.is_word(i + 1, "م")
                || t.f(i + 1).starts_with('و')
                || matches!(t.f(i + 1), "حيث" | "عندما" | "حين" | "اثر" | "بعد" | "قبل")
        }
    };
    let own_line = t.toks.get(i).is_some_and(|x| x.newline_before || i == 0)
        && t.toks.get(i + 1).is_none_or(|x| x.newline_before);
    // 2021م: the Gregorian-era mark glued to the number makes it a year.
    let era_mark = t.is_word(i + 1, "م") && t.glued(i + 1);
    // A quoted name ending in its year («إيروسبيس 2024»): the year counts.
    let quoted_name = t.is_punct(i + 1, "\"")
        && i > 0
        && t.kind(i - 1) == Some(Kind::Word)
        && (i.saturating_sub(4)..i.saturating_sub(1)).any(|k| {
            t.is_punct(k, "\"")
                && k > 0
                && t.kind(k - 1) == Some(Kind::Word)
                && cue_of(t.f(k - 1)) == Some(Cue::Name)
        });
    let ok = match cue {
        Some(Cue::Strong) => true,
        Some(Cue::Weak) => after_free,
        Some(Cue::Name) | None => own_line || era_mark || quoted_name,
    };
    if !ok {
        return None;
    }
    let end = if t.is_word(i + 1, "م") { i + 1 } else { i };
    push(out, t, i, end, format!("{y:04}"));
    Some(chain_years(t, end + 1, out))
}

/// Converts a date of the tabular Islamic calendar (30-year cycle, leap years 2, 5, 7, 10, 13,
/// 16, 18, 21, 24, 26, 29; epoch 16 July 622 Julian) to the proleptic Gregorian calendar.
pub fn hijri_to_gregorian(year: u32, month: u32, day: u32) -> (u32, u32, u32) {
    let (y, m, d) = (i64::from(year), i64::from(month), i64::from(day));
    let jdn = d + (59 * (m - 1) + 1) / 2 + (y - 1) * 354 + (3 + 11 * y) / 30 + 1_948_440 - 1;
    jdn_to_gregorian(jdn)
}

/// Julian day number to Gregorian (Richards' algorithm).
fn jdn_to_gregorian(jdn: i64) -> (u32, u32, u32) {
    let f = jdn + 1401 + (((4 * jdn + 274_277) / 146_097) * 3) / 4 - 38;
    let e = 4 * f + 3;
    let g = (e % 1461) / 4;
    let h = 5 * g + 2;
    let day = (h % 153) / 5 + 1;
    let month = (h / 153 + 2) % 12 + 1;
    let year = e / 1461 - 4716 + (12 + 2 - month) / 12;
    (
        u32::try_from(year).unwrap_or(0),
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<String> {
        find(text).into_iter().map(|d| d.value).collect()
    }

    /// [`find_in`] as first written, every finder tried at every token.
    fn find_unfiltered(t: &Tokens) -> Vec<DateMatch> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < t.len() {
            i = date_at(t, i, &mut out);
        }
        out
    }

    #[test]
    fn tokens_passed_over_open_no_date() {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds"));
        let mut texts: Vec<String> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .collect();
        texts.push(
            "فاتح يناير 2020، غرة رمضان 1444، الأول من نوفمبر 2019، الحادي والعشرين من \
             مايو 2022، الثاني عشر من شهر يناير 2020، العشرين من مارس 2021، الثلاثين من \
             أبريل 2021، شهر أكتوبر 2020، الفاتح من سبتمبر 1969"
                .to_string(),
        );
        assert!(texts.len() > 3, "the seeds were not read");
        for text in &texts {
            let t = Tokens::new(text);
            assert_eq!(find_in(&t), find_unfiltered(&t));
        }
    }

    #[test]
    fn every_month_tradition_maps_to_the_same_month() {
        for s in [
            "جرى ذلك في 5 نوفمبر 2019",
            "جرى ذلك في 5 نونبر 2019",
            "جرى ذلك في 5 تشرين الثاني 2019",
            "جرى ذلك في 5 تشرين الثاني/نوفمبر 2019",
            "جرى ذلك في 5 نوفمبر/تشرين الثاني 2019",
            "جرى ذلك في 5 تشرين الثاني (نوفمبر) 2019",
            "جرى ذلك في ٥ نوفمبر ٢٠١٩",
        ] {
            assert_eq!(values(s), vec!["2019-11-05"], "{s}");
        }
        assert_eq!(values("افتتح المعرض في جويلية 2018"), vec!["2018-07"]);
        assert_eq!(values("وصل الوفد في غشت 2018"), vec!["2018-08"]);
        assert_eq!(values("اندلعت الأزمة في حزيران 2018"), vec!["2018-06"]);
        assert_eq!(values("قرار 12 جانفي 2017"), vec!["2017-01-12"]);
        assert_eq!(values("وفي أفريل 2016 تغير كل شيء"), vec!["2016-04"]);
        assert_eq!(values("التقيا في 3 دجنبر 2015"), vec!["2015-12-03"]);
        assert_eq!(values("تقرر في شتنبر من عام 2015"), vec!["2015-09"]);
    }

    #[test]
    fn the_first_of_the_month_in_words() {
        assert_eq!(
            values("دخل القرار حيز التنفيذ فاتح يناير 2020"),
            vec!["2020-01-01"]
        );
        assert_eq!(values("في الأول من نوفمبر 2019"), vec!["2019-11-01"]);
    }

    #[test]
    fn a_day_spelled_as_an_ordinal() {
        assert_eq!(
            values("وصل في الخامس من آذار/مارس 2023"),
            vec!["2023-03-05"]
        );
        assert_eq!(
            values("في الحادي والعشرين من أيار 2022"),
            vec!["2022-05-21"]
        );
        assert_eq!(
            values("يوم الثاني عشر من شهر يناير 2020"),
            vec!["2020-01-12"]
        );
        assert_eq!(
            values("هجمات الحادي عشر من سبتمبر 2001"),
            vec!["2001-09-11"]
        );
        assert_eq!(
            values("في الحادي والثلاثين من ديسمبر 1999"),
            vec!["1999-12-31"]
        );
        // An ordinal that is no day: the month and year alone.
        assert_eq!(values("الفصل الثاني من 2021"), vec!["2021"]);
        assert_eq!(values("الحادي من يناير 2020"), vec!["2020-01"]);
    }

    #[test]
    fn a_year_with_the_era_mark() {
        assert_eq!(values("تأسست الشركة 1995م في الدار البيضاء"), vec!["1995"]);
        assert!(values("اشترى 1995 م").len() <= 1);
    }

    #[test]
    fn english_tweet_dates() {
        assert_eq!(
            values("— Some Agency (@agency) March 3, 2021"),
            vec!["2021-03-03"]
        );
        assert_eq!(values("posted 14 February 2020"), vec!["2020-02-14"]);
        assert_eq!(values("Rabat, le 3 mars 2021"), vec!["2021-03-03"]);
    }

    #[test]
    fn ambiguous_months_need_a_year() {
        assert!(values("مارس الضغط على الحكومة").is_empty());
        assert!(values("يحتفل الناس في آب بالعيد").is_empty());
        assert!(values("وصل في ماي الماضي").is_empty());
        assert!(values("في نوفمبر الماضي وقع الطرفان").is_empty());
        assert_eq!(values("في أيار 2019 مارس ضغطا"), vec!["2019-05"]);
    }

    #[test]
    fn years_need_a_cue() {
        assert_eq!(values("تأسست عام 1998 في القاهرة"), vec!["1998"]);
        assert_eq!(values("الميزانية لسنة 2027 جاهزة"), vec!["2027"]);
        assert_eq!(values("سيكتمل المشروع نهاية 2025"), vec!["2025"]);
        assert_eq!(values("منذ مطلع 2019 والأسعار ترتفع"), vec!["2019"]);
        assert_eq!(values("حدث ذلك أواخر العام 2012"), vec!["2012"]);
        assert_eq!(values("تراجعت الصادرات في 2014، ثم انتعشت"), vec!["2014"]);
        assert_eq!(values("لم يزرها منذ 2009 أي مسؤول"), vec!["2009"]);
        assert_eq!(values("تستمر الخطة حتى 2030 على الأقل"), vec!["2030"]);
        assert_eq!(values("خارطة طريق تمتد إلى غاية 2030"), vec!["2030"]);
        assert_eq!(values("شارك في نسخة 2023 من المعرض"), vec!["2023"]);
        assert_eq!(
            values("يستعد المغرب لمونديال 2030 بملاعب جديدة"),
            vec!["2030"]
        );
        assert_eq!(values("في إطار رؤية 2035 الاقتصادية"), vec!["2035"]);
        assert_eq!(values("شارك في معرض «إيروسبيس 2024» بمراكش"), vec!["2024"]);
        assert!(values("قال: \"اشترينا 2000\" فقط").is_empty());
        assert!(values("أرسلت الحكومة 2000 جندي").is_empty());
        assert!(values("في 2000 منزل انقطعت الكهرباء").is_empty());
        assert!(values("بلغ عدد الزوار 1950 زائرا").is_empty());
        assert!(values("خلال العام الماضي").is_empty());
        assert!(values("عام 3050").is_empty());
    }

    #[test]
    fn ranges_give_both_ends() {
        assert_eq!(values("بين 2015 و2018 تضاعف العدد"), vec!["2015", "2018"]);
        assert_eq!(values("خلال الفترة 2015-2018."), vec!["2015", "2018"]);
        assert_eq!(values("من عام 2015 إلى 2018"), vec!["2015", "2018"]);
        assert_eq!(
            values("من 10 إلى 12 نوفمبر 2022 بالقاهرة"),
            vec!["2022-11-10", "2022-11-12"]
        );
        assert_eq!(values("في عامي 2019 و2020"), vec!["2019", "2020"]);
    }

    #[test]
    fn a_range_across_months_shares_its_year() {
        assert_eq!(
            values("من 28 نوفمبر إلى 2 ديسمبر 2022"),
            vec!["2022-11-28", "2022-12-02"]
        );
        assert!(values("من 28 نوفمبر إلى الآن").is_empty());
    }

    #[test]
    fn numeric_dates() {
        assert_eq!(
            values("نشر بتاريخ 30/03/2022 على الموقع"),
            vec!["2022-03-30"]
        );
        assert_eq!(values("updated 2022-03-30."), vec!["2022-03-30"]);
        assert_eq!(values("نشر بتاريخ ٠٥/٠٤/٢٠٢٢"), vec!["2022-04-05"]);
        assert!(values("النتيجة 3/4/5").is_empty());
        assert!(values("31/02/2022").is_empty());
    }

    #[test]
    fn datelines_on_their_own_line() {
        assert_eq!(values("الرباط\n2019\nقال الوزير"), vec!["2019"]);
        assert_eq!(
            values("الساعة 10:30\n4 يونيو 2021\nعنوان"),
            vec!["2021-06-04"]
        );
    }

    #[test]
    fn hijri_dates_convert_with_the_tabular_calendar() {
        assert_eq!(hijri_to_gregorian(1444, 9, 1), (2023, 3, 23));
        assert_eq!(hijri_to_gregorian(1445, 1, 1), (2023, 7, 19));
        assert_eq!(values("في 15 رمضان 1444 هـ"), vec!["2023-04-06"]);
        assert_eq!(values("صدر في شوال 1440هـ"), vec!["2019-06"]);
        assert_eq!(values("أسس سنة 1400 هـ"), vec!["1979"]);
        assert_eq!(values("ولد في 1400 هجرية"), vec!["1979"]);
        assert_eq!(values("صام الناس غرة رمضان 1444"), vec!["2023-03-23"]);
        assert!(values("صفر 12").is_empty());
    }

    #[test]
    fn spans_cover_the_written_date() {
        let text = "وقع الاتفاق في 12 شتنبر 2022 بالرباط";
        let d = find(text);
        assert_eq!(d.len(), 1);
        assert_eq!(&text[d[0].span.start..d[0].span.end], "12 شتنبر 2022");
    }
}
