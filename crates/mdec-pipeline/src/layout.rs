//! The run folder: one per run, never overwritten unless asked, every file written through a
//! temporary name and renamed.
//!
//! ```text
//! config.json                 resolved settings, input, versions, seed, device
//! metrics/pretrain.{csv,parquet}, metrics/cluster.{csv,parquet}, metrics/summary.json
//! checkpoints/pretrain/epoch-NNNNN/, checkpoints/pretrain/best/, checkpoints/cluster/
//! model/                      the final model
//! assignments.{csv,parquet}, embeddings.npy, plots/, report.md, events.jsonl
//! ```

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use mdec_ae::PretrainLayout;
use mdec_cluster::ClusterLayout;
use ndarray::Array2;

use crate::BadInput;
use crate::args::RunArgs;

/// Folder of the metrics tables and `summary.json`.
pub const METRICS: &str = "metrics";
/// Folder of the pretraining and clustering checkpoints.
pub const CHECKPOINTS: &str = "checkpoints";
/// Folder of the final model.
pub const MODEL: &str = "model";
/// What the training commands found out that the tables do not hold (timings, stop
/// reason, initial scores): read back by `mdec report`.
pub const SUMMARY: &str = "metrics/summary.json";

/// A prepared run folder.
pub struct RunDir {
    root: PathBuf,
}

impl RunDir {
    /// Creates (or, with `--resume`, reopens; with `--force`, replaces) the run folder.
    pub fn prepare(args: &RunArgs, name: &str) -> Result<Self> {
        let root = args.out.clone().unwrap_or_else(|| {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            PathBuf::from(format!("runs/{name}-{secs}"))
        });
        let exists = root
            .read_dir()
            .is_ok_and(|mut entries| entries.next().is_some());
        match (exists, args.resume, args.force) {
            (true, false, false) => {
                return Err(BadInput(format!(
                    "{}: the run folder exists: pass --resume to continue that run or --force to replace it",
                    root.display()
                ))
                .into());
            }
            (true, false, true) => std::fs::remove_dir_all(&root)
                .with_context(|| format!("{}: cannot remove the old run", root.display()))?,
            (false, true, _) => {
                return Err(BadInput(format!("{}: no run to resume there", root.display())).into());
            }
            _ => {}
        }
        writable_folder(&root)?;
        let plots = root.join("plots");
        std::fs::create_dir_all(&plots)
            .with_context(|| format!("{}: cannot create", plots.display()))?;
        let run = Self { root };
        if args.resume {
            run.remove_stale_temporaries();
        }
        Ok(run)
    }

    /// Removes what a killed run left half-written (`*.tmp` files and folders in the run
    /// folder, `metrics/` and `plots/`); the checkpoint writers clear their own.
    fn remove_stale_temporaries(&self) {
        for dir in [self.root.clone(), self.join(METRICS), self.join("plots")] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "tmp") {
                    tracing::debug!(path = %path.display(), "removing a stale temporary file");
                    let removed = if path.is_dir() {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                    if let Err(e) = removed {
                        tracing::warn!(path = %path.display(), error = %e, "cannot remove a stale temporary file");
                    }
                }
            }
        }
    }

    /// An existing run folder, to read (and re-draw) without training.
    pub fn open(root: &Path) -> Result<Self> {
        if !root.join("config.json").is_file() {
            return Err(BadInput(format!(
                "{}: not a run folder (no config.json)",
                root.display()
            ))
            .into());
        }
        Ok(Self {
            root: root.to_path_buf(),
        })
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where pretraining writes: `metrics/pretrain.*`, `checkpoints/pretrain/`.
    pub fn pretrain_layout(&self) -> PretrainLayout {
        let checkpoints = self.root.join(CHECKPOINTS).join("pretrain");
        PretrainLayout {
            tables: self.root.join(METRICS),
            best: checkpoints.join("best"),
            checkpoints,
        }
    }

    /// Where clustering writes: `metrics/cluster.*`, `checkpoints/cluster/`.
    pub fn cluster_layout(&self) -> ClusterLayout {
        ClusterLayout {
            tables: self.root.join(METRICS),
            checkpoint: self.root.join(CHECKPOINTS).join("cluster"),
        }
    }

    /// A path inside the run folder.
    pub fn join(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    /// Writes a file through a temporary name, then renames it into place.
    pub fn write_atomic(
        &self,
        relative: &str,
        write: impl FnOnce(&Path) -> Result<()>,
    ) -> Result<()> {
        let path = self.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{}: cannot create", parent.display()))?;
        }
        write_atomic(&path, write)
    }

    /// Writes pretty JSON atomically.
    pub fn write_json(&self, relative: &str, value: &serde_json::Value) -> Result<()> {
        let text = serde_json::to_string_pretty(value)?;
        self.write_atomic(relative, |tmp| {
            std::fs::write(tmp, text).with_context(|| format!("{}: cannot write", tmp.display()))
        })
    }

    /// Writes an `f32` matrix as `.npy` atomically.
    pub fn write_npy(&self, relative: &str, array: &Array2<f32>) -> Result<()> {
        self.write_atomic(relative, |tmp| {
            ndarray_npy::write_npy(tmp, array)
                .with_context(|| format!("{}: cannot write", tmp.display()))
        })
    }
}

/// Writes `path` through `<path>.tmp` in the same folder, then renames it into place; on
/// failure the temporary file is removed, so `path` is complete or untouched.
pub fn write_atomic(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let mut name = path.as_os_str().to_owned();
    name.push(".tmp");
    let tmp = PathBuf::from(name);
    let result = write(&tmp).and_then(|()| {
        std::fs::rename(&tmp, path).with_context(|| format!("{}: cannot write", path.display()))
    });
    if result.is_err() {
        std::fs::remove_file(&tmp).ok();
    }
    result
}

/// Checks, before any work, that `path` can be written: its folder exists (or is created)
/// and takes a file, and `path` does not exist unless `force`.
pub fn check_output_file(path: &Path, force: bool) -> Result<()> {
    if path.exists() && !force {
        return Err(BadInput(format!(
            "{}: exists: pass --force to replace it",
            path.display()
        ))
        .into());
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    writable_folder(&parent)
}

/// Creates `dir` if needed and checks that a file can be written in it: a bad output folder
/// is a [`BadInput`] before any work is done.
fn writable_folder(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        BadInput(format!(
            "{}: cannot create the output folder: {e}",
            dir.display()
        ))
    })?;
    let probe = dir.join(format!(".mdec-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| {
        BadInput(format!(
            "{}: the output folder is not writable: {e}",
            dir.display()
        ))
    })?;
    std::fs::remove_file(&probe).ok();
    Ok(())
}
