//! [`RunSummary`]: what a run learnt that the tables do not hold (`metrics/summary.json`).

use mdec_cluster::{ClusterReport, StopReason};
use mdec_metrics::Scores;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::layout::{RunLayout, read_json, write_json};

/// Timings per phase, how pretraining and clustering ended, the scores after k-means.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Seconds per phase, added up over the invocations of a resumed run.
    #[serde(default)]
    pub timings: Vec<(String, f64)>,
    /// How pretraining ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pretrain: Option<PretrainSummary>,
    /// How clustering ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterSummary>,
}

/// How pretraining ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PretrainSummary {
    /// Lowest monitored loss (validation, else training).
    pub best_loss: Option<f64>,
    /// Its 1-based epoch.
    pub best_epoch: usize,
    /// Whether early stopping ended it.
    pub stopped_early: bool,
}

/// How clustering ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterSummary {
    /// Iterations done.
    pub iterations: usize,
    /// Why it stopped.
    pub stop: StopReason,
    /// Scores of the k-means initialisation.
    pub init_scores: Option<Scores>,
    /// Scores of the final assignment.
    pub scores: Option<Scores>,
}

impl ClusterSummary {
    /// The summary of a clustering.
    pub fn of(report: &ClusterReport) -> Self {
        Self {
            iterations: report.iterations,
            stop: report.stop,
            init_scores: report.init_scores,
            scores: report.scores,
        }
    }
}

impl RunSummary {
    /// The run's summary, or an empty one when there is none yet.
    ///
    /// # Errors
    /// [`Error::Io`](crate::Error::Io) or [`Error::Json`](crate::Error::Json) for a
    /// summary that cannot be read.
    pub fn load(layout: &RunLayout) -> Result<Self> {
        let path = layout.summary();
        if !path.is_file() {
            return Ok(Self::default());
        }
        read_json(&path)
    }

    /// Writes `metrics/summary.json` atomically.
    ///
    /// # Errors
    /// [`Error::Io`](crate::Error::Io) naming the file.
    pub fn save(&self, layout: &RunLayout) -> Result<()> {
        write_json(&layout.summary(), self)
    }

    /// Adds `seconds` to `phase`.
    pub fn add_time(&mut self, phase: &str, seconds: f64) {
        match self.timings.iter_mut().find(|(p, _)| p == phase) {
            Some((_, total)) => *total += seconds,
            None => self.timings.push((phase.to_owned(), seconds)),
        }
    }
}
