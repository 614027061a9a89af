//! [`Control`]: what steers a pretraining run from outside — a [`StopFlag`], a deadline
//! and a [`PretrainObserver`] that sees every batch and epoch. Neither is a setting: they never
//! enter the serialisable [`PretrainParams`](crate::PretrainParams).

use crate::pretrain::EpochRow;
use crate::stop::StopFlag;

/// Where a training loop is, reported after every batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// 1-based epoch being run.
    pub epoch: usize,
    /// Epochs of the whole run.
    pub epochs: usize,
    /// Batches of this epoch done.
    pub batch: usize,
    /// Batches per epoch.
    pub batches: usize,
    /// Mean training loss of the epoch's batches read back so far (on a GPU the losses are
    /// read every few batches), `None` before the first read.
    pub loss: Option<f64>,
}

/// Watches a pretraining run: called after every batch and every epoch, on the training
/// thread. Both methods do nothing by default.
pub trait PretrainObserver {
    /// A batch is done.
    fn on_batch(&mut self, _step: &Step) {}

    /// An epoch is done: its row of the metrics table.
    fn on_epoch(&mut self, _row: &EpochRow) {}
}

/// What steers a run from outside: the flag that stops it between two batches (with a
/// checkpoint to resume from) and who watches it. `Control::default()` is a run nobody
/// stops or watches.
///
/// ```
/// use mdec_ae::{Control, EpochRow, PretrainObserver, StopFlag};
///
/// struct Epochs(Vec<usize>);
/// impl PretrainObserver for Epochs {
///     fn on_epoch(&mut self, row: &EpochRow) {
///         self.0.push(row.epoch);
///     }
/// }
/// let stop = StopFlag::new();
/// let mut epochs = Epochs(Vec::new());
/// let control = Control { stop: stop.clone(), observer: Some(&mut epochs), deadline: None };
/// assert!(!control.stop.is_stopped());
/// ```
#[derive(Default)]
pub struct Control<'a> {
    /// Checked before every batch: once set, the run writes a checkpoint of the batch it
    /// reached and returns [`Error::Interrupted`](crate::Error::Interrupted); resuming
    /// continues from that batch.
    pub stop: StopFlag,
    /// Sees every batch and epoch.
    pub observer: Option<&'a mut dyn PretrainObserver>,
    /// A time budget: pretraining ends after the last epoch that is expected to finish
    /// before it (judged by the epoch just run), as early stopping does — with a checkpoint
    /// and the best model kept, and `stopped_early` in the report.
    pub deadline: Option<std::time::Instant>,
}

impl std::fmt::Debug for Control<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("stop", &self.stop.is_stopped())
            .field("observer", &self.observer.is_some())
            .field("deadline", &self.deadline)
            .finish()
    }
}

impl Control<'_> {
    pub(crate) fn batch(&mut self, step: &Step) {
        if let Some(observer) = self.observer.as_mut() {
            observer.on_batch(step);
        }
    }

    pub(crate) fn epoch(&mut self, row: &EpochRow) {
        if let Some(observer) = self.observer.as_mut() {
            observer.on_epoch(row);
        }
    }
}
