//! `mdec predict`: assigns new data with a saved model and writes the assignments (name,
//! or position for tiles and crops, label when known, cluster, confidence, q) as CSV or
//! Parquet; for tiles and crops, streamed chunk by chunk, with cluster maps beside.

use std::path::PathBuf;

use anyhow::Result;
use mdec_ae::DeviceChoice;
use mdec_data::Source;
use mdec_data::table::TableFormat;
use mdec_pipeline::predict::{self, Predictor};

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
/// output is written, and the output appears whole or not at all. Tiles and crops stream
/// chunk by chunk (memory does not grow with their number) and also give cluster maps;
/// other inputs are assigned whole.
pub fn run(args: &PredictArgs) -> Result<()> {
    let dir = mdec_pipeline::predict::model_dir(&args.model)?;
    let input = args.data.input()?;
    let device = args.device.resolve().map_err(mdec_pipeline::Error::from)?;
    let predictor = Predictor::load(&dir, args.encoder.as_deref(), device)?;
    if let Some(source) = input.source()? {
        return stream(&predictor, source.as_ref(), args);
    }
    let data = predictor.input(input.load()?)?;
    predictor.check(&data)?;
    mdec_pipeline::check_output_file(&args.out, args.force)?;
    let assignments = predictor.predict(&data)?;
    let mut frame = assignments.to_frame(data.names(), data.labels())?;
    mdec_data::table::write_file(&mut frame, &args.out)?;
    let sizes = mdec_metrics::cluster_sizes(&assignments.cluster, predictor.n_clusters());
    println!(
        "{} samples assigned with {} → {}",
        data.len(),
        dir.display(),
        args.out.display()
    );
    println!("cluster sizes: {sizes:?}");
    if let Some(labels) = data.labels() {
        print_scores(&mdec_metrics::evaluate(labels, &assignments.cluster)?);
    }
    Ok(())
}

/// Tiles and crops: [`mdec_pipeline::predict::stream`] in chunks of
/// [`mdec_pipeline::predict::CHUNK`].
fn stream(predictor: &Predictor, source: &dyn Source, args: &PredictArgs) -> Result<()> {
    predictor.check_source(source)?;
    mdec_pipeline::check_output_file(&args.out, args.force)?;
    mdec_pipeline::check_output_file(&predict::maps_dir(&args.out), args.force)?;
    let summary = predict::stream(predictor, source, &args.out, predict::CHUNK)?;
    println!(
        "{} samples assigned with {} → {}",
        summary.samples,
        predictor.dir().display(),
        args.out.display()
    );
    println!(
        "{:.1} s, {:.0} samples/s",
        summary.seconds, summary.per_second
    );
    if let Some(mib) = summary.peak_rss_mib {
        println!("peak memory (RSS): {mib:.0} MiB");
    }
    println!("cluster sizes: {:?}", summary.cluster_sizes);
    if let Some(scores) = &summary.scores {
        print_scores(scores);
    }
    if let Some(maps) = &summary.maps {
        println!("cluster maps: {}", maps.display());
    }
    Ok(())
}

fn print_scores(s: &mdec_metrics::Scores) {
    println!(
        "against the labels: ACC {:.4}  NMI {:.4}  ARI {:.4}",
        s.acc, s.nmi, s.ari
    );
}
