//! `dossier watch`: reconcile, then follow file events until SIGTERM/SIGINT; SIGHUP reloads.
//!
//! Every event is only a hint: after `debounce` of quiet the daemon compares the paths the
//! events named with the store (`reconcile.rs`: a stat per path, a walk of a named folder,
//! reads only what moved), so an event doubled or out of order cannot lose or double an
//! alert. A full comparison of the folder, as `check` does, runs at start, after lost events
//! (queue overflow, a broken watch), after a reload, while the folder holds links, and whenever
//! a batch's paths alone cannot settle it. Undelivered alerts are retried with backoff.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sd_notify::NotifyState;
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};

use super::check::{CheckOptions, Pipeline};
use super::deliver::{Deliverer, Workers, GRACE};
use super::error::AppError;
use super::reconcile::Partial;
use crate::config::{self, Config, Env, Overrides};
use crate::ingest::Filter;
use crate::watch::{self, Hints, Msg};

/// Hints queued between the notify thread and the loop; past this, an overflow and a rescan.
const QUEUE: usize = 4096;

/// SQLite's page cache once the daemon is past its start, in KiB.
const DAEMON_CACHE_KIB: u32 = 2048;

/// How often the loop wakes with nothing to do: outbox retries, watchdog, status.
const TICK: Duration = Duration::from_millis(500);

/// Paths remembered for the next reconcile; past this many, a full check instead (the same
/// work, without holding the names).
const MAX_HINTED: usize = 100_000;

fn notify(states: &[NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::debug!("sd_notify: {e}");
    }
}

struct Daemon {
    pipeline: Pipeline,
    /// One delivery worker per channel (`deliver.rs`); `None` only while being replaced.
    workers: Option<Workers>,
    watcher: watch::Watcher,
    hints: Hints,
    overflow: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    /// Paths named by events since the last reconcile (and files it could not read).
    hinted: HashSet<PathBuf>,
    /// The next reconcile must compare the whole folder.
    full_due: bool,
    /// The last full check found symbolic or hard links: every reconcile is a full one.
    links: bool,
    /// The configuration's globs, compiled once (not per event).
    filter: Option<Filter>,
}

impl Daemon {
    /// Remembers a path for the next reconcile.
    fn hint(&mut self, path: PathBuf) {
        if self.full_due {
            return;
        }
        self.hinted.insert(path);
        if self.hinted.len() > MAX_HINTED {
            self.hinted = HashSet::new();
            self.full_due = true;
        }
    }

    /// Compares the folder with the store (the paths named since the last time, or all of
    /// it), then delivers what is due.
    fn reconcile(&mut self, why: &str) -> Result<(), AppError> {
        let opts = CheckOptions {
            notify: true,
            allow_mass_removal: false,
            counts_only: true,
            progress: false,
            cancel: Some(self.stop.clone()),
        };
        let mut paths: Vec<PathBuf> = std::mem::take(&mut self.hinted).into_iter().collect();
        paths.sort();
        let mut full = std::mem::take(&mut self.full_due) || self.links;
        let outcome = if full {
            tracing::info!("checking the folder ({why})");
            self.pipeline.check(&opts)
        } else {
            tracing::debug!("checking {} path(s) ({why})", paths.len());
            match self.pipeline.check_paths(&paths, &opts) {
                Ok(Partial::Done(o)) => Ok(o),
                Ok(Partial::NeedsFull(why)) => {
                    tracing::info!("checking the whole folder ({why})");
                    full = true;
                    self.pipeline.check(&opts)
                }
                Err(e) => Err(e),
            }
        };
        drop(paths);
        match outcome {
            Ok(o) => {
                if o.changed > 0 {
                    tracing::info!(
                        "{} document(s) changed, {} alert(s) queued",
                        o.changed,
                        o.alerts
                    );
                }
                // The HTML dossier after each batch that changed something, and at start.
                if let Some(dir) = &self.pipeline.config.report.html_dir {
                    if o.changed > 0 || why == "start" {
                        let lang = self.pipeline.config.report.language;
                        match super::site::refresh(self.pipeline.store(), lang, dir) {
                            Ok(_) => tracing::debug!("HTML dossier written to {}", dir.display()),
                            Err(e) => {
                                tracing::warn!("the HTML dossier was not written again: {e}")
                            }
                        }
                    }
                }
                // Looked at again next time, as a full check would.
                for p in o.unread {
                    self.hint(p);
                }
            }
            // The folder gone or mostly emptied: say so and keep watching; nothing recorded,
            // and the next reconcile looks at the whole folder again.
            Err(e @ AppError::Root(_)) => {
                tracing::error!("{e}");
                self.full_due = true;
            }
            // The advice names `dossier check`, which cannot run beside the daemon (one writer
            // holds the state): say so.
            Err(e @ AppError::MassRemoval { .. }) => {
                tracing::error!(
                    "{e}, with this daemon stopped first (it holds the state); until then \
                     nothing is recorded and the whole folder is looked at again at each change"
                );
                self.full_due = true;
            }
            Err(e) => return Err(e),
        }
        if full {
            self.links = self.pipeline.folder_has_links();
            if self.links {
                tracing::info!(
                    "the folder holds symbolic or hard links: every reconcile checks all of it"
                );
            }
        }
        if let Some(w) = &self.workers {
            w.wake();
        }
        self.status();
        Ok(())
    }

    fn status(&self) {
        let docs = self.pipeline.store().document_count().unwrap_or(0);
        let pending = self.pipeline.store().pending_count().unwrap_or(0);
        let s = format!(
            "watching {docs} documents in {} ({}); {pending} alert deliveries pending",
            self.pipeline.config.watch.dir.display(),
            self.watcher.mode
        );
        notify(&[NotifyState::Status(&s)]);
    }

    /// SIGHUP: load the configuration again; a bad one is logged and the old one kept.
    fn reload(&mut self, ov: &Overrides, env: &dyn Env) {
        notify(&[NotifyState::Reloading]);
        if let Ok(now) = NotifyState::monotonic_usec_now() {
            notify(&[now]);
        }
        match config::load(ov, env) {
            Err(e) => tracing::error!("reload refused, the running configuration stays: {e}"),
            Ok(new) => match self.apply(new) {
                Ok(()) => tracing::info!("configuration reloaded"),
                Err(e) => tracing::error!("reload refused, the running configuration stays: {e}"),
            },
        }
        notify(&[NotifyState::Ready]);
        self.status();
    }

    fn apply(&mut self, mut new: Config) -> Result<(), AppError> {
        let old = &self.pipeline.config;
        if new.state.path != old.state.path {
            tracing::warn!(
                "[state] path changed to {}: that needs a restart; {} stays in use",
                new.state.path.display(),
                old.state.path.display()
            );
            new.state.path = old.state.path.clone();
        }
        let deliverer = Deliverer::from_config(&new)?;
        let state = new.state.path.clone();
        let rewatch =
            new.watch.dir != old.watch.dir || new.watch.poll_interval != old.watch.poll_interval;
        if rewatch {
            self.watcher =
                watch::start(&new.watch.dir, new.watch.poll_interval, self.hints.clone())?;
            tracing::info!(
                "now watching {} ({})",
                new.watch.dir.display(),
                self.watcher.mode
            );
        }
        // The old workers finish the alert they are sending, then the new channels start.
        if let Some(old) = self.workers.take() {
            old.stop(GRACE);
        }
        self.workers = Some(deliverer.start_workers(&state)?);
        self.filter = filter(&new);
        self.pipeline.config = new;
        self.overflow.store(true, Ordering::SeqCst); // include/exclude may have changed: rescan
        Ok(())
    }
}

/// Runs the daemon until SIGTERM or SIGINT; returns the exit code: 0, as a signal is how the
/// daemon is meant to end (a second signal during the stop ends it at once, 130 or 143).
/// `init`: start a new state (`watch --init`).
pub fn run(config: Config, ov: &Overrides, env: &dyn Env, init: bool) -> Result<u8, AppError> {
    let stop = Arc::new(AtomicBool::new(false));
    let overflow = Arc::new(AtomicBool::new(false));
    let (tx, rx) = sync_channel::<Msg>(QUEUE);

    // A second SIGTERM or SIGINT while the first one's stop waits for deliveries in flight
    // ends the process at once. Registered before the iterator: a signal's actions run in
    // that order, and the iterator's thread sets the flag as soon as it is woken.
    for sig in [SIGTERM, SIGINT] {
        signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, stop.clone()).map_err(
            |source| AppError::Io {
                what: "signal handlers".into(),
                source,
            },
        )?;
    }

    // Signals: the flag stops a long check between batches; the message wakes the loop.
    let mut signals =
        signal_hook::iterator::Signals::new([SIGTERM, SIGINT, SIGHUP]).map_err(|source| {
            AppError::Io {
                what: "signal handlers".into(),
                source,
            }
        })?;
    {
        let tx = tx.clone();
        let stop = stop.clone();
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                for sig in signals.forever() {
                    if sig != SIGHUP {
                        stop.store(true, Ordering::SeqCst);
                    }
                    if tx.send(Msg::Signal(sig)).is_err() {
                        break;
                    }
                }
            })
            .map_err(|source| AppError::Io {
                what: "the signal thread".into(),
                source,
            })?;
    }

    let deliverer = Deliverer::from_config(&config)?;
    let hints = Hints::new(tx, overflow.clone());
    // Watch before the first reconcile, so that a change made during it is not missed.
    let watcher = watch::start(&config.watch.dir, config.watch.poll_interval, hints.clone())?;
    tracing::info!("watching {} ({})", config.watch.dir.display(), watcher.mode);
    let pipeline = Pipeline::open_with(config, init)?;
    // A damaged state is found before the daemon builds on it (`check --verify` checks the
    // indexes too).
    pipeline.store().check_integrity(false)?;
    let workers = deliverer.start_workers(pipeline.store().path())?;
    let mut d = Daemon {
        pipeline,
        workers: Some(workers),
        watcher,
        hints,
        overflow,
        stop: stop.clone(),
        hinted: HashSet::new(),
        full_due: true,
        links: false,
        filter: None,
    };
    d.filter = filter(&d.pipeline.config);
    d.reconcile("start")?;
    // The start's full check may have written thousands of documents; from now on a batch
    // writes a few, and a 64 MiB page cache would only grow with the dossier (BENCHMARKS.md,
    // section 4).
    d.pipeline.store().limit_cache(DAEMON_CACHE_KIB)?;
    notify(&[NotifyState::Ready]);
    tracing::info!("ready");
    d.status();

    let watchdog = sd_notify::watchdog_enabled().map(|w| w / 2);
    let mut last_ping = Instant::now();
    let mut due: Option<Instant> = None;
    loop {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let debounce = d.pipeline.config.watch.debounce;
        let wait = due.map_or(TICK, |t| {
            t.saturating_duration_since(Instant::now()).min(TICK)
        });
        match rx.recv_timeout(wait) {
            Ok(Msg::Paths(paths)) => {
                for p in paths {
                    if relevant(&d.pipeline.config, d.filter.as_ref(), &p) {
                        d.hint(p);
                        due = Some(Instant::now() + debounce);
                    }
                }
            }
            Ok(Msg::Rescan(why)) => {
                tracing::warn!("{why}: full rescan");
                d.full_due = true;
                due = Some(Instant::now() + debounce);
            }
            Ok(Msg::Signal(SIGHUP)) => {
                d.reload(ov, env);
                due = Some(Instant::now());
            }
            Ok(Msg::Signal(_)) => break,
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if d.overflow.swap(false, Ordering::SeqCst) {
            tracing::warn!("file events were lost (queue overflow): full rescan");
            d.full_due = true;
            due = Some(Instant::now() + debounce);
        }
        if due.is_some_and(|t| Instant::now() >= t) {
            due = None;
            d.reconcile("files changed")?;
        }
        if let Some(w) = watchdog {
            if last_ping.elapsed() >= w {
                notify(&[NotifyState::Watchdog]);
                last_ping = Instant::now();
            }
        }
    }
    notify(&[NotifyState::Stopping]);
    tracing::info!("stopping");
    if let Some(w) = d.workers.take() {
        w.stop(GRACE);
    }
    Ok(0)
}

/// The include/exclude globs of `config`, compiled (`None` when invalid: every path is then
/// relevant, and the check reports the bad glob).
fn filter(config: &Config) -> Option<Filter> {
    Filter::new(&crate::ingest::ScanConfig {
        root: config.watch.dir.clone(),
        include: config.watch.include.clone(),
        exclude: config.watch.exclude.clone(),
        max_bytes: config.watch.max_bytes,
        follow_links: config.watch.follow_links,
    })
    .ok()
}

/// Whether an event path can concern a document: not the state database, its journal or lock,
/// nor a file the exclude globs drop (editor swap and backup files).
fn relevant(config: &Config, filter: Option<&Filter>, path: &std::path::Path) -> bool {
    let state = config.state.path.as_os_str().to_string_lossy().to_string();
    let p = path.to_string_lossy();
    if p.starts_with(state.as_str()) {
        return false;
    }
    match (path.strip_prefix(&config.watch.dir), filter) {
        // A directory (or a path gone already) may hold documents: always relevant.
        (Ok(rel), Some(f)) => path.is_dir() || !path.exists() || f.matches(rel),
        _ => true,
    }
}
