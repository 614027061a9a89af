//! 6: scaling — `mdec run` on the first 10k, 20k, 40k and 70k MNIST images (a tenth of
//! that under `--quick`): time per pretraining epoch, time of the clustering
//! initialisation, and the peak resident memory of the whole run.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::Plan;
use super::error::{BenchError, Result};
use super::exec::{Event, Tools, read_events, with_peak_memory};
use super::results::{ScalingRow, Stat};

/// Dataset sizes of the full suite.
const SIZES: [usize; 4] = [10_000, 20_000, 40_000, 70_000];
/// Bytes of an IDX header: images (magic, n, rows, cols) and labels (magic, n).
const IMAGE_HEADER: usize = 16;
const LABEL_HEADER: usize = 8;
const PIXELS: usize = 28 * 28;

/// The sizes, preset and pretraining epochs.
fn budget(plan: &Plan) -> ([usize; 4], &'static str, usize) {
    if plan.quick {
        (SIZES.map(|n| n / 10), "dec", 1)
    } else {
        (SIZES, "dcec", 1)
    }
}

/// Settings of the measurement, in words.
pub fn settings(plan: &Plan) -> String {
    let (sizes, preset, epochs) = budget(plan);
    format!(
        "`mdec run --idx <first n MNIST images and labels> --preset {preset} --epochs {epochs} --max-iter 1` for n in {sizes:?}, on the CPU with {} threads: \
         {epochs} pretraining epoch(s) on 90% of the images (10% validate), the clustering initialisation (embedding all images, k-means with 20 restarts), \
         one clustering iteration, then the outputs (assignments, embeddings, figures, report). Epoch and initialisation times come from the run's `events.jsonl`; \
         peak memory is GNU time's maximum resident set size of the whole process.{}",
        plan.threads,
        if plan.quick {
            " `--quick` runs a tenth of the full suite's sizes (10k, 20k, 40k, 70k), whose 70,000 row is a complete MNIST-full run with a shortened budget \
             (memory does not depend on the number of epochs)."
        } else {
            " The 70,000 row is a complete MNIST-full run with a shortened budget: memory does not depend on the number of epochs."
        }
    )
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| BenchError::Io {
        path: path.to_owned(),
        source,
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|source| BenchError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Writes the first `n` images and labels of MNIST (train then test) as IDX files into
/// `dir`; returns their paths.
fn subset(root: &Path, dir: &Path, n: usize) -> Result<[PathBuf; 2]> {
    let mnist = root.join("data/mnist");
    let images = [
        read(&mnist.join("train-images-idx3-ubyte"))?,
        read(&mnist.join("t10k-images-idx3-ubyte"))?,
    ];
    let labels = [
        read(&mnist.join("train-labels-idx1-ubyte"))?,
        read(&mnist.join("t10k-labels-idx1-ubyte"))?,
    ];
    let mut image_bytes = Vec::with_capacity(IMAGE_HEADER + n * PIXELS);
    image_bytes.extend_from_slice(&[0, 0, 8, 3]);
    for dim in [n, 28, 28] {
        image_bytes.extend_from_slice(&(dim as u32).to_be_bytes());
    }
    let mut label_bytes = Vec::with_capacity(LABEL_HEADER + n);
    label_bytes.extend_from_slice(&[0, 0, 8, 1]);
    label_bytes.extend_from_slice(&(n as u32).to_be_bytes());
    for (img, lab) in images.iter().zip(&labels) {
        let have = (n - (label_bytes.len() - LABEL_HEADER)).min(lab.len() - LABEL_HEADER);
        image_bytes.extend_from_slice(&img[IMAGE_HEADER..IMAGE_HEADER + have * PIXELS]);
        label_bytes.extend_from_slice(&lab[LABEL_HEADER..LABEL_HEADER + have]);
    }
    if label_bytes.len() - LABEL_HEADER != n {
        return Err(BenchError::NoResult(format!(
            "MNIST holds fewer than {n} images"
        )));
    }
    std::fs::create_dir_all(dir).map_err(|source| BenchError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let paths = [
        dir.join(format!("mnist-{n}-images-idx3-ubyte")),
        dir.join(format!("mnist-{n}-labels-idx1-ubyte")),
    ];
    write(&paths[0], &image_bytes)?;
    write(&paths[1], &label_bytes)?;
    Ok(paths)
}

/// One `mdec run` per size, under GNU time.
pub fn run(tools: &Tools, plan: &Plan) -> Result<Vec<ScalingRow>> {
    let (sizes, preset, epochs) = budget(plan);
    let dir = tools.path("target/bench/scaling");
    sizes
        .iter()
        .map(|&n| {
            let [images, labels] = subset(tools.root(), &dir, n)?;
            let out = dir.join(format!("run-{n}"));
            let mut command = Command::new(tools.mdec_path());
            command
                .current_dir(tools.root())
                .arg("run")
                .arg("--idx")
                .arg(&images)
                .arg(&labels)
                .args(["--preset", preset])
                .args(["--epochs", &epochs.to_string()])
                .args(["--threads", &plan.threads.to_string()])
                .args([
                    "--max-iter",
                    "1",
                    "--device",
                    "cpu",
                    "--seed",
                    "0",
                    "--force",
                    "--out",
                ])
                .arg(&out);
            let (peak_rss_mib, wall_seconds, _) = with_peak_memory(&command, &dir)?;
            let events = read_events(&out)?;
            let missing = |what: &str| BenchError::Events {
                path: out.join("events.jsonl"),
                what: what.to_owned(),
            };
            let epochs: Vec<&Event> = events.iter().filter(|e| e.kind == "epoch_done").collect();
            let seconds: Vec<f64> = epochs.iter().filter_map(|e| e.number("/seconds")).collect();
            let last_epoch = epochs
                .last()
                .ok_or_else(|| missing("no \"epoch_done\" event"))?;
            let init = events
                .iter()
                .find(|e| e.kind == "target_update")
                .ok_or_else(|| missing("no \"target_update\" event"))?;
            Ok(ScalingRow {
                n,
                pretrain_epoch: Stat::of(&seconds)
                    .ok_or_else(|| missing("no \"epoch_done\" event with seconds"))?,
                init_seconds: init.time - last_epoch.time,
                peak_rss_mib,
                wall_seconds,
            })
        })
        .collect()
}
