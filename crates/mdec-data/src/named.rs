//! Named datasets (`mnist`, `fashion-mnist`) read from the IDX files that
//! `cargo xtask fetch-*` writes into `<root>/<name>/`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{Error, Result};
use crate::idx::load_idx_pair;

/// A dataset known by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NamedDataset {
    /// MNIST handwritten digits: 60 000 train + 10 000 test images, 1×28×28, 10 classes.
    Mnist,
    /// Fashion-MNIST clothing images: same layout and sizes as MNIST.
    FashionMnist,
}

const MNIST_CLASSES: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
const FASHION_CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

impl NamedDataset {
    /// Every named dataset.
    pub const ALL: [NamedDataset; 2] = [NamedDataset::Mnist, NamedDataset::FashionMnist];

    /// The name used on the command line and as the directory under the data root.
    pub fn name(self) -> &'static str {
        match self {
            NamedDataset::Mnist => "mnist",
            NamedDataset::FashionMnist => "fashion-mnist",
        }
    }

    /// The four uncompressed IDX files, in the order train images, train labels,
    /// test images, test labels.
    pub fn file_names(self) -> [&'static str; 4] {
        [
            "train-images-idx3-ubyte",
            "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte",
            "t10k-labels-idx1-ubyte",
        ]
    }

    /// The command that downloads the files.
    pub fn fetch_command(self) -> &'static str {
        match self {
            NamedDataset::Mnist => "cargo xtask fetch-mnist",
            NamedDataset::FashionMnist => "cargo xtask fetch-fashion-mnist",
        }
    }

    /// The ten class names, indexed by label.
    pub fn class_names(self) -> [&'static str; 10] {
        match self {
            NamedDataset::Mnist => MNIST_CLASSES,
            NamedDataset::FashionMnist => FASHION_CLASSES,
        }
    }

    /// The directory holding the files: `<root>/<name>`.
    pub fn dir(self, root: &Path) -> PathBuf {
        root.join(self.name())
    }
}

impl fmt::Display for NamedDataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for NamedDataset {
    type Err = Error;

    /// Parses `mnist` and `fashion-mnist` (also `fashion_mnist`, `fashionmnist`), any case.
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "mnist" => Ok(NamedDataset::Mnist),
            "fashion-mnist" | "fashion_mnist" | "fashionmnist" => Ok(NamedDataset::FashionMnist),
            _ => Err(Error::BadDatasetName { got: s.to_owned() }),
        }
    }
}

/// Which part of a named dataset to load.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Split {
    /// The training files.
    Train,
    /// The test files.
    Test,
    /// Train then test, concatenated (the usual choice for clustering; the default).
    #[default]
    All,
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Split::Train => "train",
            Split::Test => "test",
            Split::All => "all",
        })
    }
}

impl FromStr for Split {
    type Err = Error;

    /// Parses `train`, `test` and `all`, any case.
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "train" => Ok(Split::Train),
            "test" => Ok(Split::Test),
            "all" => Ok(Split::All),
            _ => Err(Error::BadSplit { got: s.to_owned() }),
        }
    }
}

/// Finds `name` in `dir`, accepting a `.gz` copy too; `None` if neither exists.
fn find(dir: &Path, name: &str) -> Option<PathBuf> {
    let raw = dir.join(name);
    if raw.is_file() {
        return Some(raw);
    }
    let gz = dir.join(format!("{name}.gz"));
    gz.is_file().then_some(gz)
}

/// Loads a split of a named dataset from `<root>/<name>/`, pixels in `[0, 1]`, with labels
/// and class names. `root` is usually `data`.
///
/// ```
/// use mdec_data::{load_named, Error, NamedDataset, Split};
///
/// let empty = tempfile::tempdir()?;
/// let err = load_named(NamedDataset::Mnist, Split::Train, empty.path()).unwrap_err();
/// assert!(matches!(err, Error::NotFetched { .. }));
/// assert!(err.to_string().contains("cargo xtask fetch-mnist"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::NotFetched`] naming the directory and the fetch command when a file is
/// missing (a `.gz` copy of a file is accepted too), and the IDX readers' errors.
pub fn load_named(dataset: NamedDataset, split: Split, root: &Path) -> Result<Dataset> {
    let dir = dataset.dir(root);
    let [train_x, train_y, test_x, test_y] = dataset.file_names();
    let wanted: &[(&str, &str)] = match split {
        Split::Train => &[(train_x, train_y)],
        Split::Test => &[(test_x, test_y)],
        Split::All => &[(train_x, train_y), (test_x, test_y)],
    };
    let mut parts = Vec::with_capacity(wanted.len());
    for &(x, y) in wanted {
        let locate = |name: &str| {
            find(&dir, name).ok_or_else(|| Error::NotFetched {
                dataset: dataset.name(),
                dir: dir.clone(),
                missing: dir.join(name),
                command: dataset.fetch_command(),
            })
        };
        let (x, y) = (locate(x)?, locate(y)?);
        parts.push(load_idx_pair(&x, &y)?);
    }
    let ds = if parts.len() == 1 {
        parts.pop().ok_or(Error::Concat {
            reason: "no dataset given",
        })?
    } else {
        Dataset::concat(&parts)?
    };
    let names = dataset
        .class_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let ds = ds.with_class_names(names)?;
    tracing::debug!(dataset = dataset.name(), %split, n = ds.len(), "loaded named dataset");
    Ok(ds)
}
