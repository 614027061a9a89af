//! Pixel scaling: min-max to `[0, 1]` and per-channel standardisation.
//!
//! Both are fitted on one set of images and return their statistics, which are
//! serialisable so that exactly the same transform can be applied to new data later.

use ndarray::{ArrayView4, ArrayViewMut4, Axis};
use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// Min-max scaling `x ↦ (x - min) / (max - min)`, over all channels together.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MinMax {
    /// The value mapped to 0.
    pub min: f32,
    /// The value mapped to 1.
    pub max: f32,
}

impl MinMax {
    /// Finds the smallest and largest value (`0, 1` for empty images, so `apply` is a no-op).
    pub fn fit(images: ArrayView4<'_, f32>) -> Self {
        if images.is_empty() {
            return Self { min: 0.0, max: 1.0 };
        }
        let (min, max) = images
            .iter()
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        Self { min, max }
    }

    /// Scales in place; a constant input (`max == min`) becomes all zeros.
    pub fn apply(&self, mut images: ArrayViewMut4<'_, f32>) {
        let range = self.max - self.min;
        let scale = if range > 0.0 { 1.0 / range } else { 0.0 };
        let min = self.min;
        images.mapv_inplace(|v| (v - min) * scale);
    }
}

/// Per-channel standardisation `x ↦ (x - mean[c]) / std[c]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardize {
    /// Mean of each channel.
    pub mean: Vec<f32>,
    /// Standard deviation of each channel (a zero deviation is stored as 1).
    pub std: Vec<f32>,
}

impl Standardize {
    /// Computes each channel's mean and population standard deviation (in `f64`).
    pub fn fit(images: ArrayView4<'_, f32>) -> Self {
        let channels = images.len_of(Axis(1));
        let mut mean = Vec::with_capacity(channels);
        let mut std = Vec::with_capacity(channels);
        for c in 0..channels {
            let plane = images.index_axis(Axis(1), c);
            let n = plane.len().max(1) as f64;
            let (s, ss) = plane.iter().fold((0f64, 0f64), |(s, ss), &v| {
                let v = f64::from(v);
                (s + v, ss + v * v)
            });
            let m = s / n;
            let sd = (ss / n - m * m).max(0.0).sqrt();
            mean.push(m as f32);
            std.push(if sd > 0.0 { sd as f32 } else { 1.0 });
        }
        Self { mean, std }
    }

    /// Standardises in place.
    ///
    /// # Errors
    /// [`Error::ChannelMismatch`] if the images have a different number of channels.
    pub fn apply(&self, mut images: ArrayViewMut4<'_, f32>) -> Result<()> {
        self.check(images.len_of(Axis(1)))?;
        for (c, mut plane) in images.axis_iter_mut(Axis(1)).enumerate() {
            let (m, inv) = (self.mean[c], 1.0 / self.std[c]);
            plane.mapv_inplace(|v| (v - m) * inv);
        }
        Ok(())
    }

    /// Undoes [`Standardize::apply`] in place (e.g. to show reconstructions).
    ///
    /// # Errors
    /// [`Error::ChannelMismatch`] if the images have a different number of channels.
    pub fn invert(&self, mut images: ArrayViewMut4<'_, f32>) -> Result<()> {
        self.check(images.len_of(Axis(1)))?;
        for (c, mut plane) in images.axis_iter_mut(Axis(1)).enumerate() {
            let (m, s) = (self.mean[c], self.std[c]);
            plane.mapv_inplace(|v| v * s + m);
        }
        Ok(())
    }

    fn check(&self, channels: usize) -> Result<()> {
        if self.mean.len() == channels && self.std.len() == channels {
            Ok(())
        } else {
            Err(Error::ChannelMismatch {
                expected: self.mean.len(),
                got: channels,
            })
        }
    }
}

impl Dataset {
    /// Scales the pixels to `[0, 1]` by min-max and returns the statistics used.
    pub fn scale_min_max(&mut self) -> MinMax {
        let mm = MinMax::fit(self.images().view());
        mm.apply(self.images_mut());
        mm
    }

    /// Standardises each channel to mean 0, deviation 1 and returns the statistics used,
    /// to apply to other data with [`Standardize::apply`].
    pub fn standardize(&mut self) -> Standardize {
        let st = Standardize::fit(self.images().view());
        // Channel counts match by construction.
        let _ = st.apply(self.images_mut());
        st
    }
}
