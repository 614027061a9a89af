//! Reconstructions (MDEC figure 3): inputs on top, the autoencoder's outputs below.

use std::path::Path;

use ndarray::ArrayView4;
use plotters::prelude::*;

use crate::error::{Error, Result};
use crate::output::{FONT, RgbImage, ensure_font};
use crate::tiles::{check_images, paste, scale_for};

/// Samples per row pair before wrapping to a new pair of rows.
const PER_ROW: usize = 10;
const GAP: usize = 4;
const LABEL_W: usize = 130;

/// Writes a PNG with each input above its reconstruction.
///
/// `inputs` and `outputs` are `[n, c, h, w]` with the same shape, `c` = 1 (grey) or 3
/// (RGB), values in [0, 1] (clamped). Pass the same fixed samples every time so that
/// figures from successive epochs compare; more than 10 samples wrap onto further rows.
pub fn reconstructions(
    inputs: ArrayView4<'_, f32>,
    outputs: ArrayView4<'_, f32>,
    path: impl AsRef<Path>,
) -> Result<()> {
    check_images("reconstruction inputs", &inputs)?;
    check_images("reconstruction outputs", &outputs)?;
    if inputs.shape() != outputs.shape() {
        return Err(Error::ShapeMismatch {
            what: "reconstruction outputs".into(),
            expected: inputs.shape().to_vec(),
            got: outputs.shape().to_vec(),
        });
    }
    ensure_font()?;
    let (n, _, h, w) = inputs.dim();
    let scale = scale_for(h, w, 64);
    let (th, tw) = (h * scale, w * scale);
    let cols = n.min(PER_ROW);
    let pairs = n.div_ceil(PER_ROW);
    let width = LABEL_W + cols * (tw + GAP) + GAP;
    let height = pairs * (2 * (th + GAP) + 2 * GAP) + GAP;
    let mut img = RgbImage::new(width as u32, height as u32, [255; 3])?;
    for i in 0..n {
        let (pair, col) = (i / PER_ROW, i % PER_ROW);
        let x = LABEL_W + GAP + col * (tw + GAP);
        let y = GAP + pair * (2 * (th + GAP) + 2 * GAP);
        paste(&mut img, &inputs, i, x, y, scale);
        paste(&mut img, &outputs, i, x, y + th + GAP, scale);
    }
    let draw_err = |e: DrawingAreaErrorKind<_>| Error::Draw {
        path: path.as_ref().to_owned(),
        message: e.to_string(),
    };
    {
        let root = img.area();
        let style = TextStyle::from((FONT, 16).into_font()).color(&BLACK);
        for pair in 0..pairs {
            let y = (GAP + pair * (2 * (th + GAP) + 2 * GAP)) as i32;
            let mid = (th / 2) as i32 - 8;
            root.draw_text("input", &style, (8, y + mid))
                .map_err(draw_err)?;
            root.draw_text("reconstruction", &style, (8, y + (th + GAP) as i32 + mid))
                .map_err(draw_err)?;
        }
        root.present().map_err(draw_err)?;
    }
    img.save_png(path)
}
