//! Image folders: every PNG, JPEG, BMP or TIFF file under a directory, decoded in
//! parallel into one [`Dataset`].
//!
//! Files are found recursively and sorted by their relative path, so the sample order
//! does not depend on the file system. Hidden entries (names starting with `.`) are
//! ignored. The format is guessed from the file content, not the extension.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use image::imageops::{self, FilterType};
use image::{DynamicImage, ImageBuffer, ImageReader, Pixel};
use ndarray::Array4;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// Which channels to load.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColorMode {
    /// Grayscale if every image is grayscale, RGB otherwise (the default). An image counts
    /// as grayscale when it has no colour channels or when every pixel has equal red,
    /// green and blue (grayscale content saved as RGB, or a BMP with a gray palette).
    #[default]
    Auto,
    /// One channel; colour images are converted with Rec. 709 luma weights.
    Grayscale,
    /// Three channels; grayscale images are replicated.
    Rgb,
}

impl fmt::Display for ColorMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColorMode::Auto => "auto",
            ColorMode::Grayscale => "grayscale",
            ColorMode::Rgb => "rgb",
        })
    }
}

impl FromStr for ColorMode {
    type Err = String;

    /// Parses `auto`, `grayscale` (or `gray`, `grey`) and `rgb`.
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "auto" => Ok(ColorMode::Auto),
            "grayscale" | "gray" | "grey" | "greyscale" => Ok(ColorMode::Grayscale),
            "rgb" | "color" | "colour" => Ok(ColorMode::Rgb),
            _ => Err(format!(
                "unknown colour mode {s:?}: expected auto, grayscale or rgb"
            )),
        }
    }
}

/// How to load an image folder. All off by default: auto colour, no resize, no labels,
/// unreadable files are errors.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FolderOptions {
    /// Channels to load (default [`ColorMode::Auto`]).
    pub color: ColorMode,
    /// Resize every image to `(height, width)` with a triangle (bilinear) filter.
    /// Default `None`: all images must have the same size.
    pub resize: Option<(usize, usize)>,
    /// Use the name of each file's top-level sub-folder as its class: class names are the
    /// sorted sub-folder names and labels index into them. Default `false`.
    pub labels_from_subfolders: bool,
    /// Skip files that cannot be decoded, with a `tracing` warning, instead of failing.
    /// Default `false`.
    pub skip_unreadable: bool,
}

/// Loads every image under `root` as `[n, c, h, w]` `f32` in `[0, 1]`.
///
/// Names are the paths relative to `root`, with `/` separators.
///
/// # Errors
/// [`Error::Io`] if the folder cannot be listed, [`Error::EmptyFolder`] if no image is
/// left, [`Error::Unreadable`] naming a file that does not decode (unless
/// `skip_unreadable`), [`Error::SizeMismatch`] naming a file whose size differs from the
/// first one's (without `resize`), [`Error::NoClassFolder`] for a file directly in `root`
/// when labels come from sub-folders, [`Error::BadSize`] for a zero resize, and
/// [`Error::TooLarge`] when the images as `f32` would not fit in the machine's memory
/// (checked before decoding when `resize` is given).
pub fn load_folder(root: impl AsRef<Path>, options: &FolderOptions) -> Result<Dataset> {
    let root = root.as_ref();
    let files = list_images(root)?;
    if let Some((h, w)) = options.resize
        && (h == 0 || w == 0 || u32::try_from(h).is_err() || u32::try_from(w).is_err())
    {
        return Err(Error::BadSize {
            height: h,
            width: w,
        });
    }
    if let Some((h, w)) = options.resize {
        // Refuse before decoding anything; at least one channel per image (three for RGB).
        let channels = if options.color == ColorMode::Rgb {
            3
        } else {
            1
        };
        crate::memory::check_fits(root, files.len(), channels, h, w)?;
    }

    // Class of each file: its first path component below `root`.
    let class_names: Option<Vec<String>> = if options.labels_from_subfolders {
        for rel in &files {
            if rel.components().count() < 2 {
                return Err(Error::NoClassFolder {
                    path: root.join(rel),
                });
            }
        }
        let mut classes: Vec<String> = files.iter().map(|rel| first_component(rel)).collect();
        classes.dedup(); // files are sorted, so equal classes are adjacent
        Some(classes)
    } else {
        None
    };

    // Decode in parallel, keeping the sorted order.
    let decoded: Vec<Result<DynamicImage>> = files
        .par_iter()
        .map(|rel| decode(&root.join(rel)))
        .collect();
    let mut kept: Vec<(PathBuf, DynamicImage)> = Vec::with_capacity(files.len());
    for (rel, result) in files.into_iter().zip(decoded) {
        match result {
            Ok(img) => kept.push((rel, img)),
            Err(err) if options.skip_unreadable => {
                tracing::warn!(path = %root.join(&rel).display(), error = %err, "skipping unreadable file");
            }
            Err(err) => return Err(err),
        }
    }
    let Some((first_rel, first_img)) = kept.first() else {
        return Err(Error::EmptyFolder {
            path: root.to_path_buf(),
        });
    };

    let channels = match options.color {
        ColorMode::Grayscale => 1,
        ColorMode::Rgb => 3,
        ColorMode::Auto if kept.par_iter().all(|(_, img)| is_gray(img)) => 1,
        ColorMode::Auto => 3,
    };
    let (height, width) = match options.resize {
        Some(size) => size,
        None => {
            let (h, w) = (first_img.height() as usize, first_img.width() as usize);
            for (rel, img) in &kept {
                let (ih, iw) = (img.height() as usize, img.width() as usize);
                if (ih, iw) != (h, w) {
                    return Err(Error::SizeMismatch {
                        path: root.join(rel),
                        height: ih,
                        width: iw,
                        first: root.join(first_rel),
                        expected_height: h,
                        expected_width: w,
                    });
                }
            }
            (h, w)
        }
    };

    let n = kept.len();
    let mut values = crate::memory::f32_buffer(root, n, channels, height, width)?;
    // Cannot overflow: `f32_buffer` checked the product with `n >= 1`.
    let per_image = channels * height * width;
    let (names, images): (Vec<PathBuf>, Vec<DynamicImage>) = kept.into_iter().unzip();
    values
        .par_chunks_mut(per_image.max(1))
        .zip(images.into_par_iter())
        .for_each(|(out, img)| write_chw(img, channels, height, width, out));
    let array = Array4::from_shape_vec((n, channels, height, width), values)
        .map_err(|_| Error::BadSize { height, width })?;

    let labels = class_names.as_ref().map(|classes| {
        names
            .iter()
            .map(|rel| {
                let class = first_component(rel);
                classes.binary_search(&class).unwrap_or_default()
            })
            .collect::<Vec<_>>()
    });
    let names: Vec<String> = names.iter().map(|rel| slash_path(rel)).collect();
    tracing::debug!(path = %root.display(), n, channels, height, width, "loaded image folder");

    let mut ds = Dataset::new(array).with_names(names)?;
    if let (Some(classes), Some(labels)) = (class_names, labels) {
        ds = ds.with_class_names(classes)?.with_labels(labels)?;
    }
    Ok(ds)
}

/// Every file under `root` (recursively, hidden entries skipped), relative to it, sorted.
///
/// # Errors
/// [`Error::EmptyFolder`] when there is none, [`Error::Io`] when a folder cannot be read.
pub fn list_images(root: impl AsRef<Path>) -> Result<Vec<PathBuf>> {
    let root = root.as_ref();
    let mut files = Vec::new();
    list_files(root, root, 0, &mut files)?;
    files.sort();
    if files.is_empty() {
        return Err(Error::EmptyFolder {
            path: root.to_path_buf(),
        });
    }
    Ok(files)
}

/// Recursively collects file paths relative to `root`, skipping hidden entries.
fn list_files(root: &Path, dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> Result<()> {
    const MAX_DEPTH: usize = 64; // guards against symlink loops
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let meta = std::fs::metadata(&path).map_err(|e| Error::io(&path, e))?;
        if meta.is_dir() {
            list_files(root, &path, depth + 1, out)?;
        } else if meta.is_file() {
            let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
            out.push(rel);
        }
    }
    Ok(())
}

fn first_component(rel: &Path) -> String {
    rel.components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn slash_path(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Whether an image is grayscale in content, stopping at the first coloured pixel.
fn is_gray(img: &DynamicImage) -> bool {
    fn equal<T: PartialEq>(p: &[T]) -> bool {
        p[0] == p[1] && p[1] == p[2]
    }
    if !img.color().has_color() {
        return true;
    }
    match img {
        DynamicImage::ImageRgb8(b) => b.as_raw().chunks_exact(3).all(equal),
        DynamicImage::ImageRgba8(b) => b.as_raw().chunks_exact(4).all(equal),
        DynamicImage::ImageRgb16(b) => b.as_raw().chunks_exact(3).all(equal),
        DynamicImage::ImageRgba16(b) => b.as_raw().chunks_exact(4).all(equal),
        other => other.to_rgb32f().as_raw().chunks_exact(3).all(equal),
    }
}

fn decode(path: &Path) -> Result<DynamicImage> {
    let unreadable = |error| Error::Unreadable {
        path: path.to_path_buf(),
        error,
    };
    ImageReader::open(path)
        .and_then(ImageReader::with_guessed_format)
        .map_err(|e| unreadable(image::ImageError::IoError(e)))?
        .decode()
        .map_err(unreadable)
}

/// Converts one image to `f32`, resizes it if needed and writes it channel-first into `out`.
fn write_chw(img: DynamicImage, channels: usize, height: usize, width: usize, out: &mut [f32]) {
    if channels == 1 {
        let buf = resized(img.to_luma32f(), height, width);
        out.copy_from_slice(buf.as_raw());
    } else {
        let buf = resized(img.to_rgb32f(), height, width);
        let plane = height * width;
        // Interleaved HWC → planar CHW.
        for (i, px) in buf.as_raw().chunks_exact(3).enumerate() {
            out[i] = px[0];
            out[plane + i] = px[1];
            out[2 * plane + i] = px[2];
        }
    }
}

fn resized<P>(
    buf: ImageBuffer<P, Vec<f32>>,
    height: usize,
    width: usize,
) -> ImageBuffer<P, Vec<f32>>
where
    P: Pixel<Subpixel = f32> + 'static,
{
    if buf.height() as usize == height && buf.width() as usize == width {
        buf
    } else {
        // Sizes were checked to fit in u32 by the caller.
        imageops::resize(&buf, width as u32, height as u32, FilterType::Triangle)
    }
}
