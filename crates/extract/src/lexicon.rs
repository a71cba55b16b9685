//! The compiled-in word lists (gazetteer, titles, cue words) the entity finder uses.
//!
//! Every list lives in `data/` as a text file, one entry a line, `#` lines for comments; the
//! code here only knows the shape of a line. All forms are folded with [`dossier_core::text::key`] and
//! put in one hash index over a document's folded token keys: a word is looked up whole, at
//! the few places of a token where it can start and end, so a lookup costs a few probes per
//! token whatever the size of the lists.
//!
//! Words are stored without their definite article: the bare word is looked up inside a token
//! after every prefix that [`parse_prefix`] accepts as a valid chain of proclitics (و ف ب ك ل
//! and the article), and before a pronoun suffix. This is what keeps وجدة (a city) from being read
//! as و + جدة and وزارة from being read as و + زارة, while بالرباط still finds الرباط.

use std::collections::HashMap;

use crate::claims::lists::{shape_hash, WordMap};

use super::entities::tokens::Tokens;
use dossier_core::model::EntityType;
use dossier_core::text::{fold_char, key};

/// One data file: its name (as the held-out check sees it), its role, and its text.
struct DataFile {
    name: &'static str,
    role: Role,
    text: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Gazetteer(EntityType),
    Demonyms,
    Titles,
    Say,
    OrgHeads,
    EquipmentHeads,
    EventHeads,
    LocationHeads,
    Given,
    Particles,
    Stop,
    Adjectives,
    Common,
    LatinOrg,
    Naming,
    /// The finite verbs of the claim triggers (`TYPE v FORM`): words, never a name.
    Verbs,
    MediaSuffixes,
    LeaderCues,
}

const DATA: &[DataFile] = &[
    DataFile {
        name: "gazetteer_countries.txt",
        role: Role::Gazetteer(EntityType::Location),
        text: include_str!("data/gazetteer_countries.txt"),
    },
    DataFile {
        name: "gazetteer_capitals.txt",
        role: Role::Gazetteer(EntityType::Location),
        text: include_str!("data/gazetteer_capitals.txt"),
    },
    DataFile {
        name: "gazetteer_places.txt",
        role: Role::Gazetteer(EntityType::Location),
        text: include_str!("data/gazetteer_places.txt"),
    },
    DataFile {
        name: "gazetteer_orgs.txt",
        role: Role::Gazetteer(EntityType::Org),
        text: include_str!("data/gazetteer_orgs.txt"),
    },
    DataFile {
        name: "gazetteer_equipment.txt",
        role: Role::Gazetteer(EntityType::Equipment),
        text: include_str!("data/gazetteer_equipment.txt"),
    },
    DataFile {
        name: "gazetteer_events.txt",
        role: Role::Gazetteer(EntityType::Event),
        text: include_str!("data/gazetteer_events.txt"),
    },
    DataFile {
        name: "demonyms.txt",
        role: Role::Demonyms,
        text: include_str!("data/demonyms.txt"),
    },
    DataFile {
        name: "titles.txt",
        role: Role::Titles,
        text: include_str!("data/titles.txt"),
    },
    DataFile {
        name: "say_verbs.txt",
        role: Role::Say,
        text: include_str!("data/say_verbs.txt"),
    },
    DataFile {
        name: "org_heads.txt",
        role: Role::OrgHeads,
        text: include_str!("data/org_heads.txt"),
    },
    DataFile {
        name: "equipment_heads.txt",
        role: Role::EquipmentHeads,
        text: include_str!("data/equipment_heads.txt"),
    },
    DataFile {
        name: "event_heads.txt",
        role: Role::EventHeads,
        text: include_str!("data/event_heads.txt"),
    },
    DataFile {
        name: "location_heads.txt",
        role: Role::LocationHeads,
        text: include_str!("data/location_heads.txt"),
    },
    DataFile {
        name: "given_names.txt",
        role: Role::Given,
        text: include_str!("data/given_names.txt"),
    },
    DataFile {
        name: "name_particles.txt",
        role: Role::Particles,
        text: include_str!("data/name_particles.txt"),
    },
    DataFile {
        name: "function_words.txt",
        role: Role::Stop,
        text: include_str!("data/function_words.txt"),
    },
    DataFile {
        name: "adjectives.txt",
        role: Role::Adjectives,
        text: include_str!("data/adjectives.txt"),
    },
    DataFile {
        name: "latin_org_words.txt",
        role: Role::LatinOrg,
        text: include_str!("data/latin_org_words.txt"),
    },
    DataFile {
        name: "naming_cues.txt",
        role: Role::Naming,
        text: include_str!("data/naming_cues.txt"),
    },
    DataFile {
        name: "media_suffixes.txt",
        role: Role::MediaSuffixes,
        text: include_str!("data/media_suffixes.txt"),
    },
    DataFile {
        name: "leader_cues.txt",
        role: Role::LeaderCues,
        text: include_str!("data/leader_cues.txt"),
    },
    DataFile {
        name: "common_words.txt",
        role: Role::Common,
        text: include_str!("data/common_words.txt"),
    },
    DataFile {
        name: "claim_triggers.txt",
        role: Role::Verbs,
        text: include_str!("data/claim_triggers.txt"),
    },
];

/// A place noun before a place's name (مدينة طنجة، قطاع غزة، ميناء الحديدة).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlaceHead {
    /// The head stays part of the place's name (قطاع غزة), not just a cue (مدينة طنجة).
    pub keep: bool,
    /// A kept head also takes a definite name (ميناء الحديدة); others take a bare proper noun
    /// only (قطاع غزة, not قطاع الكهرباء).
    pub definite: bool,
    /// With a known place after it, the head names another place (خليج سرت، مطار بغداد),
    /// not the same one (جزيرة صقلية).
    pub other: bool,
}

/// How a title introduces a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TitleKind {
    /// A rank or honorific: the name follows at once (الجنرال، السيد).
    Rank,
    /// An office: its complement (الدفاع الإسرائيلي، للقوات المسلحة) comes before the name.
    Office,
}

/// How an organization head builds the organization's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrgHeadKind {
    /// The head and its complement are the name (وزارة الدفاع).
    Phrase,
    /// The head is followed by the name, which alone is the entity (شركة "X", موقع "X").
    Named,
    /// Only with a directional adjective (المنطقة الجنوبية).
    Region,
    /// Only with a demonym right after it that agrees with it (الشرطة الإيطالية، خفر السواحل
    /// الليبي), not with a title before it (وزير الخارجية الجزائري): `true` for a masculine
    /// head.
    National(bool),
    /// A phrase head that with one common noun names a kind of body, not a body (قوات الأمن،
    /// قيادة الجيش): a name only with more (قوى الأمن الداخلي).
    Generic,
    /// A word that also means an activity (إدارة الأزمة): a name only with an adjective,
    /// two terms or a proper noun (إدارة الدفاع الوطني، إدارة بايدن).
    Strict,
}

/// Which kind of event a head introduces; mentions of one family in a document are one event
/// unless they carry a proper name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventFamily {
    Agreement,
    Conference,
    Summit,
    Plan,
    Exercise,
    Other,
}

/// What a lexicon word is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A gazetteer name; the index is into [`Lexicon::entries`].
    Gaz(u32),
    /// A demonym (nisba adjective) of the country in [`Lexicon::entries`].
    Demonym(u32),
    Title(TitleKind),
    Say,
    OrgHead(OrgHeadKind),
    /// A noun before a model name; `true` when it also means something else (نظام: a system
    /// or a regime) and takes an Arabic name only after a complement.
    EquipmentHead(bool),
    EventHead(EventFamily),
    /// A place noun (see [`PlaceHead`]).
    LocationHead(PlaceHead),
    Given,
    Particle,
    /// A word that joins the name word before it into one name (صنع الله، جاب الله).
    Bound,
    Stop,
    Adjective,
    /// An ordinal adjective (الأول، السادس).
    Ordinal,
    Common,
    /// A finite verb of the claim triggers (يزور، وقع): a common word that also ends an
    /// office's complement (وزير الدفاع يزور).
    Verb,
    /// An English word that ends an organization's name (Forces, Systems).
    LatinOrg,
    /// A word that introduces the name of what was just mentioned (المعروف بـ).
    Naming,
    /// A word that ends a media outlet's name (نورث برس، صراحة نيوز).
    MediaSuffix,
    /// A word after which the name of who leads something follows (بقيادة، يتزعمها); `true`
    /// when it needs the preposition ب (بقيادة, not قيادة الجيش).
    Leader(bool),
}

/// Whether a word takes the definite article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Art {
    Required,
    Forbidden,
    Optional,
}

/// One meaning of one lexicon pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PatInfo {
    pub class: Class,
    pub art: Art,
    /// The pattern is a possessive stem (صحرائ for الصحراء) that needs a pronoun suffix.
    pub possessive: bool,
    /// For function words and given names, whether the listed form ends in ى (`Some(true)`)
    /// or ي (`Some(false)`): the key folds them together, the word must not (على ≠ علي).
    pub final_maqsura: Option<bool>,
}

/// A gazetteer entity: its type and canonical name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub kind: EntityType,
    pub name: String,
}

/// How the article was written before a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ArtKind {
    /// No article.
    #[default]
    None,
    /// ال written out (المغرب، بالمغرب).
    Written,
    /// The alef dropped after ل (للمغرب).
    Elided,
    /// ل before a word that starts with ل (للجنة): the article may or may not be there.
    Merged,
}

/// The proclitics in front of a word inside a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Prefix {
    /// Folded characters of the clitics, not counting a written article.
    pub clitic_chars: usize,
    pub conj: bool,
    pub prep: Option<char>,
    pub art: ArtKind,
}

/// Parses the part of a token before a lexicon word as proclitics: an optional conjunction
/// (و ف), an optional preposition (ب ك ل) and an optional article. `word_starts_with_lam`
/// allows the two-lam spelling of ل + article + ل-word (للجنة).
pub fn parse_prefix(p: &str, word_starts_with_lam: bool) -> Option<Prefix> {
    if p.is_empty() {
        return Some(Prefix::default());
    }
    let mut buf = ['\0'; 5];
    let mut len = 0;
    for c in p.chars() {
        if len == buf.len() {
            return None;
        }
        buf[len] = c;
        len += 1;
    }
    let cs = &buf[..len];
    let mut i = 0;
    let mut conj = false;
    let mut prep = None;
    if i < cs.len() && matches!(cs[i], 'و' | 'ف') {
        conj = true;
        i += 1;
    }
    if i < cs.len() && matches!(cs[i], 'ب' | 'ك' | 'ل') {
        prep = Some(cs[i]);
        i += 1;
    }
    let rest = &cs[i..];
    let art = match rest {
        [] if prep == Some('ل') && word_starts_with_lam => ArtKind::Merged,
        [] => ArtKind::None,
        ['ا', 'ل'] => ArtKind::Written,
        ['ل'] if prep == Some('ل') => ArtKind::Elided,
        _ => return None,
    };
    Some(Prefix {
        clitic_chars: i,
        conj,
        prep,
        art,
    })
}

/// In [`Lexicon::slot_pat`]: several patterns share this bit.
const SHARED: u32 = u32::MAX;

/// Size of [`Lexicon::bits`] in bits.
/// (Small enough for the filter to stay in the L1 cache; the lexicon has a few thousand
/// patterns.)
const SPAN_LOG: u32 = 15;
pub(crate) const SPAN_BITS: usize = 1 << SPAN_LOG;

/// The claim lists' [`shape_hash`] of a span (length, first four and last two bytes), in
/// `0..SPAN_BITS`.
pub(crate) fn span_bits(w: &str) -> usize {
    (shape_hash(w) >> (64 - SPAN_LOG)) as usize
}

/// Byte lengths of the prefixes of `key` that [`parse_prefix`] reads as proclitics (0 always),
/// shorter than the key itself. Follows the same greedy reading: a conjunction (و ف), then a
/// preposition (ب ك ل), each a valid prefix on its own, then the article (ال, or ل after ل).
fn clitic_prefix_lens(key: &str) -> impl Iterator<Item = usize> + '_ {
    let mut ends = [0usize; 6];
    let mut n = 1;
    let mut cs = key.char_indices().peekable();
    let mut push = |b: usize| {
        if b < key.len() && n < ends.len() {
            ends[n] = b;
            n += 1;
        }
    };
    let next_is = |cs: &mut std::iter::Peekable<std::str::CharIndices<'_>>, f: fn(char) -> bool| {
        cs.next_if(|&(_, c)| f(c)).map(|(b, c)| b + c.len_utf8())
    };
    if let Some(b) = next_is(&mut cs, |c| matches!(c, 'و' | 'ف')) {
        push(b);
    }
    let mut prep_lam = false;
    if let Some((b, c)) = cs.next_if(|&(_, c)| matches!(c, 'ب' | 'ك' | 'ل')) {
        prep_lam = c == 'ل';
        push(b + c.len_utf8());
    }
    match (cs.next(), cs.peek()) {
        (Some((_, 'ا')), Some(&(b, 'ل'))) => push(b + 'ل'.len_utf8()),
        (Some((b, 'ل')), _) if prep_lam => push(b + 'ل'.len_utf8()),
        _ => {}
    }
    ends.into_iter().take(n)
}

fn art_ok(want: Art, got: ArtKind) -> bool {
    match want {
        Art::Optional => true,
        Art::Required => got != ArtKind::None,
        Art::Forbidden => matches!(got, ArtKind::None | ArtKind::Merged),
    }
}

/// A lexicon word found in a document: tokens `first..=last`, with the clitics before it in
/// token `first` and a pronoun suffix after it in token `last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub first: usize,
    pub last: usize,
    pub prefix: Prefix,
    pub suffix_chars: usize,
    pub info: PatInfo,
}

const POSSESSIVE_SUFFIXES: &[&str] = &["ه", "ها", "هم", "هما", "هن"];

/// Numbers the [`ScanMemo`]s as they start afresh (0: none yet).
static NEXT_GENERATION: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// A hit of a pattern inside one token, as [`Lexicon::scan_into`] gives it for every token
/// of the same key: all its checks done but those on the letter the token ends with as
/// written, which the key does not tell (ى and ي fold together, ة and ه).
#[derive(Debug, Clone, Copy)]
struct Single {
    /// Byte offset of the match's end in the token's key (the order with matches of several
    /// words that end in the same token).
    end: u32,
    prefix: Prefix,
    suffix_chars: usize,
    info: PatInfo,
    /// The written last letter must not be ى (`Some(false)`) or ي (`Some(true)`).
    maqsura: Option<bool>,
    /// The written last letter must be ه (a ـه suffix, not ة).
    written_ha: bool,
}

impl Single {
    fn needs_last_letter(&self) -> bool {
        self.maqsura.is_some() || self.written_ha
    }
}

/// Whether a hit that needs `maqsura` (see [`PatInfo::final_maqsura`]) and, with
/// `written_ha`, a written ه, stands on a token whose last letter as written is `last`.
fn last_letter_ok(maqsura: Option<bool>, written_ha: bool, last: Option<char>) -> bool {
    if let Some(maqsura) = maqsura {
        let written = match last {
            Some('ى') => Some(true),
            Some('ي') => Some(false),
            _ => None,
        };
        if written.is_some_and(|w| w != maqsura) {
            return false;
        }
    }
    !written_ha || last == Some('ه')
}

/// The last letter of token `t` as written (marks and other characters that fold to nothing
/// skipped).
fn last_letter(text: &str, t: &super::entities::tokens::Token) -> Option<char> {
    text.get(t.start..t.end)
        .and_then(|w| w.chars().rev().find(|&c| fold_char(c).is_some()))
}

/// Is the token of `key` a Latin word (see [`super::entities::tokens::Token::latin`])? Its key
/// starts with what its first character folds to, and only an ASCII letter folds to one, or
/// `@` for a handle.
fn latin_key(key: &str) -> bool {
    key.as_bytes()
        .first()
        .is_some_and(|&b| b.is_ascii_alphabetic() || b == b'@')
}

/// What [`Lexicon::scan_into`] found in the token keys it has read: for each key, its range
/// of `single` (the hits of patterns inside the token) and of `multi` (the key byte offsets
/// where a pattern of several words may start).
#[derive(Debug, Default)]
pub struct ScanMemo {
    /// Keys are added (a memo kept across documents); a default memo, for one short text,
    /// is emptied at each scan.
    record: bool,
    /// The [`Lexicon::id`] of the lexicon that filled it.
    lexicon: Option<u64>,
    /// Each key's ranges of `single` and `multi`, and its [`KeyRanges::tag`].
    words: WordMap<KeyRanges>,
    single: Vec<Single>,
    multi: Vec<u32>,
    /// Matches of several words ending in the token being read, sorted (a scan's scratch).
    ending: Vec<(usize, usize, usize)>,
    /// (end, start, pattern) of the patterns inside a key being read (scratch).
    inside: Vec<(usize, usize, usize)>,
    /// Tells this memo's keys from those of any memo before it: see [`ScanMemo::variants`].
    generation: u64,
    /// The variant of each token of the last text scanned.
    variants: Vec<u32>,
    /// The last short key met in each slot of a small table, by [`short_key`], with its
    /// ranges: most tokens are common words, found here without hashing the key.
    recent: Vec<(ShortKey, KeyRanges)>,
}

/// A key of at most 16 bytes as (length, two words that hold all its bytes).
type ShortKey = (u32, u64, u64);

/// Slots of [`ScanMemo::recent`], a power of two (40 bytes each).
const RECENT_LOG: u32 = 11;
const RECENT_SLOTS: usize = 1 << RECENT_LOG;

/// `key` as a [`ShortKey`] (from overlapping reads: with the length they tell every byte),
/// and its slot in [`ScanMemo::recent`]; `None` past 16 bytes.
fn short_key(key: &str) -> Option<(ShortKey, usize)> {
    let b = key.as_bytes();
    let n = b.len();
    let eight = |x: Option<&[u8]>| -> Option<u64> { Some(u64::from_le_bytes(x?.try_into().ok()?)) };
    let (lo, hi) = match n {
        0..=7 => {
            let mut w = [0u8; 8];
            for (d, &s) in w.iter_mut().zip(b) {
                *d = s;
            }
            (u64::from_le_bytes(w), 0)
        }
        8..=16 => (eight(b.get(..8))?, eight(b.get(n - 8..))?),
        _ => return None,
    };
    let h = (lo ^ hi.rotate_left(29) ^ n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    Some(((n as u32, lo, hi), (h >> (64 - RECENT_LOG)) as usize))
}

/// Where a key's hits are in a [`ScanMemo`].
#[derive(Debug, Clone, Copy)]
struct KeyRanges {
    single: (u32, u32),
    multi: (u32, u32),
    /// The key's number in the memo, times two, plus one when a hit of the key depends on
    /// the written last letter.
    tag: u32,
}

impl ScanMemo {
    /// Past this many keys the memo starts afresh.
    const MAX_WORDS: usize = 1 << 16;

    /// The variant of each token of the last text scanned: tokens of one variant have the same
    /// hits inside them (patterns of one token), so what is derived from those alone can be
    /// kept by variant as long as [`ScanMemo::generation`] stays the same. It is the key's
    /// number times four, plus, when a hit depends on it, a class of the last letter as
    /// written (ى, ي, ه, another).
    pub(crate) fn variants(&self) -> &[u32] {
        &self.variants
    }

    /// Changes whenever the memo starts afresh (then variants are numbered anew).
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// A memo that keeps the keys it reads, for a caller that scans many documents.
    pub fn recording() -> ScanMemo {
        ScanMemo {
            record: true,
            ..ScanMemo::default()
        }
    }
}

/// Word lists loaded from `data/` at compile time, compiled into one index.
#[derive(Debug)]
pub struct Lexicon {
    /// Tells this lexicon from every other one built in the process, so that a
    /// [`ScanMemo`] is only ever read with the lexicon that filled it.
    id: u64,
    /// Every pattern, by its text.
    index: WordMap<u32>,
    /// Quick filter on [`span_bits`] of the patterns: most spans of the text are no pattern
    /// and skip the hash lookup.
    bits: Vec<u64>,
    /// The pattern of each bit of [`Lexicon::bits`], found without hashing: `ranks[w]` counts
    /// the bits set in the words of `bits` before word `w`, and `slot_pat[r]` is the pattern
    /// of the bit of rank `r`, or [`SHARED`] when several patterns share it (then `index`
    /// decides).
    ranks: Vec<u32>,
    slot_pat: Vec<u32>,
    /// The text of every pattern, laid end to end, and each one's byte range in it.
    pat_text: String,
    pat_range: Vec<(u32, u32)>,
    /// The first words of the patterns of several words, and a quick filter on their
    /// [`span_bits`].
    multi_first: WordMap<()>,
    multi_bits: Vec<u64>,
    /// The spans of two words or more that begin a pattern of more words, and a quick filter
    /// on their [`span_bits`]: a span that is none of them ends the look-up of longer ones.
    multi_inner: WordMap<()>,
    inner_bits: Vec<u64>,
    /// The most words in a pattern.
    max_words: usize,
    /// The patterns, for checking the anchored scan against an overlapping search.
    #[cfg(test)]
    patterns: Vec<String>,
    pats: Vec<Vec<PatInfo>>,
    /// Gazetteer entities, indexed by [`Class::Gaz`].
    pub entries: Vec<Entry>,
}

impl Default for Lexicon {
    fn default() -> Self {
        Lexicon::builtin()
    }
}

/// Splits a data file into its entry lines: comments and blank lines dropped, each line cut
/// at `|` into forms and at `;` into forms and a flag.
pub(crate) fn lines(text: &str) -> impl Iterator<Item = (Vec<&str>, Option<&str>)> {
    text.lines().filter_map(|l| {
        let l = l.trim();
        if l.is_empty() || l.starts_with('#') {
            return None;
        }
        let (forms, flag) = match l.split_once(';') {
            Some((f, g)) => (f, Some(g.trim())),
            None => (l, None),
        };
        let forms: Vec<&str> = forms
            .split('|')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        (!forms.is_empty()).then_some((forms, flag))
    })
}

struct Builder {
    index: HashMap<String, usize>,
    patterns: Vec<String>,
    pats: Vec<Vec<PatInfo>>,
}

impl Builder {
    fn add(&mut self, pattern: String, info: PatInfo) {
        if pattern.chars().count() < 2
            && !matches!(info.class, Class::Stop | Class::Particle | Class::Bound)
        {
            return;
        }
        let n = match self.index.get(&pattern) {
            Some(&n) => n,
            None => {
                let n = self.patterns.len();
                self.index.insert(pattern.clone(), n);
                self.patterns.push(pattern);
                self.pats.push(Vec::new());
                n
            }
        };
        if !self.pats[n].contains(&info) {
            self.pats[n].push(info);
        }
    }

    /// Adds a form under its bare key; a listed article becomes a requirement (or, for word
    /// classes that take it freely, an option).
    fn add_form(&mut self, form: &str, class: Class, article_default: Art) {
        let k = key(form);
        let strip = !matches!(
            class,
            Class::Stop | Class::Say | Class::Particle | Class::Bound
        );
        let (bare, art) = match k.strip_prefix("ال") {
            Some(rest) if strip && rest.chars().count() >= 2 => (
                rest.to_string(),
                if article_default == Art::Optional {
                    Art::Optional
                } else {
                    Art::Required
                },
            ),
            _ => (
                k.clone(),
                if matches!(class, Class::Gaz(_)) {
                    Art::Forbidden
                } else {
                    article_default
                },
            ),
        };
        if bare.is_empty() {
            return;
        }
        // Known names with the article also occur with a pronoun suffix and no article:
        // الصحراء → صحرائه, المملكة → مملكتها.
        if matches!(class, Class::Gaz(_)) && art == Art::Required && !bare.contains(' ') {
            let mut stem = bare.clone();
            match stem.pop() {
                Some('ه') => stem.push('ت'),
                Some('ء') => stem.push('ي'),
                Some(c) => stem.push(c),
                None => {}
            }
            self.add(
                stem,
                PatInfo {
                    class,
                    art: Art::Forbidden,
                    possessive: true,
                    final_maqsura: None,
                },
            );
        }
        let final_maqsura = match (class, form.trim().chars().next_back()) {
            (Class::Stop | Class::Given, Some('ى')) => Some(true),
            (Class::Stop | Class::Given, Some('ي')) => Some(false),
            _ => None,
        };
        self.add(
            bare,
            PatInfo {
                class,
                art,
                possessive: false,
                final_maqsura,
            },
        );
    }
}

impl Lexicon {
    /// The lists shipped with dossier.
    pub fn builtin() -> Self {
        Self::builtin_without(|_, _| false)
    }

    /// The shipped lists minus every line for which `drop(file name, forms)` is true; used to
    /// check that extraction does not lean on names it was shown.
    pub fn builtin_without(mut drop: impl FnMut(&str, &[&str]) -> bool) -> Self {
        let mut b = Builder {
            index: HashMap::new(),
            patterns: Vec::new(),
            pats: Vec::new(),
        };
        let mut entries: Vec<Entry> = Vec::new();
        let mut country_of: HashMap<String, u32> = HashMap::new();
        let given: std::collections::HashSet<String> = lines(include_str!("data/given_names.txt"))
            .flat_map(|(forms, _)| forms.into_iter().map(key))
            .collect();
        // Gazetteers first, so demonyms can point at their countries.
        let mut order: Vec<&DataFile> = DATA.iter().collect();
        order.sort_by_key(|d| !matches!(d.role, Role::Gazetteer(_)));
        for file in order {
            for (forms, flag) in lines(file.text) {
                if drop(file.name, &forms) {
                    continue;
                }
                match file.role {
                    Role::Verbs => {
                        // `TYPE v FORM | near=…`: one-word verbs only, and none that is also a
                        // given name (a headline's "وزير الدفاع يزور" is no person).
                        let toks: Vec<&str> = forms[0].split_whitespace().collect();
                        if let [_, "v", verb] = toks[..] {
                            if !verb.ends_with('*') && !given.contains(&key(verb)) {
                                b.add_form(verb, Class::Verb, Art::Forbidden);
                            }
                        }
                    }
                    Role::Gazetteer(kind) => {
                        let id = entries.len() as u32;
                        entries.push(Entry {
                            kind,
                            name: forms[0].to_string(),
                        });
                        for f in &forms {
                            country_of.insert(key(f), id);
                            b.add_form(f, Class::Gaz(id), Art::Forbidden);
                        }
                    }
                    Role::Demonyms => {
                        // country | masculine demonym: the feminine and plurals follow the rule.
                        let Some(&id) = country_of.get(&key(forms[0])) else {
                            continue;
                        };
                        for f in &forms[1..] {
                            let base = key(f);
                            for suffix in ["", "ه", "ون", "ين", "ان", "ا"] {
                                b.add_form(
                                    &format!("{base}{suffix}"),
                                    Class::Demonym(id),
                                    Art::Optional,
                                );
                            }
                        }
                    }
                    role => {
                        let class = match role {
                            Role::Titles => Class::Title(if flag == Some("rank") {
                                TitleKind::Rank
                            } else {
                                TitleKind::Office
                            }),
                            Role::Say => Class::Say,
                            Role::OrgHeads => Class::OrgHead(match flag {
                                Some(f) if f.contains("named") => OrgHeadKind::Named,
                                Some(f) if f.contains("region") => OrgHeadKind::Region,
                                Some(f) if f.contains("national") => {
                                    OrgHeadKind::National(f.contains("masc"))
                                }
                                Some(f) if f.contains("generic") => OrgHeadKind::Generic,
                                Some(f) if f.contains("strict") => OrgHeadKind::Strict,
                                _ => OrgHeadKind::Phrase,
                            }),
                            Role::EquipmentHeads => {
                                Class::EquipmentHead(flag.is_some_and(|f| f.contains("strict")))
                            }
                            Role::EventHeads => Class::EventHead(match flag {
                                Some("agreement") => EventFamily::Agreement,
                                Some("conference") => EventFamily::Conference,
                                Some("summit") => EventFamily::Summit,
                                Some("plan") => EventFamily::Plan,
                                Some("exercise") => EventFamily::Exercise,
                                _ => EventFamily::Other,
                            }),
                            Role::LocationHeads => Class::LocationHead(PlaceHead {
                                keep: flag.is_some_and(|f| f.contains("keep")),
                                definite: flag.is_some_and(|f| f.contains("anyname")),
                                other: flag.is_some_and(|f| f.contains("other")),
                            }),
                            Role::LatinOrg => Class::LatinOrg,
                            Role::Naming => Class::Naming,
                            Role::MediaSuffixes => Class::MediaSuffix,
                            Role::LeaderCues => Class::Leader(flag == Some("ba")),
                            Role::Given => Class::Given,
                            Role::Particles if flag == Some("after") => Class::Bound,
                            Role::Particles => Class::Particle,
                            Role::Stop => Class::Stop,
                            Role::Adjectives if flag == Some("ordinal") => Class::Ordinal,
                            Role::Adjectives => Class::Adjective,
                            _ => Class::Common,
                        };
                        // A flag containing `indef` or `def` sets the article rule of every
                        // file: no other flag may contain those letters.
                        let art = match (role, flag) {
                            (_, Some(f)) if f.contains("indef") => Art::Forbidden,
                            (_, Some(f)) if f.contains("def") => Art::Required,
                            (Role::Stop | Role::Say | Role::Particles | Role::Given, _) => {
                                Art::Forbidden
                            }
                            _ => Art::Optional,
                        };
                        for f in &forms {
                            let k = key(f);
                            // A rank listed with its article needs it (اللواء is a rank, لواء a unit).
                            let art = if role == Role::Titles && k.starts_with("ال") {
                                Art::Required
                            } else {
                                art
                            };
                            b.add_form(f, class, art);
                        }
                    }
                }
            }
        }
        let mut index: WordMap<u32> = WordMap::default();
        let mut bits = vec![0u64; SPAN_BITS / 64];
        let mut multi_first: WordMap<()> = WordMap::default();
        let mut multi_bits = vec![0u64; SPAN_BITS / 64];
        let mut multi_inner: WordMap<()> = WordMap::default();
        let mut inner_bits = vec![0u64; SPAN_BITS / 64];
        let mut max_words = 1;
        let mut by_bit: HashMap<usize, u32> = HashMap::new();
        let mut pat_text = String::new();
        let mut pat_range = Vec::with_capacity(b.patterns.len());
        for (n, p) in b.patterns.iter().enumerate() {
            index.insert(p.clone(), n as u32);
            let h = span_bits(p);
            bits[h / 64] |= 1 << (h % 64);
            by_bit
                .entry(h)
                .and_modify(|x| *x = SHARED)
                .or_insert(n as u32);
            pat_range.push((pat_text.len() as u32, (pat_text.len() + p.len()) as u32));
            pat_text.push_str(p);
            let words = p.split(' ').count();
            if words > 1 {
                max_words = max_words.max(words);
                if let Some((first, _)) = p.split_once(' ') {
                    multi_first.insert(first.to_string(), ());
                    let h = span_bits(first);
                    multi_bits[h / 64] |= 1 << (h % 64);
                }
                // Its first two words, first three, ..., all but the last.
                for (e, _) in p.match_indices(' ').skip(1) {
                    multi_inner.insert(p[..e].to_string(), ());
                    let h = span_bits(&p[..e]);
                    inner_bits[h / 64] |= 1 << (h % 64);
                }
            }
        }
        let mut ranks = Vec::with_capacity(bits.len());
        let mut slot_pat = Vec::with_capacity(by_bit.len());
        for (w, &word) in bits.iter().enumerate() {
            ranks.push(slot_pat.len() as u32);
            for bit in 0..64 {
                if word & (1 << bit) != 0 {
                    slot_pat.push(by_bit.get(&(w * 64 + bit)).copied().unwrap_or(SHARED));
                }
            }
        }
        static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        Lexicon {
            id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            index,
            bits,
            ranks,
            slot_pat,
            pat_text,
            pat_range,
            multi_first,
            multi_bits,
            multi_inner,
            inner_bits,
            max_words,
            #[cfg(test)]
            patterns: b.patterns,
            pats: b.pats,
            entries,
        }
    }

    /// Every lexicon word in the document whose clitics and suffix are valid.
    ///
    /// A word can only make a hit where it starts at a token's start or after proclitics that
    /// [`parse_prefix`] accepts (most tokens: one place), and ends at a token's end or before
    /// a pronoun suffix; only those spans are looked up. The matches are then read in the
    /// order an overlapping search of every pattern over the whole key buffer gives them (by
    /// end, then by start), which is the order the rules depend on for ties.
    pub fn scan(&self, text: &str, toks: &Tokens) -> Vec<Hit> {
        let mut found = Vec::new();
        let mut hits = Vec::new();
        self.scan_into(text, toks, &mut ScanMemo::default(), &mut found, &mut hits);
        hits
    }

    /// [`Lexicon::scan`] into `hits`, with `found` for the matches (both cleared first) and
    /// `memo` for the words already read: a caller keeps them from one document to the next.
    /// A memo filled by another lexicon is emptied first.
    ///
    /// What a token matches on its own, with the clitics and suffix checked, depends on its
    /// key alone (and on its last letter as written, checked for each token): a key met
    /// before is read from the memo. Patterns of several words are looked up from each token
    /// whose key may start one, and checked where they end.
    pub fn scan_into(
        &self,
        text: &str,
        toks: &Tokens,
        memo: &mut ScanMemo,
        found: &mut Vec<(usize, usize, usize)>,
        hits: &mut Vec<Hit>,
    ) {
        if memo.lexicon != Some(self.id) || memo.words.len() > ScanMemo::MAX_WORDS || !memo.record {
            *memo = ScanMemo {
                record: memo.record,
                lexicon: Some(self.id),
                generation: NEXT_GENERATION.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                ..ScanMemo::default()
            };
        }
        memo.variants.clear();
        found.clear();
        hits.clear();
        let keys = toks.keys.as_str();
        // `found` holds the matches of several words met so far that end in a later token;
        // each token takes those ending in its stretch of the key buffer (after the previous
        // token's key, up to the end of its own) into `ending`. The hits come out in the
        // order of the matches' (end, start, pattern).
        let mut ending = std::mem::take(&mut memo.ending);
        for (ti, t) in toks.toks.iter().enumerate() {
            let key = keys.get(t.kstart..t.kend).unwrap_or("");
            let KeyRanges {
                single: (a, b),
                multi: (ma, mb),
                tag,
            } = match short_key(key) {
                Some((sk, slot)) => match memo.recent.get(slot) {
                    Some(&(k, r)) if k == sk => r,
                    _ => {
                        let r = match memo.words.get(key) {
                            Some(&r) => r,
                            None => self.read_key(key, memo),
                        };
                        if memo.recent.is_empty() {
                            memo.recent = vec![((u32::MAX, 0, 0), r); RECENT_SLOTS];
                        }
                        if let Some(x) = memo.recent.get_mut(slot) {
                            *x = (sk, r);
                        }
                        r
                    }
                },
                None => match memo.words.get(key) {
                    Some(&r) => r,
                    None => self.read_key(key, memo),
                },
            };
            for &plen in memo.multi.get(ma as usize..mb as usize).unwrap_or(&[]) {
                let s = t.kstart + plen as usize;
                let more = toks.toks.iter().skip(ti + 1).take(self.max_words - 1);
                for tl in more {
                    self.ending_in(keys, s, tl.kend, found);
                    if !self.multi_inner_span(keys.get(s..tl.kend).unwrap_or("")) {
                        break;
                    }
                }
            }
            ending.clear();
            if !found.is_empty() {
                found.retain(|&m| {
                    let ends_here = m.0 <= t.kend;
                    if ends_here {
                        ending.push(m);
                    }
                    !ends_here
                });
                ending.sort_unstable();
            }
            let mut multi = ending.iter().peekable();
            // The written last letter, read once if a hit needs it.
            let mut last: Option<Option<char>> = None;
            for sg in memo.single.get(a as usize..b as usize).unwrap_or(&[]) {
                // A match of several words ending at or before this one's end sorts first
                // (it starts in an earlier token).
                while let Some(&m) = multi.next_if(|m| m.0 <= t.kstart + sg.end as usize) {
                    self.hits_at(text, toks, ti, m, hits);
                }
                if sg.needs_last_letter() {
                    let l = *last.get_or_insert_with(|| last_letter(text, t));
                    if !last_letter_ok(sg.maqsura, sg.written_ha, l) {
                        continue;
                    }
                }
                hits.push(Hit {
                    first: ti,
                    last: ti,
                    prefix: sg.prefix,
                    suffix_chars: sg.suffix_chars,
                    info: sg.info,
                });
            }
            for &m in multi {
                self.hits_at(text, toks, ti, m, hits);
            }
            let class = if tag & 1 == 0 {
                0
            } else {
                match *last.get_or_insert_with(|| last_letter(text, t)) {
                    Some('ى') => 1,
                    Some('ي') => 2,
                    Some('ه') => 3,
                    _ => 0,
                }
            };
            memo.variants.push((tag >> 1) * 4 + class);
        }
        // (None are left: every match ends in a token read after the one it starts in.)
        found.sort_unstable();
        let mut last = 0;
        for &m in found.iter() {
            while last + 1 < toks.toks.len() && toks.toks[last].kend < m.0 {
                last += 1;
            }
            self.hits_at(text, toks, last, m, hits);
        }
        memo.ending = ending;
    }

    /// Reads a key not in the memo: the hits of the patterns inside it and the places where a
    /// pattern of several words may start, added to the memo; returns its ranges.
    fn read_key(&self, key: &str, memo: &mut ScanMemo) -> KeyRanges {
        let (a, ma) = (memo.single.len() as u32, memo.multi.len() as u32);
        let inside = &mut memo.inside;
        inside.clear();
        for plen in clitic_prefix_lens(key) {
            self.ending_in(key, plen, key.len(), inside);
            if self.max_words > 1 && self.multi_first_word(&key[plen..]) {
                memo.multi.push(plen as u32);
            }
        }
        inside.sort_unstable();
        let latin = latin_key(key);
        for &(e, s, pid) in inside.iter() {
            let Some((prefix, suffix)) = self.affixes(key, 0, key.len(), s, e) else {
                continue;
            };
            for &info in self.pats.get(pid).map_or(&[][..], Vec::as_slice) {
                if let Some(written_ha) = info_ok(info, prefix, suffix, latin) {
                    memo.single.push(Single {
                        end: e as u32,
                        prefix,
                        suffix_chars: suffix.chars().count(),
                        info,
                        maqsura: info.final_maqsura,
                        written_ha,
                    });
                }
            }
        }
        let letter = memo.single[a as usize..]
            .iter()
            .any(Single::needs_last_letter);
        let r = KeyRanges {
            single: (a, memo.single.len() as u32),
            multi: (ma, memo.multi.len() as u32),
            tag: (memo.words.len() as u32) << 1 | u32::from(letter),
        };
        memo.words.insert(key.to_string(), r);
        r
    }

    /// The clitics before a match `keys[s..e]` in a token whose key is `keys[kstart..kend]`
    /// and the pronoun suffix after it, when they are valid.
    fn affixes<'k>(
        &self,
        keys: &'k str,
        kstart: usize,
        kend: usize,
        s: usize,
        e: usize,
    ) -> Option<(Prefix, &'k str)> {
        // Clitics take at most five letters (10 bytes), a pronoun suffix three.
        if s < kstart || s - kstart > 10 || e > kend || kend - e > 6 {
            return None;
        }
        let pat = keys.get(s..e)?;
        let prefix = parse_prefix(keys.get(kstart..s)?, pat.starts_with('ل'))?;
        Some((prefix, keys.get(e..kend)?))
    }

    /// The hits of the match (end `e`, start `s`, pattern `pid`) ending in token `last`.
    fn hits_at(
        &self,
        text: &str,
        toks: &Tokens,
        last: usize,
        (e, s, pid): (usize, usize, usize),
        hits: &mut Vec<Hit>,
    ) {
        let keys = toks.keys.as_str();
        let Some(tl) = toks.toks.get(last) else {
            return;
        };
        let mut first = last;
        while first > 0 && toks.toks[first].kstart > s {
            first -= 1;
        }
        let Some(tf) = toks.toks.get(first) else {
            return;
        };
        if (first + 1..=last).any(|t| toks.toks[t].gap.hard()) {
            return;
        }
        let Some((prefix, suffix)) = self.affixes(keys, tf.kstart, tl.kend, s, e) else {
            return;
        };
        let Some(infos) = self.pats.get(pid) else {
            return;
        };
        let mut last_written = None;
        for &info in infos {
            let Some(written_ha) = info_ok(info, prefix, suffix, tf.latin) else {
                continue;
            };
            if info.final_maqsura.is_some() || written_ha {
                let l = *last_written.get_or_insert_with(|| last_letter(text, tl));
                if !last_letter_ok(info.final_maqsura, written_ha, l) {
                    continue;
                }
            }
            hits.push(Hit {
                first,
                last,
                prefix,
                suffix_chars: suffix.chars().count(),
                info,
            });
        }
    }

    /// The patterns `keys[s..e]` for `e` at `kend` or before a pronoun suffix ending there
    /// (ه ها هم هما هن: [`POSSESSIVE_SUFFIXES`], matched on their UTF-8 bytes).
    fn ending_in(&self, keys: &str, s: usize, kend: usize, found: &mut Vec<(usize, usize, usize)>) {
        let b = keys.as_bytes();
        let tail = |n: usize| kend.checked_sub(n).and_then(|from| b.get(from..kend));
        let mut ends = [kend, 0, 0, 0];
        let mut n = 1;
        // ه
        if let Some([0xD9, 0x87]) = tail(2) {
            ends[n] = kend - 2;
            n += 1;
        }
        // ها هم هن
        if let Some([0xD9, 0x87, 0xD8, 0xA7] | [0xD9, 0x87, 0xD9, 0x85 | 0x86]) = tail(4) {
            ends[n] = kend - 4;
            n += 1;
        }
        // هما
        if let Some([0xD9, 0x87, 0xD9, 0x85, 0xD8, 0xA7]) = tail(6) {
            ends[n] = kend - 6;
            n += 1;
        }
        for &e in &ends[..n] {
            if e <= s {
                continue;
            }
            let Some(span) = keys.get(s..e) else {
                continue;
            };
            if let Some(pid) = self.pattern(span) {
                found.push((e, s, pid as usize));
            }
        }
    }

    /// The pattern whose text is `span`, if any: its bit in [`Lexicon::bits`] gives the one
    /// pattern to compare with (the index is asked only when several share the bit).
    #[inline]
    fn pattern(&self, span: &str) -> Option<u32> {
        let h = span_bits(span);
        let word = *self.bits.get(h / 64)?;
        let bit = 1u64 << (h % 64);
        if word & bit == 0 {
            return None;
        }
        let rank = *self.ranks.get(h / 64)? + (word & (bit - 1)).count_ones();
        let pid = *self.slot_pat.get(rank as usize)?;
        if pid == SHARED {
            return self.index.get(span).copied();
        }
        let &(a, b) = self.pat_range.get(pid as usize)?;
        (self.pat_text.as_bytes().get(a as usize..b as usize) == Some(span.as_bytes()))
            .then_some(pid)
    }

    /// Do the words `w` begin a pattern of more words?
    #[inline]
    fn multi_inner_span(&self, w: &str) -> bool {
        let h = span_bits(w);
        self.inner_bits[h / 64] & (1 << (h % 64)) != 0 && self.multi_inner.contains_key(w)
    }

    /// Is `w` the first word of a pattern of several words?
    #[inline]
    fn multi_first_word(&self, w: &str) -> bool {
        let h = span_bits(w);
        self.multi_bits[h / 64] & (1 << (h % 64)) != 0 && self.multi_first.contains_key(w)
    }

    /// The hits of pattern occurrences given as (end, start, pattern), sorted: the checks of
    /// [`Lexicon::scan_into`] made on every occurrence, for the tests to compare with.
    #[cfg(test)]
    fn hits(
        &self,
        text: &str,
        toks: &Tokens,
        found: &[(usize, usize, usize)],
        hits: &mut Vec<Hit>,
    ) {
        // Matches come in order of their end: a cursor finds the last token.
        let mut last = 0;
        for &(e, s, pid) in found {
            while last + 1 < toks.toks.len() && toks.toks[last].kend < e {
                last += 1;
            }
            self.hits_at(text, toks, last, (e, s, pid), hits);
        }
    }
}

/// The checks of a hit of `info` with `prefix` and `suffix` that do not need the text: `None`
/// when it fails them, else whether it needs the token's last letter written ه.
fn info_ok(info: PatInfo, prefix: Prefix, suffix: &str, latin: bool) -> Option<bool> {
    if !art_ok(info.art, prefix.art) {
        return None;
    }
    // Titles take a pronoun suffix freely (رئيسها التنفيذي); names only through
    // their possessive stems.
    // Heads too, so that a later cue can find them (قسمها الدولي المعروف بـ).
    let title = matches!(
        info.class,
        Class::Title(_)
            | Class::OrgHead(_)
            | Class::EquipmentHead(_)
            | Class::EventHead(_)
            | Class::LocationHead(_)
    );
    if !suffix.is_empty() && !POSSESSIVE_SUFFIXES.contains(&suffix) {
        return None;
    }
    if !title && info.possessive == suffix.is_empty() {
        return None;
    }
    // Function words and verbs take only a conjunction; particles also a
    // preposition (بعبد), never the article.
    let closed = matches!(info.class, Class::Stop | Class::Say);
    let particle = matches!(info.class, Class::Particle | Class::Bound);
    if (closed || particle) && prefix.art != ArtKind::None || closed && prefix.prep.is_some() {
        return None;
    }
    // Latin words take no Arabic clitics.
    if latin && (prefix.clitic_chars > 0 || prefix.art != ArtKind::None) {
        return None;
    }
    // ة folds to ه in the key: a ـه suffix must be written ه (مؤسسة is not مؤسس+ه).
    Some(suffix == "ه")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_parse_as_clitic_chains() {
        let p = parse_prefix("وبال", false);
        assert_eq!(
            p.map(|p| (p.clitic_chars, p.art)),
            Some((2, ArtKind::Written))
        );
        assert_eq!(
            parse_prefix("لل", false).map(|p| p.art),
            Some(ArtKind::Elided)
        );
        assert_eq!(
            parse_prefix("ل", true).map(|p| p.art),
            Some(ArtKind::Merged)
        );
        assert_eq!(parse_prefix("زا", false), None);
        assert_eq!(parse_prefix("", false).map(|p| p.clitic_chars), Some(0));
    }

    #[test]
    fn every_data_file_parses_and_the_lexicon_builds() {
        let lex = Lexicon::builtin();
        assert!(!lex.index.is_empty());
        assert!(lex.entries.len() > 100);
    }

    /// The lookups find the same hits, in the same order, as an overlapping search of
    /// every pattern over the whole key buffer.
    #[test]
    fn lookups_agree_with_an_overlapping_search() {
        let lex = Lexicon::builtin();
        let ac = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::Standard)
            .build(&lex.patterns)
            .expect("automaton");
        let mut texts: Vec<String> =
            vec!["وبالمغرب وللجنة والرباط، لأفيف بن الوالي وزارة الدفاع الوطني F-16 صحرائه".into()];
        for e in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds"))
            .expect("seeds")
            .flatten()
        {
            if let Ok(t) = std::fs::read_to_string(e.path()) {
                texts.push(t);
            }
        }
        let mut memo = ScanMemo::recording();
        for text in &texts {
            let toks = Tokens::new(text);
            let all: Vec<(usize, usize, usize)> = ac
                .find_overlapping_iter(toks.keys.as_str())
                .map(|m| (m.end(), m.start(), m.pattern().as_usize()))
                .collect();
            let mut hits = Vec::new();
            lex.hits(text, &toks, &all, &mut hits);
            // Also with the words of the texts before already in the memo.
            let (mut found, mut memo_hits) = (Vec::new(), Vec::new());
            lex.scan_into(text, &toks, &mut memo, &mut found, &mut memo_hits);
            assert_eq!(hits, memo_hits);
            assert_eq!(
                hits,
                lex.scan(text, &toks),
                "{}",
                text.chars().take(40).collect::<String>()
            );
        }
    }

    /// A short key tells its key: no two keys of up to 16 bytes share one.
    #[test]
    fn short_keys_tell_their_keys() {
        let mut seen: HashMap<ShortKey, String> = HashMap::new();
        let alphabet = ['a', 'b', '\u{0627}', '\u{0644}', ' '];
        let mut words = vec![String::new()];
        let mut all = vec![String::new()];
        for _ in 0..9 {
            let mut next = Vec::new();
            for w in &words {
                for c in alphabet {
                    let x = format!("{w}{c}");
                    if x.len() <= 17 {
                        next.push(x);
                    }
                }
            }
            all.extend(next.iter().cloned());
            words = next;
        }
        for w in &all {
            match short_key(w) {
                Some((k, slot)) => {
                    assert!(slot < RECENT_SLOTS);
                    if let Some(other) = seen.insert(k, w.clone()) {
                        assert_eq!(&other, w);
                    }
                }
                None => assert!(w.len() > 16, "{w}"),
            }
        }
    }

    /// The memo reads whether a token is Latin from its key.
    #[test]
    fn a_key_tells_a_latin_token() {
        let mut texts: Vec<String> = vec![
            "F-16 @Handle_1 و@x ١٢ ًAbc éte Ωmega ـA 3D a-b «Saab» (NATO) وF".into(),
            "\u{064B}abc \u{0640}x \u{200B}Ab \u{FEFF}q".into(),
        ];
        for e in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../../seeds"))
            .expect("seeds")
            .flatten()
        {
            if let Ok(t) = std::fs::read_to_string(e.path()) {
                texts.push(t);
            }
        }
        for text in &texts {
            let toks = Tokens::new(text);
            for (i, t) in toks.toks.iter().enumerate() {
                assert_eq!(latin_key(toks.key(i)), t.latin, "{}", &text[t.start..t.end]);
            }
        }
    }

    #[test]
    fn a_memo_is_never_read_with_another_lexicon() {
        let a = Lexicon::builtin();
        let b = Lexicon::builtin_without(|name, _| name == "gazetteer_countries.txt");
        let text = "زار وزير الدفاع المغرب وبالمغرب";
        let toks = Tokens::new(text);
        assert_ne!(a.scan(text, &toks), b.scan(text, &toks));
        let mut memo = ScanMemo::recording();
        let (mut found, mut hits) = (Vec::new(), Vec::new());
        for lex in [&a, &a, &b, &a] {
            lex.scan_into(text, &toks, &mut memo, &mut found, &mut hits);
            assert_eq!(hits, lex.scan(text, &toks));
        }
    }

    #[test]
    fn clitic_prefixes_are_those_parse_prefix_accepts() {
        let letters = ['و', 'ف', 'ب', 'ك', 'ل', 'ا', 'م', 'ه'];
        let mut words = vec![String::new()];
        for _ in 0..6 {
            let mut next = Vec::new();
            for w in &words {
                for c in letters {
                    next.push(format!("{w}{c}"));
                }
            }
            words.extend(next.iter().cloned());
            words.dedup();
            if words.len() > 40_000 {
                break;
            }
        }
        for w in &words {
            let want: Vec<usize> = std::iter::once(0)
                .chain(
                    w.char_indices()
                        .skip(1)
                        .take(5)
                        .map(|(b, _)| b)
                        .filter(|&b| parse_prefix(&w[..b], false).is_some()),
                )
                .collect();
            let got: Vec<usize> = clitic_prefix_lens(w).collect();
            assert_eq!(got, want, "{w}");
        }
    }
}
