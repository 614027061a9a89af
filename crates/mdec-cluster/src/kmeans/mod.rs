//! k-means on embeddings, on the embeddings' device: the initialisation of the clustering
//! layer and DCRA's alternating centroid updates.
//!
//! [`KMeansParams`] → [`KMeansValidParams::fit`] → [`KMeans`] (centroids, labels,
//! inertia); [`lloyd_step`], [`assign`] and [`sq_distances`] for single steps.

mod algorithm;
mod hamerly;
mod params;

pub(crate) use algorithm::labels_to_vec;
pub use algorithm::{KMeans, assign, lloyd_step, sq_distances};
pub use params::{KMeansInit, KMeansParams, KMeansValidParams};
