//! What the browser test (`tests/tests/browser.rs`) needs, installed by `cargo xtask test`:
//! Debian's Chromium (`apt-get install chromium`, as root or through `sudo -n`; a `CHROMIUM`
//! naming an existing browser wins) and playwright-core from npm (`npm ci` in
//! `tests/browser/`, pinned by its lock file). Node.js and npm come from the machine (Debian's
//! `nodejs` and `npm` are installed the same way when missing).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result};

use crate::{root, run};

/// Where Debian puts Chromium.
const CHROMIUM: &str = "/usr/bin/chromium";

/// Installs Chromium, Node.js and playwright-core when missing.
pub fn setup() -> Result<()> {
    match std::env::var("CHROMIUM") {
        Ok(own) if Path::new(&own).is_file() => println!("chromium: {own} (from CHROMIUM)"),
        _ if Path::new(CHROMIUM).is_file() => println!("chromium: {CHROMIUM}"),
        _ => apt_install(&["chromium"])?,
    }
    if Command::new("npm").arg("--version").output().is_err() {
        apt_install(&["nodejs", "npm"])?;
    }
    let browser = root().join("tests/browser");
    if !browser.join("node_modules/playwright-core").is_dir() {
        run(Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&browser))?;
    }
    Ok(())
}

/// `apt-get install` as root, or through `sudo -n`.
fn apt_install(packages: &[&str]) -> Result<()> {
    let root_user = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    let apt = |args: &[&str]| -> Command {
        let mut command = match root_user {
            true => Command::new("apt-get"),
            false => {
                let mut sudo = Command::new("sudo");
                sudo.args(["-n", "apt-get"]);
                sudo
            }
        };
        command.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    let mut install = vec!["install", "-y", "-qq"];
    install.extend_from_slice(packages);
    if run(&mut apt(&install)).is_ok() {
        return Ok(());
    }
    run(&mut apt(&["update", "-qq"]))
        .and_then(|()| run(&mut apt(&install)))
        .with_context(|| {
            format!(
                "cannot install {} for the browser test: install it (Debian: apt-get install {0}) or set CHROMIUM to a Chromium",
                packages.join(" ")
            )
        })
}
