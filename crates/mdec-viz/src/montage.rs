//! Cluster montages: per cluster, its most confident samples and a few of its least
//! confident ones; and one overview sheet with a row per cluster.

use std::path::{Path, PathBuf};

use ndarray::ArrayView4;
use plotters::prelude::*;

use crate::error::{Error, Result, check_finite, check_len};
use crate::output::{FONT, RgbImage, ensure_font};
use crate::palette::{cluster_color, rgb};
use crate::tiles::{check_images, paste, scale_for};

/// What goes into each per-cluster montage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MontageOptions {
    /// Most confident samples shown; default 30.
    pub most: usize,
    /// Least confident samples shown underneath; default 10.
    pub least: usize,
    /// Tiles per row; default 10.
    pub columns: usize,
}

impl Default for MontageOptions {
    fn default() -> Self {
        Self {
            most: 30,
            least: 10,
            columns: 10,
        }
    }
}

const GAP: usize = 3;
const HEADER: usize = 34;

/// Sample indices of each cluster `0..=max(assignments)`, most confident first.
fn ranked(
    images: &ArrayView4<'_, f32>,
    assignments: &[usize],
    confidence: &[f32],
) -> Result<Vec<Vec<usize>>> {
    check_images("montage images", images)?;
    let n = images.dim().0;
    check_len("cluster assignments", n, assignments.len())?;
    check_len("confidence", n, confidence.len())?;
    check_finite("confidence", confidence.iter().copied())?;
    let k = assignments.iter().copied().max().map_or(0, |m| m + 1);
    let mut clusters = vec![Vec::new(); k];
    for (i, &a) in assignments.iter().enumerate() {
        clusters[a].push(i);
    }
    for members in &mut clusters {
        members.sort_by(|&a, &b| confidence[b].total_cmp(&confidence[a]).then(a.cmp(&b)));
    }
    Ok(clusters)
}

fn text(img: &mut RgbImage, lines: &[(&str, i32, i32, u32, [u8; 3])], path: &Path) -> Result<()> {
    let draw_err = |e: DrawingAreaErrorKind<_>| Error::Draw {
        path: path.to_owned(),
        message: e.to_string(),
    };
    let root = img.area();
    for &(s, x, y, size, color) in lines {
        let color = rgb(color);
        let style = TextStyle::from((FONT, size).into_font()).color(&color);
        root.draw_text(s, &style, (x, y)).map_err(draw_err)?;
    }
    root.present().map_err(draw_err)
}

/// Writes `cluster_00.png`, `cluster_01.png`, ... into `out_dir` (created if missing): for
/// each non-empty cluster its `most` most confident samples, then its `least` least
/// confident ones. Returns the written paths in cluster order.
///
/// `images` is `[n, c, h, w]` (c = 1 or 3, values in [0, 1]); `assignments[i]` is sample
/// `i`'s cluster and `confidence[i]` its confidence (e.g. the max of its row of q).
pub fn cluster_montages(
    images: ArrayView4<'_, f32>,
    assignments: &[usize],
    confidence: &[f32],
    out_dir: impl AsRef<Path>,
    options: &MontageOptions,
) -> Result<Vec<PathBuf>> {
    if options.columns == 0 || options.most == 0 {
        return Err(Error::InvalidParam {
            name: "columns/most",
            value: format!("{}/{}", options.columns, options.most),
            reason: "must be at least 1",
        });
    }
    let clusters = ranked(&images, assignments, confidence)?;
    ensure_font()?;
    let out_dir = out_dir.as_ref();
    std::fs::create_dir_all(out_dir).map_err(|source| Error::Io {
        path: out_dir.to_owned(),
        source,
    })?;
    let (_, _, h, w) = images.dim();
    let scale = scale_for(h, w, 48);
    let (th, tw) = (h * scale, w * scale);
    let cols = options.columns;
    let mut written = Vec::new();
    for (k, members) in clusters.iter().enumerate() {
        if members.is_empty() {
            continue;
        }
        let top: Vec<usize> = members.iter().copied().take(options.most).collect();
        // Least confident, excluding those already shown on top.
        let rest = members.len() - top.len();
        let bottom: Vec<usize> = members
            .iter()
            .rev()
            .copied()
            .take(options.least.min(rest))
            .collect();
        let top_rows = top.len().div_ceil(cols);
        let bottom_rows = bottom.len().div_ceil(cols);
        let width = GAP + cols.min(members.len()).max(4) * (tw + GAP);
        let mut height = HEADER + top_rows * (th + GAP) + GAP;
        if bottom_rows > 0 {
            height += HEADER + bottom_rows * (th + GAP);
        }
        let mut img = RgbImage::new(width.max(320) as u32, height as u32, [255; 3])?;
        for (j, &i) in top.iter().enumerate() {
            paste(
                &mut img,
                &images,
                i,
                GAP + (j % cols) * (tw + GAP),
                HEADER + (j / cols) * (th + GAP),
                scale,
            );
        }
        let y_bottom = HEADER + top_rows * (th + GAP) + GAP;
        for (j, &i) in bottom.iter().enumerate() {
            let y = y_bottom + HEADER + (j / cols) * (th + GAP);
            paste(
                &mut img,
                &images,
                i,
                GAP + (j % cols) * (tw + GAP),
                y,
                scale,
            );
        }
        let path = out_dir.join(format!("cluster_{k:02}.png"));
        let title = format!("cluster {k}: {} samples, most confident", members.len());
        let mut lines = vec![(title.as_str(), 6, 8, 18, cluster_color(k))];
        if !bottom.is_empty() {
            lines.push((
                "least confident",
                6,
                (y_bottom + 8) as i32,
                16,
                [90, 90, 90],
            ));
        }
        text(&mut img, &lines, &path)?;
        img.save_png(&path)?;
        written.push(path);
    }
    Ok(written)
}

/// Writes one PNG with a row per cluster `0..=max(assignments)`: the cluster id and size on
/// the left, then its `per_cluster` most confident samples (empty clusters stay blank).
pub fn overview_sheet(
    images: ArrayView4<'_, f32>,
    assignments: &[usize],
    confidence: &[f32],
    per_cluster: usize,
    path: impl AsRef<Path>,
) -> Result<()> {
    if per_cluster == 0 {
        return Err(Error::InvalidParam {
            name: "per_cluster",
            value: "0".into(),
            reason: "must be at least 1",
        });
    }
    let clusters = ranked(&images, assignments, confidence)?;
    ensure_font()?;
    let path = path.as_ref();
    let (_, _, h, w) = images.dim();
    let scale = scale_for(h, w, 40);
    let (th, tw) = (h * scale, w * scale);
    let label_w = 110;
    let width = label_w + per_cluster * (tw + GAP) + GAP;
    let height = HEADER + clusters.len() * (th + GAP) + GAP;
    let mut img = RgbImage::new(width as u32, height as u32, [255; 3])?;
    let labels: Vec<String> = clusters
        .iter()
        .enumerate()
        .map(|(k, m)| format!("{k} ({})", m.len()))
        .collect();
    for (k, members) in clusters.iter().enumerate() {
        for (j, &i) in members.iter().take(per_cluster).enumerate() {
            paste(
                &mut img,
                &images,
                i,
                label_w + j * (tw + GAP),
                HEADER + k * (th + GAP),
                scale,
            );
        }
    }
    let mut lines = vec![(
        "clusters (size): most confident samples",
        6,
        8,
        18,
        [0, 0, 0],
    )];
    for (k, label) in labels.iter().enumerate() {
        let y = (HEADER + k * (th + GAP) + th / 2) as i32 - 8;
        lines.push((label.as_str(), 8, y, 16, cluster_color(k)));
    }
    text(&mut img, &lines, path)?;
    img.save_png(path)
}
