//! Harness for the end-to-end tests in `tests/tests/`: they drive the `mdec` binary as a user
//! would, on small data they generate in temporary folders.
//!
//! A test package cannot depend on another package's binary, so [`mdec`] builds it once per
//! test process with the cargo that runs the tests, then runs it from the same target folder.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// A command running the freshly built `mdec` binary, with logs kept quiet.
pub fn mdec() -> Command {
    let mut command = Command::new(binary());
    command.env("MDEC_LOG", "warn");
    command
}

fn binary() -> &'static PathBuf {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        // target/<profile>/deps/<this test> -> target/<profile>/mdec
        let exe = std::env::current_exe().expect("test executable path");
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("test executable inside target/<profile>/deps")
            .to_path_buf();
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet", "--package", "mdec-cli", "--bin", "mdec"]);
        if profile_dir
            .file_name()
            .is_some_and(|name| name == "release")
        {
            build.arg("--release");
        }
        let status = build
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build of mdec failed");
        profile_dir.join("mdec")
    })
}
