//! [`Anomaly`]: what stands out of an image's own background, described by shape and
//! polarity, wherever it lies and however it is turned.
//!
//! A defect crop is mostly part surface: pixels, HOG or a pretrained network's pooled
//! features all describe the surface (its lighting, colour and machining marks), and k-means
//! on them groups crops by surface. This block first takes the surface away: each channel is
//! standardised robustly (median and MAD, so the defect does not set the scale), the
//! channels are averaged (a part's colour scales each channel alike, so it cancels), a
//! light blur removes grain, and the pixels more than `threshold` robust deviations from the
//! median are the anomaly. Its descriptors do not change under translation, rotation,
//! brightness, contrast or part colour:
//!
//! - darker and brighter area, mean and peak strength, mean sign;
//! - number of connected parts, the largest part's share, the share of the anomaly's pixels
//!   on its boundary (thin lines ≈ 1, blobs less);
//! - elongation of the whole anomaly and of its largest part (from the eigenvalues of their
//!   second moments), and how much of its ellipse the largest part fills (a straight line or
//!   a disc fills it, a crooked path does not);
//! - spread of the anomaly around its centre;
//! - radial profiles around the centre: the mean signed deviation and the anomaly's share of
//!   pixels at six distances (a dark pit in a bright rim, a bright particle, a faint wide
//!   stain, a ring of pores differ there).
//!
//! Every descriptor is scaled to roughly `[-1, 1]`; lengths are in units of the image side.

use image::{GrayImage, Luma};
use imageproc::region_labelling::{Connectivity, connected_components};
use ndarray::{Array2, ArrayView3};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::normalise::box_mean;

/// Settings of the anomaly descriptors.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Anomaly {
    /// Robust deviations (MAD × 1.4826) from the median beyond which a pixel is anomalous.
    pub threshold: f32,
    /// Radius of the box blur that removes grain before thresholding, in pixels (0: none).
    pub blur: usize,
}

impl Default for Anomaly {
    fn default() -> Self {
        Self {
            threshold: 3.0,
            blur: 1,
        }
    }
}

/// Outer edges of the radial profile's rings, in units of the image side.
const RINGS: [f32; 6] = [0.03, 0.06, 0.1, 0.15, 0.22, 0.32];

/// The number of descriptors.
pub(crate) const LEN: usize = 12 + 2 * RINGS.len();

impl Anomaly {
    /// Checks the settings.
    ///
    /// # Errors
    /// [`Error::BadThreshold`] for a threshold that is not positive and finite.
    pub fn check(&self) -> Result<()> {
        if self.threshold.is_finite() && self.threshold > 0.0 {
            Ok(())
        } else {
            Err(Error::BadThreshold(self.threshold))
        }
    }

    /// The descriptors of one image `[c, h, w]`.
    pub fn features(&self, image: ArrayView3<'_, f32>) -> Vec<f32> {
        let deviation = self.deviation(image);
        let (h, w) = deviation.dim();
        let side = h.max(w) as f32;
        let t = self.threshold;
        let mut mask = GrayImage::new(w as u32, h as u32);
        let (mut dark, mut bright) = (0usize, 0usize);
        let (mut sum_abs, mut sum_signed, mut peak) = (0.0f32, 0.0f32, 0.0f32);
        for ((y, x), &v) in deviation.indexed_iter() {
            if v.abs() > t {
                mask.put_pixel(x as u32, y as u32, Luma([1]));
                if v < 0.0 {
                    dark += 1
                } else {
                    bright += 1
                }
                sum_abs += v.abs();
                sum_signed += v;
                peak = peak.max(v.abs());
            }
        }
        let area = dark + bright;
        let mut out = Vec::with_capacity(LEN);
        let pixels = (h * w) as f32;
        out.push((dark as f32 / pixels).sqrt());
        out.push((bright as f32 / pixels).sqrt());
        if area == 0 {
            out.resize(LEN, 0.0);
            return out;
        }
        out.push((sum_abs / area as f32 / t / 4.0).min(2.0));
        out.push((peak / t / 8.0).min(2.0));
        out.push(sum_signed / sum_abs);

        // Connected parts (8-connected), ignoring single pixels.
        let labels = connected_components(&mask, Connectivity::Eight, Luma([0]));
        let mut sizes: Vec<usize> = Vec::new();
        for p in labels.pixels() {
            let l = p[0] as usize;
            if l > 0 {
                if sizes.len() < l {
                    sizes.resize(l, 0);
                }
                sizes[l - 1] += 1;
            }
        }
        let parts = sizes.iter().filter(|&&s| s > 1).count();
        let (largest_label, largest) = sizes
            .iter()
            .enumerate()
            .max_by_key(|(_, s)| **s)
            .map_or((0, 0), |(i, s)| (i as u32 + 1, *s));
        out.push(((1 + parts) as f32).ln() / 16f32.ln());
        out.push(largest as f32 / area as f32);
        let inside = |y: isize, x: isize| {
            y >= 0
                && x >= 0
                && (y as usize) < h
                && (x as usize) < w
                && mask.get_pixel(x as u32, y as u32)[0] > 0
        };
        let boundary = deviation
            .indexed_iter()
            .filter(|((y, x), _)| {
                let (y, x) = (*y as isize, *x as isize);
                inside(y, x)
                    && !(inside(y - 1, x)
                        && inside(y + 1, x)
                        && inside(y, x - 1)
                        && inside(y, x + 1))
            })
            .count();
        out.push(boundary as f32 / area as f32);

        // Second moments of the whole anomaly (weighted by strength) and of its largest part.
        let all = Moments::of(
            deviation
                .indexed_iter()
                .filter_map(|((y, x), &v)| (v.abs() > t).then_some((y as f32, x as f32, v.abs()))),
        );
        let part = Moments::of(
            labels
                .enumerate_pixels()
                .filter(|(_, _, l)| l[0] == largest_label)
                .map(|(x, y, _)| (y as f32, x as f32, 1.0)),
        );
        out.push(all.elongation());
        out.push(part.elongation());
        out.push(part.fill(largest));
        out.push((all.spread() / side * 4.0).min(2.0));

        // Radial profiles around the anomaly's centre.
        let mut signed = [0.0f32; RINGS.len()];
        let mut share = [0.0f32; RINGS.len()];
        let mut counts = [0usize; RINGS.len()];
        for ((y, x), &v) in deviation.indexed_iter() {
            let r = ((y as f32 - all.cy).powi(2) + (x as f32 - all.cx).powi(2)).sqrt() / side;
            if let Some(ring) = RINGS.iter().position(|&edge| r < edge) {
                signed[ring] += v;
                share[ring] += f32::from(u8::from(v.abs() > t));
                counts[ring] += 1;
            }
        }
        for ring in 0..RINGS.len() {
            let n = counts[ring].max(1) as f32;
            out.push((signed[ring] / n / t / 4.0).clamp(-2.0, 2.0));
        }
        for ring in 0..RINGS.len() {
            out.push(share[ring] / counts[ring].max(1) as f32);
        }
        debug_assert_eq!(out.len(), LEN);
        out
    }

    /// Each pixel's signed deviation from the image's background, in robust standard
    /// deviations, `[h, w]`.
    fn deviation(&self, image: ArrayView3<'_, f32>) -> Array2<f32> {
        let (c, h, w) = image.dim();
        let mut mean = Array2::<f32>::zeros((h, w));
        for channel in image.outer_iter() {
            let (centre, scale) = robust(channel.iter().copied().collect());
            mean.zip_mut_with(&channel, |m, &v| *m += (v - centre) / scale / c as f32);
        }
        let blurred = if self.blur > 0 {
            box_mean(mean.view(), self.blur)
        } else {
            mean
        };
        let (centre, scale) = robust(blurred.iter().copied().collect());
        blurred.mapv(|v| (v - centre) / scale)
    }
}

/// Median and MAD × 1.4826 (floored) of `values`.
fn robust(mut values: Vec<f32>) -> (f32, f32) {
    let centre = median(&mut values);
    let mut deviations: Vec<f32> = values.iter().map(|v| (v - centre).abs()).collect();
    (centre, (1.4826 * median(&mut deviations)).max(1e-3))
}

fn median(values: &mut [f32]) -> f32 {
    if values.is_empty() {
        return 0.0;
    }
    let mid = values.len() / 2;
    *values.select_nth_unstable_by(mid, f32::total_cmp).1
}

/// Weighted first and second moments of a set of points.
struct Moments {
    cy: f32,
    cx: f32,
    /// Eigenvalues of the covariance, largest first.
    l1: f32,
    l2: f32,
}

impl Moments {
    fn of(points: impl Iterator<Item = (f32, f32, f32)>) -> Self {
        let points: Vec<(f32, f32, f32)> = points.collect();
        let total: f32 = points.iter().map(|p| p.2).sum::<f32>().max(1e-6);
        let cy = points.iter().map(|p| p.0 * p.2).sum::<f32>() / total;
        let cx = points.iter().map(|p| p.1 * p.2).sum::<f32>() / total;
        let (mut syy, mut sxx, mut sxy) = (0.0f32, 0.0f32, 0.0f32);
        for &(y, x, wt) in &points {
            syy += wt * (y - cy).powi(2);
            sxx += wt * (x - cx).powi(2);
            sxy += wt * (y - cy) * (x - cx);
        }
        let (syy, sxx, sxy) = (syy / total, sxx / total, sxy / total);
        let half_trace = (syy + sxx) / 2.0;
        let root = (((syy - sxx) / 2.0).powi(2) + sxy * sxy).sqrt();
        Self {
            cy,
            cx,
            l1: half_trace + root,
            l2: (half_trace - root).max(0.0),
        }
    }

    /// 0 for a round set, towards 1 for a line.
    fn elongation(&self) -> f32 {
        if self.l1 <= 0.0 {
            0.0
        } else {
            1.0 - (self.l2 / self.l1).sqrt()
        }
    }

    /// Root mean square distance from the centre.
    fn spread(&self) -> f32 {
        (self.l1 + self.l2).sqrt()
    }

    /// The share of the moments' ellipse (semi-axes 2√λ, plus half a pixel) that `area`
    /// pixels fill.
    fn fill(&self, area: usize) -> f32 {
        let ellipse =
            std::f32::consts::PI * (2.0 * self.l1.sqrt() + 0.5) * (2.0 * self.l2.sqrt() + 0.5);
        (area as f32 / ellipse).min(1.5)
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array3;

    use super::*;
    use crate::testing::distance;

    /// A noisy surface of the given brightness and contrast, with a dark line (horizontal or
    /// vertical, at `at`) or a bright disc at `at`.
    fn crop(brightness: f32, contrast: f32, line: Option<bool>, at: usize) -> Array3<f32> {
        Array3::from_shape_fn((1, 48, 48), |(_, y, x)| {
            let grain = (((x * 7919 + y * 104_729) % 101) as f32 / 101.0 - 0.5) * 0.06;
            let defect = match line {
                Some(true) => {
                    if y == at && (8..40).contains(&x) {
                        -0.4
                    } else {
                        0.0
                    }
                }
                Some(false) => {
                    if x == at && (8..40).contains(&y) {
                        -0.4
                    } else {
                        0.0
                    }
                }
                None => {
                    let d =
                        ((y as f32 - at as f32).powi(2) + (x as f32 - at as f32).powi(2)).sqrt();
                    if d < 4.0 { 0.4 } else { 0.0 }
                }
            };
            brightness + contrast * (grain + defect)
        })
    }

    #[test]
    fn a_line_is_a_line_wherever_it_lies_and_however_it_is_lit() {
        let anomaly = Anomaly::default();
        let features = |b, c, line, at| anomaly.features(crop(b, c, line, at).view());
        let line = features(0.3, 0.8, Some(true), 12);
        let moved_turned_relit = features(0.7, 1.3, Some(false), 30);
        let disc = features(0.3, 0.8, None, 20);
        assert_eq!(line.len(), LEN);
        assert!(
            distance(&line, &moved_turned_relit) < 0.3 * distance(&line, &disc),
            "{line:?}\n{moved_turned_relit:?}\n{disc:?}"
        );
        // Dark and elongated; the disc is bright and round.
        assert!(line[0] > 0.0 && line[1] == 0.0 && line[8] > 0.8, "{line:?}");
        assert!(disc[0] == 0.0 && disc[1] > 0.0 && disc[8] < 0.2, "{disc:?}");
    }

    #[test]
    fn a_plain_surface_has_no_anomaly() {
        let features = Anomaly::default().features(crop(0.5, 1.0, Some(true), 100).view());
        assert!(features.iter().all(|&v| v == 0.0), "{features:?}");
    }

    #[test]
    fn thresholds_must_be_positive() {
        let bad = Anomaly {
            threshold: 0.0,
            ..Anomaly::default()
        };
        assert_eq!(bad.check(), Err(Error::BadThreshold(0.0)));
    }
}
