//! The ways a benchmark run fails.

use std::path::PathBuf;

/// A benchmark failure, naming what was being run or read.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// A program could not be started.
    #[error("cannot start {command}: {source}")]
    Spawn {
        /// The command line.
        command: String,
        /// Why.
        source: std::io::Error,
    },
    /// A program exited with a failure.
    #[error("{command} failed ({status}){}", tail.as_deref().map(|t| format!("; last output:\n{t}")).unwrap_or_default())]
    Failed {
        /// The command line.
        command: String,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// The end of its standard error, when captured.
        tail: Option<String>,
    },
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A JSON result line or file could not be parsed.
    #[error("cannot parse {what}: {source}")]
    Json {
        /// What was parsed.
        what: String,
        /// Why.
        source: serde_json::Error,
    },
    /// A program ran but printed no usable result.
    #[error("no result: {0}")]
    NoResult(String),
    /// A run's event log lacks something the benchmark reads.
    #[error("{}: {what}", path.display())]
    Events {
        /// The `events.jsonl`.
        path: PathBuf,
        /// What is missing or malformed.
        what: String,
    },
    /// The Python side could not be prepared.
    #[error("python: {0}")]
    Python(String),
    /// Writing a table failed (formatting into a string).
    #[error("formatting: {0}")]
    Fmt(#[from] std::fmt::Error),
}

/// Results of the benchmark modules.
pub type Result<T, E = BenchError> = std::result::Result<T, E>;
