//! NumPy `.npy` files: images shaped N×H×W, N×C×H×W or N×H×W×C, and integer label
//! vectors.
//!
//! Images may be `uint8` (divided by 255 into `[0, 1]`), `float32` or `float64` (kept as
//! they are; a NaN or infinity is an error naming the file). C and Fortran order both work.
//!
//! # Channel layout of 4-D arrays
//!
//! NumPy code usually stores images channels-last (N×H×W×C, as PIL, OpenCV and
//! `tf.keras` give them), PyTorch code channels-first (N×C×H×W). A 4-D array whose last
//! axis is 1, 3 or 4 and whose second axis is not is read as channels-last and transposed
//! to N×C×H×W; every other 4-D array is read as N×C×H×W (so an ambiguous array such as
//! N×3×32×3 is channels-first). The layout recognised is logged at `info`.

use std::path::Path;

use ndarray::{Array4, ArrayD, Ix1, Ix4};
use ndarray_npy::{ReadNpyError, ReadNpyExt, ReadableElement};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::idx::{check_finite, ints_to_labels};

const IMAGE_TYPES: &str = "uint8, float32 or float64 images";
const LABEL_TYPES: &str = "integer labels (int8 to int64, uint8 to uint64)";

/// Outcome of one typed read attempt: the array, "wrong type, try the next", or a real error.
enum Attempt<T> {
    Ok(T),
    WrongType,
}

fn attempt<A: ReadNpyExt>(bytes: &[u8], path: &Path) -> Result<Attempt<A>> {
    match A::read_npy(bytes) {
        Ok(a) => Ok(Attempt::Ok(a)),
        Err(ReadNpyError::WrongDescriptor(_)) => Ok(Attempt::WrongType),
        Err(source) => Err(Error::Npy {
            path: path.to_path_buf(),
            source,
        }),
    }
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path, e))
}

/// Channel counts a channels-last array may have: gray, RGB, RGBA.
const CHANNEL_COUNTS: [usize; 3] = [1, 3, 4];

/// Whether 4-D image dimensions are channels-last (N×H×W×C): the last axis is 1, 3 or 4
/// and the second is not (see the [module documentation](self)).
pub fn is_channels_last(dims: &[usize]) -> bool {
    matches!(*dims, [_, second, _, last]
        if CHANNEL_COUNTS.contains(&last) && !CHANNEL_COUNTS.contains(&second))
}

/// The `(n, c, h, w)` of an images array of dimensions `dims`, in either 4-D layout.
fn nchw(dims: &[usize], path: &Path) -> Result<(usize, usize, usize, usize)> {
    match *dims {
        [n, h, w, c] if is_channels_last(dims) => Ok((n, c, h, w)),
        _ => crate::idx::image_dims(dims, path),
    }
}

/// Reads a `.npy` images file as `[n, c, h, w]` `f32`; a channels-last (N×H×W×C) array
/// is transposed (see the [module documentation](self) for the rule).
///
/// ```
/// use ndarray::Array3;
/// use ndarray_npy::write_npy;
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("x.npy");
/// write_npy(&path, &Array3::<u8>::from_elem((2, 3, 3), 255))?;
/// let images = mdec_data::npy::read_npy_images(&path)?;
/// assert_eq!(images.dim(), (2, 1, 3, 3));
/// assert_eq!(images[[0, 0, 0, 0]], 1.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::Io`], [`Error::Npy`] for a malformed file, [`Error::UnsupportedNpyType`],
/// [`Error::BadRank`] unless there are 3 or 4 dimensions, [`Error::NonFinite`], and
/// [`Error::TooLarge`] when the images as `f32` would not fit in the machine's memory.
pub fn read_npy_images(path: impl AsRef<Path>) -> Result<Array4<f32>> {
    let path = path.as_ref();
    let bytes = read_bytes(path)?;
    let fits = |dims: &[usize]| -> Result<()> {
        let (n, c, h, w) = nchw(dims, path)?;
        crate::memory::check_fits(path, n, c, h, w).map(drop)
    };
    let array: ArrayD<f32> = if let Attempt::Ok(a) = attempt::<ArrayD<u8>>(&bytes, path)? {
        fits(a.shape())?;
        a.mapv(|b| f32::from(b) / 255.0)
    } else if let Attempt::Ok(a) = attempt::<ArrayD<f32>>(&bytes, path)? {
        fits(a.shape())?;
        check_finite(a.iter().map(|&x| f64::from(x)), path)?;
        a
    } else if let Attempt::Ok(a) = attempt::<ArrayD<f64>>(&bytes, path)? {
        fits(a.shape())?;
        check_finite(a.iter().copied(), path)?;
        a.mapv(|x| x as f32)
    } else {
        return Err(Error::UnsupportedNpyType {
            path: path.to_path_buf(),
            expected: IMAGE_TYPES,
        });
    };
    let shape = nchw(array.shape(), path)?;
    let bad_header = |e: ndarray::ShapeError| Error::BadHeader {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let array = if array.ndim() == 4 && is_channels_last(array.shape()) {
        tracing::info!(
            path = %path.display(),
            dims = ?array.shape(),
            "channels-last .npy images (n×h×w×c): transposed to n×c×h×w"
        );
        array
            .into_dimensionality::<Ix4>()
            .map_err(bad_header)?
            .permuted_axes([0, 3, 1, 2])
            .into_dyn()
    } else {
        if array.ndim() == 4 {
            tracing::info!(
                path = %path.display(),
                dims = ?array.shape(),
                "channels-first .npy images (n×c×h×w)"
            );
        }
        array
    };
    // `mapv`, Fortran-order reads and the transpose may give non-standard layouts; the
    // copy happens only then.
    let array = array.as_standard_layout().into_owned();
    array.into_shape_with_order(shape).map_err(bad_header)
}

fn try_ints<T>(bytes: &[u8], path: &Path) -> Result<Option<Vec<i64>>>
where
    T: ReadableElement + Copy,
    i64: TryFrom<T>,
{
    match attempt::<ndarray::Array<T, Ix1>>(bytes, path)? {
        Attempt::Ok(a) => Ok(Some(
            a.iter()
                .enumerate()
                .map(|(index, &v)| {
                    i64::try_from(v).map_err(|_| Error::BadLabel {
                        path: path.to_path_buf(),
                        value: i64::MAX,
                        index,
                    })
                })
                .collect::<Result<_>>()?,
        )),
        Attempt::WrongType => Ok(None),
    }
}

/// Reads a one-dimensional integer `.npy` file as labels.
///
/// # Errors
/// [`Error::Io`], [`Error::Npy`] (also for a file with more than one dimension),
/// [`Error::UnsupportedNpyType`] for a non-integer file and [`Error::BadLabel`] for a
/// negative value.
pub fn read_npy_labels(path: impl AsRef<Path>) -> Result<Vec<usize>> {
    let path = path.as_ref();
    let bytes = read_bytes(path)?;
    let ints = if let Some(v) = try_ints::<i64>(&bytes, path)? {
        v
    } else if let Some(v) = try_ints::<i32>(&bytes, path)? {
        v
    } else if let Some(v) = try_ints::<u8>(&bytes, path)? {
        v
    } else if let Some(v) = try_ints::<u64>(&bytes, path)? {
        v
    } else if let Some(v) = try_ints::<u32>(&bytes, path)? {
        v
    } else if let Some(v) = try_ints::<i16>(&bytes, path)? {
        v
    } else if let Some(v) = try_ints::<u16>(&bytes, path)? {
        v
    } else if let Some(v) = try_ints::<i8>(&bytes, path)? {
        v
    } else {
        return Err(Error::UnsupportedNpyType {
            path: path.to_path_buf(),
            expected: LABEL_TYPES,
        });
    };
    ints_to_labels(ints, path)
}

/// Loads a `.npy` images file, and its labels file when one is given.
///
/// # Errors
/// Everything [`read_npy_images`] and [`read_npy_labels`] return, and
/// [`Error::FileCountMismatch`] naming both files when the counts differ.
pub fn load_npy(images: impl AsRef<Path>, labels: Option<&Path>) -> Result<Dataset> {
    let images_path = images.as_ref();
    let images = read_npy_images(images_path)?;
    let ds = Dataset::new(images);
    let Some(labels_path) = labels else {
        return Ok(ds);
    };
    let labels = read_npy_labels(labels_path)?;
    if labels.len() != ds.len() {
        return Err(Error::FileCountMismatch {
            images_path: images_path.to_path_buf(),
            labels_path: labels_path.to_path_buf(),
            images: ds.len(),
            labels: labels.len(),
        });
    }
    ds.with_labels(labels)
}
