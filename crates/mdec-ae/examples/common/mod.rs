//! What `bench_embed` and `bench_pretrain` share: the command-line flags both take and the
//! autoencoders they compare (`#[path]`-included by each; cargo does not build a folder
//! without a `main.rs` as an example of its own).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use mdec_ae::{AeConfig, DeviceChoice};

/// The flags both benchmarks take.
pub struct Args {
    /// `--threads`: libtorch's intra-op threads (default 2).
    pub threads: i32,
    /// `--data`: where the images are.
    pub data: PathBuf,
    /// `--device` (default `cpu`).
    pub device: DeviceChoice,
    /// `--arch`, repeatable: the autoencoders to run, with their configurations; all of
    /// `dcec`, `mdec` and `dense` when none is named.
    pub archs: Vec<(String, AeConfig)>,
}

impl Args {
    /// Parses the command line: `--threads`, `--data` (default: the `data` given), `--device` and
    /// `--arch` here, any other flag through `extra(flag, value)`, which takes the flag's
    /// value by calling `value()` and returns `false` for a flag it does not know.
    pub fn parse(
        data: &str,
        mut extra: impl FnMut(&str, &mut dyn FnMut() -> Result<String>) -> Result<bool>,
    ) -> Result<Self> {
        let mut parsed = Self {
            threads: 2,
            data: PathBuf::from(data),
            device: DeviceChoice::Cpu,
            archs: Vec::new(),
        };
        let mut archs = Vec::new();
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut value = || args.next().with_context(|| format!("{arg} needs a value"));
            match arg.as_str() {
                "--threads" => parsed.threads = value()?.parse()?,
                "--data" => parsed.data = value()?.into(),
                "--device" => parsed.device = value()?.parse()?,
                "--arch" => archs.push(value()?),
                other => {
                    if !extra(other, &mut value)? {
                        bail!("unknown argument {other}");
                    }
                }
            }
        }
        if archs.is_empty() {
            archs = vec!["dcec".into(), "mdec".into(), "dense".into()];
        }
        parsed.archs = archs
            .into_iter()
            .map(|arch| config(&arch).map(|config| (arch, config)))
            .collect::<Result<_>>()?;
        Ok(parsed)
    }
}

/// The 10-dimensional autoencoder named `arch`.
fn config(arch: &str) -> Result<AeConfig> {
    Ok(match arch {
        "dcec" => AeConfig::dcec(10),
        "mdec" => AeConfig::mdec(10),
        "dense" => AeConfig::dense(10),
        other => bail!("unknown arch {other}: dcec, mdec or dense"),
    })
}
