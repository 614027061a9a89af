//! Confusion matrix heat map (clusters × classes, after Hungarian matching) and the
//! cluster-size bar chart.

use std::path::Path;

use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor;

use crate::error::{Error, Result, check_len};
use crate::output::{DrawError, FONT, Figure, render};
use crate::palette::{cluster_color, rgb};

struct Heatmap {
    counts: Vec<Vec<usize>>,
    rows: Vec<String>,
    cols: Vec<String>,
    cell: u32,
}

const LEFT: u32 = 110;
const TOP: u32 = 90;

impl Figure for Heatmap {
    fn size(&self) -> (u32, u32) {
        let w = LEFT + self.cell * self.cols.len() as u32 + 20;
        let h = TOP + self.cell * self.rows.len() as u32 + 20;
        (w.max(360), h)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError> {
        let c = self.cell as i32;
        let (left, top) = (LEFT as i32, TOP as i32);
        let centre = |size| {
            TextStyle::from((FONT, size).into_font()).pos(text_anchor::Pos::new(
                text_anchor::HPos::Center,
                text_anchor::VPos::Center,
            ))
        };
        let right = |size| {
            TextStyle::from((FONT, size).into_font()).pos(text_anchor::Pos::new(
                text_anchor::HPos::Right,
                text_anchor::VPos::Center,
            ))
        };
        root.draw_text(
            "Confusion matrix (row-normalised colour, counts in cells)",
            &TextStyle::from((FONT, 17).into_font()),
            (8, 8),
        )?;
        root.draw_text(
            "true class →",
            &TextStyle::from((FONT, 14).into_font()),
            (left, 38),
        )?;
        root.draw_text(
            "cluster ↓",
            &TextStyle::from((FONT, 14).into_font()),
            (8, top - 20),
        )?;
        let label_size = (self.cell as i32 / 3).clamp(9, 15);
        let show_counts = self.cell >= 28;
        for (j, name) in self.cols.iter().enumerate() {
            root.draw_text(
                name,
                &centre(label_size),
                (left + j as i32 * c + c / 2, top - 12),
            )?;
        }
        for (i, (name, row)) in self.rows.iter().zip(&self.counts).enumerate() {
            let y = top + i as i32 * c;
            root.draw_text(name, &right(label_size), (left - 8, y + c / 2))?;
            let total: usize = row.iter().sum();
            for (j, &n) in row.iter().enumerate() {
                let frac = if total > 0 {
                    n as f64 / total as f64
                } else {
                    0.0
                };
                let shade = |lo: f64, hi: f64| (lo + (hi - lo) * frac).round() as u8;
                let fill = RGBColor(shade(247.0, 8.0), shade(251.0, 48.0), shade(255.0, 107.0));
                let x = left + j as i32 * c;
                root.draw(&Rectangle::new([(x, y), (x + c, y + c)], fill.filled()))?;
                root.draw(&Rectangle::new(
                    [(x, y), (x + c, y + c)],
                    RGBColor(220, 220, 220),
                ))?;
                if show_counts {
                    let color = if frac > 0.5 { WHITE } else { BLACK };
                    root.draw_text(
                        &n.to_string(),
                        &centre(label_size).color(&color),
                        (x + c / 2, y + c / 2),
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// Heat map of a `[clusters, classes]` count matrix, already in the matched order (e.g.
/// rows permuted by the Hungarian assignment so the diagonal holds the matches).
///
/// Cell colour is the row-normalised fraction, cells show counts when large enough.
/// `row_labels` and `col_labels` name the rows and columns. Writes SVG when `path` ends in
/// `.svg`, PNG otherwise.
pub fn confusion_heatmap<S: AsRef<str>>(
    counts: ArrayView2<'_, usize>,
    row_labels: &[S],
    col_labels: &[S],
    path: impl AsRef<Path>,
) -> Result<()> {
    let (r, c) = counts.dim();
    if r == 0 || c == 0 {
        return Err(Error::Empty {
            what: "confusion counts".into(),
        });
    }
    check_len("confusion row labels", r, row_labels.len())?;
    check_len("confusion column labels", c, col_labels.len())?;
    let cell = (900 / r.max(c) as u32).clamp(8, 48);
    let fig = Heatmap {
        counts: counts.rows().into_iter().map(|row| row.to_vec()).collect(),
        rows: row_labels.iter().map(|s| s.as_ref().to_owned()).collect(),
        cols: col_labels.iter().map(|s| s.as_ref().to_owned()).collect(),
        cell,
    };
    render(&fig, path.as_ref())
}

struct Bars {
    sizes: Vec<usize>,
}

impl Figure for Bars {
    fn size(&self) -> (u32, u32) {
        ((200 + 36 * self.sizes.len() as u32).clamp(480, 1600), 420)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError> {
        let k = self.sizes.len();
        let max = self.sizes.iter().copied().max().unwrap_or(0).max(1) as f64;
        let mut chart = ChartBuilder::on(root)
            .caption("Cluster sizes", (FONT, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5..(k as f64 - 0.5), 0.0..max * 1.08)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(k.min(40))
            .x_label_formatter(&|x| {
                let r = x.round();
                if (x - r).abs() < 1e-6 {
                    format!("{r:.0}")
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| format!("{y:.0}"))
            .x_desc("cluster")
            .y_desc("samples")
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 15))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()?;
        chart.draw_series(self.sizes.iter().enumerate().map(|(i, &n)| {
            let x = i as f64;
            Rectangle::new(
                [(x - 0.4, 0.0), (x + 0.4, n as f64)],
                rgb(cluster_color(i)).filled(),
            )
        }))?;
        Ok(())
    }
}

/// Bar chart of cluster sizes: `sizes[k]` samples in cluster `k`. Writes SVG when `path`
/// ends in `.svg`, PNG otherwise.
pub fn cluster_sizes(sizes: &[usize], path: impl AsRef<Path>) -> Result<()> {
    if sizes.is_empty() {
        return Err(Error::Empty {
            what: "cluster sizes".into(),
        });
    }
    render(
        &Bars {
            sizes: sizes.to_vec(),
        },
        path.as_ref(),
    )
}
