//! Histograms of oriented gradients (Dalal & Triggs 2005) by `imageproc`, optionally pooled
//! over space so that the same defect gives the same features wherever it lies.

use image::GrayImage;
use imageproc::hog::{HogOptions, HogSpec, hog};
use ndarray::ArrayView3;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How block descriptors are pooled over the image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Pooling {
    /// Every block's descriptor, in place (position-dependent, Dalal & Triggs).
    None,
    /// Averaged over an `n × n` grid of image regions.
    Grid(usize),
    /// Averaged over the whole image, and the maximum of each bin: what is there, wherever
    /// it is.
    Global,
}

/// HOG settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Hog {
    /// Orientation bins. Default 9 (Dalal & Triggs).
    pub orientations: usize,
    /// Cell side in pixels; must divide the image sides. Default 8.
    pub cell_side: usize,
    /// Block side in cells (each block is L2-normalised). Default 2.
    pub block_side: usize,
    /// Pooling of the blocks. Default [`Pooling::Global`].
    pub pooling: Pooling,
}

impl Default for Hog {
    fn default() -> Self {
        Self {
            orientations: 9,
            cell_side: 8,
            block_side: 2,
            pooling: Pooling::Global,
        }
    }
}

impl Hog {
    fn options(&self) -> HogOptions {
        HogOptions::new(self.orientations, false, self.cell_side, self.block_side, 1)
    }

    /// The length of the features of an `h × w` image.
    ///
    /// # Errors
    /// [`Error::Hog`] when the settings do not fit the size; [`Error::BadParam`] for a
    /// zero-sized grid.
    pub fn dim(&self, height: usize, width: usize) -> Result<usize> {
        let spec = self.spec(height, width)?;
        let block = self.block_len();
        Ok(match self.pooling {
            Pooling::None => spec.descriptor_length(),
            Pooling::Grid(n) => n * n * block,
            Pooling::Global => 2 * block,
        })
    }

    fn block_len(&self) -> usize {
        self.orientations * self.block_side * self.block_side
    }

    fn spec(&self, height: usize, width: usize) -> Result<HogSpec> {
        if let Pooling::Grid(0) = self.pooling {
            return Err(Error::BadParam {
                name: "hog grid",
                expected: "at least 1",
                value: 0,
            });
        }
        HogSpec::from_options(width as u32, height as u32, self.options()).map_err(|reason| {
            Error::Hog {
                height,
                width,
                reason,
            }
        })
    }

    /// The features of one image `[c, h, w]` (channels averaged, values scaled to bytes by
    /// the image's own range).
    ///
    /// # Errors
    /// Those of [`Hog::dim`].
    pub fn features(&self, image: ArrayView3<'_, f32>) -> Result<Vec<f32>> {
        let (c, h, w) = image.dim();
        let gray = image.sum_axis(ndarray::Axis(0)) / c.max(1) as f32;
        let (lo, hi) = gray
            .iter()
            .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let scale = if hi > lo { 255.0 / (hi - lo) } else { 0.0 };
        let bytes: Vec<u8> = gray
            .iter()
            .map(|&v| ((v - lo) * scale).round().clamp(0.0, 255.0) as u8)
            .collect();
        let spec = self.spec(h, w)?;
        let pixels = GrayImage::from_raw(w as u32, h as u32, bytes).ok_or(Error::Hog {
            height: h,
            width: w,
            reason: "buffer size does not match the image".into(),
        })?;
        let descriptor = hog(&pixels, self.options()).map_err(|reason| Error::Hog {
            height: h,
            width: w,
            reason,
        })?;
        let block = self.block_len();
        // imageproc's layout: blocks row by row, each block's bins innermost.
        let blocks_wide = (w / self.cell_side + 1).saturating_sub(self.block_side);
        let blocks_high = descriptor.len() / block / blocks_wide.max(1);
        debug_assert_eq!(descriptor.len(), spec.descriptor_length());
        let at = |by: usize, bx: usize| &descriptor[(by * blocks_wide + bx) * block..][..block];
        Ok(match self.pooling {
            Pooling::None => descriptor,
            Pooling::Global => {
                let mut mean = vec![0.0f32; block];
                let mut max = vec![0.0f32; block];
                for by in 0..blocks_high {
                    for bx in 0..blocks_wide {
                        for (k, &v) in at(by, bx).iter().enumerate() {
                            mean[k] += v;
                            max[k] = max[k].max(v);
                        }
                    }
                }
                let count = (blocks_high * blocks_wide).max(1) as f32;
                mean.iter_mut().for_each(|v| *v /= count);
                mean.extend(max);
                mean
            }
            Pooling::Grid(n) => {
                let mut out = vec![0.0f32; n * n * block];
                let mut counts = vec![0usize; n * n];
                for by in 0..blocks_high {
                    for bx in 0..blocks_wide {
                        let region = (by * n / blocks_high) * n + bx * n / blocks_wide;
                        counts[region] += 1;
                        for (k, &v) in at(by, bx).iter().enumerate() {
                            out[region * block + k] += v;
                        }
                    }
                }
                for (region, &count) in counts.iter().enumerate() {
                    for v in &mut out[region * block..][..block] {
                        *v /= count.max(1) as f32;
                    }
                }
                out
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array3;

    use super::*;
    use crate::testing::distance;

    /// A bright bar, horizontal or vertical, at offset `at`.
    fn bar(vertical: bool, at: usize) -> Array3<f32> {
        Array3::from_shape_fn((1, 32, 32), |(_, y, x)| {
            let p = if vertical { x } else { y };
            if (at..at + 3).contains(&p) { 1.0 } else { 0.1 }
        })
    }

    #[test]
    fn global_pooling_sees_the_shape_wherever_it_lies() -> Result<()> {
        let hog = Hog::default();
        let (a, b) = (
            hog.features(bar(true, 4).view())?,
            hog.features(bar(true, 22).view())?,
        );
        let other = hog.features(bar(false, 10).view())?;
        assert_eq!(a.len(), hog.dim(32, 32)?);
        assert!(
            distance(&a, &b) < 0.5 * distance(&a, &other),
            "{a:?} {b:?} {other:?}"
        );
        let placed = Hog {
            pooling: Pooling::None,
            ..hog
        };
        assert_eq!(
            placed.features(bar(true, 4).view())?.len(),
            placed.dim(32, 32)?
        );
        let grid = Hog {
            pooling: Pooling::Grid(2),
            ..hog
        };
        assert_eq!(grid.features(bar(true, 4).view())?.len(), 4 * 36);
        Ok(())
    }

    #[test]
    fn settings_that_do_not_fit_are_errors() {
        let hog = Hog {
            cell_side: 7,
            ..Hog::default()
        };
        assert!(matches!(hog.dim(32, 32), Err(Error::Hog { .. })));
        let grid = Hog {
            pooling: Pooling::Grid(0),
            ..Hog::default()
        };
        assert!(matches!(grid.dim(32, 32), Err(Error::BadParam { .. })));
    }
}
