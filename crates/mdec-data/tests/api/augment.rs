//! Augmentation: shape, range, determinism, identities.

use anyhow::Result;
use mdec_data::Error;
use mdec_data::augment::{AugmentConfig, augment, batch_seed, rotate, shift};
use ndarray::{Array3, Array4, s};
use proptest::prelude::*;

fn everything_clean() -> AugmentConfig {
    AugmentConfig {
        rotation: 30.0,
        shift: 3,
        brightness: 0.4,
        contrast: 0.5,
        flip: true,
        colour: 0.3,
        mask_fraction: 0.2,
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn keeps_shape_and_unit_range(
        n in 1usize..6, c in prop::sample::select(vec![1usize, 3]), h in 1usize..12, w in 1usize..12,
        rotation in 0f32..180.0, shift in 0usize..5, brightness in 0f32..1.0, contrast in 0f32..1.0,
        mask in 0f32..1.0, noise in 0f32..0.5, flip in any::<bool>(), colour in 0f32..1.0,
        seed in any::<u64>(),
    ) {
        let original = crate::random_images(n, c, h, w, seed);
        let mut batch = original.clone();
        let config = AugmentConfig {
            rotation, shift, brightness, contrast, flip, colour, mask_fraction: mask,
            noise_std: noise, clamp_noise: true,
        };
        augment(batch.view_mut(), &config, seed).unwrap();
        prop_assert_eq!(batch.dim(), original.dim());
        prop_assert!(batch.iter().all(|v| (0.0..=1.0).contains(v)));
    }
}

#[test]
fn deterministic_per_seed_and_varies_with_seed() -> Result<()> {
    let original = crate::random_images(16, 1, 28, 28, 1);
    let config = AugmentConfig {
        noise_std: 0.1,
        ..everything_clean()
    };
    let run = |seed| -> Result<Array4<f32>> {
        let mut b = original.clone();
        augment(b.view_mut(), &config, seed)?;
        Ok(b)
    };
    let a = run(5)?;
    assert_eq!(a, run(5)?);
    assert_ne!(a, run(6)?);
    assert_ne!(a, original);
    // Each sample depends on its position only: the first 4 of a smaller batch match.
    let mut head = original.slice(s![..4, .., .., ..]).to_owned();
    augment(head.view_mut(), &config, 5)?;
    assert_eq!(head, a.slice(s![..4, .., .., ..]));
    // A non-contiguous view gives the same result as a contiguous copy.
    let mut wide = Array4::<f32>::zeros((16, 1, 28, 56));
    wide.slice_mut(s![.., .., .., ..28]).assign(&original);
    augment(wide.slice_mut(s![.., .., .., ..28]), &config, 5)?;
    assert_eq!(wide.slice(s![.., .., .., ..28]), a);
    assert_ne!(batch_seed(1, 0, 0), batch_seed(1, 0, 1));
    Ok(())
}

#[test]
fn default_config_and_zero_rotation_are_identity() -> Result<()> {
    let original = crate::random_images(4, 3, 9, 7, 2);
    let mut batch = original.clone();
    augment(batch.view_mut(), &AugmentConfig::default(), 1)?;
    assert_eq!(batch, original);
    for k in 0..4 {
        let mut img = original.index_axis(ndarray::Axis(0), k).to_owned();
        rotate(img.view_mut(), 0.0);
        assert_eq!(img, original.index_axis(ndarray::Axis(0), k));
    }
    Ok(())
}

#[test]
fn rotation_by_90_and_360() {
    let img = Array3::from_shape_fn((1, 5, 5), |(_, y, x)| (y * 5 + x) as f32 / 25.0);
    let mut r = img.clone();
    rotate(r.view_mut(), 90.0);
    // Clockwise on screen: out[y][x] = in[w-1-x][y].
    for y in 0..5 {
        for x in 0..5 {
            assert!(
                (r[[0, y, x]] - img[[0, 4 - x, y]]).abs() < 1e-5,
                "({y}, {x})"
            );
        }
    }
    let mut full = img.clone();
    rotate(full.view_mut(), 360.0);
    assert!(full.iter().zip(&img).all(|(a, b)| (a - b).abs() < 1e-5));
}

#[test]
fn shift_moves_pixels_and_fills_zero() {
    let img = Array3::from_shape_fn((2, 4, 4), |(c, y, x)| (c * 16 + y * 4 + x + 1) as f32);
    let mut out = img.clone();
    shift(out.view_mut(), 1, 2);
    assert_eq!(out[[1, 1, 2]], img[[1, 0, 0]]);
    assert_eq!(out[[0, 3, 3]], img[[0, 2, 1]]);
    assert_eq!(out.slice(s![.., 0, ..]).sum(), 0.0);
    assert_eq!(out.slice(s![.., .., ..2]).sum(), 0.0);
    let mut gone = img.clone();
    shift(gone.view_mut(), 0, -4);
    assert_eq!(gone.sum(), 0.0);
}

#[test]
fn noise_input_differs_with_the_right_spread() -> Result<()> {
    let clean = Array4::from_elem((8, 1, 28, 28), 0.5f32);
    let config = AugmentConfig {
        noise_std: 0.2,
        ..Default::default()
    };
    let mut noisy = clean.clone();
    augment(noisy.view_mut(), &config, 3)?;
    assert_ne!(noisy, clean);
    let diff = &noisy - &clean;
    let (mean, std) = (diff.mean().unwrap(), diff.std(0.0));
    assert!(
        mean.abs() < 0.01 && (std - 0.2).abs() < 0.01,
        "{mean} {std}"
    );
    // The clean/corruption halves split the config.
    let full = AugmentConfig {
        rotation: 5.0,
        ..config.clone()
    };
    assert_eq!(full.corruption(), config);
    assert_eq!(full.clean().noise_std, 0.0);
    Ok(())
}

#[test]
fn masking_zeroes_about_the_fraction() -> Result<()> {
    let mut batch = Array4::from_elem((10, 3, 20, 20), 1.0f32);
    let config = AugmentConfig {
        mask_fraction: 0.3,
        ..Default::default()
    };
    augment(batch.view_mut(), &config, 11)?;
    let zeros = batch.iter().filter(|&&v| v == 0.0).count() as f64 / batch.len() as f64;
    assert!((zeros - 0.3).abs() < 0.03, "{zeros}");
    // Whole pixels: channels agree.
    assert_eq!(
        batch.index_axis(ndarray::Axis(1), 0),
        batch.index_axis(ndarray::Axis(1), 2)
    );
    Ok(())
}

#[test]
fn bad_parameters_are_rejected() {
    let mut batch = Array4::<f32>::zeros((1, 1, 2, 2));
    for config in [
        AugmentConfig {
            mask_fraction: 1.5,
            ..Default::default()
        },
        AugmentConfig {
            noise_std: -1.0,
            ..Default::default()
        },
        AugmentConfig {
            rotation: f32::NAN,
            ..Default::default()
        },
    ] {
        assert!(matches!(
            augment(batch.view_mut(), &config, 0),
            Err(Error::BadParam { .. })
        ));
    }
}

#[test]
fn flips_give_the_four_mirror_images_and_keep_the_pixels() -> Result<()> {
    let image = Array3::from_shape_fn((2, 3, 4), |(c, y, x)| (c * 100 + y * 10 + x) as f32);
    let batch = Array4::from_shape_fn((64, 2, 3, 4), |(_, c, y, x)| image[[c, y, x]]);
    let mut flipped = batch.clone();
    let config = AugmentConfig {
        flip: true,
        ..Default::default()
    };
    augment(flipped.view_mut(), &config, 9)?;
    let mirrors = [
        image.clone(),
        image.slice(s![.., .., ..;-1]).to_owned(),
        image.slice(s![.., ..;-1, ..]).to_owned(),
        image.slice(s![.., ..;-1, ..;-1]).to_owned(),
    ];
    let mut seen = [0usize; 4];
    for sample in flipped.outer_iter() {
        let which = mirrors.iter().position(|m| m == sample);
        seen[which.expect("every flipped sample is one of the four mirror images")] += 1;
    }
    assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
    Ok(())
}

#[test]
fn colour_jitter_scales_each_channel_by_its_own_gain() -> Result<()> {
    let mut batch = Array4::from_elem((8, 3, 4, 4), 0.5f32);
    let config = AugmentConfig {
        colour: 0.4,
        ..Default::default()
    };
    augment(batch.view_mut(), &config, 4)?;
    for sample in batch.outer_iter() {
        let gains: Vec<f32> = (0..3).map(|c| sample[[c, 0, 0]] / 0.5).collect();
        for (c, gain) in gains.iter().enumerate() {
            assert!((0.6..=1.4).contains(gain), "{gains:?}");
            assert!(
                sample
                    .index_axis(ndarray::Axis(0), c)
                    .iter()
                    .all(|&v| v == sample[[c, 0, 0]])
            );
        }
        assert!(gains[0] != gains[1] || gains[1] != gains[2], "{gains:?}");
    }
    Ok(())
}
