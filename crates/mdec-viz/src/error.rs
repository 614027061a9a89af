//! The one error type of `mdec-viz`: bad input is reported here, never drawn as a blank image.

use std::path::PathBuf;

/// Everything that can go wrong while checking inputs or writing a figure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input table, curve or image batch has no entries.
    #[error("{what}: input is empty")]
    Empty {
        /// Which input was empty.
        what: String,
    },
    /// A value that must be finite is NaN or infinite.
    #[error("{what}: value at index {index} is not finite ({value})")]
    NonFinite {
        /// Which input held the value.
        what: String,
        /// Flat index of the first offending value.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// Two inputs that must line up have different lengths or shapes.
    #[error("{what}: expected length {expected}, got {got}")]
    LengthMismatch {
        /// Which inputs disagree.
        what: String,
        /// The length the first input fixed.
        expected: usize,
        /// The length found.
        got: usize,
    },
    /// Two image batches or frames have different shapes.
    #[error("{what}: expected shape {expected:?}, got {got:?}")]
    ShapeMismatch {
        /// Which inputs disagree.
        what: String,
        /// The shape the first input fixed.
        expected: Vec<usize>,
        /// The shape found.
        got: Vec<usize>,
    },
    /// An image or figure would have zero width or height.
    #[error("{what}: zero-size image ({width}x{height})")]
    ZeroSize {
        /// Which image.
        what: String,
        /// Its width in pixels.
        width: usize,
        /// Its height in pixels.
        height: usize,
    },
    /// Images must have 1 (grey) or 3 (RGB) channels.
    #[error("{what}: expected 1 or 3 channels, got {got}")]
    Channels {
        /// Which image batch.
        what: String,
        /// The channel count found.
        got: usize,
    },
    /// A parameter is outside its valid range.
    #[error("{name} = {value}: {reason}")]
    InvalidParam {
        /// Parameter name.
        name: &'static str,
        /// The value given, formatted.
        value: String,
        /// What it must satisfy.
        reason: &'static str,
    },
    /// Reading or writing a file failed.
    #[error("{path}")]
    Io {
        /// The file or folder involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// plotters failed while drawing a figure.
    #[error("{path}: drawing failed: {message}")]
    Draw {
        /// The figure being drawn.
        path: PathBuf,
        /// plotters' message.
        message: String,
    },
    /// PNG encoding failed.
    #[error("{path}: png encoding failed")]
    Png {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: png::EncodingError,
    },
    /// GIF encoding failed.
    #[error("{path}: gif encoding failed")]
    Gif {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: gif::EncodingError,
    },
    /// The embedded font could not be registered with plotters.
    #[error("embedded font could not be registered")]
    Font,
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

/// `Result` with this crate's [`Error`] as the default error type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Checks that `values` is non-empty and finite.
pub(crate) fn check_finite<T: Copy + Into<f64>>(
    what: &str,
    values: impl IntoIterator<Item = T>,
) -> Result<usize> {
    let mut n = 0;
    for (index, v) in values.into_iter().enumerate() {
        let value: f64 = v.into();
        if !value.is_finite() {
            return Err(Error::NonFinite {
                what: what.to_owned(),
                index,
                value,
            });
        }
        n += 1;
    }
    if n == 0 {
        return Err(Error::Empty {
            what: what.to_owned(),
        });
    }
    Ok(n)
}

/// Checks that `got` equals `expected`.
pub(crate) fn check_len(what: &str, expected: usize, got: usize) -> Result<()> {
    if expected == got {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            what: what.to_owned(),
            expected,
            got,
        })
    }
}
