//! Public-API tests on small seeded synthetic images: shapes through every architecture,
//! loss decreasing, save → load, resume, mismatch errors, denoising, determinism, NaN
//! handling and the TorchScript encoder fixture.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use anyhow::Result;
use mdec_ae::{
    AeConfig, AeModel, Arch, Autoencoder, Control, DcecConfig, DenseConfig, Encoder, Error,
    ImageShape, LrSchedule, MdecConfig, OptimizerKind, PretrainLayout, PretrainParams,
    SelfAugmentation, StopFlag, TorchScriptEncoder, Upsampling, WeightInit, array_to_tensor, embed,
    latest_checkpoint, pretrain, resume,
};
use mdec_data::Dataset;
use ndarray::Array4;
use tch::{Device, Kind, Tensor};

/// `n` seeded c×h×w images in [0, 1]: a bright square at one of four positions plus a
/// faint per-image gradient.
fn squares(n: usize, c: usize, h: usize, w: usize) -> Dataset {
    let images = Array4::from_shape_fn((n, c, h, w), |(i, ch, y, x)| {
        let (oy, ox) = ((i % 2) * h / 2, (i / 2 % 2) * w / 2);
        let inside = (oy..oy + h / 2).contains(&y) && (ox..ox + w / 2).contains(&x);
        let base = if inside { 0.8 } else { 0.1 };
        base + 0.1 * ((i * 7 + ch * 3 + y + x) % 5) as f32 / 5.0
    });
    Dataset::new(images)
}

/// libtorch has one global random generator per process and the test harness runs tests
/// on several threads: tests that seed it and draw from it take turns.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn small_dense() -> AeConfig {
    AeConfig {
        arch: Arch::Dense(DenseConfig {
            hidden: vec![32, 16],
        }),
        latent_dim: 3,
        ..Default::default()
    }
}

fn quick(epochs: usize) -> PretrainParams {
    PretrainParams::new()
        .epochs(epochs)
        .batch_size(8)
        .lr(3e-3)
        .seed(11)
}

fn weights(model: &AeModel) -> Vec<(String, Tensor)> {
    let mut vars: Vec<_> = model.var_store().variables().into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    vars
}

fn same_weights(a: &AeModel, b: &AeModel) -> bool {
    weights(a)
        .iter()
        .zip(weights(b))
        .all(|((na, ta), (nb, tb))| *na == nb && ta.equal(&tb))
}

#[test]
fn every_architecture_maps_shapes_both_ways() -> Result<()> {
    let _guard = serial();
    let shapes = [(1, 28, 28), (3, 32, 32), (3, 20, 12), (1, 9, 9)];
    let archs = [
        AeConfig {
            arch: Arch::Mdec(MdecConfig {
                channels: vec![4, 8],
                kernel_sizes: vec![3, 5],
                upsampling: Upsampling::Nearest,
            }),
            latent_dim: 5,
            batch_norm: true,
            dropout: 0.1,
            init: WeightInit::XavierUniform,
            ..Default::default()
        },
        AeConfig {
            arch: Arch::Mdec(MdecConfig {
                channels: vec![4, 8, 8],
                kernel_sizes: vec![3, 3, 3],
                upsampling: Upsampling::Transposed,
            }),
            latent_dim: 5,
            init: WeightInit::KaimingNormal,
            ..Default::default()
        },
        AeConfig {
            arch: Arch::Dcec(DcecConfig {
                channels: vec![4, 8, 16],
                ..Default::default()
            }),
            latent_dim: 10,
            ..Default::default()
        },
        AeConfig {
            batch_norm: true,
            ..small_dense()
        },
    ];
    for (c, h, w) in shapes {
        for config in &archs {
            let shape = ImageShape::new(c, h, w);
            let model = AeModel::with_seed(config.clone(), shape, Device::Cpu, 1)?;
            let xs = Tensor::rand(
                [3, c as i64, h as i64, w as i64],
                (Kind::Float, Device::Cpu),
            );
            let zs = model.encode(&xs, true);
            assert_eq!(
                zs.size(),
                [3, config.latent_dim],
                "{} on {shape}",
                config.arch
            );
            let ys = model.decode(&zs, true);
            assert_eq!(ys.size(), xs.size(), "{} on {shape}", config.arch);
            assert!(model.forward_flops() > 0.0);
        }
    }
    // The reference DCEC on MNIST: 28 → 14 → 7 → 3, 128·3·3 = 1152 features before the latent.
    let dcec = AeModel::new(AeConfig::dcec(10), ImageShape::new(1, 28, 28), Device::Cpu)?;
    let vars = dcec.var_store().variables();
    assert_eq!(vars["encoder.latent.weight"].size(), [10, 1152]);
    // 96×96 RGB through the default MDEC.
    let mdec = AeModel::new(AeConfig::mdec(12), ImageShape::new(3, 96, 96), Device::Cpu)?;
    let xs = Tensor::rand([2, 3, 96, 96], (Kind::Float, Device::Cpu));
    assert_eq!(mdec.forward_t(&xs, false).size(), [2, 3, 96, 96]);
    Ok(())
}

#[test]
fn too_small_input_is_an_error() {
    let err = AeModel::new(AeConfig::dcec(10), ImageShape::new(1, 4, 4), Device::Cpu).unwrap_err();
    assert!(
        matches!(err, Error::InputShape { arch: "dcec", .. }),
        "{err}"
    );
}

#[test]
fn loss_decreases_on_a_tiny_set() -> Result<()> {
    let _guard = serial();
    let data = squares(32, 1, 12, 12);
    let out = tempfile::tempdir()?;
    for config in [
        small_dense(),
        AeConfig {
            arch: Arch::Mdec(MdecConfig {
                channels: vec![4, 8],
                kernel_sizes: vec![3, 3],
                upsampling: Upsampling::Nearest,
            }),
            latent_dim: 4,
            ..Default::default()
        },
    ] {
        for (optimizer, schedule) in [
            (OptimizerKind::adam(), LrSchedule::Constant),
            (OptimizerKind::sgd(), LrSchedule::one_cycle()),
        ] {
            let lr = if matches!(optimizer, OptimizerKind::Sgd { .. }) {
                0.05
            } else {
                3e-3
            };
            let mut model = AeModel::with_seed(config.clone(), data.shape(), Device::Cpu, 3)?;
            let params = quick(6)
                .optimizer(optimizer)
                .schedule(schedule)
                .lr(lr)
                .check()?;
            let dir = out
                .path()
                .join(format!("{}-{optimizer:?}", config.arch).replace(' ', ""));
            let report = pretrain(&mut model, &data, None, &params, &dir, Control::default())?;
            let first = report.rows[0].train_loss;
            let last = report.final_train_loss;
            let factor = if matches!(optimizer, OptimizerKind::Sgd { .. }) {
                0.9
            } else {
                0.7
            };
            assert!(
                last < factor * first,
                "{} {optimizer:?}: {first} -> {last}",
                config.arch
            );
        }
    }
    Ok(())
}

#[test]
fn save_then_load_gives_identical_outputs() -> Result<()> {
    let _guard = serial();
    let shape = ImageShape::new(3, 10, 10);
    let config = AeConfig {
        batch_norm: true,
        arch: Arch::Mdec(MdecConfig {
            channels: vec![4],
            kernel_sizes: vec![3],
            upsampling: Upsampling::Transposed,
        }),
        ..Default::default()
    };
    let data = squares(16, 3, 10, 10);
    let mut model = AeModel::with_seed(config, shape, Device::Cpu, 5)?;
    // A little training so the batch-norm running statistics are not the defaults.
    let out = tempfile::tempdir()?;
    pretrain(
        &mut model,
        &data,
        None,
        &quick(1).check()?,
        out.path(),
        Control::default(),
    )?;
    let dir = out.path().join("saved");
    model.save(&dir)?;
    let loaded = AeModel::load(&dir, Device::Cpu)?;
    let xs = mdec_ae::array_to_tensor(data.images())?;
    assert!(
        model
            .forward_t(&xs, false)
            .equal(&loaded.forward_t(&xs, false))
    );
    assert!(embed(&model, &xs, 5)?.equal(&embed(&loaded, &xs, 5)?));
    assert!(embed(&model, &xs, 5)?.allclose(&embed(&loaded, &xs, 7)?, 1e-5, 1e-6, false));
    assert_eq!(loaded.config(), model.config());
    let back = loaded.reconstruct_array(data.images())?;
    assert_eq!(back.dim(), data.images().dim());
    Ok(())
}

#[test]
fn resume_continues_the_epoch_count_and_matches_an_uninterrupted_run() -> Result<()> {
    let _guard = serial();
    let data = squares(24, 1, 8, 8);
    let (train, val) = data.split(0.25, 1)?;
    let config = small_dense();
    let base = quick(4)
        .checkpoint_every(2)
        .schedule(LrSchedule::Cosine { min_lr: 1e-4 })
        .gaussian_noise(0.1);

    let whole = tempfile::tempdir()?;
    let mut straight = AeModel::with_seed(config.clone(), train.shape(), Device::Cpu, 2)?;
    let full = pretrain(
        &mut straight,
        &train,
        Some(&val),
        &base.clone().check()?,
        whole.path(),
        Control::default(),
    )?;

    // An interrupted run: only the epoch-2 checkpoint of the same 4-epoch schedule.
    let parts = tempfile::tempdir()?;
    let saved = whole.path().join("checkpoints/epoch-00002");
    let copy = parts.path().join("checkpoints/epoch-00002");
    std::fs::create_dir_all(&copy)?;
    for file in std::fs::read_dir(&saved)? {
        let file = file?;
        std::fs::copy(file.path(), copy.join(file.file_name()))?;
    }
    assert_eq!(mdec_ae::pretrain::read_training_state(&copy)?.epoch, 2);
    let (resumed, rest) = resume(
        parts.path(),
        Device::Cpu,
        &train,
        Some(&val),
        &base.check()?,
        Control::default(),
    )?;
    assert_eq!(rest.resumed_from, 2);
    let epochs: Vec<usize> = rest.rows.iter().map(|r| r.epoch).collect();
    assert_eq!(epochs, [1, 2, 3, 4]);
    let losses = |r: &mdec_ae::PretrainReport| -> Vec<(f64, Option<f64>, f64)> {
        r.rows
            .iter()
            .map(|r| (r.train_loss, r.val_loss, r.lr))
            .collect()
    };
    assert_eq!(losses(&rest), losses(&full));
    assert!(same_weights(&resumed, &straight));
    // The table on disk holds all four epochs.
    let file = std::fs::File::open(parts.path().join("pretrain.parquet"))?;
    let table = {
        use polars::prelude::SerReader;
        polars::prelude::ParquetReader::new(file).finish()?
    };
    assert_eq!(table.height(), 4);
    assert!(latest_checkpoint(parts.path())?.is_some_and(|p| p.ends_with("epoch-00004")));
    Ok(())
}

#[test]
fn mismatched_checkpoints_are_clear_errors() -> Result<()> {
    let _guard = serial();
    let data = squares(8, 1, 8, 8);
    let out = tempfile::tempdir()?;
    let mut model = AeModel::with_seed(small_dense(), data.shape(), Device::Cpu, 0)?;
    pretrain(
        &mut model,
        &data,
        None,
        &quick(1).check()?,
        out.path(),
        Control::default(),
    )?;
    let ckpt = latest_checkpoint(out.path())?.ok_or_else(|| anyhow::anyhow!("no checkpoint"))?;

    let rgb = squares(8, 3, 8, 8);
    let err = resume(
        out.path(),
        Device::Cpu,
        &rgb,
        None,
        &quick(2).check()?,
        Control::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err}");
    assert!(err.to_string().contains("3×8×8"), "{err}");

    let err =
        AeModel::load_for(&ckpt, Device::Cpu, data.shape(), Some(&AeConfig::dcec(3))).unwrap_err();
    assert!(matches!(err, Error::ArchMismatch { .. }), "{err}");

    let err = mdec_ae::pretrain_or_resume(
        &AeConfig::dcec(3),
        Device::Cpu,
        &data,
        None,
        &quick(2).check()?,
        out.path(),
        Control::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::ArchMismatch { .. }), "{err}");

    let mut other = AeModel::new(small_dense(), rgb.shape(), Device::Cpu)?;
    let err = pretrain(
        &mut other,
        &data,
        None,
        &quick(1).check()?,
        out.path().join("x"),
        Control::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::ShapeMismatch { .. }), "{err}");

    let err = resume(
        out.path().join("empty"),
        Device::Cpu,
        &data,
        None,
        &quick(2).check()?,
        Control::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::NoCheckpoint { .. }), "{err}");

    let bce = quick(1).loss(mdec_ae::ReconLoss::Bce).check()?;
    let err = pretrain(
        &mut model,
        &data,
        None,
        &bce,
        out.path().join("bce"),
        Control::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::LossNeedsSigmoid { .. }), "{err}");
    Ok(())
}

#[test]
fn denoising_input_differs_from_the_clean_target() -> Result<()> {
    let _guard = serial();
    tch::manual_seed(0);
    let data = squares(4, 1, 8, 8);
    let xs = mdec_ae::array_to_tensor(data.images())?;
    let copy = xs.copy();
    let noisy = mdec_ae::noise::corrupt(&xs, 0.3, 0.0);
    let masked = mdec_ae::noise::corrupt(&xs, 0.0, 0.5);
    assert!(xs.equal(&copy), "the target is left clean");
    assert!(!noisy.equal(&xs) && !masked.equal(&xs));
    let zeroed = masked
        .eq(0.0)
        .to_kind(Kind::Float)
        .mean(Kind::Float)
        .double_value(&[]);
    assert!(
        (0.3..0.7).contains(&zeroed),
        "about half the pixels masked: {zeroed}"
    );
    let std = (&noisy - &xs).std(true).double_value(&[]);
    assert!((0.2..0.4).contains(&std), "{std}");
    assert!(mdec_ae::noise::corrupt(&xs, 0.0, 0.0).equal(&xs));
    Ok(())
}

#[test]
fn a_seed_makes_a_cpu_run_repeat_exactly() -> Result<()> {
    let _guard = serial();
    let data = squares(16, 1, 8, 8);
    let params = quick(2)
        .masking_noise(0.2)
        .augment(mdec_data::AugmentConfig {
            rotation: 10.0,
            contrast: 0.3,
            ..Default::default()
        })
        .check()?;
    let config = AeConfig {
        dropout: 0.2,
        ..small_dense()
    };
    let run = |dir: &Path| -> Result<(AeModel, Vec<f64>)> {
        let mut model = AeModel::with_seed(config.clone(), data.shape(), Device::Cpu, params.seed)?;
        let report = pretrain(&mut model, &data, None, &params, dir, Control::default())?;
        Ok((model, report.rows.iter().map(|r| r.train_loss).collect()))
    };
    let (a, b) = (tempfile::tempdir()?, tempfile::tempdir()?);
    let (ma, la) = run(a.path())?;
    let (mb, lb) = run(b.path())?;
    assert_eq!(la, lb);
    assert!(same_weights(&ma, &mb));
    Ok(())
}

#[test]
fn a_nan_loss_stops_the_run_and_keeps_the_last_checkpoint() -> Result<()> {
    let _guard = serial();
    let data = squares(16, 1, 8, 8);
    let out = tempfile::tempdir()?;
    let mut model = AeModel::with_seed(small_dense(), data.shape(), Device::Cpu, 0)?;
    pretrain(
        &mut model,
        &data,
        None,
        &quick(2).check()?,
        out.path(),
        Control::default(),
    )?;
    let before = latest_checkpoint(out.path())?.ok_or_else(|| anyhow::anyhow!("no checkpoint"))?;

    let mut poisoned = data.images().clone();
    poisoned[[3, 0, 2, 2]] = f32::NAN;
    let poisoned = Dataset::new(poisoned);
    let err = resume(
        out.path(),
        Device::Cpu,
        &poisoned,
        None,
        &quick(4).check()?,
        Control::default(),
    )
    .unwrap_err();
    match &err {
        Error::NonFiniteLoss {
            epoch,
            last_checkpoint,
            ..
        } => {
            assert_eq!(*epoch, 3);
            assert_eq!(last_checkpoint.as_deref(), Some(before.as_path()));
        }
        other => anyhow::bail!("expected NonFiniteLoss, got {other}"),
    }
    assert_eq!(latest_checkpoint(out.path())?, Some(before.clone()));
    let reloaded = AeModel::load(&before, Device::Cpu)?;
    let xs = mdec_ae::array_to_tensor(data.images())?;
    assert_eq!(
        reloaded
            .forward_t(&xs, false)
            .isfinite()
            .all()
            .int64_value(&[]),
        1
    );
    Ok(())
}

#[test]
fn early_stopping_ends_the_run() -> Result<()> {
    let _guard = serial();
    let data = squares(16, 1, 8, 8);
    let out = tempfile::tempdir()?;
    let mut model = AeModel::with_seed(small_dense(), data.shape(), Device::Cpu, 0)?;
    // A rate of ~0 cannot improve the loss by min_delta.
    let params = quick(20)
        .lr(1e-12)
        .early_stopping(Some(mdec_ae::EarlyStopping {
            patience: 2,
            min_delta: 1e-3,
        }))
        .check()?;
    let report = pretrain(
        &mut model,
        &data,
        Some(&data),
        &params,
        out.path(),
        Control::default(),
    )?;
    assert!(report.stopped_early);
    assert_eq!(report.rows.len(), 3);
    assert!(out.path().join("best/model.safetensors").is_file());
    Ok(())
}

#[test]
fn a_torchscript_encoder_from_pytorch_plugs_in() -> Result<()> {
    let _guard = serial();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny_encoder.pt");
    let encoder = TorchScriptEncoder::load(&path, ImageShape::new(1, 8, 8), Device::Cpu)?;
    assert_eq!(encoder.latent_dim(), 3);
    let base = (Tensor::arange(64, (Kind::Float, Device::Cpu)) / 64.0).view([1, 1, 8, 8]);
    let xs = Tensor::cat(&[&base, &(1.0 - &base)], 0);
    let zs = embed(&encoder, &xs, 1)?;
    // From scripts/gen_torchscript_encoder.py.
    let expected = Tensor::from_slice(&[
        -0.007065f32,
        -0.1093,
        0.067385,
        0.273629,
        0.202986,
        -0.001187,
    ])
    .view([2, 3]);
    assert!(zs.allclose(&expected, 1e-4, 1e-5, false), "{zs}");
    let err = TorchScriptEncoder::load(&path, ImageShape::new(3, 8, 8), Device::Cpu).unwrap_err();
    assert!(matches!(err, Error::TorchScript { .. }), "{err}");
    Ok(())
}

#[test]
fn non_finite_optimizer_and_schedule_settings_are_rejected() -> Result<()> {
    use mdec_ae::PretrainParamsError as E;
    let inf_div = LrSchedule::OneCycle {
        pct_start: 0.3,
        div_factor: f64::INFINITY,
        final_div_factor: 1e4,
    };
    let err = PretrainParams::new().schedule(inf_div).check().unwrap_err();
    assert!(
        matches!(&err, E::Schedule(m) if m.contains("div_factor")),
        "{err}"
    );
    let nan_momentum = OptimizerKind::Sgd {
        momentum: f64::NAN,
        nesterov: false,
    };
    let err = PretrainParams::new()
        .optimizer(nan_momentum)
        .check()
        .unwrap_err();
    assert!(
        matches!(&err, E::Optimizer(m) if m.contains("momentum")),
        "{err}"
    );
    let inf_eps = OptimizerKind::Adam {
        beta1: 0.9,
        beta2: 0.999,
        eps: f64::INFINITY,
    };
    assert!(matches!(
        PretrainParams::new().optimizer(inf_eps).check(),
        Err(E::Optimizer(_))
    ));
    let nan_min_lr = LrSchedule::Cosine { min_lr: f64::NAN };
    assert!(matches!(
        PretrainParams::new().schedule(nan_min_lr).check(),
        Err(E::Schedule(_))
    ));
    Ok(())
}

/// Traces `f` over a `[2, 1, 8, 8]` input into a TorchScript module saved at `path`.
fn traced_module(path: &Path, mut f: impl FnMut(&Tensor) -> Tensor) -> Result<()> {
    let probe = Tensor::zeros([2, 1, 8, 8], (Kind::Float, Device::Cpu));
    let module =
        tch::CModule::create_by_tracing("m", "forward", &[probe], &mut |xs| vec![f(&xs[0])])?;
    module.save(path)?;
    Ok(())
}

#[test]
fn a_torchscript_encoder_that_fails_on_forward_is_an_error_not_a_panic() -> Result<()> {
    let _guard = serial();
    let dir = tempfile::tempdir()?;
    let shape = ImageShape::new(1, 8, 8);
    // Tracing freezes the batch of 2 into the module: it passes the load-time check on two
    // images, then fails on a batch of 3.
    let fixed_batch = dir.path().join("fixed_batch.pt");
    traced_module(&fixed_batch, |xs| xs.view([2, 64]).narrow(1, 0, 3))?;
    let encoder = TorchScriptEncoder::load(&fixed_batch, shape, Device::Cpu)?;
    assert_eq!(encoder.latent_dim(), 3);
    let xs = Tensor::zeros([3, 1, 8, 8], (Kind::Float, Device::Cpu));
    let err = encoder.encode(&xs, false).unwrap_err();
    assert!(
        matches!(&err, Error::TorchScript { path, .. } if path == &fixed_batch),
        "{err}"
    );
    assert!(err.to_string().contains("fixed_batch.pt"), "{err}");
    assert!(matches!(
        embed(&encoder, &xs, 3),
        Err(Error::TorchScript { .. })
    ));
    let four = Tensor::zeros([4, 1, 8, 8], (Kind::Float, Device::Cpu));
    assert_eq!(
        embed(&encoder, &four, 2)?.size(),
        [4, 3],
        "batches of 2 work"
    );

    // A module that fails on the probe is refused when loading, naming the file.
    let always = dir.path().join("always_fails.pt");
    traced_module(&always, |xs| xs.view([2, 64]).narrow(1, 0, 3))?;
    let err = TorchScriptEncoder::load(&always, ImageShape::new(1, 4, 4), Device::Cpu).unwrap_err();
    assert!(matches!(err, Error::TorchScript { .. }), "{err}");
    assert!(err.to_string().contains("always_fails.pt"), "{err}");

    // So is one whose output is not floating-point embeddings.
    let ints = dir.path().join("ints.pt");
    traced_module(&ints, |xs| xs.view([2, 64]).argmax(1, true))?;
    let err = TorchScriptEncoder::load(&ints, shape, Device::Cpu).unwrap_err();
    assert!(err.to_string().contains("expected floating-point"), "{err}");

    // A missing file and a file that is no TorchScript: errors naming the file, in one
    // line, without libtorch's C++ stack trace.
    let missing = dir.path().join("missing.pt");
    let err = TorchScriptEncoder::load(&missing, shape, Device::Cpu).unwrap_err();
    assert!(
        err.to_string().contains("missing.pt") && err.to_string().contains("no such file"),
        "{err}"
    );
    let text = dir.path().join("text.pt");
    std::fs::write(&text, "not a module")?;
    let err = TorchScriptEncoder::load(&text, shape, Device::Cpu)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("text.pt") && !err.contains("frame #") && !err.contains('\n'),
        "{err}"
    );
    Ok(())
}

/// Pretrains `params` in `out`, stopping on the way: first before any batch, then from
/// another thread part-way through, then to the end; returns the final model and report.
fn stopped_and_resumed(
    data: &Dataset,
    params: &PretrainParams,
    out: impl Into<PretrainLayout>,
) -> Result<(AeModel, mdec_ae::PretrainReport)> {
    let out = out.into();
    let stop = StopFlag::new();
    let stoppable = params.clone().check()?;
    stop.stop();
    let mut model = AeModel::with_seed(small_dense(), data.shape(), Device::Cpu, 2)?;
    match pretrain(
        &mut model,
        data,
        None,
        &stoppable,
        &out,
        Control {
            stop: stop.clone(),
            observer: None,
            deadline: None,
        },
    ) {
        Err(Error::Interrupted {
            epoch: 1,
            batch: 0,
            checkpoint,
        }) => assert!(checkpoint.starts_with(&out.checkpoints)),
        other => anyhow::bail!("expected a stop before the first batch, got {other:?}"),
    }
    // Stopped from another thread part-way, a few times: wherever a stop lands (mostly
    // mid-epoch), the checkpoint holds that batch and the next resume goes on from it.
    for attempt in 1..=4u64 {
        stop.reset();
        let setter = {
            let stop = stop.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(37 * attempt));
                stop.stop();
            })
        };
        let part = resume(
            &out,
            Device::Cpu,
            data,
            None,
            &stoppable,
            Control {
                stop: stop.clone(),
                observer: None,
                deadline: None,
            },
        );
        setter
            .join()
            .map_err(|_| anyhow::anyhow!("setter thread panicked"))?;
        match part {
            Err(Error::Interrupted { epoch, batch, .. }) => {
                eprintln!("stopped before epoch {epoch}, batch {batch}");
            }
            // The machine outran the request: the run is complete.
            Ok(_) => break,
            Err(e) => return Err(e.into()),
        }
    }
    stop.reset();
    Ok(resume(
        &out,
        Device::Cpu,
        data,
        None,
        &stoppable,
        Control {
            stop: stop.clone(),
            observer: None,
            deadline: None,
        },
    )?)
}

#[test]
fn a_stop_request_checkpoints_the_batch_reached_and_resuming_matches_an_uninterrupted_run()
-> Result<()> {
    let _guard = serial();
    let data = squares(40, 1, 8, 8);
    // 20 batches an epoch, noise from libtorch's generator, a per-batch schedule; the data
    // on the device, then prepared on the host with the self-augmentation views.
    let params = quick(25)
        .batch_size(2)
        .checkpoint_every(5)
        .gaussian_noise(0.1)
        .schedule(LrSchedule::Cosine { min_lr: 1e-4 });
    let views = SelfAugmentation {
        weight: 0.5,
        transform: mdec_data::AugmentConfig {
            flip: true,
            brightness: 0.3,
            ..Default::default()
        },
    };
    for params in [params.clone(), params.self_augmentation(Some(views))] {
        stop_and_resume_matches_an_uninterrupted_run(&data, params)?;
    }
    Ok(())
}

fn stop_and_resume_matches_an_uninterrupted_run(
    data: &Dataset,
    params: PretrainParams,
) -> Result<()> {
    let whole = tempfile::tempdir()?;
    let mut straight = AeModel::with_seed(small_dense(), data.shape(), Device::Cpu, 2)?;
    let full = pretrain(
        &mut straight,
        data,
        None,
        &params.clone().check()?,
        whole.path(),
        Control::default(),
    )?;

    let parts = tempfile::tempdir()?;
    let layout = PretrainLayout {
        tables: parts.path().join("metrics"),
        checkpoints: parts.path().join("checkpoints/pretrain"),
        best: parts.path().join("checkpoints/pretrain/best"),
    };
    let (resumed, rest) = stopped_and_resumed(data, &params, &layout)?;
    let losses = |r: &mdec_ae::PretrainReport| -> Vec<(usize, f64, f64)> {
        r.rows
            .iter()
            .map(|r| (r.epoch, r.train_loss, r.lr))
            .collect()
    };
    assert_eq!(losses(&rest), losses(&full));
    assert!(same_weights(&resumed, &straight));
    // The layout was followed: table, checkpoints and best model where it said.
    assert!(layout.tables.join("pretrain.parquet").is_file());
    assert!(layout.best.join("model.safetensors").is_file());
    assert!(
        layout
            .latest_checkpoint()?
            .is_some_and(|p| p.ends_with("epoch-00025"))
    );
    assert!(!parts.path().join("pretrain.csv").exists());
    Ok(())
}

#[test]
fn self_augmentation_makes_the_embedding_ignore_the_transform() -> Result<()> {
    let _guard = serial();
    // What a flip keeps: the brightness (8 levels); what it changes: the corner holding a
    // bright 3×3 patch (4 corners).
    let data = Dataset::new(Array4::from_shape_fn((32, 1, 8, 8), |(i, _, y, x)| {
        let (top, left) = (i / 8 % 2 == 0, i / 16 == 0);
        let in_patch = (if top { y < 3 } else { y >= 5 }) && (if left { x < 3 } else { x >= 5 });
        if in_patch {
            1.0
        } else {
            0.1 + 0.6 * (i % 8) as f32 / 7.0
        }
    }));
    let flips = mdec_data::AugmentConfig {
        flip: true,
        ..Default::default()
    };
    // Mean cosine similarity between each sample's embedding and its flipped copy's, both
    // centred on their mean (what the loss compares).
    let similarity = |self_augmentation: Option<SelfAugmentation>| -> Result<f64> {
        let dir = tempfile::tempdir()?;
        let mut model = AeModel::with_seed(small_dense(), data.shape(), Device::Cpu, 11)?;
        let params = quick(60).self_augmentation(self_augmentation).check()?;
        let report = pretrain(
            &mut model,
            &data,
            None,
            &params,
            dir.path(),
            Control::default(),
        )?;
        assert!(report.final_train_loss.is_finite());
        let mut flipped = data.images().clone();
        mdec_data::augment::augment(flipped.view_mut(), &flips, 99)?;
        let z = embed(&model, &array_to_tensor(data.images())?, 64)?;
        let z_flipped = embed(&model, &array_to_tensor(&flipped)?, 64)?;
        let centred = |z: Tensor| &z - z.mean_dim(0, true, Kind::Float);
        let similarity = Tensor::cosine_similarity(&centred(z), &centred(z_flipped), 1, 1e-8);
        Ok(similarity.mean(Kind::Double).double_value(&[]))
    };
    let plain = similarity(None)?;
    let invariant = similarity(Some(SelfAugmentation {
        weight: 1.0,
        transform: flips.clone(),
    }))?;
    assert!(
        invariant > 0.95 && invariant > plain + 0.2,
        "cosine to the flipped copy: {invariant:.3} with the loss, {plain:.3} without"
    );
    Ok(())
}

/// DEC's protocol: each layer pair of the dense autoencoder trained greedily as a denoising
/// autoencoder, then end to end. Every layer moves during the greedy stage, the end-to-end
/// stage starts from a better reconstruction than a fresh autoencoder's, and other
/// architectures are refused with the reason.
#[test]
fn layerwise_pretraining_trains_every_pair_then_fine_tunes() -> Result<()> {
    use mdec_ae::Layerwise;
    let _guard = serial();
    let data = squares(48, 1, 12, 12);
    let out = tempfile::tempdir()?;
    let layerwise = Layerwise {
        epochs: 15,
        dropout: 0.2,
    };
    let fresh = AeModel::with_seed(small_dense(), data.shape(), Device::Cpu, 3)?;
    let mut greedy = AeModel::with_seed(small_dense(), data.shape(), Device::Cpu, 3)?;
    assert!(same_weights(&fresh, &greedy));
    let params = quick(1).layerwise(layerwise).check()?;
    let report = pretrain(
        &mut greedy,
        &data,
        None,
        &params,
        out.path().join("greedy"),
        Control::default(),
    )?;
    let before = weights(&fresh);
    for (name, after) in weights(&greedy) {
        let (_, start) = before
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| anyhow::anyhow!("{name}"))?;
        assert!(!start.equal(&after), "{name} did not move");
    }
    let mut plain = AeModel::with_seed(small_dense(), data.shape(), Device::Cpu, 3)?;
    let plain_report = pretrain(
        &mut plain,
        &data,
        None,
        &quick(1).check()?,
        out.path().join("plain"),
        Control::default(),
    )?;
    assert!(
        report.rows[0].train_loss < plain_report.rows[0].train_loss,
        "first end-to-end epoch: greedy {} against plain {}",
        report.rows[0].train_loss,
        plain_report.rows[0].train_loss
    );

    let mut conv = AeModel::with_seed(
        AeConfig::dcec(3),
        ImageShape::new(1, 28, 28),
        Device::Cpu,
        3,
    )?;
    let digits = squares(8, 1, 28, 28);
    let err = pretrain(
        &mut conv,
        &digits,
        None,
        &params,
        out.path().join("conv"),
        Control::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("dense architecture"), "{err}");
    Ok(())
}
