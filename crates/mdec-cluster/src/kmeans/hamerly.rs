//! Lloyd's k-means for data on the CPU, one restart per rayon task, with Hamerly's bounds
//! (G. Hamerly, "Making k-means even faster", SDM 2010).
//!
//! Each sample keeps an upper bound on the distance to its centroid and a lower bound on
//! the distance to every other one. When the upper bound is below both the lower bound
//! and half the distance from its centroid to the nearest other centroid, the sample
//! cannot change cluster and its distances are not computed. The result is exactly
//! Lloyd's: the same assignments, centroids and iterations, with far fewer distance
//! computations once the centroids settle. Centroid sums are kept in `f64` and updated
//! only for the samples that move.

use rayon::prelude::*;

/// One restart's result: the centroids `[k * d]` and the iterations it ran.
pub(super) struct Restart {
    pub centroids: Vec<f32>,
    pub iterations: usize,
}

/// The samples `[n * d]` (row-major) and their dimensions.
pub(super) struct Points<'a> {
    pub xs: &'a [f32],
    pub d: usize,
}

impl Points<'_> {
    fn n(&self) -> usize {
        self.xs.len() / self.d
    }

    fn row(&self, i: usize) -> &[f32] {
        &self.xs[i * self.d..(i + 1) * self.d]
    }
}

/// Runs Lloyd from each of the `init.len() / (k * d)` restarts' centroids (`[r * k * d]`)
/// until the summed squared centroid shift is at most `tol` with no cluster empty, or
/// `max_iter` iterations.
pub(super) fn lloyd(
    points: &Points<'_>,
    init: &[f32],
    k: usize,
    max_iter: usize,
    tol: f64,
) -> Vec<Restart> {
    init.par_chunks(k * points.d)
        .map(|start| restart(points, start, k, max_iter, tol))
        .collect()
}

fn sq_dist(x: &[f32], c: &[f64]) -> f64 {
    x.iter()
        .zip(c)
        .map(|(&a, &b)| (f64::from(a) - b).powi(2))
        .sum::<f64>()
}

fn dist(x: &[f32], c: &[f64]) -> f64 {
    sq_dist(x, c).sqrt()
}

fn centroid_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt()
}

/// Per-sample state of one restart.
struct State {
    label: Vec<usize>,
    upper: Vec<f64>,
    lower: Vec<f64>,
    sums: Vec<f64>, // [k * d]
    counts: Vec<usize>,
}

impl State {
    /// Assigns every sample from scratch (first iteration, or after re-seeding).
    fn full(points: &Points<'_>, c: &[f64], k: usize) -> Self {
        let (n, d) = (points.n(), points.d);
        let mut s = State {
            label: vec![0; n],
            upper: vec![0.0; n],
            lower: vec![0.0; n],
            sums: vec![0.0; k * d],
            counts: vec![0; k],
        };
        for i in 0..n {
            s.nearest(points, c, k, i);
            s.add(points.row(i), s.label[i], 1.0);
        }
        s
    }

    /// Sets sample `i`'s label to its nearest centroid and both bounds to exact values.
    fn nearest(&mut self, points: &Points<'_>, c: &[f64], k: usize, i: usize) {
        let (x, d) = (points.row(i), points.d);
        let (mut best, mut d1, mut d2) = (0, f64::INFINITY, f64::INFINITY);
        for j in 0..k {
            let dj = sq_dist(x, &c[j * d..(j + 1) * d]);
            if dj < d1 {
                (best, d1, d2) = (j, dj, d1);
            } else if dj < d2 {
                d2 = dj;
            }
        }
        self.label[i] = best;
        self.upper[i] = d1.sqrt();
        self.lower[i] = d2.sqrt();
    }

    fn add(&mut self, x: &[f32], j: usize, sign: f64) {
        let d = x.len();
        for (s, &v) in self.sums[j * d..(j + 1) * d].iter_mut().zip(x) {
            *s += sign * f64::from(v);
        }
        if sign > 0.0 {
            self.counts[j] += 1;
        } else {
            self.counts[j] -= 1;
        }
    }
}

fn restart(points: &Points<'_>, init: &[f32], k: usize, max_iter: usize, tol: f64) -> Restart {
    let d = points.d;
    let mut c: Vec<f64> = init.iter().map(|&v| f64::from(v)).collect();
    let mut state = State::full(points, &c, k);
    let mut iterations = max_iter;
    for it in 1..=max_iter {
        if it > 1 {
            // Half the distance from each centroid to its nearest other centroid.
            let half: Vec<f64> = (0..k)
                .map(|a| {
                    let ca = &c[a * d..(a + 1) * d];
                    (0..k)
                        .filter(|&b| b != a)
                        .map(|b| centroid_dist(ca, &c[b * d..(b + 1) * d]))
                        .fold(f64::INFINITY, f64::min)
                        / 2.0
                })
                .collect();
            for i in 0..points.n() {
                let a = state.label[i];
                let bound = half[a].max(state.lower[i]);
                if state.upper[i] <= bound {
                    continue;
                }
                state.upper[i] = dist(points.row(i), &c[a * d..(a + 1) * d]);
                if state.upper[i] <= bound {
                    continue;
                }
                state.nearest(points, &c, k, i);
                let b = state.label[i];
                if b != a {
                    state.add(points.row(i), a, -1.0);
                    state.add(points.row(i), b, 1.0);
                }
            }
        }
        // Move the centroids; an empty cluster keeps its centroid until re-seeded.
        let mut drift = vec![0.0; k];
        let mut shift = 0.0;
        let mut empty = Vec::new();
        for j in 0..k {
            let cj = &mut c[j * d..(j + 1) * d];
            if state.counts[j] == 0 {
                empty.push(j);
                continue;
            }
            let count = state.counts[j] as f64;
            let mut moved = 0.0;
            for (v, s) in cj.iter_mut().zip(&state.sums[j * d..(j + 1) * d]) {
                let new = s / count;
                moved += (new - *v).powi(2);
                *v = new;
            }
            shift += moved;
            drift[j] = moved.sqrt();
        }
        if !empty.is_empty() {
            reseed(points, &mut c, &state.label, &empty);
            state = State::full(points, &c, k);
            continue;
        }
        if shift <= tol {
            iterations = it;
            break;
        }
        // Loosen the bounds by how far the centroids moved.
        let (mut far, mut m1, mut m2) = (0, 0.0, 0.0);
        for (j, &p) in drift.iter().enumerate() {
            if p > m1 {
                (far, m1, m2) = (j, p, m1);
            } else if p > m2 {
                m2 = p;
            }
        }
        for i in 0..points.n() {
            let a = state.label[i];
            state.upper[i] += drift[a];
            state.lower[i] -= if a == far { m2 } else { m1 };
        }
    }
    Restart {
        centroids: c.iter().map(|&v| v as f32).collect(),
        iterations,
    }
}

/// Moves each empty cluster's centroid to one of the samples farthest from their own
/// centroid (as scikit-learn does), a different sample for each.
fn reseed(points: &Points<'_>, c: &mut [f64], label: &[usize], empty: &[usize]) {
    let d = points.d;
    let mut far: Vec<(f64, usize)> = (0..points.n())
        .map(|i| (dist(points.row(i), &c[label[i] * d..(label[i] + 1) * d]), i))
        .collect();
    far.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for (&j, &(_, i)) in empty.iter().zip(&far) {
        tracing::debug!(
            cluster = j,
            sample = i,
            "k-means: re-seeding an empty cluster"
        );
        for (v, &x) in c[j * d..(j + 1) * d].iter_mut().zip(points.row(i)) {
            *v = f64::from(x);
        }
    }
}
