//! Presets: each published method as complete settings — the autoencoder architecture,
//! its pretraining and the clustering stage — ready to run on any image dataset.

use std::fmt;
use std::str::FromStr;

use mdec_ae::{AeConfig, Arch, DenseConfig, LrSchedule, MdecConfig, OptimizerKind, PretrainParams};
use mdec_data::AugmentConfig;
use mdec_features::{Anomaly, FeatureSpec, Texture};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::objective::{DcraTerms, Grouping, Objective};
use crate::params::DecParams;

/// A published method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    /// DEC (Xie, Girshick & Farhadi, ICML 2016).
    Dec,
    /// IDEC (Guo, Gao, Liu & Yin, IJCAI 2017).
    Idec,
    /// DCEC (Guo, Liu, Zhu & Yin, ICONIP 2017).
    Dcec,
    /// DCRA (Lee, Wang & Rizzo, Journal of Student Research).
    Dcra,
    /// DCRA with its two terms measured comparably (`DcraTerms::Comparable`): no collapse.
    DcraFixed,
    /// MDEC (Lawrence) with DEC-DA's augmentation (Guo, Zhu, Liu & Yin, ACML 2018).
    Mdec,
    /// Defect and object crops: anomaly descriptors (`mdec-features`), then DEC on them.
    Crops,
    /// Tiles of physical fields: texture statistics (`mdec-features`), then DEC on them.
    Fields,
    /// DeepCluster (Caron, Bojanowski, Joulin & Douze, ECCV 2018).
    #[serde(rename = "deepcluster")]
    DeepCluster,
}

impl Preset {
    /// Every preset, in the order of the papers.
    pub const ALL: [Preset; 9] = [
        Preset::Dec,
        Preset::Idec,
        Preset::Dcec,
        Preset::Dcra,
        Preset::DcraFixed,
        Preset::Mdec,
        Preset::Crops,
        Preset::Fields,
        Preset::DeepCluster,
    ];

    /// The preset's name: `dec`, `idec`, `dcec`, `dcra`, `dcra-fixed`, `mdec`, `crops`,
    /// `fields` or `deepcluster`.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Dec => "dec",
            Preset::Idec => "idec",
            Preset::Dcec => "dcec",
            Preset::Dcra => "dcra",
            Preset::DcraFixed => "dcra-fixed",
            Preset::Mdec => "mdec",
            Preset::Crops => "crops",
            Preset::Fields => "fields",
            Preset::DeepCluster => "deepcluster",
        }
    }

    /// The full settings for `n_clusters` clusters; see [`preset`].
    pub fn settings(self, n_clusters: usize) -> PresetSettings {
        preset(self, n_clusters)
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Preset {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        Preset::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| Error::UnknownPreset(s.to_owned()))
    }
}

/// Everything a preset fixes: the features the model sees, the autoencoder, its pretraining
/// and the clustering stage. Fields are public: change what you need (e.g.
/// `pretrain.epochs` for a short run), then check the params.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PresetSettings {
    /// Which preset these came from.
    pub preset: Preset,
    /// Hand-made features computed from each image, standardised over the dataset, that
    /// the autoencoder sees instead of the pixels; `None`: the pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<FeatureSpec>,
    /// The autoencoder architecture.
    pub ae: AeConfig,
    /// Pretraining of the autoencoder (reconstruction, plus the self-augmentation loss when
    /// set).
    pub pretrain: PretrainParams,
    /// The clustering stage.
    pub cluster: DecParams,
}

/// The settings of `preset` for `n_clusters` clusters.
///
/// - `dec` — Xie et al., "Unsupervised Deep Embedding for Clustering Analysis", ICML
///   2016: dense autoencoder `d–500–500–2000–10`, pretrained end to end with Adam
///   (1e-3, 200 epochs, batch 256, as in Guo et al.'s Keras DEC used by IDEC and DCEC);
///   clustering with KL(P‖Q) only, SGD lr 0.01 momentum 0.9, update interval 140, tol
///   0.1%, at most 20,000 iterations, batch 256, k-means with 20 restarts.
/// - `idec` — Guo et al., "Improved Deep Embedded Clustering with Local Structure
///   Preservation", IJCAI 2017: as `dec`, keeping the decoder: `L_rec + 0.1·KL`.
/// - `dcec` — Guo et al., "Deep Clustering with Convolutional Autoencoders", ICONIP
///   2017: the DCEC convolutional autoencoder (32-64-128 stride-2 convolutions, latent
///   10) pretrained with Adam 1e-3 for 200 epochs; IDEC's loss with γ = 0.1, Adam 1e-3,
///   update interval 140, tol 0.1%, at most 20,000 iterations, batch 256.
/// - `dcra` — Lee, Wang & Rizzo, "Deep Clustering with Robust Autoencoder": dense
///   autoencoder with latent 40, inputs corrupted with Gaussian noise σ = 1.0, Adam lr
///   2e-4, 25 epochs, batch 256 (their Table 1), pretrained as a denoising autoencoder
///   then trained with `0.01·L_rec + 0.99·L_kmeans` and Lloyd steps every 140
///   iterations; no label-change stopping (tol 0: all 25 epochs run).
/// - `dcra-fixed` — `dcra` with both terms measured as the paper writes them and free of
///   the embedding's scale ([`DcraTerms::Comparable`]): the reconstruction as the squared
///   error summed over each sample's values, the k-means term as the within-cluster share
///   of the batch's spread; everything else as the paper. Why: measured per value, as
///   `dcra` does, the weight 0.01 leaves the reconstruction almost no say, and the k-means
///   term falls when the encoder shrinks the embedding; the faithful preset collapses onto
///   a few centroids (MNIST-test ACC 0.17, one cluster holding 94% of the digits at the
///   first update). Chosen on 10,000 MNIST training digits (seed 0): ACC 0.12 as `dcra`,
///   0.39 with the share alone, 0.30 with the summed reconstruction alone, 0.51 with both
///   (k-means on the pretrained embedding: 0.58).
/// - `mdec` — Lawrence, "Modernized Deep Embedded Clustering": MDEC's convolutional
///   autoencoder with max pooling and a latent layer of size `n_clusters`, pretrained
///   and clustered with DEC-DA's augmentation (Guo et al., "Deep Embedded Clustering
///   with Data Augmentation", ACML 2018: random rotations of up to 10° and shifts of up
///   to 10% of the side, here 3 px) for 500 pretraining epochs and at most 20,000
///   clustering iterations, batch 256; IDEC's loss (γ = 0.1), Adam 1e-3 with cosine
///   decay to 1e-5 (MDEC's learning-rate schedule against local minima), update
///   interval 140, tol 0.1%.
/// - `crops` — for defect and object crops, where the surface around the defect (its
///   lighting, colour, texture) is most of the pixels: the anomaly descriptors of
///   `mdec-features` (what stands out of each crop's own background, by shape and
///   polarity; threshold 2.5 robust deviations, chosen on a validation set of the
///   synthetic crops), standardised over the dataset, then `dec`'s autoencoder and
///   clustering with 50 pretraining epochs: under a minute for a few thousand crops on a
///   CPU.
/// - `fields` — for tiles of physical fields (turbulence, filaments, clumps in an image of
///   the sky or a data cube), where what tells regions apart is the kind of structure,
///   not the level, which drifts across the field: the texture statistics of
///   `mdec-features` (structure function at octave lags, skewness, kurtosis, the
///   roundness and sharpness of bright structures, each tile's plane taken away),
///   standardised and whitened with shrinkage over the tiles (most statistics follow the
///   strongest structure, filaments; whitened, the weaker difference between smooth and
///   turbulent fields gets a say), then `dec`'s autoencoder and clustering with 50
///   pretraining epochs, like `crops`. Blind to colour and level by design: for
///   photographs, where colour matters, use a pixel model.
/// - `deepcluster` — Caron et al., "Deep Clustering for Unsupervised Learning of Visual
///   Features", ECCV 2018, scaled to 32–96 px images and a CPU: a VGG-style convnet (3×3
///   convolutions of 32, 64 and 128 channels, each with batch norm, ReLU and 2×2 max
///   pooling, then a 128-wide feature layer) behind the fixed grey + Sobel front, trained
///   from random weights (no autoencoder pretraining; the decoder is unused). Each epoch:
///   the features of all images, PCA-whitened to 32 dimensions and L2-normalised, are
///   grouped by power iteration clustering (the paper's alternative to k-means, see
///   [`Grouping::Pic`]) into at most `n_clusters` pseudo-labels: on 10,000 MNIST training
///   digits (seed 0, these settings) PIC reached ACC 0.949, k-means 0.710. The linear
///   classifier head is re-initialised and trained with the convnet by cross-entropy,
///   batches drawn uniformly over the pseudo-labels. SGD momentum 0.9, batch 256 (the
///   paper's), lr 0.01: the paper's 0.05 made the first epochs' cross-entropy explode here
///   (on the same digits with k-means, 10 epochs, seed 0: ACC 0.77 with 0.01 at batch 256,
///   0.76 at batch 64, 0.68 with 0.05 at batch 64). Shifts of up to 3 px as augmentation (the paper
///   crops and flips), 30 epochs; no label-change stopping (pseudo-labels are renumbered
///   every epoch: the stability NMI between epochs is the curve to watch). On a few
///   thousand images lower the batch size, so that an epoch holds enough steps.
pub fn preset(preset: Preset, n_clusters: usize) -> PresetSettings {
    let keras_pretrain = PretrainParams::new()
        .epochs(200)
        .batch_size(256)
        .lr(1e-3)
        .optimizer(OptimizerKind::adam());
    let dec_cluster = DecParams::new(n_clusters);
    match preset {
        Preset::Dec => PresetSettings {
            preset,
            features: None,
            ae: AeConfig::dense(10),
            pretrain: keras_pretrain,
            cluster: dec_cluster,
        },
        Preset::Idec => PresetSettings {
            preset,
            features: None,
            ae: AeConfig::dense(10),
            pretrain: keras_pretrain,
            cluster: dec_cluster.objective(Objective::idec()),
        },
        Preset::Dcec => PresetSettings {
            preset,
            features: None,
            ae: AeConfig::dcec(10),
            pretrain: keras_pretrain,
            cluster: dec_cluster
                .objective(Objective::idec())
                .optimizer(OptimizerKind::adam())
                .lr(1e-3),
        },
        Preset::Dcra => PresetSettings {
            preset,
            features: None,
            ae: AeConfig {
                arch: Arch::Dense(DenseConfig::default()),
                latent_dim: 40,
                ..AeConfig::default()
            },
            pretrain: PretrainParams::new()
                .epochs(25)
                .batch_size(256)
                .lr(2e-4)
                .optimizer(OptimizerKind::adam())
                .gaussian_noise(1.0),
            cluster: dec_cluster
                .objective(Objective::dcra())
                .optimizer(OptimizerKind::adam())
                .lr(2e-4)
                .max_epochs(Some(25))
                .tol(0.0),
        },
        Preset::DcraFixed => {
            let mut settings = self::preset(Preset::Dcra, n_clusters);
            settings.preset = Preset::DcraFixed;
            settings.cluster = settings.cluster.objective(Objective::Dcra {
                lambda: 0.01,
                sigma: 1.0,
                terms: DcraTerms::Comparable,
            });
            settings
        }
        Preset::Mdec => {
            let augment = AugmentConfig {
                rotation: 10.0,
                shift: 3,
                ..AugmentConfig::default()
            };
            PresetSettings {
                preset,
                features: None,
                ae: AeConfig::mdec(n_clusters as i64),
                pretrain: keras_pretrain.epochs(500).augment(augment.clone()),
                cluster: dec_cluster
                    .objective(Objective::idec())
                    .optimizer(OptimizerKind::adam())
                    .lr(1e-3)
                    .lr_schedule(LrSchedule::Cosine { min_lr: 1e-5 })
                    .augment(augment),
            }
        }
        Preset::Crops => PresetSettings {
            preset,
            features: Some(FeatureSpec {
                anomaly: Some(Anomaly {
                    threshold: 2.5,
                    blur: 0,
                }),
                ..FeatureSpec::default()
            }),
            ae: AeConfig::dense(10),
            pretrain: keras_pretrain.epochs(50),
            cluster: dec_cluster,
        },
        Preset::Fields => PresetSettings {
            preset,
            features: Some(FeatureSpec {
                texture: Some(Texture {}),
                whiten: true,
                ..FeatureSpec::default()
            }),
            ae: AeConfig::dense(10),
            pretrain: keras_pretrain.epochs(50),
            cluster: dec_cluster,
        },
        Preset::DeepCluster => PresetSettings {
            preset,
            features: None,
            ae: AeConfig {
                arch: Arch::Mdec(MdecConfig {
                    channels: vec![32, 64, 128],
                    kernel_sizes: vec![3, 3, 3],
                    ..MdecConfig::default()
                }),
                latent_dim: 128,
                batch_norm: true,
                sobel: true,
                ..AeConfig::default()
            },
            pretrain: keras_pretrain.epochs(0),
            cluster: dec_cluster
                .objective(Objective::DeepCluster {
                    pca_dim: 32,
                    grouping: Grouping::Pic,
                })
                .lr(0.01)
                .update_interval(0)
                .max_epochs(Some(30))
                .tol(0.0)
                .augment(AugmentConfig {
                    shift: 3,
                    ..AugmentConfig::default()
                }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_checks_and_parses_by_name() -> anyhow::Result<()> {
        for p in Preset::ALL {
            let s = preset(p, 10);
            s.cluster.clone().check()?;
            if s.pretrain.epochs > 0 {
                s.pretrain.clone().check()?;
            }
            s.ae.check()?;
            assert_eq!(p.name().parse::<Preset>()?, p);
        }
        assert!(matches!(
            "vade".parse::<Preset>(),
            Err(Error::UnknownPreset(_))
        ));
        let dcra = preset(Preset::Dcra, 10);
        assert_eq!(dcra.ae.latent_dim, 40);
        assert_eq!(dcra.cluster.objective, Objective::dcra());
        let fixed = preset(Preset::DcraFixed, 10);
        assert_eq!(
            fixed.cluster.objective,
            Objective::Dcra {
                lambda: 0.01,
                sigma: 1.0,
                terms: DcraTerms::Comparable,
            }
        );
        assert_eq!((&fixed.ae, &fixed.pretrain), (&dcra.ae, &dcra.pretrain));
        assert_eq!(dcra.pretrain.noise_std, 1.0);
        assert_eq!(preset(Preset::Dec, 10).cluster.lr, 0.01);
        Ok(())
    }
}
