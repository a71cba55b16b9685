//! `dossier history NAME`: one entity over time. Built from the version history in the store:
//! where it first appeared, every version of every document that mentions it, the claims it
//! takes part in, and what changed in them, oldest first.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::diff::{self, ClaimDelta, Linked};
use crate::model::{Claim, Extraction};
use crate::report::{self, one_line};
use crate::store::{EntityRecord, VersionRecord};
use crate::text;
use dossier_core::vocab::Vocabulary;

/// One step of an entity's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    pub time: String,
    pub document: String,
    pub version: i64,
    pub status: String,
    /// Whether this version mentions the entity (false: it stopped mentioning it).
    pub mentioned: bool,
    /// The claims involving the entity that this version added, removed or changed.
    pub claims: ClaimDelta,
}

#[derive(Debug, Clone, Serialize)]
pub struct History {
    pub entity: EntityRecord,
    /// Documents that mention it now.
    pub documents: Vec<String>,
    pub timeline: Vec<Step>,
}

/// One version's facts with the dossier ids of its entities.
#[derive(Clone, Default)]
struct Seen {
    facts: Extraction,
    ids: Vec<i64>,
}

/// Whether entity `i` of a version is the dossier entity: by id where the version has its
/// links, else by any folded form.
fn is_it(v: &Seen, i: usize, e: &EntityRecord) -> bool {
    match v.ids.get(i) {
        Some(&id) => id == e.id,
        None => v.facts.entities.get(i).is_some_and(|x| {
            let known = |n: &String| e.keys.contains(&text::key(n));
            x.kind == e.kind && (known(&x.name) || x.aliases.iter().any(known))
        }),
    }
}

/// The entity's part of a version: whether it is mentioned, and the claims it is in (with
/// the version's entities and ids, so that they compare by identity).
fn involvement(v: &Seen, e: &EntityRecord) -> (bool, Seen) {
    let mine: Vec<usize> = (0..v.facts.entities.len())
        .filter(|&i| is_it(v, i, e))
        .collect();
    let names: Vec<String> = mine
        .iter()
        .filter_map(|&i| v.facts.entities.get(i))
        .map(|x| text::key(&x.name))
        .collect();
    let claims: Vec<Claim> = v
        .facts
        .claims
        .iter()
        .filter(|c| c.actors.iter().any(|a| names.contains(&text::key(a))))
        .cloned()
        .collect();
    let part = Seen {
        facts: Extraction {
            entities: v.facts.entities.clone(),
            claims,
            ..Default::default()
        },
        ids: v.ids.clone(),
    };
    (!mine.is_empty(), part)
}

/// Builds the timeline of `entity` from every recorded version, oldest first.
pub fn timeline(
    entity: EntityRecord,
    versions: &[VersionRecord],
    vocab: &dyn Vocabulary,
) -> History {
    let mut last: HashMap<&str, Seen> = HashMap::new();
    let mut steps = Vec::new();
    for v in versions {
        let before = last.get(v.path.as_str()).cloned().unwrap_or_default();
        let (was, before_part) = involvement(&before, &entity);
        let now = Seen {
            facts: v.facts.clone().unwrap_or_default(),
            ids: v.ids.clone(),
        };
        let (is, part) = involvement(&now, &entity);
        if is || was {
            steps.push(Step {
                time: v.recorded.clone(),
                document: v.path.clone(),
                version: v.version,
                status: v.status.clone(),
                mentioned: is,
                claims: diff::diff_claims(
                    &Linked::new(&before_part.facts, &before_part.ids),
                    &Linked::new(&part.facts, &part.ids),
                    vocab,
                ),
            });
        }
        match &v.facts {
            Some(_) => last.insert(v.path.as_str(), now),
            None => last.remove(v.path.as_str()),
        };
    }
    let mut documents: Vec<String> = last
        .iter()
        .filter(|(_, f)| involvement(f, &entity).0)
        .map(|(p, _)| p.to_string())
        .collect();
    documents.sort();
    History {
        entity,
        documents,
        timeline: steps,
    }
}

/// The timeline for a person at a terminal.
pub fn render(h: &History) -> String {
    let e = &h.entity;
    let mut out = format!("{} {}", e.kind, one_line(&e.name));
    if !e.aliases.is_empty() {
        let _ = write!(out, " (also: {})", one_line(&e.aliases.join("، ")));
    }
    let _ = writeln!(
        out,
        "\nfirst seen {} in {}",
        e.first_seen_at,
        one_line(&e.first_seen_in)
    );
    let _ = writeln!(out, "mentioned now in {} document(s)", h.documents.len());
    for s in &h.timeline {
        let what = if s.mentioned {
            s.status.as_str()
        } else {
            "no longer mentions it"
        };
        let _ = writeln!(
            out,
            "{}  {} v{}  {what}",
            s.time,
            one_line(&s.document),
            s.version
        );
        for c in &s.claims.added {
            let _ = writeln!(out, "    + {}", report::claim_line(c));
        }
        for c in &s.claims.changed {
            let _ = writeln!(
                out,
                "    ~ {} → {}",
                report::claim_line(&c.before),
                report::claim_line(&c.after)
            );
        }
        for c in &s.claims.removed {
            let _ = writeln!(out, "    - {}", report::claim_line(c));
        }
    }
    out
}
