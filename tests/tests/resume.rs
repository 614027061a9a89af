//! Interrupted runs: Ctrl-C (SIGINT) during pretraining writes a checkpoint and exits with
//! 130 and the command that resumes; a run killed (SIGKILL) after its first clustering
//! checkpoint resumes too; and the resumed run ends with the same assignments as an
//! uninterrupted one with the same seed.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::Result;
use mdec_tests::{files_under, mdec};

/// `mdec run` of the dcec preset on `images` into `out`.
fn run(images: &Path, out: &Path) -> Command {
    let mut command = mdec();
    command.arg("run").args(mdec_tests::train_args(
        images,
        out,
        &[
            ("--preset", "dcec"),
            ("--epochs", "12"),
            ("--max-iter", "400"),
            ("--batch-size", "8"),
            ("--seed", "5"),
            ("--threads", "1"),
        ],
    ));
    command
}

#[test]
fn interrupted_and_killed_runs_resume_to_the_assignments_of_an_uninterrupted_run() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let images = tmp.path().join("shapes");
    mdec_tests::write_shapes(&images, 10, 4242)?;

    let straight = tmp.path().join("straight");
    let output = run(&images, &straight).output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // Ctrl-C once the first epoch is done: a checkpoint, exit 130, how to resume.
    let out = tmp.path().join("interrupted");
    let mut child = run(&images, &out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    mdec_tests::wait_for(&mut child, "the first epoch", || {
        out.join("metrics/pretrain.csv").is_file()
    })?;
    mdec_tests::interrupt(&child)?;
    let output = child.wait_with_output()?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted; resume with: mdec run ")
            && stderr.contains(&format!("--out {} --resume", out.display())),
        "{stderr}"
    );
    assert!(
        files_under(&out.join("checkpoints/pretrain"))
            .iter()
            .any(|f| f.ends_with("training.json")),
        "a pretraining checkpoint"
    );
    assert!(!out.join("model").exists() && !out.join("assignments.csv").exists());

    // Resumed, then killed outright once the first clustering checkpoint is written.
    let mut child = run(&images, &out)
        .arg("--resume")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    mdec_tests::wait_for(&mut child, "the first clustering checkpoint", || {
        out.join("checkpoints/cluster/state.json").is_file()
    })?;
    child.kill()?;
    child.wait()?;

    // Resumed to the end.
    let output = run(&images, &out).arg("--resume").output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let table = |dir: &Path| std::fs::read_to_string(dir.join("assignments.csv"));
    assert_eq!(table(&out)?, table(&straight)?);
    let pretrain_losses = |dir: &Path| -> Result<Vec<String>> {
        Ok(std::fs::read_to_string(dir.join("metrics/pretrain.csv"))?
            .lines()
            .map(|l| l.split(',').take(3).collect::<Vec<_>>().join(","))
            .collect())
    };
    assert_eq!(pretrain_losses(&out)?, pretrain_losses(&straight)?);
    let stray: Vec<_> = files_under(&out)
        .into_iter()
        .filter(|f| f.to_string_lossy().contains(".tmp"))
        .collect();
    assert!(stray.is_empty(), "temporary files left: {stray:?}");
    assert!(out.join("report.md").is_file() && out.join("model/cluster.json").is_file());
    Ok(())
}
