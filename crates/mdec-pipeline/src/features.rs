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

/// A feature spec and the scaling fitted on a dataset: each feature's mean and standard
/// deviation, and with [`FeatureSpec::whiten`] the whitening axes.
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
    /// With [`FeatureSpec::whiten`]: one row per principal axis of the standardised
    /// features (largest variance first), divided by `√(λ + λ̄)`; the output is the
    /// standardised features times each row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub axes: Vec<Vec<f32>>,
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
        let mut features = Self {
            spec,
            mean,
            std,
            axes: Vec::new(),
        };
        let standardised = features.standardise(raw);
        if spec.whiten {
            features.axes = whitening_axes(&standardised)?;
        }
        let dataset = features.dataset(standardised, data)?;
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
        self.dataset(self.standardise(raw), data)
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

    /// `raw` with each feature standardised.
    fn standardise(&self, mut raw: Array2<f32>) -> Array2<f32> {
        for (mut column, (&mean, &std)) in raw
            .axis_iter_mut(Axis(1))
            .zip(self.mean.iter().zip(&self.std))
        {
            column.mapv_inplace(|v| (v - mean) / std);
        }
        raw
    }

    /// The dataset of `standardised` features (whitened when fitted so) of `data`.
    fn dataset(&self, standardised: Array2<f32>, data: &Dataset) -> Result<Dataset> {
        let scaled = if self.axes.is_empty() {
            standardised
        } else {
            let d = self.mean.len();
            let flat: Vec<f32> = self.axes.iter().flatten().copied().collect();
            let axes = Array2::from_shape_vec((self.axes.len(), d), flat).map_err(|_| {
                Error::BadInput(format!(
                    "whitening axes of other lengths than the {d} features: a damaged features file"
                ))
            })?;
            standardised.dot(&axes.t())
        };
        let (n, d) = scaled.dim();
        let images = scaled
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

/// The whitening axes of standardised features `z` (`[n, d]`): the eigenvectors of their
/// covariance, largest eigenvalue `λ` first, each divided by `√(λ + λ̄)`.
///
/// # Errors
/// [`Error::Ae`] when libtorch fails.
fn whitening_axes(z: &Array2<f32>) -> Result<Vec<Vec<f32>>> {
    let (n, d) = z.dim();
    let flat: Vec<f32> = z.iter().copied().collect();
    let z = tch::Tensor::from_slice(&flat)
        .view([n as i64, d as i64])
        .to_kind(tch::Kind::Double);
    let centred = &z - z.mean_dim(0, true, tch::Kind::Double);
    let covariance = centred.transpose(0, 1).matmul(&centred) / (n.max(1) as f64);
    let torch = |e: tch::TchError| Error::from(mdec_ae::Error::from(e));
    let (values, vectors) = covariance.f_linalg_eigh("L").map_err(torch)?;
    let values = Vec::<f64>::try_from(&values).map_err(torch)?;
    let vectors = Vec::<f64>::try_from(vectors.contiguous().view(-1)).map_err(torch)?;
    let shrink = values.iter().map(|v| v.max(0.0)).sum::<f64>() / d.max(1) as f64;
    // eigh gives ascending eigenvalues and the eigenvectors as columns.
    Ok((0..d)
        .rev()
        .map(|j| {
            let scale = (values[j].max(0.0) + shrink).sqrt().max(1e-12);
            (0..d)
                .map(|i| (vectors[i * d + j] / scale) as f32)
                .collect()
        })
        .collect())
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

    #[test]
    fn whitened_features_are_uncorrelated_and_the_strong_axes_shrunk() -> anyhow::Result<()> {
        let spec = FeatureSpec {
            texture: Some(mdec_features::Texture::default()),
            whiten: true,
            ..FeatureSpec::default()
        };
        let data = crops(40)?;
        let (features, dataset) = Features::fit(spec, &data)?;
        let d = dataset.shape().channels;
        assert!(d >= 2 && d == features.axes.len(), "{d} axes");
        let z = dataset.images().clone().into_shape_with_order((40, d))?;
        let covariance = z.t().dot(&z) / 40.0;
        for ((i, j), &c) in covariance.indexed_iter() {
            if i == j {
                // λ / (λ + λ̄): below 1, largest for the strongest axis, which comes first.
                assert!((0.0..1.0).contains(&c), "variance {c} of axis {i}");
                assert!(c <= covariance[[0, 0]] + 1e-4, "axis {i} before axis 0");
            } else {
                assert!(c.abs() < 1e-3, "covariance[{i}, {j}] = {c}");
            }
        }
        let dir = tempfile::tempdir()?;
        features.save(dir.path())?;
        let back = Features::load(dir.path())?.ok_or(anyhow::anyhow!("not saved"))?;
        let again = back.transform(&data)?;
        let most = (again.images() - dataset.images())
            .iter()
            .fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(most < 1e-4, "reloaded whitening differs by {most}");
        Ok(())
    }
}
