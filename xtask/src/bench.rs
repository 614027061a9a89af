//! `cargo xtask bench ae`: autoencoder pretraining throughput, ours (mdec-ae's
//! `bench_pretrain` example, release build) against the same architectures in PyTorch
//! eager (`scripts/bench_ae.py`, run with the torch wheel `setup` installed), side by side
//! in one run on 2 threads each. Prints a table and writes the "Autoencoder pretraining
//! throughput" section of `BENCHMARKS.md`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use mdec_data::named::NamedDataset;

use crate::{cargo, fetch_dataset, root};

/// torchvision release that matches torch 2.11.0.
const TORCHVISION: &str = "torchvision==0.26.0";
/// Batches timed per configuration (after warm-up).
const BATCHES: &str = "40";
/// Threads given to libtorch (and rayon) on both sides.
const THREADS: &str = "2";
const SECTION: &str = "## Autoencoder pretraining throughput";

/// What can be benchmarked.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Suite {
    /// Autoencoder pretraining samples/s against PyTorch.
    Ae,
}

/// Runs one benchmark suite.
pub fn run(suite: Suite) -> Result<()> {
    match suite {
        Suite::Ae => ae(),
    }
}

/// torchvision (without its dependencies: torch comes from the setup cache), numpy and
/// pillow, installed once into `<cache>/bench-python`.
fn python_deps(cache: &Path) -> Result<PathBuf> {
    let target = cache.join("bench-python");
    let ready = ["torchvision", "numpy", "PIL"]
        .iter()
        .all(|m| target.join(m).join("__init__.py").is_file());
    if ready {
        return Ok(target);
    }
    std::fs::create_dir_all(&target)
        .with_context(|| format!("cannot create {}", target.display()))?;
    let pip = |args: &[&str]| -> Result<()> {
        let status = Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--target"])
            .arg(&target)
            .args(args)
            .status()
            .context("python3 -m pip not found")?;
        if !status.success() {
            bail!("pip install {} failed ({status})", args.join(" "));
        }
        Ok(())
    };
    pip(&["--no-deps", TORCHVISION])?;
    pip(&["numpy", "pillow"])?;
    Ok(target)
}

/// JSON lines printed by either side, as (arch, augment) → the line.
struct Line {
    arch: String,
    augment: bool,
    samples_per_sec: f64,
    gflops: f64,
    flops_per_sample: f64,
    extra: String,
}

/// Reads one field of a flat JSON object without a JSON dependency.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let start = line.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = &line[start..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim().trim_matches('"'))
}

fn parse(stdout: &str) -> Vec<Line> {
    stdout
        .lines()
        .filter(|l| l.trim_start().starts_with('{'))
        .filter_map(|l| {
            Some(Line {
                arch: field(l, "arch")?.to_owned(),
                augment: field(l, "augment")? == "true",
                samples_per_sec: field(l, "samples_per_sec")?.parse().ok()?,
                gflops: field(l, "gflops")?.parse().ok()?,
                flops_per_sample: field(l, "flops_per_sample")?.parse().ok()?,
                extra: field(l, "num_workers")
                    .map(|w| format!("num_workers={w}"))
                    .unwrap_or_default(),
            })
        })
        .collect()
}

fn capture(command: &mut Command) -> Result<String> {
    let line = format!("{command:?}");
    println!("$ {}", line.replace('"', ""));
    let out = command
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("cannot start {line}"))?;
    if !out.status.success() {
        bail!("{line} failed ({})", out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn cpu_model() -> String {
    Command::new("lscpu")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("Model name:").map(|m| m.trim().to_owned()))
        })
        .unwrap_or_else(|| "unknown CPU".into())
}

/// The 1-minute load average, to record how busy the (shared) machine was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".into())
}

fn ae() -> Result<()> {
    crate::setup::run()?;
    let cache = crate::setup::cache_dir()?;
    let torch = cache.join("torch-2.11.0");
    let deps = python_deps(&cache)?;
    let mnist = root().join("data/mnist");
    if !mnist.is_dir() {
        fetch_dataset(
            NamedDataset::Mnist,
            std::env::var("MDEC_DATA_MIRROR").ok().as_deref(),
        )?;
    }
    let load_before = load_average();
    // One architecture at a time, ours then theirs, so both sides see similar load.
    let python_path = std::env::join_paths([&torch, &deps])?;
    let (mut ours, mut theirs) = (String::new(), String::new());
    for arch in ["dcec", "mdec"] {
        ours += &capture(cargo().args([
            "run",
            "--release",
            "--quiet",
            "-p",
            "mdec-ae",
            "--example",
            "bench_pretrain",
            "--",
            "--batches",
            BATCHES,
            "--threads",
            THREADS,
            "--arch",
            arch,
        ]))?;
        theirs += &capture(
            Command::new("python3")
                .current_dir(root())
                .env("PYTHONPATH", &python_path)
                .env("OMP_NUM_THREADS", THREADS)
                .args([
                    "scripts/bench_ae.py",
                    "--batches",
                    BATCHES,
                    "--threads",
                    THREADS,
                ])
                .args(["--arch", arch]),
        )?;
    }
    let load_after = load_average();
    let (ours, theirs) = (parse(&ours), parse(&theirs));
    if ours.is_empty() || theirs.is_empty() {
        bail!("a side printed no result");
    }
    let mut table = String::new();
    writeln!(
        table,
        "| arch | augmentation | mdec-ae samples/s | PyTorch samples/s | ratio | mdec-ae GFLOP/s | PyTorch GFLOP/s |"
    )?;
    writeln!(table, "|---|---|---:|---:|---:|---:|---:|")?;
    for o in &ours {
        let Some(t) = theirs
            .iter()
            .find(|t| t.arch == o.arch && t.augment == o.augment)
        else {
            continue;
        };
        let aug = if o.augment {
            format!("rotation + contrast ({})", t.extra)
        } else {
            "none".to_owned()
        };
        writeln!(
            table,
            "| {} | {aug} | {:.0} | {:.0} | **{:.2}** | {:.2} | {:.2} |",
            o.arch,
            o.samples_per_sec,
            t.samples_per_sec,
            o.samples_per_sec / t.samples_per_sec,
            o.gflops,
            t.gflops
        )?;
    }
    let flops: Vec<String> = ours
        .iter()
        .filter(|o| !o.augment)
        .map(|o| format!("{} {:.1} MFLOP", o.arch, o.flops_per_sample / 1e6))
        .collect();
    println!("\n{table}");
    let section = format!(
        "{SECTION}\n\n\
         `cargo xtask bench ae`: pretraining samples/s on MNIST 1×28×28, batches of 256, \
         Adam, MSE, {BATCHES} timed batches after warm-up, {THREADS} libtorch threads on both sides. \
         Ours: `crates/mdec-ae/examples/bench_pretrain.rs` (release, the library's pretraining loop: \
         data on the device once and `index_select` batches; with augmentation, batches augmented \
         on the host by mdec-data with rayon in a prefetch thread). PyTorch: `scripts/bench_ae.py` \
         (eager; a plain tensor loop without augmentation, a `DataLoader` with torchvision \
         `RandomRotation(15)` + `ColorJitter(contrast=0.5)` with augmentation, the faster of \
         num_workers 0 and 2). Targets: ratio ≥ 1.0 without augmentation, ≥ 1.5 with.\n\n\
         Machine: {} ({} cores available), torch 2.11.0 (CPU), torchvision 0.26.0; \
         1-minute load average {load_before} before and {load_after} after the run (above 2, \
         other processes shared the cores and the figures are noisy).\n\
         Training FLOPs per sample (3 × forward, analytic): {}.\n\n{table}",
        cpu_model(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        flops.join(", ")
    );
    write_section(&root().join("BENCHMARKS.md"), &section)?;
    println!("wrote the section \"{SECTION}\" of BENCHMARKS.md");
    Ok(())
}

/// Replaces (or appends) this benchmark's section, leaving the others untouched.
fn write_section(path: &Path, section: &str) -> Result<()> {
    let old = std::fs::read_to_string(path).unwrap_or_else(|_| "# Benchmarks\n".to_owned());
    let new = match old.find(SECTION) {
        Some(start) => {
            let after = &old[start + SECTION.len()..];
            let end = after
                .find("\n## ")
                .map_or(old.len(), |i| start + SECTION.len() + i + 1);
            format!("{}{section}\n{}", &old[..start], &old[end..])
        }
        None => format!("{}\n{section}", old.trim_end().to_owned() + "\n"),
    };
    std::fs::write(path, new).with_context(|| format!("cannot write {}", path.display()))
}
