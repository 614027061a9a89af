//! Arguments shared by the training commands, mapped onto the pipeline's [`RunSpec`]: where
//! the data comes from ([`Input`]), which settings ([`SettingsSpec`]), where the run goes.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use mdec_ae::DeviceChoice;
use mdec_cluster::Preset;
use mdec_data::raster::Planes;
use mdec_data::stretch::{Curve, Stretch};
use mdec_data::tiles::TileGrid;
use mdec_data::{NamedDataset, RasterOptions, Split};
use mdec_pipeline::{
    Annotations, ClusterFrom, Clusters, Command, FolderMode, Input, RunSpec, SettingsSpec,
};

/// Where the images come from: exactly one of `--dataset`, `--images`, `--npy`, `--idx`,
/// `--tiles`.
#[derive(clap::Args, Debug, Clone)]
#[group(skip)]
#[command(group(clap::ArgGroup::new("input").required(true).args(["dataset", "images", "npy", "idx", "tiles"])))]
#[command(group(clap::ArgGroup::new("annotations").args(["masks", "boxes"])))]
pub struct DataArgs {
    /// A named dataset, fetched first with `cargo xtask fetch <name>`.
    #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(NamedDataset::ALL.map(NamedDataset::name)))]
    dataset: Option<String>,
    /// Which part of the named dataset: train, test, all, or unlabelled (STL-10's 100,000).
    #[arg(long, default_value = "all", value_parser = ["train", "test", "all", "unlabelled"])]
    split: String,
    /// Folder holding the named datasets.
    #[arg(long, default_value = "data")]
    data_root: PathBuf,
    /// A folder of images (PNG, JPEG, BMP, TIFF), read recursively.
    #[arg(long)]
    images: Option<PathBuf>,
    /// Resize every image (or crop, with --masks/--boxes) to HxW (e.g. 28x28); needed when
    /// sizes differ [crops: 64x64].
    #[arg(long, value_parser = parse_size, requires = "images")]
    size: Option<(usize, usize)>,
    /// Crops of the --images part images: a folder of masks named like the images, each
    /// connected component one defect.
    #[arg(long, requires = "images")]
    masks: Option<PathBuf>,
    /// Crops of the --images part images: a box file, COCO JSON or CSV `file,x,y,w,h[,label]`.
    #[arg(long, requires = "images")]
    boxes: Option<PathBuf>,
    /// Context kept around each masked or boxed defect, in pixels.
    #[arg(long, default_value_t = 8, requires = "annotations")]
    margin: usize,
    /// Large images or data cubes to cut into tiles: PNG, TIFF (8/16-bit, multi-page),
    /// .npy (2-D, or 3-D with planes on the first or last axis) or FITS.
    #[arg(long, num_args = 1..)]
    tiles: Vec<PathBuf>,
    /// Tile side in pixels.
    #[arg(long, default_value_t = 32, requires = "tiles")]
    tile: usize,
    /// Step between tiles in pixels [default: half the tile].
    #[arg(long, requires = "tiles")]
    stride: Option<usize>,
    /// Where the grid does not fit: drop the last partial tiles, or cover the edge with
    /// tiles moved inward.
    #[arg(long, default_value = "drop", requires = "tiles")]
    edge: mdec_data::tiles::Edge,
    /// Pixels of context on every side of a tile: the model sees the larger window (moved
    /// inward at the edges), the table and the maps keep the tile [default: half the tile].
    #[arg(long, requires = "tiles")]
    context: Option<usize>,
    /// Masks, one per --tiles input: only tiles at least half inside are kept.
    #[arg(long, num_args = 1.., requires = "tiles")]
    tile_masks: Vec<PathBuf>,
    /// Known region maps (integer images), one per --tiles input: tiles are labelled by
    /// the region covering most of them, and the run scores its clusters against them.
    #[arg(long, num_args = 1.., requires = "tiles")]
    regions: Vec<PathBuf>,
    /// Scaling of each tiled input to [0, 1] after percentile clipping (--clip): linear,
    /// log, asinh, or none to keep the values.
    #[arg(long, default_value = "linear", requires = "tiles")]
    stretch: String,
    /// The clipping percentiles of --stretch, LOW,HIGH.
    #[arg(long, default_value = "0.5,99.5", requires = "tiles")]
    clip: String,
    /// Planes of cubes and multi-page files: channels of one image, or separate images.
    #[arg(long, default_value = "channels", value_parser = ["channels", "separate"], requires = "tiles")]
    planes: String,
    /// The axis of a 3-D .npy that holds the planes: 0 or 2 [default: guessed].
    #[arg(long, requires = "tiles")]
    plane_axis: Option<usize>,
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
        if !self.tiles.is_empty() {
            return self.tiles_input();
        }
        if let (Some(dir), Some(annotations)) = (&self.images, self.annotations()) {
            return Ok(Input::Crops {
                dir: dir.clone(),
                annotations,
                margin: self.margin,
                size: self.size.unwrap_or((64, 64)),
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

    fn annotations(&self) -> Option<Annotations> {
        match (&self.masks, &self.boxes) {
            (Some(masks), _) => Some(Annotations::Masks(masks.clone())),
            (None, Some(boxes)) => Some(Annotations::Boxes(boxes.clone())),
            (None, None) => None,
        }
    }

    fn tiles_input(&self) -> Result<Input> {
        let stretch = match self.stretch.as_str() {
            "none" => None,
            curve => {
                let (low, high) = self
                    .clip
                    .split_once(',')
                    .and_then(|(l, h)| Some((l.trim().parse().ok()?, h.trim().parse().ok()?)))
                    .ok_or_else(|| {
                        anyhow::anyhow!(
                            "--clip takes LOW,HIGH percentiles, e.g. 0.5,99.5, got {:?}",
                            self.clip
                        )
                    })?;
                let curve = curve
                    .parse::<Curve>()
                    .map_err(|e| anyhow::anyhow!("--stretch: {e} or none"))?;
                Some(Stretch { low, high, curve })
            }
        };
        Ok(Input::Tiles {
            files: self.tiles.clone(),
            grid: TileGrid {
                size: self.tile,
                stride: self.stride.unwrap_or((self.tile / 2).max(1)),
                edge: self.edge,
                context: self.context.unwrap_or(self.tile / 2),
            },
            raster: RasterOptions {
                plane_axis: self.plane_axis,
                planes: if self.planes == "separate" {
                    Planes::Separate
                } else {
                    Planes::Channels
                },
            },
            stretch,
            masks: self.tile_masks.clone(),
            regions: self.regions.clone(),
        })
    }
}

/// The method and its settings: a preset, a config file on top, then the flags on top
/// (see `mdec_pipeline::SettingsSpec`).
#[derive(clap::Args, Debug)]
pub struct SettingsArgs {
    /// The method: dec, idec, dcec, dcra, dcra-fixed, mdec, crops, fields or deepcluster
    /// [default: the config file's,
    /// else crops for --images (anomaly descriptors of each crop, then DEC: minutes on a
    /// CPU), fields for --tiles (texture statistics of each tile, then DEC), mdec for
    /// --dataset, --npy and --idx].
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
    /// Pretraining epochs; 0: no pretraining, clustering starts from the randomly
    /// initialised autoencoder (DEC's random-initialisation ablation).
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
            overrides: None,
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
