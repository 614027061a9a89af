//! Harness for the end-to-end tests in `tests/tests/`: they drive the `mdec` binary as a user
//! would, on small data they generate in temporary folders.
//!
//! A test package cannot depend on another package's binary, so [`mdec`] builds it once per
//! test process with the cargo that runs the tests, then runs it from the same target folder.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A command running the freshly built `mdec` binary, with logs kept quiet.
pub fn mdec() -> Command {
    let mut command = Command::new(binary());
    command.env("MDEC_LOG", "warn");
    command
}

/// The freshly built `mdec` binary (built on first use).
pub fn binary() -> &'static PathBuf {
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

/// A small seeded generator (a linear congruential one): each call draws a number below
/// its argument.
fn draws(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed;
    move |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    }
}

/// Writes `per_class` noisy 16×16 PNGs of each of three visually distinct classes into
/// `dir/<class>/` (`horizontal`, `vertical`, `square`), drawn from a generator seeded by
/// `seed`: bars at a jittered offset, squares of a jittered size, background noise.
pub fn write_shapes(dir: &Path, per_class: usize, seed: u64) -> anyhow::Result<()> {
    let mut next = draws(seed);
    for (class, name) in ["horizontal", "vertical", "square"].iter().enumerate() {
        std::fs::create_dir_all(dir.join(name))?;
        for i in 0..per_class {
            // Small jitter: the classes differ in shape far more than within a class.
            let offset = 6 + next(3) as u32;
            let size = 6 + 2 * next(2) as u32;
            let image = image::GrayImage::from_fn(16, 16, |x, y| {
                let on = match class {
                    0 => (offset..offset + 3).contains(&y),
                    1 => (offset..offset + 3).contains(&x),
                    _ => {
                        let (lo, hi) = (8 - size / 2, 8 + size / 2);
                        (lo..hi).contains(&x) && (lo..hi).contains(&y)
                    }
                };
                let noise = next(40) as u8;
                image::Luma([if on { 215 + noise } else { noise }])
            });
            image.save(dir.join(name).join(format!("{i:03}.png")))?;
        }
    }
    Ok(())
}

/// `per_class` RGB images of `side`×`side` of each of three classes told apart by shape
/// alone (`horizontal` bar, `vertical` bar, hollow `square`), moved by up to two pixels, in a
/// random part colour with the shape lighter or darker in every channel; returns (class,
/// image) pairs, the classes interleaved. Seeded by `seed`.
pub fn rgb_shapes(per_class: usize, side: u32, seed: u64) -> Vec<(usize, image::RgbImage)> {
    let mut next = draws(seed);
    let (lo, hi) = (side as i64 / 4, 3 * side as i64 / 4);
    let (mid_lo, mid_hi) = (side as i64 / 2 - 2, side as i64 / 2 + 2);
    let mut out = Vec::with_capacity(3 * per_class);
    for _ in 0..per_class {
        for class in 0..3 {
            let (dy, dx) = (next(5) as i64 - 2, next(5) as i64 - 2);
            let background: Vec<i64> = (0..3).map(|_| 64 + next(128) as i64).collect();
            let step = (40 + next(24) as i64) * if next(2) == 0 { 1 } else { -1 };
            let image = image::RgbImage::from_fn(side, side, |x, y| {
                let (y, x) = (y as i64 - dy, x as i64 - dx);
                let inside = |a: i64| (lo..hi).contains(&a);
                let on = match class {
                    0 => (mid_lo..mid_hi).contains(&y) && inside(x),
                    1 => inside(y) && (mid_lo..mid_hi).contains(&x),
                    _ => {
                        let rim = |a: i64| a < lo + 2 || a >= hi - 2;
                        inside(y) && inside(x) && (rim(y) || rim(x))
                    }
                };
                let value =
                    |c: usize| (background[c] + if on { step } else { 0 }).clamp(0, 255) as u8;
                image::Rgb([value(0), value(1), value(2)])
            });
            out.push((class, image));
        }
    }
    out
}

/// The arguments of a small training run on the class folders `images` with labels from
/// the folder names: the flag/value pairs of `settings` (`--preset`, `--epochs`, `--seed`,
/// ...), then `--device cpu --out out`. `--out` comes last, so the resume command that an
/// interrupted run prints (its own arguments, then `--resume`) reads `--out DIR --resume`.
pub fn train_args(images: &Path, out: &Path, settings: &[(&str, &str)]) -> Vec<String> {
    let mut args = vec![
        "--images".to_owned(),
        images.display().to_string(),
        "--labels-from-folders".to_owned(),
    ];
    for (flag, value) in settings {
        args.extend([flag.to_string(), value.to_string()]);
    }
    args.extend(["--device".to_owned(), "cpu".to_owned()]);
    args.extend(["--out".to_owned(), out.display().to_string()]);
    args
}

/// `mdec run` of the image folder `images` into `out` with a tiny budget (the DEC preset,
/// one epoch, four clustering iterations, batches of 4) and `extra` arguments.
pub fn quick_run(
    images: &Path,
    out: &Path,
    extra: &[&str],
) -> std::io::Result<std::process::Output> {
    mdec()
        .arg("run")
        .args(train_args(
            images,
            out,
            &[
                ("--preset", "dec"),
                ("--epochs", "1"),
                ("--max-iter", "4"),
                ("--batch-size", "4"),
            ],
        ))
        .args(extra)
        .output()
}

/// Waits until `ready()` holds, failing if the child exits first or two minutes pass.
pub fn wait_for(
    child: &mut std::process::Child,
    what: &str,
    ready: impl Fn() -> bool,
) -> anyhow::Result<()> {
    let start = std::time::Instant::now();
    while !ready() {
        if let Some(status) = child.try_wait()? {
            anyhow::bail!("mdec exited ({status}) before {what}");
        }
        if start.elapsed() > std::time::Duration::from_secs(120) {
            child.kill()?;
            anyhow::bail!("timed out waiting for {what}");
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Ok(())
}

/// Sends SIGINT (Ctrl-C) to `child`.
pub fn interrupt(child: &std::process::Child) -> anyhow::Result<()> {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()?;
    anyhow::ensure!(status.success(), "kill -INT failed: {status}");
    Ok(())
}

/// The values of the integer column `name` of a CSV file written by mdec.
pub fn csv_column(path: &Path, name: &str) -> anyhow::Result<Vec<usize>> {
    use anyhow::Context;
    let table = std::fs::read_to_string(path)?;
    let mut lines = table.lines();
    let header: Vec<&str> = lines.next().context("header")?.split(',').collect();
    let index = header
        .iter()
        .position(|h| *h == name)
        .with_context(|| format!("{}: no column {name}", path.display()))?;
    lines
        .map(|line| {
            let field = line.split(',').nth(index).context("short row")?;
            Ok(field.parse::<usize>()?)
        })
        .collect()
}

/// Every file under `dir`, relative to it, sorted.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if let Ok(relative) = path.strip_prefix(root) {
                out.push(relative.to_path_buf());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}
