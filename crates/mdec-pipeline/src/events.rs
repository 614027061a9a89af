//! The event stream: every phase of a run emits typed [`Event`]s, stamped as [`Record`]s,
//! to any number of [`Subscriber`]s (progress bars, the station, a test) and to the run's
//! `events.jsonl`, one record a line (all but the per-batch [`Event::Progress`]).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use mdec_ae::EpochRow;
use mdec_cluster::{IntervalRow, KChoice};
use mdec_metrics::Scores;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::run::Command;

/// A phase of training.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Pretraining the autoencoder.
    Pretraining,
    /// Training the clustering head (and fine-tuning the encoder).
    Clustering,
}

/// Something that happened in a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The run folder is ready and training starts.
    RunStarted {
        /// The run folder.
        run: PathBuf,
        /// What the run does.
        command: Command,
        /// The input, described.
        data: String,
        /// Number of samples.
        samples: usize,
        /// Shape of one sample, `CxHxW`.
        shape: String,
        /// The device.
        device: String,
        /// Whether it continues an earlier run.
        resumed: bool,
    },
    /// A batch is done (not written to `events.jsonl`).
    Progress {
        /// The phase.
        phase: Phase,
        /// Batches done: of the epoch when pretraining, of the run when clustering.
        done: usize,
        /// Batches in all: per epoch when pretraining, at most when clustering.
        total: usize,
        /// The 1-based epoch, when pretraining.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epoch: Option<usize>,
        /// Epochs in all, when pretraining.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        epochs: Option<usize>,
        /// Mean loss of the epoch so far, when pretraining.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        loss: Option<f64>,
    },
    /// A pretraining epoch is done: its row of `metrics/pretrain.csv`.
    EpochDone {
        /// Epochs of the run.
        epochs: usize,
        /// The row.
        #[serde(flatten)]
        row: EpochRow,
    },
    /// The centroids are initialised (by k-means, or at random).
    KmeansDone {
        /// The iteration it happened at.
        iteration: usize,
        /// The k-means inertia.
        inertia: Option<f64>,
        /// Scores of the initial assignment, with labels.
        scores: Option<Scores>,
        /// Seconds it took.
        seconds: f64,
    },
    /// The target distribution was updated: a row of `metrics/cluster.csv` (losses, ACC /
    /// NMI / ARI with labels, cluster sizes, the share of labels changed).
    TargetUpdate {
        /// At most this many iterations.
        max_iter: usize,
        /// The row.
        #[serde(flatten)]
        row: IntervalRow,
    },
    /// The number of clusters was chosen on the pretrained embedding: every candidate's
    /// scores (also in `metrics/k_choice.csv`), the choice and why.
    KChosen {
        /// The choice.
        choice: KChoice,
    },
    /// A figure was written.
    FigureWritten {
        /// The file, relative to the run folder.
        path: PathBuf,
    },
    /// A stop request ended the run, with checkpoints to resume from.
    Stopped {
        /// The phase it stopped in.
        phase: Phase,
    },
    /// The run is done.
    Finished {
        /// Final scores, with labels.
        scores: Option<Scores>,
        /// Seconds of this invocation.
        seconds: f64,
    },
    /// The run failed.
    Failed {
        /// The error and its causes.
        error: String,
        /// What kind of failure.
        kind: ErrorKind,
    },
}

/// An [`Event`] with when it happened.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Unix time, seconds.
    pub time: f64,
    /// Seconds since the run (this invocation) started.
    pub elapsed: f64,
    /// What happened.
    #[serde(flatten)]
    pub event: Event,
}

/// Receives every record of a run, on the training thread, in order. Closures
/// `FnMut(&Record) + Send` and channel senders are subscribers.
pub trait Subscriber: Send {
    /// One record.
    fn on_record(&mut self, record: &Record);
}

impl<F: FnMut(&Record) + Send> Subscriber for F {
    fn on_record(&mut self, record: &Record) {
        self(record);
    }
}

impl Subscriber for std::sync::mpsc::Sender<Record> {
    fn on_record(&mut self, record: &Record) {
        // A receiver that went away stops listening; the run goes on.
        self.send(record.clone()).ok();
    }
}

/// Where a run's events go: its `events.jsonl` and its subscribers.
pub(crate) struct Events {
    started: Instant,
    log: Option<(PathBuf, BufWriter<File>)>,
    subscribers: Vec<Box<dyn Subscriber>>,
}

impl Events {
    pub(crate) fn new(subscribers: Vec<Box<dyn Subscriber>>) -> Self {
        Self {
            started: Instant::now(),
            log: None,
            subscribers,
        }
    }

    /// Appends the records to `path` from now on.
    pub(crate) fn attach(&mut self, path: &Path) -> Result<()> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| Error::io(path, "cannot write the events", e))?;
        self.log = Some((path.to_path_buf(), BufWriter::new(file)));
        Ok(())
    }

    /// Stamps `event`, writes it (unless it is progress) and hands it to every subscriber.
    pub(crate) fn emit(&mut self, event: Event) {
        let time = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
        let record = Record {
            time,
            elapsed: self.started.elapsed().as_secs_f64(),
            event,
        };
        if !matches!(record.event, Event::Progress { .. })
            && let Some((path, log)) = &mut self.log
        {
            let written = serde_json::to_writer(&mut *log, &record)
                .map_err(std::io::Error::other)
                .and_then(|()| log.write_all(b"\n"))
                .and_then(|()| log.flush());
            if let Err(e) = written {
                tracing::warn!(path = %path.display(), error = %e, "cannot write the event");
            }
        }
        for subscriber in &mut self.subscribers {
            subscriber.on_record(&record);
        }
    }
}

/// Reads a run's `events.jsonl`.
///
/// # Errors
/// [`Error::Io`] when it cannot be read, [`Error::Json`] for a line that is not a record.
pub fn read_events(path: &Path) -> Result<Vec<Record>> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, "cannot read", e))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line).map_err(|e| Error::Json {
                path: path.to_path_buf(),
                source: e,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_json_lines() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("events.jsonl");
        let (tx, rx) = std::sync::mpsc::channel();
        let mut events = Events::new(vec![Box::new(tx)]);
        events.attach(&path)?;
        let row = EpochRow {
            epoch: 1,
            train_loss: 0.5,
            val_loss: None,
            train_loss_ma: 0.5,
            val_loss_ma: None,
            lr: 0.001,
            seconds: 2.0,
            samples_per_sec: 100.0,
        };
        events.emit(Event::Progress {
            phase: Phase::Pretraining,
            done: 1,
            total: 2,
            epoch: Some(1),
            epochs: Some(1),
            loss: Some(0.5),
        });
        events.emit(Event::EpochDone { epochs: 1, row });
        events.emit(Event::Stopped {
            phase: Phase::Clustering,
        });
        let seen: Vec<Record> = rx.try_iter().collect();
        assert_eq!(seen.len(), 3, "subscribers see progress too");
        let back = read_events(&path)?;
        assert_eq!(back.len(), 2, "progress is not written");
        assert_eq!(back[0].event, seen[1].event);
        assert_eq!(back[1].event, seen[2].event);
        let line = std::fs::read_to_string(&path)?;
        assert!(
            line.starts_with(r#"{"time":"#)
                && line.contains(r#""event":"epoch_done","epochs":1,"epoch":1,"train_loss":0.5"#),
            "{line}"
        );
        Ok(())
    }
}
