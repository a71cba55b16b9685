//! Finds claims: typed frames (agreement, visit, meeting, ...) with actors, date, quote,
//! attribution, negation and modality.
//!
//! How: a trigger word (from `data/claim_triggers.txt`) types the frame; its clause (the
//! sentence cut at `؛`, `:` and at connectives such as `ثم`, `كما`, `حيث` or a verb with a
//! `و` clitic) gives the actors, the entities whose mentions fall in it, widened to the
//! sentence when the clause names fewer than two, and to the document's two main places when
//! the sentence names none. Demonyms (`الإسرائيلية`) count as their country and `البلدين` as
//! the document's two main places. A date goes to the nearest trigger of its comma segment,
//! clause or sentence, in that order.
//!
//! An event restated in the same document is kept once: two candidates merge when they have
//! the same type and sense, compatible dates, the same relative month (`نوفمبر الماضي`), the
//! same destination, no different named equipment, the same people (or one's among the
//! other's), no place the other lacks, and two actors in common; capitals count as their
//! country there. The merged claim keeps the more precise date.
//!
//! Architecture invariant: no IO, no panics on any input; every word list is data.

pub(crate) mod lists;

use std::collections::HashMap;

use self::lists::{
    all_stems, demonyms_of_key, near, stems, AllStems, ClaimWords, Stem, Trigger, WordFlags,
    ATTRIBUTION, CAPITALS, CLAIM_WORDS, MEDIA_HEADS, MODALITY, NEGATION, TRIGGERS,
};
use super::dates::tokens::{Kind, Tokens};
use super::dates::DateMatch;
use crate::model::{Claim, ClaimType, Entity, EntityType, Modality};
use crate::text::key;

/// Words before a trigger in which a blocker (`يسمح`, `بهدف`) makes it no event.
const BLOCK_WINDOW: usize = 3;

/// Words before a trigger within which a verb of intention (يسعى، يتجه نحو) governs it.
const PLANNED_WINDOW: usize = 6;

/// Words either side of a trigger quoted when its clause names no actor.
const QUOTE_CONTEXT: usize = 3;

/// Words either side of a trigger beyond which its sentence is not looked at.
const SCAN: usize = 150;

/// Words either side of a trigger within which a place tells where the event was, for
/// telling apart events of one kind (a visit to A, one to B).
const PLACE_WINDOW: usize = 8;

/// Words of the sentence a trigger's near-words are looked for in, either side.
const NEAR_WINDOW: usize = 10;

/// A claim found at one trigger, before restatements are merged.
#[derive(Debug, Clone)]
struct Candidate {
    claim: Claim,
    /// Entity indices of the actors but the source, for merging.
    actors: Vec<usize>,
    /// Those of `actors` that are persons.
    persons: Vec<usize>,
    /// Named equipment among the actors: two acquisitions of different systems differ.
    equipment: Vec<usize>,
    /// Places named near the trigger in its clause.
    places: Vec<usize>,
    /// Events (accords, summits) named in the trigger's comma segment, else its clause: claims
    /// about two different ones are two claims, whatever parties they share.
    events: Vec<usize>,
    /// A weekday or `أمس` in the clause: the event is of the article's days.
    recent: bool,
    /// The place the event goes to (`زيارة ... إلى X`, `زار X`).
    dest: Option<usize>,
    /// A relative month in the clause (`نوفمبر الماضي`): restatements must agree on it.
    rel_month: Option<u8>,
    /// The trigger's sense (see `Trigger::sense`).
    sense: &'static str,
    /// How far (in tokens) its date is from the trigger; `usize::MAX` without a date.
    date_dist: usize,
}

/// Every claim of `text`. `entities` are the document's entities (with mentions), from which
/// actors are taken; `dates` are its explicit dates.
pub fn find(text: &str, entities: &[Entity], dates: &[DateMatch]) -> Vec<Claim> {
    let t = Tokens::new(text);
    find_in(text, &t, entities, dates)
}

/// [`find`] over tokens already made (the extractor shares them between finders).
pub(crate) fn find_in(
    text: &str,
    t: &Tokens,
    entities: &[Entity],
    dates: &[DateMatch],
) -> Vec<Claim> {
    if t.len() == 0 {
        return Vec::new();
    }
    let st = all_stems(t);
    let marks = Marks::new(t, &st);
    let sent = sentence_ids(t);
    let clause = clause_ids(t, &st, &sent, &marks);
    let segment = segment_ids(t, &clause);
    // The folded names of the places, made once for the capitals and the demonyms.
    let place_keys: Vec<Option<String>> = entities
        .iter()
        .map(|x| (x.kind == EntityType::Location).then(|| key(&x.name)))
        .collect();
    let canon = canonical(entities, &place_keys);
    let canon_of = |e: usize| canon.get(e).copied().unwrap_or(e);
    let mut ends: Vec<usize> = vec![0; t.len()];
    let occ = occurrences(t, &st, entities, &place_keys, &mut ends);
    // Dates of events: not limits or horizons (إلى غاية 2030، قبل نهاية 2025).
    let date_toks: Vec<(usize, &DateMatch)> = dates
        .iter()
        .filter_map(|d| token_at(t, d.span.start).map(|k| (k, d)))
        .filter(|&(k, _)| !(k.saturating_sub(2)..k).any(|j| marks.limit.get(j) == Some(&true)))
        .collect();

    // Triggers, in text order: (token, tokens taken, type, sense).
    let mut triggers: Vec<(usize, usize, ClaimType, &'static str)> = Vec::new();
    let mut i = 0;
    // Only the tokens where some trigger matches; `i` is where the next may start.
    for &k in &marks.trig.keys {
        if k < i {
            continue;
        }
        i = k;
        let (lo, hi) = range_of(&sent, i);
        let found = marks.trig.get(&i).and_then(|v| {
            v.iter().find(|(tr, _, _)| {
                tr.near.is_empty() || near(&st, i, &tr.near, lo, hi, NEAR_WINDOW)
            })
        });
        match found {
            Some((_, n, _)) if blocked(&marks, i, lo) => i += n,
            Some((tr, n, _)) => {
                triggers.push((i, *n, tr.kind, tr.sense.as_str()));
                i += *n;
            }
            None => i += 1,
        }
    }

    // Each date goes to the nearest trigger of its comma segment, else of its clause, else of
    // its sentence; a trigger keeps the date of its own segment or clause over a nearer one
    // from another clause. Distances are ranked by that level first.
    let mut date_of: HashMap<usize, (usize, &DateMatch)> = HashMap::new();
    for &(dk, d) in &date_toks {
        // Only the triggers of the date's sentence, near it, can take it.
        let (ss, se) = range_of(&sent, dk);
        let (ss, se) = (ss.max(dk.saturating_sub(SCAN)), se.min(dk + SCAN));
        let first = triggers.partition_point(|(ti, _, _, _)| *ti < ss);
        let last = triggers.partition_point(|(ti, _, _, _)| *ti < se);
        let pick = |same: &dyn Fn(usize) -> bool| {
            triggers
                .iter()
                .enumerate()
                .skip(first)
                .take(last.saturating_sub(first))
                .filter(|(_, (ti, _, _, _))| same(*ti))
                .min_by_key(|(_, (ti, _, _, _))| ti.abs_diff(dk))
                .map(|(n, (ti, _, _, _))| (n, ti.abs_diff(dk)))
        };
        const LEVEL: usize = 100_000;
        let best = pick(&|ti| segment.get(ti) == segment.get(dk))
            .or_else(|| pick(&|ti| clause.get(ti) == clause.get(dk)).map(|(n, d)| (n, d + LEVEL)))
            .or_else(|| pick(&|ti| sent.get(ti) == sent.get(dk)).map(|(n, d)| (n, d + 2 * LEVEL)));
        if let Some((n, dist)) = best {
            let better = date_of.get(&n).is_none_or(|(old, _)| dist < *old);
            if better {
                date_of.insert(n, (dist, d));
            }
        }
    }

    let mut out: Vec<Candidate> = Vec::new();
    // Buffers reused from one trigger to the next.
    let mut scratch: Vec<usize> = Vec::new();
    let mut by_dist: Vec<(usize, usize)> = Vec::new();
    let mut in_clause: Vec<usize> = Vec::new();
    let mut seen: Vec<usize> = Vec::new();
    let mut key_actors: Vec<usize> = Vec::new();
    let mut places: Vec<usize> = Vec::new();
    let mut events: Vec<usize> = Vec::new();
    for (n, &(ti, len, kind, sense)) in triggers.iter().enumerate() {
        let (cs, ce) = range_of(&clause, ti);
        let (ss, se) = range_of(&sent, ti);
        // Very long "sentences" (text with no punctuation) are looked at near the trigger only.
        let (ss, se) = (ss.max(ti.saturating_sub(SCAN)), se.min(ti + SCAN));
        let (cs, ce) = (cs.max(ss), ce.min(se));
        // The actors: those of the trigger's clause, else of its sentence.
        let mut used: &[(usize, usize)] = &[];
        for (lo, hi) in [(cs, ce), (ss, se)] {
            used = occ_in(&occ, lo, hi);
            // The accord or summit a clause names is what the claim is about, not a party: a
            // clause naming it and one party takes its parties from the sentence.
            if parties(used, entities, &mut scratch) >= 2 {
                break;
            }
        }
        let mut actors: Vec<usize> = Vec::new();
        for &(_, e) in used {
            if !actors.contains(&e) {
                actors.push(e);
            }
        }
        if actors.len() < 2 {
            // A sentence naming no party speaks of the article's two main places.
            if let Some(pair) = main_pair(entities) {
                if actors.iter().all(|a| pair.contains(a)) {
                    actors = pair.to_vec();
                }
            }
        }
        if actors.len() < 2 {
            continue;
        }
        // The quote: the trigger and the mentions of the two actors nearest to it in the
        // clause.
        by_dist.clear();
        by_dist.extend(used.iter().filter(|(k, _)| (cs..ce).contains(k)).copied());
        by_dist.sort_by_key(|(k, _)| k.abs_diff(ti));
        in_clause.clear();
        seen.clear();
        for &(k, e) in &by_dist {
            if seen.len() >= 2 {
                break;
            }
            if !seen.contains(&e) {
                seen.push(e);
                in_clause.push(k);
            }
        }
        let mut qs = in_clause.iter().copied().min().unwrap_or(ti).min(ti);
        let mut qe = in_clause
            .iter()
            .map(|&k| mention_end_tok(k, &ends))
            .max()
            .unwrap_or(ti)
            .max(ti + len - 1);
        if in_clause.is_empty() {
            // No actor named in the clause: the trigger with a few words of its clause.
            qs = ti.saturating_sub(QUOTE_CONTEXT).max(cs);
            qe = (ti + len - 1 + QUOTE_CONTEXT)
                .min(ce.saturating_sub(1))
                .max(ti);
            while qe > ti && t.kind(qe) == Some(Kind::Punct) {
                qe -= 1;
            }
        }
        let quote = match (t.toks.get(qs), t.toks.get(qe)) {
            (Some(a), Some(b)) => text.get(a.start..b.end).unwrap_or("").to_string(),
            _ => String::new(),
        };
        let (date, date_dist) = match date_of.get(&n) {
            Some((dist, d)) => (Some(d.value.clone()), *dist),
            None => (None, usize::MAX),
        };
        let (source, per_source) = match attribution(&marks, ti, ss, se, &occ) {
            Some((e, per)) => (Some(e), per),
            None => (None, false),
        };
        // A source named by وفق/حسب, or a news outlet that reports it, is no party, unless
        // that leaves fewer than two.
        let outlet = source.is_some_and(|e| is_outlet(t, &st, entities, &occ, e));
        if (per_source || outlet) && actors.len() > 2 {
            actors.retain(|&e| Some(e) != source);
        }
        key_actors.clear();
        key_actors.extend(
            actors
                .iter()
                .copied()
                // A person reporting the event (قال الخبير X إن) is not one of its parties.
                .filter(|&e| {
                    Some(e) != source
                        || entities.get(e).is_none_or(|x| x.kind != EntityType::Person)
                }),
        );
        let persons: Vec<usize> = key_actors
            .iter()
            .copied()
            .filter(|&e| {
                entities
                    .get(e)
                    .is_some_and(|x| x.kind == EntityType::Person)
            })
            .collect();
        let equipment: Vec<usize> = key_actors
            .iter()
            .copied()
            .filter(|&e| {
                entities
                    .get(e)
                    .is_some_and(|x| x.kind == EntityType::Equipment)
            })
            .collect();
        places.clear();
        for &(k, e) in occ_in(&occ, cs, ce) {
            let close = (cs..ce).contains(&k) && k.abs_diff(ti) <= PLACE_WINDOW;
            let place = entities
                .get(e)
                .is_some_and(|x| x.kind == EntityType::Location);
            if close && place && !places.contains(&e) {
                places.push(e);
            }
        }
        // The events of the trigger's comma segment, else of its clause.
        let (gs, ge) = range_of(&segment, ti);
        events.clear();
        for (lo, hi) in [(gs.max(cs), ge.min(ce)), (cs, ce)] {
            for &(k, e) in occ_in(&occ, lo, hi) {
                let event = entities.get(e).is_some_and(|x| x.kind == EntityType::Event);
                if (lo..hi).contains(&k) && event && !events.contains(&e) {
                    events.push(e);
                }
            }
            if !events.is_empty() {
                break;
            }
        }
        let dest = occ_in(&occ, ti + 1, ce)
            .iter()
            .filter(|(k, e)| {
                *k > ti
                    && *k < ce
                    && *k <= ti + PLACE_WINDOW + 4
                    && entities
                        .get(*e)
                        .is_some_and(|x| x.kind == EntityType::Location)
            })
            .find(|(k, _)| {
                let w = t.f(*k);
                matches!(t.f(k - 1), "الي" | "نحو") || w.starts_with('ل') && !w.starts_with("ال")
            })
            .map(|(_, e)| *e);
        let recent = !positions_in(&marks.recent, cs, ce).is_empty();
        let rel_month = {
            let r = &marks.rel_month;
            let a = r.partition_point(|(k, _)| *k < cs);
            r.get(a).filter(|(k, _)| *k < ce).map(|(_, m)| *m)
        };
        let claim = Claim {
            kind,
            actors: actors
                .iter()
                .filter_map(|&e| entities.get(e).map(|x| x.name.clone()))
                .collect(),
            date,
            quote,
            attributed_to: source.and_then(|e| entities.get(e)).map(|x| x.name.clone()),
            negated: negated(&marks, ti, cs),
            modality: modality(&marks, ti, cs, ss, se),
        };
        merge(
            &mut out,
            Candidate {
                claim,
                actors: dedup(key_actors.iter().map(|&e| canon_of(e))),
                persons,
                equipment,
                places: dedup(places.iter().map(|&e| canon_of(e))),
                events: dedup(events.iter().map(|&e| canon_of(e))),
                dest: dest.map(canon_of),
                recent,
                rel_month,
                sense,
                date_dist,
            },
        );
    }
    out.into_iter().map(|c| c.claim).collect()
}

/// List entries matching at some tokens, by token (most tokens match nothing): the lists of
/// the tokens that have one, and a compact index (four bytes a token) into them.
struct Sparse<T> {
    /// Per token, the slot of its list in `vals`, or `NONE`.
    idx: Vec<u32>,
    vals: Vec<Vec<T>>,
    /// The tokens with a non-empty list, in order.
    keys: Vec<usize>,
}

const NONE: u32 = u32::MAX;

impl<T> Sparse<T> {
    fn new(len: usize) -> Self {
        Sparse {
            idx: vec![NONE; len],
            vals: Vec::new(),
            keys: Vec::new(),
        }
    }

    fn insert(&mut self, k: usize, v: Vec<T>) {
        if v.is_empty() {
            return;
        }
        if self.idx.len() <= k {
            self.idx.resize(k + 1, NONE);
        }
        let Some(slot) = self.idx.get_mut(k) else {
            return;
        };
        if let Some(old) = self.vals.get_mut(*slot as usize) {
            *old = v;
            return;
        }
        *slot = self.vals.len() as u32;
        self.vals.push(v);
        let p = self.keys.partition_point(|&x| x < k);
        self.keys.insert(p, k);
    }

    /// The tokens in `lo..hi` with a non-empty list, in order.
    fn keys_in(&self, lo: usize, hi: usize) -> &[usize] {
        positions_in(&self.keys, lo, hi)
    }

    fn get(&self, k: &usize) -> Option<&Vec<T>> {
        let slot = *self.idx.get(*k)?;
        self.vals.get(slot as usize)
    }
}

/// What every token is for the claim finder, computed once: the list entries that match at
/// it, stored sparsely, and one-byte flags, so that memory stays a small multiple of the text.
struct Marks {
    trig: Sparse<(&'static Trigger, usize, usize)>,
    attr: Sparse<(&'static String, usize, usize)>,
    neg: Sparse<(&'static String, usize, usize)>,
    modal: Sparse<(&'static String, usize, usize)>,
    /// A blocker word (يسمح، بهدف).
    blocker: Vec<bool>,
    /// The tokens that are a weekday or `أمس`, in order.
    recent: Vec<usize>,
    /// A word making a following date a limit (حتى، غاية).
    limit: Vec<bool>,
    /// The month names followed by `الماضي`, `المقبل`...: (token, month number), in order.
    rel_month: Vec<(usize, u8)>,
}

impl Marks {
    fn new(t: &Tokens, stems: &AllStems<'_>) -> Marks {
        let mut m = Marks {
            trig: Sparse::new(t.len()),
            attr: Sparse::new(t.len()),
            neg: Sparse::new(t.len()),
            modal: Sparse::new(t.len()),
            blocker: vec![false; t.len()],
            recent: Vec::new(),
            limit: vec![false; t.len()],
            rel_month: Vec::new(),
        };
        for i in 0..t.len() {
            if t.kind(i) != Some(Kind::Word) {
                continue;
            }
            // The next token is a relative-month word (its own form is its first stem).
            let next = match stems.info(i + 1).first() {
                Some(&f) => f,
                None => CLAIM_WORDS.of(t.f(i + 1)),
            };
            if next & ClaimWords::RELATIVE_MONTH != 0 {
                if let Some(x) = super::dates::month_name_at(t, i) {
                    m.rel_month.push((i, x));
                }
            }
            // A word in no list, and starting like no pattern, matches nothing more.
            if stems.any_info(i) == 0 {
                continue;
            }
            let st: &[Stem<'_>] = stems.get(i).unwrap_or(&[]);
            // Which stems are an exact first word of each pattern set, and the lists any is in.
            let mut flags = 0u16;
            let mut hits = [0u32; 4];
            for (n, &f) in stems.info(i).iter().enumerate() {
                flags |= f;
                for (h, set) in hits.iter_mut().zip([
                    ClaimWords::TRIGGER,
                    ClaimWords::ATTRIBUTION,
                    ClaimWords::NEGATION,
                    ClaimWords::MODALITY,
                ]) {
                    if f & set != 0 {
                        *h |= 1 << n;
                    }
                }
            }
            let tr = TRIGGERS.at_known(t, i, st, hits[0]);
            if !tr.is_empty() {
                m.trig.insert(i, tr);
            }
            for (set, map, h) in [
                (&*ATTRIBUTION, &mut m.attr, hits[1]),
                (&*NEGATION, &mut m.neg, hits[2]),
                (&*MODALITY, &mut m.modal, hits[3]),
            ] {
                if !set.may_match(h) {
                    continue;
                }
                let found = set.at_known(t, i, st, h);
                if !found.is_empty() {
                    map.insert(i, found);
                }
            }
            // In which of the blocker, recent-word and limit lists some stem is.
            let flags = flags as u8;
            if let Some(b) = m.blocker.get_mut(i) {
                *b = flags & WordFlags::BLOCKER != 0;
            }
            if flags & WordFlags::RECENT != 0 {
                m.recent.push(i);
            }
            if let Some(b) = m.limit.get_mut(i) {
                *b = flags & WordFlags::LIMIT != 0;
            }
        }
        m
    }

    fn attr(&self, k: usize) -> &[(&'static String, usize, usize)] {
        self.attr.get(&k).map_or(&[], Vec::as_slice)
    }
}

/// True when a blocker word stands just before the trigger at `i` (not before `lo`).
fn blocked(m: &Marks, i: usize, lo: usize) -> bool {
    (i.saturating_sub(BLOCK_WINDOW).max(lo)..i).any(|k| m.blocker.get(k) == Some(&true))
}

/// Sentence number of every token: a new sentence after . ! ? ؟ … and at a line break.
fn sentence_ids(t: &Tokens) -> Vec<u32> {
    let mut ids = Vec::with_capacity(t.len());
    let mut id = 0u32;
    for i in 0..t.len() {
        let brk = i > 0
            && (t.toks.get(i).is_some_and(|x| x.newline_before)
                || (t.kind(i - 1) == Some(Kind::Punct)
                    && matches!(t.f(i - 1), "." | "!" | "?" | "؟" | "…")
                    && t.toks.get(i).is_some_and(|x| x.space_before)));
        if brk {
            id += 1;
        }
        ids.push(id);
    }
    ids
}

/// Clause number of every token: sentences cut at ؛ ; : and before a connective or a verb
/// trigger with a و/ف clitic.
fn clause_ids(t: &Tokens, st: &AllStems<'_>, sent: &[u32], m: &Marks) -> Vec<u32> {
    let mut ids = Vec::with_capacity(t.len());
    let mut id = 0u32;
    for i in 0..t.len() {
        let mut brk = i > 0 && sent.get(i) != sent.get(i - 1);
        if i > 0 && !brk {
            brk = t.kind(i - 1) == Some(Kind::Punct) && matches!(t.f(i - 1), "؛" | ";" | ":");
            if !brk && t.kind(i) == Some(Kind::Word) {
                brk = st
                    .info(i)
                    .first()
                    .is_some_and(|f| f & ClaimWords::CLAUSE_BREAK != 0)
                    // A verb trigger or a verb of saying with a و/ف clitic.
                    || starts_conj(t.f(i))
                        && (m.trig.get(&i).is_some_and(|v| {
                            v.iter().any(|(tr, _, clitics)| tr.verb && *clitics > 0)
                        }) || m
                            .attr(i)
                            .iter()
                            .any(|(tag, _, clitics)| tag.as_str() == "say" && *clitics > 0));
            }
        }
        if brk {
            id += 1;
        }
        ids.push(id);
    }
    ids
}

fn starts_conj(w: &str) -> bool {
    w.starts_with('و') || w.starts_with('ف')
}

/// Segment number of every token: clauses cut further at commas.
fn segment_ids(t: &Tokens, clause: &[u32]) -> Vec<u32> {
    let mut ids = Vec::with_capacity(t.len());
    let mut id = 0u32;
    for i in 0..t.len() {
        let brk = i > 0
            && (clause.get(i) != clause.get(i - 1)
                || (t.kind(i - 1) == Some(Kind::Punct) && matches!(t.f(i - 1), "،" | ",")));
        if brk {
            id += 1;
        }
        ids.push(id);
    }
    ids
}

/// The positions (sorted) in `lo..hi`.
fn positions_in(pos: &[usize], lo: usize, hi: usize) -> &[usize] {
    let a = pos.partition_point(|&k| k < lo);
    let b = pos.partition_point(|&k| k < hi).max(a);
    pos.get(a..b).unwrap_or(&[])
}

/// The token range sharing `ids[i]` (ids are non-decreasing).
fn range_of(ids: &[u32], i: usize) -> (usize, usize) {
    let Some(&id) = ids.get(i) else {
        return (i, i);
    };
    let lo = ids.partition_point(|&x| x < id);
    let hi = ids.partition_point(|&x| x <= id);
    (lo, hi)
}

/// The token starting at or containing byte `pos`.
fn token_at(t: &Tokens, pos: usize) -> Option<usize> {
    let k = t.toks.partition_point(|x| x.end <= pos);
    (k < t.len()).then_some(k)
}

/// Distinct entities among `used` that can be a claim's party (any kind but EVENT).
/// `v` is a scratch buffer.
fn parties(used: &[(usize, usize)], entities: &[Entity], v: &mut Vec<usize>) -> usize {
    v.clear();
    v.extend(
        used.iter()
            .map(|(_, e)| *e)
            .filter(|&e| entities.get(e).is_some_and(|x| x.kind != EntityType::Event)),
    );
    v.sort_unstable();
    v.dedup();
    v.len()
}

/// Indices without repeats, in first-seen order.
fn dedup(it: impl Iterator<Item = usize>) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for e in it {
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

/// For every entity, the entity it stands for when comparing events: a capital named as a
/// government stands for its country when the document names that country too.
/// `place_keys` are the places' folded names (`None` for other entities).
fn canonical(entities: &[Entity], place_keys: &[Option<String>]) -> Vec<usize> {
    let by_key: HashMap<&str, usize> = place_keys
        .iter()
        .enumerate()
        .filter_map(|(e, k)| k.as_deref().map(|k| (k, e)))
        .collect();
    entities
        .iter()
        .enumerate()
        .map(|(e, x)| {
            if x.kind != EntityType::Location {
                return e;
            }
            let Some(Some(k)) = place_keys.get(e) else {
                return e;
            };
            CAPITALS
                .get(k)
                .map(String::as_str)
                .and_then(|country| by_key.get(country))
                .copied()
                .unwrap_or(e)
        })
        .collect()
}

/// The two places the document mentions most.
fn main_pair(entities: &[Entity]) -> Option<[usize; 2]> {
    let mut places: Vec<(usize, usize)> = entities
        .iter()
        .enumerate()
        .filter(|(_, x)| x.kind == EntityType::Location && !x.mentions.is_empty())
        .map(|(e, x)| (x.mentions.len(), e))
        .collect();
    places.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    match places.as_slice() {
        [a, b, ..] => Some([a.1, b.1]),
        _ => None,
    }
}

/// Where entities occur, as (first token, entity index): their mentions, demonyms of the
/// places (`الإسرائيلية` → إسرائيل), and `البلدين` for the two places mentioned most.
fn occurrences(
    t: &Tokens,
    stems: &AllStems<'_>,
    entities: &[Entity],
    place_keys: &[Option<String>],
    ends: &mut [usize],
) -> Vec<(usize, usize)> {
    let mut occ: Vec<(usize, usize)> = Vec::new();
    for (e, ent) in entities.iter().enumerate() {
        for m in &ent.mentions {
            if let Some(k) = token_at(t, m.start) {
                occ.push((k, e));
                if let Some(last) = token_at(t, m.end.saturating_sub(1)) {
                    if let Some(end) = ends.get_mut(k) {
                        *end = (*end).max(last);
                    }
                }
            }
        }
    }
    let dems: Vec<(String, usize)> = entities
        .iter()
        .enumerate()
        .filter(|(_, x)| x.kind == EntityType::Location)
        .flat_map(|(e, _)| {
            place_keys
                .get(e)
                .and_then(Option::as_deref)
                .map(demonyms_of_key)
                .unwrap_or_default()
                .into_iter()
                .map(move |d| (d, e))
        })
        .collect();
    let top2: Vec<usize> = main_pair(entities).map(|p| p.to_vec()).unwrap_or_default();
    // The first four bytes (two letters) of every demonym, hashed into a set of bits: most
    // words start like none and skip the list.
    let four = |w: &str| {
        w.as_bytes().first_chunk::<4>().map(|b| {
            let x = u64::from(u32::from_le_bytes(*b));
            (x.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize
        })
    };
    let mut starts = [0u64; 64];
    let mut short_dem = false;
    for (d, _) in &dems {
        match four(d) {
            Some(h) => {
                if let Some(w) = starts.get_mut(h / 64) {
                    *w |= 1 << (h % 64);
                }
            }
            None => short_dem = true,
        }
    }
    let starts_like = |h: usize| starts.get(h / 64).is_some_and(|w| w & (1 << (h % 64)) != 0);
    if dems.is_empty() && top2.len() != 2 {
        occ.sort_unstable();
        occ.dedup();
        return occ;
    }
    for i in 0..t.len() {
        if t.kind(i) != Some(Kind::Word) {
            continue;
        }
        let info = stems.info(i);
        for (n, st) in stems.get(i).unwrap_or(&[]).iter().enumerate() {
            let s: &str = &st.form;
            let pair = info.get(n).is_some_and(|f| f & ClaimWords::PAIR != 0);
            if top2.len() == 2 && pair {
                occ.extend(top2.iter().map(|&e| (i, e)));
                break;
            }
            let bare = s.strip_prefix("ال").unwrap_or(s);
            if !short_dem && !four(bare).is_some_and(starts_like) {
                continue;
            }
            if let Some(&(_, e)) = dems.iter().find(|(d, _)| {
                bare.strip_prefix(d.as_str()).is_some_and(|rest| {
                    matches!(rest, "" | "ه" | "ين" | "ون" | "يه" | "يين" | "يون")
                })
            }) {
                occ.push((i, e));
                break;
            }
        }
    }
    occ.sort_unstable();
    occ.dedup();
    occ
}

/// The occurrences whose token is in `lo..hi` (`occ` is sorted by token).
fn occ_in(occ: &[(usize, usize)], lo: usize, hi: usize) -> &[(usize, usize)] {
    let a = occ.partition_point(|(k, _)| *k < lo);
    let b = occ.partition_point(|(k, _)| *k < hi).max(a);
    occ.get(a..b).unwrap_or(&[])
}

/// The last token of the mention starting at token `k` (the longest, when several do).
fn mention_end_tok(k: usize, ends: &[usize]) -> usize {
    ends.get(k).copied().unwrap_or(k).max(k)
}

/// Negated: a particle (لم، لن، عدم) just before the trigger, or a verb of denial earlier in
/// its clause.
fn negated(m: &Marks, ti: usize, cs: usize) -> bool {
    m.neg.keys_in(cs, ti).iter().any(|&k| {
        let here = m.neg.get(&k).map_or(&[][..], Vec::as_slice);
        // A fixed phrase (طائرات بدون طيار) negates nothing.
        if here.iter().any(|(tag, _, _)| tag.as_str() == "except") {
            return false;
        }
        here.iter().any(|(tag, n, _)| {
            (tag.as_str() == "near" && k + n + 2 > ti) || (tag.as_str() == "clause" && k + n <= ti)
        })
    })
}

/// Planned or reported: a `planned` marker (من المقرر، يعتزم) earlier in the clause, an
/// `intent` verb (يسعى) shortly before the trigger, or a `reported` marker anywhere in the
/// sentence.
fn modality(m: &Marks, ti: usize, cs: usize, ss: usize, se: usize) -> Option<Modality> {
    let mut planned = false;
    for &k in m.modal.keys_in(ss, se) {
        for (tag, _, _) in m.modal.get(&k).into_iter().flatten() {
            match tag.as_str() {
                "reported" => return Some(Modality::Reported),
                "planned" if (cs..=ti).contains(&k) => planned = true,
                "intent" if (cs.max(ti.saturating_sub(PLANNED_WINDOW))..=ti).contains(&k) => {
                    planned = true
                }
                _ => {}
            }
        }
    }
    planned.then_some(Modality::Planned)
}

/// Entity `e` is a news outlet: its name or a mention opens with a media noun (صحيفة X).
fn is_outlet(
    t: &Tokens,
    st: &AllStems<'_>,
    entities: &[Entity],
    occ: &[(usize, usize)],
    e: usize,
) -> bool {
    let media = |stems: &[Stem<'_>]| stems.iter().any(|s| MEDIA_HEADS.contains(&s.form));
    let named = entities
        .get(e)
        .and_then(|x| x.name.split_whitespace().next())
        .is_some_and(|w| {
            let w = key(w);
            let mut v = Vec::new();
            stems(&w, &mut v);
            media(&v)
        });
    // The word before a mention, over an opening quote (صحيفة "X").
    let word_before = |k: usize| {
        (k.saturating_sub(3)..k)
            .rev()
            .find(|&p| t.kind(p) != Some(Kind::Punct))
            .filter(|&p| t.kind(p) == Some(Kind::Word))
    };
    named
        || occ
            .iter()
            .any(|&(k, x)| x == e && word_before(k).and_then(|p| st.get(p)).is_some_and(media))
}

/// Who says so, and whether it was named by a `per` preposition (then it is a source, never a
/// party): the entity after a `per` preposition (وفق، حسب) anywhere in the sentence, or
/// the subject of a verb of saying before the trigger (the first entity within five words
/// after it, else just before it).
fn attribution(
    m: &Marks,
    ti: usize,
    ss: usize,
    se: usize,
    occ: &[(usize, usize)],
) -> Option<(usize, bool)> {
    let first_after = |k: usize, w: usize| {
        occ_in(occ, k + 1, (k + w + 1).min(se))
            .first()
            .map(|(_, e)| *e)
    };
    for &k in m.attr.keys_in(ss, se) {
        for (tag, n, _) in m.attr(k) {
            if tag.as_str() == "per" {
                if let Some(e) = first_after(k + n - 1, 5) {
                    return Some((e, true));
                }
            }
        }
    }
    for &k in m.attr.keys_in(ss, ti).iter().rev() {
        for (tag, n, _) in m.attr(k) {
            if tag.as_str() == "say" {
                if let Some(e) = first_after(k + n - 1, 5) {
                    return Some((e, false));
                }
                let before = occ_in(occ, k.saturating_sub(3).max(ss), k).last();
                if let Some((_, e)) = before {
                    return Some((*e, false));
                }
            }
        }
    }
    None
}

fn dates_compatible(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.starts_with(b.as_str()) || b.starts_with(a.as_str()),
        _ => true,
    }
}

/// Adds a candidate, or folds it into the claim it restates: same type, compatible dates,
/// and the same actors (two shared, or all of the smaller set). The merged claim keeps the
/// more precise date and the quote of the more explicit mention.
fn merge(out: &mut Vec<Candidate>, c: Candidate) {
    let same = out.iter().position(|o| {
        if o.claim.kind != c.claim.kind
            || o.sense != c.sense
            || !dates_compatible(&o.claim.date, &c.claim.date)
        {
            return false;
        }
        if o.rel_month.is_some() && c.rel_month.is_some() && o.rel_month != c.rel_month {
            return false;
        }
        if o.dest.is_some() && c.dest.is_some() && o.dest != c.dest {
            return false;
        }
        if !o.events.is_empty()
            && !c.events.is_empty()
            && !o.events.iter().any(|e| c.events.contains(e))
        {
            return false;
        }
        if !o.equipment.is_empty()
            && !c.equipment.is_empty()
            && !o.equipment.iter().any(|e| c.equipment.contains(e))
        {
            return false;
        }
        // An event of the article's days is not one dated in the past.
        let undated_recent = |x: &Candidate| x.recent && x.claim.date.is_none();
        if (undated_recent(o) && c.claim.date.is_some())
            || (undated_recent(&c) && o.claim.date.is_some())
        {
            return false;
        }
        let subset = |a: &[usize], b: &[usize]| a.iter().all(|e| b.contains(e));
        let mut shared = o.actors.iter().filter(|e| c.actors.contains(e)).count();
        // The same people (two or more) make the same event whatever else is named.
        if o.persons.len() >= 2 && subset(&o.persons, &c.persons) && subset(&c.persons, &o.persons)
        {
            shared = shared.max(2);
        }
        // The same people (or the people of one among those of the other); a restatement
        // with no person at all must name no place the other does not.
        let persons_ok = if o.persons.is_empty() {
            subset(&o.places, &c.actors)
        } else if c.persons.is_empty() {
            subset(&c.places, &o.actors)
        } else {
            subset(&o.persons, &c.persons) || subset(&c.persons, &o.persons)
        };
        // Events in different places are different events (a visit to A, one to B).
        let places_ok = subset(&o.places, &c.actors) || subset(&c.places, &o.actors);
        shared >= 2 && persons_ok && places_ok
    });
    let Some(p) = same else {
        out.push(c);
        return;
    };
    let Some(o) = out.get_mut(p) else { return };
    let precise = |d: &Option<String>| d.as_ref().map_or(0, String::len);
    if precise(&c.claim.date) > precise(&o.claim.date)
        || (precise(&c.claim.date) == precise(&o.claim.date) && c.date_dist < o.date_dist)
    {
        o.claim.date = c.claim.date.clone();
        o.date_dist = c.date_dist;
        o.claim.quote = c.claim.quote.clone();
    }
    o.claim.actors =
        c.claim
            .actors
            .into_iter()
            .fold(std::mem::take(&mut o.claim.actors), |mut acc, a| {
                if !acc.contains(&a) {
                    acc.push(a);
                }
                acc
            });
    if o.rel_month.is_none() {
        o.rel_month = c.rel_month;
    }
    if o.dest.is_none() {
        o.dest = c.dest;
    }
    // A restatement that names the people of an event first described without them.
    if o.persons.is_empty() {
        o.persons = c.persons;
    }
    if o.equipment.is_empty() {
        o.equipment = c.equipment;
    }
    if o.events.is_empty() {
        o.events = c.events;
    }
    if o.claim.attributed_to.is_none() {
        o.claim.attributed_to = c.claim.attributed_to;
    }
}

#[cfg(test)]
mod tests;
