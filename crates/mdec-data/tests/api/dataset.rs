//! Dataset construction, summary and scaling.

use anyhow::Result;
use mdec_data::{Dataset, Error, ImageShape, MinMax, Standardize};
use ndarray::{Array4, Axis};

#[test]
fn attached_lengths_are_checked() -> Result<()> {
    let ds = Dataset::new(Array4::zeros((3, 1, 2, 2)));
    assert!(matches!(
        ds.clone().with_labels(vec![0, 1]),
        Err(Error::CountMismatch {
            what: "labels",
            expected: 3,
            got: 2
        })
    ));
    assert!(matches!(
        ds.clone().with_names(vec![]),
        Err(Error::CountMismatch { what: "names", .. })
    ));
    let labelled = ds.with_labels(vec![0, 2, 1])?;
    assert!(matches!(
        labelled
            .clone()
            .with_class_names(vec!["a".into(), "b".into()]),
        Err(Error::LabelOutOfRange {
            label: 2,
            index: 1,
            classes: 2
        })
    ));
    let named = labelled.with_class_names(vec!["a".into(), "b".into(), "c".into()])?;
    assert_eq!(named.num_classes(), Some(3));
    let sub = named.select(&[2, 0]);
    assert_eq!(sub.labels(), Some(&[1, 0][..]));
    assert_eq!(sub.class_names().map(<[String]>::len), Some(3));
    Ok(())
}

#[test]
fn shape_display_and_serde() {
    fn assert_serde<T: serde::Serialize + for<'de> serde::Deserialize<'de>>() {}
    assert_serde::<ImageShape>();
    assert_serde::<mdec_data::Summary>();
    assert_serde::<mdec_data::AugmentConfig>();
    let shape = ImageShape::new(1, 28, 28);
    assert_eq!(shape.to_string(), "1×28×28");
    assert_eq!(shape.numel(), 784);
}

#[test]
fn summary_counts_and_statistics() -> Result<()> {
    let mut images = Array4::<f32>::zeros((4, 1, 1, 2));
    images[[0, 0, 0, 0]] = 1.0;
    images[[3, 0, 0, 1]] = 1.0;
    let ds = Dataset::new(images)
        .with_labels(vec![0, 2, 2, 2])?
        .with_class_names(vec!["zero".into(), "one".into(), "two".into()])?;
    let s = ds.summary();
    assert_eq!(s.count, 4);
    let counts: Vec<usize> = s
        .classes
        .as_ref()
        .unwrap()
        .iter()
        .map(|c| c.count)
        .collect();
    assert_eq!(counts, [1, 0, 3]);
    let p = s.pixels.unwrap();
    assert_eq!((p.min, p.max), (0.0, 1.0));
    assert!((p.mean - 0.25).abs() < 1e-12);
    assert!((p.std - 0.1875f64.sqrt()).abs() < 1e-12);
    let text = s.to_string();
    assert!(text.contains("samples:  4"), "{text}");
    assert!(text.contains("1×1×2"), "{text}");
    assert!(text.contains("two") && text.contains("75.0%"), "{text}");
    assert!(
        Dataset::new(Array4::zeros((0, 1, 2, 2)))
            .summary()
            .pixels
            .is_none()
    );
    Ok(())
}

#[test]
fn concat_checks_shapes() -> Result<()> {
    let a = Dataset::new(Array4::zeros((2, 1, 2, 2))).with_labels(vec![0, 1])?;
    let b = Dataset::new(Array4::ones((1, 1, 2, 2))).with_labels(vec![1])?;
    let c = Dataset::concat(&[a.clone(), b])?;
    assert_eq!((c.len(), c.labels()), (3, Some(&[0, 1, 1][..])));
    assert_eq!(c.images()[[2, 0, 1, 1]], 1.0);
    let other = Dataset::new(Array4::zeros((1, 3, 2, 2)));
    assert!(matches!(
        Dataset::concat(&[a, other]),
        Err(Error::ShapeMismatch { .. })
    ));
    Ok(())
}

#[test]
fn min_max_and_standardize() -> Result<()> {
    let images = crate::random_images(20, 3, 4, 4, 5).mapv(|v| v * 10.0 - 3.0);
    let mut ds = Dataset::new(images.clone());
    let mm = ds.scale_min_max();
    let s = ds.summary().pixels.unwrap();
    assert!((s.min - 0.0).abs() < 1e-6 && (s.max - 1.0).abs() < 1e-6);
    assert!(mm.min < -2.9 && mm.max > 6.9);

    let mut ds = Dataset::new(images.clone());
    let st = ds.standardize();
    for c in 0..3 {
        let plane = ds.images().index_axis(Axis(1), c);
        let mean = plane.mean().unwrap();
        let std = plane.std(0.0);
        assert!(
            mean.abs() < 1e-4 && (std - 1.0).abs() < 1e-4,
            "channel {c}: {mean} {std}"
        );
    }
    // Reapplying the same statistics to the raw data gives the same result; invert undoes it.
    let mut again = images.clone();
    st.apply(again.view_mut())?;
    assert!(
        again
            .iter()
            .zip(ds.images())
            .all(|(a, b)| (a - b).abs() < 1e-6)
    );
    st.invert(again.view_mut())?;
    assert!(again.iter().zip(&images).all(|(a, b)| (a - b).abs() < 1e-4));
    let mut gray = Array4::<f32>::zeros((1, 1, 2, 2));
    assert!(matches!(
        st.apply(gray.view_mut()),
        Err(Error::ChannelMismatch {
            expected: 3,
            got: 1
        })
    ));
    // A constant input does not produce NaN.
    let mut flat = Array4::<f32>::from_elem((2, 1, 2, 2), 4.0);
    let mm = MinMax::fit(flat.view());
    mm.apply(flat.view_mut());
    assert!(flat.iter().all(|&v| v == 0.0));
    let st = Standardize::fit(Array4::<f32>::from_elem((2, 1, 2, 2), 4.0).view());
    assert_eq!(st.std, [1.0]);
    Ok(())
}
