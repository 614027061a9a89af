//! [`PretrainLayout`]: where pretraining writes its metrics table, checkpoints and best
//! model.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::pretrain::checkpoint::{BEST_DIR, CHECKPOINTS_DIR, list_checkpoints};

/// The folders pretraining writes into. [`PretrainLayout::in_dir`] (also what a bare path
/// converts to) puts everything in one output folder:
///
/// - `<out>/pretrain.csv`, `<out>/pretrain.parquet`: the metrics table;
/// - `<out>/checkpoints/epoch-NNNNN/`: the checkpoints;
/// - `<out>/best/`: the model of lowest monitored loss.
///
/// A run folder of the `mdec` command spreads them out instead:
///
/// ```
/// use mdec_ae::PretrainLayout;
/// let run = std::path::Path::new("runs/mnist");
/// let layout = PretrainLayout {
///     tables: run.join("metrics"),
///     checkpoints: run.join("checkpoints/pretrain"),
///     best: run.join("checkpoints/pretrain/best"),
/// };
/// assert_eq!(PretrainLayout::from(run).checkpoints, run.join("checkpoints"));
/// # let _ = layout;
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PretrainLayout {
    /// Folder of the metrics table, `pretrain.csv` and `pretrain.parquet`.
    pub tables: PathBuf,
    /// Folder of the `epoch-NNNNN` checkpoint folders.
    pub checkpoints: PathBuf,
    /// Folder of the model with the lowest monitored loss (may sit inside `checkpoints`).
    pub best: PathBuf,
}

impl PretrainLayout {
    /// Everything in `dir`: the table at the top, `checkpoints/` and `best/` inside.
    pub fn in_dir(dir: impl AsRef<Path>) -> Self {
        let dir = dir.as_ref();
        Self {
            tables: dir.to_path_buf(),
            checkpoints: dir.join(CHECKPOINTS_DIR),
            best: dir.join(BEST_DIR),
        }
    }

    /// The newest complete checkpoint, if any.
    ///
    /// # Errors
    /// [`Error::Io`](crate::Error::Io) if the checkpoints folder cannot be listed.
    pub fn latest_checkpoint(&self) -> Result<Option<PathBuf>> {
        Ok(list_checkpoints(&self.checkpoints)?.pop().map(|(_, p)| p))
    }
}

impl From<&Path> for PretrainLayout {
    fn from(dir: &Path) -> Self {
        Self::in_dir(dir)
    }
}

impl From<PathBuf> for PretrainLayout {
    fn from(dir: PathBuf) -> Self {
        Self::in_dir(dir)
    }
}

impl From<&PathBuf> for PretrainLayout {
    fn from(dir: &PathBuf) -> Self {
        Self::in_dir(dir)
    }
}

impl From<&str> for PretrainLayout {
    fn from(dir: &str) -> Self {
        Self::in_dir(dir)
    }
}

impl From<&PretrainLayout> for PretrainLayout {
    fn from(layout: &PretrainLayout) -> Self {
        layout.clone()
    }
}
