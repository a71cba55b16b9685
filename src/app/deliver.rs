//! Delivery from the outbox: each pending alert to each channel, under a lease, recorded as
//! delivered in its own small transaction right after the channel accepted it.
//!
//! Each channel delivers on its own thread with its own connection to the state, so a channel
//! that blocks (an SMTP server that does not answer) never delays another. `check` and
//! `retry` run one pass per channel ([`Deliverer::deliver`]); the daemon keeps one worker per
//! channel ([`Deliverer::start_workers`]) that wakes when alerts are queued and on its own
//! backoff. A channel that fails as a whole (`ChannelError::Down`: no connection, a timeout,
//! a full disk) stops its batch there: the alerts after the failed one are not tried and wait
//! for the channel's next backoff step, instead of each costing a timeout.
//!
//! A stop (SIGTERM, SIGINT) lets each channel finish the alert in flight and record it, for at
//! most [`GRACE`]; nothing new is started.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::error::AppError;
use super::failpoint;
use crate::channel::{Channel, ChannelError, EmailChannel, JsonlChannel, LogChannel};
use crate::config::{ChannelKind, Config, MinChanges, RetryPolicy};
use crate::store::{Delivery, Store, StoredAlert};

/// How long a delivery lease lasts: longer than any channel's timeout, short enough that a
/// crashed sender's alerts are picked up again soon.
const LEASE: Duration = Duration::from_secs(300);

/// How long a stop waits for the deliveries in flight before the process ends without them
/// (each stays leased by a process that is gone, and is taken over at once by the next).
pub const GRACE: Duration = Duration::from_secs(5);

/// How often a daemon worker looks at the outbox with nothing to wake it: retries that came
/// due.
const TICK: Duration = Duration::from_secs(1);

/// The note left on a delivery while a channel that cannot tell what it received later
/// (SMTP) is given the alert; replaced by the outcome, left behind by a crash.
const IN_FLIGHT: &str =
    "attempt under way (left here if its sender was cut off: the server may have it)";

/// Test hook: the jsonl channels' writes fail after this many bytes, as on a full disk.
const JSONL_FAIL_AFTER: &str = "DOSSIER_TEST_JSONL_FAIL_AFTER";

/// Which pending deliveries a pass takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    /// `check`: every pending delivery once, backoff ignored, permanent failures left alone.
    EveryPending,
    /// The daemon: only those whose backoff has expired.
    Due,
    /// `retry`: everything pending, permanent failures included, `max_per_hour` not applied.
    Retry,
}

/// What a delivery pass did.
#[derive(Debug, Clone, Default)]
pub struct Delivered {
    pub attempted: usize,
    pub delivered: usize,
    pub failed: usize,
    /// Not tried because their channel failed as a whole in this pass: they wait for its next
    /// backoff step.
    pub deferred: usize,
    /// Not tried because a stop (a signal) came first.
    pub left: usize,
    /// Sent again after an attempt that a crash cut off while the server may have had it.
    pub resent_after_cut: usize,
    /// A channel failed as a whole.
    pub down: bool,
    pub errors: Vec<String>,
}

impl Delivered {
    fn add(&mut self, o: Delivered) {
        self.attempted += o.attempted;
        self.delivered += o.delivered;
        self.failed += o.failed;
        self.deferred += o.deferred;
        self.left += o.left;
        self.resent_after_cut += o.resent_after_cut;
        self.down |= o.down;
        self.errors.extend(o.errors);
    }
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
        Deliverer::from_config_echoed(config, false)
    }

    /// [`Deliverer::from_config`]; `echoed`: the report is on the terminal already (`check`
    /// at a terminal whose only channel is the log), so the log channel does not repeat it.
    pub fn from_config_echoed(config: &Config, echoed: bool) -> Result<Deliverer, AppError> {
        let lang = config.report.language;
        let fail_after = std::env::var(JSONL_FAIL_AFTER)
            .ok()
            .and_then(|v| v.parse::<u64>().ok());
        let mut channels = Vec::new();
        for c in &config.channels {
            let mut digest = None;
            let mut max_per_hour = None;
            let (channel, min_changes): (Box<dyn Channel>, MinChanges) = match &c.kind {
                ChannelKind::Log => (
                    Box::new(LogChannel::new(&c.name, lang).echoed(echoed)),
                    MinChanges::Any,
                ),
                ChannelKind::Jsonl { path } => (
                    Box::new(JsonlChannel::new(&c.name, path.clone()).fail_after(fail_after)),
                    MinChanges::Any,
                ),
                ChannelKind::Email(e) => {
                    digest = e.digest;
                    max_per_hour = e.max_per_hour;
                    let ch = EmailChannel::new(&c.name, e, lang)
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

    /// Sends what `pass` selects from the outbox of the state at `state`, every channel at
    /// once, each on its own thread with its own connection. Returns when every channel is
    /// done, or, once `stop` is set, when the deliveries in flight are recorded (at most
    /// [`GRACE`]: a channel still busy then is left behind, and so are its later uses).
    pub fn deliver(
        &mut self,
        state: &Path,
        pass: Pass,
        stop: &Arc<AtomicBool>,
    ) -> Result<Delivered, AppError> {
        let (tx, rx) = mpsc::channel();
        let count = self.channels.len();
        let mut running = 0;
        for (i, conf) in std::mem::take(&mut self.channels).into_iter().enumerate() {
            let tx = tx.clone();
            let state = state.to_path_buf();
            let owner = self.owner.clone();
            let stop = stop.clone();
            let name = conf.channel.name().to_string();
            std::thread::Builder::new()
                .name(format!("deliver {name}"))
                .spawn(move || {
                    let mut conf = conf;
                    let r = Store::open_existing(&state)
                        .map_err(AppError::from)
                        .and_then(|store| run_pass(&store, &mut conf, &owner, pass, &stop));
                    let _ = tx.send((i, conf, r));
                })
                .map_err(|source| AppError::Io {
                    what: "a delivery thread".into(),
                    source,
                })?;
            running += 1;
        }
        drop(tx);
        let mut back: Vec<Option<Configured>> = (0..count).map(|_| None).collect();
        let mut total = Delivered::default();
        let mut first_err = None;
        let mut grace: Option<Instant> = None;
        while running > 0 {
            let wait = grace.map_or(Duration::from_millis(50), |t| {
                t.saturating_duration_since(Instant::now())
            });
            match rx.recv_timeout(wait) {
                Ok((i, conf, r)) => {
                    running -= 1;
                    back[i] = Some(conf);
                    match r {
                        Ok(d) => total.add(d),
                        Err(e) => {
                            first_err.get_or_insert(e);
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => match grace {
                    None if stop.load(Ordering::SeqCst) => {
                        grace = Some(Instant::now() + GRACE);
                    }
                    Some(t) if Instant::now() >= t => {
                        tracing::warn!(
                            "{running} channel(s) still busy {} s after the stop: ending without \
                             them (what they were sending stays in the outbox)",
                            GRACE.as_secs()
                        );
                        break;
                    }
                    _ => {}
                },
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        self.channels = back.into_iter().flatten().collect();
        match first_err {
            Some(e) => Err(e),
            None => Ok(total),
        }
    }

    /// The daemon's delivery: one long-lived worker per channel, on its own thread with its
    /// own connection to `state`, delivering what is due when woken ([`Workers::wake`]) and
    /// every [`TICK`], and waiting out its own backoff after the channel failed as a whole.
    pub fn start_workers(self, state: &Path) -> Result<Workers, AppError> {
        let stop = Arc::new(AtomicBool::new(false));
        let mut workers = Vec::new();
        for conf in self.channels {
            let (wake, woken) = mpsc::channel();
            let name = conf.channel.name().to_string();
            let args = WorkerArgs {
                state: state.to_path_buf(),
                owner: self.owner.clone(),
                stop: stop.clone(),
                woken,
            };
            let handle = std::thread::Builder::new()
                .name(format!("deliver {name}"))
                .spawn(move || worker(conf, args))
                .map_err(|source| AppError::Io {
                    what: "a delivery thread".into(),
                    source,
                })?;
            workers.push((wake, handle));
        }
        Ok(Workers { workers, stop })
    }
}

/// The daemon's delivery workers, one per channel.
pub struct Workers {
    workers: Vec<(mpsc::Sender<()>, std::thread::JoinHandle<()>)>,
    stop: Arc<AtomicBool>,
}

impl Workers {
    /// Alerts were queued: every channel not waiting out a backoff looks at once.
    pub fn wake(&self) {
        for (wake, _) in &self.workers {
            let _ = wake.send(());
        }
    }

    /// Stops every worker once it has recorded the alert it is sending; waits at most
    /// `grace` for all of them.
    pub fn stop(self, grace: Duration) {
        self.stop.store(true, Ordering::SeqCst);
        self.wake();
        let deadline = Instant::now() + grace;
        let mut busy = self.workers.len();
        for (_, handle) in self.workers {
            while !handle.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(10));
            }
            if handle.is_finished() {
                busy -= 1;
                let _ = handle.join();
            }
        }
        if busy > 0 {
            tracing::warn!(
                "{busy} channel(s) still busy {} s after the stop: ending without them (what \
                 they were sending stays in the outbox)",
                grace.as_secs()
            );
        }
    }
}

struct WorkerArgs {
    state: PathBuf,
    owner: String,
    stop: Arc<AtomicBool>,
    woken: mpsc::Receiver<()>,
}

fn worker(mut conf: Configured, args: WorkerArgs) {
    let name = conf.channel.name().to_string();
    let mut store: Option<Store> = None;
    let mut down_until: Option<Instant> = None;
    let mut failures: u32 = 0;
    loop {
        if args.stop.load(Ordering::SeqCst) {
            break;
        }
        let now = Instant::now();
        let wait = down_until.map_or(TICK, |t| t.saturating_duration_since(now).min(TICK));
        match args.woken.recv_timeout(wait) {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if args.stop.load(Ordering::SeqCst) {
            break;
        }
        if down_until.is_some_and(|t| Instant::now() < t) {
            continue;
        }
        while args.woken.try_recv().is_ok() {}
        let s = match store.take() {
            Some(s) => s,
            None => match Store::open_existing(&args.state) {
                Ok(s) => s,
                Err(e) => {
                    tracing::error!("channel {name}: {e}");
                    down_until = Some(Instant::now() + TICK * 5);
                    continue;
                }
            },
        };
        match run_pass(&s, &mut conf, &args.owner, Pass::Due, &args.stop) {
            Ok(done) => {
                if done.attempted > 0 {
                    tracing::info!(
                        "channel {name}: {} alert deliveries sent, {} failed",
                        done.delivered,
                        done.failed
                    );
                }
                if done.down {
                    let (_, now_ns) = super::now();
                    let wait = backoff(&conf.retry, failures, now_ns).max(0) as u64;
                    failures = failures.saturating_add(1);
                    let wait = Duration::from_nanos(wait);
                    down_until = Some(Instant::now() + wait);
                    tracing::info!(
                        "channel {name}: down; {} alert(s) wait for the next attempt in {:.1} s",
                        done.deferred + done.failed,
                        wait.as_secs_f64()
                    );
                } else if done.attempted > 0 {
                    failures = 0;
                    down_until = None;
                }
            }
            Err(e) => {
                tracing::error!("channel {name}: {e}");
                down_until = Some(Instant::now() + TICK * 5);
            }
        }
        store = Some(s);
    }
}

/// One pass of one channel over the outbox: what `pass` selects for it, in the order the
/// alerts were made, each recorded as soon as the channel accepted it.
fn run_pass(
    store: &Store,
    conf: &mut Configured,
    owner: &str,
    pass: Pass,
    stop: &AtomicBool,
) -> Result<Delivered, AppError> {
    let name = conf.channel.name().to_string();
    let (_, now_ns) = super::now();
    let due = (pass == Pass::Due).then_some(now_ns);
    let mine = store.pending(std::slice::from_ref(&name), due, pass == Pass::Retry)?;
    let mut done = Delivered::default();
    if mine.is_empty() {
        return Ok(done);
    }
    let mut budget = usize::MAX;
    if let (Some(max), false) = (conf.max_per_hour, pass == Pass::Retry) {
        let sent = store.delivered_since(&name, now_ns - HOUR_NS)?;
        budget = (max as usize).saturating_sub(sent);
    }
    let result = match conf.digest {
        Some(window) => digest_pass(
            store, conf, &name, owner, &mine, window, pass, budget, &mut done,
        ),
        None => alert_pass(store, conf, &name, owner, &mine, budget, stop, &mut done),
    };
    conf.channel.finish();
    result.map(|()| done)
}

/// Alerts one at a time, each recorded right after the channel accepted it.
#[allow(clippy::too_many_arguments)]
fn alert_pass(
    store: &Store,
    conf: &mut Configured,
    name: &str,
    owner: &str,
    mine: &[Delivery],
    budget: usize,
    stop: &AtomicBool,
    done: &mut Delivered,
) -> Result<(), AppError> {
    let mut sent = 0;
    for (i, d) in mine.iter().enumerate() {
        if stop.load(Ordering::SeqCst) {
            done.left += mine.len() - i;
            break;
        }
        // Alerts the channel does not want are marked done by `take` whatever the budget.
        let Some(alert) = take(store, d, name, owner, conf.min_changes)? else {
            continue;
        };
        if sent >= budget {
            store.release(&alert.id, name)?;
            tracing::info!(
                "channel {name}: its messages for this hour (max_per_hour) are sent; the rest wait"
            );
            break;
        }
        sent += 1;
        done.attempted += 1;
        if d.last_error.as_deref() == Some(IN_FLIGHT) {
            done.resent_after_cut += 1;
            tracing::warn!(
                "alert {} to channel {name}: an earlier attempt was cut off while it was being \
                 sent; sending it again (the server may have had it: it may arrive twice)",
                alert.id
            );
        }
        if conf.channel.cannot_tell_if_received() {
            store.note_attempt(&alert.id, name, IN_FLIGHT)?;
        }
        match conf.channel.send(&alert) {
            Ok(()) => {
                failpoint::hit("after-accept");
                let (now, now_ns) = super::now();
                store.mark_accepted(&alert.id, name, &now, now_ns)?;
                done.delivered += 1;
            }
            Err(e) => {
                let whole = e.is_channel_wide();
                let shown = e.to_string();
                failed(store, name, &[alert], d.attempts, e, &conf.retry, done)?;
                if whole {
                    // The destination is down: the rest would fail the same way.
                    let rest = mine.len() - i - 1;
                    done.deferred += rest;
                    done.down = true;
                    if rest > 0 {
                        tracing::warn!(
                            "channel {name}: {rest} more alert(s) not tried now ({shown}); they \
                             wait for the channel's next attempt"
                        );
                    }
                    break;
                }
            }
        }
    }
    Ok(())
}

/// A digest goes as one message: every alert it holds is leased, sent together once its
/// window closed, and recorded together.
#[allow(clippy::too_many_arguments)]
fn digest_pass(
    store: &Store,
    conf: &mut Configured,
    name: &str,
    owner: &str,
    mine: &[Delivery],
    window: Duration,
    pass: Pass,
    budget: usize,
    done: &mut Delivered,
) -> Result<(), AppError> {
    let (_, now_ns) = super::now();
    let mut batch: Vec<(StoredAlert, u32)> = Vec::new();
    for d in mine {
        if let Some(a) = take(store, d, name, owner, conf.min_changes)? {
            batch.push((a, d.attempts));
        }
    }
    if batch.is_empty() {
        return Ok(());
    }
    let oldest = batch
        .iter()
        .map(|(a, _)| created_ns(a))
        .min()
        .unwrap_or(now_ns);
    if budget == 0 || pass != Pass::Retry && oldest + window.as_nanos() as i64 > now_ns {
        // The window is still open (or this hour's messages are sent): wait, leases given
        // back.
        for (a, _) in &batch {
            store.release(&a.id, name)?;
        }
        return Ok(());
    }
    let attempts = batch.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let alerts: Vec<StoredAlert> = batch.into_iter().map(|(a, _)| a).collect();
    done.attempted += 1;
    if conf.channel.cannot_tell_if_received() {
        for a in &alerts {
            store.note_attempt(&a.id, name, IN_FLIGHT)?;
        }
    }
    match conf.channel.send_batch(&alerts) {
        Ok(()) => {
            failpoint::hit("after-accept");
            let (now, now_ns) = super::now();
            let ids: Vec<&str> = alerts.iter().map(|a| a.id.as_str()).collect();
            store.mark_accepted_all(&ids, name, &now, now_ns)?;
            done.delivered += alerts.len();
        }
        Err(e) => {
            done.down |= e.is_channel_wide();
            failed(store, name, &alerts, attempts, e, &conf.retry, done)?;
        }
    }
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
        let (now, now_ns) = super::now();
        store.mark_accepted(&d.alert_id, channel, &now, now_ns)?;
        return Ok(None);
    }
    Ok(Some(alert))
}

/// Records a failed attempt of one send (of one alert, or of a digest) in the outbox.
fn failed(
    store: &Store,
    channel: &str,
    alerts: &[StoredAlert],
    attempts: u32,
    e: ChannelError,
    retry: &RetryPolicy,
    done: &mut Delivered,
) -> Result<(), AppError> {
    let (_, now_ns) = super::now();
    let next = now_ns.saturating_add(backoff(retry, attempts, now_ns));
    let permanent = e.is_permanent() || attempts + 1 >= retry.max_attempts;
    for a in alerts {
        let msg = format!("alert {} to channel {channel}: {e}", a.id);
        tracing::warn!("{msg}");
        store.mark_failed(&a.id, channel, &e.to_string(), permanent, next)?;
        done.errors.push(msg);
    }
    done.failed += alerts.len();
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
    #![allow(clippy::unwrap_used)]
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

    fn deliverer(channels: Vec<Box<dyn Channel>>) -> Deliverer {
        Deliverer {
            channels: channels.into_iter().map(configured).collect(),
            owner: format!("{}-1", std::process::id()),
        }
    }

    #[test]
    fn each_alert_goes_once_and_is_recorded_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let n = 300;
        let store = store_with_alerts(dir.path(), n, "j");
        let path = dir.path().join("alerts.jsonl");
        let mut d = deliverer(vec![Box::new(JsonlChannel::new("j", path.clone()))]);
        let stop = Arc::new(AtomicBool::new(false));
        let done = d.deliver(store.path(), Pass::EveryPending, &stop).unwrap();
        assert_eq!((done.attempted, done.delivered, done.failed), (n, n, 0));
        assert_eq!(store.pending_count().unwrap(), 0);
        let again = d.deliver(store.path(), Pass::EveryPending, &stop).unwrap();
        assert_eq!(again.attempted, 0);
        let text = std::fs::read_to_string(&path).unwrap();
        let ids: std::collections::BTreeSet<String> = text
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string())
            .collect();
        assert_eq!(text.lines().count(), n);
        assert_eq!(ids.len(), n);
    }

    /// Accepts `ok` alerts, then fails as a whole (a server gone), counting what it was given.
    struct GoesDown {
        name: &'static str,
        ok: usize,
        given: Arc<std::sync::atomic::AtomicUsize>,
        slow: Duration,
    }

    impl Channel for GoesDown {
        fn name(&self) -> &str {
            self.name
        }
        fn send(&mut self, _: &StoredAlert) -> Result<(), ChannelError> {
            std::thread::sleep(self.slow);
            let n = self.given.fetch_add(1, Ordering::SeqCst);
            if n < self.ok {
                Ok(())
            } else {
                Err(ChannelError::down("server gone"))
            }
        }
    }

    #[test]
    fn a_channel_down_stops_its_batch_and_not_the_others() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_alerts(dir.path(), 20, "down");
        // The same alerts for a second, healthy and slower channel.
        rusqlite::Connection::open(store.path())
            .unwrap()
            .execute_batch(
                "INSERT INTO deliveries (alert_id, channel) SELECT id, 'slow' FROM alerts",
            )
            .unwrap();
        let down = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let slow = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut d = deliverer(vec![
            Box::new(GoesDown {
                name: "down",
                ok: 3,
                given: down.clone(),
                slow: Duration::ZERO,
            }),
            Box::new(GoesDown {
                name: "slow",
                ok: usize::MAX,
                given: slow.clone(),
                slow: Duration::from_millis(2),
            }),
        ]);
        let stop = Arc::new(AtomicBool::new(false));
        let done = d.deliver(store.path(), Pass::EveryPending, &stop).unwrap();
        assert_eq!(
            down.load(Ordering::SeqCst),
            4,
            "three accepted, one failed, no more"
        );
        assert_eq!(slow.load(Ordering::SeqCst), 20);
        assert_eq!(
            (done.delivered, done.failed, done.deferred),
            (23, 1, 16),
            "{done:?}"
        );
        assert!(done.down);
        assert_eq!(store.pending_count().unwrap(), 17);
    }

    #[test]
    fn a_stop_ends_the_pass_after_the_alert_in_flight() {
        let dir = tempfile::tempdir().unwrap();
        let store = store_with_alerts(dir.path(), 50, "slow");
        let given = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut d = deliverer(vec![Box::new(GoesDown {
            name: "slow",
            ok: usize::MAX,
            given: given.clone(),
            slow: Duration::from_millis(20),
        })]);
        let stop = Arc::new(AtomicBool::new(false));
        let setter = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(100));
                stop.store(true, Ordering::SeqCst);
            })
        };
        let done = d.deliver(store.path(), Pass::EveryPending, &stop).unwrap();
        setter.join().unwrap();
        let sent = given.load(Ordering::SeqCst);
        assert!(sent < 50, "{sent}");
        assert_eq!(done.delivered, sent, "what was accepted is recorded");
        assert_eq!(done.left, 50 - sent);
        assert_eq!(store.pending_count().unwrap(), 50 - sent);
    }
}
