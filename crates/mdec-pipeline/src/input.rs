//! [`Input`]: where a run's images come from, as data — recorded in `config.json` so that
//! `mdec report` can load them again.

use std::path::{Path, PathBuf};

use mdec_cluster::Preset;
use mdec_data::crops::{Crops, pair_by_stem, read_boxes};
use mdec_data::stretch::Stretch;
use mdec_data::tiles::{TileGrid, TileInput, Tiles};
use mdec_data::{Dataset, FolderOptions, NamedDataset, RasterOptions, Source, Split};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// Where the images come from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Input {
    /// A named dataset fetched with `cargo xtask fetch <name>` into `root/<name>/`.
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
    /// Tiles of large images or data cubes (PNG, TIFF, `.npy`, FITS).
    Tiles {
        /// The inputs.
        files: Vec<PathBuf>,
        /// Tile size, stride and edge policy.
        grid: TileGrid,
        /// How the planes of cubes and multi-page files are read.
        #[serde(default)]
        raster: RasterOptions,
        /// Scaling of each input to [0, 1]; `None` keeps the values as they are.
        #[serde(default)]
        stretch: Option<Stretch>,
        /// Masks, one per input (or none): only tiles half inside are kept.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        masks: Vec<PathBuf>,
        /// Known region maps, one per input (or none): each tile's label is the region
        /// covering most of it, to score the clusters against.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        regions: Vec<PathBuf>,
    },
    /// Crops around annotated defects in part images.
    Crops {
        /// The folder of part images.
        dir: PathBuf,
        /// Where the defects are marked.
        annotations: Annotations,
        /// Context kept around each defect, in pixels.
        margin: usize,
        /// Every crop is resized to `(h, w)`.
        size: (usize, usize),
    },
}

/// Where the defects in part images are marked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "path", rename_all = "snake_case")]
pub enum Annotations {
    /// A folder of masks named like the images (same file stem): each connected
    /// component is one defect.
    Masks(PathBuf),
    /// A box file: COCO JSON or CSV `file,x,y,w,h[,label]`.
    Boxes(PathBuf),
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
            Input::Tiles {
                files,
                masks,
                regions,
                ..
            } => {
                for path in files.iter_mut().chain(masks).chain(regions) {
                    *path = abs(path);
                }
            }
            Input::Crops {
                dir, annotations, ..
            } => {
                *dir = abs(dir);
                match annotations {
                    Annotations::Masks(path) | Annotations::Boxes(path) => *path = abs(path),
                }
            }
        }
        input
    }

    /// The samples of tiles and crops, cut on demand from their inputs; `None` for inputs
    /// of whole images.
    ///
    /// # Errors
    /// [`Error::Data`](crate::Error::Data) naming the file and the problem.
    pub fn source(&self) -> Result<Option<Box<dyn Source>>> {
        match self {
            Input::Tiles {
                files,
                grid,
                raster,
                stretch,
                masks,
                regions,
            } => {
                let per_input = |what: &str, given: &[PathBuf]| -> Result<Vec<Option<PathBuf>>> {
                    match given.len() {
                        0 => Ok(vec![None; files.len()]),
                        n if n == files.len() => Ok(given.iter().cloned().map(Some).collect()),
                        n => Err(crate::Error::BadInput(format!(
                            "{n} {what} for {} inputs: give one per input, in the same order",
                            files.len()
                        ))),
                    }
                };
                let (masks, regions) = (
                    per_input("masks", masks)?,
                    per_input("region maps", regions)?,
                );
                let mut inputs = Vec::new();
                for ((file, mask), region) in files.iter().zip(masks).zip(regions) {
                    let read = |p: Option<PathBuf>| -> Result<_> {
                        Ok(match p {
                            Some(p) => {
                                let image = mdec_data::read_mask(&p)?;
                                Some((p, image))
                            }
                            None => None,
                        })
                    };
                    let (mask, region) = (read(mask)?, read(region)?);
                    for raster in mdec_data::read_raster(file, raster)? {
                        inputs.push(TileInput {
                            raster,
                            mask: mask.clone(),
                            regions: region.clone(),
                        });
                    }
                }
                let tiles = Tiles::new(inputs, *grid, stretch.as_ref())?;
                tracing::info!(inputs = files.len(), tiles = tiles.len(), "tiles laid out");
                Ok(Some(Box::new(tiles)))
            }
            Input::Crops {
                dir,
                annotations,
                margin,
                size,
            } => {
                let in_dir = |d: &PathBuf| -> Result<Vec<PathBuf>> {
                    let files = mdec_data::folder::list_images(d)?;
                    Ok(files.into_iter().map(|f| d.join(f)).collect())
                };
                let images = in_dir(dir)?;
                let crops = match annotations {
                    Annotations::Masks(masks_dir) => {
                        let masks = in_dir(masks_dir)?;
                        let mut parts = Vec::new();
                        let mut read_masks = Vec::new();
                        for (image, mask) in pair_by_stem(&images, &masks)? {
                            parts
                                .extend(mdec_data::read_raster(&image, &RasterOptions::default())?);
                            read_masks.push((mask.clone(), mdec_data::read_mask(&mask)?));
                        }
                        Crops::from_masks(parts, read_masks, *margin, *size)?
                    }
                    Annotations::Boxes(file) => {
                        let boxes = read_boxes(file)?;
                        let mut parts = Vec::new();
                        for image in &images {
                            parts.extend(mdec_data::read_raster(image, &RasterOptions::default())?);
                        }
                        Crops::from_boxes(parts, boxes, file, *margin, *size)?
                    }
                };
                tracing::info!(parts = images.len(), crops = crops.len(), "crops cut");
                Ok(Some(Box::new(crops)))
            }
            _ => Ok(None),
        }
    }

    /// Reads the images (and labels).
    ///
    /// # Errors
    /// [`Error::Data`](crate::Error::Data) naming the file and the problem.
    pub fn load(&self) -> Result<Dataset> {
        if let Some(source) = self.source()? {
            return self.load_from(source.as_ref());
        }
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
            Input::Tiles { .. } | Input::Crops { .. } => {
                unreachable!("tiles and crops have a source")
            }
        };
        Ok(logged(dataset))
    }

    /// Every sample of `source` (this input's [`Input::source`]) in memory.
    ///
    /// # Errors
    /// [`Error::Data`](crate::Error::Data) when the samples do not form a dataset.
    pub fn load_from(&self, source: &dyn Source) -> Result<Dataset> {
        Ok(logged(source.to_dataset()?))
    }

    /// The preset of a run that names none: `crops` for a folder of images or crops cut
    /// from part images (where the object or defect is a part of each image), `fields` for
    /// tiles (the kind of structure of a physical field, blind to its level), `mdec` for the
    /// benchmark datasets and image arrays (digit-like images, the object filling the frame).
    pub fn default_preset(&self) -> Preset {
        match self {
            Input::Folder { .. } | Input::Crops { .. } => Preset::Crops,
            Input::Tiles { .. } => Preset::Fields,
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
            Input::Tiles { files, grid, .. } => format!(
                "{s}×{s} tiles every {} px, with {} px of context, of {}",
                grid.stride,
                grid.context,
                files.iter().map(|f| show(f)).collect::<Vec<_>>().join(", "),
                s = grid.size,
            ),
            Input::Crops {
                dir, annotations, ..
            } => match annotations {
                Annotations::Masks(m) => format!("crops of {} by masks {}", show(dir), show(m)),
                Annotations::Boxes(b) => format!("crops of {} by boxes {}", show(dir), show(b)),
            },
        }
    }
}

/// `dataset`, once its size is logged.
fn logged(dataset: Dataset) -> Dataset {
    tracing::info!(
        samples = dataset.len(),
        shape = %dataset.shape(),
        labelled = dataset.labels().is_some(),
        "data loaded"
    );
    dataset
}
