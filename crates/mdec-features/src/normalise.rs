//! Input normalisation before features: per-image standardisation and local contrast
//! normalisation, so that features see the structure of an image rather than its
//! brightness and contrast.

use ndarray::{Array2, ArrayView2, ArrayViewMut3};
use serde::{Deserialize, Serialize};

/// How each image is normalised before its features are computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Normalise {
    /// As it is.
    #[default]
    None,
    /// Each channel of each image to zero mean and unit variance (removes brightness and
    /// contrast).
    Standardise,
    /// Each pixel minus the mean of its `(2 radius + 1)²` neighbourhood, divided by that
    /// neighbourhood's standard deviation (Jarrett et al. 2009; removes uneven lighting
    /// as well).
    LocalContrast {
        /// Neighbourhood radius in pixels (>= 1).
        radius: usize,
    },
}

/// Floor of the standard deviation a value is divided by.
const EPS: f32 = 1e-3;

impl Normalise {
    /// Normalises one image `[c, h, w]` in place.
    pub fn apply(&self, mut image: ArrayViewMut3<'_, f32>) {
        match *self {
            Normalise::None => {}
            Normalise::Standardise => {
                for mut channel in image.outer_iter_mut() {
                    let n = channel.len().max(1) as f32;
                    let mean = channel.sum() / n;
                    let var = channel.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n;
                    let std = var.sqrt().max(EPS);
                    channel.mapv_inplace(|v| (v - mean) / std);
                }
            }
            Normalise::LocalContrast { radius } => {
                for mut channel in image.outer_iter_mut() {
                    let mean = box_mean(channel.view(), radius);
                    let squares = box_mean(channel.mapv(|v| v * v).view(), radius);
                    ndarray::Zip::from(&mut channel)
                        .and(&mean)
                        .and(&squares)
                        .for_each(|v, &m, &sq| {
                            let std = (sq - m * m).max(0.0).sqrt().max(EPS);
                            *v = (*v - m) / std;
                        });
                }
            }
        }
    }
}

/// The mean of each pixel's `(2 radius + 1)²` neighbourhood, clipped at the borders, from
/// a summed-area table.
pub(crate) fn box_mean(x: ArrayView2<'_, f32>, radius: usize) -> Array2<f32> {
    let (h, w) = x.dim();
    let mut sums = Array2::<f64>::zeros((h + 1, w + 1));
    for y in 0..h {
        for xx in 0..w {
            sums[[y + 1, xx + 1]] =
                f64::from(x[[y, xx]]) + sums[[y, xx + 1]] + sums[[y + 1, xx]] - sums[[y, xx]];
        }
    }
    Array2::from_shape_fn((h, w), |(y, xx)| {
        let (y0, y1) = (y.saturating_sub(radius), (y + radius + 1).min(h));
        let (x0, x1) = (xx.saturating_sub(radius), (xx + radius + 1).min(w));
        let total = sums[[y1, x1]] - sums[[y0, x1]] - sums[[y1, x0]] + sums[[y0, x0]];
        (total / ((y1 - y0) * (x1 - x0)) as f64) as f32
    })
}

#[cfg(test)]
mod tests {
    use ndarray::Array3;

    use super::*;

    fn ramp(brightness: f32, contrast: f32) -> Array3<f32> {
        Array3::from_shape_fn((1, 8, 8), |(_, y, x)| {
            brightness + contrast * (((x * 7 + y * 3) % 5) as f32 / 5.0)
        })
    }

    #[test]
    fn standardising_removes_brightness_and_contrast() {
        let (mut a, mut b) = (ramp(0.2, 0.5), ramp(0.6, 1.5));
        Normalise::Standardise.apply(a.view_mut());
        Normalise::Standardise.apply(b.view_mut());
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-4));
        assert!(a.mean().is_some_and(|m| m.abs() < 1e-5));
    }

    #[test]
    fn local_contrast_ignores_brightness_and_contrast_but_keeps_structure() {
        let lcn = Normalise::LocalContrast { radius: 2 };
        let (mut a, mut b) = (ramp(0.1, 0.3), ramp(0.5, 1.2));
        lcn.apply(a.view_mut());
        lcn.apply(b.view_mut());
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-3));
        assert!(
            a.iter().any(|v| v.abs() > 0.5),
            "the texture survives: {a:?}"
        );
    }

    #[test]
    fn box_means_match_a_direct_sum() {
        let x = Array2::from_shape_fn((5, 6), |(y, x)| (y * 6 + x) as f32);
        let m = box_mean(x.view(), 1);
        // Corner: mean of the 2×2 block.
        assert!((m[[0, 0]] - (0.0 + 1.0 + 6.0 + 7.0) / 4.0).abs() < 1e-5);
        // Interior: mean of the 3×3 block around (2, 2).
        let direct: f32 = (1..4)
            .flat_map(|y| (1..4).map(move |x| (y * 6 + x) as f32))
            .sum();
        assert!((m[[2, 2]] - direct / 9.0).abs() < 1e-4);
    }
}
