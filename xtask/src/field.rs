//! `cargo xtask gen-field --out DIR [--size 1024] [--cells 16] [--seed 0]`: a large
//! synthetic scientific field with known regions, for tile clustering ("where does each
//! kind of structure lie").
//!
//! # The field
//!
//! A `size` × `size` image in arbitrary units (BUNIT 'arbitrary'), around a base level of
//! [`BASE`] = 500. The field is a Voronoi partition into `--cells` cells (default 16) from
//! seeded sites at least `0.55 · size / √cells` apart (about 140 px at 1024² and 16
//! cells, so cells are several 32-px tiles across); each cell has one of the [`KINDS`],
//! dealt in turn and shuffled, so each kind has ⌊cells / 4⌋ or ⌈cells / 4⌉ ≥ 2 cells.
//! Each kind's texture is generated over the whole field, made zero-mean over the field
//! (so the kinds differ by texture, not by mean level), and composited by region with a
//! soft blend of ±[`BLEND_PX`] = 3 px across each border (a smoothstep of the distance to the
//! bisector of the two nearest sites; at a border each side weighs ½). The region map
//! itself is hard: each pixel's kind is that of its nearest site.
//!
//! The kinds (value noise is white noise on a grid of spacing *s* px, cubic-B-spline
//! interpolated to unit variance, see [`crate::synth`]):
//!
//! 0. `smooth`: large scales only, low contrast: value noise of *s* = 128 (σ 22) plus
//!    *s* = 64 (σ 12), about σ 25 in all.
//! 1. `turbulent`: Kolmogorov-like, P(k) ∝ k^(−11/3) from an outer scale of 128 px down to
//!    the pixel: octaves *s* = 128, 64, …, 1 with σ ∝ *s*^(5/6) (each halving of scale
//!    has 0.56× the amplitude), σ 60 in all. Its structure function grows as about
//!    r^(5/3) below the outer scale.
//! 2. `filamentary`: thin bright ridges along the zero contours of value noise *n*:
//!    `A · m · exp(−½ (|n| / (|∇n| · w))²)`, i.e. a Gaussian profile of the distance to the
//!    contour. Long filaments: *n* of *s* = 64 and 24 (weights 0.8, 0.6), width σ
//!    *w* = 1.3 px (FWHM ≈ 3 px), *A* = 220; fine filaments: *n* of *s* = 20, *w* =
//!    0.8 px, *A* = 90, only where a patch noise of *s* = 48 is positive. *m* ∈ [0.1, 1]
//!    is a brightness modulation along them (0.55 + 0.35 × noise of *s* = 80).
//! 3. `clumpy`: one compact Gaussian blob per 450 px² at uniform positions, σ = 0.8 +
//!    2.7 u² px (u uniform), peak 40 · u^(−1/1.6) (Pareto, index 1.6) capped at 900, on
//!    a faint background of σ 6 (*s* = 48).
//!
//! Then, over the whole field: a slow background drift, a plane of G ∈ [300, 400]
//! peak-to-peak along a random direction plus a bowl Q · (d / size)² of Q ∈ ±[100, 180]
//! around a random centre inside the field (made zero-mean), so the drift across the
//! field (≈ 350–500) exceeds the textures' contrast and clustering by brightness fails;
//! and white Gaussian noise of σ [`NOISE_SIGMA`] = 8 everywhere.
//!
//! # Files (in `--out`, replaced whole)
//!
//! - `field.fits`: one primary HDU, BITPIX −32, NAXIS1 = width, NAXIS2 = height, BUNIT,
//!   DATAMIN/DATAMAX and COMMENT cards naming the generator and seed; row 0 of the data is
//!   row 0 of the field (no flip, so FITS viewers show it upside down relative to the PNGs).
//! - `field.npy`: the same values, float32 `[h, w]`.
//! - `regions.npy`: int64 `[h, w]`, the kind index of every pixel.
//! - `regions.json`: the kinds in index order, their colours in `regions.png`, pixel
//!   fractions, the cells (site, kind, pixels) and every parameter drawn.
//! - `field.png`: 8-bit preview, linear between the 0.5th and 99.5th percentiles.
//! - `regions.png`: each kind in its colour.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Result, bail};
use ndarray::Array2;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use serde_json::json;

use crate::fits;
use crate::synth::{
    index, normal, percentiles, replace_generated, save_gray, save_json, save_rgb, shuffle, stream,
    uniform, value_noise,
};

/// The region kinds, in index order.
pub const KINDS: [&str; 4] = ["smooth", "turbulent", "filamentary", "clumpy"];

/// The colour of each kind in `regions.png`.
pub const COLOURS: [[u8; 3]; 4] = [
    [70, 130, 200],
    [230, 140, 40],
    [60, 170, 80],
    [200, 50, 120],
];

/// The field's base level.
pub const BASE: f32 = 500.0;

/// The sigma of the white noise added everywhere.
pub const NOISE_SIGMA: f32 = 8.0;

/// Half-width of the soft blend across region borders, in pixels.
pub const BLEND_PX: f32 = 3.0;

/// Arguments of `cargo xtask gen-field`.
#[derive(clap::Args, Debug)]
pub struct GenFieldArgs {
    /// The folder to write (replaced whole; refused if it holds other files).
    #[arg(long)]
    out: PathBuf,
    /// Side of the square field, in pixels (at least 128).
    #[arg(long, default_value_t = 1024)]
    size: usize,
    /// Voronoi cells (8–64; every kind gets at least two).
    #[arg(long, default_value_t = 16)]
    cells: usize,
    /// Seed of everything random.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

/// A generated field with its regions.
pub struct Field {
    /// Width and height.
    pub size: usize,
    /// The values, `[size * size]` row-major.
    pub values: Vec<f32>,
    /// The kind of every pixel.
    pub kinds: Vec<u8>,
    /// The Voronoi cells.
    pub cells: Vec<Cell>,
    /// The drift's parameters and range, for the record.
    pub drift: Drift,
}

/// One Voronoi cell.
#[derive(Clone, Debug, Serialize)]
pub struct Cell {
    /// Site column.
    pub x: f32,
    /// Site row.
    pub y: f32,
    /// Kind index.
    pub kind: usize,
    /// Pixels nearest to the site.
    pub pixels: usize,
}

/// The background drift drawn.
#[derive(Clone, Debug, Serialize)]
pub struct Drift {
    /// Peak-to-peak of the plane across the field.
    pub plane: f32,
    /// Direction of the plane's rise, radians from +x towards +y.
    pub angle: f32,
    /// Coefficient Q of the bowl `Q · (d / size)²`.
    pub bowl: f32,
    /// The bowl's centre `[x, y]`.
    pub centre: [f32; 2],
    /// The drift's range over the field, max − min.
    pub range: f32,
}

/// Generates the field (see the module doc).
///
/// # Errors
/// A size under 128 or a cell count outside 10–64.
pub fn generate(size: usize, cells: usize, seed: u64) -> Result<Field> {
    if size < 128 {
        bail!("size {size}: expected at least 128");
    }
    if !(2 * KINDS.len()..=64).contains(&cells) {
        bail!("cells {cells}: expected 8 to 64");
    }
    let n = size * size;
    let mut rng = stream(seed, 0);
    let sites = sites(&mut rng, size, cells);
    let mut kind_of: Vec<usize> = (0..cells).map(|c| c % KINDS.len()).collect();
    shuffle(&mut rng, &mut kind_of);

    let textures = [
        smooth(&mut stream(seed, 1), size),
        turbulent(&mut stream(seed, 2), size),
        filamentary(&mut stream(seed, 3), size),
        clumpy(&mut stream(seed, 4), size),
    ];
    let (drift_values, drift) = drift(&mut stream(seed, 5), size);
    let mut noise = stream(seed, 6);

    let mut values = vec![0.0f32; n];
    let mut kinds = vec![0u8; n];
    let mut pixels = vec![0usize; cells];
    for (p, value) in values.iter_mut().enumerate() {
        let (x, y) = ((p % size) as f32, (p / size) as f32);
        // The nearest and second-nearest sites.
        let (mut a, mut b) = ((usize::MAX, f32::MAX), (usize::MAX, f32::MAX));
        for (i, &(sx, sy)) in sites.iter().enumerate() {
            let d2 = (x - sx).powi(2) + (y - sy).powi(2);
            if d2 < a.1 {
                b = a;
                a = (i, d2);
            } else if d2 < b.1 {
                b = (i, d2);
            }
        }
        let (ka, kb) = (kind_of[a.0], kind_of[b.0]);
        let texture = if ka == kb {
            textures[ka][p]
        } else {
            // Distance to the bisector of the two sites, then a smoothstep over ±BLEND_PX.
            let gap = ((sites[a.0].0 - sites[b.0].0).powi(2)
                + (sites[a.0].1 - sites[b.0].1).powi(2))
            .sqrt();
            let border = (b.1 - a.1) / (2.0 * gap.max(1e-3));
            let t = (0.5 + border / (2.0 * BLEND_PX)).clamp(0.0, 1.0);
            let t = t * t * (3.0 - 2.0 * t);
            t * textures[ka][p] + (1.0 - t) * textures[kb][p]
        };
        *value = BASE + texture + drift_values[p] + NOISE_SIGMA * normal(&mut noise);
        kinds[p] = ka as u8;
        pixels[a.0] += 1;
    }
    let cells = sites
        .iter()
        .zip(&kind_of)
        .zip(&pixels)
        .map(|((&(x, y), &kind), &pixels)| Cell { x, y, kind, pixels })
        .collect();
    Ok(Field {
        size,
        values,
        kinds,
        cells,
        drift,
    })
}

/// `cells` Voronoi sites at least `0.55 · size / √cells` apart (relaxed by 5% after each
/// 500 rejections).
fn sites(rng: &mut ChaCha8Rng, size: usize, cells: usize) -> Vec<(f32, f32)> {
    let side = size as f32;
    let mut min_dist = 0.55 * side / (cells as f32).sqrt();
    let mut sites: Vec<(f32, f32)> = Vec::with_capacity(cells);
    let mut rejected = 0;
    while sites.len() < cells {
        let (x, y) = (uniform(rng, 0.0, side), uniform(rng, 0.0, side));
        if sites
            .iter()
            .all(|&(sx, sy)| (x - sx).powi(2) + (y - sy).powi(2) >= min_dist * min_dist)
        {
            sites.push((x, y));
        } else {
            rejected += 1;
            if rejected % 500 == 0 {
                min_dist *= 0.95;
            }
        }
    }
    sites
}

/// `Σ weight · value_noise(scale)`, in place into `out`.
fn add_octaves(rng: &mut ChaCha8Rng, size: usize, octaves: &[(f32, f32)], out: &mut [f32]) {
    for &(scale, weight) in octaves {
        let noise = value_noise(rng, size, size, scale);
        for (o, v) in out.iter_mut().zip(noise) {
            *o += weight * v;
        }
    }
}

/// Subtracts the mean.
fn centre(values: &mut [f32]) {
    let mean = (values.iter().map(|&v| f64::from(v)).sum::<f64>() / values.len() as f64) as f32;
    for v in values {
        *v -= mean;
    }
}

/// Large scales only, σ ≈ 25.
fn smooth(rng: &mut ChaCha8Rng, size: usize) -> Vec<f32> {
    let mut out = vec![0.0; size * size];
    add_octaves(rng, size, &[(128.0, 22.0), (64.0, 12.0)], &mut out);
    centre(&mut out);
    out
}

/// Octaves 128 … 1 px with σ ∝ s^(5/6): P(k) ∝ k^(−11/3) below the outer scale; σ 60.
fn turbulent(rng: &mut ChaCha8Rng, size: usize) -> Vec<f32> {
    const SIGMA: f32 = 60.0;
    let scales = [128.0f32, 64.0, 32.0, 16.0, 8.0, 4.0, 2.0, 1.0];
    let norm = scales.iter().map(|s| s.powf(5.0 / 3.0)).sum::<f32>().sqrt();
    let octaves: Vec<(f32, f32)> = scales
        .iter()
        .map(|&s| (s, SIGMA * s.powf(5.0 / 6.0) / norm))
        .collect();
    let mut out = vec![0.0; size * size];
    add_octaves(rng, size, &octaves, &mut out);
    centre(&mut out);
    out
}

/// Bright ridges along the zero contours of value noise (see the module doc).
fn filamentary(rng: &mut ChaCha8Rng, size: usize) -> Vec<f32> {
    let n = size * size;
    let mut long = vec![0.0; n];
    add_octaves(rng, size, &[(64.0, 0.8), (24.0, 0.6)], &mut long);
    let fine = value_noise(rng, size, size, 20.0);
    let patches = value_noise(rng, size, size, 48.0);
    let modulation = value_noise(rng, size, size, 80.0);
    let long_ridges = ridges(&long, size, 1.3);
    let fine_ridges = ridges(&fine, size, 0.8);
    let mut out: Vec<f32> = (0..n)
        .map(|p| {
            let m = (0.55 + 0.35 * modulation[p]).clamp(0.1, 1.0);
            m * (220.0 * long_ridges[p] + 90.0 * fine_ridges[p] * f32::from(patches[p] > 0.0))
        })
        .collect();
    centre(&mut out);
    out
}

/// `exp(−½ (|n| / (|∇n| · width))²)`: a Gaussian profile of the distance to the zero
/// contour of `n`, the gradient floored at a quarter of its RMS.
fn ridges(n: &[f32], size: usize, width: f32) -> Vec<f32> {
    let at = |x: usize, y: usize| n[y * size + x];
    let gradient: Vec<f32> = (0..size * size)
        .map(|p| {
            let (x, y) = (p % size, p / size);
            let (x0, x1) = (x.saturating_sub(1), (x + 1).min(size - 1));
            let (y0, y1) = (y.saturating_sub(1), (y + 1).min(size - 1));
            let gx = (at(x1, y) - at(x0, y)) / (x1 - x0) as f32;
            let gy = (at(x, y1) - at(x, y0)) / (y1 - y0) as f32;
            (gx * gx + gy * gy).sqrt()
        })
        .collect();
    let rms = (gradient.iter().map(|g| g * g).sum::<f32>() / gradient.len() as f32).sqrt();
    let floor = 0.25 * rms;
    n.iter()
        .zip(&gradient)
        .map(|(v, g)| {
            let d = v.abs() / (g.max(floor) * width);
            (-0.5 * d * d).exp()
        })
        .collect()
}

/// Compact Gaussian blobs of Pareto-distributed peaks on a faint background.
fn clumpy(rng: &mut ChaCha8Rng, size: usize) -> Vec<f32> {
    let mut out = vec![0.0; size * size];
    add_octaves(rng, size, &[(48.0, 6.0)], &mut out);
    let count = (size * size) / 450;
    let side = size as f32;
    for _ in 0..count {
        let (cx, cy) = (uniform(rng, 0.0, side), uniform(rng, 0.0, side));
        let u = uniform(rng, 0.0, 1.0);
        let sigma = 0.8 + 2.7 * u * u;
        let peak = (40.0 * (1.0 - uniform(rng, 0.0, 1.0)).powf(-1.0 / 1.6)).min(900.0);
        let reach = (4.0 * sigma).ceil();
        let (x0, x1) = (
            (cx - reach).max(0.0) as usize,
            (cx + reach).min(side - 1.0) as usize,
        );
        let (y0, y1) = (
            (cy - reach).max(0.0) as usize,
            (cy + reach).min(side - 1.0) as usize,
        );
        for y in y0..=y1 {
            for x in x0..=x1 {
                let d2 = (x as f32 - cx).powi(2) + (y as f32 - cy).powi(2);
                out[y * size + x] += peak * (-0.5 * d2 / (sigma * sigma)).exp();
            }
        }
    }
    centre(&mut out);
    out
}

/// A plane of G ∈ [300, 400] peak-to-peak plus a bowl `Q · (d / size)²`, Q ∈ ±[100, 180],
/// made zero-mean.
fn drift(rng: &mut ChaCha8Rng, size: usize) -> (Vec<f32>, Drift) {
    let side = size as f32;
    let plane = uniform(rng, 300.0, 400.0);
    let angle = uniform(rng, 0.0, std::f32::consts::TAU);
    let bowl = uniform(rng, 100.0, 180.0) * if rng_bit(rng) { 1.0 } else { -1.0 };
    let centre_xy = [uniform(rng, 0.2, 0.8) * side, uniform(rng, 0.2, 0.8) * side];
    let (c, s) = (angle.cos(), angle.sin());
    // The projection's range over the four corners scales the plane to `plane` peak-to-peak.
    let span = (c.abs() + s.abs()) * (side - 1.0);
    let mut values: Vec<f32> = (0..size * size)
        .map(|p| {
            let (x, y) = ((p % size) as f32, (p / size) as f32);
            let t = (x * c + y * s) / span;
            let d2 = ((x - centre_xy[0]).powi(2) + (y - centre_xy[1]).powi(2)) / (side * side);
            plane * t + bowl * d2
        })
        .collect();
    centre(&mut values);
    let (lo, hi) = values
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let drift = Drift {
        plane,
        angle,
        bowl,
        centre: centre_xy,
        range: hi - lo,
    };
    (values, drift)
}

/// A fair coin.
fn rng_bit(rng: &mut ChaCha8Rng) -> bool {
    index(rng, 2) == 1
}

/// What `regions.json` holds.
#[derive(Serialize)]
struct RegionsDoc<'a> {
    generator: &'static str,
    seed: u64,
    width: usize,
    height: usize,
    kinds: [&'static str; KINDS.len()],
    colours: [[u8; 3]; KINDS.len()],
    pixel_fractions: Vec<f64>,
    cells: &'a [Cell],
    parameters: serde_json::Value,
}

/// Each kind's fraction of the pixels.
pub fn fractions(kinds: &[u8]) -> Vec<f64> {
    let mut counts = [0usize; KINDS.len()];
    for &k in kinds {
        counts[usize::from(k)] += 1;
    }
    counts
        .iter()
        .map(|&c| c as f64 / kinds.len().max(1) as f64)
        .collect()
}

/// Writes the field's files into `dir` (see the module doc).
fn write(field: &Field, seed: u64, dir: &Path) -> Result<()> {
    let s = field.size;
    let (lo, hi) = field
        .values
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let mut cards = vec![
        fits::Card::Str("BUNIT", "arbitrary".to_owned(), "arbitrary physical units"),
        fits::Card::Real("DATAMIN", f64::from(lo), "minimum value"),
        fits::Card::Real("DATAMAX", f64::from(hi), "maximum value"),
        fits::Card::Comment(format!(
            "mdec's synthetic field (cargo xtask gen-field), seed {seed}"
        )),
        fits::Card::Comment("region kind of each pixel: regions.npy, names in regions.json".into()),
        fits::Card::Comment("row 0 of the data is row 0 of field.npy and field.png".into()),
    ];
    if let Ok(seed) = i64::try_from(seed) {
        cards.push(fits::Card::Int(
            "SEED",
            seed,
            "seed of cargo xtask gen-field",
        ));
    }
    fits::write_image(&dir.join("field.fits"), s, s, &field.values, &cards)?;
    let values = Array2::from_shape_vec((s, s), field.values.clone())?;
    ndarray_npy::write_npy(dir.join("field.npy"), &values)?;
    let kinds =
        Array2::from_shape_vec((s, s), field.kinds.iter().map(|&k| i64::from(k)).collect())?;
    ndarray_npy::write_npy(dir.join("regions.npy"), &kinds)?;

    let p = percentiles(&field.values, &[0.005, 0.995]);
    let (a, b) = (p[0], (p[1] - p[0]).max(1e-6));
    let preview = field
        .values
        .iter()
        .map(|v| ((v - a) / b * 255.0).round().clamp(0.0, 255.0) as u8)
        .collect();
    save_gray(&dir.join("field.png"), s, s, preview)?;
    let colours = field
        .kinds
        .iter()
        .flat_map(|&k| COLOURS[usize::from(k)])
        .collect();
    save_rgb(&dir.join("regions.png"), s, s, colours)?;

    let doc = RegionsDoc {
        generator: "cargo xtask gen-field",
        seed,
        width: s,
        height: s,
        kinds: KINDS,
        colours: COLOURS,
        pixel_fractions: fractions(&field.kinds),
        cells: &field.cells,
        parameters: json!({
            "base": BASE,
            "noise_sigma": NOISE_SIGMA,
            "blend_px": BLEND_PX,
            "drift": field.drift,
            "smooth": {"octaves_px": [128, 64], "sigmas": [22, 12]},
            "turbulent": {
                "octaves_px": [128, 64, 32, 16, 8, 4, 2, 1],
                "sigma": 60,
                "spectrum": "P(k) ~ k^(-11/3), outer scale 128 px",
            },
            "filamentary": {
                "long": {"contour_octaves_px": [64, 24], "width_sigma_px": 1.3, "amplitude": 220},
                "fine": {"contour_scale_px": 20, "width_sigma_px": 0.8, "amplitude": 90,
                         "patch_scale_px": 48},
                "modulation": "clamp(0.55 + 0.35 * noise(80 px), 0.1, 1)",
            },
            "clumpy": {
                "pixels_per_clump": 450,
                "sigma_px": "0.8 + 2.7 u^2",
                "peak": "40 u^(-1/1.6), at most 900",
                "background": {"scale_px": 48, "sigma": 6},
            },
            "textures": "each zero-mean over the whole field before compositing",
        }),
    };
    save_json(&dir.join("regions.json"), &doc)
}

/// Runs `cargo xtask gen-field`.
pub fn run(args: &GenFieldArgs) -> Result<()> {
    let start = Instant::now();
    let field = generate(args.size, args.cells, args.seed)?;
    let generated = start.elapsed().as_secs_f32();
    replace_generated(&args.out, "regions.json", |tmp| {
        write(&field, args.seed, tmp)
    })?;
    let total = start.elapsed().as_secs_f32();
    let s = field.size;
    println!(
        "{}: {s} x {s} field, {} cells, seed {} \
         (generated in {generated:.2} s, written in {:.2} s)",
        args.out.display(),
        field.cells.len(),
        args.seed,
        total - generated,
    );
    let fractions = fractions(&field.kinds);
    for (k, name) in KINDS.iter().enumerate() {
        let cells = field.cells.iter().filter(|c| c.kind == k).count();
        println!(
            "  {k} {name:<12} {cells:>2} cells  {:>5.1}% of pixels",
            100.0 * fractions[k]
        );
    }
    let (lo, hi) = field
        .values
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let mean = field.values.iter().map(|&v| f64::from(v)).sum::<f64>() / field.values.len() as f64;
    let p = percentiles(&field.values, &[0.005, 0.995]);
    let smallest = field.cells.iter().map(|c| c.pixels).min().unwrap_or(0);
    println!(
        "  values {lo:.1} .. {hi:.1} (mean {mean:.1}, 0.5-99.5% {:.1} .. {:.1}); \
         drift range {:.1}; noise sigma {NOISE_SIGMA}",
        p[0], p[1], field.drift.range
    );
    println!(
        "  smallest cell {smallest} px (~{:.0} px across)",
        (smallest as f32).sqrt()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_cells_and_pixels_and_the_field_is_seeded() -> Result<()> {
        let field = generate(256, 12, 5)?;
        assert_eq!(field.values.len(), 256 * 256);
        let fractions = fractions(&field.kinds);
        for (k, f) in fractions.iter().enumerate() {
            let cells = field.cells.iter().filter(|c| c.kind == k).count();
            assert!(cells >= 2, "kind {k} has {cells} cells");
            assert!(*f > 0.02, "kind {k} covers {f}");
        }
        assert_eq!(
            field.cells.iter().map(|c| c.pixels).sum::<usize>(),
            256 * 256
        );
        let again = generate(256, 12, 5)?;
        assert_eq!(field.values, again.values);
        assert_eq!(field.kinds, again.kinds);
        assert_ne!(generate(256, 12, 6)?.values, field.values);
        assert!(generate(64, 12, 0).is_err() && generate(256, 7, 0).is_err());
        Ok(())
    }

    #[test]
    fn textures_are_zero_mean_and_differ_in_small_scale_power() {
        let size = 256;
        let textures = [
            smooth(&mut stream(1, 1), size),
            turbulent(&mut stream(1, 2), size),
            filamentary(&mut stream(1, 3), size),
            clumpy(&mut stream(1, 4), size),
        ];
        // Mean squared difference of horizontal neighbours: small for the smooth field.
        let roughness: Vec<f32> = textures
            .iter()
            .map(|t| {
                let mean = t.iter().sum::<f32>() / t.len() as f32;
                assert!(mean.abs() < 1e-2, "{mean}");
                t.windows(2).map(|p| (p[1] - p[0]).powi(2)).sum::<f32>() / t.len() as f32
            })
            .collect();
        let rough = roughness[1..].iter().cloned().fold(f32::MAX, f32::min);
        assert!(roughness[0] < 0.25 * rough, "{roughness:?}");
    }

    #[test]
    fn turbulence_has_a_kolmogorov_structure_function() {
        let size = 512;
        let t = turbulent(&mut stream(2, 2), size);
        let structure = |r: usize| {
            let mut sum = 0.0f64;
            let mut count = 0usize;
            for y in 0..size {
                for x in 0..size - r {
                    sum += f64::from(t[y * size + x + r] - t[y * size + x]).powi(2);
                    count += 1;
                }
            }
            sum / count as f64
        };
        // D(r) ∝ r^(5/3) below the outer scale: the slope between 4 and 32 px.
        let slope = (structure(32) / structure(4)).ln() / 8f64.ln();
        println!("structure function slope 4-32 px: {slope:.3}");
        assert!((1.3..2.0).contains(&slope), "{slope}");
    }

    #[test]
    fn files_are_written_and_byte_identical_for_a_seed() -> Result<()> {
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path();
        let field = generate(128, 10, 3)?;
        let (a, b) = (dir.join("a"), dir.join("b"));
        std::fs::create_dir_all(&a)?;
        std::fs::create_dir_all(&b)?;
        write(&field, 3, &a)?;
        write(&generate(128, 10, 3)?, 3, &b)?;
        for name in [
            "field.fits",
            "field.npy",
            "regions.npy",
            "regions.json",
            "field.png",
            "regions.png",
        ] {
            let (x, y) = (std::fs::read(a.join(name))?, std::fs::read(b.join(name))?);
            assert!(!x.is_empty() && x == y, "{name} differs");
        }
        let fits = std::fs::read(a.join("field.fits"))?;
        assert_eq!(fits.len() % fits::BLOCK, 0);
        let first = f32::from_be_bytes([
            fits[fits::BLOCK],
            fits[fits::BLOCK + 1],
            fits[fits::BLOCK + 2],
            fits[fits::BLOCK + 3],
        ]);
        assert_eq!(first, field.values[0]);
        let npy: Array2<f32> = ndarray_npy::read_npy(a.join("field.npy"))?;
        assert_eq!(npy.dim(), (128, 128));
        assert_eq!(npy[[1, 0]], field.values[128]);
        let regions: Array2<i64> = ndarray_npy::read_npy(a.join("regions.npy"))?;
        assert_eq!(regions[[5, 7]], i64::from(field.kinds[5 * 128 + 7]));
        Ok(())
    }
}
