//! The machine description recorded with the results, and its load average.

use std::path::Path;
use std::process::Command;

use super::exec::Tools;
use super::results::{Load, Machine};

/// The trimmed stdout of a command, if it ran and succeeded.
fn output(command: &mut Command) -> Option<String> {
    let out = command.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

/// The value of `key:` in `lscpu`'s output.
fn lscpu(text: &str, key: &str) -> Option<String> {
    text.lines().find_map(|l| {
        l.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(':'))
            .map(|v| v.trim().to_owned())
    })
}

/// The libtorch version from torch's `version.py` (pip wheel) or `build-version` (zip).
fn libtorch_version(libtorch: &Path) -> String {
    let from_py = std::fs::read_to_string(libtorch.join("version.py"))
        .ok()
        .and_then(|text| {
            text.lines().find_map(|l| {
                l.strip_prefix("__version__ = ")
                    .map(|v| v.trim_matches(['\'', '"']).to_owned())
            })
        });
    from_py
        .or_else(|| {
            std::fs::read_to_string(libtorch.join("build-version"))
                .ok()
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_else(|| "2.11.0 (version file not found)".to_owned())
}

/// Describes this machine; `libtorch` is the folder setup returned.
pub fn describe(tools: &Tools, libtorch: &Path, root: &Path) -> Machine {
    let text = output(&mut Command::new("lscpu")).unwrap_or_default();
    let count = |key: &str| lscpu(&text, key).and_then(|v| v.parse::<usize>().ok());
    let cores = match (count("Socket(s)"), count("Core(s) per socket")) {
        (Some(s), Some(c)) => Some(s * c),
        _ => None,
    };
    let memory_gib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / (1024.0 * 1024.0));
    let gpu = output(
        Command::new("nvidia-smi").args(["--query-gpu=name,memory.total", "--format=csv,noheader"]),
    )
    .filter(|g| !g.is_empty())
    .map(|g| g.lines().collect::<Vec<_>>().join("; "));
    let python =
        output(tools.python("bench_ae.py").arg("versions")).unwrap_or_else(|| "unknown".to_owned());
    let git = |args: &[&str]| output(Command::new("git").current_dir(root).args(args));
    let dirty =
        git(&["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    let commit = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".into());
    Machine {
        cpu: lscpu(&text, "Model name").unwrap_or_else(|| "unknown CPU".to_owned()),
        cores,
        logical_cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        threads: tools.threads,
        memory_gib,
        gpu,
        libtorch: libtorch_version(libtorch),
        python,
        rustc: output(Command::new("rustc").arg("--version")).unwrap_or_default(),
        commit: if dirty {
            format!("{commit}-dirty")
        } else {
            commit
        },
        os: output(Command::new("uname").arg("-sr")).unwrap_or_default(),
    }
}

/// `/proc/loadavg`'s 1-, 5- and 15-minute averages (zeros where unavailable).
pub fn load_average() -> [f64; 3] {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut values = text.split_whitespace().map(|v| v.parse().unwrap_or(0.0));
    [
        values.next().unwrap_or(0.0),
        values.next().unwrap_or(0.0),
        values.next().unwrap_or(0.0),
    ]
}

/// Runs `f` and returns its value with the load averages before and after it.
pub fn with_load<T>(f: impl FnOnce() -> T) -> (T, Load) {
    let before = load_average();
    let value = f();
    (
        value,
        Load {
            before,
            after: load_average(),
        },
    )
}
