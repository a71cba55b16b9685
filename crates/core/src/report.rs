//! The change report: the contract's `dossier check --format json` shape.

use serde::{Deserialize, Serialize};

use crate::model::{Claim, EntityType};

/// Added and removed members of one kind of fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delta<T> {
    pub added: Vec<T>,
    pub removed: Vec<T>,
}

impl<T> Default for Delta<T> {
    fn default() -> Self {
        Delta {
            added: Vec::new(),
            removed: Vec::new(),
        }
    }
}

impl<T> Delta<T> {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocStatus {
    Added,
    Modified,
    Renamed,
    Removed,
}

impl DocStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocStatus::Added => "added",
            DocStatus::Modified => "modified",
            DocStatus::Renamed => "renamed",
            DocStatus::Removed => "removed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntityRef {
    #[serde(rename = "type")]
    pub kind: EntityType,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimChange {
    pub before: Claim,
    pub after: Claim,
    /// What moved: `date`, `negated`, `modality`, `actors` (the principal ones).
    #[serde(default)]
    pub fields: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimDelta {
    pub added: Vec<Claim>,
    pub removed: Vec<Claim>,
    pub changed: Vec<ClaimChange>,
}

impl ClaimDelta {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// What changed in one document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentChange {
    pub path: String,
    pub status: DocStatus,
    pub previous_path: Option<String>,
    pub entities: Delta<EntityRef>,
    pub claims: ClaimDelta,
    pub dates: Delta<String>,
    pub quantities: Delta<String>,
    pub text: Delta<String>,
    /// The article's title, for people: an HTML document's `<title>`, else its first line
    /// (one line, cut at a word). Filled by the pipeline from the text it read (the stored
    /// text for a removal); absent in reports of older alerts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// An added document whose text is a near-duplicate of this document already in the
    /// dossier (the earliest seen): a copy of one article, with another outlet line
    /// (`dossier_core::dupes`). Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub near_duplicate_of: Option<String>,
}

impl DocumentChange {
    /// True when an entity, claim, date or quantity moved (not only sentences).
    pub fn has_fact_changes(&self) -> bool {
        !self.entities.is_empty()
            || !self.claims.is_empty()
            || !self.dates.is_empty()
            || !self.quantities.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEntity {
    #[serde(rename = "type")]
    pub kind: EntityType,
    pub name: String,
    pub first_seen_in: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Corroboration {
    pub claim: Claim,
    /// The agreeing sources (at most a few) and the document that now states it too.
    pub sources: Vec<String>,
    /// How many documents state it (counted over at most 200 other rows; may exceed
    /// `sources.len()`).
    #[serde(default)]
    pub total_sources: usize,
    /// How many independent origins those sources are (of the counted ones): near-duplicate
    /// documents, copies of one article, are one origin. 0 in alerts made before it was
    /// counted.
    #[serde(default)]
    pub independent: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contradiction {
    /// A disagreeing claim already in the dossier, and the new one.
    pub claims: Vec<Claim>,
    /// The disagreeing sources (at most a few) and the new document.
    pub sources: Vec<String>,
    /// How many documents are involved (counted over at most 200 other rows; may exceed
    /// `sources.len()`).
    #[serde(default)]
    pub total_sources: usize,
}

/// A dossier entity that took a fuller canonical name (`لوديي` → `عبد اللطيف لوديي`): said
/// once, by the document that brought the fuller form, and never as changes of the claims
/// that name it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renamed {
    #[serde(rename = "type")]
    pub kind: EntityType,
    pub from: String,
    pub to: String,
}

/// Dossier-level consequences of a change: what is new anywhere, what now agrees or disagrees.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DossierChanges {
    pub new_entities: Vec<NewEntity>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renamed: Vec<Renamed>,
    pub corroborated: Vec<Corroboration>,
    pub contradicted: Vec<Contradiction>,
}

impl DossierChanges {
    pub fn is_empty(&self) -> bool {
        self.new_entities.is_empty()
            && self.renamed.is_empty()
            && self.corroborated.is_empty()
            && self.contradicted.is_empty()
    }

    pub fn extend(&mut self, other: DossierChanges) {
        self.new_entities.extend(other.new_entities);
        self.renamed.extend(other.renamed);
        self.corroborated.extend(other.corroborated);
        self.contradicted.extend(other.contradicted);
    }
}

/// The report of one `check`: every changed document and the dossier entries they caused.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeReport {
    pub scanned: usize,
    pub documents: Vec<DocumentChange>,
    pub dossier: DossierChanges,
}
