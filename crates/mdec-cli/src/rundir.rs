//! The run folder: one per run, never overwritten unless asked, every file written through a
//! temporary name and renamed.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use ndarray::Array2;

use crate::BadInput;
use crate::args::RunArgs;

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
        std::fs::create_dir_all(root.join("plots")).map_err(|e| {
            BadInput(format!(
                "{}: cannot create the output folder: {e}",
                root.display()
            ))
        })?;
        let probe = root.join(".write-test");
        std::fs::write(&probe, b"").map_err(|e| {
            BadInput(format!(
                "{}: the output folder is not writable: {e}",
                root.display()
            ))
        })?;
        std::fs::remove_file(&probe).ok();
        Ok(Self { root })
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
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
        let tmp = self.join(&format!("{relative}.tmp"));
        write(&tmp)?;
        std::fs::rename(&tmp, &path).with_context(|| format!("{}: cannot write", path.display()))
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
