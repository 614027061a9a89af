//! `mdec info`: versions, the libtorch in use, and the devices it sees.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Result;
use tch::Cuda;

pub fn run() -> Result<()> {
    println!("mdec {}", env!("CARGO_PKG_VERSION"));
    println!("libtorch {}", libtorch_description());
    println!(
        "cpu: {} intra-op threads, {} inter-op threads (MKL {}, OpenMP {})",
        tch::get_num_threads(),
        tch::get_num_interop_threads(),
        yes_no(tch::utils::has_mkl()),
        yes_no(tch::utils::has_openmp()),
    );
    // Without libtorch_cuda.so in the process (a CPU-only libtorch, or a linker that dropped
    // it) CUDA can never be available, whatever the machine has.
    let cuda_loaded = loaded_library("libtorch_cuda.so").is_some();
    let available = Cuda::is_available();
    println!(
        "cuda: {} (libtorch_cuda.so loaded: {}, devices: {}, cuDNN: {})",
        if available {
            "available"
        } else {
            "not available"
        },
        yes_no(cuda_loaded),
        Cuda::device_count(),
        yes_no(Cuda::cudnn_is_available()),
    );
    if available {
        for (index, name) in gpu_names().iter().enumerate() {
            println!("  cuda:{index}: {name}");
        }
    }
    Ok(())
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

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
}

/// The path of a shared library mapped into this process, by file name.
fn loaded_library(name: &str) -> Option<PathBuf> {
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

/// GPU names from `nvidia-smi` (libtorch's C API exposes no device names).
fn gpu_names() -> Vec<String> {
    let output = Command::new("nvidia-smi")
        .args(["--query-gpu=name,memory.total", "--format=csv,noheader"])
        .output();
    match output {
        Ok(out) if out.status.success() => String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().to_owned())
            .collect(),
        _ => (0..Cuda::device_count())
            .map(|_| "name unavailable (nvidia-smi not found)".to_owned())
            .collect(),
    }
}
