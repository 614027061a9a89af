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
    let spec = dataset.spec();
    let ([tx, ty], [sx, sy]) = (
        <[&str; 2]>::try_from(spec.train)?,
        <[&str; 2]>::try_from(spec.test)?,
    );
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
            assert_eq!(command, "cargo xtask fetch fashion-mnist");
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
    assert_eq!("CIFAR10".parse::<NamedDataset>()?, NamedDataset::Cifar10);
    assert_eq!("stl_10".parse::<NamedDataset>()?, NamedDataset::Stl10);
    for d in NamedDataset::ALL {
        assert_eq!(d.to_string().parse::<NamedDataset>()?, d);
    }
    assert_eq!(Split::All.to_string(), "all");
    assert_eq!(
        NamedDataset::Mnist.fetch_command(),
        "cargo xtask fetch mnist"
    );
    Ok(())
}

/// CIFAR-10 binary batches: record `i` has label `i % 10` and pixel (c, y, x) = `(i + 3c +
/// y + x) % 256`; two train batches of 3 and 2 records, a test batch of 2.
#[test]
fn cifar_binary_batches_load_in_order_with_channels_as_planes() -> Result<()> {
    let root = tempfile::tempdir()?;
    let dir = root.path().join("cifar-10");
    std::fs::create_dir_all(&dir)?;
    let record = |i: usize| -> Vec<u8> {
        let mut r = vec![(i % 10) as u8];
        for c in 0..3 {
            for y in 0..32 {
                for x in 0..32 {
                    r.push(((i + 3 * c + y + x) % 256) as u8);
                }
            }
        }
        r
    };
    let spec = NamedDataset::Cifar10.spec();
    let counts = [3, 2, 1, 1, 1];
    let mut i = 0;
    for (file, n) in spec.train.iter().zip(counts) {
        let bytes: Vec<u8> = (i..i + n).flat_map(record).collect();
        std::fs::write(dir.join(file), bytes)?;
        i += n;
    }
    std::fs::write(
        dir.join("test_batch.bin"),
        [record(100), record(101)].concat(),
    )?;
    let all = load_named(NamedDataset::Cifar10, Split::All, root.path())?;
    assert_eq!(
        (all.len(), all.shape().to_string()),
        (10, "3×32×32".to_owned())
    );
    assert_eq!(all.labels().unwrap()[..4], [0, 1, 2, 3]);
    assert_eq!(all.labels().unwrap()[8..], [0, 1]);
    let pixel = all.images()[[4, 2, 5, 7]];
    assert!(
        (pixel - ((4 + 6 + 5 + 7) as f32) / 255.0).abs() < 1e-6,
        "{pixel}"
    );
    assert_eq!(all.class_names().unwrap()[1], "automobile");

    std::fs::write(dir.join("test_batch.bin"), &record(1)[..100])?;
    let err = load_named(NamedDataset::Cifar10, Split::Test, root.path()).unwrap_err();
    assert!(
        err.to_string().contains("test_batch.bin") && err.to_string().contains("3073"),
        "{err}"
    );
    Ok(())
}

/// STL-10 binary: images stored column by column, labels 1 to 10; unlabelled images load
/// without labels, and a dataset without them refuses the split.
#[test]
fn stl10_binary_is_transposed_and_labels_start_at_one() -> Result<()> {
    let root = tempfile::tempdir()?;
    let dir = root.path().join("stl-10");
    std::fs::create_dir_all(&dir)?;
    // Image i: in the file, byte (c, col, row) = (i + c + 2·row) % 256 — so in the loaded
    // image pixel (c, y, x) depends on y only.
    let images = |n: usize| -> Vec<u8> {
        let mut bytes = Vec::new();
        for i in 0..n {
            for c in 0..3 {
                for _col in 0..96 {
                    for row in 0..96 {
                        bytes.push(((i + c + 2 * row) % 256) as u8);
                    }
                }
            }
        }
        bytes
    };
    std::fs::write(dir.join("train_X.bin"), images(2))?;
    std::fs::write(dir.join("train_y.bin"), [1u8, 10])?;
    std::fs::write(dir.join("test_X.bin"), images(1))?;
    std::fs::write(dir.join("test_y.bin"), [3u8])?;
    std::fs::write(dir.join("unlabeled_X.bin"), images(3))?;
    let train = load_named(NamedDataset::Stl10, Split::Train, root.path())?;
    assert_eq!(train.labels().unwrap(), [0, 9]);
    assert_eq!(train.shape().to_string(), "3×96×96");
    let value = |ds: &mdec_data::Dataset, i, c, y, x| (ds.images()[[i, c, y, x]] * 255.0).round();
    assert_eq!(value(&train, 1, 2, 10, 0), value(&train, 1, 2, 10, 95));
    assert_eq!(
        value(&train, 1, 2, 10, 0),
        (1 + 2 + 20) as f32,
        "(i + c + 2·row) of image 1, channel 2, row 10"
    );
    let unlabelled = load_named(NamedDataset::Stl10, "unlabeled".parse()?, root.path())?;
    assert_eq!((unlabelled.len(), unlabelled.labels()), (3, None));
    assert!(matches!(
        load_named(NamedDataset::Cifar10, Split::Unlabelled, root.path()),
        Err(Error::BadSplit { .. })
    ));
    std::fs::write(dir.join("test_y.bin"), [11u8])?;
    let err = load_named(NamedDataset::Stl10, Split::Test, root.path()).unwrap_err();
    assert!(
        err.to_string().contains("test_y.bin") && err.to_string().contains("11"),
        "{err}"
    );
    Ok(())
}

/// USPS in LIBSVM text: values in [-1, 1] become (v + 1) / 2, missing indices 0.5.
#[test]
fn usps_libsvm_lines_become_16x16_digits() -> Result<()> {
    let root = tempfile::tempdir()?;
    let dir = root.path().join("usps");
    std::fs::create_dir_all(&dir)?;
    let line = |label: usize, fill: f32| {
        let pairs: Vec<String> = (1..=256).map(|i| format!("{i}:{fill}")).collect();
        format!("{label} {}\n", pairs.join(" "))
    };
    std::fs::write(
        dir.join("usps"),
        line(1, -1.0) + &line(10, 1.0) + "5 17:0.5\n",
    )?;
    std::fs::write(dir.join("usps.t"), line(3, 0.0))?;
    let all = load_named(NamedDataset::Usps, Split::All, root.path())?;
    assert_eq!(all.labels().unwrap(), [0, 9, 4, 2]);
    assert_eq!(all.shape().to_string(), "1×16×16");
    assert_eq!(all.images()[[0, 0, 3, 3]], 0.0);
    assert_eq!(all.images()[[1, 0, 15, 15]], 1.0);
    assert_eq!(
        all.images()[[2, 0, 1, 0]],
        0.75,
        "index 17 is row 1, column 0"
    );
    assert_eq!(all.images()[[2, 0, 0, 0]], 0.5, "a missing index is 0");
    std::fs::write(dir.join("usps.t"), "3 300:0.1\n")?;
    let err = load_named(NamedDataset::Usps, Split::Test, root.path()).unwrap_err();
    assert!(
        err.to_string().contains("usps.t") && err.to_string().contains("line 1"),
        "{err}"
    );
    Ok(())
}

/// BSDS300: JPEGs of either orientation, portrait ones turned, named by image id.
#[test]
fn bsds300_photographs_load_landscape_and_named() -> Result<()> {
    let root = tempfile::tempdir()?;
    let dir = root.path().join("bsds300/images");
    for split in ["train", "test"] {
        std::fs::create_dir_all(dir.join(split))?;
    }
    let image = |w: u32, h: u32| {
        image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 200) as u8, (y % 200) as u8, 128])
        })
    };
    image(481, 321).save(dir.join("train/2092.jpg"))?;
    image(321, 481).save(dir.join("train/8049.jpg"))?;
    image(481, 321).save(dir.join("test/3096.jpg"))?;
    let all = load_named(NamedDataset::Bsds300, Split::All, root.path())?;
    assert_eq!(all.shape().to_string(), "3×321×481");
    assert_eq!(all.names().unwrap(), ["2092", "8049", "3096"]);
    assert_eq!(all.labels(), None);
    // The portrait image was turned: its red channel (x in the file) now grows down the rows.
    let red = |y, x| (all.images()[[1, 0, y, x]] * 255.0).round();
    assert!((red(100, 5) - 100.0).abs() <= 6.0 && (red(5, 100) - 5.0).abs() <= 6.0);
    image(300, 300).save(dir.join("test/1.jpg"))?;
    let err = load_named(NamedDataset::Bsds300, Split::Test, root.path()).unwrap_err();
    assert!(
        err.to_string().contains("1.jpg") && err.to_string().contains("481×321"),
        "{err}"
    );
    Ok(())
}
