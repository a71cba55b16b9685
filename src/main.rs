//! The `dossier` binary: parse arguments, hand them to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dossier::app::run(dossier::cli::Cli::parse())
}
