//! What a clustering run returns and writes: one [`IntervalRow`] per target update (the
//! `cluster.csv` / `cluster.parquet` table) and the [`ClusterReport`].

use std::path::PathBuf;

use mdec_metrics::Scores;
use polars::prelude::{Column, DataFrame, DataType, NamedFrom, Series};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// Stem of the metrics table: `<out>/cluster.csv` and `<out>/cluster.parquet`.
pub const TABLE_STEM: &str = "cluster";

/// One row per target update (every `update_interval` iterations, and at the end).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IntervalRow {
    /// Training iterations (batches) done before this update.
    pub iteration: usize,
    /// Passes over the data done, fractional.
    pub epoch: f64,
    /// Mean weighted total loss over the interval's batches (`None` before any batch).
    pub loss: Option<f64>,
    /// Mean reconstruction loss over the interval (`None` when not computed).
    pub loss_reconstruction: Option<f64>,
    /// Mean clustering loss (KL(P‖Q) or k-means) over the interval.
    pub loss_clustering: Option<f64>,
    /// Mean balanced-assignment loss over the interval.
    pub loss_balance: Option<f64>,
    /// Weight of the reconstruction term at this iteration.
    pub weight_reconstruction: f64,
    /// Weight of the clustering term at this iteration.
    pub weight_clustering: f64,
    /// Learning rate of the last batch.
    pub lr: f64,
    /// Fraction of samples whose cluster changed since the previous update.
    pub delta_label: Option<f64>,
    /// NMI between this update's assignment and the previous one's: the stability curve
    /// of DeepCluster (Caron et al., 2018), 1 when nothing moved.
    #[serde(default)]
    pub stability_nmi: Option<f64>,
    /// Samples per cluster (hard assignment).
    pub cluster_sizes: Vec<usize>,
    /// Scores against the known labels.
    pub scores: Option<Scores>,
    /// Seconds since the run (or its resumption) started.
    pub seconds: f64,
}

/// Why a run stopped.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum StopReason {
    /// Fewer than `tol` of the samples changed cluster between two updates.
    Converged {
        /// The fraction that changed.
        delta_label: f64,
    },
    /// The iteration (or epoch) budget is spent.
    Budget,
    /// The loss became NaN or infinite; the weights were restored to the last update.
    NonFiniteLoss {
        /// The update at which it was detected.
        iteration: usize,
    },
    /// A stop request ([`StopFlag`](mdec_ae::StopFlag)) came before this iteration's
    /// batch; with an output folder, the checkpoint holds the run as it was there, and
    /// resuming continues as if never stopped.
    Interrupted {
        /// Iterations done.
        iteration: usize,
    },
}

/// The outcome of [`Dec::fit`](crate::Dec::fit) and [`Dec::resume`](crate::Dec::resume).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClusterReport {
    /// One row per target update.
    pub rows: Vec<IntervalRow>,
    /// Iterations done in total (counting those before a resume).
    pub iterations: usize,
    /// The iteration the run resumed from, if it did.
    pub resumed_from: Option<usize>,
    /// Why it stopped.
    pub stop: StopReason,
    /// Inertia of the k-means initialisation (`None` for random centroids).
    pub kmeans_inertia: Option<f64>,
    /// Scores of the initial assignment (k-means on the pretrained embeddings).
    pub init_scores: Option<Scores>,
    /// Scores of the final assignment, when labels are known.
    pub scores: Option<Scores>,
    /// The final hard assignment of every sample.
    pub labels: Vec<usize>,
    /// Whether the reconstruction term could be used (the backbone has a decoder).
    pub reconstruction: bool,
    /// Wall time of this call, in seconds.
    pub seconds: f64,
    /// The metrics table (CSV, Parquet), when an output folder was given.
    pub table: Option<[PathBuf; 2]>,
    /// The last checkpoint folder, when an output folder was given.
    pub checkpoint: Option<PathBuf>,
}

/// The rows as a dataframe: `iteration, epoch, loss, loss_reconstruction,
/// loss_clustering, loss_balance, weight_reconstruction, weight_clustering, lr,
/// delta_label, stability_nmi, size_0 … size_{k−1}, acc, nmi, ari, seconds` (missing values
/// are null).
///
/// # Errors
/// [`Error::Table`](crate::Error::Table) if polars rejects a column.
pub fn rows_to_frame(rows: &[IntervalRow]) -> Result<DataFrame> {
    let f = |get: fn(&IntervalRow) -> f64| rows.iter().map(get).collect::<Vec<f64>>();
    let opt =
        |get: fn(&IntervalRow) -> Option<f64>| rows.iter().map(get).collect::<Vec<Option<f64>>>();
    let score = |get: fn(&Scores) -> f64| {
        rows.iter()
            .map(|r| r.scores.as_ref().map(get))
            .collect::<Vec<_>>()
    };
    let mut columns: Vec<Column> = vec![
        Series::new(
            "iteration".into(),
            rows.iter()
                .map(|r| r.iteration as u64)
                .collect::<Vec<u64>>(),
        )
        .into(),
        Series::new("epoch".into(), f(|r| r.epoch)).into(),
        Series::new("loss".into(), opt(|r| r.loss)).into(),
        Series::new("loss_reconstruction".into(), opt(|r| r.loss_reconstruction)).into(),
        Series::new("loss_clustering".into(), opt(|r| r.loss_clustering)).into(),
        Series::new("loss_balance".into(), opt(|r| r.loss_balance)).into(),
        Series::new(
            "weight_reconstruction".into(),
            f(|r| r.weight_reconstruction),
        )
        .into(),
        Series::new("weight_clustering".into(), f(|r| r.weight_clustering)).into(),
        Series::new("lr".into(), f(|r| r.lr)).into(),
        Series::new("delta_label".into(), opt(|r| r.delta_label)).into(),
        Series::new("stability_nmi".into(), opt(|r| r.stability_nmi)).into(),
    ];
    let k = rows
        .iter()
        .map(|r| r.cluster_sizes.len())
        .max()
        .unwrap_or(0);
    for j in 0..k {
        let sizes: Vec<u64> = rows
            .iter()
            .map(|r| r.cluster_sizes.get(j).copied().unwrap_or(0) as u64)
            .collect();
        columns.push(Series::new(format!("size_{j}").into(), sizes).into());
    }
    columns.push(Series::new("acc".into(), score(|s| s.acc)).into());
    columns.push(Series::new("nmi".into(), score(|s| s.nmi)).into());
    columns.push(Series::new("ari".into(), score(|s| s.ari)).into());
    columns.push(Series::new("seconds".into(), f(|r| r.seconds)).into());
    Ok(DataFrame::new(rows.len(), columns)?)
}

/// Reads rows back from a table written by [`rows_to_frame`] (e.g. `cluster.csv`): the
/// inverse of [`rows_to_frame`], up to the precision the file keeps.
///
/// # Errors
/// [`Error::Table`](crate::Error::Table) when a column is missing or has another type.
pub fn rows_from_frame(frame: &DataFrame) -> Result<Vec<IntervalRow>> {
    let float = |name: &str| -> Result<Vec<Option<f64>>> {
        let column = frame.column(name)?.cast(&DataType::Float64)?;
        Ok(column.f64()?.iter().collect())
    };
    let count = |name: &str| -> Result<Vec<Option<u64>>> {
        let column = frame.column(name)?.cast(&DataType::UInt64)?;
        Ok(column.u64()?.iter().collect())
    };
    let iteration = count("iteration")?;
    let epoch = float("epoch")?;
    let loss = float("loss")?;
    let rec = float("loss_reconstruction")?;
    let clu = float("loss_clustering")?;
    let bal = float("loss_balance")?;
    let w_rec = float("weight_reconstruction")?;
    let w_clu = float("weight_clustering")?;
    let lr = float("lr")?;
    let delta = float("delta_label")?;
    // Tables written before the stability column have none.
    let stability = match frame.column("stability_nmi") {
        Ok(_) => float("stability_nmi")?,
        Err(_) => vec![None; frame.height()],
    };
    let (acc, nmi, ari) = (float("acc")?, float("nmi")?, float("ari")?);
    let seconds = float("seconds")?;
    let mut sizes = Vec::new();
    while let Ok(column) = frame.column(&format!("size_{}", sizes.len())) {
        let column = column.cast(&DataType::UInt64)?;
        sizes.push(column.u64()?.iter().collect::<Vec<_>>());
    }
    Ok((0..frame.height())
        .map(|i| IntervalRow {
            iteration: iteration[i].unwrap_or(0) as usize,
            epoch: epoch[i].unwrap_or(f64::NAN),
            loss: loss[i],
            loss_reconstruction: rec[i],
            loss_clustering: clu[i],
            loss_balance: bal[i],
            weight_reconstruction: w_rec[i].unwrap_or(f64::NAN),
            weight_clustering: w_clu[i].unwrap_or(f64::NAN),
            lr: lr[i].unwrap_or(f64::NAN),
            delta_label: delta[i],
            stability_nmi: stability[i],
            cluster_sizes: sizes
                .iter()
                .map(|column| column[i].unwrap_or(0) as usize)
                .collect(),
            scores: match (acc[i], nmi[i], ari[i]) {
                (Some(acc), Some(nmi), Some(ari)) => Some(Scores { acc, nmi, ari }),
                _ => None,
            },
            seconds: seconds[i].unwrap_or(f64::NAN),
        })
        .collect())
}
