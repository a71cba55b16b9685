//! The errors a command can end with, and the exit code each maps to.

use std::path::PathBuf;

use crate::config::ConfigError;
use crate::ingest::IngestError;
use crate::store::{LockError, StoreError};
use crate::watch::WatchError;

/// Why a command failed. `exit_code` follows the contract: 2 usage or configuration, 3 runtime.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}; nothing was recorded (is the disk mounted?)")]
    Root(#[from] IngestError),
    #[error("{removed} of the {stored} documents in {dir} are gone at once; refusing to record them as removed (an unmounted or emptied folder?). Run `dossier check --allow-mass-removal` if this is intended")]
    MassRemoval {
        removed: usize,
        stored: usize,
        dir: PathBuf,
    },
    #[error("{}", delivery_message(*failed, *deferred))]
    Delivery { failed: usize, deferred: usize },
    #[error("the folder of the state database {path} does not exist ({dir}); create it, fix the path, or pass --init to start a new state there")]
    StateFolder { path: PathBuf, dir: PathBuf },
    #[error("cannot write {what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Locked(#[from] LockError),
    #[error(transparent)]
    Watch(#[from] WatchError),
    #[error("no state yet at {}: run `dossier check` first", .0.display())]
    NoState(PathBuf),
    #[error("no alert with id {0} in the outbox")]
    UnknownAlert(String),
}

/// "3 alert deliveries failed and 17 were not tried (their channel is down); they stay…".
fn delivery_message(failed: usize, deferred: usize) -> String {
    let plural = |n: usize| if n == 1 { "delivery" } else { "deliveries" };
    let what = match (failed, deferred) {
        (f, 0) => format!("{f} alert {} failed", plural(f)),
        (0, d) => format!(
            "{d} alert {} were not tried (their channel is down)",
            plural(d)
        ),
        (f, d) => format!(
            "{f} alert {} failed and {d} more were not tried (their channel is down)",
            plural(f)
        ),
    };
    format!("{what}; they stay in the outbox (see `dossier show outbox`, then `dossier retry`)")
}

impl AppError {
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Config(_) | AppError::Usage(_) | AppError::UnknownAlert(_) => 2,
            _ => 3,
        }
    }
}
