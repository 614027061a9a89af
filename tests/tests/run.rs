//! End-to-end runs of the training commands on a small generated image folder with three
//! visually distinct classes: horizontal bars, vertical bars and centred squares; then
//! `predict` on held-out images, `eval` and `report` on the run folder.

use std::path::Path;

use anyhow::Result;
use mdec_tests::{csv_column, files_under, mdec};

/// Writes `per_class` noisy 16×16 PNGs of each class into `dir/<class>/`.
fn write_shapes(dir: &Path, per_class: usize) -> Result<()> {
    mdec_tests::write_shapes(dir, per_class, 12345)
}

fn train_args(images: &Path, out: &Path) -> Vec<String> {
    mdec_tests::train_args(
        images,
        out,
        &[
            ("--preset", "mdec"),
            ("--epochs", "40"),
            ("--max-iter", "60"),
            ("--batch-size", "16"),
            ("--seed", "3"),
        ],
    )
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
        "metrics/pretrain.csv",
        "metrics/pretrain.parquet",
        "metrics/cluster.csv",
        "metrics/cluster.parquet",
        "metrics/summary.json",
        "checkpoints/pretrain/epoch-00040/model.safetensors",
        "checkpoints/pretrain/epoch-00040/training.json",
        "checkpoints/pretrain/best/model.safetensors",
        "checkpoints/cluster/state.json",
        "checkpoints/cluster/weights.safetensors",
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
        "plots/embedding.gif",
        "plots/confusion.png",
        "plots/cluster_sizes.png",
        "plots/overview.png",
        "plots/montages/cluster_00.png",
        "report.md",
        "events.jsonl",
        "log.jsonl",
        "frames/basis.npy",
    ] {
        let path = out.join(file);
        assert!(
            path.metadata().is_ok_and(|m| m.len() > 0),
            "{} missing or empty",
            path.display()
        );
    }
    let stray: Vec<_> = files_under(&out)
        .into_iter()
        .filter(|f| f.to_string_lossy().contains(".tmp"))
        .collect();
    assert!(stray.is_empty(), "temporary files left: {stray:?}");
    // Per-sample assignments against the folder labels.
    let assignments = out.join("assignments.csv");
    let labels = csv_column(&assignments, "label")?;
    let clusters = csv_column(&assignments, "cluster")?;
    assert_eq!(labels.len(), 60);
    let acc = mdec_metrics::acc(&labels, &clusters)?;
    assert!(acc >= 0.95, "ACC {acc}");
    let report = std::fs::read_to_string(out.join("report.md"))?;
    assert!(report.contains("| final |"), "{report}");
    for link in [
        "metrics/pretrain.csv",
        "metrics/cluster.csv",
        "plots/embedding.gif",
    ] {
        assert!(report.contains(&format!("]({link})")), "{link}: {report}");
    }
    let config = std::fs::read_to_string(out.join("config.json"))?;
    assert!(config.contains("\"seed\": 3"), "{config}");

    predict_agrees_with_the_labels_of_held_out_images(tmp.path(), &out)?;
    eval_scores_the_assignments(tmp.path(), &out, acc)?;
    report_redraws_the_figures(&out)?;
    Ok(())
}

/// `mdec predict` with the saved model on new images of the same classes.
fn predict_agrees_with_the_labels_of_held_out_images(tmp: &Path, run: &Path) -> Result<()> {
    let held_out = tmp.join("held-out");
    mdec_tests::write_shapes(&held_out, 10, 777)?;
    let predicted = tmp.join("predicted/held-out.csv");
    let output = mdec()
        .args(["predict", "--model"])
        .arg(run)
        .arg("--images")
        .arg(&held_out)
        .args(["--labels-from-folders", "--device", "cpu", "--out"])
        .arg(&predicted)
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let header = std::fs::read_to_string(&predicted)?;
    let header = header.lines().next().unwrap_or_default();
    assert!(
        header.starts_with("index,name,label,cluster,confidence,q_0"),
        "{header}"
    );
    let labels = csv_column(&predicted, "label")?;
    let clusters = csv_column(&predicted, "cluster")?;
    assert_eq!(labels.len(), 30);
    let acc = mdec_metrics::acc(&labels, &clusters)?;
    assert!(acc >= 0.95, "held-out ACC {acc}");
    // The model folder itself works too, and Parquet is written on request.
    let parquet = tmp.join("predicted/held-out.parquet");
    let output = mdec()
        .args(["predict", "--model"])
        .arg(run.join("model"))
        .arg("--images")
        .arg(&held_out)
        .args(["--device", "cpu", "--out"])
        .arg(&parquet)
        .output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(parquet.metadata()?.len() > 0);
    // An existing output is kept unless --force.
    let again = mdec()
        .args(["predict", "--model"])
        .arg(run)
        .arg("--images")
        .arg(&held_out)
        .args(["--device", "cpu", "--out"])
        .arg(&parquet)
        .output()?;
    assert_eq!(again.status.code(), Some(3));
    Ok(())
}

/// `mdec eval` of the run's assignments: a table on stdout, JSON and CSV files.
fn eval_scores_the_assignments(tmp: &Path, run: &Path, acc: f64) -> Result<()> {
    let json = tmp.join("scores.json");
    let output = mdec()
        .arg("eval")
        .arg(run.join("assignments.parquet"))
        .arg("--out")
        .arg(&json)
        .output()?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains("| samples | clusters | classes | ACC | NMI | ARI |"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("| 60 | 3 | 3 | {acc:.4} |")),
        "{stdout}"
    );
    let scores = std::fs::read_to_string(&json)?;
    assert!(
        scores.contains("\"acc\"") && scores.contains("\"nmi\""),
        "{scores}"
    );
    // Labels from a file, matched by sample name.
    let output = mdec()
        .arg("eval")
        .arg(run.join("assignments.csv"))
        .arg("--labels")
        .arg(run.join("assignments.parquet"))
        .arg("--out")
        .arg(tmp.join("scores.csv"))
        .output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let csv = std::fs::read_to_string(tmp.join("scores.csv"))?;
    assert!(
        csv.starts_with("samples,clusters,classes,acc,nmi,ari\n60,3,3,"),
        "{csv}"
    );
    // No labels anywhere: a bad-input error that writes nothing.
    let unlabelled = tmp.join("unlabelled.csv");
    std::fs::write(&unlabelled, "index,cluster\n0,1\n1,0\n")?;
    let out = tmp.join("none.json");
    let output = mdec()
        .arg("eval")
        .arg(&unlabelled)
        .arg("--out")
        .arg(&out)
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("--labels"), "{stderr}");
    assert!(!out.exists());
    Ok(())
}

/// `mdec report` re-creates the figures and the report from the run folder's files.
fn report_redraws_the_figures(run: &Path) -> Result<()> {
    let figures: Vec<_> = files_under(&run.join("plots"))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "png"))
        .collect();
    assert!(figures.len() >= 8, "{figures:?}");
    let report = std::fs::read_to_string(run.join("report.md"))?;
    std::fs::remove_dir_all(run.join("plots"))?;
    std::fs::remove_file(run.join("report.md"))?;
    let output = mdec().arg("report").arg(run).output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    for figure in &figures {
        let path = run.join("plots").join(figure);
        assert!(
            path.metadata().is_ok_and(|m| m.len() > 0),
            "{} not re-drawn",
            path.display()
        );
    }
    let again = std::fs::read_to_string(run.join("report.md"))?;
    let without_gif = |text: &str| -> String {
        text.lines()
            .filter(|l| !l.is_empty() && !l.contains("embedding.gif"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(without_gif(&again), without_gif(&report));
    // Not a run folder: a bad-input error.
    let output = mdec().arg("report").arg(run.join("plots")).output()?;
    assert_eq!(output.status.code(), Some(3));
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
        stderr.contains("cargo xtask fetch fashion-mnist"),
        "{stderr}"
    );
    assert!(!out.exists(), "no partial run folder");
    Ok(())
}

#[test]
fn a_torchscript_encoder_clustering_keeps_its_encoder_and_predicts() -> Result<()> {
    use mdec_data::idx::{IdxArray, write_idx};
    let tmp = tempfile::tempdir()?;
    // 30 images of 1×8×8 (what the fixture encoder takes): three brightness patterns.
    let images = ndarray::Array4::from_shape_fn((30, 1, 8, 8), |(i, _, y, x)| match i % 3 {
        0 => (y < 4) as u8 as f32,
        1 => (x < 4) as u8 as f32,
        _ => 0.1 * ((i / 3) % 4) as f32,
    });
    let labels: Vec<usize> = (0..30).map(|i| i % 3).collect();
    let (x, y) = (
        tmp.path().join("x-idx3-ubyte"),
        tmp.path().join("y-idx1-ubyte"),
    );
    write_idx(&x, &IdxArray::from_unit_images(&images))?;
    write_idx(&y, &IdxArray::from_labels(&labels)?)?;
    let encoder = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/mdec-ae/tests/fixtures/tiny_encoder.pt");
    let mut embeddings = Vec::new();
    for fine_tune in [false, true] {
        let run = tmp.path().join(format!("run-{fine_tune}"));
        let mut command = mdec();
        command
            .arg("cluster")
            .arg("--idx")
            .arg(&x)
            .arg(&y)
            .arg("--encoder")
            .arg(&encoder)
            .args(["--preset", "dec", "--max-iter", "10", "--batch-size", "10"])
            .args(["--device", "cpu", "--out"])
            .arg(&run);
        if fine_tune {
            command.arg("--fine-tune");
        }
        let output = command.output()?;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let saved = std::fs::read(run.join("model/encoder.pt"))?;
        // Frozen, the encoder is copied; fine-tuned, the tuned module is written.
        assert_eq!(saved == std::fs::read(&encoder)?, !fine_tune);
        assert!(run.join("model/centroids.safetensors").is_file());
        assert!(!run.join("plots/reconstructions.png").exists());
        embeddings.push(ndarray_npy::read_npy::<_, ndarray::Array2<f32>>(
            run.join("embeddings.npy"),
        )?);
        let out = tmp.path().join(format!("predicted-{fine_tune}.csv"));
        let output = mdec()
            .args(["predict", "--model"])
            .arg(&run)
            .arg("--idx")
            .arg(&x)
            .arg(&y)
            .args(["--device", "cpu", "--out"])
            .arg(&out)
            .output()?;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        // The same model on the same data: the same assignments as the run's.
        assert_eq!(
            csv_column(&out, "cluster")?,
            csv_column(&run.join("assignments.csv"), "cluster")?
        );
        assert_eq!(csv_column(&out, "label")?, labels);
    }
    // Fine-tuning moved the embeddings away from the frozen encoder's.
    let moved = (&embeddings[0] - &embeddings[1]).mapv(f32::abs).sum();
    assert!(moved > 1e-3, "{moved}");
    Ok(())
}
