//! Running the two sides: our release binaries and examples, the Python scripts with the
//! benchmark's packages, JSON result lines, peak memory and `mdec run`'s event log.

use std::ffi::OsString;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::de::DeserializeOwned;

use super::error::{BenchError, Result};

/// torchvision release that matches torch 2.11.0.
const TORCHVISION: &str = "torchvision==0.26.0";
/// scikit-learn release the comparisons were written against.
const SKLEARN: &str = "scikit-learn==1.9.1";
/// Modules the scripts import.
const MODULES: &str = "torch, torchvision, sklearn, scipy, threadpoolctl, numpy, PIL";
/// Lines of a failed program's standard error shown in the error.
const TAIL_LINES: usize = 20;

/// Where the programs of both sides are and how they are run.
pub struct Tools {
    root: PathBuf,
    release: PathBuf,
    python_path: OsString,
    /// Threads for libtorch, rayon and BLAS on both sides.
    pub threads: usize,
}

impl Tools {
    /// Tools run from `root` with `threads` threads, Python packages on `python_path`.
    pub fn new(root: &Path, python_path: OsString, threads: usize) -> Tools {
        Tools {
            root: root.to_owned(),
            release: root.join("target/release"),
            python_path,
            threads,
        }
    }

    /// A release example of ours (built beforehand), run from the workspace root.
    pub fn example(&self, name: &str) -> Command {
        let mut command = Command::new(self.release.join("examples").join(name));
        command.current_dir(&self.root);
        command
    }

    /// The release `mdec` binary (built beforehand), run from the workspace root.
    pub fn mdec_path(&self) -> PathBuf {
        self.release.join("mdec")
    }

    /// `python3 scripts/<script>` with the benchmark's packages and thread limits.
    pub fn python(&self, script: &str) -> Command {
        let mut command = Command::new("python3");
        let threads = self.threads.to_string();
        command
            .current_dir(&self.root)
            .env("PYTHONPATH", &self.python_path)
            .env("OMP_NUM_THREADS", &threads)
            .env("OPENBLAS_NUM_THREADS", &threads)
            .env("MKL_NUM_THREADS", &threads)
            .arg(Path::new("scripts").join(script));
        command
    }

    /// The workspace root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A path relative to the workspace root.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }
}

/// Makes `python3` find torch (from setup's cache), torchvision, scikit-learn, SciPy,
/// NumPy and Pillow, installing the missing ones with pip into `<cache>/bench-python`.
/// Returns the `PYTHONPATH` to use.
pub fn python_path(cache: &Path) -> Result<OsString> {
    let target = cache.join("bench-python");
    let path = std::env::join_paths([cache.join("torch-2.11.0"), target.clone()])
        .map_err(|e| BenchError::Python(format!("bad cache path: {e}")))?;
    let importable = || {
        Command::new("python3")
            .env("PYTHONPATH", &path)
            .args(["-c", &format!("import {MODULES}")])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if importable() {
        return Ok(path);
    }
    println!(
        "bench: installing {TORCHVISION} and {SKLEARN} into {}",
        target.display()
    );
    let pip = |args: &[&str]| -> Result<()> {
        let mut command = Command::new("python3");
        command
            .args(["-m", "pip", "install", "--quiet", "--target"])
            .arg(&target)
            .args(args);
        status(&mut command)
    };
    // torch comes from setup's cache: torchvision without its dependencies.
    pip(&["--no-deps", TORCHVISION])?;
    pip(&[SKLEARN, "numpy", "pillow"])?;
    if !importable() {
        return Err(BenchError::Python(format!(
            "`import {MODULES}` still fails with PYTHONPATH={}",
            path.to_string_lossy()
        )));
    }
    Ok(path)
}

/// The command line, for messages.
pub fn describe(command: &Command) -> String {
    let mut line = command.get_program().to_string_lossy().into_owned();
    for arg in command.get_args() {
        line.push(' ');
        line.push_str(&arg.to_string_lossy());
    }
    line
}

/// Runs `command` with inherited output; fails if it fails.
pub fn status(command: &mut Command) -> Result<()> {
    let line = describe(command);
    println!("$ {line}");
    let status = command.status().map_err(|source| BenchError::Spawn {
        command: line.clone(),
        source,
    })?;
    if !status.success() {
        return Err(BenchError::Failed {
            command: line,
            status,
            tail: None,
        });
    }
    Ok(())
}

/// Runs `command` to the end, capturing its output; returns (stdout, seconds from just
/// before the start, the start as Unix seconds). Fails with the end of its stderr.
pub fn capture(command: &mut Command) -> Result<(String, f64, f64)> {
    let line = describe(command);
    println!("$ {line}");
    let started = unix_now();
    let clock = std::time::Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| BenchError::Spawn {
            command: line.clone(),
            source,
        })?;
    // Drain stderr on a thread so neither pipe can fill up and block the child.
    let mut stderr = child.stderr.take();
    let drain = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(pipe) = stderr.as_mut() {
            pipe.read_to_string(&mut text).ok();
        }
        text
    });
    let mut stdout = String::new();
    if let Some(pipe) = child.stdout.as_mut() {
        pipe.read_to_string(&mut stdout)
            .map_err(|source| BenchError::Spawn {
                command: line.clone(),
                source,
            })?;
    }
    let status = child.wait().map_err(|source| BenchError::Spawn {
        command: line.clone(),
        source,
    })?;
    let seconds = clock.elapsed().as_secs_f64();
    let stderr = drain.join().unwrap_or_default();
    if !status.success() {
        let lines: Vec<&str> = stderr.lines().collect();
        let tail = lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n");
        return Err(BenchError::Failed {
            command: line,
            status,
            tail: Some(tail),
        });
    }
    Ok((stdout, seconds, started))
}

/// Runs `command` and parses every stdout line that starts with `{` as a `T`.
pub fn json_lines<T: DeserializeOwned>(command: &mut Command) -> Result<Vec<T>> {
    let line = describe(command);
    let (stdout, _, _) = capture(command)?;
    let rows = stdout
        .lines()
        .filter(|l| l.trim_start().starts_with('{'))
        .map(|l| {
            serde_json::from_str(l).map_err(|source| BenchError::Json {
                what: format!("a result line of {line}"),
                source,
            })
        })
        .collect::<Result<Vec<T>>>()?;
    if rows.is_empty() {
        return Err(BenchError::NoResult(format!(
            "{line} printed no result line"
        )));
    }
    Ok(rows)
}

/// Runs `command` under GNU time; returns (its peak resident memory in MiB, wall seconds,
/// its start as Unix seconds).
pub fn with_peak_memory(command: &Command, scratch: &Path) -> Result<(f64, f64, f64)> {
    let report = scratch.join("time.txt");
    let mut timed = Command::new("/usr/bin/time");
    timed
        .args(["-f", "%M", "-o"])
        .arg(&report)
        .arg(command.get_program())
        .args(command.get_args());
    if let Some(dir) = command.get_current_dir() {
        timed.current_dir(dir);
    }
    let (_, seconds, started) = capture(&mut timed)?;
    let text = std::fs::read_to_string(&report).map_err(|source| BenchError::Io {
        path: report.clone(),
        source,
    })?;
    let kib: f64 = text
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .next_back()
        .ok_or_else(|| BenchError::NoResult(format!("{}: no peak memory", report.display())))?;
    Ok((kib / 1024.0, seconds, started))
}

/// Now, as Unix seconds.
pub fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs_f64()
}

/// A Unix time as `YYYY-MM-DD HH:MM UTC`.
pub fn format_utc(unix: f64) -> String {
    let secs = unix as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date of a day count (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rest / 3600,
        rest % 3600 / 60
    )
}

/// One record of a run's `events.jsonl` (see `mdec_pipeline::Record`: `time`, `elapsed`,
/// the `event` kind and its fields).
#[derive(Debug)]
pub struct Event {
    /// Unix seconds.
    pub time: f64,
    /// The kind, e.g. `epoch_done`, `kmeans_done`, `target_update`.
    pub kind: String,
    /// Its fields.
    pub fields: serde_json::Value,
}

impl Event {
    /// A numeric field, by JSON pointer (`/seconds`, `/scores/acc`).
    pub fn number(&self, pointer: &str) -> Option<f64> {
        self.fields.pointer(pointer)?.as_f64()
    }
}

/// The events of a run folder's `events.jsonl`.
pub fn read_events(run: &Path) -> Result<Vec<Event>> {
    let path = run.join("events.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|source| BenchError::Io {
        path: path.clone(),
        source,
    })?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let bad = |what: &str| BenchError::Events {
                path: path.clone(),
                what: format!("{what} in {line}"),
            };
            let fields: serde_json::Value =
                serde_json::from_str(line).map_err(|_| bad("not JSON"))?;
            let time = fields
                .get("time")
                .and_then(serde_json::Value::as_f64)
                .ok_or_else(|| bad("no time"))?;
            let kind = fields
                .get("event")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| bad("no event kind"))?
                .to_owned();
            Ok(Event { time, kind, fields })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_event_records_are_read_by_kind_and_pointer() -> Result<()> {
        let dir = std::env::temp_dir().join(format!("mdec-bench-events-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|source| BenchError::Io {
            path: dir.clone(),
            source,
        })?;
        let lines = [
            r#"{"time":100.5,"elapsed":0.1,"event":"epoch_done","epochs":2,"epoch":1,"train_loss":0.5,"seconds":3.25}"#,
            r#"{"time":104.0,"elapsed":3.6,"event":"target_update","max_iter":9,"iteration":0,"scores":{"acc":0.75,"nmi":0.5,"ari":0.25}}"#,
        ];
        std::fs::write(dir.join("events.jsonl"), lines.join("\n")).map_err(|source| {
            BenchError::Io {
                path: dir.clone(),
                source,
            }
        })?;
        let events = read_events(&dir)?;
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(events.len(), 2);
        assert_eq!(
            (events[0].kind.as_str(), events[0].time),
            ("epoch_done", 100.5)
        );
        assert_eq!(events[0].number("/seconds"), Some(3.25));
        assert_eq!(events[1].kind, "target_update");
        assert_eq!(events[1].number("/scores/acc"), Some(0.75));
        assert_eq!(events[1].number("/iteration"), Some(0.0));
        Ok(())
    }

    #[test]
    fn unix_times_format_as_utc_dates() {
        assert_eq!(format_utc(1_795_362_637.019_55), "2026-11-22 15:50 UTC");
        assert_eq!(format_utc(0.0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(951_827_696.0), "2000-02-29 12:34 UTC");
    }
}
