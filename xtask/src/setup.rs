//! `cargo xtask setup`: makes libtorch 2.11.0 available to the workspace.
//!
//! Order of preference:
//! 1. `LIBTORCH_USE_PYTORCH=1` with a Python whose torch is 2.11.0 (torch-sys then asks Python);
//! 2. a `LIBTORCH` exported by the user (anything but the `.libtorch` link the cargo config
//!    names), checked for `lib/libtorch_cpu.so` and its version;
//! 3. PyPI's `torch==2.11.0` installed with pip into `<cache>/torch-2.11.0/` (`MDEC_CACHE_DIR`,
//!    else `$XDG_CACHE_HOME/mdec`, else `~/.cache/mdec`), shared by every clone, and linked as
//!    the git-ignored `.libtorch` that `.cargo/config.toml` points `LIBTORCH` at.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

use crate::root;

/// The libtorch version tch 0.24 is built for.
const TORCH_VERSION: &str = "2.11.0";

/// Disk space the wheel and its CUDA libraries take once installed, with some margin.
const NEEDED_BYTES: u64 = 6 << 30;

/// Makes libtorch available and returns its folder (the one holding `include/` and `lib/`).
pub fn run() -> Result<PathBuf> {
    let link = root().join(".libtorch");
    if std::env::var_os("LIBTORCH_USE_PYTORCH").is_some() {
        let version = python_torch_version()?;
        check_version(&version, "the Python torch (LIBTORCH_USE_PYTORCH is set)")?;
        println!("libtorch: Python's torch {version} (LIBTORCH_USE_PYTORCH)");
        return Ok(PathBuf::new());
    }
    if let Some(own) = std::env::var_os("LIBTORCH").map(PathBuf::from)
        && own != link
    {
        check_libtorch(&own).with_context(|| {
            format!(
                "LIBTORCH={} is not a usable libtorch {TORCH_VERSION}; unset it to let setup install one",
                own.display()
            )
        })?;
        println!("libtorch: {} (from LIBTORCH)", own.display());
        return Ok(own);
    }
    let install = cache_dir()?.join(format!("torch-{TORCH_VERSION}"));
    let torch = install.join("torch");
    if check_libtorch(&torch).is_err() {
        pip_install(&install)?;
    }
    check_libtorch(&torch)?;
    point_link(&link, &torch)?;
    println!(
        "libtorch: {} (linked as {})",
        torch.display(),
        link.display()
    );
    Ok(torch)
}

/// The per-user cache folder holding libtorch and the benchmark's Python packages.
pub fn cache_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("MDEC_CACHE_DIR") {
        return Ok(PathBuf::from(dir));
    }
    if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
        return Ok(PathBuf::from(dir).join("mdec"));
    }
    match std::env::var_os("HOME") {
        Some(home) => Ok(PathBuf::from(home).join(".cache/mdec")),
        None => bail!(
            "neither MDEC_CACHE_DIR, XDG_CACHE_HOME nor HOME is set: set MDEC_CACHE_DIR to a folder for the libtorch cache"
        ),
    }
}

/// Checks that `dir` holds a libtorch of the expected version.
fn check_libtorch(dir: &Path) -> Result<()> {
    let lib = dir.join("lib/libtorch_cpu.so");
    if !lib.is_file() {
        bail!("{} not found", lib.display());
    }
    // A wheel's torch/ has version.py; a libtorch archive has build-version.
    let version = if let Ok(text) = std::fs::read_to_string(dir.join("version.py")) {
        text.lines()
            .find_map(|l| l.strip_prefix("__version__ = "))
            .map(|v| v.trim_matches(['\'', '"']).to_owned())
            .with_context(|| format!("{}: no __version__", dir.join("version.py").display()))?
    } else {
        std::fs::read_to_string(dir.join("build-version"))
            .with_context(|| format!("{}: no version.py nor build-version", dir.display()))?
            .trim()
            .to_owned()
    };
    check_version(&version, &dir.display().to_string())
}

fn check_version(version: &str, what: &str) -> Result<()> {
    let base = version.split('+').next().unwrap_or(version);
    if base != TORCH_VERSION {
        bail!(
            "{what} is torch {version}, but tch 0.24 needs {TORCH_VERSION}: install torch=={TORCH_VERSION} or unset the variable so setup installs it"
        );
    }
    Ok(())
}

fn python_torch_version() -> Result<String> {
    let output = Command::new("python3")
        .args(["-c", "import torch; print(torch.__version__)"])
        .output()
        .context("cannot run python3: install Python 3 or unset LIBTORCH_USE_PYTORCH")?;
    if !output.status.success() {
        bail!(
            "python3 cannot import torch ({}): `python3 -m pip install torch=={TORCH_VERSION}` or unset LIBTORCH_USE_PYTORCH",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Installs `torch==TORCH_VERSION` with pip into `install`, through a temporary folder
/// ([`mdec_data::atomic::replace_dir`]) so that an interrupted install is never taken for a
/// finished one.
fn pip_install(install: &Path) -> Result<()> {
    let parent = install.parent().context("cache folder has no parent")?;
    std::fs::create_dir_all(parent)
        .with_context(|| format!("cannot create the cache folder {}", parent.display()))?;
    let pip = Command::new("python3")
        .args(["-m", "pip", "--version"])
        .output();
    match pip {
        Err(_) => bail!(
            "python3 not found: install Python 3 with pip (e.g. `apt-get install python3 python3-pip`), or point LIBTORCH at a libtorch {TORCH_VERSION}"
        ),
        Ok(out) if !out.status.success() => bail!(
            "python3 has no pip: install it (e.g. `apt-get install python3-pip` or `python3 -m ensurepip`), or point LIBTORCH at a libtorch {TORCH_VERSION}"
        ),
        Ok(_) => {}
    }
    let free = free_bytes(parent)?;
    if free < NEEDED_BYTES {
        bail!(
            "{} has {:.1} GiB free, libtorch needs about {:.0} GiB: free some space or set MDEC_CACHE_DIR to a folder on a larger disk",
            parent.display(),
            free as f64 / f64::from(1 << 30),
            NEEDED_BYTES as f64 / f64::from(1 << 30)
        );
    }
    println!(
        "installing torch=={TORCH_VERSION} into {} (about 4.6 GB, once per user)",
        install.display()
    );
    // Installed into a temporary sibling folder that replaces `install` only once libtorch
    // checks out.
    mdec_data::atomic::replace_dir(install, |partial: &Path| -> Result<()> {
        crate::run(pip_install_into(partial).arg(format!("torch=={TORCH_VERSION}")))
            .context("pip could not install torch (see its output above)")?;
        check_libtorch(&partial.join("torch"))
    })
}

/// `python3 -m pip install` of the packages to add, quietly, into `target`.
pub fn pip_install_into(target: &Path) -> Command {
    let mut command = Command::new("python3");
    command
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ])
        .args(["--no-warn-script-location", "--target"])
        .arg(target);
    command
}

/// Free bytes on the file system holding `dir`, from `df`.
fn free_bytes(dir: &Path) -> Result<u64> {
    let output = Command::new("df")
        .arg("-Pk")
        .arg(dir)
        .output()
        .context("cannot run df")?;
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .nth(1)
        .and_then(|line| line.split_whitespace().nth(3))
        .and_then(|kib| kib.parse::<u64>().ok())
        .map(|kib| kib * 1024)
        .with_context(|| {
            format!(
                "cannot read free space of {} from df: {text}",
                dir.display()
            )
        })
}

/// Points the `.libtorch` link at `torch`, leaving a correct link as it is.
fn point_link(link: &Path, torch: &Path) -> Result<()> {
    if std::fs::read_link(link).is_ok_and(|target| target == torch) {
        return Ok(());
    }
    if link.symlink_metadata().is_ok() {
        if link.is_dir() && !link.is_symlink() {
            bail!(
                "{} is a folder, not the link setup manages: remove it or export LIBTORCH",
                link.display()
            );
        }
        std::fs::remove_file(link).with_context(|| format!("cannot replace {}", link.display()))?;
    }
    std::os::unix::fs::symlink(torch, link)
        .with_context(|| format!("cannot link {} to {}", link.display(), torch.display()))
}
