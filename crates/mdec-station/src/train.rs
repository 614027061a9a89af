//! Trying settings: the form's runs ([`TryForm`]), started on a worker thread and stopped
//! on request.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use mdec_cluster::Preset;
use mdec_pipeline::{Clusters, Command, FolderMode, Input, Run, RunSpec, SettingsSpec};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Station;
use crate::error::ApiError;
use crate::jobs::Jobs;
use crate::runs::check_name;

/// The most pretraining epochs a form may ask for.
pub const MAX_EPOCHS: usize = 1000;
/// The most clustering iterations a form may ask for.
pub const MAX_ITER: usize = 100_000;

/// The learning-rate schedule of pretraining.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleChoice {
    /// The same rate throughout.
    Constant,
    /// Cosine annealing to a hundredth of the rate.
    Cosine,
    /// A tenth of the rate after each third of the epochs.
    Step,
}

/// A short run asked for from the station's form. The architecture is a preset's
/// autoencoder (`dec`, `idec`: dense; `dcec`: convolutional; `mdec`: convolutional with
/// pooling; `dcra`, `dcra-fixed`), with the latent size, learning rate, schedule, input noise,
/// augmentation and budget given here; `max_iter` 0 pretrains only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TryForm {
    /// Index into `GET /api/inputs`.
    pub input: usize,
    /// The run folder's name; by default `try-<time>`.
    #[serde(default)]
    pub name: Option<String>,
    /// The preset whose autoencoder and clustering are used.
    pub architecture: Preset,
    /// Size of the embedding.
    pub latent_dim: usize,
    /// Pretraining learning rate.
    pub lr: f64,
    /// Pretraining schedule.
    pub schedule: ScheduleChoice,
    /// Standard deviation of the Gaussian noise added to the inputs (denoising).
    pub noise_std: f64,
    /// Random shifts and rotations while pretraining.
    pub augment: bool,
    /// Pretraining epochs.
    pub epochs: usize,
    /// Clustering iterations; 0 pretrains only.
    pub max_iter: usize,
    /// Clusters.
    pub clusters: usize,
    /// Batch size.
    pub batch_size: usize,
    /// Seed.
    pub seed: u64,
}

impl TryForm {
    /// Checks the form's ranges; the pipeline checks the rest against the data.
    fn check(&self, inputs: usize) -> Result<(), ApiError> {
        let bad = |m: String| Err(ApiError::bad_request(m));
        if self.input >= inputs {
            return bad(format!(
                "input {}: choose one of the {inputs} inputs listed",
                self.input
            ));
        }
        if !matches!(
            self.architecture,
            Preset::Dec
                | Preset::Idec
                | Preset::Dcec
                | Preset::Mdec
                | Preset::Dcra
                | Preset::DcraFixed
        ) {
            return bad(format!(
                "architecture {}: choose dec, idec, dcec, mdec, dcra or dcra-fixed",
                self.architecture
            ));
        }
        if !(1..=512).contains(&self.latent_dim) {
            return bad(format!("latent_dim {}: expected 1 to 512", self.latent_dim));
        }
        if !(self.lr > 0.0 && self.lr <= 1.0) {
            return bad(format!(
                "lr {}: expected a learning rate above 0 and at most 1",
                self.lr
            ));
        }
        if !(0.0..=1.0).contains(&self.noise_std) {
            return bad(format!("noise_std {}: expected 0 to 1", self.noise_std));
        }
        if !(1..=MAX_EPOCHS).contains(&self.epochs) {
            return bad(format!(
                "epochs {}: expected 1 to {MAX_EPOCHS}",
                self.epochs
            ));
        }
        if self.max_iter > MAX_ITER {
            return bad(format!(
                "max_iter {}: expected 0 (pretraining only) to {MAX_ITER}",
                self.max_iter
            ));
        }
        if !(2..=100).contains(&self.clusters) {
            return bad(format!("clusters {}: expected 2 to 100", self.clusters));
        }
        if !(1..=4096).contains(&self.batch_size) {
            return bad(format!(
                "batch_size {}: expected 1 to 4096",
                self.batch_size
            ));
        }
        if let Some(name) = &self.name
            && (name.len() > 64
                || check_name(name).is_err()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        {
            return bad(format!(
                "name {name:?}: use 1 to 64 letters, digits, - and _"
            ));
        }
        Ok(())
    }

    /// The settings the form asks for, in the config file's shape.
    fn overrides(&self) -> serde_json::Value {
        let schedule = match self.schedule {
            ScheduleChoice::Constant => json!({ "kind": "constant" }),
            ScheduleChoice::Cosine => json!({ "kind": "cosine", "min_lr": self.lr / 100.0 }),
            ScheduleChoice::Step => json!({
                "kind": "step",
                "step_size": (self.epochs / 3).max(1),
                "gamma": 0.1
            }),
        };
        let augment = match self.augment {
            true => json!({ "rotation": 10.0, "shift": 2 }),
            false => serde_json::to_value(mdec_data::AugmentConfig::default())
                .unwrap_or_else(|_| json!({})),
        };
        json!({
            "ae": { "latent_dim": self.latent_dim },
            "pretrain": {
                "lr": self.lr,
                "schedule": schedule,
                "noise_std": self.noise_std,
                "augment": augment
            }
        })
    }
}

/// One input a form may train on.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct InputChoice {
    index: usize,
    description: String,
}

impl Station {
    /// The inputs a form may train on: the station's own, then those of the runs in its
    /// folder, each once.
    fn inputs(&self) -> Vec<Input> {
        let mut inputs = self.inputs.clone();
        for id in self.runs.ids() {
            let Ok(layout) = self.runs.run(&id) else {
                continue;
            };
            if let Ok(config) = mdec_pipeline::RunConfig::read(&layout)
                && !inputs.contains(&config.input)
            {
                inputs.push(config.input);
            }
        }
        inputs
    }
}

/// `GET /api/inputs`.
pub(crate) async fn inputs(
    State(station): State<Arc<Station>>,
) -> Result<Json<Vec<InputChoice>>, ApiError> {
    crate::error::blocking(move || {
        Ok(Json(
            station
                .inputs()
                .iter()
                .enumerate()
                .map(|(index, input)| InputChoice {
                    index,
                    description: input.describe(),
                })
                .collect(),
        ))
    })
    .await
}

/// `POST /api/train`: checks the form, prepares the run (loading the data, checking the
/// settings against it, creating the folder) and starts it; answers `201` with its id.
pub(crate) async fn start(
    State(station): State<Arc<Station>>,
    body: Result<Json<TryForm>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let Json(form) = body.map_err(|e| ApiError::bad_request(e.body_text()))?;
    crate::error::blocking(move || {
        let inputs = station.inputs();
        form.check(inputs.len())?;
        let id = form
            .name
            .clone()
            .unwrap_or_else(|| format!("try-{}", crate::runs::unix_now() as u64));
        let folder = station.runs.root().join(&id);
        if folder.exists() {
            return Err(ApiError::conflict(format!(
                "run {id:?} exists: choose another name"
            )));
        }
        let command = match form.max_iter {
            0 => Command::Pretrain,
            _ => Command::Run,
        };
        let mut spec = RunSpec::new(command, inputs[form.input].clone(), folder);
        spec.mode = FolderMode::New;
        spec.device = station.device;
        spec.settings = SettingsSpec {
            preset: Some(form.architecture),
            overrides: Some(form.overrides()),
            clusters: Some(Clusters::Fixed(form.clusters)),
            epochs: Some(form.epochs),
            max_iter: (form.max_iter > 0).then_some(form.max_iter),
            batch_size: Some(form.batch_size),
            seed: Some(form.seed),
            ..SettingsSpec::default()
        };
        let run = Run::prepare(spec)?;
        let (subscriber, progress) = Jobs::progress_subscriber();
        let handle = run.start(vec![subscriber]);
        tracing::info!(run = %id, "station run started");
        station.jobs.insert(id.clone(), handle, progress);
        Ok((StatusCode::CREATED, Json(json!({ "id": id }))))
    })
    .await
}

/// `POST /api/runs/{id}/stop`: `202` once asked; `409` for a run this station did not start
/// or that has ended.
pub(crate) async fn stop(
    State(station): State<Arc<Station>>,
    UrlPath(id): UrlPath<String>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    station.runs.run(&id)?;
    match station.jobs.stop(&id) {
        Some(true) => Ok((StatusCode::ACCEPTED, Json(json!({ "stopping": id })))),
        Some(false) => Err(ApiError::conflict(format!("run {id:?} has already ended"))),
        None => Err(ApiError::conflict(format!(
            "run {id:?} was not started by this station: stop it where it runs (Ctrl-C)"
        ))),
    }
}
