//! New data through a saved model: [`model_dir`] finds the model, [`model_input`] turns
//! the images into what the model sees (its saved features, if it has any), [`check`]
//! checks the model against that, [`assign`] gives every sample its cluster, confidence and
//! soft assignment.

use std::path::{Path, PathBuf};

use mdec_ae::{AeModel, TorchScriptEncoder};
use mdec_cluster::{Assignments, ClusterMeta, Dec, EncoderOnly};
use mdec_data::Dataset;
use tch::Device;

use crate::error::{Error, Result};
use crate::features::Features;
use crate::layout::{ENCODER_FILE, RunLayout};

/// The model folder of a run folder (its `model/`) or of a model folder itself.
///
/// # Errors
/// [`Error::BadInput`] when neither holds a saved clustering model.
pub fn model_dir(path: &Path) -> Result<PathBuf> {
    for candidate in [RunLayout::new(path).model(), path.to_path_buf()] {
        if candidate.join(mdec_cluster::CLUSTER_JSON).is_file() {
            return Ok(candidate);
        }
    }
    Err(Error::BadInput(format!(
        "{}: no saved clustering model there (expected a run folder with model/, or a model folder with {})",
        path.display(),
        mdec_cluster::CLUSTER_JSON
    )))
}

/// What the model in `dir` sees of `data`: the images themselves, or the features it was
/// trained on ([`Features`]), with the same scaling.
///
/// # Errors
/// [`Error::BadInput`] and the features' errors when the images do not give the features
/// the model was fitted on.
pub fn model_input(dir: &Path, data: Dataset) -> Result<Dataset> {
    match Features::load(dir)? {
        Some(features) => features.transform(&data),
        None => Ok(data),
    }
}

/// The description of the model in `dir`, checked against `data` (see [`model_input`]).
///
/// # Errors
/// The model's errors for an unreadable description or data of another shape.
pub fn check(dir: &Path, data: &Dataset) -> Result<ClusterMeta> {
    let meta = ClusterMeta::read(dir)?;
    meta.check_input(dir, data.shape())?;
    Ok(meta)
}

/// Assigns `data` with the model in `dir` (see [`model_dir`] and [`check`]) on `device`; an
/// encoder-only model uses its `encoder.pt`, or `encoder` when given.
///
/// # Errors
/// [`Error::BadInput`] for an encoder-only model without its encoder; the model's errors for
/// data of another shape.
pub fn assign(
    dir: &Path,
    meta: &ClusterMeta,
    data: &Dataset,
    encoder: Option<&Path>,
    device: Device,
) -> Result<Assignments> {
    if dir.join(mdec_cluster::WEIGHTS_FILE).is_file() {
        let dec = Dec::<AeModel>::load_for(dir, device, data.shape())?;
        return Ok(dec.predict(data)?);
    }
    let script = match encoder {
        Some(path) => path.to_path_buf(),
        None => dir.join(ENCODER_FILE),
    };
    if !script.is_file() {
        return Err(Error::BadInput(format!(
            "{}: an encoder-only model without {ENCODER_FILE}: pass its TorchScript encoder with --encoder",
            dir.display()
        )));
    }
    let encoder = TorchScriptEncoder::load(&script, meta.input_shape, device)?;
    let dec = Dec::<EncoderOnly<TorchScriptEncoder>>::load(dir, encoder)?;
    Ok(dec.predict(data)?)
}
