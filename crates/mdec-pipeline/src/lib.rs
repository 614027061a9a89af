//! One way to run mdec from code: the CLI, the examples, the benchmarks and a web server all
//! go through it.
//!
//! A caller describes a run as one typed value, a [`RunSpec`] (input, command, settings,
//! output folder, device, threads); [`Run::prepare`] loads the data, resolves the settings
//! once ([`SettingsSpec`]: preset < config file < flags), checks them and the model against
//! the data, then creates the run folder ([`RunLayout`]) and writes its `config.json`
//! ([`RunConfig`]) — every check comes before anything is written. [`Run::start`] trains on a
//! worker thread and returns a [`RunHandle`] that stops ([`RunHandle::stop`]) or waits for
//! ([`RunHandle::join`]) the run; [`Run::execute`] trains on the caller's thread.
//!
//! Every phase emits typed [`Event`]s (run started, progress, epoch done, k-means done,
//! target update, figure written, stopped, finished, failed), stamped as [`Record`]s, to any
//! number of [`Subscriber`]s and to the run's `events.jsonl`. The libraries below draw no
//! progress bars: a front end draws them from the events.
//!
//! # Place in the workspace
//!
//! `mdec-pipeline` sits on `mdec-ae` and `mdec-cluster` (training), `mdec-data` (inputs,
//! tables, atomic writes), `mdec-metrics` and `mdec-viz` (figures); `mdec-cli` is a thin
//! layer over it.
//!
//! # Example
//!
//! A short IDEC run on 60 tiny generated images, on a worker thread, watched through a
//! channel:
//!
//! ```
//! use mdec_cluster::Preset;
//! use mdec_pipeline::{Clusters, Command, Event, Input, Run, RunSpec, SettingsSpec, Status};
//! use ndarray::Array4;
//!
//! let dir = tempfile::tempdir()?;
//! // Three kinds of 1×8×8 image: bright top, bright left, dark.
//! let images = Array4::from_shape_fn((60, 1, 8, 8), |(i, _, y, x)| match i % 3 {
//!     0 => (y < 4) as u8 as f32,
//!     1 => (x < 4) as u8 as f32,
//!     _ => 0.05,
//! });
//! let file = dir.path().join("images.npy");
//! ndarray_npy::write_npy(&file, &images)?;
//!
//! let mut spec = RunSpec::new(Command::Run, Input::Npy { file, labels: None }, dir.path().join("run"));
//! spec.settings = SettingsSpec {
//!     preset: Some(Preset::Idec),
//!     clusters: Some(Clusters::Fixed(3)),
//!     epochs: Some(2),
//!     max_iter: Some(20),
//!     batch_size: Some(16),
//!     seed: Some(1),
//!     ..SettingsSpec::default()
//! };
//! spec.device = mdec_ae::DeviceChoice::Cpu;
//! let (tx, rx) = std::sync::mpsc::channel();
//! let handle = Run::prepare(spec)?.start(vec![Box::new(tx)]);
//! let outcome = handle.join()?;
//! assert_eq!(outcome.status, Status::Finished);
//! let events: Vec<_> = rx.try_iter().map(|r| r.event).collect();
//! assert!(matches!(events.first(), Some(Event::RunStarted { .. })));
//! assert!(events.iter().any(|e| matches!(e, Event::TargetUpdate { .. })));
//! assert!(matches!(events.last(), Some(Event::Finished { .. })));
//! assert!(outcome.run.join("assignments.csv").is_file());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Main types
//!
//! - [`RunSpec`], [`Command`], [`ClusterFrom`], [`Input`], [`SettingsSpec`].
//! - [`Run`] (prepare, start, execute), [`RunHandle`], [`Outcome`], [`Status`].
//! - [`Event`], [`Phase`], [`Record`], [`Subscriber`], [`read_events`].
//! - [`RunLayout`] (every path of a run folder), [`RunConfig`] (`config.json`),
//!   [`RunSummary`] (`metrics/summary.json`).
//! - [`report::redraw`]: every figure, the animation and `report.md` again from the files.
//! - [`Features`]: hand-made features as the model's input, saved beside the model.
//! - [`predict`]: new data through a saved model.
//! - [`export`]: the clusters as one folder per cluster.
//! - [`Error`], [`ErrorKind`], [`Result`].

mod animation;
mod config;
mod error;
mod events;
pub mod export;
mod features;
mod figures;
mod input;
mod layout;
pub mod maps;
pub mod predict;
pub mod report;
mod run;
mod settings;
mod summary;

pub use config::RunConfig;
pub use error::{Error, ErrorKind, Result};
pub use events::{Event, Phase, Record, Subscriber, read_events};
pub use features::{FEATURES_FILE, Features};
pub use input::{Annotations, Input};
pub use layout::{ENCODER_FILE, FolderMode, RunLayout, check_output_file};
pub use run::{
    CLUSTER_SHARE, ClusterFrom, Command, DEFAULT_TIME_BUDGET, Outcome, PRETRAIN_SHARE, Run,
    RunHandle, RunSpec, Status, VALIDATION_FRACTION,
};
pub use settings::{Clusters, SettingsSpec, read_settings};
pub use summary::{ClusterSummary, PretrainSummary, RunSummary};
