//! DeepCluster end to end: `mdec run --preset deepcluster` on CIFAR-10 binary batches (a
//! generated fixture of the real format) and on a folder of RGB images, each writing the
//! usual run folder with the stability-NMI curve; a run interrupted while clustering resumes
//! to the assignments of an uninterrupted one.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::Result;
use mdec_tests::{mdec, rgb_shapes};

/// Writes CIFAR-10's six binary batches under `root/cifar-10/`: records of a label byte and
/// the red, green and blue planes of 32×32, the shapes' classes as labels 0 to 2; `per_class`
/// of each in the test batch, one of each in every training batch.
fn write_cifar(root: &Path, per_class: usize) -> Result<()> {
    let dir = root.join("cifar-10");
    std::fs::create_dir_all(&dir)?;
    let records = |per_class: usize, seed: u64| -> Vec<u8> {
        let mut bytes = Vec::new();
        for (class, image) in rgb_shapes(per_class, 32, seed) {
            bytes.push(class as u8);
            for c in 0..3 {
                bytes.extend(image.pixels().map(|p| p.0[c]));
            }
        }
        bytes
    };
    for b in 1..=5 {
        std::fs::write(dir.join(format!("data_batch_{b}.bin")), records(1, b))?;
    }
    std::fs::write(dir.join("test_batch.bin"), records(per_class, 0))?;
    Ok(())
}

/// The checks every DeepCluster run folder passes: no pretraining, the model and the tables,
/// a stability NMI at every update after the first, the curves drawn, no reconstructions
/// (the decoder is never trained).
fn assert_deepcluster_run(run: &Path, updates: usize) -> Result<()> {
    for file in [
        "config.json",
        "metrics/cluster.csv",
        "metrics/summary.json",
        "model/model.json",
        "model/cluster.json",
        "assignments.csv",
        "plots/cluster_curves.png",
        "report.html",
    ] {
        assert!(run.join(file).is_file(), "{file} missing");
    }
    assert!(!run.join("checkpoints/pretrain").exists(), "no pretraining");
    assert!(!run.join("plots/reconstructions.png").exists());
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("config.json"))?)?;
    assert_eq!(config["settings"]["preset"], "deepcluster");
    let table = std::fs::read_to_string(run.join("metrics/cluster.csv"))?;
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let column = header
        .iter()
        .position(|&h| h == "stability_nmi")
        .expect("a stability_nmi column");
    let stability: Vec<&str> = lines
        .map(|l| l.split(',').nth(column).unwrap_or(""))
        .collect();
    assert_eq!(stability.len(), updates, "{table}");
    assert!(stability[0].is_empty(), "nothing to compare at the start");
    for value in &stability[1..] {
        let nmi: f64 = value.parse()?;
        assert!((0.0..=1.0).contains(&nmi), "{value}");
    }
    Ok(())
}

#[test]
fn deepcluster_runs_on_cifar_10_binary_batches() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    write_cifar(tmp.path(), 16)?;
    let run = tmp.path().join("run");
    let output = mdec()
        .arg("run")
        .args(["--dataset", "cifar-10", "--split", "test", "--data-root"])
        .arg(tmp.path())
        .args([
            "--preset",
            "deepcluster",
            "--clusters",
            "3",
            "--max-iter",
            "24",
        ])
        .args([
            "--batch-size",
            "8",
            "--seed",
            "0",
            "--device",
            "cpu",
            "--out",
        ])
        .arg(&run)
        .output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // 48 images in batches of 8: an update at every epoch of 6 batches, 0 to 24.
    assert_deepcluster_run(&run, 5)?;
    // The scores the run reports are those of the assignments it wrote.
    let assignments = run.join("assignments.csv");
    let clusters = mdec_tests::csv_column(&assignments, "cluster")?;
    let labels = mdec_tests::csv_column(&assignments, "label")?;
    assert_eq!(clusters.len(), 48);
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(run.join("metrics/summary.json"))?)?;
    let reported = summary["cluster"]["scores"]["acc"].as_f64().unwrap_or(-1.0);
    assert!((reported - mdec_metrics::acc(&labels, &clusters)?).abs() < 1e-9);
    Ok(())
}

/// `mdec run --preset deepcluster` of the RGB image folder `images` into `out`.
fn run_folder(images: &Path, out: &Path) -> Command {
    let mut command = mdec();
    command.arg("run").args(mdec_tests::train_args(
        images,
        out,
        &[
            ("--preset", "deepcluster"),
            ("--max-iter", "120"),
            ("--batch-size", "6"),
            ("--seed", "2"),
            ("--threads", "1"),
        ],
    ));
    command
}

#[test]
fn deepcluster_on_an_image_folder_resumes_after_an_interruption() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let images = tmp.path().join("shapes");
    for (i, (class, image)) in rgb_shapes(8, 32, 7).into_iter().enumerate() {
        let dir = images.join(["horizontal", "vertical", "square"][class]);
        std::fs::create_dir_all(&dir)?;
        image.save(dir.join(format!("{i:03}.png")))?;
    }
    let straight = tmp.path().join("straight");
    let output = run_folder(&images, &straight).output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // 24 images in batches of 6: an update every epoch of 4 batches, 0 to 120 (30 epochs).
    assert_deepcluster_run(&straight, 31)?;

    // Ctrl-C once clustering has checkpointed: exit 130, then resumed to the end.
    let out = tmp.path().join("interrupted");
    let mut child = run_folder(&images, &out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let checkpoint = out.join("checkpoints/cluster/state.json");
    mdec_tests::wait_for(&mut child, "the first clustering checkpoint", || {
        checkpoint.is_file()
    })?;
    mdec_tests::interrupt(&child)?;
    let output = child.wait_with_output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(!out.join("assignments.csv").exists(), "{stderr}");
    let output = run_folder(&images, &out).arg("--resume").output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let table = |dir: &Path| std::fs::read_to_string(dir.join("assignments.csv"));
    assert_eq!(table(&out)?, table(&straight)?);
    Ok(())
}
