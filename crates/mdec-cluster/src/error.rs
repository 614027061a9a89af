//! The crate's error type: one enum for every failure, and [`ParamsError`] for each broken
//! parameter constraint.
//!
//! A variant that wraps an underlying error as its `source` does not repeat it in its
//! own message: print the chain (anyhow's `{:#}`) to see both.

use std::path::PathBuf;

use mdec_data::ImageShape;

/// A broken constraint of [`KMeansParams`](crate::KMeansParams) or
/// [`DecParams`](crate::DecParams); each variant names the field and the value.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ParamsError {
    /// `n_clusters` must be at least 2.
    #[error("n_clusters must be >= 2, got {0}")]
    NClusters(usize),
    /// The candidate numbers of clusters must be `2 <= min <= max`.
    #[error("the range of k must be 2 <= min <= max, got {min}..{max}")]
    KRange {
        /// The smallest k.
        min: usize,
        /// The largest k.
        max: usize,
    },
    /// `n_init` must be at least 1.
    #[error("n_init must be >= 1, got {0}")]
    NInit(usize),
    /// `max_iter` must be at least 1.
    #[error("max_iter must be >= 1, got {0}")]
    MaxIter(usize),
    /// `max_epochs`, when set, must be at least 1.
    #[error("max_epochs must be >= 1 when set, got {0}")]
    MaxEpochs(usize),
    /// The k-means tolerance must be finite and non-negative.
    #[error("kmeans tol must be finite and >= 0, got {0}")]
    KMeansTol(f64),
    /// `check_every` must be at least 1.
    #[error("check_every must be >= 1, got {0}")]
    CheckEvery(usize),
    /// The label-change tolerance is a fraction in `[0, 1]`.
    #[error("tol must be in [0, 1], got {0}")]
    Tol(f64),
    /// The Student's t degrees of freedom must be finite and positive.
    #[error("alpha must be > 0 and finite, got {0}")]
    Alpha(f64),
    /// IDEC's clustering weight must be finite and non-negative.
    #[error("gamma must be >= 0 and finite, got {0}")]
    Gamma(f64),
    /// DCRA's reconstruction weight is a fraction in `[0, 1]`.
    #[error("lambda must be in [0, 1], got {0}")]
    Lambda(f64),
    /// DCRA's input noise must be finite and non-negative.
    #[error("sigma must be >= 0 and finite, got {0}")]
    Sigma(f64),
    /// DeepCluster's PCA must keep at least one dimension.
    #[error("pca_dim must be >= 1, got {0}")]
    PcaDim(usize),
    /// The balanced-assignment weight must be finite and non-negative.
    #[error("balance must be >= 0 and finite, got {0}")]
    Balance(f64),
    /// The learning rate must be finite and positive.
    #[error("lr must be > 0 and finite, got {0}")]
    Lr(f64),
    /// The optimiser's own settings are out of range (the message of
    /// [`OptimizerKind::check`](mdec_ae::OptimizerKind::check)).
    #[error("optimizer: {0}")]
    Optimizer(String),
    /// The learning-rate schedule's settings are out of range (the message of
    /// [`LrSchedule::check`](mdec_ae::LrSchedule::check)).
    #[error("lr_schedule: {0}")]
    LrSchedule(String),
    /// The loss-weight schedule needs at least one iteration.
    #[error("schedule: {0}")]
    Schedule(String),
    /// `batch_size` must be at least 1.
    #[error("batch_size must be >= 1, got {0}")]
    BatchSize(usize),
    /// `eval_batch_size` must be at least 1.
    #[error("eval_batch_size must be >= 1, got {0}")]
    EvalBatchSize(usize),
    /// DCRA needs at least one Lloyd step per interval.
    #[error("lloyd_steps must be >= 1, got {0}")]
    LloydSteps(usize),
    /// The augmentation config is invalid.
    #[error("augment: {0}")]
    Augment(String),
}

/// Everything that can go wrong in `mdec-cluster`.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter is out of range.
    #[error("invalid parameter")]
    Params(#[from] ParamsError),
    /// An error reported by libtorch.
    #[error("libtorch")]
    Torch(#[from] tch::TchError),
    /// An error from the autoencoder crate (building, loading or saving a model).
    #[error(transparent)]
    Ae(#[from] mdec_ae::Error),
    /// An error from the data layer (augmentation, batches, tables).
    #[error(transparent)]
    Data(#[from] mdec_data::Error),
    /// An error while scoring against known labels.
    #[error("metrics")]
    Metrics(#[from] mdec_metrics::Error),
    /// A dataframe could not be built.
    #[error("table")]
    Table(#[from] polars::error::PolarsError),
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
    /// Embeddings must be a 2-d floating-point tensor.
    #[error("embeddings must be a 2-d float tensor [n, d], got shape {shape:?} of kind {kind}")]
    EmbeddingShape {
        /// The shape received.
        shape: Vec<i64>,
        /// The element kind received.
        kind: String,
    },
    /// Centroids do not match the embeddings.
    #[error("centroids of shape {centroids:?} do not fit embeddings of dimension {dim}")]
    CentroidShape {
        /// The centroids' shape.
        centroids: Vec<i64>,
        /// The embedding dimension.
        dim: i64,
    },
    /// Fewer samples than clusters.
    #[error("{n_samples} samples cannot form {n_clusters} clusters")]
    TooFewSamples {
        /// Number of samples.
        n_samples: usize,
        /// Number of clusters asked for.
        n_clusters: usize,
    },
    /// The images do not have the shape the encoder takes.
    #[error("the encoder takes {expected} images but the data is {got}")]
    ShapeMismatch {
        /// The encoder's input shape.
        expected: ImageShape,
        /// The data's image shape.
        got: ImageShape,
    },
    /// A saved model was asked to assign data of another image shape.
    #[error("{}: the model takes {expected} images but the data is {got}", model.display())]
    ModelShape {
        /// The model folder.
        model: PathBuf,
        /// The image shape the model takes.
        expected: ImageShape,
        /// The data's image shape.
        got: ImageShape,
    },
    /// An [`UpdateObserver`](crate::UpdateObserver) failed; training stopped.
    #[error("update observer: {0}")]
    Observer(crate::ObserverError),
    /// No checkpoint where one was required.
    #[error("no clustering checkpoint in {dir}")]
    NoCheckpoint {
        /// The folder searched.
        dir: PathBuf,
    },
    /// A saved model or checkpoint does not fit what it is loaded into.
    #[error("{path}: {reason}")]
    Incompatible {
        /// The file.
        path: PathBuf,
        /// What does not fit.
        reason: String,
    },
    /// A file's format version is unknown.
    #[error("{path}: unsupported format version {version}")]
    FormatVersion {
        /// The file.
        path: PathBuf,
        /// The version found.
        version: u32,
    },
    /// The name is not a preset.
    #[error("unknown preset {0:?}: expected one of dec, idec, dcec, dcra, mdec")]
    UnknownPreset(String),
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

impl From<mdec_data::atomic::IoError> for Error {
    /// An atomic write's own I/O failure, as an [`Error::Io`] naming the target path.
    fn from(e: mdec_data::atomic::IoError) -> Self {
        Error::Io {
            path: e.path,
            source: e.source,
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
