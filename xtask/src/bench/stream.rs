//! 8: streaming prediction — memory of `mdec predict` over the tiles of one large field
//! against the number of tiles. `cargo xtask gen-field --size 2048 --seed 0` (1024 under
//! `--quick`), one small model trained on its 8×8 tiles, then `mdec predict` on the same
//! field at a coarse stride (about 10⁵ tiles at 2048²) and a fine one (about 10⁶): tiles,
//! seconds, tiles/s and the peak resident memory of each prediction (GNU time's, and the
//! `VmHWM` the command reports). Streaming keeps one
//! chunk in memory, so the two peaks should be within about 20% of each other.
//!
//! The figures go to `bench/stream.csv` (not into `bench/results.json`), and the printed
//! table is what BENCHMARKS.md's "Streaming prediction" section shows.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::Plan;
use super::error::{BenchError, Result};
use super::exec::{Tools, capture, status};
use super::results::Section;

/// Tile side, in pixels.
const TILE: usize = 8;
/// Stride of the training tiles (a grid without overlap).
const TRAIN_STRIDE: usize = 8;
/// Strides of the predictions: about 10⁵ and 10⁶ tiles of a 2048² field.
const STRIDES: [usize; 2] = [6, 2];
/// Clusters: one per region kind of the field.
const CLUSTERS: usize = crate::field::KINDS.len();

/// One prediction.
#[derive(Clone, Debug)]
pub struct StreamRow {
    /// Step between tiles, pixels.
    pub stride: usize,
    /// Tiles assigned.
    pub tiles: usize,
    /// Seconds of the streamed assignment (first chunk to the table and maps in place),
    /// as `mdec predict` reports them.
    pub seconds: f64,
    /// Tiles per second over those seconds.
    pub per_second: f64,
    /// Peak resident memory of the whole `mdec predict` process, MiB (GNU time's maximum
    /// resident set size).
    pub peak_rss_mib: f64,
    /// The peak `mdec predict` reports itself, MiB (`VmHWM` when the maps are written).
    pub vmhwm_mib: f64,
    /// Wall seconds of the whole process (loading the field and the model included).
    pub wall_seconds: f64,
}

/// Side of the field: 2048 (1024 under `--quick`).
fn size(plan: &Plan) -> usize {
    plan.pick(1024, 2048)
}

/// Tiles of a `size`² field at `stride`.
fn tiles(size: usize, stride: usize) -> usize {
    let per_side = (size - TILE) / stride + 1;
    per_side * per_side
}

/// Settings of the measurement, in words.
pub fn settings(plan: &Plan) -> String {
    let size = size(plan);
    format!(
        "`cargo xtask gen-field --size {size} --seed 0`; training: `mdec run --tiles field.npy --tile {TILE} --stride {TRAIN_STRIDE} --preset dec \
         --clusters {CLUSTERS} --epochs 1 --max-iter 100 --seed 0` ({} tiles); then `mdec predict --model RUN --tiles field.npy --tile {TILE} --stride S \
         --out predict-S.csv --device cpu` for S in {STRIDES:?} ({} and {} tiles), streaming in chunks of 8,192 tiles and writing the table \
         and the cluster maps. Peak memory is GNU time's maximum resident set size of the whole predict process, and the `VmHWM` that \
         `mdec predict` reports once the table and maps are written; tiles/s is over the streamed assignment, without loading the field and \
         the model. {} threads.",
        tiles(size, TRAIN_STRIDE),
        tiles(size, STRIDES[0]),
        tiles(size, STRIDES[1]),
        plan.threads,
    )
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BenchError + '_ {
    move |source| BenchError::Io {
        path: path.to_owned(),
        source,
    }
}

/// The field of `cargo xtask gen-field` at `size`, generated into `dir` (again every time:
/// seconds, and never stale after a change to the generator).
fn field(dir: &Path, size: usize) -> Result<PathBuf> {
    let field_dir = dir.join(format!("field-{size}"));
    let xtask = std::env::current_exe().map_err(io(dir))?;
    status(
        Command::new(xtask)
            .args(["gen-field", "--size", &size.to_string(), "--seed", "0"])
            .arg("--out")
            .arg(&field_dir),
    )?;
    Ok(field_dir.join("field.npy"))
}

/// The number `pick` finds on the first line of `stdout` that contains `line_has`, e.g.
/// the `81234` of `12.3 s, 81234 samples/s`.
fn printed(stdout: &str, line_has: &str, pick: impl Fn(&str) -> Option<&str>) -> Result<f64> {
    stdout
        .lines()
        .find(|l| l.contains(line_has))
        .and_then(pick)
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            BenchError::NoResult(format!(
                "`mdec predict` printed no line with {line_has:?}:\n{stdout}"
            ))
        })
}

/// One `mdec predict` at `stride`, under GNU time.
fn predict(
    tools: &Tools,
    dir: &Path,
    run: &Path,
    field: &Path,
    stride: usize,
) -> Result<StreamRow> {
    let out = dir.join(format!("predict-{stride}.csv"));
    let report = dir.join(format!("time-{stride}.txt"));
    let mut command = Command::new("/usr/bin/time");
    command
        .current_dir(tools.root())
        .args(["-f", "%M", "-o"])
        .arg(&report)
        .arg(tools.mdec_path())
        .args(["predict", "--model"])
        .arg(run)
        .arg("--tiles")
        .arg(field)
        .args(["--tile", &TILE.to_string(), "--stride", &stride.to_string()])
        .args(["--context", "0"])
        .args(["--device", "cpu", "--force", "--out"])
        .arg(&out);
    let (stdout, wall_seconds, _) = capture(&mut command)?;
    print!("{stdout}");
    let time = std::fs::read_to_string(&report).map_err(io(&report))?;
    let kib: f64 = time
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .next_back()
        .ok_or_else(|| BenchError::NoResult(format!("{}: no peak memory", report.display())))?;
    // "<n> samples assigned with …", "<s> s, <rate> samples/s", "peak memory (RSS): <m> MiB".
    let tiles = printed(&stdout, "samples assigned", |l| l.split_whitespace().next())?;
    let seconds = printed(&stdout, "samples/s", |l| l.split(" s,").next())?;
    let vmhwm_mib = printed(&stdout, "peak memory", |l| {
        l.split(':').nth(1)?.trim().strip_suffix("MiB")
    })?;
    Ok(StreamRow {
        stride,
        tiles: tiles as usize,
        seconds,
        per_second: tiles / seconds.max(1e-9),
        peak_rss_mib: kib / 1024.0,
        vmhwm_mib,
        wall_seconds,
    })
}

/// Generates the field, trains the model and runs one prediction per stride.
pub fn run(tools: &Tools, plan: &Plan) -> Result<Vec<StreamRow>> {
    let dir = tools.path("target/bench/stream");
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let size = size(plan);
    let field = field(&dir, size)?;
    let run = dir.join(format!("run-{size}"));
    let mut train = Command::new(tools.mdec_path());
    train
        .current_dir(tools.root())
        .args(["run", "--tiles"])
        .arg(&field)
        .args(["--tile", &TILE.to_string()])
        .args(["--stride", &TRAIN_STRIDE.to_string()])
        .args(["--context", "0"])
        .args(["--preset", "dec", "--clusters", &CLUSTERS.to_string()])
        .args(["--epochs", "1", "--max-iter", "100", "--seed", "0"])
        .args(["--threads", &plan.threads.to_string()])
        .args(["--device", "cpu", "--force", "--out"])
        .arg(&run);
    capture(&mut train)?;
    STRIDES
        .iter()
        .map(|&stride| predict(tools, &dir, &run, &field, stride))
        .collect()
}

/// Writes `bench/stream.csv` under `root` and returns the Markdown table of the rows, with
/// the ratio of the peaks.
pub fn save(root: &Path, section: &Section<Vec<StreamRow>>) -> Result<String> {
    let path = root.join("bench/stream.csv");
    let mut csv =
        String::from("stride,tiles,seconds,tiles_per_second,peak_rss_mib,vmhwm_mib,wall_seconds\n");
    let mut md = String::from(
        "| stride | tiles | seconds | tiles/s | peak RSS (MiB) | VmHWM at the end of streaming (MiB) | whole process (s) |\n|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in &section.rows {
        // Writing to a String cannot fail.
        let _ = writeln!(
            csv,
            "{},{},{:.3},{:.0},{:.1},{:.1},{:.3}",
            r.stride, r.tiles, r.seconds, r.per_second, r.peak_rss_mib, r.vmhwm_mib, r.wall_seconds
        );
        let _ = writeln!(
            md,
            "| {} | {} | {:.1} | {:.0} | {:.0} | {:.0} | {:.1} |",
            r.stride, r.tiles, r.seconds, r.per_second, r.peak_rss_mib, r.vmhwm_mib, r.wall_seconds
        );
    }
    if let [coarse, fine] = section.rows.as_slice() {
        let _ = writeln!(
            md,
            "\nPeak RSS at {} tiles / at {} tiles: **{:.2}** (target: within 20%).",
            fine.tiles,
            coarse.tiles,
            fine.peak_rss_mib / coarse.peak_rss_mib
        );
    }
    let _ = writeln!(
        md,
        "\nSection wall time {:.0} s (generating the field and training included); load average {:.2} before, {:.2} after.",
        section.seconds, section.load.before[0], section.load.after[0]
    );
    std::fs::write(&path, csv).map_err(io(&path))?;
    Ok(md)
}
