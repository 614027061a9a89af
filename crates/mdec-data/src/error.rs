//! The one error type of `mdec-data`: every reader, split and transform returns it.
//!
//! Messages are lowercase, carry no final period and start with the offending path
//! when there is one, so the CLI can print them as they are. A variant that wraps an
//! underlying error as its `source` does not repeat that error in its own message:
//! print the chain (anyhow's `{:#}`) to see both.

use std::path::PathBuf;

use crate::dataset::ImageShape;

/// Result alias used throughout `mdec-data`.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while loading, checking or transforming a dataset.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An I/O error while reading or writing `path`.
    #[error("{path}", path = .path.display())]
    Io {
        /// The file or directory being accessed.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// A gzip stream that could not be decompressed (corrupt or cut short).
    #[error("{path}: cannot decompress gzip data", path = .path.display())]
    Gzip {
        /// The compressed file.
        path: PathBuf,
        /// The decoder's error.
        source: std::io::Error,
    },

    /// The first four bytes of an IDX file are not `00 00 <dtype> <ndim>`.
    #[error("{path}: bad idx magic {got:#010x} (expected 0x0000TTDD)", path = .path.display())]
    BadMagic {
        /// The file.
        path: PathBuf,
        /// The magic number found, read big-endian.
        got: u32,
    },

    /// An IDX type code this crate does not know.
    #[error("{path}: unsupported idx data type code {code:#04x}", path = .path.display())]
    UnsupportedIdxType {
        /// The file.
        path: PathBuf,
        /// The type code (third magic byte).
        code: u8,
    },

    /// A file whose data is shorter than its header promises.
    #[error(
        "{path}: truncated file: the header needs {expected} bytes but only {actual} are present",
        path = .path.display()
    )]
    Truncated {
        /// The file.
        path: PathBuf,
        /// Bytes the header asks for (header included).
        expected: u64,
        /// Bytes actually present.
        actual: u64,
    },

    /// A file with more data than its header describes.
    #[error(
        "{path}: {extra} unexpected bytes after the {expected} bytes described by the header",
        path = .path.display()
    )]
    TrailingBytes {
        /// The file.
        path: PathBuf,
        /// Bytes the header asks for (header included).
        expected: u64,
        /// Extra bytes found after them.
        extra: u64,
    },

    /// An array with the wrong number of dimensions for its role.
    #[error("{path}: expected {expected}, got {got} dimensions {dims:?}", path = .path.display())]
    BadRank {
        /// The file.
        path: PathBuf,
        /// What was expected, in words (e.g. "3 or 4 dimensions (n×h×w or n×c×h×w)").
        expected: &'static str,
        /// The number of dimensions found.
        got: usize,
        /// The dimensions found.
        dims: Vec<usize>,
    },

    /// A header whose dimensions overflow or are otherwise impossible.
    #[error("{path}: bad header: {reason}", path = .path.display())]
    BadHeader {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },

    /// An images file and a labels file that disagree on the number of samples.
    #[error(
        "image/label count mismatch: {images_path} holds {images} images but {labels_path} holds {labels} labels",
        images_path = .images_path.display(),
        labels_path = .labels_path.display()
    )]
    FileCountMismatch {
        /// The images file.
        images_path: PathBuf,
        /// The labels file.
        labels_path: PathBuf,
        /// Number of images.
        images: usize,
        /// Number of labels.
        labels: usize,
    },

    /// Labels, names or other per-sample data whose length differs from the image count.
    #[error("{what} count mismatch: {expected} images but {got} {what}")]
    CountMismatch {
        /// What was attached: "labels" or "names".
        what: &'static str,
        /// Number of images.
        expected: usize,
        /// Number of items given.
        got: usize,
    },

    /// A label not smaller than the number of class names.
    #[error("label {label} at sample {index} is out of range for {classes} class names")]
    LabelOutOfRange {
        /// The offending label.
        label: usize,
        /// Its sample index.
        index: usize,
        /// Number of class names.
        classes: usize,
    },

    /// A negative or otherwise invalid label in a labels file.
    #[error("{path}: invalid label {value} at index {index}", path = .path.display())]
    BadLabel {
        /// The labels file.
        path: PathBuf,
        /// The value found.
        value: i64,
        /// Its index.
        index: usize,
    },

    /// Images in a folder that differ in size while no resize was asked for.
    #[error(
        "{path}: image is {height}×{width} but {first} is {expected_height}×{expected_width}; \
         ask for a resize to load images of different sizes",
        path = .path.display(),
        first = .first.display()
    )]
    SizeMismatch {
        /// The image that differs.
        path: PathBuf,
        /// Its height.
        height: usize,
        /// Its width.
        width: usize,
        /// The first image, which fixed the expected size.
        first: PathBuf,
        /// The expected height.
        expected_height: usize,
        /// The expected width.
        expected_width: usize,
    },

    /// A folder without any image in it.
    #[error("{path}: no images found", path = .path.display())]
    EmptyFolder {
        /// The folder.
        path: PathBuf,
    },

    /// A file in an image folder that cannot be decoded. The message ends with how to
    /// skip such files (the CLI's `--skip-unreadable` sets
    /// [`FolderOptions::skip_unreadable`](crate::FolderOptions::skip_unreadable)), so the
    /// decoder's error is part of it rather than a `source`.
    #[error(
        "{path}: unreadable or not an image: {error} (pass --skip-unreadable, or set \
         skip_unreadable in the folder options, to skip such files)",
        path = .path.display()
    )]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The decoder's error.
        error: image::ImageError,
    },

    /// An image at the top of a folder whose labels come from sub-folders.
    #[error(
        "{path}: not inside a class sub-folder (labels come from sub-folder names)",
        path = .path.display()
    )]
    NoClassFolder {
        /// The file.
        path: PathBuf,
    },

    /// A large input (an image, data cube, mask or box file for tiles and crops) that
    /// cannot be used as asked: what is wrong, in words, after the file.
    #[error("{path}: {reason}", path = .path.display())]
    BadInput {
        /// The file.
        path: PathBuf,
        /// What is wrong, e.g. "tile 64×64 is larger than the image (48×300)".
        reason: String,
    },

    /// A `.npy` file that ndarray-npy cannot parse.
    #[error("{path}: cannot parse the .npy file", path = .path.display())]
    Npy {
        /// The file.
        path: PathBuf,
        /// The parser's error.
        source: ndarray_npy::ReadNpyError,
    },

    /// A `.npy` file with an element type this crate does not load.
    #[error("{path}: unsupported .npy element type; expected {expected}", path = .path.display())]
    UnsupportedNpyType {
        /// The file.
        path: PathBuf,
        /// The supported types, in words.
        expected: &'static str,
    },

    /// A NaN or infinite value in a float file.
    #[error("{path}: non-finite value {value} at flat index {index}", path = .path.display())]
    NonFinite {
        /// The file.
        path: PathBuf,
        /// Flat (C order) index of the first bad value.
        index: usize,
        /// The value (NaN or ±inf).
        value: f64,
    },

    /// A named dataset whose files are not on disk.
    #[error(
        "{dir}: {dataset} is not fetched ({missing} is missing); run `{command}`",
        dir = .dir.display(),
        missing = .missing.display()
    )]
    NotFetched {
        /// Dataset name, e.g. "mnist".
        dataset: &'static str,
        /// The directory where the files were expected.
        dir: PathBuf,
        /// The first missing file.
        missing: PathBuf,
        /// The command that fetches it.
        command: String,
    },

    /// A split name that is not `train`, `test` or `all`.
    #[error("unknown split {got:?}: expected train, test, all or unlabelled")]
    BadSplit {
        /// The string given.
        got: String,
    },

    /// A dataset name that is not known.
    #[error(
        "unknown dataset {got:?}: expected one of {}",
        crate::named::NamedDataset::ALL.map(|d| d.name()).join(", ")
    )]
    BadDatasetName {
        /// The string given.
        got: String,
    },

    /// A path that is neither an IDX file, a `.npy` file, an IDX directory nor an image folder.
    #[error(
        "{path}: cannot tell the format: expected a directory, an idx file (raw or .gz) or a .npy file",
        path = .path.display()
    )]
    UnknownFormat {
        /// The path.
        path: PathBuf,
    },

    /// A table file whose extension names no table format.
    #[error("{path}: expected a .csv or .parquet file", path = .path.display())]
    NotATable {
        /// The path.
        path: PathBuf,
    },

    /// A validation fraction outside `[0, 1)`.
    #[error("validation fraction must be in [0, 1), got {value}")]
    BadFraction {
        /// The value given.
        value: f64,
    },

    /// A batch size of zero.
    #[error("batch size must be at least 1")]
    ZeroBatchSize,

    /// A sample index past the end of the dataset.
    #[error("index {index} is out of bounds for {len} samples")]
    IndexOutOfBounds {
        /// The index.
        index: usize,
        /// Number of samples.
        len: usize,
    },

    /// Two datasets or a dataset and scaling statistics with incompatible shapes.
    #[error("shape mismatch: expected {expected}, got {got}")]
    ShapeMismatch {
        /// The expected shape.
        expected: ImageShape,
        /// The shape found.
        got: ImageShape,
    },

    /// Scaling statistics fitted for a different number of channels.
    #[error("channel mismatch: statistics have {expected} channels, images have {got}")]
    ChannelMismatch {
        /// Channels in the statistics.
        expected: usize,
        /// Channels in the images.
        got: usize,
    },

    /// Datasets to concatenate that disagree on labels or class names.
    #[error("cannot concatenate: {reason}")]
    Concat {
        /// What differs.
        reason: &'static str,
    },

    /// A parameter outside its valid range.
    #[error("{name} must be {expected}, got {value}")]
    BadParam {
        /// The parameter (field) name.
        name: &'static str,
        /// The value given.
        value: f64,
        /// The valid range, in words.
        expected: &'static str,
    },

    /// An array that cannot be written as IDX.
    #[error("cannot encode as idx: {reason}")]
    Unencodable {
        /// Why.
        reason: String,
    },

    /// A table (CSV or Parquet) that could not be written or read.
    #[cfg(feature = "table")]
    #[error("{path}: cannot read or write the table", path = .path.display())]
    Table {
        /// The table file.
        path: PathBuf,
        /// The polars error.
        source: polars::error::PolarsError,
    },

    /// An image dimension of zero or too large to fit.
    #[error("bad image size {height}×{width}")]
    BadSize {
        /// Height.
        height: usize,
        /// Width.
        width: usize,
    },

    /// Images that do not fit in memory as `f32`: more bytes than the machine has (or than
    /// can be addressed), or an allocation that failed. Checked before loading.
    #[error(
        "{path}: {n} images of {channels}×{height}×{width} need {needed} of memory as f32, {limit}",
        path = .path.display(),
        needed = format_bytes(*.needed_bytes),
        limit = match .available_bytes {
            Some(total) => format!("but the machine has {}", format_bytes(*total as f64)),
            None => "more than can be allocated".to_owned(),
        }
    )]
    TooLarge {
        /// The file or folder being loaded.
        path: PathBuf,
        /// Number of images.
        n: usize,
        /// Channels per image.
        channels: usize,
        /// Image height.
        height: usize,
        /// Image width.
        width: usize,
        /// Bytes the `f32` values need (a float: the product may not fit in an integer).
        needed_bytes: f64,
        /// The machine's memory (`MemTotal` of `/proc/meminfo`) when that is the limit;
        /// `None` when the allocation itself failed or the size cannot be addressed.
        available_bytes: Option<u64>,
    },
}

/// `bytes` in the largest binary unit that keeps it at or above 1.
fn format_bytes(bytes: f64) -> String {
    const UNITS: [&str; 6] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = bytes;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{value} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

impl From<crate::atomic::IoError> for Error {
    /// An atomic write's own I/O failure, as an [`Error::Io`] naming the target path.
    fn from(e: crate::atomic::IoError) -> Self {
        Error::Io {
            path: e.path,
            source: e.source,
        }
    }
}

impl Error {
    /// Wraps an I/O error with the path it concerns.
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// A [`Error::BadInput`] about `path`.
    pub(crate) fn bad_input(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        Error::BadInput {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
