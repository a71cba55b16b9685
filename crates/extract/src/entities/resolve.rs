//! Groups candidate mentions into entities: one canonical name each (the gazetteer's, or the
//! fullest form met), the other forms as aliases, and every
//! mention, including short forms (a surname alone) found in a last sweep over the text.
//!
//! Two forms name the same entity when their loose keys agree (folded, spaces and the article
//! inside a name ignored, double letters single: محمد بن الوالي = محمد بنوالي), when a person's
//! words are the same in another order (حداد سمير = سمير حداد), when one is a person's
//! surname met alone after the full name, or an organization's name cut short.
//!
//! The strings compared (a form as written, its key, loose key and sorted words, a name's first
//! word, a short form) are each stored once in a table ([`Strs`]) and named by their number:
//! comparing two of them is comparing two numbers, and nothing is allocated per string. What
//! depends on a string alone (its key, its loose key) is computed once and kept by the thread
//! for its next documents, where the same names recur; what a document made of it (the group a
//! form joined) is the document's only. The other buffers are kept by the thread too.

use std::cell::Cell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use super::rules::{clean, Cand, Doc};
use super::tokens::{folds_to_itself, Tokens};
use crate::claims::lists::WordHasher;
use crate::lexicon::{span_bits, Class, EventFamily, Hit, ScanMemo, SPAN_BITS};
use dossier_core::model::{Entity, EntityType, Mention};
use dossier_core::text::fold_char;

/// The maps here are only looked up, so they use the extractor's fast hasher for short words.
type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<WordHasher>>;

/// No string, group or entry.
const NONE: u32 = u32::MAX;

/// A surface form of an entity: its text and the number of its [`key`] in [`Strs`].
struct Form {
    display: String,
    key: u32,
    qualifies: bool,
    /// Met as a person's or an organization's name, whose words are compared
    /// ([`same_name`]); a form of another type joins such a group only as it is written.
    by_words: bool,
    /// Its short forms once computed (persons only): a range of [`Scratch::shorts`].
    shorts: Option<(u32, u32)>,
}

impl Form {
    fn new(kind: EntityType, display: String, key: u32, qualifies: bool) -> Form {
        Form {
            display,
            key,
            qualifies,
            by_words: matches!(kind, EntityType::Person | EntityType::Org),
            shorts: None,
        }
    }
}

struct Group {
    kind: EntityType,
    gaz: Option<u32>,
    family: Option<(EventFamily, String)>,
    /// Every named form met, no two with the same key.
    forms: Vec<Form>,
    mentions: Vec<Mention>,
}

/// One string of [`Strs`], and what is known of it, mostly as the key of forms.
#[derive(Clone, Copy)]
struct Info {
    /// Its bytes in [`Strs::text`], and its hash.
    start: u32,
    end: u32,
    hash: u32,
    /// Its first and last characters ([`char_code`]s, [`NONE`] for the empty string): for a
    /// key, those of its loose key too ([`loose_ends`]).
    ends: (u32, u32),
    /// Its words (split on spaces), or [`NONE`] when not counted yet (see [`Strs::words`]).
    words: u32,
    /// The number of its [`key`] ([`NONE`] until computed).
    key: u32,
    /// Its loose key ([`NONE`] until asked for).
    loose: u32,
    /// The loose keys of its words, sorted and joined by spaces: the same name in another
    /// order has the same string ([`NONE`] until asked for).
    sorted: u32,
}

impl Info {
    fn new(s: &[u8], start: usize, hash: u32) -> Info {
        let ends = match s.len().checked_sub(1) {
            None => (NONE, NONE),
            Some(mut last) => {
                while last > 0 && s[last] & 0xC0 == 0x80 {
                    last -= 1;
                }
                (char_code(s, 0).0, char_code(s, last).0)
            }
        };
        Info {
            start: start as u32,
            end: (start + s.len()) as u32,
            hash,
            ends,
            words: NONE,
            key: NONE,
            loose: NONE,
            sorted: NONE,
        }
    }
}

/// What the document being read made of a string of [`Strs`].
#[derive(Clone, Copy)]
struct Marks {
    /// The document ([`Strs::doc`]) these marks are of: those of another one are void.
    doc: u32,
    /// The group of the last named form met with this key, by type (its index in
    /// `EntityType::ALL`), or [`NONE`].
    seen: [u32; 5],
    /// The sweep's entries for the forms whose first word this is: the first and the last of
    /// a list in [`Scratch::entries`].
    head: u32,
    tail: u32,
    /// As a short form: the one group it is a short form of, [`NONE`] before any, [`MANY`]
    /// when of more than one.
    owner: u32,
}

impl Marks {
    fn new(doc: u32) -> Marks {
        Marks {
            doc,
            seen: [NONE; 5],
            head: NONE,
            tail: NONE,
            owner: NONE,
        }
    }
}

/// A short form of more than one group.
const MANY: u32 = u32::MAX - 1;

/// The strings of the documents read, each stored once, laid end to end in one buffer, and
/// found again by an open-addressing table of their numbers. What is known of a string (its
/// key, loose key...) depends on it alone, so it is kept from one document to the next, up to
/// [`Strs::MOST`] strings: the names of a dossier recur.
#[derive(Default)]
struct Strs {
    text: String,
    info: Vec<Info>,
    marks: Vec<Marks>,
    /// The number of the document being read, from 1.
    doc: u32,
    /// Number + 1 of the string in each slot, 0 for an empty one; the length is a power of two.
    table: Vec<u32>,
    /// The short forms of persons' names as written ([`Scratch::short_forms`]), by the number
    /// of the name: a range of `short_words`, and the [`ScanMemo::generation`] of the lexicon
    /// that read them (`None`: not read by one).
    short_memo: FastMap<u32, (Option<u64>, u32, u32)>,
    short_words: Vec<u32>,
    /// Room for a string built from another one of `text`.
    tmp: String,
    /// Word ranges of a string being read.
    ranges: Vec<(usize, usize)>,
}

impl Strs {
    /// Slots of a new table.
    const TABLE_START: usize = 256;
    /// Past this many strings, or bytes of them, a document starts afresh.
    const MOST: usize = 1 << 13;
    const MOST_BYTES: usize = 1 << 18;

    fn clear(&mut self) {
        // A long document's strings do not stay behind.
        if self.info.capacity() > 2 * Strs::MOST || self.text.capacity() > 2 * Strs::MOST_BYTES {
            *self = Strs::default();
        }
        self.text.clear();
        self.info.clear();
        self.marks.clear();
        self.short_memo.clear();
        self.short_words.clear();
        self.doc = 1;
        if self.table.len() == Strs::TABLE_START {
            self.table.fill(0);
        } else {
            self.table = vec![0; Strs::TABLE_START];
        }
    }

    /// Starts a document: the marks of the last one are void.
    fn next_doc(&mut self) {
        self.doc = self.doc.wrapping_add(1);
        if self.doc <= 1
            || self.info.len().max(self.short_words.len()) > Strs::MOST
            || self.text.len() > Strs::MOST_BYTES
        {
            self.clear();
        }
    }

    fn bytes(&self, id: u32) -> &[u8] {
        let i = self.info(id);
        self.text
            .as_bytes()
            .get(i.start as usize..i.end as usize)
            .unwrap_or(&[])
    }

    fn get(&self, id: u32) -> &str {
        let i = self.info(id);
        self.text
            .get(i.start as usize..i.end as usize)
            .unwrap_or("")
    }

    fn len(&self, id: u32) -> usize {
        let i = self.info(id);
        (i.end - i.start) as usize
    }

    fn info(&self, id: u32) -> &Info {
        &self.info[id as usize]
    }

    fn info_mut(&mut self, id: u32) -> &mut Info {
        &mut self.info[id as usize]
    }

    /// The marks of string `id` in this document.
    fn marks(&self, id: u32) -> Marks {
        match self.marks[id as usize] {
            m if m.doc == self.doc => m,
            _ => Marks::new(self.doc),
        }
    }

    fn marks_mut(&mut self, id: u32) -> &mut Marks {
        let doc = self.doc;
        let m = &mut self.marks[id as usize];
        if m.doc != doc {
            *m = Marks::new(doc);
        }
        m
    }

    /// The number of words of string `id`.
    fn words(&self, id: u32) -> u32 {
        match self.info(id).words {
            NONE => 1 + self.bytes(id).iter().filter(|&&b| b == b' ').count() as u32,
            w => w,
        }
    }

    /// A hash of `s`, eight bytes at a step ([`WordHasher`]'s), the last eight read at once.
    fn hash(s: &[u8]) -> u32 {
        let mut h = WordHasher::default();
        h.write_usize(s.len());
        let mut chunks = s.chunks_exact(8);
        for c in &mut chunks {
            h.write(c);
        }
        if !chunks.remainder().is_empty() {
            h.write(s.get(s.len().saturating_sub(8)..).unwrap_or(s));
        }
        h.finish() as u32
    }

    /// The slot of `s` (whose hash is `h`) in the table: where it is, or the empty one where it
    /// would go.
    fn slot(&self, s: &[u8], h: u32) -> usize {
        let mask = self.table.len() - 1;
        let mut slot = h as usize & mask;
        loop {
            let e = self.table[slot];
            if e == 0 || self.info(e - 1).hash == h && self.bytes(e - 1) == s {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
    }

    /// The number of `s`, if it is stored.
    fn find(&self, s: &str) -> Option<u32> {
        let s = s.as_bytes();
        self.table[self.slot(s, Strs::hash(s))].checked_sub(1)
    }

    /// The number of the string written at the end of `text` from byte `from`: that of an
    /// earlier copy (the new one is dropped), or a new one.
    fn commit(&mut self, from: usize) -> u32 {
        let s = self.text.as_bytes().get(from..).unwrap_or(&[]);
        let h = Strs::hash(s);
        let slot = self.slot(s, h);
        if let Some(id) = self.table[slot].checked_sub(1) {
            self.text.truncate(from);
            return id;
        }
        self.insert(from, slot, h)
    }

    /// The number of `s`, stored if it was not.
    fn intern(&mut self, s: &str) -> u32 {
        let h = Strs::hash(s.as_bytes());
        let slot = self.slot(s.as_bytes(), h);
        if let Some(id) = self.table[slot].checked_sub(1) {
            return id;
        }
        let from = self.text.len();
        self.text.push_str(s);
        self.insert(from, slot, h)
    }

    /// Numbers the string at the end of `text` from byte `from`, new, of hash `h`, whose place
    /// in the table is `slot`.
    fn insert(&mut self, from: usize, slot: usize, h: u32) -> u32 {
        let s = self.text.as_bytes().get(from..).unwrap_or(&[]);
        let id = self.info.len() as u32;
        self.info.push(Info::new(s, from, h));
        self.marks.push(Marks::new(self.doc));
        self.table[slot] = id + 1;
        if self.info.len() * 2 > self.table.len() {
            self.grow();
        }
        id
    }

    fn grow(&mut self) {
        let mut table = vec![0u32; self.table.len() * 2];
        let mask = table.len() - 1;
        for (id, i) in self.info.iter().enumerate() {
            let mut slot = i.hash as usize & mask;
            while table[slot] != 0 {
                slot = (slot + 1) & mask;
            }
            table[slot] = id as u32 + 1;
        }
        self.table = table;
    }

    /// The number of the word (no space) at bytes `a..b` of `text`.
    fn word_within(&mut self, a: usize, b: usize) -> u32 {
        let from = self.text.len();
        self.text.extend_from_within(a..b);
        let w = self.commit(from);
        self.info_mut(w).words = 1;
        w
    }

    /// The number of [`key`]`(name)`. A name met again (most mentions repeat one) is found by
    /// its text, and its key is computed once.
    fn key_of(&mut self, name: &str) -> u32 {
        let n = self.intern(name);
        let k = self.info(n).key;
        if k != NONE {
            return k;
        }
        let from = self.text.len();
        let spaces = push_key(&mut self.text, name);
        let k = self.commit(from);
        self.info_mut(n).key = k;
        // A key is its own key (folding twice folds once).
        let info = self.info_mut(k);
        info.key = k;
        info.words = spaces + 1;
        k
    }

    /// Byte ranges in `text` of the words of string `id` into `ranges`.
    fn word_ranges(&mut self, id: u32) {
        let (a, b) = (self.info(id).start as usize, self.info(id).end as usize);
        self.ranges.clear();
        let mut start = a;
        for (i, &x) in self.text.as_bytes()[a..b].iter().enumerate() {
            if x == b' ' {
                self.ranges.push((start, a + i));
                start = a + i + 1;
            }
        }
        self.ranges.push((start, b));
    }

    /// The number of [`loose_of_key`] of key `id`, computed once.
    fn loose(&mut self, id: u32) -> u32 {
        let l = self.info(id).loose;
        if l != NONE {
            return l;
        }
        let mut tmp = std::mem::take(&mut self.tmp);
        tmp.clear();
        tmp.push_str(self.get(id));
        let from = self.text.len();
        push_loose_of_key(&mut self.text, &tmp);
        self.tmp = tmp;
        let l = self.commit(from);
        self.info_mut(id).loose = l;
        l
    }

    /// The number of the sorted loose words of key `id` ([`Info::sorted`]), computed once.
    fn sorted(&mut self, id: u32) -> u32 {
        let s = self.info(id).sorted;
        if s != NONE {
            return s;
        }
        // The loose key of each word laid end to end in `tmp`, then the same words in order,
        // joined, at the end of `text`.
        self.word_ranges(id);
        let mut tmp = std::mem::take(&mut self.tmp);
        tmp.clear();
        let mut words = std::mem::take(&mut self.ranges);
        for r in words.iter_mut() {
            let a = tmp.len();
            push_loose_word(&mut tmp, self.text.get(r.0..r.1).unwrap_or(""));
            *r = (a, tmp.len());
        }
        words.sort_unstable_by(|&(a, b), &(c, d)| tmp[a..b].cmp(&tmp[c..d]));
        let from = self.text.len();
        for (i, &(a, b)) in words.iter().enumerate() {
            if i > 0 {
                self.text.push(' ');
            }
            self.text.push_str(&tmp[a..b]);
        }
        self.tmp = tmp;
        self.ranges = words;
        let s = self.commit(from);
        self.info_mut(id).sorted = s;
        s
    }
}

/// The match key of a display name (already free of punctuation at its ends): folded
/// characters, single spaces. Same result as [`dossier_core::text::key`] on such names, cheaper.
#[cfg(test)]
pub fn key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    push_key(&mut out, name);
    out
}

/// Appends [`key`]`(name)` to `out`; returns the number of spaces in it.
fn push_key(out: &mut String, name: &str) -> u32 {
    let base = out.len();
    let b = name.as_bytes();
    let kept = &*KEPT_ARABIC;
    let mut spaces = 0;
    // A space is written before the next character kept, if any.
    let mut space = false;
    // Characters that fold to themselves are copied in runs: `run` is where the run not yet
    // copied starts. They are told by their bytes: ASCII ones alone, Arabic letters (two
    // bytes, the first 0xD8 or 0xD9) by the second byte's bit in `kept`.
    let mut run = 0;
    let mut i = 0;
    while let Some(&x) = b.get(i) {
        let start = i;
        if x & 0xFE == 0xD8 {
            while let Some(&[x, y]) = b.get(i..i + 2) {
                if x & 0xFE != 0xD8 || kept[usize::from(x & 1)] >> (y & 0x3F) & 1 == 0 {
                    break;
                }
                i += 2;
            }
        } else if x.is_ascii_lowercase() || x.is_ascii_digit() {
            i += 1;
        }
        if i > start {
            // (After a space, the run starts here.)
            if space {
                out.push(' ');
                spaces += 1;
                space = false;
            }
            continue;
        }
        out.push_str(name.get(run..i).unwrap_or(""));
        run = i;
        if x == b' ' {
            i += 1;
            run = i;
            space = out.len() > base;
            continue;
        }
        let Some(c) = name.get(i..).and_then(|s| s.chars().next()) else {
            break;
        };
        i += c.len_utf8();
        run = i;
        let Some(c) = fold_char(c) else {
            continue;
        };
        if is_space(c) {
            space = out.len() > base;
            continue;
        }
        if space {
            out.push(' ');
            spaces += 1;
            space = false;
        }
        out.push(c);
    }
    // (After a space nothing is left to copy.)
    out.push_str(name.get(run..).unwrap_or(""));
    spaces
}

/// The characters U+0600-U+067F that [`folds_to_itself`], by the low six bits of their second
/// UTF-8 byte: those after the first byte 0xD8, then after 0xD9.
static KEPT_ARABIC: LazyLock<[u64; 2]> = LazyLock::new(|| {
    let mut kept = [0u64; 2];
    for c in ('\u{0600}'..='\u{067F}').filter(|&c| folds_to_itself(c)) {
        let mut buf = [0u8; 2];
        if let [x, y] = *c.encode_utf8(&mut buf).as_bytes() {
            kept[usize::from(x & 1)] |= 1 << (y & 0x3F);
        }
    }
    kept
});

/// [`char::is_whitespace`], answered without the Unicode table for the characters below
/// U+1680 (ASCII, Arabic), none of which but U+0085 and U+00A0 is white space.
#[inline]
fn is_space(c: char) -> bool {
    if (c as u32) < 0x1680 {
        matches!(c, ' ' | '\t'..='\r' | '\u{85}' | '\u{A0}')
    } else {
        c.is_whitespace()
    }
}

/// The character of `b` (valid UTF-8) starting at byte `i`, as a number made of its bytes,
/// and its length: two characters are the same when their numbers are.
#[inline]
fn char_code(b: &[u8], i: usize) -> (u32, usize) {
    let x = u32::from(b[i]);
    let at = |k: usize| u32::from(b.get(i + k).copied().unwrap_or(0));
    if x < 0x80 {
        (x, 1)
    } else if x < 0xE0 {
        ((x << 8) | at(1), 2)
    } else if x < 0xF0 {
        ((x << 16) | (at(1) << 8) | at(2), 3)
    } else {
        ((x << 24) | (at(1) << 16) | (at(2) << 8) | at(3), 4)
    }
}

/// Appends `w` to `out` with its doubled characters single; `prev` is the code
/// ([`char_code`]) of the character before, updated. Unchanged runs go in one piece.
fn push_single(out: &mut String, w: &str, prev: &mut u32) {
    let b = w.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        let (c, len) = char_code(b, i);
        if c == *prev {
            out.push_str(w.get(run..i).unwrap_or(""));
            run = i + len;
        }
        *prev = c;
        i += len;
    }
    out.push_str(w.get(run..).unwrap_or(""));
}

/// [`loose_of_key`] of one word (no space): its doubled letters single.
fn push_loose_word(out: &mut String, w: &str) {
    let mut prev = NONE;
    push_single(out, w, &mut prev);
}

/// [`loose`] of a string already folded by [`key`].
#[cfg(test)]
fn loose_of_key(k: &str) -> String {
    let mut out = String::with_capacity(k.len());
    push_loose_of_key(&mut out, k);
    out
}

/// Appends [`loose_of_key`]`(k)` to `out`, a byte at a time: the spaces dropped, the article
/// dropped from a later word when two characters remain, runs of characters without a doubled
/// one copied in one piece.
fn push_loose_of_key(out: &mut String, k: &str) {
    let b = k.as_bytes();
    // No character's code is NONE (no UTF-8 byte is 0xFF).
    let mut prev = NONE;
    let mut run = 0;
    let mut i = 0;
    let mut word_start = 0;
    while let Some(&x) = b.get(i) {
        if x == b' ' {
            out.push_str(k.get(run..i).unwrap_or(""));
            // After `عبد` the article is the compound's own (`عبد الله` / `عبدالله`), and so
            // is the one of `الله`: both kept, as `text::loose_of_key` does.
            let after_abd = b.get(word_start..i) == Some("عبد".as_bytes());
            i += 1;
            word_start = i;
            let word = b.get(i..).unwrap_or(&[]);
            let allah =
                word.starts_with("الله".as_bytes()) && word.get(8).is_none_or(|&c| c == b' ');
            if !after_abd
                && !allah
                && word.starts_with("ال".as_bytes())
                && two_chars(word.get(4..).unwrap_or(&[]))
            {
                i += 4;
            }
            run = i;
            continue;
        }
        let (c, len) = char_code(b, i);
        if c == prev {
            out.push_str(k.get(run..i).unwrap_or(""));
            run = i + len;
        }
        prev = c;
        i += len;
    }
    out.push_str(k.get(run..).unwrap_or(""));
}

/// Whether the word that `b` starts with (up to a space) has two characters or more.
fn two_chars(b: &[u8]) -> bool {
    b.iter()
        .take_while(|&&x| x != b' ')
        .filter(|&&x| x & 0xC0 != 0x80)
        .nth(1)
        .is_some()
}

/// Does a new form of key `b` and type `kind` name the entity of form `a` of a group of that
/// type? Their loose keys and sorted words are computed only when their ends and numbers of
/// words leave the question open.
fn same_name(kind: EntityType, strs: &mut Strs, a: &Form, b: u32) -> bool {
    let a_key = a.key;
    if strs.info(a_key).ends == strs.info(b).ends && strs.loose(a_key) == strs.loose(b) {
        return true;
    }
    // A form not met as a person's or an organization's is not read by its words.
    let x = if a.by_words { strs.words(a_key) } else { 0 };
    let y = strs.words(b);
    match kind {
        EntityType::Person => x > 1 && x == y && strs.sorted(a_key) == strs.sorted(b),
        EntityType::Org => {
            if x < 2 || y < 2 || strs.len(a_key) == strs.len(b) {
                return false;
            }
            // The shorter name's words open the longer one when its key, then a space, opens
            // the longer key.
            let (short, long) = if x <= y { (a_key, b) } else { (b, a_key) };
            let (s, l) = (strs.get(short), strs.get(long));
            x.max(y) > x.min(y) && l.as_bytes().get(s.len()) == Some(&b' ') && l.starts_with(s)
        }
        _ => false,
    }
}

/// The buffers of one document's pass, kept by each thread for its next document.
#[derive(Default)]
struct Scratch {
    strs: Strs,
    /// Per candidate: false for an event family none of whose mentions is definite and
    /// specific.
    keep: Vec<bool>,
    /// The token range of every candidate, with its group.
    spans: Vec<(usize, usize, usize)>,
    /// Tokens already part of a mention.
    taken: Vec<bool>,
    /// The short forms of the forms met (ranges in [`Form::shorts`]): each word, with its
    /// loose key.
    shorts: Vec<(u32, u32)>,
    /// Words of a name picked as short forms, before they are stored.
    picked: Vec<(usize, usize)>,
    /// The lexicon's reading of a name, for its short forms.
    toks: Tokens,
    found: Vec<(usize, usize, usize)>,
    hits: Vec<Hit>,
    /// Loose keys of the person groups, in ranges of `ids` ([`link_short_persons`]).
    ids: Vec<u32>,
    of_group: Vec<[(usize, usize); 3]>,
    /// The sweep's forms to look for, in lists by first word ([`Marks::head`]); the first
    /// words; the short forms met.
    entries: Vec<Entry>,
    firsts: Vec<u32>,
    owned: Vec<u32>,
    /// A filter on the first words ([`span_bits`]).
    maybe: Vec<u64>,
    /// The readings of a token that are not part of it.
    variant: String,
    /// Short forms found by the sweep: (group, start, end) in the text.
    met: Vec<(usize, usize, usize)>,
    /// The groups, and the emptied lists of forms and mentions of groups, for the next ones.
    groups: Vec<Group>,
    form_lists: Vec<Vec<Form>>,
    mention_lists: Vec<Vec<Mention>>,
}

/// A form (or a short form) the sweep looks for.
struct Entry {
    group: usize,
    /// Its key, and the number of words in it.
    key: u32,
    words: usize,
    short: bool,
    /// The next entry with the same first word, or [`NONE`].
    next: u32,
}

/// A document of more tokens than this does not leave its buffers behind.
const KEEP_SCRATCH_BELOW: usize = 1 << 18;

thread_local! {
    static SCRATCH: Cell<Option<Scratch>> = const { Cell::new(None) };
}

impl Scratch {
    /// Keeps the lists of group `g` for another group.
    fn recycle(&mut self, g: &mut Group) {
        self.keep_lists(
            std::mem::take(&mut g.forms),
            std::mem::take(&mut g.mentions),
        );
    }

    /// Keeps two emptied lists, but past as many as a document needs.
    fn keep_lists(&mut self, mut forms: Vec<Form>, mut mentions: Vec<Mention>) {
        const MOST: usize = 1 << 10;
        if self.form_lists.len() < MOST && forms.capacity() > 0 {
            forms.clear();
            self.form_lists.push(forms);
        }
        if self.mention_lists.len() < MOST && mentions.capacity() > 0 {
            mentions.clear();
            self.mention_lists.push(mentions);
        }
    }

    /// The short forms of a person's form `f` (a range of `shorts`): its words that are not
    /// given names or particles. Computed once per form, and kept by name as written for the
    /// next documents read with the same lexicon (`memo` was last filled by `doc.lex`).
    fn short_forms(&mut self, doc: &Doc, f: &mut Form, memo: &mut ScanMemo) -> (u32, u32) {
        if let Some(r) = f.shorts {
            return r;
        }
        let start = self.shorts.len() as u32;
        let name = self.strs.intern(&f.display);
        let kept = self.strs.short_memo.get(&name).copied();
        let words = match kept {
            Some((read, a, b)) if read.is_none_or(|g| g == memo.generation()) => (a, b),
            _ => {
                let read = self.pick_short_words(doc, f, memo);
                let a = self.strs.short_words.len() as u32;
                for &(x, y) in &self.picked {
                    let w = self.strs.word_within(x, y);
                    self.strs.short_words.push(w);
                }
                let words = (a, self.strs.short_words.len() as u32);
                let read = read.then(|| memo.generation());
                self.strs.short_memo.insert(name, (read, words.0, words.1));
                words
            }
        };
        for i in words.0..words.1 {
            let w = self.strs.short_words[i as usize];
            // A word of a key is its own key.
            let l = self.strs.loose(w);
            self.shorts.push((w, l));
        }
        let r = (start, self.shorts.len() as u32);
        f.shorts = Some(r);
        r
    }

    /// The words of form `f` that are short forms, as byte ranges of `strs.text` into
    /// `picked`; whether the name was read against the lexicon to tell.
    fn pick_short_words(&mut self, doc: &Doc, f: &Form, memo: &mut ScanMemo) -> bool {
        self.strs.word_ranges(f.key);
        self.picked.clear();
        let words = &self.strs.ranges;
        if words.len() < 2 {
            return false;
        }
        let text = &self.strs.text;
        let word = |n: usize| {
            words
                .get(n)
                .and_then(|&(a, b)| text.get(a..b))
                .unwrap_or("")
        };
        // A word of three characters or more; the word after a particle is not a surname on
        // its own (بن الوالي).
        let may_be = |n: usize| {
            word(n).chars().count() >= 3
                && !(n > 0 && matches!(word(n - 1), "بن" | "ابن" | "ابو" | "بو" | "عبد" | "ال"))
        };
        // Only then is the name read against the lexicon.
        if !(0..words.len()).any(may_be) {
            return false;
        }
        self.toks.fill(&f.display);
        doc.lex.scan_into(
            &f.display,
            &self.toks,
            memo,
            &mut self.found,
            &mut self.hits,
        );
        for (n, &w) in words.iter().enumerate() {
            if may_be(n) && !lexicon_word(n, &self.hits) {
                self.picked.push(w);
            }
        }
        true
    }

    /// Adds `e` at the end of the sweep's list of the forms starting with word `first`.
    fn add_entry(&mut self, first: u32, e: Entry) {
        let at = self.entries.len() as u32;
        self.entries.push(e);
        let marks = self.strs.marks_mut(first);
        if marks.head == NONE {
            marks.head = at;
            self.firsts.push(first);
        } else if let Some(last) = self.entries.get_mut(marks.tail as usize) {
            last.next = at;
        }
        marks.tail = at;
    }
}

/// Whether the word `n` of a name is, by the lexicon's `hits` in it, a word of the classes
/// that never make a surname alone.
fn lexicon_word(n: usize, hits: &[Hit]) -> bool {
    hits.iter().any(|h| {
        h.first == n
            && h.last == n
            && matches!(
                h.info.class,
                Class::Given
                    | Class::Particle
                    | Class::Bound
                    | Class::Common
                    | Class::Verb
                    | Class::Stop
            )
    })
}

/// Groups the candidates into entities; `memo` is the lexicon's memo of the words already
/// read (a thread's, kept from one document to the next), last filled by `doc.lex` (with the
/// document itself).
pub fn entities(doc: &Doc, cands: Vec<Cand>, memo: &mut ScanMemo) -> Vec<Entity> {
    let mut s = SCRATCH.with(Cell::take).unwrap_or_default();
    let out = resolve(doc, cands, memo, &mut s);
    if doc.toks.len() < KEEP_SCRATCH_BELOW {
        SCRATCH.with(|c| c.set(Some(s)));
    }
    out
}

fn resolve(doc: &Doc, cands: Vec<Cand>, memo: &mut ScanMemo, s: &mut Scratch) -> Vec<Entity> {
    s.strs.next_doc();
    s.spans.clear();
    s.shorts.clear();
    // An event family is an entity only when one mention is definite and specific.
    s.keep.clear();
    {
        let mut fam_ok: FastMap<&(EventFamily, String), bool> = FastMap::default();
        for c in &cands {
            if let Some(f) = &c.family {
                *fam_ok.entry(f).or_default() |= c.qualifies && !c.anaphor;
            }
        }
        s.keep.extend(cands.iter().map(|c| {
            c.family
                .as_ref()
                .is_none_or(|f| fam_ok.get(f).copied().unwrap_or(false))
        }));
    }
    let mut groups = std::mem::take(&mut s.groups);
    let type_index = |t: EntityType| EntityType::ALL.iter().position(|&x| x == t).unwrap_or(0);
    let mut last_group: Option<usize> = None;
    for (c, &keep) in cands.into_iter().zip(s.keep.iter()) {
        if !keep {
            continue;
        }
        let Cand {
            kind,
            first,
            last,
            start,
            end,
            display,
            gaz,
            family,
            qualifies,
            anaphor,
            link_prev,
            also,
            ..
        } = c;
        let ti = type_index(kind);
        // A form already met is looked up by its key alone; only a new one is compared with
        // every group.
        let k = s.strs.key_of(&display);
        let found = if let Some(g) = gaz {
            groups.iter().position(|x| x.gaz == Some(g))
        } else if let Some(f) = &family {
            groups.iter().position(|x| x.family.as_ref() == Some(f))
        } else if link_prev {
            last_group
        } else if let Some(gi) = Some(s.strs.marks(k).seen[ti]).filter(|&g| g != NONE) {
            Some(gi as usize)
        } else {
            let strs = &mut s.strs;
            groups.iter().position(|x| {
                x.kind == kind
                    && x.family.is_none()
                    && x.forms.iter().any(|g| same_name(kind, strs, g, k))
            })
        };
        let named = gaz.is_none() && family.is_none() && !link_prev;
        let gi = match found {
            Some(gi) => gi,
            None => {
                groups.push(Group {
                    kind,
                    gaz,
                    family,
                    forms: s.form_lists.pop().unwrap_or_default(),
                    mentions: s.mention_lists.pop().unwrap_or_default(),
                });
                groups.len() - 1
            }
        };
        if named {
            s.strs.marks_mut(k).seen[ti] = gi as u32;
        }
        let g = &mut groups[gi];
        if !anaphor && !g.forms.iter().any(|f| f.key == k) {
            g.forms.push(Form::new(kind, display, k, qualifies));
        }
        if let Some(a) = also {
            let ak = s.strs.key_of(&a);
            if !g.forms.iter().any(|f| f.key == ak) {
                g.forms.push(Form::new(kind, a, ak, false));
            }
        }
        g.mentions.push(Mention { start, end });
        s.spans.push((gi, first, last));
        last_group = Some(gi);
    }
    // The tokens of the groups kept (those with a named form), which the sweep does not count
    // twice; merging groups below does not change them.
    s.taken.clear();
    s.taken.resize(doc.toks.len(), false);
    for &(gi, a, b) in &s.spans {
        if groups.get(gi).is_some_and(|g| !g.forms.is_empty()) {
            for t in s.taken.iter_mut().take(b + 1).skip(a) {
                *t = true;
            }
        }
    }
    groups.retain_mut(|g| {
        let keep = !g.forms.is_empty();
        if !keep {
            s.recycle(g);
        }
        keep
    });
    link_short_persons(doc, &mut groups, s, memo);
    sweep(doc, &mut groups, s, memo);

    let mut out: Vec<Entity> = Vec::with_capacity(groups.len());
    for mut g in groups.drain(..) {
        let gaz_name = g
            .gaz
            .and_then(|e| doc.lex.entries.get(e as usize))
            .map(|e| &e.name);
        let best = if gaz_name.is_none() {
            fullest(&g.forms, &s.strs)
        } else {
            None
        };
        let (name, name_key) = match (gaz_name, best.and_then(|b| g.forms.get_mut(b))) {
            (Some(n), _) => (n.clone(), s.strs.key_of(n)),
            (None, Some(f)) => (std::mem::take(&mut f.display), f.key),
            (None, None) => (String::new(), s.strs.key_of("")),
        };
        // Every form whose key is neither the name's nor that of a form before it.
        let mut aliases = Vec::new();
        for i in 0..g.forms.len() {
            let k = g.forms[i].key;
            if k != name_key && !g.forms[..i].iter().any(|x| x.key == k) {
                aliases.push(std::mem::take(&mut g.forms[i].display));
            }
        }
        g.mentions.sort_unstable();
        g.mentions.dedup();
        out.push(Entity {
            kind: g.kind,
            name,
            aliases,
            mentions: g.mentions.as_slice().into(),
        });
        s.recycle(&mut g);
    }
    s.groups = groups;
    out.sort_by_key(|e| e.mentions.first().map_or(usize::MAX, |m| m.start));
    out
}
/// The fullest form: most words, then most letters, then the first met; a specific
/// (qualifying) form before a vague one.
fn fullest(forms: &[Form], strs: &Strs) -> Option<usize> {
    let score = |x: &Form| {
        (
            x.qualifies,
            strs.words(x.key),
            strs.get(x.key).chars().count(),
        )
    };
    let mut best: Option<(usize, (bool, u32, usize))> = None;
    for (i, f) in forms.iter().enumerate() {
        let s = score(f);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((i, s));
        }
    }
    best.map(|(i, _)| i)
}

/// A one-word person group whose word is a short form of exactly one longer person joins it.
fn link_short_persons(doc: &Doc, groups: &mut Vec<Group>, s: &mut Scratch, memo: &mut ScanMemo) {
    // Of every person group (only persons are compared), as ranges of `ids`: the loose keys
    // of its short forms, of the words of its longest form, and, when all its forms are of
    // one word, of its forms.
    s.ids.clear();
    s.of_group.clear();
    for g in groups.iter_mut() {
        if g.kind != EntityType::Person {
            s.of_group.push([(0, 0); 3]);
            continue;
        }
        let a = s.ids.len();
        for f in g.forms.iter_mut() {
            let (x, y) = s.short_forms(doc, f, memo);
            for k in x..y {
                let l = s.shorts[k as usize].1;
                s.ids.push(l);
            }
        }
        let b = s.ids.len();
        let longest = g.forms.iter().max_by_key(|f| s.strs.words(f.key));
        if let Some(f) = longest {
            s.strs.word_ranges(f.key);
            let words = std::mem::take(&mut s.strs.ranges);
            for &(x, y) in &words {
                let w = s.strs.word_within(x, y);
                let l = s.strs.loose(w);
                s.ids.push(l);
            }
            s.strs.ranges = words;
        }
        let c = s.ids.len();
        if g.forms.iter().all(|f| s.strs.words(f.key) == 1) {
            for f in &g.forms {
                let l = s.strs.loose(f.key);
                s.ids.push(l);
            }
        }
        s.of_group.push([(a, b), (b, c), (c, s.ids.len())]);
    }
    let range = |r: (usize, usize)| s.ids.get(r.0..r.1).unwrap_or(&[]);
    let mut merge: Vec<(usize, usize)> = Vec::new();
    for (i, g) in groups.iter().enumerate() {
        if g.kind != EntityType::Person {
            continue;
        }
        let single = g.forms.iter().all(|f| s.strs.words(f.key) == 1);
        let [_, mine, forms] = s.of_group[i].map(range);
        // A one-word form that is another person's surname, or a shorter name whose words
        // are all in another person's name (عبد الفتاح → عبد الفتاح الوراق); one such person.
        let mut targets = (0..groups.len()).filter(|&j| {
            j != i
                && groups[j].kind == EntityType::Person
                && if single {
                    let shorts = range(s.of_group[j][0]);
                    forms.iter().any(|f| shorts.contains(f))
                } else {
                    let theirs = range(s.of_group[j][1]);
                    theirs.len() > mine.len() && mine.iter().all(|w| theirs.contains(w))
                }
        });
        if let (Some(t), None) = (targets.next(), targets.next()) {
            if !merge.iter().any(|&(a, _)| a == t) {
                merge.push((i, t));
            }
        }
    }
    if merge.is_empty() {
        return;
    }
    let mut removed = vec![false; groups.len()];
    for &(from, to) in &merge {
        let mut forms = std::mem::take(&mut groups[from].forms);
        let mut mentions = std::mem::take(&mut groups[from].mentions);
        let h = &mut groups[to];
        for f in forms.drain(..) {
            if !h.forms.iter().any(|x| x.key == f.key) {
                h.forms.push(f);
            }
        }
        h.mentions.append(&mut mentions);
        s.keep_lists(forms, mentions);
        removed[from] = true;
    }
    let mut n = 0;
    groups.retain(|_| {
        n += 1;
        !removed[n - 1]
    });
}

/// Finds the forms of every entity wherever else they occur, with clitics (وحداد), and
/// people's surnames alone.
fn sweep(doc: &Doc, groups: &mut [Group], s: &mut Scratch, memo: &mut ScanMemo) {
    let toks = doc.toks;
    let n = toks.len();
    // Every form by its first word, and every short form of one person only.
    s.entries.clear();
    s.firsts.clear();
    s.owned.clear();
    for (gi, g) in groups.iter_mut().enumerate() {
        for f in g.forms.iter_mut() {
            let words = s.strs.words(f.key);
            let first = if words == 1 {
                f.key
            } else {
                let a = s.strs.info(f.key).start as usize;
                let len = s.strs.bytes(f.key).iter().position(|&b| b == b' ');
                s.strs.word_within(a, a + len.unwrap_or(s.strs.len(f.key)))
            };
            let entry = Entry {
                group: gi,
                key: f.key,
                words: words as usize,
                short: false,
                next: NONE,
            };
            s.add_entry(first, entry);
            if g.kind == EntityType::Person {
                let (x, y) = s.short_forms(doc, f, memo);
                for k in x..y {
                    let w = s.shorts[k as usize].0;
                    let owner = &mut s.strs.marks_mut(w).owner;
                    if *owner == NONE {
                        *owner = gi as u32;
                        s.owned.push(w);
                    } else if *owner != gi as u32 {
                        *owner = MANY;
                    }
                }
            }
        }
    }
    for i in 0..s.owned.len() {
        let w = s.owned[i];
        let owner = s.strs.marks(w).owner;
        if owner != MANY {
            let entry = Entry {
                group: owner as usize,
                key: w,
                words: 1,
                short: true,
                next: NONE,
            };
            s.add_entry(w, entry);
        }
    }
    // Quick filters on the first words: most tokens start no form. Every reading of a token
    // (see [`variants`]) ends in the token's last three characters, so a token whose last three
    // characters end no first word is skipped before it is read.
    // (`maybe` is left empty by the last document.)
    s.maybe.resize(SPAN_BITS / 64, 0);
    let mut maybe_end = [0u64; LAST3_BITS / 64];
    for &w in &s.firsts {
        let w = s.strs.get(w);
        let h = span_bits(w);
        s.maybe[h / 64] |= 1 << (h % 64);
        let h = last3_bits(w.as_bytes());
        maybe_end[h / 64] |= 1 << (h % 64);
    }
    let maybe = &s.maybe;
    let may_start = |w: &str| {
        let h = span_bits(w);
        maybe[h / 64] & (1 << (h % 64)) != 0
    };
    s.met.clear();
    let mut i = 0;
    while let Some(at) = next_to_read(toks, &s.taken, &maybe_end, i) {
        i = at;
        let mut matched = None;
        'variants: for (strip, variant) in variants(toks.key(i), &mut s.variant) {
            if !may_start(variant) {
                continue;
            }
            let Some(first) = s.strs.find(variant) else {
                continue;
            };
            let mut e = s.strs.marks(first).head;
            while let Some(entry) = s.entries.get(e as usize) {
                e = entry.next;
                if i + entry.words > n {
                    continue;
                }
                let rest_ok = s
                    .strs
                    .get(entry.key)
                    .split(' ')
                    .enumerate()
                    .skip(1)
                    .all(|(o, w)| {
                        !s.taken[i + o] && !toks.toks[i + o].gap.hard() && toks.key(i + o) == w
                    });
                if rest_ok {
                    matched = Some((entry.group, entry.words, strip, entry.short));
                    break 'variants;
                }
            }
        }
        if let Some((gi, len, strip, short)) = matched {
            let last = i + len - 1;
            let start = toks.src_after_key_chars(doc.text, i, strip);
            let end = toks.toks[last].end;
            groups[gi].mentions.push(Mention { start, end });
            if short {
                s.met.push((gi, start, end));
            }
            for t in s.taken.iter_mut().take(last + 1).skip(i) {
                *t = true;
            }
            i = last + 1;
            continue;
        }
        i += 1;
    }
    for &w in &s.firsts {
        let h = span_bits(s.strs.get(w));
        s.maybe[h / 64] = 0;
    }
    // A short form met becomes a form of its person (the forms were not read above).
    for &(gi, start, end) in &s.met {
        let surface = clean(doc.text.get(start..end).unwrap_or(""));
        let k = s.strs.key_of(&surface);
        let g = &mut groups[gi];
        if !g.forms.iter().any(|f| f.key == k) {
            g.forms.push(Form::new(g.kind, surface, k, false));
        }
    }
}

/// The first token from `i` on that is not taken and whose last three characters may end a
/// first word, by `filter` (of [`last3_bits`]).
fn next_to_read(toks: &Tokens, taken: &[bool], filter: &[u64], mut i: usize) -> Option<usize> {
    let keys = toks.keys.as_bytes();
    for (t, &taken) in toks.toks.get(i..)?.iter().zip(taken.get(i..)?) {
        if !taken {
            let h = last3_bits(keys.get(t.kstart..t.kend).unwrap_or(&[]));
            if filter.get(h / 64).is_some_and(|&w| w >> (h % 64) & 1 != 0) {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// Size of the filter on [`last3_bits`].
const LAST3_BITS: usize = 1 << 12;

/// A hash of the last three characters of a word (all of it when shorter), in
/// `0..LAST3_BITS`.
#[inline(always)]
fn last3_bits(b: &[u8]) -> usize {
    // Three two-byte characters (Arabic) are read at once, from the last eight bytes.
    let last8 = b
        .get(b.len().wrapping_sub(8)..)
        .and_then(|w| <[u8; 8]>::try_from(w).ok())
        .map(u64::from_be_bytes);
    let x = match (last8, b) {
        (Some(w), _) if w & 0xE000_E000_E000 == 0xC000_C000_C000 => w & 0xFFFF_FFFF_FFFF,
        // Words of two or three of them, whole.
        (None, &[p, q, r, s]) if p & r & 0xE0 == 0xC0 && (p | r) & 0x20 == 0 => {
            u64::from(u32::from_be_bytes([p, q, r, s]))
        }
        (None, &[p, q, r, s, t, u]) if p & r & t & 0xE0 == 0xC0 && (p | r | t) & 0x20 == 0 => {
            u64::from_be_bytes([0, 0, p, q, r, s, t, u])
        }
        _ => last3_slow(b),
    };
    (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize
}

/// The bytes of the last three characters of `b` (the last eight of them), as a number.
fn last3_slow(b: &[u8]) -> u64 {
    // The start of the third character from the end: three bytes back that begin a character
    // (UTF-8 continuation bytes are 0b10xx_xxxx).
    let mut from = b.len();
    for _ in 0..3 {
        if from == 0 {
            break;
        }
        from -= 1;
        while from > 0 && b[from] & 0xC0 == 0x80 {
            from -= 1;
        }
    }
    let mut x = 0u64;
    for &c in b.get(from..).unwrap_or(&[]) {
        x = (x << 8) | u64::from(c);
    }
    x
}

/// Whether `b` (UTF-8) has four characters or more.
fn four_chars(b: &[u8]) -> bool {
    b.len() >= 16 || b.iter().filter(|&&x| x & 0xC0 != 0x80).nth(3).is_some()
}

/// A token key read as it stands and with its proclitics peeled off: (characters removed,
/// what remains). للجنة also reads as اللجنة; such readings are written in `buf`.
fn variants<'a>(k: &'a str, buf: &'a mut String) -> impl Iterator<Item = (usize, &'a str)> {
    // The clitics are two-byte letters: their bytes are compared.
    let starts = |s: &str, c: &str| s.as_bytes().starts_with(c.as_bytes());
    let mut out: [Option<(usize, &'a str)>; 5] = [Some((0, k)), None, None, None, None];
    let mut slot = 1;
    let mut at = 0; // characters of conjunction peeled
    let mut rest = k;
    if (starts(k, "و") || starts(k, "ف")) && four_chars(k.as_bytes()) {
        rest = k.get(2..).unwrap_or("");
        at = 1;
        out[slot] = Some((1, rest));
        slot += 1;
    }
    let mut elided = None;
    if (starts(rest, "ب") || starts(rest, "ك") || starts(rest, "ل")) && four_chars(rest.as_bytes())
    {
        let r = rest.get(2..).unwrap_or("");
        out[slot] = Some((at + 1, r));
        slot += 1;
        // للمغرب is ل + (ا)لمغرب; للجنة is ل + ال + لجنة with one lam written.
        if starts(rest, "لل") {
            elided = Some(r);
        }
    }
    if let Some(r) = elided {
        buf.clear();
        buf.push('ا');
        buf.push_str(r);
        let a = buf.len();
        buf.push_str("ال");
        buf.push_str(r);
        let buf: &'a String = buf;
        out[slot] = Some((at + 1, buf.get(..a).unwrap_or("")));
        out[slot + 1] = Some((at + 1, buf.get(a..).unwrap_or("")));
    }
    out.into_iter().flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dossier_core::text::loose_key;

    /// [`key`] as it was written first, one character at a time.
    fn key_reference(name: &str) -> String {
        let mut out = String::new();
        let mut space = false;
        for c in name.chars().filter_map(fold_char) {
            if c.is_whitespace() {
                space = !out.is_empty();
                continue;
            }
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn keys_agree_with_the_reference(n in "[ \t\u{A0}\u{85}اأةىلغفوي٠bB1ّ\u{200F}\u{2003}ـ😀-]{0,12}") {
            proptest::prop_assert_eq!(key(&n), key_reference(&n));
        }
    }

    proptest::proptest! {
        /// [`last3_bits`] as if written on the characters.
        #[test]
        fn last3_bits_hash_the_last_three_characters(w in "[وفبكلامa1ّ\u{200F}😀]{0,6}") {
            let from = w.char_indices().rev().nth(2).map_or(0, |(b, _)| b);
            let mut x = 0u64;
            for &c in &w.as_bytes()[from..] {
                x = (x << 8) | u64::from(c);
            }
            let want = (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize;
            proptest::prop_assert_eq!(last3_bits(w.as_bytes()), want);
        }
    }

    proptest::proptest! {
        /// What lets the sweep skip a token on its last three characters.
        #[test]
        fn every_reading_of_a_token_ends_like_it(k in "[وفبكلامa1]{1,7}") {
            let mut buf = String::new();
            let want = last3_bits(k.as_bytes());
            for (_, v) in variants(&k, &mut buf) {
                proptest::prop_assert_eq!(last3_bits(v.as_bytes()), want, "{} {}", k, v);
            }
        }
    }

    #[test]
    fn loose_keys_ignore_spaces_inner_articles_and_double_letters() {
        assert_eq!(loose_key("محمد بن الوالي"), loose_key("محمد بنوالي"));
        assert_eq!(loose_key("مصطفى"), loose_key("مصطفي"));
        assert_eq!(loose_key("حموشي"), loose_key("حمّوشي"));
        assert_eq!(
            loose_key("عبد اللطيف الحموشي"),
            loose_key("عبد اللطيف حموشي")
        );
        assert_ne!(loose_key("عبد اللطيف حموشي"), loose_key("عبد الكريم حموشي"));
        // The compounds of عبد, solid or spaced.
        assert_eq!(loose_key("عبد الله أوجلان"), loose_key("عبدالله أوجلان"));
        assert_eq!(loose_key("عبد الرحمن"), loose_key("عبدالرحمن"));
        assert_eq!(loose_key("عبد اللطيف لوديي"), loose_key("عبداللطيف لوديي"));
    }

    #[test]
    fn people_match_in_either_word_order_organizations_by_their_start() {
        let mut strs = Strs::default();
        strs.clear();
        let mut same = |kind, a: &str, b| {
            let f = Form::new(kind, a.to_string(), strs.key_of(a), true);
            let b = strs.key_of(b);
            same_name(kind, &mut strs, &f, b)
        };
        assert!(same(EntityType::Person, "سعيد الخمليشي", "الخمليشي سعيد"));
        assert!(!same(EntityType::Person, "سعيد الخمليشي", "سعيد الإدريسي"));
        assert!(same(EntityType::Org, "وزارة الدفاع", "وزارة الدفاع الوطني"));
        assert!(!same(EntityType::Org, "وزارة الدفاع", "وزارة الداخلية"));
    }

    #[test]
    fn a_form_met_as_a_place_is_not_read_by_its_words() {
        let mut strs = Strs::default();
        strs.clear();
        let (a, b) = ("سعيد الخمليشي", "الخمليشي سعيد");
        let place = Form::new(EntityType::Location, a.to_string(), strs.key_of(a), true);
        let b = strs.key_of(b);
        assert!(!same_name(EntityType::Person, &mut strs, &place, b));
        let (a, b) = ("وزارة الدفاع", "وزارة الدفاع الوطني");
        let place = Form::new(EntityType::Location, a.to_string(), strs.key_of(a), true);
        let b = strs.key_of(b);
        assert!(!same_name(EntityType::Org, &mut strs, &place, b));
    }

    proptest::proptest! {
        #[test]
        fn loose_keys_agree_with_the_reference(k in "[ الببيa😀é]{0,12}") {
            proptest::prop_assert_eq!(loose_of_key(&k), dossier_core::text::loose_of_key(&k));
        }
    }

    proptest::proptest! {
        /// What lets [`Strs::key_of`] take a key for its own key, and a word of a key for a key.
        #[test]
        fn a_key_is_its_own_key(n in "[ \t\u{A0}اأإآةىئؤلbB1ّ\u{200F}\u{2003}ـ«٣ک-]{0,12}") {
            let k = key(&n);
            proptest::prop_assert_eq!(key(&k), k.clone());
            let mut strs = Strs::default();
            strs.clear();
            let id = strs.key_of(&n);
            proptest::prop_assert_eq!(strs.get(id), k.as_str());
            proptest::prop_assert_eq!(strs.words(id) as usize, k.split(' ').count());
            proptest::prop_assert_eq!(strs.key_of(&n), id);
            proptest::prop_assert_eq!(strs.key_of(&k), id);
        }
    }

    /// Short forms are kept from one document to the next only for the lexicon that read them.
    #[test]
    fn short_forms_kept_for_the_next_document_follow_the_lexicon() {
        use crate::entities::find;
        use crate::lexicon::Lexicon;
        let text = "قال الوزير سعيد الخمليشي إن المحادثات مثمرة. ثم استقبل سعيد الوفد في الرباط.";
        let with = Lexicon::builtin();
        // Without سعيد among the given names, it is a short form of the minister's name.
        let without = Lexicon::builtin_without(|file, forms| {
            file == "given_names.txt" && forms.contains(&"سعيد")
        });
        // Each lexicon's reading in a thread that has read nothing yet.
        let alone = |lex: &Lexicon| std::thread::scope(|s| s.spawn(|| find(text, lex)).join());
        let (a, b) = (alone(&with).ok(), alone(&without).ok());
        assert_ne!(a, b);
        for lex in [&with, &without, &with, &without] {
            let want = if std::ptr::eq(lex, &with) { &a } else { &b };
            assert_eq!(Some(find(text, lex)), *want);
        }
    }

    #[test]
    fn what_a_document_made_of_a_string_is_void_in_the_next_one() {
        let mut strs = Strs::default();
        strs.next_doc();
        let k = strs.key_of("سعيد الخمليشي");
        strs.marks_mut(k).seen[0] = 7;
        let l = strs.loose(k);
        assert_eq!(strs.marks(k).seen[0], 7);
        strs.next_doc();
        assert_eq!(strs.key_of("سعيد الخمليشي"), k);
        assert_eq!(strs.info(k).loose, l);
        assert_eq!(strs.marks(k).seen[0], NONE);
        // Past the most strings kept, all are dropped.
        for i in 0..=Strs::MOST {
            strs.key_of(&format!("w{i}"));
        }
        strs.next_doc();
        assert_eq!(strs.find("w1"), None);
        assert_eq!(strs.key_of("w1"), 0);
    }

    #[test]
    fn strings_are_stored_once_past_the_growth_of_the_table() {
        let mut strs = Strs::default();
        strs.clear();
        let words: Vec<String> = (0..2000).map(|i| format!("w{i}")).collect();
        let ids: Vec<u32> = words.iter().map(|w| strs.key_of(w)).collect();
        for (w, &id) in words.iter().zip(&ids) {
            assert_eq!(strs.key_of(w), id);
            assert_eq!(strs.find(w), Some(id));
            assert_eq!(strs.get(id), w);
        }
        assert_eq!(strs.find("w2000"), None);
        strs.clear();
        assert_eq!(strs.find("w1"), None);
    }

    #[test]
    fn variants_peel_conjunctions_prepositions_and_restore_the_elided_article() {
        let mut buf = String::new();
        let v: Vec<(usize, String)> = variants("وللجنة", &mut buf)
            .map(|(n, s)| (n, s.to_string()))
            .collect();
        assert!(v.contains(&(0, "وللجنة".to_string())));
        assert!(v.contains(&(1, "للجنة".to_string())));
        assert!(v.contains(&(2, "اللجنة".to_string())), "{v:?}");
        let v: Vec<String> = variants("للمغرب", &mut buf)
            .map(|(_, s)| s.to_string())
            .collect();
        assert!(v.contains(&"المغرب".to_string()), "{v:?}");
    }
}
