//! Colour histograms in HSV (hue, saturation, value): how much of each colour an image
//! holds, whatever its layout.

use ndarray::ArrayView3;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Bins of the three marginal histograms, concatenated (hue, then saturation, then value),
/// each summing to 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HsvHistogram {
    /// Hue bins. Default 12.
    pub hue: usize,
    /// Saturation bins. Default 4.
    pub saturation: usize,
    /// Value bins. Default 4.
    pub value: usize,
}

impl Default for HsvHistogram {
    fn default() -> Self {
        Self {
            hue: 12,
            saturation: 4,
            value: 4,
        }
    }
}

impl HsvHistogram {
    /// The length of the features.
    pub fn dim(&self) -> usize {
        self.hue + self.saturation + self.value
    }

    /// The histogram of one RGB image `[3, h, w]` in `[0, 1]`.
    ///
    /// # Errors
    /// [`Error::NotRgb`] for other than 3 channels; [`Error::BadParam`] for a zero bin count.
    pub fn features(&self, image: ArrayView3<'_, f32>) -> Result<Vec<f32>> {
        for (name, bins) in [
            ("hue bins", self.hue),
            ("saturation bins", self.saturation),
            ("value bins", self.value),
        ] {
            if bins == 0 {
                return Err(Error::BadParam {
                    name,
                    expected: "at least 1",
                    value: 0,
                });
            }
        }
        let (c, h, w) = image.dim();
        if c != 3 {
            return Err(Error::NotRgb { channels: c });
        }
        let mut out = vec![0.0f32; self.dim()];
        let bin = |v: f32, bins: usize| ((v.clamp(0.0, 1.0) * bins as f32) as usize).min(bins - 1);
        for y in 0..h {
            for x in 0..w {
                let (hue, sat, val) = hsv(image[[0, y, x]], image[[1, y, x]], image[[2, y, x]]);
                out[bin(hue, self.hue)] += 1.0;
                out[self.hue + bin(sat, self.saturation)] += 1.0;
                out[self.hue + self.saturation + bin(val, self.value)] += 1.0;
            }
        }
        let n = (h * w).max(1) as f32;
        out.iter_mut().for_each(|v| *v /= n);
        Ok(out)
    }
}

/// Hue (in turns, `[0, 1)`), saturation and value of an RGB colour in `[0, 1]`.
fn hsv(r: f32, g: f32, b: f32) -> (f32, f32, f32) {
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let delta = max - min;
    let hue = if delta <= f32::EPSILON {
        0.0
    } else if max == r {
        ((g - b) / delta).rem_euclid(6.0) / 6.0
    } else if max == g {
        ((b - r) / delta + 2.0) / 6.0
    } else {
        ((r - g) / delta + 4.0) / 6.0
    };
    let sat = if max > 0.0 { delta / max } else { 0.0 };
    (hue, sat, max)
}

#[cfg(test)]
mod tests {
    use ndarray::Array3;

    use super::*;

    #[test]
    fn primary_colours_have_their_hues() {
        let close = |a: (f32, f32, f32), b: (f32, f32, f32)| {
            (a.0 - b.0).abs() < 1e-5 && (a.1 - b.1).abs() < 1e-5 && (a.2 - b.2).abs() < 1e-5
        };
        assert!(close(hsv(1.0, 0.0, 0.0), (0.0, 1.0, 1.0)));
        assert!(close(hsv(0.0, 1.0, 0.0), (1.0 / 3.0, 1.0, 1.0)));
        assert!(close(hsv(0.0, 0.0, 0.5), (2.0 / 3.0, 1.0, 0.5)));
        assert!(close(hsv(0.4, 0.4, 0.4), (0.0, 0.0, 0.4)));
    }

    #[test]
    fn histograms_sum_to_one_per_part_and_tell_colours_apart() -> Result<()> {
        let spec = HsvHistogram::default();
        let red = Array3::from_shape_fn((3, 4, 4), |(c, _, _)| if c == 0 { 0.9 } else { 0.1 });
        let blue = Array3::from_shape_fn((3, 4, 4), |(c, _, _)| if c == 2 { 0.9 } else { 0.1 });
        let (r, b) = (spec.features(red.view())?, spec.features(blue.view())?);
        assert_eq!(r.len(), spec.dim());
        let hue: f32 = r[..spec.hue].iter().sum();
        assert!((hue - 1.0).abs() < 1e-5);
        assert_ne!(r[..spec.hue], b[..spec.hue]);
        assert_eq!(r[spec.hue..], b[spec.hue..], "same saturation and value");
        let gray = Array3::<f32>::zeros((1, 4, 4));
        assert_eq!(
            spec.features(gray.view()),
            Err(Error::NotRgb { channels: 1 })
        );
        Ok(())
    }
}
