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

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use mdec_metrics::{acc, ari, evaluate, nmi};

/// xorshift64*: a tiny seeded generator, so the example needs no extra dependency.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n as u64) as usize
    }
}

/// A metric on (true, predicted) labels.
type Metric = fn(&[usize], &[usize]) -> Result<f64>;

/// Seconds of each of `repeats` calls of `f`, and its last value.
fn time(repeats: usize, mut f: impl FnMut() -> Result<f64>) -> Result<(Vec<f64>, f64)> {
    let mut seconds = Vec::with_capacity(repeats);
    let mut value = f64::NAN;
    for _ in 0..repeats {
        let start = Instant::now();
        value = black_box(f()?);
        seconds.push(start.elapsed().as_secs_f64());
    }
    Ok((seconds, value))
}

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

    let mut rng = Rng(0x5eed_2016_dec0_0001);
    let cluster_of_class = [7, 2, 9, 0, 4, 1, 8, 3, 6, 5];
    let truth: Vec<usize> = (0..n).map(|_| rng.below(10)).collect();
    let pred: Vec<usize> = truth
        .iter()
        .map(|&y| {
            if rng.below(10) < 8 {
                cluster_of_class[y]
            } else {
                rng.below(10)
            }
        })
        .collect();
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
        let (seconds, value) = time(repeats, || f(&truth, &pred))?;
        println!(
            "{{\"side\":\"rust\",\"metric\":\"{metric}\",\"n\":{n},\"value\":{value},\"seconds\":{seconds:?}}}"
        );
    }
    Ok(())
}
