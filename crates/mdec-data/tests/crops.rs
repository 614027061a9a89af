//! Crops of part images from masks and box files: positions, exact cuts, resizing, labels
//! and the errors that name the offending file.

use std::path::{Path, PathBuf};

use anyhow::Result;
use mdec_data::crops::{AnnotatedBox, Bbox, Crops, mask_boxes, pair_by_stem, read_boxes};
use mdec_data::{Error, Raster, Source};
use ndarray::{Array2, Array3, s};

/// A 2×40×50 raster whose every value is distinct.
fn part(name: &str) -> Raster {
    Raster {
        name: name.to_owned(),
        values: Array3::from_shape_fn((2, 40, 50), |(c, y, x)| {
            (c * 10_000 + y * 100 + x) as f32 - 500.0
        }),
    }
}

/// Sets the pixels of `pixels` in a 40×50 mask to `value`.
fn set(mask: &mut Array2<u32>, pixels: &[(usize, usize)], value: u32) {
    for &p in pixels {
        mask[p] = value;
    }
}

/// Three components: a diagonal (8-connected) pair of strokes, an L touching the top-left
/// border, and a blob touching the right border; each pixel list is one component.
fn components() -> Vec<Vec<(usize, usize)>> {
    vec![
        vec![(0, 0), (0, 1), (1, 0), (2, 0)],
        vec![(10, 20), (11, 21), (12, 22), (12, 23), (13, 23)],
        vec![(30, 47), (30, 48), (30, 49), (31, 49), (33, 49), (32, 48)],
    ]
}

/// The bounding box of `pixels`, grown by `margin` and clipped to 40×50.
fn expected_box(pixels: &[(usize, usize)], margin: usize) -> Bbox {
    let top = pixels.iter().map(|p| p.0).min().unwrap_or(0);
    let left = pixels.iter().map(|p| p.1).min().unwrap_or(0);
    let bottom = pixels.iter().map(|p| p.0 + 1).max().unwrap_or(0);
    let right = pixels.iter().map(|p| p.1 + 1).max().unwrap_or(0);
    let (y, x) = (top.saturating_sub(margin), left.saturating_sub(margin));
    Bbox {
        y,
        x,
        h: (bottom + margin).min(40) - y,
        w: (right + margin).min(50) - x,
    }
}

fn bad_input(result: Result<Crops, Error>) -> (PathBuf, String) {
    match result {
        Err(Error::BadInput { path, reason }) => (path, reason),
        other => panic!("expected BadInput, got {other:?}"),
    }
}

#[test]
fn mask_crops_round_trip() -> Result<()> {
    let comps = components();
    let mut mask = Array2::<u32>::zeros((40, 50));
    // Different non-zero values inside one component still make one component.
    for (k, pixels) in comps.iter().enumerate() {
        set(&mut mask, pixels, k as u32 + 1);
    }
    mask[[12, 22]] = 7;
    let margin = 4;
    assert_eq!(
        mask_boxes(&mask, margin),
        comps
            .iter()
            .map(|c| expected_box(c, margin))
            .collect::<Vec<_>>()
    );

    let raster = part("parts/a.png");
    let crops = Crops::from_masks(
        vec![raster.clone()],
        vec![(PathBuf::from("masks/a.png"), mask)],
        margin,
        (16, 12),
    )?;
    assert_eq!(crops.len(), 3);
    assert_eq!(crops.shape().numel(), 2 * 16 * 12);
    for (i, pixels) in comps.iter().enumerate() {
        let p = crops.position(i);
        let b = expected_box(pixels, margin);
        assert_eq!(p.source, "parts/a.png");
        assert_eq!((p.y, p.x, p.h, p.w), (b.y, b.x, b.h, b.w));
        assert_eq!(
            crops.cut(i),
            raster.values.slice(s![.., p.y..p.y + p.h, p.x..p.x + p.w])
        );
        assert!(
            pixels
                .iter()
                .all(|&(y, x)| (p.y..p.y + p.h).contains(&y) && (p.x..p.x + p.w).contains(&x))
        );
        assert_eq!(crops.label(i), None);
    }
    assert_eq!(crops.gather(&[0, 1, 2]).dim(), (3, 2, 16, 12));

    // At its own size a crop comes back exactly, values outside [0, 1] included.
    let own = crops.position(1);
    let same = Crops::from_masks(
        vec![raster.clone()],
        vec![(PathBuf::from("masks/a.png"), {
            let mut m = Array2::zeros((40, 50));
            set(&mut m, &comps[1], 1);
            m
        })],
        margin,
        (own.h, own.w),
    )?;
    let batch = same.gather(&[0, 0]);
    assert_eq!(batch.dim(), (2, 2, own.h, own.w));
    assert_eq!(batch.slice(s![1, .., .., ..]), crops.cut(1));

    // Resizing a constant crop keeps the constant.
    let flat = Raster {
        name: "flat".into(),
        values: Array3::from_elem((1, 40, 50), 300.0),
    };
    let mut m = Array2::zeros((40, 50));
    set(&mut m, &comps[2], 1);
    let resized = Crops::from_masks(vec![flat], vec![("m".into(), m)], 4, (5, 9))?.gather(&[0]);
    assert!(resized.iter().all(|&v| (v - 300.0).abs() < 1e-3));
    Ok(())
}

/// The same boxes as COCO (with fractional coordinates) and as CSV.
fn write_box_files(dir: &Path) -> Result<(PathBuf, PathBuf)> {
    let coco = dir.join("boxes.json");
    std::fs::write(
        &coco,
        r#"{
          "info": {"description": "test"},
          "images": [
            {"id": 7, "file_name": "a.png", "width": 50, "height": 40},
            {"id": 9, "file_name": "sub/b.png"}
          ],
          "annotations": [
            {"id": 1, "image_id": 7, "bbox": [3.4, 5.0, 10.2, 4.6], "category_id": 2, "iscrowd": 0},
            {"id": 2, "image_id": 9, "bbox": [0, 0, 50, 40], "category_id": 1},
            {"id": 3, "image_id": 7, "bbox": [40.0, 30.5, 9.5, 9.0], "category_id": 2}
          ],
          "categories": [{"id": 1, "name": "scratch"}, {"id": 2, "name": "dent"}]
        }"#,
    )?;
    let csv = dir.join("boxes.csv");
    std::fs::write(
        &csv,
        "file, x, y, w, h, label\n\
         a.png, 3, 5, 11, 5, dent\n\
         ./sub/b.png, 0, 0, 50, 40, scratch\n\
         \n\
         a.png, 40, 30, 10, 10, dent\n",
    )?;
    Ok((coco, csv))
}

#[test]
fn box_files_round_trip() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let (coco, csv) = write_box_files(dir.path())?;
    let from_coco = read_boxes(&coco)?;
    let from_csv = read_boxes(&csv)?;
    // Floor x, y; ceil x + w, y + h.
    assert_eq!(
        from_coco[0],
        AnnotatedBox {
            file: "a.png".into(),
            y: 5,
            x: 3,
            h: 5,
            w: 11,
            label: Some("dent".into())
        }
    );
    assert_eq!(
        from_coco[2].bbox(),
        Bbox {
            y: 30,
            x: 40,
            h: 10,
            w: 10
        }
    );
    assert_eq!(from_csv[1].file, "./sub/b.png");

    let parts = || vec![part("data/parts/a.png"), part("data/parts/sub/b.png")];
    let margin = 2;
    let a = Crops::from_boxes(parts(), from_coco, &coco, margin, (8, 8))?;
    let b = Crops::from_boxes(parts(), from_csv, &csv, margin, (8, 8))?;
    assert_eq!(a.len(), 3);
    assert_eq!(
        a.class_names(),
        Some(&["dent".to_owned(), "scratch".to_owned()][..])
    );
    assert_eq!(b.class_names(), a.class_names());
    let sources = parts();
    for i in 0..3 {
        assert_eq!(a.position(i), b.position(i));
        assert_eq!(a.label(i), b.label(i));
        let p = a.position(i);
        let raster = sources.iter().find(|r| r.name == p.source).expect("a part");
        assert_eq!(
            a.cut(i),
            raster.values.slice(s![.., p.y..p.y + p.h, p.x..p.x + p.w])
        );
    }
    assert_eq!(
        (0..3).map(|i| a.label(i)).collect::<Vec<_>>(),
        [Some(0), Some(1), Some(0)]
    );
    // Grown by the margin, then clipped.
    let p = a.position(0);
    assert_eq!(
        (p.source.as_str(), p.y, p.x, p.h, p.w),
        ("data/parts/a.png", 3, 1, 9, 15)
    );
    let p = a.position(2);
    assert_eq!((p.y, p.x, p.h, p.w), (28, 38, 12, 12));
    assert_eq!(a.gather(&[0, 1, 2]), b.gather(&[0, 1, 2]));
    let dataset = a.to_dataset()?;
    assert_eq!(dataset.labels(), Some(&[0, 1, 0][..]));
    Ok(())
}

#[test]
fn pairing_by_stem() -> Result<()> {
    let images = [PathBuf::from("img/a.png"), PathBuf::from("img/b.tif")];
    let masks = [
        PathBuf::from("m/b.npy"),
        PathBuf::from("m/a.png"),
        PathBuf::from("m/c.png"),
    ];
    let pairs = pair_by_stem(&images, &masks)?;
    assert_eq!(pairs[1], (images[1].clone(), masks[0].clone()));
    match pair_by_stem(&images, &masks[..1]) {
        Err(Error::BadInput { path, .. }) => assert_eq!(path, images[0]),
        other => panic!("expected BadInput, got {other:?}"),
    }
    Ok(())
}

#[test]
fn mask_errors() {
    let other_size = Array2::<u32>::ones((30, 50));
    let (path, reason) = bad_input(Crops::from_masks(
        vec![part("a.png")],
        vec![("masks/a_mask.png".into(), other_size)],
        0,
        (8, 8),
    ));
    assert_eq!(path, Path::new("masks/a_mask.png"));
    assert_eq!(reason, "mask is 30×50 but its image a.png is 40×50");

    let (path, reason) = bad_input(Crops::from_masks(
        vec![part("a.png")],
        vec![("masks/empty.png".into(), Array2::zeros((40, 50)))],
        0,
        (8, 8),
    ));
    assert_eq!(path, Path::new("masks/empty.png"));
    assert_eq!(reason, "the mask has no pixels set: no crops");
}

#[test]
fn box_errors() -> Result<()> {
    let dir = tempfile::tempdir()?;
    let boxes_path = dir.path().join("boxes.csv");
    let one = |file: &str, x, y, w, h| AnnotatedBox {
        file: file.into(),
        y,
        x,
        h,
        w,
        label: None,
    };

    let (path, reason) = bad_input(Crops::from_boxes(
        vec![part("parts/a.png")],
        vec![one("a.png", 45, 10, 6, 5)],
        &boxes_path,
        0,
        (8, 8),
    ));
    assert_eq!(path, boxes_path);
    assert!(reason.contains("a.png (x 45, y 10, w 6, h 5)"), "{reason}");
    assert!(reason.contains("40×50"), "{reason}");

    let (path, reason) = bad_input(Crops::from_boxes(
        vec![part("parts/a.png")],
        vec![one("a.png", 0, 0, 4, 4), one("ba.png", 0, 0, 4, 4)],
        &boxes_path,
        0,
        (8, 8),
    ));
    assert_eq!(path, boxes_path);
    assert!(reason.contains("ba.png (x 0, y 0, w 4, h 4)"), "{reason}");

    std::fs::write(
        &boxes_path,
        "file,x,y,w,h\na.png,1,2,3,4\na.png,1,2.5,3,4\n",
    )?;
    match read_boxes(&boxes_path) {
        Err(Error::BadInput { path, reason }) => {
            assert_eq!(path, boxes_path);
            assert!(
                reason.starts_with("line 3: y is not an integer"),
                "{reason}"
            );
        }
        other => panic!("expected BadInput, got {other:?}"),
    }
    for (text, start) in [
        ("file,x,y,w\na.png,1,2,3\n", "line 1: missing column h"),
        (
            "file,x,y,w,h\na.png,1,2,0,4\n",
            "line 2: w must be positive",
        ),
        (
            "file,x,y,w,h\na.png,-1,2,3,4\n",
            "line 2: x must be non-negative",
        ),
        ("file,x,y,w,h\n\na.png,1,2,3\n", "line 3: 4 fields"),
    ] {
        std::fs::write(&boxes_path, text)?;
        let message = read_boxes(&boxes_path).expect_err(text).to_string();
        assert!(message.contains(start), "{message}");
    }

    let coco = dir.path().join("boxes.json");
    std::fs::write(
        &coco,
        r#"{"images": [{"id": 1, "file_name": "a.png"}],
            "annotations": [{"image_id": 1, "bbox": [0, 0, 1, 1]},
                            {"image_id": 2, "bbox": [0, 0, 1, 1]}]}"#,
    )?;
    let message = read_boxes(&coco).expect_err("unknown image").to_string();
    assert!(
        message.contains("boxes.json: annotations[1]: image_id 2"),
        "{message}"
    );
    Ok(())
}
