//! k-means benchmark against scikit-learn on the same data.
//!
//! Writes (once) 70,000 × 10 synthetic embeddings — 10 overlapping Gaussian blobs of
//! unequal sizes and spreads, fixed seed — to `target/bench/kmeans_70000x10.npy`, then
//! times `KMeansParams::new(10).n_init(20)` on them and prints JSON. Run
//! `scripts/bench_kmeans.py` on the same file for scikit-learn's numbers.
//!
//! ```text
//! cargo run --release -p mdec-cluster --example bench_kmeans -- [--threads 2] [--repeats 3] [--data PATH]
//! ```

#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use mdec_cluster::KMeansParams;
use ndarray::Array2;
use ndarray_npy::{read_npy, write_npy};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tch::Tensor;

const N: usize = 70_000;
const D: usize = 10;
const K: usize = 10;

fn normal(rng: &mut ChaCha8Rng) -> f32 {
    // Box–Muller from two uniforms in (0, 1].
    let u = |rng: &mut ChaCha8Rng| ((rng.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
    let (a, b) = (u(rng), u(rng));
    ((-2.0 * a.ln()).sqrt() * (2.0 * std::f64::consts::PI * b).cos()) as f32
}

/// 10 blobs in 10-d: centres N(0, 2.5²), spreads in [0.6, 1.6], sizes in ratio 1..2.
fn generate(seed: u64) -> Array2<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let centres: Vec<Vec<f32>> = (0..K)
        .map(|_| (0..D).map(|_| 2.5 * normal(&mut rng)).collect())
        .collect();
    let spreads: Vec<f32> = (0..K).map(|j| 0.6 + j as f32 / K as f32).collect();
    let weights: Vec<f64> = (0..K).map(|j| 1.0 + j as f64 / (K - 1) as f64).collect();
    let total: f64 = weights.iter().sum();
    let mut sizes: Vec<usize> = weights
        .iter()
        .map(|w| (w / total * N as f64) as usize)
        .collect();
    let missing = N - sizes.iter().sum::<usize>();
    sizes[K - 1] += missing;
    let mut out = Array2::<f32>::zeros((N, D));
    let mut i = 0;
    for (j, &size) in sizes.iter().enumerate() {
        for _ in 0..size {
            for c in 0..D {
                out[[i, c]] = centres[j][c] + spreads[j] * normal(&mut rng);
            }
            i += 1;
        }
    }
    out
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let threads: i32 = arg("--threads")
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(2);
    let repeats: usize = arg("--repeats")
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(3);
    let path =
        PathBuf::from(arg("--data").unwrap_or_else(|| "target/bench/kmeans_70000x10.npy".into()));
    tch::set_num_threads(threads);

    if !path.is_file() {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        write_npy(&path, &generate(0)).with_context(|| format!("writing {}", path.display()))?;
    }
    let data: Array2<f32> =
        read_npy(&path).with_context(|| format!("reading {}", path.display()))?;
    let (n, d) = data.dim();
    let slice = data.as_slice().context("contiguous array")?;
    let xs = Tensor::from_slice(slice).view([n as i64, d as i64]);
    let params = KMeansParams::new(K).n_init(20).seed(0).check()?;

    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..repeats {
        let start = Instant::now();
        let km = params.fit(&xs)?;
        times.push(start.elapsed().as_secs_f64());
        last = Some(km);
    }
    let km = last.context("at least one repeat")?;
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{}",
        serde_json::json!({
            "impl": "mdec-cluster",
            "data": path.display().to_string(),
            "n": n, "d": d, "k": K, "n_init": 20, "threads": threads,
            "seconds_median": median, "seconds": times,
            "inertia": km.inertia(), "n_iter": km.n_iter(),
        })
    );
    Ok(())
}
