//! Datasets for mdec: readers, splits, batches, scaling and augmentation, in pure Rust.
//!
//! `mdec-data` sits at the bottom of the mdec layering, next to `mdec-metrics` and
//! `mdec-viz`: it never links libtorch. It turns files into one in-memory
//! [`Dataset`] of `f32` images shaped `[n, c, h, w]` (an [`ndarray::Array4`]), with
//! optional labels, per-sample names and class names. `mdec-ae` and `mdec-cluster`
//! build on it and convert batches from [`Dataset::gather`] into tensors at their edge.
//!
//! # Example
//!
//! ```
//! use mdec_data::augment::{augment, AugmentConfig};
//! use mdec_data::{Batches, Dataset, Order};
//! use ndarray::Array4;
//!
//! // 100 synthetic 1×8×8 images in [0, 1] with two classes.
//! let images = Array4::from_shape_fn((100, 1, 8, 8), |(i, _, y, x)| {
//!     ((i * 7 + y * 3 + x) % 10) as f32 / 10.0
//! });
//! let ds = Dataset::new(images).with_labels((0..100).map(|i| i % 2).collect())?;
//! println!("{}", ds.summary());
//!
//! // A seeded 80/20 split, then shuffled batches of 32 for epoch 0.
//! let (train, val) = ds.split(0.2, 42)?;
//! assert_eq!((train.len(), val.len()), (80, 20));
//! let config = AugmentConfig { rotation: 15.0, shift: 2, ..Default::default() };
//! for (b, indices) in train.batches(32, Order::Shuffled { seed: 42, epoch: 0 })?.enumerate() {
//!     let mut batch = train.gather(&indices); // [<=32, 1, 8, 8]
//!     augment(batch.view_mut(), &config, mdec_data::augment::batch_seed(42, 0, b as u64))?;
//!     assert!(batch.iter().all(|v| (0.0..=1.0).contains(v)));
//! }
//! # Ok::<(), mdec_data::Error>(())
//! ```
//!
//! # Main types and modules
//!
//! - [`Dataset`], [`ImageShape`], [`Summary`]: the data and its overview.
//! - [`idx`]: IDX (MNIST) files, raw or gzip; [`folder`]: image folders (PNG, JPEG, BMP,
//!   TIFF); [`npy`]: NumPy `.npy` images and labels; [`named`]: the datasets known by
//!   name (MNIST, Fashion-MNIST, CIFAR-10, STL-10, USPS, BSDS300) in one table, read from
//!   the files `cargo xtask fetch NAME` writes into `data/<name>/`; [`load_path`]: auto-detection of all of these.
//! - [`scale`]: min-max scaling and per-channel standardisation ([`MinMax`],
//!   [`Standardize`]).
//! - [`split`]: seeded train/validation splits and [`Batches`] of indices.
//! - [`augment`]: seeded, parallel rotation, shift, brightness, contrast, masking and
//!   Gaussian noise on a batch.
//! - [`crops`]: [`Crops`] of part images around defects, from masks or box files
//!   ([`read_boxes`]: COCO JSON or CSV), each keeping its source and position.
//! - `table` (feature `table`, on by default): tables written as CSV and Parquet,
//!   atomically.
//! - [`atomic`]: the one way mdec writes files and folders atomically (a temporary
//!   sibling, then a rename), and its temporary-name rule.
//! - [`Error`] and [`Result`]: the one error type.

pub mod atomic;
pub mod augment;
pub mod crops;
mod dataset;
mod error;
pub mod folder;
pub mod idx;
pub mod load;
pub mod maps;
mod memory;
pub mod named;
pub mod npy;
pub mod raster;
pub mod scale;
pub mod source;
pub mod split;
pub mod stretch;
mod summary;
pub mod synthetic;
#[cfg(feature = "table")]
pub mod table;
pub mod tiles;

pub use augment::AugmentConfig;
pub use crops::{AnnotatedBox, Crops, read_boxes};
pub use dataset::{Dataset, ImageShape};
pub use error::{Error, Result};
pub use folder::{ColorMode, FolderOptions, load_folder};
pub use load::{LoadOptions, load_path};
pub use named::{NamedDataset, Split, load_named};
pub use raster::{Position, Raster, RasterOptions, read_mask, read_raster};
pub use scale::{MinMax, Standardize};
pub use source::Source;
pub use split::{Batches, Order, split_indices};
pub use summary::{ClassCount, PixelStats, Summary};
