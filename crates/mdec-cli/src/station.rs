//! `mdec station`: the test station's web server.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;
use mdec_ae::DeviceChoice;
use mdec_pipeline::Input;
use mdec_station::{Station, StationSpec};

/// Arguments of `mdec station`.
#[derive(Args, Debug)]
pub struct StationArgs {
    /// The folder of run folders to serve (created when absent).
    #[arg(default_value = "runs")]
    runs: PathBuf,
    /// Address to listen on; beyond 127.0.0.1 it needs --token. Port 0 picks a free port.
    #[arg(long, default_value = mdec_station::DEFAULT_LISTEN)]
    listen: SocketAddr,
    /// A token every request must carry (`?token=` or `Authorization: Bearer`).
    #[arg(long, env = "MDEC_STATION_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// An input the form may train on (a folder of images, a `.npy` file or an IDX file),
    /// besides the inputs of the runs in the folder. Repeat for more.
    #[arg(long = "input")]
    inputs: Vec<PathBuf>,
    /// Device of the runs started from the page: cpu, cuda, cuda:N or auto.
    #[arg(long, default_value = "auto")]
    device: DeviceChoice,
}

/// Runs `mdec station` until Ctrl-C, then stops the runs it started (after checkpoints).
pub fn run(args: &StationArgs) -> Result<()> {
    let inputs = args
        .inputs
        .iter()
        .map(|path| input_of(path))
        .collect::<Result<Vec<Input>>>()?;
    let station = Station::new(StationSpec {
        runs: args.runs.clone(),
        listen: args.listen,
        token: args.token.clone(),
        inputs,
        device: args.device,
    })?;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the server's runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("{}: cannot listen", args.listen))?;
        let address = listener.local_addr()?;
        let token = match &args.token {
            Some(t) => format!("?token={t}"),
            None => String::new(),
        };
        println!(
            "mdec station: http://{address}/{token} serving {}",
            args.runs.display()
        );
        tracing::info!(%address, runs = %args.runs.display(), "station listening");
        mdec_station::serve(listener, station, async {
            tokio::signal::ctrl_c().await.ok();
            tracing::info!("stopping: the station's runs write their checkpoints");
        })
        .await
        .context("the station stopped")
    })
}

/// An input named by its path: a folder of images, a `.npy` file, else an IDX file.
fn input_of(path: &std::path::Path) -> Result<Input> {
    anyhow::ensure!(
        path.exists(),
        crate::BadInput(format!("{}: no such file or folder", path.display()))
    );
    Ok(if path.is_dir() {
        Input::Folder {
            dir: path.to_path_buf(),
            size: None,
            labels_from_folders: false,
            skip_unreadable: false,
        }
    } else if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
    {
        Input::Npy {
            file: path.to_path_buf(),
            labels: None,
        }
    } else {
        Input::Idx {
            images: path.to_path_buf(),
            labels: None,
        }
    })
}
