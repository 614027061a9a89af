//! `mdec pretrain`, `mdec cluster` and `mdec run`: train into a run folder and write its
//! tables, checkpoints, model, assignments, embeddings, figures and report.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use mdec_ae::{AeModel, DeviceChoice, PretrainReport, TorchScriptEncoder};
use mdec_cluster::{Backbone, ClusterReport, Dec, EncoderOnly, PresetSettings};
use mdec_data::Dataset;
use serde_json::json;
use tch::Device;

use crate::args::{DataArgs, RunArgs, SettingsArgs};
use crate::events::EventsLog;
use crate::figures;
use crate::rundir::RunDir;

/// Share of the data held out to validate pretraining.
const VALIDATION_FRACTION: f64 = 0.1;

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
    /// checkpoint folder inside one.
    #[arg(long, conflicts_with = "encoder", required_unless_present = "encoder")]
    pub pretrained: Option<PathBuf>,
    /// A TorchScript encoder exported from PyTorch (images [b,c,h,w] → embeddings [b,d]);
    /// only the centroids are trained.
    #[arg(long)]
    pub encoder: Option<PathBuf>,
}

/// What a training command runs.
pub enum Phase {
    Pretrain,
    Cluster,
    Both,
}

/// Everything a phase needs, prepared once.
struct Session {
    run: RunDir,
    data: Dataset,
    settings: PresetSettings,
    device: Device,
    timings: Vec<(&'static str, f64)>,
}

/// Runs a training command: checks the data and settings, then creates the run folder (so a
/// mistake leaves no partial folder and never replaces an old run) and trains into it.
pub fn run(
    args: &TrainArgs,
    cluster: Option<&ClusterArgs>,
    phase: Phase,
    events: &EventsLog,
) -> Result<()> {
    if let Some(threads) = args.run.threads {
        tch::set_num_threads(threads);
    }
    let device = args.run.device.parse::<DeviceChoice>()?.resolve()?;
    let data = args.data.load()?;
    let settings = match (&args.run.out, args.run.resume) {
        (Some(out), true) => crate::args::read_settings(&out.join("config.json"))
            .context("--resume reads the run's config.json")?,
        _ => args.settings.resolve(&data)?,
    };
    let name = match phase {
        Phase::Pretrain => "pretrain",
        Phase::Cluster => "cluster",
        Phase::Both => settings.preset.name(),
    };
    let run = RunDir::prepare(&args.run, name)?;
    let log = run.join("events.jsonl");
    events
        .attach(&log)
        .map_err(|e| crate::BadInput(format!("{}: cannot write: {e}", log.display())))?;
    let mut ctx = Session {
        run,
        data,
        settings,
        device,
        timings: Vec::new(),
    };
    write_config(&ctx, args)?;
    tracing::info!(run = %ctx.run.root().display(), device = %mdec_ae::device_name(device), "run folder ready");
    match phase {
        Phase::Pretrain => {
            let (model, report) = pretrain(&mut ctx)?;
            figures::pretraining(&ctx.run, &report, &model, &ctx.data)?;
            write_report(&ctx, args, Some(&report), None)?;
        }
        Phase::Both => {
            let (model, pre) = pretrain(&mut ctx)?;
            figures::pretraining(&ctx.run, &pre, &model, &ctx.data)?;
            let (dec, report) = cluster_phase(&mut ctx, model)?;
            dec.save(ctx.run.join("model"))?;
            outputs(&mut ctx, &dec, &report)?;
            figures::reconstructions(&ctx.run, dec.backbone(), &ctx.data)?;
            write_report(&ctx, args, Some(&pre), Some(&report))?;
        }
        Phase::Cluster => {
            let cluster = cluster.context("cluster arguments")?;
            if let Some(script) = &cluster.encoder {
                let encoder = TorchScriptEncoder::load(script, ctx.data.shape(), ctx.device)?;
                let (dec, report) = cluster_phase(&mut ctx, EncoderOnly::new(encoder))?;
                dec.save(ctx.run.join("model"))?;
                outputs(&mut ctx, &dec, &report)?;
                write_report(&ctx, args, None, Some(&report))?;
            } else {
                let dir = cluster.pretrained.as_deref().context("--pretrained")?;
                let model = load_pretrained(dir, &ctx)?;
                let (dec, report) = cluster_phase(&mut ctx, model)?;
                dec.save(ctx.run.join("model"))?;
                outputs(&mut ctx, &dec, &report)?;
                figures::reconstructions(&ctx.run, dec.backbone(), &ctx.data)?;
                write_report(&ctx, args, None, Some(&report))?;
            }
        }
    }
    println!("run folder: {}", ctx.run.root().display());
    Ok(())
}

fn write_config(ctx: &Session, args: &TrainArgs) -> Result<()> {
    let config = json!({
        "mdec_version": env!("CARGO_PKG_VERSION"),
        "libtorch": crate::info::libtorch_description(),
        "data": args.data.describe(),
        "samples": ctx.data.len(),
        "shape": ctx.data.shape().to_string(),
        "seed": ctx.settings.cluster.seed,
        "device": mdec_ae::device_name(ctx.device),
        "threads": tch::get_num_threads(),
        "settings": ctx.settings,
    });
    ctx.run.write_json("config.json", &config)
}

fn pretrain(ctx: &mut Session) -> Result<(AeModel, PretrainReport)> {
    let start = Instant::now();
    let params = ctx.settings.pretrain.clone().check()?;
    let (train, validation) =
        mdec_ae::split_train_validation(&ctx.data, VALIDATION_FRACTION, params.seed)?;
    let (model, report) = mdec_ae::pretrain_or_resume(
        &ctx.settings.ae,
        ctx.device,
        &train,
        validation.as_ref(),
        &params,
        ctx.run.join("pretrain"),
    )?;
    ctx.timings
        .push(("pretraining", start.elapsed().as_secs_f64()));
    tracing::info!(
        epochs = report.rows.len(),
        train_loss = report.final_train_loss,
        val_loss = ?report.final_val_loss,
        "pretraining done"
    );
    Ok((model, report))
}

fn load_pretrained(dir: &Path, ctx: &Session) -> Result<AeModel> {
    let candidates = [dir.join("pretrain"), dir.to_path_buf()];
    for candidate in &candidates {
        if let Some(ckpt) = mdec_ae::latest_checkpoint(candidate).ok().flatten() {
            return Ok(AeModel::load_for(
                &ckpt,
                ctx.device,
                ctx.data.shape(),
                None,
            )?);
        }
    }
    if dir.join("model.json").is_file() {
        return Ok(AeModel::load_for(dir, ctx.device, ctx.data.shape(), None)?);
    }
    bail!(
        "{}: no pretrained autoencoder there (expected a run folder of `mdec pretrain` or a checkpoint folder)",
        dir.display()
    )
}

fn cluster_phase<B: Backbone>(ctx: &mut Session, backbone: B) -> Result<(Dec<B>, ClusterReport)> {
    let start = Instant::now();
    let params = ctx.settings.cluster.clone().check()?;
    let mut dec = Dec::new(backbone, params)?;
    let report = dec.fit_or_resume(&ctx.data, &ctx.run.join("cluster"))?;
    ctx.timings
        .push(("clustering", start.elapsed().as_secs_f64()));
    match &report.scores {
        Some(s) => {
            tracing::info!(acc = s.acc, nmi = s.nmi, ari = s.ari, iterations = report.iterations, stop = ?report.stop, "clustering done")
        }
        None => {
            tracing::info!(iterations = report.iterations, stop = ?report.stop, "clustering done")
        }
    }
    Ok((dec, report))
}

/// Per-sample assignments, embeddings and figures of a clustering (the caller saves the
/// model, whose format depends on the backbone).
fn outputs<B: Backbone>(ctx: &mut Session, dec: &Dec<B>, report: &ClusterReport) -> Result<()> {
    let start = Instant::now();
    let assignments = dec.predict(&ctx.data)?;
    let mut frame = assignments.to_frame(ctx.data.names(), ctx.data.labels())?;
    mdec_data::table::write_table(&mut frame, ctx.run.root(), "assignments")?;
    let embeddings = dec.embeddings(&ctx.data)?;
    ctx.run.write_npy("embeddings.npy", &embeddings)?;
    figures::clustering(&ctx.run, report, &assignments, &embeddings, &ctx.data)?;
    ctx.timings
        .push(("outputs and figures", start.elapsed().as_secs_f64()));
    Ok(())
}

fn write_report(
    ctx: &Session,
    args: &TrainArgs,
    pretrain: Option<&PretrainReport>,
    cluster: Option<&ClusterReport>,
) -> Result<()> {
    use std::fmt::Write as _;
    let mut md = String::new();
    let s = &ctx.settings;
    writeln!(md, "# mdec run: {}\n", ctx.run.root().display())?;
    writeln!(md, "## Configuration\n")?;
    writeln!(md, "| setting | value |\n|---|---|")?;
    writeln!(md, "| preset | {} |", s.preset)?;
    writeln!(md, "| data | {} |", args.data.describe())?;
    writeln!(md, "| samples | {} |", ctx.data.len())?;
    writeln!(md, "| shape | {} |", ctx.data.shape())?;
    writeln!(md, "| clusters | {} |", s.cluster.n_clusters)?;
    writeln!(md, "| pretraining epochs | {} |", s.pretrain.epochs)?;
    writeln!(
        md,
        "| clustering iterations (max) | {} |",
        s.cluster.max_iter
    )?;
    writeln!(md, "| seed | {} |", s.cluster.seed)?;
    writeln!(md, "| device | {} |", mdec_ae::device_name(ctx.device))?;
    writeln!(
        md,
        "\nThe full configuration is in [config.json](config.json).\n"
    )?;
    writeln!(md, "## Data\n\n```\n{}\n```\n", ctx.data.summary())?;
    writeln!(md, "## Timings\n\n| phase | seconds |\n|---|---|")?;
    for (phase, seconds) in &ctx.timings {
        writeln!(md, "| {phase} | {seconds:.1} |")?;
    }
    if let Some(pre) = pretrain {
        writeln!(md, "\n## Pretraining\n")?;
        writeln!(
            md,
            "{} epochs, final train loss {:.5}, validation loss {}, best {:.5} at epoch {}; per epoch: [pretrain/pretrain.csv](pretrain/pretrain.csv).\n",
            pre.rows.len(),
            pre.final_train_loss,
            pre.final_val_loss
                .map_or("-".to_owned(), |v| format!("{v:.5}")),
            pre.best_loss,
            pre.best_epoch
        )?;
        writeln!(md, "![pretraining curves](plots/pretrain_curves.png)\n")?;
    }
    if let Some(report) = cluster {
        writeln!(md, "\n## Clustering\n")?;
        writeln!(
            md,
            "{} iterations, stopped: {:?}; per interval: [cluster/cluster.csv](cluster/cluster.csv); per sample: [assignments.csv](assignments.csv).\n",
            report.iterations, report.stop
        )?;
        if let Some(scores) = &report.scores {
            writeln!(md, "| | ACC | NMI | ARI |\n|---|---|---|---|")?;
            if let Some(init) = &report.init_scores {
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
            if ctx.run.join(figure).is_file() {
                writeln!(md, "![{title}]({figure})\n")?;
            }
        }
    }
    if ctx.run.join(figures::RECONSTRUCTIONS).is_file() {
        writeln!(md, "![reconstructions]({})\n", figures::RECONSTRUCTIONS)?;
    }
    ctx.run.write_atomic("report.md", |tmp| {
        std::fs::write(tmp, md).with_context(|| format!("{}: cannot write", tmp.display()))
    })
}
