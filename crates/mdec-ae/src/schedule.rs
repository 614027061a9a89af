//! Learning-rate schedules: constant, step, cosine, cosine with warm restarts, one-cycle
//! and reduce-on-plateau, with the state a resumed run needs.

use std::f64::consts::PI;

use serde::{Deserialize, Serialize};

use crate::error::SettingError;

/// How the learning rate changes over training. Rates are computed per batch from the
/// (fractional) epoch, so a resumed run continues the same curve.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum LrSchedule {
    /// The base rate throughout. The default.
    #[default]
    Constant,
    /// Multiply by `gamma` every `step_size` epochs (PyTorch `StepLR`).
    Step {
        /// Epochs between decays (>= 1).
        step_size: usize,
        /// Decay factor in `(0, 1]`.
        gamma: f64,
    },
    /// Cosine annealing from the base rate to `min_lr` over all epochs (Loshchilov & Hutter).
    Cosine {
        /// Final rate.
        min_lr: f64,
    },
    /// Cosine annealing restarted after `t0` epochs, each cycle `t_mult` times longer
    /// (SGDR, Loshchilov & Hutter 2017; PyTorch `CosineAnnealingWarmRestarts`).
    CosineWarmRestarts {
        /// Length of the first cycle in epochs (>= 1).
        t0: usize,
        /// Growth of each cycle (>= 1).
        t_mult: usize,
        /// Rate at the end of each cycle.
        min_lr: f64,
    },
    /// One-cycle policy (Smith 2018; PyTorch `OneCycleLR`, cosine annealing): the base
    /// rate is the peak.
    OneCycle {
        /// Fraction of the steps spent rising, in `(0, 1)`. PyTorch default 0.3.
        pct_start: f64,
        /// Start rate = peak / `div_factor`. PyTorch default 25.
        div_factor: f64,
        /// End rate = start rate / `final_div_factor`. PyTorch default 1e4.
        final_div_factor: f64,
    },
    /// Multiply by `factor` when the validation loss has not improved by `threshold`
    /// (relative) for `patience` epochs (PyTorch `ReduceLROnPlateau`); the MDEC
    /// scheduler against local minima.
    ReduceOnPlateau {
        /// Decay factor in `(0, 1)`.
        factor: f64,
        /// Epochs without improvement before a decay.
        patience: usize,
        /// Relative improvement that counts, e.g. 1e-4.
        threshold: f64,
        /// Lower bound on the rate.
        min_lr: f64,
    },
}

impl LrSchedule {
    /// One-cycle with PyTorch's defaults.
    pub fn one_cycle() -> Self {
        LrSchedule::OneCycle {
            pct_start: 0.3,
            div_factor: 25.0,
            final_div_factor: 1e4,
        }
    }

    /// Reduce-on-plateau with PyTorch's defaults (factor 0.1, patience 10, threshold 1e-4).
    pub fn reduce_on_plateau() -> Self {
        LrSchedule::ReduceOnPlateau {
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            min_lr: 0.0,
        }
    }

    /// Checks every setting; NaN and infinities are out of range everywhere.
    ///
    /// ```
    /// use mdec_ae::LrSchedule;
    /// assert!(LrSchedule::one_cycle().check().is_ok());
    /// let inf = LrSchedule::OneCycle { pct_start: 0.3, div_factor: f64::INFINITY, final_div_factor: 1e4 };
    /// assert_eq!(inf.check().unwrap_err().to_string(), "one-cycle div_factor must be finite and > 0, got inf");
    /// ```
    ///
    /// # Errors
    /// The first setting out of range: epoch counts (`step_size`, `t0`, `t_mult`) must be
    /// `>= 1`; `gamma` in `(0, 1]`; `pct_start` and `factor` in `(0, 1)`; `div_factor` and
    /// `final_div_factor` finite and `> 0`; `min_lr` and `threshold` finite and `>= 0`.
    pub fn check(&self) -> Result<(), SettingError> {
        // Written so that NaN fails every check.
        let nonneg = |x: f64| x.is_finite() && x >= 0.0;
        let positive = |x: f64| x.is_finite() && x > 0.0;
        let open_unit = |x: f64| x > 0.0 && x < 1.0;
        let (nonneg_text, positive_text, open_text) =
            ("finite and >= 0", "finite and > 0", "in (0, 1)");
        let require = SettingError::require;
        match *self {
            LrSchedule::Constant => Ok(()),
            LrSchedule::Step { step_size, gamma } => {
                require(step_size >= 1, "step step_size", step_size as f64, ">= 1")?;
                require(
                    gamma > 0.0 && gamma <= 1.0,
                    "step gamma",
                    gamma,
                    "in (0, 1]",
                )
            }
            LrSchedule::Cosine { min_lr } => {
                require(nonneg(min_lr), "cosine min_lr", min_lr, nonneg_text)
            }
            LrSchedule::CosineWarmRestarts { t0, t_mult, min_lr } => {
                require(t0 >= 1, "cosine-warm-restarts t0", t0 as f64, ">= 1")?;
                require(
                    t_mult >= 1,
                    "cosine-warm-restarts t_mult",
                    t_mult as f64,
                    ">= 1",
                )?;
                require(
                    nonneg(min_lr),
                    "cosine-warm-restarts min_lr",
                    min_lr,
                    nonneg_text,
                )
            }
            LrSchedule::OneCycle {
                pct_start,
                div_factor,
                final_div_factor,
            } => {
                require(
                    open_unit(pct_start),
                    "one-cycle pct_start",
                    pct_start,
                    open_text,
                )?;
                require(
                    positive(div_factor),
                    "one-cycle div_factor",
                    div_factor,
                    positive_text,
                )?;
                require(
                    positive(final_div_factor),
                    "one-cycle final_div_factor",
                    final_div_factor,
                    positive_text,
                )
            }
            LrSchedule::ReduceOnPlateau {
                factor,
                threshold,
                min_lr,
                ..
            } => {
                require(
                    open_unit(factor),
                    "reduce-on-plateau factor",
                    factor,
                    open_text,
                )?;
                require(
                    nonneg(threshold),
                    "reduce-on-plateau threshold",
                    threshold,
                    nonneg_text,
                )?;
                require(
                    nonneg(min_lr),
                    "reduce-on-plateau min_lr",
                    min_lr,
                    nonneg_text,
                )
            }
        }
    }
}

/// The mutable part of a [`Scheduler`], saved in checkpoints.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SchedulerState {
    /// Reduce-on-plateau: the current rate.
    pub plateau_lr: f64,
    /// Reduce-on-plateau: the best monitored loss so far (`None` before the first epoch).
    pub best: Option<f64>,
    /// Reduce-on-plateau: epochs since the last improvement.
    pub bad_epochs: usize,
}

/// A [`LrSchedule`] applied to a base rate over a known number of epochs and batches.
#[derive(Clone, Debug)]
pub struct Scheduler {
    schedule: LrSchedule,
    base_lr: f64,
    epochs: usize,
    steps_per_epoch: usize,
    state: SchedulerState,
}

impl Scheduler {
    /// A scheduler for `epochs` epochs of `steps_per_epoch` batches.
    pub fn new(schedule: LrSchedule, base_lr: f64, epochs: usize, steps_per_epoch: usize) -> Self {
        Self {
            schedule,
            base_lr,
            epochs: epochs.max(1),
            steps_per_epoch: steps_per_epoch.max(1),
            state: SchedulerState {
                plateau_lr: base_lr,
                best: None,
                bad_epochs: 0,
            },
        }
    }

    /// The saved state.
    pub fn state(&self) -> SchedulerState {
        self.state
    }

    /// Restores a saved state.
    pub fn set_state(&mut self, state: SchedulerState) {
        self.state = state;
    }

    /// The rate for batch `batch` of 0-based epoch `epoch`.
    pub fn lr(&self, epoch: usize, batch: usize) -> f64 {
        let base = self.base_lr;
        let t = epoch as f64 + batch as f64 / self.steps_per_epoch as f64;
        let cosine = |lo: f64, hi: f64, frac: f64| lo + (hi - lo) * (1.0 + (PI * frac).cos()) / 2.0;
        match self.schedule {
            LrSchedule::Constant => base,
            LrSchedule::Step { step_size, gamma } => {
                base * gamma.powi((epoch / step_size.max(1)) as i32)
            }
            LrSchedule::Cosine { min_lr } => cosine(min_lr, base, t / self.epochs as f64),
            LrSchedule::CosineWarmRestarts { t0, t_mult, min_lr } => {
                let (mut start, mut len) = (0.0, t0.max(1) as f64);
                while t >= start + len {
                    start += len;
                    len *= t_mult.max(1) as f64;
                }
                cosine(min_lr, base, (t - start) / len)
            }
            LrSchedule::OneCycle {
                pct_start,
                div_factor,
                final_div_factor,
            } => {
                let total = (self.epochs * self.steps_per_epoch) as f64;
                let step = (epoch * self.steps_per_epoch + batch) as f64;
                let rise = (pct_start * total).max(1.0);
                let start = base / div_factor;
                let end = start / final_div_factor;
                if step < rise {
                    cosine(base, start, step / rise)
                } else {
                    cosine(
                        end,
                        base,
                        ((step - rise) / (total - 1.0 - rise).max(1.0)).min(1.0),
                    )
                }
            }
            LrSchedule::ReduceOnPlateau { .. } => self.state.plateau_lr,
        }
    }

    /// Reports the epoch's monitored loss (reduce-on-plateau acts on it).
    pub fn end_epoch(&mut self, loss: f64) {
        if let LrSchedule::ReduceOnPlateau {
            factor,
            patience,
            threshold,
            min_lr,
        } = self.schedule
        {
            if self
                .state
                .best
                .is_none_or(|best| loss < best * (1.0 - threshold))
            {
                self.state.best = Some(loss);
                self.state.bad_epochs = 0;
            } else {
                self.state.bad_epochs += 1;
                if self.state.bad_epochs > patience {
                    self.state.plateau_lr = (self.state.plateau_lr * factor).max(min_lr);
                    self.state.bad_epochs = 0;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_rejects_every_non_finite_or_out_of_range_value() {
        let one_cycle = |pct_start, div_factor, final_div_factor| LrSchedule::OneCycle {
            pct_start,
            div_factor,
            final_div_factor,
        };
        let plateau = |factor, threshold, min_lr| LrSchedule::ReduceOnPlateau {
            factor,
            patience: 3,
            threshold,
            min_lr,
        };
        let good = [
            LrSchedule::Constant,
            LrSchedule::Step {
                step_size: 1,
                gamma: 1.0,
            },
            LrSchedule::Cosine { min_lr: 0.0 },
            LrSchedule::one_cycle(),
            LrSchedule::reduce_on_plateau(),
        ];
        for schedule in good {
            assert_eq!(schedule.check(), Ok(()), "{schedule:?}");
        }
        let (inf, nan) = (f64::INFINITY, f64::NAN);
        for (bad, setting) in [
            (
                LrSchedule::Step {
                    step_size: 0,
                    gamma: 0.5,
                },
                "step step_size",
            ),
            (
                LrSchedule::Step {
                    step_size: 2,
                    gamma: nan,
                },
                "step gamma",
            ),
            (
                LrSchedule::Step {
                    step_size: 2,
                    gamma: inf,
                },
                "step gamma",
            ),
            (LrSchedule::Cosine { min_lr: inf }, "cosine min_lr"),
            (
                LrSchedule::CosineWarmRestarts {
                    t0: 1,
                    t_mult: 0,
                    min_lr: 0.0,
                },
                "cosine-warm-restarts t_mult",
            ),
            (
                LrSchedule::CosineWarmRestarts {
                    t0: 1,
                    t_mult: 1,
                    min_lr: nan,
                },
                "cosine-warm-restarts min_lr",
            ),
            (one_cycle(nan, 25.0, 1e4), "one-cycle pct_start"),
            (one_cycle(1.0, 25.0, 1e4), "one-cycle pct_start"),
            (one_cycle(0.3, inf, 1e4), "one-cycle div_factor"),
            (one_cycle(0.3, 0.0, 1e4), "one-cycle div_factor"),
            (one_cycle(0.3, 25.0, inf), "one-cycle final_div_factor"),
            (plateau(nan, 1e-4, 0.0), "reduce-on-plateau factor"),
            (plateau(0.1, inf, 0.0), "reduce-on-plateau threshold"),
            (plateau(0.1, 1e-4, -1.0), "reduce-on-plateau min_lr"),
        ] {
            let err = bad.check().map(|()| bad);
            assert!(matches!(&err, Err(e) if e.setting == setting), "{err:?}");
        }
    }

    #[test]
    fn schedules_follow_their_curves() {
        let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
        let s = Scheduler::new(
            LrSchedule::Step {
                step_size: 2,
                gamma: 0.5,
            },
            1.0,
            6,
            10,
        );
        assert!(close(s.lr(1, 9), 1.0) && close(s.lr(2, 0), 0.5) && close(s.lr(5, 0), 0.25));
        let c = Scheduler::new(LrSchedule::Cosine { min_lr: 0.0 }, 1.0, 4, 1);
        assert!(close(c.lr(0, 0), 1.0) && close(c.lr(2, 0), 0.5));
        let w = Scheduler::new(
            LrSchedule::CosineWarmRestarts {
                t0: 2,
                t_mult: 2,
                min_lr: 0.0,
            },
            1.0,
            10,
            1,
        );
        assert!(close(w.lr(2, 0), 1.0) && close(w.lr(4, 0), 0.5) && close(w.lr(6, 0), 1.0));
        let o = Scheduler::new(LrSchedule::one_cycle(), 1.0, 10, 10);
        assert!(close(o.lr(0, 0), 1.0 / 25.0) && close(o.lr(3, 0), 1.0));
        assert!(o.lr(9, 9) < 1e-4);
        let mut p = Scheduler::new(
            LrSchedule::ReduceOnPlateau {
                factor: 0.5,
                patience: 1,
                threshold: 0.0,
                min_lr: 0.1,
            },
            1.0,
            10,
            1,
        );
        for loss in [1.0, 1.0, 1.0] {
            p.end_epoch(loss);
        }
        assert!(close(p.lr(3, 0), 0.5));
        for _ in 0..10 {
            p.end_epoch(2.0);
        }
        assert!(close(p.lr(9, 0), 0.1));
    }
}
