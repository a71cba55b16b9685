//! The facts dossier works with: what the extractor produces and what the diff compares.
//!
//! These types are the contract's JSON shapes (`dossier extract --format json`); they carry no
//! behaviour beyond ordering and keys, so every stage can share them without depending on another.

use serde::{Deserialize, Serialize};

/// The kind of a named entity, spelled as the contract spells it in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntityType {
    Person,
    Org,
    Location,
    Equipment,
    Event,
}

impl EntityType {
    pub const ALL: [EntityType; 5] = [
        EntityType::Person,
        EntityType::Org,
        EntityType::Location,
        EntityType::Equipment,
        EntityType::Event,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Person => "PERSON",
            EntityType::Org => "ORG",
            EntityType::Location => "LOCATION",
            EntityType::Equipment => "EQUIPMENT",
            EntityType::Event => "EVENT",
        }
    }

    /// Parses the contract's spelling, case-insensitively (`person`, `PERSON`).
    pub fn parse(s: &str) -> Option<EntityType> {
        EntityType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl std::fmt::Display for EntityType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A byte range into the decoded UTF-8 text, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
}

/// One entity of one document: its canonical name, the other surface forms met, and where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    #[serde(rename = "type")]
    pub kind: EntityType,
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub mentions: Vec<Mention>,
}

/// The kind of event or state of affairs a claim asserts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ClaimType {
    Agreement,
    Visit,
    Meeting,
    Acquisition,
    Manufacturing,
    Relations,
    Announcement,
    Exercise,
    Other,
}

impl ClaimType {
    pub const ALL: [ClaimType; 9] = [
        ClaimType::Agreement,
        ClaimType::Visit,
        ClaimType::Meeting,
        ClaimType::Acquisition,
        ClaimType::Manufacturing,
        ClaimType::Relations,
        ClaimType::Announcement,
        ClaimType::Exercise,
        ClaimType::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ClaimType::Agreement => "AGREEMENT",
            ClaimType::Visit => "VISIT",
            ClaimType::Meeting => "MEETING",
            ClaimType::Acquisition => "ACQUISITION",
            ClaimType::Manufacturing => "MANUFACTURING",
            ClaimType::Relations => "RELATIONS",
            ClaimType::Announcement => "ANNOUNCEMENT",
            ClaimType::Exercise => "EXERCISE",
            ClaimType::Other => "OTHER",
        }
    }

    pub fn parse(s: &str) -> Option<ClaimType> {
        ClaimType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s.trim()))
    }
}

impl std::fmt::Display for ClaimType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a claim is asserted when not as plain fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Modality {
    Planned,
    Reported,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A typed frame: who did what, with whom, when, as the text states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    #[serde(rename = "type")]
    pub kind: ClaimType,
    /// Canonical names of entities of the same document.
    #[serde(default)]
    pub actors: Vec<String>,
    /// ISO 8601 partial date (`2021`, `2021-11`, `2021-11-10`) when the text ties one to the event.
    #[serde(default)]
    pub date: Option<String>,
    /// The shortest span of the text that states the claim.
    #[serde(default)]
    pub quote: String,
    #[serde(default)]
    pub attributed_to: Option<String>,
    /// Those of `actors` merely mentioned in the sentence, not parties to what it states: the
    /// outlet that reports it, the commentator quoted. Claim identity and the report use the
    /// others, the principal actors ([`Claim::principal`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mentioned: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub negated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modality: Option<Modality>,
}

impl Claim {
    /// The principal actors: the parties to what the claim states, in the order named (every
    /// actor but those [`Claim::mentioned`]).
    pub fn principal(&self) -> impl Iterator<Item = &String> + '_ {
        self.actors
            .iter()
            .filter(move |a| !self.mentioned.contains(a))
    }
}

/// Everything extracted from one document's text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extraction {
    #[serde(default)]
    pub entities: Vec<Entity>,
    /// ISO partial dates, sorted, without duplicates.
    #[serde(default)]
    pub dates: Vec<String>,
    /// Quantities as written, normalized digits (`94%`, `3 مليون دولار`).
    #[serde(default)]
    pub quantities: Vec<String>,
    #[serde(default)]
    pub claims: Vec<Claim>,
}
