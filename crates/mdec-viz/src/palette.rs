//! Fixed colours: cluster colours shared by every figure and the 256-entry GIF palette
//! with its nearest-colour lookup table (no per-frame quantiser).

use std::sync::OnceLock;

use plotters::style::RGBColor;

/// Twenty distinguishable cluster colours (matplotlib's tab10 followed by its light tab20
/// partners); cluster `k` uses entry `k % 20`.
pub const CLUSTER_COLORS: [[u8; 3]; 20] = [
    [31, 119, 180],
    [255, 127, 14],
    [44, 160, 44],
    [214, 39, 40],
    [148, 103, 189],
    [140, 86, 75],
    [227, 119, 194],
    [127, 127, 127],
    [188, 189, 34],
    [23, 190, 207],
    [174, 199, 232],
    [255, 187, 120],
    [152, 223, 138],
    [255, 152, 150],
    [197, 176, 213],
    [196, 156, 148],
    [247, 182, 210],
    [199, 199, 199],
    [219, 219, 141],
    [158, 218, 229],
];

/// The colour of cluster (or class) `k`.
pub fn cluster_color(k: usize) -> [u8; 3] {
    CLUSTER_COLORS[k % CLUSTER_COLORS.len()]
}

pub(crate) fn rgb(c: [u8; 3]) -> RGBColor {
    RGBColor(c[0], c[1], c[2])
}

/// The GIF palette: the 20 cluster colours, 20 greys, then a 6×6×6 colour cube (256 in all).
pub(crate) fn gif_palette() -> &'static [[u8; 3]] {
    static PALETTE: OnceLock<Vec<[u8; 3]>> = OnceLock::new();
    PALETTE.get_or_init(|| {
        let mut p: Vec<[u8; 3]> = CLUSTER_COLORS.to_vec();
        for i in 0..20u32 {
            let v = (i * 255 / 19) as u8;
            p.push([v, v, v]);
        }
        for r in 0..6u8 {
            for g in 0..6u8 {
                for b in 0..6u8 {
                    p.push([r * 51, g * 51, b * 51]);
                }
            }
        }
        p
    })
}

const BITS: u32 = 5;

/// Lookup table from a colour quantised to 5 bits per channel to its nearest palette entry;
/// each palette colour maps exactly to itself.
fn lut() -> &'static [u8] {
    static LUT: OnceLock<Vec<u8>> = OnceLock::new();
    LUT.get_or_init(|| {
        let palette = gif_palette();
        let side = 1usize << BITS;
        let step = 256 / side as i32;
        let mut lut = vec![0u8; side * side * side];
        for (bin, slot) in lut.iter_mut().enumerate() {
            let centre = |shift: u32| ((bin >> shift) & (side - 1)) as i32 * step + step / 2;
            let (r, g, b) = (centre(2 * BITS), centre(BITS), centre(0));
            let mut best = (i32::MAX, 0usize);
            for (i, c) in palette.iter().enumerate() {
                let d =
                    (r - c[0] as i32).pow(2) + (g - c[1] as i32).pow(2) + (b - c[2] as i32).pow(2);
                if d < best.0 {
                    best = (d, i);
                }
            }
            *slot = best.1 as u8;
        }
        // Exact colours first: every palette colour's own bin points at it (cluster colours
        // and greys win over cube colours because they are written last).
        for (i, c) in palette.iter().enumerate().rev() {
            lut[bin_of(*c)] = i as u8;
        }
        lut
    })
}

fn bin_of(c: [u8; 3]) -> usize {
    let s = 8 - BITS;
    ((c[0] as usize >> s) << (2 * BITS)) | ((c[1] as usize >> s) << BITS) | (c[2] as usize >> s)
}

/// Maps an RGB buffer onto GIF palette indices.
pub(crate) fn index_pixels(rgb: &[u8], out: &mut Vec<u8>) {
    let lut = lut();
    out.clear();
    out.extend(rgb.chunks_exact(3).map(|p| lut[bin_of([p[0], p[1], p[2]])]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_colours_map_to_themselves() {
        let p = gif_palette();
        assert_eq!(p.len(), 256);
        let mut idx = Vec::new();
        for &c in &CLUSTER_COLORS {
            index_pixels(&c, &mut idx);
            assert_eq!(p[idx[0] as usize], c);
        }
        index_pixels(&[255, 255, 255, 0, 0, 0], &mut idx);
        assert_eq!(p[idx[0] as usize], [255, 255, 255]);
        assert_eq!(p[idx[1] as usize], [0, 0, 0]);
    }
}
