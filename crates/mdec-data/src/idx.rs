//! IDX files (the MNIST format), raw or gzip-compressed, read and written.
//!
//! An IDX file is a 4-byte magic `00 00 <type> <ndim>`, then `ndim` big-endian `u32`
//! dimensions, then the values in C order, big-endian. Gzip is recognised by its magic
//! bytes (`1f 8b`), whatever the file name. Every reader checks the magic, the type code,
//! the number of dimensions and that the data length matches the header exactly.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;

use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use ndarray::Array4;

use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// The values of an IDX array, in one of the six IDX element types.
#[derive(Clone, Debug, PartialEq)]
pub enum IdxData {
    /// Type code `0x08`: unsigned bytes (MNIST images and labels).
    U8(Vec<u8>),
    /// Type code `0x09`: signed bytes.
    I8(Vec<i8>),
    /// Type code `0x0B`: big-endian `i16`.
    I16(Vec<i16>),
    /// Type code `0x0C`: big-endian `i32`.
    I32(Vec<i32>),
    /// Type code `0x0D`: big-endian `f32`.
    F32(Vec<f32>),
    /// Type code `0x0E`: big-endian `f64`.
    F64(Vec<f64>),
}

impl IdxData {
    /// The IDX type code of this element type.
    pub fn type_code(&self) -> u8 {
        match self {
            IdxData::U8(_) => 0x08,
            IdxData::I8(_) => 0x09,
            IdxData::I16(_) => 0x0B,
            IdxData::I32(_) => 0x0C,
            IdxData::F32(_) => 0x0D,
            IdxData::F64(_) => 0x0E,
        }
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        match self {
            IdxData::U8(v) => v.len(),
            IdxData::I8(v) => v.len(),
            IdxData::I16(v) => v.len(),
            IdxData::I32(v) => v.len(),
            IdxData::F32(v) => v.len(),
            IdxData::F64(v) => v.len(),
        }
    }

    /// Whether there are no values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Size in bytes of one element of the type with this code, or `None` for an unknown code.
fn element_size(code: u8) -> Option<usize> {
    match code {
        0x08 | 0x09 => Some(1),
        0x0B => Some(2),
        0x0C | 0x0D => Some(4),
        0x0E => Some(8),
        _ => None,
    }
}

/// An n-dimensional IDX array: its dimensions and its values in C order.
#[derive(Clone, Debug, PartialEq)]
pub struct IdxArray {
    dims: Vec<usize>,
    data: IdxData,
}

impl IdxArray {
    /// Builds an array, checking that the number of values is the product of `dims`.
    ///
    /// # Errors
    /// [`Error::CountMismatch`] if the counts differ or `dims` is empty.
    pub fn new(dims: Vec<usize>, data: IdxData) -> Result<Self> {
        let expected = dims.iter().product::<usize>();
        if expected != data.len() || dims.is_empty() {
            return Err(Error::CountMismatch {
                what: "idx values",
                expected,
                got: data.len(),
            });
        }
        Ok(Self { dims, data })
    }

    /// Quantises images with values in `[0, 1]` to bytes (`round(v * 255)`, clamped):
    /// dims `[n, h, w]` for one channel, `[n, c, h, w]` otherwise.
    pub fn from_unit_images(images: &Array4<f32>) -> Self {
        let (n, c, h, w) = images.dim();
        let dims = if c == 1 {
            vec![n, h, w]
        } else {
            vec![n, c, h, w]
        };
        let data = images
            .iter()
            .map(|&v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
            .collect();
        Self {
            dims,
            data: IdxData::U8(data),
        }
    }

    /// Labels as a one-dimensional array: `u8` when every label is below 256, else `i32`.
    ///
    /// # Errors
    /// [`Error::Unencodable`] if a label does not fit in an `i32`.
    pub fn from_labels(labels: &[usize]) -> Result<Self> {
        let data = if labels.iter().all(|&l| l < 256) {
            IdxData::U8(labels.iter().map(|&l| l as u8).collect())
        } else {
            IdxData::I32(
                labels
                    .iter()
                    .map(|&l| {
                        i32::try_from(l).map_err(|_| Error::Unencodable {
                            reason: format!("label {l} does not fit in an i32"),
                        })
                    })
                    .collect::<Result<_>>()?,
            )
        };
        Ok(Self {
            dims: vec![labels.len()],
            data,
        })
    }

    /// The dimensions.
    pub fn dims(&self) -> &[usize] {
        &self.dims
    }

    /// The values.
    pub fn data(&self) -> &IdxData {
        &self.data
    }

    /// Takes the values out.
    pub fn into_data(self) -> IdxData {
        self.data
    }
}

/// Whether `bytes` start with the gzip magic `1f 8b`.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// Reads a whole file, decompressing it if it is gzip (detected by magic bytes).
pub(crate) fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if !is_gzip(&raw) {
        return Ok(raw);
    }
    let mut out = Vec::with_capacity(raw.len() * 4);
    MultiGzDecoder::new(&raw[..])
        .read_to_end(&mut out)
        .map_err(|source| Error::Gzip {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(out)
}

/// Whether the file at `path` starts like an IDX file (raw or gzip): a cheap check that
/// reads only a few bytes, used to auto-detect formats.
pub fn looks_like_idx(path: &Path) -> bool {
    fn head(path: &Path) -> std::io::Result<[u8; 4]> {
        let mut file = File::open(path)?;
        let mut magic = [0u8; 4];
        file.read_exact(&mut magic)?;
        if is_gzip(&magic) {
            let mut dec = MultiGzDecoder::new(File::open(path)?);
            dec.read_exact(&mut magic)?;
        }
        Ok(magic)
    }
    match head(path) {
        Ok(m) => m[0] == 0 && m[1] == 0 && element_size(m[2]).is_some() && (1..=4).contains(&m[3]),
        Err(_) => false,
    }
}

/// Parses IDX bytes (already decompressed); `path` is used in error messages only.
///
/// # Errors
/// [`Error::Truncated`], [`Error::BadMagic`], [`Error::UnsupportedIdxType`],
/// [`Error::BadHeader`] (zero dimensions or overflow) or [`Error::TrailingBytes`].
pub fn parse_idx(bytes: &[u8], path: &Path) -> Result<IdxArray> {
    let truncated = |expected: usize| Error::Truncated {
        path: path.to_path_buf(),
        expected: expected as u64,
        actual: bytes.len() as u64,
    };
    if bytes.len() < 4 {
        return Err(truncated(4));
    }
    if bytes[0] != 0 || bytes[1] != 0 {
        return Err(Error::BadMagic {
            path: path.to_path_buf(),
            got: u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]),
        });
    }
    let code = bytes[2];
    let size = element_size(code).ok_or_else(|| Error::UnsupportedIdxType {
        path: path.to_path_buf(),
        code,
    })?;
    let ndim = usize::from(bytes[3]);
    if ndim == 0 {
        return Err(Error::BadHeader {
            path: path.to_path_buf(),
            reason: "zero dimensions".into(),
        });
    }
    let header = 4 + 4 * ndim;
    if bytes.len() < header {
        return Err(truncated(header));
    }
    let dims: Vec<usize> = bytes[4..header]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect();
    let expected = dims
        .iter()
        .try_fold(size, |acc, &d| acc.checked_mul(d))
        .and_then(|b| b.checked_add(header))
        .ok_or_else(|| Error::BadHeader {
            path: path.to_path_buf(),
            reason: format!("dimensions {dims:?} overflow"),
        })?;
    if bytes.len() < expected {
        return Err(truncated(expected));
    }
    if bytes.len() > expected {
        return Err(Error::TrailingBytes {
            path: path.to_path_buf(),
            expected: expected as u64,
            extra: (bytes.len() - expected) as u64,
        });
    }
    let body = &bytes[header..];
    let data = match code {
        0x08 => IdxData::U8(body.to_vec()),
        0x09 => IdxData::I8(body.iter().map(|&b| b as i8).collect()),
        0x0B => IdxData::I16(
            body.chunks_exact(2)
                .map(|c| i16::from_be_bytes([c[0], c[1]]))
                .collect(),
        ),
        0x0C => IdxData::I32(
            body.chunks_exact(4)
                .map(|c| i32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        0x0D => IdxData::F32(
            body.chunks_exact(4)
                .map(|c| f32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
        ),
        _ => IdxData::F64(
            body.chunks_exact(8)
                .map(|c| f64::from_be_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
                .collect(),
        ),
    };
    Ok(IdxArray { dims, data })
}

/// Reads an IDX file, raw or gzip-compressed.
///
/// # Errors
/// [`Error::Io`], [`Error::Gzip`] and everything [`parse_idx`] returns, naming `path`.
pub fn read_idx(path: impl AsRef<Path>) -> Result<IdxArray> {
    let path = path.as_ref();
    let bytes = read_maybe_gz(path)?;
    parse_idx(&bytes, path)
}

/// Reads an IDX images file as `[n, c, h, w]` `f32`.
///
/// Three dimensions are `n×h×w` (one channel), four are `n×c×h×w`. `u8` values are
/// divided by 255 to land in `[0, 1]`; other types are converted as they are, and a
/// non-finite float is an error.
///
/// # Errors
/// Everything [`read_idx`] returns, [`Error::BadRank`], [`Error::NonFinite`] and
/// [`Error::TooLarge`] when the images as `f32` would not fit in the machine's memory.
pub fn read_idx_images(path: impl AsRef<Path>) -> Result<Array4<f32>> {
    let path = path.as_ref();
    let array = read_idx(path)?;
    idx_to_images(array, path)
}

/// The `(n, c, h, w)` of an image array stored as n×h×w (one channel) or n×c×h×w; any other
/// rank is [`Error::BadRank`] naming `path`. Shared by the IDX and `.npy` readers.
pub(crate) fn image_dims(dims: &[usize], path: &Path) -> Result<(usize, usize, usize, usize)> {
    match *dims {
        [n, h, w] => Ok((n, 1, h, w)),
        [n, c, h, w] => Ok((n, c, h, w)),
        _ => Err(Error::BadRank {
            path: path.to_path_buf(),
            expected: "3 or 4 dimensions (n×h×w or n×c×h×w) for images",
            got: dims.len(),
            dims: dims.to_vec(),
        }),
    }
}

pub(crate) fn idx_to_images(array: IdxArray, path: &Path) -> Result<Array4<f32>> {
    let shape = image_dims(array.dims(), path)?;
    let (n, c, h, w) = shape;
    crate::memory::check_fits(path, n, c, h, w)?;
    let values: Vec<f32> = match array.into_data() {
        IdxData::U8(v) => v.into_iter().map(|b| f32::from(b) / 255.0).collect(),
        IdxData::I8(v) => v.into_iter().map(f32::from).collect(),
        IdxData::I16(v) => v.into_iter().map(f32::from).collect(),
        IdxData::I32(v) => v.into_iter().map(|x| x as f32).collect(),
        IdxData::F32(v) => {
            check_finite(v.iter().map(|&x| f64::from(x)), path)?;
            v
        }
        IdxData::F64(v) => {
            check_finite(v.iter().copied(), path)?;
            v.into_iter().map(|x| x as f32).collect()
        }
    };
    Array4::from_shape_vec(shape, values).map_err(|e| Error::BadHeader {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

pub(crate) fn check_finite(values: impl Iterator<Item = f64>, path: &Path) -> Result<()> {
    for (index, value) in values.enumerate() {
        if !value.is_finite() {
            return Err(Error::NonFinite {
                path: path.to_path_buf(),
                index,
                value,
            });
        }
    }
    Ok(())
}

/// Reads an IDX labels file: one dimension of non-negative integers.
///
/// # Errors
/// Everything [`read_idx`] returns, [`Error::BadRank`], [`Error::BadLabel`] for a
/// negative value and [`Error::UnsupportedIdxType`] for float labels.
pub fn read_idx_labels(path: impl AsRef<Path>) -> Result<Vec<usize>> {
    let path = path.as_ref();
    let array = read_idx(path)?;
    if array.dims().len() != 1 {
        return Err(Error::BadRank {
            path: path.to_path_buf(),
            expected: "1 dimension for labels",
            got: array.dims().len(),
            dims: array.dims().to_vec(),
        });
    }
    let code = array.data().type_code();
    let ints: Vec<i64> = match array.into_data() {
        IdxData::U8(v) => return Ok(v.into_iter().map(usize::from).collect()),
        IdxData::I8(v) => v.into_iter().map(i64::from).collect(),
        IdxData::I16(v) => v.into_iter().map(i64::from).collect(),
        IdxData::I32(v) => v.into_iter().map(i64::from).collect(),
        IdxData::F32(_) | IdxData::F64(_) => {
            return Err(Error::UnsupportedIdxType {
                path: path.to_path_buf(),
                code,
            });
        }
    };
    ints_to_labels(ints, path)
}

pub(crate) fn ints_to_labels(ints: Vec<i64>, path: &Path) -> Result<Vec<usize>> {
    ints.into_iter()
        .enumerate()
        .map(|(index, value)| {
            usize::try_from(value).map_err(|_| Error::BadLabel {
                path: path.to_path_buf(),
                value,
                index,
            })
        })
        .collect()
}

/// Reads an images file and its labels file into one labelled [`Dataset`].
///
/// # Errors
/// Everything [`read_idx_images`] and [`read_idx_labels`] return, and
/// [`Error::FileCountMismatch`] naming both files when the counts differ.
pub fn load_idx_pair(images: impl AsRef<Path>, labels: impl AsRef<Path>) -> Result<Dataset> {
    let (images_path, labels_path) = (images.as_ref(), labels.as_ref());
    let (images, labels) = rayon::join(
        || read_idx_images(images_path),
        || read_idx_labels(labels_path),
    );
    let (images, labels) = (images?, labels?);
    if images.len_of(ndarray::Axis(0)) != labels.len() {
        return Err(Error::FileCountMismatch {
            images_path: images_path.to_path_buf(),
            labels_path: labels_path.to_path_buf(),
            images: images.len_of(ndarray::Axis(0)),
            labels: labels.len(),
        });
    }
    Dataset::new(images).with_labels(labels)
}

/// Encodes an array as IDX bytes (uncompressed).
///
/// # Errors
/// [`Error::Unencodable`] if there are more than 255 dimensions or one does not fit in a `u32`.
pub fn encode_idx(array: &IdxArray) -> Result<Vec<u8>> {
    let bad = |d: usize| Error::Unencodable {
        reason: format!(
            "dimension {d} of {:?} does not fit the idx header",
            array.dims()
        ),
    };
    let ndim = u8::try_from(array.dims().len()).map_err(|_| bad(array.dims().len()))?;
    let mut out = vec![0, 0, array.data().type_code(), ndim];
    for &d in array.dims() {
        let d = u32::try_from(d).map_err(|_| bad(d))?;
        out.extend_from_slice(&d.to_be_bytes());
    }
    match array.data() {
        IdxData::U8(v) => out.extend_from_slice(v),
        IdxData::I8(v) => out.extend(v.iter().map(|&x| x as u8)),
        IdxData::I16(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
        IdxData::I32(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
        IdxData::F32(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
        IdxData::F64(v) => v
            .iter()
            .for_each(|x| out.extend_from_slice(&x.to_be_bytes())),
    }
    Ok(out)
}

/// Writes an IDX file; gzip-compressed when the file name ends in `.gz`.
///
/// ```
/// use mdec_data::idx::{read_idx, write_idx, IdxArray, IdxData};
///
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("labels-idx1-ubyte.gz");
/// let labels = IdxArray::new(vec![3], IdxData::U8(vec![7, 0, 9]))?;
/// write_idx(&path, &labels)?;
/// assert_eq!(read_idx(&path)?, labels);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::Io`] naming `path`, or what [`encode_idx`] returns.
pub fn write_idx(path: impl AsRef<Path>, array: &IdxArray) -> Result<()> {
    let path = path.as_ref();
    let bytes = encode_idx(array)?;
    let io = |e| Error::io(path, e);
    let file = BufWriter::new(File::create(path).map_err(io)?);
    if path.extension().is_some_and(|e| e == "gz") {
        let mut enc = GzEncoder::new(file, Compression::fast());
        enc.write_all(&bytes).map_err(io)?;
        enc.finish().map_err(io)?.flush().map_err(io)?;
    } else {
        let mut file = file;
        file.write_all(&bytes).map_err(io)?;
        file.flush().map_err(io)?;
    }
    Ok(())
}
