//! Greedy layer-wise pretraining of the dense stacked autoencoder ([`Layerwise`]): pair `k`
//! is the encoder layer `k` and its mirror in the decoder, trained as a denoising
//! autoencoder of the output of the encoder layers below it, which stay fixed:
//! `x̃ = dropout(h)`, `c = g(W x̃ + b)`, `ŷ = g'(W' dropout(c) + b')`, loss `‖ŷ − h‖²`, with
//! `g`, `g'` the activation except at the latent layer and at the output (linear), as in
//! DEC's stacked autoencoder.

use mdec_data::{Batches, Dataset, Order};
use tch::Tensor;

use crate::config::Arch;
use crate::error::{Error, Result};
use crate::model::{AeModel, array_to_tensor};
use crate::optim::Optimizer;
use crate::pretrain::params::{Layerwise, PretrainParamsError, PretrainValidParams};
use crate::stop::StopFlag;

fn refuse(reason: impl Into<String>) -> Error {
    Error::Params(PretrainParamsError::Layerwise(reason.into()))
}

/// One dense layer by its variables.
struct Dense {
    ws: Tensor, // [out, in]
    bs: Tensor, // [out]
}

impl Dense {
    fn of(model: &AeModel, name: &str) -> Result<Self> {
        let vars = model.var_store().variables();
        let get = |v: &str| {
            vars.get(&format!("{name}.{v}"))
                .map(Tensor::shallow_clone)
                .ok_or_else(|| refuse(format!("the autoencoder has no variable {name}.{v}")))
        };
        Ok(Self {
            ws: get("weight")?,
            bs: get("bias")?,
        })
    }

    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.linear(&self.ws, Some(&self.bs))
    }
}

/// Trains the layer pairs of `model` in turn on `train` (see the module docs); returns the
/// last epoch's mean loss of each pair.
///
/// A stop request ends the stage at once (the loss of the pair it stopped in is NaN): the
/// end-to-end stage that follows then checkpoints and stops, and a resumed run continues
/// end to end.
///
/// # Errors
/// [`PretrainParamsError::Layerwise`] for an architecture other than dense without batch
/// norm or Sobel front; tensor errors.
pub(crate) fn pretrain_layers(
    model: &mut AeModel,
    train: &Dataset,
    params: &PretrainValidParams,
    layerwise: &Layerwise,
    stop: &StopFlag,
) -> Result<Vec<f64>> {
    let config = model.config().clone();
    let Arch::Dense(dense) = &config.arch else {
        return Err(refuse("it needs the dense architecture"));
    };
    if config.batch_norm || config.sobel {
        return Err(refuse(
            "it takes a dense autoencoder without batch norm or Sobel front",
        ));
    }
    let depth = dense.hidden.len() + 1;
    let encoder_name = |k: usize| match k + 1 == depth {
        true => "encoder.latent".to_owned(),
        false => format!("encoder.fc{k}"),
    };
    let decoder_name = |k: usize| match k {
        0 => "decoder.out".to_owned(),
        _ => format!("decoder.fc{}", k - 1),
    };
    let act = config.activation;
    let device = model.var_store().device();
    let xs_all = array_to_tensor(train.images())?
        .f_to_device(device)?
        .f_flatten(1, -1)?; // [n, c·h·w]
    let n = train.len();
    let mut losses = Vec::with_capacity(depth);
    for k in 0..depth {
        let below: Vec<Dense> = (0..k)
            .map(|i| Dense::of(model, &encoder_name(i)))
            .collect::<Result<_>>()?;
        let (enc, dec) = (
            Dense::of(model, &encoder_name(k))?,
            Dense::of(model, &decoder_name(k))?,
        );
        // The input of pair k: the fixed encoder layers below it, all with the activation.
        let input = |xs: &Tensor| {
            tch::no_grad(|| {
                below
                    .iter()
                    .fold(xs.shallow_clone(), |h, layer| act.apply(&layer.forward(&h)))
            })
        };
        let code_act = |t: Tensor| if k + 1 == depth { t } else { act.apply(&t) };
        let out_act = |t: Tensor| if k == 0 { t } else { act.apply(&t) };
        let mut optimizer = Optimizer::new(
            model.var_store(),
            params.optimizer,
            params.lr,
            params.weight_decay,
        );
        tch::manual_seed((params.seed ^ (0x1A7E_u64 << 16) ^ k as u64) as i64);
        let mut last = f64::NAN;
        for epoch in 0..layerwise.epochs {
            let batches = Batches::new(
                n,
                params.batch_size,
                Order::Shuffled {
                    seed: params.seed ^ ((k as u64) << 32),
                    epoch: epoch as u64,
                },
            )?;
            let mut sum = 0.0;
            let mut count = 0usize;
            for indices in batches.order().chunks(params.batch_size) {
                if stop.is_stopped() {
                    tracing::info!(layer = k, "layer-wise pretraining stopped");
                    losses.push(f64::NAN);
                    return Ok(losses);
                }
                let idx: Vec<i64> = indices.iter().map(|&i| i as i64).collect();
                let idx = Tensor::from_slice(&idx).f_to_device(device)?;
                let target = input(&xs_all.f_index_select(0, &idx)?); // [b, d_k]
                let corrupted = target.dropout(layerwise.dropout, true);
                let code = code_act(enc.forward(&corrupted)).dropout(layerwise.dropout, true);
                let output = out_act(dec.forward(&code));
                let loss = output.mse_loss(&target, tch::Reduction::Mean);
                optimizer.backward_step(&loss);
                sum += loss.f_double_value(&[])?;
                count += 1;
            }
            last = sum / count.max(1) as f64;
            tracing::debug!(
                layer = k,
                epoch = epoch + 1,
                loss = last,
                "layer-wise epoch"
            );
        }
        tracing::info!(
            layer = k,
            of = depth,
            epochs = layerwise.epochs,
            loss = last,
            "layer-wise pretraining: pair done"
        );
        losses.push(last);
    }
    Ok(losses)
}
