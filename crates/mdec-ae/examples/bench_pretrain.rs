//! Rust side of `cargo xtask bench ae`: pretraining throughput of the `dcec` and `mdec`
//! autoencoders on MNIST 1×28×28, batches of 256, with and without rotation + contrast
//! augmentation, through the library's own pretraining loop.
//!
//! ```text
//! cargo run --release -p mdec-ae --example bench_pretrain -- [--batches 40] [--threads 2] [--data data/mnist] [--arch dcec|mdec]
//! ```
//!
//! Each configuration trains two epochs of `batches` batches (the first warms up) and
//! prints one JSON object: samples/s of the second epoch, the analytic FLOPs per sample
//! for forward + backward (3 × forward) and the achieved GFLOP/s.

#![allow(clippy::print_stdout)]

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use mdec_ae::{AeConfig, AeModel, PretrainParams, pretrain};
use mdec_data::{AugmentConfig, Dataset, LoadOptions};

/// Must match `ROTATION` and `CONTRAST` in `scripts/bench_ae.py`.
const ROTATION: f32 = 15.0;
const CONTRAST: f32 = 0.5;
const BATCH: usize = 256;

fn main() -> Result<()> {
    let mut batches = 40usize;
    let mut threads = 2i32;
    let mut data = PathBuf::from("data/mnist");
    let mut archs = vec!["dcec".to_owned(), "mdec".to_owned()];
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().context("missing value");
        match arg.as_str() {
            "--batches" => batches = value()?.parse()?,
            "--threads" => threads = value()?.parse()?,
            "--data" => data = value()?.into(),
            "--arch" => archs = vec![value()?],
            other => bail!("unknown argument {other}"),
        }
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = if data.is_relative() {
        root.join(data)
    } else {
        data
    };
    if !data.is_dir() {
        bail!(
            "{} not found: run `cargo xtask fetch-mnist` first",
            data.display()
        );
    }
    tch::set_num_threads(threads);
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads as usize)
        .build_global()
        .ok();
    let all = mdec_data::load_path(&data, &LoadOptions::default())?;
    let n = (batches * BATCH).min(all.len());
    let subset = Dataset::new(all.gather(&(0..n).collect::<Vec<_>>()));
    let out = tempfile::tempdir()?;
    for arch in &archs {
        let config = match arch.as_str() {
            "dcec" => AeConfig::dcec(10),
            "mdec" => AeConfig::mdec(10),
            other => bail!("unknown arch {other}: dcec or mdec"),
        };
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
                .epochs(2)
                .batch_size(BATCH)
                .augment(augment)
                .checkpoint_every(0)
                .progress(false)
                .check()?;
            let mut model =
                AeModel::with_seed(config.clone(), subset.shape(), tch::Device::Cpu, 0)?;
            let dir = out.path().join(format!("{arch}-{augmented}"));
            let report = pretrain(&mut model, &subset, None, &params, &dir)?;
            let sps = report.rows.last().map_or(0.0, |r| r.samples_per_sec);
            let flops = 3.0 * model.forward_flops();
            println!(
                "{{\"side\":\"rust\",\"arch\":\"{arch}\",\"augment\":{augmented},\"batch_size\":{BATCH},\
                 \"batches\":{},\"threads\":{threads},\"samples_per_sec\":{sps:.1},\
                 \"flops_per_sample\":{flops},\"gflops\":{:.2}}}",
                n.div_ceil(BATCH),
                sps * flops / 1e9
            );
        }
    }
    Ok(())
}
