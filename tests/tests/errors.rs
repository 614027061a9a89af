//! Bad inputs around a saved model: a model used on images of another shape, and output
//! folders that cannot be written; each gives its error and exit code and leaves no
//! partial file. (An unfetched dataset and too many clusters are in `run.rs`.)

use std::path::Path;

use anyhow::Result;
use mdec_tests::{files_under, mdec};

/// A quick run on 6 images of 16×16: a model folder to misuse.
fn small_run(images: &Path, out: &Path) -> Result<()> {
    mdec_tests::write_shapes(images, 2, 99)?;
    let output = mdec_tests::quick_run(images, out, &[])?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Ok(())
}

#[test]
fn bad_model_and_output_inputs_give_their_errors_and_leave_no_partial_files() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let (images, run) = (tmp.path().join("shapes"), tmp.path().join("run"));
    small_run(&images, &run)?;

    // The model takes 1×16×16 images; the data is resized to 8×8.
    let predictions = tmp.path().join("predictions");
    let out = predictions.join("small.csv");
    let output = mdec()
        .args(["predict", "--model"])
        .arg(&run)
        .arg("--images")
        .arg(&images)
        .args(["--size", "8x8", "--device", "cpu", "--out"])
        .arg(&out)
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains(&run.join("model").display().to_string())
            && stderr.contains("1×16×16")
            && stderr.contains("1×8×8"),
        "{stderr}"
    );
    assert!(!out.exists() && files_under(&predictions).is_empty());

    // A model folder that is not one.
    let output = mdec()
        .args(["predict", "--model"])
        .arg(&images)
        .arg("--images")
        .arg(&images)
        .arg("--out")
        .arg(&out)
        .output()?;
    assert_eq!(output.status.code(), Some(3));
    assert!(!out.exists());

    // Output folders under a regular file cannot be created, even by root.
    let blocker = tmp.path().join("not-a-folder");
    std::fs::write(&blocker, "a file")?;
    let output = mdec()
        .args(["predict", "--model"])
        .arg(&run)
        .arg("--images")
        .arg(&images)
        .args(["--device", "cpu", "--out"])
        .arg(blocker.join("out.csv"))
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("cannot create the output folder"),
        "{stderr}"
    );

    let output = mdec()
        .arg("run")
        .arg("--images")
        .arg(&images)
        .args(["--clusters", "3", "--device", "cpu", "--out"])
        .arg(blocker.join("run"))
        .output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(
        stderr.contains("cannot create the output folder")
            && stderr.contains(&blocker.join("run").display().to_string()),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&blocker)?, "a file");

    let output = mdec()
        .arg("eval")
        .arg(run.join("assignments.csv"))
        .arg("--out")
        .arg(blocker.join("scores.json"))
        .output()?;
    assert_eq!(output.status.code(), Some(3));

    // Nothing stray in the folders the commands were pointed at.
    let stray: Vec<_> = files_under(tmp.path())
        .into_iter()
        .filter(|f| f.to_string_lossy().contains(".tmp") || f.starts_with("predictions"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
    Ok(())
}
