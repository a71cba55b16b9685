//! The linking stage, between extraction and the diff: each entity of a document is tied to
//! an entity of the dossier, with a stable id, so that what a document says is compared with
//! what it said before, and with what other documents say, by identity and not by spelling.
//!
//! Extraction names an entity by the fullest form its document uses; two documents (or two
//! versions of one) may name one person `بلخير`, `الفاروق بلخير` or `بلخير الفاروق`. The
//! linker finds the dossier entity each document entity is, in this order:
//!
//! 1. the entity the document's previous version had under one of the same forms (an edit
//!    never moves an entity to another identity);
//! 2. a dossier entity known under one of its forms' keys ([`keys`]: the folded form, the
//!    order-free form of a person's name, the loose form that ignores spacing, inner articles
//!    and doubled letters);
//! 3. for a person, a short form: a surname alone that is the last word of exactly one
//!    dossier person, or a full name whose last word is a dossier person known by that word
//!    alone.
//!
//! An accord named only by its kind (`مذكرة التفاهم`, `اتفاق التعاون الأمني`: see
//! [`Vocabulary::is_generic_accord`]) is not known by its wording, which every article
//! chooses anew and which different accords share: it is the dossier accord with the same
//! parties (the countries of the claims that name it) and a compatible date, so the same
//! accord in three wordings in three documents is one entity and two accords of the same
//! wording stay two.
//!
//! A dossier entity's canonical name changes only by one rule, a fuller form (more words,
//! every word of the old name among them), and [`Linking::renames`] says so once.
//!
//! Architecture invariant: pure. The dossier is asked through the [`Dossier`] trait (the
//! store implements it over its transaction); no IO, no clock here.

use std::collections::HashMap;

use dossier_core::model::{ClaimType, Entity, EntityType, Extraction};
use dossier_core::text;
use dossier_core::vocab::Vocabulary;

/// Names the rules [`link`] and [`keys`] follow; the store makes every link again when it
/// changes. Change it whenever some entity would link otherwise.
pub const RULE: &str =
    "2: previous version, keys (loose keys keep the article of عبد compounds), short forms, accords by parties and date";

/// The id of a dossier entity, stable for its life.
pub type EntityId = i64;

/// A dossier entity as the linker needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    pub id: EntityId,
    pub kind: EntityType,
    pub name: String,
}

/// What identifies an accord named only by its kind: its parties (dossier ids, sorted) and
/// the date it was made, as precise as known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccordSig {
    pub parties: Vec<EntityId>,
    pub date: Option<String>,
}

/// The dossier, as the linker asks it.
pub trait Dossier {
    type Error;
    /// The entity of `kind` known under `key` (one of [`keys`]).
    fn find(&mut self, kind: EntityType, key: &str) -> Result<Option<Known>, Self::Error>;
    /// The entity with this id.
    fn entity(&mut self, id: EntityId) -> Result<Option<Known>, Self::Error>;
    /// Persons whose name has several words, the last of which folds to `word`.
    fn persons_by_last_word(&mut self, word: &str) -> Result<Vec<Known>, Self::Error>;
    /// Accords named only by their kind that share a party with `parties` (sorted), with
    /// their parties and dates.
    fn accords_sharing(
        &mut self,
        parties: &[EntityId],
    ) -> Result<Vec<(Known, AccordSig)>, Self::Error>;
}

/// A document's previous version and the ids its entities were linked to, in order.
#[derive(Debug, Clone, Copy)]
pub struct Previous<'a> {
    pub facts: &'a Extraction,
    pub ids: &'a [EntityId],
}

/// Where one document entity goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// This dossier entity.
    Known(EntityId),
    /// None yet: a new dossier entity.
    New,
    /// New too, and the same as this (new) entity of the same document: the extractor kept
    /// two forms of one name apart (`عراقجي`, `عباس عراقجي`).
    Same(usize),
}

/// An accord named only by its kind, in one document: its parties, as indices of the
/// document's entities, and its date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocAccord {
    pub parties: Vec<usize>,
    pub date: Option<String>,
}

/// A dossier entity that takes a fuller name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub id: EntityId,
    pub kind: EntityType,
    pub from: String,
    pub to: String,
}

/// What the linker decided for one document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Linking {
    /// One per entity of the document, in order.
    pub links: Vec<Link>,
    /// One per entity: `Some` for an accord named only by its kind.
    pub accords: Vec<Option<DocAccord>>,
    /// Dossier entities whose canonical name this document makes fuller.
    pub renames: Vec<Rename>,
}

/// Prefix of an order-free key (a person's words in any order).
pub const ORDER_FREE: char = '~';
/// Prefix of a loose key.
pub const LOOSE: char = '≈';
/// Prefix of the key of an accord's wording, used only for an accord whose parties are not
/// known.
pub const WORDING: char = '§';

/// The lookup keys of a document entity, under which the dossier knows it once linked: for
/// each form (name, then aliases), its folded key, for a person its order-free key, and its
/// loose key; for an accord named only by its kind, the key of its wording alone. In order,
/// without repeats.
pub fn keys(e: &Entity, vocab: &dyn Vocabulary) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let push = |k: String, out: &mut Vec<String>| {
        if !k.is_empty() && !out.contains(&k) {
            out.push(k);
        }
    };
    let forms = std::iter::once(&e.name).chain(&e.aliases);
    if is_accord(e, vocab) {
        for f in forms {
            push(format!("{WORDING}{}", text::key(f)), &mut out);
        }
        return out;
    }
    for f in forms {
        let k = text::key(f);
        if k.is_empty() {
            continue;
        }
        push(k.clone(), &mut out);
        if e.kind == EntityType::Person {
            if let Some(o) = text::order_free_key(f) {
                debug_assert!(o.starts_with(ORDER_FREE));
                push(o, &mut out);
            }
        }
        let l = text::loose_of_key(&k);
        if !l.is_empty() {
            push(format!("{LOOSE}{l}"), &mut out);
        }
    }
    out
}

/// The folded last word of a person's name of two words or more (for short forms).
pub fn last_word(e: &Entity) -> Option<String> {
    if e.kind != EntityType::Person {
        return None;
    }
    let k = text::key(&e.name);
    let mut words = k.split(' ');
    let last = words.next_back()?;
    words.next()?;
    Some(last.to_string())
}

/// An accord named only by its kind.
pub fn is_accord(e: &Entity, vocab: &dyn Vocabulary) -> bool {
    e.kind == EntityType::Event && vocab.is_generic_accord(&e.name)
}

/// Two dates agree when one is a prefix of the other (`2021`, `2021-11`); a missing one
/// agrees with any.
pub fn dates_agree(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x.starts_with(y) || y.starts_with(x),
        _ => true,
    }
}

/// The parties and date of every accord named only by its kind among `facts`' entities:
/// the countries among the principal actors of the claims naming it (else among all their
/// actors), and the most precise date of those claims, an agreement's first.
pub fn doc_accords(facts: &Extraction, vocab: &dyn Vocabulary) -> Vec<Option<DocAccord>> {
    let by_name: HashMap<&str, usize> = facts
        .entities
        .iter()
        .enumerate()
        .rev()
        .map(|(i, e)| (e.name.as_str(), i))
        .collect();
    let country = |name: &str| {
        by_name.get(name).copied().filter(|&j| {
            facts
                .entities
                .get(j)
                .is_some_and(|x| x.kind == EntityType::Location && vocab.is_country(&x.name))
        })
    };
    facts
        .entities
        .iter()
        .map(|e| {
            if !is_accord(e, vocab) {
                return None;
            }
            let naming: Vec<_> = facts
                .claims
                .iter()
                .filter(|c| c.actors.contains(&e.name))
                .collect();
            let mut parties: Vec<usize> = naming
                .iter()
                .flat_map(|c| c.principal())
                .filter_map(|a| country(a))
                .collect();
            if parties.is_empty() {
                parties = naming
                    .iter()
                    .flat_map(|c| c.actors.iter())
                    .filter_map(|a| country(a))
                    .collect();
            }
            parties.sort_unstable();
            parties.dedup();
            let precise = |c: &&&dossier_core::model::Claim| {
                (
                    c.kind == ClaimType::Agreement,
                    c.date.as_ref().map_or(0, String::len),
                )
            };
            let date = naming
                .iter()
                .filter(|c| c.date.is_some())
                .max_by_key(precise)
                .and_then(|c| c.date.clone());
            Some(DocAccord { parties, date })
        })
        .collect()
}

/// Two accords' parties (sorted) can be one accord's: the parties of one are all among the
/// other's, two at least (or the same single one). A sentence may name a third country beside
/// an accord's two, and a city may fold like a country (عمّان and عُمان).
pub fn parties_agree(a: &[EntityId], b: &[EntityId]) -> bool {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if small.len() < 2 {
        return !small.is_empty() && small == large;
    }
    small.iter().all(|p| large.contains(p))
}

/// Words of a folded key.
fn words(k: &str) -> Vec<&str> {
    k.split(' ').filter(|w| !w.is_empty()).collect()
}

/// `to` is a fuller form of `from`: more words, and every word of `from` among them.
pub fn is_fuller(to: &str, from: &str) -> bool {
    let (kt, kf) = (text::key(to), text::key(from));
    let (wt, wf) = (words(&kt), words(&kf));
    wt.len() > wf.len() && !wf.is_empty() && wf.iter().all(|w| wt.contains(w))
}

/// Links every entity of `facts` (see the crate's doc). `previous` is the document's last
/// version with its links, if it had one.
pub fn link<D: Dossier>(
    facts: &Extraction,
    previous: Option<Previous<'_>>,
    vocab: &dyn Vocabulary,
    dossier: &mut D,
) -> Result<Linking, D::Error> {
    let ents = &facts.entities;
    let mut links = vec![Link::New; ents.len()];
    // What the previous version called each key, by kind: an edit keeps identities.
    let mut before: HashMap<(EntityType, String), EntityId> = HashMap::new();
    if let Some(p) = previous {
        for (e, &id) in p.facts.entities.iter().zip(p.ids) {
            if is_accord(e, vocab) {
                continue;
            }
            for k in keys(e, vocab) {
                before.entry((e.kind, k)).or_insert(id);
            }
        }
    }
    for (i, e) in ents.iter().enumerate() {
        if is_accord(e, vocab) {
            continue;
        }
        let ks = keys(e, vocab);
        if let Some(&id) = ks.iter().find_map(|k| before.get(&(e.kind, k.clone()))) {
            links[i] = Link::Known(id);
            continue;
        }
        let mut found = None;
        for k in &ks {
            if let Some(k) = dossier.find(e.kind, k)? {
                found = Some(k.id);
                break;
            }
        }
        if found.is_none() && e.kind == EntityType::Person {
            found = short_form(e, dossier)?;
        }
        if let Some(id) = found {
            links[i] = Link::Known(id);
        }
    }

    // Within the document: a new entity sharing a key with an earlier new one, or a new
    // surname alone that ends exactly one other person of the document, is that entity.
    let doc_keys: Vec<Vec<String>> = ents.iter().map(|e| keys(e, vocab)).collect();
    for i in 0..ents.len() {
        if links[i] != Link::New || is_accord(&ents[i], vocab) {
            continue;
        }
        let e = &ents[i];
        let shared = (0..i).find(|&j| {
            links[j] == Link::New
                && ents[j].kind == e.kind
                && doc_keys[j].iter().any(|k| doc_keys[i].contains(k))
        });
        let surname = || {
            if e.kind != EntityType::Person || words(&text::key(&e.name)).len() != 1 {
                return None;
            }
            let word = text::key(&e.name);
            let mut ends = (0..ents.len())
                .filter(|&j| j != i && last_word(&ents[j]).as_deref() == Some(word.as_str()));
            match (ends.next(), ends.next()) {
                (Some(j), None) => Some(j),
                _ => None,
            }
        };
        links[i] = match shared.or_else(surname) {
            Some(j) => match links[j] {
                Link::Known(id) => Link::Known(id),
                Link::Same(r) => Link::Same(r),
                Link::New => Link::Same(j),
            },
            None => Link::New,
        };
    }
    // A surname met before its full name points at an entity linked after it: follow it.
    for i in 0..links.len() {
        if let Link::Same(j) = links[i] {
            match links.get(j).copied() {
                Some(Link::Known(id)) => links[i] = Link::Known(id),
                Some(Link::Same(r)) => links[i] = Link::Same(r),
                _ => {}
            }
        }
    }

    // Accords, by their parties (linked above) and date.
    let accords = doc_accords(facts, vocab);
    // The parties the dossier knows; `None` when too few are known to tell the accord (two,
    // or the only one named): a party new to the dossier may be a third country named beside
    // the accord's two, but an accord of new parties is new.
    let ids_of = |parties: &[usize], links: &[Link]| -> Option<Vec<EntityId>> {
        let mut ids: Vec<EntityId> = parties
            .iter()
            .filter_map(|&j| match links.get(j) {
                Some(Link::Known(id)) => Some(*id),
                _ => None,
            })
            .collect();
        ids.sort_unstable();
        ids.dedup();
        (ids.len() >= parties.len().min(2)).then_some(ids)
    };
    let before_accords: Vec<(&Entity, EntityId, Option<Vec<EntityId>>)> = match previous {
        Some(p) => {
            let old = doc_accords(p.facts, vocab);
            let old_links: Vec<Link> = p.ids.iter().map(|&id| Link::Known(id)).collect();
            p.facts
                .entities
                .iter()
                .zip(p.ids)
                .zip(&old)
                .filter_map(|((e, &id), a)| {
                    a.as_ref().map(|a| {
                        (
                            e,
                            id,
                            ids_of(&a.parties, &old_links).filter(|v| !v.is_empty()),
                        )
                    })
                })
                .collect()
        }
        None => Vec::new(),
    };
    let mut taken: Vec<EntityId> = Vec::new();
    for (i, e) in ents.iter().enumerate() {
        let Some(a) = accords.get(i).and_then(Option::as_ref) else {
            continue;
        };
        let parties = ids_of(&a.parties, &links).filter(|v| !v.is_empty());
        let ks = keys(e, vocab);
        // The previous version's accord of the same wording, else of the same parties.
        let same_wording = before_accords.iter().find(|(o, id, _)| {
            !taken.contains(id) && keys(o, vocab).iter().any(|k| ks.contains(k))
        });
        let same_parties = || {
            before_accords.iter().find(|(_, id, p)| {
                !taken.contains(id)
                    && match (p, &parties) {
                        (Some(p), Some(q)) => parties_agree(p, q),
                        _ => false,
                    }
            })
        };
        if let Some((_, id, _)) = same_wording.or_else(same_parties) {
            links[i] = Link::Known(*id);
            taken.push(*id);
            continue;
        }
        let found = match &parties {
            // Too few parties known: a new accord.
            None if !a.parties.is_empty() => None,
            Some(p) => {
                let mut best: Option<(u8, EntityId)> = None;
                for (k, sig) in dossier.accords_sharing(p)? {
                    if taken.contains(&k.id)
                        || !parties_agree(p, &sig.parties)
                        || !dates_agree(a.date.as_deref(), sig.date.as_deref())
                    {
                        continue;
                    }
                    let rank = match (&a.date, &sig.date) {
                        (Some(x), Some(y)) if x == y => 0,
                        (Some(_), Some(_)) => 1,
                        _ => 2,
                    };
                    if best.is_none_or(|(r, id)| (rank, k.id) < (r, id)) {
                        best = Some((rank, k.id));
                    }
                }
                best.map(|(_, id)| id)
            }
            // No party known: only the same wording of an accord of unknown parties.
            None => {
                let mut hit = None;
                for k in &ks {
                    if let Some(k) = dossier.find(e.kind, k)? {
                        hit = Some(k.id);
                        break;
                    }
                }
                hit
            }
        };
        if let Some(id) = found {
            links[i] = Link::Known(id);
            taken.push(id);
        }
    }

    // Fuller names: one rename per dossier entity, to the fullest form linked to it.
    let mut renames: Vec<Rename> = Vec::new();
    for (i, e) in ents.iter().enumerate() {
        let Link::Known(id) = links[i] else { continue };
        if is_accord(e, vocab) {
            continue;
        }
        let current = match renames.iter().find(|r| r.id == id) {
            Some(r) => r.to.clone(),
            None => match dossier.entity(id)? {
                Some(k) => k.name,
                None => continue,
            },
        };
        if is_fuller(&e.name, &current) {
            match renames.iter_mut().find(|r| r.id == id) {
                Some(r) => r.to = e.name.clone(),
                None => renames.push(Rename {
                    id,
                    kind: e.kind,
                    from: current,
                    to: e.name.clone(),
                }),
            }
        }
    }
    Ok(Linking {
        links,
        accords,
        renames,
    })
}

/// A person known by a short form: a surname alone that is the last word of exactly one
/// dossier person; or a full name whose last word is a dossier person's whole name.
fn short_form<D: Dossier>(e: &Entity, dossier: &mut D) -> Result<Option<EntityId>, D::Error> {
    let k = text::key(&e.name);
    let ws = words(&k);
    match ws.as_slice() {
        [one] => {
            let found = dossier.persons_by_last_word(one)?;
            Ok(match found.as_slice() {
                [only] => Some(only.id),
                _ => None,
            })
        }
        [.., last] => Ok(dossier
            .find(EntityType::Person, last)?
            .filter(|k| words(&text::key(&k.name)).len() == 1)
            .map(|k| k.id)),
        [] => Ok(None),
    }
}

#[cfg(test)]
mod tests;
