//! Finds claims: typed frames (agreement, visit, meeting, ...) with actors, date, quote,
//! attribution, negation and modality.

use super::dates::DateMatch;
use crate::model::{Claim, Entity};

/// Every claim of `text`. `entities` are the document's entities (with mentions), from which
/// actors are taken; `dates` are its explicit dates.
pub fn find(_text: &str, _entities: &[Entity], _dates: &[DateMatch]) -> Vec<Claim> {
    Vec::new()
}
