//! What the synthetic generators (`gen-field`, `gen-parts`) share: uniform and Gaussian
//! draws from seeded ChaCha streams, value noise, and writing their output folders and
//! PNGs.
//!
//! Value noise of scale `s` is white Gaussian noise on a grid of spacing `s` pixels (at a
//! random sub-cell offset) interpolated with the cubic B-spline, separably, and divided
//! pointwise by the spline's own gain so that every pixel has unit variance: its power
//! sits at wavelengths above about `s` pixels, with no grid-aligned variance pattern.

use std::path::Path;

use anyhow::{Context, Result, bail};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A ChaCha8 generator for `seed`, on its own `stream` (one stream per component, so
/// adding draws to one component leaves the others as they were).
pub fn stream(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// A uniform `f32` in `[lo, hi)`.
pub fn uniform(rng: &mut ChaCha8Rng, lo: f32, hi: f32) -> f32 {
    lo + (hi - lo) * (rng.next_u32() >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
}

/// A uniform index in `0..n` (`n > 0`).
pub fn index(rng: &mut ChaCha8Rng, n: usize) -> usize {
    (rng.next_u64() % n as u64) as usize
}

/// A standard normal draw (Box–Muller, in `f64`).
pub fn normal(rng: &mut ChaCha8Rng) -> f32 {
    let unit = |rng: &mut ChaCha8Rng| ((rng.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64;
    let (u1, u2) = (unit(rng), unit(rng));
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}

/// Shuffles `items` in place (Fisher–Yates).
pub fn shuffle<T>(rng: &mut ChaCha8Rng, items: &mut [T]) {
    for i in (1..items.len()).rev() {
        items.swap(i, index(rng, i + 1));
    }
}

/// Unit-variance value noise `[h * w]` (row-major) of feature scale `scale` pixels
/// (at least 1): see the module doc.
pub fn value_noise(rng: &mut ChaCha8Rng, w: usize, h: usize, scale: f32) -> Vec<f32> {
    let scale = scale.max(1.0);
    let xs = Taps::new(w, scale, uniform(rng, 0.0, 1.0));
    let ys = Taps::new(h, scale, uniform(rng, 0.0, 1.0));
    let (gw, gh) = (xs.grid, ys.grid);
    let grid: Vec<f32> = (0..gw * gh).map(|_| normal(rng)).collect();
    // Along x for every grid row, then along y for every pixel.
    let mut rows = vec![0.0f32; gh * w];
    for (r, row) in rows.chunks_exact_mut(w).enumerate() {
        let line = &grid[r * gw..(r + 1) * gw];
        for (x, out) in row.iter_mut().enumerate() {
            let (i, k) = (xs.first[x], &xs.weights[x]);
            *out = k[0] * line[i] + k[1] * line[i + 1] + k[2] * line[i + 2] + k[3] * line[i + 3];
        }
    }
    let mut out = vec![0.0f32; h * w];
    for (y, row) in out.chunks_exact_mut(w).enumerate() {
        let (i, k) = (ys.first[y], &ys.weights[y]);
        let r: [&[f32]; 4] = std::array::from_fn(|t| &rows[(i + t) * w..(i + t + 1) * w]);
        let gy = ys.gain[y];
        for (x, v) in row.iter_mut().enumerate() {
            let sum = k[0] * r[0][x] + k[1] * r[1][x] + k[2] * r[2][x] + k[3] * r[3][x];
            *v = sum / (gy * xs.gain[x]);
        }
    }
    out
}

/// The cubic B-spline taps of every pixel along one axis.
struct Taps {
    /// Grid points needed.
    grid: usize,
    /// First of the four grid points each pixel reads.
    first: Vec<usize>,
    /// The four weights of each pixel.
    weights: Vec<[f32; 4]>,
    /// The root of the sum of squared weights: the standard deviation the taps give unit
    /// white noise.
    gain: Vec<f32>,
}

impl Taps {
    fn new(n: usize, scale: f32, offset: f32) -> Self {
        let mut first = Vec::with_capacity(n);
        let mut weights = Vec::with_capacity(n);
        let mut gain = Vec::with_capacity(n);
        for p in 0..n {
            let t = p as f32 / scale + offset;
            let f = t.fract();
            let k = [
                (1.0 - f).powi(3) / 6.0,
                (3.0 * f.powi(3) - 6.0 * f * f + 4.0) / 6.0,
                (-3.0 * f.powi(3) + 3.0 * f * f + 3.0 * f + 1.0) / 6.0,
                f.powi(3) / 6.0,
            ];
            first.push(t.floor() as usize);
            gain.push(k.iter().map(|w| w * w).sum::<f32>().sqrt());
            weights.push(k);
        }
        let grid = first.last().map_or(4, |&i| i + 4);
        Self {
            grid,
            first,
            weights,
            gain,
        }
    }
}

/// The quantiles `qs` (in `[0, 1]`) of `values` by nearest rank, e.g. the 0.5th and
/// 99.5th percentiles for `qs = [0.005, 0.995]`.
pub fn percentiles(values: &[f32], qs: &[f32]) -> Vec<f32> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f32::total_cmp);
    qs.iter()
        .map(|q| {
            let i = (q.clamp(0.0, 1.0) * (sorted.len().max(1) - 1) as f32).round() as usize;
            sorted.get(i).copied().unwrap_or(0.0)
        })
        .collect()
}

/// Replaces the folder `dir` whole with what `fill` writes into a temporary folder
/// ([`mdec_data::atomic::replace_dir`]), refusing an existing non-empty folder without
/// `marker`, so that a generator never deletes a folder it did not write.
pub fn replace_generated(
    dir: &Path,
    marker: &str,
    fill: impl FnOnce(&Path) -> Result<()>,
) -> Result<()> {
    if let Ok(meta) = std::fs::symlink_metadata(dir) {
        if !meta.is_dir() {
            bail!("{}: exists and is not a folder", dir.display());
        }
        let empty = std::fs::read_dir(dir)
            .with_context(|| format!("cannot list {}", dir.display()))?
            .next()
            .is_none();
        if !empty && !dir.join(marker).exists() {
            bail!(
                "{}: a non-empty folder without {marker}, not written by this generator; \
                 choose a new or empty folder",
                dir.display()
            );
        }
    }
    mdec_data::atomic::replace_dir(dir, fill)
}

/// Writes an 8-bit grayscale PNG of `pixels` (`[height * width]`).
pub fn save_gray(path: &Path, width: usize, height: usize, pixels: Vec<u8>) -> Result<()> {
    image::GrayImage::from_raw(width as u32, height as u32, pixels)
        .context("pixel buffer does not match the image size")?
        .save(path)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Writes an 8-bit RGB PNG of `pixels` (`[height * width * 3]`).
pub fn save_rgb(path: &Path, width: usize, height: usize, pixels: Vec<u8>) -> Result<()> {
    image::RgbImage::from_raw(width as u32, height as u32, pixels)
        .context("pixel buffer does not match the image size")?
        .save(path)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Writes `value` as pretty JSON with a final newline.
pub fn save_json(path: &Path, value: &impl serde::Serialize) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_noise_has_unit_variance_and_is_seeded() {
        let a = value_noise(&mut stream(3, 0), 200, 150, 8.0);
        let b = value_noise(&mut stream(3, 0), 200, 150, 8.0);
        assert_eq!(a, b);
        let n = a.len() as f32;
        let mean = a.iter().sum::<f32>() / n;
        let var = a.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n;
        assert!(mean.abs() < 0.3, "{mean}");
        assert!((0.6..1.4).contains(&var), "{var}");
        // Smooth at the pixel scale: neighbours are strongly correlated.
        let diff = a.windows(2).map(|p| (p[1] - p[0]).powi(2)).sum::<f32>() / n;
        assert!(diff < 0.2 * var, "{diff}");
    }

    #[test]
    fn normal_draws_are_standard() {
        let mut rng = stream(1, 0);
        let xs: Vec<f32> = (0..20_000).map(|_| normal(&mut rng)).collect();
        let mean = xs.iter().sum::<f32>() / xs.len() as f32;
        let var = xs.iter().map(|v| v * v).sum::<f32>() / xs.len() as f32;
        assert!(
            mean.abs() < 0.03 && (var - 1.0).abs() < 0.05,
            "{mean} {var}"
        );
    }
}
