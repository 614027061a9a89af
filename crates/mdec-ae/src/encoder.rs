//! The [`Encoder`] and [`Autoencoder`] traits the clustering stage depends on, batched
//! [`embed`]ding, and [`TorchScriptEncoder`] for encoders trained elsewhere (MDEC's
//! decoupling of the autoencoder from the clustering).

use std::path::{Path, PathBuf};

use mdec_data::ImageShape;
use tch::{CModule, Device, Kind, Tensor};

use crate::error::{Error, Result};

/// Maps images `[b, c, h, w]` to embeddings `[b, latent_dim]`.
pub trait Encoder {
    /// Encodes a batch; `train` enables dropout and batch-norm statistics updates.
    fn encode(&self, xs: &Tensor, train: bool) -> Tensor;
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
pub fn embed(encoder: &dyn Encoder, images: &Tensor, batch_size: i64) -> Tensor {
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
            .collect();
        if parts.is_empty() {
            Tensor::zeros([0, encoder.latent_dim()], (Kind::Float, device))
        } else {
            Tensor::cat(&parts, 0)
        }
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
    /// Loads the module on `device`, sets it to evaluation mode and finds its latent size by
    /// encoding two zero images of `shape`.
    ///
    /// # Errors
    /// [`Error::TorchScript`] if the file cannot be loaded, the module rejects images of
    /// `shape`, or its output is not `[2, latent]`.
    pub fn load(path: impl AsRef<Path>, shape: ImageShape, device: Device) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let fail = |reason: String| Error::TorchScript {
            path: path.clone(),
            reason,
        };
        let mut module = CModule::load_on_device(&path, device).map_err(|e| fail(e.to_string()))?;
        module.f_set_eval().map_err(|e| fail(e.to_string()))?;
        let probe = Tensor::zeros(
            [
                2,
                shape.channels as i64,
                shape.height as i64,
                shape.width as i64,
            ],
            (Kind::Float, device),
        );
        let out = tch::no_grad(|| module.forward_ts(&[probe]))
            .map_err(|e| fail(format!("does not accept {shape} images: {e}")))?;
        let size = out.size();
        let latent_dim = match size.as_slice() {
            [2, d] if *d > 0 => *d,
            other => {
                return Err(fail(format!(
                    "output shape {other:?}, expected [2, latent]"
                )));
            }
        };
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

    /// Encodes a batch, reporting libtorch errors instead of panicking.
    ///
    /// # Errors
    /// [`Error::Torch`] if the module fails on `xs`.
    pub fn try_encode(&self, xs: &Tensor) -> Result<Tensor> {
        Ok(self.module.forward_ts(&[xs.to_device(self.device)])?)
    }
}

impl Encoder for TorchScriptEncoder {
    /// Runs the module. TorchScript modules keep the mode they were set to at load time
    /// (evaluation), so `train` is ignored.
    ///
    /// # Panics
    /// If the module fails on `xs`; use [`TorchScriptEncoder::try_encode`] to get an error.
    fn encode(&self, xs: &Tensor, _train: bool) -> Tensor {
        #[allow(clippy::expect_used)]
        self.try_encode(xs)
            .expect("torchscript encoder failed on a batch of the shape it was loaded for")
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
