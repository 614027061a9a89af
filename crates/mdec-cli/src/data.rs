//! `mdec data ...`: dataset commands.

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;

/// Dataset commands.
#[derive(Subcommand)]
pub enum DataCommand {
    /// Print count, shape, class balance and pixel range of a dataset: a folder of IDX files
    /// (e.g. data/mnist), an IDX or .npy file, or an image folder.
    Inspect {
        /// The dataset to read.
        path: PathBuf,
    },
}

pub fn run(command: DataCommand) -> Result<()> {
    match command {
        DataCommand::Inspect { path } => {
            let dataset = mdec_data::load_path(&path, &mdec_data::LoadOptions::default())?;
            println!("{}", path.display());
            println!("{}", dataset.summary());
            Ok(())
        }
    }
}
