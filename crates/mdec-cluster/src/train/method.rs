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
use crate::objective::{DcraTerms, Objective};
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

    /// What a checkpoint between two updates keeps so that a resumed run continues
    /// exactly (the target distribution), when the method has such a state.
    fn state(&self) -> Option<&Tensor> {
        None
    }

    /// Restores [`Method::state`] from a checkpoint.
    fn restore(&mut self, _state: Tensor) {}
}

/// The method of the loop's objective.
pub(crate) fn method_for<B: Backbone>(dec: &Dec<B>) -> Box<dyn Method<B>> {
    match dec.params.objective.uses_lloyd() {
        true => Box::new(LloydKMeans {
            steps: dec.params.lloyd_steps,
            terms: match dec.params.objective {
                Objective::Dcra { terms, .. } => terms,
                _ => DcraTerms::PerValue,
            },
        }),
        false => Box::new(KlTarget::default()),
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
