//! The pipeline's error, and [`ErrorKind`]: what a front end makes of it (the CLI's exit
//! codes, the station's status).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Everything a run can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input the user must fix: bad data, settings that cannot work, an unusable folder.
    #[error("{0}")]
    BadInput(String),
    /// Reading or checking the data.
    #[error(transparent)]
    Data(#[from] mdec_data::Error),
    /// The autoencoder or pretraining.
    #[error(transparent)]
    Ae(#[from] mdec_ae::Error),
    /// Pretraining settings that do not check.
    #[error(transparent)]
    PretrainParams(#[from] mdec_ae::PretrainParamsError),
    /// Clustering.
    #[error(transparent)]
    Cluster(#[from] mdec_cluster::Error),
    /// Clustering settings that do not check.
    #[error(transparent)]
    ClusterParams(#[from] mdec_cluster::ParamsError),
    /// Hand-made features that cannot be computed on the data.
    #[error("features: {0}")]
    Features(#[from] mdec_features::Error),
    /// Scores.
    #[error(transparent)]
    Metrics(#[from] mdec_metrics::Error),
    /// A figure.
    #[error(transparent)]
    Viz(#[from] mdec_viz::Error),
    /// A table of the run folder.
    #[error("{path}: not a readable mdec table")]
    Table {
        /// The table.
        path: PathBuf,
        /// What polars said.
        source: polars::error::PolarsError,
    },
    /// A file that cannot be read or written.
    #[error("{path}: {what}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// What could not be done.
        what: &'static str,
        /// Why.
        source: std::io::Error,
    },
    /// A file or folder that could not be moved into place.
    #[error(transparent)]
    Atomic(#[from] mdec_data::atomic::IoError),
    /// A JSON file that does not hold what it should.
    #[error("{path}: not the expected JSON")]
    Json {
        /// The file.
        path: PathBuf,
        /// What serde said.
        source: serde_json::Error,
    },
    /// Clustering met a loss that became NaN or infinite (the weights of the last update are
    /// kept in the checkpoint; no model is saved).
    #[error(
        "training failed: the clustering loss became non-finite at iteration {iteration}; lower the learning rate or check the data"
    )]
    NonFiniteLoss {
        /// The iteration.
        iteration: usize,
    },
    /// The training thread panicked.
    #[error("the training thread panicked: {0}")]
    Panicked(String),
}

impl Error {
    pub(crate) fn io(path: &Path, what: &'static str, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            what,
            source,
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        use mdec_ae::Error as Ae;
        match self {
            Error::BadInput(_)
            | Error::Data(_)
            | Error::PretrainParams(_)
            | Error::ClusterParams(_)
            | Error::Features(_) => ErrorKind::BadInput,
            Error::NonFiniteLoss { .. } => ErrorKind::TrainingFailed,
            Error::Ae(e) | Error::Cluster(mdec_cluster::Error::Ae(e)) => match e {
                Ae::NonFiniteLoss { .. } => ErrorKind::TrainingFailed,
                Ae::Data(_)
                | Ae::InputShape { .. }
                | Ae::ShapeMismatch { .. }
                | Ae::ArchMismatch { .. }
                | Ae::Params(_)
                | Ae::Config(_)
                | Ae::CudaUnavailable { .. }
                | Ae::EmptyDataset { .. } => ErrorKind::BadInput,
                _ => ErrorKind::Other,
            },
            Error::Cluster(
                mdec_cluster::Error::Params(_)
                | mdec_cluster::Error::Data(_)
                | mdec_cluster::Error::TooFewSamples { .. }
                | mdec_cluster::Error::ShapeMismatch { .. }
                | mdec_cluster::Error::ModelShape { .. },
            ) => ErrorKind::BadInput,
            _ => ErrorKind::Other,
        }
    }
}

/// What a front end makes of an [`Error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The user must fix the input or settings (the CLI exits with 3).
    BadInput,
    /// Training diverged (a non-finite loss; the CLI exits with 4).
    TrainingFailed,
    /// Anything else (the CLI exits with 1).
    Other,
}

/// The pipeline's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
