//! The station in a real browser: `tests/browser/station.mjs` drives Debian's headless
//! Chromium with playwright-core (both installed by `cargo xtask setup`) through the run
//! list, a training started from the form and watched live, its stop, the comparison page
//! and an offline `report.html`. Screenshots land in `target/browser-artefacts/`.

use std::path::Path;
use std::process::Command;

#[test]
fn the_station_works_in_a_browser() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let browser = root.join("tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    anyhow::ensure!(
        Path::new(&chromium).is_file(),
        "{chromium}: no Chromium; `cargo xtask setup` installs Debian's chromium"
    );
    anyhow::ensure!(
        browser.join("node_modules/playwright-core").is_dir(),
        "{}: no playwright-core; `cargo xtask setup` installs it (npm ci)",
        browser.display()
    );
    let status = Command::new("node")
        .arg(browser.join("station.mjs"))
        .env("MDEC", mdec_tests::binary())
        .env("ARTEFACTS", root.join("target/browser-artefacts"))
        .env("CHROMIUM", &chromium)
        .current_dir(&browser)
        .status()?;
    anyhow::ensure!(status.success(), "the browser test failed: {status}");
    Ok(())
}
