//! The training loop of [`Dec`]: one struct holding a run's state. What is particular to a
//! clustering method (initialisation, target updates, the clustering term) is its
//! [`Method`]; the loop owns batches, the reconstruction and balance terms, the loss
//! schedule, checkpoints, resume, events and stopping.

use std::collections::HashMap;
use std::time::Instant;

use mdec_ae::{Optimizer, Scheduler, StopFlag, array_to_tensor, embed};
use mdec_data::augment::{augment, batch_seed};
use mdec_data::{Dataset, Order};
use mdec_metrics::{Scores, evaluate};
use tch::{Kind, Tensor};

use crate::backbone::Backbone;
use crate::error::{Error, Result};
use crate::kmeans::labels_to_vec;
use crate::layer::hard_assignment;
use crate::loss::{balance_loss, reconstruction_loss};
use crate::train::checkpoint::{
    self, CHECKPOINT_VERSION, CheckpointFiles, ClusterLayout, PartialInterval, TrainState,
};
use crate::train::method::{Method, method_for};
use crate::train::observer::{Init, Update, UpdateObserver};
use crate::train::report::{ClusterReport, IntervalRow, StopReason, TABLE_STEM, rows_to_frame};
use crate::train::{Dec, check_shape, load_variables};

/// A cluster holding more than this fraction of the data triggers a warning.
const DOMINANT_FRACTION: f64 = 0.5;

pub(crate) struct Run<'a, B: Backbone> {
    dec: &'a mut Dec<B>,
    /// What happens at initialisation, at updates and per batch.
    method: Box<dyn Method<B>>,
    data: &'a Dataset,
    layout: Option<ClusterLayout>,
    observer: Option<&'a mut dyn UpdateObserver>,
    stop: StopFlag,
    /// The first iteration after it is the last, an update ([`StopReason::Budget`]).
    deadline: Option<Instant>,
    /// All images on the model's device, `[n, c, h, w]`.
    xs_all: Tensor,
    n: usize,
    steps_per_epoch: usize,
    total: usize,
    has_decoder: bool,
}

/// Loss sums over an interval, kept on the device (read once per update).
struct Sums {
    total: Option<Tensor>,
    rec: Option<Tensor>,
    clu: Option<Tensor>,
    bal: Option<Tensor>,
    steps: usize,
}

impl Sums {
    fn new() -> Self {
        Self {
            total: None,
            rec: None,
            clu: None,
            bal: None,
            steps: 0,
        }
    }

    fn add(slot: &mut Option<Tensor>, value: &Tensor) {
        let v = value.detach().to_kind(Kind::Double);
        *slot = Some(match slot.take() {
            Some(s) => s + v,
            None => v,
        });
    }

    fn mean(&self, slot: &Option<Tensor>) -> Result<Option<f64>> {
        match slot {
            Some(t) if self.steps > 0 => Ok(Some(t.f_double_value(&[])? / self.steps as f64)),
            _ => Ok(None),
        }
    }

    /// The sums as numbers, for a checkpoint between updates (exact: f64 both ways).
    fn to_partial(&self) -> Result<PartialInterval> {
        let value = |slot: &Option<Tensor>| -> Result<Option<f64>> {
            Ok(match slot {
                Some(t) => Some(t.f_double_value(&[])?),
                None => None,
            })
        };
        Ok(PartialInterval {
            total: value(&self.total)?,
            reconstruction: value(&self.rec)?,
            clustering: value(&self.clu)?,
            balance: value(&self.bal)?,
            steps: self.steps,
        })
    }

    /// The sums of a checkpoint, back on `device`.
    fn from_partial(partial: &PartialInterval, device: tch::Device) -> Self {
        let tensor =
            |v: Option<f64>| v.map(|v| Tensor::from(v).to_kind(Kind::Double).to_device(device));
        Self {
            total: tensor(partial.total),
            rec: tensor(partial.reconstruction),
            clu: tensor(partial.clustering),
            bal: tensor(partial.balance),
            steps: partial.steps,
        }
    }
}

/// A copy of every variable, to restore after a non-finite loss.
struct Snapshot(HashMap<String, Tensor>);

impl Snapshot {
    fn take(vs: &tch::nn::VarStore) -> Self {
        Snapshot(
            vs.variables()
                .into_iter()
                .map(|(name, t)| (name, t.detach().copy()))
                .collect(),
        )
    }

    fn restore(&self, vs: &tch::nn::VarStore) -> Result<()> {
        tch::no_grad(|| {
            for (name, var) in vs.variables() {
                if let Some(saved) = self.0.get(&name) {
                    let mut var = var.shallow_clone();
                    var.f_copy_(saved)?;
                }
            }
            Ok::<(), tch::TchError>(())
        })?;
        Ok(())
    }
}

/// SplitMix64 finaliser: derives independent seeds from the run's seed.
pub(crate) fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// libtorch's seed at update `iteration` (noise and dropout until the next update).
fn torch_seed(seed: u64, iteration: usize) -> i64 {
    (mix(mix(seed) ^ iteration as u64) >> 1) as i64
}

impl<'a, B: Backbone> Run<'a, B> {
    pub(crate) fn new(
        dec: &'a mut Dec<B>,
        data: &'a Dataset,
        layout: Option<ClusterLayout>,
        observer: Option<&'a mut dyn UpdateObserver>,
        stop: StopFlag,
        deadline: Option<Instant>,
    ) -> Result<Self> {
        check_shape(&dec.backbone, data)?;
        let n = data.len();
        if n < dec.params.n_clusters {
            return Err(Error::TooFewSamples {
                n_samples: n,
                n_clusters: dec.params.n_clusters,
            });
        }
        let device = dec.backbone.device();
        let xs_all = array_to_tensor(data.images())?.f_to_device(device)?;
        let steps_per_epoch = n.div_ceil(dec.params.batch_size);
        let total = match dec.params.max_epochs {
            Some(epochs) => dec.params.max_iter.min(epochs * steps_per_epoch),
            None => dec.params.max_iter,
        };
        let has_decoder = dec.backbone.autoencoder().is_some();
        let (rec, _) = dec.params.objective.weights();
        if !has_decoder && (rec > 0.0 || dec.params.schedule.reconstructs()) {
            tracing::warn!(
                objective = dec.params.objective.name(),
                "the backbone has no decoder: the reconstruction term is dropped"
            );
        }
        Ok(Self {
            method: method_for(dec),
            dec,
            data,
            layout,
            observer,
            stop,
            deadline,
            xs_all,
            n,
            steps_per_epoch,
            total,
            has_decoder,
        })
    }

    fn embed_all(&self) -> Result<Tensor> {
        Ok(embed(
            &self.dec.backbone,
            &self.xs_all,
            self.dec.params.eval_batch_size as i64,
        )?)
    }

    /// Initialises the centroids at iteration `iteration` and records the k-means inertia
    /// and the initial scores in `state`; returns the initial assignment.
    fn initialise(&mut self, state: &mut TrainState, iteration: usize) -> Result<Vec<usize>> {
        let started = Instant::now();
        let zs = self.embed_all()?; // [n, d]
        let (inertia, labels) = self.method.init(self.dec, &zs)?;
        let scores = self.scores(&labels)?;
        state.kmeans_inertia = inertia;
        state.init_scores = scores;
        state.initialised = true;
        if let Some(observer) = self.observer.as_mut() {
            observer.on_init(&Init {
                iteration,
                inertia,
                scores,
                seconds: started.elapsed().as_secs_f64(),
            });
        }
        Ok(labels)
    }

    fn scores(&self, labels: &[usize]) -> Result<Option<Scores>> {
        match self.data.labels() {
            Some(truth) => Ok(Some(evaluate(truth, labels)?)),
            None => Ok(None),
        }
    }

    /// One training batch: the target images `[b, c, h, w]` on the device (augmented
    /// when configured), the network input (the target plus corruption: the augment
    /// config's masking / noise and DCRA's Gaussian noise σ) and the indices `[b]`.
    ///
    /// Random draws come from generators seeded by (seed, epoch, batch) on the host, never
    /// from libtorch's global generator, so runs repeat exactly whatever else runs in the
    /// process.
    fn batch(&self, indices: &[usize], epoch: usize, b: usize) -> Result<(Tensor, Tensor, Tensor)> {
        let params = &self.dec.params;
        let device = self.xs_all.device();
        let idx: Vec<i64> = indices.iter().map(|&i| i as i64).collect();
        let idx = Tensor::from_slice(&idx).f_to_device(device)?;
        let mut corruption = params.augment.corruption();
        let sigma = params.objective.input_noise();
        if sigma > 0.0 {
            corruption.noise_std = sigma as f32;
        }
        let seed = batch_seed(params.seed, epoch as u64, b as u64);
        if !params.augments() && corruption.is_identity() {
            let target = self.xs_all.f_index_select(0, &idx)?;
            return Ok((target.shallow_clone(), target, idx));
        }
        let mut host = self.data.gather(indices); // [b, c, h, w]
        if params.augments() {
            augment(host.view_mut(), &params.augment.clean(), seed)?;
        }
        let target = array_to_tensor(&host)?.f_to_device(device)?;
        let input = if corruption.is_identity() {
            target.shallow_clone()
        } else {
            augment(host.view_mut(), &corruption, mix(seed))?;
            array_to_tensor(&host)?.f_to_device(device)?
        };
        Ok((target, input, idx))
    }

    pub(crate) fn run(mut self, resume: Option<CheckpointFiles>) -> Result<ClusterReport> {
        let started = Instant::now();
        let params = self.dec.params.clone();
        let vs_snapshot = |dec: &Dec<B>| Snapshot::take(dec.backbone.var_store());
        let epochs_total = self.total.div_ceil(self.steps_per_epoch).max(1);
        let mut scheduler = Scheduler::new(
            params.lr_schedule,
            params.lr,
            epochs_total,
            self.steps_per_epoch,
        );
        let clustering_start = params.schedule.clustering_start();
        tch::manual_seed(torch_seed(params.seed, usize::MAX));

        let (mut optimizer, mut state, resumed_from, mut sums) =
            self.start(resume, &mut scheduler, clustering_start)?;
        let mut snapshot = vs_snapshot(self.dec);
        let mut order: Option<(usize, Vec<usize>)> = None;
        let mut table = None;
        let mut checkpoint_dir = self
            .layout
            .as_ref()
            .and_then(ClusterLayout::latest_checkpoint);
        let mut skip_update_at = resumed_from;
        let mut last_lr = optimizer.lr();
        let bs = params.batch_size;
        let k = params.n_clusters;

        let stop = loop {
            let it = state.iteration;
            if it == clustering_start && clustering_start > 0 && !state.initialised {
                let labels = self.initialise(&mut state, it)?;
                state.last_labels = labels.iter().map(|&l| l as u32).collect();
            }
            let clustering = it >= clustering_start;
            let (w_rec, w_clu) = params.schedule.weights(&params.objective, it);
            let w_rec = if self.has_decoder { w_rec } else { 0.0 };

            // Past the time budget: this iteration is the last update.
            let out_of_time = self.deadline.is_some_and(|d| Instant::now() >= d);
            let update = self.is_update(it, clustering_start) || out_of_time;
            if update {
                tch::manual_seed(torch_seed(params.seed, it));
                let resumed_here = skip_update_at == Some(it);
                skip_update_at = None;
                // Non-finite losses since the last update: restore it and stop.
                let mean_total = sums.mean(&sums.total)?;
                if let Some(loss) = mean_total
                    && !loss.is_finite()
                {
                    tracing::warn!(
                        iteration = it,
                        loss,
                        "non-finite loss: restoring the last update and stopping"
                    );
                    snapshot.restore(self.dec.backbone.var_store())?;
                    break StopReason::NonFiniteLoss { iteration: it };
                }
                let zs_all = self.embed_all()?; // [n, d]
                let adjust = clustering && it > clustering_start && !resumed_here;
                let q_all = self.method.update(self.dec, &zs_all, adjust)?; // [n, k]
                // The epoch's order is drawn again from here: a method that draws it from
                // its labels (DeepCluster) then does so from the new ones, as a run resumed
                // here does.
                order = None;
                if adjust && self.method.fresh_optimizer_at_updates() {
                    optimizer = Optimizer::new(
                        self.dec.backbone.var_store(),
                        params.optimizer,
                        params.lr,
                        0.0,
                    );
                }
                if !resumed_here {
                    let labels = labels_to_vec(&hard_assignment(&q_all))?;
                    let previous: Vec<usize> =
                        state.last_labels.iter().map(|&l| l as usize).collect();
                    let comparable = previous.len() == labels.len();
                    let delta = comparable.then(|| {
                        let changed = labels.iter().zip(&previous).filter(|(a, b)| a != b).count();
                        changed as f64 / labels.len() as f64
                    });
                    let stability = match comparable {
                        true => Some(mdec_metrics::nmi(&previous, &labels)?),
                        false => None,
                    };
                    let sizes = mdec_metrics::cluster_sizes(&labels, k);
                    self.warn_sizes(it, &sizes);
                    let row = IntervalRow {
                        iteration: it,
                        epoch: it as f64 / self.steps_per_epoch as f64,
                        loss: mean_total,
                        loss_reconstruction: sums.mean(&sums.rec)?,
                        loss_clustering: sums.mean(&sums.clu)?,
                        loss_balance: sums.mean(&sums.bal)?,
                        weight_reconstruction: w_rec,
                        weight_clustering: w_clu,
                        lr: last_lr,
                        delta_label: delta,
                        stability_nmi: stability,
                        cluster_sizes: sizes,
                        scores: self.scores(&labels)?,
                        seconds: started.elapsed().as_secs_f64(),
                    };
                    tracing::info!(
                        iteration = it,
                        loss = row.loss,
                        delta_label = row.delta_label,
                        acc = row.scores.map(|s| s.acc),
                        nmi = row.scores.map(|s| s.nmi),
                        "cluster update"
                    );
                    if let (mdec_ae::LrSchedule::ReduceOnPlateau { .. }, Some(loss)) =
                        (params.lr_schedule, mean_total)
                    {
                        scheduler.end_epoch(loss);
                    }
                    state.rows.push(row);
                    state.last_labels = labels.iter().map(|&l| l as u32).collect();
                    state.optimizer_steps = optimizer.steps();
                    state.scheduler = scheduler.state();
                    snapshot = vs_snapshot(self.dec);
                    if let Some(layout) = &self.layout {
                        let mut frame = rows_to_frame(&state.rows)?;
                        table = Some(mdec_data::table::write_table(
                            &mut frame,
                            &layout.tables,
                            TABLE_STEM,
                        )?);
                        let vs = self.dec.backbone.var_store();
                        checkpoint_dir = Some(checkpoint::write(
                            &layout.checkpoint,
                            &state,
                            |path| vs.save(path).map_err(Error::from),
                            |path| optimizer.save_state(path).map_err(Error::from),
                            self.method.state(),
                        )?);
                    }
                    if let (Some(observer), Some(row)) = (self.observer.as_mut(), state.rows.last())
                    {
                        let update = Update {
                            row,
                            embeddings: &zs_all,
                            q: &q_all,
                            clusters: &labels,
                        };
                        observer.on_update(&update).map_err(Error::Observer)?;
                    }
                    sums = Sums::new();
                    let converged = clustering
                        && it > clustering_start
                        && delta.is_some_and(|d| d < params.tol);
                    if converged {
                        break StopReason::Converged {
                            delta_label: delta.unwrap_or(0.0),
                        };
                    }
                    if out_of_time {
                        tracing::info!(iteration = it, "time budget: clustering ends here");
                        break StopReason::Budget;
                    }
                }
                if it >= self.total {
                    break StopReason::Budget;
                }
            }

            // A stop request: checkpoint the run as it is before this batch, then stop. At
            // an update the checkpoint just written (or resumed from) is that state.
            if self.stop.is_stopped() {
                if !update && let Some(layout) = &self.layout {
                    state.optimizer_steps = optimizer.steps();
                    state.scheduler = scheduler.state();
                    state.partial = Some(sums.to_partial()?);
                    let vs = self.dec.backbone.var_store();
                    let written = checkpoint::write(
                        &layout.checkpoint,
                        &state,
                        |path| vs.save(path).map_err(Error::from),
                        |path| optimizer.save_state(path).map_err(Error::from),
                        self.method.state(),
                    );
                    state.partial = None;
                    checkpoint_dir = Some(written?);
                }
                tracing::info!(iteration = it, "clustering interrupted");
                break StopReason::Interrupted { iteration: it };
            }

            // One batch; libtorch's generator (dropout) is seeded per iteration so that a
            // run resumed between updates draws what it would have.
            tch::manual_seed(torch_seed(params.seed, it));
            let epoch = it / self.steps_per_epoch;
            let b = it % self.steps_per_epoch;
            if order.as_ref().is_none_or(|(e, _)| *e != epoch) {
                let drawn = match self.method.order(self.n, params.seed, epoch) {
                    Some(drawn) => drawn,
                    None => mdec_data::Batches::new(
                        self.n,
                        bs,
                        Order::Shuffled {
                            seed: params.seed,
                            epoch: epoch as u64,
                        },
                    )?
                    .order()
                    .to_vec(),
                };
                order = Some((epoch, drawn));
            }
            let indices: Vec<usize> = match &order {
                Some((_, o)) => o[b * bs..((b + 1) * bs).min(self.n)].to_vec(),
                None => Vec::new(),
            };
            let (target, input, idx) = self.batch(&indices, epoch, b)?;
            let lr = scheduler.lr(epoch, b);
            optimizer.set_lr(lr);
            last_lr = lr;

            let total =
                self.batch_loss(&input, &target, &idx, (w_rec, w_clu), clustering, &mut sums)?;
            Sums::add(&mut sums.total, &total);
            sums.steps += 1;
            if total.requires_grad() {
                optimizer.backward_step(&total);
            }
            state.iteration += 1;
            if let Some(observer) = self.observer.as_mut() {
                observer.on_batch(state.iteration, self.total);
            }
        };

        let labels = match state.last_labels.is_empty() {
            true => Vec::new(),
            false => state.last_labels.iter().map(|&l| l as usize).collect(),
        };
        let scores = state.rows.last().and_then(|r| r.scores);
        Ok(ClusterReport {
            iterations: state.iteration,
            resumed_from,
            stop,
            kmeans_inertia: state.kmeans_inertia,
            init_scores: state.init_scores,
            scores,
            labels,
            reconstruction: self.has_decoder,
            seconds: started.elapsed().as_secs_f64(),
            table,
            checkpoint: checkpoint_dir,
            rows: state.rows,
        })
    }

    /// The optimizer, state and interval sums to train from: a checkpoint's (the method's
    /// state restored from it), or fresh ones, the centroids initialised at once when
    /// clustering starts at iteration 0.
    fn start(
        &mut self,
        resume: Option<CheckpointFiles>,
        scheduler: &mut Scheduler,
        clustering_start: usize,
    ) -> Result<(Optimizer, TrainState, Option<usize>, Sums)> {
        let params = self.dec.params.clone();
        let device = self.xs_all.device();
        let mut restored: Option<Sums> = None;
        let (optimizer, state, resumed_from) = match resume {
            Some(files) => {
                let mut state = files.state;
                if state.n_samples != self.n || state.params.n_clusters != params.n_clusters {
                    return Err(Error::Incompatible {
                        path: files.weights,
                        reason: format!(
                            "checkpoint of {} samples and {} clusters, data of {} samples and {} clusters",
                            state.n_samples, state.params.n_clusters, self.n, params.n_clusters
                        ),
                    });
                }
                let missing = load_variables(self.dec.backbone.var_store(), &files.weights)?;
                if !missing.is_empty() {
                    return Err(Error::Incompatible {
                        path: files.weights,
                        reason: format!("variables missing from the checkpoint: {missing:?}"),
                    });
                }
                let mut optimizer = Optimizer::new(
                    self.dec.backbone.var_store(),
                    params.optimizer,
                    params.lr,
                    0.0,
                );
                optimizer.load_state(&files.optimizer, state.optimizer_steps)?;
                scheduler.set_state(state.scheduler);
                let target = match &files.target {
                    Some(path) => {
                        let p = checkpoint::read_target(path)?.f_to_device(device)?;
                        if p.size() != [self.n as i64, params.n_clusters as i64] {
                            return Err(Error::Incompatible {
                                path: path.clone(),
                                reason: format!(
                                    "method state of shape {:?} for {} samples and {} clusters",
                                    p.size(),
                                    self.n,
                                    params.n_clusters
                                ),
                            });
                        }
                        Some(p)
                    }
                    None => None,
                };
                if let Some(target) = target {
                    self.method.restore(target); // [n, k]
                }
                let between_updates = state.partial.is_some();
                restored = state
                    .partial
                    .take()
                    .map(|partial| Sums::from_partial(&partial, device));
                let from = state.iteration;
                tracing::info!(iteration = from, between_updates, "resuming clustering");
                (optimizer, state, Some(from))
            }
            None => {
                let optimizer = Optimizer::new(
                    self.dec.backbone.var_store(),
                    params.optimizer,
                    params.lr,
                    0.0,
                );
                let mut state = TrainState {
                    format_version: CHECKPOINT_VERSION,
                    iteration: 0,
                    last_labels: Vec::new(),
                    rows: Vec::new(),
                    kmeans_inertia: None,
                    init_scores: None,
                    initialised: false,
                    optimizer_steps: 0,
                    scheduler: scheduler.state(),
                    n_samples: self.n,
                    params: params.clone().into_inner(),
                    partial: None,
                };
                if clustering_start == 0 {
                    self.initialise(&mut state, 0)?;
                }
                (optimizer, state, None)
            }
        };
        let sums = restored.unwrap_or_else(Sums::new);
        Ok((optimizer, state, resumed_from, sums))
    }

    /// The loss of one batch: the reconstruction term (weight `w_rec`, when the backbone has
    /// a decoder), the method's clustering term (weight `w_clu`) and the balance term, once
    /// clustering has started; each term's value is added to `sums`.
    fn batch_loss(
        &self,
        input: &Tensor,
        target: &Tensor,
        idx: &Tensor,
        (w_rec, w_clu): (f64, f64),
        clustering: bool,
        sums: &mut Sums,
    ) -> Result<Tensor> {
        let params = &self.dec.params;
        let zs = self.dec.backbone.encode(input, true)?; // [b, d]
        let mut terms: Vec<Tensor> = Vec::with_capacity(3);
        if w_rec > 0.0
            && let Some(ae) = self.dec.backbone.autoencoder()
        {
            let mut rec = reconstruction_loss(&ae.decode(&zs, true), target);
            if self.method.reconstruction_per_sample() {
                let per_sample =
                    target.numel() / target.size().first().map_or(1, |&b| b.max(1) as usize);
                rec *= per_sample as f64;
            }
            Sums::add(&mut sums.rec, &rec);
            terms.push(&rec * w_rec);
        }
        if clustering && w_clu > 0.0 {
            let clu = self.method.loss(self.dec, &zs, idx)?;
            Sums::add(&mut sums.clu, &clu);
            terms.push(&clu * w_clu);
        }
        if clustering && params.balance > 0.0 {
            let bal = balance_loss(&self.dec.layer.soft_assign(&zs));
            Sums::add(&mut sums.bal, &bal);
            terms.push(&bal * params.balance);
        }
        Ok(match terms.is_empty() {
            true => Tensor::zeros([], (Kind::Float, zs.device())),
            false => Tensor::stack(&terms, 0).sum(Kind::Float),
        })
    }

    /// Whether iteration `it` recomputes the target distribution: every `update_interval`
    /// iterations (every epoch when it is 0), at the end, and right after a reconstruction-only warm-up initialised the
    /// centroids (else KL would pull q toward the stale, centroid-less target).
    fn is_update(&self, it: usize, clustering_start: usize) -> bool {
        let interval = match self.dec.params.update_interval {
            0 => self.steps_per_epoch,
            every => every,
        };
        it.is_multiple_of(interval)
            || it >= self.total
            || (clustering_start > 0 && it == clustering_start)
    }

    fn warn_sizes(&self, iteration: usize, sizes: &[usize]) {
        let empty: Vec<usize> = (0..sizes.len()).filter(|&j| sizes[j] == 0).collect();
        if !empty.is_empty() {
            tracing::warn!(iteration, clusters = ?empty, "empty clusters");
        }
        if let Some((j, &size)) = sizes.iter().enumerate().max_by_key(|(_, s)| **s)
            && size as f64 > DOMINANT_FRACTION * self.n as f64
        {
            tracing::warn!(
                iteration,
                cluster = j,
                fraction = size as f64 / self.n as f64,
                "one cluster holds over half of the data"
            );
        }
    }
}
