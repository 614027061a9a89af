//! Clustering checkpoints: a folder (`<out>/checkpoint/` by default, see
//! [`ClusterLayout`]) with `weights.safetensors` (encoder, decoder, centroids),
//! `optimizer.safetensors` (moments) and `state.json` (iteration, last assignment, rows,
//! scheduler) and `target.safetensors` (the method's state: DEC's target distribution P,
//! DeepCluster's pseudo-labels), replaced as a whole at every target update (with
//! [`mdec_data::atomic::replace_dir`]). A checkpoint written on a stop request between
//! two updates also holds the interval's loss sums.

use std::fs;
use std::path::{Path, PathBuf};

use mdec_ae::SchedulerState;
use mdec_metrics::Scores;
use serde::{Deserialize, Serialize};
use tch::Tensor;

use crate::error::{Error, Result};
use crate::params::DecParams;
use crate::train::report::IntervalRow;

/// Version of `state.json`.
pub const CHECKPOINT_VERSION: u32 = 1;
/// Folder of the checkpoint inside the output folder.
pub const CHECKPOINT_DIR: &str = "checkpoint";
const WEIGHTS: &str = "weights.safetensors";
const OPTIMIZER: &str = "optimizer.safetensors";
const TARGET: &str = "target.safetensors";
const STATE: &str = "state.json";

/// Where a clustering run writes: the metrics table (`cluster.csv`, `cluster.parquet`)
/// and its checkpoint folder. [`ClusterLayout::in_dir`] (also what a bare path converts
/// to) puts the table in the output folder and the checkpoint in `<out>/checkpoint/`.
///
/// ```
/// use mdec_cluster::ClusterLayout;
/// let run = std::path::Path::new("runs/mnist");
/// let layout = ClusterLayout {
///     tables: run.join("metrics"),
///     checkpoint: run.join("checkpoints/cluster"),
/// };
/// assert_eq!(ClusterLayout::from(run).checkpoint, run.join("checkpoint"));
/// assert!(layout.latest_checkpoint().is_none());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterLayout {
    /// Folder of the metrics table.
    pub tables: PathBuf,
    /// The checkpoint folder itself (replaced whole through the `.tmp.<name>` and
    /// `.tmp-old.<name>` siblings of [`mdec_data::atomic::replace_dir`]).
    pub checkpoint: PathBuf,
}

impl ClusterLayout {
    /// The table in `dir`, the checkpoint in `dir/checkpoint`.
    pub fn in_dir(dir: impl AsRef<Path>) -> Self {
        let dir = dir.as_ref();
        Self {
            tables: dir.to_path_buf(),
            checkpoint: dir.join(CHECKPOINT_DIR),
        }
    }

    /// The checkpoint folder, if it holds a complete checkpoint.
    pub fn latest_checkpoint(&self) -> Option<PathBuf> {
        self.checkpoint
            .join(STATE)
            .is_file()
            .then(|| self.checkpoint.clone())
    }
}

impl From<&Path> for ClusterLayout {
    fn from(dir: &Path) -> Self {
        Self::in_dir(dir)
    }
}

impl From<PathBuf> for ClusterLayout {
    fn from(dir: PathBuf) -> Self {
        Self::in_dir(dir)
    }
}

impl From<&PathBuf> for ClusterLayout {
    fn from(dir: &PathBuf) -> Self {
        Self::in_dir(dir)
    }
}

impl From<&ClusterLayout> for ClusterLayout {
    fn from(layout: &ClusterLayout) -> Self {
        layout.clone()
    }
}

/// Everything besides the tensors that a resumed run needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TrainState {
    pub format_version: u32,
    /// The iteration the checkpoint was taken at: an update, or (with `partial`) the
    /// batch a stop request came before.
    pub iteration: usize,
    /// Hard assignment at the last update.
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
    /// The loss sums of the interval in progress, for a checkpoint taken between updates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial: Option<PartialInterval>,
}

/// Loss sums over the batches since the last update (each term is `None` until it is
/// computed once).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PartialInterval {
    pub total: Option<f64>,
    pub reconstruction: Option<f64>,
    pub clustering: Option<f64>,
    pub balance: Option<f64>,
    pub steps: usize,
}

/// The checkpoint folder of an output folder laid out by [`ClusterLayout::in_dir`], if it
/// holds one.
pub fn latest_checkpoint(out_dir: &Path) -> Option<PathBuf> {
    ClusterLayout::in_dir(out_dir).latest_checkpoint()
}

pub(crate) struct CheckpointFiles {
    pub weights: PathBuf,
    pub optimizer: PathBuf,
    /// The method's state `[n, k]` (DEC's target distribution, DeepCluster's one-hot
    /// pseudo-labels), when it has one.
    pub target: Option<PathBuf>,
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
    let target = dir.join(TARGET);
    Ok(CheckpointFiles {
        weights: dir.join(WEIGHTS),
        optimizer: dir.join(OPTIMIZER),
        target: target.is_file().then_some(target),
        state,
    })
}

/// Reads the target distribution `[n, k]` written by [`write`].
pub(crate) fn read_target(path: &Path) -> Result<Tensor> {
    let mut named = Tensor::read_safetensors(path).map_err(|e| Error::Incompatible {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    match named.pop() {
        Some((_, p)) if named.is_empty() => Ok(p),
        _ => Err(Error::Incompatible {
            path: path.to_path_buf(),
            reason: "expected one tensor, the target distribution".into(),
        }),
    }
}

/// Writes a new checkpoint into a temporary sibling then swaps it in for `dir`
/// ([`mdec_data::atomic::replace_dir`]), so an interruption leaves the previous checkpoint
/// or the new one, never half of one.
pub(crate) fn write(
    dir: &Path,
    state: &TrainState,
    save_weights: impl FnOnce(&Path) -> Result<()>,
    save_optimizer: impl FnOnce(&Path) -> Result<()>,
    target: Option<&Tensor>,
) -> Result<PathBuf> {
    mdec_data::atomic::replace_dir(dir, |tmp: &Path| {
        save_weights(&tmp.join(WEIGHTS))?;
        save_optimizer(&tmp.join(OPTIMIZER))?;
        if let Some(p) = target {
            let host = p.f_to_device(tch::Device::Cpu)?;
            Tensor::write_safetensors(&[("target", &host)], tmp.join(TARGET))?;
        }
        let state_path = dir.join(STATE);
        let text = serde_json::to_string(state).map_err(|e| Error::json(&state_path, e))?;
        fs::write(tmp.join(STATE), text).map_err(|e| Error::io(&state_path, e))
    })?;
    Ok(dir.to_path_buf())
}
