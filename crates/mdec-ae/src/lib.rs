//! Autoencoders for mdec on libtorch (`tch`): the `mdec`, `dcec` and `dense` architectures,
//! pretraining with validation, schedules and checkpoints, and the [`Encoder`] trait that
//! the clustering stage (`mdec-cluster`) depends on.
//!
//! In the layering, `mdec-ae` sits on `mdec-data` (datasets, splits, batches,
//! augmentation, tables) and below `mdec-cluster` and `mdec-cli`. The clustering stage
//! takes any [`Encoder`]: our [`AeModel`] or a [`TorchScriptEncoder`] exported from
//! PyTorch, so an encoder trained elsewhere can be clustered (MDEC's decoupling).
//!
//! # Example
//!
//! Pretrain a small DCEC autoencoder on synthetic images, then embed them:
//!
//! ```
//! use mdec_ae::{embed, pretrain, AeConfig, AeModel, Control, Encoder, PretrainParams};
//! use mdec_data::Dataset;
//! use ndarray::Array4;
//!
//! // 64 seeded 1×16×16 images: bright squares at four positions.
//! let images = Array4::from_shape_fn((64, 1, 16, 16), |(i, _, y, x)| {
//!     let (oy, ox) = ((i % 2) * 8, (i / 2 % 2) * 8);
//!     if (oy..oy + 8).contains(&y) && (ox..ox + 8).contains(&x) { 1.0f32 } else { 0.0 }
//! });
//! let (train, val) = Dataset::new(images).split(0.25, 7)?;
//!
//! let mut model = AeModel::with_seed(AeConfig::dcec(4), train.shape(), tch::Device::Cpu, 7)?;
//! let params = PretrainParams::new().epochs(3).batch_size(16).seed(7).check()?;
//! let out = tempfile::tempdir()?;
//! let report = pretrain(&mut model, &train, Some(&val), &params, out.path(), Control::default())?;
//! assert_eq!(report.rows.len(), 3);
//! assert!(out.path().join("pretrain.parquet").is_file());
//!
//! let xs = mdec_ae::array_to_tensor(train.images())?;
//! let zs = embed(&model, &xs, 32)?; // [48, 4]
//! assert_eq!(zs.size(), [48, 4]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Main types
//!
//! - [`AeConfig`] / [`Arch`]: the architecture ([`MdecConfig`], [`DcecConfig`],
//!   [`DenseConfig`]) and shared options ([`Activation`], [`WeightInit`], batch norm,
//!   dropout).
//! - [`AeModel`]: one `VarStore` with the nets under `encoder` and `decoder`;
//!   [`AeModel::save`] / [`AeModel::load`] (`model.safetensors` + `model.json`).
//! - [`Encoder`], [`Autoencoder`], [`embed`], [`TorchScriptEncoder`].
//! - [`PretrainParams`] → [`PretrainValidParams`], [`pretrain()`], [`resume`],
//!   [`pretrain_or_resume`], [`PretrainReport`], [`EpochRow`]; [`PretrainLayout`] says where
//!   the table, checkpoints and best model go.
//! - [`Control`]: a [`StopFlag`] that stops pretraining (and clustering) between two
//!   batches with a checkpoint to resume from, e.g. on Ctrl-C or from another thread, and a
//!   [`PretrainObserver`] that sees every batch ([`Step`]) and epoch. The library draws no
//!   progress bars: callers draw them from the observer.
//! - [`Optimizer`] ([`OptimizerKind`]: Adam, SGD) and [`Scheduler`] ([`LrSchedule`]) with
//!   state that checkpoints restore.
//! - [`DeviceChoice`]: `cpu`, `cuda[:i]`, `auto`.

pub mod config;
mod control;
pub mod device;
pub mod encoder;
pub mod error;
pub mod model;
mod net;
pub mod noise;
pub mod optim;
pub mod pretrain;
pub mod schedule;
pub mod stop;

pub use config::{
    Activation, AeConfig, AeConfigError, Arch, DcecConfig, DenseConfig, MdecConfig,
    OutputActivation, Upsampling, WeightInit,
};
pub use control::{Control, PretrainObserver, Step};
pub use device::{
    DeviceChoice, ParseDeviceError, device_name, libtorch_description, loaded_library,
};
pub use encoder::{Autoencoder, Encoder, TorchScriptEncoder, embed};
pub use error::{Error, Result, SettingError};
pub use mdec_data::ImageShape;
pub use model::{AeModel, ModelMeta, array_to_tensor, tensor_to_array};
pub use optim::{Optimizer, OptimizerKind};
pub use pretrain::{
    DataPlacement, EarlyStopping, EpochRow, Layerwise, PretrainLayout, PretrainParams,
    PretrainParamsError, PretrainReport, PretrainValidParams, ReconLoss, SelfAugmentation,
    TrainingState, latest_checkpoint, pretrain, pretrain_or_resume, resume, split_train_validation,
};
pub use schedule::{LrSchedule, Scheduler, SchedulerState};
pub use stop::StopFlag;
