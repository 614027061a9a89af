//! Writes every figure on synthetic data into a folder, to look at them:
//! `cargo run -p mdec-viz --example gallery -- /tmp/mdec-viz-gallery`.
#![allow(clippy::print_stdout)]

use mdec_viz::*;
use ndarray::{Array2, Array4};

fn main() -> anyhow::Result<()> {
    let dir = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "mdec-viz-gallery".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let mut state = 1u64;
    let mut rand = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 40) as f32) / (1u64 << 24) as f32
    };

    // 1. Pretraining curves.
    let train: Vec<f64> = (0..200)
        .map(|e| 0.08 / (1.0 + e as f64 / 20.0) + 0.004 * rand() as f64)
        .collect();
    let val: Vec<f64> = train
        .iter()
        .map(|v| v * 1.15 + 0.003 * rand() as f64)
        .collect();
    pretrain_curves(
        &Curve::new("train loss", &train),
        Some(&Curve::new("validation loss", &val)),
        10,
        dir.join("pretrain.png"),
    )?;
    pretrain_curves(
        &Curve::new("train loss", &train),
        Some(&Curve::new("validation loss", &val)),
        10,
        dir.join("pretrain.svg"),
    )?;

    // 2. Clustering curves.
    let steps: Vec<f64> = (0..30).map(|i| 140.0 * i as f64).collect();
    let acc: Vec<f64> = (0..30)
        .map(|i| 0.55 + 0.3 * (1.0 - (-(i as f64) / 8.0).exp()))
        .collect();
    let nmi: Vec<f64> = acc.iter().map(|a| a - 0.05).collect();
    let ari: Vec<f64> = acc.iter().map(|a| a - 0.12).collect();
    let kl: Vec<f64> = (0..4200)
        .map(|i| 0.05 / (1.0 + i as f64 / 500.0) + 0.003 * rand() as f64)
        .collect();
    let rec: Vec<f64> = (0..4200).map(|_| 0.02 + 0.002 * rand() as f64).collect();
    let total: Vec<f64> = kl.iter().zip(&rec).map(|(a, b)| a + 0.1 * b).collect();
    let changed: Vec<f64> = (0..30).map(|i| 0.3 * (-(i as f64) / 5.0).exp()).collect();
    let metrics = [
        Curve::with_steps("ACC", &steps, &acc),
        Curve::with_steps("NMI", &steps, &nmi),
        Curve::with_steps("ARI", &steps, &ari),
    ];
    let losses = [
        Curve::new("clustering (KL)", &kl),
        Curve::new("reconstruction", &rec),
        Curve::new("total", &total),
    ];
    cluster_curves(
        &ClusterCurves {
            metrics: &metrics,
            losses: &losses,
            stability: &[Curve::with_steps("labels changed", &steps, &changed)],
        },
        dir.join("cluster_curves.png"),
    )?;

    // 3. Reconstructions (grey and RGB): rings of varying radius.
    for c in [1usize, 3] {
        let x = Array4::from_shape_fn((10, c, 28, 28), |(i, ch, y, xx)| {
            let r = (((y as f32 - 14.0).powi(2) + (xx as f32 - 14.0).powi(2)).sqrt()
                - 4.0
                - i as f32 * 0.8)
                .abs();
            (1.0 - r / 2.5).max(0.0) * (1.0 - 0.3 * ch as f32)
        });
        let y = x.mapv(|v| (v * 0.8 + 0.05 * rand()).min(1.0));
        reconstructions(
            x.view(),
            y.view(),
            dir.join(format!("reconstructions_c{c}.png")),
        )?;
    }

    // 4. Scatter frames and GIF: 10 blobs drifting apart.
    let (n, d, k) = (3000, 10, 10);
    let labels: Vec<usize> = (0..n).map(|i| i % k).collect();
    let z = Array2::from_shape_fn(
        (n, d),
        |(i, j)| if j == labels[i] { 3.0 } else { 0.0 } + 1.5 * (rand() - 0.5),
    );
    let projection = Projection::fit_pca(z.view())?;
    let options = ScatterOptions {
        bounds: Some(projection.bounds()),
        ..ScatterOptions::default()
    };
    let mut gif = None;
    for step in 0..10 {
        let clusters: Vec<usize> = labels
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                if (i * 7 + step) % 10 < 10 - step {
                    (l + i) % k
                } else {
                    l
                }
            })
            .collect();
        let acc = clusters.iter().zip(&labels).filter(|(a, b)| a == b).count() as f64 / n as f64;
        let xy = projection.project(z.view())?;
        let frame = scatter_frame(
            xy.view(),
            &clusters,
            Some(&labels),
            &format!("step {}  ACC {acc:.3}", step * 140),
            &options,
        )?;
        let g = match gif.as_mut() {
            Some(g) => g,
            None => gif.insert(GifWriter::create(
                dir.join("scatter.gif"),
                frame.width(),
                frame.height(),
                &GifOptions::default(),
            )?),
        };
        g.push_frame(&frame)?;
        if step == 9 {
            frame.save_png(dir.join("scatter_last.png"))?;
        }
    }
    if let Some(g) = gif {
        g.finish()?;
    }

    // 5. Montages: 300 ring images in 5 clusters.
    let imgs = Array4::from_shape_fn((300, 1, 28, 28), |(i, _, y, xx)| {
        let r = (((y as f32 - 14.0).powi(2) + (xx as f32 - 14.0).powi(2)).sqrt()
            - 3.0
            - (i % 5) as f32 * 2.0)
            .abs();
        (1.0 - r / 2.0).max(0.0)
    });
    let assignments: Vec<usize> = (0..300).map(|i| i % 5).collect();
    let confidence: Vec<f32> = (0..300).map(|_| rand()).collect();
    cluster_montages(
        imgs.view(),
        &assignments,
        &confidence,
        dir.join("montages"),
        &MontageOptions::default(),
    )?;
    overview_sheet(
        imgs.view(),
        &assignments,
        &confidence,
        12,
        dir.join("overview.png"),
    )?;

    // 6. Confusion matrix and cluster sizes.
    let counts = Array2::from_shape_fn((k, k), |(i, j)| {
        if i == j {
            500 + 40 * i
        } else {
            (i * 13 + j * 7) % 40
        }
    });
    let names: Vec<String> = (0..k).map(|i| i.to_string()).collect();
    confusion_heatmap(counts.view(), &names, &names, dir.join("confusion.png"))?;
    let sizes: Vec<usize> = counts.rows().into_iter().map(|r| r.sum()).collect();
    cluster_sizes(&sizes, dir.join("cluster_sizes.png"))?;
    println!("figures written to {}", dir.display());
    Ok(())
}
