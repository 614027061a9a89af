//! [`Input`]: where a run's images come from, as data — recorded in `config.json` so that
//! `mdec report` can load them again.

use std::path::{Path, PathBuf};

use mdec_cluster::Preset;
use mdec_data::{Dataset, FolderOptions, NamedDataset, Split};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// Where the images come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Input {
    /// A named dataset fetched with `cargo xtask fetch-<name>` into `root/<name>/`.
    Named {
        /// Which dataset.
        dataset: NamedDataset,
        /// Which part of it.
        split: Split,
        /// The folder holding the named datasets (`data` by default).
        root: PathBuf,
    },
    /// A folder of images (PNG, JPEG, BMP, TIFF), read recursively.
    Folder {
        /// The folder.
        dir: PathBuf,
        /// Resize every image to `(h, w)`; needed when sizes differ.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        size: Option<(usize, usize)>,
        /// Use the names of the sub-folders as labels.
        #[serde(default)]
        labels_from_folders: bool,
        /// Skip files that cannot be decoded (with a warning) instead of failing.
        #[serde(default)]
        skip_unreadable: bool,
    },
    /// A `.npy` file of images (N×H×W, N×C×H×W or N×H×W×C), optionally with labels.
    Npy {
        /// The images.
        file: PathBuf,
        /// A `.npy` file of integer labels.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        labels: Option<PathBuf>,
    },
    /// IDX images, optionally with IDX labels (raw or `.gz`).
    Idx {
        /// The images.
        images: PathBuf,
        /// The labels.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        labels: Option<PathBuf>,
    },
}

impl Input {
    /// The same input with absolute paths, valid from any working folder.
    pub fn absolute(&self) -> Self {
        let abs = |p: &PathBuf| std::path::absolute(p).unwrap_or_else(|_| p.clone());
        let mut input = self.clone();
        match &mut input {
            Input::Named { root, .. } => *root = abs(root),
            Input::Folder { dir, .. } => *dir = abs(dir),
            Input::Npy { file, labels } => {
                *file = abs(file);
                *labels = labels.as_ref().map(abs);
            }
            Input::Idx { images, labels } => {
                *images = abs(images);
                *labels = labels.as_ref().map(abs);
            }
        }
        input
    }

    /// Reads the images (and labels).
    ///
    /// # Errors
    /// [`Error::Data`](crate::Error::Data) naming the file and the problem.
    pub fn load(&self) -> Result<Dataset> {
        let dataset = match self {
            Input::Named {
                dataset,
                split,
                root,
            } => mdec_data::load_named(*dataset, *split, root)?,
            Input::Folder {
                dir,
                size,
                labels_from_folders,
                skip_unreadable,
            } => {
                let options = FolderOptions {
                    resize: *size,
                    labels_from_subfolders: *labels_from_folders,
                    skip_unreadable: *skip_unreadable,
                    ..FolderOptions::default()
                };
                mdec_data::load_folder(dir, &options)?
            }
            Input::Npy { file, labels } => mdec_data::npy::load_npy(file, labels.as_deref())?,
            Input::Idx {
                images,
                labels: None,
            } => Dataset::new(mdec_data::idx::read_idx_images(images)?),
            Input::Idx {
                images,
                labels: Some(labels),
            } => mdec_data::idx::load_idx_pair(images, labels)?,
        };
        tracing::info!(
            samples = dataset.len(),
            shape = %dataset.shape(),
            labelled = dataset.labels().is_some(),
            "data loaded"
        );
        Ok(dataset)
    }

    /// The preset of a run that names none: `crops` for a folder of images (a user's own
    /// crops, where the object or defect is a part of each image), `mdec` for the benchmark
    /// datasets and image arrays (digit-like images, the object filling the frame).
    pub fn default_preset(&self) -> Preset {
        match self {
            Input::Folder { .. } => Preset::Crops,
            Input::Named { .. } | Input::Npy { .. } | Input::Idx { .. } => Preset::Mdec,
        }
    }

    /// A short description for the config and the report.
    pub fn describe(&self) -> String {
        let show = |p: &Path| p.display().to_string();
        match self {
            Input::Named { dataset, split, .. } => format!("{} ({split})", dataset.name()),
            Input::Folder { dir, .. } => format!("image folder {}", show(dir)),
            Input::Npy { file, .. } => format!("npy {}", show(file)),
            Input::Idx { images, labels } => match labels {
                Some(labels) => format!("idx {} {}", show(images), show(labels)),
                None => format!("idx {}", show(images)),
            },
        }
    }
}
