//! Delivery from the outbox: each pending alert to each channel, under a lease, marked done
//! only after the channel accepted it.

use std::time::Duration;

use super::error::AppError;
use super::failpoint;
use crate::channel::{Channel, JsonlChannel, LogChannel};
use crate::config::{ChannelKind, Config, MinChanges, RetryPolicy};
use crate::store::Store;

/// How long a delivery lease lasts: longer than any channel's timeout, short enough that a
/// crashed sender's alerts are picked up again soon.
const LEASE: Duration = Duration::from_secs(300);

/// Which pending deliveries a pass takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// `check`: every pending delivery once, backoff ignored, permanent failures left alone.
    EveryPending,
    /// The daemon: only those whose backoff has expired.
    Due,
    /// `retry`: everything pending, permanent failures included.
    Retry,
}

/// What a delivery pass did.
#[derive(Debug, Clone, Default)]
pub struct Delivered {
    pub attempted: usize,
    pub delivered: usize,
    pub failed: usize,
    pub errors: Vec<String>,
}

struct Configured {
    channel: Box<dyn Channel>,
    retry: RetryPolicy,
    min_changes: MinChanges,
}

/// The configured channels, ready to send.
pub struct Deliverer {
    channels: Vec<Configured>,
    owner: String,
}

impl Deliverer {
    pub fn from_config(config: &Config) -> Result<Deliverer, AppError> {
        let mut channels = Vec::new();
        for c in &config.channels {
            let (channel, min_changes): (Box<dyn Channel>, MinChanges) = match &c.kind {
                ChannelKind::Log => (Box::new(LogChannel::new(&c.name)), MinChanges::Any),
                ChannelKind::Jsonl { path } => (
                    Box::new(JsonlChannel::new(&c.name, path.clone())),
                    MinChanges::Any,
                ),
                ChannelKind::Email(_) => {
                    return Err(AppError::Usage(format!(
                        "channel `{}`: the email channel is not available in this build yet",
                        c.name
                    )))
                }
            };
            channels.push(Configured {
                channel,
                retry: c.retry.clone(),
                min_changes,
            });
        }
        let (_, now_ns) = super::now();
        Ok(Deliverer {
            channels,
            owner: format!("{}-{now_ns}", std::process::id()),
        })
    }

    pub fn names(&self) -> Vec<String> {
        self.channels
            .iter()
            .map(|c| c.channel.name().to_string())
            .collect()
    }

    pub fn channels_mut(&mut self) -> impl Iterator<Item = &mut Box<dyn Channel>> {
        self.channels.iter_mut().map(|c| &mut c.channel)
    }

    /// Sends what `pass` selects from the outbox.
    pub fn deliver(&mut self, store: &Store, pass: Pass) -> Result<Delivered, AppError> {
        let names = self.names();
        let (_, now_ns) = super::now();
        let due = (pass == Pass::Due).then_some(now_ns);
        let pending = store.pending(&names, due, pass == Pass::Retry)?;
        let mut done = Delivered::default();
        for d in pending {
            let Some(conf) = self
                .channels
                .iter_mut()
                .find(|c| c.channel.name() == d.channel)
            else {
                continue;
            };
            let (_, now_ns) = super::now();
            let until = now_ns.saturating_add(LEASE.as_nanos() as i64);
            if !store.lease(&d.alert_id, &d.channel, &self.owner, now_ns, until)? {
                continue;
            }
            let Some(alert) = store.alert(&d.alert_id)? else {
                continue;
            };
            let (now, _) = super::now();
            if conf.min_changes == MinChanges::Facts && !alert.has_facts {
                // Sentence-only edits are not for this channel: done without sending.
                store.mark_delivered(&d.alert_id, &d.channel, &now)?;
                continue;
            }
            done.attempted += 1;
            match conf.channel.send(&alert) {
                Ok(()) => {
                    failpoint::hit("after-accept");
                    store.mark_delivered(&d.alert_id, &d.channel, &now)?;
                    done.delivered += 1;
                }
                Err(e) => {
                    let next = now_ns.saturating_add(backoff(&conf.retry, d.attempts, now_ns));
                    let msg = format!("alert {} to channel {}: {e}", d.alert_id, d.channel);
                    tracing::warn!("{msg}");
                    store.mark_failed(&d.alert_id, &d.channel, &e.to_string(), e.is_permanent(), next)?;
                    done.failed += 1;
                    done.errors.push(msg);
                }
            }
        }
        Ok(done)
    }
}

/// Exponential backoff with jitter: `initial · 2^attempts`, capped at `max`, then scaled by a
/// factor in [0.5, 1.0) so that many alerts failing together do not retry in lockstep.
pub fn backoff(policy: &RetryPolicy, attempts: u32, seed: i64) -> i64 {
    let initial = policy.initial.as_nanos() as f64;
    let max = policy.max.as_nanos() as f64;
    let base = (initial * 2f64.powi(attempts.min(30) as i32)).min(max);
    let jitter = 0.5 + ((seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64 * 0.5;
    (base * jitter) as i64
}
