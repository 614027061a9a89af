//! Writing the metrics table as CSV and Parquet, each through a temporary file and a
//! rename. A stand-in for `mdec_data::table::write_table`, which `mdec-data` did not export
//! yet when this crate was written; same file names and behaviour.

use std::fs::File;
use std::path::{Path, PathBuf};

use polars::prelude::{CsvWriter, DataFrame, ParquetWriter, PolarsResult, SerWriter};

use crate::error::{Error, Result};

/// Writes `df` as `<dir>/<stem>.csv` and `<dir>/<stem>.parquet` and returns both paths.
pub(crate) fn write_table(df: &mut DataFrame, dir: &Path, stem: &str) -> Result<[PathBuf; 2]> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let csv = dir.join(format!("{stem}.csv"));
    write_atomic(&csv, |f| CsvWriter::new(f).finish(df))?;
    let parquet = dir.join(format!("{stem}.parquet"));
    write_atomic(&parquet, |f| ParquetWriter::new(f).finish(df).map(drop))?;
    Ok([csv, parquet])
}

fn write_atomic(path: &Path, write: impl FnOnce(&mut File) -> PolarsResult<()>) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut file = File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
    write(&mut file)?;
    file.sync_all().map_err(|e| Error::io(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| Error::io(path, e))
}
