//! `mdec predict`: assigns new data with a saved model and writes the assignments (name,
//! label when known, cluster, confidence, q) as CSV or Parquet.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use mdec_ae::{AeModel, DeviceChoice, TorchScriptEncoder};
use mdec_cluster::{Assignments, ClusterMeta, Dec, EncoderOnly};
use polars::prelude::{CsvWriter, DataFrame, ParquetWriter, SerWriter};

use crate::BadInput;
use crate::args::DataArgs;
use crate::rundir;

/// The TorchScript encoder a `--encoder` clustering keeps inside its model folder.
pub const ENCODER_FILE: &str = "encoder.pt";

/// Arguments of `mdec predict`.
#[derive(clap::Args, Debug)]
pub struct PredictArgs {
    /// A run folder (its `model/` is used) or a model folder.
    #[arg(long)]
    pub model: PathBuf,
    #[command(flatten)]
    pub data: DataArgs,
    /// Where the assignments go: a .csv or .parquet file.
    #[arg(long, value_parser = parse_table_path)]
    pub out: PathBuf,
    /// The TorchScript encoder of an encoder-only model that does not hold its own
    /// `encoder.pt`.
    #[arg(long)]
    pub encoder: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub force: bool,
    /// Device: cpu, cuda, cuda:N or auto.
    #[arg(long, default_value = "auto")]
    pub device: String,
}

/// Accepts a path ending in `.csv` or `.parquet`.
pub fn parse_table_path(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    match table_format(&path) {
        Some(_) => Ok(path),
        None => Err(format!("expected a .csv or .parquet file, got {text:?}")),
    }
}

/// Table formats of an output file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableFormat {
    Csv,
    Parquet,
}

/// The format a path's extension names.
pub fn table_format(path: &Path) -> Option<TableFormat> {
    match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
        "csv" => Some(TableFormat::Csv),
        "parquet" => Some(TableFormat::Parquet),
        _ => None,
    }
}

/// Writes `frame` to `path` (CSV or Parquet by extension) atomically.
pub fn write_frame(frame: &mut DataFrame, path: &Path) -> Result<()> {
    let format = table_format(path)
        .with_context(|| format!("{}: expected .csv or .parquet", path.display()))?;
    rundir::write_atomic(path, |tmp| {
        let mut file = std::fs::File::create(tmp)
            .with_context(|| format!("{}: cannot create", tmp.display()))?;
        match format {
            TableFormat::Csv => CsvWriter::new(&mut file).finish(frame)?,
            TableFormat::Parquet => {
                ParquetWriter::new(&mut file).finish(frame)?;
            }
        }
        file.sync_all()
            .with_context(|| format!("{}: cannot write", tmp.display()))
    })
}

/// The model folder of a run folder or model folder.
pub fn model_dir(path: &Path) -> Result<PathBuf> {
    for candidate in [path.join(rundir::MODEL), path.to_path_buf()] {
        if candidate.join(mdec_cluster::CLUSTER_JSON).is_file() {
            return Ok(candidate);
        }
    }
    Err(BadInput(format!(
        "{}: no saved clustering model there (expected a run folder with model/, or a model folder with {})",
        path.display(),
        mdec_cluster::CLUSTER_JSON
    ))
    .into())
}

/// Runs `mdec predict`: every check (model, data shape, output folder) comes before any
/// output is written, and the output appears whole or not at all.
pub fn run(args: &PredictArgs) -> Result<()> {
    let dir = model_dir(&args.model)?;
    let meta = ClusterMeta::read(&dir)?;
    let data = args.data.load()?;
    meta.check_input(&dir, data.shape())?;
    rundir::check_output_file(&args.out, args.force)?;
    let device = args.device.parse::<DeviceChoice>()?.resolve()?;
    let assignments = assign(&dir, &meta, &data, args.encoder.as_deref(), device)?;
    let mut frame = assignments.to_frame(data.names(), data.labels())?;
    write_frame(&mut frame, &args.out)?;
    let k = meta.params.n_clusters;
    let mut sizes = vec![0usize; k];
    for &c in &assignments.cluster {
        sizes[c.min(k - 1)] += 1;
    }
    println!(
        "{} samples assigned with {} → {}",
        data.len(),
        dir.display(),
        args.out.display()
    );
    println!("cluster sizes: {sizes:?}");
    if let Some(labels) = data.labels() {
        let s = mdec_metrics::evaluate(labels, &assignments.cluster)?;
        println!(
            "against the labels: ACC {:.4}  NMI {:.4}  ARI {:.4}",
            s.acc, s.nmi, s.ari
        );
    }
    Ok(())
}

fn assign(
    dir: &Path,
    meta: &ClusterMeta,
    data: &mdec_data::Dataset,
    encoder: Option<&Path>,
    device: tch::Device,
) -> Result<Assignments> {
    if dir.join(mdec_cluster::WEIGHTS_FILE).is_file() {
        let dec = Dec::<AeModel>::load_for(dir, device, data.shape())?;
        return Ok(dec.predict(data)?);
    }
    let script = match encoder {
        Some(path) => path.to_path_buf(),
        None => dir.join(ENCODER_FILE),
    };
    if !script.is_file() {
        return Err(BadInput(format!(
            "{}: an encoder-only model without {ENCODER_FILE}: pass its TorchScript encoder with --encoder",
            dir.display()
        ))
        .into());
    }
    let encoder = TorchScriptEncoder::load(&script, meta.input_shape, device)?;
    let dec = Dec::<EncoderOnly<TorchScriptEncoder>>::load(dir, encoder)?;
    Ok(dec.predict(data)?)
}
