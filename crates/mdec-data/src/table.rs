//! Tables of numbers a user needs (per-epoch losses, per-interval metrics, assignments),
//! written as both CSV (for people and spreadsheets) and Parquet (for dataframes).
//!
//! Both files are written with [`crate::atomic::write_file`] (a temporary name, then a
//! rename), so an interrupted run never leaves a half-written table where a complete one
//! was.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::atomic;

use polars::prelude::{
    CsvReadOptions, CsvWriter, DataFrame, ParquetReader, ParquetWriter, SerReader, SerWriter,
};

use crate::error::{Error, Result};

/// The two formats of a table file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableFormat {
    /// Comma-separated text with a header row.
    Csv,
    /// Apache Parquet.
    Parquet,
}

impl TableFormat {
    /// The format a path's extension names (`.csv`, `.parquet`, any case).
    pub fn of(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "parquet" => Some(Self::Parquet),
            _ => None,
        }
    }
}

/// Writes `df` as `<dir>/<stem>.csv` and `<dir>/<stem>.parquet`, each atomically, and returns
/// the two paths.
pub fn write_table(df: &mut DataFrame, dir: &Path, stem: &str) -> Result<[PathBuf; 2]> {
    std::fs::create_dir_all(dir).map_err(|source| Error::io(dir, source))?;
    let paths = [
        dir.join(format!("{stem}.csv")),
        dir.join(format!("{stem}.parquet")),
    ];
    for path in &paths {
        write_file(df, path)?;
    }
    Ok(paths)
}

/// Writes `df` to `path` atomically, as CSV or Parquet by its extension.
///
/// # Errors
/// [`Error::NotATable`] for a path that names neither format, [`Error::Table`] for a frame
/// polars cannot write, [`Error::Io`] when the file cannot be written.
pub fn write_file(df: &mut DataFrame, path: &Path) -> Result<()> {
    let format = TableFormat::of(path).ok_or_else(|| Error::NotATable {
        path: path.to_path_buf(),
    })?;
    match format {
        TableFormat::Csv => write_atomic(path, |file| CsvWriter::new(file).finish(df)),
        TableFormat::Parquet => {
            write_atomic(path, |file| ParquetWriter::new(file).finish(df).map(drop))
        }
    }
}

/// Reads a table written by [`write_table`] (or any CSV with a header, or Parquet file),
/// choosing the format by the file's extension.
pub fn read_table(path: &Path) -> Result<DataFrame> {
    let table_error = |source| Error::Table {
        path: path.to_path_buf(),
        source,
    };
    if TableFormat::of(path) == Some(TableFormat::Parquet) {
        let file = File::open(path).map_err(|source| Error::io(path, source))?;
        ParquetReader::new(file).finish().map_err(table_error)
    } else {
        CsvReadOptions::default()
            .with_has_header(true)
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|reader| reader.finish())
            .map_err(table_error)
    }
}

/// Writes one table file through [`atomic::write_file`].
fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut File) -> polars::prelude::PolarsResult<()>,
) -> Result<()> {
    atomic::write_file(path, |tmp: &Path| {
        let mut file = File::create(tmp).map_err(|source| Error::io(path, source))?;
        write(&mut file).map_err(|source| Error::Table {
            path: path.to_path_buf(),
            source,
        })
    })
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::*;

    #[test]
    fn one_file_is_written_in_the_format_its_extension_names() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let mut df = df!("cluster" => [0u32, 1, 1])?;
        for name in ["a.csv", "a.PARQUET"] {
            let path = dir.path().join(name);
            write_file(&mut df, &path)?;
            assert!(read_table(&path)?.equals(&df), "{name}");
        }
        let err = write_file(&mut df, &dir.path().join("a.txt")).unwrap_err();
        assert!(matches!(err, Error::NotATable { .. }), "{err}");
        assert!(!dir.path().join("a.txt").exists());
        Ok(())
    }

    #[test]
    fn csv_and_parquet_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let mut df = df!(
            "epoch" => [1u32, 2, 3],
            "train_loss" => [0.5f64, 0.25, 0.125],
        )
        .unwrap();
        let [csv, parquet] = write_table(&mut df, dir.path(), "pretrain").unwrap();
        assert!(read_table(&parquet).unwrap().equals(&df));
        let from_csv = read_table(&csv).unwrap();
        assert_eq!(from_csv.shape(), (3, 2));
        let loss = from_csv.column("train_loss").unwrap().f64().unwrap();
        assert_eq!(loss.get(2), Some(0.125));
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "no temporary files left: {names:?}");
    }

    #[test]
    fn a_missing_table_is_an_error_naming_the_file() {
        let err = read_table(Path::new("/nonexistent/cluster.parquet")).unwrap_err();
        assert!(
            err.to_string().contains("/nonexistent/cluster.parquet"),
            "{err}"
        );
    }
}
