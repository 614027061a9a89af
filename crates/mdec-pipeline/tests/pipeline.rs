//! A whole run through the library API on a worker thread: the events arrive in order, a
//! stop through the handle ends the run with checkpoints, a resumed run ends with the same
//! assignments, byte for byte, as an uninterrupted one, and the animation covers every
//! update of both halves.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Receiver;

use anyhow::{Context, Result};
use mdec_cluster::Preset;
use mdec_pipeline::{
    Command, Event, FolderMode, Input, Phase, Record, Run, RunSpec, SettingsSpec, Status,
};
use ndarray::Array4;

/// 180 seeded 1×8×8 images of three kinds (bright top rows, bright left columns, a dark
/// square) with labels, as `.npy` files in `dir`.
/// libtorch's generator is one per process: tests that train run one at a time, so that
/// each repeats exactly.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn write_data(dir: &Path) -> Result<Input> {
    let mut state = 7u64;
    let mut noise = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % 100) as f32 / 500.0
    };
    let images = Array4::from_shape_fn((180, 1, 8, 8), |(i, _, y, x)| {
        let on = match i % 3 {
            0 => y < 3,
            1 => x < 3,
            _ => (2..6).contains(&y) && (2..6).contains(&x),
        };
        if on { 0.8 + noise() } else { noise() }
    });
    let labels = ndarray::Array1::from_iter((0..180).map(|i| (i % 3) as i64));
    let file = dir.join("images.npy");
    let labels_file = dir.join("labels.npy");
    ndarray_npy::write_npy(&file, &images)?;
    ndarray_npy::write_npy(&labels_file, &labels)?;
    Ok(Input::Npy {
        file,
        labels: Some(labels_file),
    })
}

fn spec(input: &Input, config: &Path, out: PathBuf, mode: FolderMode) -> RunSpec {
    let mut spec = RunSpec::new(Command::Run, input.clone(), out);
    spec.settings = SettingsSpec {
        preset: Some(Preset::Idec),
        config: Some(config.to_path_buf()),
        epochs: Some(3),
        max_iter: Some(300),
        batch_size: Some(16),
        seed: Some(3),
        ..SettingsSpec::default()
    };
    spec.device = mdec_ae::DeviceChoice::Cpu;
    spec.mode = mode;
    spec
}

/// The events of a channel, waiting for the run to end.
fn drain(rx: &Receiver<Record>) -> Vec<Event> {
    rx.iter().map(|r| r.event).collect()
}

fn gif_frames(path: &Path) -> Result<usize> {
    let mut decoder = gif::DecodeOptions::new().read_info(std::fs::File::open(path)?)?;
    let mut frames = 0;
    while decoder.read_next_frame()?.is_some() {
        frames += 1;
    }
    Ok(frames)
}

#[test]
fn a_run_stopped_through_its_handle_resumes_to_the_same_assignments() -> Result<()> {
    let _serial = serial();
    let tmp = tempfile::tempdir()?;
    let input = write_data(tmp.path())?;
    // Updates every 10 iterations and no convergence stop, so that the run is long enough
    // to be stopped between two updates.
    let config = tmp.path().join("settings.json");
    std::fs::write(
        &config,
        r#"{"cluster": {"update_interval": 10, "tol": 0.0, "kmeans_n_init": 3}}"#,
    )?;

    // Uninterrupted, on a worker thread.
    let whole = tmp.path().join("whole");
    let (tx, rx) = std::sync::mpsc::channel();
    let outcome = Run::prepare(spec(&input, &config, whole.clone(), FolderMode::New))?
        .start(vec![Box::new(tx)])
        .join()?;
    assert_eq!(outcome.status, Status::Finished);
    let events = drain(&rx);
    assert!(matches!(
        events.first(),
        Some(Event::RunStarted { resumed: false, .. })
    ));
    assert!(matches!(
        events.last(),
        Some(Event::Finished {
            scores: Some(_),
            ..
        })
    ));
    let position = |f: &dyn Fn(&Event) -> bool| events.iter().position(f);
    let last_epoch = events
        .iter()
        .rposition(|e| matches!(e, Event::EpochDone { .. }))
        .context("no epoch_done")?;
    let kmeans = position(&|e| matches!(e, Event::KmeansDone { .. })).context("no kmeans_done")?;
    let first_update =
        position(&|e| matches!(e, Event::TargetUpdate { .. })).context("no target_update")?;
    let figure = position(&|e| matches!(e, Event::FigureWritten { .. })).context("no figure")?;
    assert!(last_epoch < kmeans && kmeans < first_update && first_update < figure);
    let epochs: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            Event::EpochDone { row, .. } => Some(row.epoch),
            _ => None,
        })
        .collect();
    assert_eq!(epochs, [1, 2, 3]);
    let iterations: Vec<usize> = events
        .iter()
        .filter_map(|e| match e {
            Event::TargetUpdate { row, .. } => Some(row.iteration),
            _ => None,
        })
        .collect();
    assert_eq!(iterations.len(), 31, "{iterations:?}");
    assert!(iterations.windows(2).all(|w| w[0] < w[1]));
    let written = mdec_pipeline::read_events(&whole.join("events.jsonl"))?;
    assert_eq!(
        written.len(),
        events
            .iter()
            .filter(|e| !matches!(e, Event::Progress { .. }))
            .count(),
        "events.jsonl holds every event but the per-batch progress"
    );

    // The same run, stopped through its handle after the update at iteration 50.
    let parts = tmp.path().join("parts");
    let (tx, rx) = std::sync::mpsc::channel();
    let handle = Run::prepare(spec(&input, &config, parts.clone(), FolderMode::New))?
        .start(vec![Box::new(tx)]);
    let mut seen = Vec::new();
    for record in rx.iter() {
        let stop = matches!(&record.event, Event::TargetUpdate { row, .. } if row.iteration == 50);
        seen.push(record.event);
        if stop {
            handle.stop();
        }
    }
    let stopped = handle.join()?;
    assert_eq!(stopped.status, Status::Stopped(Phase::Clustering));
    assert!(matches!(
        seen.last(),
        Some(Event::Stopped {
            phase: Phase::Clustering
        })
    ));
    assert!(
        !parts.join("model").exists() && !parts.join("assignments.csv").exists(),
        "a stopped run has no final outputs"
    );

    // Resumed: the rest of the run, to the same end.
    let (tx, rx) = std::sync::mpsc::channel();
    let resumed = Run::prepare(spec(&input, &config, parts.clone(), FolderMode::Resume))?
        .start(vec![Box::new(tx)])
        .join()?;
    assert_eq!(resumed.status, Status::Finished);
    let events = drain(&rx);
    assert!(matches!(
        events.first(),
        Some(Event::RunStarted { resumed: true, .. })
    ));
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, Event::EpochDone { .. } | Event::KmeansDone { .. })),
        "the resumed run neither pretrains nor initialises again"
    );
    assert_eq!(
        std::fs::read(parts.join("assignments.csv"))?,
        std::fs::read(whole.join("assignments.csv"))?,
        "byte-identical assignments"
    );
    assert_eq!(resumed.scores, outcome.scores);

    // The animation of the resumed run starts at the first update, like the whole run's.
    let gif = Path::new("plots/embedding.gif");
    assert_eq!(gif_frames(&parts.join(gif))?, 31);
    assert_eq!(gif_frames(&whole.join(gif))?, 31);
    // And `mdec report` draws it again from the run folder.
    std::fs::remove_file(parts.join(gif))?;
    let drawn = mdec_pipeline::report::redraw(&parts)?;
    assert!(drawn.iter().any(|p| p == gif), "{drawn:?}");
    assert_eq!(gif_frames(&parts.join(gif))?, 31);
    Ok(())
}

#[test]
fn bad_input_is_refused_before_anything_is_written() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let input = write_data(tmp.path())?;
    let config = tmp.path().join("settings.json");
    std::fs::write(&config, "{}")?;
    // DCEC's convolutions cannot take 4×4 images down three times.
    let file = tmp.path().join("small.npy");
    ndarray_npy::write_npy(&file, &Array4::<f32>::zeros((20, 1, 4, 4)))?;
    let small = Input::Npy { file, labels: None };
    let out = tmp.path().join("dcec");
    let mut dcec = spec(&small, &config, out.clone(), FolderMode::New);
    dcec.settings.clusters = Some(mdec_pipeline::Clusters::Fixed(2));
    dcec.settings.preset = Some(Preset::Dcec);
    let err = Run::prepare(dcec).unwrap_err();
    assert_eq!(err.kind(), mdec_pipeline::ErrorKind::BadInput, "{err}");
    assert!(
        !out.exists(),
        "no run folder for a model that cannot take the data"
    );

    let mut threads = spec(&input, &config, out.clone(), FolderMode::New);
    threads.threads = Some(0);
    let err = Run::prepare(threads).unwrap_err();
    assert!(err.to_string().contains("0 threads"), "{err}");
    assert!(!out.exists());
    Ok(())
}

/// A run of `settings` on the CPU, in batches of 16 with seed 3.
fn small_run(input: Input, out: PathBuf, settings: SettingsSpec) -> RunSpec {
    let mut spec = RunSpec::new(Command::Run, input, out);
    spec.settings = SettingsSpec {
        batch_size: Some(16),
        seed: Some(3),
        ..settings
    };
    spec.device = mdec_ae::DeviceChoice::Cpu;
    spec
}

/// A denoising pretraining (Gaussian input noise) reports the reconstruction PSNR on the
/// held-out samples, clean and noisy, in `metrics/reconstruction.json` and the report.
#[test]
fn a_denoising_run_reports_its_psnr() -> Result<()> {
    let _serial = serial();
    let dir = tempfile::tempdir()?;
    let input = write_data(dir.path())?;
    let out = dir.path().join("run");
    let spec = small_run(
        input,
        out.clone(),
        SettingsSpec {
            preset: Some(Preset::DcraFixed),
            overrides: Some(serde_json::json!({ "pretrain": { "noise_std": 0.2, "lr": 0.003 } })),
            clusters: Some(mdec_pipeline::Clusters::Fixed(3)),
            epochs: Some(8),
            max_iter: Some(10),
            ..SettingsSpec::default()
        },
    );
    let outcome = Run::prepare(spec)?.execute(Vec::new(), mdec_ae::StopFlag::new())?;
    assert_eq!(outcome.status, Status::Finished);
    let quality: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(
        out.join("metrics/reconstruction.json"),
    )?)?;
    assert_eq!(
        quality["samples"], 18,
        "the 10% validation split: {quality}"
    );
    assert_eq!(quality["noise_std"], 0.2);
    let noisy = quality["noisy_input_psnr_db"].as_f64().unwrap_or(f64::NAN);
    let denoised = quality["denoised_psnr_db"].as_f64().unwrap_or(f64::NAN);
    // σ = 0.2 on values in [0, 1]: 10·log10(1 / 0.04) ≈ 14 dB.
    assert!((noisy - 14.0).abs() < 0.5, "{quality}");
    assert!(
        denoised > noisy,
        "the autoencoder removes some noise: {quality}"
    );
    let report = std::fs::read_to_string(out.join("report.md"))?;
    assert!(
        report.contains("Reconstruction PSNR on 18 held-out samples"),
        "{report}"
    );
    Ok(())
}

/// `epochs: 0` is DEC's random-initialisation ablation: no pretraining, clustering from the
/// randomly initialised autoencoder.
#[test]
fn zero_epochs_clusters_from_the_random_autoencoder() -> Result<()> {
    let _serial = serial();
    let dir = tempfile::tempdir()?;
    let input = write_data(dir.path())?;
    let out = dir.path().join("run");
    let spec = small_run(
        input,
        out.clone(),
        SettingsSpec {
            preset: Some(Preset::Dec),
            epochs: Some(0),
            max_iter: Some(20),
            ..SettingsSpec::default()
        },
    );
    let (tx, rx) = std::sync::mpsc::channel();
    let outcome = Run::prepare(spec)?.start(vec![Box::new(tx)]).join()?;
    assert_eq!(outcome.status, Status::Finished);
    let events = drain(&rx);
    assert!(!events.iter().any(|e| matches!(e, Event::EpochDone { .. })));
    assert!(events.iter().any(|e| matches!(e, Event::KmeansDone { .. })));
    assert!(!out.join("metrics/pretrain.csv").exists());
    assert!(out.join("assignments.csv").is_file());
    let config: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("config.json"))?)?;
    assert_eq!(config["settings"]["pretrain"]["epochs"], 0);
    Ok(())
}
