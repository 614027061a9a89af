//! Named datasets from a fake `<root>/mnist/` written with `write_idx`.

use std::path::Path;

use anyhow::Result;
use mdec_data::idx::{IdxArray, write_idx};
use mdec_data::{Error, NamedDataset, Split, load_named};

/// Writes a tiny MNIST-like dataset: `n_train` + `n_test` 1×4×4 images; the image of
/// sample `i` is constant `i / 255`, its label `i % 10`.
fn fake(root: &Path, dataset: NamedDataset, n_train: usize, n_test: usize, gz: bool) -> Result<()> {
    let dir = root.join(dataset.name());
    std::fs::create_dir_all(&dir)?;
    let ext = if gz { ".gz" } else { "" };
    let [tx, ty, sx, sy] = dataset.file_names();
    for (x, y, range) in [(tx, ty, 0..n_train), (sx, sy, n_train..n_train + n_test)] {
        let images = ndarray::Array4::from_shape_fn((range.len(), 1, 4, 4), |(i, ..)| {
            (range.start + i) as f32 / 255.0
        });
        let labels: Vec<usize> = range.clone().map(|i| i % 10).collect();
        write_idx(
            dir.join(format!("{x}{ext}")),
            &IdxArray::from_unit_images(&images),
        )?;
        write_idx(
            dir.join(format!("{y}{ext}")),
            &IdxArray::from_labels(&labels)?,
        )?;
    }
    Ok(())
}

#[test]
fn not_fetched_names_dir_and_command() -> Result<()> {
    let root = tempfile::tempdir()?;
    let err = load_named(NamedDataset::FashionMnist, Split::Test, root.path()).unwrap_err();
    match &err {
        Error::NotFetched { dir, command, .. } => {
            assert_eq!(dir, &root.path().join("fashion-mnist"));
            assert_eq!(*command, "cargo xtask fetch-fashion-mnist");
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("fashion-mnist"));
    // Half fetched: train present, test missing.
    fake(root.path(), NamedDataset::Mnist, 3, 2, false)?;
    std::fs::remove_file(root.path().join("mnist/t10k-labels-idx1-ubyte"))?;
    assert!(load_named(NamedDataset::Mnist, Split::Train, root.path()).is_ok());
    assert!(matches!(
        load_named(NamedDataset::Mnist, Split::All, root.path()),
        Err(Error::NotFetched { .. })
    ));
    Ok(())
}

#[test]
fn loads_each_split_train_first() -> Result<()> {
    let root = tempfile::tempdir()?;
    fake(root.path(), NamedDataset::Mnist, 12, 5, false)?;
    let train = load_named(NamedDataset::Mnist, Split::Train, root.path())?;
    let test = load_named(NamedDataset::Mnist, Split::Test, root.path())?;
    let all = load_named(NamedDataset::Mnist, Split::All, root.path())?;
    assert_eq!((train.len(), test.len(), all.len()), (12, 5, 17));
    assert_eq!(all.shape().to_string(), "1×4×4");
    let labels = all.labels().unwrap();
    assert_eq!(labels[..12], train.labels().unwrap()[..]);
    assert_eq!(labels[12..], test.labels().unwrap()[..]);
    assert_eq!(labels[13], 3);
    // Sample 13 is constant 13/255: pixels are u8/255.
    assert!((all.images()[[13, 0, 2, 2]] - 13.0 / 255.0).abs() < 1e-7);
    assert_eq!(all.class_names().unwrap()[7], "7");
    Ok(())
}

#[test]
fn gz_copies_are_accepted_and_names_parse() -> Result<()> {
    let root = tempfile::tempdir()?;
    fake(root.path(), NamedDataset::FashionMnist, 2, 2, true)?;
    let ds = load_named("fashion-mnist".parse()?, "test".parse()?, root.path())?;
    assert_eq!(ds.class_names().unwrap()[9], "Ankle boot");
    assert!(matches!(
        "valid".parse::<Split>(),
        Err(Error::BadSplit { .. })
    ));
    assert!(matches!(
        "cifar".parse::<NamedDataset>(),
        Err(Error::BadDatasetName { .. })
    ));
    for d in NamedDataset::ALL {
        assert_eq!(d.to_string().parse::<NamedDataset>()?, d);
    }
    assert_eq!(Split::All.to_string(), "all");
    assert_eq!(
        NamedDataset::Mnist.fetch_command(),
        "cargo xtask fetch-mnist"
    );
    Ok(())
}
