//! Delivery from the outbox: each pending alert to each channel, under a lease, marked done
//! only after the channel accepted it.

use std::time::Duration;

use super::error::AppError;
use super::failpoint;
use crate::channel::{Channel, ChannelError, EmailChannel, JsonlChannel, LogChannel};
use crate::config::{ChannelKind, Config, MinChanges, RetryPolicy};
use crate::store::{Delivery, Store, StoredAlert};

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
    /// One message per window instead of one per alert.
    digest: Option<Duration>,
    /// At most this many messages an hour; the rest wait, never dropped.
    max_per_hour: Option<u32>,
}

/// The configured channels, ready to send.
pub struct Deliverer {
    channels: Vec<Configured>,
    owner: String,
}

const HOUR_NS: i64 = 3_600_000_000_000;

fn created_ns(alert: &StoredAlert) -> i64 {
    alert
        .created
        .parse::<jiff::Timestamp>()
        .map(|t| t.as_nanosecond() as i64)
        .unwrap_or(0)
}

impl Deliverer {
    pub fn from_config(config: &Config) -> Result<Deliverer, AppError> {
        let mut channels = Vec::new();
        for c in &config.channels {
            let mut digest = None;
            let mut max_per_hour = None;
            let (channel, min_changes): (Box<dyn Channel>, MinChanges) = match &c.kind {
                ChannelKind::Log => (Box::new(LogChannel::new(&c.name)), MinChanges::Any),
                ChannelKind::Jsonl { path } => (
                    Box::new(JsonlChannel::new(&c.name, path.clone())),
                    MinChanges::Any,
                ),
                ChannelKind::Email(e) => {
                    digest = e.digest;
                    max_per_hour = e.max_per_hour;
                    let ch = EmailChannel::new(&c.name, e)
                        .map_err(|err| AppError::Usage(err.to_string()))?;
                    (Box::new(ch), e.min_changes)
                }
            };
            channels.push(Configured {
                channel,
                retry: c.retry.clone(),
                min_changes,
                digest,
                max_per_hour,
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

    /// Sends what `pass` selects from the outbox, channel by channel.
    pub fn deliver(&mut self, store: &Store, pass: Pass) -> Result<Delivered, AppError> {
        let names = self.names();
        let (_, now_ns) = super::now();
        let due = (pass == Pass::Due).then_some(now_ns);
        let pending = store.pending(&names, due, pass == Pass::Retry)?;
        let mut done = Delivered::default();
        for conf in &mut self.channels {
            let name = conf.channel.name().to_string();
            let mine: Vec<&Delivery> = pending.iter().filter(|d| d.channel == name).collect();
            if mine.is_empty() {
                continue;
            }
            let mut budget = usize::MAX;
            if let Some(max) = conf.max_per_hour {
                let sent = store.delivered_since(&name, now_ns - HOUR_NS)?;
                budget = (max as usize).saturating_sub(sent);
                if budget == 0 {
                    tracing::info!(
                        "channel {name}: {max} messages this hour already; the rest wait"
                    );
                    continue;
                }
            }
            if let Some(window) = conf.digest {
                // A digest goes as one message: lease and load all it will hold.
                let mut batch: Vec<(StoredAlert, u32)> = Vec::new();
                for d in mine {
                    if let Some(a) = take(store, d, &name, &self.owner, conf.min_changes)? {
                        batch.push((a, d.attempts));
                    }
                }
                if batch.is_empty() {
                    continue;
                }
                let oldest = batch
                    .iter()
                    .map(|(a, _)| created_ns(a))
                    .min()
                    .unwrap_or(now_ns);
                if pass != Pass::Retry && oldest + window.as_nanos() as i64 > now_ns {
                    // The window is still open: wait for it to close, leases given back.
                    for (a, _) in &batch {
                        store.release(&a.id, &name)?;
                    }
                    continue;
                }
                let attempts = batch.iter().map(|(_, n)| *n).max().unwrap_or(0);
                let alerts: Vec<StoredAlert> = batch.into_iter().map(|(a, _)| a).collect();
                done.attempted += 1;
                let result = conf
                    .channel
                    .send_batch(&alerts)
                    .and_then(|_| conf.channel.flush());
                finish(
                    store,
                    &name,
                    &alerts,
                    attempts,
                    result,
                    &conf.retry,
                    &mut done,
                )?;
                continue;
            }
            // One at a time, recorded in groups: each alert is leased and handed to the
            // channel, then the channel makes the group durable once (`flush`: the jsonl
            // channel's one fdatasync) and the outbox records the group in one transaction.
            // A crash mid-group leaves its alerts leased and not delivered: sent again, and
            // the channel's idempotence (the jsonl tail check) keeps them from doubling.
            let mut sent = 0;
            let mut group: Vec<(StoredAlert, u32)> = Vec::new();
            for d in mine {
                if sent >= budget {
                    break;
                }
                let Some(alert) = take(store, d, &name, &self.owner, conf.min_changes)? else {
                    continue;
                };
                sent += 1;
                done.attempted += 1;
                match conf.channel.send(&alert) {
                    Ok(()) => {
                        failpoint::hit("after-accept");
                        group.push((alert, d.attempts));
                        if group.len() >= GROUP {
                            flush_group(store, conf, &name, &mut group, &mut done)?;
                        }
                    }
                    Err(e) => {
                        flush_group(store, conf, &name, &mut group, &mut done)?;
                        finish(
                            store,
                            &name,
                            std::slice::from_ref(&alert),
                            d.attempts,
                            Err(e),
                            &conf.retry,
                            &mut done,
                        )?;
                    }
                }
            }
            flush_group(store, conf, &name, &mut group, &mut done)?;
        }
        Ok(done)
    }
}

/// Alerts accepted by a channel before it is flushed and the outbox told: few enough that a
/// crash re-sends little (and the channel skips what it already has), many enough that the
/// jsonl channel's fdatasync and the outbox's commit are paid once for many alerts.
const GROUP: usize = 256;

/// Makes a group of accepted alerts durable in the channel, then records them delivered in
/// one transaction; a failed flush is a failed attempt for each (they may be sent again).
fn flush_group(
    store: &Store,
    conf: &mut Configured,
    name: &str,
    group: &mut Vec<(StoredAlert, u32)>,
    done: &mut Delivered,
) -> Result<(), AppError> {
    if group.is_empty() {
        return Ok(());
    }
    match conf.channel.flush() {
        Ok(()) => {
            let ids: Vec<&str> = group.iter().map(|(a, _)| a.id.as_str()).collect();
            store.mark_delivered_all(&ids, name, &super::now().0)?;
            done.delivered += group.len();
        }
        Err(e) => {
            let msg = e.to_string();
            for (alert, attempts) in group.iter() {
                let err = if e.is_permanent() {
                    ChannelError::Permanent(msg.clone())
                } else {
                    ChannelError::Transient(msg.clone())
                };
                finish(
                    store,
                    name,
                    std::slice::from_ref(alert),
                    *attempts,
                    Err(err),
                    &conf.retry,
                    done,
                )?;
            }
        }
    }
    group.clear();
    Ok(())
}

/// Leases one delivery and loads its alert; `None` when another sender has it, or when the
/// channel does not want it (`min_changes = "facts"` and only sentences changed: then it is
/// marked done without sending).
fn take(
    store: &Store,
    d: &Delivery,
    channel: &str,
    owner: &str,
    min_changes: MinChanges,
) -> Result<Option<StoredAlert>, AppError> {
    let (_, now_ns) = super::now();
    let until = now_ns.saturating_add(LEASE.as_nanos() as i64);
    if !store.lease(&d.alert_id, channel, owner, now_ns, until)? {
        return Ok(None);
    }
    let Some(alert) = store.alert(&d.alert_id)? else {
        return Ok(None);
    };
    if min_changes == MinChanges::Facts && !alert.has_facts {
        store.mark_delivered(&d.alert_id, channel, &super::now().0)?;
        return Ok(None);
    }
    Ok(Some(alert))
}

/// Records the outcome of one send (of one alert, or of a digest) in the outbox.
fn finish(
    store: &Store,
    channel: &str,
    alerts: &[StoredAlert],
    attempts: u32,
    result: Result<(), ChannelError>,
    retry: &RetryPolicy,
    done: &mut Delivered,
) -> Result<(), AppError> {
    let (now, now_ns) = super::now();
    match result {
        Ok(()) => {
            failpoint::hit("after-accept");
            for a in alerts {
                store.mark_delivered(&a.id, channel, &now)?;
            }
            done.delivered += alerts.len();
        }
        Err(e) => {
            let next = now_ns.saturating_add(backoff(retry, attempts, now_ns));
            let permanent = e.is_permanent() || attempts + 1 >= retry.max_attempts;
            for a in alerts {
                let msg = format!("alert {} to channel {channel}: {e}", a.id);
                tracing::warn!("{msg}");
                store.mark_failed(&a.id, channel, &e.to_string(), permanent, next)?;
                done.errors.push(msg);
            }
            done.failed += alerts.len();
        }
    }
    Ok(())
}

/// Exponential backoff with jitter: `initial · 2^attempts`, capped at `max`, then scaled by a
/// factor in [0.5, 1.0) so that many alerts failing together do not retry in lockstep.
pub fn backoff(policy: &RetryPolicy, attempts: u32, seed: i64) -> i64 {
    let initial = policy.initial.as_nanos() as f64;
    let max = policy.max.as_nanos() as f64;
    let base = (initial * 2f64.powi(attempts.min(30) as i32)).min(max);
    let jitter = 0.5
        + ((seed as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 11) as f64 / (1u64 << 53) as f64
            * 0.5;
    (base * jitter) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::ChangeReport;

    fn configured(channel: Box<dyn Channel>) -> Configured {
        Configured {
            channel,
            retry: RetryPolicy::default(),
            min_changes: MinChanges::Any,
            digest: None,
            max_per_hour: None,
        }
    }

    /// A store holding `n` alerts queued for the channel `name`.
    fn store_with_alerts(dir: &std::path::Path, n: usize, name: &str) -> Store {
        let mut store = Store::open(&dir.join("state.db")).unwrap();
        let batch = store.batch().unwrap();
        for i in 0..n {
            let alert = StoredAlert {
                id: format!("alert{i:05}"),
                created: "2026-11-23T08:00:00Z".into(),
                path: format!("d/{i}.txt"),
                has_facts: true,
                report: ChangeReport::default(),
                previous: None,
            };
            batch.enqueue_alert(&alert, &[name.to_string()]).unwrap();
        }
        batch.commit().unwrap();
        store
    }

    #[test]
    fn alerts_delivered_in_groups_go_once_each() {
        let dir = tempfile::tempdir().unwrap();
        let n = GROUP * 2 + 7;
        let store = store_with_alerts(dir.path(), n, "j");
        let path = dir.path().join("alerts.jsonl");
        let mut d = Deliverer {
            channels: vec![configured(Box::new(JsonlChannel::new("j", path.clone())))],
            owner: format!("{}-1", std::process::id()),
        };
        let done = d.deliver(&store, Pass::EveryPending).unwrap();
        assert_eq!((done.attempted, done.delivered, done.failed), (n, n, 0));
        assert_eq!(store.pending_count().unwrap(), 0);
        let again = d.deliver(&store, Pass::EveryPending).unwrap();
        assert_eq!(again.attempted, 0);
        let text = std::fs::read_to_string(&path).unwrap();
        let ids: std::collections::BTreeSet<String> = text
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
            .collect();
        assert_eq!(text.lines().count(), n);
        assert_eq!(ids.len(), n);
    }

    /// Accepts every alert but cannot make them durable.
    struct Unsyncable {
        sent: usize,
    }

    impl Channel for Unsyncable {
        fn name(&self) -> &str {
            "u"
        }
        fn send(&mut self, _: &StoredAlert) -> Result<(), ChannelError> {
            self.sent += 1;
            Ok(())
        }
        fn flush(&mut self) -> Result<(), ChannelError> {
            Err(ChannelError::Transient("disk full".into()))
        }
    }

    #[test]
    fn a_group_that_cannot_be_flushed_stays_in_the_outbox() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_alerts(dir.path(), 5, "u");
        let mut d = Deliverer {
            channels: vec![configured(Box::new(Unsyncable { sent: 0 }))],
            owner: format!("{}-1", std::process::id()),
        };
        let done = d.deliver(&store, Pass::EveryPending).unwrap();
        assert_eq!((done.attempted, done.delivered, done.failed), (5, 0, 5));
        assert_eq!(store.pending_count().unwrap(), 5);
        assert!(done.errors.iter().all(|e| e.contains("disk full")));
    }
}
