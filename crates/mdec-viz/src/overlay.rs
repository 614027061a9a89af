//! Cluster maps drawn over their input: each pixel tinted with its cluster's colour, a
//! legend beside the image.

use std::path::Path;

use ndarray::{ArrayView2, ArrayView3, Axis};
use plotters::prelude::*;

use crate::error::{Error, Result, check_finite};
use crate::output::{FONT, RgbImage, ensure_font};
use crate::palette::{cluster_color, rgb};

/// Longest side of the drawn image; larger inputs are shown every `n`-th pixel.
const MAX_SIDE: usize = 2048;
/// Weight of the cluster colour against the image.
const ALPHA: f32 = 0.45;
const LEGEND_WIDTH: usize = 220;
const ROW: usize = 26;

/// Writes `path`: `image` (`[c, h, w]` in [0, 1]; 3 or more channels show the first three
/// as RGB, otherwise their mean as gray) tinted by `labels` (`[h, w]`, a cluster per pixel,
/// −1 where none: shown darkened), with a legend of `legend[j]` beside cluster `j`'s
/// colour. Inputs with a side over 2048 pixels are shown subsampled.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the label image's size differs from the image's, non-finite
/// values, and drawing or I/O errors.
pub fn cluster_overlay(
    image: ArrayView3<'_, f32>,
    labels: ArrayView2<'_, i32>,
    legend: &[String],
    path: impl AsRef<Path>,
) -> Result<()> {
    let path = path.as_ref();
    let (c, h, w) = image.dim();
    if labels.dim() != (h, w) {
        return Err(Error::ShapeMismatch {
            what: "label image against its input".into(),
            expected: vec![h, w],
            got: vec![labels.dim().0, labels.dim().1],
        });
    }
    check_finite("overlay image", image.iter().copied())?;
    ensure_font()?;
    let step = h.max(w).div_ceil(MAX_SIDE).max(1);
    let (dh, dw) = (h.div_ceil(step), w.div_ceil(step));
    let legend_h = ROW * (legend.len() + 1) + 10;
    let mut img = RgbImage::new(
        (dw + LEGEND_WIDTH) as u32,
        dh.max(legend_h) as u32,
        [255; 3],
    )?;
    let width = dw + LEGEND_WIDTH;
    let gray = if c < 3 {
        image.mean_axis(Axis(0))
    } else {
        None
    };
    let data = img.data_mut();
    for y in 0..dh {
        for x in 0..dw {
            let (sy, sx) = (y * step, x * step);
            let base = match &gray {
                Some(g) => [g[(sy, sx)]; 3],
                None => [image[[0, sy, sx]], image[[1, sy, sx]], image[[2, sy, sx]]],
            };
            let label = labels[[sy, sx]];
            let px: [f32; 3] = if label >= 0 {
                let tint = cluster_color(label as usize);
                std::array::from_fn(|i| {
                    (1.0 - ALPHA) * base[i].clamp(0.0, 1.0) * 255.0 + ALPHA * f32::from(tint[i])
                })
            } else {
                base.map(|v| 0.5 * v.clamp(0.0, 1.0) * 255.0)
            };
            let at = 3 * (y * width + x);
            for i in 0..3 {
                data[at + i] = px[i].round() as u8;
            }
        }
    }
    let draw_err = |e: DrawingAreaErrorKind<_>| Error::Draw {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let root = img.area();
    let left = (dw + 12) as i32;
    let title = if step > 1 {
        format!("clusters (1:{step})")
    } else {
        "clusters".into()
    };
    root.draw_text(&title, &TextStyle::from((FONT, 16).into_font()), (left, 8))
        .map_err(draw_err)?;
    for (j, name) in legend.iter().enumerate() {
        let y = (ROW * (j + 1) + 8) as i32;
        root.draw(&Rectangle::new(
            [(left, y), (left + 18, y + 18)],
            rgb(cluster_color(j)).filled(),
        ))
        .map_err(draw_err)?;
        root.draw_text(
            name,
            &TextStyle::from((FONT, 14).into_font()),
            (left + 26, y + 2),
        )
        .map_err(draw_err)?;
    }
    root.present().map_err(draw_err)?;
    drop(root);
    img.save_png(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, Array3};

    #[test]
    fn tints_pixels_with_their_cluster_and_darkens_uncovered_ones() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("overlay.png");
        let image = Array3::from_elem((1, 40, 60), 1.0f32);
        let mut labels = Array2::from_elem((40, 60), 1);
        labels.row_mut(0).fill(-1);
        cluster_overlay(
            image.view(),
            labels.view(),
            &["a".into(), "b".into()],
            &path,
        )?;
        let png = image::open(&path)?.to_rgb8();
        assert_eq!(
            (png.width(), png.height()),
            (60 + LEGEND_WIDTH as u32, (3 * ROW + 10) as u32),
            "the legend is taller"
        );
        let tint = cluster_color(1);
        let expected: [u8; 3] = std::array::from_fn(|i| {
            ((1.0 - ALPHA) * 255.0 + ALPHA * f32::from(tint[i])).round() as u8
        });
        assert_eq!(png.get_pixel(5, 5).0, expected);
        assert_eq!(
            png.get_pixel(5, 0).0,
            [128; 3],
            "uncovered: half brightness"
        );
        let wrong = Array2::from_elem((40, 59), 0);
        assert!(cluster_overlay(image.view(), wrong.view(), &[], &path).is_err());
        Ok(())
    }
}
