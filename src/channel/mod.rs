//! Alert channels: where an alert goes once it is safely in the outbox.
//!
//! Architecture invariant: a channel only delivers; it never touches the state store. The
//! outbox decides what to send and records what was accepted.

pub mod email;
mod jsonl;
mod log;

pub use email::EmailChannel;
pub use jsonl::JsonlChannel;
pub use log::LogChannel;

use dossier_core::alert::Alert as StoredAlert;

/// Why a delivery failed, and whether trying again can help.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// This alert may be accepted later (a 4xx to this message): retried with backoff.
    #[error("{0}")]
    Transient(String),
    /// Trying this alert again will not help until someone acts (a 5xx to this message): kept
    /// in the outbox and shown by `dossier show outbox` until `dossier retry`.
    #[error("{0}")]
    Permanent(String),
    /// The destination itself failed: no connection, a step that timed out, a session refused
    /// (421 greeting, refused login), a file that cannot be written (disk full). Every other
    /// alert of the batch would fail the same way, so they are not tried: they wait for the
    /// channel's next backoff step. `permanent` as above (a refused login needs someone).
    #[error("{message}")]
    Down { message: String, permanent: bool },
}

impl ChannelError {
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            ChannelError::Permanent(_)
                | ChannelError::Down {
                    permanent: true,
                    ..
                }
        )
    }

    /// The destination failed, not this alert: the rest of the batch waits.
    pub fn is_channel_wide(&self) -> bool {
        matches!(self, ChannelError::Down { .. })
    }

    /// A transient failure of the whole destination.
    pub fn down(message: impl Into<String>) -> ChannelError {
        ChannelError::Down {
            message: message.into(),
            permanent: false,
        }
    }
}

/// What `send-test` found out about one channel, step by step.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TestReport {
    pub steps: Vec<(String, bool)>,
}

/// A destination for alerts.
///
/// The deliverer hands a channel the alerts of one batch (one pass over the outbox), one at a
/// time, and records each as delivered as soon as `send` returns `Ok`; then it calls
/// `finish`. Each channel runs on its own thread (`app::deliver`), so a channel may block
/// (an SMTP server that does not answer) without delaying another.
pub trait Channel: Send {
    /// The channel's name in the configuration (and in the outbox).
    fn name(&self) -> &str;
    /// Delivers one alert. `Ok` means accepted, as durably as the medium allows (the jsonl
    /// line is on disk): the outbox records it right away. Must be idempotent where the
    /// medium allows it (the jsonl channel keeps an index of the ids in its file), since a
    /// crash between the acceptance and the record makes the alert go again.
    fn send(&mut self, alert: &StoredAlert) -> Result<(), ChannelError>;
    /// Delivers several alerts as one (a digest). Channels without a digest form send each.
    fn send_batch(&mut self, alerts: &[StoredAlert]) -> Result<(), ChannelError> {
        alerts.iter().try_for_each(|a| self.send(a))
    }
    /// The batch is over: close what `send` opened for it (the SMTP session).
    fn finish(&mut self) {}
    /// Whether an alert whose sending was cut off (a crash) may have been received without
    /// the channel being able to tell later (SMTP): the deliverer then leaves a note in the
    /// outbox before each attempt, and the next sender says that it sends such an alert again.
    fn cannot_tell_if_received(&self) -> bool {
        false
    }
    /// Sends a test message and reports each step.
    fn send_test(&mut self, alert: &StoredAlert) -> Result<TestReport, ChannelError> {
        let r = self.send(alert);
        self.finish();
        r?;
        Ok(TestReport {
            steps: vec![("accepted".into(), true)],
        })
    }
}

/// The JSON object an alert becomes: the report plus `id` and `time`.
pub fn alert_json(alert: &StoredAlert) -> serde_json::Value {
    let mut v = serde_json::to_value(&alert.report).unwrap_or(serde_json::Value::Null);
    if let Some(o) = v.as_object_mut() {
        o.insert("id".into(), alert.id.clone().into());
        o.insert("time".into(), alert.created.clone().into());
    }
    v
}
