//! Small seeded synthetic data for the tests: blobs and tiny images of known classes.

#![allow(dead_code)]

use mdec_ae::{AeConfig, AeModel, Arch, DenseConfig, MdecConfig};
use mdec_cluster::{ClusterReport, DecParams, Objective};
use mdec_data::Dataset;
use ndarray::Array4;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::{Mutex, MutexGuard};
use tch::{Device, Kind, Tensor};

/// libtorch has one global random generator per process and the test harness runs tests
/// on several threads: every test that seeds it or draws from it takes its turn here, so a
/// seed repeats a run exactly.
pub fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `per` points around each of `centres` (`[k, d]`) with standard deviation `std`, in
/// class order; returns the points `[k·per, d]` and their classes.
pub fn blobs(centres: &[&[f32]], per: i64, std: f64, seed: i64) -> (Tensor, Vec<usize>) {
    tch::manual_seed(seed);
    let k = centres.len() as i64;
    let d = centres[0].len() as i64;
    let flat: Vec<f32> = centres.iter().flat_map(|c| c.iter().copied()).collect();
    let mu = Tensor::from_slice(&flat).view([k, 1, d]);
    let xs = (Tensor::randn([k, per, d], (Kind::Float, Device::Cpu)) * std + mu).view([k * per, d]);
    let labels = (0..(k * per) as usize).map(|i| i / per as usize).collect();
    (xs, labels)
}

fn uniform(rng: &mut ChaCha8Rng) -> f32 {
    (rng.next_u64() >> 40) as f32 / (1u64 << 24) as f32
}

/// `n` images of 1×8×8 in three classes (a horizontal bar, a vertical bar, a 3×3
/// square), the bars shifted by up to one pixel along their length, scaled by an
/// intensity in [0.6, 1] and with uniform noise of ±0.05, clamped to [0, 1]. Labels are
/// `i % 3`.
pub fn three_class_images(n: usize, seed: u64) -> anyhow::Result<Dataset> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut images = Array4::<f32>::zeros((n, 1, 8, 8));
    for i in 0..n {
        let shift = (rng.next_u64() % 3) as i64 - 1;
        let (dy, dx) = match i % 3 {
            0 => (0, shift),
            1 => (shift, 0),
            _ => (0, 0),
        };
        let intensity = 0.6 + 0.4 * uniform(&mut rng);
        for y in 0..8i64 {
            for x in 0..8i64 {
                let (yy, xx) = (y - dy, x - dx);
                let on = match i % 3 {
                    0 => (2..4).contains(&yy) && (1..7).contains(&xx),
                    1 => (1..7).contains(&yy) && (5..7).contains(&xx),
                    _ => (4..7).contains(&yy) && (1..4).contains(&xx),
                };
                let noise = 0.1 * uniform(&mut rng) - 0.05;
                let v = if on { intensity } else { 0.0 } + noise;
                images[[i, 0, y as usize, x as usize]] = v.clamp(0.0, 1.0);
            }
        }
    }
    Ok(Dataset::new(images).with_labels((0..n).map(|i| i % 3).collect())?)
}

/// `n` RGB images of 3×16×16 in three classes told apart by shape alone (a horizontal bar,
/// a vertical bar, a hollow square), each moved by up to two pixels, on a background of a
/// random colour with the shape in another colour, lighter or darker in every channel:
/// colour and brightness say nothing of the class. Labels are `i % 3`.
pub fn shapes_rgb(n: usize, seed: u64) -> anyhow::Result<Dataset> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut images = Array4::<f32>::zeros((n, 3, 16, 16));
    for i in 0..n {
        let (dy, dx) = (
            (rng.next_u64() % 5) as i64 - 2,
            (rng.next_u64() % 5) as i64 - 2,
        );
        let background: Vec<f32> = (0..3).map(|_| 0.25 + 0.5 * uniform(&mut rng)).collect();
        let polarity = if rng.next_u64() % 2 == 0 { 1.0 } else { -1.0 };
        let foreground: Vec<f32> = background
            .iter()
            .map(|&b| b + polarity * (0.15 + 0.1 * uniform(&mut rng)))
            .collect();
        for y in 0..16i64 {
            for x in 0..16i64 {
                let (yy, xx) = (y - dy, x - dx);
                let on = match i % 3 {
                    0 => (6..10).contains(&yy) && (3..13).contains(&xx),
                    1 => (3..13).contains(&yy) && (6..10).contains(&xx),
                    _ => {
                        let inside = |a: i64| (4..12).contains(&a);
                        let rim = |a: i64| a == 4 || a == 5 || a == 10 || a == 11;
                        inside(yy) && inside(xx) && (rim(yy) || rim(xx))
                    }
                };
                for c in 0..3 {
                    images[[i, c, y as usize, x as usize]] = match on {
                        true => foreground[c],
                        false => background[c],
                    };
                }
            }
        }
    }
    Ok(Dataset::new(images).with_labels((0..n).map(|i| i % 3).collect())?)
}

/// A small convnet with batch norm behind a Sobel front (DeepCluster's kind of model) for
/// 3×16×16 images: blocks of 8 and 16 channels, a latent layer of `latent`, seeded.
pub fn small_sobel_convnet(latent: i64, seed: u64) -> anyhow::Result<AeModel> {
    let config = AeConfig {
        arch: Arch::Mdec(MdecConfig {
            channels: vec![8, 16],
            kernel_sizes: vec![3, 3],
            ..MdecConfig::default()
        }),
        latent_dim: latent,
        batch_norm: true,
        sobel: true,
        ..AeConfig::default()
    };
    Ok(AeModel::with_seed(
        config,
        mdec_data::ImageShape::new(3, 16, 16),
        Device::Cpu,
        seed,
    )?)
}

/// A small dense autoencoder `64–32–latent` for 1×8×8 images, seeded.
pub fn small_ae(latent: i64, seed: u64) -> anyhow::Result<AeModel> {
    let config = AeConfig {
        arch: Arch::Dense(DenseConfig { hidden: vec![32] }),
        latent_dim: latent,
        ..AeConfig::default()
    };
    Ok(AeModel::with_seed(
        config,
        mdec_data::ImageShape::new(1, 8, 8),
        Device::Cpu,
        seed,
    )?)
}

/// Every variable of the model, copied.
pub fn weights(model: &AeModel) -> Vec<(String, Tensor)> {
    let mut v: Vec<(String, Tensor)> = model
        .var_store()
        .variables()
        .into_iter()
        .map(|(n, t)| (n, t.detach().copy()))
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

/// Largest absolute difference between two tensors.
pub fn max_diff(a: &Tensor, b: &Tensor) -> f64 {
    (a - b).abs().max().double_value(&[])
}

/// A resumed run ended where the uninterrupted one did: the same labels, the same rows
/// (iteration, loss, label change) and the same centroids, each given with its report.
#[track_caller]
pub fn assert_same_run(resumed: (&ClusterReport, &Tensor), full: (&ClusterReport, &Tensor)) {
    let ((resumed, resumed_centroids), (full, full_centroids)) = (resumed, full);
    assert_eq!(resumed.labels, full.labels);
    assert_eq!(resumed.rows.len(), full.rows.len());
    for (a, b) in resumed.rows.iter().zip(&full.rows) {
        assert_eq!(
            (a.iteration, a.loss, a.delta_label),
            (b.iteration, b.loss, b.delta_label)
        );
    }
    assert_eq!(max_diff(resumed_centroids, full_centroids), 0.0);
}

/// Short clustering settings for 3 clusters: batches of 16, an update every 5 iterations, 20
/// iterations, no label-change stopping, seed 5.
pub fn quick(objective: Objective) -> DecParams {
    DecParams::new(3)
        .objective(objective)
        .batch_size(16)
        .update_interval(5)
        .max_iter(20)
        .kmeans_n_init(3)
        .tol(0.0)
        .seed(5)
}
