//! The crate's error type: one enum, with the context needed to act on each failure.
//!
//! A variant that wraps an underlying error as its `source` does not repeat it in its
//! own message: print the chain (anyhow's `{:#}`) to see both.

use std::path::PathBuf;

use mdec_data::ImageShape;

use crate::config::AeConfigError;
use crate::pretrain::PretrainParamsError;

/// Everything that can go wrong in `mdec-ae`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An error reported by libtorch.
    #[error("libtorch")]
    Torch(#[from] tch::TchError),
    /// An error from the data layer (augmentation, splits, tables).
    #[error(transparent)]
    Data(#[from] mdec_data::Error),
    /// Reading or writing a file failed.
    #[error("{path}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A JSON file could not be read or written.
    #[error("{path}: cannot parse or write json")]
    Json {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// A dataframe operation failed.
    #[error("metrics table")]
    Table(#[from] polars::error::PolarsError),
    /// The architecture config is invalid.
    #[error(transparent)]
    Config(#[from] AeConfigError),
    /// The pretraining parameters are invalid.
    #[error(transparent)]
    Params(#[from] PretrainParamsError),
    /// An architecture cannot be built for this input shape.
    #[error("{arch} autoencoder cannot take {shape} images: {reason}")]
    InputShape {
        /// The architecture's name.
        arch: &'static str,
        /// The input shape.
        shape: ImageShape,
        /// Why.
        reason: String,
    },
    /// The images do not have the shape the model (or checkpoint) was built for.
    #[error("{context}: the model takes {expected} images but the data is {got}")]
    ShapeMismatch {
        /// Where the expectation comes from (a checkpoint path or "model").
        context: String,
        /// The shape the model takes.
        expected: ImageShape,
        /// The shape of the data.
        got: ImageShape,
    },
    /// A checkpoint holds another architecture than the one requested.
    #[error("{path}: checkpoint architecture {found} does not match the requested {expected}")]
    ArchMismatch {
        /// The checkpoint folder.
        path: PathBuf,
        /// The requested architecture (JSON).
        expected: String,
        /// The checkpoint's architecture (JSON).
        found: String,
    },
    /// No checkpoint in a folder where one was required.
    #[error("no checkpoint found in {dir}")]
    NoCheckpoint {
        /// The folder searched.
        dir: PathBuf,
    },
    /// A checkpoint's file format version is unknown.
    #[error("{path}: unsupported checkpoint format version {version}")]
    FormatVersion {
        /// The JSON file.
        path: PathBuf,
        /// The version found.
        version: u32,
    },
    /// A loss became NaN or infinite; the run stopped and the last good checkpoint is kept.
    #[error(
        "{which} loss is {value} at epoch {epoch}, batch {batch}: training stopped (last good checkpoint: {})",
        last_checkpoint.as_ref().map_or_else(|| "none".to_owned(), |p| p.display().to_string())
    )]
    NonFiniteLoss {
        /// `"train"` or `"validation"`.
        which: &'static str,
        /// The loss value.
        value: f64,
        /// The 1-based epoch.
        epoch: usize,
        /// The batch within the epoch (0-based).
        batch: usize,
        /// The newest checkpoint on disk, which is left untouched.
        last_checkpoint: Option<PathBuf>,
    },
    /// A stop request ([`StopFlag`](crate::StopFlag)) ended the run between two batches,
    /// after a checkpoint of the batch reached was written.
    #[error(
        "pretraining interrupted at epoch {epoch}, batch {batch}; checkpoint in {}",
        checkpoint.display()
    )]
    Interrupted {
        /// The 1-based epoch that was running.
        epoch: usize,
        /// The batch (0-based) the resumed run starts with.
        batch: usize,
        /// The checkpoint written.
        checkpoint: PathBuf,
    },
    /// BCE needs the decoder to end in a sigmoid (its logits are what the loss reads).
    #[error(
        "reconstruction loss bce needs output = sigmoid in the autoencoder config, got {output}"
    )]
    LossNeedsSigmoid {
        /// The configured output activation.
        output: String,
    },
    /// CUDA was requested but libtorch sees no GPU.
    #[error("device cuda:{index} requested but libtorch sees {available} CUDA device(s)")]
    CudaUnavailable {
        /// The requested index.
        index: usize,
        /// The number of CUDA devices found.
        available: i64,
    },
    /// A TorchScript encoder could not be used.
    #[error("{path}: torchscript encoder: {reason}")]
    TorchScript {
        /// The `.pt` file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A dataset is empty where samples are needed.
    #[error("the {which} set is empty")]
    EmptyDataset {
        /// `"train"` or `"validation"`.
        which: &'static str,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An optimiser or learning-rate-schedule setting out of range, naming the setting and
/// its value: what [`OptimizerKind::check`](crate::OptimizerKind::check) and
/// [`LrSchedule::check`](crate::LrSchedule::check) return. Every parameter type that holds
/// an optimiser or a schedule (pretraining, clustering) checks them through these, and
/// wraps this error in a variant of its own.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{setting} must be {expected}, got {value}")]
pub struct SettingError {
    /// The setting, after its algorithm's name (e.g. `"one-cycle div_factor"`).
    pub setting: &'static str,
    /// The value given (integers converted).
    pub value: f64,
    /// The valid range, in words (e.g. `"finite and > 0"`).
    pub expected: &'static str,
}

impl SettingError {
    /// Checks `ok`, or names `setting`, `value` and the range `expected`.
    pub(crate) fn require(
        ok: bool,
        setting: &'static str,
        value: f64,
        expected: &'static str,
    ) -> Result<(), Self> {
        if ok {
            Ok(())
        } else {
            Err(SettingError {
                setting,
                value,
                expected,
            })
        }
    }
}

impl From<mdec_data::atomic::IoError> for Error {
    /// An atomic write's own I/O failure, as an [`Error::Io`] naming the target path.
    fn from(e: mdec_data::atomic::IoError) -> Self {
        Error::Io {
            path: e.path,
            source: e.source,
        }
    }
}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn json(path: impl Into<PathBuf>, source: serde_json::Error) -> Self {
        Error::Json {
            path: path.into(),
            source,
        }
    }
}
