//! Groups candidate mentions into entities: one canonical name each (the gazetteer's, the
//! dossier's if already known, or the fullest form met), the other forms as aliases, and every
//! mention, including short forms (a surname alone) found in a last sweep over the text.
//!
//! Two forms name the same entity when their loose keys agree (folded, spaces and the article
//! inside a name ignored, double letters single: محمد بن الوالي = محمد بنوالي), when a person's
//! words are the same in another order (بلخير الفاروق = الفاروق بلخير), when one is a person's
//! surname met alone after the full name, or an organization's name cut short.

use std::collections::HashMap;

use super::rules::{clean, Cand, Doc};
use crate::extract::lexicon::EventFamily;
use crate::model::{Entity, EntityType, KnownEntities, Mention};
use crate::text::key;

struct Group {
    kind: EntityType,
    gaz: Option<u32>,
    family: Option<EventFamily>,
    /// (display, key, qualifies) of every named form met.
    forms: Vec<(String, String, bool)>,
    mentions: Vec<Mention>,
    /// Token ranges already claimed, so the sweep does not count a word twice.
    spans: Vec<(usize, usize)>,
}

/// The loose key of a name: folded, the article dropped from every word but the first,
/// spaces removed, doubled letters single.
pub fn loose(name: &str) -> String {
    let k = key(name);
    let mut joined = String::with_capacity(k.len());
    for (n, w) in k.split(' ').enumerate() {
        let w = if n > 0 {
            w.strip_prefix("ال")
                .filter(|r| r.chars().count() >= 2)
                .unwrap_or(w)
        } else {
            w
        };
        joined.push_str(w);
    }
    let mut out = String::with_capacity(joined.len());
    let mut prev = None;
    for c in joined.chars() {
        if Some(c) != prev {
            out.push(c);
        }
        prev = Some(c);
    }
    out
}

fn sorted_words(name: &str) -> Vec<String> {
    let mut w: Vec<String> = key(name).split(' ').map(loose).collect();
    w.sort();
    w
}

/// Do two forms of the same kind name one entity?
fn same_name(kind: EntityType, a: &str, b: &str) -> bool {
    if loose(a) == loose(b) {
        return true;
    }
    let (ka, kb) = (key(a), key(b));
    let (wa, wb): (Vec<&str>, Vec<&str>) = (ka.split(' ').collect(), kb.split(' ').collect());
    match kind {
        EntityType::Person => {
            if wa.len() > 1 && wa.len() == wb.len() && sorted_words(a) == sorted_words(b) {
                return true;
            }
            false
        }
        EntityType::Org => {
            let (short, long) = if wa.len() <= wb.len() {
                (&wa, &wb)
            } else {
                (&wb, &wa)
            };
            short.len() >= 2 && long.len() > short.len() && long[..short.len()] == short[..]
        }
        _ => false,
    }
}

/// Short forms of a person's name: its words that are not given names or particles.
fn short_forms(doc: &Doc, display: &str) -> Vec<String> {
    let k = key(display);
    let words: Vec<&str> = k.split(' ').collect();
    if words.len() < 2 {
        return Vec::new();
    }
    let lex_words = crate::extract::entities::tokens::Tokens::new(display);
    let hits = doc.lex.scan(&lex_words);
    let mut out = Vec::new();
    for (n, w) in words.iter().enumerate() {
        if w.chars().count() < 3 {
            continue;
        }
        let known = hits.iter().any(|h| {
            h.first == n
                && h.last == n
                && matches!(
                    h.info.class,
                    crate::extract::lexicon::Class::Given
                        | crate::extract::lexicon::Class::Particle
                        | crate::extract::lexicon::Class::Common
                        | crate::extract::lexicon::Class::Stop
                )
        });
        // The word after a particle is not a surname on its own (بن الوالي).
        let after_particle =
            n > 0 && matches!(words[n - 1], "بن" | "ابن" | "ابو" | "بو" | "عبد" | "ال");
        if !known && !after_particle {
            out.push(w.to_string());
        }
    }
    out
}

/// Groups the candidates into entities.
pub fn entities(doc: &Doc, cands: Vec<Cand>, known: &KnownEntities) -> Vec<Entity> {
    // An event family is an entity only when one mention is definite and specific.
    let mut fam_ok: HashMap<EventFamily, bool> = HashMap::new();
    for c in &cands {
        if let Some(f) = c.family {
            *fam_ok.entry(f).or_default() |= c.qualifies && !c.anaphor;
        }
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut last_group: Option<usize> = None;
    for c in &cands {
        if let Some(f) = c.family {
            if !fam_ok.get(&f).copied().unwrap_or(false) {
                continue;
            }
        }
        let k = key(&c.display);
        let found = if let Some(g) = c.gaz {
            groups.iter().position(|x| x.gaz == Some(g))
        } else if let Some(f) = c.family {
            groups.iter().position(|x| x.family == Some(f))
        } else if c.link_prev {
            last_group
        } else {
            groups.iter().position(|x| {
                x.kind == c.kind
                    && x.family.is_none()
                    && x.forms
                        .iter()
                        .any(|(d, _, _)| same_name(c.kind, d, &c.display))
            })
        };
        let gi = match found {
            Some(gi) => gi,
            None => {
                groups.push(Group {
                    kind: c.kind,
                    gaz: c.gaz,
                    family: c.family,
                    forms: Vec::new(),
                    mentions: Vec::new(),
                    spans: Vec::new(),
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[gi];
        if !c.anaphor && !g.forms.iter().any(|(_, fk, _)| *fk == k) {
            g.forms.push((c.display.clone(), k, c.qualifies));
        }
        g.mentions.push(Mention {
            start: c.start,
            end: c.end,
        });
        g.spans.push((c.first, c.last));
        last_group = Some(gi);
    }
    groups.retain(|g| !g.forms.is_empty());
    link_short_persons(doc, &mut groups);
    sweep(doc, &mut groups);

    let known_keys: HashMap<(EntityType, String), &str> = known
        .entities
        .iter()
        .flat_map(|e| {
            std::iter::once(&e.name)
                .chain(e.aliases.iter())
                .map(move |f| ((e.kind, loose(f)), e.name.as_str()))
        })
        .collect();

    let mut out: Vec<Entity> = groups
        .into_iter()
        .map(|g| {
            let mut name = match g.gaz.and_then(|e| doc.lex.entries.get(e as usize)) {
                Some(e) => e.name.clone(),
                None => fullest(&g.forms),
            };
            if let Some(k) = std::iter::once(&name)
                .chain(g.forms.iter().map(|(d, _, _)| d))
                .find_map(|f| known_keys.get(&(g.kind, loose(f))))
            {
                name = k.to_string();
            }
            let name_key = key(&name);
            let mut aliases: Vec<String> = Vec::new();
            let mut seen = vec![name_key];
            for (d, k, _) in &g.forms {
                if !seen.contains(k) {
                    seen.push(k.clone());
                    aliases.push(d.clone());
                }
            }
            let mut mentions = g.mentions;
            mentions.sort();
            mentions.dedup();
            Entity {
                kind: g.kind,
                name,
                aliases,
                mentions,
            }
        })
        .collect();
    out.sort_by_key(|e| e.mentions.first().map_or(usize::MAX, |m| m.start));
    out
}

/// The fullest form: most words, then most letters, then the first met; a specific
/// (qualifying) form before a vague one.
fn fullest(forms: &[(String, String, bool)]) -> String {
    let mut best: Option<&(String, String, bool)> = None;
    for f in forms {
        let better = match best {
            None => true,
            Some(b) => {
                let score =
                    |x: &(String, String, bool)| (x.2, x.1.split(' ').count(), x.1.chars().count());
                score(f) > score(b)
            }
        };
        if better {
            best = Some(f);
        }
    }
    best.map(|f| f.0.clone()).unwrap_or_default()
}

/// A one-word person group whose word is a short form of exactly one longer person joins it.
fn link_short_persons(doc: &Doc, groups: &mut Vec<Group>) {
    let mut i = 0;
    while i < groups.len() {
        let g = &groups[i];
        let single =
            g.kind == EntityType::Person && g.forms.iter().all(|(_, k, _)| !k.contains(' '));
        if single {
            let words: Vec<String> = g.forms.iter().map(|(_, k, _)| loose(k)).collect();
            let targets: Vec<usize> = groups
                .iter()
                .enumerate()
                .filter(|(j, h)| {
                    *j != i
                        && h.kind == EntityType::Person
                        && h.forms.iter().any(|(d, _, _)| {
                            short_forms(doc, d)
                                .iter()
                                .any(|s| words.contains(&loose(s)))
                        })
                })
                .map(|(j, _)| j)
                .collect();
            if targets.len() == 1 {
                let g = groups.remove(i);
                let t = if targets[0] > i {
                    targets[0] - 1
                } else {
                    targets[0]
                };
                let h = &mut groups[t];
                for f in g.forms {
                    if !h.forms.iter().any(|(_, k, _)| *k == f.1) {
                        h.forms.push(f);
                    }
                }
                h.mentions.extend(g.mentions);
                h.spans.extend(g.spans);
                continue;
            }
        }
        i += 1;
    }
}

/// Finds the forms of every entity wherever else they occur, with clitics (وغانتس), and
/// people's surnames alone.
fn sweep(doc: &Doc, groups: &mut [Group]) {
    let toks = doc.toks;
    let n = toks.len();
    let mut taken = vec![false; n];
    for g in groups.iter() {
        for &(a, b) in &g.spans {
            for t in taken.iter_mut().take(b + 1).skip(a) {
                *t = true;
            }
        }
    }
    // first word → (group, all words, is a short form)
    let mut index: HashMap<String, Vec<(usize, Vec<String>, bool)>> = HashMap::new();
    let mut short_owner: HashMap<String, Option<usize>> = HashMap::new();
    for (gi, g) in groups.iter().enumerate() {
        for (d, k, _) in &g.forms {
            let words: Vec<String> = k.split(' ').map(str::to_string).collect();
            if let Some(first) = words.first() {
                index
                    .entry(first.clone())
                    .or_default()
                    .push((gi, words.clone(), false));
            }
            if g.kind == EntityType::Person {
                for s in short_forms(doc, d) {
                    let e = short_owner.entry(s).or_insert(Some(gi));
                    if *e != Some(gi) {
                        *e = None;
                    }
                }
            }
        }
    }
    for (s, owner) in short_owner {
        if let Some(gi) = owner {
            index
                .entry(s.clone())
                .or_default()
                .push((gi, vec![s], true));
        }
    }
    let mut i = 0;
    while i < n {
        if taken[i] {
            i += 1;
            continue;
        }
        let k = toks.key(i);
        let mut matched = None;
        'variants: for (strip, variant) in variants(k) {
            let Some(list) = index.get(variant.as_str()) else {
                continue;
            };
            for (gi, words, is_short) in list {
                let len = words.len();
                if i + len > n {
                    continue;
                }
                let rest_ok = (1..len).all(|o| {
                    !taken[i + o]
                        && !toks.toks[i + o].gap.hard()
                        && toks.key(i + o) == words[o].as_str()
                });
                if !rest_ok {
                    continue;
                }
                // A token glued to the next word with no gap is fine; the form must end here.
                matched = Some((*gi, len, strip, variant.clone(), *is_short));
                break 'variants;
            }
        }
        if let Some((gi, len, strip, variant, is_short)) = matched {
            let last = i + len - 1;
            let start = toks.src_after_key_chars(doc.text, i, strip);
            let end = toks.toks[last].end;
            let g = &mut groups[gi];
            g.mentions.push(Mention { start, end });
            if is_short {
                let surface = clean(doc.text.get(start..end).unwrap_or(""));
                let fk = key(&surface);
                if !g.forms.iter().any(|(_, k, _)| *k == fk) && fk == variant {
                    g.forms.push((surface, fk, false));
                }
            }
            for t in taken.iter_mut().take(last + 1).skip(i) {
                *t = true;
            }
            i = last + 1;
            continue;
        }
        i += 1;
    }
}

/// A token key read as it stands and with its proclitics peeled off: (characters removed,
/// what remains). للجنة also reads as اللجنة.
fn variants(k: &str) -> Vec<(usize, String)> {
    let mut out = vec![(0, k.to_string())];
    let cs: Vec<char> = k.chars().collect();
    let mut i = 0;
    if cs.len() > 3 && matches!(cs[0], 'و' | 'ف') {
        i = 1;
        out.push((1, cs[1..].iter().collect()));
    }
    if cs.len() > i + 3 && matches!(cs[i], 'ب' | 'ك' | 'ل') {
        out.push((i + 1, cs[i + 1..].iter().collect()));
        if cs[i] == 'ل' && cs.get(i + 1) == Some(&'ل') {
            let mut s = String::from("ا");
            s.extend(&cs[i + 1..]);
            out.push((i + 1, s));
        }
    }
    out
}
