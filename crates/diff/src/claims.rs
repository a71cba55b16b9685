//! Claim identity and the claim part of a document diff.
//!
//! A claim's key is (type, what it is about): it survives rewording and extra actors, so a
//! claim whose date, number or some actor moved is reported as changed, not as removed plus
//! added, and two documents stating the same event share it. What it is about, in order:
//!
//! 1. a named EVENT among its actors (`قمة النقب`, `اتفاقيات أبراهام`);
//! 2. for an agreement or a change of relations, the two countries among its actors: the
//!    press names one accord many ways ("مذكرة التفاهم", "اتفاق التعاون الأمني", "اتفاقية
//!    التعاون العسكري"), so an accord named only by its kind is identified by its parties;
//! 3. such a descriptive accord name, when the claim names fewer than two countries;
//! 4. its two principal (first) actors.

use dossier_core::model::{Claim, ClaimType, EntityType, Extraction};
use dossier_core::report::{ClaimChange, ClaimDelta};
use dossier_core::text;
use dossier_extract::accords;

/// Names the rule [`claim_key`] follows; stored keys made by another rule are computed again
/// when the database is opened for writing. Change it whenever the key of some claim changes.
pub const CLAIM_KEY_RULE: &str =
    "2: named event, countries of an accord, descriptive accord, two actors";

/// A document's EVENT entities by folded surface form: what a claim naming one is about.
#[derive(Debug, Clone, Default)]
pub struct EventKeys {
    /// (folded form, folded canonical name, the name is a description: see
    /// [`accords::is_generic_accord`]).
    forms: Vec<(String, String, bool)>,
}

impl EventKeys {
    fn get(&self, folded: &str) -> Option<(&str, bool)> {
        self.forms
            .iter()
            .find(|(form, _, _)| form == folded)
            .map(|(_, canonical, generic)| (canonical.as_str(), *generic))
    }
}

/// The identity of a claim across versions and documents (see the module's doc). `events` are
/// the EVENT entities of the claim's document ([`event_keys`]).
pub fn claim_key(claim: &Claim, events: &EventKeys) -> String {
    let actors: Vec<String> = claim.actors.iter().map(|a| text::key(a)).collect();
    let mut generic: Option<&str> = None;
    for a in &actors {
        match events.get(a) {
            Some((canonical, false)) => return format!("{}|{}", claim.kind, canonical),
            Some((canonical, true)) => {
                generic.get_or_insert(canonical);
            }
            None => {}
        }
    }
    let pair = |names: Vec<&String>| -> String {
        let mut names = names;
        names.sort();
        let joined: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
        format!("{}|{}", claim.kind, joined.join("+"))
    };
    if matches!(claim.kind, ClaimType::Agreement | ClaimType::Relations) {
        let countries: Vec<&String> = actors
            .iter()
            .filter(|a| accords::is_country_key(a))
            .take(2)
            .collect();
        if countries.len() == 2 {
            return pair(countries);
        }
    }
    if let Some(canonical) = generic {
        return format!("{}|{}", claim.kind, canonical);
    }
    pair(actors.iter().take(2).collect())
}

/// Every folded surface form of an extraction's EVENT entities, with the folded canonical
/// name it stands for: a claim naming an accord by an alias keys on the accord.
pub fn event_keys(facts: &Extraction) -> EventKeys {
    let forms = facts
        .entities
        .iter()
        .filter(|e| e.kind == EntityType::Event)
        .flat_map(|e| {
            let canonical = text::key(&e.name);
            let generic = accords::is_generic_accord(&e.name);
            std::iter::once(&e.name)
                .chain(e.aliases.iter())
                .map(move |n| (text::key(n), canonical.clone(), generic))
        })
        .collect();
    EventKeys { forms }
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

/// Two statements of one key that disagree ([`claims_agree`] fails) contradict each other,
/// unless they are OTHER: that type gathers unlike facts (support, recognition, trade
/// figures, a war), so two of them about the same parties with different dates are two facts.
pub fn claims_contradict(a: &Claim, b: &Claim) -> bool {
    a.kind != ClaimType::Other && !claims_agree(a, b)
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
