//! `.npy` images and labels.

use anyhow::Result;
use mdec_data::Error;
use mdec_data::npy::{load_npy, read_npy_images, read_npy_labels};
use ndarray::{Array1, Array3, Array4};
use ndarray_npy::write_npy;

#[test]
fn uint8_is_scaled_and_gets_a_channel() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("x.npy");
    let raw = Array3::from_shape_fn((3, 4, 5), |(n, y, x)| (n * 40 + y * 5 + x) as u8);
    write_npy(&path, &raw)?;
    let images = read_npy_images(&path)?;
    assert_eq!(images.dim(), (3, 1, 4, 5));
    assert_eq!(images[[2, 0, 3, 4]], (80 + 15 + 4) as f32 / 255.0);
    Ok(())
}

#[test]
fn float32_four_dims_and_fortran_order() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("x.npy");
    let raw = Array4::from_shape_fn((2, 3, 4, 5), |(n, c, y, x)| {
        (n * 1000 + c * 100 + y * 10 + x) as f32
    });
    write_npy(&path, &raw)?;
    assert_eq!(read_npy_images(&path)?, raw);
    // Fortran order: same logical array.
    let fortran = raw.t().as_standard_layout().into_owned();
    let fortran = fortran.reversed_axes();
    assert!(!fortran.is_standard_layout());
    write_npy(&path, &fortran)?;
    assert_eq!(read_npy_images(&path)?, raw);
    // float64 is converted.
    write_npy(&path, &raw.mapv(f64::from))?;
    assert_eq!(read_npy_images(&path)?, raw);
    Ok(())
}

#[test]
fn nan_in_float_file_is_an_error_naming_it() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bad.npy");
    let mut raw = Array3::<f32>::zeros((2, 2, 2));
    raw[[1, 0, 1]] = f32::NAN;
    write_npy(&path, &raw)?;
    let err = read_npy_images(&path).unwrap_err();
    assert!(matches!(err, Error::NonFinite { index: 5, .. }), "{err:?}");
    assert!(err.to_string().contains("bad.npy"));
    raw[[1, 0, 1]] = f64::INFINITY as f32;
    write_npy(&path, &raw.mapv(f64::from))?;
    assert!(matches!(
        read_npy_images(&path),
        Err(Error::NonFinite { .. })
    ));
    Ok(())
}

#[test]
fn wrong_rank_and_type_are_errors() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("x.npy");
    write_npy(&path, &Array1::<f32>::zeros(4))?;
    assert!(matches!(
        read_npy_images(&path),
        Err(Error::BadRank { got: 1, .. })
    ));
    write_npy(&path, &Array3::<i16>::zeros((1, 2, 2)))?;
    assert!(matches!(
        read_npy_images(&path),
        Err(Error::UnsupportedNpyType { .. })
    ));
    std::fs::write(&path, b"not npy")?;
    assert!(matches!(read_npy_images(&path), Err(Error::Npy { .. })));
    Ok(())
}

#[test]
fn labels_with_count_check() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (x, y) = (dir.path().join("x.npy"), dir.path().join("y.npy"));
    write_npy(&x, &Array3::<u8>::zeros((3, 2, 2)))?;
    write_npy(&y, &Array1::from(vec![2i64, 0, 1]))?;
    let ds = load_npy(&x, Some(&y))?;
    assert_eq!(ds.labels(), Some(&[2, 0, 1][..]));
    write_npy(&y, &Array1::from(vec![2u8, 0]))?;
    assert_eq!(read_npy_labels(&y)?, [2, 0]);
    assert!(matches!(
        load_npy(&x, Some(&y)),
        Err(Error::FileCountMismatch {
            images: 3,
            labels: 2,
            ..
        })
    ));
    write_npy(&y, &Array1::from(vec![1i32, -4]))?;
    assert!(matches!(
        read_npy_labels(&y),
        Err(Error::BadLabel { value: -4, .. })
    ));
    write_npy(&y, &Array1::from(vec![1.0f32]))?;
    assert!(matches!(
        read_npy_labels(&y),
        Err(Error::UnsupportedNpyType { .. })
    ));
    Ok(())
}

#[test]
fn channels_last_arrays_are_transposed() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("hwc.npy");
    // N×H×W×C with distinct values per position: 2 images of 5×6 RGB.
    let value = |n: usize, y: usize, x: usize, c: usize| n * 100 + y * 12 + x * 2 + c;
    let bytes = Array4::from_shape_fn((2, 5, 6, 3), |(n, y, x, c)| value(n, y, x, c) as u8);
    write_npy(&path, &bytes)?;
    let images = read_npy_images(&path)?;
    assert_eq!(images.dim(), (2, 3, 5, 6));
    assert!(images.is_standard_layout());
    for ((n, c, y, x), &v) in images.indexed_iter() {
        assert_eq!(v, value(n, y, x, c) as f32 / 255.0, "at {n} {c} {y} {x}");
    }

    let floats = bytes.mapv(|b| f32::from(b) / 10.0);
    write_npy(&path, &floats)?;
    let images = read_npy_images(&path)?;
    assert_eq!(images.dim(), (2, 3, 5, 6));
    assert_eq!(images, floats.permuted_axes([0, 3, 1, 2]));

    // Gray channels-last (N×H×W×1) too; N×C×H×W with C in {1, 3, 4} is left as it is.
    write_npy(&path, &Array4::<u8>::zeros((4, 7, 7, 1)))?;
    assert_eq!(read_npy_images(&path)?.dim(), (4, 1, 7, 7));
    write_npy(&path, &Array4::<u8>::zeros((4, 3, 7, 7)))?;
    assert_eq!(read_npy_images(&path)?.dim(), (4, 3, 7, 7));
    assert!(mdec_data::npy::is_channels_last(&[4, 28, 28, 4]));
    assert!(!mdec_data::npy::is_channels_last(&[4, 3, 32, 3]));
    Ok(())
}
