//! The claim finder's word lists (triggers, modality, negation, attribution, clause breaks),
//! compiled once from `data/` and matched on folded tokens with their clitics stripped.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use crate::dates::tokens::{Kind, Tokens};
use dossier_core::model::ClaimType;
use dossier_core::text::key;

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

    /// False when `w` is certainly in no list (a quick filter, read on the bytes).
    #[inline]
    pub fn may_contain_bytes(&self, w: &[u8]) -> bool {
        self.maybe.may_contain_bytes(w)
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
#[inline]
fn head4(w: &str) -> Option<usize> {
    let b = w.as_bytes().first_chunk::<4>()?;
    let x = u64::from(u32::from_le_bytes(*b));
    Some((x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize)
}

/// A hash of a word's first `n` bytes (all of them when it is shorter), in
/// `0..HEAD_WORDS * 64`.
#[inline]
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
#[inline]
pub(crate) fn shape_hash(w: &str) -> u64 {
    shape_hash_of(w.as_bytes())
}

/// [`shape_hash`] of a word's bytes.
#[inline]
pub(crate) fn shape_hash_of(b: &[u8]) -> u64 {
    let mut x = b.len() as u64;
    // The first four bytes read at once when there are four (most words).
    match b.first_chunk::<4>() {
        Some(c) => x |= u64::from(u32::from_le_bytes(*c)) << 8,
        None => {
            for (k, &c) in b.iter().enumerate() {
                x |= u64::from(c) << (8 * (k + 1));
            }
        }
    }
    if let [.., y, z] = b {
        x ^= (u64::from(*y) << 40) | (u64::from(*z) << 48);
    }
    x.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// [`shape_hash`] in `0..HEAD_WORDS * 64` (4,096 bits).
#[inline]
fn word_bits(w: &[u8]) -> usize {
    (shape_hash_of(w) >> 52) as usize
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
        let h = word_bits(w.as_bytes());
        self.0[h / 64] |= 1 << (h % 64);
    }

    /// False when `w` was certainly never inserted.
    #[inline]
    pub fn may_contain(&self, w: &str) -> bool {
        self.may_contain_bytes(w.as_bytes())
    }

    /// [`Self::may_contain`] of a word's bytes.
    #[inline]
    pub fn may_contain_bytes(&self, w: &[u8]) -> bool {
        bit(&self.0, word_bits(w))
    }
}

#[inline]
fn bit(set: &[u64; HEAD_WORDS], h: usize) -> bool {
    set[h / 64] & (1 << (h % 64)) != 0
}

/// A byte of `w`'s (length, last byte), for the quick filters of [`PatternSet`].
fn slot(w: &str) -> usize {
    let last = w.as_bytes().last().copied().unwrap_or(0);
    usize::from((w.len() as u8).wrapping_mul(37).wrapping_add(last))
}

/// Where a stem of a word lies, without its form built: the word from byte `start` on, read
/// after an `ا` when `article` (لل+X is read as الX: `ا`, then the ل+X of the word).
#[derive(Debug, Clone, Copy, Default)]
pub struct StemAt {
    /// 0, 2 or 4: the clitics are two-byte letters.
    start: u8,
    /// Letters stripped.
    clitics: u8,
    /// A preposition (ب ل ك) was stripped: the stem is a noun, not a finite verb.
    prep: bool,
    article: bool,
}

impl StemAt {
    /// The stem's form: a slice of `w`, or built in `buf` (لل+X read as الX).
    pub fn form<'w>(&self, w: &'w str, buf: &'w mut String) -> &'w str {
        let rest = w.get(usize::from(self.start)..).unwrap_or("");
        if !self.article {
            return rest;
        }
        buf.clear();
        buf.push('ا');
        buf.push_str(rest);
        buf
    }

    /// The stem, its form borrowed from `w` unless built.
    pub fn stem<'w>(&self, w: &'w str) -> Stem<'w> {
        let rest = w.get(usize::from(self.start)..).unwrap_or("");
        let form = if self.article {
            let mut built = String::with_capacity(rest.len() + 2);
            built.push('ا');
            built.push_str(rest);
            Cow::Owned(built)
        } else {
            Cow::Borrowed(rest)
        };
        Stem {
            form,
            clitics: usize::from(self.clitics),
            prep: self.prep,
        }
    }
}

/// The stems of one word, in the order of [`stems`]: at most six.
#[derive(Debug, Clone, Copy, Default)]
pub struct StemsAt {
    found: [StemAt; 6],
    len: u8,
}

impl StemsAt {
    fn push(&mut self, s: StemAt) {
        if let Some(slot) = self.found.get_mut(usize::from(self.len)) {
            *slot = s;
            self.len += 1;
        }
    }

    pub fn as_slice(&self) -> &[StemAt] {
        self.found.get(..usize::from(self.len)).unwrap_or(&[])
    }
}

/// [`stems`] of `w` as places in it, no form built: the word itself, then without و/ف, then
/// without ب/ل/ك, and لل+X read as الX.
pub fn stems_at(w: &str) -> StemsAt {
    /// At least two characters (a first one, and more bytes than it takes).
    fn two_chars(r: &[u8]) -> bool {
        r.first().is_some_and(|&b| {
            let first = match b {
                0..0x80 => 1,
                0x80..0xE0 => 2,
                0xE0..0xF0 => 3,
                _ => 4,
            };
            r.len() > first
        })
    }
    let mut out = StemsAt {
        found: [StemAt::default(); 6],
        len: 1,
    };
    let b = w.as_bytes();
    // Only a word opening with و ف ب ل ك (two bytes each in UTF-8) has a clitic to strip.
    let Some(&[x, y]) = b.first_chunk::<2>() else {
        return out;
    };
    if !matches!((x, y), (0xD9, 0x88 | 0x81 | 0x84 | 0x83) | (0xD8, 0xA8)) {
        return out;
    }
    // Where the prepositions are stripped from (byte offset, letters stripped before): the
    // word, and the word without و/ف.
    let mut conj: [Option<(u8, u8)>; 2] = [Some((0, 0)), None];
    // و and ف.
    if x == 0xD9 && matches!(y, 0x88 | 0x81) && two_chars(b.get(2..).unwrap_or(&[])) {
        conj[1] = Some((2, 1));
        out.push(StemAt {
            start: 2,
            clitics: 1,
            ..StemAt::default()
        });
    }
    for (off, n) in conj.into_iter().flatten() {
        let s = b.get(usize::from(off)..).unwrap_or(&[]);
        // لل then at least two characters.
        if s.starts_with(&[0xD9, 0x84, 0xD9, 0x84]) && two_chars(s.get(4..).unwrap_or(&[])) {
            out.push(StemAt {
                start: off + 2,
                clitics: n + 2,
                prep: true,
                article: true,
            });
        }
        // ب ل ك then at least two characters.
        let prep = matches!(s, [0xD8, 0xA8, ..] | [0xD9, 0x84 | 0x83, ..]);
        if prep && two_chars(s.get(2..).unwrap_or(&[])) {
            out.push(StemAt {
                start: off + 2,
                clitics: n + 1,
                prep: true,
                article: false,
            });
        }
    }
    out
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
    out.extend(stems_at(w).as_slice().iter().map(|s| s.stem(w)));
}

/// What the word lists say of one word, the same in every text: kept in a [`WordMemo`].
#[derive(Debug, Clone, Copy, Default)]
pub struct WordInfo {
    /// [`StemLists::bits`] of the word itself (its first stem).
    pub own: u16,
    /// The bits of all the stems together.
    pub any: u16,
    /// [`head3`] of each stem's form without its article (ال), where a demonym may start
    /// ([`NO_HEAD`] when shorter than three letters).
    pub heads: [u16; 6],
    /// How many stems the word has.
    pub stems: u8,
    /// Where its [`First`]s lie in the memo (see [`WordMemo::firsts`]).
    firsts: (u32, u32),
    /// Those are in the memo's place for a word it does not keep.
    passing: bool,
    /// The word's entry in the memo ([`NO_ENTRY`] when not kept).
    pub entry: u32,
}

/// [`WordInfo::entry`] of a word the memo does not keep.
pub const NO_ENTRY: u32 = u32::MAX;

/// A pattern one of whose first words a stem of a word is (with the clitic letters stripped
/// to read it), and which accepts that stem: what [`PatternSet::first_words`] finds of a word
/// before the words after it are looked at.
#[derive(Debug, Clone, Copy)]
pub enum First {
    Trigger(&'static Pattern<Trigger>, usize),
    /// [`ATTRIBUTION`] (0), [`NEGATION`] (1) or [`MODALITY`] (2).
    Other(usize, &'static Pattern<String>, usize),
}

/// [`WordInfo::heads`] of a form too short for [`head3`].
pub const NO_HEAD: u16 = u16::MAX;

/// The first six bytes (three Arabic letters) of a word, hashed into `0..4096` (`None` when
/// shorter).
#[inline]
pub fn head3(w: &[u8]) -> Option<usize> {
    w.first_chunk::<6>().map(|b| {
        let mut x = 0u64;
        for (k, &c) in b.iter().enumerate() {
            x |= u64::from(c) << (8 * k);
        }
        (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize
    })
}

impl WordInfo {
    /// Reads `w`'s stems against the lists (`buf` holds a stem built), and appends to
    /// `firsts` the patterns of which a stem is a first word, set by set ([`TRIGGERS`] first,
    /// then [`ATTRIBUTION`], [`NEGATION`] and [`MODALITY`]), each in the order
    /// [`PatternSet::first_words`] gives.
    pub fn of(w: &str, lists: &StemLists, buf: &mut String, firsts: &mut Vec<First>) -> WordInfo {
        let mut info = WordInfo {
            heads: [NO_HEAD; 6],
            entry: NO_ENTRY,
            ..WordInfo::default()
        };
        let spans = stems_at(w);
        // Which stems are an exact first word of each pattern set.
        let mut hits = [0u32; 4];
        for (n, (s, h)) in spans
            .as_slice()
            .iter()
            .zip(info.heads.iter_mut())
            .enumerate()
        {
            let form = s.form(w, buf);
            let b = lists.bits(form);
            if n == 0 {
                info.own = b;
            }
            info.any |= b;
            for (hit, set) in hits.iter_mut().zip([
                ClaimWords::TRIGGER,
                ClaimWords::ATTRIBUTION,
                ClaimWords::NEGATION,
                ClaimWords::MODALITY,
            ]) {
                if b & set != 0 {
                    *hit |= 1 << n;
                }
            }
            let f = form.as_bytes();
            let bare = f.strip_prefix(&[0xD8, 0xA7, 0xD9, 0x84]).unwrap_or(f);
            if let Some(x) = head3(bare) {
                *h = x as u16;
            }
            info.stems += 1;
        }
        let start = firsts.len() as u32;
        // A word in no list, and starting like no pattern, is the first word of none.
        if info.any != 0 {
            let st: Vec<Stem<'_>> = spans.as_slice().iter().map(|s| s.stem(w)).collect();
            lists.triggers.first_words(&st, hits[0], |p, c| {
                firsts.push(First::Trigger(p, c));
            });
            for (k, (set, h)) in lists.others.iter().zip(&hits[1..]).enumerate() {
                set.first_words(&st, *h, |p, c| firsts.push(First::Other(k, p, c)));
            }
        }
        info.firsts = (start, firsts.len() as u32);
        info
    }

    /// The [`Self::heads`] of the stems.
    pub fn heads(&self) -> &[u16] {
        self.heads.get(..usize::from(self.stems)).unwrap_or(&[])
    }

    /// Some stem is the first word of some pattern.
    pub fn has_firsts(&self) -> bool {
        self.firsts.1 > self.firsts.0
    }
}

/// A hash of a word for [`WordMemo`]: its length and its first and last eight bytes (four,
/// then the bytes one by one, for shorter words); words differing only in between share it
/// and are told apart by comparing them.
#[inline]
fn memo_hash(b: &[u8]) -> u64 {
    let (x, y) = match (b.first_chunk::<8>(), b.last_chunk::<8>()) {
        (Some(x), Some(y)) => (u64::from_le_bytes(*x), u64::from_le_bytes(*y)),
        _ => match (b.first_chunk::<4>(), b.last_chunk::<4>()) {
            (Some(x), Some(y)) => (
                u64::from(u32::from_le_bytes(*x)),
                u64::from(u32::from_le_bytes(*y)),
            ),
            _ => {
                let mut x = 0u64;
                for (k, &c) in b.iter().enumerate() {
                    x |= u64::from(c) << (8 * k);
                }
                (x, 0)
            }
        },
    };
    let h = (x.rotate_left(23) ^ y ^ (b.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_mul(WORD_HASH_K);
    h ^ (h >> 31)
}

/// `a == b`, words of up to sixteen bytes compared as two (overlapping) eight-byte numbers
/// instead of through a call.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    match (
        a.first_chunk::<8>(),
        a.last_chunk::<8>(),
        b.first_chunk::<8>(),
        b.last_chunk::<8>(),
    ) {
        (Some(w), Some(x), Some(y), Some(z)) if a.len() <= 16 => w == y && x == z,
        _ => a == b,
    }
}

/// The [`WordInfo`] of the words a thread has met, so that a word met before (most words
/// of a text) is read once: a table of the words' hashes, open addressing, over the words
/// laid end to end in one string. Emptied when full.
#[derive(Default)]
pub struct WordMemo {
    /// Entry number + 1 of each slot (0: empty); twice [`Self::MAX_WORDS`] slots.
    slots: Vec<u32>,
    entries: Vec<MemoEntry>,
    words: String,
    /// The [`First`]s of the words kept, laid end to end.
    firsts: Vec<First>,
    /// Those of the last word read and not kept.
    passing: Vec<First>,
}

struct MemoEntry {
    hash: u64,
    start: usize,
    end: usize,
    info: WordInfo,
    /// [`WordMemo::near_bits`], once asked.
    near: Option<u64>,
}

impl WordMemo {
    /// Words kept at most (about 1 MB of memory with the table).
    const MAX_WORDS: usize = 1 << 14;
    /// Longer words are read each time, not kept.
    const MAX_LEN: usize = 64;

    /// The [`WordInfo`] of the word whose bytes are `w`, read from the memo or found and
    /// kept.
    #[inline]
    pub fn get(&mut self, w: &[u8], lists: &StemLists, buf: &mut String) -> WordInfo {
        let hash = memo_hash(w);
        if let Some(n) = self.find(w, hash) {
            if let Some(e) = self.entries.get(n) {
                return e.info;
            }
        }
        // A word of a text: whole characters.
        self.add(std::str::from_utf8(w).unwrap_or(""), hash, lists, buf)
    }

    /// The entry of `w`, whose [`memo_hash`] is `hash`.
    #[inline]
    fn find(&self, w: &[u8], hash: u64) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut pos = hash as usize & mask;
        loop {
            let n = usize::try_from(*self.slots.get(pos)?)
                .ok()?
                .checked_sub(1)?;
            let e = self.entries.get(n)?;
            if e.hash == hash
                && self
                    .words
                    .as_bytes()
                    .get(e.start..e.end)
                    .is_some_and(|k| same_bytes(k, w))
            {
                return Some(n);
            }
            pos = (pos + 1) & mask;
        }
    }

    /// The [`First`]s of a word read from this memo.
    pub fn firsts(&self, info: &WordInfo) -> &[First] {
        let all = if info.passing {
            &self.passing
        } else {
            &self.firsts
        };
        all.get(info.firsts.0 as usize..info.firsts.1 as usize)
            .unwrap_or(&[])
    }

    /// Before a text: a memo full since the last one is emptied (never during a text, whose
    /// tokens keep their words' entries).
    pub fn start_text(&mut self) {
        if self.slots.is_empty() || self.entries.len() >= Self::MAX_WORDS {
            self.slots.clear();
            self.slots.resize(2 * Self::MAX_WORDS, 0);
            self.entries.clear();
            self.words.clear();
            self.firsts.clear();
        }
    }

    /// Bit `n` is set when a stem of entry `id`'s word is a word of [`NEAR_LISTS`]`[n]`.
    pub fn near_bits(&mut self, id: u32) -> u64 {
        let Some(e) = self.entries.get(id as usize) else {
            return 0;
        };
        if let Some(bits) = e.near {
            return bits;
        }
        let w = self.words.get(e.start..e.end).unwrap_or("");
        let mut buf = String::new();
        let mut bits = 0u64;
        for (n, list) in NEAR_LISTS.iter().enumerate().take(64) {
            if near_word(w, list, &mut buf) {
                bits |= 1 << n;
            }
        }
        if let Some(e) = self.entries.get_mut(id as usize) {
            e.near = Some(bits);
        }
        bits
    }

    /// [`Self::get`] of a word not kept yet: read, and kept unless too long or the memo is
    /// full (see [`Self::start_text`]).
    #[cold]
    #[inline(never)]
    fn add(&mut self, w: &str, hash: u64, lists: &StemLists, buf: &mut String) -> WordInfo {
        if w.len() > Self::MAX_LEN || self.slots.is_empty() || self.entries.len() >= Self::MAX_WORDS
        {
            self.passing.clear();
            let mut info = WordInfo::of(w, lists, buf, &mut self.passing);
            info.passing = true;
            return info;
        }
        let mut info = WordInfo::of(w, lists, buf, &mut self.firsts);
        info.entry = self.entries.len() as u32;
        // The first empty slot from the word's own (there is one: the table is never more
        // than half full).
        let mask = self.slots.len() - 1;
        let mut pos = hash as usize & mask;
        while self.slots.get(pos).is_some_and(|&n| n != 0) {
            pos = (pos + 1) & mask;
        }
        if let Some(slot) = self.slots.get_mut(pos) {
            let start = self.words.len();
            self.words.push_str(w);
            self.entries.push(MemoEntry {
                hash,
                start,
                end: self.words.len(),
                info,
                near: None,
            });
            *slot = self.entries.len() as u32;
        }
        info
    }
}

/// Every word list of the claim finder in one map: a stem's lists in one probe. Low byte: the
/// [`WordFlags`] lists and the word sets (pair words, clause breaks, relative months); high
/// byte: the pattern sets of which it is an exact first word.
pub struct ClaimWords {
    map: WordMap<u16>,
    maybe: WordBits,
}

/// The union of the pattern sets' [`PatternSet::starts4`] (`None` when some set has a
/// prefix key shorter than four bytes): a stem starting like none of them may start with no
/// prefix key of any set.
static PREFIX_STARTS: LazyLock<Option<[u64; HEAD_WORDS]>> = LazyLock::new(|| {
    let mut all = [0u64; HEAD_WORDS];
    let sets = [
        (&TRIGGERS.prefix_lens, &TRIGGERS.starts4),
        (&ATTRIBUTION.prefix_lens, &ATTRIBUTION.starts4),
        (&NEGATION.prefix_lens, &NEGATION.starts4),
        (&MODALITY.prefix_lens, &MODALITY.starts4),
    ];
    for (lens, starts) in sets {
        if lens.is_empty() {
            continue;
        }
        let starts = starts.as_ref()?;
        for (a, b) in all.iter_mut().zip(starts) {
            *a |= b;
        }
    }
    Some(all)
});

/// The word lists [`Self::bits`] reads, taken once for a whole text.
pub struct StemLists {
    pub words: &'static ClaimWords,
    pub triggers: &'static PatternSet<Trigger>,
    /// [`ATTRIBUTION`], [`NEGATION`] and [`MODALITY`].
    pub others: [&'static PatternSet<String>; 3],
    starts: &'static Option<[u64; HEAD_WORDS]>,
}

impl StemLists {
    pub fn get() -> StemLists {
        StemLists {
            words: &CLAIM_WORDS,
            triggers: &TRIGGERS,
            others: [&ATTRIBUTION, &NEGATION, &MODALITY],
            starts: &PREFIX_STARTS,
        }
    }

    /// The [`ClaimWords`] bits of one stem's form: [`ClaimWords::of`], with
    /// [`ClaimWords::TRIGGER_PREFIX`] and [`ClaimWords::OTHER_PREFIX`] set when the pattern
    /// sets' quick filters say it may start with one of their prefix keys.
    #[inline]
    pub fn bits(&self, form: &str) -> u16 {
        let mut f = self.words.of(form);
        let may_start = match self.starts {
            Some(starts) => head4(form).is_some_and(|h| bit(starts, h)),
            None => true,
        };
        if may_start {
            if self.triggers.may_prefix(form) {
                f |= ClaimWords::TRIGGER_PREFIX;
            }
            if self.others.iter().any(|set| set.may_prefix(form)) {
                f |= ClaimWords::OTHER_PREFIX;
            }
        }
        f
    }
}

impl ClaimWords {
    /// A word standing for "the two countries" (`claim_pair_words.txt`).
    pub const PAIR: u16 = 8;
    /// A word opening a new clause (`claim_clause_breaks.txt`).
    pub const CLAUSE_BREAK: u16 = 16;
    /// A word making a month name relative, `نوفمبر الماضي` (`claim_relative_months.txt`).
    pub const RELATIVE_MONTH: u16 = 32;
    /// A head noun standing for an organization named before it (`claim_anaphors.txt`).
    pub const ANAPHOR: u16 = 64;
    /// A demonstrative (`claim_demonstratives.txt`), matched on the word as written.
    pub const DEMONSTRATIVE: u16 = 128;
    /// An exact first word of [`TRIGGERS`].
    pub const TRIGGER: u16 = 1 << 8;
    /// An exact first word of [`ATTRIBUTION`].
    pub const ATTRIBUTION: u16 = 1 << 9;
    /// An exact first word of [`NEGATION`].
    pub const NEGATION: u16 = 1 << 10;
    /// An exact first word of [`MODALITY`].
    pub const MODALITY: u16 = 1 << 11;
    /// May start with a prefix key of [`TRIGGERS`] (set by [`StemLists::bits`], not by
    /// [`Self::of`]).
    pub const TRIGGER_PREFIX: u16 = 1 << 12;
    /// May start with a prefix key of the other pattern sets (set by [`StemLists::bits`]).
    pub const OTHER_PREFIX: u16 = 1 << 13;

    /// [`Self::of`] of a word's bytes (a word of a text: whole characters).
    #[inline]
    pub fn of_bytes(&self, w: &[u8]) -> u16 {
        if !self.maybe.may_contain_bytes(w) {
            return 0;
        }
        std::str::from_utf8(w).map_or(0, |w| self.of(w))
    }

    /// The lists `w` is in (0 for none).
    #[inline]
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
        (
            include_str!("../data/claim_anaphors.txt"),
            ClaimWords::ANAPHOR,
        ),
        (
            include_str!("../data/claim_demonstratives.txt"),
            ClaimWords::DEMONSTRATIVE,
        ),
    ] {
        for w in lines(data).map(|l| key(l.split('|').next().unwrap_or(l).trim())) {
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

impl<T> Pattern<T> {
    /// The pattern's words after the first are the words after token `i`, on its line.
    pub fn rest_matches(&self, t: &Tokens, i: usize) -> bool {
        self.words.iter().enumerate().skip(1).all(|(k, w)| {
            t.kind(i + k) == Some(Kind::Word)
                && !t.toks.get(i + k).is_some_and(|x| x.newline_before)
                && w.matches(t.f(i + k))
        })
    }
}

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

    /// Calls `found` with every pattern one of whose first words is a stem of `st` (a word's
    /// [`stems`], in order) and which accepts it, with the clitic letters stripped: stem by
    /// stem, the patterns of which it is the exact first word, then those whose first word
    /// it starts with, shortest first. Which stems are a key of `exact` is known already (one
    /// probe of [`ClaimWords`] answers every list): bit `k` of `exact_hits` is set when
    /// `st[k]` is.
    pub fn first_words(
        &'static self,
        st: &[Stem<'_>],
        exact_hits: u32,
        mut found: impl FnMut(&'static Pattern<T>, usize),
    ) {
        if exact_hits == 0 && self.prefix_lens.is_empty() {
            return;
        }
        let mut try_all = |pats: &'static [Pattern<T>], stem: &Stem<'_>| {
            for p in pats {
                if p.value.accepts(stem) {
                    found(p, stem.clitics);
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
    }

    /// False when no prefix key is a prefix of `form` (quick filters only: no false negative).
    #[inline]
    pub fn may_prefix(&self, form: &str) -> bool {
        !self.prefix_lens.is_empty()
            && self
                .starts4
                .as_ref()
                .is_none_or(|s| head4(form).is_some_and(|h| bit(s, h)))
            && (bit(&self.prefix_heads6, head(form, 6))
                || self.any4 && bit(&self.heads4, head(form, 4)))
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

/// How a trigger stands with the other triggers of its clause (`data/claim_frames.txt`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Frame {
    /// A claim of its own, whatever else the clause says.
    #[default]
    Plain,
    /// A reporting verb (أعلن، أكد): the claim is typed by what is reported, so it stands only
    /// when no other trigger follows it in its clause.
    Report,
    /// A speech act that is itself the event (دعا، طالب، حذر): what it asks for or warns of,
    /// later in its clause, is no fact, and no claim.
    Govern,
    /// A general event word (وافق، هجوم): it gives way to a trigger of another, more specific
    /// type in its clause (وافقت على صفقة is an acquisition).
    Weak,
}

/// A trigger: its claim type, whether it is a finite verb, and the words one of which must
/// be near it.
#[derive(Debug, Clone)]
pub struct Trigger {
    pub kind: ClaimType,
    /// A finer sense (`resume`, `suspend`) that restatement merging keeps apart.
    pub sense: String,
    /// The words are no trigger (a `NONE` line): a longer phrase that shadows a shorter
    /// trigger (ولا ينتج عنه is no production).
    pub none: bool,
    /// See [`Frame`]; from the type and sense.
    pub frame: Frame,
    pub verb: bool,
    pub near: Vec<Word>,
    /// The number of `near` among the distinct near-word lists (see [`NEAR_LISTS`]), when
    /// there are few enough for a word's matches to fit a [`u64`].
    pub near_id: Option<usize>,
}

impl Accepts for Trigger {
    fn accepts(&self, stem: &Stem<'_>) -> bool {
        !(self.verb && stem.prep)
    }
}

/// The frame of each `TYPE:sense` (or `TYPE`) that has one (`data/claim_frames.txt`).
pub static FRAMES: LazyLock<WordMap<Frame>> = LazyLock::new(|| {
    lines(include_str!("../data/claim_frames.txt"))
        .filter_map(|l| {
            let (sense, frame) = l.split_once(char::is_whitespace)?;
            let frame = match frame.trim() {
                "report" => Frame::Report,
                "govern" => Frame::Govern,
                "weak" => Frame::Weak,
                _ => Frame::Plain,
            };
            Some((sense.to_string(), frame))
        })
        .collect()
});

pub static TRIGGERS: LazyLock<PatternSet<Trigger>> = LazyLock::new(|| {
    let mut items = Vec::new();
    // The distinct near-word lists, by their words.
    let mut near_lists: Vec<Vec<(String, bool)>> = Vec::new();
    for line in lines(include_str!("../data/claim_triggers.txt")) {
        let (head, near) = match line.split_once('|') {
            Some((h, n)) => (h, n.trim()),
            None => (line, ""),
        };
        let mut parts = head.split_whitespace();
        let Some((kind, sense, none)) = parts.next().and_then(|head| {
            if head == "NONE" {
                return Some((ClaimType::Other, String::new(), true));
            }
            let (k, sense) = head.split_once(':').unwrap_or((head, ""));
            ClaimType::parse(k).map(|k| (k, sense.to_string(), false))
        }) else {
            continue;
        };
        let frame = FRAMES
            .get(head.split_whitespace().next().unwrap_or(""))
            .or_else(|| FRAMES.get(kind.as_str()))
            .copied()
            .unwrap_or_default();
        let mut verb = false;
        let mut words = Vec::new();
        for p in parts {
            if p == "v" && words.is_empty() && !verb {
                verb = true;
            } else {
                words.push(Word::parse(p));
            }
        }
        let near: Vec<Word> = near
            .strip_prefix("near=")
            .map(|n| n.split(',').map(|w| Word::parse(w.trim())).collect())
            .unwrap_or_default();
        let near_id = (!near.is_empty())
            .then(|| {
                let key: Vec<(String, bool)> =
                    near.iter().map(|w| (w.form.clone(), w.prefix)).collect();
                near_lists
                    .iter()
                    .position(|l| *l == key)
                    .unwrap_or_else(|| {
                        near_lists.push(key);
                        near_lists.len() - 1
                    })
            })
            .filter(|&n| n < 64);
        items.push(Pattern {
            words,
            value: Trigger {
                kind,
                sense,
                none,
                frame,
                verb,
                near,
                near_id,
            },
        });
    }
    PatternSet::new(items)
});

/// The distinct near-word lists of the triggers, by [`Trigger::near_id`].
pub static NEAR_LISTS: LazyLock<Vec<&'static [Word]>> = LazyLock::new(|| {
    let mut lists: Vec<&'static [Word]> = Vec::new();
    let set: &'static PatternSet<Trigger> = &TRIGGERS;
    for p in set.exact.values().chain(set.prefix.values()).flatten() {
        if let Some(n) = p.value.near_id {
            if lists.len() <= n {
                lists.resize(n + 1, &[]);
            }
            if let Some(slot) = lists.get_mut(n) {
                *slot = &p.value.near;
            }
        }
    }
    lists
});

/// True when a word of `tr`'s near-words is within `window` tokens of token `i` (in
/// `lo..hi`), read on the words' [`stems`]: from the memo's [`WordMemo::near_bits`] for the
/// words whose entry `ids` gives, else on the stems themselves (`buf` holds a stem built).
#[allow(clippy::too_many_arguments)]
pub fn near(
    t: &Tokens,
    i: usize,
    tr: &Trigger,
    (lo, hi): (usize, usize),
    window: usize,
    memo: &mut WordMemo,
    ids: &[u32],
    buf: &mut String,
) -> bool {
    let from = i.saturating_sub(window).max(lo);
    let to = (i + window + 1).min(hi);
    (from..to).any(|k| {
        if k == i || t.kind(k) != Some(Kind::Word) {
            return false;
        }
        if let (Some(n), Some(&id)) = (tr.near_id, ids.get(k)) {
            if id != NO_ENTRY {
                return memo.near_bits(id) >> n & 1 != 0;
            }
        }
        near_word(t.f(k), &tr.near, buf)
    })
}

/// A stem of `w` is one of `words`.
fn near_word(w: &str, words: &[Word], buf: &mut String) -> bool {
    stems_at(w).as_slice().iter().any(|s| {
        let form = s.form(w, buf);
        words.iter().any(|x| x.matches(form))
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

/// Words presenting a person as a commentator (`data/claim_commentators.txt`).
pub static COMMENTATORS: LazyLock<WordSet> =
    LazyLock::new(|| word_set(include_str!("../data/claim_commentators.txt")));

/// Irregular demonyms: folded country name → folded masculine demonyms.
pub static DEMONYMS: LazyLock<WordMap<Vec<String>>> = LazyLock::new(|| {
    let mut m: WordMap<Vec<String>> = WordMap::default();
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
pub static CAPITALS: LazyLock<WordMap<String>> = LazyLock::new(|| {
    lines(include_str!("../data/claim_capitals.txt"))
        .filter_map(|l| l.split_once('|'))
        .map(|(a, b)| (key(a), key(b)))
        .collect()
});

/// The anaphoric head nouns (`claim_anaphors.txt`): folded word → the folded first words
/// (without ال) of the organizations it may stand for.
pub static ANAPHORS: LazyLock<WordMap<Vec<String>>> = LazyLock::new(|| {
    lines(include_str!("../data/claim_anaphors.txt"))
        .filter_map(|l| l.split_once('|'))
        .map(|(a, b)| (key(a.trim()), b.split_whitespace().map(key).collect()))
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

#[cfg(test)]
mod tests {
    use super::*;

    /// [`stems`] as first written, on characters.
    fn stems_reference(w: &str) -> Vec<(String, usize, bool)> {
        fn two_chars(r: &str) -> bool {
            r.chars().count() >= 2
        }
        let mut out = vec![(w.to_string(), 0, false)];
        if !matches!(w.chars().next(), Some('و' | 'ف' | 'ب' | 'ل' | 'ك')) {
            return out;
        }
        let mut conj = vec![(w, 0)];
        if let Some(r) = w.strip_prefix('و').or_else(|| w.strip_prefix('ف')) {
            if two_chars(r) {
                conj.push((r, 1));
                out.push((r.to_string(), 1, false));
            }
        }
        for (s, n) in conj {
            if let Some(r) = s.strip_prefix("لل") {
                if two_chars(r) {
                    out.push((format!("ال{r}"), n + 2, true));
                }
            }
            for p in ['ب', 'ل', 'ك'] {
                if let Some(r) = s.strip_prefix(p) {
                    if two_chars(r) {
                        out.push((r.to_string(), n + 1, true));
                    }
                }
            }
        }
        out
    }

    fn stems_of(w: &str) -> Vec<(String, usize, bool)> {
        let mut v = Vec::new();
        stems(w, &mut v);
        v.into_iter()
            .map(|s| (s.form.into_owned(), s.clitics, s.prep))
            .collect()
    }

    #[test]
    fn stems_of_words_with_clitics() {
        for w in [
            "وللتعاون",
            "فبالتعاون",
            "للتعاون",
            "لل",
            "للا",
            "ولل",
            "وب",
            "وبا",
            "كما",
            "ب",
        ] {
            assert_eq!(stems_of(w), stems_reference(w), "{w}");
        }
    }

    proptest::proptest! {
        #[test]
        fn stems_agree_with_the_reference(w in "[وفبلكاa日𝟘]{0,6}") {
            proptest::prop_assert_eq!(stems_of(&w), stems_reference(&w));
            // The forms built in a buffer are the stems' forms.
            let mut buf = String::new();
            let forms: Vec<String> = stems_at(&w)
                .as_slice()
                .iter()
                .map(|s| s.form(&w, &mut buf).to_string())
                .collect();
            let want: Vec<String> = stems_reference(&w).into_iter().map(|x| x.0).collect();
            proptest::prop_assert_eq!(forms, want);
        }

        #[test]
        fn shape_hash_as_first_written(w in "[ab日وال]{0,7}") {
            let b = w.as_bytes();
            let mut x = b.len() as u64;
            for (k, &c) in b.iter().take(4).enumerate() {
                x |= u64::from(c) << (8 * (k + 1));
            }
            if let [.., y, z] = b {
                x ^= (u64::from(*y) << 40) | (u64::from(*z) << 48);
            }
            proptest::prop_assert_eq!(shape_hash(&w), x.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
    }
}
