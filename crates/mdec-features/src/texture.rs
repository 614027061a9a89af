//! [`Texture`]: what kind of structure fills an image, blind to where it lies and to a slow
//! background — for tiles of physical fields (smooth, turbulent, filamentary, clumpy).

use ndarray::ArrayView3;
use serde::{Deserialize, Serialize};

/// Per channel: the logarithm of the structure function `S(r)`, the mean squared
/// difference of pixels `r` apart along rows and columns, at lags `r = 1, 2, 4, …` up to a
/// quarter of the shorter side (how much the field varies at each scale: its power
/// spectrum, seen from real space, as in turbulence studies), then the skewness and the
/// kurtosis of the values (signed `ln(1 + |x|)`: bright thin filaments and compact clumps
/// make them large, Gaussian-like fields keep them near 0). An offset or a gradient across
/// the image barely changes any of them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texture {}

/// Floor added to `S(r)` before its logarithm (values are in [0, 1]).
const FLOOR: f32 = 1e-8;

impl Texture {
    /// The lags for images of `h × w`.
    fn lags(h: usize, w: usize) -> Vec<usize> {
        let most = (h.min(w) / 4).max(1);
        std::iter::successors(Some(1usize), |r| Some(r * 2))
            .take_while(|&r| r <= most)
            .collect()
    }

    /// The features of one image `[c, h, w]`: `c × (lags + 2)` values.
    pub fn features(&self, image: ArrayView3<'_, f32>) -> Vec<f32> {
        let (_, h, w) = image.dim();
        let lags = Self::lags(h, w);
        let mut out = Vec::new();
        for channel in image.outer_iter() {
            for &r in &lags {
                let (mut sum, mut count) = (0.0f64, 0usize);
                for y in 0..h {
                    for x in 0..w {
                        let v = channel[[y, x]];
                        if x + r < w {
                            sum += f64::from(channel[[y, x + r]] - v).powi(2);
                            count += 1;
                        }
                        if y + r < h {
                            sum += f64::from(channel[[y + r, x]] - v).powi(2);
                            count += 1;
                        }
                    }
                }
                let s = if count > 0 { sum / count as f64 } else { 0.0 };
                out.push((s as f32 + FLOOR).ln());
            }
            let n = channel.len().max(1) as f64;
            let mean = channel.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
            let moment = |p: i32| {
                channel
                    .iter()
                    .map(|&v| (f64::from(v) - mean).powi(p))
                    .sum::<f64>()
                    / n
            };
            let var = moment(2);
            let (skew, kurt) = if var > 1e-12 {
                (moment(3) / var.powf(1.5), moment(4) / (var * var) - 3.0)
            } else {
                (0.0, 0.0)
            };
            for m in [skew, kurt] {
                out.push((m.signum() * m.abs().ln_1p()) as f32);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    #[test]
    fn rough_fields_vary_more_at_small_lags_and_clumps_are_skewed() {
        let smooth = Array3::from_shape_fn((1, 16, 16), |(_, y, x)| 0.5 + 0.01 * (x + y) as f32);
        let rough = Array3::from_shape_fn(
            (1, 16, 16),
            |(_, y, x)| if (x + y) % 2 == 0 { 0.2 } else { 0.8 },
        );
        let mut clump = Array3::from_elem((1, 16, 16), 0.1f32);
        clump[[0, 7, 7]] = 1.0;
        let t = Texture::default();
        let (s, r, c) = (
            t.features(smooth.view()),
            t.features(rough.view()),
            t.features(clump.view()),
        );
        assert_eq!(s.len(), 3 + 2, "lags 1, 2, 4, then skewness and kurtosis");
        assert!(r[0] > s[0] + 5.0, "lag 1: {} vs {}", r[0], s[0]);
        assert!(
            c[3] > 2.0 && c[4] > 4.0,
            "a single bright pixel: skewed, heavy-tailed {c:?}"
        );
        // An offset changes nothing (up to rounding).
        let shifted = t.features(smooth.mapv(|v| v + 0.3).view());
        assert!(
            shifted.iter().zip(&s).all(|(a, b)| (a - b).abs() < 1e-3),
            "{shifted:?} {s:?}"
        );
    }
}
