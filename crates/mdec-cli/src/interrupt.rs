//! Ctrl-C during training: the first SIGINT (or SIGTERM) sets the [`StopFlag`] the training
//! loops check between batches, so they write a checkpoint and return; a second one exits
//! at once with status 130.

use std::fmt;

use anyhow::{Context, Result};
use mdec_ae::StopFlag;
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::flag;

/// Exit status of an interrupted run (128 + SIGINT, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Routes SIGINT and SIGTERM to a new stop flag.
pub fn install() -> Result<StopFlag> {
    let stop = StopFlag::new();
    for signal in [SIGINT, SIGTERM] {
        // The shutdown goes first: it fires only when the flag is already set, i.e. on
        // the second signal.
        flag::register_conditional_shutdown(
            signal,
            i32::from(EXIT_INTERRUPTED),
            stop.as_atomic().clone(),
        )
        .context("cannot install the Ctrl-C handler")?;
        flag::register(signal, stop.as_atomic().clone())
            .context("cannot install the Ctrl-C handler")?;
    }
    Ok(stop)
}

/// A training command stopped by Ctrl-C after writing its checkpoints.
#[derive(Debug)]
pub struct Interrupted {
    /// The command line that continues the run.
    pub resume: String,
}

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "interrupted; resume with: {}", self.resume)
    }
}

impl std::error::Error for Interrupted {}

/// The command line that resumes this run: the same arguments with `--out DIR` (the
/// folder actually used) and `--resume`, without `--force`.
pub fn resume_command(out: &std::path::Path) -> String {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    args.retain(|a| a != "--force" && a != "--resume");
    let has_out = args.iter().any(|a| a == "--out" || a.starts_with("--out="));
    if !has_out {
        args.push("--out".into());
        args.push(out.display().to_string());
    }
    args.push("--resume".into());
    let quoted: Vec<String> = std::iter::once("mdec".to_owned())
        .chain(args.iter().map(|a| quote(a)))
        .collect();
    quoted.join(" ")
}

/// Quotes an argument for a POSIX shell when it needs it.
fn quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c));
    if plain {
        arg.to_owned()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_quoted_only_when_needed() {
        assert_eq!(quote("--out"), "--out");
        assert_eq!(quote("runs/a b"), "'runs/a b'");
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote(""), "''");
    }
}
