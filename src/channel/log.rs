//! The `log` channel: the human-readable report on stderr (the journal under systemd).

use std::io::Write;

use super::{Channel, ChannelError};
use crate::report::{self, Style};
use dossier_core::alert::Alert as StoredAlert;

pub struct LogChannel {
    name: String,
}

impl LogChannel {
    pub fn new(name: impl Into<String>) -> Self {
        LogChannel { name: name.into() }
    }
}

impl Channel for LogChannel {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, alert: &StoredAlert) -> Result<(), ChannelError> {
        let mut text = format!("alert {} ({})\n", alert.id, alert.created);
        for d in &alert.report.documents {
            report::render_document(&mut text, d, Style::default());
        }
        report::render_dossier(&mut text, &alert.report.dossier, Style::default());
        let mut err = std::io::stderr().lock();
        err.write_all(text.as_bytes())
            .and_then(|_| err.flush())
            .map_err(|e| ChannelError::Transient(format!("cannot write to stderr: {e}")))
    }
}
