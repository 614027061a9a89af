//! The runs this station started: their handles (to stop them) and their latest progress
//! (which `events.jsonl` does not keep).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use mdec_pipeline::{Event, Record, RunHandle, Subscriber};

/// The latest progress record of a run and how many there have been.
#[derive(Clone, Debug, Default)]
pub(crate) struct Progress {
    /// Progress records seen.
    pub(crate) count: u64,
    /// The latest.
    pub(crate) latest: Option<Record>,
}

/// A run started here.
struct Job {
    handle: RunHandle,
    progress: Arc<Mutex<Progress>>,
}

/// The runs started here, by id.
#[derive(Default)]
pub(crate) struct Jobs {
    jobs: Mutex<HashMap<String, Job>>,
}

impl Jobs {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Job>> {
        // A panic while holding the lock leaves the map usable.
        self.jobs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A subscriber that keeps the run's latest progress, and the slot it fills.
    pub(crate) fn progress_subscriber() -> (Box<dyn Subscriber>, Arc<Mutex<Progress>>) {
        let slot = Arc::new(Mutex::new(Progress::default()));
        let writer = slot.clone();
        let subscriber = move |record: &Record| {
            if matches!(record.event, Event::Progress { .. }) {
                let mut progress = writer.lock().unwrap_or_else(|e| e.into_inner());
                progress.count += 1;
                progress.latest = Some(record.clone());
            }
        };
        (Box::new(subscriber), slot)
    }

    /// Keeps a started run.
    pub(crate) fn insert(&self, id: String, handle: RunHandle, progress: Arc<Mutex<Progress>>) {
        self.lock().insert(id, Job { handle, progress });
    }

    /// `None` when this station did not start run `id`; else whether it is still running.
    pub(crate) fn state(&self, id: &str) -> Option<bool> {
        self.lock().get(id).map(|job| !job.handle.is_finished())
    }

    /// The progress slot of run `id`, when this station started it.
    pub(crate) fn progress(&self, id: &str) -> Option<Arc<Mutex<Progress>>> {
        self.lock().get(id).map(|job| job.progress.clone())
    }

    /// Asks run `id` to stop: `None` when this station did not start it, `Some(false)` when
    /// it had already ended.
    pub(crate) fn stop(&self, id: &str) -> Option<bool> {
        let jobs = self.lock();
        let job = jobs.get(id)?;
        let running = !job.handle.is_finished();
        if running {
            job.handle.stop();
        }
        Some(running)
    }

    /// Stops every run and waits for each to end.
    pub(crate) fn stop_all(&self) {
        let jobs: Vec<(String, Job)> = self.lock().drain().collect();
        for (_, job) in &jobs {
            job.handle.stop();
        }
        for (id, job) in jobs {
            if let Err(e) = job.handle.join() {
                tracing::warn!(run = %id, error = %e, "a station run ended with an error");
            }
        }
    }
}
