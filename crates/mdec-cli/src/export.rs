//! `mdec export`: one folder per cluster, for a labeller to start from.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use mdec_pipeline::export::{ExportSpec, Transfer};

/// Arguments of `mdec export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The run folder.
    run: PathBuf,
    /// The folder to write: one sub-folder per cluster, `uncertain/` and `clusters.csv`.
    #[arg(long)]
    to: PathBuf,
    /// Copy the sample files (the default).
    #[arg(long, conflicts_with = "link")]
    copy: bool,
    /// Link to the sample files instead of copying them (a folder of images only).
    #[arg(long)]
    link: bool,
    /// Samples less confident than this (0 to 1) go to `uncertain/`.
    #[arg(long)]
    min_confidence: Option<f32>,
    /// Cluster names, `{"0": "scratch", ...}` or a list; kept in the run as
    /// `cluster_names.json` and used as folder names.
    #[arg(long)]
    names: Option<PathBuf>,
    /// Replace the folder when it exists.
    #[arg(long)]
    force: bool,
}

/// Runs `mdec export`.
pub fn run(args: &ExportArgs) -> Result<()> {
    let exported = mdec_pipeline::export::export(&ExportSpec {
        run: args.run.clone(),
        to: args.to.clone(),
        transfer: match args.link {
            true => Transfer::Link,
            false => Transfer::Copy,
        },
        min_confidence: args.min_confidence,
        names: args.names.clone(),
        force: args.force,
    })?;
    let what = match (exported.files, args.link) {
        (true, true) => "links",
        (true, false) => "copies",
        (false, _) => "pictures",
    };
    println!("{} ({what}):", args.to.display());
    for (folder, count) in &exported.folders {
        println!("  {folder:<24} {count}");
    }
    Ok(())
}
