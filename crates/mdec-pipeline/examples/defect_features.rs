//! k-means on hand-made features of a folder of crops (`mdec-features`) against k-means on
//! the pixels: ACC / NMI / ARI for three seeds and the time each takes, one JSON line per
//! feature set (`cargo xtask bench` renders them as a table). The folder's sub-folders are
//! the labels (e.g. `cargo xtask gen-defects`).
//!
//! With `--encoder FILE` (e.g. the EfficientNet-Lite0 of `cargo xtask setup-backbone`) the
//! table also has k-means on that TorchScript encoder's embeddings, L2-normalised.
//!
//! ```text
//! cargo run --release -p mdec-pipeline --example defect_features -- data/defects-gray \
//!     [--threads 2] [--encoder ~/.cache/mdec/efficientnet-lite0.pt]
//! ```

#![allow(clippy::print_stdout)]

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use mdec_cluster::{KMeansParams, Preset};
use mdec_features::{Anomaly, FeatureSpec, Hog, HsvHistogram, Normalise, Pooling};
use mdec_pipeline::{Features, Input};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(
        args.get(1)
            .context("usage: defect_features DIR [--threads N]")?,
    );
    let arg = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
    };
    let threads: i32 = arg("--threads").map_or(Ok(2), |s| s.parse())?;
    let encoder = arg("--encoder").map(PathBuf::from);
    tch::set_num_threads(threads);
    let data = Input::Folder {
        dir: dir.clone(),
        size: None,
        labels_from_folders: true,
        skip_unreadable: false,
    }
    .load()?;
    let truth = data
        .labels()
        .context("the folder needs one sub-folder per class")?;
    let k = data
        .num_classes()
        .context("the folder needs one sub-folder per class")?;
    let colour = data.shape().channels == 3;
    let lcn = Normalise::LocalContrast { radius: 4 };
    let hog = |pooling| Hog {
        pooling,
        ..Hog::default()
    };
    let crops = Preset::Crops
        .settings(k)
        .features
        .context("the crops preset computes features")?;
    let mut specs: Vec<(&str, FeatureSpec)> = vec![
        (
            "pixels",
            FeatureSpec {
                pixels: true,
                ..FeatureSpec::default()
            },
        ),
        (
            "pixels, standardised",
            FeatureSpec {
                normalise: Normalise::Standardise,
                pixels: true,
                ..FeatureSpec::default()
            },
        ),
        (
            "HOG, in place",
            FeatureSpec {
                hog: Some(hog(Pooling::None)),
                ..FeatureSpec::default()
            },
        ),
        (
            "HOG, pooled",
            FeatureSpec {
                hog: Some(hog(Pooling::Global)),
                ..FeatureSpec::default()
            },
        ),
        (
            "HOG, pooled, after local contrast normalisation",
            FeatureSpec {
                normalise: lcn,
                hog: Some(hog(Pooling::Global)),
                ..FeatureSpec::default()
            },
        ),
        (
            "anomaly descriptors",
            FeatureSpec {
                anomaly: Some(Anomaly::default()),
                ..FeatureSpec::default()
            },
        ),
        (
            "anomaly descriptors, standardised (the crops preset's input)",
            crops,
        ),
        (
            "anomaly descriptors + HOG, pooled, after local contrast normalisation",
            FeatureSpec {
                normalise: lcn,
                hog: Some(hog(Pooling::Global)),
                anomaly: Some(Anomaly::default()),
                ..FeatureSpec::default()
            },
        ),
    ];
    if colour {
        specs.push((
            "HSV histogram",
            FeatureSpec {
                hsv: Some(HsvHistogram::default()),
                ..FeatureSpec::default()
            },
        ));
        specs.push((
            "HOG, pooled, after local contrast normalisation + HSV histogram",
            FeatureSpec {
                normalise: lcn,
                hog: Some(hog(Pooling::Global)),
                hsv: Some(HsvHistogram::default()),
                ..FeatureSpec::default()
            },
        ));
    }
    let mut rows: Vec<(String, tch::Tensor, f64)> = Vec::new();
    if let Some(path) = &encoder {
        let started = Instant::now();
        let script = mdec_ae::TorchScriptEncoder::load(path, data.shape(), tch::Device::Cpu)?;
        let xs = mdec_ae::array_to_tensor(data.images())?;
        let zs = mdec_ae::embed(&script, &xs, 64)?;
        let norms = zs
            .norm_scalaropt_dim(2, [1i64].as_slice(), true)
            .clamp_min(1e-12);
        let name = format!("{}, L2-normalised", path.display());
        rows.push((name, zs / norms, started.elapsed().as_secs_f64()));
    }
    for (name, spec) in specs {
        let started = Instant::now();
        // The crops preset's input: each descriptor standardised over the folder.
        let flat: Vec<f32> = if spec == crops {
            let (_, standardised) = Features::fit(spec, &data)?;
            standardised.images().iter().copied().collect()
        } else {
            spec.extract(data.images().view())?
                .iter()
                .copied()
                .collect()
        };
        let n = data.len();
        let d = flat.len() / n.max(1);
        let xs = tch::Tensor::from_slice(&flat).view([n as i64, d as i64]);
        rows.push((name.to_owned(), xs, started.elapsed().as_secs_f64()));
    }
    for (name, xs, extract) in rows {
        let d = xs.size()[1];
        let (mut acc, mut nmi, mut ari) = (Vec::new(), Vec::new(), Vec::new());
        let started = Instant::now();
        for seed in 0..3 {
            let km = KMeansParams::new(k)
                .n_init(10)
                .seed(seed)
                .check()?
                .fit(&xs)?;
            let s = mdec_metrics::evaluate(truth, &km.labels_vec()?)?;
            acc.push(s.acc);
            nmi.push(s.nmi);
            ari.push(s.ari);
        }
        let kmeans = started.elapsed().as_secs_f64() / 3.0;
        let line = serde_json::json!({
            "features": name,
            "d": d,
            "acc": acc,
            "nmi": nmi,
            "ari": ari,
            "features_seconds": extract,
            "kmeans_seconds": kmeans,
        });
        println!("{line}");
    }
    Ok(())
}
