//! The command line: arguments as clap parses them. No logic lives here; [`crate::app::run`]
//! turns a parsed [`Cli`] into work.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Output format of the commands that print a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Parser)]
#[command(
    name = "dossier",
    version,
    about = "Watches a folder of documents and reports what changed, in facts.",
    long_about = None
)]
pub struct Cli {
    /// Configuration file (else $DOSSIER_CONFIG, ./config/dossier.toml, /etc/dossier/dossier.toml).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The watched folder, overriding the configuration.
    #[arg(long, global = true, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// The state database, overriding the configuration.
    #[arg(long, global = true, value_name = "PATH")]
    pub state: Option<PathBuf>,
    /// More log output (-v info, -vv debug). RUST_LOG also works.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Less log output: errors only.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowWhat {
    Entities,
    Claims,
    Documents,
    Outbox,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan once: find changes since the stored state, store them, alert, print the report.
    Check {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit 1 when changes were found (as `git diff --exit-code`).
        #[arg(long)]
        exit_code: bool,
        /// Store the new state as the baseline and queue no alert.
        #[arg(long)]
        no_notify: bool,
        /// Record removals even when more than half of the documents are gone at once.
        #[arg(long)]
        allow_mass_removal: bool,
        /// Start a new state: create its folder if missing; an empty file is initialised,
        /// anything else in the way (not a dossier state) is moved aside, never deleted.
        #[arg(long)]
        init: bool,
        /// Check the whole state database first (SQLite's integrity_check); exit 3 if it is
        /// damaged, before anything is recorded or sent.
        #[arg(long)]
        verify: bool,
    },
    /// The daemon: reconcile like `check`, then follow file events until SIGTERM/SIGINT.
    Watch {
        /// Start a new state, as `check --init` does.
        #[arg(long)]
        init: bool,
    },
    /// Extraction only: no state touched, nothing sent.
    Extract {
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// What the dossier holds now.
    Show {
        #[arg(value_enum)]
        what: ShowWhat,
        /// Only this type (PERSON, ORG, LOCATION, EQUIPMENT, EVENT; or a claim type).
        #[arg(long = "type", value_name = "T")]
        kind: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// One entity over time: first seen, in which documents, its claims, what changed.
    History {
        name: String,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Write the HTML dossier: a static site of the whole dossier (timeline, a page per
    /// entity, claims with their sources, contradictions side by side).
    Report {
        /// The folder to write (a new or empty one, or a former report, replaced whole);
        /// default `[report] html_dir`.
        #[arg(long, value_name = "DIR")]
        html: Option<PathBuf>,
    },
    /// The changes recorded after a time or after a named mark (all of them with neither),
    /// as `check` reported them.
    Changes {
        /// An RFC 3339 time (2026-12-08T09:00:00Z), a date (2026-12-08, midnight UTC) or a
        /// duration ago (30m, 2h, 1d): the changes recorded at or after it.
        #[arg(long, value_name = "TIME", conflicts_with = "since_mark")]
        since: Option<String>,
        /// The changes recorded after `dossier mark NAME` was last run.
        #[arg(long, value_name = "NAME")]
        since_mark: Option<String>,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Set the mark NAME (an analyst's, a team's) to now: `changes --since-mark NAME` then
    /// lists what is recorded after it.
    Mark { name: String },
    /// Send one test alert through every configured channel and say whether it went.
    SendTest,
    /// Validate the configuration and print the effective one (secrets masked).
    Config,
    /// Try the pending (or the given) alerts again now.
    Retry {
        #[arg(value_name = "ID")]
        ids: Vec<String>,
    },
}
