//! Bad input as a new user gives it, and what the logs and exit codes say: each case is a
//! clear error naming the problem, before any run folder is written.

use std::path::Path;

use anyhow::Result;
use mdec_tests::{files_under, mdec, quick_run};
use ndarray::Array4;

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn logs_hold_plain_numbers_and_no_colour_codes() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let (images, out) = (tmp.path().join("shapes"), tmp.path().join("run"));
    mdec_tests::write_shapes(&images, 2, 5)?;
    let output = mdec()
        .env("MDEC_LOG", "info")
        .arg("run")
        .args(mdec_tests::train_args(
            &images,
            &out,
            &[("--preset", "dec"), ("--epochs", "1")],
        ))
        .args(["--max-iter", "4", "--batch-size", "4"])
        .output()?;
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    let log = std::fs::read_to_string(out.join("log.jsonl"))?;
    for (what, text) in [("stderr", &text), ("log.jsonl", &log)] {
        assert!(!text.contains("Some("), "{what}: {text}");
        assert!(!text.contains('\u{1b}'), "{what} has colour codes: {text}");
    }
    assert!(
        text.contains("cluster update") && text.contains("acc="),
        "{text}"
    );
    Ok(())
}

#[test]
fn a_clustering_loss_that_diverges_exits_with_4_and_saves_no_model() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let (images, out) = (tmp.path().join("shapes"), tmp.path().join("run"));
    mdec_tests::write_shapes(&images, 4, 6)?;
    let config = tmp.path().join("diverge.json");
    std::fs::write(
        &config,
        r#"{"cluster": {"lr": 1e30, "update_interval": 2}}"#,
    )?;
    let settings = [
        ("--preset", "dec"),
        ("--epochs", "1"),
        ("--max-iter", "12"),
        ("--batch-size", "4"),
    ];
    let output = mdec()
        .arg("run")
        .args(mdec_tests::train_args(&images, &out, &settings))
        .arg("--config")
        .arg(&config)
        .output()?;
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(4), "{text}");
    assert!(text.contains("non-finite"), "{text}");
    assert!(!out.join("model").exists() && !out.join("assignments.csv").exists());
    let summary = std::fs::read_to_string(out.join("metrics/summary.json"))?;
    assert!(summary.contains("non-finite-loss"), "{summary}");
    Ok(())
}

#[test]
fn a_config_files_seed_is_kept_unless_seed_is_given() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let images = tmp.path().join("shapes");
    mdec_tests::write_shapes(&images, 2, 7)?;
    let config = tmp.path().join("seeded.json");
    std::fs::write(
        &config,
        r#"{"pretrain": {"seed": 42}, "cluster": {"seed": 42}}"#,
    )?;
    let seed_of = |out: &Path| -> Result<u64> {
        let text = std::fs::read_to_string(out.join("config.json"))?;
        let value: serde_json::Value = serde_json::from_str(&text)?;
        value["seed"]
            .as_u64()
            .ok_or_else(|| anyhow::anyhow!("no seed in {text}"))
    };
    let kept = tmp.path().join("kept");
    let output = quick_run(&images, &kept, &["--config", &config.display().to_string()])?;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(seed_of(&kept)?, 42);
    let flagged = tmp.path().join("flagged");
    let output = quick_run(
        &images,
        &flagged,
        &["--config", &config.display().to_string(), "--seed", "9"],
    )?;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(seed_of(&flagged)?, 9);
    Ok(())
}

#[test]
fn bad_sizes_threads_and_architectures_are_refused_before_the_run_folder() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let images = tmp.path().join("shapes");
    mdec_tests::write_shapes(&images, 2, 8)?;
    let out = tmp.path().join("run");

    let output = quick_run(&images, &out, &["--size", "100000x100000"])?;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("100000x100000"),
        "{}",
        stderr(&output)
    );
    let output = quick_run(&images, &out, &["--threads", "0"])?;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));

    // DCEC cannot take 4×4 images down three times: an error before anything is written.
    let output = mdec()
        .arg("run")
        .args(mdec_tests::train_args(
            &images,
            &out,
            &[("--preset", "dcec")],
        ))
        .args(["--size", "4x4"])
        .output()?;
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{text}");
    assert!(text.contains("4×4") || text.contains("4x4"), "{text}");
    assert!(
        !out.exists(),
        "a run folder was left: {:?}",
        files_under(&out)
    );
    Ok(())
}

#[test]
fn channels_last_npy_and_unreadable_images_are_handled() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    // numpy's usual image layout: N×H×W×C.
    let images = Array4::from_shape_fn((12, 16, 16, 3), |(i, y, x, c)| {
        let on = if i % 2 == 0 { y < 8 } else { x < 8 };
        if on { 0.9 - 0.1 * c as f32 } else { 0.05 }
    });
    let npy = tmp.path().join("hwc.npy");
    ndarray_npy::write_npy(&npy, &images)?;
    let out = tmp.path().join("npy-run");
    let output = mdec()
        .args(["run", "--npy"])
        .arg(&npy)
        .args(["--preset", "dec", "--clusters", "2", "--epochs", "1"])
        .args([
            "--max-iter",
            "4",
            "--batch-size",
            "4",
            "--device",
            "cpu",
            "--out",
        ])
        .arg(&out)
        .output()?;
    assert!(output.status.success(), "{}", stderr(&output));
    let config = std::fs::read_to_string(out.join("config.json"))?;
    assert!(config.contains("\"shape\": \"3×16×16\""), "{config}");

    // A folder with a file that is not an image: an error naming it, or skipped on request.
    let folder = tmp.path().join("shapes");
    mdec_tests::write_shapes(&folder, 2, 9)?;
    let broken = folder.join("square").join("broken.png");
    std::fs::write(&broken, b"not a png")?;
    let refused = tmp.path().join("refused");
    let output = quick_run(&folder, &refused, &[])?;
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{text}");
    assert!(
        text.contains("broken.png") && text.contains("--skip-unreadable"),
        "{text}"
    );
    assert!(!refused.exists());
    let skipped = tmp.path().join("skipped");
    let output = quick_run(&folder, &skipped, &["--skip-unreadable"])?;
    assert!(output.status.success(), "{}", stderr(&output));
    Ok(())
}

#[test]
fn a_missing_file_is_named_once() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let missing = tmp.path().join("nowhere.npy");
    let output = mdec()
        .args(["run", "--npy"])
        .arg(&missing)
        .args(["--clusters", "2", "--device", "cpu", "--out"])
        .arg(tmp.path().join("run"))
        .output()?;
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(3), "{text}");
    assert!(text.contains("nowhere.npy"), "{text}");
    assert_eq!(text.matches("os error 2").count(), 1, "{text}");
    Ok(())
}
