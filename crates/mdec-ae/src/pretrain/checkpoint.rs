//! Training checkpoints: `<checkpoints>/epoch-NNNNN/` holding the model
//! (`model.safetensors`, `model.json`), the optimiser state (`optimizer.safetensors`) and
//! `training.json` (epoch, scheduler state, metrics rows, early-stopping state, and the
//! batch reached when a stop request interrupted an epoch). Each folder is written with
//! [`mdec_data::atomic::replace_dir`] (a temporary name, then a rename), so a checkpoint is
//! complete or absent.

use std::fs;
use std::path::{Path, PathBuf};

use mdec_data::atomic;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{AeModel, read_json, write_json_atomic};
use crate::optim::Optimizer;
use crate::pretrain::params::PretrainParams;
use crate::pretrain::train::EpochRow;
use crate::schedule::SchedulerState;

/// Folder, inside the output folder, that holds the checkpoints.
pub const CHECKPOINTS_DIR: &str = "checkpoints";
/// Optimiser state inside a checkpoint.
pub const OPTIMIZER_FILE: &str = "optimizer.safetensors";
/// Training state inside a checkpoint.
pub const TRAINING_JSON: &str = "training.json";
/// Folder, inside the output folder, with the model of lowest monitored loss.
pub const BEST_DIR: &str = "best";

/// Everything besides the weights that a resumed run needs (`training.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingState {
    /// Format version (1).
    pub format_version: u32,
    /// Epochs completed.
    pub epoch: usize,
    /// Optimiser steps taken (Adam's bias correction).
    pub optimizer_steps: i64,
    /// The scheduler's state (reduce-on-plateau).
    pub scheduler: SchedulerState,
    /// The metrics rows so far.
    pub rows: Vec<EpochRow>,
    /// Lowest monitored loss so far.
    pub best_loss: Option<f64>,
    /// Epoch (1-based) of the lowest monitored loss.
    pub best_epoch: usize,
    /// Epochs since the monitored loss last improved.
    pub bad_epochs: usize,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
    /// The settings the run was started with (for the record).
    pub params: PretrainParams,
    /// Batches of epoch `epoch + 1` already trained when a stop request interrupted it
    /// (0 at an epoch boundary).
    #[serde(default)]
    pub batch: usize,
    /// Sum of those batches' losses, each weighted by its batch size.
    #[serde(default)]
    pub partial_loss: f64,
    /// Samples in those batches.
    #[serde(default)]
    pub partial_samples: usize,
}

/// Writes `<dir>/epoch-NNNNN` atomically (replacing one of the same epoch count, e.g. the
/// epoch boundary before a mid-epoch stop) and removes all but the newest `keep`
/// checkpoints.
pub(crate) fn write_checkpoint(
    dir: &Path,
    model: &AeModel,
    optimizer: &Optimizer,
    state: &TrainingState,
    keep: usize,
) -> Result<PathBuf> {
    let target = dir.join(format!("epoch-{:05}", state.epoch));
    atomic::replace_dir(&target, |tmp: &Path| {
        model.save(tmp)?;
        optimizer.save_state(&tmp.join(OPTIMIZER_FILE))?;
        write_json_atomic(&tmp.join(TRAINING_JSON), state)
    })?;
    let all = list_checkpoints(dir)?;
    for (_, old) in all.iter().rev().skip(keep) {
        fs::remove_dir_all(old).map_err(|e| Error::io(old, e))?;
    }
    tracing::debug!(path = %target.display(), "checkpoint written");
    Ok(target)
}

/// Complete checkpoints in the checkpoints folder `dir`, oldest first, with their epoch.
pub(crate) fn list_checkpoints(dir: &Path) -> Result<Vec<(usize, PathBuf)>> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let epoch = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix("epoch-"))
            .and_then(|n| n.parse::<usize>().ok());
        if let Some(epoch) = epoch
            && path.join(TRAINING_JSON).is_file()
        {
            found.push((epoch, path));
        }
    }
    found.sort();
    Ok(found)
}

/// The newest complete checkpoint in an output folder laid out by
/// [`PretrainLayout::in_dir`](crate::PretrainLayout::in_dir) (`<out>/checkpoints/`), if
/// any; see [`PretrainLayout::latest_checkpoint`](crate::PretrainLayout::latest_checkpoint)
/// for other layouts.
///
/// # Errors
/// [`Error::Io`] if the checkpoints folder cannot be listed.
pub fn latest_checkpoint(out_dir: impl AsRef<Path>) -> Result<Option<PathBuf>> {
    Ok(list_checkpoints(&out_dir.as_ref().join(CHECKPOINTS_DIR))?
        .pop()
        .map(|(_, p)| p))
}

/// Reads a checkpoint's `training.json`.
///
/// # Errors
/// [`Error::Io`] / [`Error::Json`] if it is missing or malformed.
pub fn read_training_state(checkpoint: impl AsRef<Path>) -> Result<TrainingState> {
    read_json(&checkpoint.as_ref().join(TRAINING_JSON))
}
