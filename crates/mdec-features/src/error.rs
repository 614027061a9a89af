//! The features' error.

/// What can go wrong extracting features.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum Error {
    /// A setting out of its range.
    #[error("{name} must be {expected}, got {value}")]
    BadParam {
        /// The setting.
        name: &'static str,
        /// Its valid range, in words.
        expected: &'static str,
        /// The value given.
        value: usize,
    },
    /// HOG settings that do not fit the images.
    #[error("hog on {height}×{width} images: {reason}")]
    Hog {
        /// Image height.
        height: usize,
        /// Image width.
        width: usize,
        /// What imageproc said.
        reason: String,
    },
    /// A colour histogram of images that are not RGB.
    #[error("an hsv histogram needs 3-channel (RGB) images, got {channels} channels")]
    NotRgb {
        /// Channels of the images.
        channels: usize,
    },
    /// An anomaly threshold that is not positive and finite.
    #[error("the anomaly threshold must be a positive number of deviations, got {0}")]
    BadThreshold(f32),
    /// A spec that extracts nothing.
    #[error("no feature chosen: enable anomaly, hog, hsv or pixels")]
    Empty,
}

/// The features' result.
pub type Result<T, E = Error> = std::result::Result<T, E>;
