//! Figures for mdec: training curves, embedding scatter frames and their GIF,
//! reconstructions, cluster montages and confusion matrices, drawn from plain arrays.
//!
//! # Place in the workspace
//!
//! `mdec-viz` is pure Rust and never depends on libtorch (nor on `mdec-metrics`): it takes
//! slices and `ndarray` views (`[n, d]` embeddings, `[n, c, h, w]` images in [0, 1]) that
//! the training crates copy out of their tensors. Text is drawn with an embedded DejaVu Sans
//! (`assets/fonts`), so no system font is needed. Every file is written atomically (a
//! temporary name in the same folder, then a rename) through [`mdec_data::atomic`], the one
//! thing it takes from `mdec-data` (built without its polars `table` feature), and bad input (empty, NaN,
//! mismatched lengths, zero-size images) is an [`Error`], never a panic or a blank image.
//!
//! # Figures
//!
//! | figure | function | format |
//! | --- | --- | --- |
//! | pretraining losses + moving averages | [`pretrain_curves`] | PNG or SVG |
//! | ACC / NMI / ARI, loss terms, labels changed | [`cluster_curves`] | PNG or SVG |
//! | inputs above reconstructions | [`reconstructions`] | PNG |
//! | embedding scatter per update step | [`Projection`], [`scatter_frame`], [`GifWriter`] | PNG / GIF |
//! | most / least confident samples per cluster | [`cluster_montages`], [`overview_sheet`] | PNG |
//! | confusion matrix, cluster sizes | [`confusion_heatmap`], [`cluster_sizes`] | PNG or SVG |
//!
//! # Example
//!
//! ```
//! use mdec_viz::{GifOptions, GifWriter, Projection, ScatterOptions, scatter_frame};
//! use ndarray::Array2;
//!
//! # fn main() -> mdec_viz::Result<()> {
//! let dir = std::env::temp_dir().join(format!("mdec-viz-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).map_err(|source| mdec_viz::Error::Io { path: dir.clone(), source })?;
//! // Two synthetic blobs of 8-d embeddings.
//! let z = Array2::from_shape_fn((200, 8), |(i, j)| (i % 2) as f32 * 4.0 + ((i * 31 + j * 17) % 13) as f32 / 13.0);
//! let clusters: Vec<usize> = (0..200).map(|i| i % 2).collect();
//!
//! // Fit the projection once, then reuse it (and its axes) for every frame.
//! let projection = Projection::fit_pca(z.view())?;
//! let options = ScatterOptions { bounds: Some(projection.bounds()), ..ScatterOptions::default() };
//! let first = scatter_frame(projection.project(z.view())?.view(), &clusters, None, "step 0  ACC 1.000", &options)?;
//!
//! let mut gif = GifWriter::create(dir.join("clusters.gif"), first.width(), first.height(), &GifOptions::default())?;
//! gif.push_frame(&first)?;
//! gif.finish()?;
//! first.save_png(dir.join("step0.png"))?;
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok(())
//! # }
//! ```
//!
//! # Main types
//!
//! [`Curve`] and [`ClusterCurves`] hold histories; [`Projection`] (PCA, or t-SNE with the
//! `tsne` feature) maps embeddings to 2-D once; [`RgbImage`] is a rendered frame;
//! [`GifWriter`] streams frames into an animated GIF with a fixed palette.

mod animation;
mod confusion;
mod curves;
mod error;
mod montage;
mod output;
mod overlay;
mod palette;
mod projection;
mod reconstruction;
mod scatter;
mod tiles;

pub use animation::{GifOptions, GifWriter};
pub use confusion::{cluster_sizes, confusion_heatmap};
pub use curves::{
    ClusterCurves, Curve, cluster_curves, moving_average, pretrain_curves, setting_scores,
};
pub use error::{Error, Result};
pub use montage::{MontageOptions, cluster_montages, overview_sheet};
pub use output::RgbImage;
pub use overlay::cluster_overlay;
pub use palette::{CLUSTER_COLORS, cluster_color};
#[cfg(feature = "tsne")]
pub use projection::TsneParams;
pub use projection::{Bounds, Projection};
pub use reconstruction::reconstructions;
pub use scatter::{ScatterOptions, scatter_frame};
pub use tiles::save_sample;
