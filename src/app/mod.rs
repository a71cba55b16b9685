//! The commands: each takes a validated configuration and does one job through the library's
//! stages. `main` only parses arguments and calls [`run`].

mod changes;
mod check;
mod claims_view;
mod commands;
mod daemon;
mod deliver;
mod error;
mod failpoint;
mod history;
mod reconcile;
mod signals;
pub mod site;

pub use check::{CheckOptions, CheckOutcome, Pipeline};
pub use commands::run;
pub use deliver::{Delivered, Deliverer};
pub use error::AppError;

pub use crate::cli::Format;

/// The current time as an RFC 3339 string and as nanoseconds since the epoch.
pub fn now() -> (String, i64) {
    let ts = jiff::Timestamp::now();
    // Truncated, never rounded up: a time in the future would hold a digest window open late.
    let shown = ts
        .round(
            jiff::TimestampRound::new()
                .smallest(jiff::Unit::Second)
                .mode(jiff::RoundMode::Trunc),
        )
        .unwrap_or(ts);
    (shown.to_string(), ts.as_nanosecond() as i64)
}
