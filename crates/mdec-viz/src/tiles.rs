//! Image batches as tiles: validation of `[n, c, h, w]` arrays and nearest-neighbour
//! pasting of one sample into an RGB canvas.

use ndarray::ArrayView4;

use crate::error::{Error, Result};
use crate::output::RgbImage;

/// Checks an image batch: non-empty, 1 or 3 channels, non-zero size, finite values.
pub(crate) fn check_images(what: &str, images: &ArrayView4<'_, f32>) -> Result<()> {
    let (n, c, h, w) = images.dim();
    if n == 0 {
        return Err(Error::Empty {
            what: what.to_owned(),
        });
    }
    if h == 0 || w == 0 {
        return Err(Error::ZeroSize {
            what: what.to_owned(),
            width: w,
            height: h,
        });
    }
    if c != 1 && c != 3 {
        return Err(Error::Channels {
            what: what.to_owned(),
            got: c,
        });
    }
    if let Some((index, &v)) = images.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(Error::NonFinite {
            what: what.to_owned(),
            index,
            value: v as f64,
        });
    }
    Ok(())
}

/// Integer upscaling so that a tile is at least `min_side` pixels on its shorter side.
pub(crate) fn scale_for(h: usize, w: usize, min_side: usize) -> usize {
    min_side.div_ceil(h.min(w).max(1)).max(1)
}

/// Pastes sample `i` of `images` at pixel `(x0, y0)` of `canvas`, upscaled by `scale`;
/// values are clamped to [0, 1]; grey images are replicated over RGB.
pub(crate) fn paste(
    canvas: &mut RgbImage,
    images: &ArrayView4<'_, f32>,
    i: usize,
    x0: usize,
    y0: usize,
    scale: usize,
) {
    let (_, c, h, w) = images.dim();
    let cw = canvas.width() as usize;
    let ch = canvas.height() as usize;
    let data = canvas.data_mut();
    let to_u8 = |v: f32| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    for y in 0..h * scale {
        let py = y0 + y;
        if py >= ch {
            break;
        }
        for x in 0..w * scale {
            let px = x0 + x;
            if px >= cw {
                break;
            }
            let (sy, sx) = (y / scale, x / scale);
            let pixel = if c == 1 {
                let v = to_u8(images[[i, 0, sy, sx]]);
                [v, v, v]
            } else {
                [
                    to_u8(images[[i, 0, sy, sx]]),
                    to_u8(images[[i, 1, sy, sx]]),
                    to_u8(images[[i, 2, sy, sx]]),
                ]
            };
            let o = 3 * (py * cw + px);
            data[o..o + 3].copy_from_slice(&pixel);
        }
    }
}

/// Writes sample `i` of `images` (`[n, c, h, w]`, values in [0, 1], clamped) as a PNG at its
/// own size: grey for one or two channels (the first), RGB from the first three otherwise.
///
/// # Errors
/// [`Error::Empty`] when `i` is not a sample, [`Error::ZeroSize`] for an empty image, I/O
/// errors naming `path`.
pub fn save_sample(
    images: ArrayView4<'_, f32>,
    i: usize,
    path: impl AsRef<std::path::Path>,
) -> Result<()> {
    let (n, c, h, w) = images.dim();
    if i >= n || c == 0 {
        return Err(Error::Empty {
            what: format!("sample {i} of {n}"),
        });
    }
    let grey = images.slice(ndarray::s![i..=i, 0..1, .., ..]);
    let rgb = images.slice(ndarray::s![i..=i, 0..c.min(3), .., ..]);
    let sample = if c >= 3 { rgb } else { grey };
    let mut canvas = RgbImage::new(w as u32, h as u32, [0; 3])?;
    paste(&mut canvas, &sample, 0, 0, 0, 1);
    canvas.save_png(path)
}
