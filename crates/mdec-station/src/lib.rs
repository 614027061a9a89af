//! The test station (`mdec station RUNS_DIR`): a local web page to watch runs as they train,
//! compare them, and try autoencoder settings.
//!
//! The server ([`router`], [`serve`]) serves one folder of run folders. Its page (HTML, script
//! and style built into the binary: it works offline) lists the runs with their method, data,
//! status and scores; shows one run live from its event stream (server-sent events tailing
//! `events.jsonl`, plus per-batch progress for the runs it started): curves with moving
//! averages, scores, cluster sizes and labels changed per update, the embedding scatter
//! update by update, reconstructions, galleries, the confusion matrix and cluster maps;
//! compares runs side by side; and starts short runs from a form ([`TryForm`]), which it can
//! stop.
//!
//! # Security
//!
//! It listens on 127.0.0.1 unless told otherwise, and listening elsewhere needs a token
//! ([`StationSpec::token`]) that every request must carry (`Authorization: Bearer …` or
//! `?token=…`). It serves no file outside a run folder of its folder (each path component is
//! checked, then the resolved path must lie inside the run folder, so links cannot lead out),
//! and the only thing it starts is mdec's own training, on the inputs it was given, with
//! settings checked twice (the form's ranges, then the pipeline's checks).
//!
//! # HTTP interface
//!
//! | request | answer |
//! |---|---|
//! | `GET /` (and `/app.js`, `/style.css`) | the page |
//! | `GET /api/runs` | [`RunInfo`] of every run folder |
//! | `GET /api/runs/{id}` | [`RunDetail`]: info, configuration, summary, pictures |
//! | `GET /api/runs/{id}/events` | server-sent events: each record of `events.jsonl` (id: its line), then new ones as they come; `progress` events for runs this station started |
//! | `GET /api/runs/{id}/frame` | the newest embedding frame, [`Frame`] |
//! | `GET /api/runs/{id}/files/{path}` | a file of the run folder |
//! | `POST /api/runs/{id}/stop` | stops a run this station started |
//! | `GET /api/inputs` | the inputs a form may train on |
//! | `POST /api/train` | starts a run from a [`TryForm`]; `400` with `{"error": …}` for bad settings |

mod assets;
mod error;
mod jobs;
mod live;
mod runs;
mod train;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

pub use error::{ApiError, Error, Result};
pub use runs::{Frame, RunDetail, RunInfo, RunStatus};
pub use train::{ScheduleChoice, TryForm};

use mdec_pipeline::Input;

/// How to start a station.
#[derive(Clone, Debug)]
pub struct StationSpec {
    /// The folder of run folders (created when absent).
    pub runs: PathBuf,
    /// Where to listen; `127.0.0.1:8470` by default.
    pub listen: SocketAddr,
    /// The token every request must carry; required to listen beyond the loopback.
    pub token: Option<String>,
    /// Inputs the form may train on, besides those of the runs in the folder.
    pub inputs: Vec<Input>,
    /// The device the form's runs train on.
    pub device: mdec_ae::DeviceChoice,
}

/// The default address: the loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8470";

/// A station's shared state.
pub struct Station {
    runs: runs::RunsFolder,
    token: Option<String>,
    inputs: Vec<Input>,
    device: mdec_ae::DeviceChoice,
    jobs: jobs::Jobs,
    /// Set when the server shuts down: live streams end.
    closing: std::sync::atomic::AtomicBool,
}

impl Station {
    /// Checks `spec` (the token rule, the runs folder) and makes the station.
    ///
    /// # Errors
    /// [`Error::TokenRequired`] for a non-loopback address without a token,
    /// [`Error::Runs`] when the runs folder cannot be created or read.
    pub fn new(spec: StationSpec) -> Result<Arc<Self>> {
        if !spec.listen.ip().is_loopback() && spec.token.as_deref().is_none_or(str::is_empty) {
            return Err(Error::TokenRequired {
                listen: spec.listen,
            });
        }
        Ok(Arc::new(Self {
            runs: runs::RunsFolder::open(&spec.runs)?,
            token: spec.token.filter(|t| !t.is_empty()),
            inputs: spec.inputs.iter().map(Input::absolute).collect(),
            device: spec.device,
            jobs: jobs::Jobs::default(),
            closing: std::sync::atomic::AtomicBool::new(false),
        }))
    }

    /// Asks every run this station started to stop, and waits for them (each writes its
    /// checkpoints first).
    pub fn stop_all(&self) {
        self.jobs.stop_all();
    }
}

/// The station's routes.
pub fn router(station: Arc<Station>) -> Router {
    Router::new()
        .route("/", get(assets::index))
        .route("/app.js", get(assets::script))
        .route("/style.css", get(assets::style))
        .route("/api/runs", get(runs::list))
        .route("/api/runs/{id}", get(runs::detail))
        .route("/api/runs/{id}/events", get(live::events))
        .route("/api/runs/{id}/frame", get(runs::frame))
        .route("/api/runs/{id}/files/{*path}", get(runs::file))
        .route("/api/runs/{id}/stop", post(train::stop))
        .route("/api/inputs", get(train::inputs))
        .route("/api/train", post(train::start))
        .layer(axum::middleware::from_fn_with_state(
            station.clone(),
            error::check_token,
        ))
        .with_state(station)
}

/// Serves `station` on `listener` until `shutdown` resolves, then stops the runs it started.
///
/// # Errors
/// I/O errors of the listener.
pub async fn serve(
    listener: tokio::net::TcpListener,
    station: Arc<Station>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(station.clone());
    let closing = station.clone();
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            closing
                .closing
                .store(true, std::sync::atomic::Ordering::Relaxed);
        })
        .await?;
    tokio::task::spawn_blocking(move || station.stop_all())
        .await
        .map_err(std::io::Error::other)
}
