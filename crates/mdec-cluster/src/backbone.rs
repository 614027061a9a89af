//! [`Backbone`]: what the clustering stage trains — an [`Encoder`], maybe a decoder, and
//! the var store where the clustering layer adds its centroids under `cluster`.

use mdec_ae::{AeModel, Autoencoder, Encoder, ImageShape, TorchScriptEncoder};
use tch::nn::VarStore;
use tch::{Device, Tensor};

/// An encoder whose weights (if any are trainable) live in one var store, where the
/// clustering layer adds `cluster.centroids`, so that one optimiser covers the encoder,
/// the decoder and the centroids, and one file holds them all.
///
/// Implemented by [`AeModel`] (encoder and decoder trained) and by [`EncoderOnly`], which
/// wraps any [`Encoder`] — such as a [`TorchScriptEncoder`] — with a var store of its own:
/// its encoder stays as it is and only the centroids train, unless a TorchScript encoder
/// is wrapped with [`EncoderOnly::fine_tuned`].
pub trait Backbone: Encoder {
    /// The var store holding the trainable weights; the centroids are added to it.
    fn var_store(&self) -> &VarStore;

    /// The model as an autoencoder when it has a decoder (IDEC and DCRA reconstruct;
    /// without one their reconstruction term is dropped, with a warning).
    fn autoencoder(&self) -> Option<&dyn Autoencoder>;
}

impl Backbone for AeModel {
    fn var_store(&self) -> &VarStore {
        AeModel::var_store(self)
    }

    fn autoencoder(&self) -> Option<&dyn Autoencoder> {
        Some(self)
    }
}

/// Any [`Encoder`] with a var store of its own for the centroids: the encoder is used as
/// it is (frozen) or, for a TorchScript encoder, fine-tuned with the centroids
/// ([`EncoderOnly::fine_tuned`]); the decoder is absent.
///
/// ```
/// use mdec_ae::{AeConfig, AeModel, Encoder};
/// use mdec_cluster::{Backbone, EncoderOnly};
/// use mdec_data::ImageShape;
///
/// let ae = AeModel::new(AeConfig::dense(3), ImageShape::new(1, 4, 4), tch::Device::Cpu)?;
/// let frozen = EncoderOnly::new(ae);
/// assert_eq!(frozen.latent_dim(), 3);
/// assert!(frozen.autoencoder().is_none());
/// assert!(frozen.var_store().variables().is_empty());
/// # Ok::<(), mdec_ae::Error>(())
/// ```
#[derive(Debug)]
pub struct EncoderOnly<E> {
    encoder: E,
    vs: VarStore,
}

impl<E: Encoder> EncoderOnly<E> {
    /// Wraps `encoder`, with an empty var store on its device.
    pub fn new(encoder: E) -> Self {
        let vs = VarStore::new(encoder.device());
        Self { encoder, vs }
    }

    /// The wrapped encoder.
    pub fn encoder(&self) -> &E {
        &self.encoder
    }

    /// The var store holding the centroids.
    pub fn var_store_mut(&mut self) -> &mut VarStore {
        &mut self.vs
    }

    /// Unwraps the encoder.
    pub fn into_inner(self) -> E {
        self.encoder
    }
}

impl EncoderOnly<TorchScriptEncoder> {
    /// Wraps `encoder` with its weights in the var store, under `encoder`: the clustering
    /// loss then trains them with the centroids (batch-norm statistics stay as they were,
    /// see [`TorchScriptEncoder::train_in`]).
    ///
    /// # Errors
    /// [`mdec_ae::Error::TorchScript`] if the module's parameters cannot be listed.
    pub fn fine_tuned(encoder: TorchScriptEncoder) -> mdec_ae::Result<Self> {
        let vs = VarStore::new(encoder.device());
        encoder.train_in(&(vs.root() / "encoder"))?;
        Ok(Self { encoder, vs })
    }
}

impl<E: Encoder> Encoder for EncoderOnly<E> {
    fn encode(&self, xs: &Tensor, train: bool) -> mdec_ae::Result<Tensor> {
        self.encoder.encode(xs, train)
    }

    fn latent_dim(&self) -> i64 {
        self.encoder.latent_dim()
    }

    fn input_shape(&self) -> ImageShape {
        self.encoder.input_shape()
    }

    fn device(&self) -> Device {
        self.encoder.device()
    }
}

impl<E: Encoder> Backbone for EncoderOnly<E> {
    fn var_store(&self) -> &VarStore {
        &self.vs
    }

    fn autoencoder(&self) -> Option<&dyn Autoencoder> {
        None
    }
}
