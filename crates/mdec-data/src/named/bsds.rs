//! BSDS300: a folder of JPEG photographs of 481×321 or 321×481 pixels; portrait ones are
//! turned (transposed) so that every image is 3×321×481. No labels; each image is named
//! by its file (the image id).

use std::path::Path;

use ndarray::Array4;

use crate::dataset::Dataset;
use crate::error::{Error, Result};

const HEIGHT: usize = 321;
const WIDTH: usize = 481;

/// Reads every `.jpg` of `dir`, sorted by name.
///
/// # Errors
/// [`Error::EmptyFolder`] without images; [`Error::Unreadable`] for a file that does not
/// decode; [`Error::BadInput`] for an image of another size; each naming the file.
pub(super) fn load(dir: &Path) -> Result<Dataset> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(|source| Error::io(dir, source))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg")))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(Error::EmptyFolder {
            path: dir.to_path_buf(),
        });
    }
    let n = files.len();
    let mut values = crate::memory::f32_buffer(dir, n, 3, HEIGHT, WIDTH)?;
    let plane = HEIGHT * WIDTH;
    for (path, out) in files.iter().zip(values.chunks_exact_mut(3 * plane)) {
        let image = image::open(path)
            .map_err(|error| Error::Unreadable {
                path: path.clone(),
                error,
            })?
            .to_rgb8();
        let (w, h) = (image.width() as usize, image.height() as usize);
        let turned = match (h, w) {
            (HEIGHT, WIDTH) => false,
            (WIDTH, HEIGHT) => true,
            _ => {
                return Err(Error::BadInput {
                    path: path.clone(),
                    reason: format!("{w}×{h} pixels: BSDS300 images are 481×321 or 321×481"),
                });
            }
        };
        for (x, y, pixel) in image.enumerate_pixels() {
            let (row, col) = match turned {
                false => (y as usize, x as usize),
                true => (x as usize, y as usize),
            };
            for c in 0..3 {
                out[c * plane + row * WIDTH + col] = f32::from(pixel[c]) / 255.0;
            }
        }
    }
    let images =
        Array4::from_shape_vec((n, 3, HEIGHT, WIDTH), values).map_err(|e| Error::BadInput {
            path: dir.to_path_buf(),
            reason: e.to_string(),
        })?;
    let names = files
        .iter()
        .map(|p| {
            p.file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
        })
        .collect();
    Dataset::new(images).with_names(names)
}
