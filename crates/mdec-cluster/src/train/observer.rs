//! [`UpdateObserver`]: hooks called at the centroid initialisation, at every
//! target-distribution update and after every batch of [`Dec`](crate::Dec) training, e.g.
//! to draw one animation frame per update or a progress bar.

use mdec_metrics::Scores;
use ndarray::Array2;
use tch::Tensor;

use crate::error::Result;
use crate::train::report::IntervalRow;
use crate::train::tensor_to_array2;

/// What an observer sees at a target-distribution update.
#[derive(Debug)]
pub struct Update<'a> {
    /// The row just added to the metrics table (iteration, losses, sizes, scores).
    pub row: &'a IntervalRow,
    /// The embeddings of every sample, `[n, latent]`, on the model's device.
    pub embeddings: &'a Tensor,
    /// The soft assignments `q`, `[n, k]`, on the model's device.
    pub q: &'a Tensor,
    /// The hard assignment of every sample (argmax q).
    pub clusters: &'a [usize],
}

impl Update<'_> {
    /// The embeddings copied to the host, `[n, latent]`.
    ///
    /// # Errors
    /// [`Error::Torch`](crate::Error::Torch) / [`Error::EmbeddingShape`](crate::Error::EmbeddingShape)
    /// if they cannot be copied.
    pub fn embeddings_array(&self) -> Result<Array2<f32>> {
        tensor_to_array2(self.embeddings)
    }
}

/// What an observer sees when the centroids have been initialised.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Init {
    /// The iteration it happened at (0, or the end of a reconstruction-only warm-up).
    pub iteration: usize,
    /// The k-means inertia, when k-means chose the centroids.
    pub inertia: Option<f64>,
    /// ACC / NMI / ARI of the initial assignment, when the data has labels.
    pub scores: Option<Scores>,
    /// Seconds the initialisation took (embedding every sample and k-means).
    pub seconds: f64,
}

/// The error an observer may return; training stops with
/// [`Error::Observer`](crate::Error::Observer) holding it.
pub type ObserverError = Box<dyn std::error::Error + Send + Sync>;

/// [`UpdateObserver::on_update`] is called once per new row of the metrics table: after the
/// k-means initialisation and at every target-distribution update (not again for the update
/// a resumed run starts on); [`UpdateObserver::on_init`] when the centroids are initialised
/// and [`UpdateObserver::on_batch`] after every batch do nothing by default. Closures
/// `FnMut(&Update) -> Result<(), ObserverError>` are observers.
///
/// ```
/// use mdec_ae::{AeConfig, AeModel};
/// use mdec_cluster::{Dec, DecParams, ObserverError, Update};
/// use mdec_data::Dataset;
/// use ndarray::Array4;
///
/// let images = Array4::from_shape_fn((30, 1, 4, 4), |(i, _, y, _)| (i % 3 == y % 3) as u8 as f32);
/// let data = Dataset::new(images);
/// let model = AeModel::with_seed(AeConfig::dense(2), data.shape(), tch::Device::Cpu, 0)?;
/// let params = DecParams::new(3).max_iter(10).update_interval(5).batch_size(10)
///     .kmeans_n_init(2).check()?;
/// let mut dec = Dec::new(model, params)?;
/// let mut seen = Vec::new();
/// let mut watch = |u: &Update<'_>| -> Result<(), ObserverError> {
///     seen.push((u.row.iteration, u.embeddings.size()));
///     Ok(())
/// };
/// dec.fitting(&data).observer(&mut watch).run()?;
/// assert_eq!(seen.first(), Some(&(0, vec![30, 2])));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait UpdateObserver {
    /// Sees one update; an error stops training.
    ///
    /// # Errors
    /// Whatever the observer could not do (e.g. write a frame).
    fn on_update(&mut self, update: &Update<'_>) -> Result<(), ObserverError>;

    /// The centroids have been initialised.
    fn on_init(&mut self, _init: &Init) {}

    /// Iteration `iteration` (1-based) of at most `total` is done.
    fn on_batch(&mut self, _iteration: usize, _total: usize) {}
}

impl<F> UpdateObserver for F
where
    F: FnMut(&Update<'_>) -> Result<(), ObserverError>,
{
    fn on_update(&mut self, update: &Update<'_>) -> Result<(), ObserverError> {
        self(update)
    }
}
