//! The error type of `mdec-metrics`: one enum, one variant per way an input can be wrong.

/// Everything that can go wrong when computing a metric.
///
/// Each variant carries the values that made the input invalid, so a caller can report
/// them without re-deriving anything.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The two label slices have different lengths.
    #[error("label slices differ in length: {left} vs {right}")]
    LengthMismatch {
        /// Length of the first slice (`labels_true`, or the previous assignment).
        left: usize,
        /// Length of the second slice (`labels_pred`, or the current assignment).
        right: usize,
    },

    /// An input slice holds no element, so the metric is undefined.
    #[error("{what} is empty")]
    Empty {
        /// Which input was empty (`"labels"` or `"reconstruction"`).
        what: &'static str,
    },

    /// The original and reconstructed signals passed to [`crate::mse`] or
    /// [`crate::psnr`] have different lengths.
    #[error(
        "reconstruction length mismatch: original has {original} values, reconstructed has {reconstructed}"
    )]
    ReconstructionLengthMismatch {
        /// Number of values in the original signal.
        original: usize,
        /// Number of values in the reconstruction.
        reconstructed: usize,
    },

    /// The data range (peak value) given to [`crate::psnr`] is zero, negative or not finite.
    #[error("data range must be positive and finite, got {data_range}")]
    InvalidDataRange {
        /// The rejected data range.
        data_range: f64,
    },

    /// The Hungarian assignment would need a cost matrix larger than the crate allows.
    ///
    /// Hungarian accuracy builds a dense `n_clusters × n_classes` matrix; this guards
    /// against inputs such as one distinct label per sample on both sides, where that
    /// matrix would not fit in memory.
    #[error(
        "assignment too large: {n_clusters} clusters x {n_classes} classes exceeds {max_cells} cells"
    )]
    AssignmentTooLarge {
        /// Number of distinct predicted clusters.
        n_clusters: usize,
        /// Number of distinct true classes.
        n_classes: usize,
        /// The largest cost matrix (in cells) the crate builds.
        max_cells: usize,
    },
}

/// Result type of this crate, defaulting to [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
