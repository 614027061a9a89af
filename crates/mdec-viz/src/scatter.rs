//! Embedding scatter frames (MDEC figure 4, the DEC report's t-SNE view): projected points
//! coloured by cluster, and a second panel coloured by true label when known.

use ndarray::ArrayView2;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor;

use crate::error::{Error, Result, check_len};
use crate::output::{FONT, RgbImage, ensure_font};
use crate::palette::{cluster_color, rgb};
use crate::projection::{Bounds, check_embeddings};

/// Layout of a scatter frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScatterOptions {
    /// Side of each square panel in pixels; default 560.
    pub panel_size: u32,
    /// Fixed axes; `None` fits the frame's own points. Use [`crate::Projection::bounds`]
    /// so that the frames of one animation share axes.
    pub bounds: Option<Bounds>,
    /// Radius of each point in pixels (0 draws single pixels); default 2.
    pub point_radius: u32,
}

impl Default for ScatterOptions {
    fn default() -> Self {
        Self {
            panel_size: 560,
            bounds: None,
            point_radius: 2,
        }
    }
}

const TITLE_H: u32 = 40;
const LEGEND_W: u32 = 56;
/// Legends list at most this many groups.
const LEGEND_MAX: usize = 20;

/// Renders one scatter frame: `points` (`[n, 2]`, already projected) coloured by
/// `clusters`, plus a panel coloured by `labels` when given, under `title` (e.g.
/// `"step 1400  ACC 0.862"`).
///
/// The frame is `panel_size × (panel_size + 40)` pixels, twice as wide with labels.
/// Points outside the bounds are clipped.
pub fn scatter_frame(
    points: ArrayView2<'_, f32>,
    clusters: &[usize],
    labels: Option<&[usize]>,
    title: &str,
    options: &ScatterOptions,
) -> Result<RgbImage> {
    check_embeddings("scatter points", &points)?;
    check_len("scatter point columns", 2, points.ncols())?;
    check_len("cluster assignments", points.nrows(), clusters.len())?;
    if let Some(labels) = labels {
        check_len("true labels", points.nrows(), labels.len())?;
    }
    if options.panel_size < 100 {
        return Err(Error::InvalidParam {
            name: "panel_size",
            value: options.panel_size.to_string(),
            reason: "must be at least 100 pixels",
        });
    }
    ensure_font()?;
    let bounds = match options.bounds {
        Some(b) => b,
        None => Bounds::of(points)?,
    };
    let panels: Vec<(&str, &[usize])> = match labels {
        Some(l) => vec![("by cluster", clusters), ("by true label", l)],
        None => vec![("by cluster", clusters)],
    };
    let side = options.panel_size;
    let width = side * panels.len() as u32;
    let height = side + TITLE_H;
    let mut img = RgbImage::new(width, height, [255; 3])?;
    let draw_err = |e: DrawingAreaErrorKind<_>| Error::Draw {
        path: "<scatter frame>".into(),
        message: e.to_string(),
    };

    // Axes, captions and legends with plotters; remember each panel's plotting rectangle.
    let mut plot_rects = Vec::with_capacity(panels.len());
    {
        let root = img.area();
        let (top, body) = root.split_vertically(TITLE_H);
        let style =
            TextStyle::from((FONT, 22).into_font())
                .color(&BLACK)
                .pos(text_anchor::Pos::new(
                    text_anchor::HPos::Center,
                    text_anchor::VPos::Center,
                ));
        top.draw_text(title, &style, ((width / 2) as i32, (TITLE_H / 2) as i32))
            .map_err(draw_err)?;
        let areas = body.split_evenly((1, panels.len()));
        for (area, (caption, groups)) in areas.iter().zip(&panels) {
            let rect = draw_panel(area, caption, groups, &bounds).map_err(draw_err)?;
            plot_rects.push(rect);
        }
        root.present().map_err(draw_err)?;
    }

    // Points straight into the buffer: fast for tens of thousands of points.
    let r = options.point_radius as i32;
    let disc: Vec<(i32, i32)> = (-r..=r)
        .flat_map(|dy| (-r..=r).map(move |dx| (dx, dy)))
        .filter(|(dx, dy)| dx * dx + dy * dy <= r * r + r)
        .collect();
    let w = width as usize;
    let sx = 1.0 / (bounds.x_max - bounds.x_min).max(f32::MIN_POSITIVE);
    let sy = 1.0 / (bounds.y_max - bounds.y_min).max(f32::MIN_POSITIVE);
    let data = img.data_mut();
    for ((x0, x1, y0, y1), (_, groups)) in plot_rects.into_iter().zip(&panels) {
        for (p, &g) in points.rows().into_iter().zip(groups.iter()) {
            let fx = (p[0] - bounds.x_min) * sx;
            let fy = (bounds.y_max - p[1]) * sy;
            if !(0.0..=1.0).contains(&fx) || !(0.0..=1.0).contains(&fy) {
                continue;
            }
            let px = x0 + (fx * (x1 - x0) as f32).round() as i32;
            let py = y0 + (fy * (y1 - y0) as f32).round() as i32;
            let c = cluster_color(g);
            for &(dx, dy) in &disc {
                let (qx, qy) = (px + dx, py + dy);
                if qx >= x0 && qx <= x1 && qy >= y0 && qy <= y1 {
                    let o = 3 * (qy as usize * w + qx as usize);
                    data[o..o + 3].copy_from_slice(&c);
                }
            }
        }
    }
    Ok(img)
}

/// Draws one panel's mesh and legend; returns its plotting rectangle `(x0, x1, y0, y1)`
/// in frame pixels (inclusive).
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    groups: &[usize],
    b: &Bounds,
) -> Result<(i32, i32, i32, i32), DrawingAreaErrorKind<DB::ErrorType>> {
    let (plot, legend) = area.split_horizontally(area.dim_in_pixel().0.saturating_sub(LEGEND_W));
    let chart = {
        let mut chart = ChartBuilder::on(&plot)
            .caption(caption, (FONT, 16))
            .margin(8)
            .x_label_area_size(28)
            .y_label_area_size(44)
            .build_cartesian_2d(b.x_min..b.x_max, b.y_min..b.y_max)?;
        chart
            .configure_mesh()
            .label_style((FONT, 12))
            .light_line_style(RGBColor(238, 238, 238))
            .bold_line_style(RGBColor(215, 215, 215))
            .x_labels(6)
            .y_labels(6)
            .draw()?;
        chart
    };
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    // Legend: one swatch per group present, when there are few enough.
    let n_groups = groups.iter().copied().max().map_or(0, |m| m + 1);
    if n_groups <= LEGEND_MAX {
        let mut present = vec![false; n_groups];
        for &g in groups {
            present[g] = true;
        }
        let style = TextStyle::from((FONT, 13).into_font()).color(&BLACK);
        let mut y = 36;
        for (g, _) in present.iter().enumerate().filter(|(_, p)| **p) {
            legend.draw(&Rectangle::new(
                [(4, y), (16, y + 12)],
                rgb(cluster_color(g)).filled(),
            ))?;
            legend.draw_text(&g.to_string(), &style, (22, y - 1))?;
            y += 20;
        }
    }
    Ok((xr.start, xr.end - 1, yr.start, yr.end - 1))
}
