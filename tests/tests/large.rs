//! Large inputs from the command line: tiles of a field with known regions end to end
//! (positions in the table, maps and overlay, the report), crops of part images by masks
//! and by boxes, and every bad large input giving an error that names its file, before any
//! run folder is made.

use std::path::Path;

use anyhow::Result;
use mdec_tests::mdec;
use ndarray::{Array2, Array3};

/// A 64×96 field: noise on the left half, horizontal stripes on the right, plus a
/// top-to-bottom drift larger than either texture (so clustering by level would split the
/// field across the regions); and its region map (0 left, 1 right).
fn write_field(dir: &Path) -> Result<()> {
    let mut state = 7u64;
    let mut noise = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) % 1000) as f32 / 1000.0
    };
    let field = Array2::from_shape_fn((64, 96), |(y, x)| {
        let texture = if x < 48 {
            40.0 * noise()
        } else {
            40.0 * ((y / 2) % 2) as f32
        };
        1000.0 + 4.0 * y as f32 + texture
    });
    ndarray_npy::write_npy(dir.join("field.npy"), &field)?;
    let regions = Array2::from_shape_fn((64, 96), |(_, x)| i64::from(x >= 48));
    ndarray_npy::write_npy(dir.join("regions.npy"), &regions)?;
    Ok(())
}

/// A short run with the input's default preset.
fn run_args(out: &Path) -> Vec<String> {
    [
        "--epochs",
        "2",
        "--max-iter",
        "8",
        "--batch-size",
        "8",
        "--device",
        "cpu",
        "--out",
    ]
    .iter()
    .map(|s| s.to_string())
    .chain([out.display().to_string()])
    .collect()
}

#[test]
fn tiles_of_a_field_map_back_to_it() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    write_field(tmp.path())?;
    let run = tmp.path().join("run");
    let output = mdec()
        .arg("run")
        .arg("--tiles")
        .arg(tmp.path().join("field.npy"))
        .args(["--tile", "16", "--stride", "8", "--regions"])
        .arg(tmp.path().join("regions.npy"))
        .args(run_args(&run))
        .output()?;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // 7 rows × 11 columns of tiles.
    let table = std::fs::read_to_string(run.join("assignments.csv"))?;
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    assert_eq!(
        &header[..7],
        ["index", "source", "y", "x", "h", "w", "label"]
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 77);
    assert!(rows[0][1].ends_with("field.npy"));
    assert_eq!(
        &rows[12][2..6],
        ["8", "8", "16", "16"],
        "row 1, column 1 of the grid"
    );
    let labels = mdec_tests::csv_column(&run.join("assignments.csv"), "label")?;
    assert_eq!(
        labels.iter().filter(|&&l| l == 1).count(),
        7 * 5,
        "columns x >= 48 - 8"
    );
    let tiles: Array2<i32> = ndarray_npy::read_npy(run.join("maps/field.npy.tiles.npy"))?;
    let pixels: Array2<i32> = ndarray_npy::read_npy(run.join("maps/field.npy.labels.npy"))?;
    assert_eq!((tiles.dim(), pixels.dim()), ((7, 11), (64, 96)));
    assert!(
        pixels.iter().all(|&c| c == 0 || c == 1),
        "every pixel is covered"
    );
    assert!(run.join("maps/field.npy.overlay.png").is_file());
    // The default for tiles, `fields`, sees the textures and not the drift.
    let config = std::fs::read_to_string(run.join("config.json"))?;
    assert!(config.contains(r#""preset": "fields""#), "{config}");
    let clusters = mdec_tests::csv_column(&run.join("assignments.csv"), "cluster")?;
    let acc = mdec_metrics::evaluate(&labels, &clusters)?.acc;
    assert!(acc >= 0.9, "tile ACC {acc}");
    let report = std::fs::read_to_string(run.join("report.md"))?;
    assert!(report.contains("## Cluster maps") && report.contains("maps/field.npy.overlay.png"));
    Ok(())
}

/// Two 40×50 part images with two defects each, their masks, and the same defects as boxes.
fn write_parts(dir: &Path) -> Result<()> {
    for d in ["parts", "masks"] {
        std::fs::create_dir_all(dir.join(d))?;
    }
    let mut csv = String::from("file,x,y,w,h,label\n");
    for part in 0..2u32 {
        let boxes = [
            (5 + part, 6, 8, 5, "scratch"),
            (30, 20 + part, 6, 9, "spot"),
        ];
        let image = image::GrayImage::from_fn(50, 40, |x, y| {
            let inside = boxes
                .iter()
                .any(|&(bx, by, w, h, _)| (bx..bx + w).contains(&x) && (by..by + h).contains(&y));
            image::Luma([if inside { 30 } else { 120 + (x % 7) as u8 }])
        });
        let mask = image::GrayImage::from_fn(50, 40, |x, y| {
            let inside = boxes
                .iter()
                .any(|&(bx, by, w, h, _)| (bx..bx + w).contains(&x) && (by..by + h).contains(&y));
            image::Luma([if inside { 255 } else { 0 }])
        });
        image.save(dir.join(format!("parts/p{part}.png")))?;
        mask.save(dir.join(format!("masks/p{part}.png")))?;
        for (x, y, w, h, label) in boxes {
            csv.push_str(&format!("p{part}.png,{x},{y},{w},{h},{label}\n"));
        }
    }
    std::fs::write(dir.join("boxes.csv"), csv)?;
    Ok(())
}

#[test]
fn crops_by_masks_and_by_boxes_record_their_boxes() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    write_parts(tmp.path())?;
    for (flag, file, run) in [
        ("--masks", "masks", "by-masks"),
        ("--boxes", "boxes.csv", "by-boxes"),
    ] {
        let run = tmp.path().join(run);
        let output = mdec()
            .arg("run")
            .arg("--images")
            .arg(tmp.path().join("parts"))
            .arg(flag)
            .arg(tmp.path().join(file))
            .args(["--margin", "2", "--size", "16x16", "--clusters", "2"])
            .args(run_args(&run))
            .output()?;
        assert!(
            output.status.success(),
            "{flag}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let table = std::fs::read_to_string(run.join("assignments.csv"))?;
        let rows: Vec<Vec<String>> = table
            .lines()
            .skip(1)
            .map(|l| l.split(',').map(String::from).collect())
            .collect();
        assert_eq!(rows.len(), 4, "{flag}");
        // The first defect of p0: x 5..13, y 6..11, grown by 2.
        assert!(rows[0][1].ends_with("p0.png"));
        assert_eq!(rows[0][2..6], ["4", "3", "9", "12"], "{flag}: y, x, h, w");
        assert!(run.join("maps/p0.png.overlay.png").is_file(), "{flag}");
    }
    Ok(())
}

/// Runs `mdec run` with `args` (and a run folder that must not appear) and returns its
/// stderr, after checking it failed as bad input.
fn bad_run(tmp: &Path, args: &[&std::ffi::OsStr]) -> Result<String> {
    let run = tmp.join("never");
    let output = mdec().arg("run").args(args).args(run_args(&run)).output()?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(!run.exists(), "no run folder for bad input");
    Ok(stderr)
}

#[test]
fn bad_large_inputs_name_their_file() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let dir = tmp.path();
    write_field(dir)?;
    write_parts(dir)?;
    let field = dir.join("field.npy");
    let os = |s: &str| std::ffi::OsString::from(s);

    // A tile larger than the image.
    let err = bad_run(
        dir,
        &[
            os("--tiles").as_os_str(),
            field.as_os_str(),
            os("--tile").as_os_str(),
            os("80").as_os_str(),
        ],
    )?;
    assert!(
        err.contains("field.npy") && err.contains("larger than the image"),
        "{err}"
    );

    // A mask of another size, and an empty one.
    let small = dir.join("small-mask.npy");
    ndarray_npy::write_npy(&small, &Array2::<u8>::ones((64, 95)))?;
    let err = bad_run(
        dir,
        &[
            os("--tiles").as_os_str(),
            field.as_os_str(),
            os("--tile-masks").as_os_str(),
            small.as_os_str(),
        ],
    )?;
    assert!(
        err.contains("small-mask.npy") && err.contains("64×95") && err.contains("64×96"),
        "{err}"
    );
    let empty = dir.join("empty-mask.npy");
    ndarray_npy::write_npy(&empty, &Array2::<u8>::zeros((64, 96)))?;
    let err = bad_run(
        dir,
        &[
            os("--tiles").as_os_str(),
            field.as_os_str(),
            os("--tile-masks").as_os_str(),
            empty.as_os_str(),
        ],
    )?;
    assert!(
        err.contains("empty-mask.npy") && err.contains("no pixels set"),
        "{err}"
    );

    // A 2-D .npy of integers with negative values as a region map.
    let negative = dir.join("negative.npy");
    let mut values = Array2::<i32>::zeros((64, 96));
    values[[3, 4]] = -2;
    ndarray_npy::write_npy(&negative, &values)?;
    let err = bad_run(
        dir,
        &[
            os("--tiles").as_os_str(),
            field.as_os_str(),
            os("--regions").as_os_str(),
            negative.as_os_str(),
        ],
    )?;
    assert!(err.contains("negative.npy") && err.contains("-2"), "{err}");

    // A FITS file without image data: a primary header with NAXIS = 0 only.
    let fits = dir.join("empty.fits");
    let mut header = String::new();
    for card in [
        "SIMPLE  =                    T",
        "BITPIX  =                    8",
        "NAXIS   =                    0",
        "END",
    ] {
        header.push_str(&format!("{card:<80}"));
    }
    std::fs::write(&fits, format!("{header:<2880}"))?;
    let err = bad_run(dir, &[os("--tiles").as_os_str(), fits.as_os_str()])?;
    assert!(
        err.contains("empty.fits") && err.contains("no image data"),
        "{err}"
    );

    // A box outside its image (the parts are 50 wide).
    let boxes = dir.join("outside.csv");
    std::fs::write(&boxes, "file,x,y,w,h\np0.png,45,2,10,4\n")?;
    let parts = dir.join("parts");
    let err = bad_run(
        dir,
        &[
            os("--images").as_os_str(),
            parts.as_os_str(),
            os("--boxes").as_os_str(),
            boxes.as_os_str(),
        ],
    )?;
    assert!(
        err.contains("outside.csv") && err.contains("p0.png"),
        "{err}"
    );

    // A 3-D cube whose tiles are read as channels: a wrong plane axis is refused.
    let cube = dir.join("cube.npy");
    ndarray_npy::write_npy(&cube, &Array3::<f32>::zeros((3, 32, 32)))?;
    let err = bad_run(
        dir,
        &[
            os("--tiles").as_os_str(),
            cube.as_os_str(),
            os("--plane-axis").as_os_str(),
            os("1").as_os_str(),
        ],
    )?;
    assert!(err.contains("cube.npy"), "{err}");
    Ok(())
}
