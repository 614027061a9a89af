//! What `bench_metrics` and `timing` share: a seeded generator, the synthetic MNIST-sized
//! labels they score, and the timing loop (`#[path]`-included by each; cargo does not
//! build a folder without a `main.rs` as an example of its own).

#![allow(dead_code, reason = "each example uses part of it")]

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::Result;

/// xorshift64*: a tiny seeded generator, so the examples need no extra dependency.
pub struct Rng(u64);

impl Rng {
    /// The generator both examples start from.
    pub fn seeded() -> Self {
        Self(0x5eed_2016_dec0_0001)
    }

    /// The next 64 random bits.
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f32 {
        (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// `n` true labels of 10 classes and a 10-cluster prediction that is right about 80% of
/// the time under shuffled cluster ids, drawn from `rng`.
pub fn labels(rng: &mut Rng, n: usize) -> (Vec<usize>, Vec<usize>) {
    let cluster_of_class = [7, 2, 9, 0, 4, 1, 8, 3, 6, 5];
    let truth: Vec<usize> = (0..n).map(|_| rng.below(10)).collect();
    let pred = truth
        .iter()
        .map(|&y| {
            if rng.below(10) < 8 {
                cluster_of_class[y]
            } else {
                rng.below(10)
            }
        })
        .collect();
    (truth, pred)
}

/// The time of each of `repeats` (at least one) calls of `f`, and its last value.
pub fn time<T>(repeats: usize, mut f: impl FnMut() -> Result<T>) -> Result<(Vec<Duration>, T)> {
    anyhow::ensure!(repeats > 0, "at least one repeat");
    let mut times = Vec::with_capacity(repeats);
    let mut last = None;
    for _ in 0..repeats {
        let start = Instant::now();
        last = Some(black_box(f()?));
        times.push(start.elapsed());
    }
    Ok((times, last.expect("repeats > 0")))
}
