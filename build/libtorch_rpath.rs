//! Build script shared by every mdec package whose binaries or tests load libtorch
//! (`mdec-ae`, `mdec-cluster`, `mdec-cli`), named by `build = "../../build/libtorch_rpath.rs"`.
//!
//! torch-sys (`links = "tch"`) tells its direct dependents where libtorch's `lib/` folder is
//! through `DEP_TCH_LIBTORCH_LIB`. From it this script:
//! - embeds that folder as a run path, so `cargo run`, `cargo test` and the built `mdec` find
//!   libtorch without `LD_LIBRARY_PATH` (on another machine, such as a GPU server, the path is
//!   skipped and `LD_LIBRARY_PATH` pointing at that machine's torch `lib/` is used instead);
//! - keeps `libtorch_cuda.so` in the binary's needed libraries when the libtorch has one: the
//!   linker's default `--as-needed` drops it because no symbol is referenced directly, and a
//!   binary without it never sees a GPU.
//!
//! Link arguments apply to the package's own binaries, tests, examples and benches only, which
//! is why each package that runs libtorch code names this script.

// Build scripts talk to cargo through stdout.
#![allow(clippy::print_stdout)]

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    let Ok(lib) = std::env::var("DEP_TCH_LIBTORCH_LIB") else {
        return;
    };
    let lib = std::fs::canonicalize(&lib).unwrap_or_else(|_| Path::new(&lib).to_path_buf());
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    if lib.join("libtorch_cuda.so").exists() {
        println!("cargo:rustc-link-arg=-Wl,--no-as-needed,-ltorch_cuda,--as-needed");
    }
}
