//! `plots/embedding.gif`: one scatter frame of the embeddings (PCA fitted on the first
//! frame, axes fixed) per target-distribution update, streamed to the GIF as each update
//! happens, so no frame is held in memory.

use std::path::PathBuf;

use mdec_cluster::{ObserverError, Update, UpdateObserver};
use mdec_viz::{Bounds, GifOptions, GifWriter, Projection, ScatterOptions};
use ndarray::Axis;

/// The animation, relative to the run folder.
pub const GIF: &str = "plots/embedding.gif";

/// Points drawn per frame at most (a regular subsample of the data beyond that).
const MAX_POINTS: usize = 4000;
/// Side of each panel of a frame, in pixels.
const PANEL: u32 = 360;
/// How long each frame shows.
const FRAME_MS: u32 = 300;

/// Draws each update's embeddings into the GIF; [`EmbeddingAnimation::finish`] moves the
/// file into place.
pub struct EmbeddingAnimation {
    path: PathBuf,
    labels: Option<Vec<usize>>,
    stride: usize,
    projection: Option<(Projection, Bounds)>,
    writer: Option<GifWriter>,
}

impl EmbeddingAnimation {
    /// An animation of `n` samples with known `labels` (drawn as a second panel).
    pub fn new(path: PathBuf, n: usize, labels: Option<&[usize]>) -> Self {
        let stride = n.div_ceil(MAX_POINTS).max(1);
        Self {
            path,
            labels: labels.map(|l| l.iter().step_by(stride).copied().collect()),
            stride,
            projection: None,
            writer: None,
        }
    }

    /// Frames written so far.
    pub fn frames(&self) -> usize {
        self.writer.as_ref().map_or(0, GifWriter::frames)
    }

    /// Writes the GIF's trailer and moves it into place (nothing when no frame came).
    pub fn finish(self) -> anyhow::Result<()> {
        if let Some(writer) = self.writer {
            writer.finish()?;
        }
        Ok(())
    }

    fn frame(&mut self, update: &Update<'_>) -> Result<(), ObserverError> {
        let all = update.embeddings_array()?; // [n, d]
        let shown: Vec<usize> = (0..all.nrows()).step_by(self.stride).collect();
        let zs = all.select(Axis(0), &shown);
        let clusters: Vec<usize> = shown.iter().map(|&i| update.clusters[i]).collect();
        if self.projection.is_none() {
            let projection = Projection::fit_pca(zs.view())?;
            // Room for the clusters to tighten and drift after the first frame.
            let b = projection.bounds();
            let (dx, dy) = (0.15 * (b.x_max - b.x_min), 0.15 * (b.y_max - b.y_min));
            let bounds = Bounds {
                x_min: b.x_min - dx,
                x_max: b.x_max + dx,
                y_min: b.y_min - dy,
                y_max: b.y_max + dy,
            };
            self.projection = Some((projection, bounds));
        }
        let Some((projection, bounds)) = &self.projection else {
            return Ok(());
        };
        let points = projection.project(zs.view())?;
        let title = match &update.row.scores {
            Some(s) => format!("iteration {}  ACC {:.3}", update.row.iteration, s.acc),
            None => format!("iteration {}", update.row.iteration),
        };
        let options = ScatterOptions {
            panel_size: PANEL,
            bounds: Some(*bounds),
            point_radius: 1,
        };
        let image = mdec_viz::scatter_frame(
            points.view(),
            &clusters,
            self.labels.as_deref(),
            &title,
            &options,
        )?;
        if self.writer.is_none() {
            let options = GifOptions {
                frame_ms: FRAME_MS,
                repeat: None,
            };
            self.writer = Some(GifWriter::create(
                &self.path,
                image.width(),
                image.height(),
                &options,
            )?);
        }
        if let Some(writer) = self.writer.as_mut() {
            writer.push_frame(&image)?;
        }
        Ok(())
    }
}

impl UpdateObserver for EmbeddingAnimation {
    fn on_update(&mut self, update: &Update<'_>) -> Result<(), ObserverError> {
        self.frame(update)
    }
}
