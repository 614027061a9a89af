//! End-to-end accuracy of a preset: pretrain the preset's autoencoder (mdec-ae), cluster
//! (mdec-cluster), print ACC / NMI / ARI and wall times as one JSON line.
//!
//! ```text
//! cargo run --release -p mdec-cluster --example accuracy -- \
//!     --preset dcec --data data/mnist --split test --seed 0 \
//!     [--pretrain-epochs 200] [--max-iter 20000] [--limit N] [--threads 2] [--out DIR]
//! cargo run --release -p mdec-cluster --example accuracy -- \
//!     --preset kmeans --data data/fashion-mnist --split test   # k-means on pixels
//! ```
//!
//! `--data` is a folder holding a named dataset (`data/mnist`, `data/fashion-mnist`, as
//! fetched by `cargo xtask fetch-mnist` / `fetch-fashion-mnist`) or an images `.npy`
//! (`[n, c, h, w]` or `[n, h, w]`, with `--labels LABELS.npy`). Budgets default to the
//! preset's (paper) values; `--limit N` keeps the first N images.

#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use mdec_ae::{AeModel, pretrain};
use mdec_cluster::{Dec, KMeansParams, Preset};
use mdec_data::{Dataset, NamedDataset, Split, load_named};

fn load(data: &str, labels: Option<&str>, split: Split) -> anyhow::Result<(String, Dataset)> {
    let path = Path::new(data);
    if path.extension().is_some_and(|e| e == "npy") {
        let ds = mdec_data::npy::load_npy(path, labels.map(Path::new))?;
        return Ok((path.display().to_string(), ds));
    }
    let name = path
        .file_name()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let named = NamedDataset::ALL
        .into_iter()
        .find(|d| d.name() == name)
        .with_context(|| {
            format!("{data}: expected data/mnist, data/fashion-mnist or an .npy file")
        })?;
    let root = path.parent().unwrap_or(Path::new("."));
    Ok((
        format!("{}:{split}", named.name()),
        load_named(named, split, root)?,
    ))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let preset_name = arg("--preset").unwrap_or_else(|| "dcec".into());
    let data_arg = arg("--data").unwrap_or_else(|| "data/mnist".into());
    let split: Split = arg("--split").unwrap_or_else(|| "test".into()).parse()?;
    let seed: u64 = arg("--seed").map(|s| s.parse()).transpose()?.unwrap_or(0);
    let threads: i32 = arg("--threads")
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(2);
    let limit: Option<usize> = arg("--limit").map(|s| s.parse()).transpose()?;
    tch::set_num_threads(threads);
    tracing_subscriber::fmt()
        .with_env_filter(std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".into()))
        .with_writer(std::io::stderr)
        .init();

    let (dataset_name, mut data) = load(&data_arg, arg("--labels").as_deref(), split)?;
    if let Some(limit) = limit {
        data = data.select(&(0..limit.min(data.len())).collect::<Vec<_>>());
    }
    let k = data.num_classes().context("the dataset needs labels")?;
    let truth = data.labels().context("the dataset needs labels")?.to_vec();
    let started = Instant::now();

    if preset_name == "kmeans" {
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
                "preset": "kmeans-pixels", "dataset": dataset_name, "n": n, "seed": seed,
                "acc": scores.acc, "nmi": scores.nmi, "ari": scores.ari,
                "inertia": km.inertia(), "seconds": started.elapsed().as_secs_f64(),
            })
        );
        return Ok(());
    }

    let preset: Preset = preset_name.parse()?;
    let mut settings = preset.settings(k);
    if let Some(epochs) = arg("--pretrain-epochs") {
        settings.pretrain.epochs = epochs.parse()?;
    }
    if let Some(max_iter) = arg("--max-iter") {
        settings.cluster.max_iter = max_iter.parse()?;
    }
    settings.pretrain.seed = seed;
    settings.pretrain.progress = false;
    settings.cluster.seed = seed;
    let out =
        PathBuf::from(arg("--out").unwrap_or_else(|| format!("runs/accuracy/{preset}-{seed}")));
    if out.exists() {
        bail!("{} exists: remove it or pass another --out", out.display());
    }

    let device = tch::Device::Cpu;
    let pretrain_params = settings.pretrain.clone().check()?;
    let mut model = AeModel::with_seed(settings.ae.clone(), data.shape(), device, seed)?;
    let pre = pretrain(
        &mut model,
        &data,
        None,
        &pretrain_params,
        out.join("pretrain"),
    )?;
    let pretrain_seconds = started.elapsed().as_secs_f64();

    let mut dec = Dec::new(model, settings.cluster.clone().check()?)?;
    let report = dec.fit(&data, Some(&out.join("cluster")))?;
    dec.save(out.join("model"))?;
    let scores = report.scores.context("labels are known")?;
    let init = report.init_scores;
    println!(
        "{}",
        serde_json::json!({
            "preset": preset.name(), "dataset": dataset_name, "n": data.len(), "seed": seed,
            "pretrain_epochs": settings.pretrain.epochs, "pretrain_loss": pre.final_train_loss,
            "max_iter": settings.cluster.max_iter, "iterations": report.iterations,
            "stop": report.stop,
            "init_acc": init.map(|s| s.acc), "init_nmi": init.map(|s| s.nmi), "init_ari": init.map(|s| s.ari),
            "acc": scores.acc, "nmi": scores.nmi, "ari": scores.ari,
            "pretrain_seconds": pretrain_seconds,
            "cluster_seconds": report.seconds,
            "seconds": started.elapsed().as_secs_f64(),
            "threads": threads,
        })
    );
    Ok(())
}
