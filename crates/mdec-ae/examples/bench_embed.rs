//! Rust side of `cargo xtask bench`'s embedding inference throughput: the encoders of the
//! `dcec`, `mdec` and `dense` autoencoders over the first `n` images of MNIST (train then
//! test, 70,000 in all), against `scripts/bench_ae.py embed`.
//!
//! ```text
//! cargo run --release -p mdec-ae --example bench_embed -- \
//!     [--arch dcec|mdec|dense]... [--n 70000] [--chunk 10000] [--threads 2] [--device cpu] [--data data]
//! ```
//!
//! The images go to the device once; each chunk of `chunk` images is embedded by
//! [`mdec_ae::embed`] (batches of 1024, no gradients) and copied back to the host, after one
//! warm-up batch. Prints one JSON object per architecture with the samples/s of each chunk.

#![allow(clippy::print_stdout)]

use std::time::Instant;

use anyhow::Result;
use mdec_ae::{AeModel, array_to_tensor, embed};
use mdec_data::{NamedDataset, Split, load_named};
use tch::Device;

#[path = "common/mod.rs"]
mod common;

const BATCH: i64 = 1024;

fn main() -> Result<()> {
    let (mut n, mut chunk) = (70_000usize, 10_000usize);
    let args = common::Args::parse("data", |flag, value| {
        match flag {
            "--n" => n = value()?.parse()?,
            "--chunk" => chunk = value()?.parse()?,
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    anyhow::ensure!(n > 0 && chunk > 0, "--n and --chunk must be positive");
    let threads = args.threads;
    tch::set_num_threads(threads);
    let device = args.device.resolve()?;
    let all = load_named(NamedDataset::Mnist, Split::All, &args.data)?;
    let n = n.min(all.len());
    let images = array_to_tensor(&all.gather(&(0..n).collect::<Vec<_>>()))?.f_to_device(device)?;
    for (arch, config) in args.archs {
        let model = AeModel::with_seed(config, all.shape(), device, 0)?;
        let _warm_up = embed(&model, &images.narrow(0, 0, BATCH.min(n as i64)), BATCH)?;
        let mut rates = Vec::new();
        for start in (0..n).step_by(chunk) {
            let len = chunk.min(n - start);
            let xs = images.narrow(0, start as i64, len as i64);
            let t0 = Instant::now();
            let zs = embed(&model, &xs, BATCH)?.f_to_device(Device::Cpu)?; // [len, 10]
            anyhow::ensure!(zs.size() == [len as i64, 10], "unexpected embedding shape");
            rates.push(len as f64 / t0.elapsed().as_secs_f64());
        }
        println!(
            "{}",
            serde_json::json!({
                "side": "rust", "mode": "embed", "arch": arch, "n": n, "chunk": chunk,
                "batch_size": BATCH, "threads": threads, "samples_per_sec": rates,
            })
        );
    }
    Ok(())
}
