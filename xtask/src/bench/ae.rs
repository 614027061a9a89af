//! 1 and 2: autoencoder pretraining and embedding throughput, mdec-ae against PyTorch
//! eager (`scripts/bench_ae.py`), plus the practical GEMM peak they are compared with.

use serde::Deserialize;

use super::Plan;
use super::error::{BenchError, Result};
use super::exec::{Tools, json_lines};
use super::results::{EmbedRow, Stat, TrainRow};

/// The architectures of mdec-ae.
const ARCHS: [&str; 3] = ["dcec", "mdec", "dense"];

#[derive(Deserialize)]
struct GemmLine {
    gflops: Vec<f64>,
}

#[derive(Deserialize)]
struct TrainLine {
    arch: String,
    augment: bool,
    samples_per_sec: Vec<f64>,
    flops_per_sample: f64,
    #[serde(default)]
    workers: usize,
}

#[derive(Deserialize)]
struct EmbedLine {
    arch: String,
    n: usize,
    samples_per_sec: Vec<f64>,
}

/// Common arguments of both sides.
fn common(plan: &Plan) -> [String; 4] {
    [
        "--threads".into(),
        plan.threads.to_string(),
        "--device".into(),
        plan.device.to_owned(),
    ]
}

/// GFLOP/s of 2048² single-precision matrix products through libtorch.
pub fn gemm(tools: &Tools, plan: &Plan) -> Result<Stat> {
    let lines: Vec<GemmLine> = json_lines(
        tools
            .example("bench_pretrain")
            .args(["--gemm", "--repeats", "5"])
            .args(common(plan)),
    )?;
    let values: Vec<f64> = lines.into_iter().flat_map(|l| l.gflops).collect();
    Stat::require(&values, "GEMM GFLOP/s")
}

/// Batches in one timed window of `arch`: the dense autoencoder runs about ten times as
/// many samples per second as the convolutional ones, and gets as many more batches so that
/// its window lasts long enough to time (a 2-batch window of it took under half a second).
fn window_batches(plan: &Plan, arch: &str) -> usize {
    let conv = plan.pick(2, 10);
    if arch == "dense" { 8 * conv } else { conv }
}

/// Settings of the pretraining comparison, in words.
pub fn train_settings(plan: &Plan) -> String {
    format!(
        "MNIST-train 1×28×28, batches of 256, Adam 1e-3, MSE; one warm-up window, then {} timed windows per figure, of {} batches for the convolutional autoencoders and {} for the dense one. \
         Ours: `crates/mdec-ae/examples/bench_pretrain.rs` (the library's pretraining loop; without augmentation the data sits on the device and batches are `index_select`ed, \
         with augmentation batches are rotated (±15°) and contrast-jittered (±50%) on the host by mdec-data with rayon in a prefetch thread). \
         PyTorch: `scripts/bench_ae.py train` (a plain tensor loop without augmentation; torchvision `RandomRotation(15)` + `ColorJitter(contrast=0.5)` in a `DataLoader` with {} workers with augmentation).",
        plan.pick(3, 5),
        window_batches(plan, "dcec"),
        window_batches(plan, "dense"),
        plan.threads
    )
}

/// Pretraining samples/s per architecture, with and without augmentation.
pub fn train(tools: &Tools, plan: &Plan) -> Result<Vec<TrainRow>> {
    let mut rows = Vec::new();
    // One architecture at a time, ours then theirs, so both sides see similar load.
    for arch in ARCHS {
        let window = [
            "--batches".to_owned(),
            window_batches(plan, arch).to_string(),
            "--repeats".to_owned(),
            plan.pick(3, 5).to_string(),
        ];
        let ours: Vec<TrainLine> = json_lines(
            tools
                .example("bench_pretrain")
                .args(["--arch", arch])
                .args(&window)
                .args(common(plan)),
        )?;
        let theirs: Vec<TrainLine> = json_lines(
            tools
                .python("bench_ae.py")
                .args(["train", "--arch", arch, "--workers"])
                .arg(plan.threads.to_string())
                .args(&window)
                .args(common(plan)),
        )?;
        for o in ours {
            let t = theirs
                .iter()
                .find(|t| t.arch == o.arch && t.augment == o.augment)
                .ok_or_else(|| {
                    BenchError::NoResult(format!(
                        "PyTorch printed no {} augment={} line",
                        o.arch, o.augment
                    ))
                })?;
            let what = format!("{} augment={}", o.arch, o.augment);
            rows.push(TrainRow {
                ours: Stat::require(&o.samples_per_sec, &what)?,
                pytorch: Stat::require(&t.samples_per_sec, &what)?,
                arch: o.arch,
                augment: o.augment,
                flops_per_sample: o.flops_per_sample,
                workers: t.workers,
            });
        }
    }
    Ok(rows)
}

/// Images embedded per architecture.
fn embed_n(plan: &Plan) -> usize {
    plan.pick(10_000, 70_000)
}

/// Settings of the embedding comparison, in words.
pub fn embed_settings(plan: &Plan) -> String {
    format!(
        "The encoders (untrained weights, seed 0) over the first {} MNIST images (train then test) in chunks of {}, one figure per chunk, batches of 1024, no gradients, embeddings copied to the host, after one warm-up batch. \
         Ours: `crates/mdec-ae/examples/bench_embed.rs` (`mdec_ae::embed`); PyTorch: `scripts/bench_ae.py embed` (`torch.inference_mode()`).",
        embed_n(plan),
        plan.pick(2_500, 10_000)
    )
}

/// Embedding samples/s per architecture.
pub fn embed(tools: &Tools, plan: &Plan) -> Result<Vec<EmbedRow>> {
    let size = [
        "--n".to_owned(),
        embed_n(plan).to_string(),
        "--chunk".to_owned(),
        plan.pick(2_500, 10_000).to_string(),
    ];
    let mut rows = Vec::new();
    for arch in ARCHS {
        let ours: Vec<EmbedLine> = json_lines(
            tools
                .example("bench_embed")
                .args(["--arch", arch])
                .args(&size)
                .args(common(plan)),
        )?;
        let theirs: Vec<EmbedLine> = json_lines(
            tools
                .python("bench_ae.py")
                .args(["embed", "--arch", arch])
                .args(&size)
                .args(common(plan)),
        )?;
        let (Some(o), Some(t)) = (ours.into_iter().next(), theirs.into_iter().next()) else {
            return Err(BenchError::NoResult(format!("embedding {arch}")));
        };
        rows.push(EmbedRow {
            ours: Stat::require(&o.samples_per_sec, &o.arch)?,
            pytorch: Stat::require(&t.samples_per_sec, &t.arch)?,
            arch: o.arch,
            n: o.n,
        });
    }
    Ok(rows)
}
