//! `cargo xtask bench [--quick] [--device cpu|cuda] [--only PART,...]`: the benchmark
//! suite. Every measurement runs ours and a reference side by side in one go:
//!
//! 1. autoencoder pretraining samples/s per architecture against PyTorch eager, with and
//!    without augmentation, and the GFLOP/s achieved against a measured GEMM peak;
//! 2. embedding inference samples/s over MNIST against PyTorch;
//! 3. k-means on 70,000 × 10 embeddings against scikit-learn (time and inertia);
//! 4. ACC / NMI / ARI on 70,000 labels against scikit-learn;
//! 5. time to accuracy on MNIST-test, `mdec run` against the same algorithm in PyTorch;
//! 6. time per epoch and peak memory of `mdec run` on 10k–70k samples;
//! 7. ACC / NMI / ARI and time on the synthetic defect crops: `mdec run` with no method
//!    flags, `--clusters auto`, k-means on each hand-made feature set, and clustimage;
//! 8. peak memory and tiles/s of `mdec predict` streaming 10⁵ and 10⁶ tiles of one field
//!    (written to `bench/stream.csv`, not to results.json).
//!
//! It builds what it runs in release, installs the Python side's packages into the cache
//! (`<cache>/bench-python`), writes `bench/results.json` after every section, and
//! regenerates the marked block of `BENCHMARKS.md` from that file.

mod ae;
mod defects;
mod error;
mod exec;
mod kmeans;
mod machine;
mod markdown;
mod results;
mod scaling;
mod stream;
mod tta;

use std::time::Instant;

use anyhow::{Context, Result};
use clap::ValueEnum;
use mdec_data::named::NamedDataset;

use crate::{cargo, fetch_dataset, root, run as run_command};
use exec::Tools;
use results::{Results, Section};

/// Arguments of `cargo xtask bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Small sizes and fewer repetitions (about 10 minutes on 2 cores) instead of the full
    /// suite.
    #[arg(long)]
    quick: bool,
    /// Where pretraining, embedding and time to accuracy run, on both sides; k-means,
    /// metrics and scaling always run on the CPU.
    #[arg(long, value_enum, default_value_t = Device::Cpu)]
    device: Device,
    /// Measure only these parts, keeping the other figures of bench/results.json.
    #[arg(long, value_enum, value_delimiter = ',')]
    only: Vec<Part>,
}

/// A device both sides understand.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Device {
    /// The CPU.
    Cpu,
    /// The first CUDA GPU.
    Cuda,
}

/// The parts of the suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Part {
    /// 1: pretraining throughput (and the GEMM peak).
    Train,
    /// 2: embedding throughput.
    Embed,
    /// 3: k-means.
    Kmeans,
    /// 4: metrics.
    Metrics,
    /// 5: time to accuracy.
    Tta,
    /// 6: scaling.
    Scaling,
    /// 7: defect crops.
    Defects,
    /// 8: streaming prediction memory.
    Stream,
}

/// What one run measures with: sizes (quick or full), device and threads.
pub struct Plan {
    /// `--quick`.
    pub quick: bool,
    /// `cpu` or `cuda`.
    pub device: &'static str,
    /// Threads of both sides: every logical CPU.
    pub threads: usize,
}

impl Plan {
    /// `quick` under `--quick`, else `full`.
    pub fn pick<T>(&self, quick: T, full: T) -> T {
        if self.quick { quick } else { full }
    }
}

/// `cargo build` arguments for the programs of the wanted parts.
fn targets(wants: &dyn Fn(Part) -> bool) -> Vec<&'static str> {
    let programs = [
        (
            Part::Train,
            ["-p", "mdec-ae", "--example", "bench_pretrain"],
        ),
        (Part::Embed, ["-p", "mdec-ae", "--example", "bench_embed"]),
        (
            Part::Kmeans,
            ["-p", "mdec-cluster", "--example", "bench_kmeans"],
        ),
        (
            Part::Metrics,
            ["-p", "mdec-metrics", "--example", "bench_metrics"],
        ),
        (Part::Tta, ["-p", "mdec-cli", "--bin", "mdec"]),
        (Part::Scaling, ["-p", "mdec-cli", "--bin", "mdec"]),
        (Part::Defects, ["-p", "mdec-cli", "--bin", "mdec"]),
        (Part::Stream, ["-p", "mdec-cli", "--bin", "mdec"]),
        (
            Part::Defects,
            ["-p", "mdec-pipeline", "--example", "defect_features"],
        ),
    ];
    let mut args: Vec<&'static str> = Vec::new();
    for (part, program) in programs {
        if wants(part) && !args.contains(&program[3]) {
            args.extend(program);
        }
    }
    args
}

/// Runs `f` as one section of the suite, timing it and recording the load around it.
fn section<T>(
    title: &str,
    settings: String,
    f: impl FnOnce() -> error::Result<T>,
) -> Result<Section<T>> {
    println!("\n== bench: {title}");
    let clock = Instant::now();
    let (rows, load) = machine::with_load(f);
    let rows = rows.with_context(|| format!("bench: {title}"))?;
    Ok(Section {
        settings,
        seconds: clock.elapsed().as_secs_f64(),
        load,
        rows,
    })
}

/// Runs the suite (or the parts in `--only`) and updates results.json and BENCHMARKS.md.
pub fn run(args: BenchArgs) -> Result<()> {
    let started = exec::unix_now();
    let clock = Instant::now();
    let libtorch = crate::setup::run()?;
    if !root().join("data/mnist").is_dir() {
        fetch_dataset(
            NamedDataset::Mnist,
            std::env::var("MDEC_DATA_MIRROR").ok().as_deref(),
        )?;
    }
    let wants = |part: Part| args.only.is_empty() || args.only.contains(&part);
    run_command(cargo().args(["build", "--release"]).args(targets(&wants)))?;
    let python_path = exec::python_path(&crate::setup::cache_dir()?)?;
    let plan = Plan {
        quick: args.quick,
        device: match args.device {
            Device::Cpu => "cpu",
            Device::Cuda => "cuda",
        },
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let tools = Tools::new(&root(), python_path, plan.threads);

    let json = root().join("bench/results.json");
    let mut results = Results::load(&json)?;
    results.machine = Some(machine::describe(&tools, &libtorch, &root()));
    let save = |results: &Results| results.save(&json);
    if wants(Part::Train) {
        results.gemm = Some(section(
            "machine peak (GEMM)",
            "2048 × 2048 float products".into(),
            || ae::gemm(&tools, &plan),
        )?);
        results.train = Some(section(
            "1. pretraining throughput",
            ae::train_settings(&plan),
            || ae::train(&tools, &plan),
        )?);
        save(&results)?;
    }
    if wants(Part::Embed) {
        results.embed = Some(section(
            "2. embedding throughput",
            ae::embed_settings(&plan),
            || ae::embed(&tools, &plan),
        )?);
        save(&results)?;
    }
    if wants(Part::Kmeans) {
        results.kmeans = Some(section(
            "3. k-means",
            kmeans::kmeans_settings(&plan),
            || kmeans::kmeans(&tools, &plan),
        )?);
        save(&results)?;
    }
    if wants(Part::Metrics) {
        results.metrics = Some(section(
            "4. metrics",
            kmeans::metrics_settings(&plan),
            || kmeans::metrics(&tools, &plan),
        )?);
        save(&results)?;
    }
    if wants(Part::Tta) {
        results.tta = Some(section(
            "5. time to accuracy",
            tta::settings(&plan),
            || tta::run(&tools, &plan),
        )?);
        save(&results)?;
    }
    if wants(Part::Scaling) {
        results.scaling = Some(section("6. scaling", scaling::settings(&plan), || {
            scaling::run(&tools, &plan)
        })?);
        save(&results)?;
    }
    if wants(Part::Defects) {
        results.defects = Some(section(
            "7. defect crops",
            defects::settings(&plan),
            || defects::run(&tools, &plan),
        )?);
    }
    let mut streamed = None;
    if wants(Part::Stream) {
        let section = section("8. streaming prediction", stream::settings(&plan), || {
            stream::run(&tools, &plan)
        })?;
        streamed = Some(stream::save(&root(), &section)?);
    }
    let mut command = "cargo xtask bench".to_owned();
    if args.quick {
        command += " --quick";
    }
    command += &format!(" --device {}", plan.device);
    if !args.only.is_empty() {
        let parts: Vec<String> = args
            .only
            .iter()
            .map(|p| format!("{p:?}").to_lowercase())
            .collect();
        command += &format!(" --only {}", parts.join(","));
    }
    results.command = Some(command);
    results.quick = args.quick;
    results.device = Some(plan.device.to_owned());
    results.started = Some(exec::format_utc(started));
    results.seconds = clock.elapsed().as_secs_f64();
    save(&results)?;
    let block = markdown::render(&results)?;
    markdown::write(&root().join("BENCHMARKS.md"), &block)?;
    println!("\n{block}");
    if let Some(table) = streamed {
        println!("\n### 8. Streaming prediction (bench/stream.csv)\n\n{table}");
    }
    println!(
        "bench: wrote {} and the generated block of BENCHMARKS.md ({:.1} min)",
        json.display(),
        results.seconds / 60.0
    );
    Ok(())
}
