//! [`DecParams`] (unchecked builder) and [`DecValidParams`] (checked): every setting of
//! the clustering stage.

use mdec_ae::{LrSchedule, OptimizerKind};
use mdec_data::AugmentConfig;
use serde::{Deserialize, Serialize};

use crate::error::ParamsError;
use crate::kmeans::{KMeansParams, KMeansValidParams};
use crate::objective::{LossSchedule, Objective};

/// How the centroids start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CentroidInit {
    /// k-means (k-means++ seeding, `kmeans_n_init` restarts) on the embeddings of the
    /// whole dataset: DEC, IDEC, DCEC, DCRA. The default.
    #[default]
    KMeans,
    /// `k` embeddings drawn at random, no Lloyd iterations: the random-initialisation
    /// comparison of the DEC re-implementation report (Ri, 2022).
    Random,
}

/// Clustering settings, unchecked: build with [`DecParams::new`] and the setters, then
/// [`DecParams::check`]. Deserialising a [`DecValidParams`] runs the same check and
/// rejects unknown keys.
///
/// ```
/// use mdec_cluster::{DecParams, Objective};
/// let params = DecParams::new(10).alpha(1.0).update_interval(140)
///     .objective(Objective::Idec { gamma: 0.1 }).check()?;
/// assert_eq!(params.tol, 0.001);
/// assert!(DecParams::new(10).alpha(0.0).check().is_err());
/// # Ok::<(), mdec_cluster::ParamsError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DecParams {
    /// Number of clusters `k` (>= 2). Default 10.
    pub n_clusters: usize,
    /// Degrees of freedom of the Student's t kernel; the exponent is `(α + 1) / 2`.
    /// Default 1 (Xie et al., 2016).
    pub alpha: f64,
    /// The loss combination. Default [`Objective::Dec`].
    pub objective: Objective,
    /// Weight of the balanced-assignment loss `KL(mean q ‖ uniform)` added to the
    /// objective (taxonomy slides). Default 0 (off).
    pub balance: f64,
    /// How the loss weights evolve. Default [`LossSchedule::Joint`].
    pub schedule: LossSchedule,
    /// How the centroids start. Default [`CentroidInit::KMeans`].
    pub init: CentroidInit,
    /// k-means restarts for the initialisation. Default 20 (Xie et al., 2016).
    pub kmeans_n_init: usize,
    /// The optimiser. Default SGD with momentum 0.9 (Xie et al., 2016).
    pub optimizer: OptimizerKind,
    /// Base learning rate. Default 0.01 (Xie et al., 2016).
    pub lr: f64,
    /// Learning-rate schedule over the clustering epochs (reduce-on-plateau acts on the
    /// mean loss of each update interval). Default constant.
    pub lr_schedule: LrSchedule,
    /// Samples per batch. Default 256 (Xie et al., 2016; Guo et al., 2017).
    pub batch_size: usize,
    /// Iterations between two target-distribution updates (DCRA's Lloyd steps,
    /// DeepCluster's relabelling); 0: once per pass over the data, as DeepCluster does.
    /// Default 140 (Guo et al.'s MNIST setting, used by DEC's Keras port).
    pub update_interval: usize,
    /// Stop when fewer than this fraction of samples change cluster between two updates.
    /// Default 0.001 = 0.1% (Xie et al., 2016).
    pub tol: f64,
    /// Training iterations (batches) at most. Default 20,000 (Guo et al., 2017; DEC-DA).
    pub max_iter: usize,
    /// Passes over the data at most, when set (DCRA trains 25 epochs). Default unset.
    pub max_epochs: Option<usize>,
    /// Lloyd steps on the whole dataset's embeddings at each update (DCRA only).
    /// Default 1.
    pub lloyd_steps: usize,
    /// Augmentation of each training batch during clustering, as in DEC-DA (Guo et al.,
    /// 2018); targets are computed on clean images. Default off.
    pub augment: AugmentConfig,
    /// Batch size of the whole-dataset inference at each update. Default 1024.
    pub eval_batch_size: usize,
    /// Seed of k-means, batch order, augmentation, noise and dropout. Default 0.
    pub seed: u64,
}

impl Default for DecParams {
    fn default() -> Self {
        Self {
            n_clusters: 10,
            alpha: 1.0,
            objective: Objective::Dec,
            balance: 0.0,
            schedule: LossSchedule::Joint,
            init: CentroidInit::KMeans,
            kmeans_n_init: 20,
            optimizer: OptimizerKind::Sgd {
                momentum: 0.9,
                nesterov: false,
            },
            lr: 0.01,
            lr_schedule: LrSchedule::Constant,
            batch_size: 256,
            update_interval: 140,
            tol: 0.001,
            max_iter: 20_000,
            max_epochs: None,
            lloyd_steps: 1,
            augment: AugmentConfig::default(),
            eval_batch_size: 1024,
            seed: 0,
        }
    }
}

macro_rules! setter {
    ($(#[$doc:meta] $name:ident: $ty:ty),* $(,)?) => {
        $(#[$doc] pub fn $name(mut self, value: $ty) -> Self { self.$name = value; self })*
    };
}

impl DecParams {
    /// Settings for `n_clusters` clusters with DEC's defaults (Xie et al., 2016, and the
    /// Keras implementation of Guo et al. that DEC, IDEC and DCEC share): `alpha` 1, the
    /// DEC objective (KL(P‖Q) only) jointly from the start, no balance term, k-means
    /// initialisation with 20 restarts, SGD with momentum 0.9 at a constant 0.01,
    /// batches of 256, a target update every 140 iterations, `tol` 0.1%, at most 20,000
    /// iterations, 1 Lloyd step per update (DCRA), no augmentation, inference batches of
    /// 1024, seed 0.
    pub fn new(n_clusters: usize) -> Self {
        Self {
            n_clusters,
            ..Self::default()
        }
    }

    setter! {
        /// Sets [`DecParams::n_clusters`].
        n_clusters: usize,
        /// Sets [`DecParams::alpha`].
        alpha: f64,
        /// Sets [`DecParams::objective`].
        objective: Objective,
        /// Sets [`DecParams::balance`].
        balance: f64,
        /// Sets [`DecParams::schedule`].
        schedule: LossSchedule,
        /// Sets [`DecParams::init`].
        init: CentroidInit,
        /// Sets [`DecParams::kmeans_n_init`].
        kmeans_n_init: usize,
        /// Sets [`DecParams::optimizer`].
        optimizer: OptimizerKind,
        /// Sets [`DecParams::lr`].
        lr: f64,
        /// Sets [`DecParams::lr_schedule`].
        lr_schedule: LrSchedule,
        /// Sets [`DecParams::batch_size`].
        batch_size: usize,
        /// Sets [`DecParams::update_interval`].
        update_interval: usize,
        /// Sets [`DecParams::tol`].
        tol: f64,
        /// Sets [`DecParams::max_iter`].
        max_iter: usize,
        /// Sets [`DecParams::max_epochs`].
        max_epochs: Option<usize>,
        /// Sets [`DecParams::lloyd_steps`].
        lloyd_steps: usize,
        /// Sets [`DecParams::augment`].
        augment: AugmentConfig,
        /// Sets [`DecParams::eval_batch_size`].
        eval_batch_size: usize,
        /// Sets [`DecParams::seed`].
        seed: u64,
    }

    /// Checks every constraint.
    ///
    /// # Errors
    /// The first broken constraint as a [`ParamsError`].
    pub fn check(self) -> Result<DecValidParams, ParamsError> {
        use ParamsError as E;
        let finite_nonneg = |v: f64| v.is_finite() && v >= 0.0;
        if self.n_clusters < 2 {
            return Err(E::NClusters(self.n_clusters));
        }
        if !(self.alpha.is_finite() && self.alpha > 0.0) {
            return Err(E::Alpha(self.alpha));
        }
        match self.objective {
            Objective::Dec => {}
            Objective::Idec { gamma } => {
                if !finite_nonneg(gamma) {
                    return Err(E::Gamma(gamma));
                }
            }
            Objective::DeepCluster { pca_dim: 0, .. } => return Err(E::PcaDim(0)),
            Objective::DeepCluster { .. } => {}
            Objective::Dcra { lambda, sigma, .. } => {
                if !(0.0..=1.0).contains(&lambda) {
                    return Err(E::Lambda(lambda));
                }
                if !finite_nonneg(sigma) {
                    return Err(E::Sigma(sigma));
                }
            }
        }
        if !finite_nonneg(self.balance) {
            return Err(E::Balance(self.balance));
        }
        match self.schedule {
            LossSchedule::Joint => {}
            LossSchedule::PretrainThenFinetune {
                pretrain_iterations: 0,
            }
            | LossSchedule::Ramp { iterations: 0 } => {
                return Err(E::Schedule(
                    "the phase must last at least 1 iteration".into(),
                ));
            }
            _ => {}
        }
        if self.kmeans_n_init == 0 {
            return Err(E::NInit(0));
        }
        self.optimizer
            .check()
            .map_err(|e| E::Optimizer(e.to_string()))?;
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(E::Lr(self.lr));
        }
        self.lr_schedule
            .check()
            .map_err(|e| E::LrSchedule(e.to_string()))?;
        if self.batch_size == 0 {
            return Err(E::BatchSize(0));
        }
        if !(0.0..=1.0).contains(&self.tol) {
            return Err(E::Tol(self.tol));
        }
        if self.max_iter == 0 {
            return Err(E::MaxIter(0));
        }
        if self.max_epochs == Some(0) {
            return Err(E::MaxEpochs(0));
        }
        if self.lloyd_steps == 0 {
            return Err(E::LloydSteps(0));
        }
        self.augment
            .check()
            .map_err(|e| E::Augment(e.to_string()))?;
        if self.eval_batch_size == 0 {
            return Err(E::EvalBatchSize(0));
        }
        Ok(DecValidParams(self))
    }
}

/// Checked clustering settings; see [`DecParams`] for the fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DecParams", into = "DecParams")]
pub struct DecValidParams(DecParams);

impl std::ops::Deref for DecValidParams {
    type Target = DecParams;
    fn deref(&self) -> &DecParams {
        &self.0
    }
}

impl From<DecValidParams> for DecParams {
    fn from(p: DecValidParams) -> Self {
        p.0
    }
}

impl TryFrom<DecParams> for DecValidParams {
    type Error = ParamsError;
    fn try_from(p: DecParams) -> Result<Self, ParamsError> {
        p.check()
    }
}

impl DecValidParams {
    /// The unchecked settings (to change one and check again).
    pub fn into_inner(self) -> DecParams {
        self.0
    }

    /// The k-means settings of the initialisation: `kmeans_n_init` restarts seeded with
    /// the run's seed, other settings at their defaults.
    pub fn kmeans(&self) -> KMeansValidParams {
        // n_clusters >= 2 and n_init >= 1 were checked with the rest.
        KMeansValidParams::new_unchecked(
            KMeansParams::new(self.n_clusters)
                .n_init(self.kmeans_n_init)
                .seed(self.seed),
        )
    }

    /// Whether batches are augmented.
    pub fn augments(&self) -> bool {
        !self.augment.is_identity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::objective::DcraTerms;

    #[test]
    fn each_constraint_has_its_variant() {
        use ParamsError as E;
        let p = || DecParams::new(10);
        assert_eq!(DecParams::new(1).check(), Err(E::NClusters(1)));
        assert_eq!(p().alpha(-1.0).check(), Err(E::Alpha(-1.0)));
        assert_eq!(
            p().objective(Objective::Idec { gamma: -0.1 }).check(),
            Err(E::Gamma(-0.1))
        );
        assert_eq!(
            p().objective(Objective::Dcra {
                lambda: 1.5,
                sigma: 1.0,
                terms: DcraTerms::PerValue,
            })
            .check(),
            Err(E::Lambda(1.5))
        );
        assert_eq!(
            p().objective(Objective::Dcra {
                lambda: 0.5,
                sigma: -1.0,
                terms: DcraTerms::Comparable,
            })
            .check(),
            Err(E::Sigma(-1.0))
        );
        assert!(p().balance(f64::NAN).check().is_err());
        assert!(matches!(
            p().schedule(LossSchedule::Ramp { iterations: 0 }).check(),
            Err(E::Schedule(_))
        ));
        assert_eq!(p().kmeans_n_init(0).check(), Err(E::NInit(0)));
        assert_eq!(p().lr(0.0).check(), Err(E::Lr(0.0)));
        assert!(matches!(
            p().optimizer(OptimizerKind::Sgd {
                momentum: 1.0,
                nesterov: false
            })
            .check(),
            Err(E::Optimizer(_))
        ));
        assert!(matches!(
            p().lr_schedule(LrSchedule::Step {
                step_size: 0,
                gamma: 0.5
            })
            .check(),
            Err(E::LrSchedule(_))
        ));
        assert_eq!(p().batch_size(0).check(), Err(E::BatchSize(0)));
        assert_eq!(p().tol(1.5).check(), Err(E::Tol(1.5)));
        assert_eq!(p().max_iter(0).check(), Err(E::MaxIter(0)));
        assert_eq!(p().max_epochs(Some(0)).check(), Err(E::MaxEpochs(0)));
        assert_eq!(p().lloyd_steps(0).check(), Err(E::LloydSteps(0)));
        let bad = AugmentConfig {
            rotation: -1.0,
            ..Default::default()
        };
        assert!(matches!(p().augment(bad).check(), Err(E::Augment(_))));
        assert_eq!(p().eval_batch_size(0).check(), Err(E::EvalBatchSize(0)));
    }

    #[test]
    fn deserialising_checks_and_rejects_unknown_keys() -> anyhow::Result<()> {
        let ok: DecValidParams = serde_json::from_str(
            r#"{"n_clusters": 4, "objective": {"kind": "idec", "gamma": 0.2}}"#,
        )?;
        assert_eq!(ok.objective, Objective::Idec { gamma: 0.2 });
        assert_eq!(ok.update_interval, 140);
        assert!(serde_json::from_str::<DecValidParams>(r#"{"alpha": 0}"#).is_err());
        assert!(serde_json::from_str::<DecValidParams>(r#"{"update_intervall": 3}"#).is_err());
        let text = serde_json::to_string(&ok)?;
        assert_eq!(serde_json::from_str::<DecValidParams>(&text)?, ok);
        Ok(())
    }
}
