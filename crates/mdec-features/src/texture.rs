//! [`Texture`]: what kind of structure fills an image, blind to where it lies and to a slow
//! background — for tiles of physical fields (smooth, turbulent, filamentary, clumpy).

use ndarray::{Array2, ArrayView2, ArrayView3};
use serde::{Deserialize, Serialize};

/// Per channel, after the least-squares plane through the channel is taken away (a slow
/// background drift or a level offset changes nothing):
/// - the logarithm of the structure function `S(r)`, the mean squared difference of pixels
///   `r` apart along rows and columns, at lags `r = 1, 2, 4, …` up to half the shorter side:
///   how much the field varies at each scale (its power spectrum seen from real space, as
///   in turbulence studies);
/// - the skewness and the kurtosis of the values (signed `ln(1 + |x|)`): bright thin
///   filaments and compact clumps make them large, Gaussian-like fields keep them near 0;
/// - the shape of the bright structures, from the Hessian of the image smoothed by a
///   binomial 3×3 kernel (as in Frangi et al., 1998): with `λ₁ ≤ λ₂` its eigenvalues, over
///   the pixels where the Laplacian `λ₁ + λ₂` is negative (the cores of bright ridges and
///   peaks), the mean of `|λ₂| / |λ₁|` (0 on a ridge or filament, 1 on a round clump;
///   0 where `λ₂ > 0`) weighted by the squared Laplacian, so that the strongest structures
///   count most, and the logarithm of the mean squared Laplacian (how sharp they are).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Texture {}

/// Floor added before logarithms (values are in [0, 1]).
const FLOOR: f32 = 1e-8;

impl Texture {
    /// The lags for images of `h × w`.
    fn lags(h: usize, w: usize) -> Vec<usize> {
        let most = (h.min(w) / 2).max(1);
        std::iter::successors(Some(1usize), |r| Some(r * 2))
            .take_while(|&r| r <= most)
            .collect()
    }

    /// The number of features of one channel of an `h × w` image.
    fn len(h: usize, w: usize) -> usize {
        Self::lags(h, w).len() + 4
    }

    /// The features of one image `[c, h, w]`: `c × (lags + 4)` values.
    pub fn features(&self, image: ArrayView3<'_, f32>) -> Vec<f32> {
        let (_, h, w) = image.dim();
        let lags = Self::lags(h, w);
        let mut out = Vec::with_capacity(image.dim().0 * Self::len(h, w));
        for channel in image.outer_iter() {
            let flat = detrend(channel);
            for &r in &lags {
                out.push((structure(flat.view(), r) as f32 + FLOOR).ln());
            }
            let n = flat.len().max(1) as f64;
            let moment = |p: i32| flat.iter().map(|&v| f64::from(v).powi(p)).sum::<f64>() / n;
            let var = moment(2);
            let (skew, kurt) = if var > 1e-12 {
                (moment(3) / var.powf(1.5), moment(4) / (var * var) - 3.0)
            } else {
                (0.0, 0.0)
            };
            for m in [skew, kurt] {
                out.push((m.signum() * m.abs().ln_1p()) as f32);
            }
            let (roundness, sharpness) = shape(flat.view());
            out.push(roundness);
            out.push((sharpness + FLOOR).ln());
        }
        out
    }
}

/// `channel` less its least-squares plane `a + b·y + c·x`.
fn detrend(channel: ArrayView2<'_, f32>) -> Array2<f32> {
    let (h, w) = channel.dim();
    let n = (h * w).max(1) as f64;
    // On the centred grid the three terms are orthogonal: each coefficient is a projection.
    let (cy, cx) = ((h as f64 - 1.0) / 2.0, (w as f64 - 1.0) / 2.0);
    let (mut sum, mut sum_y, mut sum_x, mut yy, mut xx) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for ((y, x), &v) in channel.indexed_iter() {
        let (dy, dx, v) = (y as f64 - cy, x as f64 - cx, f64::from(v));
        sum += v;
        sum_y += v * dy;
        sum_x += v * dx;
        yy += dy * dy;
        xx += dx * dx;
    }
    let (a, b, c) = (
        sum / n,
        if yy > 0.0 { sum_y / yy } else { 0.0 },
        if xx > 0.0 { sum_x / xx } else { 0.0 },
    );
    Array2::from_shape_fn((h, w), |(y, x)| {
        (f64::from(channel[[y, x]]) - a - b * (y as f64 - cy) - c * (x as f64 - cx)) as f32
    })
}

/// The mean squared difference of pixels `r` apart along rows and columns.
fn structure(image: ArrayView2<'_, f32>, r: usize) -> f64 {
    let (h, w) = image.dim();
    let (mut sum, mut count) = (0.0f64, 0usize);
    for y in 0..h {
        for x in 0..w {
            let v = image[[y, x]];
            if x + r < w {
                sum += f64::from(image[[y, x + r]] - v).powi(2);
                count += 1;
            }
            if y + r < h {
                sum += f64::from(image[[y + r, x]] - v).powi(2);
                count += 1;
            }
        }
    }
    if count > 0 { sum / count as f64 } else { 0.0 }
}

/// The weighted mean roundness `|λ₂| / |λ₁|` and the mean squared Laplacian of the bright
/// structures (see [`Texture`]); `(0, 0)` for images under 5×5 or without any.
fn shape(image: ArrayView2<'_, f32>) -> (f32, f32) {
    let (h, w) = image.dim();
    if h < 5 || w < 5 {
        return (0.0, 0.0);
    }
    // Binomial 3×3 smoothing ([1 2 1] ⊗ [1 2 1] / 16), inside the border.
    let smooth = Array2::from_shape_fn((h - 2, w - 2), |(y, x)| {
        let mut s = 0.0f32;
        for (dy, ky) in [1.0f32, 2.0, 1.0].into_iter().enumerate() {
            for (dx, kx) in [1.0f32, 2.0, 1.0].into_iter().enumerate() {
                s += ky * kx * image[[y + dy, x + dx]];
            }
        }
        s / 16.0
    });
    let (sh, sw) = smooth.dim();
    let (mut weight, mut round, mut count) = (0.0f64, 0.0f64, 0usize);
    for y in 1..sh - 1 {
        for x in 1..sw - 1 {
            let at = |dy: isize, dx: isize| {
                smooth[[(y as isize + dy) as usize, (x as isize + dx) as usize]]
            };
            let hyy = at(-1, 0) - 2.0 * at(0, 0) + at(1, 0);
            let hxx = at(0, -1) - 2.0 * at(0, 0) + at(0, 1);
            let hxy = (at(1, 1) - at(1, -1) - at(-1, 1) + at(-1, -1)) / 4.0;
            let mid = (hxx + hyy) / 2.0;
            let spread = (((hxx - hyy) / 2.0).powi(2) + hxy * hxy).sqrt();
            let (l1, l2) = (mid - spread, mid + spread);
            count += 1;
            if mid < 0.0 {
                let e = f64::from(mid * mid);
                weight += e;
                round += e * f64::from((l2.max(l1) / l1).clamp(0.0, 1.0));
            }
        }
    }
    if weight <= 0.0 {
        return (0.0, 0.0);
    }
    (
        (round / weight) as f32,
        (weight / count.max(1) as f64) as f32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    fn blob(cy: f32, cx: f32, sy: f32, sx: f32) -> Array3<f32> {
        Array3::from_shape_fn((1, 24, 24), |(_, y, x)| {
            let (dy, dx) = ((y as f32 - cy) / sy, (x as f32 - cx) / sx);
            0.1 + 0.8 * (-0.5 * (dy * dy + dx * dx)).exp()
        })
    }

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
        assert_eq!(s.len(), Texture::len(16, 16));
        assert_eq!(s.len(), 4 + 4, "lags 1, 2, 4, 8, then moments and shape");
        assert!(r[0] > s[0] + 5.0, "lag 1: {} vs {}", r[0], s[0]);
        assert!(
            c[4] > 2.0 && c[5] > 4.0,
            "a single bright pixel: skewed, heavy-tailed {c:?}"
        );
    }

    #[test]
    fn an_offset_or_a_gradient_changes_nothing() {
        let t = Texture::default();
        let base = blob(10.0, 12.0, 2.0, 3.0);
        let drifted = Array3::from_shape_fn((1, 24, 24), |(c, y, x)| {
            base[[c, y, x]] + 0.3 + 0.01 * y as f32 - 0.02 * x as f32
        });
        let (a, b) = (t.features(base.view()), t.features(drifted.view()));
        assert!(
            a.iter().zip(&b).all(|(a, b)| (a - b).abs() < 1e-3),
            "{a:?} {b:?}"
        );
    }

    #[test]
    fn ridges_are_thin_and_clumps_are_round() {
        let t = Texture::default();
        let roundness = |image: Array3<f32>| t.features(image.view())[Texture::len(24, 24) - 2];
        let (ridge, clump) = (
            roundness(blob(12.0, 12.0, 1.5, 40.0)),
            roundness(blob(12.0, 12.0, 1.5, 1.5)),
        );
        assert!(ridge < 0.2, "a ridge: {ridge}");
        assert!(clump > 0.6, "a clump: {clump}");
    }
}
