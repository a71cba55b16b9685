//! Claim identity and the claim part of a document diff.
//!
//! A claim's key is (type, the EVENT it is about when its actors include one, else its two
//! principal actors): it survives rewording and extra actors, so a claim whose date, number or
//! some actor moved is reported as changed, not as removed plus added.

use super::report::{ClaimChange, ClaimDelta};
use crate::model::{Claim, EntityType, Extraction};
use crate::text;

/// The identity of a claim across versions and documents. `event_names` are the folded names of
/// the document's EVENT entities (see [`event_keys`]), so that a claim about a named accord
/// keys on it.
pub fn claim_key(claim: &Claim, event_names: &[(String, String)]) -> String {
    let actors: Vec<String> = claim.actors.iter().map(|a| text::key(a)).collect();
    for a in &actors {
        if let Some((_, canonical)) = event_names.iter().find(|(form, _)| form == a) {
            return format!("{}|{}", claim.kind, canonical);
        }
    }
    let mut principal: Vec<&String> = actors.iter().take(2).collect();
    principal.sort();
    let joined: Vec<&str> = principal.iter().map(|s| s.as_str()).collect();
    format!("{}|{}", claim.kind, joined.join("+"))
}

/// Every folded surface form of an extraction's EVENT entities, with the folded canonical
/// name it stands for: a claim naming an accord by an alias keys on the accord.
pub fn event_keys(facts: &Extraction) -> Vec<(String, String)> {
    facts
        .entities
        .iter()
        .filter(|e| e.kind == EntityType::Event)
        .flat_map(|e| {
            let canonical = text::key(&e.name);
            std::iter::once(&e.name)
                .chain(e.aliases.iter())
                .map(move |n| (text::key(n), canonical.clone()))
        })
        .collect()
}

/// The key of every claim of an extraction, in order.
pub fn claim_keys(facts: &Extraction) -> Vec<String> {
    let events = event_keys(facts);
    facts.claims.iter().map(|c| claim_key(c, &events)).collect()
}

/// Two dates agree when one is a prefix of the other (`2021` and `2021-11`); a missing date
/// never contradicts.
pub fn claims_agree(a: &Claim, b: &Claim) -> bool {
    let dates_agree = match (&a.date, &b.date) {
        (Some(x), Some(y)) => x.starts_with(y.as_str()) || y.starts_with(x.as_str()),
        _ => true,
    };
    dates_agree && a.negated == b.negated
}

fn same_facts(a: &Claim, b: &Claim) -> bool {
    let norm = |c: &Claim| {
        let mut v: Vec<String> = c.actors.iter().map(|x| text::key(x)).collect();
        v.sort();
        v
    };
    a.kind == b.kind
        && a.date == b.date
        && a.negated == b.negated
        && a.modality == b.modality
        && norm(a) == norm(b)
}

/// Claims added, removed and changed between two versions of one document. Claims are paired
/// by key; a pair whose facts are equal is unchanged, whatever its quote says.
pub fn diff_claims(old: &Extraction, new: &Extraction) -> ClaimDelta {
    let (old_keys, new_keys) = (claim_keys(old), claim_keys(new));
    let (old, new) = (&old.claims, &new.claims);
    let mut old_used = vec![false; old.len()];
    let mut new_used = vec![false; new.len()];
    let mut delta = ClaimDelta::default();
    // First pair identical facts, so that a changed claim is not paired with an unchanged twin.
    for (j, n) in new.iter().enumerate() {
        if let Some(i) = (0..old.len()).find(|&i| !old_used[i] && same_facts(&old[i], n)) {
            old_used[i] = true;
            new_used[j] = true;
        }
    }
    for (j, n) in new.iter().enumerate() {
        if new_used[j] {
            continue;
        }
        if let Some(i) = (0..old.len()).find(|&i| !old_used[i] && old_keys[i] == new_keys[j]) {
            old_used[i] = true;
            new_used[j] = true;
            delta.changed.push(ClaimChange {
                before: old[i].clone(),
                after: n.clone(),
            });
        }
    }
    delta.added = new
        .iter()
        .zip(&new_used)
        .filter(|(_, u)| !**u)
        .map(|(c, _)| c.clone())
        .collect();
    delta.removed = old
        .iter()
        .zip(&old_used)
        .filter(|(_, u)| !**u)
        .map(|(c, _)| c.clone())
        .collect();
    delta
}
