//! Choosing the number of clusters when the user does not know it: k-means on an embedding
//! for every candidate k, scored by two criteria, and a rule that combines them.
//!
//! - **Silhouette** (Rousseeuw 1987): for each point, `(b − a) / max(a, b)`, with `a` its mean
//!   distance to its own cluster and `b` to the nearest other cluster; the mean over the
//!   points (on at most [`SILHOUETTE_SAMPLE`] of them). Higher: tighter, better separated
//!   clusters.
//! - **Stability** (Ben-Hur, Elisseeff & Guyon 2002; Lange et al. 2004): k-means on two
//!   random subsamples of [`SUBSAMPLE`] of the points, both applied to every point; the
//!   adjusted Rand index between the two labellings, averaged over [`PAIRS`] pairs. It stays
//!   near 1 while k follows real groups and drops once k cuts a group at an arbitrary place.
//! - **Elbow**: how much more the k-th cluster lowered the k-means inertia than a (k+1)-th
//!   does, `(W(k−1) − W(k)) / (W(k) − W(k+1))` (the inertia at k − 1 and k + 1 is computed
//!   too; `W(1)` is the total sum of squares). It is near 1 where the inertia falls smoothly
//!   and well above it at the k where real groups stop being split apart.
//!
//! The rule: the k with the highest product of the three. None alone is enough: the
//! silhouette can rise when a group is cut in two, k = 2 is nearly always stable, and the
//! elbow of structureless data is noise. Measured on the synthetic defect crops and
//! recorded in BENCHMARKS.md: silhouette × stability merged two of the six kinds in 5 of 21
//! sets of 360 or 1,500 crops, where the silhouettes of k = 5 and 6 were within 1%; the
//! elbow at 6 was 3.5–4.3 against at most 1.5 elsewhere. Tibshirani & Walther's prediction
//! strength was tried first: the prediction strength of the right k sat just above its 0.8
//! threshold.

use polars::prelude::{Column, DataFrame, DataType, NamedFrom, Series};
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

use crate::error::{ParamsError, Result};
use crate::kmeans::KMeansParams;

/// Pairs of subsamples averaged for the stability.
pub const PAIRS: usize = 10;
/// The share of the points in each subsample.
pub const SUBSAMPLE: f64 = 0.8;
/// Largest number of points the silhouette is computed on (a seeded sample beyond it).
pub const SILHOUETTE_SAMPLE: usize = 3000;
/// k-means restarts for each candidate k.
const N_INIT: usize = 10;

/// The candidate numbers of clusters, `min..=max`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KRange {
    /// The smallest k tried (at least 2).
    pub min: usize,
    /// The largest k tried.
    pub max: usize,
}

impl KRange {
    /// What `--clusters auto` tries: 2 to 12.
    pub const AUTO: KRange = KRange { min: 2, max: 12 };

    /// Checks the range: `2 <= min <= max`.
    ///
    /// # Errors
    /// [`ParamsError::KRange`] otherwise.
    pub fn check(self) -> Result<Self, ParamsError> {
        if self.min >= 2 && self.min <= self.max {
            Ok(self)
        } else {
            Err(ParamsError::KRange {
                min: self.min,
                max: self.max,
            })
        }
    }
}

/// The scores of one candidate k.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct KScore {
    /// The number of clusters.
    pub k: usize,
    /// Mean silhouette of k-means with k clusters, in `[-1, 1]`.
    pub silhouette: f64,
    /// Stability: mean adjusted Rand index between k-means on two subsamples, at most 1.
    pub stability: f64,
    /// k-means inertia (sum of squared distances to the centroids).
    pub inertia: f64,
    /// The inertia's fall to k over its fall from k (see the module docs), in
    /// `[0, ELBOW_MAX]`.
    pub elbow: f64,
}

/// The chosen k, the scores it was chosen from and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KChoice {
    /// The chosen number of clusters.
    pub k: usize,
    /// Every candidate's scores, by k.
    pub scores: Vec<KScore>,
    /// Why, in a sentence.
    pub reason: String,
}

impl KChoice {
    /// The scores as a table: `k`, `silhouette`, `stability`, `inertia`, `elbow` and
    /// `chosen`, one row per candidate (a run's `metrics/k_choice`).
    ///
    /// # Errors
    /// [`crate::Error::Table`] if polars rejects a column.
    pub fn to_frame(&self) -> Result<DataFrame> {
        let f = |get: fn(&KScore) -> f64| self.scores.iter().map(get).collect::<Vec<f64>>();
        let columns: Vec<Column> = vec![
            Series::new(
                "k".into(),
                self.scores.iter().map(|s| s.k as u64).collect::<Vec<u64>>(),
            )
            .into(),
            Series::new("silhouette".into(), f(|s| s.silhouette)).into(),
            Series::new("stability".into(), f(|s| s.stability)).into(),
            Series::new("inertia".into(), f(|s| s.inertia)).into(),
            Series::new("elbow".into(), f(|s| s.elbow)).into(),
            Series::new(
                "chosen".into(),
                self.scores
                    .iter()
                    .map(|s| s.k == self.k)
                    .collect::<Vec<bool>>(),
            )
            .into(),
        ];
        Ok(DataFrame::new(self.scores.len(), columns)?)
    }

    /// The choice a table written by [`KChoice::to_frame`] records: its scores, and the k
    /// and reason the rule gives for them; `None` for a table without rows.
    ///
    /// # Errors
    /// [`crate::Error::Table`] when a column is missing or has another type.
    pub fn from_frame(frame: &DataFrame) -> Result<Option<KChoice>> {
        let float = |name: &str| -> Result<Vec<f64>> {
            let column = frame.column(name)?.cast(&DataType::Float64)?;
            Ok(column
                .f64()?
                .iter()
                .map(|v| v.unwrap_or(f64::NAN))
                .collect())
        };
        let ks = frame.column("k")?.cast(&DataType::UInt64)?;
        let (silhouette, stability, inertia, elbow) = (
            float("silhouette")?,
            float("stability")?,
            float("inertia")?,
            float("elbow")?,
        );
        let scores = ks
            .u64()?
            .iter()
            .enumerate()
            .map(|(i, k)| KScore {
                k: k.unwrap_or(0) as usize,
                silhouette: silhouette[i],
                stability: stability[i],
                inertia: inertia[i],
                elbow: elbow[i],
            })
            .collect();
        Ok(pick(scores))
    }
}

/// Scores every k of `range` on the embeddings `zs` (`[n, d]`) and chooses one (see the
/// module docs); `seed` fixes k-means, the splits and the silhouette sample.
///
/// # Errors
/// [`ParamsError::KRange`] for a bad range, [`crate::Error::TooFewSamples`] when a
/// subsample has fewer points than `range.max`, libtorch's errors.
pub fn choose_k(zs: &Tensor, range: KRange, seed: u64) -> Result<KChoice> {
    let range = range.check()?;
    let zs = zs.detach().f_to_kind(Kind::Float)?;
    let n = zs.size().first().copied().unwrap_or(0) as usize;
    let take = |ix: &[usize]| -> Result<Tensor> {
        let ix: Vec<i64> = ix.iter().map(|&i| i as i64).collect();
        Ok(zs.f_index_select(0, &Tensor::from_slice(&ix).to_device(zs.device()))?)
    };
    let sample = take(&mdec_data::split::permutation(n, seed)[..n.min(SILHOUETTE_SAMPLE)])?;
    let size = ((n as f64 * SUBSAMPLE).round() as usize).max(1);
    let subsamples: Vec<Tensor> = (0..2 * PAIRS)
        .map(|i| take(&mdec_data::split::permutation(n, seed.wrapping_add(1 + i as u64))[..size]))
        .collect::<Result<_>>()?;
    let kmeans = |k: usize, xs: &Tensor, run: u64| {
        KMeansParams::new(k)
            .n_init(N_INIT)
            .seed(seed.wrapping_add(run))
            .check()?
            .fit(xs)
    };
    // The inertia one step beyond each end of the range, for the elbow.
    let below = match range.min - 1 {
        1 => zs
            .f_sub(&zs.f_mean_dim(0, true, Kind::Float)?)?
            .f_square()?
            .f_sum(Kind::Double)?
            .f_double_value(&[])?,
        k => kmeans(k, &zs, 0)?.inertia(),
    };
    let above = kmeans(range.max + 1, &zs, 0)?.inertia();
    let mut scores: Vec<KScore> = Vec::new();
    for k in range.min..=range.max {
        let full = kmeans(k, &zs, 0)?;
        let silhouette = silhouette(&sample, &full.predict(&sample)?, k)?;
        let mut stability = 0.0;
        for (pair, two) in subsamples.chunks(2).enumerate() {
            let labels = |i: usize| -> Result<Vec<usize>> {
                let fitted = kmeans(k, &two[i], 1 + (2 * pair + i) as u64)?;
                let labels = Vec::<i64>::try_from(fitted.predict(&zs)?)?;
                Ok(labels.into_iter().map(|l| l as usize).collect())
            };
            stability += mdec_metrics::ari(&labels(0)?, &labels(1)?)?;
        }
        scores.push(KScore {
            k,
            silhouette,
            stability: stability / PAIRS as f64,
            inertia: full.inertia(),
            elbow: f64::NAN,
        });
    }
    let inertias: Vec<f64> = std::iter::once(below)
        .chain(scores.iter().map(|s| s.inertia))
        .chain(std::iter::once(above))
        .collect();
    for (score, w) in scores.iter_mut().zip(inertias.windows(3)) {
        score.elbow = elbow(w[0], w[1], w[2]);
        tracing::info!(
            k = score.k,
            silhouette = score.silhouette,
            stability = score.stability,
            elbow = score.elbow,
            "scored a number of clusters"
        );
    }
    pick(scores)
        .ok_or(ParamsError::KRange {
            min: range.min,
            max: range.max,
        })
        .map_err(Into::into)
}

/// The largest elbow: the inertia's next fall counts as at least 1/`ELBOW_MAX` of its
/// last (k-means may not lower the inertia at all for one more cluster).
pub const ELBOW_MAX: f64 = 100.0;

/// `(before − at) / (at − after)` for the inertias at k − 1, k and k + 1, in
/// `[0, ELBOW_MAX]`.
fn elbow(before: f64, at: f64, after: f64) -> f64 {
    let fall = (before - at).max(0.0);
    let next = (at - after).max(fall / ELBOW_MAX);
    if next > 0.0 { fall / next } else { 0.0 }
}

/// Products within this share of the best one are a near tie, named in the reason.
pub const NEAR_TIE: f64 = 0.05;

/// The rule of the module docs; `None` without scores. A runner-up within [`NEAR_TIE`] of
/// the best is named in the reason: the data do not settle k, a person should look.
fn pick(scores: Vec<KScore>) -> Option<KChoice> {
    let product = |s: &KScore| s.silhouette * s.stability * s.elbow;
    let mut ranked: Vec<KScore> = scores.clone();
    ranked.sort_by(|a, b| product(b).total_cmp(&product(a)));
    let best = *ranked.first()?;
    let mut reason = format!(
        "k = {}: the highest product of silhouette ({:.3}), stability ({:.3}) and elbow ({:.2})",
        best.k, best.silhouette, best.stability, best.elbow
    );
    if let Some(second) = ranked.get(1)
        && product(second) >= (1.0 - NEAR_TIE) * product(&best)
    {
        reason += &format!(
            "; k = {} comes within {:.0}% ({:.3} against {:.3}): compare the montages, and give --clusters if the other fits better",
            second.k,
            100.0 * NEAR_TIE,
            product(second),
            product(&best)
        );
    }
    Some(KChoice {
        k: best.k,
        reason,
        scores,
    })
}

/// Mean silhouette of `labels` (`[m]`, in `0..k`) on the points `xs` (`[m, d]`).
fn silhouette(xs: &Tensor, labels: &Tensor, k: usize) -> Result<f64> {
    let distances = Tensor::f_cdist(xs, xs, 2.0, None::<i64>)?.f_to_kind(Kind::Double)?;
    let onehot = labels.f_one_hot(k as i64)?.f_to_kind(Kind::Double)?;
    let sizes = onehot.f_sum_dim_intlist([0i64].as_slice(), false, Kind::Double)?;
    // Sum of the distances from each point to each cluster, [m, k].
    let sums = distances.f_matmul(&onehot)?;
    let own_size = onehot.f_matmul(&sizes.f_unsqueeze(1)?)?.f_squeeze_dim(1)?;
    let own = sums
        .f_mul(&onehot)?
        .f_sum_dim_intlist([1i64].as_slice(), false, Kind::Double)?;
    let a = own.f_div(&own_size.f_sub_scalar(1.0)?.f_clamp_min(1.0)?)?;
    let mean_to = sums.f_div(&sizes.f_clamp_min(1.0)?)?;
    // Own cluster and empty clusters are never the nearest other cluster.
    let blocked = onehot.f_add(&sizes.f_eq(0.0)?.f_to_kind(Kind::Double)?.f_unsqueeze(0)?)?;
    let b = mean_to
        .f_masked_fill(&blocked.f_gt(0.0)?, f64::INFINITY)?
        .f_amin([1i64].as_slice(), false)?;
    let s = b.f_sub(&a)?.f_div(&a.f_maximum(&b)?.f_clamp_min(1e-12)?)?;
    // A point alone in its cluster, or in the only cluster of the sample, scores 0.
    let defined = own_size.f_gt(1.0)?.f_logical_and(&b.f_isfinite()?)?;
    let s = s.f_where_self(&defined, &s.f_zeros_like()?)?;
    Ok(s.f_mean(Kind::Double)?.f_double_value(&[])?)
}

#[cfg(test)]
mod tests {
    use tch::Device;

    use super::*;

    /// `per` points around each of `centres` (2-d), with a seeded spread.
    fn blobs(centres: &[(f32, f32)], per: usize, spread: f32) -> Tensor {
        // A fixed low-discrepancy jitter in [-1, 1)².
        let jitter = |i: usize, a: f32| ((i as f32 * a).fract() * 2.0) - 1.0;
        let mut values = Vec::new();
        for &(x, y) in centres {
            for i in 0..per {
                let (dx, dy) = (jitter(i, 0.618_034), jitter(i, 0.754_878));
                values.extend([x + spread * dx, y + spread * dy]);
            }
        }
        Tensor::from_slice(&values)
            .view([(centres.len() * per) as i64, 2])
            .to_device(Device::Cpu)
    }

    #[test]
    fn four_clear_groups_give_four() -> anyhow::Result<()> {
        let zs = blobs(
            &[(0.0, 0.0), (10.0, 0.0), (0.0, 10.0), (10.0, 10.0)],
            60,
            1.5,
        );
        let choice = choose_k(&zs, KRange { min: 2, max: 8 }, 0)?;
        assert_eq!(choice.k, 4, "{choice:?}");
        assert_eq!(choice.scores.len(), 7);
        let four = choice.scores[2];
        assert!(four.silhouette > 0.7 && four.stability > 0.95, "{four:?}");
        let most = choice.scores.iter().map(|s| s.elbow).fold(0.0, f64::max);
        assert!(
            four.elbow == most && four.elbow > 3.0,
            "{:?}",
            choice.scores
        );
        assert!(choice.reason.contains("k = 4"), "{}", choice.reason);
        assert!(
            !choice.reason.contains("within"),
            "no near tie: {}",
            choice.reason
        );
        Ok(())
    }

    #[test]
    fn the_elbow_compares_two_falls_of_the_inertia() {
        assert_eq!(elbow(100.0, 40.0, 30.0), 6.0);
        assert_eq!(elbow(100.0, 90.0, 80.0), 1.0);
        // k-means may not lower the inertia for one more cluster, or may raise it.
        assert_eq!(elbow(100.0, 40.0, 40.0), ELBOW_MAX);
        assert_eq!(elbow(100.0, 40.0, 45.0), ELBOW_MAX);
        assert_eq!(elbow(40.0, 40.0, 30.0), 0.0);
        assert_eq!(elbow(40.0, 40.0, 40.0), 0.0);
    }

    #[test]
    fn the_silhouette_matches_a_direct_computation() -> anyhow::Result<()> {
        // Points on a line: 0, 1 | 5, 7.
        let xs = Tensor::from_slice(&[0.0f32, 1.0, 5.0, 7.0]).view([4, 1]);
        let labels = Tensor::from_slice(&[0i64, 0, 1, 1]);
        let direct = [
            (5.0 + 7.0) / 2.0,
            (4.0 + 6.0) / 2.0,
            (5.0 + 4.0) / 2.0,
            (7.0 + 6.0) / 2.0,
        ]
        .iter()
        .zip([1.0, 1.0, 2.0, 2.0])
        .map(|(b, a): (&f64, f64)| (b - a) / b.max(a))
        .sum::<f64>()
            / 4.0;
        let s = silhouette(&xs, &labels, 2)?;
        assert!((s - direct).abs() < 1e-9, "{s} vs {direct}");
        Ok(())
    }

    #[test]
    fn a_near_tie_is_named_in_the_reason() -> anyhow::Result<()> {
        let score = |k, silhouette| KScore {
            k,
            silhouette,
            stability: 1.0,
            inertia: 0.0,
            elbow: 2.0,
        };
        let choice = pick(vec![score(4, 0.50), score(5, 0.49), score(6, 0.30)])
            .ok_or(anyhow::anyhow!("no choice"))?;
        assert_eq!(choice.k, 4);
        assert!(
            choice.reason.contains("k = 5 comes within 5%"),
            "{}",
            choice.reason
        );
        Ok(())
    }

    #[test]
    fn a_choice_round_trips_through_its_table() -> anyhow::Result<()> {
        let zs = blobs(&[(0.0, 0.0), (10.0, 0.0), (0.0, 10.0)], 30, 1.0);
        let choice = choose_k(&zs, KRange { min: 2, max: 5 }, 1)?;
        let frame = choice.to_frame()?;
        assert_eq!(frame.height(), 4);
        assert_eq!(KChoice::from_frame(&frame)?, Some(choice));
        Ok(())
    }

    #[test]
    fn a_bad_range_is_refused() {
        assert!(KRange { min: 1, max: 4 }.check().is_err());
        assert!(KRange { min: 5, max: 4 }.check().is_err());
    }
}
