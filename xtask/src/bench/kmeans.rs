//! 3 and 4: k-means and the clustering metrics against scikit-learn, on the same data.

use serde::Deserialize;

use super::Plan;
use super::error::{BenchError, Result};
use super::exec::{Tools, json_lines};
use super::results::{KMeansRow, MetricRow, Stat};

/// The embeddings both k-means sides read (written once by the `bench_kmeans` example).
const EMBEDDINGS: &str = "target/bench/kmeans_70000x10.npy";
/// The labels both metric sides read (written by the `bench_metrics` example).
const LABELS: &str = "target/bench/labels_70000.u8";

#[derive(Deserialize)]
struct KMeansLine {
    #[serde(rename = "impl")]
    implementation: String,
    n: usize,
    d: usize,
    n_init: usize,
    seconds: Vec<f64>,
    inertia: f64,
}

#[derive(Deserialize)]
struct MetricLine {
    metric: String,
    n: usize,
    value: f64,
    seconds: Vec<f64>,
}

fn kmeans_repeats(plan: &Plan) -> usize {
    plan.pick(3, 5)
}

/// Settings of the k-means comparison, in words.
pub fn kmeans_settings(plan: &Plan) -> String {
    format!(
        "`{EMBEDDINGS}`: 70,000 × 10 `float32` embeddings (10 overlapping Gaussian blobs, sizes 1:2, seed 0) written by `crates/mdec-cluster/examples/bench_kmeans.rs`; \
         {} full fits per side including seeding, {} threads. Ours: `KMeansParams::new(10).n_init(20)` (Lloyd with Hamerly's bounds on the host, one restart per task). \
         scikit-learn: `scripts/bench_kmeans.py`, `KMeans(n_clusters=10, n_init=20)` (greedy k-means++, Lloyd, tol 1e-4, max_iter 300) under `threadpoolctl`.",
        kmeans_repeats(plan),
        plan.threads
    )
}

/// k-means fits on the same 70,000 × 10 embeddings, ours then scikit-learn's.
pub fn kmeans(tools: &Tools, plan: &Plan) -> Result<KMeansRow> {
    let args = [
        "--data".to_owned(),
        EMBEDDINGS.to_owned(),
        "--threads".to_owned(),
        plan.threads.to_string(),
        "--repeats".to_owned(),
        kmeans_repeats(plan).to_string(),
    ];
    let first = |lines: Vec<KMeansLine>, side: &str| {
        lines
            .into_iter()
            .next()
            .ok_or_else(|| BenchError::NoResult(format!("k-means: {side}")))
    };
    let ours = first(
        json_lines(tools.example("bench_kmeans").args(&args))?,
        "ours",
    )?;
    let theirs = first(
        json_lines(tools.python("bench_kmeans.py").args(&args))?,
        "scikit-learn",
    )?;
    Ok(KMeansRow {
        n: ours.n,
        d: ours.d,
        n_init: ours.n_init,
        ours: Stat::require(&ours.seconds, "k-means, ours")?,
        sklearn: Stat::require(&theirs.seconds, "k-means, scikit-learn")?,
        inertia_ours: ours.inertia,
        inertia_sklearn: theirs.inertia,
        sklearn_version: theirs
            .implementation
            .trim_start_matches("scikit-learn ")
            .to_owned(),
    })
}

fn metric_repeats(plan: &Plan) -> usize {
    plan.pick(20, 100)
}

/// Settings of the metrics comparison, in words.
pub fn metrics_settings(plan: &Plan) -> String {
    format!(
        "70,000 true labels (10 classes) and a prediction right about 80% of the time under shuffled cluster ids, written to `{LABELS}` by \
         `crates/mdec-metrics/examples/bench_metrics.rs`; {} calls per metric and side, one thread. \
         scikit-learn: `scripts/bench_metrics.py` — ACC as deep-clustering code computes it (`contingency_matrix` + SciPy's `linear_sum_assignment`), \
         `normalized_mutual_info_score`, `adjusted_rand_score`; \"all three\" is `mdec_metrics::evaluate` (one contingency table) against the three calls.",
        metric_repeats(plan)
    )
}

/// ACC, NMI and ARI on the same labels, ours then scikit-learn's.
pub fn metrics(tools: &Tools, plan: &Plan) -> Result<Vec<MetricRow>> {
    let repeats = metric_repeats(plan).to_string();
    let ours: Vec<MetricLine> = json_lines(tools.example("bench_metrics").args([
        "--n",
        "70000",
        "--labels",
        LABELS,
        "--repeats",
        &repeats,
    ]))?;
    let theirs: Vec<MetricLine> = json_lines(tools.python("bench_metrics.py").args([
        "--labels",
        LABELS,
        "--repeats",
        &repeats,
    ]))?;
    ours.into_iter()
        .map(|o| {
            let t = theirs
                .iter()
                .find(|t| t.metric == o.metric)
                .ok_or_else(|| BenchError::NoResult(format!("scikit-learn {}", o.metric)))?;
            Ok(MetricRow {
                ours: Stat::require(&o.seconds, &o.metric)?,
                sklearn: Stat::require(&t.seconds, &t.metric)?,
                n: o.n,
                value_ours: o.value,
                value_sklearn: t.value,
                metric: o.metric,
            })
        })
        .collect()
}
