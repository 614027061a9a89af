//! 7: defect crops — the synthetic development set (`mdec_data::synthetic`, seed 0: crops of
//! six defect kinds on textured parts whose lighting and colour vary, grayscale and RGB).
//! On the same folders: `mdec run --images DIR` with no method flags (the `crops` preset),
//! the same with `--clusters auto`, k-means on each hand-made feature set (the
//! `defect_features` example, each feature's contribution) and clustimage from PyPI (its PCA
//! and HOG features, its k-means and agglomerative clustering, asked for the true k).

use std::path::{Path, PathBuf};
use std::process::Command;

use mdec_data::synthetic::DefectCrops;
use serde::Deserialize;

use super::Plan;
use super::error::{BenchError, Result};
use super::exec::{Tools, capture, json_lines, status};
use super::results::{DefectRow, Stat};

/// The clustimage release measured.
const CLUSTIMAGE: &str = "clustimage==1.7.1";

/// Crops of each kind: 250 (1,500 crops, the set), 50 under `--quick`.
fn per_kind(plan: &Plan) -> usize {
    plan.pick(50, 250)
}

/// Seeds of the mdec runs.
fn seeds(plan: &Plan) -> Vec<u64> {
    plan.pick(vec![0], vec![0, 1, 2])
}

/// Settings of the comparison, in words.
pub fn settings(plan: &Plan) -> String {
    format!(
        "`cargo xtask gen-defects --per-kind {per} --seed 0`: {n} crops of 64×64, six kinds, grayscale and RGB (five part colours). \
         mdec: `mdec run --images DIR --labels-from-folders --seed <S>` with no method flags (the `crops` preset; the labels only score), seeds {seeds:?}, \
         and once more with `--clusters auto` (seed 0; the k it chose in brackets). k-means rows: `defect_features DIR` (k-means with 10 restarts on each \
         feature set, seeds 0–2; time = features + one k-means). clustimage ({CLUSTIMAGE}, installed by the bench into its own virtual environment): \
         `scripts/bench_clustimage.py` — 64×64, its PCA (95% of the variance) or HOG (grayscale) features, k-means or agglomerative (ward), \
         `min_clust = k, max_clust = k + 1`. {threads} threads.",
        per = per_kind(plan),
        n = 6 * per_kind(plan),
        seeds = seeds(plan),
        threads = plan.threads,
    )
}

/// The generated folders, `(name, path)`.
fn folders(tools: &Tools, plan: &Plan) -> Result<Vec<(&'static str, PathBuf)>> {
    let root = tools.path("target/bench/defects");
    let mut out = Vec::new();
    for (name, colour) in [("gray", false), ("rgb", true)] {
        let dir = root.join(format!("{name}-{}", per_kind(plan)));
        if !dir.is_dir() {
            let spec = DefectCrops {
                per_kind: per_kind(plan),
                size: 64,
                colour,
                seed: 0,
            };
            mdec_data::atomic::replace_dir(&dir, |tmp| spec.write(tmp).map(drop))
                .map_err(|e| BenchError::NoResult(format!("generating {}: {e}", dir.display())))?;
        }
        out.push((name, dir));
    }
    Ok(out)
}

/// What `metrics/summary.json` and `config.json` say of a finished run.
#[derive(Deserialize)]
struct Summary {
    cluster: ClusterPart,
}

#[derive(Deserialize)]
struct ClusterPart {
    scores: Scores,
}

#[derive(Clone, Copy, Deserialize)]
struct Scores {
    acc: f64,
    nmi: f64,
    ari: f64,
}

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|source| BenchError::Io {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| BenchError::Json {
        what: path.display().to_string(),
        source,
    })
}

/// One `mdec run` on `dir`: its scores, wall seconds and number of clusters.
fn mdec_run(
    tools: &Tools,
    plan: &Plan,
    dir: &Path,
    seed: u64,
    auto: bool,
) -> Result<(Scores, f64, usize)> {
    let out = tools.path(&format!(
        "target/bench/defects/runs/{}-{seed}{}",
        dir.file_name()
            .map_or("set".into(), |n| n.to_string_lossy()),
        if auto { "-auto" } else { "" }
    ));
    let mut command = Command::new(tools.mdec_path());
    command
        .current_dir(tools.root())
        .args(["run", "--images"])
        .arg(dir)
        .args(["--labels-from-folders", "--seed", &seed.to_string()])
        .args(["--threads", &plan.threads.to_string()])
        .args(["--device", plan.device, "--force", "--out"])
        .arg(&out);
    if auto {
        command.args(["--clusters", "auto"]);
    }
    let (_, seconds, _) = capture(&mut command)?;
    let summary: Summary = serde_json::from_value(read_json(&out.join("metrics/summary.json"))?)
        .map_err(|source| BenchError::Json {
            what: "a run's metrics/summary.json".to_owned(),
            source,
        })?;
    let k = read_json(&out.join("config.json"))?
        .pointer("/settings/cluster/n_clusters")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0) as usize;
    Ok((summary.cluster.scores, seconds, k))
}

#[derive(Deserialize)]
struct FeatureLine {
    features: String,
    acc: Vec<f64>,
    nmi: Vec<f64>,
    ari: Vec<f64>,
    features_seconds: f64,
    kmeans_seconds: f64,
}

#[derive(Deserialize)]
struct ClustimageLine {
    acc: f64,
    nmi: f64,
    ari: f64,
    clusters: usize,
    seconds: f64,
}

/// clustimage's Python: a virtual environment in the cache, created on first use.
fn clustimage_python() -> Result<PathBuf> {
    let cache = crate::setup::cache_dir().map_err(|e| BenchError::Python(e.to_string()))?;
    let venv = cache.join(CLUSTIMAGE.replace("==", "-"));
    let python = venv.join("bin/python");
    let ready = || {
        Command::new(&python)
            .args(["-c", "import clustimage"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !ready() {
        println!("bench: installing {CLUSTIMAGE} into {}", venv.display());
        status(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        status(Command::new(&python).args(["-m", "pip", "install", "--quiet", CLUSTIMAGE]))?;
        if !ready() {
            return Err(BenchError::Python(format!(
                "`import clustimage` still fails with {}",
                python.display()
            )));
        }
    }
    Ok(python)
}

/// Every method on both folders.
pub fn run(tools: &Tools, plan: &Plan) -> Result<Vec<DefectRow>> {
    let python = clustimage_python()?;
    let mut rows = Vec::new();
    for (set, dir) in folders(tools, plan)? {
        let mut runs = Vec::new();
        for seed in seeds(plan) {
            runs.push(mdec_run(tools, plan, &dir, seed, false)?);
        }
        let column = |f: fn(&(Scores, f64, usize)) -> f64| runs.iter().map(f).collect::<Vec<_>>();
        rows.push(DefectRow {
            set: set.to_owned(),
            method: "mdec run (crops preset: anomaly descriptors → DEC)".to_owned(),
            acc: Stat::require(&column(|r| r.0.acc), "mdec ACC")?,
            nmi: Stat::require(&column(|r| r.0.nmi), "mdec NMI")?,
            ari: Stat::require(&column(|r| r.0.ari), "mdec ARI")?,
            seconds: Stat::require(&column(|r| r.1), "mdec seconds")?,
            clusters: None,
        });
        let (scores, seconds, k) = mdec_run(tools, plan, &dir, 0, true)?;
        rows.push(DefectRow {
            set: set.to_owned(),
            method: "mdec run --clusters auto".to_owned(),
            acc: Stat::require(&[scores.acc], "auto ACC")?,
            nmi: Stat::require(&[scores.nmi], "auto NMI")?,
            ari: Stat::require(&[scores.ari], "auto ARI")?,
            seconds: Stat::require(&[seconds], "auto seconds")?,
            clusters: Some(k),
        });
        let mut example = tools.example("defect_features");
        example
            .arg(&dir)
            .args(["--threads", &plan.threads.to_string()]);
        for line in json_lines::<FeatureLine>(&mut example)? {
            rows.push(DefectRow {
                set: set.to_owned(),
                method: format!("k-means on {}", line.features),
                acc: Stat::require(&line.acc, "k-means ACC")?,
                nmi: Stat::require(&line.nmi, "k-means NMI")?,
                ari: Stat::require(&line.ari, "k-means ARI")?,
                seconds: Stat::require(
                    &[line.features_seconds + line.kmeans_seconds],
                    "k-means seconds",
                )?,
                clusters: None,
            });
        }
        for method in ["pca", "hog"] {
            for cluster in ["kmeans", "agglomerative"] {
                let mut command = Command::new(&python);
                let threads = plan.threads.to_string();
                command
                    .current_dir(tools.root())
                    .env("OMP_NUM_THREADS", &threads)
                    .env("OPENBLAS_NUM_THREADS", &threads)
                    .arg("scripts/bench_clustimage.py")
                    .arg(&dir)
                    .args(["--method", method, "--cluster", cluster])
                    .args(["--threads", &threads]);
                let line = json_lines::<ClustimageLine>(&mut command)?
                    .pop()
                    .ok_or_else(|| BenchError::NoResult("bench_clustimage.py".to_owned()))?;
                rows.push(DefectRow {
                    set: set.to_owned(),
                    method: format!("clustimage, {method} features, {cluster}"),
                    acc: Stat::require(&[line.acc], "clustimage ACC")?,
                    nmi: Stat::require(&[line.nmi], "clustimage NMI")?,
                    ari: Stat::require(&[line.ari], "clustimage ARI")?,
                    seconds: Stat::require(&[line.seconds], "clustimage seconds")?,
                    clusters: Some(line.clusters),
                });
            }
        }
    }
    Ok(rows)
}
