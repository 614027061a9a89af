//! Input corruption for denoising autoencoders, on the device: masking noise (Vincent et
//! al., 2010) and additive Gaussian noise (DCRA). The network sees the corrupted batch
//! and reconstructs the clean one.

use tch::{Kind, Tensor};

/// Returns a corrupted copy of `xs` (`[b, c, h, w]`): each pixel (all its channels) is set
/// to 0 with probability `mask_fraction`, then `N(0, noise_std²)` noise is added. Draws
/// come from libtorch's generator (`tch::manual_seed`). `xs` itself is not modified; with
/// both strengths 0 the result shares `xs`'s storage.
///
/// ```
/// let xs = tch::Tensor::ones([2, 1, 4, 4], (tch::Kind::Float, tch::Device::Cpu));
/// let noisy = mdec_ae::noise::corrupt(&xs, 0.5, 0.0);
/// assert!(noisy.ne_tensor(&xs).any().int64_value(&[]) == 1);
/// ```
pub fn corrupt(xs: &Tensor, noise_std: f64, mask_fraction: f64) -> Tensor {
    let mut input = xs.shallow_clone();
    if mask_fraction > 0.0 {
        let size = xs.size();
        let mut mask_size = size.clone();
        if mask_size.len() == 4 {
            mask_size[1] = 1;
        }
        let keep = Tensor::rand(&mask_size, (Kind::Float, xs.device()))
            .ge(mask_fraction)
            .to_kind(xs.kind());
        input = &input * keep;
    }
    if noise_std > 0.0 {
        input = &input + xs.randn_like() * noise_std;
    }
    input
}
