//! 5: time to accuracy — wall time from the raw MNIST-test files to a clustering accuracy,
//! `mdec run` against the same algorithm in PyTorch (`scripts/bench_tta.py`), same seeds.

use serde::Deserialize;

use super::Plan;
use super::error::{BenchError, Result};
use super::exec::{Tools, capture, read_events};
use super::results::{CurvePoint, TtaRow, TtaRun};

/// The accuracy the issue asks to reach on MNIST-test.
pub const TARGET: f64 = 0.85;
/// The presets compared.
const PRESETS: [&str; 2] = ["dcec", "mdec"];

/// Seeds of both sides.
fn seeds(plan: &Plan) -> Vec<u64> {
    plan.pick(vec![0], vec![0, 1, 2])
}

/// Pretraining epochs and clustering iterations at most for `preset`: a token budget under
/// `--quick`, a bounded one for a full run on the CPU (the `cargo xtask demo` recipe: 15
/// epochs, ≤ 2,100 iterations at batch 32, see [`batch`]), and the papers' protocol (the
/// presets' own defaults, `mdec_cluster::preset`) for a full run on a GPU.
fn budget(plan: &Plan, preset: &str) -> (usize, usize) {
    match (plan.quick, plan.device, preset) {
        (true, _, _) => (1, 1),
        (false, "cpu", _) => (15, 2100),
        (false, _, "mdec") => (500, 20_000),
        (false, _, _) => (200, 20_000),
    }
}

/// The batch size of pretraining and clustering, on both sides: 32 for a full run on the
/// CPU (many more Adam steps per CPU-second, which is what reaches the target within the
/// budget on a 2-core machine), otherwise the presets' (and the papers') 256.
fn batch(plan: &Plan) -> usize {
    match (plan.quick, plan.device) {
        (false, "cpu") => 32,
        _ => 256,
    }
}

/// Settings of the comparison, in words.
pub fn settings(plan: &Plan) -> String {
    format!(
        "MNIST-test (10,000), from the raw IDX files: `mdec run --dataset mnist --split test --preset <P> --epochs <E> --batch-size {batch} --max-iter <I> --seed <S>` \
         against `scripts/bench_tta.py --preset <P> --epochs <E> --batch-size {batch} --max-iter <I> --seed <S>` (the same preset in PyTorch eager: 10% held out to validate pretraining, \
         Adam 1e-3, batches of {batch} in pretraining and clustering{why}, scikit-learn `KMeans(n_init=20)` on the embeddings, IDEC loss with γ 0.1, target update every 140 iterations, tol 0.1%; \
         `mdec` adds DEC-DA augmentation and cosine decay), seeds {:?}, {} threads, budgets in the table. Time is wall time from the start of the process to the first update \
         (or the k-means initialisation, iteration 0) whose ACC reaches the threshold; ours includes writing its run folder (tables, checkpoints, figures).",
        seeds(plan),
        plan.threads,
        batch = batch(plan),
        why = if batch(plan) == 256 {
            ""
        } else {
            " (the `cargo xtask demo` recipe: many more Adam steps per CPU-second than the presets' 256)"
        },
    )
}

#[derive(Deserialize)]
struct PyLine {
    event: String,
    time: f64,
    #[serde(default)]
    iteration: usize,
    #[serde(default)]
    acc: f64,
}

/// One `mdec run`, its accuracy curve from the run's `events.jsonl`.
fn ours(tools: &Tools, plan: &Plan, preset: &str, seed: u64) -> Result<TtaRun> {
    let (epochs, max_iter) = budget(plan, preset);
    let out = tools.path(&format!("target/bench/tta/{preset}-{seed}"));
    let mut command = std::process::Command::new(tools.mdec_path());
    command
        .current_dir(tools.root())
        .args([
            "run",
            "--dataset",
            "mnist",
            "--split",
            "test",
            "--preset",
            preset,
        ])
        .args(["--epochs", &epochs.to_string()])
        .args(["--batch-size", &batch(plan).to_string()])
        .args(["--max-iter", &max_iter.to_string()])
        .args(["--seed", &seed.to_string()])
        .args(["--threads", &plan.threads.to_string()])
        .args(["--device", plan.device])
        .arg("--force")
        .arg("--out")
        .arg(&out);
    let (_, wall_seconds, started) = capture(&mut command)?;
    let curve: Vec<CurvePoint> = read_events(&out)?
        .iter()
        .filter(|e| e.kind == "target_update")
        .filter_map(|e| {
            Some(CurvePoint {
                seconds: e.time - started,
                iteration: e.number("/iteration")? as usize,
                acc: e.number("/scores/acc")?,
            })
        })
        .collect();
    if curve.is_empty() {
        return Err(BenchError::Events {
            path: out.join("events.jsonl"),
            what: "no \"target_update\" event with scores".to_owned(),
        });
    }
    Ok(TtaRun {
        seed,
        curve,
        wall_seconds,
    })
}

/// One run of the PyTorch script, its accuracy curve from its JSON lines.
fn pytorch(tools: &Tools, plan: &Plan, preset: &str, seed: u64) -> Result<TtaRun> {
    let (epochs, max_iter) = budget(plan, preset);
    let mut command = tools.python("bench_tta.py");
    command
        .args(["--preset", preset])
        .args(["--epochs", &epochs.to_string()])
        .args(["--batch-size", &batch(plan).to_string()])
        .args(["--max-iter", &max_iter.to_string()])
        .args(["--seed", &seed.to_string()])
        .args(["--threads", &plan.threads.to_string()])
        .args(["--device", plan.device]);
    let (stdout, wall_seconds, started) = capture(&mut command)?;
    let mut curve = Vec::new();
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let line: PyLine = serde_json::from_str(line).map_err(|source| BenchError::Json {
            what: "a bench_tta.py line".to_owned(),
            source,
        })?;
        if line.event == "update" {
            curve.push(CurvePoint {
                seconds: line.time - started,
                iteration: line.iteration,
                acc: line.acc,
            });
        }
    }
    if curve.is_empty() {
        return Err(BenchError::NoResult(format!(
            "bench_tta.py --preset {preset} printed no update"
        )));
    }
    Ok(TtaRun {
        seed,
        curve,
        wall_seconds,
    })
}

/// Both sides for every preset and seed, alternating.
pub fn run(tools: &Tools, plan: &Plan) -> Result<Vec<TtaRow>> {
    PRESETS
        .iter()
        .map(|&preset| {
            let (epochs, max_iter) = budget(plan, preset);
            let mut row = TtaRow {
                preset: preset.to_owned(),
                epochs,
                max_iter,
                ours: Vec::new(),
                pytorch: Vec::new(),
            };
            for seed in seeds(plan) {
                row.ours.push(ours(tools, plan, preset, seed)?);
                row.pytorch.push(pytorch(tools, plan, preset, seed)?);
            }
            Ok(row)
        })
        .collect()
}
