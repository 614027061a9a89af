//! Rust side of `cargo xtask bench`'s autoencoder pretraining throughput: the `dcec`,
//! `mdec` and `dense` autoencoders on MNIST 1×28×28, batches of 256, with and without
//! rotation + contrast augmentation, through the library's own pretraining loop.
//!
//! ```text
//! cargo run --release -p mdec-ae --example bench_pretrain -- \
//!     [--arch dcec|mdec|dense]... [--batches 40] [--repeats 5] [--threads 2] [--device cpu] [--data data/mnist]
//! cargo run --release -p mdec-ae --example bench_pretrain -- --gemm [--repeats 5] [--threads 2] [--device cpu]
//! ```
//!
//! Each configuration trains `repeats + 1` epochs of `batches` batches (the first warms up)
//! and prints one JSON object: the samples/s of each timed epoch and the analytic FLOPs per
//! sample for forward + backward (3 × forward). `--gemm` instead prints the GFLOP/s of
//! `repeats` 2048 × 2048 single-precision matrix products, the machine's practical peak.

#![allow(clippy::print_stdout)]

use std::time::Instant;

use anyhow::{Result, bail};
use mdec_ae::{AeModel, Control, PretrainParams, pretrain};
use mdec_data::{AugmentConfig, Dataset, LoadOptions};
use tch::{Device, Kind, Tensor};

#[path = "common/mod.rs"]
mod common;

/// Must match `ROTATION` and `CONTRAST` in `scripts/bench_ae.py`.
const ROTATION: f32 = 15.0;
const CONTRAST: f32 = 0.5;
const BATCH: usize = 256;
const GEMM: i64 = 2048;

fn main() -> Result<()> {
    let (mut batches, mut repeats) = (40usize, 5usize);
    let mut gemm = false;
    let args = common::Args::parse("data/mnist", |flag, value| {
        match flag {
            "--batches" => batches = value()?.parse()?,
            "--repeats" => repeats = value()?.parse()?,
            "--gemm" => gemm = true,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    let (threads, data) = (args.threads, &args.data);
    tch::set_num_threads(threads);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads as usize)
        .build_global()
        .ok();
    let device = args.device.resolve()?;
    if gemm {
        return peak(device, repeats, threads);
    }
    if !data.is_dir() {
        bail!(
            "{} not found: run `cargo xtask fetch mnist` first",
            data.display()
        );
    }
    let all = mdec_data::load_path(data, &LoadOptions::default())?;
    let n = (batches * BATCH).min(all.len());
    let subset = Dataset::new(all.gather(&(0..n).collect::<Vec<_>>()));
    let out = tempfile::tempdir()?;
    for (arch, config) in &args.archs {
        for augmented in [false, true] {
            let augment = if augmented {
                AugmentConfig {
                    rotation: ROTATION,
                    contrast: CONTRAST,
                    ..Default::default()
                }
            } else {
                AugmentConfig::default()
            };
            let params = PretrainParams::new()
                .epochs(repeats + 1)
                .batch_size(BATCH)
                .augment(augment)
                .checkpoint_every(0)
                .check()?;
            let mut model = AeModel::with_seed(config.clone(), subset.shape(), device, 0)?;
            let dir = out.path().join(format!("{arch}-{augmented}"));
            let report = pretrain(&mut model, &subset, None, &params, &dir, Control::default())?;
            let rates: Vec<f64> = report
                .rows
                .iter()
                .skip(1)
                .map(|r| r.samples_per_sec)
                .collect();
            println!(
                "{}",
                serde_json::json!({
                    "side": "rust", "mode": "train", "arch": arch, "augment": augmented,
                    "batch_size": BATCH, "batches": n.div_ceil(BATCH), "threads": threads,
                    "samples_per_sec": rates, "flops_per_sample": 3.0 * model.forward_flops(),
                })
            );
        }
    }
    Ok(())
}

/// GFLOP/s of `repeats` `GEMM × GEMM` float products after one warm-up product.
fn peak(device: Device, repeats: usize, threads: i32) -> Result<()> {
    let a = Tensor::randn([GEMM, GEMM], (Kind::Float, device));
    let b = Tensor::randn([GEMM, GEMM], (Kind::Float, device));
    let flops = 2.0 * (GEMM as f64).powi(3);
    let mut gflops = Vec::with_capacity(repeats);
    for i in 0..=repeats {
        let start = Instant::now();
        let c = a.f_mm(&b)?;
        // Reading one element waits for the product on any device.
        c.f_double_value(&[0, 0])?;
        if i > 0 {
            gflops.push(flops / start.elapsed().as_secs_f64() / 1e9);
        }
    }
    println!(
        "{}",
        serde_json::json!({"side": "rust", "mode": "gemm", "n": GEMM, "threads": threads, "gflops": gflops})
    );
    Ok(())
}
