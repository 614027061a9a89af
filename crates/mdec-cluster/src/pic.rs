//! Power iteration clustering as DeepCluster uses it (Caron et al., 2018, §3.3 and their
//! `clustering.py`; after Lin & Cohen, ICML 2010): a graph of each point's nearest
//! neighbours with Gaussian weights, a random walk with a little teleportation run to near
//! its stationary distribution `v`, and each point linked to the neighbour `j` that raises
//! `W_ij (v_j − v_i)` most; the basins of the local maxima of `v` are the clusters.
//!
//! PIC finds its own number of clusters. The training loop has `k` pseudo-classes, so the
//! smallest basin is merged into the basin with the nearest mean until at most `k` remain
//! (DeepCluster's code moves only singletons, to their nearest neighbour's cluster).

use tch::{Kind, Tensor};

use crate::error::Result;

/// Neighbours per point in the graph (DeepCluster: 5).
const NEIGHBOURS: i64 = 5;
/// Width of the Gaussian weights `exp(−d² / σ²)` on squared distances between unit
/// vectors (DeepCluster: 0.2).
const SIGMA: f64 = 0.2;
/// Weight of the walk against uniform teleportation (DeepCluster: 0.001).
const ALPHA: f64 = 0.001;
/// Power iterations (DeepCluster: 200).
const ITERATIONS: usize = 200;
/// Rows of the distance matrix computed at once.
const CHUNK: i64 = 2048;

/// Clusters the rows of `features` `[n, p]` (L2-normalised) into at most `k` groups;
/// returns each row's cluster, numbered from 0 in order of first appearance.
///
/// # Errors
/// Tensor errors.
pub(crate) fn pic(features: &Tensor, k: usize) -> Result<Vec<usize>> {
    let n = features.size()[0];
    let m = NEIGHBOURS.min(n - 1).max(0);
    let graph = neighbour_graph(features, m)?;
    let v = stationary(&graph);
    let basins = basins(&graph, &v);
    let host: Vec<f32> = features
        .f_to_kind(Kind::Float)?
        .f_to_device(tch::Device::Cpu)?
        .f_contiguous()?
        .f_view([-1])?
        .try_into()?;
    let p = features.size()[1] as usize;
    Ok(merge_to(basins, &host, p, k))
}

/// The symmetrised neighbour graph `A + Aᵀ` as adjacency lists of (neighbour, weight), where
/// `A` links each point to its `m` nearest others with weight `exp(−d² / σ²)`.
fn neighbour_graph(features: &Tensor, m: i64) -> Result<Vec<Vec<(usize, f64)>>> {
    let n = features.size()[0];
    let mut graph: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n as usize];
    if m == 0 {
        return Ok(graph);
    }
    let xs = features.f_to_kind(Kind::Float)?;
    let sq = xs
        .f_square()?
        .f_sum_dim_intlist(Some([1i64].as_slice()), false, None)?; // [n]
    let mut start = 0;
    while start < n {
        let len = CHUNK.min(n - start);
        let rows = xs.f_narrow(0, start, len)?;
        // ‖x‖² + ‖y‖² − 2 x·y, the point itself pushed out of reach.
        let mut d2 = (rows.f_matmul(&xs.f_transpose(0, 1)?)? * -2.0)
            .f_add(&sq.f_narrow(0, start, len)?.f_unsqueeze(1)?)?
            .f_add(&sq.f_unsqueeze(0)?)?
            .f_clamp_min(0.0)?;
        let own = Tensor::f_arange_start(start, start + len, (Kind::Int64, xs.device()))?;
        let d2 = d2.f_index_put_(
            &[
                Some(Tensor::f_arange(len, (Kind::Int64, xs.device()))?),
                Some(own),
            ],
            &Tensor::from(f32::INFINITY).f_to_device(xs.device())?,
            false,
        )?;
        let (dist, idx) = d2.f_topk(m, 1, false, true)?;
        let dist: Vec<f32> = dist
            .f_to_device(tch::Device::Cpu)?
            .f_view([-1])?
            .try_into()?;
        let idx: Vec<i64> = idx
            .f_to_device(tch::Device::Cpu)?
            .f_view([-1])?
            .try_into()?;
        for r in 0..len as usize {
            let i = start as usize + r;
            for c in 0..m as usize {
                let j = idx[r * m as usize + c] as usize;
                let w = (-f64::from(dist[r * m as usize + c]) / (SIGMA * SIGMA)).exp();
                graph[i].push((j, w));
                graph[j].push((i, w));
            }
        }
        start += len;
    }
    Ok(graph)
}

/// The walk's distribution after [`ITERATIONS`] steps from uniform, with teleportation
/// `1 − α` to uniform at each step, L1-normalised (DeepCluster's `run_pic`).
fn stationary(graph: &[Vec<(usize, f64)>]) -> Vec<f64> {
    let n = graph.len();
    let mut v = vec![1.0 / n as f64; n];
    for _ in 0..ITERATIONS {
        let mut next = vec![(1.0 - ALPHA) / n as f64; n];
        for (i, edges) in graph.iter().enumerate() {
            for &(j, w) in edges {
                next[j] += ALPHA * w * v[i];
            }
        }
        let total: f64 = next.iter().sum();
        v = next.into_iter().map(|x| x / total).collect();
    }
    v
}

/// Each point follows the edge that raises `W_ij (v_j − v_i)` most, while one does; the
/// basin of a point is the local maximum it ends at. Returns basin numbers.
fn basins(graph: &[Vec<(usize, f64)>], v: &[f64]) -> Vec<usize> {
    let n = graph.len();
    let up: Vec<usize> = (0..n)
        .map(|i| {
            let mut best = (0.0, i);
            for &(j, w) in &graph[i] {
                let gain = w * (v[j] - v[i]);
                if gain > best.0 {
                    best = (gain, j);
                }
            }
            best.1
        })
        .collect();
    (0..n)
        .map(|i| {
            let mut top = i;
            // `v` rises strictly along every link, so the walk ends.
            while up[top] != top {
                top = up[top];
            }
            top
        })
        .collect()
}

/// Merges the smallest basin into the one with the nearest mean (of the `p`-wide rows of
/// `features`) until at most `k` remain; numbers them from 0 in order of first appearance.
fn merge_to(basins: Vec<usize>, features: &[f32], p: usize, k: usize) -> Vec<usize> {
    let n = basins.len();
    // Groups: (members' sum, size), keyed by the basin's root.
    let mut id = vec![usize::MAX; n];
    let mut sums: Vec<Vec<f64>> = Vec::new();
    let mut sizes: Vec<usize> = Vec::new();
    let mut label: Vec<usize> = Vec::with_capacity(n);
    for (i, &root) in basins.iter().enumerate() {
        if id[root] == usize::MAX {
            id[root] = sizes.len();
            sums.push(vec![0.0; p]);
            sizes.push(0);
        }
        let g = id[root];
        for (s, &x) in sums[g].iter_mut().zip(&features[i * p..(i + 1) * p]) {
            *s += f64::from(x);
        }
        sizes[g] += 1;
        label.push(g);
    }
    // into[g]: the group g was merged into (itself while alive).
    let mut into: Vec<usize> = (0..sizes.len()).collect();
    let mut alive: Vec<usize> = (0..sizes.len()).collect();
    while alive.len() > k.max(1) {
        let (pos, &small) = alive
            .iter()
            .enumerate()
            .min_by_key(|&(_, &g)| (sizes[g], g))
            .unwrap_or((0, &0));
        alive.swap_remove(pos);
        let mean = |g: usize| -> Vec<f64> { sums[g].iter().map(|s| s / sizes[g] as f64).collect() };
        let from = mean(small);
        let nearest = alive
            .iter()
            .copied()
            .min_by(|&a, &b| {
                let d = |g: usize| -> f64 {
                    mean(g)
                        .iter()
                        .zip(&from)
                        .map(|(x, y)| (x - y).powi(2))
                        .sum()
                };
                d(a).total_cmp(&d(b))
            })
            .unwrap_or(small);
        let moved = std::mem::take(&mut sums[small]);
        for (s, x) in sums[nearest].iter_mut().zip(moved) {
            *s += x;
        }
        sizes[nearest] += sizes[small];
        sizes[small] = 0;
        into[small] = nearest;
    }
    let root = |mut g: usize| {
        while into[g] != g {
            g = into[g];
        }
        g
    };
    let mut number = vec![usize::MAX; sizes.len()];
    let mut next = 0;
    label
        .into_iter()
        .map(|g| {
            let r = root(g);
            if number[r] == usize::MAX {
                number[r] = next;
                next += 1;
            }
            number[r]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four tight groups of unit vectors around four directions: PIC finds them, and with
    /// `k` = 2 it merges them into two.
    #[test]
    fn finds_separated_groups_and_merges_down_to_k() -> anyhow::Result<()> {
        tch::manual_seed(3);
        let directions = Tensor::eye(4, (Kind::Float, tch::Device::Cpu)).repeat([30, 1]); // [120, 4]
        let noisy = &directions + Tensor::randn([120, 4], (Kind::Float, tch::Device::Cpu)) * 0.05;
        let unit = &noisy / noisy.square().sum_dim_intlist(1, true, Kind::Float).sqrt();
        let truth: Vec<usize> = (0..120).map(|i| i % 4).collect();
        let labels = pic(&unit, 4)?;
        assert!(labels.iter().all(|&l| l < 4));
        assert_eq!(mdec_metrics::acc(&truth, &labels)?, 1.0);
        let two = pic(&unit, 2)?;
        assert!(two.iter().all(|&l| l < 2));
        // Each true group lies whole in one of the two.
        for g in 0..4 {
            let first = two[g];
            assert!((0..120).filter(|i| i % 4 == g).all(|i| two[i] == first));
        }
        Ok(())
    }

    #[test]
    fn merging_keeps_the_largest_groups_and_numbers_in_order() {
        // Basins: 0 (3 points at 0), 3 (2 points at 10), 5 (1 point at 9).
        let basins = vec![0, 0, 0, 3, 3, 5];
        let features = [0.0f32, 0.1, -0.1, 10.0, 10.2, 9.0];
        assert_eq!(
            merge_to(basins.clone(), &features, 1, 3),
            [0, 0, 0, 1, 1, 2]
        );
        assert_eq!(merge_to(basins, &features, 1, 2), [0, 0, 0, 1, 1, 1]);
    }
}
