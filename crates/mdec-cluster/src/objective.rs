//! What the clustering stage minimises ([`Objective`]) and how its weights change over
//! the iterations ([`LossSchedule`]), following the taxonomy's "combination of losses":
//! `L = w_rec · L_non-clustering + w_clu · L_clustering (+ balance · L_balance)`.

use serde::{Deserialize, Serialize};

/// The loss combination of a clustering method.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Objective {
    /// DEC (Xie et al., 2016): cluster hardening `KL(P‖Q)` only; the decoder is dropped.
    /// The default.
    #[default]
    Dec,
    /// IDEC (Guo et al., IJCAI 2017): `L_rec + γ · KL(P‖Q)`, the decoder kept to
    /// preserve local structure. DCEC is IDEC on a convolutional autoencoder.
    Idec {
        /// Weight of the clustering term. Guo et al. use 0.1.
        gamma: f64,
    },
    /// DCRA (Lee, Wang & Rizzo): `λ · ‖x − g(f(x + ε))‖² + (1 − λ) · ‖z − μ_{c(z)}‖²` with
    /// `ε ~ N(0, σ²)`: a denoising reconstruction of the clean input and the k-means
    /// loss, the centroids moved by Lloyd steps (not by gradient) every interval.
    Dcra {
        /// Weight of the reconstruction term, in `[0, 1]`. The paper uses 0.01.
        lambda: f64,
        /// Standard deviation of the Gaussian input noise. The paper uses 1.0.
        sigma: f64,
        /// How the two terms are measured: per value, which collapses, or comparably
        /// (the `dcra-fixed` preset).
        #[serde(default)]
        terms: DcraTerms,
    },
    /// DeepCluster (Caron et al., ECCV 2018): at each update the embeddings are
    /// PCA-whitened to `pca_dim` dimensions and L2-normalised, k-means (or power iteration
    /// clustering) on them gives pseudo-labels, a linear classifier head is re-initialised,
    /// and each batch is trained by cross-entropy against the pseudo-labels, batches drawn
    /// uniformly over them. No decoder.
    #[serde(rename = "deepcluster")]
    DeepCluster {
        /// Dimensions kept by the PCA whitening (at most the embedding's). The paper uses
        /// 256.
        pca_dim: usize,
        /// What groups the whitened features into pseudo-labels. Default k-means.
        #[serde(default)]
        grouping: Grouping,
    },
}

/// What gives DeepCluster its pseudo-labels.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Grouping {
    /// k-means with the run's restarts and seed. The default, as in the paper's main
    /// results.
    #[default]
    Kmeans,
    /// Power iteration clustering on the 5-nearest-neighbour graph, the paper's
    /// alternative (its §3.3 and `clustering.py`): the basins of the random walk's local
    /// maxima, the smallest merged into the one with the nearest mean until at most
    /// `n_clusters` remain.
    Pic,
}

/// How DCRA's reconstruction and k-means terms are measured, for a batch of inputs `x`,
/// reconstructions `x̂`, embeddings `z` and nearest centroids `μ_c(z)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DcraTerms {
    /// The reconstruction as the mean squared error per input value, the k-means term as
    /// `mean ‖z − μ_c(z)‖²` (the `dcra` preset). Against 784 pixel values the weight 0.01
    /// leaves the reconstruction almost nothing to say, and shrinking the embedding lowers
    /// the k-means term without clustering anything: the embedding collapses onto a few
    /// centroids (MNIST-test ACC 0.17, one cluster holding 94% of the digits at the first
    /// update).
    #[default]
    PerValue,
    /// Both terms per sample and free of the embedding's scale: the reconstruction as the
    /// squared norm `‖x − x̂‖²` summed over the sample's values, as the paper writes it, so
    /// that λ = 0.01 weighs what the paper weighs; the k-means term as the within-cluster
    /// share of the batch's spread, `Σ ‖z − μ_c(z)‖² / Σ ‖z − z̄‖²`, which is the same for
    /// `z` and `s·z` (the centroids follow the embedding through the Lloyd steps), so that
    /// shrinking no longer pays (the `dcra-fixed` preset).
    Comparable,
}

impl Objective {
    /// IDEC with Guo et al.'s γ = 0.1.
    pub fn idec() -> Self {
        Objective::Idec { gamma: 0.1 }
    }

    /// DCRA with the paper's λ = 0.01 and σ = 1.0.
    pub fn dcra() -> Self {
        Objective::Dcra {
            lambda: 0.01,
            sigma: 1.0,
            terms: DcraTerms::PerValue,
        }
    }

    /// Short name: `dec`, `idec`, `dcra` or `deepcluster`.
    pub fn name(&self) -> &'static str {
        match self {
            Objective::Dec => "dec",
            Objective::Idec { .. } => "idec",
            Objective::Dcra { .. } => "dcra",
            Objective::DeepCluster { .. } => "deepcluster",
        }
    }

    /// `(w_rec, w_clu)`: the weights of the reconstruction and clustering terms.
    pub fn weights(&self) -> (f64, f64) {
        match *self {
            Objective::Dec => (0.0, 1.0),
            Objective::Idec { gamma } => (1.0, gamma),
            Objective::Dcra { lambda, .. } => (lambda, 1.0 - lambda),
            Objective::DeepCluster { .. } => (0.0, 1.0),
        }
    }

    /// Whether the clustering term is the k-means loss with Lloyd-updated centroids
    /// (DCRA) rather than KL(P‖Q) with trainable centroids (DEC, IDEC).
    pub fn uses_lloyd(&self) -> bool {
        matches!(self, Objective::Dcra { .. })
    }

    /// Standard deviation of the input noise (DCRA), 0 otherwise.
    pub fn input_noise(&self) -> f64 {
        match *self {
            Objective::Dcra { sigma, .. } => sigma,
            _ => 0.0,
        }
    }
}

/// How the loss weights evolve over the clustering iterations (the taxonomy's three
/// ways to combine the losses).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum LossSchedule {
    /// The objective's weights from the first iteration: joint training, the autoencoder
    /// having been pretrained apart. The default.
    #[default]
    Joint,
    /// Pre-training then fine-tuning inside the stage: reconstruction only (clustering
    /// weight 0) for `pretrain_iterations`, then k-means re-initialises the centroids
    /// and the objective's weights apply.
    PretrainThenFinetune {
        /// Iterations of reconstruction only (>= 1).
        pretrain_iterations: usize,
    },
    /// The clustering weight rises linearly from 0 to the objective's value over
    /// `iterations` (variable scheduling).
    Ramp {
        /// Length of the ramp (>= 1).
        iterations: usize,
    },
}

impl LossSchedule {
    /// `(w_rec, w_clu)` at `iteration` for `objective`.
    pub fn weights(&self, objective: &Objective, iteration: usize) -> (f64, f64) {
        let (rec, clu) = objective.weights();
        match *self {
            LossSchedule::Joint => (rec, clu),
            LossSchedule::PretrainThenFinetune {
                pretrain_iterations,
            } => {
                if iteration < pretrain_iterations {
                    (1.0, 0.0)
                } else {
                    (rec, clu)
                }
            }
            LossSchedule::Ramp { iterations } => {
                let t = (iteration as f64 / iterations.max(1) as f64).min(1.0);
                (rec, clu * t)
            }
        }
    }

    /// The first iteration at which clustering is active: 0 except after a
    /// reconstruction-only phase.
    pub fn clustering_start(&self) -> usize {
        match *self {
            LossSchedule::PretrainThenFinetune {
                pretrain_iterations,
            } => pretrain_iterations,
            _ => 0,
        }
    }

    /// Whether the schedule ever weights the reconstruction term.
    pub fn reconstructs(&self) -> bool {
        matches!(self, LossSchedule::PretrainThenFinetune { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_weight_the_terms_as_documented() {
        let idec = Objective::idec();
        assert_eq!(LossSchedule::Joint.weights(&idec, 0), (1.0, 0.1));
        let ptf = LossSchedule::PretrainThenFinetune {
            pretrain_iterations: 10,
        };
        assert_eq!(ptf.weights(&Objective::Dec, 9), (1.0, 0.0));
        assert_eq!(ptf.weights(&Objective::Dec, 10), (0.0, 1.0));
        assert_eq!(ptf.clustering_start(), 10);
        let ramp = LossSchedule::Ramp { iterations: 4 };
        assert_eq!(ramp.weights(&Objective::Dec, 1), (0.0, 0.25));
        assert_eq!(ramp.weights(&Objective::Dec, 40), (0.0, 1.0));
        let (rec, clu) = Objective::dcra().weights();
        assert!((rec - 0.01).abs() < 1e-12 && (clu - 0.99).abs() < 1e-12);
    }

    #[test]
    fn objectives_round_trip_through_json() -> anyhow::Result<()> {
        for o in [Objective::Dec, Objective::idec(), Objective::dcra()] {
            let text = serde_json::to_string(&o)?;
            assert_eq!(serde_json::from_str::<Objective>(&text)?, o);
        }
        assert!(serde_json::from_str::<Objective>(r#"{"kind":"idec","gama":0.1}"#).is_err());
        Ok(())
    }
}
