//! Saving and loading a clustering model.
//!
//! A [`Dec<AeModel>`](crate::Dec) folder holds `model.safetensors` (every variable:
//! `encoder.*`, `decoder.*`, `cluster.centroids`), `model.json` (the autoencoder's
//! architecture, as `mdec-ae` writes it) and `cluster.json` ([`ClusterMeta`]: the checked
//! clustering settings). A [`Dec<EncoderOnly<E>>`](crate::EncoderOnly) folder holds
//! `centroids.safetensors` and `cluster.json`; its encoder is loaded apart (e.g. a
//! TorchScript file).

use std::fs;
use std::path::{Path, PathBuf};

use mdec_ae::{AeModel, Encoder, ImageShape};
use mdec_data::atomic;
use serde::{Deserialize, Serialize};
use tch::{Device, Tensor};

use crate::backbone::{Backbone, EncoderOnly};
use crate::error::{Error, Result};
use crate::layer::LAYER;
use crate::params::DecValidParams;
use crate::train::{Dec, load_variables};

/// Version of `cluster.json`.
pub const MODEL_VERSION: u32 = 1;
/// The clustering description inside a model folder.
pub const CLUSTER_JSON: &str = "cluster.json";
/// The weights of a [`Dec<AeModel>`](crate::Dec) folder (the autoencoder's file name).
pub const WEIGHTS_FILE: &str = mdec_ae::model::WEIGHTS_FILE;
/// The centroids of an encoder-only model folder.
pub const CENTROIDS_FILE: &str = "centroids.safetensors";

/// What `cluster.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterMeta {
    /// [`MODEL_VERSION`].
    pub format_version: u32,
    /// The checked clustering settings (validated again on load).
    pub params: DecValidParams,
    /// Size of the embedding the centroids live in.
    pub latent_dim: i64,
    /// The image shape the encoder takes.
    pub input_shape: ImageShape,
}

impl<B: Backbone> Dec<B> {
    /// The description written to `cluster.json`.
    pub fn meta(&self) -> ClusterMeta {
        ClusterMeta {
            format_version: MODEL_VERSION,
            params: self.params().clone(),
            latent_dim: self.backbone().latent_dim(),
            input_shape: self.backbone().input_shape(),
        }
    }

    fn write_meta(&self, dir: &Path) -> Result<()> {
        let path = dir.join(CLUSTER_JSON);
        let text = serde_json::to_string_pretty(&self.meta()).map_err(|e| Error::json(&path, e))?;
        atomic::write_file(&path, |tmp: &Path| {
            fs::write(tmp, &text).map_err(|e| Error::io(&path, e))
        })
    }
}

impl ClusterMeta {
    /// Reads `cluster.json` from a model folder (checking the settings and the format
    /// version), e.g. to learn the input shape before loading the weights.
    ///
    /// # Errors
    /// [`Error::Io`] / [`Error::Json`] / [`Error::FormatVersion`].
    pub fn read(dir: impl AsRef<Path>) -> Result<Self> {
        read_meta(dir.as_ref())
    }

    /// Checks that the model in `dir` (described by `self`) takes images of `shape`.
    ///
    /// # Errors
    /// [`Error::ModelShape`] naming the model folder and both shapes.
    pub fn check_input(&self, dir: impl AsRef<Path>, shape: ImageShape) -> Result<()> {
        if shape == self.input_shape {
            Ok(())
        } else {
            Err(Error::ModelShape {
                model: dir.as_ref().to_path_buf(),
                expected: self.input_shape,
                got: shape,
            })
        }
    }
}

fn read_meta(dir: &Path) -> Result<ClusterMeta> {
    let path = dir.join(CLUSTER_JSON);
    let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let meta: ClusterMeta = serde_json::from_str(&text).map_err(|e| Error::json(&path, e))?;
    if meta.format_version != MODEL_VERSION {
        return Err(Error::FormatVersion {
            path,
            version: meta.format_version,
        });
    }
    Ok(meta)
}

fn centroids_missing(path: PathBuf, missing: &[String]) -> Result<()> {
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::Incompatible {
            path,
            reason: format!("variables missing from the file: {missing:?}"),
        })
    }
}

impl Dec<AeModel> {
    /// Writes the model folder: `model.safetensors` (encoder, decoder, centroids),
    /// `model.json` and `cluster.json`.
    ///
    /// # Errors
    /// [`Error::Ae`] / [`Error::Io`] / [`Error::Json`] if a file cannot be written.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = dir.as_ref();
        self.backbone().save(dir)?;
        self.write_meta(dir)
    }

    /// Loads a folder written by [`Dec::save`] onto `device`; the reloaded model gives
    /// the same assignments.
    ///
    /// # Errors
    /// [`Error::Ae`] for the autoencoder's files, [`Error::Io`] / [`Error::Json`] /
    /// [`Error::FormatVersion`] for `cluster.json`, [`Error::Incompatible`] when the
    /// weights lack the centroids or do not fit.
    pub fn load(dir: impl AsRef<Path>, device: Device) -> Result<Self> {
        let dir = dir.as_ref();
        let meta = read_meta(dir)?;
        let model = AeModel::load(dir, device)?;
        if model.latent_dim() != meta.latent_dim || model.input_shape() != meta.input_shape {
            return Err(Error::Incompatible {
                path: dir.join(CLUSTER_JSON),
                reason: format!(
                    "cluster.json is for latent {} and {} images, model.json for latent {} and {} images",
                    meta.latent_dim,
                    meta.input_shape,
                    model.latent_dim(),
                    model.input_shape()
                ),
            });
        }
        let dec = Dec::new(model, meta.params)?;
        let weights = dir.join(WEIGHTS_FILE);
        let missing = load_variables(dec.backbone().var_store(), &weights)?;
        centroids_missing(weights, &missing)?;
        Ok(dec)
    }
}

impl Dec<AeModel> {
    /// [`Dec::load`] for data of `shape`: checks the model's input shape first, so that
    /// a model used on other data fails with an error naming it and both shapes.
    ///
    /// # Errors
    /// [`Error::ModelShape`] when the model takes another shape, and those of
    /// [`Dec::load`].
    pub fn load_for(dir: impl AsRef<Path>, device: Device, shape: ImageShape) -> Result<Self> {
        let dir = dir.as_ref();
        read_meta(dir)?.check_input(dir, shape)?;
        Self::load(dir, device)
    }
}

impl<E: Encoder> Dec<EncoderOnly<E>> {
    /// Writes `centroids.safetensors` (the centroids only) and `cluster.json`; the encoder,
    /// fine-tuned or not, is saved apart.
    ///
    /// # Errors
    /// [`Error::Torch`] / [`Error::Io`] / [`Error::Json`] if a file cannot be written.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let centroids: Vec<(String, Tensor)> = self
            .backbone()
            .var_store()
            .variables()
            .into_iter()
            .filter(|(name, _)| name.split('.').next() == Some(LAYER))
            .collect();
        atomic::write_file(dir.join(CENTROIDS_FILE), |tmp: &Path| {
            Tensor::write_safetensors(&centroids, tmp).map_err(Error::from)
        })?;
        self.write_meta(dir)
    }

    /// Loads a folder written by [`Dec::save`] around `encoder`.
    ///
    /// # Errors
    /// [`Error::Incompatible`] when the encoder's latent size or input shape differs
    /// from the saved ones, and those of reading the files.
    pub fn load(dir: impl AsRef<Path>, encoder: E) -> Result<Self> {
        let dir = dir.as_ref();
        let meta = read_meta(dir)?;
        if encoder.latent_dim() != meta.latent_dim || encoder.input_shape() != meta.input_shape {
            return Err(Error::Incompatible {
                path: dir.join(CLUSTER_JSON),
                reason: format!(
                    "saved for latent {} and {} images, the encoder has latent {} and takes {} images",
                    meta.latent_dim,
                    meta.input_shape,
                    encoder.latent_dim(),
                    encoder.input_shape()
                ),
            });
        }
        let dec = Dec::new(EncoderOnly::new(encoder), meta.params)?;
        let path = dir.join(CENTROIDS_FILE);
        let missing = load_variables(dec.backbone().var_store(), &path)?;
        centroids_missing(path, &missing)?;
        Ok(dec)
    }
}
