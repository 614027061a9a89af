//! [`PretrainParams`] (unchecked builder) and [`PretrainValidParams`] (checked).

use mdec_data::augment::AugmentConfig;
use serde::{Deserialize, Serialize};

use crate::optim::OptimizerKind;
use crate::schedule::LrSchedule;

/// The reconstruction loss.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReconLoss {
    /// Mean squared error (DEC, IDEC, DCEC, DCRA). The default.
    #[default]
    Mse,
    /// Binary cross-entropy on the decoder's logits; needs `output = sigmoid`.
    Bce,
}

/// Stop when the monitored loss (validation, or training without a validation set) has not
/// improved by `min_delta` for `patience` epochs.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EarlyStopping {
    /// Epochs without improvement before stopping (>= 1).
    pub patience: usize,
    /// Smallest decrease that counts as an improvement (>= 0).
    pub min_delta: f64,
}

/// The taxonomy's self-augmentation loss, a non-clustering loss beside the
/// reconstruction: `weight · (1 − 1/N Σ cos(f(x) − m, f(T(x)) − m'))`, where `f` is the
/// encoder, `x` the network's input, `T` a random transform of the clean sample
/// (brightness, contrast and colour jitter, flips, rotations, shifts, noise) and `m`, `m'`
/// the batch means of the two embeddings. The embedding learns to ignore what `T`
/// changes. Centring matters: with plain cosines, embeddings that all point one way (a
/// collapse) satisfy it, and on the defect crops they did (the term fell to 0, k-means on
/// the embedding stayed at chance). It comes beside the reconstruction loss, which keeps
/// the embedding describing the image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SelfAugmentation {
    /// The weight of the term against the reconstruction loss (> 0).
    pub weight: f64,
    /// `T`: drawn afresh for every sample of every batch.
    pub transform: AugmentConfig,
}

/// Where the training images live during an epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DataPlacement {
    /// On the device, moved once, when they take at most `max_device_bytes` (the default).
    #[default]
    Auto,
    /// Always on the device, moved once.
    Device,
    /// On the host; each batch is copied to the device.
    Host,
}

/// Pretraining settings, unchecked: build with [`PretrainParams::new`] and the setters,
/// then [`PretrainParams::check`]. Deserialising (e.g. from a config file) runs the same
/// check and rejects unknown keys.
///
/// ```
/// use mdec_ae::{LrSchedule, PretrainParams};
/// let params = PretrainParams::new().epochs(20).lr(2e-4).gaussian_noise(1.0)
///     .schedule(LrSchedule::Cosine { min_lr: 1e-5 }).check()?;
/// assert_eq!(params.epochs, 20);
/// assert!(PretrainParams::new().batch_size(0).check().is_err());
/// # Ok::<(), mdec_ae::PretrainParamsError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PretrainParams {
    /// Epochs to train (total, counting epochs before a resume). Default 50.
    pub epochs: usize,
    /// Samples per batch. Default 256 (DEC, DCEC, DCRA).
    pub batch_size: usize,
    /// Base (peak for one-cycle) learning rate. Default 1e-3 (Adam default; DCEC).
    /// DCRA uses 2e-4.
    pub lr: f64,
    /// The optimiser. Default Adam (0.9, 0.999, 1e-8).
    pub optimizer: OptimizerKind,
    /// L2 weight decay added to the gradients. Default 0.
    pub weight_decay: f64,
    /// Learning-rate schedule. Default constant.
    pub schedule: LrSchedule,
    /// Reconstruction loss. Default MSE.
    pub loss: ReconLoss,
    /// Standard deviation of the Gaussian noise added to the input; the target stays clean
    /// (DCRA uses σ = 1.0; denoising autoencoders of DEC use masking instead). Default 0.
    pub noise_std: f64,
    /// Fraction of input pixels set to 0 (masking noise, Vincent et al. 2010); the target
    /// stays clean. Default 0.
    pub mask_fraction: f64,
    /// On-the-fly augmentation of each training batch (rotation, shift, brightness,
    /// contrast; MDEC augments with rotations and contrast). Its noise fields must stay 0:
    /// use `noise_std` / `mask_fraction`. Default off.
    pub augment: AugmentConfig,
    /// The self-augmentation loss beside the reconstruction. Default off.
    pub self_augmentation: Option<SelfAugmentation>,
    /// Optional early stopping on the validation loss. Default off.
    pub early_stopping: Option<EarlyStopping>,
    /// Greedy layer-wise pretraining of the dense stacked autoencoder before the end-to-end
    /// epochs (DEC's protocol). Default off.
    pub layerwise: Option<Layerwise>,
    /// Window (epochs) of the moving averages in the metrics table (MDEC's figure 1).
    /// Default 5.
    pub moving_average: usize,
    /// Write a checkpoint every this many epochs (0: only at the end). Default 10.
    pub checkpoint_every: usize,
    /// Checkpoints kept on disk (the newest ones, >= 1). Default 2.
    pub keep_checkpoints: usize,
    /// Seed for shuffling, augmentation, noise and dropout. Default 0.
    pub seed: u64,
    /// Where the training images live. Default [`DataPlacement::Auto`].
    pub placement: DataPlacement,
    /// Largest dataset (bytes) that `Auto` moves to the device. Default 4 GiB.
    pub max_device_bytes: u64,
    /// Batch size for validation and embeddings. Default 1024.
    pub eval_batch_size: usize,
}

impl Default for PretrainParams {
    fn default() -> Self {
        Self {
            epochs: 50,
            batch_size: 256,
            lr: 1e-3,
            optimizer: OptimizerKind::default(),
            weight_decay: 0.0,
            schedule: LrSchedule::default(),
            loss: ReconLoss::default(),
            noise_std: 0.0,
            mask_fraction: 0.0,
            augment: AugmentConfig::default(),
            self_augmentation: None,
            early_stopping: None,
            layerwise: None,
            moving_average: 5,
            checkpoint_every: 10,
            keep_checkpoints: 2,
            seed: 0,
            placement: DataPlacement::default(),
            max_device_bytes: 4 << 30,
            eval_batch_size: 1024,
        }
    }
}

/// Checked pretraining settings; see [`PretrainParams`] for the fields.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PretrainParams", into = "PretrainParams")]
pub struct PretrainValidParams(PretrainParams);

impl std::ops::Deref for PretrainValidParams {
    type Target = PretrainParams;
    fn deref(&self) -> &PretrainParams {
        &self.0
    }
}

impl From<PretrainValidParams> for PretrainParams {
    fn from(p: PretrainValidParams) -> Self {
        p.0
    }
}

impl TryFrom<PretrainParams> for PretrainValidParams {
    type Error = PretrainParamsError;
    fn try_from(p: PretrainParams) -> Result<Self, Self::Error> {
        p.check()
    }
}

/// Greedy layer-wise pretraining of a dense stacked autoencoder (Xie et al., 2016, after
/// Vincent et al., 2010): each pair of an encoder layer and its mirror in the decoder is
/// trained as a denoising autoencoder of the output of the layers below it (frozen), with
/// dropout on its input and on its code, then the whole autoencoder is fine-tuned end to
/// end for the pretraining's epochs. DEC uses dropout 0.2, 50,000 iterations per layer and
/// 100,000 of fine-tuning, at batch 256.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layerwise {
    /// Epochs of each layer pair (>= 1).
    pub epochs: usize,
    /// Dropout rate of the corruption, in `[0, 1)`. DEC uses 0.2.
    pub dropout: f64,
}

/// A broken [`PretrainParams`] constraint, naming the field and value.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PretrainParamsError {
    /// `epochs` must be at least 1.
    #[error("epochs must be >= 1, got {0}")]
    Epochs(usize),
    /// `batch_size` must be at least 1.
    #[error("batch_size must be >= 1, got {0}")]
    BatchSize(usize),
    /// `eval_batch_size` must be at least 1.
    #[error("eval_batch_size must be >= 1, got {0}")]
    EvalBatchSize(usize),
    /// `lr` must be finite and positive.
    #[error("lr must be > 0 and finite, got {0}")]
    Lr(f64),
    /// `weight_decay` must be finite and non-negative.
    #[error("weight_decay must be >= 0, got {0}")]
    WeightDecay(f64),
    /// The optimiser's own settings are out of range.
    #[error("optimizer: {0}")]
    Optimizer(String),
    /// The schedule's settings are out of range.
    #[error("schedule {0}")]
    Schedule(String),
    /// `noise_std` must be finite and non-negative.
    #[error("noise_std must be >= 0, got {0}")]
    NoiseStd(f64),
    /// The layer-wise settings are out of range.
    #[error("layerwise: {0}")]
    Layerwise(String),
    /// `mask_fraction` must be in `[0, 1)`.
    #[error("mask_fraction must be in [0, 1), got {0}")]
    MaskFraction(f64),
    /// The augmentation config is invalid or holds noise.
    #[error("augment: {0}")]
    Augment(String),
    /// The self-augmentation loss needs a weight > 0 and a transform that changes
    /// something.
    #[error("self_augmentation: {0}")]
    SelfAugmentation(String),
    /// Early stopping needs `patience >= 1` and `min_delta >= 0`.
    #[error("early_stopping: patience {patience} must be >= 1 and min_delta {min_delta} >= 0")]
    EarlyStopping {
        /// The patience.
        patience: usize,
        /// The minimum improvement.
        min_delta: f64,
    },
    /// `moving_average` must be at least 1.
    #[error("moving_average must be >= 1, got {0}")]
    MovingAverage(usize),
    /// `keep_checkpoints` must be at least 1.
    #[error("keep_checkpoints must be >= 1, got {0}")]
    KeepCheckpoints(usize),
}

macro_rules! setter {
    ($(#[$doc:meta] $name:ident: $ty:ty),* $(,)?) => {
        $(#[$doc] pub fn $name(mut self, value: $ty) -> Self { self.$name = value; self })*
    };
}

impl PretrainParams {
    /// Defaults: 50 epochs, batch 256, Adam at 1e-3 (Kingma & Ba; DCEC), no weight decay,
    /// constant rate, MSE, no noise, no augmentation, no early stopping, moving averages
    /// over 5 epochs, a checkpoint every 10 epochs (2 kept), seed 0, data on the device
    /// when it fits in 4 GiB, evaluation batches of 1024.
    pub fn new() -> Self {
        Self::default()
    }

    setter! {
        /// Sets [`PretrainParams::epochs`].
        epochs: usize,
        /// Sets [`PretrainParams::batch_size`].
        batch_size: usize,
        /// Sets [`PretrainParams::lr`].
        lr: f64,
        /// Sets [`PretrainParams::optimizer`].
        optimizer: OptimizerKind,
        /// Sets [`PretrainParams::weight_decay`].
        weight_decay: f64,
        /// Sets [`PretrainParams::schedule`].
        schedule: LrSchedule,
        /// Sets [`PretrainParams::loss`].
        loss: ReconLoss,
        /// Sets [`PretrainParams::augment`].
        augment: AugmentConfig,
        /// Sets [`PretrainParams::self_augmentation`].
        self_augmentation: Option<SelfAugmentation>,
        /// Sets [`PretrainParams::early_stopping`].
        early_stopping: Option<EarlyStopping>,
        /// Sets [`PretrainParams::moving_average`].
        moving_average: usize,
        /// Sets [`PretrainParams::checkpoint_every`].
        checkpoint_every: usize,
        /// Sets [`PretrainParams::keep_checkpoints`].
        keep_checkpoints: usize,
        /// Sets [`PretrainParams::seed`].
        seed: u64,
        /// Sets [`PretrainParams::placement`].
        placement: DataPlacement,
        /// Sets [`PretrainParams::max_device_bytes`].
        max_device_bytes: u64,
        /// Sets [`PretrainParams::eval_batch_size`].
        eval_batch_size: usize,
    }

    /// Gaussian input noise of standard deviation `sigma` (DCRA's robust autoencoder).
    pub fn gaussian_noise(mut self, sigma: f64) -> Self {
        self.noise_std = sigma;
        self
    }

    /// Greedy layer-wise pretraining before the end-to-end epochs.
    pub fn layerwise(mut self, layerwise: Layerwise) -> Self {
        self.layerwise = Some(layerwise);
        self
    }

    /// Masking noise: a `fraction` of input pixels set to 0.
    pub fn masking_noise(mut self, fraction: f64) -> Self {
        self.mask_fraction = fraction;
        self
    }

    /// Checks every constraint.
    ///
    /// # Errors
    /// The first broken constraint as a [`PretrainParamsError`].
    pub fn check(self) -> Result<PretrainValidParams, PretrainParamsError> {
        use PretrainParamsError as E;
        let finite_nonneg = |v: f64| v.is_finite() && v >= 0.0;
        if self.epochs == 0 {
            return Err(E::Epochs(self.epochs));
        }
        if let Some(l) = &self.layerwise
            && (l.epochs == 0 || !(0.0..1.0).contains(&l.dropout))
        {
            return Err(E::Layerwise(format!(
                "epochs must be >= 1 and dropout in [0, 1), got {} and {}",
                l.epochs, l.dropout
            )));
        }
        if self.batch_size == 0 {
            return Err(E::BatchSize(self.batch_size));
        }
        if self.eval_batch_size == 0 {
            return Err(E::EvalBatchSize(self.eval_batch_size));
        }
        if !(self.lr.is_finite() && self.lr > 0.0) {
            return Err(E::Lr(self.lr));
        }
        if !finite_nonneg(self.weight_decay) {
            return Err(E::WeightDecay(self.weight_decay));
        }
        self.optimizer
            .check()
            .map_err(|e| E::Optimizer(e.to_string()))?;
        self.schedule
            .check()
            .map_err(|e| E::Schedule(e.to_string()))?;
        if !finite_nonneg(self.noise_std) {
            return Err(E::NoiseStd(self.noise_std));
        }
        if !(0.0..1.0).contains(&self.mask_fraction) {
            return Err(E::MaskFraction(self.mask_fraction));
        }
        self.augment
            .check()
            .map_err(|e| E::Augment(e.to_string()))?;
        if self.augment.noise_std != 0.0 || self.augment.mask_fraction != 0.0 {
            return Err(E::Augment(
                "noise_std and mask_fraction belong to the pretraining params (the target stays clean)".into(),
            ));
        }
        if let Some(sa) = &self.self_augmentation {
            if !(sa.weight.is_finite() && sa.weight > 0.0) {
                return Err(E::SelfAugmentation(format!(
                    "weight must be > 0 and finite, got {}",
                    sa.weight
                )));
            }
            sa.transform
                .check()
                .map_err(|e| E::SelfAugmentation(e.to_string()))?;
            if sa.transform.is_identity() {
                return Err(E::SelfAugmentation(
                    "the transform changes nothing: set at least one of its fields".into(),
                ));
            }
        }
        if let Some(EarlyStopping {
            patience,
            min_delta,
        }) = self.early_stopping
            && (patience == 0 || !finite_nonneg(min_delta))
        {
            return Err(E::EarlyStopping {
                patience,
                min_delta,
            });
        }
        if self.moving_average == 0 {
            return Err(E::MovingAverage(0));
        }
        if self.keep_checkpoints == 0 {
            return Err(E::KeepCheckpoints(0));
        }
        Ok(PretrainValidParams(self))
    }
}

impl PretrainValidParams {
    /// The unchecked settings (to change one and check again).
    pub fn into_inner(self) -> PretrainParams {
        self.0
    }

    /// Whether the batches are prepared on the host (augmented, or with a transformed
    /// view for the self-augmentation loss).
    pub fn augments(&self) -> bool {
        !self.augment.is_identity() || self.self_augmentation.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_constraint_has_its_variant() {
        use PretrainParamsError as E;
        let p = PretrainParams::new;
        assert_eq!(p().epochs(0).check(), Err(E::Epochs(0)));
        assert_eq!(p().lr(-1.0).check(), Err(E::Lr(-1.0)));
        assert_eq!(p().masking_noise(1.0).check(), Err(E::MaskFraction(1.0)));
        assert_eq!(p().gaussian_noise(-1.0).check(), Err(E::NoiseStd(-1.0)));
        assert!(p().gaussian_noise(f64::NAN).check().is_err());
        assert!(matches!(
            p().schedule(LrSchedule::Step {
                step_size: 0,
                gamma: 0.5
            })
            .check(),
            Err(E::Schedule(_))
        ));
        let noisy = AugmentConfig {
            noise_std: 0.1,
            ..Default::default()
        };
        assert!(matches!(p().augment(noisy).check(), Err(E::Augment(_))));
        let self_augmentation = |weight, transform| {
            p().self_augmentation(Some(SelfAugmentation { weight, transform }))
                .check()
        };
        let flips = AugmentConfig {
            flip: true,
            ..Default::default()
        };
        assert!(self_augmentation(0.5, flips.clone()).is_ok());
        assert!(matches!(
            self_augmentation(0.0, flips),
            Err(E::SelfAugmentation(_))
        ));
        assert!(matches!(
            self_augmentation(1.0, AugmentConfig::default()),
            Err(E::SelfAugmentation(_))
        ));
        assert!(matches!(
            p().early_stopping(Some(EarlyStopping {
                patience: 0,
                min_delta: 0.0
            }))
            .check(),
            Err(E::EarlyStopping { .. })
        ));
    }

    #[test]
    fn deserialising_checks() -> anyhow::Result<()> {
        let ok: PretrainValidParams = serde_json::from_str(r#"{"epochs": 3, "lr": 0.01}"#)?;
        assert_eq!((ok.epochs, ok.lr), (3, 0.01));
        assert!(serde_json::from_str::<PretrainValidParams>(r#"{"epochs": 0}"#).is_err());
        assert!(serde_json::from_str::<PretrainValidParams>(r#"{"epoch": 3}"#).is_err());
        Ok(())
    }
}
