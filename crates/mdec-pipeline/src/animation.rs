//! `plots/embedding.gif`: one scatter frame of the embeddings per target update. What each
//! frame shows is kept in the run folder's `frames/` as it happens, so a resumed run's
//! animation starts at the first update and `mdec report` can draw it again:
//!
//! - `frames/basis.npy`: the first update's embeddings (a regular subsample of at most
//!   [`MAX_POINTS`]), on which the 2-D PCA of every frame is fitted;
//! - `frames/update-NNNNNNNNN.npy`: per update at iteration N, `[m, 4]` `f32` rows of
//!   (x, y, cluster, label or -1), x and y in that PCA's plane.

use std::path::PathBuf;

use mdec_cluster::{IntervalRow, ObserverError, Update};
use mdec_viz::{Bounds, GifOptions, GifWriter, Projection, ScatterOptions};
use ndarray::{Array2, Axis, s};

use crate::error::{Error, Result};
use crate::layout::{RunLayout, write_npy};

/// The animation, relative to the run folder.
pub const GIF: &str = "plots/embedding.gif";

/// Points drawn per frame at most (a regular subsample of the data beyond that).
pub const MAX_POINTS: usize = 4000;
/// Side of each panel of a frame, in pixels.
const PANEL: u32 = 360;
/// How long each frame shows.
const FRAME_MS: u32 = 300;

const BASIS: &str = "basis.npy";

/// Keeps each update's frame data in `frames/` (see the module docs).
pub(crate) struct FrameRecorder {
    dir: PathBuf,
    labels: Option<Vec<usize>>,
    stride: usize,
    projection: Option<Projection>,
}

impl FrameRecorder {
    /// A recorder for `n` samples with known `labels`.
    pub(crate) fn new(layout: &RunLayout, n: usize, labels: Option<&[usize]>) -> Self {
        let stride = n.div_ceil(MAX_POINTS).max(1);
        Self {
            dir: layout.frames(),
            labels: labels.map(|l| l.iter().step_by(stride).copied().collect()),
            stride,
            projection: None,
        }
    }

    /// Records one update.
    pub(crate) fn record(&mut self, update: &Update<'_>) -> Result<(), ObserverError> {
        let all = update.embeddings_array()?; // [n, d]
        let shown: Vec<usize> = (0..all.nrows()).step_by(self.stride).collect();
        let zs = all.select(Axis(0), &shown); // [m, d]
        let projection = match self.projection.take() {
            Some(p) => p,
            None => {
                let basis_path = self.dir.join(BASIS);
                let basis: Array2<f32> = if basis_path.is_file() {
                    ndarray_npy::read_npy(&basis_path)
                        .map_err(|e| format!("{}: {e}", basis_path.display()))?
                } else {
                    write_npy(&basis_path, &zs)?;
                    zs.clone()
                };
                Projection::fit_pca(basis.view())?
            }
        };
        let points = projection.project(zs.view())?; // [m, 2]
        self.projection = Some(projection);
        let mut rows = Array2::<f32>::zeros((shown.len(), 4));
        rows.slice_mut(s![.., 0..2]).assign(&points);
        for (r, &i) in shown.iter().enumerate() {
            rows[[r, 2]] = update.clusters[i] as f32;
            rows[[r, 3]] = self.labels.as_ref().map_or(-1.0, |l| l[r] as f32);
        }
        write_npy(&self.dir.join(frame_name(update.row.iteration)), &rows)?;
        Ok(())
    }
}

fn frame_name(iteration: usize) -> String {
    format!("update-{iteration:09}.npy")
}

/// Draws `plots/embedding.gif` from `frames/`, one frame per row of the clustering table
/// that has one (axes fixed by the first frame); returns whether there was any frame.
///
/// # Errors
/// [`Error::Io`] for unreadable frame files, and the figure's errors.
pub(crate) fn draw_gif(layout: &RunLayout, rows: &[IntervalRow]) -> Result<bool> {
    let dir = layout.frames();
    let mut frames: Vec<(&IntervalRow, PathBuf)> = rows
        .iter()
        .map(|row| (row, dir.join(frame_name(row.iteration))))
        .filter(|(_, path)| path.is_file())
        .collect();
    frames.dedup_by_key(|(row, _)| row.iteration);
    let mut writer: Option<GifWriter> = None;
    let mut bounds = None;
    for (row, path) in &frames {
        let data: Array2<f32> = ndarray_npy::read_npy(path)
            .map_err(|e| Error::io(path, "cannot read the frame", std::io::Error::other(e)))?;
        if data.ncols() != 4 {
            return Err(Error::io(
                path,
                "not an animation frame",
                std::io::Error::other(format!("{} columns, expected 4", data.ncols())),
            ));
        }
        let points = data.slice(s![.., 0..2]);
        let bounds = match bounds {
            Some(b) => b,
            None => {
                // Room for the clusters to tighten and drift after the first frame.
                let b = Bounds::of(points)?;
                let (dx, dy) = (0.15 * (b.x_max - b.x_min), 0.15 * (b.y_max - b.y_min));
                *bounds.insert(Bounds {
                    x_min: b.x_min - dx,
                    x_max: b.x_max + dx,
                    y_min: b.y_min - dy,
                    y_max: b.y_max + dy,
                })
            }
        };
        let clusters: Vec<usize> = data.column(2).iter().map(|&c| c as usize).collect();
        let labels: Option<Vec<usize>> = data
            .column(3)
            .iter()
            .map(|&l| (l >= 0.0).then_some(l as usize))
            .collect();
        let title = match &row.scores {
            Some(s) => format!("iteration {}  ACC {:.3}", row.iteration, s.acc),
            None => format!("iteration {}", row.iteration),
        };
        let options = ScatterOptions {
            panel_size: PANEL,
            bounds: Some(bounds),
            point_radius: 1,
        };
        let image =
            mdec_viz::scatter_frame(points, &clusters, labels.as_deref(), &title, &options)?;
        let writer = match &mut writer {
            Some(w) => w,
            None => writer.insert(GifWriter::create(
                layout.join(GIF),
                image.width(),
                image.height(),
                &GifOptions {
                    frame_ms: FRAME_MS,
                    repeat: None,
                },
            )?),
        };
        writer.push_frame(&image)?;
    }
    match writer {
        Some(writer) => {
            writer.finish()?;
            Ok(true)
        }
        None => Ok(false),
    }
}
