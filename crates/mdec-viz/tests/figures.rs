//! Public-API tests: every figure decodes at the expected size with ink where data was
//! drawn; bad input is a typed error; projections are fitted once and reused.

use std::path::Path;

use image::GenericImageView;
use mdec_viz::*;
use ndarray::{Array2, Array4};

type TestResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// Deterministic pseudo-random numbers in [0, 1).
fn lcg(seed: u64) -> impl FnMut() -> f32 {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 40) as f32) / (1u64 << 24) as f32
    }
}

/// `k` blobs of `per` points in `d` dimensions.
fn blobs(k: usize, per: usize, d: usize, seed: u64) -> (Array2<f32>, Vec<usize>) {
    let mut r = lcg(seed);
    let labels: Vec<usize> = (0..k * per).map(|i| i % k).collect();
    let z = Array2::from_shape_fn((k * per, d), |(i, j)| {
        let c = labels[i];
        (if j % k == c { 6.0 } else { 0.0 }) + r() - 0.5
    });
    (z, labels)
}

/// Tiny images: a bright square whose position depends on the sample.
fn images(n: usize, c: usize, h: usize, w: usize) -> Array4<f32> {
    Array4::from_shape_fn((n, c, h, w), |(i, ch, y, x)| {
        let inside = (y + i) % h < h / 2 && (x + 2 * i) % w < w / 2;
        if inside {
            0.2 + 0.4 * ch as f32
        } else {
            0.05 * (i % 5) as f32
        }
    })
}

fn decode(path: &Path) -> std::result::Result<image::RgbImage, Box<dyn std::error::Error>> {
    Ok(image::open(path)?.to_rgb8())
}

/// Fraction of pixels that are not white.
fn ink(img: &image::RgbImage) -> f64 {
    let n = img.pixels().filter(|p| p.0 != [255, 255, 255]).count();
    n as f64 / (img.width() * img.height()) as f64
}

fn count_color(img: &image::RgbImage, c: [u8; 3]) -> usize {
    img.pixels().filter(|p| p.0 == c).count()
}

#[test]
fn pretrain_curves_png_and_svg() -> TestResult {
    let dir = tempfile::tempdir()?;
    let train: Vec<f64> = (0..50)
        .map(|e| 1.0 / (1.0 + e as f64) + 0.02 * ((e * 7) % 5) as f64)
        .collect();
    let val: Vec<f64> = train.iter().map(|v| v * 1.1 + 0.01).collect();
    let png = dir.path().join("pretrain.png");
    pretrain_curves(
        &Curve::new("train", &train),
        Some(&Curve::new("validation", &val)),
        5,
        &png,
    )?;
    let img = decode(&png)?;
    assert_eq!((img.width(), img.height()), (960, 380));
    assert!(
        count_color(&img, CLUSTER_COLORS[0]) > 100,
        "train average line drawn"
    );
    assert!(
        count_color(&img, CLUSTER_COLORS[1]) > 100,
        "validation average line drawn"
    );
    let svg = dir.path().join("pretrain.svg");
    pretrain_curves(&Curve::new("train", &train), None, 5, &svg)?;
    let text = std::fs::read_to_string(&svg)?;
    assert!(
        text.starts_with("<svg") && text.contains("polyline") && text.contains("train (avg 5)")
    );
    // Only the final files remain: no temporary leftovers.
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 2);
    Ok(())
}

#[test]
fn cluster_curves_panels() -> TestResult {
    let dir = tempfile::tempdir()?;
    let steps: Vec<f64> = (0..20).map(|i| 140.0 * i as f64).collect();
    let acc: Vec<f64> = (0..20).map(|i| 0.5 + 0.02 * i as f64).collect();
    let nmi: Vec<f64> = acc.iter().map(|a| a - 0.1).collect();
    let ari: Vec<f64> = acc.iter().map(|a| a - 0.2).collect();
    let loss: Vec<f64> = (0..2800).map(|i| 0.1 / (1.0 + i as f64 / 100.0)).collect();
    let rec: Vec<f64> = loss.iter().map(|l| l * 0.5).collect();
    let total: Vec<f64> = loss.iter().zip(&rec).map(|(a, b)| a + b).collect();
    let changed: Vec<f64> = (0..20).map(|i| 0.2 / (1.0 + i as f64)).collect();
    let metrics = [
        Curve::with_steps("ACC", &steps, &acc),
        Curve::with_steps("NMI", &steps, &nmi),
        Curve::with_steps("ARI", &steps, &ari),
    ];
    let losses = [
        Curve::new("clustering", &loss),
        Curve::new("reconstruction", &rec),
        Curve::new("total", &total),
    ];
    let curves = ClusterCurves {
        metrics: &metrics,
        losses: &losses,
        stability: &[Curve::with_steps("changed", &steps, &changed)],
    };
    let path = dir.path().join("cluster.png");
    cluster_curves(&curves, &path)?;
    let img = decode(&path)?;
    assert_eq!((img.width(), img.height()), (960, 60 + 3 * 320));
    assert!(count_color(&img, CLUSTER_COLORS[2]) > 100);
    // Without labels: only losses.
    let unlabelled = ClusterCurves {
        losses: &losses,
        ..ClusterCurves::default()
    };
    cluster_curves(&unlabelled, &path)?;
    assert_eq!(decode(&path)?.height(), 60 + 320);
    Ok(())
}

#[test]
fn curve_errors() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("x.png");
    let empty = pretrain_curves(&Curve::new("train", &[]), None, 3, &path);
    assert!(matches!(empty, Err(Error::Empty { .. })), "{empty:?}");
    let nan = pretrain_curves(&Curve::new("train", &[1.0, f64::NAN]), None, 3, &path);
    assert!(
        matches!(nan, Err(Error::NonFinite { index: 1, .. })),
        "{nan:?}"
    );
    let mismatch = pretrain_curves(
        &Curve::with_steps("train", &[0.0], &[1.0, 2.0]),
        None,
        3,
        &path,
    );
    assert!(
        matches!(
            mismatch,
            Err(Error::LengthMismatch {
                expected: 2,
                got: 1,
                ..
            })
        ),
        "{mismatch:?}"
    );
    let no_losses = cluster_curves(&ClusterCurves::default(), &path);
    assert!(matches!(no_losses, Err(Error::Empty { .. })));
    assert!(!path.exists(), "no file written on error");
    Ok(())
}

#[test]
fn reconstructions_grey_and_rgb() -> TestResult {
    let dir = tempfile::tempdir()?;
    for c in [1, 3] {
        let x = images(8, c, 28, 28);
        let y = x.mapv(|v| (v * 1.5).min(1.2)); // out of range: clamped
        let path = dir.path().join(format!("rec{c}.png"));
        reconstructions(x.view(), y.view(), &path)?;
        let img = decode(&path)?;
        // 28 px scaled x3 = 84 px tiles, 8 columns after a 130 px label column.
        assert_eq!(
            (img.width(), img.height()),
            (130 + 8 * 88 + 4, 2 * 88 + 8 + 4)
        );
        // Top-left pixel of the first input tile is the first sample's value.
        let p = img.get_pixel(134, 4).0;
        let expect: Vec<u8> = (0..3)
            .map(|ch| ((x[[0, ch.min(c - 1), 0, 0]]).clamp(0.0, 1.0) * 255.0).round() as u8)
            .collect();
        assert_eq!(p.to_vec(), expect);
        if c == 3 {
            assert_ne!(p[0], p[2], "rgb channels kept apart");
        }
        assert!(ink(&img) > 0.3);
    }
    Ok(())
}

#[test]
fn reconstruction_errors() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("r.png");
    let x = images(4, 1, 8, 8);
    let y = images(3, 1, 8, 8);
    assert!(matches!(
        reconstructions(x.view(), y.view(), &path),
        Err(Error::ShapeMismatch { .. })
    ));
    let zero = Array4::<f32>::zeros((2, 1, 0, 8));
    assert!(matches!(
        reconstructions(zero.view(), zero.view(), &path),
        Err(Error::ZeroSize { .. })
    ));
    let two = Array4::<f32>::zeros((2, 2, 8, 8));
    assert!(matches!(
        reconstructions(two.view(), two.view(), &path),
        Err(Error::Channels { got: 2, .. })
    ));
    let mut nan = images(2, 1, 8, 8);
    nan[[1, 0, 3, 3]] = f32::NAN;
    assert!(matches!(
        reconstructions(nan.view(), nan.view(), &path),
        Err(Error::NonFinite { .. })
    ));
    let empty = Array4::<f32>::zeros((0, 1, 8, 8));
    assert!(matches!(
        reconstructions(empty.view(), empty.view(), &path),
        Err(Error::Empty { .. })
    ));
    Ok(())
}

#[test]
fn pca_finds_the_stretched_direction() -> TestResult {
    // Isotropic noise plus a large spread along a known unit direction.
    let d = 6;
    let dir: Vec<f32> = {
        let v = [1.0f32, -2.0, 0.5, 0.0, 3.0, 1.0];
        let n = v.iter().map(|x| x * x).sum::<f32>().sqrt();
        v.iter().map(|x| x / n).collect()
    };
    let mut r = lcg(7);
    let z = Array2::from_shape_fn((500, d), |_| r() - 0.5);
    let mut z = z;
    let mut r2 = lcg(8);
    for mut row in z.rows_mut() {
        let t = 20.0 * (r2() - 0.5);
        for (x, u) in row.iter_mut().zip(&dir) {
            *x += t * u + 3.0;
        }
    }
    let p = Projection::fit_pca(z.view())?;
    // Projecting the direction itself from the mean: the first coordinate carries it.
    let mean = z.mean_axis(ndarray::Axis(0)).ok_or("mean")?;
    let probe = Array2::from_shape_fn((1, d), |(_, j)| mean[j] + dir[j]);
    let y = p.project(probe.view())?;
    assert!(y[[0, 0]].abs() > 0.99, "first component aligned: {y:?}");
    assert!(y[[0, 1]].abs() < 0.05, "second component orthogonal: {y:?}");
    Ok(())
}

#[test]
fn projection_is_fitted_once_and_reused() -> TestResult {
    let (z1, _) = blobs(4, 50, 10, 1);
    let p = Projection::fit_pca(z1.view())?;
    let a = p.project(z1.view())?;
    let b = p.project(z1.view())?;
    assert_eq!(a, b, "same data, same coordinates");
    // Frame 2: moved embeddings, same map (the projection is affine and unchanged).
    let z2 = z1.mapv(|v| v * 0.5 + 1.0);
    let c = p.project(z2.view())?;
    let refit = Projection::fit_pca(z2.view())?.project(z2.view())?;
    assert_eq!(c.dim(), (200, 2));
    let shift = p.project(Array2::<f32>::from_elem((1, 10), 1.0).view())?;
    let origin = p.project(Array2::<f32>::zeros((1, 10)).view())?;
    for i in 0..200 {
        for j in 0..2 {
            let expect = 0.5 * (a[[i, j]] - origin[[0, j]]) + shift[[0, j]];
            assert!((c[[i, j]] - expect).abs() < 1e-3);
        }
    }
    // A refit on frame 2 would differ (scale): reuse is what keeps frames comparable.
    assert!((&refit - &c).mapv(f32::abs).sum() > 1.0);
    assert_eq!(p.bounds(), p.clone().bounds());
    let wrong = p.project(Array2::<f32>::zeros((3, 4)).view());
    assert!(matches!(
        wrong,
        Err(Error::LengthMismatch {
            expected: 10,
            got: 4,
            ..
        })
    ));
    let nan = Array2::from_elem((3, 10), f32::NAN);
    assert!(matches!(
        Projection::fit_pca(nan.view()),
        Err(Error::NonFinite { .. })
    ));
    assert!(matches!(
        Projection::fit_pca(Array2::<f32>::zeros((0, 10)).view()),
        Err(Error::Empty { .. })
    ));
    Ok(())
}

#[test]
fn scatter_frame_draws_clusters_and_labels() -> TestResult {
    let (z, labels) = blobs(5, 100, 8, 3);
    let p = Projection::fit_pca(z.view())?;
    let xy = p.project(z.view())?;
    let clusters: Vec<usize> = labels.iter().map(|l| (l + 1) % 5).collect();
    let options = ScatterOptions {
        bounds: Some(p.bounds()),
        ..ScatterOptions::default()
    };
    let single = scatter_frame(xy.view(), &clusters, None, "step 0  ACC 0.500", &options)?;
    assert_eq!((single.width(), single.height()), (560, 600));
    let both = scatter_frame(
        xy.view(),
        &clusters,
        Some(&labels),
        "step 0  ACC 0.500",
        &options,
    )?;
    assert_eq!((both.width(), both.height()), (1120, 600));
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scatter.png");
    both.save_png(&path)?;
    let img = decode(&path)?;
    for (k, &color) in CLUSTER_COLORS.iter().enumerate().take(5) {
        assert!(count_color(&img, color) > 200, "cluster {k} visible");
    }
    // The label panel colours the same points differently from the cluster panel.
    let differing = (0..560u32)
        .flat_map(|x| (40..600u32).map(move |y| (x, y)))
        .filter(|&(x, y)| img.get_pixel(x, y) != img.get_pixel(x + 560, y))
        .count();
    assert!(differing > 1000, "{differing} pixels differ between panels");
    Ok(())
}

#[test]
fn scatter_errors() -> TestResult {
    let xy = Array2::<f32>::zeros((10, 2));
    let o = ScatterOptions::default();
    assert!(matches!(
        scatter_frame(xy.view(), &[0; 9], None, "", &o),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        scatter_frame(xy.view(), &[0; 10], Some(&[0; 3]), "", &o),
        Err(Error::LengthMismatch { .. })
    ));
    let three = Array2::<f32>::zeros((10, 3));
    assert!(matches!(
        scatter_frame(three.view(), &[0; 10], None, "", &o),
        Err(Error::LengthMismatch { .. })
    ));
    let mut nan = xy.clone();
    nan[[4, 1]] = f32::NAN;
    assert!(matches!(
        scatter_frame(nan.view(), &[0; 10], None, "", &o),
        Err(Error::NonFinite { index: 9, .. })
    ));
    let empty = Array2::<f32>::zeros((0, 2));
    assert!(matches!(
        scatter_frame(empty.view(), &[], None, "", &o),
        Err(Error::Empty { .. })
    ));
    Ok(())
}

#[test]
fn gif_streams_frames_with_loop() -> TestResult {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("anim.gif");
    let (z, labels) = blobs(3, 60, 6, 5);
    let p = Projection::fit_pca(z.view())?;
    let options = ScatterOptions {
        panel_size: 200,
        bounds: Some(p.bounds()),
        ..ScatterOptions::default()
    };
    let mut gif = GifWriter::create(
        &path,
        400,
        240,
        &GifOptions {
            frame_ms: 100,
            repeat: None,
        },
    )?;
    for step in 0..4 {
        let zs = z.mapv(|v| v * (1.0 - 0.1 * step as f32));
        let xy = p.project(zs.view())?;
        let frame = scatter_frame(
            xy.view(),
            &labels,
            Some(&labels),
            &format!("step {step}"),
            &options,
        )?;
        gif.push_frame(&frame)?;
        assert!(!path.exists(), "nothing at the final path before finish");
    }
    let small = RgbImage::new(10, 10, [255; 3])?;
    assert!(matches!(
        gif.push_frame(&small),
        Err(Error::ShapeMismatch { .. })
    ));
    assert_eq!(gif.frames(), 4);
    gif.finish()?;

    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::Indexed);
    let mut decoder = opts.read_info(std::fs::File::open(&path)?)?;
    assert_eq!((decoder.width(), decoder.height()), (400, 240));
    assert_eq!(decoder.repeat(), gif::Repeat::Infinite);
    let mut frames = 0;
    while let Some(frame) = decoder.read_next_frame()? {
        assert_eq!(frame.delay, 10);
        frames += 1;
    }
    assert_eq!(frames, 4);
    assert_eq!(
        std::fs::read_dir(dir.path())?.count(),
        1,
        "no temporary files left"
    );

    // Finite repeat, and an empty animation is an error that leaves no file.
    let once = dir.path().join("once.gif");
    let mut gif = GifWriter::create(
        &once,
        10,
        10,
        &GifOptions {
            frame_ms: 50,
            repeat: Some(1),
        },
    )?;
    gif.push_frame(&small)?;
    gif.finish()?;
    let decoder = gif::DecodeOptions::new().read_info(std::fs::File::open(&once)?)?;
    assert_eq!(decoder.repeat(), gif::Repeat::Finite(1));
    let none = dir.path().join("none.gif");
    let gif = GifWriter::create(&none, 10, 10, &GifOptions::default())?;
    assert!(matches!(gif.finish(), Err(Error::Empty { .. })));
    assert!(!none.exists());
    assert_eq!(std::fs::read_dir(dir.path())?.count(), 2);
    Ok(())
}

#[test]
fn montages_and_overview() -> TestResult {
    let dir = tempfile::tempdir()?;
    for c in [1, 3] {
        let n = 90;
        let x = images(n, c, 16, 16);
        let assignments: Vec<usize> = (0..n).map(|i| if i % 3 == 2 { 3 } else { i % 3 }).collect();
        let confidence: Vec<f32> = (0..n).map(|i| (i % 17) as f32 / 17.0).collect();
        let out = dir.path().join(format!("montages{c}"));
        let written = cluster_montages(
            x.view(),
            &assignments,
            &confidence,
            &out,
            &MontageOptions {
                most: 12,
                least: 4,
                columns: 6,
            },
        )?;
        // Clusters 0, 1 and 3 are non-empty; cluster 2 is empty and skipped.
        let names: Vec<String> = written
            .iter()
            .filter_map(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            ["cluster_00.png", "cluster_01.png", "cluster_03.png"]
        );
        let img = decode(&written[0])?;
        // 16 px x3 = 48 px tiles; 6 columns; header + 2 rows, header + 1 row.
        assert_eq!(
            (img.width(), img.height()),
            (320, (34 + 2 * 51 + 3 + 34 + 51) as u32)
        );
        assert!(ink(&img) > 0.2);
        // Most confident sample of cluster 0 comes first.
        let best = (0..n)
            .filter(|i| assignments[*i] == 0)
            .max_by(|a, b| confidence[*a].total_cmp(&confidence[*b]).then(b.cmp(a)))
            .ok_or("none")?;
        let v = (x[[best, 0, 0, 0]].clamp(0.0, 1.0) * 255.0).round() as u8;
        assert_eq!(img.get_pixel(3, 34).0[0], v);

        let sheet = dir.path().join(format!("overview{c}.png"));
        overview_sheet(x.view(), &assignments, &confidence, 8, &sheet)?;
        let img = decode(&sheet)?;
        assert_eq!(
            (img.width(), img.height()),
            ((110 + 8 * 51 + 3) as u32, (34 + 4 * 51 + 3) as u32)
        );
        // Row of the empty cluster 2 has no tiles.
        let row2 = img.view(110, 34 + 2 * 51, 8 * 51, 48).to_image();
        assert_eq!(ink(&row2), 0.0);
        assert!(ink(&img.view(110, 34, 8 * 51, 48).to_image()) > 0.3);
    }
    let x = images(5, 1, 8, 8);
    let bad = cluster_montages(
        x.view(),
        &[0; 5],
        &[0.5; 4],
        dir.path(),
        &MontageOptions::default(),
    );
    assert!(matches!(
        bad,
        Err(Error::LengthMismatch {
            expected: 5,
            got: 4,
            ..
        })
    ));
    let nan = overview_sheet(
        x.view(),
        &[0; 5],
        &[0.5, 0.5, f32::NAN, 0.5, 0.5],
        4,
        dir.path().join("o.png"),
    );
    assert!(matches!(nan, Err(Error::NonFinite { index: 2, .. })));
    Ok(())
}

#[test]
fn confusion_and_sizes() -> TestResult {
    let dir = tempfile::tempdir()?;
    let k = 10;
    let counts = Array2::from_shape_fn(
        (k, k),
        |(i, j)| if i == j { 90 + i } else { (i * 3 + j) % 7 },
    );
    let names: Vec<String> = (0..k).map(|i| i.to_string()).collect();
    let path = dir.path().join("confusion.png");
    confusion_heatmap(counts.view(), &names, &names, &path)?;
    let img = decode(&path)?;
    assert_eq!(
        (img.width(), img.height()),
        (110 + 48 * 10 + 20, 90 + 48 * 10 + 20)
    );
    // Diagonal cells are dark, off-diagonal light.
    let diag = img.get_pixel(110 + 48 * 3 + 5, 90 + 48 * 3 + 5).0;
    let off = img.get_pixel(110 + 48 * 4 + 5, 90 + 48 * 3 + 5).0;
    assert!(diag[0] < 60 && off[0] > 200, "{diag:?} {off:?}");
    let svg = dir.path().join("confusion.svg");
    confusion_heatmap(counts.view(), &names, &names, &svg)?;
    assert!(std::fs::read_to_string(&svg)?.contains("<rect"));
    assert!(matches!(
        confusion_heatmap(counts.view(), &names[..9], &names, &path),
        Err(Error::LengthMismatch {
            expected: 10,
            got: 9,
            ..
        })
    ));
    let empty = Array2::<usize>::zeros((0, 3));
    assert!(matches!(
        confusion_heatmap(empty.view(), &[] as &[&str], &["a", "b", "c"], &path),
        Err(Error::Empty { .. })
    ));

    let sizes: Vec<usize> = (0..k).map(|i| 50 + 10 * i).collect();
    let bars = dir.path().join("sizes.png");
    cluster_sizes(&sizes, &bars)?;
    let img = decode(&bars)?;
    assert_eq!((img.width(), img.height()), (560, 420));
    for (c, &color) in CLUSTER_COLORS.iter().enumerate().take(k) {
        assert!(count_color(&img, color) > 100, "bar {c}");
    }
    assert!(matches!(
        cluster_sizes(&[], &bars),
        Err(Error::Empty { .. })
    ));
    Ok(())
}

#[cfg(feature = "tsne")]
#[test]
fn tsne_separates_blobs_and_places_new_points() -> TestResult {
    let (z, labels) = blobs(3, 40, 6, 11);
    let params = TsneParams {
        perplexity: 10.0,
        epochs: 300,
        ..TsneParams::default()
    };
    let p = Projection::fit_tsne(z.view(), &params)?;
    let xy = p.project(z.view())?;
    assert_eq!(xy, p.project(z.view())?, "reused, deterministic projection");
    // Each point's nearest 2-D neighbour shares its blob.
    let mut same = 0;
    for i in 0..xy.nrows() {
        let j = (0..xy.nrows())
            .filter(|&j| j != i)
            .min_by(|&a, &b| {
                let d = |j: usize| {
                    (xy[[i, 0]] - xy[[j, 0]]).powi(2) + (xy[[i, 1]] - xy[[j, 1]]).powi(2)
                };
                d(a).total_cmp(&d(b))
            })
            .ok_or("no neighbour")?;
        same += usize::from(labels[i] == labels[j]);
    }
    assert!(same >= 110, "{same}/120 neighbours share a blob");
    let bad = Projection::fit_tsne(
        z.view(),
        &TsneParams {
            perplexity: 100.0,
            ..params
        },
    );
    assert!(matches!(
        bad,
        Err(Error::InvalidParam {
            name: "perplexity",
            ..
        })
    ));
    Ok(())
}
