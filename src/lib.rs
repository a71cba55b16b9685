//! dossier: watches a folder of documents, extracts their facts, and reports what changed.
//!
//! The pipeline is watch → ingest → extract → diff → store → alert; see ARCHITECTURE.md for
//! where each stage lives and the invariants that hold between them.

pub mod app;
pub mod channel;
pub mod cli;
pub mod config;
pub mod diff;
pub mod extract;
pub mod ingest;
pub mod model;
pub mod report;
pub mod store;
pub mod text;
pub mod watch;
