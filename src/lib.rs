//! dossier: watches a folder of documents, extracts their facts, and reports what changed.
//!
//! The pipeline is watch → ingest → extract → diff → store → alert; see ARCHITECTURE.md for
//! where each stage lives and the invariants that hold between them. This crate is the
//! program around the pure stages of the workspace's library crates: configuration, reading
//! files, the daemon, the channels and the commands.

pub mod app;
pub mod channel;
pub mod cli;
pub mod config;
pub mod ingest;
pub mod report;
pub mod watch;

pub use dossier_core::{model, text};
pub use dossier_diff as diff;
pub use dossier_extract as extract;
pub use dossier_store as store;
