//! `report.md` and the figures, drawn from a run folder's files (config, tables, summary,
//! assignments, embeddings, model): after training, and again by `mdec report RUN_DIR`
//! without retraining.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, Result};
use mdec_ae::{AeModel, EpochRow};
use mdec_cluster::{Assignments, ClusterReport, Dec, IntervalRow, PresetSettings, StopReason};
use mdec_data::Dataset;
use mdec_metrics::Scores;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::args::InputSpec;
use crate::figures::{self, ClusterOutputs};
use crate::rundir::{self, RunDir};

/// Arguments of `mdec report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// The run folder to re-draw.
    pub run: PathBuf,
}

/// What a training command learnt that the tables do not hold: `metrics/summary.json`.
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
    /// The summary of a finished clustering.
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
    pub fn load(run: &RunDir) -> Result<Self> {
        let path = run.join(rundir::SUMMARY);
        if !path.is_file() {
            return Ok(Self::default());
        }
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{}: not a run summary", path.display()))
    }

    /// Writes `metrics/summary.json` atomically.
    pub fn save(&self, run: &RunDir) -> Result<()> {
        run.write_json(rundir::SUMMARY, &serde_json::to_value(self)?)
    }

    /// Adds `seconds` to `phase`.
    pub fn add_time(&mut self, phase: &str, seconds: f64) {
        match self.timings.iter_mut().find(|(p, _)| p == phase) {
            Some((_, total)) => *total += seconds,
            None => self.timings.push((phase.to_owned(), seconds)),
        }
    }
}

/// The parts of `config.json` the report shows.
#[derive(Deserialize)]
struct RunConfig {
    #[serde(default)]
    command: Option<String>,
    data: String,
    #[serde(default)]
    data_summary: Option<String>,
    #[serde(default)]
    input: Option<InputSpec>,
    samples: usize,
    shape: String,
    seed: u64,
    device: String,
    #[serde(default)]
    encoder: Option<PathBuf>,
    settings: PresetSettings,
}

fn read_config(run: &RunDir) -> Result<RunConfig> {
    let path = run.join("config.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("{}: not an mdec run config", path.display()))
}

/// `mdec report RUN_DIR`: loads the images again when the input recorded in `config.json`
/// is still there (for the reconstructions and montages), then re-draws everything.
pub fn run(args: &ReportArgs) -> Result<()> {
    let run = RunDir::open(&args.run)?;
    let config = read_config(&run)?;
    let data = match &config.input {
        Some(input) => match input.load() {
            Ok(data) if data.len() == config.samples => Some(data),
            Ok(data) => {
                tracing::warn!(
                    found = data.len(),
                    expected = config.samples,
                    "the input has changed since the run: figures of images are skipped"
                );
                None
            }
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "input unavailable: figures of images are skipped");
                None
            }
        },
        None => None,
    };
    let autoencoder = load_autoencoder(&run, config.command.as_deref())?;
    let drawn = render(&run, data.as_ref(), autoencoder.as_ref())?;
    println!(
        "{}: report.md and {drawn} figures re-drawn",
        run.root().display()
    );
    Ok(())
}

/// The run's autoencoder, when it has one: the final model, or for a pretraining run the
/// newest pretraining checkpoint.
fn load_autoencoder(run: &RunDir, command: Option<&str>) -> Result<Option<AeModel>> {
    let device = tch::Device::Cpu;
    let model = run.join(rundir::MODEL);
    if model.join(mdec_ae::model::MODEL_JSON).is_file() {
        return Ok(Some(Dec::<AeModel>::load(&model, device)?.into_backbone()));
    }
    if command == Some("pretrain")
        && let Some(ckpt) = run.pretrain_layout().latest_checkpoint()?
    {
        return Ok(Some(AeModel::load(&ckpt, device)?));
    }
    Ok(None)
}

/// Draws every figure the run's files allow and writes `report.md`; returns the number of
/// figures drawn. `data` (the images the run saw) adds the montages, and with
/// `autoencoder` the reconstructions.
pub fn render(
    run: &RunDir,
    data: Option<&Dataset>,
    autoencoder: Option<&AeModel>,
) -> Result<usize> {
    let config = read_config(run)?;
    let summary = RunSummary::load(run)?;
    let metrics = run.join(rundir::METRICS);
    let plots = run.join("plots");
    std::fs::create_dir_all(&plots)
        .with_context(|| format!("{}: cannot create", plots.display()))?;
    let mut drawn = 0;

    let pretrain_table = metrics.join(format!("{}.parquet", mdec_ae::pretrain::TABLE_STEM));
    let pretrain_rows = match pretrain_table.is_file() {
        true => Some(mdec_ae::pretrain::rows_from_frame(
            &mdec_data::table::read_table(&pretrain_table)?,
        )?),
        false => None,
    };
    if let Some(rows) = pretrain_rows.as_deref().filter(|r| !r.is_empty()) {
        figures::pretrain_curves(run, rows)?;
        drawn += 1;
    }
    if let (Some(model), Some(data)) = (autoencoder, data) {
        figures::reconstructions(run, model, data)?;
        drawn += 1;
    }

    let cluster_table = metrics.join(format!("{}.parquet", mdec_cluster::TABLE_STEM));
    let cluster_rows = match cluster_table.is_file() {
        true => Some(mdec_cluster::rows_from_frame(
            &mdec_data::table::read_table(&cluster_table)?,
        )?),
        false => None,
    };
    let assignments_file = run.join("assignments.parquet");
    let embeddings_file = run.join("embeddings.npy");
    let mut final_scores = None;
    if let Some(rows) = &cluster_rows
        && assignments_file.is_file()
        && embeddings_file.is_file()
    {
        let frame = mdec_data::table::read_table(&assignments_file)?;
        let assignments = Assignments::from_frame(&frame)?;
        let labels = label_column(&frame, "label")?;
        let embeddings: Array2<f32> = ndarray_npy::read_npy(&embeddings_file)
            .with_context(|| format!("{}: cannot read", embeddings_file.display()))?;
        let images = data
            .filter(|d| d.len() == assignments.len())
            .map(|d| d.images().view());
        let iterations = summary
            .cluster
            .as_ref()
            .map_or_else(|| rows.last().map_or(0, |r| r.iteration), |c| c.iterations);
        figures::clustering(
            run,
            &ClusterOutputs {
                rows,
                assignments: &assignments,
                labels: labels.as_deref(),
                embeddings: &embeddings,
                images,
                iterations,
            },
        )?;
        drawn += figures::CLUSTER_FIGURES
            .iter()
            .filter(|(f, _)| run.join(f).is_file())
            .count();
        if let Some(labels) = &labels {
            final_scores = Some(mdec_metrics::evaluate(labels, &assignments.cluster)?);
        }
    }
    let md = markdown(
        run,
        &config,
        &summary,
        pretrain_rows.as_deref(),
        cluster_rows.as_deref(),
        final_scores,
    )?;
    run.write_atomic("report.md", |tmp| {
        std::fs::write(tmp, md).with_context(|| format!("{}: cannot write", tmp.display()))
    })?;
    Ok(drawn)
}

/// An integer column of a table as labels, when it has one.
pub fn label_column(frame: &polars::prelude::DataFrame, name: &str) -> Result<Option<Vec<usize>>> {
    let Ok(column) = frame.column(name) else {
        return Ok(None);
    };
    let values = column
        .cast(&polars::prelude::DataType::UInt64)
        .with_context(|| format!("column {name} does not hold integer labels"))?;
    let labels = values
        .u64()?
        .iter()
        .map(|v| v.map(|v| v as usize))
        .collect::<Option<Vec<usize>>>()
        .with_context(|| format!("column {name} has empty values"))?;
    Ok(Some(labels))
}

fn stop_text(stop: &StopReason) -> String {
    match stop {
        StopReason::Converged { delta_label } => format!(
            "converged ({:.2}% of the samples changed cluster at the last update)",
            100.0 * delta_label
        ),
        StopReason::Budget => "iteration budget spent".into(),
        StopReason::NonFiniteLoss { iteration } => {
            format!("non-finite loss at iteration {iteration} (weights of the last update kept)")
        }
        StopReason::Interrupted { iteration } => format!("interrupted at iteration {iteration}"),
    }
}

fn markdown(
    run: &RunDir,
    config: &RunConfig,
    summary: &RunSummary,
    pretrain: Option<&[EpochRow]>,
    cluster: Option<&[IntervalRow]>,
    final_scores: Option<Scores>,
) -> Result<String> {
    let mut md = String::new();
    let s = &config.settings;
    let link = |path: &str| -> Option<String> {
        run.join(path).exists().then(|| format!("[{path}]({path})"))
    };
    writeln!(md, "# mdec run: {}\n", run.root().display())?;
    writeln!(md, "## Configuration\n")?;
    writeln!(md, "| setting | value |\n|---|---|")?;
    if let Some(command) = &config.command {
        writeln!(md, "| command | mdec {command} |")?;
    }
    writeln!(md, "| preset | {} |", s.preset)?;
    writeln!(md, "| data | {} |", config.data)?;
    if let Some(encoder) = &config.encoder {
        writeln!(md, "| encoder | {} |", encoder.display())?;
    }
    writeln!(md, "| samples | {} |", config.samples)?;
    writeln!(md, "| shape | {} |", config.shape)?;
    writeln!(md, "| clusters | {} |", s.cluster.n_clusters)?;
    writeln!(md, "| pretraining epochs | {} |", s.pretrain.epochs)?;
    writeln!(
        md,
        "| clustering iterations (max) | {} |",
        s.cluster.max_iter
    )?;
    writeln!(md, "| seed | {} |", config.seed)?;
    writeln!(md, "| device | {} |", config.device)?;
    writeln!(
        md,
        "\nThe full configuration is in [config.json](config.json).\n"
    )?;
    if let Some(text) = &config.data_summary {
        writeln!(md, "## Data\n\n```\n{text}\n```\n")?;
    }
    if !summary.timings.is_empty() {
        writeln!(md, "## Timings\n\n| phase | seconds |\n|---|---|")?;
        for (phase, seconds) in &summary.timings {
            writeln!(md, "| {phase} | {seconds:.1} |")?;
        }
        writeln!(md)?;
    }
    if let Some(rows) = pretrain.filter(|r| !r.is_empty()) {
        writeln!(md, "## Pretraining\n")?;
        let last = &rows[rows.len() - 1];
        let val = last.val_loss.map_or("-".to_owned(), |v| format!("{v:.5}"));
        write!(
            md,
            "{} epochs, final train loss {:.5}, validation loss {val}",
            rows.len(),
            last.train_loss
        )?;
        if let Some(p) = &summary.pretrain {
            if let Some(best) = p.best_loss {
                write!(md, ", best {best:.5} at epoch {}", p.best_epoch)?;
            }
            if p.stopped_early {
                write!(md, " (stopped early)")?;
            }
        }
        writeln!(
            md,
            "; per epoch: [metrics/pretrain.csv](metrics/pretrain.csv).\n"
        )?;
        writeln!(md, "![pretraining curves]({})\n", figures::PRETRAIN_CURVES)?;
    }
    if let Some(rows) = cluster {
        writeln!(md, "## Clustering\n")?;
        if let Some(c) = &summary.cluster {
            write!(md, "{} iterations, {}; ", c.iterations, stop_text(&c.stop))?;
        }
        write!(md, "per update: [metrics/cluster.csv](metrics/cluster.csv)")?;
        if let Some(assignments) = link("assignments.csv") {
            write!(md, "; per sample: {assignments}")?;
        }
        writeln!(md, ".\n")?;
        let init = summary.cluster.as_ref().and_then(|c| c.init_scores);
        let last = final_scores.or_else(|| rows.last().and_then(|r| r.scores));
        if let Some(scores) = last {
            writeln!(md, "| | ACC | NMI | ARI |\n|---|---|---|---|")?;
            if let Some(init) = init {
                writeln!(
                    md,
                    "| after k-means | {:.4} | {:.4} | {:.4} |",
                    init.acc, init.nmi, init.ari
                )?;
            }
            writeln!(
                md,
                "| final | {:.4} | {:.4} | {:.4} |\n",
                scores.acc, scores.nmi, scores.ari
            )?;
        }
        for (figure, title) in figures::CLUSTER_FIGURES {
            if run.join(figure).is_file() {
                writeln!(md, "![{title}]({figure})\n")?;
            }
        }
        if run.join(crate::animation::GIF).is_file() {
            writeln!(
                md,
                "![embeddings at every target update]({})\n",
                crate::animation::GIF
            )?;
        }
        if run.join("plots/montages").is_dir() {
            writeln!(
                md,
                "Most and least confident samples of each cluster: [plots/montages/](plots/montages/).\n"
            )?;
        }
    }
    if run.join(figures::RECONSTRUCTIONS).is_file() {
        writeln!(md, "![reconstructions]({})\n", figures::RECONSTRUCTIONS)?;
    }
    let mut files = Vec::new();
    for (path, what) in [
        ("model", "the final model"),
        ("checkpoints", "checkpoints to resume from"),
        ("embeddings.npy", "embeddings"),
        ("events.jsonl", "the log"),
    ] {
        if let Some(l) = link(path) {
            files.push(format!("{l} ({what})"));
        }
    }
    if !files.is_empty() {
        writeln!(md, "## Files\n\n{}.", files.join(", "))?;
    }
    Ok(md)
}
