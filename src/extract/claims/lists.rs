//! The claim finder's word lists (triggers, modality, negation, attribution, clause breaks),
//! compiled once from `data/` and matched on folded tokens with their clitics stripped.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use crate::extract::dates::tokens::{Kind, Tokens};
use crate::model::ClaimType;
use crate::text::key;

/// A hasher for short words, eight bytes at a step (a multiply-rotate hash in the manner of
/// rustc's FxHash, with a final mix for the table's low bits): SipHash, and FNV's byte at a
/// step, cost more than the lookup. Only for maps that are looked up, never iterated in an order
/// that matters.
#[derive(Default, Clone, Copy)]
pub struct WordHasher(u64);

const WORD_HASH_K: u64 = 0xf135_7aea_2e62_a9c5;

impl WordHasher {
    fn add(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(26) ^ x).wrapping_mul(WORD_HASH_K);
    }
}

impl std::hash::Hasher for WordHasher {
    fn finish(&self) -> u64 {
        let h = self.0;
        (h ^ (h >> 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (h >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut x = 0u64;
            for (k, &b) in rest.iter().enumerate() {
                x |= u64::from(b) << (8 * k);
            }
            self.add(x);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
}

/// A map keyed by short words.
pub type WordMap<V> = HashMap<String, V, std::hash::BuildHasherDefault<WordHasher>>;

/// A set of short words.
pub struct WordSet {
    words: std::collections::HashSet<String, std::hash::BuildHasherDefault<WordHasher>>,
    /// Quick filter on [`word_bits`] of the words: most words are in no list and skip the
    /// lookup.
    maybe: WordBits,
}

impl WordSet {
    pub fn contains(&self, w: &str) -> bool {
        self.maybe.may_contain(w) && self.words.contains(w)
    }
}

/// The folded words of a list (one a line, `#` comments).
pub(crate) fn word_set(data: &str) -> WordSet {
    let words: std::collections::HashSet<String, std::hash::BuildHasherDefault<WordHasher>> =
        lines(data).map(key).collect();
    let mut maybe = WordBits::default();
    for w in &words {
        maybe.insert(w);
    }
    WordSet { words, maybe }
}

/// One word of a pattern: a folded form, or a folded prefix (`زيار*`).
#[derive(Debug, Clone)]
pub struct Word {
    pub form: String,
    pub prefix: bool,
}

impl Word {
    fn parse(s: &str) -> Word {
        match s.strip_suffix('*') {
            Some(p) => Word {
                form: key(p),
                prefix: true,
            },
            None => Word {
                form: key(s),
                prefix: false,
            },
        }
    }

    fn matches(&self, w: &str) -> bool {
        if self.prefix {
            w.starts_with(self.form.as_str())
        } else {
            w == self.form
        }
    }
}

/// A pattern of one or more words; the first is matched with clitics stripped.
#[derive(Debug, Clone)]
pub struct Pattern<T> {
    pub words: Vec<Word>,
    pub value: T,
}

/// Patterns indexed by their first word (exact forms and prefixes apart).
#[derive(Debug)]
pub struct PatternSet<T> {
    exact: WordMap<Vec<Pattern<T>>>,
    prefix: WordMap<Vec<Pattern<T>>>,
    /// Byte lengths of the keys of `prefix`, so a stem is probed only at those lengths.
    prefix_lens: Vec<usize>,
    /// Quick filter on [`slot`] of the keys of `prefix`: most prefixes are no key and skip
    /// the hash lookup.
    maybe_prefix: [bool; 256],
    /// Quick filters on the stems' first bytes, so that most stems, which start like no
    /// prefix key, are skipped before any slicing or hashing: [`head`] of the first 6 bytes of
    /// the prefix keys that long, and of the first 4 bytes of the shorter ones (every bit set
    /// when a prefix key is shorter still).
    prefix_heads6: [u64; HEAD_WORDS],
    heads4: [u64; HEAD_WORDS],
    any4: bool,
    /// [`head`] of the first 4 bytes of every prefix key, read first (see [`head4`]); `None`
    /// when a prefix key is shorter than that.
    starts4: Option<[u64; HEAD_WORDS]>,
}

/// Size of [`PatternSet::heads`] in 64-bit words (4,096 bits).
const HEAD_WORDS: usize = 64;

/// [`head`]`(w, 4)` of a word of at least four bytes, read at once (`None` when shorter).
fn head4(w: &str) -> Option<usize> {
    let b = w.as_bytes().first_chunk::<4>()?;
    let x = u64::from(u32::from_le_bytes(*b));
    Some((x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize)
}

/// A hash of a word's first `n` bytes (all of them when it is shorter), in
/// `0..HEAD_WORDS * 64`.
fn head(w: &str, n: usize) -> usize {
    let mut x = 0u64;
    for (k, &b) in w.as_bytes().iter().take(n).enumerate() {
        x |= u64::from(b) << (8 * k);
    }
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize
}

/// A hash of a word's length, first four and last two bytes (its top bits are the best mixed):
/// two words that differ there are different words. The claim lists' filters and the
/// lexicon's take its top bits.
pub(crate) fn shape_hash(w: &str) -> u64 {
    let b = w.as_bytes();
    let mut x = b.len() as u64;
    for (k, &c) in b.iter().take(4).enumerate() {
        x |= u64::from(c) << (8 * (k + 1));
    }
    if let [.., y, z] = b {
        x ^= (u64::from(*y) << 40) | (u64::from(*z) << 48);
    }
    x.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// [`shape_hash`] in `0..HEAD_WORDS * 64` (4,096 bits).
fn word_bits(w: &str) -> usize {
    (shape_hash(w) >> 52) as usize
}

/// A set of [`word_bits`]: a quick filter before a hash lookup (no false negatives).
#[derive(Clone, Debug)]
pub struct WordBits([u64; HEAD_WORDS]);

impl Default for WordBits {
    fn default() -> Self {
        WordBits([0; HEAD_WORDS])
    }
}

impl WordBits {
    pub fn insert(&mut self, w: &str) {
        let h = word_bits(w);
        self.0[h / 64] |= 1 << (h % 64);
    }

    /// False when `w` was certainly never inserted.
    pub fn may_contain(&self, w: &str) -> bool {
        bit(&self.0, word_bits(w))
    }
}

fn bit(set: &[u64; HEAD_WORDS], h: usize) -> bool {
    set[h / 64] & (1 << (h % 64)) != 0
}

/// A byte of `w`'s (length, last byte), for the quick filters of [`PatternSet`].
fn slot(w: &str) -> usize {
    let last = w.as_bytes().last().copied().unwrap_or(0);
    usize::from((w.len() as u8).wrapping_mul(37).wrapping_add(last))
}

/// A form of a token with its leading clitics removed.
#[derive(Debug, Clone)]
pub struct Stem<'a> {
    pub form: Cow<'a, str>,
    /// Letters stripped.
    pub clitics: usize,
    /// A preposition (ب ل ك) was stripped: the stem is a noun, not a finite verb.
    pub prep: bool,
}

/// The forms a token may be once its leading clitics are removed: the token itself, then
/// without و/ف, then without ب/ل/ك, and لل+X read as الX.
/// Appended to `out`.
pub fn stems<'a>(w: &'a str, out: &mut Vec<Stem<'a>>) {
    fn stem(form: Cow<'_, str>, clitics: usize, prep: bool) -> Stem<'_> {
        Stem {
            form,
            clitics,
            prep,
        }
    }
    /// At least two characters (without counting them all).
    fn two_chars(r: &str) -> bool {
        let mut c = r.chars();
        c.next().is_some() && c.next().is_some()
    }
    out.push(stem(Cow::Borrowed(w), 0, false));
    // Only a word opening with و ف ب ل ك (two bytes each in UTF-8) has a clitic to strip.
    if !matches!(
        w.as_bytes(),
        [0xD9, 0x88 | 0x81 | 0x84 | 0x83, ..] | [0xD8, 0xA8, ..]
    ) {
        return;
    }
    let mut conj: [Option<(&str, usize)>; 2] = [Some((w, 0)), None];
    if let Some(r) = w.strip_prefix('و').or_else(|| w.strip_prefix('ف')) {
        if two_chars(r) {
            conj[1] = Some((r, 1));
            out.push(stem(Cow::Borrowed(r), 1, false));
        }
    }
    for (s, n) in conj.into_iter().flatten() {
        if let Some(r) = s.strip_prefix("لل") {
            if two_chars(r) {
                let mut form = String::with_capacity(r.len() + 4);
                form.push_str("ال");
                form.push_str(r);
                out.push(stem(Cow::Owned(form), n + 2, true));
            }
        }
        for p in ['ب', 'ل', 'ك'] {
            if let Some(r) = s.strip_prefix(p) {
                if two_chars(r) {
                    out.push(stem(Cow::Borrowed(r), n + 1, true));
                }
            }
        }
    }
}

/// The [`stems`] of every token (none for tokens that are not words), made once per text and
/// laid end to end in one vector, each with its [`ClaimWords::of`].
pub struct AllStems<'a> {
    stems: Vec<Stem<'a>>,
    /// [`ClaimWords::of`] of every stem, in the order of `stems`.
    info: Vec<u16>,
    /// Token `i`'s stems are `stems[ends[i - 1]..ends[i]]` (from 0 for the first).
    ends: Vec<usize>,
}

impl<'a> AllStems<'a> {
    /// The stems of token `i` (`None` past the last token).
    pub fn get(&self, i: usize) -> Option<&[Stem<'a>]> {
        let (start, end) = self.bounds(i)?;
        self.stems.get(start..end)
    }

    /// The [`ClaimWords`] bits of any stem of token `i` (0 past the last token, and for a
    /// token in no list that starts like no prefix key).
    pub fn any_info(&self, i: usize) -> u16 {
        self.info(i).iter().fold(0, |f, x| f | x)
    }

    /// [`ClaimWords::of`] of the stems of token `i` (empty past the last token).
    pub fn info(&self, i: usize) -> &[u16] {
        self.bounds(i)
            .and_then(|(start, end)| self.info.get(start..end))
            .unwrap_or(&[])
    }

    fn bounds(&self, i: usize) -> Option<(usize, usize)> {
        let end = *self.ends.get(i)?;
        let start = match i.checked_sub(1) {
            Some(p) => *self.ends.get(p)?,
            None => 0,
        };
        Some((start, end))
    }
}

pub fn all_stems(t: &Tokens) -> AllStems<'_> {
    let mut all = AllStems {
        stems: Vec::with_capacity(t.len() * 2),
        info: Vec::new(),
        ends: Vec::with_capacity(t.len()),
    };
    for i in 0..t.len() {
        if t.kind(i) == Some(Kind::Word) {
            stems(t.f(i), &mut all.stems);
        }
        all.ends.push(all.stems.len());
    }
    let words = &*CLAIM_WORDS;
    let triggers = &*TRIGGERS;
    let others = [&*ATTRIBUTION, &*NEGATION, &*MODALITY];
    all.info = all
        .stems
        .iter()
        .map(|s| {
            let mut f = words.of(&s.form);
            if triggers.may_prefix(&s.form) {
                f |= ClaimWords::TRIGGER_PREFIX;
            }
            if others.iter().any(|set| set.may_prefix(&s.form)) {
                f |= ClaimWords::OTHER_PREFIX;
            }
            f
        })
        .collect();
    all
}

/// Every word list of the claim finder in one map: a stem's lists in one probe. Low byte: the
/// [`WordFlags`] lists and the word sets (pair words, clause breaks, relative months); high
/// byte: the pattern sets of which it is an exact first word.
pub struct ClaimWords {
    map: WordMap<u16>,
    maybe: WordBits,
}

impl ClaimWords {
    /// A word standing for "the two countries" (`claim_pair_words.txt`).
    pub const PAIR: u16 = 8;
    /// A word opening a new clause (`claim_clause_breaks.txt`).
    pub const CLAUSE_BREAK: u16 = 16;
    /// A word making a month name relative, `نوفمبر الماضي` (`claim_relative_months.txt`).
    pub const RELATIVE_MONTH: u16 = 32;
    /// An exact first word of [`TRIGGERS`].
    pub const TRIGGER: u16 = 1 << 8;
    /// An exact first word of [`ATTRIBUTION`].
    pub const ATTRIBUTION: u16 = 1 << 9;
    /// An exact first word of [`NEGATION`].
    pub const NEGATION: u16 = 1 << 10;
    /// An exact first word of [`MODALITY`].
    pub const MODALITY: u16 = 1 << 11;
    /// May start with a prefix key of [`TRIGGERS`] (set by [`all_stems`], not by [`Self::of`]).
    pub const TRIGGER_PREFIX: u16 = 1 << 12;
    /// May start with a prefix key of the other pattern sets (set by [`all_stems`]).
    pub const OTHER_PREFIX: u16 = 1 << 13;

    /// The lists `w` is in (0 for none).
    pub fn of(&self, w: &str) -> u16 {
        if !self.maybe.may_contain(w) {
            return 0;
        }
        self.map.get(w).copied().unwrap_or(0)
    }
}

pub static CLAIM_WORDS: LazyLock<ClaimWords> = LazyLock::new(|| {
    let mut map: WordMap<u16> = WordMap::default();
    for (data, flag) in [
        (
            include_str!("../data/claim_blockers.txt"),
            u16::from(WordFlags::BLOCKER),
        ),
        (
            include_str!("../data/claim_recent_words.txt"),
            u16::from(WordFlags::RECENT),
        ),
        (
            include_str!("../data/claim_date_limits.txt"),
            u16::from(WordFlags::LIMIT),
        ),
        (
            include_str!("../data/claim_pair_words.txt"),
            ClaimWords::PAIR,
        ),
        (
            include_str!("../data/claim_clause_breaks.txt"),
            ClaimWords::CLAUSE_BREAK,
        ),
        (
            include_str!("../data/claim_relative_months.txt"),
            ClaimWords::RELATIVE_MONTH,
        ),
    ] {
        for w in lines(data).map(key) {
            *map.entry(w).or_default() |= flag;
        }
    }
    let keys: Vec<(&String, u16)> = TRIGGERS
        .exact_keys()
        .map(|k| (k, ClaimWords::TRIGGER))
        .chain(
            ATTRIBUTION
                .exact_keys()
                .map(|k| (k, ClaimWords::ATTRIBUTION)),
        )
        .chain(NEGATION.exact_keys().map(|k| (k, ClaimWords::NEGATION)))
        .chain(MODALITY.exact_keys().map(|k| (k, ClaimWords::MODALITY)))
        .collect();
    for (k, flag) in keys {
        *map.entry(k.clone()).or_default() |= flag;
    }
    let mut maybe = WordBits::default();
    for k in map.keys() {
        maybe.insert(k);
    }
    ClaimWords { map, maybe }
});

/// Whether a pattern may match a stem: finite verbs take no preposition (لبحث is a noun).
pub trait Accepts {
    fn accepts(&self, _stem: &Stem<'_>) -> bool {
        true
    }
}

impl Accepts for String {}

impl<T: Clone + Accepts> PatternSet<T> {
    fn new(items: Vec<Pattern<T>>) -> PatternSet<T> {
        let mut exact: WordMap<Vec<Pattern<T>>> = WordMap::default();
        let mut prefix: WordMap<Vec<Pattern<T>>> = WordMap::default();
        for p in items {
            let Some(first) = p.words.first() else {
                continue;
            };
            let map = if first.prefix {
                &mut prefix
            } else {
                &mut exact
            };
            map.entry(first.form.clone()).or_default().push(p);
        }
        let mut prefix_lens: Vec<usize> = prefix.keys().map(String::len).collect();
        prefix_lens.sort_unstable();
        prefix_lens.dedup();
        let mut maybe_prefix = [false; 256];
        for k in prefix.keys() {
            maybe_prefix[slot(k)] = true;
        }
        let mut heads4 = [0u64; HEAD_WORDS];
        let mut prefix_heads6 = [0u64; HEAD_WORDS];
        let mut any4 = false;
        let mut short = false;
        let mut starts4 = [0u64; HEAD_WORDS];
        for k in prefix.keys() {
            if let Some(h) = head4(k) {
                starts4[h / 64] |= 1 << (h % 64);
            }
            if k.len() >= 6 {
                let h = head(k, 6);
                prefix_heads6[h / 64] |= 1 << (h % 64);
            } else if k.len() >= 4 {
                let h = head(k, 4);
                heads4[h / 64] |= 1 << (h % 64);
                any4 = true;
            } else {
                short = true;
            }
        }
        if short {
            prefix_heads6 = [u64::MAX; HEAD_WORDS];
        }
        PatternSet {
            exact,
            prefix,
            prefix_lens,
            maybe_prefix,
            prefix_heads6,
            heads4,
            any4,
            starts4: (!short).then_some(starts4),
        }
    }

    /// Patterns matching at token `i`, whose clitic-stripped forms are `st`:
    /// (value, number of tokens, clitic letters stripped). Longest first. Which stems are a key
    /// of `exact` is known already (one probe of [`ClaimWords`] answers every list): bit `k`
    /// of `exact_hits` is set when `st[k]` is.
    pub fn at_known<'s>(
        &'s self,
        t: &Tokens,
        i: usize,
        st: &[Stem<'_>],
        exact_hits: u32,
    ) -> Vec<(&'s T, usize, usize)> {
        let mut out: Vec<(&'s T, usize, usize)> = Vec::new();
        if exact_hits == 0 && self.prefix_lens.is_empty() || t.kind(i) != Some(Kind::Word) {
            return out;
        }
        let mut try_all = |pats: &'s [Pattern<T>], stem: &Stem<'_>| {
            for p in pats {
                if !p.value.accepts(stem) {
                    continue;
                }
                let rest_ok = p.words.iter().enumerate().skip(1).all(|(k, w)| {
                    t.kind(i + k) == Some(Kind::Word)
                        && !t.toks.get(i + k).is_some_and(|x| x.newline_before)
                        && w.matches(t.f(i + k))
                });
                if rest_ok {
                    out.push((&p.value, p.words.len(), stem.clitics));
                }
            }
        };
        for (n, stem) in st.iter().enumerate() {
            let form: &str = &stem.form;
            if exact_hits >> n & 1 != 0 {
                if let Some(pats) = self.exact.get(form) {
                    try_all(pats, stem);
                }
            }
            if !self.may_prefix(form) {
                continue;
            }
            // `prefix_lens` is sorted.
            for &l in self.prefix_lens.iter().take_while(|&&l| l <= form.len()) {
                if let Some(pats) = form
                    .get(..l)
                    .filter(|p| self.maybe_prefix[slot(p)])
                    .and_then(|p| self.prefix.get(p))
                {
                    try_all(pats, stem);
                }
            }
        }
        if out.len() > 1 {
            out.sort_by_key(|x| std::cmp::Reverse(x.1));
        }
        out
    }

    /// False when no prefix key is a prefix of `form` (quick filters only: no false negative).
    pub fn may_prefix(&self, form: &str) -> bool {
        !self.prefix_lens.is_empty()
            && self
                .starts4
                .as_ref()
                .is_none_or(|s| head4(form).is_some_and(|h| bit(s, h)))
            && (bit(&self.prefix_heads6, head(form, 6))
                || self.any4 && bit(&self.heads4, head(form, 4)))
    }

    /// False when [`Self::at_known`] with these `exact_hits` certainly finds nothing.
    pub fn may_match(&self, exact_hits: u32) -> bool {
        exact_hits != 0 || !self.prefix_lens.is_empty()
    }

    /// The exact keys (first words that are whole forms).
    fn exact_keys(&self) -> impl Iterator<Item = &String> {
        self.exact.keys()
    }
}

fn lines(data: &str) -> impl Iterator<Item = &str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// A trigger: its claim type, whether it is a finite verb, and the words one of which must
/// be near it.
#[derive(Debug, Clone)]
pub struct Trigger {
    pub kind: ClaimType,
    /// A finer sense (`resume`, `suspend`) that restatement merging keeps apart.
    pub sense: String,
    pub verb: bool,
    pub near: Vec<Word>,
}

impl Accepts for Trigger {
    fn accepts(&self, stem: &Stem<'_>) -> bool {
        !(self.verb && stem.prep)
    }
}

pub static TRIGGERS: LazyLock<PatternSet<Trigger>> = LazyLock::new(|| {
    let mut items = Vec::new();
    for line in lines(include_str!("../data/claim_triggers.txt")) {
        let (head, near) = match line.split_once('|') {
            Some((h, n)) => (h, n.trim()),
            None => (line, ""),
        };
        let mut parts = head.split_whitespace();
        let Some((kind, sense)) = parts.next().and_then(|head| {
            let (k, sense) = head.split_once(':').unwrap_or((head, ""));
            ClaimType::parse(k).map(|k| (k, sense.to_string()))
        }) else {
            continue;
        };
        let mut verb = false;
        let mut words = Vec::new();
        for p in parts {
            if p == "v" && words.is_empty() && !verb {
                verb = true;
            } else {
                words.push(Word::parse(p));
            }
        }
        let near = near
            .strip_prefix("near=")
            .map(|n| n.split(',').map(|w| Word::parse(w.trim())).collect())
            .unwrap_or_default();
        items.push(Pattern {
            words,
            value: Trigger {
                kind,
                sense,
                verb,
                near,
            },
        });
    }
    PatternSet::new(items)
});

/// True when a word of `near` is within `window` tokens of token `i` (in `lo..hi`).
/// `st` are the tokens' [`all_stems`].
pub fn near(
    st: &AllStems<'_>,
    i: usize,
    words: &[Word],
    lo: usize,
    hi: usize,
    window: usize,
) -> bool {
    let from = i.saturating_sub(window).max(lo);
    let to = (i + window + 1).min(hi);
    (from..to).any(|k| {
        k != i
            && st
                .get(k)
                .is_some_and(|v| v.iter().any(|s| words.iter().any(|w| w.matches(&s.form))))
    })
}

fn tagged(data: &str) -> Vec<(String, Vec<Word>)> {
    lines(data)
        .filter_map(|l| {
            let mut parts = l.split_whitespace();
            let tag = parts.next()?.to_string();
            let words: Vec<Word> = parts.map(Word::parse).collect();
            (!words.is_empty()).then_some((tag, words))
        })
        .collect()
}

fn set_of(data: &str) -> PatternSet<String> {
    PatternSet::new(
        tagged(data)
            .into_iter()
            .map(|(tag, words)| Pattern { words, value: tag })
            .collect(),
    )
}

/// `planned` / `reported` markers.
pub static MODALITY: LazyLock<PatternSet<String>> =
    LazyLock::new(|| set_of(include_str!("../data/claim_modality.txt")));
/// `near` particles and `clause` verbs of denial.
pub static NEGATION: LazyLock<PatternSet<String>> =
    LazyLock::new(|| set_of(include_str!("../data/claim_negation.txt")));
/// `say` verbs and `per` prepositions.
pub static ATTRIBUTION: LazyLock<PatternSet<String>> =
    LazyLock::new(|| set_of(include_str!("../data/attribution.txt")));

/// Nouns naming a news outlet (`data/claim_media_heads.txt`).
pub static MEDIA_HEADS: LazyLock<WordSet> =
    LazyLock::new(|| word_set(include_str!("../data/claim_media_heads.txt")));

/// Irregular demonyms: folded country name → folded masculine demonyms.
pub static DEMONYMS: LazyLock<HashMap<String, Vec<String>>> = LazyLock::new(|| {
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for l in lines(include_str!("../data/claim_demonyms.txt")) {
        if let Some((country, dem)) = l.split_once('|') {
            m.entry(key(country))
                .or_default()
                .extend(dem.split_whitespace().map(key));
        }
    }
    m
});

/// The masculine demonym stems of a country name folded by [`key`]: the irregular ones
/// listed, and the regular one (drop ال and a final ا/يا/ه, add ي).
pub fn demonyms_of_key(k: &str) -> Vec<String> {
    let mut out = DEMONYMS.get(k).cloned().unwrap_or_default();
    if k.contains(' ') {
        return out;
    }
    let bare = k.strip_prefix("ال").unwrap_or(k);
    let stem = bare
        .strip_suffix("يا")
        .or_else(|| bare.strip_suffix('ا'))
        .or_else(|| bare.strip_suffix('ه'))
        .unwrap_or(bare);
    if stem.chars().count() >= 3 {
        out.push(format!("{stem}ي"));
    }
    out
}

/// Capital → country, both folded (`الرباط` → `المغرب`).
pub static CAPITALS: LazyLock<HashMap<String, String>> = LazyLock::new(|| {
    lines(include_str!("../data/claim_capitals.txt"))
        .filter_map(|l| l.split_once('|'))
        .map(|(a, b)| (key(a), key(b)))
        .collect()
});

/// Bits of [`ClaimWords::of`] for three word lists: `claim_blockers.txt`,
/// `claim_recent_words.txt` and `claim_date_limits.txt`.
pub struct WordFlags;

impl WordFlags {
    /// Words making a following trigger an aim or a possibility (`يسمح ... باقتناء`).
    pub const BLOCKER: u8 = 1;
    /// Weekdays and `أمس`: the event is of the article's days.
    pub const RECENT: u8 = 2;
    /// Words making a following date a limit (`إلى غاية 2030`), not an event's date.
    pub const LIMIT: u8 = 4;
}
