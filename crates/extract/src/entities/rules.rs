//! Turns lexicon marks into candidate mentions: gazetteer names, organization, event,
//! equipment and place phrases built from their heads, and people found by cues (titles and
//! ranks, verbs of saying, given names, apposition). Overlaps are settled here, longest first.

use super::tokens::Tokens;
use crate::lexicon::{
    ArtKind, Class, EventFamily, Hit, Lexicon, OrgHeadKind, PlaceHead, Prefix, ScanMemo, TitleKind,
};
use dossier_core::model::EntityType;
use dossier_core::text::fold_char;

/// What the lexicon says about one token, read with its clitics removed.
#[derive(Debug, Clone, Copy, Default)]
pub struct Word {
    /// Folded characters of the clitics in front (a written article not included).
    pub clitic: usize,
    pub art: ArtKind,
    pub prep: Option<char>,
    pub conj: bool,
    /// Byte offset in the key buffer where the word proper starts (after clitics and article).
    pub bare: usize,
    /// Some lexicon entry covers the whole token.
    pub known: bool,
    pub given: bool,
    pub particle: bool,
    /// Joins the name word before it (see [`Class::Bound`]).
    pub bound: bool,
    pub stop: bool,
    pub say: bool,
    pub adj: bool,
    pub ordinal: bool,
    pub demonym: bool,
    pub common: bool,
    /// A finite verb (see [`Class::Verb`]).
    pub verb: bool,
    pub latin_org: bool,
    pub title: bool,
    pub org_head: bool,
    pub naming: bool,
    /// Ends a media outlet's name (see [`Class::MediaSuffix`]).
    pub media_suffix: bool,
    /// A leader cue (see [`Class::Leader`]): `Some(true)` when it needs ب.
    pub leader: Option<bool>,
    /// An unknown word read as clitic + hamza-initial word (لأفيف).
    pub hamza_clitic: bool,
}

/// A non-gazetteer lexicon phrase (title or head) starting at a token.
#[derive(Debug, Clone, Copy)]
pub struct HeadSpan {
    pub last: usize,
    pub class: Class,
    pub prefix: Prefix,
    /// The head carries a pronoun suffix (قسمها): it names nothing itself.
    pub suffixed: bool,
}

/// A gazetteer name chosen for a token range.
#[derive(Debug, Clone, Copy)]
pub struct GazSpan {
    pub first: usize,
    pub last: usize,
    pub prefix: Prefix,
    pub entry: u32,
    pub kind: EntityType,
    pub required_article: bool,
}

/// A candidate mention.
#[derive(Debug, Clone)]
pub struct Cand {
    pub kind: EntityType,
    pub first: usize,
    pub last: usize,
    /// Byte range in the text (clitics excluded).
    pub start: usize,
    pub end: usize,
    /// The surface form without clitics, marks dropped: written only for the candidates
    /// [`Doc::candidates`] keeps.
    pub display: String,
    /// What is written before the display (the elided article of للمغرب).
    art_fix: &'static str,
    pub gaz: Option<u32>,
    /// An event without a proper name: its family and, except for agreements (whose
    /// wordings vary: مذكرة تفاهم، الاتفاق الأمني), its head word.
    pub family: Option<(EventFamily, String)>,
    /// The mention is definite and specific enough to make its family an entity.
    pub qualifies: bool,
    /// A bare reference (الاتفاق، المذكرة): a mention, not a name.
    pub anaphor: bool,
    /// Belongs to the entity of the candidate just before it (an @handle in parentheses).
    pub link_prev: bool,
    /// Another written form of the same mention, kept as an alias (the head with a quoted
    /// name: مناورات "X").
    pub also: Option<String>,
    pub prio: u8,
}

/// A document read for entities.
pub struct Doc<'a> {
    pub text: &'a str,
    pub toks: &'a Tokens,
    pub lex: &'a Lexicon,
    pub words: Vec<Word>,
    /// The longest title or head phrase starting at each token.
    pub heads: Vec<Option<HeadSpan>>,
    /// For each token, the gazetteer span covering it.
    pub gaz_at: Vec<Option<u32>>,
    pub gaz: Vec<GazSpan>,
}

/// Whether `key` can be that of a token starting with a clitic and a hamza-alef (لأفيف): its
/// first letter a folded و ف ل ب ك, its second a folded أ إ آ, and a third after them.
fn hamza_clitic_key(key: &str) -> bool {
    let mut kc = key.chars();
    let (Some(a), Some(b), Some(_)) = (kc.next(), kc.next(), kc.next()) else {
        return false;
    };
    ['و', 'ف', 'ل', 'ب', 'ك']
        .iter()
        .any(|&c| fold_char(c) == Some(a))
        && ['أ', 'إ', 'آ'].iter().any(|&c| fold_char(c) == Some(b))
}

const DEF_PREFIXES: &[(&str, usize, ArtKind)] = &[
    ("وبال", 2, ArtKind::Written),
    ("وكال", 2, ArtKind::Written),
    ("فبال", 2, ArtKind::Written),
    ("ولل", 2, ArtKind::Elided),
    ("فلل", 2, ArtKind::Elided),
    ("وال", 1, ArtKind::Written),
    ("فال", 1, ArtKind::Written),
    ("بال", 1, ArtKind::Written),
    ("كال", 1, ArtKind::Written),
    ("لل", 1, ArtKind::Elided),
    ("ال", 0, ArtKind::Written),
];

fn bare_offset(key: &str, clitic: usize, art: ArtKind) -> usize {
    let skip = clitic
        + match art {
            ArtKind::Written => 2,
            ArtKind::Elided => 1,
            _ => 0,
        };
    key.char_indices().nth(skip).map_or(key.len(), |(b, _)| b)
}

/// The per-token tables of a [`Doc`], kept by a caller from one document to the next, and
/// what the hits inside a token make of it, kept by the token's variant (see
/// [`ScanMemo::variants`]).
#[derive(Debug, Default)]
pub struct DocBuffers {
    words: Vec<Word>,
    best: Vec<Option<usize>>,
    heads: Vec<Option<HeadSpan>>,
    gaz_at: Vec<Option<u32>>,
    gaz: Vec<GazSpan>,
    gh: Vec<usize>,
    /// Tokens whose variant was not kept yet.
    fresh: Vec<usize>,
    /// Tokens whose word may open with a clitic before a hamza-alef.
    hamza: Vec<usize>,
    /// The [`ScanMemo::generation`] the variants below belong to.
    generation: u64,
    /// For each variant, 1 + its place in `kept` (0: not kept).
    slot: Vec<u32>,
    kept: Vec<Kept>,
}

/// At most this many variants are kept (a few MB): past it, the others are read from the
/// hits each time, until the memo starts afresh.
const KEEP_VARIANTS: usize = 1 << 15;

/// What the hits inside a token make of it: its word (`bare` counted from the token's key,
/// `hamza_clitic` meaning "to be checked on the text"), its head of one token and the fewest
/// clitics a hit of it strips.
#[derive(Debug, Clone, Copy)]
struct Kept {
    word: Word,
    head: Option<HeadSpan>,
    best: Option<usize>,
}

/// A head hit `h` starting at the token of `slot`: it is kept when longer than the one there,
/// or as long with fewer clitics.
fn head_hit(slot: &mut Option<HeadSpan>, h: &Hit) {
    if matches!(
        h.info.class,
        Class::Gaz(_)
            | Class::Demonym(_)
            | Class::Given
            | Class::Particle
            | Class::Bound
            | Class::Stop
            | Class::Say
            | Class::Adjective
            | Class::Ordinal
            | Class::Common
            | Class::Verb
            | Class::LatinOrg
            | Class::Naming
            | Class::MediaSuffix
            | Class::Leader(_)
    ) {
        return;
    }
    let better = match slot {
        None => true,
        Some(s) => {
            h.last > s.last || h.last == s.last && h.prefix.clitic_chars < s.prefix.clitic_chars
        }
    };
    if better {
        *slot = Some(HeadSpan {
            last: h.last,
            class: h.info.class,
            prefix: h.prefix,
            suffixed: h.suffix_chars > 0,
        });
    }
}

/// `v` cleared and filled with `n` copies of `x`.
fn refill<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
    v.clear();
    v.resize(n, x);
}

impl<'a> Doc<'a> {
    /// Gives the tables back for the next document.
    pub fn into_buffers(self, mut spare: DocBuffers) -> DocBuffers {
        spare.words = self.words;
        spare.heads = self.heads;
        spare.gaz_at = self.gaz_at;
        spare.gaz = self.gaz;
        spare
    }

    /// The document read through the lexicon's hits, in the tables of `bufs` (cleared
    /// first); what the doc does not keep comes back with it. `memo` is the one the hits
    /// were scanned with: what a token's own hits make of it is kept by its variant.
    pub fn with_buffers(
        text: &'a str,
        toks: &'a Tokens,
        lex: &'a Lexicon,
        hits: &[Hit],
        memo: &ScanMemo,
        mut bufs: DocBuffers,
    ) -> (Doc<'a>, DocBuffers) {
        let n = toks.len();
        if bufs.generation != memo.generation() {
            bufs.generation = memo.generation();
            bufs.slot.clear();
            bufs.kept.clear();
        }
        let variants = memo.variants();
        let variant = |i: usize| -> Option<usize> {
            // (A memo of another text has another number of tokens: nothing is kept then.)
            (variants.len() == n)
                .then(|| variants.get(i).map(|&v| v as usize))
                .flatten()
        };
        let mut words = std::mem::take(&mut bufs.words);
        let mut heads = std::mem::take(&mut bufs.heads);
        let DocBuffers {
            best,
            fresh,
            hamza,
            slot,
            kept,
            gh,
            gaz_at,
            gaz,
            ..
        } = &mut bufs;
        words.clear();
        heads.clear();
        best.clear();
        fresh.clear();
        hamza.clear();
        // Tokens of a variant met before take what its hits made of it; the others (`fresh`,
        // their `bare` unset) are read from the hits below.
        const UNSET: usize = usize::MAX;
        for (i, t) in toks.toks.iter().enumerate() {
            let k = variant(i)
                .and_then(|v| slot.get(v))
                .and_then(|&k| kept.get((k as usize).checked_sub(1)?));
            match k {
                Some(k) => {
                    let mut w = k.word;
                    w.bare += t.kstart;
                    if w.hamza_clitic {
                        hamza.push(i);
                    }
                    words.push(w);
                    heads.push(k.head.map(|h| HeadSpan { last: i, ..h }));
                    best.push(k.best);
                }
                None => {
                    words.push(Word {
                        bare: UNSET,
                        ..Word::default()
                    });
                    heads.push(None);
                    best.push(None);
                    fresh.push(i);
                }
            }
        }
        if !fresh.is_empty() {
            // Word classes come from single-token hits with the fewest clitics stripped: the
            // token read as it stands wins over a reading that peels a letter off (وجدة).
            let single = |h: &&Hit| h.first == h.last && words[h.first].bare == UNSET;
            for h in hits.iter().filter(single) {
                let b = &mut best[h.first];
                let c = h.prefix.clitic_chars;
                if b.is_none_or(|x| c < x) {
                    *b = Some(c);
                }
            }
            for h in hits.iter() {
                if h.first != h.last
                    || words[h.first].bare != UNSET
                    || best[h.first] != Some(h.prefix.clitic_chars)
                {
                    continue;
                }
                let w = &mut words[h.first];
                w.known = true;
                w.clitic = h.prefix.clitic_chars;
                w.art = h.prefix.art;
                w.prep = h.prefix.prep;
                w.conj = h.prefix.conj;
                match h.info.class {
                    Class::Given => w.given = true,
                    Class::Particle => w.particle = true,
                    Class::Bound => w.bound = true,
                    Class::Stop => w.stop = true,
                    Class::Say => w.say = true,
                    Class::Adjective => w.adj = true,
                    Class::Ordinal => {
                        w.adj = true;
                        w.ordinal = true;
                    }
                    Class::Demonym(_) => w.demonym = true,
                    Class::Common => w.common = true,
                    Class::Verb => {
                        w.common = true;
                        w.verb = true;
                    }
                    Class::LatinOrg => w.latin_org = true,
                    Class::Naming => w.naming = true,
                    Class::MediaSuffix => w.media_suffix = true,
                    Class::Leader(ba) => w.leader = Some(ba),
                    Class::Title(_) => w.title = true,
                    Class::OrgHead(_) => w.org_head = true,
                    _ => {}
                }
                head_hit(&mut heads[h.first], h);
            }
        }
        for &i in fresh.iter() {
            let w = &mut words[i];
            let key = toks.key(i);
            // Every prefix of DEF_PREFIXES starts with one of these letters.
            let def_start = matches!(key.chars().next(), Some('و' | 'ف' | 'ب' | 'ك' | 'ل' | 'ا'));
            if !w.known && def_start {
                for &(p, clitic, art) in DEF_PREFIXES {
                    if let Some(rest) = key.strip_prefix(p) {
                        if rest.chars().count() >= 2 {
                            w.clitic = clitic;
                            w.art = art;
                            w.conj = matches!(p.chars().next(), Some('و' | 'ف'));
                            w.prep = p
                                .chars()
                                .take(clitic)
                                .find(|c| matches!(c, 'ب' | 'ك' | 'ل'));
                            break;
                        }
                    }
                }
            }
            // A clitic before a hamza-alef (لأفيف، وإيلا): checked on the text below.
            w.hamza_clitic = !w.known && w.art == ArtKind::None && hamza_clitic_key(key);
            if w.hamza_clitic {
                hamza.push(i);
            }
            w.bare = bare_offset(key, w.clitic, w.art);
            let new =
                |&v: &usize| slot.get(v).is_none_or(|&k| k == 0) && kept.len() < KEEP_VARIANTS;
            if let Some(v) = variant(i).filter(new) {
                if slot.len() <= v {
                    slot.resize(v + 1, 0);
                }
                kept.push(Kept {
                    word: *w,
                    head: heads[i],
                    best: best[i],
                });
                slot[v] = kept.len() as u32;
            }
            w.bare += toks.toks.get(i).map_or(0, |t| t.kstart);
        }
        for &i in hamza.iter() {
            let w = &mut words[i];
            // A clitic before a hamza-alef (لأفيف، وإيلا): no word or name starts with لأ, so
            // the first letter is a clitic even when the rest is not a known word.
            // The token's key holds the folded letters of its text in order: a key whose
            // first two letters cannot be those folded is passed over without reading the text.
            w.hamza_clitic = false;
            let t = toks.toks[i];
            let mut cs = text
                .get(t.start..t.end)
                .unwrap_or("")
                .chars()
                .filter(|&c| fold_char(c).is_some());
            if let (Some(c), Some('أ' | 'إ' | 'آ')) = (cs.next(), cs.next()) {
                if matches!(c, 'و' | 'ف' | 'ل' | 'ب' | 'ك') && cs.next().is_some() {
                    w.clitic = 1;
                    w.hamza_clitic = true;
                    if matches!(c, 'و' | 'ف') {
                        w.conj = true;
                    } else {
                        w.prep = Some(c);
                    }
                    w.bare = t.kstart + bare_offset(toks.key(i), w.clitic, w.art);
                }
            }
        }
        // Heads of several tokens (always longer than a head of one), and the gazetteer
        // spans: longest first, then the reading with fewer clitics, then leftmost.
        gh.clear();
        for (k, h) in hits.iter().enumerate() {
            if h.first != h.last {
                head_hit(&mut heads[h.first], h);
            }
            if matches!(h.info.class, Class::Gaz(_)) {
                gh.push(k);
            }
        }
        gh.sort_by_key(|&k| {
            let h = &hits[k];
            (
                usize::MAX - (h.last - h.first),
                h.prefix.clitic_chars,
                h.first,
            )
        });
        let mut gaz_at = std::mem::take(gaz_at);
        refill(&mut gaz_at, n, None);
        let mut gaz = std::mem::take(gaz);
        gaz.clear();
        for h in gh.iter().map(|&k| &hits[k]) {
            if (h.first..=h.last).any(|t| gaz_at[t].is_some()) {
                continue;
            }
            // A one-token name read through a clitic loses to the token's own word (وزارة).
            if h.first == h.last && best[h.first].is_some_and(|b| b < h.prefix.clitic_chars) {
                continue;
            }
            let Class::Gaz(entry) = h.info.class else {
                continue;
            };
            let Some(e) = lex.entries.get(entry as usize) else {
                continue;
            };
            let id = gaz.len() as u32;
            gaz.push(GazSpan {
                first: h.first,
                last: h.last,
                prefix: h.prefix,
                entry,
                kind: e.kind,
                required_article: h.info.art == crate::lexicon::Art::Required,
            });
            for slot in &mut gaz_at[h.first..=h.last] {
                *slot = Some(id);
            }
        }
        let doc = Doc {
            text,
            toks,
            lex,
            words,
            heads,
            gaz_at,
            gaz,
        };
        (doc, bufs)
    }

    fn n(&self) -> usize {
        self.toks.len()
    }

    /// The word proper of token `i`: its key without clitics and article.
    pub fn bare(&self, i: usize) -> &str {
        let (Some(w), Some(t)) = (self.words.get(i), self.toks.toks.get(i)) else {
            return "";
        };
        self.toks.keys.get(w.bare.min(t.kend)..t.kend).unwrap_or("")
    }

    fn hard(&self, i: usize) -> bool {
        self.toks.toks.get(i).is_none_or(|t| t.gap.hard())
    }

    fn def(&self, i: usize) -> bool {
        self.words.get(i).is_some_and(|w| w.art != ArtKind::None)
    }

    fn latin(&self, i: usize) -> bool {
        self.toks.toks.get(i).is_some_and(|t| t.latin)
    }

    fn digit(&self, i: usize) -> bool {
        let k = self.toks.key(i);
        !k.is_empty() && k.chars().all(|c| c.is_ascii_digit())
    }

    /// A nisba adjective by its shape (الإسرائيلية، العسكري).
    fn nisba(&self, i: usize) -> bool {
        let b = self.bare(i);
        let len = b.chars().count();
        let w = self.words[i];
        !w.given
            && (len >= 3 && b.ends_with('ي')
                || len >= 4 && b.ends_with("يه")
                || len >= 6 && (b.ends_with("يين") || b.ends_with("يون")))
    }

    /// A number written with the article (الـ138): no word of a name.
    fn def_number(&self, i: usize) -> bool {
        let b = self.bare(i);
        self.def(i) && !b.is_empty() && b.chars().all(|c| c.is_ascii_digit())
    }

    /// Shaped like a participle (المستقلة، المتحدة، المتبقي): مـ and four letters or more.
    fn participle(&self, i: usize) -> bool {
        let b = self.bare(i);
        b.starts_with('م') && b.chars().count() >= 4
    }

    /// Shaped like a finite verb that no name has: a feminine past (تضمنت، تسببت) or a
    /// plural past (قالوا).
    fn verb_shaped(&self, i: usize) -> bool {
        let w = self.words[i];
        let b = self.bare(i);
        let len = b.chars().count();
        !w.given
            && !self.def(i)
            && (len >= 4 && b.starts_with('ت') && b.ends_with('ت') || len >= 4 && b.ends_with("وا"))
    }

    /// The last of the definite adjectives that follow `last` without a break, clitic or
    /// conjunction (الصليب الأحمر | الإيطالي), or `last`; a verb shaped like a nisba is none
    /// (قمة العقبة | التقى).
    fn adjectives_after(&self, mut last: usize) -> usize {
        while last + 1 < self.n() {
            let t = last + 1;
            let w = self.words[t];
            if self.hard(t)
                || !self.def(t)
                || !self.adjective(t)
                || w.prep.is_some()
                || w.conj
                || w.verb
            {
                break;
            }
            last = t;
        }
        last
    }

    fn adjective(&self, i: usize) -> bool {
        let w = self.words[i];
        w.adj || w.demonym || self.nisba(i)
    }

    fn head(&self, i: usize) -> Option<HeadSpan> {
        self.heads.get(i).copied().flatten()
    }

    fn is_title(&self, i: usize) -> bool {
        matches!(
            self.head(i),
            Some(HeadSpan {
                class: Class::Title(_),
                ..
            })
        )
    }

    fn is_any_head(&self, i: usize) -> bool {
        self.head(i).is_some()
    }

    fn gaz_span(&self, i: usize) -> Option<&GazSpan> {
        self.gaz_at
            .get(i)
            .copied()
            .flatten()
            .and_then(|g| self.gaz.get(g as usize))
    }

    fn gaz_starting(&self, i: usize) -> Option<&GazSpan> {
        self.gaz_span(i).filter(|g| g.first == i)
    }

    /// Can token `i` be part of a person's name?
    fn name_like(&self, i: usize) -> bool {
        let Some(w) = self.words.get(i) else {
            return false;
        };
        if self.latin(i) || self.digit(i) || self.gaz_at[i].is_some() {
            return false;
        }
        if w.stop || w.say || w.common || w.demonym || w.adj || w.latin_org {
            return false;
        }
        if w.known && w.prep.is_some() && !w.given && !w.particle {
            return false;
        }
        if self.is_any_head(i) && !w.given && !w.particle {
            return false;
        }
        self.bare(i).chars().count() >= 2 || w.particle
    }

    /// The last token of the person's name that starts at `j`.
    fn name_run(&self, j: usize) -> Option<usize> {
        let n = self.n();
        let mut k = j;
        let mut last = None;
        let mut words = 0;
        while k < n && words < 4 {
            if k > j && self.hard(k) {
                break;
            }
            // A word joined to the bound word after it (صنع الله) is a name word, whatever it
            // is otherwise.
            if k > j
                && k + 1 < n
                && !self.hard(k + 1)
                && self.words[k + 1].bound
                && !self.words[k].stop
            {
                last = Some(k + 1);
                k += 2;
                words += 2;
                continue;
            }
            // A family name shaped like a masculine demonym (محمد شياع السوداني) after two
            // name words, when the name ends there.
            let w = self.words[k];
            if words >= 2
                && w.demonym
                && self.def(k)
                && w.prep.is_none()
                && !w.conj
                && self.bare(k).ends_with('ي')
                && (k + 1 >= n || self.hard(k + 1) || self.words[k + 1].stop)
            {
                last = Some(k);
                break;
            }
            if !self.name_like(k) {
                let w = self.words[k];
                // An indefinite ordinal between a given name and another name word is itself
                // a name (حمد محمد ثاني الرميثي).
                if k > j
                    && w.ordinal
                    && !self.def(k)
                    && self.words[k - 1].given
                    && k + 1 < n
                    && !self.hard(k + 1)
                    && self.name_like(k + 1)
                {
                    last = Some(k);
                    k += 1;
                    words += 1;
                    continue;
                }
                // A regnal ordinal after a given name (محمد السادس) ends the name.
                // So does one after a compound name (عبد الله الثاني).
                let compound = k >= j + 2 && self.words[k - 2].particle;
                if k > j && w.ordinal && self.def(k) && (self.words[k - 1].given || compound) {
                    last = Some(k);
                }
                break;
            }
            // A known word with a preposition (لأفيف), or any word with a preposition and the
            // article (بالصحفيين), starts a new phrase.
            let w = self.words[k];
            let prep_def = matches!(w.prep, Some('ب' | 'ل')) && self.def(k);
            if k > j && (w.prep.is_some() && (w.known || w.hamza_clitic) || prep_def) {
                break;
            }
            if self.words[k].particle {
                if k + 1 < n && !self.hard(k + 1) && !self.words[k + 1].stop {
                    last = Some(k + 1);
                    k += 2;
                    words += 2;
                    continue;
                }
                break;
            }
            // A verb in the future (سيزور، ستعقد) follows its subject's name.
            let b = self.bare(k);
            // A definite word is no verb (السيسي).
            if k > j
                && !w.given
                && !self.def(k)
                && b.chars().count() >= 4
                && (b.starts_with("سي") || b.starts_with("ست") || b.starts_with("سن"))
            {
                break;
            }
            // A word with a pronoun suffix after two name words is the verb's object
            // (استقبل الجنرال X Y نظراءه).
            // An indefinite plural in construct with a definite noun after two name words is
            // the verb's object (بحث مع علي الصادق تطورات الأزمة).
            if words >= 2
                && !self.def(k)
                && b.ends_with("ات")
                && k + 1 < n
                && !self.hard(k + 1)
                && self.def(k + 1)
                && !self.adjective(k + 1)
            {
                break;
            }
            // Not in a name set off by commas (، بيير إريك بوميليه،).
            let bracketed = self.toks.toks[j].gap.comma && (k + 1 >= n || self.hard(k + 1));
            if words >= 2 && self.pronoun_suffix(k) && !bracketed {
                break;
            }
            last = Some(k);
            words += 1;
            k += 1;
        }
        last
    }

    /// Does the word as written end in a pronoun suffix (ـه، ـها، ـهم)? ة is not one.
    fn pronoun_suffix(&self, i: usize) -> bool {
        let t = self.toks.toks[i];
        let w = self.text.get(t.start..t.end).unwrap_or("");
        let letters: String = w.chars().filter(|&c| fold_char(c).is_some()).collect();
        letters.chars().count() > 3
            && (letters.ends_with('ه') || letters.ends_with("ها") || letters.ends_with("هم"))
    }

    /// A candidate over tokens `first..=last`, with `clitic` key characters of token
    /// `first` left out and `art_fix` written before it (the elided article of للمغرب).
    fn cand(
        &self,
        kind: EntityType,
        first: usize,
        last: usize,
        clitic: usize,
        art_fix: &'static str,
    ) -> Cand {
        let start = self.toks.src_after_key_chars(self.text, first, clitic);
        let end = self.toks.toks[last].end.max(start);
        Cand {
            kind,
            first,
            last,
            start,
            end,
            display: String::new(),
            art_fix,
            gaz: None,
            family: None,
            qualifies: true,
            anaphor: false,
            link_prev: false,
            also: None,
            prio: 1,
        }
    }

    /// The display of candidate `c`: its words as written from its start, cleaned, after its
    /// `art_fix`.
    fn display_of(&self, c: &Cand) -> String {
        let mut display = String::with_capacity(c.art_fix.len() + c.end - c.start + 1);
        display.push_str(c.art_fix);
        let first_end = self.toks.toks.get(c.first).map_or(c.end, |t| t.end);
        push_clean(
            &mut display,
            self.text.get(c.start..c.end.min(first_end)).unwrap_or(""),
        );
        for tok in self.toks.toks.get(c.first + 1..=c.last).unwrap_or(&[]) {
            display.push(' ');
            push_clean(
                &mut display,
                self.text.get(tok.start..tok.end).unwrap_or(""),
            );
        }
        display
    }

    /// A candidate from a phrase whose first token is read with the word's own clitics.
    fn word_cand(&self, kind: EntityType, first: usize, last: usize) -> Cand {
        let w = self.words[first];
        let fix = match w.art {
            ArtKind::Elided => "ا",
            ArtKind::Merged => "ال",
            _ => "",
        };
        self.cand(kind, first, last, w.clitic, fix)
    }

    /// Every candidate mention, overlaps settled.
    pub fn candidates(&self) -> Vec<Cand> {
        let mut out = Vec::with_capacity(self.n() / 8 + 8);
        self.gazetteer(&mut out);
        self.latin_names(&mut out);
        self.media_names(&mut out);
        for i in 0..self.n() {
            if let Some(h) = self
                .head(i)
                .filter(|h| !h.suffixed || matches!(h.class, Class::Title(_)))
            {
                match h.class {
                    Class::OrgHead(kind) => self.org_phrase(i, h, kind, &mut out),
                    Class::EventHead(fam) => self.event_phrase(i, h, fam, &mut out),
                    Class::EquipmentHead(strict) => self.equipment(i, h, strict, &mut out),
                    Class::LocationHead(head) => self.place(i, h, head, &mut out),
                    Class::Title(kind) => self.titled_person(i, h, kind, &mut out),
                    _ => {}
                }
            }
            self.cued_person(i, &mut out);
            self.named_by_cue(i, &mut out);
        }
        self.select(out)
    }

    /// Settles overlaps: longer candidates first, then higher priority, then leftmost; the
    /// candidates kept get their display, and one whose display is empty is dropped.
    fn select(&self, mut cands: Vec<Cand>) -> Vec<Cand> {
        // (Indices are sorted: candidates are large.)
        let mut order: Vec<u32> = (0..cands.len() as u32).collect();
        order.sort_by_key(|&k| {
            let c = &cands[k as usize];
            (usize::MAX - (c.last - c.first), u8::MAX - c.prio, c.first)
        });
        let n = cands.iter().map(|c| c.last + 1).max().unwrap_or(0);
        let mut taken = vec![false; n];
        let mut kept: Vec<u32> = Vec::new();
        for k in order {
            let c = &cands[k as usize];
            if taken[c.first..=c.last].iter().any(|&t| t) || c.start >= c.end {
                continue;
            }
            let display = self.display_of(c);
            if display.is_empty() {
                continue;
            }
            for t in &mut taken[c.first..=c.last] {
                *t = true;
            }
            cands[k as usize].display = display;
            kept.push(k);
        }
        kept.sort_by_key(|&k| cands[k as usize].start);
        let mut slots: Vec<Option<Cand>> = cands.into_iter().map(Some).collect();
        kept.iter()
            .filter_map(|&k| slots.get_mut(k as usize)?.take())
            .collect()
    }

    fn gazetteer(&self, out: &mut Vec<Cand>) {
        for g in &self.gaz {
            let fix = match g.prefix.art {
                ArtKind::Elided => "ا",
                ArtKind::Merged if g.required_article => "ال",
                _ => "",
            };
            // A system takes the model code written after it (بيرقدار TB2، باتريوت PAC-3).
            let next = g.last + 1;
            // A Latin name goes on through the capitalized words after it (Rafael Advanced
            // Defense Systems).
            let mut last = g.last;
            if g.kind == EntityType::Org && self.latin(g.last) {
                while last + 1 < self.n()
                    && self.latin(last + 1)
                    && self.toks.toks[last + 1].capital
                    && !self.hard(last + 1)
                    && self.gaz_at[last + 1].is_none()
                {
                    last += 1;
                }
            }
            // An exercise or show takes the year of its edition (الأسد الإفريقي 2031).
            let year = g.kind == EntityType::Event
                && next < self.n()
                && !self.hard(next)
                && self.digit(next)
                && self.toks.key(next).len() == 4;
            let code = g.kind == EntityType::Equipment
                && next < self.n()
                && !self.hard(next)
                && self.gaz_at[next].is_none()
                && (self.digit(next) || self.latin(next) && !self.toks.key(next).starts_with('@'));
            // An organization with its country after it (الصليب الأحمر الإيطالي، حركة الشباب
            // الصومالية): the whole, and the known name as an alias.
            let national = g.kind == EntityType::Org
                && next < self.n()
                && !self.hard(next)
                && self.gaz_at[next].is_none()
                && self.def(next)
                && self.words[next].demonym
                && self.words[next].prep.is_none()
                && !self.words[next].conj;
            let last = if year || code || national { next } else { last };
            let mut c = self.cand(g.kind, g.first, last, g.prefix.clitic_chars, fix);
            if national {
                c.also = Some(self.display_of(&self.cand(
                    g.kind,
                    g.first,
                    g.last,
                    g.prefix.clitic_chars,
                    fix,
                )));
            }
            c.gaz = Some(g.entry);
            c.prio = 5;
            out.push(c);
        }
    }

    /// A news outlet named in Arabic letters by one or two words and a media suffix (نورث برس،
    /// صراحة نيوز): the words must be unknown, indefinite and bare, with no break between.
    fn media_names(&self, out: &mut Vec<Cand>) {
        for k in 1..self.n() {
            if !self.words[k].media_suffix || self.hard(k) || self.gaz_at[k].is_some() {
                continue;
            }
            let plain = |t: usize| {
                let w = self.words[t];
                !self.latin(t)
                    && !self.digit(t)
                    && !w.known
                    && w.clitic == 0
                    && !self.def(t)
                    && self.gaz_at[t].is_none()
            };
            if !plain(k - 1) {
                continue;
            }
            let first = if k >= 2
                && !self.hard(k - 1)
                && plain(k - 2)
                && self.toks.toks[k - 1].gap == Default::default()
            {
                k - 2
            } else {
                k - 1
            };
            let mut c = self.cand(EntityType::Org, first, k, 0, "");
            c.prio = 3;
            out.push(c);
        }
    }

    fn latin_names(&self, out: &mut Vec<Cand>) {
        let n = self.n();
        let mut i = 0;
        while i < n {
            if !self.latin(i) || self.gaz_at[i].is_some() {
                i += 1;
                continue;
            }
            let key = self.toks.key(i);
            if key.starts_with('@') {
                let mut c = self.cand(EntityType::Org, i, i, 0, "");
                c.link_prev = self.toks.toks[i].gap.paren;
                c.prio = 4;
                out.push(c);
                i += 1;
                continue;
            }
            let mut j = i;
            while j + 1 < n
                && self.latin(j + 1)
                && !self.hard(j + 1)
                && self.gaz_at[j + 1].is_none()
            {
                j += 1;
            }
            let capital = (i..=j).all(|t| self.toks.toks[t].capital || self.words[t].stop);
            let url = (i..=j).any(|t| self.toks.key(t).contains('.'));
            if capital && !url {
                if j > i && self.words[j].latin_org {
                    let mut c = self.cand(EntityType::Org, i, j, 0, "");
                    c.prio = 4;
                    out.push(c);
                } else if j == i {
                    let raw = self
                        .text
                        .get(self.toks.toks[i].start..self.toks.toks[i].end);
                    let acronym = raw.is_some_and(|r| {
                        (2..=6).contains(&r.len()) && r.chars().all(|c| c.is_ascii_uppercase())
                    });
                    if acronym {
                        let mut c = self.cand(EntityType::Org, i, i, 0, "");
                        // In parentheses, the acronym of the name before it (حزب X (PKK)).
                        c.link_prev = self.toks.toks[i].gap.paren;
                        c.prio = 2;
                        out.push(c);
                    }
                }
            }
            i = j + 1;
        }
    }

    /// The extent of a noun phrase after a head ending at `hl`: idafa chain, agreeing
    /// adjectives, ل + definite genitives, and with `topic` the حول / في مجال complements of
    /// event titles. Returns (last token, modifiers, a definite modifier, a proper noun).
    /// From `j`, right after a place that names an institution: its definite adjectives,
    /// then ل with an indefinite noun in construct with a definite one and that one's
    /// adjectives. The last token, when the genitive is there.
    fn genitive_after_place(&self, j: usize) -> Option<usize> {
        let n = self.n();
        let plain = |k: usize| {
            k < n && !self.hard(k) && self.words[k].prep.is_none() && !self.words[k].conj
        };
        let mut k = j;
        while plain(k) && self.def(k) && self.adjective(k) {
            k += 1;
        }
        let lam = k < n && !self.hard(k) && self.words[k].prep == Some('ل') && !self.def(k);
        if !lam || !plain(k + 1) || !self.def(k + 1) || self.gaz_at[k + 1].is_some() {
            return None;
        }
        let mut end = k + 1;
        while plain(end + 1) && self.def(end + 1) && self.adjective(end + 1) {
            end += 1;
        }
        Some(end)
    }

    fn extent(&self, hl: usize, head_def: bool, topic: bool) -> (usize, usize, bool, bool) {
        let n = self.n();
        let mut last = hl;
        let mut mods = 0;
        let mut has_def = false;
        let mut proper = false;
        let mut seen_adj = false;
        let mut j = hl + 1;
        while j < n && j <= hl + 10 && !self.hard(j) {
            let w = self.words[j];
            if let Some(g) = self.gaz_starting(j) {
                if w.prep.is_some_and(|p| p != 'ل') || w.conj {
                    break;
                }
                // A place right after an indefinite head names the body (معهد واشنطن، بنك
                // المغرب); anywhere else it is a place of its own.
                // A definite one-word country shaped like a feminine nisba (السعودية) after
                // a definite body is its adjective: وزارة الدفاع السعودية.
                if g.kind == EntityType::Location
                    && g.first == g.last
                    && w.prep.is_none()
                    && self.def(j)
                    && (head_def || has_def)
                    && self.bare(j).ends_with("يه")
                {
                    last = j;
                    mods += 1;
                    has_def = true;
                    seen_adj = true;
                    j += 1;
                    continue;
                }
                if g.kind == EntityType::Location && (head_def || mods > 0 || w.prep.is_some()) {
                    break;
                }
                last = g.last;
                mods += 1;
                has_def = true;
                j = g.last + 1;
                if g.kind != EntityType::Org {
                    proper = true;
                    // An institution named after a place goes on through its adjectives
                    // to a ل genitive (معهد ستوكهولم الدولي لأبحاث السلام، معهد واشنطن
                    // لسياسة الشرق الأدنى); without that genitive it ends at the place.
                    if !head_def && mods == 1 {
                        if let Some(end) = self.genitive_after_place(j) {
                            last = end;
                        }
                    }
                    break;
                }
                continue;
            }
            if self.gaz_at[j].is_some() || self.latin(j) || self.digit(j) || self.def_number(j) {
                break;
            }
            // A definite head is never the first term of a construct: a definite noun after
            // it that is no adjective starts the rest of the sentence (وبدأ الحزب القيام).
            if head_def
                && mods == 0
                && self.def(j)
                && w.prep.is_none()
                && !w.conj
                && !self.adjective(j)
                && !self.participle(j)
            {
                break;
            }
            if w.stop {
                let k = self.toks.key(j);
                if topic && k == "حول" && self.def(j + 1) && !self.hard(j + 1) {
                    seen_adj = false;
                    j += 1;
                    continue;
                }
                if topic && k == "في" && self.bare(j + 1) == "مجال" && !self.hard(j + 1) {
                    seen_adj = false;
                    j += 2;
                    continue;
                }
                break;
            }
            if w.say || w.given && !self.def(j) || self.is_title(j) {
                break;
            }
            if w.conj {
                // Coordinated adjectives belong to event titles (في المجال الأمني والعسكري);
                // in an organization they mean two bodies (المدفعية الإسرائيلي والمغربي).
                if topic && self.def(j) && self.adjective(j) {
                    last = j;
                    j += 1;
                    continue;
                }
                // A coordinated noun inside a name (حزب العدالة والتنمية، وزارة الاقتصاد
                // والمالية); a coordinated demonym means two bodies (المدفعية الإسرائيلي والمغربي).
                // A demonym that is also a common word (المالية: Malian, financial) is the word.
                if !topic && self.def(j) && w.demonym && !w.common {
                    return (hl, 0, false, false);
                }
                if !topic && mods > 0 && self.def(j) && w.prep.is_none() {
                    last = j;
                    mods += 1;
                    j += 1;
                    continue;
                }
                break;
            }
            match w.prep {
                Some('ل') if self.def(j) => seen_adj = false,
                Some(_) => break,
                None => {}
            }
            if self.def(j) {
                // Once an adjective has come, a noun no longer joins the chain (المنطقة
                // الشمالية | الثكنة), except through ل (للفضاء الإلكتروني).
                if seen_adj && !self.adjective(j) && w.prep.is_none() {
                    break;
                }
                if self.adjective(j) {
                    seen_adj = true;
                }
                if !(self.adjective(j) || w.common || w.known) && mods == 0 {
                    proper = true;
                }
                has_def = true;
            } else if self.adjective(j) || w.common || w.org_head {
                if head_def || has_def {
                    break;
                }
            } else {
                // An unknown indefinite word after the head: a proper name, which ends it;
                // unless it is feminine, then an adjective (لجنة مختصة).
                if mods == 0 && !head_def && !self.bare(j).ends_with('ه') {
                    last = j;
                    mods += 1;
                    proper = true;
                }
                break;
            }
            last = j;
            mods += 1;
            j += 1;
        }
        (last, mods, has_def, proper)
    }

    fn head_def(&self, i: usize, h: &HeadSpan) -> bool {
        h.prefix.art != ArtKind::None || (i + 1..=h.last).any(|t| self.def(t))
    }

    fn head_cand(&self, kind: EntityType, i: usize, h: &HeadSpan, last: usize) -> Cand {
        let fix = match h.prefix.art {
            ArtKind::Elided => "ا",
            ArtKind::Merged => "ال",
            _ => "",
        };
        self.cand(kind, i, last, h.prefix.clitic_chars, fix)
    }

    fn org_phrase(&self, i: usize, h: HeadSpan, kind: OrgHeadKind, out: &mut Vec<Cand>) {
        if self.gaz_at[i].is_some() {
            return;
        }
        let n = self.n();
        let j = h.last + 1;
        // Any head followed by a quoted name: the name is the organization (حركة "X").
        let gap = self.toks.toks.get(j).map(|t| t.gap).unwrap_or_default();
        if kind != OrgHeadKind::Named
            && j < n
            && gap.quote
            && !gap.punct
            && !gap.newline
            && self.gaz_at[j].is_none()
            && !self.adjective(j)
            && !self.words[j].common
        {
            let mut k = j;
            while k + 1 < n && k < j + 4 && !self.hard(k + 1) {
                k += 1;
            }
            let mut c = self.word_cand(EntityType::Org, j, k);
            c.prio = 3;
            out.push(c);
            return;
        }
        match kind {
            OrgHeadKind::Named => {
                if j >= n || self.toks.toks[j].gap.punct || self.toks.toks[j].gap.newline {
                    return;
                }
                // A definite head with a descriptive adjective and a ل genitive is a full
                // name (الشركة الوطنية للملاحة البحرية); with a demonym alone it is not.
                if self.head_def(i, &h)
                    && self.def(j)
                    && self.adjective(j)
                    && !self.words[j].demonym
                    && self.words[j].prep.is_none()
                    && !self.words[j].conj
                {
                    let (last, _, _, _) = self.extent(h.last, true, false);
                    let genitive =
                        (j + 1..=last).any(|t| self.words[t].prep == Some('ل') && self.def(t));
                    if genitive {
                        let mut c = self.head_cand(EntityType::Org, i, &h, last);
                        c.prio = 2;
                        out.push(c);
                    }
                    return;
                }
                if self.toks.toks[j].gap.quote {
                    let mut k = j;
                    while k + 1 < n && k < j + 4 && !self.hard(k + 1) {
                        k += 1;
                    }
                    let mut c = self.word_cand(EntityType::Org, j, k);
                    c.prio = 3;
                    out.push(c);
                    return;
                }
                // A company written in Latin letters (شركة Saab).
                if self.latin(j) && self.toks.toks[j].capital && self.gaz_at[j].is_none() {
                    let mut k = j;
                    while k + 1 < n
                        && k < j + 3
                        && self.latin(k + 1)
                        && self.toks.toks[k + 1].capital
                        && !self.hard(k + 1)
                        && self.gaz_at[k + 1].is_none()
                    {
                        k += 1;
                    }
                    if !self.toks.key(j).starts_with('@') {
                        let mut c = self.cand(EntityType::Org, j, k, 0, "");
                        c.prio = 3;
                        out.push(c);
                    }
                    return;
                }
                // A definite name alone after an indefinite head (صحيفة الغد، قناة المنار):
                // one unknown word that ends the phrase, as an indefinite word after it shows
                // (قناة الميادين مشاهد: a definite noun takes no indefinite complement).
                let after = j + 1;
                let ends = after >= n
                    || self.hard(after)
                    || self.words[after].stop
                    || self.digit(after)
                    || !self.def(after) && !self.latin(after);
                let wj = self.words[j];
                if self.def(j)
                    && !self.head_def(i, &h)
                    && ends
                    && !wj.known
                    && wj.prep.is_none()
                    && !wj.conj
                    && !self.adjective(j)
                    && self.gaz_at[j].is_none()
                {
                    let last = if after < n && !self.hard(after) && self.digit(after) {
                        after
                    } else {
                        j
                    };
                    let mut c = self.word_cand(EntityType::Org, j, last);
                    c.prio = 3;
                    out.push(c);
                    return;
                }
                // شركة X names X; الشركة X does not (ووقعت الشركة عقدا).
                let fem_nisba = self.bare(j).ends_with("يه") && self.bare(j).chars().count() >= 4;
                if self.gaz_at[j].is_some()
                    || self.def(j)
                    || !self.name_like(j)
                    || self.head_def(i, &h)
                    || fem_nisba
                {
                    return;
                }
                let Some(k) = self.name_run(j) else {
                    return;
                };
                // a definite nisba after the name is its adjective (هيونداي روتم الكورية), and
                // what follows it is the rest of the sentence (ميرسك الدنماركية علقت)
                let mut last = k.min(j + 2);
                if let Some(t) = (j + 1..=last).find(|&t| self.def(t) && self.nisba(t)) {
                    last = t - 1;
                }
                // an indefinite accusative after the name is the verb's object (وقعت شركة X
                // عقدا، نشرت منصة X صورا)
                if let Some(t) = (j + 1..=last).find(|&t| {
                    let b = self.bare(t);
                    !self.def(t) && b.chars().count() >= 3 && b.ends_with('ا')
                }) {
                    last = t - 1;
                }
                let mut c = self.word_cand(EntityType::Org, j, last);
                c.prio = 3;
                out.push(c);
            }
            OrgHeadKind::National(masc) => {
                // With its demonym, which agrees with it (a feminine head takes a feminine
                // demonym; a masculine one a masculine or plural one), and the adjectives after.
                if j >= n || self.hard(j) || !self.def(j) || !self.words[j].demonym {
                    return;
                }
                if self.bare(j).ends_with("يه") == masc {
                    return;
                }
                let last = self.adjectives_after(j);
                let mut c = self.head_cand(EntityType::Org, i, &h, last);
                c.prio = 2;
                out.push(c);
            }
            OrgHeadKind::Region
            | OrgHeadKind::Phrase
            | OrgHeadKind::Strict
            | OrgHeadKind::Generic => {
                // بقيادة X: led by X, no body.
                if self.words[i].leader.is_some() && self.words[i].prep == Some('ب') && !self.def(i)
                {
                    return;
                }
                let head_def = self.head_def(i, &h);
                if kind == OrgHeadKind::Region {
                    let b = self.bare(j);
                    let direction = ["جنوب", "شمال", "شرق", "غرب", "وسط"]
                        .iter()
                        .any(|d| b.starts_with(d));
                    if j >= n
                        || self.hard(j)
                        || !self.def(j)
                        || !direction
                        || !self.adjective(j)
                        || self.gaz_at[j].is_some()
                    {
                        return;
                    }
                }
                let (last, mods, has_def, proper) = self.extent(h.last, head_def, false);
                if mods == 0 || !(has_def || proper) {
                    return;
                }
                let indef_proper = proper && !self.def(h.last + 1);
                // A definite proper noun set off by a comma, as a name is before the words that
                // present it (مؤسسة الزلاقة، وهي ...); at a full stop it may be any noun the
                // lexicon lacks (مركز الصدارة.).
                let end = last + 1;
                let def_proper_end = proper && mods == 1 && end < n && {
                    let gap = self.toks.toks[end].gap;
                    gap.comma && !gap.newline && !gap.quote
                };
                // An adjective of a body, not a participle of the moment (القارب المتبقي).
                let body_adj = |t: usize| {
                    self.adjective(t)
                        && (self.words[t].adj || self.words[t].demonym || !self.participle(t))
                };
                if kind == OrgHeadKind::Strict
                    && !indef_proper
                    && !def_proper_end
                    && !(h.last + 1..=last).any(|t| body_adj(t) || self.gaz_at[t].is_some())
                {
                    return;
                }
                // One common noun after a generic head: a kind of body (قوات الأمن).
                if kind == OrgHeadKind::Generic
                    && mods == 1
                    && !proper
                    && self.gaz_at[last].is_none()
                    && !self.adjective(last)
                {
                    return;
                }
                let mut c = self.head_cand(EntityType::Org, i, &h, last);
                c.prio = 2;
                out.push(c);
            }
        }
    }

    fn event_phrase(&self, i: usize, h: HeadSpan, fam: EventFamily, out: &mut Vec<Cand>) {
        if self.gaz_at[i].is_some() {
            return;
        }
        let n = self.n();
        let j = h.last + 1;
        let head_def = self.head_def(i, &h);
        // A proper name right after an indefinite head makes a named event (قمة النقب); a
        // head with the article is never the first term of such a construct.
        // A quoted name after the head: معرض "إيروسبيس 2024".
        let gap = self.toks.toks.get(j).map(|t| t.gap).unwrap_or_default();
        if j < n && gap.quote && !gap.punct && !gap.newline && self.gaz_at[j].is_none() {
            let mut k = j;
            while k + 1 < n && k < j + 3 && !self.hard(k + 1) {
                k += 1;
            }
            // The quoted name is the event's name; with its head, another form of it.
            let mut c = self.word_cand(EntityType::Event, j, k);
            c.also = Some(self.display_of(&self.head_cand(EntityType::Event, i, &h, k)));
            c.prio = 3;
            out.push(c);
            return;
        }
        if j < n && !self.hard(j) && !head_def {
            let b = self.bare(j);
            // an indefinite feminine word is an adjective (اتفاقيات مماثلة), not a name
            let verb_like =
                !self.def(j) && (b.starts_with('ي') || b.starts_with('ت') || b.ends_with('ه'));
            let participle = self.def(j) && b.starts_with('م') && b.chars().count() >= 4;
            let named_end = if let Some(g) = self.gaz_starting(j) {
                (g.kind == EntityType::Location && self.words[j].prep.is_none()).then_some(g.last)
            } else if self.name_like(j)
                && !self.nisba(j)
                && !verb_like
                && !participle
                && self.words[j].prep.is_none()
                && !self.words[j].known
            {
                Some(j)
            } else {
                None
            };
            if let Some(mut last) = named_end {
                // with its adjectives (مؤتمر الحوار الوطني)
                last = self.adjectives_after(last);
                // with the year of its edition (معرض X 2030)
                if last + 1 < n && !self.hard(last + 1) && self.digit(last + 1) {
                    last += 1;
                }
                let mut c = self.head_cand(EntityType::Event, i, &h, last);
                c.prio = 3;
                out.push(c);
                return;
            }
        }
        // An exercise described before its quoted name (تمرين تكتيكي بالذخيرة الحية "X").
        if fam == EventFamily::Exercise {
            let mut k = j;
            while k < n && k <= j + 5 {
                let gap = self.toks.toks[k].gap;
                if k > j && gap.quote && !gap.punct && !gap.newline {
                    if self.gaz_at[k].is_some() {
                        return;
                    }
                    let mut e = k;
                    while e + 1 < n && e < k + 3 && !self.hard(e + 1) {
                        e += 1;
                    }
                    let mut c = self.word_cand(EntityType::Event, k, e);
                    c.prio = 3;
                    out.push(c);
                    return;
                }
                let w = self.words[k];
                if gap.hard() || w.stop || w.say || self.is_title(k) || self.gaz_at[k].is_some() {
                    return;
                }
                k += 1;
            }
            return;
        }
        let plural = self.bare(h.last).ends_with("ات");
        if plural {
            return;
        }
        let (last, mods, has_def, _) = self.extent(h.last, head_def, true);
        let mut c = self.head_cand(EntityType::Event, i, &h, last);
        let head_word = if fam == EventFamily::Agreement {
            String::new()
        } else {
            self.bare(i).to_string()
        };
        c.family = Some((fam, head_word));
        c.prio = 2;
        if mods == 0 {
            if h.last > i {
                // "مذكرة تفاهم" alone still names the memorandum.
                c.qualifies = head_def;
            } else if head_def {
                c.anaphor = true;
                c.qualifies = false;
            } else {
                return;
            }
        } else {
            // an indefinite head with only a ل genitive (اتفاقية للتعاون العسكري) is an
            // unnamed agreement, not a name
            let direct_def = has_def && self.words[h.last + 1].prep != Some('ل');
            c.qualifies = head_def || direct_def;
        }
        out.push(c);
    }

    fn equipment(&self, i: usize, h: HeadSpan, strict: bool, out: &mut Vec<Cand>) {
        let n = self.n();
        let mut j = h.last + 1;
        while j < n && j <= h.last + 6 {
            let gap = self.toks.toks[j].gap;
            if gap.quote && !gap.punct && !gap.newline {
                let mut k = j;
                while k + 1 < n && k < j + 2 && !self.hard(k + 1) {
                    k += 1;
                }
                let mut c = self.word_cand(EntityType::Equipment, j, k);
                c.prio = 3;
                out.push(c);
                return;
            }
            if gap.hard() || self.gaz_at[j].is_some() {
                return;
            }
            let w = self.words[j];
            if self.latin(j) {
                let mut k = j;
                while k + 1 < n && k < j + 2 && self.latin(k + 1) && !self.hard(k + 1) {
                    k += 1;
                }
                let mut c = self.cand(EntityType::Equipment, j, k, 0, "");
                c.prio = 3;
                out.push(c);
                return;
            }
            if w.stop || w.say || self.is_title(j) {
                return;
            }
            if self.def(j) || self.adjective(j) || w.common || w.known || self.digit(j) {
                j += 1;
                continue;
            }
            let b = self.bare(j);
            // Right after a definite head an unknown word is a verb (الطائرات استهدفت); right
            // after an ambiguous one, a name of something else (نظام مادورو: a regime).
            let verb_like = ["ي", "ت", "ن", "سي", "ست", "است"]
                .iter()
                .any(|p| b.starts_with(p))
                || ["ت", "وا", "ون"].iter().any(|s| b.ends_with(s));
            if j == h.last + 1 && (self.head_def(i, &h) && verb_like || strict) {
                return;
            }
            let plural_or_fem =
                ["ه", "ات", "ين", "ون"].iter().any(|s| b.ends_with(s)) || b.starts_with("است");
            // a definite noun after it makes it a construct (بعيدة المدى); an adjective does not
            let next_def =
                j + 1 < n && !self.hard(j + 1) && self.def(j + 1) && !self.adjective(j + 1);
            if !plural_or_fem && !next_def && b.chars().count() >= 3 && w.clitic == 0 {
                // with its model number or Latin code (أفق 13، بيرقدار TB2)
                let last = if j + 1 < n
                    && !self.hard(j + 1)
                    && (self.digit(j + 1) || self.latin(j + 1) && self.gaz_at[j + 1].is_none())
                {
                    j + 1
                } else if self.second_model_word(j + 1) {
                    // a two-word model name ending the phrase (يوروفايتر تايفون)
                    j + 1
                } else {
                    j
                };
                let mut c = self.cand(EntityType::Equipment, j, last, 0, "");
                c.prio = 3;
                out.push(c);
            }
            return;
        }
    }

    /// Is token `k` the second word of a transliterated model name: unknown, bare, not a
    /// verb or an adjective, and the last word before a break or a function word?
    fn second_model_word(&self, k: usize) -> bool {
        let n = self.n();
        if k >= n || self.hard(k) || self.latin(k) || self.gaz_at[k].is_some() {
            return false;
        }
        let w = self.words[k];
        let b = self.bare(k);
        // A present-tense prefix (ت، ي) is read as a verb unless a break follows: a verb
        // rarely ends its clause right after the model (توكانو.).
        let ends_clause = k + 1 >= n || self.hard(k + 1);
        let verb_like = ["سي", "ست", "سن", "است"].iter().any(|p| b.starts_with(p))
            || !ends_clause && ["ي", "ت", "ن"].iter().any(|p| b.starts_with(p))
            || ["ت", "وا", "ه", "ات"].iter().any(|s| b.ends_with(s));
        let ends = ends_clause || self.words[k + 1].stop;
        !w.known
            && w.clitic == 0
            && !self.def(k)
            && !self.adjective(k)
            && !verb_like
            && b.chars().count() >= 3
            && ends
    }

    fn place(&self, i: usize, h: HeadSpan, head: PlaceHead, out: &mut Vec<Cand>) {
        let keep = head.keep;
        let j = h.last + 1;
        if j >= self.n() || self.hard(j) || self.gaz_at[i].is_some() {
            return;
        }
        // A head kept in names before a known place names another place (خليج سرت، مضيق
        // هرمز): the whole, not the town.
        if let Some(g) = self.gaz_at[j].and_then(|id| self.gaz.get(id as usize)) {
            let w = self.words[j];
            if head.other
                && g.first == j
                && g.kind == EntityType::Location
                && w.prep.is_none()
                && !w.conj
                && !self.head_def(i, &h)
            {
                let mut c = self.head_cand(EntityType::Location, i, &h, g.last);
                c.prio = 3;
                out.push(c);
            }
            return;
        }
        let b = self.bare(j);
        if !self.name_like(j) || self.nisba(j) || b.ends_with("ات") || self.verb_shaped(j) {
            return;
        }
        // A definite head kept in names refers back (هذا القطاع يؤثر، بالقاعدة): no name.
        if keep && self.head_def(i, &h) {
            return;
        }
        // A present-tense verb after the head (القطاع يؤثر).
        if !self.def(j) && !self.words[j].known && b.starts_with('ي') && b.chars().count() >= 4 {
            return;
        }
        // قطاع غزة, but not قطاع الكهرباء: a head kept in the name takes a bare proper noun,
        // unless it is one that names its place after a definite one (ميناء الحديدة). Even
        // then a known word is no name (مطار العاصمة).
        if keep && self.def(j) && (!head.definite || self.words[j].known) {
            return;
        }
        let Some(last) = self.name_run(j) else {
            return;
        };
        let mut last = last.min(j + 2);
        // A later word opening with a clitic letter starts a new phrase (بقيمة).
        if let Some(k) = (j + 1..=last).find(|&k| {
            !self.words[k].particle
                && !self.words[k - 1].particle
                && self.toks.key(k).starts_with(['ب', 'ل', 'ك', 'و', 'ف'])
        }) {
            last = k - 1;
        }
        // A kept head's name goes on through its definite adjectives (مطار X الدولي), the
        // shorter form kept as an alias.
        let mut full = last;
        if keep {
            while full + 1 < self.n()
                && !self.hard(full + 1)
                && self.def(full + 1)
                && self.words[full + 1].adj
                && self.words[full + 1].prep.is_none()
                && !self.words[full + 1].conj
            {
                full += 1;
            }
        }
        let mut c = if keep {
            self.head_cand(EntityType::Location, i, &h, full)
        } else {
            self.word_cand(EntityType::Location, j, last)
        };
        if full > last {
            c.also = Some(self.display_of(&self.head_cand(EntityType::Location, i, &h, last)));
        }
        c.prio = 3;
        out.push(c);
    }

    /// A one-word name after a cue must look like a name and end the clause's subject: not a
    /// verb (الوزير سيزور، الرئيس غادر البلاد), not an adjective (نائب برلماني).
    fn single_name_ok(&self, j: usize, after_title: bool) -> bool {
        let w = self.words[j];
        if w.given {
            return true;
        }
        let b = self.bare(j);
        let len = b.chars().count();
        let nisba = len >= 3 && (b.ends_with('ي') || b.ends_with("يه"));
        let verb =
            b.starts_with("سي") || b.starts_with("ست") || b.starts_with("سن") || b.starts_with('ي');
        if nisba && after_title && !self.def(j) || verb || self.verb_shaped(j) {
            return false;
        }
        // an unknown word written with ة is a noun (وأعلنت جمعية ...)
        let t = self.toks.toks[j];
        let ends_ta = self
            .text
            .get(t.start..t.end)
            .and_then(|w| w.chars().rev().find(|&c| fold_char(c).is_some()))
            == Some('ة');
        if ends_ta {
            return false;
        }
        let k = j + 1;
        k >= self.n() || self.hard(k) || self.words[k].stop || self.words[k].say || self.is_title(k)
    }

    /// A person found by a cue (title, verb of saying).
    fn cue_person(&self, j: usize, last: usize, prio: u8, out: &mut Vec<Cand>) {
        if last == j && !self.single_name_ok(j, prio == 3) {
            return;
        }
        self.person(j, last, prio, out);
    }

    fn person(&self, j: usize, last: usize, prio: u8, out: &mut Vec<Cand>) {
        let mut c = self.word_cand(EntityType::Person, j, last);
        c.prio = prio;
        out.push(c);
    }

    /// Can a name start at `j` right after a cue? A definite word only when another name
    /// word follows (الجنرال سمير حداد, not الرئيس الحالي).
    fn name_start(&self, j: usize, rank: bool) -> bool {
        if j >= self.n() || !self.name_like(j) {
            return false;
        }
        // A word with و opens a new phrase (بين وزير ومعين); a verb is no name.
        if self.words[j].conj && !self.words[j].given || self.verb_shaped(j) {
            return false;
        }
        if self.def(j) && !self.words[j].given {
            let k = j + 1;
            if k >= self.n() || self.hard(k) || !self.name_like(k) {
                return false;
            }
            return rank || !self.def(k);
        }
        true
    }

    fn titled_person(&self, i: usize, h: HeadSpan, kind: TitleKind, out: &mut Vec<Cand>) {
        if self.gaz_at[i].is_some() {
            return;
        }
        let n = self.n();
        let mut j = h.last + 1;
        match kind {
            TitleKind::Rank => {
                // a place named after someone (قاعدة الملك X الجوية، مطار الأمير X)
                let named_after = i > 0
                    && !self.hard(i)
                    && (i.saturating_sub(2)..i).any(|t| {
                        self.head(t).is_some_and(|hs| {
                            hs.last == i - 1 && matches!(hs.class, Class::LocationHead(_))
                        })
                    });
                if named_after {
                    return;
                }
                while j < n
                    && !self.hard(j)
                    && (self.words[j].demonym
                        || self.words[j].adj
                        || self.def(j) && self.words.get(j + 1).is_some_and(|w| w.given))
                {
                    j += 1;
                }
                if j < n && !self.hard(j) && self.name_start(j, true) {
                    if let Some(last) = self.name_run(j) {
                        self.cue_person(j, last, 3, out);
                    }
                }
            }
            TitleKind::Office => {
                // Skip the office's complement: its organization, genitives and adjectives.
                let limit = (h.last + 14).min(n);
                while j < limit {
                    let gap = self.toks.toks[j].gap;
                    // The name quoted after the office (رئيس المؤسسة "X Y").
                    if gap.quote && !gap.punct && !gap.newline && j > h.last + 1 {
                        if self.name_start(j, false) && !self.def(j) {
                            if let Some(last) = self.name_run(j) {
                                self.cue_person(j, last, 3, out);
                            }
                        }
                        return;
                    }
                    if gap.hard() && !(gap.comma && !gap.quote && !gap.newline) {
                        return;
                    }
                    if gap.comma {
                        if self.name_start(j, false) && !self.def(j) {
                            if let Some(last) = self.name_run(j) {
                                self.cue_person(j, last, 3, out);
                            }
                        }
                        return;
                    }
                    if let Some(g) = self.gaz_starting(j) {
                        j = g.last + 1;
                        continue;
                    }
                    let w = self.words[j];
                    if let Some(hs) = self.head(j) {
                        if matches!(hs.class, Class::OrgHead(_)) {
                            let (last, _, _, _) =
                                self.extent(hs.last, self.head_def(j, &hs), false);
                            j = last + 1;
                            continue;
                        }
                        if matches!(hs.class, Class::Title(_)) {
                            j = hs.last + 1;
                            continue;
                        }
                    }
                    // باسم inside the office (الناطق الإعلامي باسم الحكومة)
                    if w.naming && !w.given && j > h.last + 1 {
                        j += 1;
                        continue;
                    }
                    if w.stop {
                        let k = self.toks.key(j);
                        if k == "لدي" {
                            j += 1;
                            continue;
                        }
                        return;
                    }
                    if self.name_start(j, false) && (!self.def(j) || !self.adjective(j)) {
                        if let Some(last) = self.name_run(j) {
                            self.cue_person(j, last, 3, out);
                        }
                        return;
                    }
                    // A verb ends the office: "وزير الدفاع يزور مصنعا" names no one.
                    if w.verb {
                        return;
                    }
                    if self.def(j) || self.adjective(j) || w.common || w.demonym {
                        j += 1;
                        continue;
                    }
                    return;
                }
            }
        }
    }

    /// A quoted name after a naming cue takes the type of the head just before it:
    /// قسمها الدولي المعروف بـ"X" is an organization.
    fn named_by_cue(&self, i: usize, out: &mut Vec<Cand>) {
        let n = self.n();
        if !self.words[i].naming {
            return;
        }
        let mut j = i + 1;
        // بـ written apart, or باسم
        if j < n && !self.hard(j) && matches!(self.toks.key(j), "ب" | "باسم") {
            j += 1;
        }
        if j >= n || !self.toks.toks[j].gap.quote || self.toks.toks[j].gap.punct {
            return;
        }
        let mut k = j;
        while k + 1 < n && k < j + 3 && !self.hard(k + 1) {
            k += 1;
        }
        let kind = (i.saturating_sub(4)..i)
            .rev()
            .find_map(|t| match self.head(t)?.class {
                Class::OrgHead(_) => Some(EntityType::Org),
                Class::EquipmentHead(_) => Some(EntityType::Equipment),
                Class::EventHead(_) => Some(EntityType::Event),
                Class::LocationHead(_) => Some(EntityType::Location),
                _ => None,
            });
        if let Some(kind) = kind {
            let mut c = self.word_cand(kind, j, k);
            c.prio = 3;
            out.push(c);
        }
    }

    fn cued_person(&self, i: usize, out: &mut Vec<Cand>) {
        let n = self.n();
        let w = self.words[i];
        // A verb of saying followed by a name: قال حداد إن ...; a leader cue too (بقيادة X،
        // يتزعمها X).
        let leader = w
            .leader
            .is_some_and(|ba| !ba || w.prep == Some('ب') && !self.def(i));
        if w.say || leader {
            let j = i + 1;
            if j < n && !self.hard(j) && self.name_start(j, false) {
                let b = self.bare(j);
                let plural = b.chars().count() >= 5 && (b.ends_with("ون") || b.ends_with("ين"));
                if !plural {
                    if let Some(last) = self.name_run(j) {
                        self.cue_person(j, last, 2, out);
                    }
                }
            }
        }
        // A given name and the family name after it; a compound name opens with عبد or أبو.
        let opener = w.particle && matches!(self.bare(i), "عبد" | "ابو");
        if (w.given || opener) && self.gaz_at[i].is_none() {
            if let Some(last) = self.name_run(i) {
                if last > i {
                    self.person(i, last, 2, out);
                }
            }
        }
        // Apposition: a name at the start of a clause followed by a comma and a title
        // (X، الخبير الأمني), or a name heading a line before a colon.
        // Or a run of unknown indefinite words right before an office title, anywhere
        // (لسمير حداد رئيس أركان الجيش).
        let clause_start = i == 0 || self.hard(i) || self.toks.toks[i].gap.newline;
        let new_phrase = clause_start || w.prep.is_some() || w.conj;
        if new_phrase && self.name_like(i) && !self.def(i) && (!w.known || w.hamza_clitic) {
            if let Some(last) = self.name_run(i) {
                let k = last + 1;
                let unknown = (i..=last).all(|t| !self.words[t].known || self.words[t].given);
                let indefinite = (i..=last).all(|t| !self.def(t));
                if last > i && last < i + 3 && k < n && unknown {
                    let gap = self.toks.toks[k].gap;
                    let office = matches!(
                        self.head(k),
                        Some(HeadSpan {
                            class: Class::Title(TitleKind::Office),
                            ..
                        })
                    );
                    let titled = self.is_title(k) && gap.comma && !gap.quote && clause_start;
                    // not a verb and its subject (وتندرج مشاركة المفتش)
                    let verb_or_noun = (i..=last).any(|t| {
                        let b = self.bare(t);
                        let k = self.toks.key(t);
                        !self.words[t].given
                            && (b.starts_with('ي')
                                || b.starts_with('ت')
                                || k.starts_with("وت")
                                || k.starts_with("وي")
                                || b.ends_with('ه'))
                    });
                    // nor nouns in the accusative (استضافت القاهرة اجتماعا ثلاثيا ضم وزير):
                    // two words ending in the tanwin's alef, neither a given name
                    let accusative = (i..=last)
                        .filter(|&t| !self.words[t].given && self.bare(t).ends_with('ا'))
                        .count()
                        >= 2;
                    let close = office && !gap.hard() && indefinite && !verb_or_noun && !accusative;
                    let header = gap.colon && (i == 0 || self.toks.toks[i].gap.newline);
                    if titled || header || close {
                        self.person(i, last, 1, out);
                    }
                }
            }
        }
    }
}

/// Drops marks, tatweel and invisible characters, collapses white space.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_clean(&mut out, s);
    out
}

/// True when [`push_clean`] keeps `s` as it is because it holds only printable ASCII but the
/// space (which folds to itself) and Arabic letters that fold to a letter (U+0621-U+063A,
/// U+0641-U+064A; not the tatweel U+0640 nor the marks after U+064A).
fn kept_as_is(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&x) = b.get(i) {
        match x {
            0x21..=0x7E => i += 1,
            0xD8 | 0xD9 => {
                let ok = matches!(
                    (x, b.get(i + 1)),
                    (0xD8, Some(0xA1..=0xBA)) | (0xD9, Some(0x81..=0x8A))
                );
                if !ok {
                    return false;
                }
                i += 2;
            }
            _ => return false,
        }
    }
    true
}

/// Appends [`clean`]`(s)` to `out`; runs of characters kept as they are go in one piece.
pub fn push_clean(out: &mut String, s: &str) {
    // Most words are printable ASCII or Arabic letters only, all kept: copied whole.
    if kept_as_is(s) {
        out.push_str(s);
        return;
    }
    let base = out.len();
    let mut space = false;
    // Start of the run of kept characters not yet copied.
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let keep = !c.is_whitespace() && fold_char(c).is_some();
        if keep && !space {
            continue;
        }
        out.push_str(s.get(run..i).unwrap_or(""));
        run = i + c.len_utf8();
        if c.is_whitespace() {
            space = out.len() > base;
            continue;
        }
        if !keep {
            continue;
        }
        // A kept character after white space: the space, then the character.
        out.push(' ');
        space = false;
        out.push(c);
    }
    out.push_str(s.get(run..).unwrap_or(""));
}

#[cfg(test)]
mod tests {
    use super::{kept_as_is, push_clean, DEF_PREFIXES};

    /// The shortcut of `push_clean` agrees with its loop on every character up to U+FFFF,
    /// alone and between Arabic letters.
    #[test]
    fn words_kept_as_is_are_those_the_cleaning_keeps() {
        let slow = |s: &str| {
            let mut out = String::new();
            // The loop alone: a string the shortcut refuses.
            push_clean(&mut out, &format!("\u{0640}{s}"));
            out
        };
        for c in (0..0x1_0000u32).filter_map(char::from_u32) {
            for s in [c.to_string(), format!("ب{c}ت"), format!("{c}{c}")] {
                if kept_as_is(&s) {
                    assert_eq!(slow(&s), s, "{c:?}");
                }
            }
        }
    }

    #[test]
    fn definite_prefixes_start_with_a_clitic_letter_or_alef() {
        for (p, _, _) in DEF_PREFIXES {
            assert!(
                matches!(p.chars().next(), Some('و' | 'ف' | 'ب' | 'ك' | 'ل' | 'ا')),
                "{p}"
            );
        }
    }
}
