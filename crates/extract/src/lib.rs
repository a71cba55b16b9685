//! Extraction: text in, facts out (entities, dates, quantities, claims).
//!
//! Architecture invariant: this module does no IO. It reads no file, no clock, no database; its
//! word lists are compiled in from `data/`. The rest of the program sees it only through
//! [`Extractor`], so a better extractor plugs in without touching the pipeline.

pub mod accords;
mod arabic;
pub mod claims;
pub mod dates;
pub mod entities;
pub mod lexicon;
pub mod quantities;

pub use accords::ArabicVocabulary;
pub use arabic::ArabicExtractor;

use dossier_core::model::Extraction;

/// Turns a document's decoded text into facts.
pub trait Extractor: Send + Sync {
    /// Extracts the facts of `text`: a pure function of the text. What the dossier already
    /// knows plays no part (linking document entities to the dossier's is a later stage), so
    /// the same bytes give the same facts in `dossier extract` and in every `check`.
    fn extract(&self, text: &str) -> Extraction;

    /// Names the rules this extractor follows: when it differs from the one the stored facts
    /// were made by, the pipeline makes them again from the stored texts (silently), so that
    /// an upgrade is never reported as changes of every document.
    fn rules(&self) -> &str {
        ""
    }
}

/// Names the rules of [`ArabicExtractor`] (see [`Extractor::rules`]). Change it whenever the
/// output of `dossier extract` changes for some text; `tests/extract_rules.rs` at the
/// workspace's root fails when the seeds' extraction changed and this did not.
pub const RULES: &str = "2026-12-08.7";
