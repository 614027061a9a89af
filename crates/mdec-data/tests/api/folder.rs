//! Image folders written as PNG/BMP files in a temporary directory.

use std::path::Path;

use anyhow::Result;
use image::{GrayImage, RgbImage};
use mdec_data::{ColorMode, Error, FolderOptions, load_folder};

fn gray(path: &Path, w: u32, h: u32, value: u8) -> Result<()> {
    std::fs::create_dir_all(path.parent().unwrap())?;
    GrayImage::from_fn(w, h, |x, y| {
        image::Luma([value.wrapping_add((x + y) as u8)])
    })
    .save(path)?;
    Ok(())
}

fn rgb(path: &Path, w: u32, h: u32) -> Result<()> {
    std::fs::create_dir_all(path.parent().unwrap())?;
    RgbImage::from_fn(w, h, |x, _| image::Rgb([255, 0, (x * 10) as u8])).save(path)?;
    Ok(())
}

#[test]
fn labels_from_subfolders_sorted_and_names_kept() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let root = dir.path();
    gray(&root.join("cat/b.png"), 4, 3, 10)?;
    gray(&root.join("cat/a.png"), 4, 3, 20)?;
    gray(&root.join("ant/z.bmp"), 4, 3, 30)?;
    gray(&root.join("dog/deep/c.png"), 4, 3, 40)?;
    std::fs::write(root.join(".DS_Store"), b"junk")?; // hidden: ignored
    let opts = FolderOptions {
        labels_from_subfolders: true,
        ..Default::default()
    };
    let ds = load_folder(root, &opts)?;
    assert_eq!(ds.len(), 4);
    assert_eq!(ds.shape().to_string(), "1×3×4");
    assert_eq!(
        ds.names().unwrap(),
        ["ant/z.bmp", "cat/a.png", "cat/b.png", "dog/deep/c.png"]
    );
    assert_eq!(ds.class_names().unwrap(), ["ant", "cat", "dog"]);
    assert_eq!(ds.labels().unwrap(), [0, 1, 1, 2]);
    // Pixel (0, 0) of cat/a.png is 20/255; (x=1, y=2) is 23/255.
    assert!((ds.images()[[1, 0, 0, 0]] - 20.0 / 255.0).abs() < 1e-6);
    assert!((ds.images()[[1, 0, 2, 1]] - 23.0 / 255.0).abs() < 1e-6);
    // Same result on a second load: order is deterministic.
    assert_eq!(load_folder(root, &opts)?, ds);
    // Without the option: no labels.
    assert!(
        load_folder(root, &FolderOptions::default())?
            .labels()
            .is_none()
    );
    Ok(())
}

#[test]
fn file_outside_class_folder_is_an_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    gray(&dir.path().join("a/x.png"), 2, 2, 0)?;
    gray(&dir.path().join("top.png"), 2, 2, 0)?;
    let opts = FolderOptions {
        labels_from_subfolders: true,
        ..Default::default()
    };
    assert!(matches!(
        load_folder(dir.path(), &opts),
        Err(Error::NoClassFolder { .. })
    ));
    Ok(())
}

#[test]
fn mixed_sizes_need_resize() -> Result<()> {
    let dir = tempfile::tempdir()?;
    gray(&dir.path().join("a.png"), 8, 6, 0)?;
    gray(&dir.path().join("b.png"), 5, 7, 0)?;
    let err = load_folder(dir.path(), &FolderOptions::default()).unwrap_err();
    match &err {
        Error::SizeMismatch {
            path,
            height: 7,
            width: 5,
            expected_height: 6,
            expected_width: 8,
            ..
        } => assert!(path.ends_with("b.png")),
        other => panic!("unexpected {other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("b.png") && msg.contains("7×5") && msg.contains("6×8"),
        "{msg}"
    );

    let opts = FolderOptions {
        resize: Some((4, 5)),
        ..Default::default()
    };
    let ds = load_folder(dir.path(), &opts)?;
    assert_eq!(ds.images().dim(), (2, 1, 4, 5));
    assert!(ds.images().iter().all(|v| (0.0..=1.0).contains(v)));
    Ok(())
}

#[test]
fn colour_mode_auto_gray_and_rgb() -> Result<()> {
    let dir = tempfile::tempdir()?;
    gray(&dir.path().join("a.png"), 3, 2, 100)?;
    assert_eq!(
        load_folder(dir.path(), &FolderOptions::default())?
            .shape()
            .channels,
        1
    );
    // Gray content saved as RGB still counts as grayscale.
    RgbImage::from_pixel(3, 2, image::Rgb([7, 7, 7])).save(dir.path().join("a2.png"))?;
    assert_eq!(
        load_folder(dir.path(), &FolderOptions::default())?
            .shape()
            .channels,
        1
    );
    std::fs::remove_file(dir.path().join("a2.png"))?;
    rgb(&dir.path().join("b.png"), 3, 2)?;
    let ds = load_folder(dir.path(), &FolderOptions::default())?;
    assert_eq!(ds.shape().channels, 3);
    // b.png is pure red in channel 0, 0 in channel 1, x*10 in channel 2 (channel-first).
    assert_eq!(ds.images()[[1, 0, 1, 2]], 1.0);
    assert_eq!(ds.images()[[1, 1, 1, 2]], 0.0);
    assert!((ds.images()[[1, 2, 1, 2]] - 20.0 / 255.0).abs() < 1e-6);
    // The gray image is replicated into three equal channels.
    assert_eq!(ds.images()[[0, 0, 0, 0]], ds.images()[[0, 2, 0, 0]]);
    let forced = FolderOptions {
        color: ColorMode::Grayscale,
        ..Default::default()
    };
    assert_eq!(load_folder(dir.path(), &forced)?.shape().channels, 1);
    assert_eq!("rgb".parse::<ColorMode>(), Ok(ColorMode::Rgb));
    Ok(())
}

#[test]
fn non_image_file_is_an_error_or_skipped() -> Result<()> {
    let dir = tempfile::tempdir()?;
    gray(&dir.path().join("a.png"), 3, 3, 0)?;
    std::fs::write(dir.path().join("notes.txt"), "not an image")?;
    std::fs::write(
        dir.path().join("broken.png"),
        [0x89, b'P', b'N', b'G', 1, 2, 3],
    )?;
    let err = load_folder(dir.path(), &FolderOptions::default()).unwrap_err();
    match &err {
        Error::Unreadable { path, .. } => assert!(path.ends_with("broken.png"), "{path:?}"),
        other => panic!("unexpected {other:?}"),
    }
    assert!(err.to_string().contains("broken.png"));
    // The hint names the CLI flag that skips such files.
    assert!(err.to_string().contains("--skip-unreadable"), "{err}");
    let opts = FolderOptions {
        skip_unreadable: true,
        ..Default::default()
    };
    let ds = load_folder(dir.path(), &opts)?;
    assert_eq!(ds.names().unwrap(), ["a.png"]);
    Ok(())
}

#[test]
fn empty_folder_is_an_error() -> Result<()> {
    let dir = tempfile::tempdir()?;
    std::fs::create_dir(dir.path().join("sub"))?;
    assert!(matches!(
        load_folder(dir.path(), &FolderOptions::default()),
        Err(Error::EmptyFolder { .. })
    ));
    // Only unreadable files, skipped: empty as well.
    std::fs::write(dir.path().join("x.txt"), "x")?;
    let opts = FolderOptions {
        skip_unreadable: true,
        ..Default::default()
    };
    assert!(matches!(
        load_folder(dir.path(), &opts),
        Err(Error::EmptyFolder { .. })
    ));
    Ok(())
}

#[test]
fn a_huge_resize_is_an_error_naming_the_size_not_an_abort() -> Result<()> {
    let dir = tempfile::tempdir()?;
    for i in 0..20 {
        gray(&dir.path().join(format!("{i:02}.png")), 2, 2, 0)?;
    }
    // 20 RGB images of 100000×100000 as f32 need 2.2 TiB: more than any machine running
    // these tests has, and refused before anything is decoded or allocated.
    let opts = FolderOptions {
        color: ColorMode::Rgb,
        resize: Some((100_000, 100_000)),
        ..Default::default()
    };
    let err = load_folder(dir.path(), &opts).unwrap_err();
    assert!(
        matches!(
            err,
            Error::TooLarge {
                n: 20,
                channels: 3,
                height: 100_000,
                width: 100_000,
                ..
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(message.contains("3×100000×100000"), "{message}");
    assert!(message.contains("2.2 TiB of memory"), "{message}");
    // Auto colour: refused as well (at least one channel per image).
    let auto = FolderOptions {
        resize: Some((100_000, 100_000)),
        ..Default::default()
    };
    assert!(matches!(
        load_folder(dir.path(), &auto),
        Err(Error::TooLarge { channels: 1, .. })
    ));
    Ok(())
}

/// A folder mixing 8-bit gray PNG, 16-bit gray PNG, RGBA PNG and RGB JPEG loads as RGB in
/// [0, 1]: gray replicated, 16-bit scaled by 65535, the alpha channel dropped.
#[test]
fn mixed_formats_depths_and_alpha_load_as_rgb() -> Result<()> {
    let dir = tempfile::tempdir()?;
    GrayImage::from_pixel(4, 4, image::Luma([51])).save(dir.path().join("a-gray8.png"))?;
    image::ImageBuffer::<image::Luma<u16>, Vec<u16>>::from_pixel(4, 4, image::Luma([13107]))
        .save(dir.path().join("b-gray16.png"))?;
    image::RgbaImage::from_pixel(4, 4, image::Rgba([255, 0, 0, 40]))
        .save(dir.path().join("c-rgba.png"))?;
    RgbImage::from_pixel(4, 4, image::Rgb([0, 0, 255])).save(dir.path().join("d-rgb.jpg"))?;
    let data = load_folder(dir.path(), &FolderOptions::default())?;
    assert_eq!(data.len(), 4);
    assert_eq!(data.shape().channels, 3);
    let pixel = |i: usize| {
        let images = data.images();
        [
            images[[i, 0, 1, 1]],
            images[[i, 1, 1, 1]],
            images[[i, 2, 1, 1]],
        ]
    };
    let close =
        |a: [f32; 3], b: [f32; 3], tol: f32| a.iter().zip(&b).all(|(x, y)| (x - y).abs() < tol);
    assert!(close(pixel(0), [0.2; 3], 1e-3), "{:?}", pixel(0));
    assert!(close(pixel(1), [0.2; 3], 1e-3), "{:?}", pixel(1));
    assert!(
        close(pixel(2), [1.0, 0.0, 0.0], 1e-3),
        "alpha dropped: {:?}",
        pixel(2)
    );
    // JPEG is lossy: near pure blue.
    assert!(close(pixel(3), [0.0, 0.0, 1.0], 0.05), "{:?}", pixel(3));
    Ok(())
}
