//! The [`Encoder`] and [`Autoencoder`] traits the clustering stage depends on, batched
//! [`embed`]ding, and [`TorchScriptEncoder`] for encoders trained elsewhere (MDEC's
//! decoupling of the autoencoder from the clustering).

use std::path::{Path, PathBuf};

use mdec_data::ImageShape;
use tch::{CModule, Device, Kind, Tensor, nn};

use crate::error::{Error, Result};

/// Maps images `[b, c, h, w]` to embeddings `[b, latent_dim]`.
pub trait Encoder {
    /// Encodes a batch; `train` enables dropout and batch-norm statistics updates.
    ///
    /// # Errors
    /// An encoder whose computation is not fixed by construction (a
    /// [`TorchScriptEncoder`] runs a user's module) reports its failure on `xs` here;
    /// [`AeModel`](crate::AeModel) never fails on images of its input shape.
    fn encode(&self, xs: &Tensor, train: bool) -> Result<Tensor>;
    /// Size of one embedding.
    fn latent_dim(&self) -> i64;
    /// The image shape the encoder takes.
    fn input_shape(&self) -> ImageShape;
    /// Where the encoder's weights live; inputs are moved here.
    fn device(&self) -> Device;
}

/// An encoder with a decoder (IDEC/DCRA keep the reconstruction term).
pub trait Autoencoder: Encoder {
    /// Decodes embeddings `[b, latent_dim]` to images `[b, c, h, w]`.
    fn decode(&self, zs: &Tensor, train: bool) -> Tensor;
}

/// Embeds every image in batches under `no_grad`, in evaluation mode.
///
/// `images` is `[n, c, h, w]` on any device; each batch is moved to the encoder's device
/// (a no-op when the images already live there). The result is `[n, latent]` on the
/// encoder's device. A non-positive `batch_size` embeds everything in one batch.
///
/// # Errors
/// The first error of [`Encoder::encode`] on a batch.
pub fn embed(encoder: &dyn Encoder, images: &Tensor, batch_size: i64) -> Result<Tensor> {
    let device = encoder.device();
    let n = images.size().first().copied().unwrap_or(0);
    let batch_size = if batch_size <= 0 {
        n.max(1)
    } else {
        batch_size
    };
    tch::no_grad(|| {
        let parts: Vec<Tensor> = (0..n)
            .step_by(batch_size as usize)
            .map(|start| {
                let len = batch_size.min(n - start);
                let xs = images.narrow(0, start, len).to_device(device);
                encoder.encode(&xs, false)
            })
            .collect::<Result<_>>()?;
        Ok(if parts.is_empty() {
            Tensor::zeros([0, encoder.latent_dim()], (Kind::Float, device))
        } else {
            Tensor::cat(&parts, 0)
        })
    })
}

/// An encoder exported from PyTorch with TorchScript (`torch.jit.script` / `trace` then
/// `.save(path)`), taking `[b, c, h, w]` float images and returning `[b, latent]`.
///
/// ```no_run
/// use mdec_ae::{Encoder, TorchScriptEncoder};
/// use mdec_data::ImageShape;
///
/// let encoder = TorchScriptEncoder::load("encoder.pt", ImageShape::new(1, 28, 28), tch::Device::Cpu)?;
/// println!("{} features", encoder.latent_dim());
/// # Ok::<(), mdec_ae::Error>(())
/// ```
#[derive(Debug)]
pub struct TorchScriptEncoder {
    module: CModule,
    path: PathBuf,
    shape: ImageShape,
    latent_dim: i64,
    device: Device,
}

impl TorchScriptEncoder {
    /// Loads the module on `device`, sets it to evaluation mode, freezes its weights (see
    /// [`TorchScriptEncoder::train_in`] to fine-tune them) and checks it: two zero
    /// images of `shape` are encoded under `no_grad`, and the output must be a 2-D
    /// floating-point tensor `[2, latent]`, which gives the latent size.
    ///
    /// # Errors
    /// [`Error::TorchScript`] naming the file if it cannot be loaded, the module fails on
    /// images of `shape`, or its output is not a floating-point `[2, latent]`.
    pub fn load(path: impl AsRef<Path>, shape: ImageShape, device: Device) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let fail = |reason: String| Error::TorchScript {
            path: path.clone(),
            reason,
        };
        if !path.is_file() {
            return Err(fail("no such file".into()));
        }
        let mut module =
            CModule::load_on_device(&path, device).map_err(|e| fail(torch_message(&e)))?;
        module.f_set_eval().map_err(|e| fail(torch_message(&e)))?;
        // Frozen until `train_in`: no gradients are kept for its weights.
        for (_, parameter) in module
            .named_parameters()
            .map_err(|e| fail(torch_message(&e)))?
        {
            let _ = parameter.set_requires_grad(false);
        }
        let probe = Tensor::zeros(
            [
                2,
                shape.channels as i64,
                shape.height as i64,
                shape.width as i64,
            ],
            (Kind::Float, device),
        );
        let out = tch::no_grad(|| module.forward_ts(&[probe])).map_err(|e| {
            fail(format!(
                "does not accept {shape} images: {}",
                torch_message(&e)
            ))
        })?;
        let size = out.size();
        let latent_dim = match size.as_slice() {
            [2, d] if *d > 0 => *d,
            other => {
                return Err(fail(format!(
                    "output shape {other:?}, expected [2, latent]"
                )));
            }
        };
        let kind = out.f_kind().map_err(|e| fail(torch_message(&e)))?;
        if !matches!(
            kind,
            Kind::Float | Kind::Double | Kind::Half | Kind::BFloat16
        ) {
            return Err(fail(format!(
                "output of kind {kind:?}, expected floating-point embeddings"
            )));
        }
        Ok(Self {
            module,
            path,
            shape,
            latent_dim,
            device,
        })
    }

    /// The file the module was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Makes the module's weights trainable: each parameter is added to `path` (dots in
    /// its name become underscores), so that an optimiser over that var store fine-tunes
    /// the network. The module stays in evaluation mode: batch-norm statistics keep their
    /// pretrained values and dropout stays off, as usual when fine-tuning on small
    /// batches — and the parameters are then all that changes.
    ///
    /// # Errors
    /// [`Error::TorchScript`] naming the file if its parameters cannot be listed.
    pub fn train_in(&self, path: &nn::Path<'_>) -> Result<()> {
        let parameters = self
            .module
            .named_parameters()
            .map_err(|e| Error::TorchScript {
                path: self.path.clone(),
                reason: torch_message(&e),
            })?;
        for (name, tensor) in parameters {
            let _ = path.add(&name.replace('.', "_"), tensor, true);
        }
        Ok(())
    }

    /// Writes the module, with its current weights, as TorchScript to `to`.
    ///
    /// # Errors
    /// [`Error::TorchScript`] naming `to` if it cannot be written.
    pub fn save(&self, to: &Path) -> Result<()> {
        self.module.save(to).map_err(|e| Error::TorchScript {
            path: to.to_path_buf(),
            reason: torch_message(&e),
        })
    }
}

impl Encoder for TorchScriptEncoder {
    /// Runs the module on `xs` (moved to the module's device). TorchScript modules keep
    /// the mode they were set to at load time (evaluation), so `train` is ignored.
    ///
    /// # Errors
    /// [`Error::TorchScript`] naming the file if the module fails on `xs` or returns
    /// anything but `[b, latent]` for a batch of `b` images.
    fn encode(&self, xs: &Tensor, _train: bool) -> Result<Tensor> {
        let fail = |reason: String| Error::TorchScript {
            path: self.path.clone(),
            reason,
        };
        let xs = xs
            .f_to_device(self.device)
            .map_err(|e| fail(torch_message(&e)))?;
        let batch = xs.size().first().copied().unwrap_or(0);
        let zs = self.module.forward_ts(&[xs]).map_err(|e| {
            fail(format!(
                "failed on a batch of {batch} images: {}",
                torch_message(&e)
            ))
        })?;
        let size = zs.size();
        if size != [batch, self.latent_dim] {
            return Err(fail(format!(
                "output shape {size:?} for a batch of {batch} images, expected [{batch}, {}]",
                self.latent_dim
            )));
        }
        Ok(zs)
    }

    fn latent_dim(&self) -> i64 {
        self.latent_dim
    }

    fn input_shape(&self) -> ImageShape {
        self.shape
    }

    fn device(&self) -> Device {
        self.device
    }
}

/// What libtorch says, without the C++ stack trace it appends (everything after the first
/// line that names a frame or the raising site).
fn torch_message(error: &tch::TchError) -> String {
    let text = error.to_string();
    let kept: Vec<&str> = text
        .lines()
        .take_while(|line| {
            !line.starts_with("Exception raised from") && !line.starts_with("frame #")
        })
        .collect();
    kept.join(" ").trim().to_owned()
}
