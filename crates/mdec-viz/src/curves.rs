//! Training curves: pretraining losses with moving averages (MDEC figure 1) and clustering
//! metrics, loss terms and label changes over iterations (MDEC figure 2).

use std::ops::Range;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::{Error, Result, check_finite, check_len};
use crate::output::{DrawError, FONT, Figure, render};
use crate::palette::{cluster_color, rgb};

/// One named series of values, drawn as a line.
///
/// `steps` gives the x position of each value (epoch or iteration); when empty the values
/// sit at `0, 1, 2, ...`.
#[derive(Clone, Copy, Debug)]
pub struct Curve<'a> {
    /// Legend name, e.g. `"train loss"` or `"ACC"`.
    pub name: &'a str,
    /// x positions, same length as `values`, or empty for `0..values.len()`.
    pub steps: &'a [f64],
    /// y values; must be finite.
    pub values: &'a [f64],
}

impl<'a> Curve<'a> {
    /// A curve at steps `0, 1, 2, ...`.
    pub fn new(name: &'a str, values: &'a [f64]) -> Self {
        Self {
            name,
            steps: &[],
            values,
        }
    }

    /// A curve at explicit steps (e.g. metrics recorded every `update_interval` iterations).
    pub fn with_steps(name: &'a str, steps: &'a [f64], values: &'a [f64]) -> Self {
        Self {
            name,
            steps,
            values,
        }
    }

    fn check(&self) -> Result<()> {
        check_finite(self.name, self.values.iter().copied())?;
        if !self.steps.is_empty() {
            check_len(
                &format!("{} steps", self.name),
                self.values.len(),
                self.steps.len(),
            )?;
            check_finite(&format!("{} steps", self.name), self.steps.iter().copied())?;
        }
        Ok(())
    }

    fn points(&self) -> Vec<(f64, f64)> {
        if self.steps.is_empty() {
            self.values
                .iter()
                .enumerate()
                .map(|(i, &v)| (i as f64, v))
                .collect()
        } else {
            self.steps
                .iter()
                .copied()
                .zip(self.values.iter().copied())
                .collect()
        }
    }
}

/// Trailing moving average over `window` values (shorter at the start).
pub fn moving_average(values: &[f64], window: usize) -> Vec<f64> {
    let window = window.max(1);
    let mut sum = 0.0;
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            sum += v;
            if i >= window {
                sum -= values[i - window];
            }
            sum / (i + 1).min(window) as f64
        })
        .collect()
}

/// Owned line to draw: name, points, colour, dashed.
struct Line {
    name: String,
    points: Vec<(f64, f64)>,
    color: RGBColor,
    thin: bool,
}

struct Panel {
    legend: SeriesLabelPosition,
    title: String,
    y_label: String,
    lines: Vec<Line>,
}

struct CurvesFigure {
    x_label: String,
    panels: Vec<Panel>,
}

fn range_of(values: impl Iterator<Item = f64>) -> Range<f64> {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let pad = if hi > lo {
        0.05 * (hi - lo)
    } else {
        0.5_f64.max(lo.abs() * 0.05)
    };
    (lo - pad)..(hi + pad)
}

impl Figure for CurvesFigure {
    fn size(&self) -> (u32, u32) {
        (960, 60 + 320 * self.panels.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError> {
        let areas = root.split_evenly((self.panels.len(), 1));
        for (area, panel) in areas.iter().zip(&self.panels) {
            let all = || panel.lines.iter().flat_map(|l| l.points.iter().copied());
            let xr = range_of(all().map(|p| p.0));
            let yr = range_of(all().map(|p| p.1));
            let mut chart = ChartBuilder::on(area)
                .caption(&panel.title, (FONT, 22))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(70)
                .build_cartesian_2d(xr, yr)?;
            chart
                .configure_mesh()
                .x_desc(&self.x_label)
                .y_desc(&panel.y_label)
                .label_style((FONT, 14))
                .axis_desc_style((FONT, 16))
                .x_label_formatter(&|x| {
                    if x.fract() == 0.0 {
                        format!("{x:.0}")
                    } else {
                        format!("{x}")
                    }
                })
                .light_line_style(RGBColor(235, 235, 235))
                .draw()?;
            for line in &panel.lines {
                let width = if line.thin { 1 } else { 2 };
                let style = line.color.stroke_width(width);
                let legend_color = line.color;
                chart
                    .draw_series(LineSeries::new(line.points.iter().copied(), style))?
                    .label(&line.name)
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], legend_color.stroke_width(2))
                    });
            }
            chart
                .configure_series_labels()
                .label_font((FONT, 14))
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .position(panel.legend.clone())
                .draw()?;
        }
        Ok(())
    }
}

fn faded(c: [u8; 3]) -> RGBColor {
    let f = |v: u8| ((v as u16 + 2 * 255) / 3) as u8;
    RGBColor(f(c[0]), f(c[1]), f(c[2]))
}

/// Pretraining curves (MDEC figure 1): train loss and, if given, validation loss per epoch,
/// each faint with its `window`-epoch moving average drawn bold on top.
///
/// Writes SVG when `path` ends in `.svg`, PNG otherwise.
pub fn pretrain_curves(
    train: &Curve<'_>,
    validation: Option<&Curve<'_>>,
    window: usize,
    path: impl AsRef<Path>,
) -> Result<()> {
    if window == 0 {
        return Err(Error::InvalidParam {
            name: "window",
            value: "0".into(),
            reason: "must be at least 1",
        });
    }
    let mut lines = Vec::new();
    for (k, curve) in std::iter::once(train).chain(validation).enumerate() {
        curve.check()?;
        let points = curve.points();
        let avg = moving_average(curve.values, window);
        let avg_points = points.iter().zip(avg).map(|(&(x, _), a)| (x, a)).collect();
        let color = cluster_color(k);
        lines.push(Line {
            name: curve.name.to_owned(),
            points,
            color: faded(color),
            thin: true,
        });
        lines.push(Line {
            name: format!("{} (avg {window})", curve.name),
            points: avg_points,
            color: rgb(color),
            thin: false,
        });
    }
    let fig = CurvesFigure {
        x_label: "epoch".into(),
        panels: vec![Panel {
            legend: SeriesLabelPosition::UpperRight,
            title: "Autoencoder pretraining".into(),
            y_label: "loss".into(),
            lines,
        }],
    };
    render(&fig, path.as_ref())
}

/// Scores against a setting (e.g. silhouette and prediction strength against the number of
/// clusters), one line each, with a dashed-looking thin vertical line at the `chosen` value.
///
/// Writes SVG when `path` ends in `.svg`, PNG otherwise.
pub fn setting_scores(
    title: &str,
    x_label: &str,
    scores: &[Curve<'_>],
    chosen: f64,
    path: impl AsRef<Path>,
) -> Result<()> {
    if scores.is_empty() {
        return Err(Error::Empty {
            what: "scores".into(),
        });
    }
    let mut lines = Vec::new();
    for (k, curve) in scores.iter().enumerate() {
        curve.check()?;
        lines.push(Line {
            name: curve.name.to_owned(),
            points: curve.points(),
            color: rgb(cluster_color(k)),
            thin: false,
        });
    }
    check_finite("chosen", [chosen])?;
    let ys = || lines.iter().flat_map(|l| l.points.iter().map(|p| p.1));
    let (lo, hi) = (
        ys().fold(f64::INFINITY, f64::min),
        ys().fold(f64::NEG_INFINITY, f64::max),
    );
    lines.push(Line {
        name: format!("chosen: {chosen}"),
        points: vec![(chosen, lo), (chosen, hi)],
        color: RGBColor(90, 90, 90),
        thin: true,
    });
    render(
        &CurvesFigure {
            x_label: x_label.into(),
            panels: vec![Panel {
                legend: SeriesLabelPosition::UpperRight,
                title: title.into(),
                y_label: "score".into(),
                lines,
            }],
        },
        path.as_ref(),
    )
}

/// The histories behind [`cluster_curves`].
#[derive(Clone, Copy, Debug, Default)]
pub struct ClusterCurves<'a> {
    /// Quality metrics such as ACC, NMI and ARI (empty when no labels are known).
    pub metrics: &'a [Curve<'a>],
    /// Loss terms such as clustering, reconstruction and total loss; at least one.
    pub losses: &'a [Curve<'a>],
    /// How the assignment moves between target updates, each in [0, 1]: the fraction of
    /// labels changed and the NMI with the previous update (the stability curve), when
    /// tracked.
    pub stability: &'a [Curve<'a>],
}

/// Clustering curves (MDEC figure 2): one panel of metrics (when any), one of loss terms,
/// and one of the stability between updates (when given), over iterations.
///
/// Writes SVG when `path` ends in `.svg`, PNG otherwise.
pub fn cluster_curves(curves: &ClusterCurves<'_>, path: impl AsRef<Path>) -> Result<()> {
    if curves.losses.is_empty() {
        return Err(Error::Empty {
            what: "cluster losses".into(),
        });
    }
    let lines = |cs: &[Curve<'_>]| -> Result<Vec<Line>> {
        cs.iter()
            .enumerate()
            .map(|(k, c)| {
                c.check()?;
                Ok(Line {
                    name: c.name.to_owned(),
                    points: c.points(),
                    color: rgb(cluster_color(k)),
                    thin: false,
                })
            })
            .collect()
    };
    let mut panels = Vec::new();
    if !curves.metrics.is_empty() {
        panels.push(Panel {
            legend: SeriesLabelPosition::LowerRight,
            title: "Clustering quality".into(),
            y_label: "score".into(),
            lines: lines(curves.metrics)?,
        });
    }
    panels.push(Panel {
        legend: SeriesLabelPosition::UpperRight,
        title: "Loss terms".into(),
        y_label: "loss".into(),
        lines: lines(curves.losses)?,
    });
    if !curves.stability.is_empty() {
        panels.push(Panel {
            legend: SeriesLabelPosition::MiddleRight,
            title: "Between updates".into(),
            y_label: "fraction / NMI".into(),
            lines: lines(curves.stability)?,
        });
    }
    render(
        &CurvesFigure {
            x_label: "iteration".into(),
            panels,
        },
        path.as_ref(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn setting_scores_draw_a_png_and_refuse_nothing_to_draw() -> anyhow::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("k.png");
        let ks = [2.0, 3.0, 4.0];
        let (a, b) = ([0.2, 0.5, 0.3], [1.0, 0.9, 0.4]);
        let curves = [
            Curve::with_steps("silhouette", &ks, &a),
            Curve::with_steps("prediction strength", &ks, &b),
        ];
        setting_scores("Choosing k", "k", &curves, 3.0, &path)?;
        assert!(std::fs::metadata(&path)?.len() > 1000);
        assert!(setting_scores("Choosing k", "k", &[], 3.0, &path).is_err());
        Ok(())
    }

    #[test]
    fn moving_average_is_trailing_mean() {
        let avg = moving_average(&[1.0, 3.0, 5.0, 7.0], 2);
        assert_eq!(avg, vec![1.0, 2.0, 4.0, 6.0]);
    }
}
