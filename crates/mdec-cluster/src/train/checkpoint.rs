//! Clustering checkpoints: `<out>/checkpoint/` with `weights.safetensors` (encoder,
//! decoder, centroids), `optimizer.safetensors` (moments) and `state.json` (iteration,
//! last assignment, rows, scheduler), replaced as a whole at every target update.

use std::fs;
use std::path::{Path, PathBuf};

use mdec_ae::SchedulerState;
use mdec_metrics::Scores;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::params::DecParams;
use crate::train::report::IntervalRow;

/// Version of `state.json`.
pub const CHECKPOINT_VERSION: u32 = 1;
/// Folder of the checkpoint inside the output folder.
pub const CHECKPOINT_DIR: &str = "checkpoint";
const WEIGHTS: &str = "weights.safetensors";
const OPTIMIZER: &str = "optimizer.safetensors";
const STATE: &str = "state.json";

/// Everything besides the tensors that a resumed run needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TrainState {
    pub format_version: u32,
    /// The update iteration the checkpoint was taken at.
    pub iteration: usize,
    /// Hard assignment at that update.
    pub last_labels: Vec<u32>,
    pub rows: Vec<IntervalRow>,
    pub kmeans_inertia: Option<f64>,
    pub init_scores: Option<Scores>,
    /// Whether the centroids were initialised (false during a reconstruction-only phase).
    pub initialised: bool,
    pub optimizer_steps: i64,
    pub scheduler: SchedulerState,
    pub n_samples: usize,
    pub params: DecParams,
}

/// The checkpoint folder of an output folder, if it holds one.
pub fn latest_checkpoint(out_dir: &Path) -> Option<PathBuf> {
    let dir = out_dir.join(CHECKPOINT_DIR);
    dir.join(STATE).is_file().then_some(dir)
}

pub(crate) struct CheckpointFiles {
    pub weights: PathBuf,
    pub optimizer: PathBuf,
    pub state: TrainState,
}

pub(crate) fn read(dir: &Path) -> Result<CheckpointFiles> {
    let path = dir.join(STATE);
    let text = fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let state: TrainState = serde_json::from_str(&text).map_err(|e| Error::json(&path, e))?;
    if state.format_version != CHECKPOINT_VERSION {
        return Err(Error::FormatVersion {
            path,
            version: state.format_version,
        });
    }
    Ok(CheckpointFiles {
        weights: dir.join(WEIGHTS),
        optimizer: dir.join(OPTIMIZER),
        state,
    })
}

/// Writes a new checkpoint into `<out>/checkpoint.tmp` then swaps it in, so an
/// interruption leaves the previous checkpoint or the new one, never half of one.
pub(crate) fn write(
    out_dir: &Path,
    state: &TrainState,
    save_weights: impl FnOnce(&Path) -> Result<()>,
    save_optimizer: impl FnOnce(&Path) -> Result<()>,
) -> Result<PathBuf> {
    let dir = out_dir.join(CHECKPOINT_DIR);
    let tmp = out_dir.join("checkpoint.tmp");
    let old = out_dir.join("checkpoint.old");
    for stale in [&tmp, &old] {
        if stale.exists() {
            fs::remove_dir_all(stale).map_err(|e| Error::io(stale, e))?;
        }
    }
    fs::create_dir_all(&tmp).map_err(|e| Error::io(&tmp, e))?;
    save_weights(&tmp.join(WEIGHTS))?;
    save_optimizer(&tmp.join(OPTIMIZER))?;
    let text = serde_json::to_string(state).map_err(|e| Error::json(tmp.join(STATE), e))?;
    fs::write(tmp.join(STATE), text).map_err(|e| Error::io(tmp.join(STATE), e))?;
    if dir.exists() {
        fs::rename(&dir, &old).map_err(|e| Error::io(&dir, e))?;
    }
    fs::rename(&tmp, &dir).map_err(|e| Error::io(&dir, e))?;
    if old.exists() {
        fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    }
    Ok(dir)
}
