//! The clustering stage on tiny generated images: gradients, objectives, stopping,
//! seeds, resume, NaN handling, outputs and save / load.

mod common;

use common::quick;

use mdec_ae::StopFlag;
use mdec_ae::{AeModel, Autoencoder, Control, PretrainParams, pretrain};
use mdec_cluster::{
    CentroidInit, ClusterLayout, DcraTerms, Dec, DecParams, EncoderOnly, LossSchedule, Objective,
    ObserverError, Resume, StopReason, Update, embeddings_frame, loss, target_distribution,
};
use mdec_data::Dataset;
use tch::{Kind, Tensor};

#[test]
fn non_finite_optimizer_and_schedule_settings_are_rejected() {
    use mdec_ae::{LrSchedule, OptimizerKind};
    use mdec_cluster::ParamsError as E;
    let inf_div = LrSchedule::OneCycle {
        pct_start: 0.3,
        div_factor: f64::INFINITY,
        final_div_factor: 1e4,
    };
    let err = DecParams::new(3).lr_schedule(inf_div).check();
    assert!(
        matches!(&err, Err(E::LrSchedule(m)) if m.contains("div_factor")),
        "{err:?}"
    );
    let nan_momentum = OptimizerKind::Sgd {
        momentum: f64::NAN,
        nesterov: false,
    };
    let err = DecParams::new(3).optimizer(nan_momentum).check();
    assert!(
        matches!(&err, Err(E::Optimizer(m)) if m.contains("momentum")),
        "{err:?}"
    );
    let inf_eps = OptimizerKind::Adam {
        beta1: 0.9,
        beta2: 0.999,
        eps: f64::INFINITY,
    };
    assert!(matches!(
        DecParams::new(3).optimizer(inf_eps).check(),
        Err(E::Optimizer(_))
    ));
    let inf_threshold = LrSchedule::ReduceOnPlateau {
        factor: 0.5,
        patience: 2,
        threshold: f64::INFINITY,
        min_lr: 0.0,
    };
    assert!(matches!(
        DecParams::new(3).lr_schedule(inf_threshold).check(),
        Err(E::LrSchedule(_))
    ));
}
/// A short pretraining of the small autoencoder on `data`.
fn pretrained(data: &Dataset, latent: i64, seed: u64, epochs: usize) -> anyhow::Result<AeModel> {
    let mut model = common::small_ae(latent, seed)?;
    let params = PretrainParams::new()
        .epochs(epochs)
        .batch_size(16)
        .lr(3e-3)
        .seed(seed)
        .checkpoint_every(0)
        .check()?;
    let out = tempfile::tempdir()?;
    pretrain(
        &mut model,
        data,
        None,
        &params,
        out.path(),
        Control::default(),
    )?;
    Ok(model)
}

/// Whether any variable whose name starts with `prefix` differs between the two sets
/// (matched by name).
fn changed(before: &[(String, Tensor)], after: &[(String, Tensor)], prefix: &str) -> bool {
    before
        .iter()
        .filter(|(name, _)| name.starts_with(prefix))
        .any(|(name, b)| {
            after
                .iter()
                .find(|(n, _)| n == name)
                .is_none_or(|(_, a)| common::max_diff(b, a) > 0.0)
        })
}

#[test]
fn kl_gradient_reaches_encoder_and_centroids() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(30, 1)?;
    let model = common::small_ae(3, 1)?;
    let dec = Dec::new(model, DecParams::new(3).check()?)?;
    tch::manual_seed(0);
    dec.layer()
        .set_centroids(&Tensor::randn([3, 3], (Kind::Float, tch::Device::Cpu)))?;
    let xs = mdec_ae::array_to_tensor(data.images())?;
    let zs = dec.backbone().encode(&xs, true); // [30, 3]
    let p = target_distribution(&dec.layer().soft_assign(&zs));
    let kl = loss::kl_divergence(&p, &dec.layer().log_soft_assign(&zs));
    kl.backward();
    let vars = dec.backbone().var_store().variables();
    let grad_norm = |name: &str| {
        let g = vars[name].grad();
        if g.defined() {
            g.abs().sum(Kind::Double).double_value(&[])
        } else {
            0.0
        }
    };
    assert!(grad_norm("cluster.centroids") > 0.0);
    let encoder_grads: f64 = vars
        .keys()
        .filter(|n| n.starts_with("encoder."))
        .map(|n| grad_norm(n))
        .sum();
    assert!(encoder_grads > 0.0);
    let decoder_grads: f64 = vars
        .keys()
        .filter(|n| n.starts_with("decoder."))
        .map(|n| grad_norm(n))
        .sum();
    assert_eq!(decoder_grads, 0.0);
    Ok(())
}

#[test]
fn dec_drops_the_decoder_and_idec_keeps_it() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(45, 2)?;
    for (objective, decoder_moves) in [(Objective::Dec, false), (Objective::idec(), true)] {
        let model = common::small_ae(3, 2)?;
        let mut dec = Dec::new(model, quick(objective).check()?)?;
        // The k-means initialisation the run will start from (same seed, same data).
        let initial = dec.params().kmeans().fit(&dec.embed_tensor(&data)?)?;
        let before = common::weights(dec.backbone());
        let report = dec.fit(&data, None)?;
        assert!(
            common::max_diff(initial.centroids(), dec.layer().centroids()) > 0.0,
            "{objective:?}"
        );
        assert!(report.reconstruction);
        let after = common::weights(dec.backbone());
        assert!(changed(&before, &after, "encoder."), "{objective:?}");
        assert_eq!(
            changed(&before, &after, "decoder."),
            decoder_moves,
            "{objective:?}"
        );
        let row = &report.rows[1];
        assert_eq!(row.loss_reconstruction.is_some(), decoder_moves);
        assert!(
            row.loss_clustering
                .is_some_and(|l| l.is_finite() && l >= 0.0)
        );
    }
    Ok(())
}

#[test]
fn dcra_moves_centroids_by_lloyd_steps() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(60, 3)?;
    let model = pretrained(&data, 3, 3, 15)?;
    let params = quick(Objective::dcra())
        .lr(1e-4)
        .optimizer(mdec_ae::OptimizerKind::adam());
    let mut dec = Dec::new(model, params.check()?)?;
    assert!(!dec.layer().trainable());
    let report = dec.fit(&data, None)?;
    assert_eq!(report.stop, StopReason::Budget);
    assert!(
        report
            .rows
            .iter()
            .skip(1)
            .all(|r| r.loss_reconstruction.is_some() && r.loss_clustering.is_some())
    );
    // After the last Lloyd step each centroid is the mean of its cluster's embeddings.
    let zs = dec.embed_tensor(&data)?; // [60, 3]
    let labels = dec.predict_labels(&data)?;
    for j in 0..3 {
        let members: Vec<i64> = (0..60)
            .filter(|&i| labels[i] == j)
            .map(|i| i as i64)
            .collect();
        assert!(!members.is_empty());
        let mean = zs.index_select(0, &Tensor::from_slice(&members)).mean_dim(
            Some([0i64].as_slice()),
            false,
            None,
        );
        let centroid = dec.layer().centroids().get(j as i64);
        assert!(common::max_diff(&mean, &centroid) < 1e-4, "cluster {j}");
    }
    Ok(())
}

/// DCRA with its terms measured comparably: the reconstruction summed per sample, the
/// k-means term scale-free; its clustering loss falls and it separates the three classes.
#[test]
fn dcra_with_comparable_terms_clusters_separable_classes() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(60, 3)?;
    let model = pretrained(&data, 3, 3, 8)?;
    let params = quick(Objective::Dcra {
        lambda: 0.01,
        sigma: 0.1,
        terms: DcraTerms::Comparable,
    })
    .lr(1e-3)
    .max_iter(40)
    .optimizer(mdec_ae::OptimizerKind::adam());
    let mut dec = Dec::new(model, params.check()?)?;
    let report = dec.fit(&data, None)?;
    let losses: Vec<f64> = report
        .rows
        .iter()
        .filter_map(|r| r.loss_clustering)
        .collect();
    let (first, last) = (losses[0], losses[losses.len() - 1]);
    assert!(last < first, "clustering loss {first} -> {last}");
    assert!(first <= 1.0, "a share of the spread: {first}");
    let rec: Vec<f64> = report
        .rows
        .iter()
        .filter_map(|r| r.loss_reconstruction)
        .collect();
    let one_value = 1.0 / (8.0 * 8.0);
    assert!(rec[0] > 10.0 * one_value, "summed per sample: {rec:?}");
    let acc = mdec_metrics::acc(data.labels().unwrap_or_default(), &report.labels)?;
    assert!(acc > 0.9, "ACC {acc}");
    Ok(())
}

#[test]
fn tolerance_stops_the_run() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(45, 4)?;
    let mut dec = Dec::new(
        common::small_ae(3, 4)?,
        quick(Objective::Dec).tol(1.0).max_iter(100).check()?,
    )?;
    let report = dec.fit(&data, None)?;
    assert!(matches!(report.stop, StopReason::Converged { delta_label } if delta_label < 1.0));
    assert_eq!(report.iterations, 5, "stops at the second update");
    let mut full = Dec::new(
        common::small_ae(3, 4)?,
        quick(Objective::Dec).tol(0.0).check()?,
    )?;
    let report = full.fit(&data, None)?;
    assert_eq!((report.stop, report.iterations), (StopReason::Budget, 20));
    assert_eq!(report.rows.len(), 5);
    // The stability curve: NMI with the previous update, from the second update on; 1 where
    // no label changed.
    assert_eq!(report.rows[0].stability_nmi, None);
    for row in &report.rows[1..] {
        let nmi = row
            .stability_nmi
            .ok_or_else(|| anyhow::anyhow!("no stability"))?;
        assert!((0.0..=1.0 + 1e-12).contains(&nmi), "{nmi}");
        if row.delta_label == Some(0.0) {
            assert!((nmi - 1.0).abs() < 1e-9, "{nmi}");
        }
    }
    let table = mdec_cluster::rows_to_frame(&report.rows)?;
    assert_eq!(mdec_cluster::rows_from_frame(&table)?, report.rows);
    Ok(())
}

#[test]
fn a_seed_repeats_a_cpu_run_exactly() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(45, 5)?;
    let run = || -> anyhow::Result<(Vec<usize>, Vec<Option<f64>>, Tensor)> {
        let params = quick(Objective::idec()).augment(mdec_data::AugmentConfig {
            rotation: 10.0,
            ..Default::default()
        });
        let mut dec = Dec::new(common::small_ae(3, 6)?, params.check()?)?;
        let report = dec.fit(&data, None)?;
        let losses = report.rows.iter().map(|r| r.loss).collect();
        Ok((
            report.labels,
            losses,
            dec.layer().centroids().detach().copy(),
        ))
    };
    let (labels_a, losses_a, centroids_a) = run()?;
    let (labels_b, losses_b, centroids_b) = run()?;
    assert_eq!(labels_a, labels_b);
    assert_eq!(losses_a, losses_b);
    assert_eq!(common::max_diff(&centroids_a, &centroids_b), 0.0);
    Ok(())
}

#[test]
fn resuming_continues_exactly_and_writes_the_table() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(45, 6)?;
    let out = tempfile::tempdir()?;
    let params = |max_iter| {
        quick(Objective::dcra())
            .max_iter(max_iter)
            .lr(1e-3)
            .optimizer(mdec_ae::OptimizerKind::adam())
    };
    // Uninterrupted: 30 iterations.
    let mut whole = Dec::new(common::small_ae(3, 7)?, params(30).check()?)?;
    let full = whole.fit(&data, None)?;
    // Interrupted at 15, resumed to 30 on a freshly built model.
    let mut first = Dec::new(common::small_ae(3, 7)?, params(15).check()?)?;
    first.fit(&data, Some(out.path()))?;
    assert!(
        out.path().join("cluster.csv").is_file() && out.path().join("cluster.parquet").is_file()
    );
    assert!(mdec_cluster::latest_checkpoint(out.path()).is_some());
    let mut second = Dec::new(common::small_ae(3, 99)?, params(30).check()?)?;
    let resumed = second.fit_or_resume(&data, out.path())?;
    assert_eq!(resumed.resumed_from, Some(15));
    common::assert_same_run(
        (&resumed, second.layer().centroids()),
        (&full, whole.layer().centroids()),
    );
    let table = mdec_data::table::read_table(&out.path().join("cluster.parquet"))?;
    assert_eq!(table.height(), full.rows.len());
    for column in [
        "iteration",
        "epoch",
        "loss_reconstruction",
        "loss_clustering",
        "lr",
        "delta_label",
        "size_2",
        "acc",
        "nmi",
        "ari",
    ] {
        assert!(table.column(column).is_ok(), "{column}");
    }
    Ok(())
}

#[test]
fn a_non_finite_loss_stops_and_keeps_the_last_good_weights() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(45, 7)?;
    let params = quick(Objective::idec()).lr(1e30).max_iter(40);
    let mut dec = Dec::new(common::small_ae(3, 8)?, params.check()?)?;
    let report = dec.fit(&data, None)?;
    assert!(
        matches!(report.stop, StopReason::NonFiniteLoss { .. }),
        "{:?}",
        report.stop
    );
    for (name, t) in dec.backbone().var_store().variables() {
        assert_eq!(t.isfinite().all().int64_value(&[]), 1, "{name}");
    }
    Ok(())
}

#[test]
fn clustering_three_class_images_reaches_095() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(150, 8)?;
    let model = pretrained(&data, 3, 8, 30)?;
    let params = DecParams::new(3)
        .objective(Objective::idec())
        .optimizer(mdec_ae::OptimizerKind::adam())
        .lr(1e-3)
        .batch_size(32)
        .update_interval(10)
        .max_iter(150)
        .kmeans_n_init(10)
        .seed(8);
    let mut dec = Dec::new(model, params.check()?)?;
    let report = dec.fit(&data, None)?;
    let scores = report
        .scores
        .ok_or_else(|| anyhow::anyhow!("labels are known"))?;
    assert!(
        scores.acc >= 0.95,
        "{scores} (init {:?})",
        report.init_scores
    );
    Ok(())
}

#[test]
fn schedules_and_balance_weight_the_terms() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(45, 9)?;
    let params = quick(Objective::Dec)
        .schedule(LossSchedule::PretrainThenFinetune {
            pretrain_iterations: 10,
        })
        .balance(0.5);
    let mut dec = Dec::new(common::small_ae(3, 9)?, params.check()?)?;
    let report = dec.fit(&data, None)?;
    let weights: Vec<(f64, f64)> = report
        .rows
        .iter()
        .map(|r| (r.weight_reconstruction, r.weight_clustering))
        .collect();
    assert_eq!(
        weights,
        vec![(1.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.0, 1.0), (0.0, 1.0)]
    );
    assert!(report.kmeans_inertia.is_some());
    assert!(report.rows[1].loss_clustering.is_none() && report.rows[3].loss_balance.is_some());
    let ramp = quick(Objective::Dec).schedule(LossSchedule::Ramp { iterations: 20 });
    let mut dec = Dec::new(common::small_ae(3, 9)?, ramp.check()?)?;
    let report = dec.fit(&data, None)?;
    assert_eq!(report.rows[2].weight_clustering, 0.5);
    Ok(())
}

#[test]
fn a_warm_up_ending_between_updates_recomputes_the_target_at_initialisation() -> anyhow::Result<()>
{
    let _guard = common::serial();
    let data = common::three_class_images(45, 9)?;
    // Reconstruction only for 7 iterations, target updates every 5.
    let params = quick(Objective::Dec).schedule(LossSchedule::PretrainThenFinetune {
        pretrain_iterations: 7,
    });
    let mut dec = Dec::new(common::small_ae(3, 9)?, params.check()?)?;
    let report = dec.fit(&data, None)?;
    let iterations: Vec<usize> = report.rows.iter().map(|r| r.iteration).collect();
    assert_eq!(
        iterations,
        [0, 5, 7, 10, 15, 20],
        "an update right at initialisation"
    );
    // That update's target comes from the new centroids: its assignment is k-means'.
    let init = &report.rows[2];
    assert_eq!(init.delta_label, Some(0.0));
    assert_eq!(init.scores, report.init_scores);
    assert!(report.rows[3].loss_clustering.is_some());
    Ok(())
}

#[test]
fn random_centroids_and_encoder_only_backbones_run() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(45, 10)?;
    let frozen = EncoderOnly::new(common::small_ae(3, 10)?);
    let before = common::weights(frozen.encoder());
    let params = quick(Objective::idec()).init(CentroidInit::Random);
    let mut dec = Dec::new(frozen, params.check()?)?;
    let report = dec.fit(&data, None)?;
    assert!(!report.reconstruction);
    assert!(report.kmeans_inertia.is_none());
    assert!(report.rows.iter().all(|r| r.loss_reconstruction.is_none()));
    assert!(!changed(
        &before,
        &common::weights(dec.backbone().encoder()),
        "encoder."
    ));
    let dir = tempfile::tempdir()?;
    dec.save(dir.path())?;
    let encoder = dec.into_backbone().into_inner();
    let reloaded = Dec::<EncoderOnly<AeModel>>::load(dir.path(), encoder)?;
    assert_eq!(reloaded.predict_labels(&data)?, report.labels);
    Ok(())
}

#[test]
fn a_saved_model_reloads_to_the_same_assignments() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(45, 11)?;
    let mut dec = Dec::new(common::small_ae(3, 11)?, quick(Objective::idec()).check()?)?;
    dec.fit(&data, None)?;
    let dir = tempfile::tempdir()?;
    dec.save(dir.path())?;
    for file in ["model.safetensors", "model.json", "cluster.json"] {
        assert!(dir.path().join(file).is_file(), "{file}");
    }
    let loaded = Dec::<AeModel>::load(dir.path(), tch::Device::Cpu)?;
    assert_eq!(loaded.params(), dec.params());
    let (a, b) = (dec.predict(&data)?, loaded.predict(&data)?);
    assert_eq!(a.cluster, b.cluster);
    assert_eq!(a.q, b.q);
    let frame = b.to_frame(data.names(), data.labels())?;
    assert_eq!(frame.shape(), (45, 1 + 1 + 1 + 1 + 3));
    let zs = loaded.embeddings(&data)?;
    assert_eq!(embeddings_frame(&zs, None)?.shape(), (45, 4));
    // The autoencoder half still decodes.
    let xs = mdec_ae::array_to_tensor(data.images())?;
    assert_eq!(
        loaded
            .backbone()
            .decode(&loaded.backbone().encode(&xs, false), false)
            .size(),
        [45, 1, 8, 8]
    );
    Ok(())
}

#[test]
fn shape_and_size_errors() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(45, 12)?;
    let mut wrong = Dec::new(
        AeModel::new(
            mdec_ae::AeConfig::dense(3),
            mdec_data::ImageShape::new(1, 4, 4),
            tch::Device::Cpu,
        )?,
        quick(Objective::Dec).check()?,
    )?;
    assert!(matches!(
        wrong.fit(&data, None),
        Err(mdec_cluster::Error::ShapeMismatch { .. })
    ));
    let mut dec = Dec::new(common::small_ae(3, 12)?, quick(Objective::Dec).check()?)?;
    let two = data.select(&[0, 1]);
    assert!(matches!(
        dec.fit(&two, None),
        Err(mdec_cluster::Error::TooFewSamples { .. })
    ));
    let empty = tempfile::tempdir()?;
    assert!(matches!(
        dec.resume(&data, empty.path()),
        Err(mdec_cluster::Error::NoCheckpoint { .. })
    ));
    Ok(())
}

#[test]
fn a_stop_request_checkpoints_between_updates_and_resuming_matches_an_uninterrupted_run()
-> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(45, 6)?;
    let params = || {
        quick(Objective::idec())
            .max_iter(300)
            .update_interval(7)
            .lr(1e-3)
            .optimizer(mdec_ae::OptimizerKind::adam())
    };
    let mut whole = Dec::new(common::small_ae(3, 7)?, params().check()?)?;
    let full = whole.fit(&data, None)?;

    let out = tempfile::tempdir()?;
    let layout = ClusterLayout {
        tables: out.path().join("metrics"),
        checkpoint: out.path().join("checkpoints/cluster"),
    };
    // Stopped before the first batch: the checkpoint of the k-means update holds it.
    let stop = StopFlag::new();
    stop.stop();
    let mut first = Dec::new(common::small_ae(3, 7)?, params().check()?)?;
    let report = first
        .fitting(&data)
        .output(&layout)
        .stop(stop.clone())
        .run()?;
    assert_eq!(report.stop, StopReason::Interrupted { iteration: 0 });
    assert!(layout.latest_checkpoint().is_some());
    // Stopped again from another thread part-way (usually between two updates), each
    // time resumed on a freshly built model.
    stop.reset();
    let setter = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            stop.stop();
        })
    };
    let mut second = Dec::new(common::small_ae(3, 99)?, params().check()?)?;
    let part = second
        .fitting(&data)
        .output(&layout)
        .resume(Resume::Required)
        .stop(stop.clone())
        .run()?;
    setter
        .join()
        .map_err(|_| anyhow::anyhow!("setter thread panicked"))?;
    eprintln!("second part stopped: {:?}", part.stop);
    stop.reset();
    let mut seen = Vec::new();
    let mut watch = |u: &Update<'_>| -> Result<(), ObserverError> {
        assert_eq!(u.embeddings.size(), [45, 3]);
        assert_eq!(u.q.size(), [45, 3]);
        seen.push(u.row.iteration);
        Ok(())
    };
    let mut third = Dec::new(common::small_ae(3, 98)?, params().check()?)?;
    let resumed = third
        .fitting(&data)
        .output(&layout)
        .resume(Resume::Required)
        .observer(&mut watch)
        .run()?;
    assert_eq!(resumed.stop, StopReason::Budget);
    common::assert_same_run(
        (&resumed, third.layer().centroids()),
        (&full, whole.layer().centroids()),
    );
    // The observer saw each update made after the resumption, in order.
    let made: Vec<usize> = resumed
        .rows
        .iter()
        .map(|r| r.iteration)
        .filter(|&it| it > part.rows.last().map_or(0, |r| r.iteration))
        .collect();
    assert_eq!(seen, made);
    // The table sits where the layout says and reads back.
    let table = mdec_data::table::read_table(&layout.tables.join("cluster.parquet"))?;
    let rows = mdec_cluster::rows_from_frame(&table)?;
    assert_eq!(rows, resumed.rows);
    Ok(())
}

#[test]
fn an_observer_sees_every_update_and_its_error_stops_training() -> anyhow::Result<()> {
    let _guard = common::serial();
    let data = common::three_class_images(45, 6)?;
    let mut dec = Dec::new(common::small_ae(3, 7)?, quick(Objective::Dec).check()?)?;
    let mut seen = Vec::new();
    let mut watch = |u: &Update<'_>| -> Result<(), ObserverError> {
        seen.push((
            u.row.iteration,
            u.clusters.len(),
            u.embeddings_array()?.dim(),
        ));
        Ok(())
    };
    let report = dec.fitting(&data).observer(&mut watch).run()?;
    let iterations: Vec<usize> = report.rows.iter().map(|r| r.iteration).collect();
    assert_eq!(iterations, [0, 5, 10, 15, 20]);
    assert_eq!(
        seen,
        iterations
            .iter()
            .map(|&it| (it, 45, (45, 3)))
            .collect::<Vec<_>>()
    );
    let mut failing = |_: &Update<'_>| -> Result<(), ObserverError> { Err("disk full".into()) };
    let err = dec.fitting(&data).observer(&mut failing).run().unwrap_err();
    assert!(matches!(err, mdec_cluster::Error::Observer(_)), "{err}");
    assert!(err.to_string().contains("disk full"), "{err}");
    Ok(())
}
