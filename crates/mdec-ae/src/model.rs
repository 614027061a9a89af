//! [`AeModel`]: an autoencoder that owns its `VarStore` (nets under `encoder` and
//! `decoder`), implements [`Encoder`] and [`Autoencoder`], and saves to / loads from a
//! folder holding `model.safetensors` and `model.json`.

use std::fs;
use std::path::Path;

use mdec_data::{ImageShape, atomic};
use ndarray::Array4;
use serde::{Deserialize, Serialize};
use tch::nn::{self, ModuleT};
use tch::{Device, Kind, Tensor};

use crate::config::{AeConfig, OutputActivation};
use crate::encoder::{Autoencoder, Encoder};
use crate::error::{Error, Result};
use crate::net::{self, Stack};

/// File name of the weights inside a model or checkpoint folder.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// File name of the architecture description inside a model or checkpoint folder.
pub const MODEL_JSON: &str = "model.json";
/// Version of the on-disk format written by [`AeModel::save`].
pub const FORMAT_VERSION: u32 = 1;

/// What `model.json` holds: enough to rebuild the nets before loading the weights.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelMeta {
    /// Format version, [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The architecture.
    pub config: AeConfig,
    /// The image shape the model takes.
    pub input_shape: ImageShape,
    /// Size of the embedding.
    pub latent_dim: i64,
    /// Number of trainable values.
    pub parameters: i64,
    /// Forward FLOPs per sample (multiply-adds count 2), encoder and decoder.
    pub forward_flops: f64,
}

/// An autoencoder built from an [`AeConfig`] for one image shape.
///
/// ```
/// use mdec_ae::{AeConfig, AeModel, Autoencoder, Encoder};
/// use mdec_data::ImageShape;
///
/// let model = AeModel::new(AeConfig::dcec(4), ImageShape::new(1, 16, 16), tch::Device::Cpu)?;
/// let xs = tch::Tensor::rand([3, 1, 16, 16], (tch::Kind::Float, tch::Device::Cpu));
/// let zs = model.encode(&xs, false);
/// assert_eq!(zs.size(), [3, 4]);
/// assert_eq!(model.decode(&zs, false).size(), [3, 1, 16, 16]);
/// # Ok::<(), mdec_ae::Error>(())
/// ```
#[derive(Debug)]
pub struct AeModel {
    vs: nn::VarStore,
    config: AeConfig,
    shape: ImageShape,
    encoder: Stack,
    decoder: Stack,
    forward_flops: f64,
}

impl AeModel {
    /// Builds the nets on `device` with freshly initialised weights (seed with
    /// `tch::manual_seed` first for repeatable weights).
    ///
    /// # Errors
    /// [`Error::Config`] for an invalid config and [`Error::InputShape`] when the
    /// architecture cannot take `shape` images (too small for its kernels and poolings).
    pub fn new(config: AeConfig, shape: ImageShape, device: Device) -> Result<Self> {
        let vs = nn::VarStore::new(device);
        let built = net::build(&vs.root(), &config, shape)?;
        Ok(Self {
            vs,
            config,
            shape,
            encoder: built.encoder,
            decoder: built.decoder,
            forward_flops: built.forward_flops,
        })
    }

    /// Like [`AeModel::new`] after `tch::manual_seed(seed)`: repeatable initial weights.
    ///
    /// # Errors
    /// Those of [`AeModel::new`].
    pub fn with_seed(
        config: AeConfig,
        shape: ImageShape,
        device: Device,
        seed: u64,
    ) -> Result<Self> {
        tch::manual_seed((seed >> 1) as i64);
        Self::new(config, shape, device)
    }

    /// The architecture.
    pub fn config(&self) -> &AeConfig {
        &self.config
    }

    /// The var store holding `encoder.*` and `decoder.*` (and `cluster.*` once the
    /// clustering stage adds its centroids).
    pub fn var_store(&self) -> &nn::VarStore {
        &self.vs
    }

    /// Mutable access to the var store (to add variables, freeze, or move devices).
    pub fn var_store_mut(&mut self) -> &mut nn::VarStore {
        &mut self.vs
    }

    /// Number of trainable values in the encoder and decoder.
    pub fn num_parameters(&self) -> i64 {
        self.vs
            .variables()
            .iter()
            .filter(|(name, t)| {
                t.requires_grad() && (name.starts_with("encoder.") || name.starts_with("decoder."))
            })
            .map(|(_, t)| t.numel() as i64)
            .sum()
    }

    /// Forward FLOPs per sample through encoder and decoder (a multiply-add counts 2;
    /// activations, pooling and normalisation are not counted). A training step costs
    /// about three times this.
    pub fn forward_flops(&self) -> f64 {
        self.forward_flops
    }

    /// The decoder's output before its final activation: logits when the output is
    /// sigmoid, the reconstruction itself when it is linear.
    pub fn decode_raw(&self, zs: &Tensor, train: bool) -> Tensor {
        self.decoder.forward_t(zs, train)
    }

    /// Applies the configured output activation to [`AeModel::decode_raw`]'s result.
    pub fn output_activation(&self, raw: &Tensor) -> Tensor {
        match self.config.output {
            OutputActivation::Linear => raw.shallow_clone(),
            OutputActivation::Sigmoid => raw.sigmoid(),
        }
    }

    /// Encodes a batch `[b, c, h, w]` of the model's input shape to `[b, latent_dim]`:
    /// [`Encoder::encode`] without the `Result`, as this net's shapes are fixed by
    /// construction (methods of the type come before those of the trait, so
    /// `model.encode(..)` on an `AeModel` is this one).
    pub fn encode(&self, xs: &Tensor, train: bool) -> Tensor {
        self.encoder.forward_t(xs, train)
    }

    /// Encodes and decodes a batch: the reconstruction, `[b, c, h, w]`.
    pub fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        self.decode(&self.encode(xs, train), train)
    }

    /// Checks that `shape` is the shape the model takes.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] naming `context` (e.g. the checkpoint path).
    pub fn check_shape(&self, shape: ImageShape, context: &str) -> Result<()> {
        if shape == self.shape {
            Ok(())
        } else {
            Err(Error::ShapeMismatch {
                context: context.to_owned(),
                expected: self.shape,
                got: shape,
            })
        }
    }

    /// Reconstructs `images` (`[n, c, h, w]`, any device) in batches under `no_grad`, in
    /// evaluation mode; the result lives on the model's device.
    pub fn reconstruct(&self, images: &Tensor, batch_size: i64) -> Tensor {
        let n = images.size().first().copied().unwrap_or(0);
        let batch_size = if batch_size <= 0 {
            n.max(1)
        } else {
            batch_size
        };
        let device = self.vs.device();
        tch::no_grad(|| {
            let parts: Vec<Tensor> = (0..n)
                .step_by(batch_size as usize)
                .map(|start| {
                    let xs = images
                        .narrow(0, start, batch_size.min(n - start))
                        .to_device(device);
                    self.forward_t(&xs, false)
                })
                .collect();
            if parts.is_empty() {
                images.zeros_like().to_device(device)
            } else {
                Tensor::cat(&parts, 0)
            }
        })
    }

    /// Reconstructs host images (e.g. a few samples for the reconstructions figure):
    /// `[n, c, h, w]` in, `[n, c, h, w]` out.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] if the images are not of the model's shape.
    pub fn reconstruct_array(&self, images: &Array4<f32>) -> Result<Array4<f32>> {
        let (_, c, h, w) = images.dim();
        self.check_shape(ImageShape::new(c, h, w), "reconstruct")?;
        let out = self.reconstruct(&array_to_tensor(images)?, 256);
        tensor_to_array(&out)
    }

    /// Writes `model.safetensors` and `model.json` into `dir` (created if missing), each
    /// through a temporary file and a rename.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Json`] or [`Error::Torch`] if a file cannot be written.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        atomic::write_file(dir.join(WEIGHTS_FILE), |tmp: &Path| {
            self.vs.save(tmp).map_err(Error::from)
        })?;
        write_json_atomic(&dir.join(MODEL_JSON), &self.meta())
    }

    /// The description written to `model.json`.
    pub fn meta(&self) -> ModelMeta {
        ModelMeta {
            format_version: FORMAT_VERSION,
            config: self.config.clone(),
            input_shape: self.shape,
            latent_dim: self.config.latent_dim,
            parameters: self.num_parameters(),
            forward_flops: self.forward_flops,
        }
    }

    /// Loads a model saved by [`AeModel::save`] (or a checkpoint folder) onto `device`.
    ///
    /// # Errors
    /// [`Error::Io`] / [`Error::Json`] for missing or malformed files,
    /// [`Error::FormatVersion`] for an unknown version, [`Error::Torch`] when the weights
    /// do not fit the architecture in `model.json`.
    pub fn load(dir: impl AsRef<Path>, device: Device) -> Result<Self> {
        let dir = dir.as_ref();
        let meta_path = dir.join(MODEL_JSON);
        let meta: ModelMeta = read_json(&meta_path)?;
        if meta.format_version != FORMAT_VERSION {
            return Err(Error::FormatVersion {
                path: meta_path,
                version: meta.format_version,
            });
        }
        let mut model = AeModel::new(meta.config, meta.input_shape, device)?;
        let weights = dir.join(WEIGHTS_FILE);
        if !weights.is_file() {
            return Err(Error::io(
                &weights,
                std::io::Error::new(std::io::ErrorKind::NotFound, "weights file missing"),
            ));
        }
        model.vs.load(&weights)?;
        Ok(model)
    }

    /// Loads like [`AeModel::load`] and checks the model against the data it will see:
    /// the image shape and, when given, the expected architecture.
    ///
    /// # Errors
    /// Those of [`AeModel::load`], plus [`Error::ShapeMismatch`] and [`Error::ArchMismatch`].
    pub fn load_for(
        dir: impl AsRef<Path>,
        device: Device,
        shape: ImageShape,
        config: Option<&AeConfig>,
    ) -> Result<Self> {
        let dir = dir.as_ref();
        let model = AeModel::load(dir, device)?;
        if let Some(expected) = config
            && expected != &model.config
        {
            return Err(Error::ArchMismatch {
                path: dir.to_path_buf(),
                expected: serde_json::to_string(expected).unwrap_or_default(),
                found: serde_json::to_string(&model.config).unwrap_or_default(),
            });
        }
        model.check_shape(shape, &dir.display().to_string())?;
        Ok(model)
    }
}

impl Encoder for AeModel {
    /// [`AeModel::encode`]; never an error.
    fn encode(&self, xs: &Tensor, train: bool) -> Result<Tensor> {
        Ok(AeModel::encode(self, xs, train))
    }

    fn latent_dim(&self) -> i64 {
        self.config.latent_dim
    }

    fn input_shape(&self) -> ImageShape {
        self.shape
    }

    fn device(&self) -> Device {
        self.vs.device()
    }
}

impl Autoencoder for AeModel {
    fn decode(&self, zs: &Tensor, train: bool) -> Tensor {
        self.output_activation(&self.decode_raw(zs, train))
    }
}

/// Copies an `[n, c, h, w]` host array into a CPU float tensor.
///
/// # Errors
/// [`Error::Torch`] if libtorch cannot allocate it.
pub fn array_to_tensor(images: &Array4<f32>) -> Result<Tensor> {
    let (n, c, h, w) = images.dim();
    let dims = [n as i64, c as i64, h as i64, w as i64];
    let t = match images.as_slice() {
        Some(slice) => Tensor::f_from_slice(slice)?,
        None => Tensor::f_from_slice(&images.iter().copied().collect::<Vec<f32>>())?,
    };
    Ok(t.f_view(dims)?)
}

/// Copies a `[n, c, h, w]` tensor (any device, any float kind) into a host array.
///
/// # Errors
/// [`Error::Torch`] if the tensor is not 4-D or cannot be converted.
pub fn tensor_to_array(t: &Tensor) -> Result<Array4<f32>> {
    let size = t.size();
    let [n, c, h, w] = size.as_slice() else {
        return Err(Error::Torch(tch::TchError::Shape(format!(
            "expected a 4-d tensor, got {size:?}"
        ))));
    };
    let flat = t
        .f_to_device(Device::Cpu)?
        .f_to_kind(Kind::Float)?
        .f_contiguous()?
        .f_view([-1])?;
    let values = Vec::<f32>::try_from(&flat)?;
    Array4::from_shape_vec((*n as usize, *c as usize, *h as usize, *w as usize), values)
        .map_err(|e| Error::Torch(tch::TchError::Shape(e.to_string())))
}

pub(crate) fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T> {
    let text = fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::json(path, e))
}

/// Writes `value` as pretty JSON through [`atomic::write_file`].
pub(crate) fn write_json_atomic<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| Error::json(path, e))?;
    atomic::write_file(path, |tmp: &Path| {
        fs::write(tmp, &text).map_err(|e| Error::io(path, e))
    })
}
