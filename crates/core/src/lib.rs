//! dossier's pure core: the facts every stage shares and the Arabic text primitives they are
//! compared with.
//!
//! - [`model`]: what extraction produces (`Entity`, `Claim`, `Extraction`): the contract's
//!   `dossier extract --format json` shapes.
//! - [`report`]: what the diff produces (`ChangeReport` and its parts): the contract's
//!   `dossier check --format json` shape.
//! - [`alert`]: one alert as queued in the outbox and handed to a channel.
//! - [`text`]: folding, the comparable form (cosmetic edits vanish), sentences, name keys.
//! - [`vocab`]: what the language data says of a name (a country? an accord named only by its
//!   kind?), asked by the stages after extraction; the extractor's crate answers it.
//!
//! Architecture invariant: no IO, no clock, no database. Every other crate of the workspace
//! may depend on this one; it depends on none of them.

pub mod alert;
pub mod dupes;
pub mod model;
pub mod report;
pub mod text;
pub mod vocab;
