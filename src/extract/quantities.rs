//! Finds quantities: percentages, sums of money, counts with a unit.

use crate::model::Mention;

/// One quantity in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuantityMatch {
    pub span: Mention,
    /// The quantity as written, digits normalized to ASCII (`94%`, `خمسة أنظمة`).
    pub value: String,
}

/// Every quantity of `text`, in text order.
pub fn find(_text: &str) -> Vec<QuantityMatch> {
    Vec::new()
}
