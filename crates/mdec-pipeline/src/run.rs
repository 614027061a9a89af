//! `mdec pretrain`, `mdec cluster` and `mdec run`: train into a run folder and write its
//! tables, checkpoints, model, assignments, embeddings, figures and report.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use mdec_ae::{AeModel, DeviceChoice, PretrainLayout, StopFlag, TorchScriptEncoder};
use mdec_cluster::{Backbone, ClusterReport, Dec, EncoderOnly, PresetSettings, Resume, StopReason};
use mdec_data::Dataset;
use serde_json::json;
use tch::Device;

use crate::animation::{self, EmbeddingAnimation};
use crate::args::{DataArgs, RunArgs, SettingsArgs};
use crate::events::EventsLog;
use crate::interrupt::{Interrupted, resume_command};
use crate::predict::ENCODER_FILE;
use crate::report::{self, ClusterSummary, PretrainSummary, RunSummary};
use crate::rundir::{self, RunDir};

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
    /// checkpoint or model folder inside one.
    #[arg(long, conflicts_with = "encoder", required_unless_present = "encoder")]
    pub pretrained: Option<PathBuf>,
    /// A TorchScript encoder exported from PyTorch (images [b,c,h,w] → embeddings [b,d]);
    /// only the centroids are trained. It is copied into the run's `model/`.
    #[arg(long)]
    pub encoder: Option<PathBuf>,
}

/// What a training command runs.
pub enum Phase {
    Pretrain,
    Cluster,
    Both,
}

impl Phase {
    fn command(&self) -> &'static str {
        match self {
            Phase::Pretrain => "pretrain",
            Phase::Cluster => "cluster",
            Phase::Both => "run",
        }
    }
}

/// Everything a phase needs, prepared once.
struct Session {
    run: RunDir,
    data: Dataset,
    settings: PresetSettings,
    device: Device,
    summary: RunSummary,
    stop: StopFlag,
}

impl Session {
    /// Records the time of `phase`, keeps the summary on disk and says how to resume.
    fn interrupted(&mut self, phase: &str, start: Instant) -> anyhow::Error {
        self.summary.add_time(phase, start.elapsed().as_secs_f64());
        if let Err(e) = self.summary.save(&self.run) {
            tracing::warn!(error = %format!("{e:#}"), "cannot write the run summary");
        }
        Interrupted {
            resume: resume_command(self.run.root()),
        }
        .into()
    }
}

/// Runs a training command: checks the data and settings, then creates the run folder (so a
/// mistake leaves no partial folder and never replaces an old run) and trains into it.
/// `stop` (set by Ctrl-C) makes the training loops checkpoint and return.
pub fn run(
    args: &TrainArgs,
    cluster: Option<&ClusterArgs>,
    phase: Phase,
    events: &EventsLog,
    stop: StopFlag,
) -> Result<()> {
    if let Some(threads) = args.run.threads {
        tch::set_num_threads(threads);
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1) as usize)
            .build_global()
            .context("setting up the host thread pool for --threads")?;
    }
    let device = args.run.device.parse::<DeviceChoice>()?.resolve()?;
    let data = args.data.load()?;
    let resuming = args.run.resume && args.run.out.is_some();
    let mut settings = match (&args.run.out, resuming) {
        (Some(out), true) => crate::args::read_settings(&out.join("config.json"))
            .context("--resume reads the run's config.json")?,
        _ => args.settings.resolve(&data)?,
    };
    settings.pretrain.progress = crate::progress_enabled();
    settings.pretrain.stop = stop.clone();
    settings.cluster.stop = stop.clone();
    if let Some(encoder) = cluster.and_then(|c| c.encoder.as_ref())
        && !encoder.is_file()
    {
        return Err(crate::BadInput(format!("{}: no such encoder file", encoder.display())).into());
    }
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
    let summary = RunSummary::load(&run)?;
    let mut ctx = Session {
        run,
        data,
        settings,
        device,
        summary,
        stop,
    };
    if !resuming || !ctx.run.join("config.json").is_file() {
        write_config(&ctx, args, cluster, &phase)?;
    }
    tracing::info!(run = %ctx.run.root().display(), device = %mdec_ae::device_name(device), "run folder ready");
    let scores = match phase {
        Phase::Pretrain => {
            let model = pretrain(&mut ctx)?;
            finish(&ctx, None, Some(&model))?
        }
        Phase::Both => {
            let model = pretrain(&mut ctx)?;
            if ctx.stop.is_stopped() {
                return Err(ctx.interrupted("pretraining", Instant::now()));
            }
            let (dec, report) = cluster_phase(&mut ctx, model)?;
            save_model(&ctx.run, |dir| Ok(dec.save(dir)?))?;
            outputs(&mut ctx, &dec)?;
            finish(&ctx, Some(&report), Some(dec.backbone()))?
        }
        Phase::Cluster => {
            let cluster = cluster.context("cluster arguments")?;
            if let Some(script) = &cluster.encoder {
                let encoder = TorchScriptEncoder::load(script, ctx.data.shape(), ctx.device)?;
                let (dec, report) = cluster_phase(&mut ctx, EncoderOnly::new(encoder))?;
                save_model(&ctx.run, |dir| {
                    dec.save(dir)?;
                    std::fs::copy(script, dir.join(ENCODER_FILE))
                        .with_context(|| format!("{}: cannot copy", script.display()))?;
                    Ok(())
                })?;
                outputs(&mut ctx, &dec)?;
                finish(&ctx, Some(&report), None)?
            } else {
                let dir = cluster.pretrained.as_deref().context("--pretrained")?;
                let model = load_pretrained(dir, &ctx)?;
                let (dec, report) = cluster_phase(&mut ctx, model)?;
                save_model(&ctx.run, |dir| Ok(dec.save(dir)?))?;
                outputs(&mut ctx, &dec)?;
                finish(&ctx, Some(&report), Some(dec.backbone()))?
            }
        }
    };
    println!("run folder: {}", ctx.run.root().display());
    if let Some(s) = scores {
        println!("ACC {:.4}  NMI {:.4}  ARI {:.4}", s.acc, s.nmi, s.ari);
    }
    Ok(())
}

fn write_config(
    ctx: &Session,
    args: &TrainArgs,
    cluster: Option<&ClusterArgs>,
    phase: &Phase,
) -> Result<()> {
    let abs = |p: &PathBuf| std::path::absolute(p).unwrap_or_else(|_| p.clone());
    let mut config = json!({
        "mdec_version": env!("CARGO_PKG_VERSION"),
        "libtorch": crate::info::libtorch_description(),
        "command": phase.command(),
        "data": args.data.describe(),
        "input": args.data.spec().absolute(),
        "samples": ctx.data.len(),
        "shape": ctx.data.shape().to_string(),
        "data_summary": ctx.data.summary().to_string(),
        "seed": ctx.settings.cluster.seed,
        "device": mdec_ae::device_name(ctx.device),
        "threads": tch::get_num_threads(),
        "settings": ctx.settings,
    });
    if let Some(c) = cluster {
        if let Some(encoder) = &c.encoder {
            config["encoder"] = json!(abs(encoder));
        }
        if let Some(pretrained) = &c.pretrained {
            config["pretrained"] = json!(abs(pretrained));
        }
    }
    ctx.run.write_json("config.json", &config)
}

fn pretrain(ctx: &mut Session) -> Result<AeModel> {
    let start = Instant::now();
    let params = ctx.settings.pretrain.clone().check()?;
    let (train, validation) =
        mdec_ae::split_train_validation(&ctx.data, VALIDATION_FRACTION, params.seed)?;
    let result = mdec_ae::pretrain_or_resume(
        &ctx.settings.ae,
        ctx.device,
        &train,
        validation.as_ref(),
        &params,
        ctx.run.pretrain_layout(),
    );
    let (model, report) = match result {
        Err(mdec_ae::Error::Interrupted { .. }) => {
            return Err(ctx.interrupted("pretraining", start));
        }
        other => other?,
    };
    ctx.summary
        .add_time("pretraining", start.elapsed().as_secs_f64());
    ctx.summary.pretrain = Some(PretrainSummary {
        best_loss: report.best_loss.is_finite().then_some(report.best_loss),
        best_epoch: report.best_epoch,
        stopped_early: report.stopped_early,
    });
    ctx.summary.save(&ctx.run)?;
    tracing::info!(
        epochs = report.rows.len(),
        train_loss = report.final_train_loss,
        val_loss = ?report.final_val_loss,
        "pretraining done"
    );
    Ok(model)
}

fn load_pretrained(dir: &Path, ctx: &Session) -> Result<AeModel> {
    let run_layout = PretrainLayout {
        tables: dir.join(rundir::METRICS),
        checkpoints: dir.join(rundir::CHECKPOINTS).join("pretrain"),
        best: dir.join(rundir::CHECKPOINTS).join("pretrain/best"),
    };
    let layouts = [
        run_layout,
        PretrainLayout::in_dir(dir.join("pretrain")),
        PretrainLayout::in_dir(dir),
    ];
    for layout in &layouts {
        if let Some(ckpt) = layout.latest_checkpoint().ok().flatten() {
            return Ok(AeModel::load_for(
                &ckpt,
                ctx.device,
                ctx.data.shape(),
                None,
            )?);
        }
    }
    if dir.join(mdec_ae::model::MODEL_JSON).is_file() {
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
    let mut frames = EmbeddingAnimation::new(
        ctx.run.join(animation::GIF),
        ctx.data.len(),
        ctx.data.labels(),
    );
    let report = dec
        .fitting(&ctx.data)
        .output(ctx.run.cluster_layout())
        .resume(Resume::IfPresent)
        .observer(&mut frames)
        .run()?;
    if let StopReason::Interrupted { .. } = report.stop {
        return Err(ctx.interrupted("clustering", start));
    }
    if frames.frames() > 0 {
        frames.finish()?;
    }
    ctx.summary
        .add_time("clustering", start.elapsed().as_secs_f64());
    ctx.summary.cluster = Some(ClusterSummary::of(&report));
    ctx.summary.save(&ctx.run)?;
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

/// Writes `model/` through a temporary folder, replacing an older one whole.
fn save_model(run: &RunDir, save: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let dir = run.join(rundir::MODEL);
    let tmp = run.join(".model.tmp");
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)
            .with_context(|| format!("{}: cannot remove", tmp.display()))?;
    }
    save(&tmp)?;
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("{}: cannot replace", dir.display()))?;
    }
    std::fs::rename(&tmp, &dir).with_context(|| format!("{}: cannot write", dir.display()))
}

/// Per-sample assignments and embeddings of a clustering.
fn outputs<B: Backbone>(ctx: &mut Session, dec: &Dec<B>) -> Result<()> {
    let start = Instant::now();
    let assignments = dec.predict(&ctx.data)?;
    let mut frame = assignments.to_frame(ctx.data.names(), ctx.data.labels())?;
    mdec_data::table::write_table(&mut frame, ctx.run.root(), "assignments")?;
    let embeddings = dec.embeddings(&ctx.data)?;
    ctx.run.write_npy("embeddings.npy", &embeddings)?;
    ctx.summary
        .add_time("outputs", start.elapsed().as_secs_f64());
    ctx.summary.save(&ctx.run)
}

/// Draws the figures and `report.md` from the run folder's files; returns the final
/// scores when labels are known.
fn finish(
    ctx: &Session,
    report: Option<&ClusterReport>,
    autoencoder: Option<&AeModel>,
) -> Result<Option<mdec_metrics::Scores>> {
    report::render(&ctx.run, Some(&ctx.data), autoencoder)?;
    Ok(report.and_then(|r| r.scores))
}
