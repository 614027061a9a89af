//! k-means on the public API: blobs, restarts, empty clusters, seeds.

mod common;

use mdec_cluster::kmeans::{assign, lloyd_step};
use mdec_cluster::{Error, KMeansInit, KMeansParams};
use tch::{Device, Kind, Tensor};

#[test]
fn recovers_separated_blobs() -> anyhow::Result<()> {
    let _guard = common::serial();
    let centres: [&[f32]; 4] = [
        &[0.0, 0.0, 0.0],
        &[10.0, 0.0, 0.0],
        &[0.0, 10.0, 0.0],
        &[0.0, 0.0, 10.0],
    ];
    let (xs, truth) = common::blobs(&centres, 100, 0.5, 3);
    for init in [KMeansInit::PlusPlus, KMeansInit::Random] {
        let km = KMeansParams::new(4)
            .n_init(5)
            .init(init)
            .seed(7)
            .check()?
            .fit(&xs)?;
        let labels = km.labels_vec()?;
        assert_eq!(mdec_metrics::acc(&truth, &labels)?, 1.0, "{init:?}");
        // Inertia ≈ n·d·σ² = 400·3·0.25 for the true partition.
        assert!(
            (km.inertia() - 300.0).abs() < 45.0,
            "{init:?}: {}",
            km.inertia()
        );
        assert_eq!(km.inertias().len(), 5);
        assert!(km.inertias().iter().all(|&i| i >= km.inertia() - 1e-6));
        assert_eq!(km.centroids().size(), [4, 3]);
        let again = km.predict(&xs)?;
        assert_eq!(
            Vec::<i64>::try_from(&again)?,
            Vec::<i64>::try_from(km.labels())?
        );
    }
    Ok(())
}

#[test]
fn a_seed_repeats_and_more_restarts_never_hurt() -> anyhow::Result<()> {
    let _guard = common::serial();
    let centres: [&[f32]; 5] = [
        &[0.0, 0.0],
        &[3.0, 0.0],
        &[0.0, 3.0],
        &[3.0, 3.0],
        &[1.5, 1.5],
    ];
    let (xs, _) = common::blobs(&centres, 60, 1.0, 11);
    let fit = |n_init, seed| {
        KMeansParams::new(5)
            .n_init(n_init)
            .seed(seed)
            .check()?
            .fit(&xs)
    };
    let a = fit(4, 1)?;
    let b = fit(4, 1)?;
    assert_eq!(a.inertia(), b.inertia());
    assert_eq!(common::max_diff(a.centroids(), b.centroids()), 0.0);
    let one = fit(1, 1)?;
    let many = fit(12, 1)?;
    assert!(many.inertia() <= one.inertia() + 1e-6);
    Ok(())
}

#[test]
fn empty_clusters_are_reseeded_not_nan() -> anyhow::Result<()> {
    let _guard = common::serial();
    // Centroid 1 duplicates centroid 0, so it wins no sample: it must move to the farthest
    // sample (20), not become NaN.
    let xs = Tensor::from_slice(&[0.0f32, 0.5, 1.0, 10.0, 11.0, 20.0]).view([6, 1]);
    let start = Tensor::from_slice(&[0.5f32, 0.5, 10.5]).view([3, 1]);
    let (centroids, labels) = lloyd_step(&xs, &start)?;
    let c = Vec::<f32>::try_from(centroids.view([-1]))?;
    assert!(c.iter().all(|v| v.is_finite()), "{c:?}");
    assert_eq!(c[1], 20.0);
    assert_eq!(Vec::<i64>::try_from(&labels)?, vec![0, 0, 0, 2, 2, 2]);

    // Many duplicates and random seeding: restarts often pick equal points.
    let dup = Tensor::cat(
        &[
            Tensor::zeros([50, 2], (Kind::Float, Device::Cpu)),
            Tensor::ones([50, 2], (Kind::Float, Device::Cpu)) * 5.0,
            Tensor::from_slice(&[9.0f32, 9.0, -4.0, 7.0]).view([2, 2]),
        ],
        0,
    );
    let km = KMeansParams::new(4)
        .n_init(6)
        .init(KMeansInit::Random)
        .seed(2)
        .check()?
        .fit(&dup)?;
    let finite = km.centroids().isfinite().all().int64_value(&[]) == 1;
    assert!(finite);
    assert!(
        km.inertia() < 1e-3,
        "four distinct values, four clusters: {}",
        km.inertia()
    );
    let (_, d2) = assign(&dup, km.centroids())?;
    assert!(d2.max().double_value(&[]) < 1e-3);
    Ok(())
}

#[test]
fn bad_inputs_are_errors() -> anyhow::Result<()> {
    let _guard = common::serial();
    let params = KMeansParams::new(3).check()?;
    let ints = Tensor::zeros([10, 2], (Kind::Int64, Device::Cpu));
    assert!(matches!(
        params.fit(&ints),
        Err(Error::EmbeddingShape { .. })
    ));
    let flat = Tensor::zeros([10], (Kind::Float, Device::Cpu));
    assert!(matches!(
        params.fit(&flat),
        Err(Error::EmbeddingShape { .. })
    ));
    let few = Tensor::zeros([2, 2], (Kind::Float, Device::Cpu));
    assert!(matches!(
        params.fit(&few),
        Err(Error::TooFewSamples {
            n_samples: 2,
            n_clusters: 3
        })
    ));
    let xs = Tensor::zeros([5, 2], (Kind::Float, Device::Cpu));
    let wrong = Tensor::zeros([3, 4], (Kind::Float, Device::Cpu));
    assert!(matches!(
        lloyd_step(&xs, &wrong),
        Err(Error::CentroidShape { .. })
    ));
    Ok(())
}
