//! Scaling suited to physical data: values in any units, with outliers and a large dynamic
//! range, mapped to [0, 1] by percentile clipping and a linear, log or asinh stretch (the
//! conventions of SAOImage DS9 and astropy.visualization).

use std::fmt;
use std::str::FromStr;

use ndarray::{Array3, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The curve applied after clipping, on `t ∈ [0, 1]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Curve {
    /// `t`.
    #[default]
    Linear,
    /// `ln(1 + a t) / ln(1 + a)` with `a = 1000` (DS9's log): for data spanning decades.
    Log,
    /// `asinh(t / β) / asinh(1 / β)` with `β = 0.1`: linear near 0, logarithmic above —
    /// faint structure and bright sources together.
    Asinh,
}

const LOG_A: f32 = 1000.0;
const ASINH_BETA: f32 = 0.1;

impl Curve {
    fn apply(self, t: f32) -> f32 {
        match self {
            Curve::Linear => t,
            Curve::Log => (LOG_A * t).ln_1p() / LOG_A.ln_1p(),
            Curve::Asinh => (t / ASINH_BETA).asinh() / (1.0 / ASINH_BETA).asinh(),
        }
    }
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Curve::Linear => "linear",
            Curve::Log => "log",
            Curve::Asinh => "asinh",
        })
    }
}

impl FromStr for Curve {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "linear" => Ok(Curve::Linear),
            "log" => Ok(Curve::Log),
            "asinh" => Ok(Curve::Asinh),
            _ => Err(format!(
                "unknown stretch {s:?}: expected linear, log or asinh"
            )),
        }
    }
}

/// Percentile clipping then a [`Curve`], fitted per input and channel: values at or below
/// the `low` percentile become 0, at or above the `high` percentile 1. Non-finite values
/// (FITS blanks) become 0.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stretch {
    /// Lower clipping percentile, in [0, 100).
    pub low: f32,
    /// Upper clipping percentile, in (low, 100].
    pub high: f32,
    /// The curve after clipping.
    pub curve: Curve,
}

impl Default for Stretch {
    /// 0.5th to 99.5th percentile, linear.
    fn default() -> Self {
        Self {
            low: 0.5,
            high: 99.5,
            curve: Curve::Linear,
        }
    }
}

/// The limits a [`Stretch`] found for one channel, in the data's units.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// The value at the low percentile.
    pub low: f32,
    /// The value at the high percentile.
    pub high: f32,
}

impl Stretch {
    /// Checks the percentiles.
    ///
    /// # Errors
    /// [`Error::BadParam`] unless `0 ≤ low < high ≤ 100`.
    pub fn check(&self) -> Result<()> {
        if !(0.0..100.0).contains(&self.low) {
            return Err(Error::BadParam {
                name: "stretch low percentile",
                value: self.low.into(),
                expected: "in [0, 100)",
            });
        }
        if !(self.low < self.high && self.high <= 100.0) {
            return Err(Error::BadParam {
                name: "stretch high percentile",
                value: self.high.into(),
                expected: "above the low percentile and at most 100",
            });
        }
        Ok(())
    }

    /// The limits of each channel of `values` (`[c, h, w]`), over its finite values; a
    /// channel without any gets `0..1`.
    pub fn limits(&self, values: &Array3<f32>) -> Vec<Limits> {
        values
            .axis_iter(Axis(0))
            .map(|plane| {
                let mut finite: Vec<f32> =
                    plane.iter().copied().filter(|v| v.is_finite()).collect();
                if finite.is_empty() {
                    return Limits {
                        low: 0.0,
                        high: 1.0,
                    };
                }
                Limits {
                    low: percentile(&mut finite, self.low),
                    high: percentile(&mut finite, self.high),
                }
            })
            .collect()
    }

    /// Maps `values` (`[c, h, w]`) to [0, 1] in place with its own limits, which it returns.
    pub fn apply(&self, values: &mut Array3<f32>) -> Vec<Limits> {
        let limits = self.limits(values);
        for (mut plane, lim) in values.axis_iter_mut(Axis(0)).zip(&limits) {
            let span = lim.high - lim.low;
            plane.mapv_inplace(|v| {
                if !v.is_finite() {
                    return 0.0;
                }
                let t = if span > 0.0 {
                    ((v - lim.low) / span).clamp(0.0, 1.0)
                } else {
                    0.0
                };
                self.curve.apply(t)
            });
        }
        limits
    }
}

/// The `p`-th percentile (nearest rank) of `values`, which it reorders.
fn percentile(values: &mut [f32], p: f32) -> f32 {
    let last = values.len() - 1;
    let rank = ((p / 100.0) * last as f32).round() as usize;
    let (_, v, _) = values.select_nth_unstable_by(rank.min(last), f32::total_cmp);
    *v
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array3;

    #[test]
    fn clips_at_the_percentiles_and_maps_to_the_unit_interval() {
        // 0..=100 with one huge outlier and a NaN.
        let mut values = Array3::from_shape_fn((1, 1, 103), |(_, _, i)| i as f32);
        values[[0, 0, 101]] = 1e9;
        values[[0, 0, 102]] = f32::NAN;
        let stretch = Stretch {
            low: 1.0,
            high: 99.0,
            curve: Curve::Linear,
        };
        let limits = stretch.apply(&mut values);
        assert_eq!(
            limits[0],
            Limits {
                low: 1.0,
                high: 100.0
            }
        );
        assert_eq!(values[[0, 0, 0]], 0.0);
        assert!((values[[0, 0, 50]] - 49.0 / 99.0).abs() < 1e-6);
        assert_eq!(values[[0, 0, 101]], 1.0);
        assert_eq!(values[[0, 0, 102]], 0.0, "NaN becomes 0");
    }

    #[test]
    fn curves_fix_the_ends_and_lift_faint_values() {
        for curve in [Curve::Linear, Curve::Log, Curve::Asinh] {
            assert!(curve.apply(0.0).abs() < 1e-6, "{curve}");
            assert!((curve.apply(1.0) - 1.0).abs() < 1e-6, "{curve}");
        }
        assert!(Curve::Log.apply(0.01) > 0.3);
        assert!(
            Curve::Asinh.apply(0.01) > 0.03 && Curve::Asinh.apply(0.01) < Curve::Log.apply(0.01)
        );
    }

    #[test]
    fn rejects_bad_percentiles() {
        let bad = Stretch {
            low: 50.0,
            high: 40.0,
            curve: Curve::Linear,
        };
        assert!(bad.check().is_err());
        assert!(Stretch::default().check().is_ok());
    }
}
