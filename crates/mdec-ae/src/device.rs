//! Choosing the compute device once, at the top: `cpu`, `cuda[:i]` or `auto`; which
//! libtorch the process loaded.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use tch::Device;

use crate::error::{Error, Result};

/// Where to run: the CPU, a CUDA GPU, or the first GPU when there is one (`auto`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviceChoice {
    /// The CPU.
    Cpu,
    /// CUDA device with this index.
    Cuda(usize),
    /// `cuda:0` if libtorch sees a GPU, else the CPU. The default.
    #[default]
    Auto,
}

impl DeviceChoice {
    /// Resolves the choice to a libtorch device.
    ///
    /// # Errors
    /// [`Error::CudaUnavailable`] for `Cuda(i)` when libtorch sees no GPU `i`.
    pub fn resolve(self) -> Result<Device> {
        match self {
            DeviceChoice::Cpu => Ok(Device::Cpu),
            DeviceChoice::Auto => Ok(Device::cuda_if_available()),
            DeviceChoice::Cuda(index) => {
                let available = tch::Cuda::device_count();
                if (index as i64) < available {
                    Ok(Device::Cuda(index))
                } else {
                    Err(Error::CudaUnavailable { index, available })
                }
            }
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceChoice::Cpu => f.write_str("cpu"),
            DeviceChoice::Cuda(i) => write!(f, "cuda:{i}"),
            DeviceChoice::Auto => f.write_str("auto"),
        }
    }
}

/// The text did not name a device.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown device {0:?}: expected cpu, cuda, cuda:<index> or auto")]
pub struct ParseDeviceError(pub String);

impl FromStr for DeviceChoice {
    type Err = ParseDeviceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "cpu" => Ok(DeviceChoice::Cpu),
            "auto" => Ok(DeviceChoice::Auto),
            "cuda" | "gpu" => Ok(DeviceChoice::Cuda(0)),
            other => other
                .strip_prefix("cuda:")
                .and_then(|i| i.parse().ok())
                .map(DeviceChoice::Cuda)
                .ok_or_else(|| ParseDeviceError(s.to_owned())),
        }
    }
}

/// A short name for a device, as written in reports: `cpu`, `cuda:0`.
pub fn device_name(device: Device) -> String {
    match device {
        Device::Cpu => "cpu".into(),
        Device::Cuda(i) => format!("cuda:{i}"),
        Device::Mps => "mps".into(),
        Device::Vulkan => "vulkan".into(),
    }
}

/// The libtorch in use: its version and where it was loaded from.
pub fn libtorch_description() -> String {
    match loaded_library("libtorch_cpu.so") {
        Some(lib) => {
            let version = libtorch_version(&lib).unwrap_or_else(|| "unknown version".to_owned());
            format!("{version}, loaded from {}", lib.display())
        }
        None => "(loaded library not found in /proc/self/maps)".to_owned(),
    }
}

/// The path of a shared library mapped into this process, by file name.
pub fn loaded_library(name: &str) -> Option<PathBuf> {
    let maps = std::fs::read_to_string("/proc/self/maps").ok()?;
    maps.lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .find(|path| Path::new(path).file_name().is_some_and(|f| f == name))
        .map(PathBuf::from)
}

/// The version of the libtorch whose `lib/` holds `lib`: a wheel's `version.py`, or the
/// `build-version` file of a libtorch archive.
fn libtorch_version(lib: &Path) -> Option<String> {
    let torch = lib.parent()?.parent()?;
    if let Ok(text) = std::fs::read_to_string(torch.join("version.py")) {
        let version = text
            .lines()
            .find_map(|l| l.strip_prefix("__version__ = "))?;
        return Some(version.trim_matches(['\'', '"']).to_owned());
    }
    let text = std::fs::read_to_string(torch.join("build-version")).ok()?;
    Some(text.trim().to_owned())
}
