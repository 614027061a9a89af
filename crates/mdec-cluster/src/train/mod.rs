//! The clustering stage: [`Dec`] trains a [`Backbone`] and its clustering layer with
//! target updates every `update_interval` iterations, tolerance stopping, the metrics
//! table, checkpoints, stop requests, resume and an [`UpdateObserver`] hook.

mod checkpoint;
mod method;
mod observer;
mod report;
mod run;

use std::collections::HashMap;
use std::path::Path;

use mdec_ae::{Encoder, StopFlag, embed};
use mdec_data::Dataset;
use ndarray::Array2;
use tch::{Kind, Tensor};

use crate::backbone::Backbone;
use crate::error::{Error, Result};
use crate::layer::{ClusteringLayer, LAYER, hard_assignment};
use crate::output::Assignments;
use crate::params::DecValidParams;

pub use checkpoint::{CHECKPOINT_DIR, CHECKPOINT_VERSION, ClusterLayout, latest_checkpoint};
pub use observer::{Init, ObserverError, Update, UpdateObserver};
pub use report::{
    ClusterReport, IntervalRow, StopReason, TABLE_STEM, rows_from_frame, rows_to_frame,
};

/// A deep embedded clustering model: a [`Backbone`] (encoder, maybe decoder) and a
/// [`ClusteringLayer`] whose centroids live in the backbone's var store under
/// `cluster`, trained with the objective of its [`DecValidParams`].
///
/// ```
/// use mdec_ae::{AeConfig, AeModel};
/// use mdec_cluster::{Dec, DecParams, Objective};
/// use mdec_data::Dataset;
/// use ndarray::Array4;
///
/// // 60 tiny 1×4×4 images of three kinds (bright top, bright left, dark).
/// let images = Array4::from_shape_fn((60, 1, 4, 4), |(i, _, y, x)| match i % 3 {
///     0 => if y < 2 { 1.0f32 } else { 0.0 },
///     1 => if x < 2 { 1.0 } else { 0.0 },
///     _ => 0.05 * ((i / 3) % 5) as f32,
/// });
/// let data = Dataset::new(images).with_labels((0..60).map(|i| i % 3).collect())?;
/// let model = AeModel::with_seed(AeConfig::dense(2), data.shape(), tch::Device::Cpu, 0)?;
/// let params = DecParams::new(3).objective(Objective::idec()).max_iter(20)
///     .update_interval(5).batch_size(16).kmeans_n_init(3).check()?;
/// let mut dec = Dec::new(model, params)?;
/// let report = dec.fit(&data, None)?;
/// assert_eq!(report.labels.len(), 60);
/// let assignments = dec.predict(&data)?;
/// assert_eq!(assignments.q.dim(), (60, 3));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Dec<B: Backbone> {
    backbone: B,
    layer: ClusteringLayer,
    params: DecValidParams,
}

impl<B: Backbone> Dec<B> {
    /// Adds the clustering layer (`cluster.centroids`, `[k, latent]`) to the backbone's
    /// var store, or reuses it when the store already holds one (a loaded model). The
    /// centroids are trainable for DEC / IDEC and moved by Lloyd steps for DCRA.
    ///
    /// # Errors
    /// [`Error::CentroidShape`] when an existing `cluster.centroids` has another shape.
    pub fn new(backbone: B, params: DecValidParams) -> Result<Self> {
        let layer = ClusteringLayer::new(
            &(backbone.var_store().root() / LAYER),
            params.n_clusters as i64,
            backbone.latent_dim(),
            params.alpha,
            !params.objective.uses_lloyd(),
        )?;
        Ok(Self {
            backbone,
            layer,
            params,
        })
    }

    /// The backbone.
    pub fn backbone(&self) -> &B {
        &self.backbone
    }

    /// Takes the backbone back (its var store keeps the centroids).
    pub fn into_backbone(self) -> B {
        self.backbone
    }

    /// The clustering layer.
    pub fn layer(&self) -> &ClusteringLayer {
        &self.layer
    }

    /// The settings.
    pub fn params(&self) -> &DecValidParams {
        &self.params
    }

    /// Trains from the current weights on `data`, writing the metrics table and a
    /// checkpoint at every update into `out_dir` when given (an existing checkpoint
    /// there is replaced). Seeds libtorch and the run's generators from `params.seed`.
    /// [`Dec::fitting`] sets the other options (a [`ClusterLayout`], resuming, an
    /// observer).
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the images do not fit the encoder,
    /// [`Error::TooFewSamples`] when there are fewer images than clusters, and I/O,
    /// table and libtorch errors.
    pub fn fit(&mut self, data: &Dataset, out_dir: Option<&Path>) -> Result<ClusterReport> {
        let fit = self.fitting(data);
        match out_dir {
            Some(dir) => fit.output(dir).run(),
            None => fit.run(),
        }
    }

    /// Resumes from the checkpoint in `out_dir`: restores the weights, centroids,
    /// optimiser moments, scheduler, last assignment and rows (and, for a checkpoint taken
    /// on a stop request between updates, the target distribution and the interval's loss
    /// sums), then continues as if never stopped (on the CPU, the rest of the run is
    /// identical to an uninterrupted one).
    ///
    /// # Errors
    /// [`Error::NoCheckpoint`] when `out_dir` holds none, [`Error::Incompatible`] when it
    /// was written for other data or another model, and those of [`Dec::fit`].
    pub fn resume(&mut self, data: &Dataset, out_dir: &Path) -> Result<ClusterReport> {
        self.fitting(data)
            .output(out_dir)
            .resume(Resume::Required)
            .run()
    }

    /// [`Dec::resume`] when `out_dir` holds a checkpoint, else [`Dec::fit`].
    ///
    /// # Errors
    /// Those of [`Dec::resume`] and [`Dec::fit`].
    pub fn fit_or_resume(&mut self, data: &Dataset, out_dir: &Path) -> Result<ClusterReport> {
        self.fitting(data)
            .output(out_dir)
            .resume(Resume::IfPresent)
            .run()
    }

    /// A training run on `data` to configure: where it writes ([`Fit::output`]), whether
    /// it resumes ([`Fit::resume`]), who watches it ([`Fit::observer`]) and what stops it
    /// ([`Fit::stop`]); then [`Fit::run`].
    ///
    /// ```no_run
    /// # use mdec_ae::AeModel;
    /// # use mdec_cluster::{ClusterLayout, Dec, Resume};
    /// # fn demo(dec: &mut Dec<AeModel>, data: &mdec_data::Dataset) -> mdec_cluster::Result<()> {
    /// let run = std::path::Path::new("runs/mnist");
    /// let layout = ClusterLayout {
    ///     tables: run.join("metrics"),
    ///     checkpoint: run.join("checkpoints/cluster"),
    /// };
    /// let report = dec.fitting(data).output(layout).resume(Resume::IfPresent).run()?;
    /// # Ok(()) }
    /// ```
    pub fn fitting<'a>(&'a mut self, data: &'a Dataset) -> Fit<'a, B> {
        Fit {
            dec: self,
            data,
            layout: None,
            resume: Resume::No,
            observer: None,
            stop: StopFlag::default(),
            deadline: None,
        }
    }

    /// Embeds every image (batched, no gradient, evaluation mode): `[n, latent]` on the
    /// model's device.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the images do not fit the encoder.
    pub fn embed_tensor(&self, data: &Dataset) -> Result<Tensor> {
        check_shape(&self.backbone, data)?;
        let xs = mdec_ae::array_to_tensor(data.images())?; // [n, c, h, w] on the host
        Ok(embed(
            &self.backbone,
            &xs,
            self.params.eval_batch_size as i64,
        )?)
    }

    /// The embeddings of every image as a host array `[n, latent]`.
    ///
    /// # Errors
    /// Those of [`Dec::embed_tensor`].
    pub fn embeddings(&self, data: &Dataset) -> Result<Array2<f32>> {
        tensor_to_array2(&self.embed_tensor(data)?)
    }

    /// Soft assignments `q` of embeddings `zs` (`[n, latent]`), without gradient.
    pub fn soft_assign(&self, zs: &Tensor) -> Tensor {
        tch::no_grad(|| self.layer.soft_assign(zs))
    }

    /// Per-sample assignments of every image: cluster (argmax q), confidence (max q) and
    /// the full q row.
    ///
    /// # Errors
    /// Those of [`Dec::embed_tensor`].
    pub fn predict(&self, data: &Dataset) -> Result<Assignments> {
        let zs = self.embed_tensor(data)?; // [n, d]
        let q = self.soft_assign(&zs); // [n, k]
        Assignments::from_q(&q)
    }

    /// The hard assignment of every image, `[n]`.
    ///
    /// # Errors
    /// Those of [`Dec::embed_tensor`].
    pub fn predict_labels(&self, data: &Dataset) -> Result<Vec<usize>> {
        let zs = self.embed_tensor(data)?;
        crate::kmeans::labels_to_vec(&hard_assignment(&self.soft_assign(&zs)))
    }
}

/// Whether a [`Fit`] continues from the checkpoint in its output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Resume {
    /// Start from the current weights; an existing checkpoint is replaced. The default.
    #[default]
    No,
    /// Continue from the checkpoint when there is one, else start.
    IfPresent,
    /// Continue from the checkpoint; [`Error::NoCheckpoint`] when there is none.
    Required,
}

/// A configured training run of a [`Dec`]; see [`Dec::fitting`].
pub struct Fit<'a, B: Backbone> {
    dec: &'a mut Dec<B>,
    data: &'a Dataset,
    layout: Option<ClusterLayout>,
    resume: Resume,
    observer: Option<&'a mut dyn UpdateObserver>,
    stop: StopFlag,
    deadline: Option<std::time::Instant>,
}

impl<B: Backbone> std::fmt::Debug for Fit<'_, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fit")
            .field("samples", &self.data.len())
            .field("layout", &self.layout)
            .field("resume", &self.resume)
            .field("observer", &self.observer.is_some())
            .finish()
    }
}

impl<'a, B: Backbone> Fit<'a, B> {
    /// Writes the metrics table and checkpoints: into one folder (a path), or as a
    /// [`ClusterLayout`] says. Without an output nothing is written.
    pub fn output(mut self, layout: impl Into<ClusterLayout>) -> Self {
        self.layout = Some(layout.into());
        self
    }

    /// Whether to continue from the output's checkpoint. Default [`Resume::No`].
    pub fn resume(mut self, resume: Resume) -> Self {
        self.resume = resume;
        self
    }

    /// Calls `observer` at the initialisation, at every target-distribution update and
    /// after every batch.
    pub fn observer(mut self, observer: &'a mut dyn UpdateObserver) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Checked before every batch: once `stop` is set (e.g. from another thread), training
    /// writes a checkpoint of the iteration it reached (when it has an output) and returns
    /// with [`StopReason::Interrupted`]; resuming continues from there. Default: a flag
    /// nobody sets.
    pub fn stop(mut self, stop: StopFlag) -> Self {
        self.stop = stop;
        self
    }

    /// A time budget: the first iteration after `deadline` is a last target update (table
    /// row, checkpoint), then training ends as when the iteration budget is spent
    /// ([`StopReason::Budget`]). Default: none.
    pub fn deadline(mut self, deadline: std::time::Instant) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// Trains; see [`Dec::fit`] and [`Dec::resume`].
    ///
    /// # Errors
    /// Those of [`Dec::fit`] and [`Dec::resume`], and [`Error::Observer`] when the observer
    /// fails.
    pub fn run(self) -> Result<ClusterReport> {
        let checkpoint = self
            .layout
            .as_ref()
            .and_then(ClusterLayout::latest_checkpoint);
        let files = match (self.resume, checkpoint) {
            (Resume::No, _) | (Resume::IfPresent, None) => None,
            (_, Some(dir)) => Some(checkpoint::read(&dir)?),
            (Resume::Required, None) => {
                return Err(Error::NoCheckpoint {
                    dir: self
                        .layout
                        .as_ref()
                        .map(|l| l.checkpoint.clone())
                        .unwrap_or_default(),
                });
            }
        };
        run::Run::new(
            self.dec,
            self.data,
            self.layout,
            self.observer,
            self.stop,
            self.deadline,
        )?
        .run(files)
    }
}

pub(crate) fn check_shape(encoder: &impl Encoder, data: &Dataset) -> Result<()> {
    if data.shape() == encoder.input_shape() {
        Ok(())
    } else {
        Err(Error::ShapeMismatch {
            expected: encoder.input_shape(),
            got: data.shape(),
        })
    }
}

/// Copies a `[n, d]` tensor into a host `f32` array.
pub(crate) fn tensor_to_array2(t: &Tensor) -> Result<Array2<f32>> {
    let size = t.size();
    let [n, d] = size.as_slice() else {
        return Err(Error::EmbeddingShape {
            shape: size.clone(),
            kind: format!("{:?}", t.kind()),
        });
    };
    let flat = t
        .f_to_device(tch::Device::Cpu)?
        .f_to_kind(Kind::Float)?
        .f_contiguous()?
        .f_view([-1])?;
    let values = Vec::<f32>::try_from(&flat)?;
    Array2::from_shape_vec((*n as usize, *d as usize), values).map_err(|e| Error::EmbeddingShape {
        shape: size.clone(),
        kind: format!("f32 ({e})"),
    })
}

/// Copies every variable of `vs` whose name is in the safetensors file at `path` into the
/// variable, checking shapes; returns the names missing from the file.
pub(crate) fn load_variables(vs: &tch::nn::VarStore, path: &Path) -> Result<Vec<String>> {
    let named: HashMap<String, Tensor> = Tensor::read_safetensors(path)
        .map_err(|e| Error::Incompatible {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?
        .into_iter()
        .collect();
    let mut missing = Vec::new();
    for (name, var) in vs.variables() {
        match named.get(&name) {
            Some(src) => {
                if src.size() != var.size() {
                    return Err(Error::Incompatible {
                        path: path.to_path_buf(),
                        reason: format!(
                            "{name} is {:?} in the file but {:?} in the model",
                            src.size(),
                            var.size()
                        ),
                    });
                }
                tch::no_grad(|| {
                    let mut var = var.shallow_clone();
                    var.f_copy_(&src.f_to_device(var.device())?.f_to_kind(var.kind())?)
                })?;
            }
            None => missing.push(name),
        }
    }
    Ok(missing)
}
