//! The pretraining loop: batches, corruption, loss, optimiser and schedule steps,
//! validation, the metrics table, checkpoints, early stopping and resume.

use std::path::{Path, PathBuf};
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use mdec_data::augment::{augment, batch_seed};
use mdec_data::{Dataset, Order};
use ndarray::Array4;
use polars::prelude::{DataFrame, df};
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use crate::config::{AeConfig, OutputActivation};
use crate::encoder::Encoder;
use crate::error::{Error, Result};
use crate::model::{AeModel, array_to_tensor};
use crate::optim::Optimizer;
use crate::pretrain::checkpoint::{
    BEST_DIR, OPTIMIZER_FILE, TrainingState, latest_checkpoint, read_training_state,
    write_checkpoint,
};
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
/// checkpoints, the best model and the metrics table into `out_dir`.
///
/// # Errors
/// [`Error::ShapeMismatch`] when the data does not fit the model,
/// [`Error::LossNeedsSigmoid`] for BCE with a linear output, [`Error::NonFiniteLoss`] when
/// a loss becomes NaN or infinite (the last good checkpoint is kept), and I/O errors.
pub fn pretrain(
    model: &mut AeModel,
    train: &Dataset,
    validation: Option<&Dataset>,
    params: &PretrainValidParams,
    out_dir: impl AsRef<Path>,
) -> Result<PretrainReport> {
    Run::new(model, train, validation, params, out_dir.as_ref(), None)?.run()
}

/// Resumes from the newest checkpoint in `out_dir`: loads the model onto `device`,
/// restores the optimiser, scheduler, early-stopping state and metrics rows, and trains
/// up to `params.epochs` with the same schedule.
///
/// # Errors
/// [`Error::NoCheckpoint`] if `out_dir` has none, [`Error::ShapeMismatch`] if the data does
/// not fit the checkpoint's model, and those of [`pretrain`].
pub fn resume(
    out_dir: impl AsRef<Path>,
    device: Device,
    train: &Dataset,
    validation: Option<&Dataset>,
    params: &PretrainValidParams,
) -> Result<(AeModel, PretrainReport)> {
    let out_dir = out_dir.as_ref();
    let ckpt = latest_checkpoint(out_dir)?.ok_or_else(|| Error::NoCheckpoint {
        dir: out_dir.to_path_buf(),
    })?;
    let mut model = AeModel::load_for(&ckpt, device, train.shape(), None)?;
    let state = read_training_state(&ckpt)?;
    let report = Run::new(
        &mut model,
        train,
        validation,
        params,
        out_dir,
        Some((ckpt, state)),
    )?
    .run()?;
    Ok((model, report))
}

/// Resumes when `out_dir` holds a checkpoint of the same architecture, otherwise builds a
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
    out_dir: impl AsRef<Path>,
) -> Result<(AeModel, PretrainReport)> {
    let out_dir = out_dir.as_ref();
    if let Some(ckpt) = latest_checkpoint(out_dir)? {
        AeModel::load_for(&ckpt, Device::Cpu, train.shape(), Some(config))?;
        return resume(out_dir, device, train, validation, params);
    }
    let mut model = AeModel::with_seed(config.clone(), train.shape(), device, params.seed)?;
    let report = pretrain(&mut model, train, validation, params, out_dir)?;
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

/// A per-epoch seed for libtorch's generator (noise and dropout).
fn torch_seed(seed: u64, epoch: usize, stream: u64) -> i64 {
    (batch_seed(seed, epoch as u64, stream) >> 1) as i64
}

struct Run<'a> {
    model: &'a mut AeModel,
    train: &'a Dataset,
    validation: Option<&'a Dataset>,
    params: &'a PretrainValidParams,
    out_dir: &'a Path,
    resume: Option<(PathBuf, TrainingState)>,
    device: Device,
}

impl<'a> Run<'a> {
    fn new(
        model: &'a mut AeModel,
        train: &'a Dataset,
        validation: Option<&'a Dataset>,
        params: &'a PretrainValidParams,
        out_dir: &'a Path,
        resume: Option<(PathBuf, TrainingState)>,
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
        std::fs::create_dir_all(out_dir).map_err(|e| Error::io(out_dir, e))?;
        let device = model.device();
        Ok(Self {
            model,
            train,
            validation,
            params,
            out_dir,
            resume,
            device,
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

    fn loss(&self, input: &Tensor, target: &Tensor, train: bool) -> Tensor {
        let raw = self
            .model
            .decode_raw(&self.model.encode(input, train), train);
        match self.params.loss {
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
        };
        let mut last_ckpt = None;
        if let Some((ckpt, saved)) = self.resume.take() {
            optimizer.load_state(&ckpt.join(OPTIMIZER_FILE), saved.optimizer_steps)?;
            scheduler.set_state(saved.scheduler);
            tracing::info!(checkpoint = %ckpt.display(), epoch = saved.epoch, "resuming pretraining");
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
        let val_t = match self.validation {
            Some(v) => {
                let on = self.fits(v);
                Some(self.tensor_on(v.images(), on)?)
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
        let mut best_model = self
            .out_dir
            .join(BEST_DIR)
            .is_dir()
            .then(|| self.out_dir.join(BEST_DIR));
        while state.epoch < p.epochs && !state.stopped_early {
            let epoch = state.epoch; // 0-based index of the epoch being run
            let t0 = Instant::now();
            tch::manual_seed(torch_seed(p.seed, epoch, 0));
            let train_loss = self.train_epoch(
                epoch,
                steps,
                &mut optimizer,
                &scheduler,
                train_dev.as_ref(),
                &last_ckpt,
            )?;
            let train_secs = t0.elapsed().as_secs_f64();
            let val_loss = match &val_t {
                Some(v) => Some(self.validate(v, epoch, &last_ckpt)?),
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
                let dir = self.out_dir.join(BEST_DIR);
                self.model.save(&dir)?;
                best_model = Some(dir);
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
            table = Some(write_rows(&state.rows, self.out_dir)?);
            let last = state.epoch == p.epochs || state.stopped_early;
            if last || (p.checkpoint_every > 0 && state.epoch % p.checkpoint_every == 0) {
                state.optimizer_steps = optimizer.steps();
                state.scheduler = scheduler.state();
                last_ckpt = Some(write_checkpoint(
                    self.out_dir,
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

    /// One epoch of training; returns the mean loss.
    fn train_epoch(
        &mut self,
        epoch: usize,
        steps: usize,
        optimizer: &mut Optimizer,
        scheduler: &Scheduler,
        train_dev: Option<&Tensor>,
        last_ckpt: &Option<PathBuf>,
    ) -> Result<f64> {
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
        let bar = if p.progress {
            let bar = ProgressBar::new(steps as u64);
            if let Ok(style) = ProgressStyle::with_template(
                "{prefix} [{bar:30}] {pos}/{len} {msg} ({per_sec}, eta {eta})",
            ) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(format!("epoch {}/{}", epoch + 1, p.epochs));
            bar
        } else {
            ProgressBar::hidden()
        };
        let augments = p.augments();
        let flush_every = if self.device == Device::Cpu { 1 } else { 20 };
        let (mut sum, mut count) = (0.0f64, 0usize);
        let mut pending: Vec<(usize, Tensor)> = Vec::new();
        let result = std::thread::scope(|scope| -> Result<f64> {
            // Host batches (augmented, or too big for the device) come from a thread that
            // prepares the next ones while the current one trains.
            let (tx, rx) = sync_channel::<mdec_data::Result<Array4<f32>>>(2);
            if train_dev.is_none() {
                let batches = &batches;
                let augment_config = p.augment.clone();
                let seed = p.seed;
                scope.spawn(move || {
                    for (b, idx) in batches.iter().enumerate() {
                        let mut xs = train.gather(idx);
                        let r = if augments {
                            augment(
                                xs.view_mut(),
                                &augment_config,
                                batch_seed(seed, epoch as u64, b as u64),
                            )
                            .map(|_| xs)
                        } else {
                            Ok(xs)
                        };
                        if tx.send(r).is_err() {
                            break;
                        }
                    }
                });
            } else {
                drop(tx);
            }
            let mut offset = 0i64;
            for (b, idx) in batches.iter().enumerate() {
                let len = idx.len() as i64;
                let xs = match (train_dev, &order_t) {
                    (Some(data), Some(order)) => {
                        data.index_select(0, &order.narrow(0, offset, len))
                    }
                    _ => {
                        let host = rx
                            .recv()
                            .map_err(|_| Error::EmptyDataset { which: "train" })??;
                        self.tensor_on(&host, true)?
                    }
                };
                offset += len;
                let input = self.corrupt(&xs);
                let loss = self.loss(&input, &xs, true);
                optimizer.set_lr(scheduler.lr(epoch, b));
                optimizer.backward_step(&loss);
                pending.push((idx.len(), loss.detach()));
                if pending.len() >= flush_every || b + 1 == batches.len() {
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
                    bar.set_message(format!("loss {:.5}", sum / count.max(1) as f64));
                }
                bar.inc(1);
            }
            Ok(sum / count.max(1) as f64)
        });
        bar.finish_and_clear();
        result
    }

    /// Mean validation loss, in evaluation mode under `no_grad`, with a fixed corruption.
    fn validate(&self, val: &Tensor, epoch: usize, last_ckpt: &Option<PathBuf>) -> Result<f64> {
        let p = self.params;
        tch::manual_seed(torch_seed(p.seed, usize::MAX, 1));
        let n = val.size()[0];
        let bs = p.eval_batch_size as i64;
        let total = tch::no_grad(|| {
            let mut total = Tensor::zeros([], (Kind::Double, self.device));
            for start in (0..n).step_by(bs as usize) {
                let len = bs.min(n - start);
                let xs = val.narrow(0, start, len).to_device(self.device);
                let input = self.corrupt(&xs);
                let loss = self.loss(&input, &xs, false).to_kind(Kind::Double);
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

fn write_rows(rows: &[EpochRow], out_dir: &Path) -> Result<[PathBuf; 2]> {
    let mut frame = rows_to_frame(rows)?;
    Ok(mdec_data::table::write_table(
        &mut frame, out_dir, TABLE_STEM,
    )?)
}
