//! The layer stacks behind every architecture: a flat list of layers built once for a
//! given input shape, plus the analytic forward FLOP count used by the benchmark.

use mdec_data::ImageShape;
use tch::Tensor;
use tch::nn::{self, Init, ModuleT};

use crate::config::{Activation, AeConfig, Arch, Upsampling, WeightInit};
use crate::error::{Error, Result};

/// One layer of a [`Stack`].
#[derive(Debug)]
enum Layer {
    Conv(nn::Conv2D),
    ConvT(ConvT),
    Linear(nn::Linear),
    Norm(nn::BatchNorm),
    Act(Activation),
    Dropout(f64),
    MaxPool,
    Upsample([i64; 2]),
    Flatten,
    Unflatten([i64; 3]),
    /// The fixed grey + Sobel front: weights `[2, c, 3, 3]` (the channel mean folded into
    /// both kernels), not in the var store.
    Sobel(Tensor),
}

/// A stride-2 transposed convolution with per-axis output padding (tch's layer takes
/// one value for both axes).
#[derive(Debug)]
struct ConvT {
    ws: Tensor,
    bs: Tensor,
    pad: i64,
    output_padding: [i64; 2],
}

/// A sequence of layers run in order; shapes are fixed by construction.
#[derive(Debug)]
pub(crate) struct Stack {
    layers: Vec<Layer>,
}

impl ModuleT for Stack {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        let mut xs = xs.shallow_clone();
        for layer in &self.layers {
            xs = match layer {
                Layer::Conv(c) => xs.apply(c),
                Layer::ConvT(c) => xs.conv_transpose2d(
                    &c.ws,
                    Some(&c.bs),
                    [2, 2],
                    [c.pad, c.pad],
                    c.output_padding,
                    1,
                    [1, 1],
                ),
                Layer::Linear(l) => xs.apply(l),
                Layer::Norm(b) => xs.apply_t(b, train),
                Layer::Act(a) => a.apply(&xs),
                Layer::Dropout(p) => xs.dropout(*p, train),
                Layer::MaxPool => xs.max_pool2d([2, 2], [2, 2], [0, 0], [1, 1], true),
                Layer::Upsample(size) => xs.upsample_nearest2d(size, None, None),
                Layer::Flatten => xs.flatten(1, -1),
                Layer::Unflatten([c, h, w]) => xs.view([-1, *c, *h, *w]),
                Layer::Sobel(ws) => xs.conv2d(ws, None::<Tensor>, [1, 1], [1, 1], [1, 1], 1),
            };
        }
        xs
    }
}

/// The shape flowing through a stack while it is built.
#[derive(Clone, Copy, Debug)]
enum Shape {
    Map { c: i64, h: i64, w: i64 },
    Flat(i64),
}

impl Shape {
    fn numel(self) -> i64 {
        match self {
            Shape::Map { c, h, w } => c * h * w,
            Shape::Flat(d) => d,
        }
    }
}

/// Builds one [`Stack`] under a var-store path, tracking shapes and FLOPs.
struct Builder<'a> {
    path: nn::Path<'a>,
    arch: &'static str,
    input: ImageShape,
    config: &'a AeConfig,
    layers: Vec<Layer>,
    shape: Shape,
    flops: f64,
}

fn inits(init: WeightInit, fan_in: i64, fan_out: i64) -> (Init, Init) {
    let (fi, fo) = (fan_in.max(1) as f64, fan_out.max(1) as f64);
    let uniform = |b: f64| Init::Uniform { lo: -b, up: b };
    let normal = |s: f64| Init::Randn {
        mean: 0.0,
        stdev: s,
    };
    match init {
        WeightInit::Torch => (uniform(1.0 / fi.sqrt()), uniform(1.0 / fi.sqrt())),
        WeightInit::XavierUniform => (uniform((6.0 / (fi + fo)).sqrt()), Init::Const(0.0)),
        WeightInit::XavierNormal => (normal((2.0 / (fi + fo)).sqrt()), Init::Const(0.0)),
        WeightInit::KaimingUniform => (uniform((6.0 / fi).sqrt()), Init::Const(0.0)),
        WeightInit::KaimingNormal => (normal((2.0 / fi).sqrt()), Init::Const(0.0)),
    }
}

impl<'a> Builder<'a> {
    fn new(path: nn::Path<'a>, config: &'a AeConfig, input: ImageShape, shape: Shape) -> Self {
        Self {
            path,
            arch: config.arch.name(),
            input,
            config,
            layers: Vec::new(),
            shape,
            flops: 0.0,
        }
    }

    fn fail(&self, reason: String) -> Error {
        Error::InputShape {
            arch: self.arch,
            shape: self.input,
            reason,
        }
    }

    fn map(&self) -> Result<(i64, i64, i64)> {
        match self.shape {
            Shape::Map { c, h, w } => Ok((c, h, w)),
            Shape::Flat(_) => Err(self.fail("internal: expected a feature map".into())),
        }
    }

    fn conv(&mut self, name: &str, out: i64, k: i64, stride: i64, pad: i64) -> Result<()> {
        let (c, h, w) = self.map()?;
        if h + 2 * pad < k || w + 2 * pad < k {
            return Err(self.fail(format!(
                "{name}: a {k}×{k} kernel does not fit a {h}×{w} feature map"
            )));
        }
        let (ho, wo) = (
            (h + 2 * pad - k) / stride + 1,
            (w + 2 * pad - k) / stride + 1,
        );
        let (ws_init, bs_init) = inits(self.config.init, c * k * k, out * k * k);
        let cfg = nn::ConvConfig {
            stride,
            padding: pad,
            ws_init,
            bs_init,
            ..Default::default()
        };
        self.layers
            .push(Layer::Conv(nn::conv2d(&self.path / name, c, out, k, cfg)));
        self.flops += 2.0 * (k * k * c * out * ho * wo) as f64;
        self.shape = Shape::Map {
            c: out,
            h: ho,
            w: wo,
        };
        Ok(())
    }

    /// A stride-`stride` transposed convolution whose output is exactly `target`.
    fn conv_t(&mut self, name: &str, out: i64, k: i64, pad: i64, target: [i64; 2]) -> Result<()> {
        let stride = 2;
        let (c, h, w) = self.map()?;
        let base = |n: i64| (n - 1) * stride - 2 * pad + k;
        let (oph, opw) = (target[0] - base(h), target[1] - base(w));
        if !(0..stride).contains(&oph) || !(0..stride).contains(&opw) {
            return Err(self.fail(format!(
                "{name}: a stride-2 {k}×{k} transposed convolution cannot grow {h}×{w} to {}×{}",
                target[0], target[1]
            )));
        }
        // PyTorch computes a transposed convolution's fan-in from weight dim 1 (= out).
        let (ws_init, bs_init) = inits(self.config.init, out * k * k, c * k * k);
        let p = &self.path / name;
        self.layers.push(Layer::ConvT(ConvT {
            ws: p.var("weight", &[c, out, k, k], ws_init),
            bs: p.var("bias", &[out], bs_init),
            pad,
            output_padding: [oph, opw],
        }));
        self.flops += 2.0 * (k * k * c * out * h * w) as f64;
        self.shape = Shape::Map {
            c: out,
            h: target[0],
            w: target[1],
        };
        Ok(())
    }

    fn linear(&mut self, name: &str, out: i64) {
        let d = self.shape.numel();
        let (ws_init, bs_init) = inits(self.config.init, d, out);
        let cfg = nn::LinearConfig {
            ws_init,
            bs_init: Some(bs_init),
            bias: true,
        };
        self.layers
            .push(Layer::Linear(nn::linear(&self.path / name, d, out, cfg)));
        self.flops += 2.0 * (d * out) as f64;
        self.shape = Shape::Flat(out);
    }

    /// Batch norm (if configured), activation and dropout (if configured) after a layer.
    fn hidden(&mut self, name: &str) {
        if self.config.batch_norm {
            let p = &self.path / format!("{name}_bn");
            let bn = match self.shape {
                Shape::Map { c, .. } => nn::batch_norm2d(p, c, Default::default()),
                Shape::Flat(d) => nn::batch_norm1d(p, d, Default::default()),
            };
            self.layers.push(Layer::Norm(bn));
        }
        self.layers.push(Layer::Act(self.config.activation));
        if self.config.dropout > 0.0 {
            self.layers.push(Layer::Dropout(self.config.dropout));
        }
    }

    fn pool(&mut self) -> Result<()> {
        let (c, h, w) = self.map()?;
        if h < 2 || w < 2 {
            return Err(self.fail(format!("cannot max-pool a {h}×{w} feature map")));
        }
        self.layers.push(Layer::MaxPool);
        self.shape = Shape::Map {
            c,
            h: (h + 1) / 2,
            w: (w + 1) / 2,
        };
        Ok(())
    }

    fn upsample(&mut self, size: [i64; 2]) -> Result<()> {
        let (c, _, _) = self.map()?;
        self.layers.push(Layer::Upsample(size));
        self.shape = Shape::Map {
            c,
            h: size[0],
            w: size[1],
        };
        Ok(())
    }

    /// DeepCluster's front: grey as the channel mean, then the horizontal and vertical
    /// Sobel kernels with "same" padding; two output channels.
    fn sobel(&mut self) -> Result<()> {
        let (c, h, w) = self.map()?;
        let gx = [1.0f32, 0.0, -1.0, 2.0, 0.0, -2.0, 1.0, 0.0, -1.0];
        let gy = [1.0f32, 2.0, 1.0, 0.0, 0.0, 0.0, -1.0, -2.0, -1.0];
        let kernels = Tensor::from_slice(&[gx, gy].concat()).view([2, 1, 3, 3]);
        let ws = (kernels / c as f64)
            .expand([2, c, 3, 3], false)
            .contiguous()
            .to_device(self.path.device());
        self.layers.push(Layer::Sobel(ws));
        self.flops += 2.0 * (9 * c * 2 * h * w) as f64;
        self.shape = Shape::Map { c: 2, h, w };
        Ok(())
    }

    fn flatten(&mut self) {
        self.layers.push(Layer::Flatten);
        self.shape = Shape::Flat(self.shape.numel());
    }

    fn unflatten(&mut self, c: i64, h: i64, w: i64) {
        self.layers.push(Layer::Unflatten([c, h, w]));
        self.shape = Shape::Map { c, h, w };
    }

    fn finish(self) -> (Stack, f64) {
        (
            Stack {
                layers: self.layers,
            },
            self.flops,
        )
    }
}

/// The two stacks of an autoencoder and its forward FLOPs per sample.
pub(crate) struct Built {
    pub encoder: Stack,
    pub decoder: Stack,
    pub forward_flops: f64,
}

/// Builds encoder and decoder under `root / "encoder"` and `root / "decoder"`.
pub(crate) fn build(root: &nn::Path<'_>, config: &AeConfig, input: ImageShape) -> Result<Built> {
    config.check()?;
    let (c0, h0, w0) = (
        input.channels as i64,
        input.height as i64,
        input.width as i64,
    );
    let image = Shape::Map {
        c: c0,
        h: h0,
        w: w0,
    };
    let mut enc = Builder::new(root / "encoder", config, input, image);
    if config.sobel {
        enc.sobel()?;
    }
    let latent = config.latent_dim;
    let (encoder, decoder) = match &config.arch {
        Arch::Mdec(m) => {
            let mut sizes = Vec::new();
            for (i, (&c, &k)) in m.channels.iter().zip(&m.kernel_sizes).enumerate() {
                enc.conv(&format!("conv{i}"), c, k, 1, k / 2)?;
                enc.hidden(&format!("conv{i}"));
                let (_, h, w) = enc.map()?;
                sizes.push([h, w]);
                enc.pool()?;
            }
            let (cl, hl, wl) = enc.map()?;
            enc.flatten();
            enc.linear("latent", latent);
            let mut dec = Builder::new(root / "decoder", config, input, Shape::Flat(latent));
            dec.linear("fc", cl * hl * wl);
            dec.hidden("fc");
            dec.unflatten(cl, hl, wl);
            for i in (0..m.channels.len()).rev() {
                let out = m.channels[i.saturating_sub(1)];
                let k = m.kernel_sizes[i];
                match m.upsampling {
                    Upsampling::Nearest => {
                        dec.upsample(sizes[i])?;
                        dec.conv(&format!("conv{i}"), out, k, 1, k / 2)?;
                    }
                    Upsampling::Transposed => {
                        dec.conv_t(&format!("deconv{i}"), out, k, k / 2, sizes[i])?;
                    }
                }
                dec.hidden(&format!("conv{i}"));
            }
            let k = m.kernel_sizes[0];
            dec.conv("out", c0, k, 1, k / 2)?;
            (enc, dec)
        }
        Arch::Dcec(d) => {
            let n = d.channels.len();
            let mut sizes = Vec::new();
            let mut pads = Vec::new();
            for (i, (&c, &k)) in d.channels.iter().zip(&d.kernel_sizes).enumerate() {
                let (_, h, w) = enc.map()?;
                // Guo et al.: the last convolution is "valid" unless the height divides by 8.
                let pad = if i + 1 == n && h0 % 8 != 0 { 0 } else { k / 2 };
                sizes.push([h, w]);
                pads.push(pad);
                enc.conv(&format!("conv{i}"), c, k, 2, pad)?;
                enc.hidden(&format!("conv{i}"));
            }
            let (cl, hl, wl) = enc.map()?;
            enc.flatten();
            enc.linear("latent", latent);
            let mut dec = Builder::new(root / "decoder", config, input, Shape::Flat(latent));
            dec.linear("fc", cl * hl * wl);
            dec.hidden("fc");
            dec.unflatten(cl, hl, wl);
            for i in (0..n).rev() {
                let out = if i > 0 { d.channels[i - 1] } else { c0 };
                dec.conv_t(
                    &format!("deconv{i}"),
                    out,
                    d.kernel_sizes[i],
                    pads[i],
                    sizes[i],
                )?;
                if i > 0 {
                    dec.hidden(&format!("deconv{i}"));
                }
            }
            (enc, dec)
        }
        Arch::Dense(d) => {
            enc.flatten();
            for (i, &width) in d.hidden.iter().enumerate() {
                enc.linear(&format!("fc{i}"), width);
                enc.hidden(&format!("fc{i}"));
            }
            enc.linear("latent", latent);
            let mut dec = Builder::new(root / "decoder", config, input, Shape::Flat(latent));
            for (i, &width) in d.hidden.iter().enumerate().rev() {
                dec.linear(&format!("fc{i}"), width);
                dec.hidden(&format!("fc{i}"));
            }
            dec.linear("out", c0 * h0 * w0);
            dec.unflatten(c0, h0, w0);
            (enc, dec)
        }
    };
    let (encoder, fe) = encoder.finish();
    let (decoder, fd) = decoder.finish();
    Ok(Built {
        encoder,
        decoder,
        forward_flops: fe + fd,
    })
}
