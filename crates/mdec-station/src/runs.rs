//! The runs folder: which run folders it holds, what each is (method, data, status, scores),
//! and the one place that turns a run id and a path from a request into a file.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Json;
use axum::body::Body;
use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::response::Response;
use mdec_metrics::Scores;
use mdec_pipeline::{Event, Record, RunConfig, RunLayout};
use serde::Serialize;

use crate::Station;
use crate::error::{ApiError, Error, Result};

/// A run with no end event and nothing written for this long is shown as interrupted.
pub const STALE: Duration = Duration::from_secs(600);

/// The folder of run folders, resolved once.
pub(crate) struct RunsFolder {
    root: PathBuf,
}

impl RunsFolder {
    /// Creates the folder when absent and resolves it.
    pub(crate) fn open(path: &Path) -> Result<Self> {
        let error = |what: String| Error::Runs {
            path: path.to_path_buf(),
            what,
        };
        std::fs::create_dir_all(path).map_err(|e| error(format!("cannot create: {e}")))?;
        let root = path
            .canonicalize()
            .map_err(|e| error(format!("cannot resolve: {e}")))?;
        Ok(Self { root })
    }

    /// The folder.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// The run folder of `id`: one plain name of a folder holding `config.json`.
    pub(crate) fn run(&self, id: &str) -> Result<RunLayout, ApiError> {
        check_name(id).map_err(|why| ApiError::not_found(format!("run {id:?}: {why}")))?;
        let dir = self.root.join(id);
        let resolved = dir
            .canonicalize()
            .ok()
            .filter(|d| d.starts_with(&self.root) && d.join("config.json").is_file())
            .ok_or_else(|| {
                ApiError::not_found(format!("no run {id:?} in this station's folder"))
            })?;
        Ok(RunLayout::new(resolved))
    }

    /// The file at `relative` inside run `id`: every component a plain name, and the
    /// resolved file inside the run folder.
    pub(crate) fn file(&self, id: &str, relative: &str) -> Result<PathBuf, ApiError> {
        let run = self.run(id)?;
        let refused = || ApiError::not_found(format!("no file {relative:?} in run {id:?}"));
        if relative.is_empty() || relative.split('/').any(|part| check_name(part).is_err()) {
            return Err(refused());
        }
        let file = run.join(relative).canonicalize().map_err(|_| refused())?;
        match file.starts_with(run.root()) && file.is_file() {
            true => Ok(file),
            false => Err(refused()),
        }
    }

    /// The ids of the run folders, sorted.
    pub(crate) fn ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = std::fs::read_dir(&self.root)
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("config.json").is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|name| check_name(name).is_ok())
            .collect();
        ids.sort();
        ids
    }
}

/// A name that is one plain path component: not empty, not `.` or `..`, no separators,
/// no hidden files.
pub(crate) fn check_name(name: &str) -> std::result::Result<(), &'static str> {
    let mut components = Path::new(name).components();
    match (components.next(), components.next()) {
        _ if name.starts_with('.') => Err("hidden or relative names are refused"),
        _ if name.contains(['/', '\\', '\0']) => Err("separators are refused"),
        (Some(Component::Normal(_)), None) => Ok(()),
        _ => Err("not a plain name"),
    }
}

/// Where a run stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Training now.
    Running,
    /// Every phase done.
    Finished,
    /// Stopped (by a request, Ctrl-C, or a killed process) with checkpoints to resume from.
    Interrupted,
    /// Ended with an error.
    Failed,
}

/// One run, as the list shows it.
#[derive(Clone, Debug, Serialize)]
pub struct RunInfo {
    /// The run folder's name.
    pub id: String,
    /// `pretrain`, `cluster` or `run`.
    pub command: String,
    /// The preset (method).
    pub preset: String,
    /// The input, described.
    pub data: String,
    /// Samples.
    pub samples: usize,
    /// Shape of one sample.
    pub shape: String,
    /// Clusters.
    pub clusters: usize,
    /// Where it stands.
    pub status: RunStatus,
    /// Whether this station started it (and can stop it).
    pub owned: bool,
    /// The last scores: the final ones, else the latest update's.
    pub scores: Option<Scores>,
    /// Seconds of training, summed over its invocations.
    pub seconds: Option<f64>,
    /// When it first started, Unix seconds.
    pub started: Option<f64>,
    /// The error, when it failed.
    pub error: Option<String>,
}

/// One run, as its page needs it besides the event stream.
#[derive(Clone, Debug, Serialize)]
pub struct RunDetail {
    /// What the list shows.
    pub info: RunInfo,
    /// `config.json`.
    pub config: serde_json::Value,
    /// `metrics/summary.json`, when written.
    pub summary: Option<serde_json::Value>,
    /// Pictures of the run folder (`plots/`, `plots/montages/`, `maps/`), relative paths.
    pub pictures: Vec<String>,
    /// Cluster names given with `mdec export --names`, by cluster.
    pub names: std::collections::BTreeMap<usize, String>,
}

/// The newest embedding frame: per shown sample `[x, y, cluster, label or -1]`.
#[derive(Clone, Debug, Serialize)]
pub struct Frame {
    /// The clustering iteration of the update.
    pub iteration: usize,
    /// The points.
    pub points: Vec<[f32; 4]>,
}

impl Station {
    /// What the list shows of run `id` in `layout`.
    pub(crate) fn info(&self, id: &str, layout: &RunLayout) -> Result<RunInfo, ApiError> {
        let config = RunConfig::read(layout)?;
        let records = match layout.events().is_file() {
            true => mdec_pipeline::read_events(&layout.events())?,
            false => Vec::new(),
        };
        let owned = self.jobs.state(id);
        let mut terminal = None;
        let mut scores = None;
        let mut seconds = 0.0;
        let mut error = None;
        for record in &records {
            match &record.event {
                Event::RunStarted { .. } => terminal = None,
                Event::TargetUpdate { row, .. } => scores = row.scores.or(scores),
                Event::Finished {
                    scores: s,
                    seconds: t,
                } => {
                    scores = s.or(scores);
                    seconds += t;
                    terminal = Some(RunStatus::Finished);
                }
                Event::Stopped { .. } => terminal = Some(RunStatus::Interrupted),
                Event::Failed { error: e, .. } => {
                    error = Some(e.clone());
                    terminal = Some(RunStatus::Failed);
                }
                _ => {}
            }
        }
        let status = match (owned, terminal) {
            (Some(true), _) => RunStatus::Running,
            (_, Some(status)) => status,
            (Some(false), None) => RunStatus::Interrupted,
            (None, None) if fresh(layout) => RunStatus::Running,
            (None, None) => RunStatus::Interrupted,
        };
        Ok(RunInfo {
            id: id.to_owned(),
            command: config.command.name().to_owned(),
            preset: config.settings.preset.to_string(),
            data: config.data.clone(),
            samples: config.samples,
            shape: config.shape.clone(),
            clusters: config.settings.cluster.n_clusters,
            status,
            owned: owned.is_some(),
            scores,
            seconds: (seconds > 0.0).then_some(seconds),
            started: records.first().map(|r: &Record| r.time),
            error,
        })
    }
}

/// Whether the run wrote its events or log in the last [`STALE`].
fn fresh(layout: &RunLayout) -> bool {
    let now = SystemTime::now();
    [layout.events(), layout.log()].iter().any(|path| {
        std::fs::metadata(path)
            .and_then(|m| m.modified())
            .is_ok_and(|t| now.duration_since(t).unwrap_or_default() < STALE)
    })
}

/// `GET /api/runs`.
pub(crate) async fn list(
    State(station): State<Arc<Station>>,
) -> Result<Json<Vec<RunInfo>>, ApiError> {
    crate::error::blocking(move || {
        let mut infos = Vec::new();
        for id in station.runs.ids() {
            let layout = station.runs.run(&id)?;
            match station.info(&id, &layout) {
                Ok(info) => infos.push(info),
                // A run folder being created, or one this version cannot read, is skipped.
                Err(e) => tracing::debug!(run = %id, error = %e.message, "run skipped"),
            }
        }
        infos.sort_by(|a, b| {
            b.started
                .unwrap_or(f64::MAX)
                .total_cmp(&a.started.unwrap_or(f64::MAX))
        });
        Ok(Json(infos))
    })
    .await
}

/// `GET /api/runs/{id}`.
pub(crate) async fn detail(
    State(station): State<Arc<Station>>,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<RunDetail>, ApiError> {
    crate::error::blocking(move || {
        let layout = station.runs.run(&id)?;
        let info = station.info(&id, &layout)?;
        let read_json = |path: PathBuf| -> Option<serde_json::Value> {
            serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()
        };
        let config = read_json(layout.config())
            .ok_or_else(|| ApiError::internal(format!("run {id:?}: config.json is unreadable")))?;
        let mut pictures = Vec::new();
        for folder in ["plots", "plots/montages", "maps"] {
            pictures.extend(
                layout
                    .pictures(folder)
                    .into_iter()
                    .map(|n| format!("{folder}/{n}")),
            );
        }
        let names = mdec_pipeline::export::read_saved_names(&layout, info.clusters)?;
        Ok(Json(RunDetail {
            info,
            config,
            summary: read_json(layout.summary()),
            pictures,
            names,
        }))
    })
    .await
}

/// `GET /api/runs/{id}/frame`: the newest `frames/update-*.npy`.
pub(crate) async fn frame(
    State(station): State<Arc<Station>>,
    UrlPath(id): UrlPath<String>,
) -> Result<Json<Frame>, ApiError> {
    crate::error::blocking(move || {
        let layout = station.runs.run(&id)?;
        let newest = std::fs::read_dir(layout.frames())
            .into_iter()
            .flatten()
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_str()?.to_owned();
                let iteration = name
                    .strip_prefix("update-")?
                    .strip_suffix(".npy")?
                    .parse()
                    .ok()?;
                Some((iteration, e.path()))
            })
            .max_by_key(|(iteration, _): &(usize, PathBuf)| *iteration)
            .ok_or_else(|| ApiError::not_found(format!("run {id:?} has no embedding frame yet")))?;
        let rows: ndarray::Array2<f32> = ndarray_npy::read_npy(&newest.1)
            .map_err(|e| ApiError::internal(format!("{}: {e}", newest.1.display())))?;
        if rows.ncols() != 4 {
            return Err(ApiError::internal(format!(
                "{}: expected 4 columns, found {}",
                newest.1.display(),
                rows.ncols()
            )));
        }
        Ok(Json(Frame {
            iteration: newest.0,
            points: rows
                .rows()
                .into_iter()
                .map(|r| [r[0], r[1], r[2], r[3]])
                .collect(),
        }))
    })
    .await
}

/// `GET /api/runs/{id}/files/{path}`.
pub(crate) async fn file(
    State(station): State<Arc<Station>>,
    UrlPath((id, relative)): UrlPath<(String, String)>,
) -> Result<Response, ApiError> {
    let path = station.runs.file(&id, &relative)?;
    let bytes = tokio::fs::read(&path)
        .await
        .map_err(|e| ApiError::internal(format!("{}: {e}", path.display())))?;
    let mime = match path.extension().and_then(|e| e.to_str()) {
        Some("png") => "image/png",
        Some("gif") => "image/gif",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("md" | "jsonl" | "txt") => "text/plain; charset=utf-8",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    };
    Response::builder()
        .header(header::CONTENT_TYPE, mime)
        .header(header::CACHE_CONTROL, "no-cache")
        .body(Body::from(bytes))
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// Now, Unix seconds.
pub(crate) fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}
