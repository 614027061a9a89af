//! Arguments shared by the training commands, mapped onto the pipeline's [`RunSpec`]: where
//! the data comes from ([`Input`]), which settings ([`SettingsSpec`]), where the run goes.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use mdec_ae::DeviceChoice;
use mdec_cluster::Preset;
use mdec_data::{NamedDataset, Split};
use mdec_pipeline::{ClusterFrom, Clusters, Command, FolderMode, Input, RunSpec, SettingsSpec};

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
    /// Skip image files that cannot be decoded (each is logged) instead of stopping.
    #[arg(long, requires = "images")]
    skip_unreadable: bool,
    /// A .npy file of N×H×W, N×C×H×W or N×H×W×C images (uint8, or float in [0, 1]).
    #[arg(long)]
    npy: Option<PathBuf>,
    /// A .npy file of integer labels for --npy.
    #[arg(long, requires = "npy")]
    labels: Option<PathBuf>,
    /// IDX images, optionally followed by IDX labels (raw or .gz).
    #[arg(long, num_args = 1..=2, value_names = ["IMAGES", "LABELS"])]
    idx: Vec<PathBuf>,
}

/// The largest side `--size` accepts.
const MAX_SIDE: usize = 16_384;

fn parse_size(text: &str) -> Result<(usize, usize), String> {
    let (h, w) = text
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("expected HxW, e.g. 28x28, got {text:?}"))?;
    let parse = |v: &str| {
        v.trim()
            .parse::<usize>()
            .ok()
            .filter(|&n| (1..=MAX_SIDE).contains(&n))
            .ok_or_else(|| {
                format!("bad size {text:?}: sides must be integers from 1 to {MAX_SIDE}")
            })
    };
    Ok((parse(h)?, parse(w)?))
}

impl DataArgs {
    /// The input the arguments name.
    pub fn input(&self) -> Result<Input> {
        if let Some(name) = &self.dataset {
            return Ok(Input::Named {
                dataset: name.parse::<NamedDataset>()?,
                split: self.split.parse::<Split>()?,
                root: self.data_root.clone(),
            });
        }
        if let Some(dir) = &self.images {
            return Ok(Input::Folder {
                dir: dir.clone(),
                size: self.size,
                labels_from_folders: self.labels_from_folders,
                skip_unreadable: self.skip_unreadable,
            });
        }
        if let Some(file) = &self.npy {
            return Ok(Input::Npy {
                file: file.clone(),
                labels: self.labels.clone(),
            });
        }
        match self.idx.as_slice() {
            [images] => Ok(Input::Idx {
                images: images.clone(),
                labels: None,
            }),
            [images, labels] => Ok(Input::Idx {
                images: images.clone(),
                labels: Some(labels.clone()),
            }),
            _ => anyhow::bail!("--idx takes the images file and optionally the labels file"),
        }
    }
}

/// The method and its settings: a preset, a config file on top, then the flags on top
/// (see `mdec_pipeline::SettingsSpec`).
#[derive(clap::Args, Debug)]
pub struct SettingsArgs {
    /// The method: dec, idec, dcec, dcra, mdec or crops [default: the config file's, else
    /// crops for --images (anomaly descriptors of each crop, then DEC: minutes on a CPU),
    /// mdec for --dataset, --npy and --idx].
    #[arg(long)]
    preset: Option<Preset>,
    /// A JSON config: a run's `config.json`, or a settings object (keys `preset`, `ae`,
    /// `pretrain`, `cluster`), whole or partial; its values replace the preset's, and the
    /// flags replace its values.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Number of clusters: a number, `auto` (chosen from 2 to 12 on the pretrained
    /// embedding by silhouette and stability) or a range like `3..10`; defaults to
    /// the config file's, else the number of classes when the data has labels.
    #[arg(long, short = 'k')]
    clusters: Option<Clusters>,
    /// Pretraining epochs.
    #[arg(long)]
    epochs: Option<usize>,
    /// Largest number of clustering iterations (mini-batches).
    #[arg(long)]
    max_iter: Option<usize>,
    /// Batch size of both pretraining and clustering.
    #[arg(long)]
    batch_size: Option<usize>,
    /// Seed for splits, initialisation, augmentation and k-means [default: the config
    /// file's, else 0].
    #[arg(long)]
    seed: Option<u64>,
}

impl SettingsArgs {
    /// The settings asked for.
    pub fn spec(&self) -> SettingsSpec {
        SettingsSpec {
            preset: self.preset,
            config: self.config.clone(),
            clusters: self.clusters,
            epochs: self.epochs,
            max_iter: self.max_iter,
            batch_size: self.batch_size,
            seed: self.seed,
        }
    }
}

/// Where the run goes and how it runs.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// The run folder; by default `runs/<preset>-<seconds since 1970>`.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Continue the interrupted run in --out from its last checkpoints (with the settings
    /// in its config.json).
    #[arg(long, requires = "out", conflicts_with = "force")]
    pub resume: bool,
    /// Replace an existing run folder.
    #[arg(long)]
    pub force: bool,
    /// Device: cpu, cuda, cuda:N or auto.
    #[arg(long, default_value = "auto")]
    pub device: DeviceChoice,
    /// CPU threads for libtorch and for the work on the host: augmentation, k-means
    /// (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=4096))]
    pub threads: Option<u16>,
    /// Wall time the run may take, e.g. 90s, 10m, 1.5h: pretraining stops after the last
    /// epoch that fits in 60% of it, clustering at the first update after 95% [default:
    /// 10m when no --preset, --config, --epochs or --max-iter is given, else none].
    #[arg(long, value_parser = parse_duration)]
    pub time_budget: Option<Duration>,
}

/// A duration written as a number and a unit: `90s`, `10m`, `1.5h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let bad = || format!("expected a duration like 90s, 10m or 1.5h, got {text:?}");
    let split = text.len().saturating_sub(1);
    let (number, unit) = (
        text.get(..split).ok_or_else(bad)?,
        text.get(split..).ok_or_else(bad)?,
    );
    let seconds = match unit {
        "s" => 1.0,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return Err(bad()),
    };
    let value: f64 = number.parse().map_err(|_| bad())?;
    if !(value.is_finite() && value > 0.0) {
        return Err(bad());
    }
    Duration::try_from_secs_f64(value * seconds).map_err(|_| bad())
}

/// Arguments of `mdec pretrain` and `mdec run`.
#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    #[command(flatten)]
    pub data: DataArgs,
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

/// Arguments of `mdec cluster`.
#[derive(clap::Args, Debug)]
pub struct ClusterArgs {
    #[command(flatten)]
    pub train: TrainArgs,
    /// A pretrained autoencoder: a run folder of `mdec pretrain` or `mdec run`, or a
    /// checkpoint or model folder inside one.
    #[arg(long, conflicts_with = "encoder", required_unless_present = "encoder")]
    pub pretrained: Option<PathBuf>,
    /// A TorchScript encoder exported from PyTorch (images b×c×h×w → embeddings b×d);
    /// only the centroids are trained. It is copied into the run's `model/`.
    #[arg(long)]
    pub encoder: Option<PathBuf>,
    /// Fine-tune the --encoder's weights with the clustering loss (batch-norm statistics
    /// kept); the tuned encoder is written to the run's `model/`.
    #[arg(long, requires = "encoder")]
    pub fine_tune: bool,
}

impl ClusterArgs {
    /// What clustering starts from.
    pub fn from(&self) -> Option<ClusterFrom> {
        match (&self.pretrained, &self.encoder) {
            (Some(dir), _) => Some(ClusterFrom::Pretrained(dir.clone())),
            (None, Some(script)) => Some(ClusterFrom::Encoder {
                script: script.clone(),
                fine_tune: self.fine_tune,
            }),
            (None, None) => None,
        }
    }
}

impl TrainArgs {
    /// The run these arguments describe.
    pub fn spec(&self, command: Command, cluster_from: Option<ClusterFrom>) -> Result<RunSpec> {
        let mode = match (self.run.resume, self.run.force) {
            (true, _) => FolderMode::Resume,
            (false, true) => FolderMode::Replace,
            (false, false) => FolderMode::New,
        };
        Ok(RunSpec {
            input: self.data.input()?,
            command,
            cluster_from,
            settings: self.settings.spec(),
            out: self.run.out.clone(),
            mode,
            device: self.run.device,
            threads: self.run.threads.map(usize::from),
            time_budget: self.run.time_budget,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_a_number_and_a_unit() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        for bad in ["", "10", "m", "-1m", "0s", "ten minutes", "5d"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }
}
