//! `dossier history NAME`: one entity over time. Built from the version history in the store:
//! where it first appeared, every version of every document that mentions it, the claims it
//! takes part in, and what changed in them, oldest first.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::diff::{self, ClaimDelta};
use crate::model::{Claim, Extraction};
use crate::report::{self, one_line};
use crate::store::{EntityRecord, VersionRecord};
use crate::text;

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

/// The entity's part of an extraction: whether it is mentioned, and the claims it is in.
fn involvement(facts: &Extraction, e: &EntityRecord) -> (bool, Extraction) {
    let known = |n: &String| e.keys.contains(&text::key(n));
    let mentioned = facts
        .entities
        .iter()
        .any(|x| x.kind == e.kind && (known(&x.name) || x.aliases.iter().any(known)));
    let claims: Vec<Claim> = facts
        .claims
        .iter()
        .filter(|c| c.actors.iter().any(known))
        .cloned()
        .collect();
    let part = Extraction {
        entities: facts.entities.clone(),
        claims,
        ..Default::default()
    };
    (mentioned, part)
}

/// Builds the timeline of `entity` from every recorded version, oldest first.
pub fn timeline(entity: EntityRecord, versions: &[VersionRecord]) -> History {
    let mut last: HashMap<&str, Extraction> = HashMap::new();
    let mut steps = Vec::new();
    for v in versions {
        let empty = Extraction::default();
        let before = last.get(v.path.as_str()).cloned().unwrap_or_default();
        let (was, before_part) = involvement(&before, &entity);
        let now = v.facts.as_ref().unwrap_or(&empty);
        let (is, part) = involvement(now, &entity);
        if is || was {
            steps.push(Step {
                time: v.recorded.clone(),
                document: v.path.clone(),
                version: v.version,
                status: v.status.clone(),
                mentioned: is,
                claims: diff::diff_claims(&before_part, &part),
            });
        }
        match &v.facts {
            Some(f) => last.insert(v.path.as_str(), f.clone()),
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
