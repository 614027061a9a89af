//! `mdec predict`: assigns new data with a saved model and writes the assignments (name,
//! label when known, cluster, confidence, q) as CSV or Parquet.

use std::path::PathBuf;

use anyhow::Result;
use mdec_ae::DeviceChoice;
use mdec_data::table::TableFormat;

use crate::args::DataArgs;

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
    pub device: DeviceChoice,
}

/// Accepts a path ending in `.csv` or `.parquet`.
pub fn parse_table_path(text: &str) -> Result<PathBuf, String> {
    let path = PathBuf::from(text);
    match TableFormat::of(&path) {
        Some(_) => Ok(path),
        None => Err(format!("expected a .csv or .parquet file, got {text:?}")),
    }
}

/// Runs `mdec predict`: every check (model, data shape, output file) comes before any
/// output is written, and the output appears whole or not at all.
pub fn run(args: &PredictArgs) -> Result<()> {
    let dir = mdec_pipeline::predict::model_dir(&args.model)?;
    let data = mdec_pipeline::predict::model_input(&dir, args.data.input()?.load()?)?;
    let meta = mdec_pipeline::predict::check(&dir, &data)?;
    mdec_pipeline::check_output_file(&args.out, args.force)?;
    let device = args.device.resolve().map_err(mdec_pipeline::Error::from)?;
    let assignments =
        mdec_pipeline::predict::assign(&dir, &meta, &data, args.encoder.as_deref(), device)?;
    let mut frame = assignments.to_frame(data.names(), data.labels())?;
    mdec_data::table::write_file(&mut frame, &args.out)?;
    let sizes = mdec_metrics::cluster_sizes(&assignments.cluster, meta.params.n_clusters);
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
