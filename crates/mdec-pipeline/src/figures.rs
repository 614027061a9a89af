//! The run's figures, drawn by `mdec-viz` from the run folder's tables and outputs (the
//! same code draws them after training and in `mdec report`).

use mdec_ae::{AeModel, EpochRow};
use mdec_cluster::{Assignments, IntervalRow, KScore};
use mdec_data::Dataset;
use mdec_viz::{ClusterCurves, Curve, MontageOptions, Projection, ScatterOptions};
use ndarray::{Array2, ArrayView4, s};

use crate::error::Result;
use crate::layout::RunLayout;

/// The reconstructions figure, relative to the run folder.
pub const RECONSTRUCTIONS: &str = "plots/reconstructions.png";
/// The pretraining curves, relative to the run folder.
pub const PRETRAIN_CURVES: &str = "plots/pretrain_curves.png";

/// The clustering figures with their titles, relative to the run folder.
pub const CLUSTER_FIGURES: [(&str, &str); 5] = [
    ("plots/cluster_curves.png", "clustering curves"),
    ("plots/embedding.png", "embeddings (PCA)"),
    ("plots/confusion.png", "confusion matrix"),
    ("plots/cluster_sizes.png", "cluster sizes"),
    (
        "plots/overview.png",
        "most confident samples of each cluster",
    ),
];

/// Samples shown in the reconstructions figure.
const SHOWN: usize = 10;

/// Pretraining curves (training and validation losses with moving averages).
pub fn pretrain_curves(run: &RunLayout, rows: &[EpochRow]) -> Result<()> {
    let epochs: Vec<f64> = rows.iter().map(|r| r.epoch as f64).collect();
    let train: Vec<f64> = rows.iter().map(|r| r.train_loss).collect();
    let val: Vec<f64> = rows.iter().filter_map(|r| r.val_loss).collect();
    let train_curve = Curve::with_steps("train loss", &epochs, &train);
    let val_curve =
        (val.len() == epochs.len()).then(|| Curve::with_steps("validation loss", &epochs, &val));
    mdec_viz::pretrain_curves(
        &train_curve,
        val_curve.as_ref(),
        5,
        run.join(PRETRAIN_CURVES),
    )?;
    Ok(())
}

/// The k-choice figure.
pub const K_CHOICE: &str = "plots/k_choice.png";

/// Silhouette, stability and elbow (over its largest value, to share the axis) of each
/// candidate k, with the chosen k marked.
pub fn k_choice(run: &RunLayout, scores: &[KScore], chosen: usize) -> Result<()> {
    let ks: Vec<f64> = scores.iter().map(|s| s.k as f64).collect();
    let silhouette: Vec<f64> = scores.iter().map(|s| s.silhouette).collect();
    let stability: Vec<f64> = scores.iter().map(|s| s.stability).collect();
    let largest = scores.iter().map(|s| s.elbow).fold(0.0, f64::max);
    let elbow: Vec<f64> = scores
        .iter()
        .map(|s| {
            if largest > 0.0 {
                s.elbow / largest
            } else {
                0.0
            }
        })
        .collect();
    mdec_viz::setting_scores(
        "Choosing the number of clusters",
        "k",
        &[
            Curve::with_steps("silhouette", &ks, &silhouette),
            Curve::with_steps("stability (ARI)", &ks, &stability),
            Curve::with_steps("elbow / largest elbow", &ks, &elbow),
        ],
        chosen as f64,
        run.join(K_CHOICE),
    )?;
    Ok(())
}

/// Inputs above their reconstructions, for the first samples.
pub fn reconstructions(run: &RunLayout, model: &AeModel, data: &Dataset) -> Result<()> {
    let shown: Vec<usize> = (0..data.len().min(SHOWN)).collect();
    let inputs = data.gather(&shown);
    let outputs = model.reconstruct_array(&inputs)?;
    mdec_viz::reconstructions(inputs.view(), outputs.view(), run.join(RECONSTRUCTIONS))?;
    Ok(())
}

/// The table of reconstruction quality, relative to the run folder.
pub const RECONSTRUCTION_QUALITY: &str = "metrics/reconstruction.json";

/// Samples of the validation split measured at most.
const QUALITY_SAMPLES: usize = 2000;

/// How well the autoencoder reconstructs held-out samples, as PSNR in dB (pixels in
/// [0, 1], so a data range of 1): the clean input's reconstruction, and with the input
/// noise of pretraining (DCRA's denoising), the noisy input itself and its reconstruction
/// against the clean sample.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReconstructionQuality {
    /// Samples measured: the validation split (held out of pretraining), at most 2,000.
    pub samples: usize,
    /// PSNR of the reconstructions of the clean inputs.
    pub psnr_db: f64,
    /// Standard deviation of the Gaussian input noise, when pretraining added some.
    pub noise_std: Option<f64>,
    /// PSNR of the noisy inputs against the clean ones.
    pub noisy_input_psnr_db: Option<f64>,
    /// PSNR of the reconstructions of the noisy inputs against the clean ones.
    pub denoised_psnr_db: Option<f64>,
}

/// Measures [`ReconstructionQuality`] on the validation split of `data` (drawn as
/// pretraining drew it, with `seed`) and writes it as `metrics/reconstruction.json`.
pub fn reconstruction_quality(
    run: &RunLayout,
    model: &AeModel,
    data: &Dataset,
    noise_std: f64,
    seed: u64,
) -> Result<ReconstructionQuality> {
    let (train, validation) =
        mdec_ae::split_train_validation(data, crate::run::VALIDATION_FRACTION, seed)?;
    let held_out = validation.unwrap_or(train);
    let shown: Vec<usize> = (0..held_out.len().min(QUALITY_SAMPLES)).collect();
    let clean = held_out.gather(&shown);
    let flat = |a: &ndarray::Array4<f32>| a.iter().copied().collect::<Vec<f32>>();
    let psnr = |a: &ndarray::Array4<f32>, b: &ndarray::Array4<f32>| {
        mdec_metrics::psnr(&flat(a), &flat(b), 1.0)
    };
    let psnr_db = psnr(&clean, &model.reconstruct_array(&clean)?)?;
    let (noisy_input_psnr_db, denoised_psnr_db) = match noise_std > 0.0 {
        true => {
            let mut noisy = clean.clone();
            let noise = mdec_data::AugmentConfig {
                noise_std: noise_std as f32,
                ..Default::default()
            };
            mdec_data::augment::augment(noisy.view_mut(), &noise, seed)?;
            (
                Some(psnr(&clean, &noisy)?),
                Some(psnr(&clean, &model.reconstruct_array(&noisy)?)?),
            )
        }
        false => (None, None),
    };
    let quality = ReconstructionQuality {
        samples: shown.len(),
        psnr_db,
        noise_std: (noise_std > 0.0).then_some(noise_std),
        noisy_input_psnr_db,
        denoised_psnr_db,
    };
    let path = run.join(RECONSTRUCTION_QUALITY);
    let text = serde_json::to_string_pretty(&quality).map_err(|source| crate::Error::Json {
        path: path.clone(),
        source,
    })?;
    crate::layout::write_file(&path, |tmp| std::fs::write(tmp, text))?;
    Ok(quality)
}

/// What the clustering figures are drawn from.
pub struct ClusterOutputs<'a> {
    /// The metrics table's rows.
    pub rows: &'a [IntervalRow],
    /// The final assignment of every sample.
    pub assignments: &'a Assignments,
    /// The true labels, when known.
    pub labels: Option<&'a [usize]>,
    /// The final embeddings, `[n, latent]`.
    pub embeddings: &'a Array2<f32>,
    /// The images, when available (for the montages).
    pub images: Option<ArrayView4<'a, f32>>,
    /// Iterations done.
    pub iterations: usize,
}

/// Clustering curves, embedding scatter, confusion matrix, cluster sizes and, with the
/// images, montages.
pub fn clustering(run: &RunLayout, out: &ClusterOutputs<'_>) -> Result<()> {
    let assignments = out.assignments;
    // Each curve takes the intervals where its value exists (the first row, right after
    // k-means, has scores but no losses).
    let series = |f: &dyn Fn(&IntervalRow) -> Option<f64>| -> (Vec<f64>, Vec<f64>) {
        out.rows
            .iter()
            .filter_map(|r| {
                f(r).filter(|v| v.is_finite())
                    .map(|v| (r.iteration as f64, v))
            })
            .unzip()
    };
    let metric_series = [
        ("ACC", series(&|r| r.scores.as_ref().map(|s| s.acc))),
        ("NMI", series(&|r| r.scores.as_ref().map(|s| s.nmi))),
        ("ARI", series(&|r| r.scores.as_ref().map(|s| s.ari))),
    ];
    let loss_series = [
        ("total", series(&|r| r.loss)),
        ("reconstruction", series(&|r| r.loss_reconstruction)),
        ("clustering", series(&|r| r.loss_clustering)),
    ];
    let stability_series = [
        ("labels changed", series(&|r| r.delta_label)),
        ("NMI with the previous update", series(&|r| r.stability_nmi)),
    ];
    let (metrics, losses) = (curves(&metric_series), curves(&loss_series));
    let stability = curves(&stability_series);
    if !losses.is_empty() {
        let curves = ClusterCurves {
            metrics: &metrics,
            losses: &losses,
            stability: &stability,
        };
        mdec_viz::cluster_curves(&curves, run.join("plots/cluster_curves.png"))?;
    }
    let projection = Projection::fit_pca(out.embeddings.view())?;
    let points = projection.project(out.embeddings.view())?;
    let title = match out.rows.last().and_then(|r| r.scores) {
        Some(s) => format!("iteration {}, ACC {:.3}", out.iterations, s.acc),
        None => format!("iteration {}", out.iterations),
    };
    let frame = mdec_viz::scatter_frame(
        points.view(),
        &assignments.cluster,
        out.labels,
        &title,
        &ScatterOptions::default(),
    )?;
    frame.save_png(run.join("plots/embedding.png"))?;
    if let Some(labels) = out.labels {
        confusion(run, labels, &assignments.cluster)?;
    }
    let sizes = mdec_metrics::cluster_sizes(&assignments.cluster, assignments.q.ncols());
    mdec_viz::cluster_sizes(&sizes, run.join("plots/cluster_sizes.png"))?;
    if let Some(images) = out.images {
        mdec_viz::cluster_montages(
            images,
            &assignments.cluster,
            &assignments.confidence,
            run.join("plots/montages"),
            &MontageOptions::default(),
        )?;
        mdec_viz::overview_sheet(
            images,
            &assignments.cluster,
            &assignments.confidence,
            8,
            run.join("plots/overview.png"),
        )?;
    }
    Ok(())
}

/// The curves of the named series that have points.
type Series = (&'static str, (Vec<f64>, Vec<f64>));

fn curves(all: &[Series]) -> Vec<Curve<'_>> {
    all.iter()
        .filter(|(_, (steps, _))| !steps.is_empty())
        .map(|(name, (steps, values))| Curve::with_steps(name, steps, values))
        .collect()
}

/// Confusion matrix with clusters ordered by their matched class.
fn confusion(run: &RunLayout, labels: &[usize], clusters: &[usize]) -> Result<()> {
    let table = mdec_metrics::confusion_matrix(labels, clusters)?;
    let matching = table.matching()?;
    let dense = table.to_dense(); // [clusters, classes]
    let mut order: Vec<usize> = (0..table.n_clusters()).collect();
    order.sort_by_key(|&i| {
        matching
            .class_of(table.cluster_labels()[i])
            .unwrap_or(usize::MAX)
    });
    let counts = Array2::from_shape_fn((order.len(), table.n_classes()), |(r, c)| {
        dense[order[r]][c] as usize
    });
    let rows: Vec<String> = order
        .iter()
        .map(|&i| format!("cluster {}", table.cluster_labels()[i]))
        .collect();
    let cols: Vec<String> = table.class_labels().iter().map(|c| c.to_string()).collect();
    mdec_viz::confusion_heatmap(
        counts.slice(s![.., ..]),
        &rows,
        &cols,
        run.join("plots/confusion.png"),
    )?;
    Ok(())
}
