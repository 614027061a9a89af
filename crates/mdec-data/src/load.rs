//! [`load_path`]: one entry point that recognises what a path holds (IDX directory, IDX
//! file, `.npy` file or image folder) and loads it. Used by `mdec data inspect <path>`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::folder::{FolderOptions, load_folder};
use crate::idx::{self, load_idx_pair, looks_like_idx};
use crate::named::NamedDataset;
use crate::npy::{load_npy, read_npy_labels};

/// Options for [`load_path`]. The default loads everything as found.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LoadOptions {
    /// How to load an image folder (ignored for IDX and `.npy` data).
    pub folder: FolderOptions,
    /// A labels file (`.npy`, or IDX otherwise) for a single images file. Default `None`:
    /// an IDX images file picks up its `*-labels-idx1-ubyte` partner when present;
    /// a `.npy` file is loaded without labels.
    pub labels: Option<PathBuf>,
}

/// What [`load_path`] found at a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detected {
    /// A directory with IDX images files; each pair is (images, optional labels), train first.
    IdxDir(Vec<(PathBuf, Option<PathBuf>)>),
    /// One IDX file.
    IdxFile,
    /// One `.npy` file.
    Npy,
    /// A directory of images.
    ImageFolder,
}

/// Tells what `path` holds without loading it.
///
/// # Errors
/// [`Error::Io`] if `path` does not exist or a directory cannot be listed, and
/// [`Error::UnknownFormat`] for a file that is neither `.npy` nor IDX.
pub fn detect(path: &Path) -> Result<Detected> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        let pairs = idx_pairs(path)?;
        return Ok(if pairs.is_empty() {
            Detected::ImageFolder
        } else {
            Detected::IdxDir(pairs)
        });
    }
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"))
    {
        Ok(Detected::Npy)
    } else if looks_like_idx(path) {
        Ok(Detected::IdxFile)
    } else {
        Err(Error::UnknownFormat {
            path: path.to_path_buf(),
        })
    }
}

/// Loads whatever `path` holds.
///
/// - A directory with IDX images files (`*images-idx3-ubyte`, raw or `.gz`): each with
///   its `*labels-idx1-ubyte` partner when present, all concatenated, `train*` files
///   first; so `data/mnist` gives all 70 000 MNIST images. A directory named after a
///   [`NamedDataset`] also gets its class names.
/// - A single IDX images file, with labels from `options.labels` or its partner file.
/// - A `.npy` file, with labels from `options.labels`.
/// - Any other directory: an image folder, loaded with `options.folder`.
///
/// ```
/// use mdec_data::{idx::{write_idx, IdxArray}, load_path, LoadOptions};
/// use ndarray::Array4;
///
/// let dir = tempfile::tempdir()?;
/// let images = IdxArray::from_unit_images(&Array4::zeros((5, 1, 4, 4)));
/// write_idx(dir.path().join("train-images-idx3-ubyte"), &images)?;
/// write_idx(dir.path().join("train-labels-idx1-ubyte"), &IdxArray::from_labels(&[0, 1, 2, 3, 4])?)?;
/// let ds = load_path(dir.path(), &LoadOptions::default())?;
/// assert_eq!((ds.len(), ds.labels().map(|l| l[4])), (5, Some(4)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// Those of [`detect`] and of the reader chosen.
pub fn load_path(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Dataset> {
    let path = path.as_ref();
    match detect(path)? {
        Detected::ImageFolder => load_folder(path, &options.folder),
        Detected::Npy => load_npy(path, options.labels.as_deref()),
        Detected::IdxFile => {
            let labels = options.labels.clone().or_else(|| partner(path));
            load_idx_single(path, labels.as_deref())
        }
        Detected::IdxDir(pairs) => {
            let parts = pairs
                .iter()
                .map(|(x, y)| match y {
                    Some(y) => load_idx_pair(x, y),
                    None => load_idx_single(x, None),
                })
                .collect::<Result<Vec<_>>>()?;
            let ds = Dataset::concat(&parts)?;
            Ok(with_known_classes(ds, path))
        }
    }
}

fn load_idx_single(images: &Path, labels: Option<&Path>) -> Result<Dataset> {
    let Some(labels_path) = labels else {
        return Ok(Dataset::new(idx::read_idx_images(images)?));
    };
    if labels_path.extension().is_some_and(|e| e == "npy") {
        let ds = Dataset::new(idx::read_idx_images(images)?);
        let labels = read_npy_labels(labels_path)?;
        if labels.len() != ds.len() {
            return Err(Error::FileCountMismatch {
                images_path: images.to_path_buf(),
                labels_path: labels_path.to_path_buf(),
                images: ds.len(),
                labels: labels.len(),
            });
        }
        ds.with_labels(labels)
    } else {
        load_idx_pair(images, labels_path)
    }
}

/// Adds class names when the directory is named after a known dataset and labels fit.
fn with_known_classes(ds: Dataset, dir: &Path) -> Dataset {
    let named = dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse::<NamedDataset>().ok());
    match (named, ds.labels()) {
        (Some(named), Some(labels)) if labels.iter().all(|&l| l < named.spec().classes.len()) => {
            let names = named.spec().classes.iter().map(|s| s.to_string()).collect();
            match ds.clone().with_class_names(names) {
                Ok(with) => with,
                Err(_) => ds,
            }
        }
        _ => ds,
    }
}

/// The name without a trailing `.gz`.
fn stem_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    Some(name.strip_suffix(".gz").unwrap_or(name).to_owned())
}

/// The labels file next to an IDX images file: `…images-idx3…` → `…labels-idx1…`,
/// raw or `.gz`.
fn partner(images: &Path) -> Option<PathBuf> {
    let name = stem_name(images)?;
    let labels = ["images-idx3", "images-idx4"]
        .iter()
        .find(|pat| name.contains(*pat))
        .map(|pat| name.replace(pat, "labels-idx1"))?;
    let dir = images.parent()?;
    [labels.clone(), format!("{labels}.gz")]
        .into_iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file())
}

/// IDX images files directly in `dir` with their label partners, `train*` first.
fn idx_pairs(dir: &Path) -> Result<Vec<(PathBuf, Option<PathBuf>)>> {
    let mut images = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let path = entry.map_err(|e| Error::io(dir, e))?.path();
        let Some(name) = stem_name(&path) else {
            continue;
        };
        if path.is_file() && (name.contains("images-idx3") || name.contains("images-idx4")) {
            images.push((name, path));
        }
    }
    // A raw file and its .gz copy: keep one (the raw file).
    images.sort_by(|a, b| {
        let key = |(n, p): &(String, PathBuf)| {
            (
                !n.contains("train"),
                n.clone(),
                p.extension().is_some_and(|e| e == "gz"),
            )
        };
        key(a).cmp(&key(b))
    });
    images.dedup_by(|b, a| a.0 == b.0);
    Ok(images
        .into_iter()
        .map(|(_, p)| {
            let labels = partner(&p);
            (p, labels)
        })
        .collect())
}
