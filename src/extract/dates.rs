//! Finds explicit calendar dates (every Arabic month tradition) and normalizes them to ISO 8601.

use crate::model::Mention;

/// One explicit date in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateMatch {
    /// Where the date is written (byte offsets into the text).
    pub span: Mention,
    /// ISO 8601 partial date, as precise as the text: `2021`, `2021-11`, `2021-11-10`.
    pub value: String,
}

/// Every explicit calendar date of `text`, in text order.
pub fn find(_text: &str) -> Vec<DateMatch> {
    Vec::new()
}
