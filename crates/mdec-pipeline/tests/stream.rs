//! Streaming prediction over tiles: a tiny run on the tiles of a small field, then
//! [`predict::stream`] with chunks smaller than the tile count gives the run's own table
//! (same rows, positions, labels and clusters) and the cluster maps.

use std::path::Path;

use anyhow::{Context, Result};
use mdec_cluster::Preset;
use mdec_data::RasterOptions;
use mdec_data::table::read_table;
use mdec_data::tiles::{Edge, TileGrid};
use mdec_pipeline::predict::{self, Predictor};
use mdec_pipeline::{Clusters, Command, Input, Run, RunSpec, SettingsSpec, Status};
use ndarray::Array2;
use polars::prelude::{DataFrame, DataType};

/// A 48×48 field of three region kinds (bright, striped, dark) in vertical bands, with its
/// region map, as `.npy` files in `dir`.
fn write_field(dir: &Path) -> Result<Input> {
    let kind = |x: usize| x / 16; // bands of 16 columns
    let field = Array2::from_shape_fn((48, 48), |(y, x)| match kind(x) {
        0 => 0.9 - 0.01 * ((x * 7 + y * 3) % 5) as f32,
        1 => {
            if y % 4 < 2 {
                0.8
            } else {
                0.1
            }
        }
        _ => 0.05 + 0.01 * ((x + y) % 3) as f32,
    });
    let regions = Array2::from_shape_fn((48, 48), |(_, x)| kind(x) as i64);
    let file = dir.join("field.npy");
    let regions_file = dir.join("regions.npy");
    ndarray_npy::write_npy(&file, &field)?;
    ndarray_npy::write_npy(&regions_file, &regions)?;
    Ok(Input::Tiles {
        files: vec![file],
        grid: TileGrid {
            size: 8,
            stride: 4,
            edge: Edge::Drop,
            context: 0,
        },
        raster: RasterOptions::default(),
        stretch: None,
        masks: Vec::new(),
        regions: vec![regions_file],
    })
}

/// The column `name` of `frame` as `u64`s.
fn ints(frame: &DataFrame, name: &str) -> Result<Vec<u64>> {
    Ok(frame
        .column(name)?
        .cast(&DataType::UInt64)?
        .u64()?
        .into_no_null_iter()
        .collect())
}

/// The column `name` of `frame` as `f64`s.
fn floats(frame: &DataFrame, name: &str) -> Result<Vec<f64>> {
    Ok(frame
        .column(name)?
        .cast(&DataType::Float64)?
        .f64()?
        .into_no_null_iter()
        .collect())
}

#[test]
fn streamed_prediction_of_tiles_equals_the_runs_assignments() -> Result<()> {
    let tmp = tempfile::tempdir()?;
    let input = write_field(tmp.path())?;
    let run_dir = tmp.path().join("run");
    let mut spec = RunSpec::new(Command::Run, input.clone(), run_dir.clone());
    spec.settings = SettingsSpec {
        preset: Some(Preset::Dec),
        clusters: Some(Clusters::Fixed(3)),
        epochs: Some(1),
        max_iter: Some(10),
        batch_size: Some(16),
        seed: Some(1),
        ..SettingsSpec::default()
    };
    spec.device = mdec_ae::DeviceChoice::Cpu;
    let outcome = Run::prepare(spec)?.execute(Vec::new(), mdec_ae::StopFlag::new())?;
    assert_eq!(outcome.status, Status::Finished);

    let dir = predict::model_dir(&run_dir)?;
    let predictor = Predictor::load(&dir, None, tch::Device::Cpu)?;
    let source = input.source()?.context("tiles have a source")?;
    let n = source.len();
    assert_eq!(n, 11 * 11);
    let out = tmp.path().join("streamed.csv");
    // 121 tiles in chunks of 50: two full chunks and a partial one.
    let summary = predict::stream(&predictor, source.as_ref(), &out, 50)?;
    assert_eq!(summary.samples, n);
    assert_eq!(summary.cluster_sizes.iter().sum::<usize>(), n);
    assert!(summary.scores.is_some(), "the region map labels every tile");

    let ours = read_table(&out)?;
    let theirs = read_table(&run_dir.join("assignments.csv"))?;
    let names = |f: &DataFrame| -> Vec<String> {
        f.get_column_names().iter().map(|s| s.to_string()).collect()
    };
    assert_eq!(names(&ours), names(&theirs));
    assert_eq!(ours.height(), n);
    for column in ["index", "y", "x", "h", "w", "label", "cluster"] {
        assert_eq!(ints(&ours, column)?, ints(&theirs, column)?, "{column}");
    }
    assert_eq!(
        ours.column("source")?.as_materialized_series(),
        theirs.column("source")?.as_materialized_series()
    );
    for j in 0..3 {
        let column = format!("q_{j}");
        for (a, b) in floats(&ours, &column)?
            .iter()
            .zip(floats(&theirs, &column)?)
        {
            assert!((a - b).abs() < 1e-4, "{column}: {a} against {b}");
        }
    }

    let maps = summary.maps.context("tiles have maps")?;
    assert_eq!(maps, tmp.path().join("streamed.maps"));
    for file in [
        "field.npy.labels.npy",
        "field.npy.tiles.npy",
        "field.npy.overlay.png",
    ] {
        assert!(maps.join(file).is_file(), "{file}");
    }
    let tiles: Array2<i32> = ndarray_npy::read_npy(maps.join("field.npy.tiles.npy"))?;
    assert_eq!(tiles.dim(), (11, 11));
    let clusters = ints(&ours, "cluster")?;
    // Tiles are numbered row by row.
    assert!(tiles.iter().zip(&clusters).all(|(&t, &c)| t as u64 == c));
    // Nothing half-written is left behind.
    let mut left: Vec<String> = std::fs::read_dir(tmp.path())?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<std::io::Result<_>>()?;
    left.sort();
    assert_eq!(
        left,
        [
            "field.npy",
            "regions.npy",
            "run",
            "streamed.csv",
            "streamed.maps"
        ]
    );
    Ok(())
}
