//! Deep embedded clustering for mdec on libtorch: k-means on embeddings, the Student's t
//! clustering layer, the DEC / IDEC / DCRA losses with their schedules, the training
//! loop with its metrics table and checkpoints, presets for the published methods, and
//! model save / load.
//!
//! # Place in the workspace
//!
//! `mdec-cluster` builds on `mdec-ae` (the [`Encoder`](mdec_ae::Encoder) /
//! [`Autoencoder`](mdec_ae::Autoencoder) traits, [`AeModel`](mdec_ae::AeModel), the
//! optimisers and learning-rate schedules, pretraining), `mdec-data` (datasets, batches,
//! augmentation, tables) and `mdec-metrics` (ACC, NMI, ARI). The CLI (`mdec cluster`,
//! `mdec run`) maps its arguments onto [`preset`] / [`DecParams`] and calls
//! [`Dec::fit_or_resume`], [`Dec::save`] and [`Dec::predict`].
//!
//! # Example
//!
//! k-means on synthetic blobs, then a short IDEC run on tiny generated images:
//!
//! ```
//! use mdec_ae::{AeConfig, AeModel};
//! use mdec_cluster::{Dec, DecParams, KMeansParams, Objective};
//! use mdec_data::Dataset;
//! use ndarray::Array4;
//! use tch::{Device, Kind, Tensor};
//!
//! // Three separated 2-d blobs of 50 points.
//! tch::manual_seed(0);
//! let centres = Tensor::from_slice(&[0.0f32, 0.0, 8.0, 0.0, 0.0, 8.0]).view([3, 1, 2]);
//! let xs = (Tensor::randn([3, 50, 2], (Kind::Float, Device::Cpu)) + centres).view([150, 2]);
//! let km = KMeansParams::new(3).n_init(5).seed(1).check()?.fit(&xs)?;
//! let labels = km.labels_vec()?;
//! let truth: Vec<usize> = (0..150).map(|i| i / 50).collect();
//! assert!(mdec_metrics::acc(&truth, &labels)? > 0.95);
//!
//! // 60 images of 1×4×4 in three kinds; IDEC on a small dense autoencoder.
//! let images = Array4::from_shape_fn((60, 1, 4, 4), |(i, _, y, x)| match i % 3 {
//!     0 => if y < 2 { 1.0f32 } else { 0.0 },
//!     1 => if x < 2 { 1.0 } else { 0.0 },
//!     _ => 0.0,
//! });
//! let data = Dataset::new(images).with_labels((0..60).map(|i| i % 3).collect())?;
//! let model = AeModel::with_seed(AeConfig::dense(2), data.shape(), Device::Cpu, 0)?;
//! let params = DecParams::new(3).objective(Objective::Idec { gamma: 0.1 })
//!     .max_iter(30).update_interval(10).batch_size(20).kmeans_n_init(5).check()?;
//! let mut dec = Dec::new(model, params)?;
//! let report = dec.fit(&data, None)?;
//! assert!(report.scores.is_some_and(|s| s.acc > 0.6));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Main types
//!
//! - [`kmeans`]: [`KMeansParams`] → [`KMeansValidParams::fit`] → [`KMeans`] (batched
//!   restarts on the device), [`kmeans::lloyd_step`].
//! - [`ClusteringLayer`], [`soft_assignment`], [`target_distribution`].
//! - [`loss`]: KL(P‖Q), reconstruction, k-means and balanced-assignment losses.
//! - [`Objective`] (`Dec`, `Idec { gamma }`, `Dcra { lambda, sigma }`) and
//!   [`LossSchedule`] (joint, pretrain-then-finetune, ramp).
//! - [`DecParams`] → [`DecValidParams`]; [`Dec`] (fit, resume, predict, embeddings,
//!   save, load) over a [`Backbone`] ([`AeModel`](mdec_ae::AeModel) or
//!   [`EncoderOnly`] around any encoder); [`ClusterReport`] and its [`IntervalRow`]s.
//! - [`Dec::fitting`] → [`Fit`]: a run's [`ClusterLayout`] (where the table and checkpoint
//!   go), [`Resume`] mode and [`UpdateObserver`] (called at every target update, e.g. to
//!   draw an animation frame; [`Init`] at the initialisation). A
//!   [`StopFlag`](mdec_ae::StopFlag) given to [`Fit::stop`] ends a run between two batches
//!   ([`StopReason::Interrupted`]) with a checkpoint to resume from.
//! - [`Preset`] and [`preset`]: DEC, IDEC, DCEC, DCRA, MDEC.
//! - [`Assignments`] and [`embeddings_frame`]: per-sample outputs as data.
//! - [`Error`], [`ParamsError`], [`Result`].

mod backbone;
pub mod choose_k;
mod error;
pub mod kmeans;
mod layer;
pub mod loss;
mod model;
mod objective;
mod output;
mod params;
mod pic;
mod preset;
mod train;

pub use backbone::{Backbone, EncoderOnly};
pub use choose_k::{KChoice, KRange, KScore, choose_k};
pub use error::{Error, ParamsError, Result};
pub use kmeans::{KMeans, KMeansInit, KMeansParams, KMeansValidParams};
pub use layer::{
    CENTROIDS, ClusteringLayer, LAYER, hard_assignment, log_soft_assignment, pairwise_sq_distances,
    soft_assignment, target_distribution,
};
pub use model::{CENTROIDS_FILE, CLUSTER_JSON, ClusterMeta, MODEL_VERSION, WEIGHTS_FILE};
pub use objective::{DcraTerms, Grouping, LossSchedule, Objective};
pub use output::{Assignments, embeddings_frame};
pub use params::{CentroidInit, DecParams, DecValidParams};
pub use preset::{Preset, PresetSettings, preset};
pub use train::{
    CHECKPOINT_DIR, CHECKPOINT_VERSION, ClusterLayout, ClusterReport, Dec, Fit, Init, IntervalRow,
    ObserverError, Resume, StopReason, TABLE_STEM, Update, UpdateObserver, latest_checkpoint,
    rows_from_frame, rows_to_frame,
};
