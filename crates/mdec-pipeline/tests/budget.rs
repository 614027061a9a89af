//! A time budget through the library API: far below what the settings ask for, it ends
//! pretraining after an epoch or so and clustering soon after. In its own test binary:
//! libtorch's random generator is global, and a run beside the resume test in
//! `pipeline.rs` would change what that test draws.

use anyhow::Result;
use mdec_cluster::Preset;
use mdec_pipeline::{Command, Input, Run, RunSpec, SettingsSpec, Status};
use ndarray::Array4;

/// 90 seeded 1×8×8 images of three kinds with labels, as `.npy` files in `dir`.
fn write_data(dir: &std::path::Path) -> Result<Input> {
    let images = Array4::from_shape_fn((90, 1, 8, 8), |(i, _, y, x)| {
        let on = match i % 3 {
            0 => y < 3,
            1 => x < 3,
            _ => (2..6).contains(&y) && (2..6).contains(&x),
        };
        let noise = ((i * 31 + y * 7 + x * 13) % 17) as f32 / 100.0;
        if on { 0.8 + noise } else { noise }
    });
    let file = dir.join("images.npy");
    ndarray_npy::write_npy(&file, &images)?;
    Ok(Input::Npy { file, labels: None })
}

/// A budget far below what the settings ask for ends pretraining after an epoch or so and
/// clustering soon after, both with their outputs, and the budget is in `config.json`.
#[test]
fn a_time_budget_ends_both_phases_early() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let input = write_data(dir.path())?;
    let mut spec = RunSpec::new(Command::Run, input, dir.path().join("run"));
    // No convergence: only the budget ends clustering.
    let config = dir.path().join("never-converge.json");
    std::fs::write(&config, r#"{"cluster": {"tol": 0.0}}"#)?;
    spec.settings = SettingsSpec {
        preset: Some(Preset::Idec),
        config: Some(config),
        epochs: Some(100_000),
        max_iter: Some(10_000_000),
        batch_size: Some(16),
        clusters: Some(mdec_pipeline::Clusters::Fixed(3)),
        ..SettingsSpec::default()
    };
    spec.device = mdec_ae::DeviceChoice::Cpu;
    spec.time_budget = Some(std::time::Duration::from_secs(4));
    let started = std::time::Instant::now();
    let outcome = Run::prepare(spec)?.execute(Vec::new(), mdec_ae::StopFlag::new())?;
    assert_eq!(outcome.status, Status::Finished);
    // Far below what 100,000 epochs would take; generous for a loaded machine.
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        outcome.run.join("metrics/summary.json"),
    )?)?;
    assert_eq!(summary["pretrain"]["stopped_early"], true, "{summary}");
    assert_eq!(summary["cluster"]["stop"]["kind"], "budget", "{summary}");
    assert!(outcome.run.join("assignments.csv").is_file());
    let config = std::fs::read_to_string(outcome.run.join("config.json"))?;
    assert!(config.contains("\"time_budget_seconds\": 4.0"), "{config}");
    Ok(())
}
