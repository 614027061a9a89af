//! [`Summary`]: what `mdec data inspect` shows about a dataset.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::dataset::{Dataset, ImageShape};

/// Minimum, maximum, mean and standard deviation of all pixel values.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PixelStats {
    /// Smallest value.
    pub min: f32,
    /// Largest value.
    pub max: f32,
    /// Mean value.
    pub mean: f64,
    /// Population standard deviation.
    pub std: f64,
}

/// How many samples carry one label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassCount {
    /// The label.
    pub label: usize,
    /// Its class name, if known.
    pub name: Option<String>,
    /// Number of samples with this label.
    pub count: usize,
}

/// An overview of a dataset, built by [`Dataset::summary`].
///
/// `Display` gives a readable multi-line text; serde gives the same data as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Number of samples.
    pub count: usize,
    /// Shape of one image.
    pub shape: ImageShape,
    /// Per-class counts (every class from 0 to the number of classes), if labels are known.
    pub classes: Option<Vec<ClassCount>>,
    /// Pixel statistics over all values; `None` for an empty dataset.
    pub pixels: Option<PixelStats>,
    /// Per-channel means; empty for an empty dataset.
    pub channel_means: Vec<f64>,
}

impl Summary {
    pub(crate) fn of(ds: &Dataset) -> Summary {
        let shape = ds.shape();
        let images = ds.images();
        let mut min = f32::INFINITY;
        let mut max = f32::NEG_INFINITY;
        let mut sum = 0f64;
        let mut sum_sq = 0f64;
        let mut channel_sums = vec![0f64; shape.channels];
        // Iterate per image plane: rows are contiguous for standard-layout arrays.
        for sample in images.outer_iter() {
            for (c, plane) in sample.outer_iter().enumerate() {
                let mut plane_sum = 0f64;
                for &v in plane.iter() {
                    min = min.min(v);
                    max = max.max(v);
                    let v = f64::from(v);
                    plane_sum += v;
                    sum_sq += v * v;
                }
                sum += plane_sum;
                channel_sums[c] += plane_sum;
            }
        }
        let total = images.len();
        let (pixels, channel_means) = if total == 0 {
            (None, Vec::new())
        } else {
            let n = total as f64;
            let mean = sum / n;
            let var = (sum_sq / n - mean * mean).max(0.0);
            let per_channel = (total / shape.channels.max(1)) as f64;
            (
                Some(PixelStats {
                    min,
                    max,
                    mean,
                    std: var.sqrt(),
                }),
                channel_sums.iter().map(|s| s / per_channel).collect(),
            )
        };
        let classes = ds.labels().map(|labels| {
            let k = ds.num_classes().unwrap_or(0);
            let mut counts = vec![0usize; k];
            for &l in labels {
                if l >= counts.len() {
                    counts.resize(l + 1, 0);
                }
                counts[l] += 1;
            }
            counts
                .into_iter()
                .enumerate()
                .map(|(label, count)| ClassCount {
                    label,
                    name: ds.class_names().and_then(|n| n.get(label).cloned()),
                    count,
                })
                .collect()
        });
        Summary {
            count: ds.len(),
            shape,
            classes,
            pixels,
            channel_means,
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "samples:  {}", self.count)?;
        writeln!(f, "shape:    {} (channels×height×width)", self.shape)?;
        match &self.pixels {
            Some(p) => {
                writeln!(
                    f,
                    "pixels:   min {:.4}  max {:.4}  mean {:.4}  std {:.4}",
                    p.min, p.max, p.mean, p.std
                )?;
                if self.channel_means.len() > 1 {
                    let means: Vec<String> = self
                        .channel_means
                        .iter()
                        .map(|m| format!("{m:.4}"))
                        .collect();
                    writeln!(f, "channel means: {}", means.join("  "))?;
                }
            }
            None => writeln!(f, "pixels:   (none)")?,
        }
        match &self.classes {
            None => write!(f, "labels:   none")?,
            Some(classes) => {
                write!(f, "classes:  {}", classes.len())?;
                let width = classes
                    .iter()
                    .map(|c| c.name.as_deref().map_or(0, str::len))
                    .max()
                    .unwrap_or(0);
                for c in classes {
                    let share = if self.count == 0 {
                        0.0
                    } else {
                        100.0 * c.count as f64 / self.count as f64
                    };
                    let name = c.name.as_deref().unwrap_or("");
                    write!(
                        f,
                        "\n  {:>3}  {name:<width$}  {:>8}  ({share:5.1}%)",
                        c.label, c.count
                    )?;
                }
            }
        }
        Ok(())
    }
}
