//! STL-10 binary: `*_X.bin` holds 3×96×96 bytes per image, each channel stored column by
//! column (MATLAB order); `*_y.bin` one label byte per image, 1 to 10.

use std::path::Path;

use ndarray::Array4;

use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// Side of an image.
const SIDE: usize = 96;
/// Bytes of one image.
pub(super) const IMAGE: usize = 3 * SIDE * SIDE;

/// Reads the images of `x` (pixels in [0, 1], rows and columns in the usual order) and, when
/// given, the labels of `y` (0 to 9).
///
/// # Errors
/// I/O errors; [`Error::BadInput`] for an image file that is not whole images, a label file
/// of another count; [`Error::BadLabel`] for a label outside 1 to 10; each naming the file.
pub(super) fn load(x: &Path, y: Option<&Path>) -> Result<Dataset> {
    let data = std::fs::read(x).map_err(|source| Error::io(x, source))?;
    if data.is_empty() || !data.len().is_multiple_of(IMAGE) {
        return Err(Error::BadInput {
            path: x.to_path_buf(),
            reason: format!(
                "{} bytes is not a whole number of STL-10 images of {IMAGE} bytes (3×96×96)",
                data.len()
            ),
        });
    }
    let n = data.len() / IMAGE;
    let mut values = crate::memory::f32_buffer(x, n, 3, SIDE, SIDE)?;
    for (image, out) in data.chunks_exact(IMAGE).zip(values.chunks_exact_mut(IMAGE)) {
        for c in 0..3 {
            let plane = &image[c * SIDE * SIDE..(c + 1) * SIDE * SIDE];
            let target = &mut out[c * SIDE * SIDE..(c + 1) * SIDE * SIDE];
            for col in 0..SIDE {
                for row in 0..SIDE {
                    target[row * SIDE + col] = f32::from(plane[col * SIDE + row]) / 255.0;
                }
            }
        }
    }
    let images =
        Array4::from_shape_vec((n, 3, SIDE, SIDE), values).map_err(|e| Error::BadInput {
            path: x.to_path_buf(),
            reason: e.to_string(),
        })?;
    let dataset = Dataset::new(images);
    let Some(y) = y else {
        return Ok(dataset);
    };
    let bytes = std::fs::read(y).map_err(|source| Error::io(y, source))?;
    if bytes.len() != n {
        return Err(Error::BadInput {
            path: y.to_path_buf(),
            reason: format!(
                "{} labels for the {n} images of {}",
                bytes.len(),
                x.display()
            ),
        });
    }
    let labels = bytes
        .iter()
        .enumerate()
        .map(|(index, &b)| match b {
            1..=10 => Ok(usize::from(b - 1)),
            _ => Err(Error::BadLabel {
                path: y.to_path_buf(),
                value: i64::from(b),
                index,
            }),
        })
        .collect::<Result<Vec<usize>>>()?;
    dataset.with_labels(labels)
}
