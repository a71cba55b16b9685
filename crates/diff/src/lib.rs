//! The diff: what changed between two versions of a document, in facts first, then sentences.
//!
//! Facts are compared by identity: each version comes with the dossier ids the linking stage
//! gave its entities ([`Version::ids`]), so an entity spelled otherwise, or named by a fuller
//! form, is the same entity, and a claim whose principal actors are the same entities is the
//! same claim, whatever the names say.
//!
//! Architecture invariant: pure functions of their inputs (texts, extractions, ids and the
//! language's [`Vocabulary`]). No file system, clock or database; the pipeline hands in both
//! versions and stores what comes out.

mod claims;
pub use claims::{
    claim_id, claim_ids, claim_key, claim_keys, claims_agree, claims_contradict, diff_claims,
    diff_claims_in, moved_fields, quotes_overlap, Actor, ClaimId, EntityId, Linked, CLAIM_KEY_RULE,
};
pub use dossier_core::report::{
    ChangeReport, ClaimChange, ClaimDelta, Contradiction, Corroboration, Delta, DocStatus,
    DocumentChange, DossierChanges, EntityRef, NewEntity, Renamed,
};

use dossier_core::model::{Entity, EntityType, Extraction};
use dossier_core::text::{self, Sentence};
use dossier_core::vocab::Vocabulary;

/// One version of a document as the diff sees it.
#[derive(Debug, Clone, Copy)]
pub struct Version<'a> {
    pub path: &'a str,
    pub text: &'a str,
    pub facts: &'a Extraction,
    /// The dossier id of each entity of `facts`, in order (the linking stage's result).
    pub ids: &'a [EntityId],
}

fn entity_ref(e: &Entity) -> EntityRef {
    EntityRef {
        kind: e.kind,
        name: e.name.clone(),
    }
}

/// Entities added and removed between two versions, by identity: an entity of the new
/// version whose dossier entity the old one did not mention is added (once, however many of
/// its entities link to it), and the other way round.
pub fn diff_entities(old: &Linked<'_>, new: &Linked<'_>) -> Delta<EntityRef> {
    let idents = |d: &Linked<'_>| -> Vec<Actor> {
        d.facts
            .entities
            .iter()
            .enumerate()
            .map(|(i, e)| d.id_of(i, e))
            .collect()
    };
    let (old_ids, new_ids) = (idents(old), idents(new));
    let only = |d: &Linked<'_>, mine: &[Actor], theirs: &[Actor]| -> Vec<EntityRef> {
        let mut seen: Vec<&Actor> = Vec::new();
        let mut out = Vec::new();
        for (e, id) in d.facts.entities.iter().zip(mine) {
            if !theirs.contains(id) && !seen.contains(&id) {
                seen.push(id);
                out.push(entity_ref(e));
            }
        }
        out
    };
    Delta {
        added: only(new, &new_ids, &old_ids),
        removed: only(old, &old_ids, &new_ids),
    }
}

/// Values added and removed, compared by their folded key (`٩٤٪` and `94%` are one value).
pub fn diff_values(old: &[String], new: &[String]) -> Delta<String> {
    let has = |set: &[String], v: &String| set.iter().any(|s| text::key(s) == text::key(v));
    Delta {
        added: new.iter().filter(|v| !has(old, v)).cloned().collect(),
        removed: old.iter().filter(|v| !has(new, v)).cloned().collect(),
    }
}

/// Sentences added and removed, compared in their comparable form so that cosmetic edits of a
/// sentence do not show; a sentence that moved without changing is not listed.
pub fn diff_sentences(old: &[Sentence], new: &[Sentence]) -> Delta<String> {
    let old_keys: Vec<&str> = old.iter().map(|s| s.key.as_str()).collect();
    let new_keys: Vec<&str> = new.iter().map(|s| s.key.as_str()).collect();
    let mut delta = Delta::default();
    for op in similar::capture_diff_slices(similar::Algorithm::Patience, &old_keys, &new_keys) {
        for change in op.iter_changes(&old_keys, &new_keys) {
            match change.tag() {
                similar::ChangeTag::Delete => {
                    if let Some(i) = change.old_index() {
                        delta.removed.push(old[i].text.clone());
                    }
                }
                similar::ChangeTag::Insert => {
                    if let Some(i) = change.new_index() {
                        delta.added.push(new[i].text.clone());
                    }
                }
                similar::ChangeTag::Equal => {}
            }
        }
    }
    // A sentence that only moved appears as removed and added with the same key: not a change.
    let moved: Vec<String> = delta
        .added
        .iter()
        .filter(|a| {
            delta
                .removed
                .iter()
                .any(|r| text::comparable(r) == text::comparable(a))
        })
        .cloned()
        .collect();
    delta.added.retain(|a| !moved.contains(a));
    delta.removed.retain(|r| {
        !moved
            .iter()
            .any(|m| text::comparable(m) == text::comparable(r))
    });
    delta
}

/// The share of sentences two texts have in common, from 0 to 1 (common / larger count).
/// Used to pair a removed path with an added one as a rename of an edited document.
pub fn sentence_similarity(a: &[Sentence], b: &[Sentence]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let mut b_keys: Vec<&str> = b.iter().map(|s| s.key.as_str()).collect();
    b_keys.sort_unstable();
    let common = a
        .iter()
        .filter(|s| b_keys.binary_search(&s.key.as_str()).is_ok())
        .count();
    common as f64 / a.len().max(b.len()) as f64
}

/// Compares two versions of a document. `old` is `None` for an added document, `new` is `None`
/// for a removed one. For a rename, `old.path` differs from `new.path`.
pub fn diff_document(
    old: Option<Version<'_>>,
    new: Option<Version<'_>>,
    vocab: &dyn Vocabulary,
) -> DocumentChange {
    let empty = Extraction::default();
    let (old_facts, old_text, old_ids) =
        old.map_or((&empty, "", &[][..]), |v| (v.facts, v.text, v.ids));
    let (new_facts, new_text, new_ids) =
        new.map_or((&empty, "", &[][..]), |v| (v.facts, v.text, v.ids));
    let (old_linked, new_linked) = (
        Linked::new(old_facts, old_ids),
        Linked::new(new_facts, new_ids),
    );
    let (status, path, previous_path) = match (old, new) {
        (None, Some(n)) => (DocStatus::Added, n.path, None),
        (Some(o), None) => (DocStatus::Removed, o.path, None),
        (Some(o), Some(n)) if o.path != n.path => {
            (DocStatus::Renamed, n.path, Some(o.path.to_string()))
        }
        (Some(_), Some(n)) => (DocStatus::Modified, n.path, None),
        (None, None) => (DocStatus::Modified, "", None),
    };
    let text_delta = match status {
        // An added or removed document is reported by its facts; its every sentence is noise.
        DocStatus::Added | DocStatus::Removed => Delta::default(),
        _ => diff_sentences(&text::sentences(old_text), &text::sentences(new_text)),
    };
    DocumentChange {
        path: path.to_string(),
        status,
        previous_path,
        entities: diff_entities(&old_linked, &new_linked),
        claims: claims::diff_claims_in(&old_linked, old_text, &new_linked, new_text, vocab),
        dates: diff_values(&old_facts.dates, &new_facts.dates),
        quantities: diff_values(&old_facts.quantities, &new_facts.quantities),
        text: text_delta,
        title: text::title_line(if new_text.is_empty() {
            old_text
        } else {
            new_text
        }),
        near_duplicate_of: None,
    }
}

/// True when a document change carries something a reader should hear about.
pub fn is_change(c: &DocumentChange) -> bool {
    matches!(
        c.status,
        DocStatus::Added | DocStatus::Removed | DocStatus::Renamed
    ) || c.has_fact_changes()
        || !c.text.is_empty()
}

/// The entity types in the order reports list them.
pub fn type_order(t: EntityType) -> usize {
    EntityType::ALL
        .iter()
        .position(|x| *x == t)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests;
