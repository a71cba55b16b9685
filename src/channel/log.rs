//! The `log` channel: the human-readable report on stderr (the journal under systemd).

use std::io::Write;

use super::{Channel, ChannelError};
use crate::report::{self, Label, Lang, Style};
use dossier_core::alert::Alert as StoredAlert;

pub struct LogChannel {
    name: String,
    lang: Lang,
    /// The report was just printed on the terminal this process writes to (a `check` at a
    /// terminal whose only channel is this one): the alert is recorded as delivered with one
    /// line instead of the report a second time.
    echoed: bool,
}

impl LogChannel {
    pub fn new(name: impl Into<String>, lang: Lang) -> Self {
        LogChannel {
            name: name.into(),
            lang,
            echoed: false,
        }
    }

    /// See [`LogChannel::echoed`].
    pub fn echoed(mut self, echoed: bool) -> Self {
        self.echoed = echoed;
        self
    }
}

impl Channel for LogChannel {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, alert: &StoredAlert) -> Result<(), ChannelError> {
        if self.echoed {
            return Ok(());
        }
        let st = Style::plain(self.lang);
        let mut text = format!(
            "{} {} ({})\n",
            st.lang.label(Label::Alert),
            st.ltr(&alert.id),
            st.ltr(&alert.created)
        );
        for d in &alert.report.documents {
            report::render_document(&mut text, d, st);
        }
        report::render_dossier(&mut text, &alert.report.dossier, st);
        let mut err = std::io::stderr().lock();
        err.write_all(text.as_bytes())
            .and_then(|_| err.flush())
            .map_err(|e| ChannelError::Transient(format!("cannot write to stderr: {e}")))
    }
}
