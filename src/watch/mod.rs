//! The watcher edge: file-system events become hints ("look again"), never facts.
//!
//! Architecture invariant: the notify callback only pushes into a bounded channel. When the
//! channel is full, or the kernel's queue overflowed, or a watch is lost, it raises the
//! `overflow` flag and the daemon does a full rescan: a lost event costs a rescan, never a
//! missed change. This module reads no document and touches no state.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher as _};

/// A message into the daemon's loop.
#[derive(Debug)]
pub enum Msg {
    /// Something happened at these paths.
    Paths(Vec<PathBuf>),
    /// Events were lost or a watch broke: only a full rescan is safe.
    Rescan(String),
    /// A signal arrived (SIGTERM, SIGINT, SIGHUP).
    Signal(i32),
}

/// Errors of the watcher that stop it from starting.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch {path}: {source}")]
    Watch {
        path: PathBuf,
        source: notify::Error,
    },
}

/// How the folder is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Inotify,
    Poll(Duration),
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mode::Inotify => f.write_str("inotify"),
            Mode::Poll(d) => write!(f, "polling every {} ms", d.as_millis()),
        }
    }
}

/// A running watch on one folder; dropping it stops the watch.
pub struct Watcher {
    _inner: Box<dyn notify::Watcher + Send>,
    pub mode: Mode,
}

/// When the kernel cannot give inotify watches, poll at this interval.
pub const FALLBACK_POLL: Duration = Duration::from_secs(2);

/// A hint sender shared with the notify callback: pushes without blocking, and on a full
/// queue raises `overflow` instead.
#[derive(Clone)]
pub struct Hints {
    tx: SyncSender<Msg>,
    overflow: Arc<AtomicBool>,
    /// Test hook (`DOSSIER_TEST_DROP_EVENTS=1`): drop every event as a queue overflow would.
    drop_all: bool,
}

impl Hints {
    pub fn new(tx: SyncSender<Msg>, overflow: Arc<AtomicBool>) -> Hints {
        Hints {
            tx,
            overflow,
            drop_all: std::env::var_os("DOSSIER_TEST_DROP_EVENTS").is_some_and(|v| v == "1"),
        }
    }

    fn push(&self, msg: Msg) {
        if self.drop_all {
            self.overflow.store(true, Ordering::SeqCst);
            return;
        }
        match self.tx.try_send(msg) {
            Ok(()) | Err(TrySendError::Disconnected(_)) => {}
            Err(TrySendError::Full(_)) => self.overflow.store(true, Ordering::SeqCst),
        }
    }

    fn handle(&self, res: notify::Result<notify::Event>) {
        match res {
            Ok(ev) if ev.need_rescan() => {
                self.push(Msg::Rescan("the kernel's event queue overflowed".into()))
            }
            Ok(ev) => {
                if matches!(ev.kind, EventKind::Access(_)) {
                    return;
                }
                self.push(Msg::Paths(ev.paths));
            }
            Err(e) => self.push(Msg::Rescan(format!("the watcher reported an error: {e}"))),
        }
    }
}

/// Starts watching `dir` recursively. With `poll` set, polls; otherwise inotify, falling back
/// to polling (and saying so) when the kernel refuses watches (ENOSPC / max_user_watches).
pub fn start(dir: &Path, poll: Option<Duration>, hints: Hints) -> Result<Watcher, WatchError> {
    if let Some(interval) = poll {
        return start_poll(dir, interval, hints);
    }
    let h = hints.clone();
    let inotify = notify::RecommendedWatcher::new(move |r| h.handle(r), notify::Config::default());
    let err = match inotify {
        Ok(mut w) => match w.watch(dir, RecursiveMode::Recursive) {
            Ok(()) => {
                return Ok(Watcher {
                    _inner: Box::new(w),
                    mode: Mode::Inotify,
                })
            }
            Err(e) => e,
        },
        Err(e) => e,
    };
    if matches!(err.kind, notify::ErrorKind::PathNotFound) {
        return Err(WatchError::Watch {
            path: dir.to_path_buf(),
            source: err,
        });
    }
    let advice = if matches!(err.kind, notify::ErrorKind::MaxFilesWatch) {
        " (raise fs.inotify.max_user_watches, or set [watch] poll_interval)"
    } else {
        ""
    };
    tracing::warn!(
        "inotify is not available for {} ({err}){advice}; polling every {} s instead",
        dir.display(),
        FALLBACK_POLL.as_secs()
    );
    start_poll(dir, FALLBACK_POLL, hints)
}

fn start_poll(dir: &Path, interval: Duration, hints: Hints) -> Result<Watcher, WatchError> {
    let config = notify::Config::default()
        .with_poll_interval(interval)
        .with_compare_contents(false);
    let mut w = notify::PollWatcher::new(move |r| hints.handle(r), config).map_err(|source| {
        WatchError::Watch {
            path: dir.to_path_buf(),
            source,
        }
    })?;
    w.watch(dir, RecursiveMode::Recursive)
        .map_err(|source| WatchError::Watch {
            path: dir.to_path_buf(),
            source,
        })?;
    Ok(Watcher {
        _inner: Box::new(w),
        mode: Mode::Poll(interval),
    })
}
