//! `cargo xtask gen-parts --out DIR [--parts 40] [--size 256] [--seed 0]`: part images
//! with masked, boxed defects, for detection and for clustering defect crops cut by box.
//!
//! Each part is an 8-bit grayscale `size` × `size` image of a brushed-metal surface:
//! albedo 0.42–0.58 plus brushing streaks (12 sinusoids across a random brushing
//! direction, wavelengths 2–14 px, each 0.006–0.018, modulated along the brushing over
//! 40–200 px) and grain (white noise σ 0.02 plus value noise of 3 px, σ 0.015), under
//! uneven lighting: a level of 0.8–1.25 times a linear gradient of 20–70% across a random
//! direction times a vignette darkening by 10–40% towards the corners from a centre within
//! a quarter of the size of the middle. Each part carries 2–5 defects of random kinds
//! ([`DEFECT_KINDS`]), sizes scaled by `size / 256`:
//!
//! - `scratch`: a long (40–110 px), thin (radius 0.75–1.2 px), gently curved dark line;
//! - `spot`: a round blob (radius 2.5–8 px), dark or bright, rounded profile;
//! - `crack`: a jagged dark path of 2–4 px segments (50–100 px) with 1–2 branches;
//! - `dent`: a disc (radius 7–14 px) shaded bright on one side and dark on the other,
//!   with a dark rim;
//! - `stain`: a faint dark blotch of 3–5 overlapping discs (radius 4–11 px), each offset
//!   by 0.3–0.9 of the smallest radius from a common centre (so each contains it).
//!
//! Defects are drawn as discs with a one-pixel soft edge; a defect's mask is its pixels
//! of coverage at least ½. A candidate defect is redrawn until its whole footprint
//! (coverage above 0) lies at least [`MARGIN`] px inside the image and at least [`GAP`] px
//! from every other defect's footprint, and its mask is one 8-connected component; so
//! every mask component is exactly one defect.
//!
//! # Files (in `--out`, replaced whole)
//!
//! - `parts/part_NNN.png`: the images;
//! - `masks/part_NNN.png`: 255 on every defect pixel, 0 elsewhere;
//! - `boxes.csv`: `file,x,y,w,h,label`, one row per defect, the tight box of its mask;
//! - `coco.json`: the same as COCO detection annotations (ids from 1; `area` is the mask's
//!   pixel count; `segmentation` the mask as uncompressed column-major RLE).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Result, bail};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::synth::{
    index, normal, replace_generated, save_gray, save_json, stream, uniform, value_noise,
};

/// The defect kinds, in category order (COCO category id = index + 1).
pub const DEFECT_KINDS: [&str; 5] = ["scratch", "spot", "crack", "dent", "stain"];

/// Least distance of any defect pixel from the image edge, in pixels.
pub const MARGIN: usize = 6;

/// Least distance between two defects' footprints, in pixels.
pub const GAP: usize = 3;

/// Attempts to place one defect before giving up on it.
const ATTEMPTS: usize = 200;

/// Arguments of `cargo xtask gen-parts`.
#[derive(clap::Args, Debug)]
pub struct GenPartsArgs {
    /// The folder to write (replaced whole; refused if it holds other files).
    #[arg(long)]
    out: PathBuf,
    /// Part images to write.
    #[arg(long, default_value_t = 40)]
    parts: usize,
    /// Side of each square image, in pixels (at least 96).
    #[arg(long, default_value_t = 256)]
    size: usize,
    /// Seed of everything random.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

/// One generated part image.
pub struct Part {
    /// 8-bit pixels, `[size * size]`.
    pub pixels: Vec<u8>,
    /// The defects.
    pub defects: Vec<Defect>,
}

/// One defect of a part.
pub struct Defect {
    /// Index into [`DEFECT_KINDS`].
    pub kind: usize,
    /// Its mask pixels (row-major indices), ascending.
    pub pixels: Vec<usize>,
    /// Tight box of the mask, `[x, y, w, h]`.
    pub bbox: [usize; 4],
}

/// Generates `parts` parts of side `size` (see the module doc).
///
/// # Errors
/// No parts, a size under 96, or a defect that cannot be placed.
pub fn generate(parts: usize, size: usize, seed: u64) -> Result<Vec<Part>> {
    if parts == 0 {
        bail!("parts 0: expected at least 1");
    }
    if size < 96 {
        bail!("size {size}: expected at least 96");
    }
    (0..parts)
        .map(|i| part(&mut stream(seed, i as u64), size))
        .collect()
}

/// The 8-bit mask of a part: 255 on its defects' pixels.
pub fn mask(part: &Part, size: usize) -> Vec<u8> {
    let mut mask = vec![0u8; size * size];
    for defect in &part.defects {
        for &p in &defect.pixels {
            mask[p] = 255;
        }
    }
    mask
}

/// One part: surface, lighting, then 2–5 defects placed by rejection.
fn part(rng: &mut ChaCha8Rng, size: usize) -> Result<Part> {
    let (mut albedo, lighting) = surface(rng, size);
    let mut occupied = vec![false; size * size];
    let mut defects = Vec::new();
    let wanted = 2 + index(rng, 4);
    for _ in 0..wanted {
        let kind = index(rng, DEFECT_KINDS.len());
        let Some((stamp, defect)) = (0..ATTEMPTS).find_map(|_| {
            let stamp = draw(kind, rng, size);
            place(&stamp, kind, &occupied, size).map(|d| (stamp, d))
        }) else {
            bail!(
                "cannot place a {} in a {size} px part; use a larger size",
                DEFECT_KINDS[kind]
            );
        };
        // Claim the footprint grown by GAP, so later defects keep their distance.
        for (p, _) in stamp.cov.iter().enumerate().filter(|(_, c)| **c > 0.0) {
            let (x, y) = (p % size, p / size);
            for yy in y.saturating_sub(GAP)..=(y + GAP).min(size - 1) {
                for xx in x.saturating_sub(GAP)..=(x + GAP).min(size - 1) {
                    occupied[yy * size + xx] = true;
                }
            }
        }
        for (a, d) in albedo.iter_mut().zip(&stamp.delta) {
            *a += d;
        }
        defects.push(defect);
    }
    let pixels = albedo
        .iter()
        .zip(&lighting)
        .map(|(a, l)| ((a * l).clamp(0.0, 1.0) * 255.0).round() as u8)
        .collect();
    Ok(Part { pixels, defects })
}

/// The part's albedo (surface texture) and lighting, each `[size * size]`.
fn surface(rng: &mut ChaCha8Rng, size: usize) -> (Vec<f32>, Vec<f32>) {
    use std::f32::consts::{PI, TAU};
    let side = size as f32;
    let base = uniform(rng, 0.42, 0.58);
    let brushing = uniform(rng, 0.0, PI);
    let (bc, bs) = (brushing.cos(), brushing.sin());
    // (wavelength, amplitude, phase, modulation period, modulation phase)
    let streaks: Vec<[f32; 5]> = (0..12)
        .map(|_| {
            [
                uniform(rng, 2.0, 14.0),
                uniform(rng, 0.006, 0.018),
                uniform(rng, 0.0, TAU),
                uniform(rng, 40.0, 200.0),
                uniform(rng, 0.0, TAU),
            ]
        })
        .collect();
    let grain = value_noise(rng, size, size, 3.0);
    let albedo = (0..size * size)
        .map(|p| {
            let (x, y) = ((p % size) as f32, (p / size) as f32);
            let (across, along) = (y * bc - x * bs, x * bc + y * bs);
            let brushed: f32 = streaks
                .iter()
                .map(|[wave, amp, phase, period, mphase]| {
                    amp * (TAU * across / wave + phase).sin()
                        * (1.0 + 0.5 * (TAU * along / period + mphase).sin())
                })
                .sum();
            base + brushed + 0.015 * grain[p] + 0.02 * normal(rng)
        })
        .collect();
    let level = uniform(rng, 0.8, 1.25);
    let gradient = uniform(rng, 0.2, 0.7);
    let light = uniform(rng, 0.0, TAU);
    let (lc, ls) = (light.cos(), light.sin());
    let span = (lc.abs() + ls.abs()) * side;
    let vignette = uniform(rng, 0.1, 0.4);
    let (vx, vy) = (
        side * uniform(rng, 0.25, 0.75),
        side * uniform(rng, 0.25, 0.75),
    );
    let corner = (2.0f32).sqrt() * side;
    let lighting = (0..size * size)
        .map(|p| {
            let (x, y) = ((p % size) as f32, (p / size) as f32);
            let t = ((x - side / 2.0) * lc + (y - side / 2.0) * ls) / span;
            let r2 = ((x - vx).powi(2) + (y - vy).powi(2)) / (corner * corner);
            level * (1.0 + gradient * t) * (1.0 - vignette * r2 * 2.0).max(0.2)
        })
        .collect();
    (albedo, lighting)
}

/// One drawn defect: coverage and albedo change per pixel.
struct Stamp {
    size: usize,
    cov: Vec<f32>,
    delta: Vec<f32>,
}

impl Stamp {
    fn new(size: usize) -> Self {
        Self {
            size,
            cov: vec![0.0; size * size],
            delta: vec![0.0; size * size],
        }
    }

    /// Paints a disc at `(x, y)` of radius `r` with a one-pixel soft edge; `value(dx, dy)`
    /// is the albedo change at offset `(dx, dy)` from the centre. The strongest change
    /// drawn on a pixel wins.
    fn disc(&mut self, x: f32, y: f32, r: f32, value: impl Fn(f32, f32) -> f32) {
        let s = self.size as f32;
        let reach = r + 0.5;
        let (x0, x1) = (
            (x - reach).floor().max(0.0),
            (x + reach).ceil().min(s - 1.0),
        );
        let (y0, y1) = (
            (y - reach).floor().max(0.0),
            (y + reach).ceil().min(s - 1.0),
        );
        if x1 < x0 || y1 < y0 {
            return;
        }
        for yy in y0 as usize..=y1 as usize {
            for xx in x0 as usize..=x1 as usize {
                let (dx, dy) = (xx as f32 - x, yy as f32 - y);
                let w = (reach - (dx * dx + dy * dy).sqrt()).clamp(0.0, 1.0);
                if w <= 0.0 {
                    continue;
                }
                let p = yy * self.size + xx;
                self.cov[p] = self.cov[p].max(w);
                let v = value(dx, dy) * w;
                if v.abs() > self.delta[p].abs() {
                    self.delta[p] = v;
                }
            }
        }
    }

    /// Paints a path of discs of radius `r` from `from` along `angle` for `length` px,
    /// every half pixel; returns the end point.
    fn line(
        &mut self,
        from: (f32, f32),
        angle: f32,
        length: f32,
        r: f32,
        value: f32,
    ) -> (f32, f32) {
        let steps = (2.0 * length).ceil().max(1.0) as usize;
        let (dx, dy) = (angle.cos() * 0.5, angle.sin() * 0.5);
        let (mut x, mut y) = from;
        self.disc(x, y, r, |_, _| value);
        for _ in 0..steps {
            x += dx;
            y += dy;
            self.disc(x, y, r, |_, _| value);
        }
        (x, y)
    }
}

/// Draws one defect of `kind` at a random place (see the module doc).
fn draw(kind: usize, rng: &mut ChaCha8Rng, size: usize) -> Stamp {
    use std::f32::consts::{PI, TAU};
    let k = size as f32 / 256.0;
    let side = size as f32;
    let mut stamp = Stamp::new(size);
    // A centre that leaves room for `reach` px around it where the image allows.
    let centre = |rng: &mut ChaCha8Rng, reach: f32| {
        let lo = (MARGIN as f32 + reach).min(side / 2.0);
        (uniform(rng, lo, side - lo), uniform(rng, lo, side - lo))
    };
    match kind {
        // Scratch: long, thin, gently curved, dark.
        0 => {
            let length = uniform(rng, 40.0, 110.0) * k;
            let r = (uniform(rng, 0.75, 1.2) * k).max(0.75);
            let depth = -uniform(rng, 0.2, 0.32);
            let (cx, cy) = centre(rng, length / 2.0);
            let mut angle = uniform(rng, 0.0, PI);
            let bend = uniform(rng, -0.004, 0.004) / k;
            let mut at = (
                cx - angle.cos() * length / 2.0,
                cy - angle.sin() * length / 2.0,
            );
            for _ in 0..(length / 2.0).ceil() as usize {
                at = stamp.line(at, angle, 2.0, r, depth);
                angle += 2.0 * bend;
            }
        }
        // Spot: a round blob, dark or bright, with a rounded profile.
        1 => {
            let r = uniform(rng, 2.5, 8.0) * k;
            let sign = if index(rng, 2) == 0 { -1.0 } else { 1.0 };
            let depth = sign * uniform(rng, 0.15, 0.3);
            let (cx, cy) = centre(rng, r + 1.0);
            stamp.disc(cx, cy, r.max(0.75), |dx, dy| {
                depth * (1.0 - 0.5 * (dx * dx + dy * dy) / (r * r)).max(0.5)
            });
        }
        // Crack: jagged segments about one direction, with 1–2 branches.
        2 => {
            let length = uniform(rng, 50.0, 100.0) * k;
            let r = (0.8 * k).max(0.75);
            let depth = -uniform(rng, 0.25, 0.4);
            let heading = uniform(rng, 0.0, TAU);
            let (cx, cy) = centre(rng, length / 2.0);
            let start = (
                cx - heading.cos() * length / 2.0,
                cy - heading.sin() * length / 2.0,
            );
            let mut path = vec![start];
            let jagged = |stamp: &mut Stamp,
                          rng: &mut ChaCha8Rng,
                          from: (f32, f32),
                          heading: f32,
                          length: f32,
                          path: &mut Vec<(f32, f32)>| {
                let (mut at, mut walked) = (from, 0.0);
                while walked < length {
                    let step = uniform(rng, 2.0, 4.0) * k.max(0.5);
                    at = stamp.line(at, heading + uniform(rng, -0.9, 0.9), step, r, depth);
                    path.push(at);
                    walked += step;
                }
            };
            jagged(&mut stamp, rng, start, heading, length, &mut path);
            let branches = 1 + index(rng, 2);
            let trunk = path.len();
            for _ in 0..branches {
                let from = path[trunk / 5 + index(rng, (3 * trunk / 5).max(1))];
                let sign = if index(rng, 2) == 0 { -1.0 } else { 1.0 };
                let turn = heading + sign * uniform(rng, 0.5, 1.2);
                let reach = uniform(rng, 0.25, 0.5) * length;
                jagged(&mut stamp, rng, from, turn, reach, &mut path);
            }
        }
        // Dent: a disc shaded bright towards the light and dark away from it, dark rim.
        3 => {
            let r = uniform(rng, 7.0, 14.0) * k;
            let depth = uniform(rng, 0.15, 0.25);
            let light = uniform(rng, 0.0, TAU);
            let (lx, ly) = (light.cos(), light.sin());
            let (cx, cy) = centre(rng, r + 1.0);
            stamp.disc(cx, cy, r, |dx, dy| {
                let u = (dx * dx + dy * dy).sqrt() / r;
                let shade = 0.9 * depth * (dx * lx + dy * ly) / r;
                if u > 0.8 { -0.7 * depth } else { shade }
            });
        }
        // Stain: a faint blotch of overlapping discs, each containing the centre.
        _ => {
            let depth = -uniform(rng, 0.08, 0.14);
            let radii: Vec<f32> = (0..3 + index(rng, 3))
                .map(|_| uniform(rng, 4.0, 11.0) * k)
                .collect();
            let smallest = radii.iter().cloned().fold(f32::MAX, f32::min);
            let largest = radii.iter().cloned().fold(0.0, f32::max);
            let (cx, cy) = centre(rng, largest + 0.9 * smallest + 1.0);
            for r in radii {
                let a = uniform(rng, 0.0, TAU);
                let off = uniform(rng, 0.3, 0.9) * smallest;
                stamp.disc(cx + off * a.cos(), cy + off * a.sin(), r, |_, _| depth);
            }
        }
    }
    stamp
}

/// The defect `stamp` draws, if it fits: its footprint inside the margin and clear of
/// `occupied`, its mask non-empty and one 8-connected component.
fn place(stamp: &Stamp, kind: usize, occupied: &[bool], size: usize) -> Option<Defect> {
    let inside = MARGIN..size - MARGIN;
    let mut pixels = Vec::new();
    for (p, &c) in stamp.cov.iter().enumerate() {
        if c <= 0.0 {
            continue;
        }
        if occupied[p] || !inside.contains(&(p % size)) || !inside.contains(&(p / size)) {
            return None;
        }
        if c >= 0.5 {
            pixels.push(p);
        }
    }
    if pixels.is_empty() || components(&pixels, size).len() != 1 {
        return None;
    }
    let bbox = bounding_box(&pixels, size);
    Some(Defect { kind, pixels, bbox })
}

/// The 8-connected components of the pixel set `pixels` (row-major indices), each as its
/// pixels.
pub fn components(pixels: &[usize], size: usize) -> Vec<Vec<usize>> {
    let set: std::collections::BTreeSet<usize> = pixels.iter().copied().collect();
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for &start in &set {
        if !seen.insert(start) {
            continue;
        }
        let (mut stack, mut component) = (vec![start], Vec::new());
        while let Some(p) = stack.pop() {
            component.push(p);
            let (x, y) = (p % size, p / size);
            for yy in y.saturating_sub(1)..=(y + 1).min(size - 1) {
                for xx in x.saturating_sub(1)..=(x + 1).min(size - 1) {
                    let q = yy * size + xx;
                    if set.contains(&q) && seen.insert(q) {
                        stack.push(q);
                    }
                }
            }
        }
        component.sort_unstable();
        out.push(component);
    }
    out
}

/// The tight box `[x, y, w, h]` of non-empty `pixels`.
fn bounding_box(pixels: &[usize], size: usize) -> [usize; 4] {
    let (mut x0, mut y0, mut x1, mut y1) = (usize::MAX, usize::MAX, 0, 0);
    for &p in pixels {
        let (x, y) = (p % size, p / size);
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    [x0, y0, x1 - x0 + 1, y1 - y0 + 1]
}

/// The mask `pixels` as COCO uncompressed RLE counts: column-major runs, starting with
/// a (possibly empty) run of zeros.
fn rle(pixels: &[usize], size: usize) -> Vec<usize> {
    let mut on = vec![false; size * size];
    for &p in pixels {
        on[(p % size) * size + p / size] = true;
    }
    let mut counts = Vec::new();
    let (mut current, mut run) = (false, 0);
    for v in on {
        if v != current {
            counts.push(run);
            (current, run) = (v, 0);
        }
        run += 1;
    }
    counts.push(run);
    counts
}

/// The file name of part `i`.
fn file_name(i: usize) -> String {
    format!("part_{i:03}.png")
}

/// Writes the parts' files into `dir` (see the module doc).
fn write(parts: &[Part], size: usize, seed: u64, dir: &Path) -> Result<()> {
    let (images, masks) = (dir.join("parts"), dir.join("masks"));
    std::fs::create_dir_all(&images)?;
    std::fs::create_dir_all(&masks)?;
    let mut csv = String::from("file,x,y,w,h,label\n");
    let mut annotations = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let name = file_name(i);
        save_gray(&images.join(&name), size, size, part.pixels.clone())?;
        save_gray(&masks.join(&name), size, size, mask(part, size))?;
        for defect in &part.defects {
            let [x, y, w, h] = defect.bbox;
            let label = DEFECT_KINDS[defect.kind];
            writeln!(csv, "{name},{x},{y},{w},{h},{label}")?;
            annotations.push(json!({
                "id": annotations.len() + 1,
                "image_id": i + 1,
                "category_id": defect.kind + 1,
                "bbox": defect.bbox,
                "area": defect.pixels.len(),
                "iscrowd": 0,
                "segmentation": {"size": [size, size], "counts": rle(&defect.pixels, size)},
            }));
        }
    }
    std::fs::write(dir.join("boxes.csv"), csv)?;
    let images: Vec<_> = (0..parts.len())
        .map(|i| json!({"id": i + 1, "file_name": file_name(i), "width": size, "height": size}))
        .collect();
    let categories: Vec<_> = DEFECT_KINDS
        .iter()
        .enumerate()
        .map(|(k, name)| json!({"id": k + 1, "name": name, "supercategory": "defect"}))
        .collect();
    let coco = json!({
        "info": {
            "description": "mdec synthetic part images with defects (cargo xtask gen-parts)",
            "seed": seed,
        },
        "images": images,
        "annotations": annotations,
        "categories": categories,
    });
    save_json(&dir.join("coco.json"), &coco)
}

/// Runs `cargo xtask gen-parts`.
pub fn run(args: &GenPartsArgs) -> Result<()> {
    let start = Instant::now();
    let parts = generate(args.parts, args.size, args.seed)?;
    let generated = start.elapsed().as_secs_f32();
    replace_generated(&args.out, "boxes.csv", |tmp| {
        write(&parts, args.size, args.seed, tmp)
    })?;
    let total = start.elapsed().as_secs_f32();
    let defects: usize = parts.iter().map(|p| p.defects.len()).sum();
    println!(
        "{}: {} parts of {s} x {s}, {defects} defects, seed {} \
         (generated in {generated:.2} s, written in {:.2} s)",
        args.out.display(),
        parts.len(),
        args.seed,
        total - generated,
        s = args.size,
    );
    for (k, name) in DEFECT_KINDS.iter().enumerate() {
        let areas: Vec<usize> = parts
            .iter()
            .flat_map(|p| &p.defects)
            .filter(|d| d.kind == k)
            .map(|d| d.pixels.len())
            .collect();
        let mean = areas.iter().sum::<usize>() as f32 / areas.len().max(1) as f32;
        println!(
            "  {name:<8} {:>4} defects, mean mask area {mean:.0} px",
            areas.len()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_components_match_the_csv_rows() -> Result<()> {
        let tmp = tempfile::tempdir()?;
        let (size, count) = (128, 8);
        let parts = generate(count, size, 4)?;
        write(&parts, size, 4, tmp.path())?;
        let csv = std::fs::read_to_string(tmp.path().join("boxes.csv"))?;
        let rows: Vec<Vec<&str>> = csv
            .lines()
            .skip(1)
            .map(|l| l.split(',').collect())
            .collect();
        for i in 0..count {
            let name = file_name(i);
            let mask = image::open(tmp.path().join("masks").join(&name))?.to_luma8();
            assert_eq!(mask.dimensions(), (size as u32, size as u32));
            let on: Vec<usize> = mask
                .as_raw()
                .iter()
                .enumerate()
                .filter(|(_, v)| **v == 255)
                .map(|(p, _)| p)
                .collect();
            assert!(mask.as_raw().iter().all(|v| *v == 0 || *v == 255));
            let mut boxes: Vec<[usize; 4]> = components(&on, size)
                .iter()
                .map(|c| bounding_box(c, size))
                .collect();
            let mut listed: Vec<[usize; 4]> = rows
                .iter()
                .filter(|r| r[0] == name)
                .map(|r| std::array::from_fn(|j| r[1 + j].parse().unwrap_or(usize::MAX)))
                .collect();
            assert!((2..=5).contains(&listed.len()), "{name}: {}", listed.len());
            boxes.sort_unstable();
            listed.sort_unstable();
            assert_eq!(boxes, listed, "{name}");
            for [x, y, w, h] in listed {
                assert!(x >= MARGIN && y >= MARGIN);
                assert!(x + w <= size - MARGIN && y + h <= size - MARGIN);
            }
        }
        let coco: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(tmp.path().join("coco.json"))?)?;
        assert_eq!(
            coco["annotations"].as_array().map(Vec::len),
            Some(rows.len())
        );
        assert_eq!(coco["images"].as_array().map(Vec::len), Some(count));
        Ok(())
    }

    #[test]
    fn parts_are_seeded() -> Result<()> {
        let a = generate(3, 96, 9)?;
        let b = generate(3, 96, 9)?;
        let c = generate(3, 96, 10)?;
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.pixels, y.pixels);
            assert_eq!(mask(x, 96), mask(y, 96));
        }
        assert_ne!(a[0].pixels, c[0].pixels);
        assert!(generate(0, 96, 0).is_err() && generate(1, 64, 0).is_err());
        Ok(())
    }

    #[test]
    fn rle_counts_cover_the_image_column_major() {
        // A 4 x 4 image with pixels (x 1, y 0) and (x 1, y 1): column 1, rows 0–1.
        let counts = rle(&[1, 5], 4);
        assert_eq!(counts, [4, 2, 10]);
        assert_eq!(counts.iter().sum::<usize>(), 16);
        assert_eq!(components(&[0, 5, 15], 4).len(), 2);
        assert_eq!(bounding_box(&[5, 14], 4), [1, 1, 2, 3]);
    }
}
