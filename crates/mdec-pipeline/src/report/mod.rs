//! `report.md` and the figures, drawn from a run folder's files (config, tables, summary,
//! frames, assignments, embeddings, model): after training, and again by [`redraw`]
//! (`mdec report RUN_DIR`) without retraining. `report.html` is the same report with every
//! picture embedded (it opens offline, from anywhere), plus the per-cluster galleries, the
//! least confident samples to review and the full settings.

mod html;

use std::fmt::Write as _;
use std::path::PathBuf;

use mdec_ae::{AeModel, EpochRow};
use mdec_cluster::{Assignments, Dec, IntervalRow, KChoice, StopReason};
use mdec_data::Dataset;
use mdec_metrics::Scores;
use ndarray::Array2;

use crate::animation;
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::figures::{self, ClusterOutputs};
use crate::layout::RunLayout;
use crate::run::Command;
use crate::summary::RunSummary;

/// Re-draws every figure (the animation included) and `report.md` of the run folder `run`
/// from its files, loading the images again when the input recorded in `config.json` is
/// still there (for the reconstructions and montages); returns the figures drawn, relative
/// to the run folder.
///
/// # Errors
/// [`Error::BadInput`] when `run` is not a run folder; errors reading its files or drawing.
pub fn redraw(run: &std::path::Path) -> Result<Vec<PathBuf>> {
    let layout = RunLayout::open(run)?;
    let config = RunConfig::read(&layout)?;
    let data = match config.input.load() {
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
            tracing::warn!(error = %e, "input unavailable: figures of images are skipped");
            None
        }
    };
    let autoencoder = load_autoencoder(&layout, config.command)?;
    render(&layout, data.as_ref(), autoencoder.as_ref())
}

/// The run's autoencoder, when it has one: the final model, or for a pretraining run the
/// newest pretraining checkpoint.
fn load_autoencoder(run: &RunLayout, command: Command) -> Result<Option<AeModel>> {
    let device = tch::Device::Cpu;
    let model = run.model();
    if model.join(mdec_ae::model::MODEL_JSON).is_file() {
        return Ok(Some(Dec::<AeModel>::load(&model, device)?.into_backbone()));
    }
    if command == Command::Pretrain
        && let Some(ckpt) = run.pretrain_layout().latest_checkpoint()?
    {
        return Ok(Some(AeModel::load(&ckpt, device)?));
    }
    Ok(None)
}

/// Draws every figure the run's files allow and writes `report.md`; returns the figures
/// drawn, relative to the run folder. `data` (the images the run saw) adds the montages,
/// and with `autoencoder` the reconstructions.
///
/// # Errors
/// Errors reading the run's files or drawing.
pub fn render(
    run: &RunLayout,
    data: Option<&Dataset>,
    autoencoder: Option<&AeModel>,
) -> Result<Vec<PathBuf>> {
    let config = RunConfig::read(run)?;
    let summary = RunSummary::load(run)?;
    let plots = run.plots();
    std::fs::create_dir_all(&plots).map_err(|e| Error::io(&plots, "cannot create", e))?;
    let mut drawn: Vec<PathBuf> = Vec::new();

    let pretrain_table = run.pretrain_table();
    let pretrain_rows = match pretrain_table.is_file() {
        true => Some(mdec_ae::pretrain::rows_from_frame(
            &mdec_data::table::read_table(&pretrain_table)?,
        )?),
        false => None,
    };
    if let Some(rows) = pretrain_rows.as_deref().filter(|r| !r.is_empty()) {
        figures::pretrain_curves(run, rows)?;
        drawn.push(figures::PRETRAIN_CURVES.into());
    }
    // A model of features reconstructs features, not pictures; a decoder that neither
    // pretraining nor the clustering loss trained (DeepCluster, the random-initialisation
    // ablation of DEC) draws noise.
    let settings = &config.settings;
    let decoder_trained = settings.pretrain.epochs > 0
        || settings.cluster.objective.weights().0 > 0.0
        || settings.cluster.schedule.reconstructs();
    let pictures = settings.features.is_none() && decoder_trained;
    let mut quality = None;
    if let (Some(model), Some(data), true) = (autoencoder, data, pictures) {
        figures::reconstructions(run, model, data)?;
        drawn.push(figures::RECONSTRUCTIONS.into());
        let pretrain = &config.settings.pretrain;
        quality = Some(figures::reconstruction_quality(
            run,
            model,
            data,
            pretrain.noise_std,
            pretrain.seed,
        )?);
    }

    let k_choice = read_k_choice(run)?;
    if let Some(choice) = &k_choice {
        figures::k_choice(run, &choice.scores, choice.k)?;
        drawn.push(figures::K_CHOICE.into());
    }

    let cluster_table = run.cluster_table();
    let cluster_rows = match cluster_table.is_file() {
        true => Some(mdec_cluster::rows_from_frame(
            &mdec_data::table::read_table(&cluster_table)?,
        )?),
        false => None,
    };
    if let Some(rows) = &cluster_rows
        && animation::draw_gif(run, rows)?
    {
        drawn.push(animation::GIF.into());
    }
    let assignments_file = run.assignments();
    let embeddings_file = run.embeddings();
    let mut final_scores = None;
    if let Some(rows) = &cluster_rows
        && assignments_file.is_file()
        && embeddings_file.is_file()
    {
        let frame = mdec_data::table::read_table(&assignments_file)?;
        let assignments = Assignments::from_frame(&frame)?;
        let labels = label_column(&frame, "label")?;
        let embeddings: Array2<f32> = ndarray_npy::read_npy(&embeddings_file)
            .map_err(|e| Error::io(&embeddings_file, "cannot read", std::io::Error::other(e)))?;
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
        drawn.extend(
            figures::CLUSTER_FIGURES
                .iter()
                .filter(|(f, _)| run.join(f).is_file())
                .map(|(f, _)| PathBuf::from(f)),
        );
        if let Some(labels) = &labels {
            final_scores = Some(mdec_metrics::evaluate(labels, &assignments.cluster)?);
        }
    }
    let md = markdown(
        run,
        &config,
        &Parts {
            summary: &summary,
            quality: quality.as_ref(),
            pretrain: pretrain_rows.as_deref(),
            k_choice: k_choice.as_ref(),
            cluster: cluster_rows.as_deref(),
            final_scores,
        },
    )
    .map_err(|e| Error::io(&run.report(), "cannot format", std::io::Error::other(e)))?;
    let html = html::page(run, &config, &md, data)?;
    crate::layout::write_file(&run.report(), |tmp| std::fs::write(tmp, md))?;
    crate::layout::write_file(&run.report_html(), |tmp| std::fs::write(tmp, html))?;
    Ok(drawn)
}

/// The overlay pictures in the run's `maps/`, sorted.
fn map_overlays(run: &RunLayout) -> Vec<String> {
    run.pictures("maps")
        .into_iter()
        .filter(|n| n.ends_with(crate::maps::OVERLAY_SUFFIX))
        .collect()
}

/// The k-choice table of a run that chose k.
fn read_k_choice(run: &RunLayout) -> Result<Option<KChoice>> {
    let path = run.k_choice_table();
    if !path.is_file() {
        return Ok(None);
    }
    Ok(KChoice::from_frame(&mdec_data::table::read_table(&path)?)?)
}

/// An integer column of a table as labels, when it has one.
///
/// # Errors
/// [`Error::BadInput`] when the column holds other than non-negative integers or has
/// empty values.
pub fn label_column(frame: &polars::prelude::DataFrame, name: &str) -> Result<Option<Vec<usize>>> {
    let Ok(column) = frame.column(name) else {
        return Ok(None);
    };
    let bad = |what: &str| Error::BadInput(format!("column {name} {what}"));
    let values = column
        .strict_cast(&polars::prelude::DataType::UInt64)
        .map_err(|_| bad("does not hold non-negative integer labels"))?;
    let labels = values
        .u64()
        .map_err(|_| bad("does not hold non-negative integer labels"))?
        .iter()
        .map(|v| v.map(|v| v as usize))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| bad("has empty values"))?;
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

/// What the report is written from, besides the configuration.
struct Parts<'a> {
    summary: &'a RunSummary,
    quality: Option<&'a figures::ReconstructionQuality>,
    pretrain: Option<&'a [EpochRow]>,
    k_choice: Option<&'a KChoice>,
    cluster: Option<&'a [IntervalRow]>,
    final_scores: Option<Scores>,
}

fn markdown(
    run: &RunLayout,
    config: &RunConfig,
    parts: &Parts<'_>,
) -> Result<String, std::fmt::Error> {
    let Parts {
        summary,
        quality,
        pretrain,
        k_choice,
        cluster,
        final_scores,
    } = *parts;
    let mut md = String::new();
    let s = &config.settings;
    let link = |path: &str| -> Option<String> {
        run.join(path).exists().then(|| format!("[{path}]({path})"))
    };
    writeln!(md, "# mdec run: {}\n", run.root().display())?;
    writeln!(md, "## Configuration\n")?;
    writeln!(md, "| setting | value |\n|---|---|")?;
    writeln!(md, "| command | mdec {} |", config.command.name())?;
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
    writeln!(md, "## Data\n\n```\n{}\n```\n", config.data_summary)?;
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
    if let Some(KChoice {
        k: chosen, scores, ..
    }) = k_choice
    {
        writeln!(md, "## Number of clusters\n")?;
        writeln!(
            md,
            "k = {chosen}, chosen on the pretrained embedding: the highest product of silhouette, stability and elbow (per k: [metrics/k_choice.csv](metrics/k_choice.csv)). It is a suggestion, not a measurement of truth: check the montages, and give `--clusters` when another k fits better.\n"
        )?;
        writeln!(
            md,
            "| k | silhouette | stability | elbow |\n|---|---|---|---|"
        )?;
        for s in scores {
            let mark = if s.k == *chosen { " (chosen)" } else { "" };
            writeln!(
                md,
                "| {}{mark} | {:.3} | {:.3} | {:.2} |",
                s.k, s.silhouette, s.stability, s.elbow
            )?;
        }
        writeln!(md, "\n![choosing k]({})\n", figures::K_CHOICE)?;
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
        if run.join(animation::GIF).is_file() {
            writeln!(
                md,
                "![embeddings at every target update]({})\n",
                animation::GIF
            )?;
        }
        if run.join("plots/montages").is_dir() {
            writeln!(
                md,
                "Most and least confident samples of each cluster: [plots/montages/](plots/montages/).\n"
            )?;
        }
    }
    let overlays = map_overlays(run);
    if !overlays.is_empty() {
        writeln!(
            md,
            "## Cluster maps\n\nWhere each cluster lies in the inputs (per input, the label image by overlap vote and, for tiles, the map at tile resolution are in [maps/](maps/) as `.npy`; the position of every sample is in the assignments table).\n"
        )?;
        for overlay in overlays {
            writeln!(md, "![{overlay}](maps/{overlay})\n")?;
        }
    }
    if run.join(figures::RECONSTRUCTIONS).is_file() {
        writeln!(md, "![reconstructions]({})\n", figures::RECONSTRUCTIONS)?;
    }
    if let Some(q) = quality {
        writeln!(
            md,
            "Reconstruction PSNR on {} held-out samples ([{}]({})): {:.2} dB.",
            q.samples,
            figures::RECONSTRUCTION_QUALITY,
            figures::RECONSTRUCTION_QUALITY,
            q.psnr_db
        )?;
        if let (Some(sigma), Some(noisy), Some(denoised)) =
            (q.noise_std, q.noisy_input_psnr_db, q.denoised_psnr_db)
        {
            writeln!(
                md,
                "With Gaussian input noise σ = {sigma}, as in pretraining: the noisy inputs {noisy:.2} dB, their reconstructions {denoised:.2} dB against the clean samples.",
            )?;
        }
        writeln!(md)?;
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
