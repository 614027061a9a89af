//! Atomic writes: a file or folder appears at its path complete, or not at all.
//!
//! Every writer in mdec goes through this module: [`write_file`] for one file,
//! [`replace_dir`] for a folder written whole (a checkpoint), and [`AtomicFile`] for a file
//! streamed over many calls (an animation written frame by frame). Each writes under a
//! temporary name in the same folder, so the final rename stays on one file system and is
//! atomic, and removes the temporary when writing fails.
//!
//! # Temporary names
//!
//! One rule, so that a temporary left behind by a killed process can be recognised
//! ([`is_temp`]) and is skipped by readers that ignore hidden entries:
//!
//! - `.tmp.<name>`: the file or folder being written for `<name>` ([`temp_path`]);
//! - `.tmp-old.<name>`: the previous folder `<name>` while [`replace_dir`] swaps in the
//!   new one.
//!
//! The rule is a prefix so that the extension stays last: writers that choose the format
//! from the extension (tch's `VarStore::save` writes safetensors for `.safetensors`) write
//! the right format to the temporary.
//!
//! # Errors
//!
//! The helpers are generic over the caller's error type `E`: the caller's closure returns
//! `Result<(), E>`, and the helpers' own I/O failures (creating, syncing, renaming a
//! temporary) reach `E` through `From<`[`IoError`]`>`, naming the target path.
//!
//! ```
//! use std::path::Path;
//! use mdec_data::atomic;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("scores.json");
//! atomic::write_file(&path, |tmp: &Path| {
//!     std::fs::write(tmp, b"{\"acc\": 0.84}").map_err(|source| mdec_data::Error::Io {
//!         path: path.clone(),
//!         source,
//!     })
//! })?;
//! assert_eq!(std::fs::read_to_string(&path)?, "{\"acc\": 0.84}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// Prefix of the name a file or folder is written under before it is renamed into place.
pub const TEMP_PREFIX: &str = ".tmp.";

/// Prefix of the name a replaced folder has while [`replace_dir`] swaps in the new one.
pub const OLD_PREFIX: &str = ".tmp-old.";

/// An I/O failure of the helpers themselves (creating, syncing, renaming or removing a
/// temporary), naming the target path.
#[derive(Debug, thiserror::Error)]
#[error("{path}: cannot {action}", path = .path.display())]
pub struct IoError {
    /// The file or folder being written (not its temporary).
    pub path: PathBuf,
    /// What failed, e.g. "move the temporary file into place".
    pub action: &'static str,
    /// The underlying error.
    #[source]
    pub source: io::Error,
}

impl IoError {
    fn new<'a>(path: &'a Path, action: &'static str) -> impl FnOnce(io::Error) -> Self + 'a {
        move |source| IoError {
            path: path.to_path_buf(),
            action,
            source,
        }
    }
}

/// The temporary sibling `path` is written under: `.tmp.<name>` in the same folder.
///
/// ```
/// use std::path::Path;
/// let tmp = mdec_data::atomic::temp_path(Path::new("out/model.safetensors"));
/// assert_eq!(tmp, Path::new("out/.tmp.model.safetensors"));
/// ```
pub fn temp_path(path: &Path) -> PathBuf {
    sibling(path, TEMP_PREFIX)
}

/// Whether `path` names a temporary of this module (`.tmp.<name>` or `.tmp-old.<name>`),
/// e.g. one left behind by a killed process.
pub fn is_temp(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with(TEMP_PREFIX) || n.starts_with(OLD_PREFIX))
}

fn sibling(path: &Path, prefix: &str) -> PathBuf {
    let mut name = OsString::from(prefix);
    name.push(path.file_name().unwrap_or_default());
    path.with_file_name(name)
}

/// Writes the file `path` atomically: `write` gets the temporary path ([`temp_path`]) and
/// must create the file there; on success the file is synced to disk and renamed onto
/// `path`, replacing any previous file.
///
/// # Errors
/// What `write` returns, or an [`IoError`] naming `path` (converted into `E`) when the
/// temporary cannot be synced or renamed. Either way the temporary is removed and `path`
/// is left as it was.
pub fn write_file<E, P>(path: P, write: impl FnOnce(&Path) -> Result<(), E>) -> Result<(), E>
where
    E: From<IoError>,
    P: AsRef<Path>,
{
    let path = path.as_ref();
    let tmp = temp_path(path);
    let result = write(&tmp).and_then(|()| {
        let file = OpenOptions::new()
            .write(true)
            .open(&tmp)
            .map_err(IoError::new(path, "open the temporary file"))?;
        commit(file, &tmp, path).map_err(E::from)
    });
    if result.is_err() {
        // Best effort: the temporary may not exist (the writer failed before creating it).
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Syncs `file` (the temporary `tmp`) and renames it onto `path`.
fn commit(file: File, tmp: &Path, path: &Path) -> Result<(), IoError> {
    file.sync_all()
        .map_err(IoError::new(path, "sync the temporary file"))?;
    drop(file);
    fs::rename(tmp, path).map_err(IoError::new(path, "move the temporary file into place"))
}

/// Replaces the folder `dir` whole: `fill` gets an empty temporary folder
/// (`.tmp.<name>`, see [`temp_path`]) and writes the new contents there; on success the
/// previous `dir`, if any, is moved aside (`.tmp-old.<name>`), the new folder renamed onto
/// `dir`, and the previous one removed. Parent folders are created as needed.
///
/// An interruption leaves either the previous folder or the new one at `dir`, never part
/// of one: if a crash fell between the two renames (so `dir` is missing and
/// `.tmp-old.<name>` is there), the next call moves the previous folder back first.
/// Stale temporaries of `dir` are removed before writing.
///
/// ```
/// use std::path::Path;
/// use mdec_data::atomic;
///
/// let out = tempfile::tempdir()?;
/// let ckpt = out.path().join("checkpoint");
/// for step in [1, 2] {
///     atomic::replace_dir(&ckpt, |tmp: &Path| {
///         std::fs::write(tmp.join(format!("step-{step}")), b"")
///             .map_err(|source| mdec_data::Error::Io { path: tmp.to_path_buf(), source })
///     })?;
/// }
/// assert!(!ckpt.join("step-1").exists() && ckpt.join("step-2").exists());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// What `fill` returns (the temporary folder is removed and `dir` is left as it was), or
/// an [`IoError`] naming `dir` (converted into `E`) when a folder cannot be created,
/// renamed or cleared.
pub fn replace_dir<E, P>(dir: P, fill: impl FnOnce(&Path) -> Result<(), E>) -> Result<(), E>
where
    E: From<IoError>,
    P: AsRef<Path>,
{
    let dir = dir.as_ref();
    let tmp = temp_path(dir);
    let old = sibling(dir, OLD_PREFIX);
    if !exists(dir) && old.is_dir() {
        fs::rename(&old, dir).map_err(IoError::new(dir, "restore the previous folder"))?;
    }
    remove_any(&tmp).map_err(IoError::new(dir, "remove a stale temporary folder"))?;
    remove_any(&old).map_err(IoError::new(dir, "remove a stale previous folder"))?;
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(IoError::new(dir, "create the parent folder"))?;
    }
    fs::create_dir(&tmp).map_err(IoError::new(dir, "create the temporary folder"))?;
    if let Err(err) = fill(&tmp) {
        let _ = fs::remove_dir_all(&tmp);
        return Err(err);
    }
    swap_in(&tmp, &old, dir).map_err(|err| {
        let _ = fs::remove_dir_all(&tmp);
        E::from(err)
    })
}

/// Moves `dir` (if any) to `old`, `tmp` onto `dir`, then removes `old`.
fn swap_in(tmp: &Path, old: &Path, dir: &Path) -> Result<(), IoError> {
    let had_previous = exists(dir);
    if had_previous {
        fs::rename(dir, old).map_err(IoError::new(dir, "move the previous folder aside"))?;
    }
    if let Err(source) = fs::rename(tmp, dir) {
        if had_previous {
            let _ = fs::rename(old, dir);
        }
        return Err(IoError::new(dir, "move the new folder into place")(source));
    }
    if had_previous && let Err(error) = remove_any(old) {
        // The new folder is in place; the previous one is a recognisable leftover that the
        // next call removes.
        tracing::warn!(path = %old.display(), %error, "cannot remove the replaced folder");
    }
    Ok(())
}

/// Whether anything (file, folder or link) is at `path`.
fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Removes the file or folder at `path`, if any.
fn remove_any(path: &Path) -> io::Result<()> {
    match fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
        Ok(meta) if meta.is_dir() => fs::remove_dir_all(path),
        Ok(_) => fs::remove_file(path),
    }
}

/// A file streamed to its temporary name ([`temp_path`]) and renamed into place by
/// [`AtomicFile::commit`]; dropped without a commit, it removes the temporary.
///
/// For writers that outlive one call, such as an animation written frame by frame;
/// [`write_file`] is simpler otherwise.
#[derive(Debug)]
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    file: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the temporary of `path` (truncating a stale one).
    ///
    /// # Errors
    /// An [`IoError`] naming `path` if the temporary cannot be created.
    pub fn create(path: impl AsRef<Path>) -> Result<Self, IoError> {
        let path = path.as_ref().to_path_buf();
        let tmp = temp_path(&path);
        let file = File::create(&tmp).map_err(IoError::new(&path, "create the temporary file"))?;
        Ok(Self {
            path,
            tmp,
            file: Some(BufWriter::new(file)),
        })
    }

    /// The path the file appears at once committed.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes and syncs the temporary, then renames it onto the target path.
    ///
    /// # Errors
    /// An [`IoError`] naming the target path; the temporary is removed.
    pub fn commit(mut self) -> Result<(), IoError> {
        let Some(writer) = self.file.take() else {
            return Ok(());
        };
        let file = writer
            .into_inner()
            .map_err(|e| IoError::new(&self.path, "write the temporary file")(e.into_error()))?;
        commit(file, &self.tmp, &self.path)?;
        // Committed: nothing for `drop` to remove.
        self.tmp = PathBuf::new();
        Ok(())
    }

    fn writer(&mut self) -> io::Result<&mut BufWriter<File>> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("atomic file written after commit"))
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writer()?.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer()?.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.tmp.as_os_str().is_empty() {
            self.file = None;
            let _ = fs::remove_file(&self.tmp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A caller's error type: the helpers' failures arrive through `From<IoError>`.
    #[derive(Debug)]
    enum TestError {
        Atomic(IoError),
        // Read through `Debug` when a test fails.
        Io(#[allow(dead_code)] io::Error),
        Refused,
    }

    impl From<IoError> for TestError {
        fn from(e: IoError) -> Self {
            TestError::Atomic(e)
        }
    }

    impl From<io::Error> for TestError {
        fn from(e: io::Error) -> Self {
            TestError::Io(e)
        }
    }

    fn names(dir: &Path) -> io::Result<Vec<String>> {
        let mut names = fs::read_dir(dir)?
            .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
            .collect::<io::Result<Vec<_>>>()?;
        names.sort();
        Ok(names)
    }

    #[test]
    fn write_file_renames_into_place_keeping_the_extension() -> Result<(), TestError> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("model.safetensors");
        fs::write(&path, "old")?;
        write_file(&path, |tmp: &Path| {
            assert_eq!(
                tmp.extension().and_then(|e| e.to_str()),
                Some("safetensors")
            );
            assert!(is_temp(tmp));
            Ok::<_, TestError>(fs::write(tmp, "new")?)
        })?;
        assert_eq!(fs::read_to_string(&path)?, "new");
        assert_eq!(names(dir.path())?, ["model.safetensors"]);
        Ok(())
    }

    #[test]
    fn a_failing_writer_leaves_the_target_and_no_temporary() -> Result<(), TestError> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("table.csv");
        fs::write(&path, "old")?;
        let result = write_file(&path, |tmp: &Path| {
            fs::write(tmp, "half")?;
            Err::<(), _>(TestError::Refused)
        });
        assert!(matches!(result, Err(TestError::Refused)), "{result:?}");
        assert_eq!(fs::read_to_string(&path)?, "old");
        assert_eq!(names(dir.path())?, ["table.csv"]);
        Ok(())
    }

    #[test]
    fn a_writer_that_creates_nothing_is_an_error_naming_the_target() -> Result<(), TestError> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("figure.png");
        let result = write_file(&path, |_: &Path| Ok::<_, TestError>(()));
        assert!(
            matches!(&result, Err(TestError::Atomic(e)) if e.path == path),
            "{result:?}"
        );
        assert!(names(dir.path())?.is_empty());
        Ok(())
    }

    #[test]
    fn replace_dir_replaces_a_folder_whole() -> Result<(), TestError> {
        let out = tempfile::tempdir()?;
        let dir = out.path().join("nested").join("checkpoint");
        replace_dir(&dir, |tmp: &Path| {
            fs::write(tmp.join("a"), "1")?;
            Ok::<_, TestError>(fs::write(tmp.join("b"), "1")?)
        })?;
        replace_dir(&dir, |tmp: &Path| {
            assert!(names(tmp)?.is_empty(), "the temporary folder starts empty");
            Ok::<_, TestError>(fs::write(tmp.join("c"), "2")?)
        })?;
        assert_eq!(names(&dir)?, ["c"]);
        assert_eq!(names(&out.path().join("nested"))?, ["checkpoint"]);
        Ok(())
    }

    #[test]
    fn a_failing_fill_leaves_the_previous_folder_and_no_temporary() -> Result<(), TestError> {
        let out = tempfile::tempdir()?;
        let dir = out.path().join("checkpoint");
        replace_dir(&dir, |tmp: &Path| {
            Ok::<_, TestError>(fs::write(tmp.join("a"), "1")?)
        })?;
        let result = replace_dir(&dir, |tmp: &Path| {
            fs::write(tmp.join("b"), "2")?;
            Err::<(), _>(TestError::Refused)
        });
        assert!(matches!(result, Err(TestError::Refused)), "{result:?}");
        assert_eq!(names(&dir)?, ["a"]);
        assert_eq!(names(out.path())?, ["checkpoint"]);
        Ok(())
    }

    #[test]
    fn replace_dir_recovers_from_a_crash_between_the_renames() -> Result<(), TestError> {
        let out = tempfile::tempdir()?;
        let dir = out.path().join("checkpoint");
        // As a crash after moving the previous folder aside leaves things.
        let old = sibling(&dir, OLD_PREFIX);
        fs::create_dir(&old)?;
        fs::write(old.join("a"), "1")?;
        fs::create_dir(temp_path(&dir))?;
        let result = replace_dir(&dir, |_: &Path| Err::<(), _>(TestError::Refused));
        assert!(matches!(result, Err(TestError::Refused)));
        assert_eq!(names(&dir)?, ["a"], "the previous folder is back");
        assert_eq!(names(out.path())?, ["checkpoint"]);
        Ok(())
    }

    #[test]
    fn atomic_file_appears_only_on_commit() -> Result<(), TestError> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("clusters.gif");
        let mut file = AtomicFile::create(&path)?;
        file.write_all(b"GIF89a")?;
        assert!(!path.exists());
        file.commit()?;
        assert_eq!(fs::read(&path)?, b"GIF89a");
        let mut dropped = AtomicFile::create(dir.path().join("other.gif"))?;
        dropped.write_all(b"GIF")?;
        drop(dropped);
        assert_eq!(names(dir.path())?, ["clusters.gif"]);
        Ok(())
    }
}
