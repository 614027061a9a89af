//! Architecture configs: [`AeConfig`] with an [`Arch`] (`mdec`, `dcec`, `dense`) and the
//! options shared by all of them (latent size, activation, batch norm, dropout, weight init).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Hidden-layer non-linearity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activation {
    /// `max(0, x)`: the default in DEC, IDEC and DCEC.
    #[default]
    Relu,
    /// Leaky ReLU with slope 0.01 for negative inputs.
    LeakyRelu,
    /// Exponential linear unit.
    Elu,
    /// Gaussian error linear unit (exact form).
    Gelu,
    /// Hyperbolic tangent.
    Tanh,
    /// Logistic sigmoid.
    Sigmoid,
}

impl Activation {
    /// Applies the activation.
    pub fn apply(self, xs: &tch::Tensor) -> tch::Tensor {
        match self {
            Activation::Relu => xs.relu(),
            Activation::LeakyRelu => xs.leaky_relu(),
            Activation::Elu => xs.elu(),
            Activation::Gelu => xs.gelu("none"),
            Activation::Tanh => xs.tanh(),
            Activation::Sigmoid => xs.sigmoid(),
        }
    }
}

/// The decoder's last activation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutputActivation {
    /// Linear output, as in DEC/IDEC and DCEC (pairs with MSE). The default.
    #[default]
    Linear,
    /// Sigmoid output in `(0, 1)`; required by the BCE loss, which reads the pre-sigmoid
    /// values as logits.
    Sigmoid,
}

/// How weights are initialised (biases follow the same scheme, see each variant).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WeightInit {
    /// libtorch's (and PyTorch's) own `reset_parameters`: weights and biases uniform in
    /// `±1/sqrt(fan_in)`. The default.
    #[default]
    Torch,
    /// Glorot & Bengio (2010) uniform, `±sqrt(6 / (fan_in + fan_out))`; zero biases
    /// (the Keras default used by DCEC and MDEC).
    XavierUniform,
    /// Glorot normal, std `sqrt(2 / (fan_in + fan_out))`; zero biases.
    XavierNormal,
    /// He et al. (2015) uniform for ReLU, `±sqrt(6 / fan_in)`; zero biases.
    KaimingUniform,
    /// He et al. (2015) normal for ReLU, std `sqrt(2 / fan_in)`; zero biases.
    KaimingNormal,
}

/// How the convolutional decoders of [`Arch::Mdec`] grow the feature maps back.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Upsampling {
    /// Nearest-neighbour upsampling to the mirrored size followed by a convolution
    /// (Keras `UpSampling2D`, as in MDEC). The default.
    #[default]
    Nearest,
    /// A stride-2 transposed convolution.
    Transposed,
}

/// MDEC's convolutional autoencoder (Lawrence): convolution blocks with max pooling that
/// keep the 2-D structure, then a dense feature layer; the decoder mirrors it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MdecConfig {
    /// Output channels of each block (conv → [batch norm] → activation → 2×2 max pool).
    /// Default `[32, 64, 128]`.
    pub channels: Vec<i64>,
    /// Kernel size of each block's convolution (odd, "same" padding). Default `[3, 3, 3]`.
    pub kernel_sizes: Vec<i64>,
    /// How the decoder upsamples. Default [`Upsampling::Nearest`].
    pub upsampling: Upsampling,
}

impl Default for MdecConfig {
    fn default() -> Self {
        Self {
            channels: vec![32, 64, 128],
            kernel_sizes: vec![3, 3, 3],
            upsampling: Upsampling::Nearest,
        }
    }
}

/// DCEC's convolutional autoencoder (Guo et al., ICONIP 2017): stride-2 convolutions
/// 5×5/32 → 5×5/64 → 3×3/128, a dense latent layer, and mirrored transposed convolutions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DcecConfig {
    /// Output channels of each stride-2 convolution. Default `[32, 64, 128]` (Guo et al.).
    pub channels: Vec<i64>,
    /// Kernel sizes (odd). Default `[5, 5, 3]` (Guo et al.). As in the reference code, the
    /// last convolution uses no padding when the image height is not a multiple of 8
    /// (28 → 14 → 7 → 3 on MNIST) and "same" padding otherwise.
    pub kernel_sizes: Vec<i64>,
}

impl Default for DcecConfig {
    fn default() -> Self {
        Self {
            channels: vec![32, 64, 128],
            kernel_sizes: vec![5, 5, 3],
        }
    }
}

/// The fully connected stack of DEC (Xie et al., 2016) and IDEC (Guo et al., 2017):
/// `d–500–500–2000–latent`, mirrored, linear latent and output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DenseConfig {
    /// Hidden layer sizes of the encoder (the decoder reverses them).
    /// Default `[500, 500, 2000]` (Xie et al., 2016).
    pub hidden: Vec<i64>,
}

impl Default for DenseConfig {
    fn default() -> Self {
        Self {
            hidden: vec![500, 500, 2000],
        }
    }
}

/// Which autoencoder to build.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Arch {
    /// Convolution blocks with max pooling, dense feature layer (MDEC).
    Mdec(MdecConfig),
    /// Stride-2 convolutions, dense latent (DCEC, Guo et al. 2017).
    Dcec(DcecConfig),
    /// Fully connected `d–500–500–2000–10` (DEC, Xie et al. 2016).
    Dense(DenseConfig),
}

impl Default for Arch {
    fn default() -> Self {
        Arch::Mdec(MdecConfig::default())
    }
}

impl Arch {
    /// The architecture's short name: `mdec`, `dcec` or `dense`.
    pub fn name(&self) -> &'static str {
        match self {
            Arch::Mdec(_) => "mdec",
            Arch::Dcec(_) => "dcec",
            Arch::Dense(_) => "dense",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A complete autoencoder description; saved as JSON next to every checkpoint.
///
/// Override fields with `..Default::default()`:
///
/// ```
/// use mdec_ae::{AeConfig, Arch, DcecConfig};
/// let config = AeConfig { arch: Arch::Dcec(DcecConfig::default()), latent_dim: 10, ..Default::default() };
/// assert!(config.check().is_ok());
/// ```
///
/// Deserialising runs [`AeConfig::check`] and rejects unknown keys.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AeConfigUnchecked")]
pub struct AeConfig {
    /// The architecture and its own options. Default: [`Arch::Mdec`] with its defaults.
    pub arch: Arch,
    /// Size of the feature (latent) layer. Default 10: MDEC sets it to the number of
    /// clusters; DEC, IDEC and DCEC use 10 on MNIST.
    pub latent_dim: i64,
    /// Hidden-layer activation. Default [`Activation::Relu`] (all four papers).
    pub activation: Activation,
    /// Decoder output activation. Default [`OutputActivation::Linear`] (DEC, DCEC);
    /// use `Sigmoid` with the BCE loss.
    pub output: OutputActivation,
    /// Batch normalisation after each hidden convolution / dense layer. Default `false`
    /// (none of the reference architectures use it).
    pub batch_norm: bool,
    /// Dropout probability after each hidden activation, in `[0, 1)`. Default 0 (off).
    pub dropout: f64,
    /// Weight initialisation. Default [`WeightInit::Torch`].
    pub init: WeightInit,
    /// A fixed Sobel front before the encoder (DeepCluster, Caron et al. 2018): the image is
    /// averaged to grey and filtered by the horizontal and vertical Sobel kernels, so the
    /// encoder sees two edge channels and not colour or absolute brightness. Not trained,
    /// not saved. Default `false`.
    pub sobel: bool,
}

impl Default for AeConfig {
    fn default() -> Self {
        Self {
            arch: Arch::default(),
            latent_dim: 10,
            activation: Activation::default(),
            output: OutputActivation::default(),
            batch_norm: false,
            dropout: 0.0,
            init: WeightInit::default(),
            sobel: false,
        }
    }
}

/// A broken [`AeConfig`] constraint; each variant names the field and the value.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum AeConfigError {
    /// `latent_dim` must be at least 1.
    #[error("latent_dim must be >= 1, got {0}")]
    LatentDim(i64),
    /// A convolutional architecture needs at least one block.
    #[error("channels must not be empty")]
    NoBlocks,
    /// `channels` and `kernel_sizes` must have the same length.
    #[error("channels has {channels} entries but kernel_sizes has {kernel_sizes}")]
    KernelCount {
        /// Number of channel entries.
        channels: usize,
        /// Number of kernel-size entries.
        kernel_sizes: usize,
    },
    /// Channel counts and hidden sizes must be at least 1.
    #[error("{field}[{index}] must be >= 1, got {value}")]
    Width {
        /// `channels` or `hidden`.
        field: &'static str,
        /// Position in the list.
        index: usize,
        /// The value.
        value: i64,
    },
    /// Kernel sizes must be odd and positive (so "same" padding and the mirrored
    /// transposed convolutions are exact).
    #[error("kernel_sizes[{index}] must be odd and >= 1, got {value}")]
    Kernel {
        /// Position in the list.
        index: usize,
        /// The value.
        value: i64,
    },
    /// Dropout must be a probability below 1.
    #[error("dropout must be in [0, 1), got {0}")]
    Dropout(f64),
}

impl AeConfig {
    /// The MDEC architecture with `latent_dim` features (MDEC: the number of clusters).
    pub fn mdec(latent_dim: i64) -> Self {
        Self {
            latent_dim,
            ..Default::default()
        }
    }

    /// The DCEC architecture (Guo et al., 2017) with `latent_dim` features.
    pub fn dcec(latent_dim: i64) -> Self {
        Self {
            arch: Arch::Dcec(DcecConfig::default()),
            latent_dim,
            ..Default::default()
        }
    }

    /// The DEC/IDEC dense stack (Xie et al., 2016) with `latent_dim` features.
    pub fn dense(latent_dim: i64) -> Self {
        Self {
            arch: Arch::Dense(DenseConfig::default()),
            latent_dim,
            ..Default::default()
        }
    }

    /// Checks every constraint.
    ///
    /// # Errors
    /// The first broken constraint, as an [`AeConfigError`].
    pub fn check(&self) -> Result<(), AeConfigError> {
        if self.latent_dim < 1 {
            return Err(AeConfigError::LatentDim(self.latent_dim));
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return Err(AeConfigError::Dropout(self.dropout));
        }
        let check_widths = |field: &'static str, values: &[i64]| match values
            .iter()
            .enumerate()
            .find(|&(_, &v)| v < 1)
        {
            Some((index, &value)) => Err(AeConfigError::Width {
                field,
                index,
                value,
            }),
            None => Ok(()),
        };
        let check_conv = |channels: &[i64], kernels: &[i64]| {
            if channels.is_empty() {
                return Err(AeConfigError::NoBlocks);
            }
            if channels.len() != kernels.len() {
                return Err(AeConfigError::KernelCount {
                    channels: channels.len(),
                    kernel_sizes: kernels.len(),
                });
            }
            check_widths("channels", channels)?;
            match kernels
                .iter()
                .enumerate()
                .find(|&(_, &k)| k < 1 || k % 2 == 0)
            {
                Some((index, &value)) => Err(AeConfigError::Kernel { index, value }),
                None => Ok(()),
            }
        };
        match &self.arch {
            Arch::Mdec(c) => check_conv(&c.channels, &c.kernel_sizes),
            Arch::Dcec(c) => check_conv(&c.channels, &c.kernel_sizes),
            Arch::Dense(c) => check_widths("hidden", &c.hidden),
        }
    }
}

/// The serde mirror of [`AeConfig`], validated on conversion.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields)]
struct AeConfigUnchecked {
    arch: Arch,
    latent_dim: i64,
    activation: Activation,
    output: OutputActivation,
    batch_norm: bool,
    dropout: f64,
    init: WeightInit,
    sobel: bool,
}

impl Default for AeConfigUnchecked {
    fn default() -> Self {
        let d = AeConfig::default();
        Self {
            arch: d.arch,
            latent_dim: d.latent_dim,
            activation: d.activation,
            output: d.output,
            batch_norm: d.batch_norm,
            dropout: d.dropout,
            init: d.init,
            sobel: d.sobel,
        }
    }
}

impl TryFrom<AeConfigUnchecked> for AeConfig {
    type Error = AeConfigError;

    fn try_from(u: AeConfigUnchecked) -> Result<Self, Self::Error> {
        let config = AeConfig {
            arch: u.arch,
            latent_dim: u.latent_dim,
            activation: u.activation,
            output: u.output,
            batch_norm: u.batch_norm,
            dropout: u.dropout,
            init: u.init,
            sobel: u.sobel,
        };
        config.check()?;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_validation() -> anyhow::Result<()> {
        let config = AeConfig::dcec(7);
        let text = serde_json::to_string(&config)?;
        let back: AeConfig = serde_json::from_str(&text)?;
        assert_eq!(back, config);
        let bad = text.replace("\"latent_dim\":7", "\"latent_dim\":0");
        assert!(serde_json::from_str::<AeConfig>(&bad).is_err());
        let unknown = r#"{"arch":{"kind":"dense"},"typo":1}"#;
        assert!(serde_json::from_str::<AeConfig>(unknown).is_err());
        let partial: AeConfig = serde_json::from_str(r#"{"arch":{"kind":"dense","hidden":[8]}}"#)?;
        assert_eq!(partial.arch, Arch::Dense(DenseConfig { hidden: vec![8] }));
        Ok(())
    }

    #[test]
    fn each_broken_constraint_has_its_variant() {
        let even = AeConfig {
            arch: Arch::Mdec(MdecConfig {
                kernel_sizes: vec![3, 4, 3],
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(
            even.check(),
            Err(AeConfigError::Kernel { index: 1, value: 4 })
        );
        let count = AeConfig {
            arch: Arch::Dcec(DcecConfig {
                channels: vec![8],
                ..Default::default()
            }),
            ..Default::default()
        };
        assert!(matches!(
            count.check(),
            Err(AeConfigError::KernelCount { .. })
        ));
        let dropout = AeConfig {
            dropout: 1.0,
            ..Default::default()
        };
        assert_eq!(dropout.check(), Err(AeConfigError::Dropout(1.0)));
        assert_eq!(AeConfig::dense(0).check(), Err(AeConfigError::LatentDim(0)));
    }
}
