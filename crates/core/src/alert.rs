//! One alert: one document's change plus the dossier entries it caused, as the outbox keeps
//! it and every channel receives it.

use serde::Serialize;

use crate::report::ChangeReport;

/// An alert as stored and sent: one document's change plus the dossier entries it caused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// Stable across retries: channels use it to recognise an alert they already have.
    pub id: String,
    /// RFC 3339 time the alert was created.
    pub created: String,
    pub path: String,
    /// True when the change includes facts, not only sentences (for `min_changes = "facts"`).
    pub has_facts: bool,
    pub report: ChangeReport,
    /// The id of the previous alert about the same document, for mail threading. Filled in
    /// by the outbox when the alert is queued.
    pub previous: Option<String>,
}
