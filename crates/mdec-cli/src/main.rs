//! The `mdec` command: deep embedded clustering of images and tensors.
//!
//! Exit codes: 0 success, 1 any other failure, 2 bad usage (clap), 3 bad input data or
//! settings, 4 training failure (a loss that became NaN or infinite), 130 interrupted by
//! Ctrl-C (after writing a checkpoint to resume from).

#![allow(clippy::print_stdout)]

mod args;
mod data;
mod eval;
mod export;
mod info;
mod interrupt;
mod log;
mod predict;
mod progress;
mod station;
mod train;

use std::fmt;
use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

use mdec_pipeline::{Command as RunCommand, ErrorKind};

use crate::args::{ClusterArgs, TrainArgs};
use crate::log::LogFile;

/// Deep embedded clustering: a convolutional autoencoder and a clustering head on libtorch.
#[derive(Parser)]
#[command(name = "mdec", version, about, long_about = None, after_help = EXAMPLES)]
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

const EXAMPLES: &str = "Examples:
  mdec run --dataset mnist --split test --preset mdec --epochs 20 --out runs/mnist-test
  mdec pretrain --images crops/ --size 64x64 --clusters 8 --preset dcec --out runs/crops-ae
  mdec cluster --images crops/ --size 64x64 --clusters 8 --pretrained runs/crops-ae --out runs/crops
  mdec run --dataset mnist --split test --out runs/mnist-test --resume
  mdec predict --model runs/crops --images new-crops/ --size 64x64 --out new-crops.csv
  mdec eval runs/mnist-test/assignments.parquet
  mdec report runs/mnist-test
  mdec station runs/ --input crops/
  mdec export runs/crops --to labelling/ --min-confidence 0.8 --names names.json
  mdec data inspect data/mnist";

#[derive(Subcommand)]
enum Command {
    /// Pretrain the autoencoder: metrics table, checkpoints, curves and reconstructions.
    Pretrain(TrainArgs),
    /// Cluster with a pretrained autoencoder (--pretrained) or a TorchScript encoder (--encoder).
    Cluster(ClusterArgs),
    /// Pretrain, then cluster: the whole run folder.
    Run(TrainArgs),
    /// Assign new data with a saved model: name, label, cluster, confidence and q per
    /// sample, as CSV or Parquet.
    Predict(predict::PredictArgs),
    /// ACC, NMI and ARI of an assignments file against labels.
    Eval(eval::EvalArgs),
    /// Re-draw every figure (the embedding animation included) and report.md of a run
    /// folder from its files, without training.
    Report {
        /// The run folder to re-draw.
        run: std::path::PathBuf,
    },
    /// Serve the test station: watch runs live, compare them, try settings (a local web page).
    Station(station::StationArgs),
    /// Write one folder per cluster (and `uncertain/`), with a CSV, for labelling.
    Export(export::ExportArgs),
    /// Print versions, where libtorch was loaded from, and the devices it sees.
    Info,
    /// Work with datasets.
    #[command(subcommand)]
    Data(data::DataCommand),
}

/// Input the user must fix (exit code 3), found by the CLI itself.
#[derive(Debug)]
pub struct BadInput(pub String);

impl fmt::Display for BadInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// Whether progress bars make sense: only on a terminal.
pub fn progress_enabled() -> bool {
    std::io::stderr().is_terminal()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = dispatch(cli);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.is::<interrupt::Interrupted>() => {
            eprintln!("{error}");
            ExitCode::from(interrupt::EXIT_INTERRUPTED)
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(exit_code(&error))
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    let log = LogFile::default();
    let training = matches!(
        cli.command,
        Command::Pretrain(_) | Command::Cluster(_) | Command::Run(_)
    );
    init_logging(
        cli.verbose,
        cli.quiet,
        cli.log_json,
        training.then_some(&log),
    );
    match cli.command {
        Command::Pretrain(args) => train::run(&args, RunCommand::Pretrain, None, &log),
        Command::Cluster(args) => train::run(&args.train, RunCommand::Cluster, args.from(), &log),
        Command::Run(args) => train::run(&args, RunCommand::Run, None, &log),
        Command::Predict(args) => predict::run(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Report { run } => {
            let drawn = mdec_pipeline::report::redraw(&run)?;
            println!(
                "{}: report.md and {} figures re-drawn",
                run.display(),
                drawn.len()
            );
            Ok(())
        }
        Command::Export(args) => export::run(&args),
        Command::Station(args) => station::run(&args),
        Command::Info => info::run(),
        Command::Data(command) => data::run(command),
    }
}

/// Logs to stderr (text or JSON; colours only on a terminal) and, for a training command,
/// as JSON lines to the run's `log.jsonl`.
fn init_logging(verbose: u8, quiet: bool, json: bool, log: Option<&LogFile>) {
    let level = match (quiet, verbose) {
        (true, _) => "warn",
        (false, 0) => "info",
        (false, 1) => "debug",
        (false, _) => "trace",
    };
    let filter = || EnvFilter::try_from_env("MDEC_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_target(false);
    let mut layers: Vec<Box<dyn Layer<Registry> + Send + Sync>> = vec![if json {
        stderr.json().with_filter(filter()).boxed()
    } else {
        stderr.with_filter(filter()).boxed()
    }];
    if let Some(log) = log {
        layers.push(
            tracing_subscriber::fmt::layer()
                .json()
                .with_ansi(false)
                .with_writer(log.clone())
                .with_filter(EnvFilter::new("info"))
                .boxed(),
        );
    }
    tracing_subscriber::registry().with(layers).init();
}

/// 3 for bad input, 4 for a training failure, 1 otherwise (130 for an interruption is
/// decided in `main`).
fn exit_code(error: &anyhow::Error) -> u8 {
    const BAD_INPUT: u8 = 3;
    const TRAINING_FAILED: u8 = 4;
    for cause in error.chain() {
        if cause.is::<BadInput>()
            || cause.is::<mdec_data::Error>()
            || cause.is::<mdec_ae::ParseDeviceError>()
        {
            return BAD_INPUT;
        }
        if let Some(e) = cause.downcast_ref::<mdec_pipeline::Error>() {
            return match e.kind() {
                ErrorKind::BadInput => BAD_INPUT,
                ErrorKind::TrainingFailed => TRAINING_FAILED,
                ErrorKind::Other => 1,
            };
        }
    }
    1
}
