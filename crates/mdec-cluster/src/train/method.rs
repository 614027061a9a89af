//! The seam of the clustering loop. The loop ([`super::run`]) owns the batches, the
//! reconstruction term and the loss schedule, the checkpoints and resume, the events and
//! stopping; a [`Method`] says what happens at initialisation, at each target update and
//! per batch. [`method_for`] picks it from the objective:
//!
//! - [`KlTarget`]: DEC, IDEC, DCEC (IDEC on a convolutional autoencoder) and MDEC (IDEC's
//!   loss with a warm-up, the balance term and augmentation, all owned by the loop):
//!   trainable centroids, the target distribution P recomputed at each update and
//!   `KL(P‖Q)` per batch (Xie et al., 2016);
//! - [`LloydKMeans`]: DCRA: the k-means loss `‖z − μ_{c(z)}‖²` per batch (or, measured
//!   comparably with the reconstruction, its share of the batch's spread: [`DcraTerms`]),
//!   the centroids moved by Lloyd steps at each update rather than by gradient (Lee, Wang &
//!   Rizzo).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tch::Tensor;

use crate::backbone::Backbone;
use crate::error::Result;
use crate::kmeans::labels_to_vec;
use crate::layer::{hard_assignment, target_distribution};
use crate::loss::{kl_divergence, kmeans_loss, kmeans_share_loss};
use crate::objective::{DcraTerms, Grouping, Objective};
use crate::params::CentroidInit;
use crate::train::Dec;
use crate::train::run::mix;

/// What a clustering method does inside the loop.
pub(crate) trait Method<B: Backbone> {
    /// Sets the starting point from the embeddings of all samples `zs` `[n, d]`; returns the
    /// k-means inertia when k-means ran, and the initial assignment.
    fn init(&mut self, dec: &Dec<B>, zs: &Tensor) -> Result<(Option<f64>, Vec<usize>)> {
        init_centroids(dec, zs)
    }

    /// At a target update, from the embeddings of all samples `zs` `[n, d]`: adjusts what
    /// the method adjusts at updates (`adjust` is false at the update clustering starts at
    /// and at the one a resumed run restarts from) and returns the soft assignment
    /// `[n, k]` the labels are read from.
    fn update(&mut self, dec: &Dec<B>, zs: &Tensor, adjust: bool) -> Result<Tensor>;

    /// The clustering term of one batch: embeddings `zs` `[b, d]` of the samples `idx` `[b]`.
    fn loss(&self, dec: &Dec<B>, zs: &Tensor, idx: &Tensor) -> Result<Tensor>;

    /// Whether the loop's reconstruction term is the squared error summed over each
    /// sample's values (as DCRA's paper writes it) rather than its mean per value.
    fn reconstruction_per_sample(&self) -> bool {
        false
    }

    /// What a checkpoint keeps so that a resumed run continues exactly (DEC's target
    /// distribution, DeepCluster's pseudo-labels), when the method has such a state.
    fn state(&self) -> Option<&Tensor> {
        None
    }

    /// Restores [`Method::state`] from a checkpoint.
    fn restore(&mut self, _state: Tensor) {}

    /// Whether the loop starts a fresh optimiser after each adjusting update (DeepCluster
    /// re-initialises its head, whose old moments would push it the wrong way). The whole
    /// optimiser starts afresh, the encoder's momentum too, where the paper's code keeps a
    /// separate optimiser for the convnet.
    fn fresh_optimizer_at_updates(&self) -> bool {
        false
    }

    /// The order of the samples in an epoch, when the method draws them itself rather than
    /// as the loop's seeded shuffle.
    fn order(&self, _n: usize, _seed: u64, _epoch: usize) -> Option<Vec<usize>> {
        None
    }
}

/// The method of the loop's objective.
pub(crate) fn method_for<B: Backbone>(dec: &Dec<B>) -> Box<dyn Method<B>> {
    match dec.params.objective {
        Objective::Dcra { terms, .. } => Box::new(LloydKMeans {
            steps: dec.params.lloyd_steps,
            terms,
        }),
        Objective::DeepCluster { pca_dim, grouping } => {
            Box::new(PseudoLabels::new(dec, pca_dim, grouping))
        }
        Objective::Dec | Objective::Idec { .. } => Box::new(KlTarget::default()),
    }
}

/// DEC's self-training: `KL(P‖Q)` towards the sharpened target P of the last update.
#[derive(Default)]
pub(crate) struct KlTarget {
    /// P `[n, k]`, detached; none before the first update.
    p: Option<Tensor>,
}

impl<B: Backbone> Method<B> for KlTarget {
    fn update(&mut self, dec: &Dec<B>, zs: &Tensor, _adjust: bool) -> Result<Tensor> {
        let q = dec.soft_assign(zs); // [n, k]
        self.p = Some(target_distribution(&q));
        Ok(q)
    }

    fn loss(&self, dec: &Dec<B>, zs: &Tensor, idx: &Tensor) -> Result<Tensor> {
        let p = match &self.p {
            Some(p) => p.f_index_select(0, idx)?, // [b, k]
            None => dec.soft_assign(zs),
        };
        Ok(kl_divergence(&p, &dec.layer.log_soft_assign(zs)))
    }

    fn state(&self) -> Option<&Tensor> {
        self.p.as_ref()
    }

    fn restore(&mut self, state: Tensor) {
        self.p = Some(state);
    }
}

/// DCRA's clustering term: the k-means loss, centroids moved by `steps` Lloyd steps at each
/// update.
pub(crate) struct LloydKMeans {
    steps: usize,
    terms: DcraTerms,
}

impl<B: Backbone> Method<B> for LloydKMeans {
    fn update(&mut self, dec: &Dec<B>, zs: &Tensor, adjust: bool) -> Result<Tensor> {
        if adjust {
            for _ in 0..self.steps {
                let (centroids, _) = crate::kmeans::lloyd_step(zs, dec.layer.centroids())?;
                dec.layer.set_centroids(&centroids)?;
            }
        }
        Ok(dec.soft_assign(zs))
    }

    fn loss(&self, dec: &Dec<B>, zs: &Tensor, _idx: &Tensor) -> Result<Tensor> {
        Ok(match self.terms {
            DcraTerms::PerValue => kmeans_loss(zs, dec.layer.centroids()).0,
            DcraTerms::Comparable => kmeans_share_loss(zs, dec.layer.centroids()),
        })
    }

    fn reconstruction_per_sample(&self) -> bool {
        self.terms == DcraTerms::Comparable
    }
}

/// DeepCluster: pseudo-labels from k-means on whitened, normalised embeddings at each
/// update; a linear head, re-initialised then, trained by cross-entropy against them, with
/// every pseudo-class drawn equally often. The clustering layer's centroids are kept at the
/// means of the raw embeddings of each pseudo-class, so that a saved model assigns new
/// samples to the nearest of them; the rows of the run's table report that assignment.
pub(crate) struct PseudoLabels {
    pca_dim: usize,
    grouping: Grouping,
    head: tch::nn::Linear,
    /// The pseudo-labels of all samples one-hot `[n, k]` on the device (the shape of a
    /// target distribution, so a checkpoint between updates holds them as it holds DEC's
    /// target); none before the first update.
    target: Option<Tensor>,
    /// The same on the host, for the sampling.
    host: Vec<usize>,
    k: usize,
}

impl PseudoLabels {
    fn new<B: Backbone>(dec: &Dec<B>, pca_dim: usize, grouping: Grouping) -> Self {
        let k = dec.params.n_clusters;
        let root = dec.backbone.var_store().root();
        let head = tch::nn::linear(
            &root / "deepcluster_head",
            dec.backbone.latent_dim(),
            k as i64,
            Default::default(),
        );
        Self {
            pca_dim,
            grouping,
            head,
            target: None,
            host: Vec::new(),
            k,
        }
    }

    /// New pseudo-labels of the embeddings `zs` `[n, d]` (k-means or PIC on their whitened,
    /// L2-normalised principal components), the head re-initialised and the centroids set;
    /// returns the k-means inertia (none for PIC) and the labels.
    fn relabel<B: Backbone>(
        &mut self,
        dec: &Dec<B>,
        zs: &Tensor,
    ) -> Result<(Option<f64>, Vec<usize>)> {
        let features = tch::no_grad(|| whiten(zs, self.pca_dim))?; // [n, p]
        let (inertia, labels) = match self.grouping {
            Grouping::Kmeans => {
                let km = dec.params.kmeans().fit(&features)?;
                (Some(km.inertia()), km.labels_vec()?)
            }
            Grouping::Pic => (None, crate::pic::pic(&features, self.k)?),
        };
        // Numbered as the previous labels were where they agree, so that cluster numbers
        // (colours, tables, labels changed) mean the same from one epoch to the next.
        let labels = match self.host.len() == labels.len() {
            true => renumber_like(&self.host, labels, self.k)?,
            false => labels,
        };
        let idx = Tensor::from_slice(&labels.iter().map(|&l| l as i64).collect::<Vec<_>>())
            .f_to_device(zs.device())?;
        self.target = Some(idx.f_one_hot(self.k as i64)?.f_to_kind(zs.kind())?);
        self.host = labels.clone();
        tch::no_grad(|| -> Result<()> {
            // Centroids: the raw embeddings' mean per pseudo-class (an empty class keeps
            // its centroid).
            let d = zs.size()[1];
            let sums = Tensor::f_zeros([self.k as i64, d], (zs.kind(), zs.device()))?
                .f_index_add(0, &idx, zs)?;
            let counts = idx
                .f_bincount(None::<Tensor>, self.k as i64)?
                .f_to_kind(zs.kind())?;
            let filled = counts.f_gt(0.0)?.f_unsqueeze(1)?;
            let means = (sums / counts.f_clamp_min(1.0)?.f_unsqueeze(1)?)
                .f_where_self(&filled, dec.layer.centroids())?;
            dec.layer.set_centroids(&means)?;
            // The head starts again, as in the paper (its old classes mean nothing now).
            let fresh = tch::nn::VarStore::new(zs.device());
            let init = tch::nn::linear(fresh.root(), d, self.k as i64, Default::default());
            let mut ws = self.head.ws.shallow_clone();
            ws.f_copy_(&init.ws)?;
            if let (Some(bs), Some(init_bs)) = (&self.head.bs, &init.bs) {
                bs.shallow_clone().f_copy_(init_bs)?;
            }
            Ok(())
        })?;
        Ok((inertia, labels))
    }
}

impl<B: Backbone> Method<B> for PseudoLabels {
    fn init(&mut self, dec: &Dec<B>, zs: &Tensor) -> Result<(Option<f64>, Vec<usize>)> {
        self.relabel(dec, zs)
    }

    fn update(&mut self, dec: &Dec<B>, zs: &Tensor, adjust: bool) -> Result<Tensor> {
        // Otherwise this is the first update (labelled at initialisation) or a resumed one
        // (the labels, head and centroids restored from the checkpoint).
        if adjust || self.target.is_none() {
            self.relabel(dec, zs)?;
        }
        // The model's own assignment (to the centroids at the pseudo-classes' means), as
        // `mdec predict` gives it, so that the table's scores are those of the assignments
        // written; it follows the pseudo-labels closely.
        Ok(dec.soft_assign(zs)) // [n, k]
    }

    fn loss(&self, _dec: &Dec<B>, zs: &Tensor, idx: &Tensor) -> Result<Tensor> {
        let labels = match &self.target {
            Some(target) => target.f_index_select(0, idx)?.f_argmax(1, false)?, // [b]
            None => return Ok(Tensor::zeros([], (zs.kind(), zs.device()))),
        };
        Ok(zs.apply(&self.head).cross_entropy_for_logits(&labels))
    }

    fn state(&self) -> Option<&Tensor> {
        self.target.as_ref()
    }

    fn fresh_optimizer_at_updates(&self) -> bool {
        true
    }

    fn restore(&mut self, state: Tensor) {
        self.host = state
            .argmax(1, false)
            .to_device(tch::Device::Cpu)
            .try_into()
            .map(|v: Vec<i64>| v.into_iter().map(|l| l.max(0) as usize).collect())
            .unwrap_or_default();
        self.target = Some(state);
    }

    /// `n` draws per epoch, the same number from every non-empty pseudo-class (each
    /// class's samples shuffled, cycled as needed), then shuffled.
    fn order(&self, n: usize, seed: u64, epoch: usize) -> Option<Vec<usize>> {
        if self.host.len() != n {
            return None;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(mix(seed ^ ((epoch as u64) << 20)));
        let mut classes: Vec<Vec<usize>> = vec![Vec::new(); self.k];
        for (i, &l) in self.host.iter().enumerate() {
            classes[l.min(self.k - 1)].push(i);
        }
        classes.retain(|c| !c.is_empty());
        let per = n.div_ceil(classes.len().max(1));
        let mut order = Vec::with_capacity(per * classes.len());
        for class in &mut classes {
            shuffle(class, &mut rng);
            order.extend(class.iter().cycle().take(per));
        }
        shuffle(&mut order, &mut rng);
        order.truncate(n);
        Some(order)
    }
}

/// `labels` renumbered so that each cluster takes the number of the `previous` cluster it
/// best matches (Hungarian matching on their contingency table); clusters left unmatched
/// take the numbers left over, in order.
fn renumber_like(previous: &[usize], labels: Vec<usize>, k: usize) -> Result<Vec<usize>> {
    let matching = mdec_metrics::matching(previous, &labels)?;
    let mut number: Vec<Option<usize>> = vec![None; k];
    for &(cluster, old) in matching.pairs() {
        number[cluster] = Some(old);
    }
    let taken: Vec<usize> = number.iter().flatten().copied().collect();
    let mut free = (0..k).filter(|n| !taken.contains(n));
    for slot in number.iter_mut().filter(|n| n.is_none()) {
        *slot = free.next();
    }
    Ok(labels.into_iter().map(|l| number[l].unwrap_or(l)).collect())
}

/// Fisher–Yates with the run's generator.
fn shuffle<T>(items: &mut [T], rng: &mut ChaCha8Rng) {
    for i in (1..items.len()).rev() {
        let j = ((u128::from(rng.next_u64()) * (i as u128 + 1)) >> 64) as usize;
        items.swap(i, j);
    }
}

/// The embeddings `zs` `[n, d]` centred, projected on their `p` leading principal axes,
/// divided by the square root of each axis's variance (whitened) and L2-normalised per row:
/// DeepCluster's preprocessing before k-means. The axes come from libtorch's symmetric
/// eigendecomposition of the covariance.
fn whiten(zs: &Tensor, p: usize) -> Result<Tensor> {
    let zs = zs.f_to_kind(tch::Kind::Double)?;
    let (n, d) = (zs.size()[0], zs.size()[1]);
    let p = (p as i64).clamp(1, d);
    let centred = &zs - zs.f_mean_dim(Some([0i64].as_slice()), true, None)?;
    let cov = centred.f_transpose(0, 1)?.f_matmul(&centred)? / (n - 1).max(1) as f64; // [d, d]
    let (values, vectors) = cov.f_linalg_eigh("L")?; // ascending
    let top = vectors.f_narrow(1, d - p, p)?; // [d, p]
    let scale = values.f_narrow(0, d - p, p)?.f_clamp_min(1e-12)?.f_sqrt()?;
    let projected = centred.f_matmul(&top)? / scale; // [n, p]
    let norms = projected
        .f_square()?
        .f_sum_dim_intlist(Some([1i64].as_slice()), true, None)?
        .f_sqrt()?
        .f_clamp_min(1e-12)?;
    Ok((projected / norms).f_to_kind(tch::Kind::Float)?)
}

/// The centroids from the embeddings of all samples `zs` `[n, d]`: k-means, or `k` samples
/// drawn at random (the ablation); returns the k-means inertia when it ran and the initial
/// assignment.
fn init_centroids<B: Backbone>(dec: &Dec<B>, zs: &Tensor) -> Result<(Option<f64>, Vec<usize>)> {
    let params = &dec.params;
    match params.init {
        CentroidInit::KMeans => {
            let km = params.kmeans().fit(zs)?;
            dec.layer.set_centroids(km.centroids())?;
            tracing::info!(
                inertia = km.inertia(),
                n_iter = km.n_iter(),
                "k-means initialisation"
            );
            Ok((Some(km.inertia()), km.labels_vec()?))
        }
        CentroidInit::Random => {
            let n = zs.size().first().copied().unwrap_or(0).max(0) as u128;
            let mut rng = ChaCha8Rng::seed_from_u64(mix(params.seed ^ 0x5EED));
            let mut picked: Vec<i64> = Vec::with_capacity(params.n_clusters);
            while picked.len() < params.n_clusters {
                let i = ((u128::from(rng.next_u64()) * n) >> 64) as i64;
                if !picked.contains(&i) {
                    picked.push(i);
                }
            }
            let idx = Tensor::from_slice(&picked).f_to_device(zs.device())?;
            dec.layer.set_centroids(&zs.f_index_select(0, &idx)?)?;
            let q = dec.soft_assign(zs);
            Ok((None, labels_to_vec(&hard_assignment(&q))?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_labels_take_the_numbers_of_the_clusters_they_match() -> Result<()> {
        let previous = [0, 0, 1, 1, 2, 2];
        assert_eq!(
            renumber_like(&previous, vec![2, 2, 0, 0, 1, 1], 3)?,
            previous
        );
        // New cluster 0 holds one of old 1's samples and two of old 2's: it matches old 2,
        // leaving old 1 to new cluster 3.
        assert_eq!(
            renumber_like(&previous, vec![1, 1, 3, 0, 0, 0], 4)?,
            [0, 0, 1, 2, 2, 2]
        );
        // More clusters than before: the unmatched one takes the first free number.
        assert_eq!(
            renumber_like(&[0, 0, 0, 1, 1, 1], vec![2, 2, 0, 1, 1, 1], 3)?,
            [0, 0, 2, 1, 1, 1]
        );
        Ok(())
    }
}
