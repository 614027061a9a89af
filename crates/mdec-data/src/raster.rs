//! Large inputs read whole: a [`Raster`] is one image or data-cube plane stack as `f32`
//! values shaped channels × height × width; tiles and crops are cut from it, and a
//! [`Position`] says where each one lies.
//!
//! [`read_raster`] reads PNG and TIFF (8- and 16-bit integers scaled to [0, 1] by the
//! type's maximum, floats as they are; 1–4 channels; multi-page TIFF), `.npy` 2-D and 3-D
//! arrays and FITS images (both in the file's own units, not scaled); [`read_mask`] reads a
//! mask or a region-label image.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use fitsrs::{Fits, HDU, Pixels};
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader};
use ndarray::{Array2, Array3, ArrayD, Axis, Ix2, Ix3, s};
use ndarray_npy::{ReadNpyError, ReadNpyExt, ReadableElement};
use serde::{Deserialize, Serialize};
use tiff::TiffError;
use tiff::decoder::{Decoder, DecodingResult, Limits};

use crate::error::{Error, Result};
use crate::idx::check_finite;
use crate::memory::check_fits;

/// One large input: values shaped `[channels, height, width]` (see [`read_raster`] for
/// their units), and the file it came from (with `#plane` for one plane of a multi-plane
/// file).
#[derive(Clone, Debug, PartialEq)]
pub struct Raster {
    /// Where it came from: the path as given, and the plane (`field.tif#2`) when one file
    /// gave several.
    pub name: String,
    /// The values, `[c, h, w]`.
    pub values: Array3<f32>,
}

impl Raster {
    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.values.dim().1
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.values.dim().2
    }

    /// Number of channels.
    pub fn channels(&self) -> usize {
        self.values.dim().0
    }
}

/// Where a tile or crop lies in its input: the input's name (a [`Raster::name`]) and the
/// box `y..y + h`, `x..x + w` in its pixels.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Position {
    /// The input, as in [`Raster::name`].
    pub source: String,
    /// Top row.
    pub y: usize,
    /// Left column.
    pub x: usize,
    /// Height.
    pub h: usize,
    /// Width.
    pub w: usize,
}

/// How the planes of a multi-plane file (multi-page TIFF, 3-D `.npy`, FITS cube) are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Planes {
    /// The planes are the channels of one raster (the default): a multi-band image.
    #[default]
    Channels,
    /// Each plane is a raster of its own: a stack of separate images.
    Separate,
}

/// Options of [`read_raster`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RasterOptions {
    /// For a 3-D `.npy`: the axis that holds the planes, 0 (`[c, h, w]`) or 2
    /// (`[h, w, c]`). `None` guesses: the last axis when it has at most 4 entries and the
    /// first has more, else the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plane_axis: Option<usize>,
    /// Planes as channels of one raster, or as separate rasters.
    #[serde(default)]
    pub planes: Planes,
}

/// Reads one large input: PNG or TIFF (by content), `.npy` or FITS (`.fits`, `.fit`,
/// `.fts`, by extension, case-insensitive). A file with several planes gives one raster
/// with that many channels, or one raster per plane ([`Planes::Separate`], named
/// `path#plane` when there are several).
///
/// - PNG and TIFF: 8- and 16-bit integer samples divided by 255 or 65535 into [0, 1],
///   float samples as they are; every channel is kept (gray, gray + alpha, RGB, RGBA, and
///   TIFF multi-band). The pages of a multi-page TIFF are its planes and must all have the
///   same size.
/// - `.npy`: `float32`, `float64`, `uint8`, `uint16`, `int16`, `int32` or `int64`, in the
///   file's units; `[h, w]` is one channel, a 3-D array holds its planes on the axis
///   [`RasterOptions::plane_axis`] names (or guesses).
/// - FITS: the first HDU with image data (the primary array when it has at least two axes,
///   else the first `IMAGE` extension), all `BITPIX`, physical values
///   `BZERO + BSCALE × stored`; `NAXIS3` planes; rows in the file's order (not flipped).
///   NaN (blank) pixels are kept as NaN, and so are integers equal to `BLANK`.
///
/// # Errors
/// [`Error::BadInput`] (naming the file) for an unsupported format, a file with no image
/// data, pages of different sizes, or an unsupported element type or layout;
/// [`Error::NonFinite`] for a NaN or infinity in a `.npy` file; [`Error::Npy`] for a
/// malformed `.npy`, [`Error::UnsupportedNpyType`], [`Error::BadRank`] for a `.npy` that
/// is not 2-D or 3-D; [`Error::Truncated`] for FITS data cut short; [`Error::TooLarge`]
/// when the values would not fit in memory; [`Error::Io`] when it cannot be read.
pub fn read_raster(path: impl AsRef<Path>, options: &RasterOptions) -> Result<Vec<Raster>> {
    let path = path.as_ref();
    let stack = match Format::of(path)? {
        Format::Npy => read_npy(path, options.plane_axis)?,
        Format::Fits => read_fits(path)?,
        Format::Image(reader) if reader.format() == Some(ImageFormat::Tiff) => {
            read_tiff(path, reader.into_inner())?
        }
        Format::Image(reader) => read_png(path, reader)?,
    };
    Ok(stack.into_rasters(path, options.planes))
}

/// Reads a mask (or a region-label image) as one non-negative integer per pixel: a PNG or
/// TIFF (by content; 8-bit values 0–255, 16-bit values as they are; an image with colour
/// or alpha is converted to luma first, the first page of a multi-page TIFF), or a 2-D
/// `.npy` of booleans or integers (`bool`, `int8` to `int64`, `uint8` to `uint64`).
///
/// # Errors
/// [`Error::BadInput`] naming the file for a negative value or one above `u32::MAX`
/// (with its row and column), a float image or `.npy`, a `.npy` that is not 2-D, or
/// another format; [`Error::Npy`] for a malformed `.npy`; [`Error::Io`] when it cannot
/// be read.
pub fn read_mask(path: impl AsRef<Path>) -> Result<Array2<u32>> {
    let path = path.as_ref();
    match Format::of(path)? {
        Format::Npy => read_npy_mask(path),
        Format::Image(reader) => read_image_mask(path, reader),
        Format::Fits => Err(Error::bad_input(
            path,
            "fits masks are not supported: use a PNG, TIFF or .npy mask",
        )),
    }
}

/// What a mask or region map must hold, for error messages.
const MASK_VALUES: &str = "a mask or region map holds non-negative integers";

/// The formats [`read_raster`] reads, for error messages.
const FORMATS: &str = "expected PNG or TIFF (by content), .npy, or FITS (.fits, .fit, .fts)";

/// How a file is read: by extension for `.npy` and FITS, else by content.
enum Format {
    Npy,
    Fits,
    /// A PNG or TIFF, detected by content.
    Image(ImageReader<BufReader<File>>),
}

impl Format {
    fn of(path: &Path) -> Result<Self> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("npy") => return Ok(Format::Npy),
            Some("fits" | "fit" | "fts") => return Ok(Format::Fits),
            _ => {}
        }
        // `ImageReader::new`, not `open`: the format comes from the content alone.
        let file = File::open(path).map_err(|e| Error::io(path, e))?;
        let reader = ImageReader::new(BufReader::new(file))
            .with_guessed_format()
            .map_err(|e| Error::io(path, e))?;
        match reader.format() {
            Some(ImageFormat::Png | ImageFormat::Tiff) => Ok(Format::Image(reader)),
            _ => Err(Error::bad_input(
                path,
                format!("unsupported format: {FORMATS}"),
            )),
        }
    }
}

/// The values `[c, h, w]` read from one file, and how many channels each of its planes
/// (TIFF pages, `.npy` or FITS planes) holds; they add up to `c`.
struct Stack {
    values: Array3<f32>,
    planes: Vec<usize>,
}

impl Stack {
    /// A stack whose planes are one channel each.
    fn single_channel_planes(values: Array3<f32>) -> Self {
        let planes = vec![1; values.dim().0];
        Stack { values, planes }
    }

    fn into_rasters(self, path: &Path, planes: Planes) -> Vec<Raster> {
        let name = path.display().to_string();
        if planes == Planes::Channels || self.planes.len() == 1 {
            return vec![Raster {
                name,
                values: self.values,
            }];
        }
        let mut start = 0;
        self.planes
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let values = self.values.slice(s![start..start + c, .., ..]).to_owned();
                start += c;
                Raster {
                    name: format!("{name}#{i}"),
                    values,
                }
            })
            .collect()
    }
}

/// Appends interleaved samples `[h, w, c]` to `out` as planes `[c, h, w]`, each converted
/// by `convert`.
fn push_planar<T: Copy>(
    out: &mut Vec<f32>,
    samples: &[T],
    (h, w, c): (usize, usize, usize),
    convert: impl Fn(T) -> f32,
    path: &Path,
) -> Result<()> {
    let interleaved = ndarray::ArrayView3::from_shape((h, w, c), samples).map_err(|_| {
        Error::bad_input(
            path,
            format!(
                "the decoder gave {} samples for {h}×{w} pixels of {c} channels",
                samples.len()
            ),
        )
    })?;
    out.extend(
        interleaved
            .permuted_axes([2, 0, 1])
            .iter()
            .map(|&v| convert(v)),
    );
    Ok(())
}

/// `[c, h, w]` from values in that (C) order; the length is right by construction.
fn stack_from_vec(
    values: Vec<f32>,
    dims: (usize, usize, usize),
    path: &Path,
) -> Result<Array3<f32>> {
    Array3::from_shape_vec(dims, values).map_err(|e| Error::BadHeader {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Decodes a PNG or TIFF through the image crate, checking first that it fits in memory
/// (the crate's own allocation limit is lifted: large inputs are the point).
fn decode_image(path: &Path, mut reader: ImageReader<BufReader<File>>) -> Result<DynamicImage> {
    let image_error = |e: ImageError| match e {
        ImageError::IoError(e) => Error::io(path, e),
        e => Error::bad_input(path, format!("cannot decode the image: {e}")),
    };
    reader.no_limits();
    let decoder = reader.into_decoder().map_err(image_error)?;
    let (w, h) = decoder.dimensions();
    let channels = usize::from(decoder.color_type().channel_count());
    check_fits(path, 1, channels, h as usize, w as usize)?;
    DynamicImage::from_decoder(decoder).map_err(image_error)
}

fn read_png(path: &Path, reader: ImageReader<BufReader<File>>) -> Result<Stack> {
    let image = decode_image(path, reader)?;
    let dims = (
        image.height() as usize,
        image.width() as usize,
        usize::from(image.color().channel_count()),
    );
    let mut values = Vec::new();
    if let Some(samples) = image.as_flat_samples_u8() {
        push_planar(
            &mut values,
            samples.samples,
            dims,
            |v| f32::from(v) / 255.0,
            path,
        )?;
    } else if let Some(samples) = image.as_flat_samples_u16() {
        push_planar(
            &mut values,
            samples.samples,
            dims,
            |v| f32::from(v) / 65535.0,
            path,
        )?;
    } else if let Some(samples) = image.as_flat_samples_f32() {
        push_planar(&mut values, samples.samples, dims, |v| v, path)?;
    } else {
        return Err(Error::bad_input(path, "unsupported pixel type"));
    }
    let (h, w, c) = dims;
    let values = stack_from_vec(values, (c, h, w), path)?;
    Ok(Stack {
        values,
        planes: vec![c],
    })
}

/// Channels and bits per sample of a TIFF page, when supported.
fn tiff_layout(color: tiff::ColorType) -> Option<(usize, u8)> {
    use tiff::ColorType as C;
    let (channels, bits) = match color {
        C::Gray(bits) => (1, bits),
        C::GrayA(bits) => (2, bits),
        C::RGB(bits) => (3, bits),
        C::RGBA(bits) => (4, bits),
        C::Multiband {
            bit_depth,
            num_samples,
        } => (usize::from(num_samples), bit_depth),
        _ => return None,
    };
    [8, 16, 32, 64].contains(&bits).then_some((channels, bits))
}

/// Reads every page of a TIFF through the tiff crate: one plane per page.
fn read_tiff(path: &Path, reader: BufReader<File>) -> Result<Stack> {
    let tiff_error = |e: TiffError| match e {
        TiffError::IoError(e) => Error::io(path, e),
        e => Error::bad_input(path, format!("cannot decode the tiff: {e}")),
    };
    let mut decoder = Decoder::new(reader)
        .map_err(tiff_error)?
        .with_limits(Limits::unlimited());
    let (mut values, mut planes) = (Vec::new(), Vec::new());
    let mut size = None;
    for page in 0usize.. {
        let (w, h) = decoder.dimensions().map_err(tiff_error)?;
        let (h, w) = (h as usize, w as usize);
        match size {
            None => size = Some((h, w)),
            Some((h0, w0)) if (h0, w0) != (h, w) => {
                return Err(Error::bad_input(
                    path,
                    format!(
                        "page {page} is {h}×{w} but page 0 is {h0}×{w0}: all pages must have the same size"
                    ),
                ));
            }
            Some(_) => {}
        }
        let color = decoder.colortype().map_err(tiff_error)?;
        let (c, _) = tiff_layout(color).ok_or_else(|| {
            Error::bad_input(
                path,
                format!(
                    "page {page}: unsupported color type {color:?}; expected gray, gray with \
                     alpha, RGB, RGBA or multi-band with 8, 16, 32 or 64 bits per sample"
                ),
            )
        })?;
        check_fits(path, 1, planes.iter().sum::<usize>() + c, h, w)?;
        let dims = (h, w, c);
        match decoder.read_image().map_err(tiff_error)? {
            DecodingResult::U8(s) => {
                push_planar(&mut values, &s, dims, |v| f32::from(v) / 255.0, path)?
            }
            DecodingResult::U16(s) => {
                push_planar(&mut values, &s, dims, |v| f32::from(v) / 65535.0, path)?
            }
            DecodingResult::F16(s) => push_planar(&mut values, &s, dims, |v| v.to_f32(), path)?,
            DecodingResult::F32(s) => push_planar(&mut values, &s, dims, |v| v, path)?,
            DecodingResult::F64(s) => push_planar(&mut values, &s, dims, |v| v as f32, path)?,
            _ => {
                return Err(Error::bad_input(
                    path,
                    format!(
                        "page {page}: unsupported sample type; expected 8- or 16-bit unsigned \
                         integers or floats"
                    ),
                ));
            }
        }
        planes.push(c);
        if !decoder.more_images() {
            break;
        }
        decoder.next_image().map_err(tiff_error)?;
    }
    let (h, w) = size.unwrap_or_default();
    let values = stack_from_vec(values, (planes.iter().sum(), h, w), path)?;
    Ok(Stack { values, planes })
}

/// Reads a `.npy` file as an array of `T`: `None` when it holds another element type.
fn npy_as<T: ReadableElement>(path: &Path) -> Result<Option<ArrayD<T>>> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    match ArrayD::<T>::read_npy(BufReader::new(file)) {
        Ok(array) => Ok(Some(array)),
        Err(ReadNpyError::WrongDescriptor(_)) => Ok(None),
        Err(source) => Err(Error::Npy {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// A `.npy` file's values as `f32`, in its own units; floats must be finite.
fn npy_values(path: &Path) -> Result<ArrayD<f32>> {
    if let Some(a) = npy_as::<f32>(path)? {
        check_finite(a.iter().map(|&v| f64::from(v)), path)?;
        Ok(a)
    } else if let Some(a) = npy_as::<f64>(path)? {
        check_finite(a.iter().copied(), path)?;
        Ok(a.mapv(|v| v as f32))
    } else if let Some(a) = npy_as::<u8>(path)? {
        Ok(a.mapv(f32::from))
    } else if let Some(a) = npy_as::<u16>(path)? {
        Ok(a.mapv(f32::from))
    } else if let Some(a) = npy_as::<i16>(path)? {
        Ok(a.mapv(f32::from))
    } else if let Some(a) = npy_as::<i32>(path)? {
        Ok(a.mapv(|v| v as f32))
    } else if let Some(a) = npy_as::<i64>(path)? {
        Ok(a.mapv(|v| v as f32))
    } else {
        Err(Error::UnsupportedNpyType {
            path: path.to_path_buf(),
            expected: "float32, float64, uint8, uint16, int16, int32 or int64 values",
        })
    }
}

/// Reads a 2-D or 3-D `.npy` as `[c, h, w]`, its planes on `plane_axis` (see
/// [`RasterOptions::plane_axis`]).
fn read_npy(path: &Path, plane_axis: Option<usize>) -> Result<Stack> {
    let array = npy_values(path)?;
    let dims = array.shape().to_vec();
    let bad_rank = || Error::BadRank {
        path: path.to_path_buf(),
        expected: "2 or 3 dimensions (h×w, c×h×w or h×w×c)",
        got: dims.len(),
        dims: dims.clone(),
    };
    let values = match *dims.as_slice() {
        [_, _] => array
            .into_dimensionality::<Ix2>()
            .map_err(|_| bad_rank())?
            .insert_axis(Axis(0)),
        [first, _, last] => {
            let guess = if last <= 4 && first > last { 2 } else { 0 };
            let array = array.into_dimensionality::<Ix3>().map_err(|_| bad_rank())?;
            match plane_axis.unwrap_or(guess) {
                0 => array,
                2 => array.permuted_axes([2, 0, 1]),
                axis => {
                    return Err(Error::bad_input(
                        path,
                        format!(
                            "plane axis {axis} of a 3-d array {dims:?}: expected 0 (c×h×w) or 2 (h×w×c)"
                        ),
                    ));
                }
            }
        }
        _ => return Err(bad_rank()),
    };
    let values = if values.is_standard_layout() {
        values
    } else {
        values.as_standard_layout().into_owned()
    };
    Ok(Stack::single_channel_planes(values))
}

/// Reads the first HDU of a FITS file that holds image data (see [`read_raster`]).
fn read_fits(path: &Path) -> Result<Stack> {
    let fits_error = |e: fitsrs::error::Error| {
        Error::bad_input(path, format!("cannot parse the fits file: {e}"))
    };
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let file_len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let mut hdus = Fits::from_reader(BufReader::new(file));
    while let Some(hdu) = hdus.next() {
        let hdu = match hdu.map_err(fits_error)? {
            HDU::Primary(hdu) | HDU::XImage(hdu) => hdu,
            HDU::XBinaryTable(_) | HDU::XASCIITable(_) => continue,
        };
        let header = hdu.get_header();
        let naxis = header.get_xtension().get_naxis();
        if naxis.len() < 2 || naxis.contains(&0) {
            continue;
        }
        let axis =
            |i: usize| usize::try_from(naxis.get(i).copied().unwrap_or(1)).unwrap_or(usize::MAX);
        if naxis.iter().skip(3).any(|&n| n != 1) {
            return Err(Error::bad_input(
                path,
                format!(
                    "image of {} axes {naxis:?}: expected 2 or 3 (further axes of length 1)",
                    naxis.len()
                ),
            ));
        }
        let (w, h, planes) = (axis(0), axis(1), axis(2));
        let len = check_fits(path, 1, planes, h, w)?;
        let keyword = |name: &str| {
            header
                .get_parsed::<Option<f64>>(name)
                .map_err(|_| Error::bad_input(path, format!("{name} is not a number")))
        };
        let zero = keyword("BZERO")?.unwrap_or(0.0);
        let scale = keyword("BSCALE")?.unwrap_or(1.0);
        let blank = header
            .get_parsed::<Option<i64>>("BLANK")
            .map_err(|_| Error::bad_input(path, "BLANK is not an integer"))?;
        let expected = hdu.get_data_unit_byte_offset() + hdu.get_data_unit_byte_size();
        let int = |v: i64| if Some(v) == blank { f64::NAN } else { v as f64 };
        let values = match hdus.get_data(&hdu).pixels() {
            Pixels::U8(it) => physical(it.map(|v| int(i64::from(v))), zero, scale),
            Pixels::I16(it) => physical(it.map(|v| int(i64::from(v))), zero, scale),
            Pixels::I32(it) => physical(it.map(|v| int(i64::from(v))), zero, scale),
            Pixels::I64(it) => physical(it.map(int), zero, scale),
            Pixels::F32(it) => physical(it.map(f64::from), zero, scale),
            Pixels::F64(it) => physical(it, zero, scale),
        };
        if values.len() < len {
            return Err(Error::Truncated {
                path: path.to_path_buf(),
                expected,
                actual: file_len,
            });
        }
        let values = stack_from_vec(values, (planes, h, w), path)?;
        return Ok(Stack::single_channel_planes(values));
    }
    Err(Error::bad_input(
        path,
        "no image data (neither the primary hdu nor an image extension has 2 or more axes)",
    ))
}

/// Physical values `zero + scale × stored` as `f32`; NaN stays NaN.
fn physical(stored: impl Iterator<Item = f64>, zero: f64, scale: f64) -> Vec<f32> {
    stored.map(|v| (zero + scale * v) as f32).collect()
}

/// A 2-D `.npy` of booleans or integers as a mask.
fn read_npy_mask(path: &Path) -> Result<Array2<u32>> {
    fn ints<T: Copy + Into<i128>>(a: ArrayD<T>) -> ArrayD<i128> {
        a.mapv(Into::into)
    }
    let array = if let Some(a) = npy_as::<bool>(path)? {
        a.mapv(i128::from)
    } else if let Some(a) = npy_as::<u8>(path)? {
        ints(a)
    } else if let Some(a) = npy_as::<u16>(path)? {
        ints(a)
    } else if let Some(a) = npy_as::<u32>(path)? {
        ints(a)
    } else if let Some(a) = npy_as::<u64>(path)? {
        ints(a)
    } else if let Some(a) = npy_as::<i8>(path)? {
        ints(a)
    } else if let Some(a) = npy_as::<i16>(path)? {
        ints(a)
    } else if let Some(a) = npy_as::<i32>(path)? {
        ints(a)
    } else if let Some(a) = npy_as::<i64>(path)? {
        ints(a)
    } else {
        return Err(Error::bad_input(
            path,
            format!(
                "unsupported element type (floats included): {MASK_VALUES} (bool or integer .npy)"
            ),
        ));
    };
    let dims = array.shape().to_vec();
    let array = array.into_dimensionality::<Ix2>().map_err(|_| {
        Error::bad_input(
            path,
            format!(
                "expected a 2-d array (h×w), got {} dimensions {dims:?}",
                dims.len()
            ),
        )
    })?;
    let mut mask = Array2::zeros(array.dim());
    for ((row, column), &v) in array.indexed_iter() {
        mask[[row, column]] = u32::try_from(v).map_err(|_| {
            let at = format!("at (row {row}, column {column})");
            let reason = if v < 0 {
                format!("negative value {v} {at}: {MASK_VALUES}")
            } else {
                format!(
                    "value {v} {at} is larger than {}, the largest label",
                    u32::MAX
                )
            };
            Error::bad_input(path, reason)
        })?;
    }
    Ok(mask)
}

/// A PNG or TIFF as a mask: luma values as they are (8- or 16-bit).
fn read_image_mask(path: &Path, reader: ImageReader<BufReader<File>>) -> Result<Array2<u32>> {
    use image::ColorType as C;
    let image = decode_image(path, reader)?;
    let dims = (image.height() as usize, image.width() as usize);
    let values: Vec<u32> = match image.color() {
        C::L8 | C::La8 | C::Rgb8 | C::Rgba8 => image
            .into_luma8()
            .into_raw()
            .into_iter()
            .map(u32::from)
            .collect(),
        C::L16 | C::La16 | C::Rgb16 | C::Rgba16 => image
            .into_luma16()
            .into_raw()
            .into_iter()
            .map(u32::from)
            .collect(),
        _ => {
            return Err(Error::bad_input(
                path,
                format!("float image: {MASK_VALUES} (8- or 16-bit image)"),
            ));
        }
    };
    Array2::from_shape_vec(dims, values).map_err(|e| Error::BadHeader {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}
