//! Training-time augmentation and input corruption, in place on a `[n, c, h, w]` batch.
//!
//! Samples are processed in parallel with rayon. Each sample gets its own ChaCha8
//! generator seeded from (`seed`, position in the batch), and each operation draws from
//! its own stream of that generator, so results depend only on the seed, the sample's
//! position and the operation — never on thread scheduling or on which other operations
//! are enabled. Vary the seed per batch, e.g. with [`batch_seed`].
//!
//! Operations run in this order: rotation and shift (one bilinear resampling pass, fill
//! 0), flips, brightness and contrast, colour (one pass, clamped to `[0, 1]` when the
//! sample was in `[0, 1]`), masking noise, then additive Gaussian noise.
//!
//! For a denoising autoencoder (DCRA) the clean target is the (augmented) batch and the
//! network input is a copy corrupted with [`AugmentConfig::corruption`]:
//!
//! ```
//! use mdec_data::augment::{augment, AugmentConfig};
//! use ndarray::Array4;
//!
//! let config = AugmentConfig { rotation: 10.0, noise_std: 0.2, ..Default::default() };
//! let mut target = Array4::from_elem((8, 1, 28, 28), 0.5f32);
//! augment(target.view_mut(), &config.clean(), 1)?;
//! let mut input = target.clone();
//! augment(input.view_mut(), &config.corruption(), 2)?;
//! assert_ne!(input, target);
//! # Ok::<(), mdec_data::Error>(())
//! ```

use ndarray::{ArrayViewMut3, ArrayViewMut4};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::split::{mix, rng_for};

/// Which augmentations to apply and how strongly. Every field defaults to "off".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AugmentConfig {
    /// Maximum rotation in degrees; the angle is uniform in `[-rotation, rotation]`,
    /// bilinear interpolation about the image centre, fill 0. Default 0 (off).
    pub rotation: f32,
    /// Maximum shift in pixels along each axis; each offset is a uniform integer in
    /// `[-shift, shift]`, fill 0. Default 0 (off).
    pub shift: usize,
    /// Brightness jitter: pixels are multiplied by a factor uniform in
    /// `[max(0, 1 - brightness), 1 + brightness]` (torchvision `ColorJitter` semantics).
    /// Default 0 (off).
    pub brightness: f32,
    /// Contrast jitter: pixels are blended with the image mean (luma for RGB),
    /// `k·x + (1 - k)·mean` with `k` uniform in `[max(0, 1 - contrast), 1 + contrast]`.
    /// Default 0 (off).
    pub contrast: f32,
    /// Random flips: left–right and top–bottom, each with probability 1/2 (with a
    /// rotation, every orientation of the dihedral group). Default `false` (off).
    pub flip: bool,
    /// Colour jitter: each channel is multiplied by its own factor uniform in
    /// `[max(0, 1 - colour), 1 + colour]`, which shifts hue and saturation (on one
    /// channel it is a second brightness jitter). Default 0 (off).
    pub colour: f32,
    /// Masking noise: each pixel (all its channels) is set to 0 with this probability,
    /// in `[0, 1]`. Default 0 (off).
    pub mask_fraction: f32,
    /// Additive Gaussian noise of this standard deviation, the denoising input of DCRA.
    /// Default 0 (off).
    pub noise_std: f32,
    /// Clamp the noisy result to `[0, 1]` when the sample was in `[0, 1]`. Default `false`:
    /// noise is left unclamped, as in the denoising-autoencoder papers.
    pub clamp_noise: bool,
}

impl AugmentConfig {
    /// Whether the config changes nothing.
    pub fn is_identity(&self) -> bool {
        self.clean().is_identity_clean() && self.mask_fraction == 0.0 && self.noise_std == 0.0
    }

    fn is_identity_clean(&self) -> bool {
        self.rotation == 0.0
            && self.shift == 0
            && !self.flip
            && self.brightness == 0.0
            && self.contrast == 0.0
            && self.colour == 0.0
    }

    /// The geometric and photometric part only (rotation, shift, flips, brightness,
    /// contrast, colour).
    pub fn clean(&self) -> AugmentConfig {
        AugmentConfig {
            mask_fraction: 0.0,
            noise_std: 0.0,
            clamp_noise: false,
            ..self.clone()
        }
    }

    /// The corruption part only (masking and Gaussian noise).
    pub fn corruption(&self) -> AugmentConfig {
        AugmentConfig {
            mask_fraction: self.mask_fraction,
            noise_std: self.noise_std,
            clamp_noise: self.clamp_noise,
            ..AugmentConfig::default()
        }
    }

    /// Checks that every strength is finite and in range.
    ///
    /// # Errors
    /// [`Error::BadParam`] naming the field.
    pub fn check(&self) -> Result<()> {
        let nonneg = |name: &'static str, v: f32| {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                Err(Error::BadParam {
                    name,
                    value: f64::from(v),
                    expected: "a finite value >= 0",
                })
            }
        };
        nonneg("rotation", self.rotation)?;
        nonneg("brightness", self.brightness)?;
        nonneg("contrast", self.contrast)?;
        nonneg("colour", self.colour)?;
        nonneg("noise_std", self.noise_std)?;
        if !(0.0..=1.0).contains(&self.mask_fraction) {
            return Err(Error::BadParam {
                name: "mask_fraction",
                value: f64::from(self.mask_fraction),
                expected: "a fraction in [0, 1]",
            });
        }
        Ok(())
    }
}

/// A seed for one batch derived from the run's seed, the epoch and the batch number.
pub fn batch_seed(seed: u64, epoch: u64, batch: u64) -> u64 {
    mix(mix(mix(seed) ^ epoch) ^ batch)
}

// One stream per operation, so enabling one does not change another's draws.
const STREAM_ROTATION: u64 = 1;
const STREAM_SHIFT: u64 = 2;
const STREAM_PHOTOMETRIC: u64 = 3;
const STREAM_MASK: u64 = 4;
const STREAM_NOISE: u64 = 5;
const STREAM_FLIP: u64 = 6;
const STREAM_COLOUR: u64 = 7;

fn stream(seed: u64, position: usize, op: u64) -> ChaCha8Rng {
    let mut rng = rng_for(seed, position as u64);
    rng.set_stream(op);
    rng
}

/// A uniform `f32` in `[0, 1)` from 24 random bits.
fn unit(rng: &mut ChaCha8Rng) -> f32 {
    (rng.next_u32() >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
}

fn uniform(rng: &mut ChaCha8Rng, lo: f32, hi: f32) -> f32 {
    lo + (hi - lo) * unit(rng)
}

/// Augments a batch in place, deterministically for a given `seed`.
///
/// # Errors
/// [`Error::BadParam`] if the config does not pass [`AugmentConfig::check`].
pub fn augment(mut batch: ArrayViewMut4<'_, f32>, config: &AugmentConfig, seed: u64) -> Result<()> {
    config.check()?;
    if config.is_identity() || batch.is_empty() {
        return Ok(());
    }
    let (_, c, h, w) = batch.dim();
    let samples: Vec<ArrayViewMut3<'_, f32>> = batch.outer_iter_mut().collect();
    samples.into_par_iter().enumerate().for_each_init(
        || (Vec::<f32>::new(), Vec::<f32>::new()),
        |(scratch, copy), (position, mut sample)| match sample.as_slice_mut() {
            Some(buf) => augment_sample(buf, (c, h, w), config, seed, position, scratch),
            None => {
                // Non-contiguous view: work on a contiguous copy.
                copy.clear();
                copy.extend(sample.iter().copied());
                augment_sample(copy, (c, h, w), config, seed, position, scratch);
                sample
                    .iter_mut()
                    .zip(copy.iter())
                    .for_each(|(d, &s)| *d = s);
            }
        },
    );
    Ok(())
}

fn augment_sample(
    buf: &mut [f32],
    (c, h, w): (usize, usize, usize),
    config: &AugmentConfig,
    seed: u64,
    position: usize,
    scratch: &mut Vec<f32>,
) {
    let needs_range = config.brightness > 0.0
        || config.contrast > 0.0
        || config.colour > 0.0
        || config.clamp_noise;
    let in_unit = needs_range && buf.iter().all(|v| (0.0..=1.0).contains(v));

    // Geometry.
    let degrees = if config.rotation > 0.0 {
        let mut rng = stream(seed, position, STREAM_ROTATION);
        uniform(&mut rng, -config.rotation, config.rotation)
    } else {
        0.0
    };
    let (dy, dx) = if config.shift > 0 {
        let mut rng = stream(seed, position, STREAM_SHIFT);
        let span = 2 * config.shift + 1;
        let s = config.shift as isize;
        (
            crate::split::below(&mut rng, span) as isize - s,
            crate::split::below(&mut rng, span) as isize - s,
        )
    } else {
        (0, 0)
    };
    if degrees != 0.0 {
        scratch.clear();
        scratch.extend_from_slice(buf);
        rotate_shift_into(scratch, buf, (c, h, w), degrees, dy as f32, dx as f32);
    } else if dy != 0 || dx != 0 {
        shift_in_place(buf, (c, h, w), dy, dx, scratch);
    }
    if config.flip {
        let mut rng = stream(seed, position, STREAM_FLIP);
        let (left_right, top_bottom) = (rng.next_u32() & 1 == 1, rng.next_u32() & 1 == 1);
        flip_in_place(buf, (c, h, w), left_right, top_bottom);
    }

    // Photometry: x ↦ k·b·x + (1 - k)·b·mean(x), one pass.
    if config.brightness > 0.0 || config.contrast > 0.0 {
        let mut rng = stream(seed, position, STREAM_PHOTOMETRIC);
        let b = if config.brightness > 0.0 {
            uniform(
                &mut rng,
                (1.0 - config.brightness).max(0.0),
                1.0 + config.brightness,
            )
        } else {
            1.0
        };
        let k = if config.contrast > 0.0 {
            uniform(
                &mut rng,
                (1.0 - config.contrast).max(0.0),
                1.0 + config.contrast,
            )
        } else {
            1.0
        };
        let mean = if k != 1.0 {
            luma_mean(buf, c, h * w)
        } else {
            0.0
        };
        let (scale, offset) = (k * b, (1.0 - k) * b * mean);
        if in_unit {
            buf.iter_mut()
                .for_each(|v| *v = (*v * scale + offset).clamp(0.0, 1.0));
        } else {
            buf.iter_mut().for_each(|v| *v = *v * scale + offset);
        }
    }

    // Colour: one gain per channel.
    if config.colour > 0.0 {
        let mut rng = stream(seed, position, STREAM_COLOUR);
        let lo = (1.0 - config.colour).max(0.0);
        for channel in buf.chunks_mut(h * w) {
            let gain = uniform(&mut rng, lo, 1.0 + config.colour);
            if in_unit {
                channel
                    .iter_mut()
                    .for_each(|v| *v = (*v * gain).clamp(0.0, 1.0));
            } else {
                channel.iter_mut().for_each(|v| *v *= gain);
            }
        }
    }

    // Masking noise: whole pixels (all channels) set to 0.
    if config.mask_fraction > 0.0 {
        let mut rng = stream(seed, position, STREAM_MASK);
        let threshold = (f64::from(config.mask_fraction) * 4_294_967_296.0) as u64;
        let plane = h * w;
        for i in 0..plane {
            if u64::from(rng.next_u32()) < threshold {
                for ch in 0..c {
                    buf[ch * plane + i] = 0.0;
                }
            }
        }
    }

    // Additive Gaussian noise.
    if config.noise_std > 0.0 {
        let mut rng = stream(seed, position, STREAM_NOISE);
        let sigma = config.noise_std;
        let clamp = config.clamp_noise && in_unit;
        for v in buf.iter_mut() {
            let z: f32 = StandardNormal.sample(&mut rng);
            let x = *v + sigma * z;
            *v = if clamp { x.clamp(0.0, 1.0) } else { x };
        }
    }
}

/// Mean of the image: of the luma (0.299, 0.587, 0.114) for three channels, of all
/// values otherwise.
fn luma_mean(buf: &[f32], c: usize, plane: usize) -> f32 {
    if plane == 0 {
        return 0.0;
    }
    let sum_of = |s: &[f32]| s.iter().map(|&v| f64::from(v)).sum::<f64>();
    let total = if c == 3 {
        0.299 * sum_of(&buf[..plane])
            + 0.587 * sum_of(&buf[plane..2 * plane])
            + 0.114 * sum_of(&buf[2 * plane..])
    } else {
        sum_of(buf) / c as f64
    };
    (total / plane as f64) as f32
}

/// Resamples `src` into `dst` rotated by `degrees` about the centre and shifted by
/// (`dy`, `dx`): bilinear, fill 0. The inverse map is computed once per sample and the
/// output is written row by row.
fn rotate_shift_into(
    src: &[f32],
    dst: &mut [f32],
    (c, h, w): (usize, usize, usize),
    degrees: f32,
    dy: f32,
    dx: f32,
) {
    let plane = h * w;
    let (sin, cos) = degrees.to_radians().sin_cos();
    let (cx, cy) = ((w as f32 - 1.0) * 0.5, (h as f32 - 1.0) * 0.5);
    let (wi, hi) = (w as isize, h as isize);
    let fetch = |ch: usize, y: isize, x: isize| -> f32 {
        if x >= 0 && x < wi && y >= 0 && y < hi {
            src[ch * plane + y as usize * w + x as usize]
        } else {
            0.0
        }
    };
    for y in 0..h {
        // Source of output (x, y): R(-θ)·((x, y) - shift - centre) + centre.
        let qy = y as f32 - dy - cy;
        let row_x = sin * qy + cx;
        let row_y = cos * qy + cy;
        for x in 0..w {
            let qx = x as f32 - dx - cx;
            let sx = cos * qx + row_x;
            let sy = -sin * qx + row_y;
            let (x0f, y0f) = (sx.floor(), sy.floor());
            let (fx, fy) = (sx - x0f, sy - y0f);
            let (x0, y0) = (x0f as isize, y0f as isize);
            let out = y * w + x;
            if x0 < -1 || y0 < -1 || x0 >= wi || y0 >= hi {
                for ch in 0..c {
                    dst[ch * plane + out] = 0.0;
                }
            } else if x0 >= 0 && y0 >= 0 && x0 + 1 < wi && y0 + 1 < hi {
                let base = y0 as usize * w + x0 as usize;
                for ch in 0..c {
                    let p = &src[ch * plane + base..];
                    let top = p[0] + fx * (p[1] - p[0]);
                    let bot = p[w] + fx * (p[w + 1] - p[w]);
                    dst[ch * plane + out] = top + fy * (bot - top);
                }
            } else {
                for ch in 0..c {
                    let (v00, v01) = (fetch(ch, y0, x0), fetch(ch, y0, x0 + 1));
                    let (v10, v11) = (fetch(ch, y0 + 1, x0), fetch(ch, y0 + 1, x0 + 1));
                    let top = v00 + fx * (v01 - v00);
                    let bot = v10 + fx * (v11 - v10);
                    dst[ch * plane + out] = top + fy * (bot - top);
                }
            }
        }
    }
}

/// Shifts by whole pixels (`dy` down, `dx` right), fill 0, with row copies.
fn shift_in_place(
    buf: &mut [f32],
    (c, h, w): (usize, usize, usize),
    dy: isize,
    dx: isize,
    scratch: &mut Vec<f32>,
) {
    scratch.clear();
    scratch.extend_from_slice(buf);
    buf.fill(0.0);
    let (hi, wi) = (h as isize, w as isize);
    if dy.abs() >= hi || dx.abs() >= wi {
        return;
    }
    let len = (wi - dx.abs()) as usize;
    let (src_x, dst_x) = if dx >= 0 {
        (0, dx as usize)
    } else {
        ((-dx) as usize, 0)
    };
    let plane = h * w;
    for ch in 0..c {
        for y in 0..h {
            let sy = y as isize - dy;
            if sy < 0 || sy >= hi {
                continue;
            }
            let s = ch * plane + sy as usize * w + src_x;
            let d = ch * plane + y * w + dst_x;
            buf[d..d + len].copy_from_slice(&scratch[s..s + len]);
        }
    }
}

/// Mirrors every channel left–right and/or top–bottom.
fn flip_in_place(
    buf: &mut [f32],
    (_, h, w): (usize, usize, usize),
    left_right: bool,
    top_bottom: bool,
) {
    for channel in buf.chunks_mut(h * w) {
        if left_right {
            channel.chunks_mut(w).for_each(<[f32]>::reverse);
        }
        if top_bottom {
            for y in 0..h / 2 {
                let (top, bottom) = channel.split_at_mut((h - 1 - y) * w);
                top[y * w..(y + 1) * w].swap_with_slice(&mut bottom[..w]);
            }
        }
    }
}

fn with_contiguous(
    mut image: ArrayViewMut3<'_, f32>,
    f: impl FnOnce(&mut [f32], (usize, usize, usize)),
) {
    let dim = image.dim();
    match image.as_slice_mut() {
        Some(buf) => f(buf, dim),
        None => {
            let mut copy: Vec<f32> = image.iter().copied().collect();
            f(&mut copy, dim);
            image.iter_mut().zip(copy).for_each(|(d, s)| *d = s);
        }
    }
}

/// Rotates one `[c, h, w]` image by `degrees` about its centre (clockwise on screen, rows
/// running downwards), bilinear, fill 0. A rotation by 0 leaves the image unchanged.
pub fn rotate(image: ArrayViewMut3<'_, f32>, degrees: f32) {
    with_contiguous(image, |buf, dim| {
        let src = buf.to_vec();
        rotate_shift_into(&src, buf, dim, degrees, 0.0, 0.0);
    });
}

/// Shifts one `[c, h, w]` image by whole pixels, `dy` down and `dx` right, fill 0.
pub fn shift(image: ArrayViewMut3<'_, f32>, dy: isize, dx: isize) {
    with_contiguous(image, |buf, dim| {
        let mut scratch = Vec::new();
        shift_in_place(buf, dim, dy, dx, &mut scratch);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    #[test]
    fn rotate_shift_matches_integer_shift() {
        let img = Array3::from_shape_fn((2, 5, 6), |(c, y, x)| (c * 100 + y * 10 + x) as f32);
        let mut a = img.clone();
        shift(a.view_mut(), 1, -2);
        let mut b = vec![0.0; img.len()];
        rotate_shift_into(img.as_slice().unwrap(), &mut b, (2, 5, 6), 0.0, 1.0, -2.0);
        assert_eq!(a.as_slice().unwrap(), &b[..]);
        assert_eq!(a[[1, 1, 0]], img[[1, 0, 2]]);
        assert_eq!(a[[0, 0, 0]], 0.0);
    }

    #[test]
    fn luma_mean_of_constant() {
        let buf = vec![0.5f32; 3 * 4];
        assert!((luma_mean(&buf, 3, 4) - 0.5).abs() < 1e-6);
        assert!((luma_mean(&buf[..4], 1, 4) - 0.5).abs() < 1e-6);
    }
}
