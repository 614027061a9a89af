//! `load_path` auto-detection.

use anyhow::Result;
use mdec_data::idx::{IdxArray, write_idx};
use mdec_data::load::{Detected, detect};
use mdec_data::{Error, LoadOptions, load_path};
use ndarray_npy::write_npy;

#[test]
fn idx_dir_single_file_npy_and_folder() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let mnist = dir.path().join("mnist");
    std::fs::create_dir(&mnist)?;
    let test = crate::byte_images(3, 1, 5, 5, 1);
    let train = crate::byte_images(4, 1, 5, 5, 2);
    write_idx(
        mnist.join("t10k-images-idx3-ubyte"),
        &IdxArray::from_unit_images(&test),
    )?;
    write_idx(
        mnist.join("t10k-labels-idx1-ubyte.gz"),
        &IdxArray::from_labels(&[7, 8, 9])?,
    )?;
    write_idx(
        mnist.join("train-images-idx3-ubyte.gz"),
        &IdxArray::from_unit_images(&train),
    )?;
    write_idx(
        mnist.join("train-labels-idx1-ubyte"),
        &IdxArray::from_labels(&[0, 1, 2, 3])?,
    )?;
    assert!(matches!(detect(&mnist)?, Detected::IdxDir(pairs) if pairs.len() == 2));

    let all = load_path(&mnist, &LoadOptions::default())?;
    assert_eq!(all.labels().unwrap(), [0, 1, 2, 3, 7, 8, 9]); // train first
    assert!((all.images()[[4, 0, 1, 1]] - test[[0, 0, 1, 1]]).abs() < 1e-6);
    assert_eq!(all.class_names().map(<[String]>::len), Some(10)); // dir named mnist

    // A single IDX file picks up its labels partner.
    let single = load_path(
        mnist.join("t10k-images-idx3-ubyte"),
        &LoadOptions::default(),
    )?;
    assert_eq!(single.labels().unwrap(), [7, 8, 9]);
    assert_eq!(
        detect(&mnist.join("t10k-labels-idx1-ubyte.gz"))?,
        Detected::IdxFile
    );

    // A .npy file with a labels file.
    let x = dir.path().join("x.npy");
    let y = dir.path().join("y.npy");
    write_npy(&x, &test)?;
    write_npy(&y, &ndarray::Array1::from(vec![1i64, 1, 0]))?;
    let opts = LoadOptions {
        labels: Some(y),
        ..Default::default()
    };
    let ds = load_path(&x, &opts)?;
    assert_eq!((ds.len(), ds.labels().map(|l| l[0])), (3, Some(1)));

    // An image folder.
    let imgs = dir.path().join("imgs");
    std::fs::create_dir(&imgs)?;
    image::GrayImage::new(2, 2).save(imgs.join("a.png"))?;
    assert_eq!(detect(&imgs)?, Detected::ImageFolder);
    assert_eq!(load_path(&imgs, &LoadOptions::default())?.len(), 1);

    // Something else.
    let txt = dir.path().join("readme.txt");
    std::fs::write(&txt, "hello")?;
    assert!(matches!(
        load_path(&txt, &LoadOptions::default()),
        Err(Error::UnknownFormat { .. })
    ));
    assert!(matches!(
        load_path(dir.path().join("missing"), &LoadOptions::default()),
        Err(Error::Io { .. })
    ));
    Ok(())
}
