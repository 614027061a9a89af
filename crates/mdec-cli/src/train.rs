//! `mdec pretrain`, `mdec cluster` and `mdec run`: the arguments become a `RunSpec`, the
//! pipeline prepares and runs it on this thread; Ctrl-C stops it with checkpoints.

use anyhow::Result;
use mdec_pipeline::{ClusterFrom, Command, Run, Status, Subscriber};

use crate::args::TrainArgs;
use crate::interrupt::{self, Interrupted};
use crate::log::LogFile;
use crate::progress::Bars;

/// Runs a training command; the run's tracing log goes to its `log.jsonl` through `log`.
pub fn run(
    args: &TrainArgs,
    command: Command,
    cluster_from: Option<ClusterFrom>,
    log: &LogFile,
) -> Result<()> {
    let spec = args.spec(command, cluster_from)?;
    let run = Run::prepare(spec)?;
    let path = run.layout().log();
    if let Err(e) = log.attach(&path) {
        tracing::warn!(path = %path.display(), error = %e, "cannot keep the log");
    }
    let stop = interrupt::install()?;
    let mut subscribers: Vec<Box<dyn Subscriber>> = Vec::new();
    if crate::progress_enabled() {
        let mut bars = Bars::default();
        subscribers.push(Box::new(move |record: &mdec_pipeline::Record| {
            bars.on_record(record);
        }));
    }
    let outcome = run.execute(subscribers, stop)?;
    match outcome.status {
        Status::Finished => {
            println!("run folder: {}", outcome.run.display());
            if let Some(s) = outcome.scores {
                println!("ACC {:.4}  NMI {:.4}  ARI {:.4}", s.acc, s.nmi, s.ari);
            }
            Ok(())
        }
        Status::Stopped(_) => Err(Interrupted {
            resume: interrupt::resume_command(&outcome.run),
        }
        .into()),
    }
}
