//! Maps back to the inputs of tiles and crops: the position columns of an assignments
//! table, and per input a cluster map at tile resolution (`NAME.tiles.npy`, −1 where no
//! tile was kept), a full-resolution label image by overlap vote (`NAME.labels.npy`, −1
//! where no sample lies) and the label image over the input (`NAME.overlay.png`).

use std::path::{Path, PathBuf};

use mdec_data::Source;
use mdec_data::maps::{ClusterMaps, InputMap};
use polars::prelude::{Column, DataFrame, NamedFrom, Series};

use crate::error::{Error, Result};

/// The ending of an input's overlay picture in a maps folder: `NAME.overlay.png`.
pub const OVERLAY_SUFFIX: &str = ".overlay.png";

/// The files of one input's maps in `dir`: its overlay first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapFiles {
    /// `NAME.overlay.png`.
    pub overlay: PathBuf,
    /// `NAME.labels.npy`.
    pub labels: PathBuf,
    /// `NAME.tiles.npy`, for a tile grid.
    pub tiles: Option<PathBuf>,
}

/// Adds the columns `source`, `y`, `x`, `h`, `w` of samples `indices` of `source` to
/// `frame` (one row per index).
///
/// # Errors
/// [`Error::Table`] when polars rejects a column.
pub fn add_positions(frame: &mut DataFrame, source: &dyn Source, indices: &[usize]) -> Result<()> {
    let positions: Vec<_> = indices.iter().map(|&i| source.position(i)).collect();
    let ints = |f: fn(&mdec_data::Position) -> usize| -> Vec<u64> {
        positions.iter().map(|p| f(p) as u64).collect()
    };
    let columns: Vec<Column> = vec![
        Series::new(
            "source".into(),
            positions
                .iter()
                .map(|p| p.source.as_str())
                .collect::<Vec<_>>(),
        )
        .into(),
        Series::new("y".into(), ints(|p| p.y)).into(),
        Series::new("x".into(), ints(|p| p.x)).into(),
        Series::new("h".into(), ints(|p| p.h)).into(),
        Series::new("w".into(), ints(|p| p.w)).into(),
    ];
    for (at, column) in columns.into_iter().enumerate() {
        frame
            .insert_column(1 + at, column)
            .map_err(|source| Error::Table {
                path: "assignments".into(),
                source,
            })?;
    }
    Ok(())
}

/// Writes the maps of every input into `dir` (created if missing); returns their files in
/// input order.
///
/// # Errors
/// I/O and drawing errors.
pub fn write_maps(dir: &Path, source: &dyn Source, maps: Vec<InputMap>) -> Result<Vec<MapFiles>> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, "cannot create", e))?;
    let mut written = Vec::with_capacity(maps.len());
    for (index, map) in maps.into_iter().enumerate() {
        let stem = file_stem(&map.name);
        let files = MapFiles {
            overlay: dir.join(format!("{stem}{OVERLAY_SUFFIX}")),
            labels: dir.join(format!("{stem}.labels.npy")),
            tiles: map
                .tiles
                .as_ref()
                .map(|_| dir.join(format!("{stem}.tiles.npy"))),
        };
        crate::layout::write_npy(&files.labels, &map.labels)?;
        if let (Some(path), Some(tiles)) = (&files.tiles, &map.tiles) {
            crate::layout::write_npy(path, tiles)?;
        }
        if let Some(input) = source.input(index) {
            let total = map.pixels.iter().sum::<usize>().max(1) as f64;
            let legend: Vec<String> = map
                .pixels
                .iter()
                .enumerate()
                .map(|(c, &n)| format!("cluster {c}: {:.1}%", 100.0 * n as f64 / total))
                .collect();
            mdec_viz::cluster_overlay(
                input.values.view(),
                map.labels.view(),
                &legend,
                &files.overlay,
            )?;
        }
        written.push(files);
    }
    Ok(written)
}

/// Empty maps of `source` for `k` clusters, filled from `cluster` and `confidence` (one per
/// sample, in order).
pub fn maps_of(
    source: &dyn Source,
    k: usize,
    cluster: &[usize],
    confidence: &[f32],
) -> Option<Vec<InputMap>> {
    let mut maps = ClusterMaps::new(source, k)?;
    let all: Vec<usize> = (0..cluster.len()).collect();
    maps.record(source, &all, cluster, confidence);
    Some(maps.finish())
}

/// A file name for an input's maps: its file name, with a plane (`#2`) kept as `-2`.
fn file_stem(name: &str) -> String {
    let (path, plane) = match name.rsplit_once('#') {
        Some((path, plane)) => (path, Some(plane)),
        None => (name, None),
    };
    let stem = Path::new(path)
        .file_name()
        .map_or_else(|| "input".to_owned(), |n| n.to_string_lossy().into_owned());
    match plane {
        Some(plane) => format!("{stem}-{plane}"),
        None => stem,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_keep_the_file_name_and_the_plane() {
        assert_eq!(file_stem("data/field.fits"), "field.fits");
        assert_eq!(file_stem("cube.tif#2"), "cube.tif-2");
    }
}
