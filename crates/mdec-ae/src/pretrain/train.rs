//! The pretraining loop: batches, corruption, loss, optimiser and schedule steps,
//! validation, the metrics table, checkpoints, early stopping and resume.

use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::time::{Duration, Instant};

use mdec_data::augment::{AugmentConfig, augment, batch_seed};
use mdec_data::{Dataset, Order};
use ndarray::Array4;
use polars::prelude::{DataFrame, DataType, df};
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use crate::config::{AeConfig, OutputActivation};
use crate::control::{Control, Step};
use crate::encoder::Encoder;
use crate::error::{Error, Result};
use crate::model::{AeModel, array_to_tensor};
use crate::optim::Optimizer;
use crate::pretrain::checkpoint::{
    OPTIMIZER_FILE, TrainingState, read_training_state, write_checkpoint,
};
use crate::pretrain::layout::PretrainLayout;
use crate::pretrain::params::{DataPlacement, PretrainValidParams, ReconLoss};
use crate::schedule::Scheduler;

/// Stem of the metrics table: `<out>/pretrain.csv` and `<out>/pretrain.parquet`.
pub const TABLE_STEM: &str = "pretrain";

/// One row of the metrics table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochRow {
    /// 1-based epoch.
    pub epoch: usize,
    /// Mean training loss over the epoch's batches (weighted by batch size).
    pub train_loss: f64,
    /// Mean validation loss (same corruption as training, no augmentation), if there is a
    /// validation set.
    pub val_loss: Option<f64>,
    /// Moving average of `train_loss` over the last `moving_average` epochs.
    pub train_loss_ma: f64,
    /// Moving average of `val_loss`.
    pub val_loss_ma: Option<f64>,
    /// Learning rate at the epoch's last batch.
    pub lr: f64,
    /// Wall-clock seconds of the epoch (training and validation).
    pub seconds: f64,
    /// Training throughput, samples per second (training phase only).
    pub samples_per_sec: f64,
}

/// What a pretraining run did.
#[derive(Clone, Debug, PartialEq)]
pub struct PretrainReport {
    /// Every epoch's row, including those before a resume.
    pub rows: Vec<EpochRow>,
    /// Epoch the run resumed after (0 for a fresh run).
    pub resumed_from: usize,
    /// Last training loss.
    pub final_train_loss: f64,
    /// Last validation loss.
    pub final_val_loss: Option<f64>,
    /// Lowest monitored loss (validation, else training) and its epoch.
    pub best_loss: f64,
    /// Epoch (1-based) of `best_loss`.
    pub best_epoch: usize,
    /// Whether early stopping ended the run.
    pub stopped_early: bool,
    /// Wall-clock seconds of the epochs run by this call.
    pub seconds: f64,
    /// Mean training throughput of this call, samples per second.
    pub samples_per_sec: f64,
    /// The newest checkpoint folder.
    pub checkpoint: Option<PathBuf>,
    /// The model with the lowest monitored loss (`<out>/best`).
    pub best_model: Option<PathBuf>,
    /// The metrics table, CSV and Parquet.
    pub table: Option<[PathBuf; 2]>,
}

/// Pretrains `model` from scratch on `train`, validating on `validation`, writing
/// checkpoints, the best model and the metrics table into `out` (an output folder, or a
/// [`PretrainLayout`] placing each apart).
/// With [`PretrainParams::layerwise`](crate::PretrainParams::layerwise) the layer pairs
/// of the dense autoencoder are first trained greedily, then the epochs run end to end.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the data does not fit the model,
/// [`Error::LossNeedsSigmoid`] for BCE with a linear output, [`Error::NonFiniteLoss`] when
/// a loss becomes NaN or infinite (the last good checkpoint is kept),
/// [`Error::Interrupted`] when `control.stop` was set (a checkpoint of the batch reached is
/// written first), and I/O errors.
pub fn pretrain(
    model: &mut AeModel,
    train: &Dataset,
    validation: Option<&Dataset>,
    params: &PretrainValidParams,
    out: impl Into<PretrainLayout>,
    control: Control<'_>,
) -> Result<PretrainReport> {
    let layout = out.into();
    if let Some(layerwise) = &params.layerwise {
        super::layerwise::pretrain_layers(model, train, params, layerwise, &control.stop)?;
    }
    Run::new(model, train, validation, params, &layout, None, control)?.run()
}

/// Resumes from the newest checkpoint in `out`: loads the model onto `device`, restores
/// the optimiser, scheduler, early-stopping state and metrics rows, and trains up to
/// `params.epochs` with the same schedule. A checkpoint written on a stop request resumes
/// at the batch it reached; on the CPU the result is the same as an uninterrupted run's.
///
/// # Errors
/// [`Error::NoCheckpoint`] if `out` has none, [`Error::ShapeMismatch`] if the data does
/// not fit the checkpoint's model, and those of [`pretrain`].
pub fn resume(
    out: impl Into<PretrainLayout>,
    device: Device,
    train: &Dataset,
    validation: Option<&Dataset>,
    params: &PretrainValidParams,
    control: Control<'_>,
) -> Result<(AeModel, PretrainReport)> {
    let layout = out.into();
    let ckpt = layout
        .latest_checkpoint()?
        .ok_or_else(|| Error::NoCheckpoint {
            dir: layout.checkpoints.clone(),
        })?;
    let mut model = AeModel::load_for(&ckpt, device, train.shape(), None)?;
    let state = read_training_state(&ckpt)?;
    let report = Run::new(
        &mut model,
        train,
        validation,
        params,
        &layout,
        Some((ckpt, state)),
        control,
    )?
    .run()?;
    Ok((model, report))
}

/// Resumes when `out` holds a checkpoint of the same architecture, otherwise builds a
/// model from `config` (weights seeded with `params.seed`) and pretrains it. The entry
/// point for a command line `pretrain` that can be interrupted and run again.
///
/// # Errors
/// [`Error::ArchMismatch`] if the checkpoint holds another architecture, and those of
/// [`resume`] and [`pretrain`].
pub fn pretrain_or_resume(
    config: &AeConfig,
    device: Device,
    train: &Dataset,
    validation: Option<&Dataset>,
    params: &PretrainValidParams,
    out: impl Into<PretrainLayout>,
    control: Control<'_>,
) -> Result<(AeModel, PretrainReport)> {
    let layout = out.into();
    if let Some(ckpt) = layout.latest_checkpoint()? {
        AeModel::load_for(&ckpt, Device::Cpu, train.shape(), Some(config))?;
        return resume(layout, device, train, validation, params, control);
    }
    let mut model = AeModel::with_seed(config.clone(), train.shape(), device, params.seed)?;
    let report = pretrain(&mut model, train, validation, params, layout, control)?;
    Ok((model, report))
}

/// Splits a dataset into (train, validation) with a seeded shuffle; a fraction of 0 gives
/// no validation set.
///
/// # Errors
/// [`Error::Data`] unless `0 <= fraction < 1`.
pub fn split_train_validation(
    data: &Dataset,
    fraction: f64,
    seed: u64,
) -> Result<(Dataset, Option<Dataset>)> {
    let (train, val) = data.split(fraction, seed)?;
    Ok((train, (!val.is_empty()).then_some(val)))
}

/// A seed for libtorch's generator (noise and dropout): stream 1 seeds validation, stream
/// `2 + b` batch `b` of the epoch, so a run resumed mid-epoch draws what it would have.
fn torch_seed(seed: u64, epoch: usize, stream: u64) -> i64 {
    (batch_seed(seed, epoch as u64, stream) >> 1) as i64
}

/// `T(x)` for the self-augmentation loss: the samples of the batch whose augmentation
/// seed is `seed`, transformed with a seed derived from it (another stream, so that `T`
/// and the batch's own augmentation are independent).
fn view(
    samples: &Array4<f32>,
    transform: &AugmentConfig,
    seed: u64,
) -> mdec_data::Result<Array4<f32>> {
    let mut view = samples.clone();
    augment(
        view.view_mut(),
        transform,
        batch_seed(seed, u64::MAX, 0x5e1f),
    )?;
    Ok(view)
}

/// How an epoch's training pass ended.
enum EpochEnd {
    /// Every batch ran: the mean loss.
    Done(f64),
    /// A stop request came before batch `batch`.
    Stopped(Partial),
}

/// Where an epoch's training pass starts (or stopped): batches done and their loss sum.
#[derive(Clone, Copy, Debug, Default)]
struct Partial {
    batch: usize,
    loss_sum: f64,
    samples: usize,
}

struct Run<'a, 'c> {
    model: &'a mut AeModel,
    train: &'a Dataset,
    validation: Option<&'a Dataset>,
    params: &'a PretrainValidParams,
    layout: &'a PretrainLayout,
    resume: Option<(PathBuf, TrainingState)>,
    device: Device,
    control: Control<'c>,
}

impl<'a, 'c> Run<'a, 'c> {
    fn new(
        model: &'a mut AeModel,
        train: &'a Dataset,
        validation: Option<&'a Dataset>,
        params: &'a PretrainValidParams,
        layout: &'a PretrainLayout,
        resume: Option<(PathBuf, TrainingState)>,
        control: Control<'c>,
    ) -> Result<Self> {
        model.check_shape(train.shape(), "training data")?;
        if let Some(v) = validation {
            model.check_shape(v.shape(), "validation data")?;
            if v.is_empty() {
                return Err(Error::EmptyDataset {
                    which: "validation",
                });
            }
        }
        if train.is_empty() {
            return Err(Error::EmptyDataset { which: "train" });
        }
        if params.loss == ReconLoss::Bce && model.config().output != OutputActivation::Sigmoid {
            return Err(Error::LossNeedsSigmoid {
                output: format!("{:?}", model.config().output).to_lowercase(),
            });
        }
        for dir in [&layout.tables, &layout.checkpoints] {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let device = model.device();
        Ok(Self {
            model,
            train,
            validation,
            params,
            layout,
            resume,
            device,
            control,
        })
    }

    fn tensor_on(&self, images: &Array4<f32>, on_device: bool) -> Result<Tensor> {
        let t = array_to_tensor(images)?;
        Ok(if on_device {
            t.f_to_device(self.device)?
        } else {
            t
        })
    }

    fn fits(&self, ds: &Dataset) -> bool {
        let bytes = (ds.len() * ds.shape().numel() * 4) as u64;
        match self.params.placement {
            DataPlacement::Device => true,
            DataPlacement::Host => self.device == Device::Cpu,
            DataPlacement::Auto => {
                self.device == Device::Cpu || bytes <= self.params.max_device_bytes
            }
        }
    }

    fn corrupt(&self, xs: &Tensor) -> Tensor {
        crate::noise::corrupt(xs, self.params.noise_std, self.params.mask_fraction)
    }

    /// The reconstruction loss of `target` from `input`, plus the self-augmentation term
    /// when `view` (the transformed samples `T(x)`) is given.
    fn loss(&self, input: &Tensor, target: &Tensor, view: Option<&Tensor>, train: bool) -> Tensor {
        let z = self.model.encode(input, train);
        let raw = self.model.decode_raw(&z, train);
        let reconstruction = match self.params.loss {
            ReconLoss::Mse => self
                .model
                .output_activation(&raw)
                .mse_loss(target, tch::Reduction::Mean),
            ReconLoss::Bce => raw.binary_cross_entropy_with_logits::<Tensor>(
                target,
                None,
                None,
                tch::Reduction::Mean,
            ),
        };
        match (view, &self.params.self_augmentation) {
            (Some(view), Some(sa)) => {
                // Centred on the batch mean: a direction all embeddings share (a
                // collapse) is no similarity.
                let centred = |z: &Tensor| z - z.mean_dim(0, true, Kind::Float);
                let z_view = self.model.encode(view, train);
                let similarity =
                    Tensor::cosine_similarity(&centred(&z), &centred(&z_view), 1, 1e-8).mean(None);
                reconstruction + (1.0 - similarity) * sa.weight
            }
            _ => reconstruction,
        }
    }

    fn run(mut self) -> Result<PretrainReport> {
        let p = self.params;
        let n = self.train.len();
        let steps = n.div_ceil(p.batch_size);
        let mut optimizer =
            Optimizer::new(self.model.var_store(), p.optimizer, p.lr, p.weight_decay);
        let mut scheduler = Scheduler::new(p.schedule, p.lr, p.epochs, steps);
        let mut state = TrainingState {
            format_version: 1,
            epoch: 0,
            optimizer_steps: 0,
            scheduler: scheduler.state(),
            rows: Vec::new(),
            best_loss: None,
            best_epoch: 0,
            bad_epochs: 0,
            stopped_early: false,
            params: (**p).clone(),
            batch: 0,
            partial_loss: 0.0,
            partial_samples: 0,
        };
        let mut last_ckpt = None;
        if let Some((ckpt, saved)) = self.resume.take() {
            optimizer.load_state(&ckpt.join(OPTIMIZER_FILE), saved.optimizer_steps)?;
            scheduler.set_state(saved.scheduler);
            tracing::info!(
                checkpoint = %ckpt.display(),
                epoch = saved.epoch,
                batch = saved.batch,
                "resuming pretraining"
            );
            state = TrainingState {
                params: (**p).clone(),
                ..saved
            };
            last_ckpt = Some(ckpt);
        }
        let resumed_from = state.epoch;
        let augments = p.augments();
        let train_dev = if !augments && self.fits(self.train) {
            Some(self.tensor_on(self.train.images(), true)?)
        } else {
            None
        };
        // The validation images and, with the self-augmentation loss, their views, drawn
        // once: every epoch is validated on the same transforms.
        let val_t = match self.validation {
            Some(v) => {
                let on = self.fits(v);
                let views = match &p.self_augmentation {
                    Some(sa) => {
                        let seed = batch_seed(p.seed, u64::MAX, 1);
                        Some(self.tensor_on(&view(v.images(), &sa.transform, seed)?, on)?)
                    }
                    None => None,
                };
                Some((self.tensor_on(v.images(), on)?, views))
            }
            None => None,
        };
        tracing::info!(
            arch = %self.model.config().arch,
            samples = n,
            validation = self.validation.map_or(0, Dataset::len),
            device = %crate::device::device_name(self.device),
            data_on_device = train_dev.is_some(),
            augment = augments,
            "pretraining"
        );
        let started = Instant::now();
        let (mut run_samples, mut run_train_secs) = (0usize, 0.0f64);
        let mut table = None;
        let best_dir = &self.layout.best;
        let mut best_model = best_dir.is_dir().then(|| best_dir.clone());
        while state.epoch < p.epochs && !state.stopped_early {
            let epoch = state.epoch; // 0-based index of the epoch being run
            let t0 = Instant::now();
            let start = Partial {
                batch: state.batch,
                loss_sum: state.partial_loss,
                samples: state.partial_samples,
            };
            let end = self.train_epoch(
                epoch,
                &mut optimizer,
                &scheduler,
                train_dev.as_ref(),
                &last_ckpt,
                start,
            )?;
            let train_loss = match end {
                EpochEnd::Done(loss) => loss,
                EpochEnd::Stopped(reached) => {
                    state.batch = reached.batch;
                    state.partial_loss = reached.loss_sum;
                    state.partial_samples = reached.samples;
                    state.optimizer_steps = optimizer.steps();
                    state.scheduler = scheduler.state();
                    let checkpoint = write_checkpoint(
                        &self.layout.checkpoints,
                        self.model,
                        &optimizer,
                        &state,
                        p.keep_checkpoints,
                    )?;
                    tracing::info!(
                        epoch = epoch + 1,
                        batch = reached.batch,
                        checkpoint = %checkpoint.display(),
                        "pretraining interrupted"
                    );
                    return Err(Error::Interrupted {
                        epoch: epoch + 1,
                        batch: reached.batch,
                        checkpoint,
                    });
                }
            };
            (state.batch, state.partial_loss, state.partial_samples) = (0, 0.0, 0);
            let train_secs = t0.elapsed().as_secs_f64();
            let val_loss = match &val_t {
                Some((v, views)) => Some(self.validate(v, views.as_ref(), epoch, &last_ckpt)?),
                None => None,
            };
            let monitored = val_loss.unwrap_or(train_loss);
            scheduler.end_epoch(monitored);
            let lr = scheduler.lr(epoch, steps.saturating_sub(1));
            let w = p.moving_average;
            let recent = |f: &dyn Fn(&EpochRow) -> Option<f64>, now: Option<f64>| -> Option<f64> {
                let mut vals: Vec<f64> =
                    state.rows.iter().rev().take(w - 1).filter_map(f).collect();
                vals.push(now?);
                Some(vals.iter().sum::<f64>() / vals.len() as f64)
            };
            let row = EpochRow {
                epoch: epoch + 1,
                train_loss,
                val_loss,
                train_loss_ma: recent(&|r| Some(r.train_loss), Some(train_loss))
                    .unwrap_or(train_loss),
                val_loss_ma: recent(&|r| r.val_loss, val_loss),
                lr,
                seconds: t0.elapsed().as_secs_f64(),
                samples_per_sec: n as f64 / train_secs.max(1e-9),
            };
            self.control.epoch(&row);
            run_samples += n;
            run_train_secs += train_secs;
            tracing::info!(
                epoch = row.epoch,
                train_loss = row.train_loss,
                val_loss = row.val_loss,
                lr = row.lr,
                seconds = row.seconds,
                samples_per_sec = row.samples_per_sec,
                "epoch done"
            );
            state.rows.push(row);
            state.epoch = epoch + 1;
            let min_delta = p.early_stopping.map_or(0.0, |e| e.min_delta);
            if state
                .best_loss
                .is_none_or(|best| monitored < best - min_delta)
            {
                state.best_loss = Some(monitored);
                state.best_epoch = epoch + 1;
                state.bad_epochs = 0;
                self.model.save(best_dir)?;
                best_model = Some(best_dir.clone());
            } else {
                state.bad_epochs += 1;
                if let Some(es) = p.early_stopping
                    && state.bad_epochs >= es.patience
                {
                    tracing::info!(
                        epoch = epoch + 1,
                        best_epoch = state.best_epoch,
                        "early stopping"
                    );
                    state.stopped_early = true;
                }
            }
            let epoch_seconds = state.rows.last().map_or(0.0, |r| r.seconds);
            if !state.stopped_early
                && state.epoch < p.epochs
                && self.control.deadline.is_some_and(|deadline| {
                    Instant::now() + Duration::from_secs_f64(epoch_seconds) > deadline
                })
            {
                tracing::info!(
                    epoch = epoch + 1,
                    epochs = p.epochs,
                    "time budget: pretraining ends here, another epoch would not fit"
                );
                state.stopped_early = true;
            }
            table = Some(write_rows(&state.rows, &self.layout.tables)?);
            let last = state.epoch == p.epochs || state.stopped_early;
            if last || (p.checkpoint_every > 0 && state.epoch.is_multiple_of(p.checkpoint_every)) {
                state.optimizer_steps = optimizer.steps();
                state.scheduler = scheduler.state();
                last_ckpt = Some(write_checkpoint(
                    &self.layout.checkpoints,
                    self.model,
                    &optimizer,
                    &state,
                    p.keep_checkpoints,
                )?);
            }
        }
        let last = state.rows.last();
        Ok(PretrainReport {
            final_train_loss: last.map_or(f64::NAN, |r| r.train_loss),
            final_val_loss: last.and_then(|r| r.val_loss),
            best_loss: state.best_loss.unwrap_or(f64::NAN),
            best_epoch: state.best_epoch,
            stopped_early: state.stopped_early,
            seconds: started.elapsed().as_secs_f64(),
            samples_per_sec: if run_train_secs > 0.0 {
                run_samples as f64 / run_train_secs
            } else {
                0.0
            },
            checkpoint: last_ckpt,
            best_model,
            table,
            resumed_from,
            rows: state.rows,
        })
    }

    /// One epoch of training from batch `start.batch`; returns the mean loss, or where it
    /// stopped when `params.stop` is set before a batch.
    fn train_epoch(
        &mut self,
        epoch: usize,
        optimizer: &mut Optimizer,
        scheduler: &Scheduler,
        train_dev: Option<&Tensor>,
        last_ckpt: &Option<PathBuf>,
        start: Partial,
    ) -> Result<EpochEnd> {
        let p = self.params;
        let train = self.train;
        let order = Order::Shuffled {
            seed: p.seed,
            epoch: epoch as u64,
        };
        let batches: Vec<Vec<usize>> = train.batches(p.batch_size, order)?.collect();
        // The whole epoch's order as one index tensor on the device; batches are slices.
        let order_t = train_dev.map(|_| {
            let flat: Vec<i64> = batches.iter().flatten().map(|&i| i as i64).collect();
            Tensor::from_slice(&flat).to_device(self.device)
        });
        let flush_every = if self.device == Device::Cpu { 1 } else { 20 };
        let (mut sum, mut count) = (start.loss_sum, start.samples);
        let mut pending: Vec<(usize, Tensor)> = Vec::new();
        let first_batch = start.batch.min(batches.len());
        // The observer is called inside the scope, where `self` is borrowed whole.
        let mut control = std::mem::take(&mut self.control);
        let result = std::thread::scope(|scope| -> Result<EpochEnd> {
            // Host batches (augmented, or too big for the device) come from a thread that
            // prepares the next ones while the current one trains.
            // With the self-augmentation loss, each batch comes with its view T(x).
            type HostBatch = (Array4<f32>, Option<Array4<f32>>);
            let (tx, rx) = sync_channel::<mdec_data::Result<HostBatch>>(2);
            if train_dev.is_none() {
                let batches = &batches;
                let augment_config = &p.augment;
                let transform = p.self_augmentation.as_ref().map(|sa| &sa.transform);
                let seed = p.seed;
                scope.spawn(move || {
                    for (b, idx) in batches.iter().enumerate().skip(first_batch) {
                        let mut xs = train.gather(idx);
                        let batch_seed = batch_seed(seed, epoch as u64, b as u64);
                        let r = augment(xs.view_mut(), augment_config, batch_seed).and_then(|()| {
                            let view = transform.map(|t| view(&xs, t, batch_seed)).transpose()?;
                            Ok((xs, view))
                        });
                        if tx.send(r).is_err() {
                            break;
                        }
                    }
                });
            } else {
                drop(tx);
            }
            let mut offset: i64 = batches[..first_batch]
                .iter()
                .map(|idx| idx.len() as i64)
                .sum();
            for (b, idx) in batches.iter().enumerate().skip(first_batch) {
                if b == first_batch && control.stop.is_stopped() {
                    return Ok(EpochEnd::Stopped(Partial {
                        batch: b,
                        loss_sum: sum,
                        samples: count,
                    }));
                }
                tch::manual_seed(torch_seed(p.seed, epoch, 2 + b as u64));
                let len = idx.len() as i64;
                let (xs, view) = match (train_dev, &order_t) {
                    (Some(data), Some(order)) => {
                        (data.index_select(0, &order.narrow(0, offset, len)), None)
                    }
                    _ => {
                        let (host, view) = rx
                            .recv()
                            .map_err(|_| Error::EmptyDataset { which: "train" })??;
                        let on_device = |images: &Array4<f32>| self.tensor_on(images, true);
                        (on_device(&host)?, view.as_ref().map(on_device).transpose()?)
                    }
                };
                offset += len;
                let input = self.corrupt(&xs);
                let loss = self.loss(&input, &xs, view.as_ref(), true);
                optimizer.set_lr(scheduler.lr(epoch, b));
                optimizer.backward_step(&loss);
                pending.push((idx.len(), loss.detach()));
                // Read once, so that the losses are flushed whenever the loop stops.
                let stopping = control.stop.is_stopped();
                if pending.len() >= flush_every || b + 1 == batches.len() || stopping {
                    let first = b + 1 - pending.len();
                    for (k, (size, l)) in pending.drain(..).enumerate() {
                        let value = l.double_value(&[]);
                        if !value.is_finite() {
                            return Err(Error::NonFiniteLoss {
                                which: "train",
                                value,
                                epoch: epoch + 1,
                                batch: first + k,
                                last_checkpoint: last_ckpt.clone(),
                            });
                        }
                        sum += value * size as f64;
                        count += size;
                    }
                }
                control.batch(&Step {
                    epoch: epoch + 1,
                    epochs: p.epochs,
                    batch: b + 1,
                    batches: batches.len(),
                    loss: (count > 0).then(|| sum / count as f64),
                });
                if stopping && b + 1 < batches.len() {
                    return Ok(EpochEnd::Stopped(Partial {
                        batch: b + 1,
                        loss_sum: sum,
                        samples: count,
                    }));
                }
            }
            Ok(EpochEnd::Done(sum / count.max(1) as f64))
        });
        self.control = control;
        result
    }

    /// Mean validation loss, in evaluation mode under `no_grad`, with a fixed corruption
    /// and the fixed self-augmentation `views` of the images.
    fn validate(
        &self,
        val: &Tensor,
        views: Option<&Tensor>,
        epoch: usize,
        last_ckpt: &Option<PathBuf>,
    ) -> Result<f64> {
        let p = self.params;
        tch::manual_seed(torch_seed(p.seed, usize::MAX, 1));
        let n = val.size()[0];
        let bs = p.eval_batch_size as i64;
        let total = tch::no_grad(|| {
            let mut total = Tensor::zeros([], (Kind::Double, self.device));
            for start in (0..n).step_by(bs as usize) {
                let len = bs.min(n - start);
                let on_device = |t: &Tensor| t.narrow(0, start, len).to_device(self.device);
                let xs = on_device(val);
                let view = views.map(on_device);
                let input = self.corrupt(&xs);
                let loss = self
                    .loss(&input, &xs, view.as_ref(), false)
                    .to_kind(Kind::Double);
                total += loss * len as f64;
            }
            total
        });
        let value = total.double_value(&[]) / n as f64;
        if !value.is_finite() {
            return Err(Error::NonFiniteLoss {
                which: "validation",
                value,
                epoch: epoch + 1,
                batch: 0,
                last_checkpoint: last_ckpt.clone(),
            });
        }
        Ok(value)
    }
}

/// The rows as a dataframe (the table written next to the checkpoints).
///
/// # Errors
/// [`Error::Table`] if polars rejects the columns.
pub fn rows_to_frame(rows: &[EpochRow]) -> Result<DataFrame> {
    let col = |f: fn(&EpochRow) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
    let opt = |f: fn(&EpochRow) -> Option<f64>| rows.iter().map(f).collect::<Vec<Option<f64>>>();
    Ok(df!(
        "epoch" => rows.iter().map(|r| r.epoch as u32).collect::<Vec<u32>>(),
        "train_loss" => col(|r| r.train_loss),
        "val_loss" => opt(|r| r.val_loss),
        "train_loss_ma" => col(|r| r.train_loss_ma),
        "val_loss_ma" => opt(|r| r.val_loss_ma),
        "lr" => col(|r| r.lr),
        "seconds" => col(|r| r.seconds),
        "samples_per_sec" => col(|r| r.samples_per_sec),
    )?)
}

/// Reads rows back from a table written by [`rows_to_frame`] (e.g. `pretrain.csv`).
///
/// # Errors
/// [`Error::Table`] when a column is missing or has another type.
pub fn rows_from_frame(frame: &DataFrame) -> Result<Vec<EpochRow>> {
    let float = |name: &str| -> Result<Vec<Option<f64>>> {
        let column = frame.column(name)?.cast(&DataType::Float64)?;
        Ok(column.f64()?.iter().collect())
    };
    let epochs: Vec<Option<u64>> = frame
        .column("epoch")?
        .cast(&DataType::UInt64)?
        .u64()?
        .iter()
        .collect();
    let [train, val, train_ma, val_ma, lr, seconds, throughput] = [
        "train_loss",
        "val_loss",
        "train_loss_ma",
        "val_loss_ma",
        "lr",
        "seconds",
        "samples_per_sec",
    ]
    .map(float);
    let (train, val, train_ma, val_ma) = (train?, val?, train_ma?, val_ma?);
    let (lr, seconds, throughput) = (lr?, seconds?, throughput?);
    Ok((0..frame.height())
        .map(|i| EpochRow {
            epoch: epochs[i].unwrap_or(i as u64 + 1) as usize,
            train_loss: train[i].unwrap_or(f64::NAN),
            val_loss: val[i],
            train_loss_ma: train_ma[i].unwrap_or(f64::NAN),
            val_loss_ma: val_ma[i],
            lr: lr[i].unwrap_or(f64::NAN),
            seconds: seconds[i].unwrap_or(f64::NAN),
            samples_per_sec: throughput[i].unwrap_or(f64::NAN),
        })
        .collect())
}

fn write_rows(rows: &[EpochRow], dir: &Path) -> Result<[PathBuf; 2]> {
    let mut frame = rows_to_frame(rows)?;
    Ok(mdec_data::table::write_table(&mut frame, dir, TABLE_STEM)?)
}
