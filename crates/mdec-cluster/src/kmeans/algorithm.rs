//! k-means on the embeddings' device: greedy k-means++ seeding and Lloyd iterations.
//!
//! On the CPU, Lloyd runs on the host, one restart per rayon task, with Hamerly's bounds
//! ([`super::hamerly`]). On a GPU all `n_init` restarts run side by side as one batch of
//! tensors. Distances use `‖x‖² − 2·x·μᵀ + ‖μ‖²`: one matrix product of the samples against the
//! centroids of every restart at once (`[n, d] × [d, r·k]`), then a minimum over each
//! restart's `k` columns. Centroid sums are an `index_add` over (restart, cluster) slots.
//! The host synchronises only every `check_every` iterations, to test convergence and
//! re-seed empty clusters; in between, an empty cluster keeps its previous centroid, so
//! nothing ever becomes NaN.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};

use crate::error::{Error, Result};
use crate::kmeans::hamerly;
use crate::kmeans::params::{KMeansInit, KMeansValidParams};

/// Largest number of `f32` values the batched restarts may hold at once for one group of
/// restarts (about 1 GiB); more restarts than fit run in several groups.
const GROUP_BUDGET: i64 = 1 << 28;

/// A fitted k-means: centroids, the labels of the data it was fitted on, and the inertia.
#[derive(Debug)]
pub struct KMeans {
    centroids: Tensor,
    labels: Tensor,
    inertia: f64,
    n_iter: usize,
    inertias: Vec<f64>,
    best_restart: usize,
}

impl KMeans {
    /// The centroids, `[k, d]` `f32` on the data's device.
    pub fn centroids(&self) -> &Tensor {
        &self.centroids
    }

    /// The cluster of each fitted sample, `[n]` `i64` on the data's device.
    pub fn labels(&self) -> &Tensor {
        &self.labels
    }

    /// The labels copied to the host.
    ///
    /// # Errors
    /// [`Error::Torch`] if the copy fails.
    pub fn labels_vec(&self) -> Result<Vec<usize>> {
        labels_to_vec(&self.labels)
    }

    /// Sum of squared distances of the samples to their centroid (the best restart's).
    pub fn inertia(&self) -> f64 {
        self.inertia
    }

    /// Lloyd iterations the best restart ran (on a GPU convergence is checked every
    /// `check_every` iterations, so there it is a multiple of it unless `max_iter` stopped it).
    pub fn n_iter(&self) -> usize {
        self.n_iter
    }

    /// The final inertia of every restart, in order.
    pub fn inertias(&self) -> &[f64] {
        &self.inertias
    }

    /// Index of the restart that won.
    pub fn best_restart(&self) -> usize {
        self.best_restart
    }

    /// The nearest centroid of each row of `xs` (`[n, d]`), `[n]` `i64`.
    ///
    /// # Errors
    /// [`Error::EmbeddingShape`] / [`Error::CentroidShape`] when `xs` does not fit.
    pub fn predict(&self, xs: &Tensor) -> Result<Tensor> {
        Ok(assign(xs, &self.centroids)?.0)
    }
}

impl KMeansValidParams {
    /// Runs k-means on `xs` (`[n, d]`, any float kind, any device; computed in `f32` on
    /// that device) and keeps the restart with the lowest inertia.
    ///
    /// ```
    /// use mdec_cluster::KMeansParams;
    /// use tch::{Device, Kind, Tensor};
    ///
    /// // Two tight blobs around (0, 0) and (10, 10).
    /// let xs = Tensor::from_slice(&[0.0f32, 0.1, 0.1, 0.0, 10.0, 10.1, 10.1, 10.0]).view([4, 2]);
    /// let km = KMeansParams::new(2).n_init(3).check()?.fit(&xs)?;
    /// let labels = km.labels_vec()?;
    /// assert_eq!(labels[0], labels[1]);
    /// assert_ne!(labels[0], labels[2]);
    /// assert!(km.inertia() < 0.1);
    /// # Ok::<(), mdec_cluster::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::EmbeddingShape`] unless `xs` is a 2-d float tensor,
    /// [`Error::TooFewSamples`] when `n < k`, [`Error::Torch`] on libtorch failures.
    pub fn fit(&self, xs: &Tensor) -> Result<KMeans> {
        let (n, d) = check_embeddings(xs)?;
        let k = self.n_clusters as i64;
        if n < k {
            return Err(Error::TooFewSamples {
                n_samples: n as usize,
                n_clusters: self.n_clusters,
            });
        }
        tch::no_grad(|| {
            let xs = xs.detach().f_to_kind(Kind::Float)?.f_contiguous()?;
            let data = Data::new(xs)?;
            // The tolerance is relative to the mean per-feature variance (scikit-learn).
            let variance = data.xs.f_var_dim(Some([0i64].as_slice()), false, false)?;
            let tol = self.tol * variance.f_mean(Kind::Double)?.f_double_value(&[])?;
            let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
            let per_restart = n * (d.max(k) + 4 * self.n_clusters.max(2) as i64);
            let group = (GROUP_BUDGET / per_restart.max(1)).clamp(1, self.n_init as i64) as usize;

            // On the CPU, Lloyd runs on the host (`hamerly`); on a GPU, as batched tensors.
            let host_xs = if data.device() == Device::Cpu {
                Some(data.host_xs()?)
            } else {
                None
            };
            let mut inertias = Vec::with_capacity(self.n_init);
            let mut best: Option<(f64, usize, Tensor, Tensor, usize)> = None;
            let mut start = 0;
            while start < self.n_init {
                let r = group.min(self.n_init - start);
                let init = match self.init {
                    KMeansInit::PlusPlus => data.plus_plus(r as i64, k, &mut rng)?,
                    KMeansInit::Random => data.random(r as i64, k, &mut rng)?,
                };
                let (centroids, iters) = match &host_xs {
                    Some(xs) => data.lloyd_host(xs, &init, k, self.max_iter, tol)?,
                    None => data.lloyd_batched(init, k, self.max_iter, tol, self.check_every)?,
                };
                let (labels, min_d2) = data.assign_batched(&centroids, k)?;
                // [r]: inertia of each restart, summed in f64.
                let inertia = min_d2
                    .f_to_kind(Kind::Double)?
                    .f_sum_dim_intlist(0, false, None)?;
                let inertia = Vec::<f64>::try_from(&inertia)?;
                for (j, &value) in inertia.iter().enumerate() {
                    inertias.push(value);
                    if best.as_ref().is_none_or(|b| value < b.0) {
                        let c = centroids.f_select(0, j as i64)?;
                        let l = labels.f_select(1, j as i64)?.f_contiguous()?;
                        best = Some((value, start + j, c, l, iters[j]));
                    }
                }
                start += r;
            }
            let Some((inertia, best_restart, centroids, labels, n_iter)) = best else {
                return Err(Error::Torch(tch::TchError::Kind(
                    "no k-means restart ran".into(),
                )));
            };
            tracing::debug!(inertia, best_restart, n_iter, "k-means done");
            Ok(KMeans {
                centroids,
                labels,
                inertia,
                n_iter,
                inertias,
                best_restart,
            })
        })
    }
}

/// The samples and their squared norms.
struct Data {
    xs: Tensor, // [n, d]
    x2: Tensor, // [n]
    n: i64,
    d: i64,
}

impl Data {
    fn new(xs: Tensor) -> Result<Self> {
        let (n, d) = (xs.size()[0], xs.size()[1]);
        let x2 = xs.f_square()?.f_sum_dim_intlist(1, false, None)?;
        Ok(Self { xs, x2, n, d })
    }

    fn device(&self) -> Device {
        self.xs.device()
    }

    /// Squared distances of every sample to `points` (`[m, d]`), `[m, n]`, clamped at 0.
    fn sq_dist_rows(&self, points: &Tensor) -> Result<Tensor> {
        let p2 = points.f_square()?.f_sum_dim_intlist(1, true, None)?; // [m, 1]
        let cross = points.f_matmul(&self.xs.tr())?; // [m, n]
        Ok((p2 - cross * 2.0 + self.x2.f_unsqueeze(0)?).f_clamp_min(0.0)?)
    }

    /// Greedy k-means++ for `r` restarts at once: `[r, k, d]`.
    fn plus_plus(&self, r: i64, k: i64, rng: &mut ChaCha8Rng) -> Result<Tensor> {
        let device = self.device();
        let trials = 2 + (k as f64).ln() as i64;
        let first: Vec<i64> = (0..r).map(|_| below(rng, self.n as u64) as i64).collect();
        let first = Tensor::from_slice(&first).f_to_device(device)?;
        let mut chosen = vec![self.xs.f_index_select(0, &first)?]; // each [r, d]
        // Distances stay f32; potentials and the cumulative sum are accumulated in f64.
        let mut closest = self.sq_dist_rows(&chosen[0])?; // [r, n]
        for _ in 1..k {
            let pot = closest.f_sum_dim_intlist(1, true, Kind::Double)?; // [r, 1]
            let u: Vec<f64> = (0..r * trials).map(|_| uniform(rng)).collect();
            let u = Tensor::from_slice(&u)
                .f_to_device(device)?
                .f_view([r, trials])?;
            let targets = u * pot; // [r, trials]
            let cum = closest.f_cumsum(1, Kind::Double)?; // [r, n]
            let cand = targets
                .f_searchsorted(&cum, false, false, "left", None::<Tensor>)?
                .f_clamp_max(self.n - 1)?; // [r, trials]
            let cand_pts = self.xs.f_index_select(0, &cand.f_view([-1])?)?; // [r*trials, d]
            let dist = self.sq_dist_rows(&cand_pts)?.f_view([r, trials, self.n])?;
            let merged = dist.f_minimum(&closest.f_unsqueeze(1)?)?; // [r, trials, n]
            let best = merged
                .f_sum_dim_intlist(2, false, Kind::Double)?
                .f_argmin(1, false)?; // [r]
            closest = merged
                .f_gather(
                    1,
                    &best.f_view([r, 1, 1])?.f_expand([r, 1, self.n], false)?,
                    false,
                )?
                .f_squeeze_dim(1)?;
            let pick = cand
                .f_gather(1, &best.f_view([r, 1])?, false)?
                .f_view([r])?;
            chosen.push(self.xs.f_index_select(0, &pick)?);
        }
        Ok(Tensor::f_stack(&chosen, 1)?) // [r, k, d]
    }

    /// `k` distinct samples per restart (Floyd's sampling): `[r, k, d]`.
    fn random(&self, r: i64, k: i64, rng: &mut ChaCha8Rng) -> Result<Tensor> {
        let mut idx = Vec::with_capacity((r * k) as usize);
        for _ in 0..r {
            let n = self.n as u64;
            let mut picked: Vec<i64> = Vec::with_capacity(k as usize);
            for j in (n - k as u64)..n {
                let t = below(rng, j + 1) as i64;
                let v = if picked.contains(&t) { j as i64 } else { t };
                picked.push(v);
            }
            idx.extend(picked);
        }
        let idx = Tensor::from_slice(&idx).f_to_device(self.device())?;
        Ok(self.xs.f_index_select(0, &idx)?.f_view([r, k, self.d])?)
    }

    /// Scores `‖μ‖² − 2·x·μ` of every sample against every restart's centroids,
    /// `[n, r, k]` (the `‖x‖²` term does not change the minimum): one fused `addmm`.
    fn scores(&self, centroids: &Tensor, k: i64) -> Result<Tensor> {
        let r = centroids.size()[0];
        let flat = centroids.f_view([r * k, self.d])?; // [r*k, d]
        let c2 = flat.f_square()?.f_sum_dim_intlist(1, false, None)?; // [r*k]
        let scores = c2.f_addmm(&self.xs, &(flat.tr() * -2.0))?; // [n, r*k]
        Ok(scores.f_view([self.n, r, k])?)
    }

    /// Nearest centroid per restart, `[n, r]`, and the squared distance to it, `[n, r]`.
    fn assign_batched(&self, centroids: &Tensor, k: i64) -> Result<(Tensor, Tensor)> {
        let (vals, labels) = self.scores(centroids, k)?.f_min_dim(2, false)?;
        let d2 = (vals + self.x2.f_unsqueeze(1)?).f_clamp_min(0.0)?;
        Ok((labels, d2))
    }

    /// The samples copied to the host, `[n * d]` row-major, for [`Data::lloyd_host`].
    fn host_xs(&self) -> Result<Vec<f32>> {
        Ok(Vec::<f32>::try_from(&self.xs.f_reshape([-1])?)?)
    }

    /// Lloyd iterations on the host from `centroids` (`[r, k, d]`), `xs` being
    /// [`Data::host_xs`]: one restart per rayon task, with Hamerly's bounds. Returns the
    /// final centroids `[r, k, d]` and the iterations each restart ran.
    fn lloyd_host(
        &self,
        xs: &[f32],
        centroids: &Tensor,
        k: i64,
        max_iter: usize,
        tol: f64,
    ) -> Result<(Tensor, Vec<usize>)> {
        let r = centroids.size()[0];
        let init = Vec::<f32>::try_from(&centroids.f_contiguous()?.f_reshape([-1])?)?;
        let points = hamerly::Points {
            xs,
            d: self.d as usize,
        };
        let restarts = hamerly::lloyd(&points, &init, k as usize, max_iter, tol);
        let flat: Vec<f32> = restarts
            .iter()
            .flat_map(|s| s.centroids.iter().copied())
            .collect();
        let iters = restarts.iter().map(|s| s.iterations).collect();
        Ok((Tensor::from_slice(&flat).f_view([r, k, self.d])?, iters))
    }

    /// Lloyd iterations from `centroids` (`[r, k, d]`) as tensors on the device, all
    /// restarts in one batch. Every `check_every` iterations
    /// the restarts whose squared centroid shift is at most `tol` (and that have no
    /// empty cluster) leave the batch, so the others run on fewer columns. Returns the
    /// final centroids `[r, k, d]` and the iterations each restart ran.
    fn lloyd_batched(
        &self,
        centroids: Tensor,
        k: i64,
        max_iter: usize,
        tol: f64,
        check_every: usize,
    ) -> Result<(Tensor, Vec<usize>)> {
        let r = centroids.size()[0];
        let device = self.device();
        let d = self.d;
        // Samples with a trailing 1, repeated per restart (restart-major): one
        // `index_add` gives every cluster's sum and count.
        let ones = Tensor::f_ones([self.n, 1], (Kind::Float, device))?;
        let rep = Tensor::f_cat(&[&self.xs, &ones], 1)?.f_repeat([r, 1])?; // [r*n, d+1]
        let offsets = (Tensor::f_arange(r, (Kind::Int64, device))? * k).f_view([r, 1])?; // [r, 1]
        let mut done: Vec<Option<(Tensor, usize)>> = (0..r).map(|_| None).collect();
        let mut active: Vec<i64> = (0..r).collect();
        let mut cs = centroids; // [a, k, d], the active restarts
        for it in 1..=max_iter {
            let a = active.len() as i64;
            let (_, labels) = self.scores(&cs, k)?.f_min_dim(2, false)?; // [n, a]
            let slots = (labels.tr() + offsets.f_narrow(0, 0, a)?).f_reshape([-1])?; // [a*n]
            let acc = Tensor::f_zeros([a * k, d + 1], (Kind::Float, device))?.f_index_add(
                0,
                &slots,
                &rep.f_narrow(0, 0, a * self.n)?,
            )?; // [a*k, d+1]
            let counts = acc.f_narrow(1, d, 1)?; // [a*k, 1]
            let means = acc.f_narrow(1, 0, d)? / counts.f_clamp_min(1.0)?;
            let old = cs.f_view([a * k, d])?;
            let new = means
                .f_where_self(&counts.f_gt(0.0)?, &old)?
                .f_view([a, k, d])?;
            if it % check_every != 0 && it != max_iter {
                cs = new;
                continue;
            }
            let shift = (&new - &cs)
                .f_square()?
                .f_view([a, k * d])?
                .f_sum_dim_intlist(1, false, None)?;
            let shift =
                Vec::<f64>::try_from(&shift.f_to_kind(Kind::Double)?.f_to_device(Device::Cpu)?)?;
            let mut new = new;
            let empty = reseed_empty(self, &mut new, &counts.f_view([a * k])?, a, k)?;
            let last = it == max_iter;
            let keep: Vec<i64> = (0..a)
                .filter(|&j| !last && (shift[j as usize] > tol || empty[j as usize]))
                .collect();
            for j in 0..a {
                if !keep.contains(&j) {
                    done[active[j as usize] as usize] = Some((new.f_select(0, j)?, it));
                }
            }
            if keep.is_empty() {
                break;
            }
            if keep.len() < a as usize {
                let idx = Tensor::from_slice(&keep).f_to_device(device)?;
                cs = new.f_index_select(0, &idx)?;
                active = keep.iter().map(|&j| active[j as usize]).collect();
            } else {
                cs = new;
            }
        }
        let mut finals = Vec::with_capacity(r as usize);
        let mut iters = Vec::with_capacity(r as usize);
        for slot in done {
            let Some((c, it)) = slot else {
                return Err(Error::Torch(tch::TchError::Kind(
                    "a k-means restart did not finish".into(),
                )));
            };
            finals.push(c);
            iters.push(it);
        }
        Ok((Tensor::f_stack(&finals, 0)?, iters))
    }
}

/// Moves the centroid of every empty cluster to the sample farthest from its current
/// centroid (as scikit-learn does); returns, per restart, whether it had an empty cluster.
fn reseed_empty(
    data: &Data,
    centroids: &mut Tensor,
    counts: &Tensor,
    r: i64,
    k: i64,
) -> Result<Vec<bool>> {
    let counts = Vec::<f32>::try_from(&counts.f_to_device(Device::Cpu)?)?;
    let empty_of = |j: i64| -> Vec<i64> {
        (0..k)
            .filter(|&c| counts[(j * k + c) as usize] == 0.0)
            .collect()
    };
    let flags: Vec<bool> = (0..r).map(|j| !empty_of(j).is_empty()).collect();
    if !flags.iter().any(|&f| f) {
        return Ok(flags);
    }
    let (_, d2) = data.assign_batched(centroids, k)?; // [n, r]
    for j in 0..r {
        let empty = empty_of(j);
        if empty.is_empty() {
            continue;
        }
        tracing::debug!(restart = j, clusters = ?empty, "k-means: re-seeding empty clusters");
        let (_, far) = d2
            .f_select(1, j)?
            .f_topk(empty.len() as i64, 0, true, true)?;
        let points = data.xs.f_index_select(0, &far)?; // [e, d]
        let slots = Tensor::from_slice(&empty).f_to_device(data.device())?;
        let mut row = centroids.f_select(0, j)?;
        let _ = row.f_index_copy_(0, &slots, &points)?;
    }
    Ok(flags)
}

/// Checks that `xs` is `[n, d]` of a floating kind; returns `(n, d)`.
pub(crate) fn check_embeddings(xs: &Tensor) -> Result<(i64, i64)> {
    let size = xs.size();
    let float = matches!(
        xs.kind(),
        Kind::Float | Kind::Double | Kind::Half | Kind::BFloat16
    );
    match size.as_slice() {
        [n, d] if float && *d > 0 => Ok((*n, *d)),
        _ => Err(Error::EmbeddingShape {
            shape: size,
            kind: format!("{:?}", xs.kind()),
        }),
    }
}

/// Squared Euclidean distances `[n, k]` between the rows of `xs` (`[n, d]`) and
/// `centroids` (`[k, d]`), by `‖x‖² − 2·x·μᵀ + ‖μ‖²`, clamped at 0. Differentiable.
///
/// # Errors
/// [`Error::EmbeddingShape`] / [`Error::CentroidShape`] when the shapes do not fit.
pub fn sq_distances(xs: &Tensor, centroids: &Tensor) -> Result<Tensor> {
    let (_, d) = check_embeddings(xs)?;
    check_centroids(centroids, d)?;
    let x2 = xs.f_square()?.f_sum_dim_intlist(1, true, None)?; // [n, 1]
    let c2 = centroids.f_square()?.f_sum_dim_intlist(1, false, None)?; // [k]
    let cross = xs.f_matmul(&centroids.tr())?; // [n, k]
    Ok((x2 - cross * 2.0 + c2).f_clamp_min(0.0)?)
}

fn check_centroids(centroids: &Tensor, d: i64) -> Result<()> {
    match centroids.size().as_slice() {
        [k, cd] if *k >= 1 && *cd == d => Ok(()),
        other => Err(Error::CentroidShape {
            centroids: other.to_vec(),
            dim: d,
        }),
    }
}

/// The nearest centroid of each row of `xs`, `[n]` `i64`, and the squared distance to it,
/// `[n]`. Runs without gradient.
///
/// # Errors
/// [`Error::EmbeddingShape`] / [`Error::CentroidShape`] when the shapes do not fit.
pub fn assign(xs: &Tensor, centroids: &Tensor) -> Result<(Tensor, Tensor)> {
    tch::no_grad(|| {
        let d2 = sq_distances(xs, &centroids.f_to_kind(xs.kind())?)?;
        let (min_d2, labels) = d2.f_min_dim(1, false)?;
        Ok((labels, min_d2))
    })
}

/// One Lloyd step: assigns each row of `xs` (`[n, d]`) to its nearest centroid and moves
/// every centroid to the mean of its samples; an empty cluster is re-seeded with the
/// sample farthest from its centroid. Returns the new centroids `[k, d]` and the labels
/// `[n]` of the assignment step. Runs without gradient.
///
/// ```
/// use mdec_cluster::kmeans::lloyd_step;
/// use tch::Tensor;
///
/// let xs = Tensor::from_slice(&[0.0f32, 1.0, 9.0, 11.0]).view([4, 1]);
/// let start = Tensor::from_slice(&[0.0f32, 8.0]).view([2, 1]);
/// let (centroids, _) = lloyd_step(&xs, &start)?;
/// assert_eq!(Vec::<f32>::try_from(centroids.view([-1]))?, vec![0.5, 10.0]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::EmbeddingShape`] / [`Error::CentroidShape`] when the shapes do not fit.
pub fn lloyd_step(xs: &Tensor, centroids: &Tensor) -> Result<(Tensor, Tensor)> {
    let (_, d) = check_embeddings(xs)?;
    check_centroids(centroids, d)?;
    tch::no_grad(|| {
        let xs = xs.detach().f_to_kind(Kind::Float)?;
        let old = centroids.detach().f_to_kind(Kind::Float)?;
        let k = old.size()[0];
        let (labels, min_d2) = assign(&xs, &old)?;
        let sums =
            Tensor::f_zeros([k, d], (Kind::Float, xs.device()))?.f_index_add(0, &labels, &xs)?;
        let counts = labels
            .f_bincount(None::<Tensor>, k)?
            .f_to_kind(Kind::Float)?; // [k]
        let filled = counts.f_gt(0.0)?.f_unsqueeze(1)?;
        let mut new =
            (sums / counts.f_clamp_min(1.0)?.f_unsqueeze(1)?).f_where_self(&filled, &old)?;
        let host_counts = Vec::<f32>::try_from(&counts.f_to_device(Device::Cpu)?)?;
        let empty: Vec<i64> = (0..k).filter(|&c| host_counts[c as usize] == 0.0).collect();
        if !empty.is_empty() {
            let (_, far) = min_d2.f_topk(empty.len() as i64, 0, true, true)?;
            let slots = Tensor::from_slice(&empty).f_to_device(xs.device())?;
            let _ = new.f_index_copy_(0, &slots, &xs.f_index_select(0, &far)?)?;
        }
        Ok((new, labels))
    })
}

/// A host copy of `[n]` integer labels.
pub(crate) fn labels_to_vec(labels: &Tensor) -> Result<Vec<usize>> {
    let host = labels
        .f_to_device(Device::Cpu)?
        .f_to_kind(Kind::Int64)?
        .f_contiguous()?;
    let v = Vec::<i64>::try_from(&host.f_view([-1])?)?;
    Ok(v.into_iter().map(|x| x.max(0) as usize).collect())
}

/// A uniform integer in `0..n` (`n > 0`) by multiply-shift.
fn below(rng: &mut impl Rng, n: u64) -> u64 {
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

/// A uniform `f64` in `[0, 1)` with 53 random bits.
fn uniform(rng: &mut impl Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 600 points in 4 overlapping 3-d blobs, so that Lloyd needs many iterations.
    fn blobs() -> Data {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let xs: Vec<f32> = (0..600)
            .flat_map(|i| {
                let centre = (i % 4) as f64 * 1.5;
                (0..3)
                    .map(|_| (centre + 2.0 * (uniform(&mut rng) - 0.5)) as f32)
                    .collect::<Vec<_>>()
            })
            .collect();
        Data::new(Tensor::from_slice(&xs).view([600, 3])).unwrap()
    }

    #[test]
    fn host_lloyd_matches_the_batched_tensor_lloyd() -> Result<()> {
        let data = blobs();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let init = data.random(5, 4, &mut rng)?;
        let (host, host_iters) = data.lloyd_host(&data.host_xs()?, &init, 4, 300, 1e-8)?;
        let (batched, batched_iters) = data.lloyd_batched(init, 4, 300, 1e-8, 1)?;
        let gap = (&host - &batched).abs().max().double_value(&[]);
        assert!(gap < 1e-4, "centroids differ by {gap}");
        assert_eq!(host_iters, batched_iters);
        assert!(host_iters.iter().any(|&it| it > 3), "{host_iters:?}");
        Ok(())
    }

    #[test]
    fn host_lloyd_reseeds_an_empty_cluster() -> Result<()> {
        let data = blobs();
        // The third centroid is far from every sample: its cluster starts empty.
        let init =
            Tensor::from_slice(&[0.0f32, 0.0, 0.0, 4.5, 4.5, 4.5, 1e3, 1e3, 1e3]).view([1, 3, 3]);
        let (centroids, _) = data.lloyd_host(&data.host_xs()?, &init, 3, 300, 1e-8)?;
        let (labels, _) = data.assign_batched(&centroids, 3)?;
        let counts = labels.view([-1]).bincount(None::<Tensor>, 3);
        assert!(
            Vec::<i64>::try_from(&counts)?.iter().all(|&c| c > 0),
            "{counts:?}"
        );
        assert!(centroids.max().double_value(&[]) < 10.0);
        Ok(())
    }
}
