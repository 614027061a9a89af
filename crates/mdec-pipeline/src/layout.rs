//! [`RunLayout`]: every path of a run folder, in one place. Pretraining, clustering, the
//! report, `predict` and `eval` all name files through it.
//!
//! ```text
//! config.json                    resolved settings, input, versions, seed, device (RunConfig)
//! events.jsonl                   the typed event stream, one JSON record a line
//! log.jsonl                      the tracing log (warnings included), when a front end keeps one
//! metrics/pretrain.{csv,parquet} per epoch
//! metrics/cluster.{csv,parquet}  per target update
//! metrics/summary.json           timings, how each phase ended, the scores after k-means
//! checkpoints/pretrain/epoch-NNNNN/, checkpoints/pretrain/best/, checkpoints/cluster/
//! model/                         the final model (encoder.pt for a TorchScript encoder)
//! assignments.{csv,parquet}, embeddings.npy
//! maps/                          tiles and crops: per input a cluster map (.npy) and an overlay (.png)
//! frames/                        what the embedding animation is drawn from, one file per update
//! plots/                         the figures, plots/embedding.gif, plots/montages/
//! report.md
//! ```

use std::path::{Path, PathBuf};

use mdec_ae::PretrainLayout;
use mdec_cluster::ClusterLayout;
use ndarray::Array2;
use serde::Serialize;

use crate::error::{Error, Result};

/// Every path of one run folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunLayout {
    root: PathBuf,
}

/// How [`RunLayout::prepare`] treats a folder that already holds a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FolderMode {
    /// The folder must be empty or absent.
    New,
    /// Replace an existing run.
    Replace,
    /// Continue the run in the folder (it must hold one).
    Resume,
}

impl RunLayout {
    /// The layout of the run folder `root` (nothing is checked or created).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// An existing run folder, to read (and re-draw) without training.
    ///
    /// # Errors
    /// [`Error::BadInput`] when `root` holds no `config.json`.
    pub fn open(root: &Path) -> Result<Self> {
        let layout = Self::new(root);
        if !layout.config().is_file() {
            return Err(Error::BadInput(format!(
                "{}: not a run folder (no config.json)",
                root.display()
            )));
        }
        Ok(layout)
    }

    /// Creates (or, with [`FolderMode::Resume`], reopens; with [`FolderMode::Replace`],
    /// replaces) the run folder; a resumed folder loses what a killed run left half-written.
    ///
    /// # Errors
    /// [`Error::BadInput`] when the folder holds a run and `mode` is [`FolderMode::New`],
    /// holds none to resume, or cannot be written.
    pub fn prepare(root: &Path, mode: FolderMode) -> Result<Self> {
        let exists = root
            .read_dir()
            .is_ok_and(|mut entries| entries.next().is_some());
        match (exists, mode) {
            (true, FolderMode::New) => {
                return Err(Error::BadInput(format!(
                    "{}: the run folder exists: pass --resume to continue that run or --force to replace it",
                    root.display()
                )));
            }
            (true, FolderMode::Replace) => {
                std::fs::remove_dir_all(root)
                    .map_err(|e| Error::io(root, "cannot remove the old run", e))?;
            }
            (false, FolderMode::Resume) => {
                return Err(Error::BadInput(format!(
                    "{}: no run to resume there",
                    root.display()
                )));
            }
            _ => {}
        }
        writable_folder(root)?;
        let layout = Self::new(root);
        let plots = layout.plots();
        std::fs::create_dir_all(&plots).map_err(|e| Error::io(&plots, "cannot create", e))?;
        if mode == FolderMode::Resume {
            layout.remove_stale_temporaries();
        }
        Ok(layout)
    }

    /// Removes what a killed run left half-written (temporaries in the run folder,
    /// `metrics/`, `frames/` and `plots/`); the checkpoint writers clear their own.
    fn remove_stale_temporaries(&self) {
        for dir in [
            self.root.clone(),
            self.metrics(),
            self.frames(),
            self.plots(),
        ] {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if mdec_data::atomic::is_temp(&path) {
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

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `config.json`: the run's [`RunConfig`](crate::RunConfig).
    pub fn config(&self) -> PathBuf {
        self.root.join("config.json")
    }

    /// `events.jsonl`: one [`Record`](crate::Record) a line.
    pub fn events(&self) -> PathBuf {
        self.root.join("events.jsonl")
    }

    /// `log.jsonl`: the tracing log a front end keeps beside the events.
    pub fn log(&self) -> PathBuf {
        self.root.join("log.jsonl")
    }

    /// `metrics/`: the tables and the summary.
    pub fn metrics(&self) -> PathBuf {
        self.root.join("metrics")
    }

    /// `metrics/summary.json`: the [`RunSummary`](crate::RunSummary).
    pub fn summary(&self) -> PathBuf {
        self.metrics().join("summary.json")
    }

    /// `metrics/pretrain.parquet` (and `.csv` beside it).
    pub fn pretrain_table(&self) -> PathBuf {
        self.metrics()
            .join(format!("{}.parquet", mdec_ae::pretrain::TABLE_STEM))
    }

    /// `metrics/cluster.parquet` (and `.csv` beside it).
    pub fn cluster_table(&self) -> PathBuf {
        self.metrics()
            .join(format!("{}.parquet", mdec_cluster::TABLE_STEM))
    }

    /// `metrics/k_choice.parquet` (and `.csv` beside it): the scores of each candidate k
    /// when the run chose k.
    pub fn k_choice_table(&self) -> PathBuf {
        self.metrics().join(format!("{}.parquet", Self::K_CHOICE))
    }

    /// The stem of the k-choice table.
    pub const K_CHOICE: &'static str = "k_choice";

    /// `checkpoints/`.
    pub fn checkpoints(&self) -> PathBuf {
        self.root.join("checkpoints")
    }

    /// Where pretraining writes: `metrics/pretrain.*`, `checkpoints/pretrain/`.
    pub fn pretrain_layout(&self) -> PretrainLayout {
        let checkpoints = self.checkpoints().join("pretrain");
        PretrainLayout {
            tables: self.metrics(),
            best: checkpoints.join("best"),
            checkpoints,
        }
    }

    /// Where clustering writes: `metrics/cluster.*`, `checkpoints/cluster/`.
    pub fn cluster_layout(&self) -> ClusterLayout {
        ClusterLayout {
            tables: self.metrics(),
            checkpoint: self.checkpoints().join("cluster"),
        }
    }

    /// `model/`: the final model.
    pub fn model(&self) -> PathBuf {
        self.root.join("model")
    }

    /// `model/encoder.pt`: the TorchScript encoder of an encoder-only model.
    pub fn model_encoder(&self) -> PathBuf {
        self.model().join(ENCODER_FILE)
    }

    /// The assignments table stem: `assignments.csv` and `assignments.parquet`.
    pub const ASSIGNMENTS: &'static str = "assignments";

    /// `assignments.parquet` (and `.csv` beside it).
    pub fn assignments(&self) -> PathBuf {
        self.root.join(format!("{}.parquet", Self::ASSIGNMENTS))
    }

    /// `embeddings.npy`: the final embeddings.
    pub fn embeddings(&self) -> PathBuf {
        self.root.join("embeddings.npy")
    }

    /// `frames/`: what `plots/embedding.gif` is drawn from: the first update's embeddings
    /// (`basis.npy`) and each update's 2-D points (`update-NNNNNNNNN.npy`).
    pub fn frames(&self) -> PathBuf {
        self.root.join("frames")
    }

    /// `maps/`: per input of tiles or crops, its cluster maps and overlay
    /// ([`crate::maps`]).
    pub fn maps(&self) -> PathBuf {
        self.root.join("maps")
    }

    /// `plots/`.
    pub fn plots(&self) -> PathBuf {
        self.root.join("plots")
    }

    /// `report.md`.
    pub fn report(&self) -> PathBuf {
        self.root.join("report.md")
    }

    /// `report.html`: the report with every figure embedded, to open offline.
    pub fn report_html(&self) -> PathBuf {
        self.root.join("report.html")
    }

    /// `cluster_names.json`: names given to the clusters (`mdec export --names`).
    pub fn cluster_names(&self) -> PathBuf {
        self.root.join("cluster_names.json")
    }

    /// A path inside the run folder.
    pub fn join(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.root.join(relative)
    }

    /// The pictures (PNG, GIF) in `folder` of the run folder, by name, sorted; files still
    /// being written are left out.
    pub fn pictures(&self, folder: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.root.join(folder))
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|n| n.ends_with(".png") || n.ends_with(".gif"))
            .filter(|n| !mdec_data::atomic::is_temp(Path::new(n)))
            .collect();
        names.sort();
        names
    }
}

/// The TorchScript encoder a `--encoder` clustering keeps inside its model folder.
pub const ENCODER_FILE: &str = "encoder.pt";

/// Writes `path` atomically (creating its folder), with I/O errors naming it.
pub(crate) fn write_file(
    path: &Path,
    write: impl FnOnce(&Path) -> std::io::Result<()>,
) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, "cannot create", e))?;
    }
    mdec_data::atomic::write_file(path, |tmp| {
        write(tmp).map_err(|e| Error::io(path, "cannot write", e))
    })
}

/// Fills a temporary folder beside `dir` with `fill`, then replaces `dir` whole by it.
pub(crate) fn replace_dir(dir: &Path, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    mdec_data::atomic::replace_dir(dir, fill)
}

/// Writes `value` as pretty JSON to `path` atomically.
pub(crate) fn write_json(path: &Path, value: &impl Serialize) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::Json {
        path: path.to_path_buf(),
        source: e,
    })?;
    write_file(path, |tmp| std::fs::write(tmp, &text))
}

/// Writes a matrix as `.npy` to `path` atomically.
pub(crate) fn write_npy<A: ndarray_npy::WritableElement>(
    path: &Path,
    array: &Array2<A>,
) -> Result<()> {
    write_file(path, |tmp| {
        ndarray_npy::write_npy(tmp, array).map_err(std::io::Error::other)
    })
}

/// Reads JSON of type `T` from `path`.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "cannot read", e))?;
    serde_json::from_str(&text).map_err(|e| Error::Json {
        path: path.to_path_buf(),
        source: e,
    })
}

/// Checks, before any work, that `path` can be written: its folder exists (or is created)
/// and takes a file, and `path` does not exist unless `force`.
///
/// # Errors
/// [`Error::BadInput`] naming the path and the problem.
pub fn check_output_file(path: &Path, force: bool) -> Result<()> {
    if path.exists() && !force {
        return Err(Error::BadInput(format!(
            "{}: exists: pass --force to replace it",
            path.display()
        )));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    writable_folder(&parent)
}

/// Creates `dir` if needed and checks that a file can be written in it.
fn writable_folder(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Error::BadInput(format!(
            "{}: cannot create the output folder: {e}",
            dir.display()
        ))
    })?;
    let probe = dir.join(format!(".mdec-write-test-{}", std::process::id()));
    std::fs::write(&probe, b"").map_err(|e| {
        Error::BadInput(format!(
            "{}: the output folder is not writable: {e}",
            dir.display()
        ))
    })?;
    std::fs::remove_file(&probe).ok();
    Ok(())
}
