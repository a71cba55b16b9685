//! The `dossier` binary: parse arguments, hand them to the library.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: about a tenth less CPU in `dossier extract`, and a
/// flatter daemon RSS over bursts of documents (BENCHMARKS.md, section 2, "Session 4"). The
/// library does not choose an allocator: its unit tests and examples run on the system's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    dossier::app::run(dossier::cli::Cli::parse())
}
