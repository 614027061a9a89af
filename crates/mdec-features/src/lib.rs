//! Hand-made image features for mdec, in pure Rust (no libtorch): the anomaly descriptors
//! ([`Anomaly`]: what stands out of an image's own background, by shape and polarity,
//! blind to position, rotation, lighting and colour — what the `crops` preset clusters), the
//! texture statistics of physical fields ([`Texture`]: how much they vary at each scale, how
//! skewed, how round their bright structures — what the `fields` preset clusters), the
//! deep-clustering taxonomy's pre-processing — histograms of oriented gradients ([`Hog`], by
//! `imageproc`) and HSV colour histograms ([`HsvHistogram`]) — and the input normalisations
//! that make features see structure rather than lighting: per-image standardisation and local
//! contrast normalisation ([`Normalise`]).
//!
//! Features feed k-means, a dense autoencoder with a clustering head, or sit beside learned
//! embeddings. In the layering, `mdec-features` sits beside `mdec-data`, `mdec-metrics` and
//! `mdec-viz`: it never depends on libtorch.
//!
//! # Example
//!
//! A bar is a bar wherever it lies: globally pooled HOG of two vertical bars at different
//! places are closer than those of a vertical and a horizontal bar.
//!
//! ```
//! use mdec_features::{FeatureSpec, Hog, Normalise};
//! use ndarray::Array4;
//!
//! let images = Array4::from_shape_fn((3, 1, 32, 32), |(i, _, y, x)| {
//!     let p = if i < 2 { x } else { y };
//!     let at = [4, 20, 12][i];
//!     if (at..at + 3).contains(&p) { 0.9f32 } else { 0.2 }
//! });
//! let spec = FeatureSpec {
//!     normalise: Normalise::Standardise,
//!     hog: Some(Hog::default()),
//!     ..FeatureSpec::default()
//! };
//! let features = spec.extract(images.view())?; // [3, d]
//! let distance = |a: usize, b: usize| {
//!     (&features.row(a) - &features.row(b)).mapv(|v| v * v).sum().sqrt()
//! };
//! assert!(distance(0, 1) < distance(0, 2));
//! # Ok::<(), mdec_features::Error>(())
//! ```
//!
//! # Main types
//!
//! - [`FeatureSpec`] → [`FeatureSpec::extract`]: `[n, c, h, w]` images → `[n, d]` features.
//! - [`Anomaly`], [`Normalise`], [`Hog`] with its [`Pooling`], [`HsvHistogram`].
//! - [`Error`], [`Result`].

mod anomaly;
mod colour;
mod error;
mod hog;
mod normalise;
mod spec;
mod texture;

pub use anomaly::Anomaly;
pub use colour::HsvHistogram;
pub use error::{Error, Result};
pub use hog::{Hog, Pooling};
pub use normalise::Normalise;
pub use spec::FeatureSpec;
pub use texture::Texture;

#[cfg(test)]
mod testing {
    /// The Euclidean distance between two feature vectors.
    pub(crate) fn distance(a: &[f32], b: &[f32]) -> f32 {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).powi(2))
            .sum::<f32>()
            .sqrt()
    }
}
