//! Progress bars on a terminal, drawn from the pipeline's events.

use indicatif::{ProgressBar, ProgressStyle};
use mdec_pipeline::{Event, Phase, Record};

/// One bar per pretraining epoch, one for clustering; only on a terminal.
#[derive(Default)]
pub struct Bars {
    bar: Option<(Phase, Option<usize>, ProgressBar)>,
}

impl Bars {
    fn bar(&mut self, phase: Phase, epoch: Option<usize>, total: usize) -> &ProgressBar {
        if self
            .bar
            .as_ref()
            .is_some_and(|(p, e, _)| (*p, *e) != (phase, epoch))
        {
            self.clear();
        }
        let (_, _, bar) = self.bar.get_or_insert_with(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} {msg} ({per_sec}, eta {eta})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            (phase, epoch, bar)
        });
        bar
    }

    fn clear(&mut self) {
        if let Some((_, _, bar)) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    /// Draws one record.
    pub fn on_record(&mut self, record: &Record) {
        match &record.event {
            Event::Progress {
                phase,
                done,
                total,
                epoch,
                epochs,
                loss,
            } => {
                let bar = self.bar(*phase, *epoch, *total);
                match (phase, epoch, epochs) {
                    (Phase::Pretraining, Some(e), Some(n)) => {
                        bar.set_prefix(format!("epoch {e}/{n}"));
                    }
                    _ => bar.set_prefix("clustering"),
                }
                if let Some(loss) = loss {
                    bar.set_message(format!("loss {loss:.5}"));
                }
                bar.set_position(*done as u64);
            }
            Event::EpochDone { .. }
            | Event::KChosen { .. }
            | Event::Stopped { .. }
            | Event::Finished { .. }
            | Event::Failed { .. } => self.clear(),
            _ => {}
        }
    }
}
