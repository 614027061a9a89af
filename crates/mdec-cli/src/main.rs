//! The `mdec` command: deep embedded clustering of images and tensors.
//!
//! Exit codes: 0 success, 1 any other failure, 2 bad usage (clap), 3 bad input data,
//! 4 training failure.

#![allow(clippy::print_stdout)]

mod data;
mod info;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// Deep embedded clustering: a convolutional autoencoder and a clustering head on libtorch.
#[derive(Parser)]
#[command(name = "mdec", version, about, long_about = None)]
struct Cli {
    /// More log output (-v: debug, -vv: trace).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Only warnings and errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Log as JSON lines on stderr.
    #[arg(long, global = true)]
    log_json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print versions, where libtorch was loaded from, and the devices it sees.
    Info,
    /// Work with datasets.
    #[command(subcommand)]
    Data(data::DataCommand),
}

/// The exit code for bad input data (a file that cannot be read as a dataset).
const EXIT_BAD_DATA: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose, cli.quiet, cli.log_json);
    let result = match cli.command {
        Command::Info => info::run(),
        Command::Data(command) => data::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            let code = if error.downcast_ref::<mdec_data::Error>().is_some() {
                EXIT_BAD_DATA
            } else {
                1
            };
            ExitCode::from(code)
        }
    }
}

fn init_logging(verbose: u8, quiet: bool, json: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = EnvFilter::try_from_env("MDEC_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.with_target(false).init();
    }
}
