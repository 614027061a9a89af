//! [`Features`]: hand-made features (`mdec-features`) as the model's input, standardised
//! over the dataset they were fitted on. A run fits them, trains on them and saves them
//! beside the model (`model/features.json`), so that `mdec predict` turns new images into
//! the same features with the same scaling.

use std::path::Path;

use mdec_data::Dataset;
use mdec_features::FeatureSpec;
use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::layout::{read_json, write_json};

/// The file of a model folder that holds its [`Features`].
pub const FEATURES_FILE: &str = "features.json";

/// A feature spec and the per-feature mean and standard deviation of the data it was fitted
/// on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Features {
    /// What is computed from each image.
    pub spec: FeatureSpec,
    /// Each feature's mean over the fitted data.
    pub mean: Vec<f32>,
    /// Each feature's standard deviation over the fitted data (floored, so a constant
    /// feature stays 0).
    pub std: Vec<f32>,
}

impl Features {
    /// Computes `spec`'s features of `data` and fits their scaling; returns the fitted
    /// features and the standardised feature dataset (`[n, d, 1, 1]`, with `data`'s labels
    /// and names).
    ///
    /// # Errors
    /// [`Error::Features`] when the spec does not fit the images.
    pub fn fit(spec: FeatureSpec, data: &Dataset) -> Result<(Self, Dataset)> {
        let raw = spec.extract(data.images().view())?;
        let mean = raw.mean_axis(Axis(0)).map_or_else(Vec::new, |m| m.to_vec());
        let std = raw
            .std_axis(Axis(0), 0.0)
            .iter()
            .map(|s| s.max(1e-6))
            .collect();
        let features = Self { spec, mean, std };
        let dataset = features.dataset(raw, data)?;
        Ok((features, dataset))
    }

    /// The standardised features of `data` (`[n, d, 1, 1]`, with its labels and names).
    ///
    /// # Errors
    /// [`Error::Features`] when the spec does not fit the images.
    pub fn transform(&self, data: &Dataset) -> Result<Dataset> {
        let raw = self.spec.extract(data.images().view())?;
        if raw.ncols() != self.mean.len() {
            return Err(Error::BadInput(format!(
                "the images give {} features, the model was fitted on {}: images of another size or kind",
                raw.ncols(),
                self.mean.len()
            )));
        }
        self.dataset(raw, data)
    }

    /// Reads the features saved in the model folder `dir`; `None` when the model takes
    /// images.
    ///
    /// # Errors
    /// [`Error::Io`] and [`Error::Json`] for a file that cannot be read.
    pub fn load(dir: &Path) -> Result<Option<Self>> {
        let path = dir.join(FEATURES_FILE);
        if path.is_file() {
            read_json(&path).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Saves the features into the model folder `dir`.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be written.
    pub fn save(&self, dir: &Path) -> Result<()> {
        write_json(&dir.join(FEATURES_FILE), self)
    }

    fn dataset(&self, mut raw: Array2<f32>, data: &Dataset) -> Result<Dataset> {
        for (mut column, (&mean, &std)) in raw
            .axis_iter_mut(Axis(1))
            .zip(self.mean.iter().zip(&self.std))
        {
            column.mapv_inplace(|v| (v - mean) / std);
        }
        let (n, d) = raw.dim();
        let images = raw
            .into_shape_with_order((n, d, 1, 1))
            .map_err(|e| Error::BadInput(format!("features of shape {n}×{d}: {e}")))?;
        let mut dataset = Dataset::new(images);
        if let Some(labels) = data.labels() {
            dataset = dataset.with_labels(labels.to_vec())?;
        }
        if let Some(names) = data.names() {
            dataset = dataset.with_names(names.to_vec())?;
        }
        if let Some(classes) = data.class_names() {
            dataset = dataset.with_class_names(classes.to_vec())?;
        }
        Ok(dataset)
    }
}

#[cfg(test)]
mod tests {
    use mdec_features::Anomaly;
    use ndarray::Array4;

    use super::*;

    /// Gray 32×32 images: a dark vertical line or a bright disc, at different places.
    fn crops(n: usize) -> anyhow::Result<Dataset> {
        let images = Array4::from_shape_fn((n, 1, 32, 32), |(i, _, y, x)| {
            let at = 8 + (i * 5) % 16;
            let grain = ((x * 31 + y * 17 + i * 7) % 13) as f32 / 13.0 * 0.04;
            let defect = if i % 2 == 0 {
                if x == at && (6..26).contains(&y) {
                    -0.4
                } else {
                    0.0
                }
            } else if (y as f32 - at as f32).powi(2) + (x as f32 - 16.0).powi(2) < 9.0 {
                0.4
            } else {
                0.0
            };
            0.5 + grain + defect
        });
        Ok(Dataset::new(images).with_labels((0..n).map(|i| i % 2).collect())?)
    }

    #[test]
    fn fitted_features_are_standardised_and_saved_for_new_data() -> anyhow::Result<()> {
        let spec = FeatureSpec {
            anomaly: Some(Anomaly::default()),
            ..FeatureSpec::default()
        };
        let data = crops(12)?;
        let (features, dataset) = Features::fit(spec, &data)?;
        assert_eq!(dataset.len(), 12);
        assert_eq!(dataset.labels(), data.labels());
        let d = dataset.shape().channels;
        assert_eq!((dataset.shape().height, dataset.shape().width), (1, 1));
        let table = dataset.images().clone().into_shape_with_order((12, d))?;
        for column in table.axis_iter(Axis(1)) {
            let mean = column.mean().unwrap_or(f32::NAN);
            assert!(mean.abs() < 1e-4, "{mean}");
        }
        let dir = tempfile::tempdir()?;
        features.save(dir.path())?;
        let back = Features::load(dir.path())?.ok_or(anyhow::anyhow!("not saved"))?;
        assert_eq!(back, features);
        assert_eq!(back.transform(&data)?.images(), dataset.images());
        assert_eq!(Features::load(&dir.path().join("none"))?, None);
        Ok(())
    }
}
