//! Tables of numbers a user needs (per-epoch losses, per-interval metrics, assignments),
//! written as both CSV (for people and spreadsheets) and Parquet (for dataframes).
//!
//! Both files are written to a temporary name and renamed, so an interrupted run never leaves a
//! half-written table where a complete one was.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::{
    CsvReadOptions, CsvWriter, DataFrame, ParquetReader, ParquetWriter, SerReader, SerWriter,
};

use crate::error::{Error, Result};

/// Writes `df` as `<dir>/<stem>.csv` and `<dir>/<stem>.parquet`, each atomically, and returns
/// the two paths.
pub fn write_table(df: &mut DataFrame, dir: &Path, stem: &str) -> Result<[PathBuf; 2]> {
    std::fs::create_dir_all(dir).map_err(|source| Error::io(dir, source))?;
    let csv = dir.join(format!("{stem}.csv"));
    write_atomic(&csv, |file| CsvWriter::new(file).finish(df))?;
    let parquet = dir.join(format!("{stem}.parquet"));
    write_atomic(&parquet, |file| {
        ParquetWriter::new(file).finish(df).map(drop)
    })?;
    Ok([csv, parquet])
}

/// Reads a table written by [`write_table`] (or any CSV with a header, or Parquet file),
/// choosing the format by the file's extension.
pub fn read_table(path: &Path) -> Result<DataFrame> {
    let table_error = |source| Error::Table {
        path: path.to_path_buf(),
        source,
    };
    if path.extension().is_some_and(|ext| ext == "parquet") {
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

fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut File) -> polars::prelude::PolarsResult<()>,
) -> Result<()> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".tmp");
    let tmp = PathBuf::from(tmp_name);
    let io_error = |source| Error::io(path, source);
    let mut file = File::create(&tmp).map_err(io_error)?;
    write(&mut file).map_err(|source| Error::Table {
        path: path.to_path_buf(),
        source,
    })?;
    file.sync_all().map_err(io_error)?;
    std::fs::rename(&tmp, path).map_err(io_error)
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::*;

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
