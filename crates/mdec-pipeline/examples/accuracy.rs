//! End-to-end accuracy of a preset through the pipeline API (the run folder `mdec run`
//! writes), printed as one JSON line with ACC / NMI / ARI and wall times.
//!
//! ```text
//! cargo run --release -p mdec-pipeline --example accuracy -- \
//!     --preset dcec --data data/mnist --split test --seed 0 \
//!     [--pretrain-epochs 200] [--max-iter 20000] [--batch-size 256] [--threads 2] [--out DIR]
//! cargo run --release -p mdec-pipeline --example accuracy -- \
//!     --preset kmeans --data data/fashion-mnist --split test   # k-means on pixels
//! ```
//!
//! `--data` is a folder holding a named dataset (`data/mnist`, `data/fashion-mnist`, as
//! fetched by `cargo xtask fetch mnist` / `fetch fashion-mnist`) or an images `.npy` with
//! `--labels LABELS.npy`. Budgets default to the preset's (paper) values.

#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use mdec_cluster::{KMeansParams, Preset};
use mdec_data::{NamedDataset, Split};
use mdec_pipeline::{Command, Input, Run, RunSpec, SettingsSpec, Status};

fn input(data: &str, labels: Option<&str>, split: Split) -> anyhow::Result<Input> {
    let path = Path::new(data);
    if path.extension().is_some_and(|e| e == "npy") {
        return Ok(Input::Npy {
            file: path.to_path_buf(),
            labels: labels.map(PathBuf::from),
        });
    }
    let name = path
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let dataset: NamedDataset = name.parse().with_context(|| {
        format!("{data}: expected data/mnist, data/fashion-mnist or an .npy file")
    })?;
    Ok(Input::Named {
        dataset,
        split,
        root: path.parent().unwrap_or(Path::new(".")).to_path_buf(),
    })
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let number = |name: &str| -> anyhow::Result<Option<usize>> {
        Ok(arg(name).map(|s| s.parse()).transpose()?)
    };
    let preset_name = arg("--preset").unwrap_or_else(|| "dcec".into());
    let data_arg = arg("--data").unwrap_or_else(|| "data/mnist".into());
    let split: Split = arg("--split").unwrap_or_else(|| "test".into()).parse()?;
    let seed: u64 = arg("--seed").map(|s| s.parse()).transpose()?.unwrap_or(0);
    let threads = number("--threads")?.unwrap_or(2);
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();
    let input = input(&data_arg, arg("--labels").as_deref(), split)?;
    let started = Instant::now();

    if preset_name == "kmeans" {
        tch::set_num_threads(threads as i32);
        let data = input.load()?;
        let k = data.num_classes().context("the dataset needs labels")?;
        let truth = data.labels().context("the dataset needs labels")?.to_vec();
        let (n, c, h, w) = data.images().dim();
        let pixels = mdec_ae::array_to_tensor(data.images())?.view([n as i64, (c * h * w) as i64]);
        let km = KMeansParams::new(k)
            .n_init(20)
            .seed(seed)
            .check()?
            .fit(&pixels)?;
        let scores = mdec_metrics::evaluate(&truth, &km.labels_vec()?)?;
        println!(
            "{}",
            serde_json::json!({
                "preset": "kmeans-pixels", "dataset": input.describe(), "n": n, "seed": seed,
                "acc": scores.acc, "nmi": scores.nmi, "ari": scores.ari,
                "inertia": km.inertia(), "seconds": started.elapsed().as_secs_f64(),
            })
        );
        return Ok(());
    }

    let preset: Preset = preset_name.parse()?;
    let out =
        PathBuf::from(arg("--out").unwrap_or_else(|| format!("runs/accuracy/{preset}-{seed}")));
    let mut spec = RunSpec::new(Command::Run, input.clone(), &out);
    spec.settings = SettingsSpec {
        preset: Some(preset),
        epochs: number("--pretrain-epochs")?,
        max_iter: number("--max-iter")?,
        batch_size: number("--batch-size")?,
        seed: Some(seed),
        ..SettingsSpec::default()
    };
    spec.device = mdec_ae::DeviceChoice::Cpu;
    spec.threads = Some(threads);
    let run = Run::prepare(spec)?;
    let settings = run.settings().clone();
    let n = run.images().len();
    let outcome = run.execute(Vec::new(), mdec_ae::StopFlag::new())?;
    anyhow::ensure!(outcome.status == Status::Finished, "the run was stopped");
    let layout = mdec_pipeline::RunLayout::new(&outcome.run);
    let summary = mdec_pipeline::RunSummary::load(&layout)?;
    let cluster = summary
        .cluster
        .context("a finished run has a clustering summary")?;
    let scores = outcome.scores.context("labels are known")?;
    let init = cluster.init_scores;
    let seconds = |phase: &str| {
        summary
            .timings
            .iter()
            .find(|(p, _)| p == phase)
            .map(|(_, s)| *s)
    };
    println!(
        "{}",
        serde_json::json!({
            "preset": preset.name(), "dataset": input.describe(), "n": n, "seed": seed,
            "pretrain_epochs": settings.pretrain.epochs,
            "max_iter": settings.cluster.max_iter, "iterations": cluster.iterations,
            "stop": cluster.stop,
            "init_acc": init.map(|s| s.acc), "init_nmi": init.map(|s| s.nmi), "init_ari": init.map(|s| s.ari),
            "acc": scores.acc, "nmi": scores.nmi, "ari": scores.ari,
            "pretrain_seconds": seconds("pretraining"),
            "cluster_seconds": seconds("clustering"),
            "seconds": started.elapsed().as_secs_f64(),
            "threads": threads,
        })
    );
    Ok(())
}
