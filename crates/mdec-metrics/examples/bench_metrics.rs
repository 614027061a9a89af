//! Rust side of `cargo xtask bench`'s metrics comparison: ACC, NMI and ARI on MNIST-sized
//! label vectors, against `scripts/bench_metrics.py` (scikit-learn) on the same labels.
//!
//! ```text
//! cargo run --release -p mdec-metrics --example bench_metrics -- \
//!     [--n 70000] [--repeats 50] [--labels target/bench/labels_70000.u8]
//! ```
//!
//! Draws `n` true labels (10 classes) and a prediction that is right about 80% of the time
//! under shuffled cluster ids (seeded), writes both to `--labels` as `2n` bytes (true labels
//! then predicted), and prints one JSON object per metric: the value and the seconds of each
//! of `repeats` calls. `all` is [`evaluate`]: the three scores from one contingency table.

#![allow(clippy::print_stdout, reason = "an example reports on stdout")]

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use mdec_metrics::{acc, ari, evaluate, nmi};

#[path = "common/mod.rs"]
mod common;

/// A metric on (true, predicted) labels.
type Metric = fn(&[usize], &[usize]) -> Result<f64>;

fn main() -> Result<()> {
    let (mut n, mut repeats) = (70_000usize, 50usize);
    let mut labels = PathBuf::from("target/bench/labels_70000.u8");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--n" => n = value()?.parse()?,
            "--repeats" => repeats = value()?.parse()?,
            "--labels" => labels = value()?.into(),
            other => bail!("unknown argument {other}"),
        }
    }
    anyhow::ensure!(n > 0 && repeats > 0, "--n and --repeats must be positive");

    let (truth, pred) = common::labels(&mut common::Rng::seeded(), n);
    if let Some(dir) = labels.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let bytes: Vec<u8> = truth.iter().chain(&pred).map(|&l| l as u8).collect();
    std::fs::write(&labels, bytes).with_context(|| format!("cannot write {}", labels.display()))?;

    let runs: [(&str, Metric); 4] = [
        ("acc", |t, p| Ok(acc(t, p)?)),
        ("nmi", |t, p| Ok(nmi(t, p)?)),
        ("ari", |t, p| Ok(ari(t, p)?)),
        ("all", |t, p| Ok(evaluate(t, p)?.acc)),
    ];
    for (metric, f) in runs {
        let (times, value) = common::time(repeats, || f(&truth, &pred))?;
        let seconds: Vec<f64> = times.iter().map(Duration::as_secs_f64).collect();
        println!(
            "{{\"side\":\"rust\",\"metric\":\"{metric}\",\"n\":{n},\"value\":{value},\"seconds\":{seconds:?}}}"
        );
    }
    Ok(())
}
