//! `steward`: see `steward --help`.

use clap::Parser;
use std::process::ExitCode;
use steward::cli::{Cli, Command};

/// jemalloc instead of glibc's malloc. A page render allocates and frees thousands of small
/// strings and views across the runtime's worker threads, and malloc/free took a quarter of the
/// server's time under load (perf). Measured on the seeded benchmark database, alternating runs:
/// the server-rendered lists serve 15–40% more requests a second; mimalloc did as well but held
/// ~30 MB more at peak, jemalloc about what glibc held.
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    steward::telemetry::init(&cli.log_format);
    let result = match cli.command.unwrap_or_default() {
        Command::Serve => steward::cli::serve(&cli.settings).await,
        Command::Seed(sizes) => steward::cli::seed(&cli.settings, sizes).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // One clear line, no backtrace: the usual causes are configuration.
            eprintln!("steward: {message}");
            ExitCode::FAILURE
        }
    }
}
