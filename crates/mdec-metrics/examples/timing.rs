//! Times the metrics on MNIST-sized inputs: 70,000 labels (10 classes, a 10-cluster
//! prediction that is right about 80% of the time under shuffled cluster ids) and
//! 10,000 reconstructed 28 × 28 images for MSE / PSNR.
//!
//! ```text
//! cargo run --release -p mdec-metrics --example timing [-- N_LABELS [REPEATS]]
//! ```
//!
//! Prints one line per metric: name, input size, median and fastest time in
//! microseconds over the repeats (tab-separated, for the benchmark suite).

#![allow(clippy::print_stdout, reason = "an example reports on stdout")]

use std::time::Duration;

use anyhow::{Context, Result};
use mdec_metrics::{Contingency, acc, ari, evaluate, matching, mse, nmi, psnr};

#[path = "common/mod.rs"]
mod common;

/// Runs `f` `repeats` times; returns (median, fastest).
fn time<T>(repeats: usize, f: impl FnMut() -> Result<T>) -> Result<(Duration, Duration)> {
    let (mut times, _) = common::time(repeats, f)?;
    times.sort_unstable();
    Ok((times[times.len() / 2], times[0]))
}

fn report(name: &str, size: usize, (median, min): (Duration, Duration)) {
    let us = |d: Duration| d.as_secs_f64() * 1e6;
    println!("{name}\t{size}\t{:.1}\t{:.1}", us(median), us(min));
}

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map_or(Ok(70_000), |a| a.parse())
        .context("N_LABELS must be an integer")?;
    let repeats: usize = args
        .next()
        .map_or(Ok(200), |a| a.parse())
        .context("REPEATS must be an integer")?;
    anyhow::ensure!(
        n > 0 && repeats > 0,
        "N_LABELS and REPEATS must be positive"
    );

    let mut rng = common::Rng::seeded();
    let (labels_true, labels_pred) = common::labels(&mut rng, n);

    println!("metric\tn\tmedian_us\tmin_us");
    report(
        "contingency",
        n,
        time(repeats, || {
            Ok(Contingency::new(&labels_true, &labels_pred)?)
        })?,
    );
    report(
        "acc",
        n,
        time(repeats, || Ok(acc(&labels_true, &labels_pred)?))?,
    );
    report(
        "matching",
        n,
        time(repeats, || Ok(matching(&labels_true, &labels_pred)?))?,
    );
    report(
        "nmi",
        n,
        time(repeats, || Ok(nmi(&labels_true, &labels_pred)?))?,
    );
    report(
        "ari",
        n,
        time(repeats, || Ok(ari(&labels_true, &labels_pred)?))?,
    );
    report(
        "evaluate",
        n,
        time(repeats, || Ok(evaluate(&labels_true, &labels_pred)?))?,
    );

    let pixels = 10_000 * 28 * 28;
    let original: Vec<f32> = (0..pixels).map(|_| rng.unit()).collect();
    let reconstructed: Vec<f32> = original
        .iter()
        .map(|&x| (x + 0.05 * (rng.unit() - 0.5)).clamp(0.0, 1.0))
        .collect();
    let image_repeats = repeats.min(20);
    report(
        "mse",
        pixels,
        time(image_repeats, || Ok(mse(&original, &reconstructed)?))?,
    );
    report(
        "psnr",
        pixels,
        time(image_repeats, || Ok(psnr(&original, &reconstructed, 1.0)?))?,
    );

    let scores = evaluate(&labels_true, &labels_pred)?;
    println!("# scores on the synthetic prediction: {scores}");
    Ok(())
}
