//! A run: [`RunSpec`] (what to run, as one typed value) → [`Run::prepare`] (data loaded,
//! settings resolved and checked, architecture checked against the data, run folder and
//! `config.json` written — in that order, so a mistake leaves nothing behind) →
//! [`Run::start`] on a worker thread ([`RunHandle`]: stop, join) or [`Run::execute`] on
//! the caller's.

use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use mdec_ae::{
    AeModel, Control, DeviceChoice, Encoder, EpochRow, PretrainLayout, PretrainObserver, Step,
    StopFlag, TorchScriptEncoder,
};
use mdec_cluster::{
    Backbone, ClusterReport, Dec, EncoderOnly, Init, KRange, ObserverError, PresetSettings, Resume,
    StopReason, Update, UpdateObserver,
};
use mdec_data::Dataset;
use mdec_metrics::Scores;
use serde::{Deserialize, Serialize};
use tch::Device;

use crate::animation::FrameRecorder;
use crate::config::RunConfig;
use crate::error::{Error, Result};
use crate::events::{Event, Events, Phase, Subscriber};
use crate::features::Features;
use crate::input::Input;
use crate::layout::{FolderMode, RunLayout};
use crate::report;
use crate::settings::SettingsSpec;
use crate::summary::{ClusterSummary, PretrainSummary, RunSummary};

/// Share of the data held out to validate pretraining.
pub const VALIDATION_FRACTION: f64 = 0.1;

/// What a run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Command {
    /// Pretrain the autoencoder only.
    Pretrain,
    /// Cluster with a pretrained autoencoder or a TorchScript encoder ([`ClusterFrom`]).
    Cluster,
    /// Pretrain, then cluster.
    Run,
}

impl Command {
    /// The CLI's name of the command.
    pub fn name(self) -> &'static str {
        match self {
            Command::Pretrain => "pretrain",
            Command::Cluster => "cluster",
            Command::Run => "run",
        }
    }
}

/// What [`Command::Cluster`] starts from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClusterFrom {
    /// A pretrained autoencoder: a run folder of `mdec pretrain` / `mdec run`, or a
    /// checkpoint or model folder inside one.
    Pretrained(PathBuf),
    /// A TorchScript encoder exported from PyTorch (images `[b,c,h,w]` → `[b,d]`), frozen
    /// (only the centroids train; it is copied into the run's `model/`) or fine-tuned by
    /// the clustering loss with the centroids (batch-norm statistics kept; the tuned
    /// module is written to the run's `model/`).
    Encoder {
        /// The TorchScript file.
        script: PathBuf,
        /// Whether its weights train.
        fine_tune: bool,
    },
}

/// One run, described as data.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// Where the images come from.
    pub input: Input,
    /// What to do.
    pub command: Command,
    /// What clustering starts from; required by [`Command::Cluster`], ignored otherwise.
    pub cluster_from: Option<ClusterFrom>,
    /// The settings asked for (see [`SettingsSpec`] for the precedence). A resumed run
    /// keeps the settings in its `config.json`.
    pub settings: SettingsSpec,
    /// The run folder; `None`: `runs/<preset or command>-<seconds since 1970>`.
    pub out: Option<PathBuf>,
    /// What to do with an existing run folder.
    pub mode: FolderMode,
    /// The device.
    pub device: DeviceChoice,
    /// CPU threads for libtorch and the host work (augmentation, k-means); `None`: one per
    /// core. Process-wide: the first run of a process sets the host pool.
    pub threads: Option<usize>,
    /// Wall time the run may take: pretraining ends after the last epoch that fits in
    /// [`PRETRAIN_SHARE`] of it, clustering at the first update after
    /// [`CLUSTER_SHARE`] of it. `None`: [`DEFAULT_TIME_BUDGET`] when the settings name no
    /// method or budget (no preset, config file, epochs or iterations), else none — a preset
    /// asked for runs its paper's protocol whole. A resumed run keeps its budget, counted
    /// from the resumption.
    pub time_budget: Option<Duration>,
}

/// The budget of a run whose settings name no method or budget: 10 minutes.
pub const DEFAULT_TIME_BUDGET: Duration = Duration::from_secs(600);
/// The share of the time budget pretraining may use.
pub const PRETRAIN_SHARE: f64 = 0.6;
/// The share of the time budget after which clustering ends (the rest is for the outputs).
pub const CLUSTER_SHARE: f64 = 0.95;

impl RunSpec {
    /// A new run of `command` on `input` with the default settings, in `out`.
    pub fn new(command: Command, input: Input, out: impl Into<PathBuf>) -> Self {
        Self {
            input,
            command,
            cluster_from: None,
            settings: SettingsSpec::default(),
            out: Some(out.into()),
            mode: FolderMode::New,
            device: DeviceChoice::Auto,
            threads: None,
            time_budget: None,
        }
    }
}

/// How a run ended without an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Every phase ran to its end.
    Finished,
    /// A stop request ended it in this phase, after writing checkpoints; the same spec with
    /// [`FolderMode::Resume`] continues it.
    Stopped(Phase),
}

/// What a run did.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The run folder.
    pub run: PathBuf,
    /// How it ended.
    pub status: Status,
    /// The final scores, when the data has labels and clustering finished.
    pub scores: Option<Scores>,
}

/// A prepared run: data loaded, settings checked, folder and `config.json` written.
pub struct Run {
    layout: RunLayout,
    command: Command,
    cluster_from: Option<ClusterFrom>,
    /// What the model sees: the images, or their features.
    data: Dataset,
    /// Tiles or crops: where each sample lies in its input, for the maps.
    located: Option<Box<dyn mdec_data::Source>>,
    /// The images, when the model sees features ([`PresetSettings::features`]).
    images: Option<Dataset>,
    features: Option<Features>,
    settings: PresetSettings,
    /// The range to choose k from after pretraining, until it is chosen.
    k_search: Option<KRange>,
    time_budget: Option<Duration>,
    /// Where the budget is counted from: the start of [`Run::execute`].
    started: Instant,
    device: Device,
    resuming: bool,
    summary: RunSummary,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("run", &self.layout.root())
            .field("command", &self.command)
            .field("samples", &self.data.len())
            .field("device", &self.device)
            .finish()
    }
}

impl Run {
    /// Loads the data, resolves and checks the settings, checks the model against the data,
    /// then creates the run folder and writes `config.json` (unless resuming): every check
    /// comes before anything is written.
    ///
    /// # Errors
    /// [`Error::BadInput`] (and the data's, settings' and model's errors) for anything the
    /// user must fix.
    pub fn prepare(spec: RunSpec) -> Result<Self> {
        if let Some(threads) = spec.threads {
            set_threads(threads)?;
        }
        let device = spec.device.resolve()?;
        let located = spec.input.source()?;
        let data = match &located {
            Some(source) => spec.input.load_from(source.as_ref())?,
            None => spec.input.load()?,
        };
        let resuming = spec.mode == FolderMode::Resume;
        let (settings, k_search, time_budget) = match (&spec.out, resuming) {
            (Some(out), true) => {
                let layout = RunLayout::open(out)?;
                let config = RunConfig::read(&layout)?;
                crate::settings::check(&config.settings, &data)?;
                (
                    config.settings,
                    config.k_search,
                    config.time_budget_seconds.map(Duration::from_secs_f64),
                )
            }
            (None, true) => {
                return Err(Error::BadInput(
                    "resuming needs the run folder (--out)".into(),
                ));
            }
            (_, false) => (
                spec.settings.resolve(&data, spec.input.default_preset())?,
                spec.settings.k_search(),
                spec.time_budget.or_else(|| {
                    (!spec.settings.names_a_method_or_budget()).then_some(DEFAULT_TIME_BUDGET)
                }),
            ),
        };
        if !resuming && spec.settings.preset.is_none() && spec.settings.config.is_none() {
            tracing::info!(
                preset = %settings.preset,
                "no --preset: the default for this input (--preset to choose another)"
            );
        }
        let cluster_from = match (spec.command, spec.cluster_from) {
            (Command::Cluster, None) => {
                return Err(Error::BadInput(
                    "clustering alone needs a pretrained autoencoder (--pretrained) or an encoder (--encoder)".into(),
                ));
            }
            (Command::Cluster, from) => from,
            (_, _) => None,
        };
        let (images, features, data) = match settings.features {
            Some(_) if matches!(cluster_from, Some(ClusterFrom::Encoder { .. })) => {
                return Err(Error::BadInput(
                    "an encoder sees the images: clustering with --encoder takes no features (choose a preset without features)".into(),
                ));
            }
            Some(spec) => {
                let (features, featurised) = Features::fit(spec, &data)?;
                tracing::info!(
                    features = featurised.shape().channels,
                    "the model sees hand-made features of the images"
                );
                (Some(data), Some(features), featurised)
            }
            None => (None, None, data),
        };
        let shown = images.as_ref().unwrap_or(&data);
        check_model(spec.command, cluster_from.as_ref(), &settings, &data)?;
        let name = match spec.command {
            Command::Run => settings.preset.name(),
            other => other.name(),
        };
        let root = spec.out.clone().unwrap_or_else(|| {
            let secs = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            PathBuf::from(format!("runs/{name}-{secs}"))
        });
        let layout = RunLayout::prepare(&root, spec.mode)?;
        if !resuming || !layout.config().is_file() {
            let abs = |p: &PathBuf| std::path::absolute(p).unwrap_or_else(|_| p.clone());
            let (encoder, fine_tune, pretrained) = match &cluster_from {
                Some(ClusterFrom::Encoder { script, fine_tune }) => {
                    (Some(abs(script)), *fine_tune, None)
                }
                Some(ClusterFrom::Pretrained(p)) => (None, false, Some(abs(p))),
                None => (None, false, None),
            };
            RunConfig {
                mdec_version: env!("CARGO_PKG_VERSION").to_owned(),
                libtorch: mdec_ae::libtorch_description(),
                command: spec.command,
                data: spec.input.describe(),
                input: spec.input.absolute(),
                samples: shown.len(),
                shape: shown.shape().to_string(),
                data_summary: shown.summary().to_string(),
                seed: settings.cluster.seed,
                device: mdec_ae::device_name(device),
                threads: tch::get_num_threads(),
                settings: settings.clone(),
                k_search,
                time_budget_seconds: time_budget.map(|b| b.as_secs_f64()),
                encoder,
                fine_tune,
                pretrained,
            }
            .write(&layout)?;
        }
        // Resumed after k was chosen: config.json holds it.
        let k_search = k_search.filter(|_| !layout.k_choice_table().is_file());
        let summary = RunSummary::load(&layout)?;
        tracing::info!(run = %layout.root().display(), device = %mdec_ae::device_name(device), "run folder ready");
        Ok(Self {
            layout,
            command: spec.command,
            cluster_from,
            data,
            located,
            images,
            features,
            settings,
            k_search,
            time_budget,
            started: Instant::now(),
            device,
            resuming,
            summary,
        })
    }

    /// The run folder.
    pub fn layout(&self) -> &RunLayout {
        &self.layout
    }

    /// The resolved settings.
    pub fn settings(&self) -> &PresetSettings {
        &self.settings
    }

    /// The images of the run.
    pub fn images(&self) -> &Dataset {
        self.images.as_ref().unwrap_or(&self.data)
    }

    /// Trains on a new thread, sending every event to `subscribers` (on that thread);
    /// [`RunHandle::stop`] stops it between two batches.
    pub fn start(self, subscribers: Vec<Box<dyn Subscriber>>) -> RunHandle {
        let stop = StopFlag::new();
        let flag = stop.clone();
        let run = self.layout.root().to_path_buf();
        let thread = std::thread::Builder::new()
            .name("mdec-run".into())
            .spawn(move || self.execute(subscribers, flag));
        RunHandle { stop, thread, run }
    }

    /// Trains on this thread: pretraining and/or clustering, then the model, assignments,
    /// embeddings, figures and report. Every event goes to `subscribers` and to
    /// `events.jsonl`; `stop` (set from another thread or a signal handler) ends the run
    /// between two batches with checkpoints to resume from.
    ///
    /// # Errors
    /// [`Error::NonFiniteLoss`] (and pretraining's non-finite-loss error) when training
    /// diverged; I/O, model and figure errors.
    pub fn execute(
        mut self,
        subscribers: Vec<Box<dyn Subscriber>>,
        stop: StopFlag,
    ) -> Result<Outcome> {
        let mut events = Events::new(subscribers);
        events.attach(&self.layout.events())?;
        events.emit(Event::RunStarted {
            run: self.layout.root().to_path_buf(),
            command: self.command,
            data: self.images().summary().to_string(),
            samples: self.images().len(),
            shape: self.images().shape().to_string(),
            device: mdec_ae::device_name(self.device),
            resumed: self.resuming,
        });
        let started = Instant::now();
        self.started = started;
        if let Some(budget) = self.time_budget {
            tracing::info!(
                minutes = budget.as_secs_f64() / 60.0,
                pretraining_minutes = PRETRAIN_SHARE * budget.as_secs_f64() / 60.0,
                "time budget (--time-budget to change it)"
            );
        }
        let result = self.train(&mut events, &stop);
        match &result {
            Ok(Outcome {
                status: Status::Finished,
                scores,
                ..
            }) => events.emit(Event::Finished {
                scores: *scores,
                seconds: started.elapsed().as_secs_f64(),
            }),
            Ok(Outcome {
                status: Status::Stopped(phase),
                ..
            }) => events.emit(Event::Stopped { phase: *phase }),
            Err(error) => events.emit(Event::Failed {
                error: error_chain(error),
                kind: error.kind(),
            }),
        }
        result
    }

    fn outcome(&self, status: Status, scores: Option<Scores>) -> Outcome {
        Outcome {
            run: self.layout.root().to_path_buf(),
            status,
            scores,
        }
    }

    fn train(&mut self, events: &mut Events, stop: &StopFlag) -> Result<Outcome> {
        let model = match (self.command, self.cluster_from.clone()) {
            (Command::Pretrain, _) => {
                let Some(model) = self.pretrain(events, stop)? else {
                    self.finish_stopped_pretraining(events);
                    return Ok(self.outcome(Status::Stopped(Phase::Pretraining), None));
                };
                self.finish(events, Some(&model))?;
                return Ok(self.outcome(Status::Finished, None));
            }
            (Command::Run, _) => match self.pretrain(events, stop)? {
                Some(model) => model,
                None => {
                    self.finish_stopped_pretraining(events);
                    return Ok(self.outcome(Status::Stopped(Phase::Pretraining), None));
                }
            },
            (Command::Cluster, Some(ClusterFrom::Pretrained(dir))) => {
                load_pretrained(&dir, self.data.shape(), self.device)?
            }
            (Command::Cluster, Some(ClusterFrom::Encoder { script, fine_tune })) => {
                let encoder = TorchScriptEncoder::load(&script, self.data.shape(), self.device)?;
                let backbone = if fine_tune {
                    tracing::info!(encoder = %script.display(), "fine-tuning the encoder with the centroids");
                    EncoderOnly::fine_tuned(encoder)?
                } else {
                    EncoderOnly::new(encoder)
                };
                let no_decoder = |_: &EncoderOnly<TorchScriptEncoder>| None;
                return self.cluster_and_save(
                    backbone,
                    events,
                    stop,
                    no_decoder,
                    move |dec, dir| {
                        dec.save(dir)?;
                        let to = dir.join(crate::layout::ENCODER_FILE);
                        if fine_tune {
                            dec.backbone().encoder().save(&to)?;
                        } else {
                            std::fs::copy(&script, &to)
                                .map_err(|e| Error::io(&script, "cannot copy", e))?;
                        }
                        Ok(())
                    },
                );
            }
            (Command::Cluster, None) => {
                return Err(Error::BadInput(
                    "clustering alone needs --pretrained or --encoder".into(),
                ));
            }
        };
        self.cluster_and_save(
            model,
            events,
            stop,
            |m| Some(m),
            |dec, dir| Ok(dec.save(dir)?),
        )
    }

    /// Clusters, then saves the model (through `save`), the outputs, figures and report
    /// (with the reconstructions of the backbone's `autoencoder`, when it has one).
    fn cluster_and_save<B: Backbone>(
        &mut self,
        backbone: B,
        events: &mut Events,
        stop: &StopFlag,
        autoencoder: fn(&B) -> Option<&AeModel>,
        save: impl FnOnce(&Dec<B>, &Path) -> Result<()>,
    ) -> Result<Outcome> {
        if let Some(range) = self.k_search.take() {
            self.choose_k(&backbone, range, events)?;
        }
        let Some((dec, report)) = self.cluster(backbone, events, stop)? else {
            return Ok(self.outcome(Status::Stopped(Phase::Clustering), None));
        };
        crate::layout::replace_dir(&self.layout.model(), |dir| {
            save(&dec, dir)?;
            self.features.as_ref().map_or(Ok(()), |f| f.save(dir))
        })?;
        self.outputs(&dec)?;
        self.finish(events, autoencoder(dec.backbone()))?;
        Ok(self.outcome(Status::Finished, report.scores))
    }

    /// Chooses the number of clusters on `encoder`'s embedding of the data
    /// ([`mdec_cluster::choose_k`]), writes it into `config.json`, then the scores into
    /// `metrics/k_choice.csv` (whose presence tells a resumed run that k is chosen).
    fn choose_k(
        &mut self,
        encoder: &dyn Encoder,
        range: KRange,
        events: &mut Events,
    ) -> Result<()> {
        let start = Instant::now();
        let xs = mdec_ae::array_to_tensor(self.data.images())?;
        let zs = mdec_ae::embed(encoder, &xs, 256)?;
        let choice = mdec_cluster::choose_k(&zs, range, self.settings.cluster.seed)?;
        self.settings.cluster.n_clusters = choice.k;
        let mut config = RunConfig::read(&self.layout)?;
        config.settings = self.settings.clone();
        config.write(&self.layout)?;
        let mut frame = choice.to_frame()?;
        mdec_data::table::write_table(&mut frame, &self.layout.metrics(), RunLayout::K_CHOICE)?;
        tracing::info!(k = choice.k, reason = %choice.reason, "chose the number of clusters");
        events.emit(Event::KChosen { choice });
        self.add_time("choosing k", start)
    }

    /// Pretrains (or resumes pretraining); `None` when a stop request ended it.
    fn pretrain(&mut self, events: &mut Events, stop: &StopFlag) -> Result<Option<AeModel>> {
        let start = Instant::now();
        if self.settings.pretrain.epochs == 0 {
            tracing::info!(
                "no pretraining (0 epochs): clustering starts from the randomly initialised autoencoder, DEC's random-initialisation ablation"
            );
            return Ok(Some(AeModel::with_seed(
                self.settings.ae.clone(),
                self.data.shape(),
                self.device,
                self.settings.pretrain.seed,
            )?));
        }
        let params = self.settings.pretrain.clone().check()?;
        let (train, validation) =
            mdec_ae::split_train_validation(&self.data, VALIDATION_FRACTION, params.seed)?;
        let mut watch = PretrainEvents {
            events,
            epochs: params.epochs,
        };
        let result = mdec_ae::pretrain_or_resume(
            &self.settings.ae,
            self.device,
            &train,
            validation.as_ref(),
            &params,
            self.layout.pretrain_layout(),
            Control {
                stop: stop.clone(),
                observer: Some(&mut watch),
                deadline: self.deadline(PRETRAIN_SHARE),
            },
        );
        let (model, report) = match result {
            Err(mdec_ae::Error::Interrupted { .. }) => {
                self.add_time("pretraining", start)?;
                return Ok(None);
            }
            other => other?,
        };
        self.summary.pretrain = Some(PretrainSummary {
            best_loss: report.best_loss.is_finite().then_some(report.best_loss),
            best_epoch: report.best_epoch,
            stopped_early: report.stopped_early,
        });
        self.add_time("pretraining", start)?;
        tracing::info!(
            epochs = report.rows.len(),
            train_loss = report.final_train_loss,
            val_loss = report.final_val_loss,
            "pretraining done"
        );
        Ok(Some(model))
    }

    /// Clusters (or resumes clustering); `None` when a stop request ended it.
    fn cluster<B: Backbone>(
        &mut self,
        backbone: B,
        events: &mut Events,
        stop: &StopFlag,
    ) -> Result<Option<(Dec<B>, ClusterReport)>> {
        let start = Instant::now();
        let params = self.settings.cluster.clone().check()?;
        let max_iter = params.max_iter;
        let mut dec = Dec::new(backbone, params)?;
        let mut watch = ClusterEvents {
            events,
            frames: FrameRecorder::new(&self.layout, self.data.len(), self.data.labels()),
            max_iter,
        };
        let mut fitting = dec
            .fitting(&self.data)
            .output(self.layout.cluster_layout())
            .resume(Resume::IfPresent)
            .observer(&mut watch)
            .stop(stop.clone());
        if let Some(deadline) = self.deadline(CLUSTER_SHARE) {
            fitting = fitting.deadline(deadline);
        }
        let report = fitting.run()?;
        self.summary.cluster = Some(ClusterSummary::of(&report));
        self.add_time("clustering", start)?;
        match report.stop {
            StopReason::Interrupted { .. } => return Ok(None),
            StopReason::NonFiniteLoss { iteration } => {
                return Err(Error::NonFiniteLoss { iteration });
            }
            StopReason::Converged { .. } | StopReason::Budget => {}
        }
        tracing::info!(
            iterations = report.iterations,
            acc = report.scores.map(|s| s.acc),
            nmi = report.scores.map(|s| s.nmi),
            ari = report.scores.map(|s| s.ari),
            stop = ?report.stop,
            "clustering done"
        );
        Ok(Some((dec, report)))
    }

    /// Per-sample assignments and embeddings.
    fn outputs<B: Backbone>(&mut self, dec: &Dec<B>) -> Result<()> {
        let start = Instant::now();
        let assignments = dec.predict(&self.data)?;
        let names = self.located.is_none().then(|| self.data.names()).flatten();
        let mut frame = assignments.to_frame(names, self.data.labels())?;
        if let Some(source) = &self.located {
            let all: Vec<usize> = (0..source.len()).collect();
            crate::maps::add_positions(&mut frame, source.as_ref(), &all)?;
            let k = assignments.q.ncols();
            if let Some(maps) = crate::maps::maps_of(
                source.as_ref(),
                k,
                &assignments.cluster,
                &assignments.confidence,
            ) {
                crate::maps::write_maps(&self.layout.maps(), source.as_ref(), maps)?;
            }
        }
        mdec_data::table::write_table(&mut frame, self.layout.root(), RunLayout::ASSIGNMENTS)?;
        let embeddings = dec.embeddings(&self.data)?;
        crate::layout::write_npy(&self.layout.embeddings(), &embeddings)?;
        self.add_time("outputs", start)
    }

    /// Draws the figures and `report.md` from the run folder's files.
    fn finish(&self, events: &mut Events, autoencoder: Option<&AeModel>) -> Result<()> {
        for path in report::render(&self.layout, Some(self.images()), autoencoder)? {
            events.emit(Event::FigureWritten { path });
        }
        Ok(())
    }

    /// Draws the figures and report of a run stopped while pretraining, with the newest
    /// checkpoint's reconstructions, so that what it learnt so far can be looked at; a
    /// failure to draw is logged, not raised (the stop itself went well).
    fn finish_stopped_pretraining(&self, events: &mut Events) {
        let drawn = self
            .layout
            .pretrain_layout()
            .latest_checkpoint()
            .map_err(Error::from)
            .and_then(|ckpt| {
                ckpt.map(|ckpt| AeModel::load(&ckpt, self.device).map_err(Error::from))
                    .transpose()
            })
            .and_then(|model| self.finish(events, model.as_ref()));
        if let Err(e) = drawn {
            tracing::warn!(error = %e, "cannot draw the figures of the stopped run");
        }
    }

    /// The moment `share` of the time budget is spent, when there is one.
    fn deadline(&self, share: f64) -> Option<Instant> {
        self.time_budget
            .map(|budget| self.started + budget.mul_f64(share))
    }

    /// Adds the time since `start` to `phase` and saves the summary.
    fn add_time(&mut self, phase: &str, start: Instant) -> Result<()> {
        self.summary.add_time(phase, start.elapsed().as_secs_f64());
        self.summary.save(&self.layout)
    }
}

/// A run training on its own thread.
#[derive(Debug)]
pub struct RunHandle {
    stop: StopFlag,
    thread: std::io::Result<JoinHandle<Result<Outcome>>>,
    run: PathBuf,
}

impl RunHandle {
    /// Asks the run to stop between two batches (it writes checkpoints first). Returns at
    /// once; [`RunHandle::join`] waits for the run to end.
    pub fn stop(&self) {
        self.stop.stop();
    }

    /// The run folder.
    pub fn run(&self) -> &Path {
        &self.run
    }

    /// Whether the run has ended.
    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().map_or(true, JoinHandle::is_finished)
    }

    /// Waits for the run to end.
    ///
    /// # Errors
    /// The run's error; [`Error::Panicked`] when its thread panicked or could not start.
    pub fn join(self) -> Result<Outcome> {
        match self.thread {
            Ok(thread) => thread.join().unwrap_or_else(|panic| {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                Err(Error::Panicked(message))
            }),
            Err(e) => Err(Error::Panicked(format!("cannot start the thread: {e}"))),
        }
    }
}

/// The error and its causes on one line, as `anyhow`'s `{:#}` prints them.
fn error_chain(error: &Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Sets libtorch's CPU threads and the host thread pool.
fn set_threads(threads: usize) -> Result<()> {
    if threads == 0 || threads > 4096 {
        return Err(Error::BadInput(format!(
            "{threads} threads: give between 1 and 4096"
        )));
    }
    tch::set_num_threads(threads as i32);
    if rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build_global()
        .is_err()
        && rayon::current_num_threads() != threads
    {
        tracing::warn!(
            threads,
            host_threads = rayon::current_num_threads(),
            "the host thread pool was already set up in this process: it keeps its size"
        );
    }
    Ok(())
}

/// Checks, before anything is written, that the model the run builds or loads takes the
/// data's images.
fn check_model(
    command: Command,
    from: Option<&ClusterFrom>,
    settings: &PresetSettings,
    data: &Dataset,
) -> Result<()> {
    match (command, from) {
        (Command::Cluster, Some(ClusterFrom::Pretrained(dir))) => {
            load_pretrained(dir, data.shape(), Device::Cpu).map(drop)
        }
        (Command::Cluster, Some(ClusterFrom::Encoder { script, .. })) => {
            if !script.is_file() {
                return Err(Error::BadInput(format!(
                    "{}: no such encoder file",
                    script.display()
                )));
            }
            TorchScriptEncoder::load(script, data.shape(), Device::Cpu)?;
            Ok(())
        }
        _ => {
            AeModel::with_seed(settings.ae.clone(), data.shape(), Device::Cpu, 0)?;
            Ok(())
        }
    }
}

/// The autoencoder in `dir`: a run folder, a pretraining folder or checkpoint, or a model
/// folder, on `device`, checked against images of `shape`.
fn load_pretrained(dir: &Path, shape: mdec_data::ImageShape, device: Device) -> Result<AeModel> {
    let layouts = [
        RunLayout::new(dir).pretrain_layout(),
        PretrainLayout::in_dir(dir.join("pretrain")),
        PretrainLayout::in_dir(dir),
    ];
    for layout in &layouts {
        if let Some(ckpt) = layout.latest_checkpoint().ok().flatten() {
            return Ok(AeModel::load_for(&ckpt, device, shape, None)?);
        }
    }
    if dir.join(mdec_ae::model::MODEL_JSON).is_file() {
        return Ok(AeModel::load_for(dir, device, shape, None)?);
    }
    Err(Error::BadInput(format!(
        "{}: no pretrained autoencoder there (expected a run folder of `mdec pretrain` or a checkpoint folder)",
        dir.display()
    )))
}

/// Pretraining's batches and epochs as events.
struct PretrainEvents<'a> {
    events: &'a mut Events,
    epochs: usize,
}

impl PretrainObserver for PretrainEvents<'_> {
    fn on_batch(&mut self, step: &Step) {
        self.events.emit(Event::Progress {
            phase: Phase::Pretraining,
            done: step.batch,
            total: step.batches,
            epoch: Some(step.epoch),
            epochs: Some(step.epochs),
            loss: step.loss,
        });
    }

    fn on_epoch(&mut self, row: &EpochRow) {
        self.events.emit(Event::EpochDone {
            epochs: self.epochs,
            row: row.clone(),
        });
    }
}

/// Clustering's initialisation, updates and batches as events, and the animation's frames.
struct ClusterEvents<'a> {
    events: &'a mut Events,
    frames: FrameRecorder,
    max_iter: usize,
}

impl UpdateObserver for ClusterEvents<'_> {
    fn on_update(&mut self, update: &Update<'_>) -> Result<(), ObserverError> {
        self.frames.record(update)?;
        self.events.emit(Event::TargetUpdate {
            max_iter: self.max_iter,
            row: update.row.clone(),
        });
        Ok(())
    }

    fn on_init(&mut self, init: &Init) {
        self.events.emit(Event::KmeansDone {
            iteration: init.iteration,
            inertia: init.inertia,
            scores: init.scores,
            seconds: init.seconds,
        });
    }

    fn on_batch(&mut self, iteration: usize, total: usize) {
        self.events.emit(Event::Progress {
            phase: Phase::Clustering,
            done: iteration,
            total,
            epoch: None,
            epochs: None,
            loss: None,
        });
    }
}
