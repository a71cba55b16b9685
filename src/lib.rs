//! dossier: watches a folder of documents, extracts their facts, and reports what changed.
//!
//! The pipeline is watch → ingest → extract → diff → store → alert; see ARCHITECTURE.md for
//! where each stage lives and the invariants that hold between them.

pub mod config;
pub mod extract;
pub mod model;
pub mod text;
