//! Finds claims: typed frames (agreement, visit, meeting, ...) with actors, date, quote,
//! attribution, negation and modality.
//!
//! How: a trigger word (from `data/claim_triggers.txt`) types the frame; its clause (the
//! sentence cut at `؛`, `:` and at connectives such as `ثم`, `كما`, `حيث` or a verb with a
//! `و` clitic) gives the actors, the entities whose mentions fall in it, widened to the
//! sentence when the clause names fewer than two, and to the document's two main places so
//! far (mentioned most before the trigger) when the sentence names none. Demonyms
//! (`الإسرائيلية`) count as their country and `البلدين` as the two main places so far. A date
//! goes to the nearest trigger of its comma segment, clause or sentence, in that order.
//!
//! An event restated in the same document is kept once: two candidates merge when they have
//! the same type and sense, compatible dates, the same relative month (`نوفمبر الماضي`), the
//! same destination, no different named equipment, the same people (or one's among the
//! other's), no place the other lacks, and two actors in common; capitals count as their
//! country there. The merged claim keeps the more precise date.
//!
//! Architecture invariant: no IO, no panics on any input; every word list is data.

pub(crate) mod lists;

use std::cell::Cell;

use self::lists::{
    demonyms_of_key, head3, near, stems_at, ClaimWords, First, Frame, StemLists, Trigger,
    WordFlags, WordInfo, WordMap, WordMemo, ANAPHORS, CAPITALS, CLAIM_WORDS, COMMENTATORS,
    MEDIA_HEADS, NO_ENTRY, NO_HEAD,
};
use super::dates::tokens::{Kind, Tokens};
use super::dates::DateMatch;
use dossier_core::model::{Claim, ClaimType, Entity, EntityType, Modality};
use dossier_core::text::key;

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

/// Where a list of entity indices lies in [`Lists`].
#[derive(Debug, Clone, Copy, Default)]
struct Span {
    start: u32,
    len: u32,
}

/// The entity lists of one text's candidates laid end to end, only ever appended to: a list
/// is copied by its [`Span`], and a candidate needs no allocation of its own.
#[derive(Default)]
struct Lists(Vec<usize>);

impl Lists {
    fn get(&self, s: Span) -> &[usize] {
        let start = s.start as usize;
        self.0.get(start..start + s.len as usize).unwrap_or(&[])
    }

    /// Appends `items`.
    fn add(&mut self, items: impl Iterator<Item = usize>) -> Span {
        let start = self.0.len();
        self.0.extend(items);
        self.span_from(start)
    }

    /// Appends `items` without repeats, in first-seen order.
    fn add_distinct(&mut self, items: impl Iterator<Item = usize>) -> Span {
        let start = self.0.len();
        for e in items {
            if !self.0.get(start..).unwrap_or(&[]).contains(&e) {
                self.0.push(e);
            }
        }
        self.span_from(start)
    }

    fn span_from(&self, start: usize) -> Span {
        Span {
            start: start as u32,
            len: (self.0.len() - start) as u32,
        }
    }
}

/// A claim found at one trigger, before restatements are merged. Its strings (actor names,
/// quote, date) are copied out only for the claims left after merging.
#[derive(Debug, Clone, Copy)]
struct Candidate<'d> {
    kind: ClaimType,
    /// The claim's actors as entity indices, in order; merging compares their names.
    names: Span,
    date: Option<&'d DateMatch>,
    /// The quote's byte range in the text (`None`: an empty quote).
    quote: Option<(usize, usize)>,
    /// The entity the claim is attributed to.
    attributed: Option<usize>,
    negated: bool,
    modality: Option<Modality>,
    /// Entity indices of the actors but the source, for merging.
    actors: Span,
    /// Those of `actors` that are persons.
    persons: Span,
    /// Named equipment among the actors: two acquisitions of different systems differ.
    equipment: Span,
    /// Places named near the trigger in its clause.
    places: Span,
    /// Events (accords, summits) named in the trigger's comma segment, else its clause: claims
    /// about two different ones are two claims, whatever parties they share.
    events: Span,
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

/// The per-token tables of one document, kept by each thread for its next document (as the
/// entity finder keeps its own): allocating and growing them anew for every document showed
/// in profiles.
#[derive(Default)]
struct Scratch {
    scan: Scan,
    memo: WordMemo,
    lists: Lists,
    places: Places,
    buffers: Buffers,
    /// (first token, last token) of every mention, in order.
    ends: Vec<(usize, usize)>,
    occ: Vec<(usize, usize)>,
}

/// The buffers of the candidate loop, reused from one trigger to the next.
#[derive(Default)]
struct Buffers {
    actors: Vec<usize>,
    parties: Vec<usize>,
    by_dist: Vec<(usize, usize)>,
    in_clause: Vec<usize>,
    seen: Vec<usize>,
    key_actors: Vec<usize>,
    places: Vec<usize>,
    events: Vec<usize>,
    /// Per entity, whether it is a news outlet, once asked.
    outlets: Vec<Option<bool>>,
}

/// Texts longer than this (in bytes) do not leave their tables behind.
const KEEP_SCRATCH_BELOW: usize = 1 << 22;

thread_local! {
    static SCRATCH: Cell<Option<Scratch>> = const { Cell::new(None) };
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
    let mut s = SCRATCH.with(Cell::take).unwrap_or_default();
    let out = find_with(text, t, entities, dates, &mut s);
    if text.len() < KEEP_SCRATCH_BELOW {
        SCRATCH.with(|c| c.set(Some(s)));
    }
    out
}

/// [`find_in`] with the thread's tables.
fn find_with(
    text: &str,
    t: &Tokens,
    entities: &[Entity],
    dates: &[DateMatch],
    s: &mut Scratch,
) -> Vec<Claim> {
    // The folded names of the places, made once for the capitals and the demonyms.
    let Scratch {
        scan: scanned,
        memo,
        lists,
        ends,
        occ,
        places,
        buffers,
    } = s;
    // What each place's name gives: its folded name, for the capitals, and its demonyms.
    places.start_text();
    let place_ids: Vec<Option<usize>> = entities
        .iter()
        .map(|x| (x.kind == EntityType::Location).then(|| places.add(&x.name)))
        .collect();
    let places: &Places = places;
    let place_keys: Vec<Option<&str>> = place_ids
        .iter()
        .map(|p| p.and_then(|p| places.all.get(p)).map(|x| x.key.as_str()))
        .collect();
    let canon = canonical(entities, &place_keys);
    let canon_of = |e: usize| canon.get(e).copied().unwrap_or(e);
    let dems = Demonyms::new(entities, &place_ids, places);
    scan(t, dems.filter(), memo, scanned);
    let Scan {
        marks,
        sent,
        clause,
        segment,
        dem_tokens,
        anaphors,
        demonstratives,
        ids,
    } = &*scanned;
    let pairs = occurrences(t, entities, &dems, dem_tokens, anaphors, ends, occ);
    let (ends, occ) = (&*ends, &*occ);
    // Dates of events: not limits or horizons (إلى غاية 2030، قبل نهاية 2025).
    let date_toks: Vec<(usize, &DateMatch)> = dates
        .iter()
        .filter_map(|d| token_at(t, d.span.start).map(|k| (k, d)))
        .filter(|&(k, _)| positions_in(&marks.limits, k.saturating_sub(2), k).is_empty())
        .collect();
    // A stem built (لل+X read as الX) while looking at a word.
    let mut buf = String::new();

    // The tokens of people's names: a word of a name (صنع in مصطفى صنع الله) is no trigger.
    let person_toks = person_tokens(t, entities);
    // Triggers, in text order: (token, tokens taken, type, sense).
    let mut triggers: Vec<(usize, usize, ClaimType, &'static str)> = Vec::new();
    // The frame of each trigger (see [`Frame`]).
    let mut frames: Vec<Frame> = Vec::new();
    let mut i = 0;
    // Only the tokens where some trigger matches; `i` is where the next may start.
    for (k, found) in marks.trig.iter_in(0, t.len()) {
        if k < i {
            continue;
        }
        i = k;
        let (lo, hi) = sent.range(i);
        let found = found.iter().find(|(tr, _, _)| {
            tr.near.is_empty() || near(t, i, tr, (lo, hi), NEAR_WINDOW, memo, ids, &mut buf)
        });
        match found {
            Some((tr, n, _))
                if tr.none
                    || blocked(marks, i, lo)
                    || in_ranges(&person_toks, i)
                    || after_demonstrative(t, i, lo, demonstratives) && !tr.verb =>
            {
                i += n
            }
            Some((tr, n, _)) => {
                triggers.push((i, *n, tr.kind, tr.sense.as_str()));
                frames.push(tr.frame);
                i += *n;
            }
            None => i += 1,
        }
    }
    settle_frames(
        &mut triggers,
        &frames,
        |k| clause.get(k),
        |k| segment.get(k),
    );

    // Each date goes to the nearest trigger of its comma segment, else of its clause, else of
    // its sentence; a trigger keeps the date of its own segment or clause over a nearer one
    // from another clause. Distances are ranked by that level first.
    let mut date_of: Vec<Option<(usize, &DateMatch)>> = vec![None; triggers.len()];
    // The segment, clause and sentence of each trigger, found once.
    let levels_of = |k: usize| [segment.get(k), clause.get(k), sent.get(k)];
    let trigger_levels: Vec<[Option<usize>; 3]> = if date_toks.is_empty() {
        Vec::new()
    } else {
        triggers
            .iter()
            .map(|&(ti, _, _, _)| levels_of(ti))
            .collect()
    };
    for &(dk, d) in &date_toks {
        // Only the triggers of the date's sentence, near it, can take it.
        let (ss, se) = sent.range(dk);
        let (ss, se) = (ss.max(dk.saturating_sub(SCAN)), se.min(dk + SCAN));
        let first = triggers.partition_point(|(ti, _, _, _)| *ti < ss);
        let last = triggers.partition_point(|(ti, _, _, _)| *ti < se);
        let date_levels = levels_of(dk);
        // The nearest trigger sharing the date's segment (level 0), clause (1) or sentence (2).
        let pick = |level: usize| {
            triggers
                .iter()
                .zip(&trigger_levels)
                .enumerate()
                .skip(first)
                .take(last.saturating_sub(first))
                .filter(|(_, (_, lv))| lv.get(level) == date_levels.get(level))
                .min_by_key(|(_, ((ti, _, _, _), _))| ti.abs_diff(dk))
                .map(|(n, ((ti, _, _, _), _))| (n, ti.abs_diff(dk)))
        };
        const LEVEL: usize = 100_000;
        let best = pick(0)
            .or_else(|| pick(1).map(|(n, d)| (n, d + LEVEL)))
            .or_else(|| pick(2).map(|(n, d)| (n, d + 2 * LEVEL)));
        if let Some((n, dist)) = best {
            if let Some(slot) = date_of.get_mut(n) {
                if slot.is_none_or(|(old, _)| dist < old) {
                    *slot = Some((dist, d));
                }
            }
        }
    }

    let mut out: Vec<Candidate> = Vec::with_capacity(triggers.len());
    lists.0.clear();
    // Buffers reused from one trigger to the next (and kept for the next text).
    let Buffers {
        actors,
        parties: scratch,
        by_dist,
        in_clause,
        seen,
        key_actors,
        places,
        events,
        outlets,
    } = buffers;
    outlets.clear();
    for (n, &(ti, len, kind, sense)) in triggers.iter().enumerate() {
        let (cs, ce) = clause.range(ti);
        let (ss, se) = sent.range(ti);
        // Very long "sentences" (text with no punctuation) are looked at near the trigger only.
        let (ss, se) = (ss.max(ti.saturating_sub(SCAN)), se.min(ti + SCAN));
        let (cs, ce) = (cs.max(ss), ce.min(se));
        // The occurrences of the sentence, and of the clause among them.
        let sent_occ = occ_in(occ, ss, se);
        let clause_occ = occ_in(sent_occ, cs, ce);
        // The actors: those of the trigger's clause, else of its sentence.
        let mut used: &[(usize, usize)] = &[];
        for here in [clause_occ, sent_occ] {
            used = here;
            // The accord or summit a clause names is what the claim is about, not a party: a
            // clause naming it and one party takes its parties from the sentence.
            if parties(used, entities, scratch) >= 2 {
                break;
            }
        }
        actors.clear();
        for &(_, e) in used {
            if !actors.contains(&e) {
                actors.push(e);
            }
        }
        // A sentence naming no party speaks of the article's two main places so far.
        if actors.is_empty() {
            if let Some(pair) = pairs.before(ti) {
                actors.extend(pair);
            }
        }
        // An event of any subject (an attack, a call) named with one party happens in the
        // article's main place so far (mentioned most before the trigger), when it has one:
        // what the text says after it cannot move it.
        let general = matches!(kind, ClaimType::Other | ClaimType::Announcement);
        // Not for a party named only by a head noun (وأعلنت المؤسسة): the place would come from
        // counts of the text before, which deleting a sentence there could change.
        let by_anaphor = |e: usize| {
            used.iter()
                .filter(|(_, x)| *x == e)
                .all(|(k, _)| anaphors.binary_search(k).is_ok())
        };
        if general && actors.len() == 1 && !actors.first().is_some_and(|&e| by_anaphor(e)) {
            if let Some(place) = pairs.main_before(ti).filter(|e| !actors.contains(e)) {
                actors.push(place);
            }
        }
        if actors.len() < 2 && !(general && actors.len() == 1) {
            continue;
        }
        // The quote: the trigger and the mentions of the two actors nearest to it in the
        // clause.
        by_dist.clear();
        by_dist.extend(used.iter().filter(|(k, _)| (cs..ce).contains(k)).copied());
        by_dist.sort_by_key(|(k, _)| k.abs_diff(ti));
        in_clause.clear();
        seen.clear();
        for &(k, e) in by_dist.iter() {
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
            .map(|&k| mention_end_tok(k, ends))
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
            (Some(a), Some(b)) => Some((a.start, b.end)),
            _ => None,
        };
        let (date, date_dist) = match date_of.get(n).copied().flatten() {
            Some((dist, d)) => (Some(d), dist),
            None => (None, usize::MAX),
        };
        let (source, per_source) = match attribution(marks, ti, ss, se, sent_occ) {
            Some((e, per)) => (Some(e), per),
            None => (None, false),
        };
        // A source named by وفق/حسب, or a news outlet that reports it, is no party, unless
        // that leaves fewer than two.
        let outlet = source.is_some_and(|e| {
            if outlets.is_empty() {
                outlets.resize(entities.len(), None);
            }
            match outlets.get(e).copied().flatten() {
                Some(known) => known,
                None => {
                    let found = is_outlet(t, entities, occ, e, &mut buf);
                    if let Some(slot) = outlets.get_mut(e) {
                        *slot = Some(found);
                    }
                    found
                }
            }
        });
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
        let of_kind = |kind: EntityType| {
            key_actors
                .iter()
                .copied()
                .filter(move |&e| entities.get(e).is_some_and(|x| x.kind == kind))
        };
        let persons = lists.add(of_kind(EntityType::Person));
        let equipment = lists.add(of_kind(EntityType::Equipment));
        places.clear();
        for &(k, e) in clause_occ {
            let close = (cs..ce).contains(&k) && k.abs_diff(ti) <= PLACE_WINDOW;
            let place = entities
                .get(e)
                .is_some_and(|x| x.kind == EntityType::Location);
            if close && place && !places.contains(&e) {
                places.push(e);
            }
        }
        // The events of the trigger's comma segment, else of its clause.
        let (gs, ge) = segment.range(ti);
        events.clear();
        for (lo, hi) in [(gs.max(cs), ge.min(ce)), (cs, ce)] {
            for &(k, e) in occ_in(clause_occ, lo, hi) {
                let event = entities.get(e).is_some_and(|x| x.kind == EntityType::Event);
                if (lo..hi).contains(&k) && event && !events.contains(&e) {
                    events.push(e);
                }
            }
            if !events.is_empty() {
                break;
            }
        }
        let dest = occ_in(clause_occ, ti + 1, ce)
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
        actors.retain(|&e| e < entities.len());
        let names = lists.add(actors.iter().copied());
        let candidate = Candidate {
            kind,
            names,
            date,
            quote,
            attributed: source.filter(|&e| e < entities.len()),
            negated: negated(marks, ti, cs),
            modality: modality(marks, ti, cs, ss, se),
            actors: lists.add_distinct(key_actors.iter().map(|&e| canon_of(e))),
            persons,
            equipment,
            places: lists.add_distinct(places.iter().map(|&e| canon_of(e))),
            events: lists.add_distinct(events.iter().map(|&e| canon_of(e))),
            dest: dest.map(canon_of),
            recent,
            rel_month,
            sense,
            date_dist,
        };
        merge(&mut out, candidate, entities, lists);
    }
    let name = |e: usize| entities.get(e).map(|x| x.name.clone());
    // Merely mentioned: outlets, and persons presented as commentators (a word of
    // `claim_commentators.txt` right before one of their mentions or right after it); never
    // every actor.
    // Only the entities some claim names are looked at, in one pass over their mentions.
    let mut needed = vec![false; entities.len()];
    for c in &out {
        for &e in lists.get(c.names) {
            if let Some(slot) = needed.get_mut(e) {
                *slot = true;
            }
        }
    }
    let mut commentators = vec![false; entities.len()];
    let mut near_media = vec![false; entities.len()];
    {
        let cue = |p: usize, buf: &mut String| {
            t.kind(p) == Some(Kind::Word)
                && stems_at(t.f(p))
                    .as_slice()
                    .iter()
                    .any(|s| COMMENTATORS.contains(s.form(t.f(p), buf)))
        };
        for &(k, e) in occ.iter() {
            if !needed.get(e).copied().unwrap_or(false) {
                continue;
            }
            let person = entities
                .get(e)
                .is_some_and(|x| x.kind == EntityType::Person);
            // A commentator: the word before a mention, or the first word after it (over a
            // comma: X، الخبير).
            if person && !commentators[e] {
                let after = mention_end_tok(k, ends) + 1;
                let after = if t.kind(after) == Some(Kind::Punct) {
                    after + 1
                } else {
                    after
                };
                if (k > 0 && cue(k - 1, &mut buf)) || cue(after, &mut buf) {
                    commentators[e] = true;
                }
            }
            if !near_media[e] && word_before(t, k).is_some_and(|p| media_word(t.f(p), &mut buf)) {
                near_media[e] = true;
            }
        }
    }
    let mut outlet_of = |e: usize| -> bool {
        if outlets.len() < entities.len() {
            outlets.resize(entities.len(), None);
        }
        if let Some(known) = outlets.get(e).copied().flatten() {
            return known;
        }
        let found = near_media.get(e).copied().unwrap_or(false)
            || entities
                .get(e)
                .and_then(|x| x.name.split_whitespace().next())
                .is_some_and(|w| media_word(&key(w), &mut buf));
        if let Some(slot) = outlets.get_mut(e) {
            *slot = Some(found);
        }
        found
    };
    let mentioned: Vec<Vec<usize>> = out
        .iter()
        .map(|c| {
            let names = lists.get(c.names);
            let side: Vec<usize> = names
                .iter()
                .copied()
                .filter(|&e| commentators.get(e).copied().unwrap_or(false) || outlet_of(e))
                .collect();
            if side.len() == names.len() {
                Vec::new()
            } else {
                side
            }
        })
        .collect();
    out.into_iter()
        .zip(mentioned)
        .map(|(c, side)| Claim {
            kind: c.kind,
            actors: {
                let names = lists.get(c.names);
                let mut actors = Vec::with_capacity(names.len());
                actors.extend(names.iter().filter_map(|&e| name(e)));
                actors
            },
            mentioned: side.into_iter().filter_map(name).collect(),
            date: c.date.map(|d| d.value.clone()),
            quote: c
                .quote
                .and_then(|(a, b)| text.get(a..b))
                .unwrap_or("")
                .to_string(),
            attributed_to: c.attributed.and_then(name),
            negated: c.negated,
            modality: c.modality,
        })
        .collect()
}

/// Drops the triggers that their clause's frames take away (see [`Frame`]): those a speech
/// act governs (after it in its clause), a general event word next to a more specific
/// trigger of another type, a general event word after another of its comma segment (موافقة
/// الصندوق على صرف الشريحة is one event), and a reporting verb whose clause reports a trigger
/// after it. `clause_of` gives a token's clause, `segment_of` its comma segment.
fn settle_frames(
    triggers: &mut Vec<(usize, usize, ClaimType, &'static str)>,
    frames: &[Frame],
    clause_of: impl Fn(usize) -> Option<usize>,
    segment_of: impl Fn(usize) -> Option<usize>,
) {
    if frames.iter().all(|f| *f == Frame::Plain) {
        return;
    }
    let n = triggers.len();
    let mut keep = vec![true; n];
    let clauses: Vec<Option<usize>> = triggers.iter().map(|t| clause_of(t.0)).collect();
    let same = |a: usize, b: usize| clauses.get(a) == clauses.get(b);
    let frame = |a: usize| frames.get(a).copied().unwrap_or_default();
    for a in 0..n {
        if frame(a) == Frame::Govern && keep[a] {
            for (b, k) in keep.iter_mut().enumerate().skip(a + 1) {
                if same(a, b) {
                    *k = false;
                }
            }
        }
    }
    for a in 0..n {
        if frame(a) == Frame::Weak {
            let specific = (0..n).any(|b| {
                keep[b]
                    && same(a, b)
                    && matches!(frame(b), Frame::Plain)
                    && triggers[b].2 != triggers[a].2
            });
            if specific {
                keep[a] = false;
            }
        }
    }
    let segments: Vec<Option<usize>> = triggers.iter().map(|t| segment_of(t.0)).collect();
    for b in 0..n {
        let earlier = (0..b).any(|a| {
            keep[a]
                && frame(a) == Frame::Weak
                && triggers[a].2 == triggers[b].2
                && segments.get(a) == segments.get(b)
        });
        if frame(b) == Frame::Weak && earlier {
            keep[b] = false;
        }
    }
    for a in 0..n {
        if frame(a) == Frame::Report && (a + 1..n).any(|b| keep[b] && same(a, b)) {
            keep[a] = false;
        }
    }
    let mut k = keep.iter();
    triggers.retain(|_| k.next().copied().unwrap_or(true));
}

/// List entries matching at some tokens, by token (most tokens match nothing): the tokens
/// that have some, in order, and their entries laid end to end.
struct Sparse<T> {
    keys: Vec<usize>,
    /// The entries of `keys[n]` end at `ends[n]` in `items` (and start where those of
    /// `keys[n - 1]` end).
    ends: Vec<usize>,
    items: Vec<T>,
}

impl<T> Default for Sparse<T> {
    fn default() -> Self {
        Sparse {
            keys: Vec::new(),
            ends: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T> Sparse<T> {
    fn clear(&mut self) {
        self.keys.clear();
        self.ends.clear();
        self.items.clear();
    }

    /// The entries pushed onto `items` since the last call are those of token `k` (which
    /// comes after every token before).
    fn close(&mut self, k: usize) {
        if self.items.len() > self.ends.last().copied().unwrap_or(0) {
            self.keys.push(k);
            self.ends.push(self.items.len());
        }
    }

    /// The entries of the `n`th token that has some.
    fn nth(&self, n: usize) -> &[T] {
        let start = match n.checked_sub(1) {
            Some(p) => self.ends.get(p).copied().unwrap_or(0),
            None => 0,
        };
        let end = self.ends.get(n).copied().unwrap_or(start);
        self.items.get(start..end).unwrap_or(&[])
    }

    /// The entries of token `k` when it is the last token closed with some (else none).
    fn last_at(&self, k: usize) -> &[T] {
        match self.keys.last() {
            Some(&last) if last == k => self.nth(self.keys.len() - 1),
            _ => &[],
        }
    }

    /// The tokens in `lo..hi` that have entries, in order, with them.
    fn iter_in(&self, lo: usize, hi: usize) -> impl DoubleEndedIterator<Item = (usize, &[T])> {
        let a = self.keys.partition_point(|&x| x < lo);
        let b = self.keys.partition_point(|&x| x < hi).max(a);
        (a..b).map(move |n| (self.keys.get(n).copied().unwrap_or(0), self.nth(n)))
    }
}

/// What every token is for the claim finder, computed once: the list entries that match at
/// it, stored sparsely, and the tokens of the word lists, so that memory stays a small
/// multiple of the text.
#[derive(Default)]
struct Marks {
    trig: Sparse<(&'static Trigger, usize, usize)>,
    attr: Sparse<(&'static String, usize, usize)>,
    neg: Sparse<(&'static String, usize, usize)>,
    modal: Sparse<(&'static String, usize, usize)>,
    /// The tokens that are a blocker word (يسمح، بهدف), in order.
    blockers: Vec<usize>,
    /// The tokens that are a weekday or `أمس`, in order.
    recent: Vec<usize>,
    /// The tokens that are a word making a following date a limit (حتى، غاية), in order.
    limits: Vec<usize>,
    /// The month names followed by `الماضي`, `المقبل`...: (token, month number), in order.
    rel_month: Vec<(usize, u8)>,
}

impl Marks {
    fn clear(&mut self) {
        self.trig.clear();
        self.attr.clear();
        self.neg.clear();
        self.modal.clear();
        self.blockers.clear();
        self.recent.clear();
        self.limits.clear();
        self.rel_month.clear();
    }
}

/// Token ranges of one level (sentences, clauses or comma segments): where each range
/// starts, in order.
#[derive(Default)]
struct Ranges {
    starts: Vec<usize>,
    /// Tokens in all.
    len: usize,
}

impl Ranges {
    /// Empty, for a text of `len` tokens: the first one opens a range.
    fn clear(&mut self, len: usize) {
        self.starts.clear();
        if len > 0 {
            self.starts.push(0);
        }
        self.len = len;
    }

    /// The number of the range of token `i` (`None` past the last token).
    fn get(&self, i: usize) -> Option<usize> {
        (i < self.len).then(|| self.starts.partition_point(|&s| s <= i).saturating_sub(1))
    }

    /// The token range of token `i` (`(i, i)` past the last token).
    fn range(&self, i: usize) -> (usize, usize) {
        let Some(n) = self.get(i) else {
            return (i, i);
        };
        let lo = self.starts.get(n).copied().unwrap_or(i);
        let hi = self.starts.get(n + 1).copied().unwrap_or(self.len);
        (lo, hi)
    }
}

/// What the one pass over the tokens finds.
#[derive(Default)]
struct Scan {
    marks: Marks,
    /// A new sentence after . ! ? ؟ … and at a line break.
    sent: Ranges,
    /// Sentences cut at ؛ ; : and before a connective or a verb trigger with a و/ف clitic.
    clause: Ranges,
    /// Clauses cut further at commas.
    segment: Ranges,
    /// The words that may be a pair word or a demonym (see [`occurrences`]).
    dem_tokens: Vec<usize>,
    /// The words that may be an anaphoric head noun (`المؤسسة`, see [`occurrences`]).
    anaphors: Vec<usize>,
    /// The demonstratives (هذه، ذلك), in order: a definite trigger noun right after one makes
    /// no claim.
    demonstratives: Vec<usize>,
    /// Each token's word in the memo ([`NO_ENTRY`] for a token that is no word, or a word
    /// the memo did not keep).
    ids: Vec<u32>,
}

/// Reads every token once: its stems against every word list (one probe of [`ClaimWords`]
/// and the pattern sets' quick filters; the pattern sets themselves only for the few words
/// that pass), the sentence, clause and segment breaks, and the words that may be a demonym
/// or pair word when `dems` is given.
fn scan(t: &Tokens, dems: Option<DemFilter>, memo: &mut WordMemo, out: &mut Scan) {
    let Scan {
        marks: m,
        sent,
        clause,
        segment,
        dem_tokens,
        anaphors,
        demonstratives,
        ids,
    } = out;
    m.clear();
    anaphors.clear();
    demonstratives.clear();
    ids.clear();
    memo.start_text();
    for r in [&mut *sent, &mut *clause, &mut *segment] {
        r.clear(t.len());
    }
    dem_tokens.clear();
    let lists = StemLists::get();
    let words = lists.words;
    let mut buf = String::new();
    // The break the previous token makes before this one, when it is a mark that makes one.
    let mut after = Break::None;
    for (i, tok) in t.toks.iter().enumerate() {
        // The lists the token itself is in.
        let own: u16;
        // A verb trigger or a verb of saying with a و/ف clitic.
        let mut conj_verb = false;
        if tok.kind == Kind::Word {
            let info = memo.get(t.fb_of(tok), &lists, &mut buf);
            ids.push(info.entry);
            own = info.own;
            // The lists any of its stems is in.
            let any = info.any;
            let dem = dems.as_ref().is_some_and(|d| {
                d.short
                    || info.heads().iter().any(|&h| d.starts_at(h))
                    || d.pair && any & ClaimWords::PAIR != 0
            });
            if dem {
                dem_tokens.push(i);
            }
            if any & ClaimWords::ANAPHOR != 0 {
                anaphors.push(i);
            }
            // A word that is the first word of no pattern and in none of the blocker,
            // recent-word and limit lists has nothing more to mark.
            let listed = WordFlags::BLOCKER | WordFlags::RECENT | WordFlags::LIMIT;
            if info.has_firsts() || any as u8 & listed != 0 {
                conj_verb = mark(t, i, &info, memo.firsts(&info), m);
            }
        } else {
            ids.push(NO_ENTRY);
            own = words.of_bytes(t.fb_of(tok));
        }
        // A relative-month word after a month name.
        if own & ClaimWords::DEMONSTRATIVE != 0 {
            demonstratives.push(i);
        }
        if own & ClaimWords::RELATIVE_MONTH != 0 && i > 0 {
            if let Some(x) = super::dates::month_name_at(t, i - 1) {
                m.rel_month.push((i - 1, x));
            }
        }
        let sbrk = i > 0 && (tok.newline_before || after == Break::Sentence && tok.space_before);
        let cbrk = sbrk
            || i > 0
                && (after == Break::Clause
                    || tok.kind == Kind::Word
                        && (own & ClaimWords::CLAUSE_BREAK != 0 || conj_verb));
        let gbrk = cbrk || i > 0 && after == Break::Segment;
        if sbrk {
            sent.starts.push(i);
        }
        if cbrk {
            clause.starts.push(i);
        }
        if gbrk {
            segment.starts.push(i);
        }
        after = if tok.kind == Kind::Punct {
            match t.f(i) {
                "." | "!" | "?" | "؟" | "…" => Break::Sentence,
                "؛" | ";" | ":" => Break::Clause,
                "،" | "," => Break::Segment,
                _ => Break::None,
            }
        } else {
            Break::None
        };
    }
}

/// Marks the word at token `i`, whose [`WordInfo`] says some stem is in some list, with
/// `firsts` the patterns of which a stem is a first word: the patterns matching there, and
/// the blocker, recent-word and limit lists. True when it is a verb trigger or a verb of
/// saying with a و/ف clitic (which opens a clause). Out of [`scan`]'s loop, which most words
/// pass straight through.
#[inline(never)]
fn mark(t: &Tokens, i: usize, info: &WordInfo, firsts: &[First], m: &mut Marks) -> bool {
    // Each set's matches, longest first (a stable sort keeps the order they were found in).
    let starts = [
        m.trig.items.len(),
        m.attr.items.len(),
        m.neg.items.len(),
        m.modal.items.len(),
    ];
    for f in firsts {
        match *f {
            First::Trigger(p, clitics) => {
                if p.rest_matches(t, i) {
                    m.trig.items.push((&p.value, p.words.len(), clitics));
                }
            }
            First::Other(k, p, clitics) => {
                let map = match k {
                    0 => &mut m.attr,
                    1 => &mut m.neg,
                    _ => &mut m.modal,
                };
                if p.rest_matches(t, i) {
                    map.items.push((&p.value, p.words.len(), clitics));
                }
            }
        }
    }
    if let Some(found) = m.trig.items.get_mut(starts[0]..) {
        found.sort_by_key(|x| std::cmp::Reverse(x.1));
    }
    m.trig.close(i);
    for (map, start) in [&mut m.attr, &mut m.neg, &mut m.modal]
        .into_iter()
        .zip(&starts[1..])
    {
        if let Some(found) = map.items.get_mut(*start..) {
            found.sort_by_key(|x| std::cmp::Reverse(x.1));
        }
        map.close(i);
    }
    // In which of the blocker, recent-word and limit lists some stem is.
    let flags = info.any as u8;
    if flags & WordFlags::BLOCKER != 0 {
        m.blockers.push(i);
    }
    if flags & WordFlags::RECENT != 0 {
        m.recent.push(i);
    }
    if flags & WordFlags::LIMIT != 0 {
        m.limits.push(i);
    }
    starts_conj(t.f(i))
        && (m
            .trig
            .last_at(i)
            .iter()
            .any(|(tr, _, clitics)| tr.verb && *clitics > 0)
            || m.attr
                .last_at(i)
                .iter()
                .any(|(tag, _, clitics)| tag.as_str() == "say" && *clitics > 0))
}

/// The break a punctuation mark makes before the next token.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Break {
    None,
    /// . ! ? ؟ … (a new sentence when white space follows).
    Sentence,
    /// ؛ ; :
    Clause,
    /// ، ,
    Segment,
}

/// The word at `i` is a definite noun right after a demonstrative (هذه المظاهرات), in its
/// sentence (from `lo`): it names an event already told. `بعد ذلك صفقات` (an adverb, then an
/// indefinite noun) is not one.
fn after_demonstrative(t: &Tokens, i: usize, lo: usize, demonstratives: &[usize]) -> bool {
    i > lo && t.f(i).starts_with("ال") && demonstratives.binary_search(&(i - 1)).is_ok()
}

/// The token ranges (first, last), sorted, of the mentions of persons.
fn person_tokens(t: &Tokens, entities: &[Entity]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = entities
        .iter()
        .filter(|x| x.kind == EntityType::Person)
        .flat_map(|x| x.mentions.iter())
        .filter_map(|m| {
            let a = token_at(t, m.start)?;
            let b = token_at(t, m.end.saturating_sub(1)).unwrap_or(a);
            Some((a, b.max(a)))
        })
        .collect();
    out.sort_unstable();
    out
}

/// Token `i` is in one of the sorted ranges `r`, before its last token (a few ranges before it
/// are looked at): a name's inner word (صنع in صنع الله) is no trigger, while a last word may
/// be one the name finder took in by mistake (مرسوما بحل).
fn in_ranges(r: &[(usize, usize)], i: usize) -> bool {
    let a = r.partition_point(|&(s, _)| s <= i);
    r.get(a.saturating_sub(4)..a)
        .unwrap_or(&[])
        .iter()
        .any(|&(_, e)| e > i)
}

/// True when a blocker word stands just before the trigger at `i` (not before `lo`).
fn blocked(m: &Marks, i: usize, lo: usize) -> bool {
    !positions_in(&m.blockers, i.saturating_sub(BLOCK_WINDOW).max(lo), i).is_empty()
}

fn starts_conj(w: &str) -> bool {
    w.starts_with('و') || w.starts_with('ف')
}

/// The positions (sorted) in `lo..hi`.
fn positions_in(pos: &[usize], lo: usize, hi: usize) -> &[usize] {
    let a = pos.partition_point(|&k| k < lo);
    let b = pos.partition_point(|&k| k < hi).max(a);
    pos.get(a..b).unwrap_or(&[])
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

/// For every entity, the entity it stands for when comparing events: a capital named as a
/// government stands for its country when the document names that country too.
/// `place_keys` are the places' folded names (`None` for other entities).
fn canonical(entities: &[Entity], place_keys: &[Option<&str>]) -> Vec<usize> {
    // The last place of that folded name (a document names few places).
    let by_key = |country: &str| place_keys.iter().rposition(|k| *k == Some(country));
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
                .get(*k)
                .and_then(|country| by_key(country))
                .unwrap_or(e)
        })
        .collect()
}

/// Whether the document names two places or more (a pair word may stand for two of them).
fn has_pair(entities: &[Entity]) -> bool {
    entities
        .iter()
        .filter(|x| x.kind == EntityType::Location && !x.mentions.is_empty())
        .nth(1)
        .is_some()
}

/// The places mentioned in a text, by token, for what a pair word (`البلدين`) or a sentence
/// naming no party stands for: the two places mentioned most *before* that point. Looking
/// back only, as a reader resolves the words, keeps the claims of a text from changing when
/// a paragraph is added after them.
#[derive(Default)]
struct Pairs {
    /// (token, place entity), in token order.
    places: Vec<(usize, usize)>,
}

impl Pairs {
    fn new(entities: &[Entity], occ: &[(usize, usize)]) -> Pairs {
        let places = occ
            .iter()
            .copied()
            .filter(|&(_, e)| {
                entities
                    .get(e)
                    .is_some_and(|x| x.kind == EntityType::Location)
            })
            .collect();
        Pairs { places }
    }

    /// (count, first token, place) of each place mentioned before token `k`, the most mentioned
    /// first (on a tie, the one mentioned first). Few per text.
    fn counts_before(&self, k: usize) -> Vec<(usize, usize, usize)> {
        let n = self.places.partition_point(|&(t, _)| t < k);
        let mut counts: Vec<(usize, usize, usize)> = Vec::new();
        for &(t, e) in self.places.get(..n).unwrap_or(&[]) {
            match counts.iter_mut().find(|c| c.2 == e) {
                Some(c) => c.0 += 1,
                None => counts.push((1, t, e)),
            }
        }
        counts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        counts
    }

    /// The place mentioned most before token `k` (the one mentioned first on a tie).
    fn main_before(&self, k: usize) -> Option<usize> {
        self.counts_before(k).first().map(|c| c.2)
    }

    /// The two places mentioned most before token `k`, when no third is mentioned as often as
    /// the second (ties between the first two go to the one mentioned first).
    fn before(&self, k: usize) -> Option<[usize; 2]> {
        let counts = self.counts_before(k);
        match counts.as_slice() {
            [a, b, rest @ ..] if rest.first().is_none_or(|c| c.0 < b.0) => Some([a.2, b.2]),
            _ => None,
        }
    }
}

/// What a place's name gives the claim finder, the same in every text.
struct Place {
    /// The folded name.
    key: String,
    /// Its masculine demonym stems (see [`demonyms_of_key`]).
    dems: Vec<String>,
}

/// The [`Place`] of every place name a thread has met, so that a place named again (most are)
/// is not folded again. Emptied between texts when it holds too many.
#[derive(Default)]
struct Places {
    by_name: WordMap<usize>,
    all: Vec<Place>,
}

impl Places {
    /// Names kept at most.
    const MAX: usize = 4096;

    fn start_text(&mut self) {
        if self.all.len() >= Self::MAX {
            self.by_name.clear();
            self.all.clear();
        }
    }

    /// The entry of the place named `name`, made when new.
    fn add(&mut self, name: &str) -> usize {
        if let Some(&p) = self.by_name.get(name) {
            return p;
        }
        let key = key(name);
        let dems = demonyms_of_key(&key);
        self.all.push(Place { key, dems });
        let p = self.all.len() - 1;
        self.by_name.insert(name.to_string(), p);
        p
    }
}

/// The demonyms of a document's places (`الإسرائيلية` → إسرائيل) and its two main places
/// (for `البلدين`).
struct Demonyms<'p> {
    /// (folded masculine demonym stem, place).
    dems: Vec<(&'p str, usize)>,
    /// The text names two places or more (see [`Pairs`]).
    pair: bool,
    /// [`head3`] of every demonym, as bits: most words start like none and skip the list.
    starts: [u64; 64],
    /// Some demonym is shorter than six bytes: every word must be looked at.
    short: bool,
}

/// What [`scan`] asks of each stem to know whether its word may be a demonym or pair word.
struct DemFilter<'a> {
    starts: &'a [u64; 64],
    short: bool,
    /// The document has two main places, for which a pair word stands.
    pair: bool,
}

impl DemFilter<'_> {
    /// The stem `form` (article stripped) may start with a demonym.
    fn may_be(&self, form: &str) -> bool {
        // The form without its article (ال, four bytes).
        let b = form.as_bytes();
        let bare = b.strip_prefix(&[0xD8, 0xA7, 0xD9, 0x84]).unwrap_or(b);
        self.short || head3(bare).is_some_and(|h| self.starts_at(h as u16))
    }

    /// Some demonym starts like a stem of [`head3`] `h` ([`NO_HEAD`]: none does).
    #[inline]
    fn starts_at(&self, h: u16) -> bool {
        h != NO_HEAD
            && self
                .starts
                .get(usize::from(h) / 64)
                .is_some_and(|w| w & (1 << (h % 64)) != 0)
    }
}

impl<'p> Demonyms<'p> {
    /// `place_ids` are the places' entries in `places` (`None` for other entities).
    fn new(entities: &'p [Entity], place_ids: &[Option<usize>], places: &'p Places) -> Self {
        let mut dems: Vec<(&'p str, usize)> = Vec::new();
        for (e, x) in entities.iter().enumerate() {
            if x.kind != EntityType::Location {
                continue;
            }
            if let Some(place) = place_ids
                .get(e)
                .copied()
                .flatten()
                .and_then(|p| places.all.get(p))
            {
                dems.extend(place.dems.iter().map(|d| (d.as_str(), e)));
            }
        }
        let mut starts = [0u64; 64];
        let mut short = false;
        for (d, _) in &dems {
            match head3(d.as_bytes()) {
                Some(h) => {
                    if let Some(w) = starts.get_mut(h / 64) {
                        *w |= 1 << (h % 64);
                    }
                }
                None => short = true,
            }
        }
        Demonyms {
            dems,
            pair: has_pair(entities),
            starts,
            short,
        }
    }

    /// What [`scan`] needs to mark the words that may be a demonym or pair word (`None` when
    /// none can be: no demonym and no two main places).
    fn filter(&self) -> Option<DemFilter<'_>> {
        (!self.dems.is_empty() || self.pair).then_some(DemFilter {
            starts: &self.starts,
            short: self.short,
            pair: self.pair,
        })
    }
}

/// Where entities occur, as (first token, entity index) in `occ`: their mentions, demonyms of
/// the places (`الإسرائيلية` → إسرائيل), and `البلدين` for the two places mentioned most.
/// `dem_tokens` are the words [`scan`] found may be a demonym or pair word; `ends` gets the
/// first and last tokens of every mention.
fn occurrences(
    t: &Tokens,
    entities: &[Entity],
    dems: &Demonyms<'_>,
    dem_tokens: &[usize],
    anaphors: &[usize],
    ends: &mut Vec<(usize, usize)>,
    occ: &mut Vec<(usize, usize)>,
) -> Pairs {
    ends.clear();
    occ.clear();
    for (e, ent) in entities.iter().enumerate() {
        for m in &ent.mentions {
            if let Some(k) = token_at(t, m.start) {
                occ.push((k, e));
                // The token of the mention's last byte: `k` or one after it.
                let last = m.end.saturating_sub(1);
                let mut j = k;
                while t.toks.get(j).is_some_and(|x| x.end <= last) {
                    j += 1;
                }
                if j < t.len() {
                    ends.push((k, j));
                }
            }
        }
    }
    ends.sort_unstable();
    occ.sort_unstable();
    // Pair words stand for the places named before them, not for one another.
    let pairs = Pairs::new(entities, occ);
    let mut added: Vec<(usize, usize)> = Vec::new();
    if let Some(filter) = dems.filter() {
        let mut buf = String::new();
        for &i in dem_tokens {
            let w = t.f(i);
            for s in stems_at(w).as_slice() {
                let form = s.form(w, &mut buf);
                let pair = CLAIM_WORDS.of(form) & ClaimWords::PAIR != 0;
                if pair {
                    if let Some(two) = pairs.before(i) {
                        added.extend(two.iter().map(|&e| (i, e)));
                    }
                    break;
                }
                if !filter.may_be(form) {
                    continue;
                }
                let bare = form.strip_prefix("ال").unwrap_or(form);
                if let Some(&(_, e)) = dems.dems.iter().find(|(d, _)| {
                    bare.strip_prefix(*d).is_some_and(|rest| {
                        matches!(rest, "" | "ه" | "ين" | "ون" | "يه" | "يين" | "يون")
                    })
                }) {
                    added.push((i, e));
                    break;
                }
            }
        }
    }
    resolve_anaphors(t, entities, anaphors, ends, occ, &mut added);
    occ.extend(added);
    occ.sort_unstable();
    occ.dedup();
    pairs
}

/// Tokens a head noun looks back over for the organization it stands for.
const ANAPHOR_WINDOW: usize = 400;

/// The organizations that anaphoric head nouns (`وأعلنت المؤسسة`) stand for, added to `added`
/// as occurrences at the noun: the organization whose name opens with one of the noun's heads
/// (`claim_anaphors.txt`) and was mentioned last before it. A noun inside a mention (the
/// name itself) stands for nothing more. `occ` is sorted and holds the mentions only.
fn resolve_anaphors(
    t: &Tokens,
    entities: &[Entity],
    anaphors: &[usize],
    ends: &[(usize, usize)],
    occ: &[(usize, usize)],
    added: &mut Vec<(usize, usize)>,
) {
    if anaphors.is_empty() {
        return;
    }
    // The folded first word (without ال) of each organization's name, made once.
    let heads: Vec<Option<String>> = entities
        .iter()
        .map(|x| {
            (x.kind == EntityType::Org)
                .then(|| x.name.split_whitespace().next().map(key))
                .flatten()
                .map(|w| w.strip_prefix("ال").map(str::to_string).unwrap_or(w))
        })
        .collect();
    let mut buf = String::new();
    for &i in anaphors {
        // Inside a mention (a mention starting at or before it and ending at or after it).
        let a = ends.partition_point(|&(s, _)| s <= i);
        let inside = ends
            .get(a.saturating_sub(8)..a)
            .unwrap_or(&[])
            .iter()
            .any(|&(_, last)| last >= i);
        if inside {
            continue;
        }
        let w = t.f(i);
        let Some(wanted) = stems_at(w)
            .as_slice()
            .iter()
            .find_map(|s| ANAPHORS.get(s.form(w, &mut buf)))
        else {
            continue;
        };
        let n = occ.partition_point(|&(k, _)| k < i);
        let lo = i.saturating_sub(ANAPHOR_WINDOW);
        let found = occ
            .get(..n)
            .unwrap_or(&[])
            .iter()
            .rev()
            .take_while(|&&(k, _)| k >= lo)
            .find(|&&(_, e)| {
                heads
                    .get(e)
                    .and_then(Option::as_ref)
                    .is_some_and(|h| wanted.iter().any(|x| x == h))
            });
        if let Some(&(_, e)) = found {
            added.push((i, e));
        }
    }
}

/// The occurrences whose token is in `lo..hi` (`occ` is sorted by token).
fn occ_in(occ: &[(usize, usize)], lo: usize, hi: usize) -> &[(usize, usize)] {
    let a = occ.partition_point(|(k, _)| *k < lo);
    let b = occ.partition_point(|(k, _)| *k < hi).max(a);
    occ.get(a..b).unwrap_or(&[])
}

/// The last token of the mention starting at token `k` (the longest, when several do).
fn mention_end_tok(k: usize, ends: &[(usize, usize)]) -> usize {
    let a = ends.partition_point(|&(x, _)| x < k);
    ends.get(a..)
        .unwrap_or(&[])
        .iter()
        .take_while(|&&(x, _)| x == k)
        .fold(k, |m, &(_, last)| m.max(last))
}

/// Negated: a particle (لم، لن، عدم) just before the trigger, or a verb of denial earlier in
/// its clause.
fn negated(m: &Marks, ti: usize, cs: usize) -> bool {
    m.neg.iter_in(cs, ti).any(|(k, here)| {
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
/// `intent` verb (يسعى) shortly before the trigger, a `reported` marker before it in the
/// sentence, or a `source` marker (بحسب مصادر) anywhere in the sentence.
fn modality(m: &Marks, ti: usize, cs: usize, ss: usize, se: usize) -> Option<Modality> {
    let mut planned = false;
    for (k, here) in m.modal.iter_in(ss, se) {
        for (tag, _, _) in here {
            match tag.as_str() {
                "source" => return Some(Modality::Reported),
                "reported" if k <= ti => return Some(Modality::Reported),
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
/// `buf` holds a stem built.
fn is_outlet(
    t: &Tokens,
    entities: &[Entity],
    occ: &[(usize, usize)],
    e: usize,
    buf: &mut String,
) -> bool {
    let named = entities
        .get(e)
        .and_then(|x| x.name.split_whitespace().next())
        .is_some_and(|w| media_word(&key(w), buf));
    named
        || occ
            .iter()
            .any(|&(k, x)| x == e && word_before(t, k).is_some_and(|p| media_word(t.f(p), buf)))
}

/// A folded word that names a news outlet (`صحيفة`, `وكالة`), with its clitics read off.
fn media_word(w: &str, buf: &mut String) -> bool {
    stems_at(w)
        .as_slice()
        .iter()
        .any(|s| MEDIA_HEADS.contains(s.form(w, buf)))
}

/// The word before a mention at token `k`, over an opening quote (صحيفة "X").
fn word_before(t: &Tokens, k: usize) -> Option<usize> {
    (k.saturating_sub(3)..k)
        .rev()
        .find(|&p| t.kind(p) != Some(Kind::Punct))
        .filter(|&p| t.kind(p) == Some(Kind::Word))
}

/// Who says so, and whether it was named by a `per` preposition (then it is a source, never a
/// party): the entity after a `per` preposition (وفق، حسب) anywhere in the sentence, or
/// the subject of a verb of saying before the trigger (the first entity within five words
/// after it, else just before it). `occ` holds (at least) the occurrences of the sentence
/// `ss..se`.
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
    for (k, here) in m.attr.iter_in(ss, se) {
        for (tag, n, _) in here {
            if tag.as_str() == "per" {
                if let Some(e) = first_after(k + n - 1, 5) {
                    return Some((e, true));
                }
            }
        }
    }
    for (k, here) in m.attr.iter_in(ss, ti).rev() {
        for (tag, n, _) in here {
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

fn dates_compatible(a: Option<&DateMatch>, b: Option<&DateMatch>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => {
            a.value.starts_with(b.value.as_str()) || b.value.starts_with(a.value.as_str())
        }
        _ => true,
    }
}

/// Adds a candidate, or folds it into the claim it restates: same type, compatible dates,
/// and the same actors (two shared, or all of the smaller set). The merged claim keeps the
/// more precise date and the quote of the more explicit mention.
fn merge<'d>(
    out: &mut Vec<Candidate<'d>>,
    c: Candidate<'d>,
    entities: &[Entity],
    lists: &mut Lists,
) {
    let l: &Lists = lists;
    let same = out.iter().position(|o| {
        if o.kind != c.kind || o.sense != c.sense || !dates_compatible(o.date, c.date) {
            return false;
        }
        if o.rel_month.is_some() && c.rel_month.is_some() && o.rel_month != c.rel_month {
            return false;
        }
        if o.dest.is_some() && c.dest.is_some() && o.dest != c.dest {
            return false;
        }
        let (o_events, c_events) = (l.get(o.events), l.get(c.events));
        if !o_events.is_empty()
            && !c_events.is_empty()
            && !o_events.iter().any(|e| c_events.contains(e))
        {
            return false;
        }
        let (o_equipment, c_equipment) = (l.get(o.equipment), l.get(c.equipment));
        if !o_equipment.is_empty()
            && !c_equipment.is_empty()
            && !o_equipment.iter().any(|e| c_equipment.contains(e))
        {
            return false;
        }
        // An event of the article's days is not one dated in the past (a date with the weekday,
        // الأربعاء 23/4/2025, is of those days).
        let undated_recent = |x: &Candidate| x.recent && x.date.is_none();
        let dated_past = |x: &Candidate| x.date.is_some() && !x.recent;
        if (undated_recent(o) && dated_past(&c)) || (undated_recent(&c) && dated_past(o)) {
            return false;
        }
        let subset = |a: &[usize], b: &[usize]| a.iter().all(|e| b.contains(e));
        let (o_actors, c_actors) = (l.get(o.actors), l.get(c.actors));
        let (o_persons, c_persons) = (l.get(o.persons), l.get(c.persons));
        let (o_places, c_places) = (l.get(o.places), l.get(c.places));
        let mut shared = o_actors.iter().filter(|e| c_actors.contains(e)).count();
        // The same people (two or more) make the same event whatever else is named.
        if o_persons.len() >= 2 && subset(o_persons, c_persons) && subset(c_persons, o_persons) {
            shared = shared.max(2);
        }
        // The same people (or the people of one among those of the other); a restatement
        // with no person at all must name no place the other does not.
        let persons_ok = if o_persons.is_empty() {
            subset(o_places, c_actors)
        } else if c_persons.is_empty() {
            subset(c_places, o_actors)
        } else {
            subset(o_persons, c_persons) || subset(c_persons, o_persons)
        };
        // Events in different places are different events (a visit to A, one to B).
        let places_ok = subset(o_places, c_actors) || subset(c_places, o_actors);
        // A claim naming one party only (a headline: ليبيا توقف تصدير النفط) restates one of
        // the same sense that names it among others.
        let one = o_actors.len().min(c_actors.len()) == 1 && o_actors.len() != c_actors.len();
        (shared >= 2 || one && shared == 1) && persons_ok && places_ok
    });
    let Some(p) = same else {
        out.push(c);
        return;
    };
    let Some(o) = out.get_mut(p) else { return };
    let precise = |d: Option<&DateMatch>| d.map_or(0, |d| d.value.len());
    // A restatement naming the parties of a claim first told with one (a headline) is the
    // more explicit mention.
    if o.actors.len == 1 && c.actors.len > 1 {
        o.quote = c.quote;
    }
    if precise(c.date) > precise(o.date)
        || (precise(c.date) == precise(o.date) && c.date_dist < o.date_dist)
    {
        o.date = c.date;
        o.date_dist = c.date_dist;
        o.quote = c.quote;
    }
    // The actors of both, a name once: the merged list is written anew after the others.
    let name = |e: usize| entities.get(e).map(|x| x.name.as_str());
    let start = lists.0.len();
    let old = o.names.start as usize..(o.names.start + o.names.len) as usize;
    if old.end <= start {
        lists.0.extend_from_within(old);
    }
    for k in c.names.start..c.names.start + c.names.len {
        let Some(&a) = lists.0.get(k as usize) else {
            continue;
        };
        let merged = lists.0.get(start..).unwrap_or(&[]);
        if !merged.iter().any(|&x| name(x) == name(a)) {
            lists.0.push(a);
        }
    }
    o.names = lists.span_from(start);
    if o.rel_month.is_none() {
        o.rel_month = c.rel_month;
    }
    if o.dest.is_none() {
        o.dest = c.dest;
    }
    // A restatement that names the people of an event first described without them.
    if o.persons.len == 0 {
        o.persons = c.persons;
    }
    if o.equipment.len == 0 {
        o.equipment = c.equipment;
    }
    if o.events.len == 0 {
        o.events = c.events;
    }
    if o.attributed.is_none() {
        o.attributed = c.attributed;
    }
}

#[cfg(test)]
mod tests;
