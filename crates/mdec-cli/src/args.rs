//! Arguments shared by the training commands: where the data comes from, which settings to
//! use, and where the run goes.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use mdec_cluster::{Preset, PresetSettings};
use mdec_data::{Dataset, FolderOptions, NamedDataset, Split};
use serde::{Deserialize, Serialize};

/// Where the images come from: exactly one of `--dataset`, `--images`, `--npy`, `--idx`.
#[derive(clap::Args, Debug, Clone)]
#[group(skip)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["dataset", "images", "npy", "idx"])))]
pub struct DataArgs {
    /// A named dataset, fetched first with `cargo xtask fetch-<name>`.
    #[arg(long, value_parser = ["mnist", "fashion-mnist"])]
    dataset: Option<String>,
    /// Which part of the named dataset: train, test or all.
    #[arg(long, default_value = "all", value_parser = ["train", "test", "all"])]
    split: String,
    /// Folder holding the named datasets.
    #[arg(long, default_value = "data")]
    data_root: PathBuf,
    /// A folder of images (PNG, JPEG, BMP, TIFF), read recursively.
    #[arg(long)]
    images: Option<PathBuf>,
    /// Resize every image to HxW (e.g. 28x28); needed when sizes differ.
    #[arg(long, value_parser = parse_size, requires = "images")]
    size: Option<(usize, usize)>,
    /// Use the names of the image folder's sub-folders as labels.
    #[arg(long, requires = "images")]
    labels_from_folders: bool,
    /// A .npy file of N×H×W or N×C×H×W images (uint8, or float in [0, 1]).
    #[arg(long)]
    npy: Option<PathBuf>,
    /// A .npy file of integer labels for --npy.
    #[arg(long, requires = "npy")]
    labels: Option<PathBuf>,
    /// IDX images, optionally followed by IDX labels (raw or .gz).
    #[arg(long, num_args = 1..=2, value_names = ["IMAGES", "LABELS"])]
    idx: Vec<PathBuf>,
}

fn parse_size(text: &str) -> Result<(usize, usize), String> {
    let (h, w) = text
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("expected HxW, e.g. 28x28, got {text:?}"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<usize>()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("bad size {text:?}: sides must be positive integers"))
    };
    Ok((parse(h)?, parse(w)?))
}

impl DataArgs {
    /// The input as data, to record in `config.json` and load again later.
    pub fn spec(&self) -> InputSpec {
        InputSpec {
            dataset: self.dataset.clone(),
            split: self.split.clone(),
            data_root: self.data_root.clone(),
            images: self.images.clone(),
            size: self.size,
            labels_from_folders: self.labels_from_folders,
            npy: self.npy.clone(),
            labels: self.labels.clone(),
            idx: self.idx.clone(),
        }
    }

    /// Reads the dataset the arguments name.
    pub fn load(&self) -> Result<Dataset> {
        self.spec().load()
    }

    /// A short description for the run's config and report.
    pub fn describe(&self) -> String {
        self.spec().describe()
    }
}

/// Where the images come from, as recorded in a run's `config.json` (`input`), so that
/// `mdec report` can load them again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dataset: Option<String>,
    split: String,
    data_root: PathBuf,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    images: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    size: Option<(usize, usize)>,
    #[serde(default)]
    labels_from_folders: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    npy: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    labels: Option<PathBuf>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    idx: Vec<PathBuf>,
}

impl InputSpec {
    /// The same input with absolute paths, valid from any working folder.
    pub fn absolute(&self) -> Self {
        let abs = |p: &PathBuf| std::path::absolute(p).unwrap_or_else(|_| p.clone());
        Self {
            data_root: abs(&self.data_root),
            images: self.images.as_ref().map(abs),
            npy: self.npy.as_ref().map(abs),
            labels: self.labels.as_ref().map(abs),
            idx: self.idx.iter().map(abs).collect(),
            ..self.clone()
        }
    }

    /// Reads the dataset.
    pub fn load(&self) -> Result<Dataset> {
        let dataset = if let Some(name) = &self.dataset {
            let named: NamedDataset = name.parse()?;
            let split: Split = self.split.parse()?;
            mdec_data::load_named(named, split, &self.data_root)?
        } else if let Some(dir) = &self.images {
            let options = FolderOptions {
                resize: self.size,
                labels_from_subfolders: self.labels_from_folders,
                ..FolderOptions::default()
            };
            mdec_data::load_folder(dir, &options)?
        } else if let Some(npy) = &self.npy {
            mdec_data::npy::load_npy(npy, self.labels.as_deref())?
        } else {
            match self.idx.as_slice() {
                [images] => Dataset::new(mdec_data::idx::read_idx_images(images)?),
                [images, labels] => mdec_data::idx::load_idx_pair(images, labels)?,
                _ => bail!("--idx takes the images file and optionally the labels file"),
            }
        };
        tracing::info!(
            samples = dataset.len(),
            shape = %dataset.shape(),
            labelled = dataset.labels().is_some(),
            "data loaded"
        );
        Ok(dataset)
    }

    /// A short description.
    pub fn describe(&self) -> String {
        if let Some(name) = &self.dataset {
            format!("{name} ({})", self.split)
        } else if let Some(dir) = &self.images {
            format!("image folder {}", dir.display())
        } else if let Some(npy) = &self.npy {
            format!("npy {}", npy.display())
        } else {
            let files: Vec<_> = self.idx.iter().map(|p| p.display().to_string()).collect();
            format!("idx {}", files.join(" "))
        }
    }
}

/// The method and its settings: a preset, optionally replaced by a config file, then the
/// flags on top.
#[derive(clap::Args, Debug)]
pub struct SettingsArgs {
    /// The method: dec, idec, dcec, dcra or mdec.
    #[arg(long, default_value = "mdec")]
    preset: Preset,
    /// A JSON config: a run's `config.json`, or its `settings` object alone (keys `ae`,
    /// `pretrain`, `cluster`). Replaces the preset; flags still override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Number of clusters; defaults to the number of classes when the data has labels.
    #[arg(long, short = 'k')]
    clusters: Option<usize>,
    /// Pretraining epochs.
    #[arg(long)]
    epochs: Option<usize>,
    /// Largest number of clustering iterations (mini-batches).
    #[arg(long)]
    max_iter: Option<usize>,
    /// Batch size of both pretraining and clustering.
    #[arg(long)]
    batch_size: Option<usize>,
    /// Seed for splits, initialisation, augmentation and k-means.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

impl SettingsArgs {
    /// The settings for `data`, checked.
    pub fn resolve(&self, data: &Dataset) -> Result<PresetSettings> {
        let mut settings = match &self.config {
            Some(path) => read_settings(path)?,
            None => {
                let k = match (self.clusters, data.num_classes()) {
                    (Some(k), _) => k,
                    (None, Some(classes)) => classes,
                    (None, None) => {
                        bail!("the data has no labels: say how many clusters with --clusters")
                    }
                };
                self.preset.settings(k)
            }
        };
        if let Some(k) = self.clusters {
            settings.cluster.n_clusters = k;
        }
        if settings.cluster.n_clusters > data.len() {
            return Err(crate::BadInput(format!(
                "{} clusters cannot be formed from {} samples: lower --clusters",
                settings.cluster.n_clusters,
                data.len()
            ))
            .into());
        }
        if let Some(epochs) = self.epochs {
            settings.pretrain.epochs = epochs;
        }
        if let Some(max_iter) = self.max_iter {
            settings.cluster.max_iter = max_iter;
        }
        if let Some(batch) = self.batch_size {
            settings.pretrain.batch_size = batch;
            settings.cluster.batch_size = batch;
        }
        settings.pretrain.seed = self.seed;
        settings.cluster.seed = self.seed;
        settings.pretrain.progress = crate::progress_enabled();
        settings.pretrain.clone().check()?;
        settings.cluster.clone().check()?;
        Ok(settings)
    }
}

/// Reads settings from a run's `config.json` (its `settings` object) or a bare settings file.
pub fn read_settings(path: &Path) -> Result<PresetSettings> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not valid JSON", path.display()))?;
    let settings = value.get("settings").cloned().unwrap_or(value);
    serde_json::from_value(settings)
        .with_context(|| format!("{}: not an mdec config", path.display()))
}

/// Where the run goes and how it runs.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The run folder; by default `runs/<preset>-<seconds since 1970>`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Continue the interrupted run in --out from its last checkpoints.
    #[arg(long, requires = "out", conflicts_with = "force")]
    pub resume: bool,
    /// Replace an existing run folder.
    #[arg(long)]
    pub force: bool,
    /// Device: cpu, cuda, cuda:N or auto.
    #[arg(long, default_value = "auto")]
    pub device: String,
    /// CPU threads for libtorch and for the work on the host: augmentation, k-means
    /// (default: one per core).
    #[arg(long)]
    pub threads: Option<i32>,
}
