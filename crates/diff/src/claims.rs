//! Claim identity and the claim part of a document diff, over the identities the linking
//! stage gave a document's entities (dossier ids), never over their spelling.
//!
//! A claim's key is (type, what it is about): it survives rewording and extra actors, so a
//! claim whose date, polarity or principal actors moved is reported as changed, not as
//! removed plus added, and two documents stating the same event share it. What it is about,
//! among its principal actors ([`Claim::principal`]: not the outlets or commentators merely
//! mentioned), in order:
//!
//! 1. a named EVENT (`قمة النقب`, `اتفاقيات أبراهام`);
//! 2. for an agreement or a change of relations, its two countries: the press names one
//!    accord many ways, and often by none (`وقع البلدان اتفاقا`);
//! 3. an accord named only by its kind (`مذكرة التفاهم`), when fewer than two countries are
//!    named;
//! 4. its first two principal actors.
//!
//! Beside its key, a claim of rule 2 may name an accord ([`ClaimId::event`]: the linker
//! identifies an accord named only by its kind by its parties and date): two claims of one
//! key that name two different accords are about two accords, and neither corroborate nor
//! contradict each other; a claim naming none may be about either.

use std::collections::HashMap;

use dossier_core::model::{Claim, ClaimType, Entity, EntityType, Extraction};
use dossier_core::report::{ClaimChange, ClaimDelta};
use dossier_core::text;
use dossier_core::vocab::Vocabulary;

/// Names the rule [`claim_key`] follows. Stored claim keys made by another rule are made
/// again (with the facts, see the store's facts rule). Change it whenever the key of some
/// claim changes.
pub const CLAIM_KEY_RULE: &str =
    "3: ids; principal actors; named event, countries (with the accord), accord, two actors";

/// The dossier id of an entity (as the linking stage gives it).
pub type EntityId = i64;

/// One version of a document's facts with the dossier ids of its entities, as claim keys and
/// the diff read them.
#[derive(Debug, Clone)]
pub struct Linked<'a> {
    pub facts: &'a Extraction,
    /// One id per entity of `facts`, in order. Shorter (a version stored before linking):
    /// the entities past its end are known by their folded name.
    pub ids: &'a [EntityId],
    /// Each entity's index by folded canonical name (a claim names its actors so).
    by_name: HashMap<String, usize>,
}

/// An actor's identity: its entity's id, or its folded name when no entity has that name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Actor {
    Id(EntityId),
    Name(String),
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Id(id) => write!(f, "{id}"),
            Actor::Name(n) => write!(f, "n:{n}"),
        }
    }
}

impl<'a> Linked<'a> {
    pub fn new(facts: &'a Extraction, ids: &'a [EntityId]) -> Linked<'a> {
        let mut by_name = HashMap::with_capacity(facts.entities.len());
        for (i, e) in facts.entities.iter().enumerate() {
            by_name.entry(text::key(&e.name)).or_insert(i);
        }
        Linked {
            facts,
            ids,
            by_name,
        }
    }

    /// The entity a claim's actor names, with its index.
    pub fn entity(&self, actor: &str) -> Option<(usize, &'a Entity)> {
        let i = *self.by_name.get(&text::key(actor))?;
        self.facts.entities.get(i).map(|e| (i, e))
    }

    /// The identity of a claim's actor.
    pub fn actor(&self, actor: &str) -> Actor {
        match self.entity(actor) {
            Some((i, e)) => self.id_of(i, e),
            None => Actor::Name(text::key(actor)),
        }
    }

    /// The identity of entity `i`.
    pub fn id_of(&self, i: usize, e: &Entity) -> Actor {
        match self.ids.get(i) {
            Some(&id) => Actor::Id(id),
            None => Actor::Name(format!("{}:{}", e.kind, text::key(&e.name))),
        }
    }

    /// The identities of a claim's principal actors, each once, sorted.
    pub fn principal_set(&self, claim: &Claim) -> Vec<Actor> {
        let mut v: Vec<Actor> = claim.principal().map(|a| self.actor(a)).collect();
        v.sort();
        v.dedup();
        v
    }
}

/// A claim's identity: its key, and the accord it names when the key is its countries'.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ClaimId {
    pub key: String,
    pub event: Option<String>,
}

impl ClaimId {
    /// Two statements of one key can be of one fact: they name the same accord, or one of
    /// them names none.
    pub fn meets(&self, other: &ClaimId) -> bool {
        self.key == other.key
            && match (&self.event, &other.event) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

/// The identity of a claim across versions and documents (see the module's doc).
pub fn claim_id(claim: &Claim, doc: &Linked<'_>, vocab: &dyn Vocabulary) -> ClaimId {
    let principal: Vec<(Actor, Option<&Entity>)> = claim
        .principal()
        .map(|a| match doc.entity(a) {
            Some((i, e)) => (doc.id_of(i, e), Some(e)),
            None => (Actor::Name(text::key(a)), None),
        })
        .collect();
    let event = |generic: bool| {
        principal
            .iter()
            .find(|(_, e)| {
                e.is_some_and(|e| {
                    e.kind == EntityType::Event && vocab.is_generic_accord(&e.name) == generic
                })
            })
            .map(|(a, _)| a.to_string())
    };
    let (named, accord) = (event(false), event(true));
    let key = |key: String, event: Option<String>| ClaimId { key, event };
    if let Some(named) = named {
        return key(format!("{}|{named}", claim.kind), None);
    }
    let pair = |mut ids: Vec<&Actor>| -> String {
        ids.sort();
        ids.dedup();
        let joined: Vec<String> = ids.iter().map(|a| a.to_string()).collect();
        format!("{}|{}", claim.kind, joined.join("+"))
    };
    if matches!(claim.kind, ClaimType::Agreement | ClaimType::Relations) {
        let countries: Vec<&Actor> = principal
            .iter()
            .filter(|(_, e)| {
                e.is_some_and(|e| e.kind == EntityType::Location && vocab.is_country(&e.name))
            })
            .map(|(a, _)| a)
            .take(2)
            .collect();
        if countries.len() == 2 {
            return key(pair(countries), accord);
        }
    }
    if let Some(accord) = accord {
        return key(format!("{}|{accord}", claim.kind), None);
    }
    if principal.is_empty() {
        return key(
            format!("{}|q:{}", claim.kind, text::key(&claim.quote)),
            None,
        );
    }
    let mut first: Vec<&Actor> = Vec::new();
    for (a, _) in &principal {
        if !first.contains(&a) {
            first.push(a);
        }
        if first.len() == 2 {
            break;
        }
    }
    key(pair(first), None)
}

/// The key of a claim ([`claim_id`]'s).
pub fn claim_key(claim: &Claim, doc: &Linked<'_>, vocab: &dyn Vocabulary) -> String {
    claim_id(claim, doc, vocab).key
}

/// The identity of every claim of a version, in order.
pub fn claim_ids(doc: &Linked<'_>, vocab: &dyn Vocabulary) -> Vec<ClaimId> {
    doc.facts
        .claims
        .iter()
        .map(|c| claim_id(c, doc, vocab))
        .collect()
}

/// The key of every claim of a version, in order.
pub fn claim_keys(doc: &Linked<'_>, vocab: &dyn Vocabulary) -> Vec<String> {
    claim_ids(doc, vocab).into_iter().map(|c| c.key).collect()
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

/// The fields in which two statements of one claim differ: `date`, `negated`, `modality`,
/// `actors` (the set of principal actors' identities). Empty: the same facts, whatever the
/// quote or the spelling of the names says.
pub fn moved_fields(a: &Claim, a_doc: &Linked<'_>, b: &Claim, b_doc: &Linked<'_>) -> Vec<String> {
    let mut fields = Vec::new();
    if a.date != b.date {
        fields.push("date".to_string());
    }
    if a.negated != b.negated {
        fields.push("negated".to_string());
    }
    if a.modality != b.modality {
        fields.push("modality".to_string());
    }
    if a_doc.principal_set(a) != b_doc.principal_set(b) {
        fields.push("actors".to_string());
    }
    fields
}

/// Two quotes of one statement: their folded forms share a run of at least half the shorter
/// one's characters (a quote grows or shrinks with the actors named around its trigger).
pub fn quotes_overlap(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (
        text::key(a).chars().collect(),
        text::key(b).chars().collect(),
    );
    let shorter = a.len().min(b.len());
    if shorter == 0 {
        return false;
    }
    // The longest common run, by dynamic programming over one row (quotes are short).
    let mut row = vec![0usize; b.len() + 1];
    let mut best = 0;
    for &x in &a {
        let mut diag = 0;
        for (j, &y) in b.iter().enumerate() {
            let up = row[j + 1];
            row[j + 1] = if x == y { diag + 1 } else { 0 };
            best = best.max(row[j + 1]);
            diag = up;
        }
    }
    best * 2 >= shorter
}

/// Claims added, removed and changed between two versions of one document. Claims with the
/// same facts ([`moved_fields`] empty) are unchanged; the others are paired by identity
/// ([`ClaimId::meets`]), then by where they are stated (one quote holding the other), and a
/// pair is a claim changed.
pub fn diff_claims(old: &Linked<'_>, new: &Linked<'_>, vocab: &dyn Vocabulary) -> ClaimDelta {
    diff_claims_in(old, "", new, "", vocab)
}

/// [`diff_claims`] with the two versions' texts, which pair one more kind of claims: a claim
/// of the new version stated in words the old text had too (a restatement, which the
/// extractor merged into another claim of the old version) and an old claim of the same type
/// whose words are gone, sharing a principal actor: the same claim, stated by what is left.
pub fn diff_claims_in(
    old: &Linked<'_>,
    old_text: &str,
    new: &Linked<'_>,
    new_text: &str,
    vocab: &dyn Vocabulary,
) -> ClaimDelta {
    let (old_keys, new_keys) = (claim_ids(old, vocab), claim_ids(new, vocab));
    let (oc, nc) = (&old.facts.claims, &new.facts.claims);
    let mut old_used = vec![false; oc.len()];
    let mut new_used = vec![false; nc.len()];
    let mut delta = ClaimDelta::default();
    let same = |i: usize, j: usize| {
        oc[i].kind == nc[j].kind && moved_fields(&oc[i], old, &nc[j], new).is_empty()
    };
    // First pair identical facts, so that a changed claim is not paired with an unchanged twin.
    for (j, used) in new_used.iter_mut().enumerate() {
        if let Some(i) = (0..oc.len()).find(|&i| !old_used[i] && same(i, j)) {
            old_used[i] = true;
            *used = true;
        }
    }
    for j in 0..nc.len() {
        if new_used[j] {
            continue;
        }
        if let Some(i) = (0..oc.len()).find(|&i| !old_used[i] && old_keys[i].meets(&new_keys[j])) {
            old_used[i] = true;
            new_used[j] = true;
            delta.changed.push(ClaimChange {
                fields: moved_fields(&oc[i], old, &nc[j], new),
                before: oc[i].clone(),
                after: nc[j].clone(),
            });
        }
    }
    // A claim whose key moved (its first principal actors did) but whose statement is where
    // it was (the two quotes share most of the shorter one) is the same claim, changed.
    let overlap = |a: &str, b: &str| quotes_overlap(a, b);
    for j in 0..nc.len() {
        if new_used[j] {
            continue;
        }
        let found = (0..oc.len()).find(|&i| {
            !old_used[i] && oc[i].kind == nc[j].kind && overlap(&oc[i].quote, &nc[j].quote)
        });
        if let Some(i) = found {
            old_used[i] = true;
            new_used[j] = true;
            delta.changed.push(ClaimChange {
                fields: moved_fields(&oc[i], old, &nc[j], new),
                before: oc[i].clone(),
                after: nc[j].clone(),
            });
        }
    }
    // A claim left unpaired whose words are still in the other version, where claims of its
    // type name all its principal actors, was merged with them there or here by the extractor
    // (which keeps an event restated in one document once): the fact stands, nothing was
    // added or removed.
    // The two texts folded once, for the passes that ask whether a quote is still stated.
    let folded = (!old_text.is_empty() && !new_text.is_empty())
        .then(|| (text::key(old_text), text::key(new_text)));
    let stated = |folded: &str, quote: &str| {
        let q = text::key(quote);
        !q.is_empty() && folded.contains(&q)
    };
    if let Some((old_key, new_key)) = &folded {
        let absorbed =
            |c: &Claim, doc: &Linked<'_>, text: &str, others: &[Claim], in_doc: &Linked<'_>| {
                stated(text, &c.quote) && {
                    let theirs: Vec<Actor> = others
                        .iter()
                        .filter(|o| o.kind == c.kind)
                        .flat_map(|o| in_doc.principal_set(o))
                        .collect();
                    doc.principal_set(c).iter().all(|a| theirs.contains(a))
                }
            };
        for i in 0..oc.len() {
            if !old_used[i] && absorbed(&oc[i], old, new_key, nc, new) {
                old_used[i] = true;
            }
        }
        for j in 0..nc.len() {
            if !new_used[j] && absorbed(&nc[j], new, old_key, oc, old) {
                new_used[j] = true;
            }
        }
    }
    if let Some((old_key, new_key)) = &folded {
        for j in 0..nc.len() {
            if new_used[j] || !stated(old_key, &nc[j].quote) {
                continue;
            }
            let mine = new.principal_set(&nc[j]);
            let found = (0..oc.len()).find(|&i| {
                !old_used[i]
                    && oc[i].kind == nc[j].kind
                    && !stated(new_key, &oc[i].quote)
                    && old.principal_set(&oc[i]).iter().any(|a| mine.contains(a))
            });
            if let Some(i) = found {
                old_used[i] = true;
                new_used[j] = true;
                let fields = moved_fields(&oc[i], old, &nc[j], new);
                if !fields.is_empty() {
                    delta.changed.push(ClaimChange {
                        fields,
                        before: oc[i].clone(),
                        after: nc[j].clone(),
                    });
                }
            }
        }
    }
    // A claim whose statement stayed (the same quote, in both texts) and whose actors moved
    // only by names that another claim of its type has in the other version took in, or gave
    // up, a restatement the extractor merges with the nearest claim it matches (a sentence
    // between them came or went): that sentence's fact did not change.
    if let Some((old_key, new_key)) = &folded {
        let named_elsewhere = |c: &Claim, claims: &[Claim], doc: &Linked<'_>| -> Vec<Actor> {
            claims
                .iter()
                .filter(|o| o.kind == c.kind && o.quote != c.quote)
                .flat_map(|o| doc.principal_set(o))
                .collect()
        };
        delta.changed.retain(|c| {
            let (b, a) = (&c.before, &c.after);
            let moved = c.fields.iter().all(|f| f == "actors")
                && b.quote == a.quote
                && stated(old_key, &b.quote)
                && stated(new_key, &a.quote);
            if !moved {
                return true;
            }
            let (pb, pa) = (old.principal_set(b), new.principal_set(a));
            let (in_old, in_new) = (named_elsewhere(b, oc, old), named_elsewhere(a, nc, new));
            let gained_ok = pa
                .iter()
                .filter(|x| !pb.contains(x))
                .all(|x| in_old.contains(x));
            let lost_ok = pb
                .iter()
                .filter(|x| !pa.contains(x))
                .all(|x| in_new.contains(x));
            !(gained_ok && lost_ok)
        });
    }
    delta.added = nc
        .iter()
        .zip(&new_used)
        .filter(|(_, u)| !**u)
        .map(|(c, _)| c.clone())
        .collect();
    delta.removed = oc
        .iter()
        .zip(&old_used)
        .filter(|(_, u)| !**u)
        .map(|(c, _)| c.clone())
        .collect();
    delta
}
