//! Adam and SGD with momentum written on tensors, so that their state (moments, step count)
//! can be saved with a checkpoint and restored exactly on resume — `tch::nn::Optimizer`
//! keeps its state inside libtorch where it cannot be read back.
//!
//! The update rules are PyTorch's (`torch.optim.Adam` with L2 weight decay added to the
//! gradient, `torch.optim.SGD` with momentum, dampening 0 and optional Nesterov).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use tch::Tensor;
use tch::nn::VarStore;

use crate::error::{Result, SettingError};

/// The optimisation algorithm and its own hyper-parameters.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum OptimizerKind {
    /// Adam (Kingma & Ba, 2015); DEC/IDEC/DCEC/DCRA pretrain with it.
    Adam {
        /// First-moment decay. PyTorch/Keras default 0.9.
        beta1: f64,
        /// Second-moment decay. PyTorch/Keras default 0.999.
        beta2: f64,
        /// Denominator term. PyTorch default 1e-8.
        eps: f64,
    },
    /// Stochastic gradient descent with momentum (DEC fine-tunes with momentum 0.9).
    Sgd {
        /// Momentum factor in `[0, 1)`; 0 disables it.
        momentum: f64,
        /// Nesterov momentum.
        nesterov: bool,
    },
}

impl OptimizerKind {
    /// Adam with PyTorch's defaults (0.9, 0.999, 1e-8).
    pub fn adam() -> Self {
        OptimizerKind::Adam {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
        }
    }

    /// SGD with momentum 0.9 (DEC), without Nesterov.
    pub fn sgd() -> Self {
        OptimizerKind::Sgd {
            momentum: 0.9,
            nesterov: false,
        }
    }
}

impl OptimizerKind {
    /// Checks every hyper-parameter; NaN and infinities are out of range everywhere.
    ///
    /// ```
    /// use mdec_ae::OptimizerKind;
    /// assert!(OptimizerKind::adam().check().is_ok());
    /// let err = OptimizerKind::Sgd { momentum: f64::NAN, nesterov: false }.check().unwrap_err();
    /// assert_eq!(err.to_string(), "sgd momentum must be in [0, 1), got NaN");
    /// ```
    ///
    /// # Errors
    /// The first setting out of range: Adam's `beta1` and `beta2` must be in `[0, 1)` and
    /// `eps` finite and `> 0`; SGD's `momentum` in `[0, 1)`.
    pub fn check(&self) -> Result<(), SettingError> {
        const UNIT: &str = "in [0, 1)";
        match *self {
            OptimizerKind::Adam { beta1, beta2, eps } => {
                SettingError::require((0.0..1.0).contains(&beta1), "adam beta1", beta1, UNIT)?;
                SettingError::require((0.0..1.0).contains(&beta2), "adam beta2", beta2, UNIT)?;
                SettingError::require(
                    eps.is_finite() && eps > 0.0,
                    "adam eps",
                    eps,
                    "finite and > 0",
                )
            }
            OptimizerKind::Sgd { momentum, .. } => SettingError::require(
                (0.0..1.0).contains(&momentum),
                "sgd momentum",
                momentum,
                UNIT,
            ),
        }
    }
}

impl Default for OptimizerKind {
    fn default() -> Self {
        OptimizerKind::adam()
    }
}

/// An optimiser over the trainable variables of a var store (sorted by name, so the
/// state maps onto the same variables after a reload).
#[derive(Debug)]
pub struct Optimizer {
    kind: OptimizerKind,
    lr: f64,
    weight_decay: f64,
    params: Vec<(String, Tensor)>,
    /// Adam: first moments; SGD: momentum buffers.
    first: Vec<Option<Tensor>>,
    /// Adam: second moments.
    second: Vec<Option<Tensor>>,
    steps: i64,
}

impl Optimizer {
    /// An optimiser over every trainable variable of `vs`.
    pub fn new(vs: &VarStore, kind: OptimizerKind, lr: f64, weight_decay: f64) -> Self {
        let mut params: Vec<(String, Tensor)> = vs
            .variables()
            .into_iter()
            .filter(|(_, t)| t.requires_grad())
            .collect();
        params.sort_by(|a, b| a.0.cmp(&b.0));
        let n = params.len();
        Self {
            kind,
            lr,
            weight_decay,
            params,
            first: (0..n).map(|_| None).collect(),
            second: (0..n).map(|_| None).collect(),
            steps: 0,
        }
    }

    /// The current learning rate.
    pub fn lr(&self) -> f64 {
        self.lr
    }

    /// Sets the learning rate (schedulers call this before each step).
    pub fn set_lr(&mut self, lr: f64) {
        self.lr = lr;
    }

    /// Number of steps taken so far (restored on resume).
    pub fn steps(&self) -> i64 {
        self.steps
    }

    /// Clears the gradients of every parameter.
    pub fn zero_grad(&mut self) {
        for (_, p) in &mut self.params {
            let mut g = p.grad();
            if g.defined() {
                let _ = g.detach_();
                let _ = g.zero_();
            }
        }
    }

    /// `loss.backward()` then one step.
    pub fn backward_step(&mut self, loss: &Tensor) {
        self.zero_grad();
        loss.backward();
        self.step();
    }

    /// Updates every parameter from its gradient.
    pub fn step(&mut self) {
        self.steps += 1;
        let t = self.steps as f64;
        let (lr, wd) = (self.lr, self.weight_decay);
        tch::no_grad(|| {
            for (i, (_, p)) in self.params.iter_mut().enumerate() {
                let grad = p.grad();
                if !grad.defined() {
                    continue;
                }
                let g = if wd != 0.0 { &grad + &*p * wd } else { grad };
                match self.kind {
                    OptimizerKind::Adam { beta1, beta2, eps } => {
                        let m = self.first[i].get_or_insert_with(|| g.zeros_like());
                        let _ = m.lerp_(&g, 1.0 - beta1);
                        let v = self.second[i].get_or_insert_with(|| g.zeros_like());
                        let _ = v.g_mul_scalar_(beta2).addcmul_(&(&g * (1.0 - beta2)), &g);
                        let bias1 = 1.0 - beta1.powf(t);
                        let bias2 = 1.0 - beta2.powf(t);
                        let denom = (v.sqrt() / bias2.sqrt()) + eps;
                        let update = (&*m / denom) * (lr / bias1);
                        let _ = p.g_sub_(&update);
                    }
                    OptimizerKind::Sgd { momentum, nesterov } => {
                        let direction = if momentum > 0.0 {
                            let buf = match &mut self.first[i] {
                                Some(buf) => {
                                    let _ = buf.g_mul_scalar_(momentum).g_add_(&g);
                                    buf.shallow_clone()
                                }
                                slot @ None => {
                                    let buf = g.copy();
                                    *slot = Some(buf.shallow_clone());
                                    buf
                                }
                            };
                            if nesterov { &g + buf * momentum } else { buf }
                        } else {
                            g
                        };
                        let _ = p.g_sub_(&(direction * lr));
                    }
                }
            }
        });
    }

    /// The state tensors by name (`first.<var>`, `second.<var>`), for a checkpoint.
    pub fn state_tensors(&self) -> Vec<(String, Tensor)> {
        let mut out = Vec::new();
        for (i, (name, _)) in self.params.iter().enumerate() {
            if let Some(t) = &self.first[i] {
                out.push((format!("first.{name}"), t.shallow_clone()));
            }
            if let Some(t) = &self.second[i] {
                out.push((format!("second.{name}"), t.shallow_clone()));
            }
        }
        out
    }

    /// Writes the state tensors as safetensors.
    ///
    /// # Errors
    /// [`crate::Error::Torch`] if the file cannot be written.
    pub fn save_state(&self, path: &Path) -> Result<()> {
        let named = self.state_tensors();
        let refs: Vec<(&str, &Tensor)> = named.iter().map(|(n, t)| (n.as_str(), t)).collect();
        Tensor::write_safetensors(&refs, path)?;
        Ok(())
    }

    /// Restores state written by [`Optimizer::save_state`] and the step count.
    ///
    /// # Errors
    /// [`crate::Error::Torch`] if the file cannot be read or a tensor does not fit its
    /// variable.
    pub fn load_state(&mut self, path: &Path, steps: i64) -> Result<()> {
        let mut named: HashMap<String, Tensor> =
            Tensor::read_safetensors(path)?.into_iter().collect();
        for (i, (name, p)) in self.params.iter().enumerate() {
            for (prefix, slots) in [("first", &mut self.first), ("second", &mut self.second)] {
                if let Some(t) = named.remove(&format!("{prefix}.{name}")) {
                    let t = t.f_to_device(p.device())?.f_to_kind(p.kind())?;
                    if t.size() != p.size() {
                        return Err(tch::TchError::Shape(format!(
                            "optimizer state {prefix}.{name}: {:?} vs parameter {:?}",
                            t.size(),
                            p.size()
                        ))
                        .into());
                    }
                    slots[i] = Some(t);
                }
            }
        }
        self.steps = steps;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use tch::nn::{self, Module};
    use tch::{Device, Kind};

    use super::*;

    #[test]
    fn check_rejects_every_non_finite_or_out_of_range_value() {
        let adam = |beta1, beta2, eps| OptimizerKind::Adam { beta1, beta2, eps };
        let sgd = |momentum| OptimizerKind::Sgd {
            momentum,
            nesterov: true,
        };
        for good in [
            adam(0.0, 0.999, 1e-8),
            adam(0.9, 0.0, 1.0),
            sgd(0.0),
            sgd(0.99),
        ] {
            assert_eq!(good.check(), Ok(()), "{good:?}");
        }
        for (bad, setting) in [
            (adam(f64::NAN, 0.999, 1e-8), "adam beta1"),
            (adam(1.0, 0.999, 1e-8), "adam beta1"),
            (adam(0.9, -0.1, 1e-8), "adam beta2"),
            (adam(0.9, f64::INFINITY, 1e-8), "adam beta2"),
            (adam(0.9, 0.999, 0.0), "adam eps"),
            (adam(0.9, 0.999, f64::INFINITY), "adam eps"),
            (adam(0.9, 0.999, f64::NAN), "adam eps"),
            (sgd(f64::NAN), "sgd momentum"),
            (sgd(1.0), "sgd momentum"),
            (sgd(-0.5), "sgd momentum"),
        ] {
            let err = bad.check().map(|()| bad);
            assert!(matches!(&err, Err(e) if e.setting == setting), "{err:?}");
        }
    }

    /// Both optimisers drive a least-squares problem towards its solution.
    #[test]
    fn adam_and_sgd_reduce_a_quadratic() {
        for kind in [OptimizerKind::adam(), OptimizerKind::sgd()] {
            tch::manual_seed(0);
            let vs = nn::VarStore::new(Device::Cpu);
            let lin = nn::linear(vs.root() / "l", 3, 1, Default::default());
            let xs = Tensor::randn([64, 3], (Kind::Float, Device::Cpu));
            let ys = xs.matmul(&Tensor::from_slice(&[1.0f32, -2.0, 0.5]).view([3, 1]));
            let mut opt = Optimizer::new(&vs, kind, 0.05, 0.0);
            let loss = |l: &nn::Linear| l.forward(&xs).mse_loss(&ys, tch::Reduction::Mean);
            let first = loss(&lin).double_value(&[]);
            for _ in 0..200 {
                opt.backward_step(&loss(&lin));
            }
            let last = loss(&lin).double_value(&[]);
            assert!(last < first * 0.01, "{kind:?}: {first} -> {last}");
        }
    }
}
