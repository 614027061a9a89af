//! [`StopFlag`]: a request, shared between threads, that a training loop stop at its next
//! batch (set by a Ctrl-C handler, a time budget or a test).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A flag the training loops check between batches: once set, pretraining and clustering
/// write a checkpoint of where they are and return, so that a resumed run continues
/// exactly from there.
///
/// Clones share the flag: hand a clone to the loop (in a [`Control`](crate::Control), or
/// `Fit::stop` in `mdec-cluster`) and keep one to set, e.g. from a signal handler or another
/// thread. The flag is a run-time control, not a setting: no settings type holds it.
///
/// ```
/// use mdec_ae::{Control, StopFlag};
/// let stop = StopFlag::new();
/// let control = Control { stop: stop.clone(), ..Control::default() };
/// assert!(!control.stop.is_stopped());
/// stop.stop(); // e.g. from a Ctrl-C handler
/// assert!(control.stop.is_stopped());
/// ```
#[derive(Clone, Debug, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    /// A new flag, not set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Asks every loop holding a clone of this flag to stop at its next batch.
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    /// Whether a stop was asked for.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// Clears the flag (e.g. before resuming in the same process).
    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }

    /// The shared atomic, for code that sets it directly (e.g. `signal-hook`'s `flag`
    /// registration).
    pub fn as_atomic(&self) -> &Arc<AtomicBool> {
        &self.0
    }
}

impl From<Arc<AtomicBool>> for StopFlag {
    fn from(flag: Arc<AtomicBool>) -> Self {
        Self(flag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_flag_and_reset_clears_it() {
        let a = StopFlag::new();
        let b = a.clone();
        assert!(!b.is_stopped());
        a.stop();
        assert!(b.is_stopped());
        b.reset();
        assert!(!a.is_stopped());
        let shared = Arc::new(AtomicBool::new(true));
        assert!(StopFlag::from(shared.clone()).is_stopped());
        assert!(Arc::ptr_eq(
            StopFlag::from(shared.clone()).as_atomic(),
            &shared
        ));
    }
}
