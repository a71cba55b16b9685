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

use crate::store::StoredAlert;

/// Why a delivery failed, and whether trying again can help.
#[derive(Debug, thiserror::Error)]
pub enum ChannelError {
    /// The channel may accept it later (server down, 4xx, disk full): retried with backoff.
    #[error("{0}")]
    Transient(String),
    /// Trying again will not help until someone acts (5xx, authentication refused): kept in the
    /// outbox and shown by `dossier show outbox` until `dossier retry`.
    #[error("{0}")]
    Permanent(String),
}

impl ChannelError {
    pub fn is_permanent(&self) -> bool {
        matches!(self, ChannelError::Permanent(_))
    }
}

/// What `send-test` found out about one channel, step by step.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct TestReport {
    pub steps: Vec<(String, bool)>,
}

/// A destination for alerts.
pub trait Channel: Send {
    /// The channel's name in the configuration (and in the outbox).
    fn name(&self) -> &str;
    /// Delivers one alert. Must be idempotent where the medium allows it (the jsonl channel
    /// checks its tail for the alert id), since a crash after delivery and before the outbox
    /// records it makes the alert go again.
    fn send(&mut self, alert: &StoredAlert) -> Result<(), ChannelError>;
    /// Makes durable what `send` accepted since the last call. The deliverer records alerts as
    /// delivered only after this returns, so a channel may defer its costly part (the jsonl
    /// channel's `fdatasync`) to here: one per group of alerts instead of one per alert.
    fn flush(&mut self) -> Result<(), ChannelError> {
        Ok(())
    }
    /// Delivers several alerts as one (a digest). Channels without a digest form send each.
    fn send_batch(&mut self, alerts: &[StoredAlert]) -> Result<(), ChannelError> {
        alerts.iter().try_for_each(|a| self.send(a))
    }
    /// Sends a test message and reports each step.
    fn send_test(&mut self, alert: &StoredAlert) -> Result<TestReport, ChannelError> {
        self.send(alert)?;
        self.flush()?;
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
