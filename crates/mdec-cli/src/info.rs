//! `mdec info`: versions, the libtorch in use, and the devices it sees.

use std::process::Command;

use anyhow::Result;
use tch::Cuda;

/// Prints versions, libtorch and the devices.
pub fn run() -> Result<()> {
    println!("mdec {}", env!("CARGO_PKG_VERSION"));
    println!("libtorch {}", mdec_ae::libtorch_description());
    println!(
        "cpu: {} intra-op threads, {} inter-op threads (MKL {}, OpenMP {})",
        tch::get_num_threads(),
        tch::get_num_interop_threads(),
        yes_no(tch::utils::has_mkl()),
        yes_no(tch::utils::has_openmp()),
    );
    // Without libtorch_cuda.so in the process (a CPU-only libtorch, or a linker that dropped
    // it) CUDA can never be available, whatever the machine has.
    let cuda_loaded = mdec_ae::loaded_library("libtorch_cuda.so").is_some();
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

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "no" }
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
