//! [`FeatureSpec`]: which features to compute for each image, and [`FeatureSpec::extract`]
//! over a batch of images.

use ndarray::{Array2, ArrayView4, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::anomaly::{self, Anomaly};
use crate::colour::HsvHistogram;
use crate::error::{Error, Result};
use crate::hog::Hog;
use crate::normalise::Normalise;
use crate::texture::Texture;

/// The features of an image: blocks (normalised pixels, HOG, HSV histogram, anomaly
/// descriptors), concatenated. Pixels, HOG and the histogram are each scaled to unit L2
/// norm so that no block outweighs another by its length; the anomaly descriptors, already
/// on a common scale, are divided by the square root of their number instead, which keeps
/// their geometry and gives the block a comparable weight.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureSpec {
    /// Normalisation of each image before the pixels and HOG blocks (not the colour
    /// histogram, which describes the raw colours).
    #[serde(default)]
    pub normalise: Normalise,
    /// The normalised pixels themselves.
    #[serde(default)]
    pub pixels: bool,
    /// Histograms of oriented gradients.
    #[serde(default)]
    pub hog: Option<Hog>,
    /// Colour histogram (RGB images only).
    #[serde(default)]
    pub hsv: Option<HsvHistogram>,
    /// Shape and polarity of what stands out of the image's background ([`Anomaly`]),
    /// computed on the raw image (it normalises robustly itself).
    #[serde(default)]
    pub anomaly: Option<Anomaly>,
    /// Texture statistics of the raw image ([`Texture`]): for tiles of physical fields.
    #[serde(default)]
    pub texture: Option<Texture>,
    /// Whiten the features over the dataset they are fitted on: after each is
    /// standardised, rotate them onto their principal axes and divide each axis by
    /// `√(λ + λ̄)`, its variance `λ` plus the mean variance `λ̄` (shrunk PCA whitening). Many
    /// features that all follow one strong property then weigh little more than one, so a
    /// weaker property that tells groups apart gets a say in the distances; the shrinkage
    /// keeps axes of almost no variance (noise) from being blown up to unit variance. Not
    /// done by [`FeatureSpec::extract`], which sees one batch: by whoever fits the scaling
    /// over the whole dataset (`mdec-pipeline`).
    #[serde(default)]
    pub whiten: bool,
}

impl FeatureSpec {
    /// The features of every image `[n, c, h, w]` (values in `[0, 1]`), `[n, d]`, computed in
    /// parallel.
    ///
    /// # Errors
    /// [`Error::Empty`] when no block is chosen, and the blocks' own errors (HOG settings
    /// that do not fit the size, a colour histogram of gray images).
    pub fn extract(&self, images: ArrayView4<'_, f32>) -> Result<Array2<f32>> {
        if !self.pixels
            && self.hog.is_none()
            && self.hsv.is_none()
            && self.anomaly.is_none()
            && self.texture.is_none()
        {
            return Err(Error::Empty);
        }
        let (n, c, h, w) = images.dim();
        // Check once, so that an error is not met n times in parallel.
        if let Some(hog) = &self.hog {
            hog.dim(h, w)?;
        }
        if let Some(anomaly) = &self.anomaly {
            anomaly.check()?;
        }
        if self.hsv.is_some() && c != 3 {
            return Err(Error::NotRgb { channels: c });
        }
        let rows: Vec<Vec<f32>> = (0..n)
            .into_par_iter()
            .map(|i| {
                let image = images.index_axis(Axis(0), i);
                let mut normalised = image.to_owned();
                self.normalise.apply(normalised.view_mut());
                let mut row = Vec::new();
                if self.pixels {
                    row.extend(unit(normalised.iter().copied().collect()));
                }
                if let Some(hog) = &self.hog {
                    row.extend(unit(hog.features(normalised.view())?));
                }
                if let Some(hsv) = &self.hsv {
                    row.extend(unit(hsv.features(image)?));
                }
                if let Some(anomaly) = &self.anomaly {
                    let scale = (anomaly::LEN as f32).sqrt().recip();
                    row.extend(anomaly.features(image).into_iter().map(|v| v * scale));
                }
                if let Some(texture) = &self.texture {
                    row.extend(texture.features(image));
                }
                Ok(row)
            })
            .collect::<Result<_>>()?;
        let d = rows.first().map_or(0, Vec::len);
        let flat: Vec<f32> = rows.into_iter().flatten().collect();
        Array2::from_shape_vec((n, d), flat).map_err(|_| Error::BadParam {
            name: "feature length",
            expected: "the same for every image",
            value: d,
        })
    }
}

/// `v` scaled to unit L2 norm (zeros stay zeros).
fn unit(mut v: Vec<f32>) -> Vec<f32> {
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    v
}
