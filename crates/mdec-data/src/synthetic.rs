//! Seeded synthetic defect crops: the development set for clustering by *defect*, not by
//! lighting or part colour.
//!
//! Each crop is a textured part surface (machining marks and grain) whose brightness,
//! contrast and — in colour — part colour vary from crop to crop, with one defect of one of
//! [`DEFECT_KINDS`] covering roughly 1–15% of it. A clusterer that follows the background
//! groups crops by lighting or colour (chance accuracy); one that sees the defect groups
//! them by kind. `cargo xtask gen-defects` writes the sets as folders of PNGs, one
//! sub-folder per kind, for `mdec run --images DIR --labels-from-folders`.
//!
//! ```
//! use mdec_data::synthetic::{DEFECT_KINDS, DefectCrops};
//!
//! let set = DefectCrops { per_kind: 2, size: 32, colour: true, seed: 7 }.generate()?;
//! assert_eq!(set.len(), 2 * DEFECT_KINDS.len());
//! assert_eq!(set.shape().channels, 3);
//! assert_eq!(set.class_names().map(<[String]>::len), Some(DEFECT_KINDS.len()));
//! // The same seed gives the same crops.
//! let again = DefectCrops { per_kind: 2, size: 32, colour: true, seed: 7 }.generate()?;
//! assert_eq!(set.images(), again.images());
//! # Ok::<(), mdec_data::Error>(())
//! ```

use std::path::Path;

use ndarray::{Array3, Array4, Axis};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::dataset::Dataset;
use crate::error::{Error, Result};

/// The defect kinds, in label order.
pub const DEFECT_KINDS: [&str; 6] = ["scratch", "dent", "crack", "stain", "porosity", "inclusion"];

/// Part colours of the colour set (RGB in `[0, 1]`): steel, brass, anodised blue, red
/// paint, green coating.
const PART_COLOURS: [[f32; 3]; 5] = [
    [0.62, 0.63, 0.66],
    [0.78, 0.64, 0.30],
    [0.25, 0.42, 0.72],
    [0.72, 0.22, 0.20],
    [0.30, 0.58, 0.32],
];

/// A set of synthetic defect crops to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DefectCrops {
    /// Crops of each kind.
    pub per_kind: usize,
    /// Side of each square crop, in pixels (at least 16).
    pub size: u32,
    /// RGB crops on parts of five colours; else grayscale.
    pub colour: bool,
    /// Seed of everything random.
    pub seed: u64,
}

impl DefectCrops {
    /// The crops as a dataset `[n, c, size, size]` in `[0, 1]`, labelled by kind (class
    /// names [`DEFECT_KINDS`]), kinds interleaved.
    ///
    /// # Errors
    /// [`Error::BadParam`] for a size under 16 or no crops.
    pub fn generate(&self) -> Result<Dataset> {
        if self.size < 16 {
            return Err(Error::BadParam {
                name: "size",
                expected: "at least 16",
                value: f64::from(self.size),
            });
        }
        if self.per_kind == 0 {
            return Err(Error::BadParam {
                name: "per_kind",
                expected: "at least 1",
                value: 0.0,
            });
        }
        let n = self.per_kind * DEFECT_KINDS.len();
        let (c, s) = (if self.colour { 3 } else { 1 }, self.size as usize);
        let mut images = Array4::<f32>::zeros((n, c, s, s));
        for (i, mut image) in images.axis_iter_mut(Axis(0)).enumerate() {
            let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
            rng.set_stream(i as u64);
            image.assign(&self.render(i % DEFECT_KINDS.len(), &mut rng));
        }
        let labels = (0..n).map(|i| i % DEFECT_KINDS.len()).collect();
        Dataset::new(images)
            .with_labels(labels)?
            .with_class_names(DEFECT_KINDS.iter().map(|k| (*k).to_owned()).collect())
    }

    /// Writes the crops as PNGs into `dir/<kind>/<index>.png`; returns how many.
    ///
    /// # Errors
    /// Those of [`DefectCrops::generate`], and [`Error::Io`] when a file cannot be written.
    pub fn write(&self, dir: &Path) -> Result<usize> {
        let set = self.generate()?;
        for kind in DEFECT_KINDS {
            let folder = dir.join(kind);
            std::fs::create_dir_all(&folder).map_err(|e| Error::io(&folder, e))?;
        }
        let labels = set.labels().unwrap_or_default();
        for (i, image) in set.images().axis_iter(Axis(0)).enumerate() {
            let path = dir
                .join(DEFECT_KINDS[labels[i]])
                .join(format!("{:05}.png", i / DEFECT_KINDS.len()));
            let bytes = |ch: usize| -> Vec<u8> {
                image
                    .index_axis(Axis(0), ch)
                    .iter()
                    .map(|&v| (v.clamp(0.0, 1.0) * 255.0).round() as u8)
                    .collect()
            };
            let saved = if self.colour {
                let (r, g, b) = (bytes(0), bytes(1), bytes(2));
                let rgb: Vec<u8> = (0..r.len()).flat_map(|p| [r[p], g[p], b[p]]).collect();
                image::RgbImage::from_raw(self.size, self.size, rgb).map(|im| im.save(&path))
            } else {
                image::GrayImage::from_raw(self.size, self.size, bytes(0)).map(|im| im.save(&path))
            };
            match saved {
                Some(Ok(())) => {}
                Some(Err(e)) => return Err(Error::io(&path, std::io::Error::other(e))),
                None => {
                    return Err(Error::io(
                        &path,
                        std::io::Error::other("buffer size does not match the image"),
                    ));
                }
            }
        }
        Ok(set.len())
    }

    /// One crop of defect `kind`, `[c, size, size]`.
    fn render(&self, kind: usize, rng: &mut ChaCha8Rng) -> Array3<f32> {
        let s = self.size as usize;
        let scale = s as f32 / 64.0;
        // The part surface: machining marks at a random angle and spacing, grain noise.
        let angle = uniform(rng, 0.0, std::f32::consts::PI);
        let period = uniform(rng, 3.0, 9.0) * scale;
        let phase = uniform(rng, 0.0, std::f32::consts::TAU);
        let marks = uniform(rng, 0.02, 0.08);
        let grain = uniform(rng, 0.02, 0.06);
        let mut surface: Vec<f32> = (0..s * s)
            .map(|p| {
                let (y, x) = ((p / s) as f32, (p % s) as f32);
                let t = x * angle.cos() + y * angle.sin();
                marks * (std::f32::consts::TAU * t / period + phase).sin()
                    + grain * (uniform(rng, -1.0, 1.0) + uniform(rng, -1.0, 1.0))
            })
            .collect();
        // The defect, as a change of brightness: darker (< 0) or brighter (> 0).
        let mut defect = vec![0.0f32; s * s];
        let mut paint = |y: f32, x: f32, radius: f32, value: f32| {
            let r = radius.max(0.5);
            let (y0, y1) = ((y - r).floor().max(0.0) as usize, (y + r).ceil() as usize);
            let (x0, x1) = ((x - r).floor().max(0.0) as usize, (x + r).ceil() as usize);
            for yy in y0..y1.min(s) {
                for xx in x0..x1.min(s) {
                    let d = ((yy as f32 - y).powi(2) + (xx as f32 - x).powi(2)).sqrt();
                    let w = (1.0 - (d - r + 0.5).max(0.0)).clamp(0.0, 1.0);
                    let cell = &mut defect[yy * s + xx];
                    if value.abs() * w > cell.abs() {
                        *cell = value * w;
                    }
                }
            }
        };
        let centre = |rng: &mut ChaCha8Rng, margin: f32| {
            (
                uniform(rng, margin, s as f32 - margin),
                uniform(rng, margin, s as f32 - margin),
            )
        };
        let depth = uniform(rng, 0.35, 0.55);
        match kind {
            // Scratch: one long, thin, straight dark line.
            0 => {
                let (cy, cx) = centre(rng, 16.0 * scale);
                let a = uniform(rng, 0.0, std::f32::consts::PI);
                let half = uniform(rng, 14.0, 24.0) * scale;
                let width = uniform(rng, 0.6, 1.1) * scale;
                for step in 0..(4.0 * half) as usize {
                    let t = step as f32 / 2.0 - half;
                    paint(cy + t * a.sin(), cx + t * a.cos(), width, -depth);
                }
            }
            // Dent: a round pit, dark inside a bright rim.
            1 => {
                let (cy, cx) = centre(rng, 12.0 * scale);
                let r = uniform(rng, 4.0, 7.0) * scale;
                paint(cy, cx, r + 1.5 * scale, 0.8 * depth);
                paint(cy, cx, r, -depth);
            }
            // Crack: a jagged, branching dark path.
            2 => {
                let (mut y, mut x) = centre(rng, 14.0 * scale);
                let mut a = uniform(rng, 0.0, std::f32::consts::TAU);
                let steps = (uniform(rng, 28.0, 40.0) * scale) as usize;
                for _ in 0..steps {
                    a += uniform(rng, -0.9, 0.9);
                    y = (y + a.sin()).clamp(1.0, s as f32 - 2.0);
                    x = (x + a.cos()).clamp(1.0, s as f32 - 2.0);
                    paint(y, x, 0.7 * scale, -depth);
                }
            }
            // Stain: a large, soft, faint blob of a few overlapping discs.
            3 => {
                let (cy, cx) = centre(rng, 16.0 * scale);
                for _ in 0..4 {
                    let r = uniform(rng, 5.0, 9.0) * scale;
                    let (dy, dx) = (
                        uniform(rng, -5.0, 5.0) * scale,
                        uniform(rng, -5.0, 5.0) * scale,
                    );
                    paint(cy + dy, cx + dx, r, -0.45 * depth);
                }
            }
            // Porosity: a cluster of small dark pores.
            4 => {
                let (cy, cx) = centre(rng, 14.0 * scale);
                let pores = 6 + (rng.next_u32() % 6) as usize;
                for _ in 0..pores {
                    let (dy, dx) = (
                        uniform(rng, -9.0, 9.0) * scale,
                        uniform(rng, -9.0, 9.0) * scale,
                    );
                    paint(cy + dy, cx + dx, uniform(rng, 0.9, 1.6) * scale, -depth);
                }
            }
            // Inclusion: a bright, compact particle.
            _ => {
                let (cy, cx) = centre(rng, 12.0 * scale);
                paint(cy, cx, uniform(rng, 2.5, 4.5) * scale, depth);
            }
        }
        // Lighting and exposure: brightness and contrast per crop.
        let brightness = uniform(rng, 0.3, 0.7);
        let contrast = uniform(rng, 0.6, 1.4);
        for (value, d) in surface.iter_mut().zip(&defect) {
            *value = brightness + contrast * (*value + d);
        }
        let colour = if self.colour {
            PART_COLOURS[(rng.next_u32() % PART_COLOURS.len() as u32) as usize]
        } else {
            [1.0; 3]
        };
        let channels = if self.colour { 3 } else { 1 };
        Array3::from_shape_fn((channels, s, s), |(ch, y, x)| {
            let v = surface[y * s + x];
            let tint = if self.colour { 1.6 * colour[ch] } else { 1.0 };
            (v * tint).clamp(0.0, 1.0)
        })
    }
}

/// A uniform `f32` in `[lo, hi)`.
fn uniform(rng: &mut ChaCha8Rng, lo: f32, hi: f32) -> f32 {
    lo + (hi - lo) * (rng.next_u32() >> 8) as f32 * (1.0 / (1u32 << 24) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crops_are_seeded_labelled_and_in_range() -> Result<()> {
        let spec = DefectCrops {
            per_kind: 3,
            size: 64,
            colour: false,
            seed: 1,
        };
        let set = spec.generate()?;
        assert_eq!(set.len(), 18);
        assert!(set.images().iter().all(|v| (0.0..=1.0).contains(v)));
        let other = DefectCrops { seed: 2, ..spec }.generate()?;
        assert_ne!(set.images(), other.images());
        // Brightness varies between crops far more than the defect changes a crop's mean.
        let means: Vec<f32> = set
            .images()
            .axis_iter(Axis(0))
            .map(|im| im.mean().unwrap_or(0.0))
            .collect();
        let spread = means.iter().cloned().fold(f32::MIN, f32::max)
            - means.iter().cloned().fold(f32::MAX, f32::min);
        assert!(spread > 0.15, "{means:?}");
        Ok(())
    }

    #[test]
    fn written_folders_load_back_with_their_kinds() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let spec = DefectCrops {
            per_kind: 2,
            size: 32,
            colour: true,
            seed: 3,
        };
        assert_eq!(spec.write(dir.path())?, 12);
        let options = crate::FolderOptions {
            labels_from_subfolders: true,
            ..crate::FolderOptions::default()
        };
        let back = crate::load_folder(dir.path(), &options)?;
        assert_eq!(back.len(), 12);
        assert_eq!(back.shape().channels, 3);
        let mut names = back.class_names().unwrap_or_default().to_vec();
        names.sort();
        let mut kinds: Vec<String> = DEFECT_KINDS.iter().map(|k| (*k).to_owned()).collect();
        kinds.sort();
        assert_eq!(names, kinds);
        Ok(())
    }
}
