//! `bench/results.json`: every figure of a suite run, the machine it ran on and how busy
//! that machine was. BENCHMARKS.md's generated block is rendered from this alone.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::{BenchError, Result};

/// A figure measured several times: median, min and max of `values`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Stat {
    /// Median (the mean of the two middle values for an even count).
    pub median: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Every repetition, in the order measured.
    pub values: Vec<f64>,
}

impl Stat {
    /// The statistics of `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Stat> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let n = sorted.len();
        let median = match n {
            0 => return None,
            _ if n % 2 == 1 => sorted[n / 2],
            _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
        };
        Some(Stat {
            median,
            min: sorted[0],
            max: sorted[n - 1],
            values: values.to_vec(),
        })
    }

    /// The statistics of `values`, or a [`BenchError::NoResult`] naming `what`.
    pub fn require(values: &[f64], what: &str) -> Result<Stat> {
        Stat::of(values).ok_or_else(|| BenchError::NoResult(what.to_owned()))
    }

    /// The same figure with every value mapped (e.g. seconds to microseconds).
    pub fn map(&self, f: impl Fn(f64) -> f64) -> Stat {
        let values: Vec<f64> = self.values.iter().map(|&v| f(v)).collect();
        Stat::of(&values).unwrap_or_else(|| self.clone())
    }
}

/// The machine a run used.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Machine {
    /// `lscpu`'s model name.
    pub cpu: String,
    /// Physical cores (sockets × cores per socket), when `lscpu` says.
    pub cores: Option<usize>,
    /// Logical CPUs this process may use.
    pub logical_cpus: usize,
    /// Threads given to libtorch, rayon and BLAS on both sides.
    pub threads: usize,
    /// Total memory, GiB.
    pub memory_gib: f64,
    /// `nvidia-smi`'s GPU names, when there is one.
    pub gpu: Option<String>,
    /// The libtorch both sides ran (torch's `version.py`).
    pub libtorch: String,
    /// Versions on the Python side (Python, torchvision, scikit-learn).
    pub python: String,
    /// `rustc --version`.
    pub rustc: String,
    /// The commit measured, with `-dirty` when the working tree had changes.
    pub commit: String,
    /// `uname -sr`.
    pub os: String,
}

/// 1-, 5- and 15-minute load averages before and after a measurement.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Load {
    /// `/proc/loadavg` before.
    pub before: [f64; 3],
    /// `/proc/loadavg` after.
    pub after: [f64; 3],
}

/// One measured section: what was run, how long it took and how busy the machine was.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Section<T> {
    /// The settings, in words (rendered under the section's heading).
    pub settings: String,
    /// Wall time of the whole section, seconds.
    pub seconds: f64,
    /// Load averages around it.
    pub load: Load,
    /// The figures.
    pub rows: T,
}

/// Pretraining throughput of one architecture with or without augmentation.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TrainRow {
    /// `dcec`, `mdec` or `dense`.
    pub arch: String,
    /// Rotation + contrast augmentation on both sides.
    pub augment: bool,
    /// Training FLOPs per sample (3 × forward, analytic).
    pub flops_per_sample: f64,
    /// mdec-ae samples/s, one value per timed epoch.
    pub ours: Stat,
    /// PyTorch samples/s, one value per timed window.
    pub pytorch: Stat,
    /// DataLoader workers on the PyTorch side (0 without augmentation).
    pub workers: usize,
}

/// Embedding throughput of one encoder.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct EmbedRow {
    /// `dcec`, `mdec` or `dense`.
    pub arch: String,
    /// Images embedded.
    pub n: usize,
    /// mdec-ae samples/s, one value per chunk.
    pub ours: Stat,
    /// PyTorch samples/s, one value per chunk.
    pub pytorch: Stat,
}

/// k-means against scikit-learn on the same embeddings.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KMeansRow {
    /// Samples.
    pub n: usize,
    /// Dimensions.
    pub d: usize,
    /// Restarts.
    pub n_init: usize,
    /// mdec-cluster seconds per fit.
    pub ours: Stat,
    /// scikit-learn seconds per fit.
    pub sklearn: Stat,
    /// Inertia of our last fit.
    pub inertia_ours: f64,
    /// Inertia of scikit-learn's last fit.
    pub inertia_sklearn: f64,
    /// scikit-learn's version.
    pub sklearn_version: String,
}

/// One metric against scikit-learn on the same labels.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MetricRow {
    /// `acc`, `nmi`, `ari` or `all`.
    pub metric: String,
    /// Labels.
    pub n: usize,
    /// mdec-metrics seconds per call.
    pub ours: Stat,
    /// scikit-learn seconds per call.
    pub sklearn: Stat,
    /// Our value.
    pub value_ours: f64,
    /// scikit-learn's value.
    pub value_sklearn: f64,
}

/// One point of an accuracy curve: seconds since the process started, and the ACC then.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Wall seconds since the process was started.
    pub seconds: f64,
    /// Clustering iteration (0: right after the k-means initialisation).
    pub iteration: usize,
    /// Clustering accuracy.
    pub acc: f64,
}

/// One side's run of a preset from the raw files to its last update.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TtaRun {
    /// Seed of both sides.
    pub seed: u64,
    /// ACC after the k-means initialisation and at every update.
    pub curve: Vec<CurvePoint>,
    /// Wall seconds of the whole process.
    pub wall_seconds: f64,
}

impl TtaRun {
    /// Seconds until the accuracy first reached `threshold`, if it did.
    pub fn time_to(&self, threshold: f64) -> Option<f64> {
        self.curve
            .iter()
            .find(|p| p.acc >= threshold)
            .map(|p| p.seconds)
    }

    /// The best accuracy reached.
    pub fn best(&self) -> f64 {
        self.curve.iter().map(|p| p.acc).fold(0.0, f64::max)
    }
}

/// Time to accuracy of one preset, ours against PyTorch, same seeds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TtaRow {
    /// `dcec` or `mdec`.
    pub preset: String,
    /// Pretraining epochs.
    pub epochs: usize,
    /// Clustering iterations at most.
    pub max_iter: usize,
    /// `mdec run`, one run per seed.
    pub ours: Vec<TtaRun>,
    /// `scripts/bench_tta.py`, one run per seed.
    pub pytorch: Vec<TtaRun>,
}

/// One size of the scaling measurement (`mdec run` on the first `n` MNIST images).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ScalingRow {
    /// Samples.
    pub n: usize,
    /// Seconds per pretraining epoch (training and validation), one value per epoch.
    pub pretrain_epoch: Stat,
    /// Seconds from the end of pretraining to the first clustering update: embedding all
    /// images, k-means with 20 restarts and the first soft assignment.
    pub init_seconds: f64,
    /// Peak resident memory of the whole process, MiB.
    pub peak_rss_mib: f64,
    /// Wall seconds of the whole process (loading, training, outputs and figures).
    pub wall_seconds: f64,
}

/// One method on one folder of defect crops.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DefectRow {
    /// `gray` or `rgb`.
    pub set: String,
    /// The method, in words.
    pub method: String,
    /// Clustering accuracy, one value per seed.
    pub acc: Stat,
    /// NMI, one value per seed.
    pub nmi: Stat,
    /// ARI, one value per seed.
    pub ari: Stat,
    /// Wall seconds, one value per seed.
    pub seconds: Stat,
    /// The number of clusters it returned, when it chose it (or could return fewer).
    pub clusters: Option<usize>,
}

/// Everything `cargo xtask bench` measured; sections not run keep their last values.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Results {
    /// The command line of the last run.
    pub command: Option<String>,
    /// Whether the last run was `--quick`.
    pub quick: bool,
    /// `cpu` or `cuda`.
    pub device: Option<String>,
    /// When the last run started (UTC).
    pub started: Option<String>,
    /// Wall seconds of the last run.
    pub seconds: f64,
    /// The machine of the last run.
    pub machine: Option<Machine>,
    /// 2048² single-precision matrix products, GFLOP/s: the practical peak.
    pub gemm: Option<Section<Stat>>,
    /// 1: pretraining throughput.
    pub train: Option<Section<Vec<TrainRow>>>,
    /// 2: embedding throughput.
    pub embed: Option<Section<Vec<EmbedRow>>>,
    /// 3: k-means.
    pub kmeans: Option<Section<KMeansRow>>,
    /// 4: metrics.
    pub metrics: Option<Section<Vec<MetricRow>>>,
    /// 5: time to accuracy.
    pub tta: Option<Section<Vec<TtaRow>>>,
    /// 6: scaling.
    pub scaling: Option<Section<Vec<ScalingRow>>>,
    /// 7: defect crops.
    #[serde(default)]
    pub defects: Option<Section<Vec<DefectRow>>>,
}

impl Results {
    /// Reads `path`, or empty results when it does not exist yet.
    pub fn load(path: &Path) -> Result<Results> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|source| BenchError::Json {
                what: path.display().to_string(),
                source,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Results::default()),
            Err(source) => Err(BenchError::Io {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Writes `path` (pretty JSON), creating its folder.
    pub fn save(&self, path: &Path) -> Result<()> {
        let io = |source| BenchError::Io {
            path: path.to_owned(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|source| BenchError::Json {
            what: path.display().to_string(),
            source,
        })?;
        std::fs::write(path, text + "\n").map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_takes_the_middle_of_odd_and_even_counts() {
        let odd = Stat::of(&[3.0, 1.0, 2.0]).map(|s| (s.median, s.min, s.max));
        assert_eq!(odd, Some((2.0, 1.0, 3.0)));
        assert_eq!(Stat::of(&[4.0, 1.0, 2.0, 3.0]).map(|s| s.median), Some(2.5));
        assert!(Stat::of(&[]).is_none());
    }
}
