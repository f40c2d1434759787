//! `steward`: see `steward --help`.

use clap::Parser;
use std::process::ExitCode;
use steward::cli::{Cli, Command};

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
