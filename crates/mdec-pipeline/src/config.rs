//! [`RunConfig`]: a run's `config.json`, one type both written and read.

use std::path::PathBuf;

use mdec_cluster::{KRange, PresetSettings};
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::input::Input;
use crate::layout::{RunLayout, read_json, write_json};
use crate::run::Command;

/// Everything a run was started with: the resolved settings, the input, versions, seed and
/// device. Written before training starts; read by `--resume`, `mdec report` and the
/// station.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// The version of mdec that wrote it.
    pub mdec_version: String,
    /// Where libtorch was loaded from and its version.
    pub libtorch: String,
    /// What the run does.
    pub command: Command,
    /// A short description of the input.
    pub data: String,
    /// The input, with absolute paths, to load again.
    pub input: Input,
    /// Number of samples.
    pub samples: usize,
    /// Shape of one sample, `CxHxW`.
    pub shape: String,
    /// The data summary (value range, labels) as text.
    pub data_summary: String,
    /// The seed of pretraining and clustering.
    pub seed: u64,
    /// The device trained on.
    pub device: String,
    /// libtorch's CPU threads.
    pub threads: i32,
    /// The resolved, checked settings.
    pub settings: PresetSettings,
    /// The range the number of clusters is chosen from after pretraining (`--clusters
    /// auto` or a range); the chosen k replaces `settings.cluster.n_clusters` once chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k_search: Option<KRange>,
    /// The run's time budget, seconds (see [`RunSpec::time_budget`](crate::RunSpec)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_budget_seconds: Option<f64>,
    /// The TorchScript encoder clustered (`mdec cluster --encoder`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoder: Option<PathBuf>,
    /// Whether the encoder was fine-tuned with the centroids (`--fine-tune`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fine_tune: bool,
    /// The pretrained autoencoder clustered (`mdec cluster --pretrained`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretrained: Option<PathBuf>,
}

impl RunConfig {
    /// Reads the run's `config.json`.
    ///
    /// # Errors
    /// [`Error::Io`](crate::Error::Io) or [`Error::Json`](crate::Error::Json) naming the
    /// file.
    pub fn read(layout: &RunLayout) -> Result<Self> {
        read_json(&layout.config())
    }

    /// Writes the run's `config.json` atomically.
    ///
    /// # Errors
    /// [`Error::Io`](crate::Error::Io) naming the file.
    pub fn write(&self, layout: &RunLayout) -> Result<()> {
        write_json(&layout.config(), self)
    }
}
