//! End-to-end runs of the training commands on a small generated image folder with three
//! visually distinct classes: horizontal bars, vertical bars and centred squares.

use std::path::Path;

use anyhow::{Context, Result};
use mdec_tests::mdec;

/// Writes `per_class` noisy 16×16 PNGs of each class into `dir/<class>/`.
fn write_shapes(dir: &Path, per_class: usize) -> Result<()> {
    let mut state = 12345u64;
    let mut next = move |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    for (class, name) in ["horizontal", "vertical", "square"].iter().enumerate() {
        std::fs::create_dir_all(dir.join(name))?;
        for i in 0..per_class {
            // Small jitter: the classes differ in shape far more than within a class.
            let offset = 6 + next(3) as u32;
            let size = 6 + 2 * next(2) as u32;
            let image = image::GrayImage::from_fn(16, 16, |x, y| {
                let on = match class {
                    0 => (offset..offset + 3).contains(&y),
                    1 => (offset..offset + 3).contains(&x),
                    _ => {
                        let (lo, hi) = (8 - size / 2, 8 + size / 2);
                        (lo..hi).contains(&x) && (lo..hi).contains(&y)
                    }
                };
                let noise = next(40) as u8;
                image::Luma([if on { 215 + noise } else { noise }])
            });
            image.save(dir.join(name).join(format!("{i:03}.png")))?;
        }
    }
    Ok(())
}

fn train_args(images: &Path, out: &Path) -> Vec<String> {
    [
        "--images",
        &images.display().to_string(),
        "--labels-from-folders",
        "--preset",
        "mdec",
        "--epochs",
        "40",
        "--max-iter",
        "60",
        "--batch-size",
        "16",
        "--seed",
        "3",
        "--device",
        "cpu",
        "--out",
        &out.display().to_string(),
    ]
    .map(str::to_owned)
    .to_vec()
}

#[test]
fn run_writes_the_whole_run_folder_and_separates_three_classes() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let (images, out) = (tmp.path().join("shapes"), tmp.path().join("run"));
    write_shapes(&images, 20)?;
    let output = mdec().arg("run").args(train_args(&images, &out)).output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    for file in [
        "config.json",
        "pretrain/pretrain.csv",
        "pretrain/pretrain.parquet",
        "cluster/cluster.csv",
        "cluster/cluster.parquet",
        "model/model.safetensors",
        "model/model.json",
        "model/cluster.json",
        "assignments.csv",
        "assignments.parquet",
        "embeddings.npy",
        "plots/pretrain_curves.png",
        "plots/reconstructions.png",
        "plots/cluster_curves.png",
        "plots/embedding.png",
        "plots/confusion.png",
        "plots/cluster_sizes.png",
        "plots/overview.png",
        "report.md",
        "events.jsonl",
    ] {
        let path = out.join(file);
        assert!(
            path.metadata().is_ok_and(|m| m.len() > 0),
            "{} missing or empty",
            path.display()
        );
    }
    // Per-sample assignments against the folder labels.
    let table = std::fs::read_to_string(out.join("assignments.csv"))?;
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().context("header")?.split(',').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .context(name.to_owned())
    };
    let (label, cluster) = (column("label")?, column("cluster")?);
    let (mut labels, mut clusters) = (Vec::new(), Vec::new());
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        labels.push(fields[label].parse::<usize>()?);
        clusters.push(fields[cluster].parse::<usize>()?);
    }
    assert_eq!(labels.len(), 60);
    let acc = mdec_metrics::acc(&labels, &clusters)?;
    assert!(acc >= 0.95, "ACC {acc}");
    let report = std::fs::read_to_string(out.join("report.md"))?;
    assert!(report.contains("| final |"), "{report}");
    let config = std::fs::read_to_string(out.join("config.json"))?;
    assert!(config.contains("\"seed\": 3"), "{config}");
    Ok(())
}

#[test]
fn an_existing_run_folder_is_kept_and_named_in_the_error() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let (images, out) = (tmp.path().join("shapes"), tmp.path().join("run"));
    write_shapes(&images, 4)?;
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("notes.txt"), "mine")?;
    let output = mdec()
        .arg("pretrain")
        .args(train_args(&images, &out))
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("--resume") && stderr.contains(&out.display().to_string()),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(out.join("notes.txt"))?, "mine");
    assert_eq!(
        std::fs::read_dir(&out)?.count(),
        1,
        "nothing written into the old run"
    );
    Ok(())
}

#[test]
fn more_clusters_than_samples_is_a_bad_input_error_that_writes_nothing() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let (images, out) = (tmp.path().join("shapes"), tmp.path().join("run"));
    write_shapes(&images, 2)?;
    let output = mdec()
        .arg("run")
        .args(train_args(&images, &out))
        .args(["--clusters", "7"])
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("7 clusters") && stderr.contains("6 samples"),
        "{stderr}"
    );
    assert!(!out.exists(), "no partial run folder");
    Ok(())
}

#[test]
fn a_dataset_not_fetched_yet_says_which_command_fetches_it() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let out = tmp.path().join("run");
    let output = mdec()
        .args(["run", "--dataset", "fashion-mnist", "--data-root"])
        .arg(tmp.path())
        .arg("--out")
        .arg(&out)
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("cargo xtask fetch-fashion-mnist"),
        "{stderr}"
    );
    assert!(!out.exists(), "no partial run folder");
    Ok(())
}
