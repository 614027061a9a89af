//! Adjusted Rand index (ARI), computed exactly on integer pair counts.
//!
//! The Rand index counts the sample pairs two labellings agree on; ARI corrects it for
//! chance (Hubert & Arabie, *Comparing partitions*, J. Classification 1985). With the
//! ordered pair counts of scikit-learn's `pair_confusion_matrix` (`n_ij` the contingency
//! table, `a_i` cluster sizes, `b_j` class sizes, `N` samples):
//!
//! ```text
//! TP = Σ n_ij² − N          (same cluster, same class)
//! FP = Σ a_i² − Σ n_ij²      (same cluster, different class)
//! FN = Σ b_j² − Σ n_ij²      (different cluster, same class)
//! TN = N² − TP − FP − FN − N
//! ARI = 2·(TP·TN − FN·FP) / ((TP + FN)·(FN + TN) + (TP + FP)·(FP + TN))
//! ```
//!
//! which equals the classic `(RI − E[RI]) / (max RI − E[RI])`. As in scikit-learn, ARI
//! is 1 when `FP = FN = 0` (the labellings agree on every pair, which covers identical
//! labellings, a single sample and two single-cluster labellings). ARI lies in
//! `[−0.5, 1]`, is about 0 for random labellings and is symmetric.

use crate::contingency::Contingency;
use crate::error::Result;

impl Contingency {
    /// Adjusted Rand index of this table; see [`ari`].
    pub fn ari(&self) -> f64 {
        let n = self.n_samples() as i128;
        let cells = sum_of_squares(self.nonzero().map(|(_, _, n_ij)| n_ij));
        let clusters = sum_of_squares(self.cluster_sizes().iter().copied());
        let classes = sum_of_squares(self.class_sizes().iter().copied());

        let tp = cells - n;
        let fp = clusters - cells;
        let fn_ = classes - cells;
        let tn = n * n - tp - fp - fn_ - n;
        if fp == 0 && fn_ == 0 {
            return 1.0;
        }
        // Exact in i128 up to about 10^9 samples; beyond, fall back to f64.
        let exact = || -> Option<(i128, i128)> {
            let num = tp
                .checked_mul(tn)?
                .checked_sub(fn_.checked_mul(fp)?)?
                .checked_mul(2)?;
            let den = (tp + fn_)
                .checked_mul(fn_ + tn)?
                .checked_add((tp + fp).checked_mul(fp + tn)?)?;
            Some((num, den))
        };
        match exact() {
            Some((num, den)) => num as f64 / den as f64,
            None => {
                let (tp, fp, fn_, tn) = (tp as f64, fp as f64, fn_ as f64, tn as f64);
                2.0 * (tp * tn - fn_ * fp) / ((tp + fn_) * (fn_ + tn) + (tp + fp) * (fp + tn))
            }
        }
    }
}

/// `Σ v²` in exact integer arithmetic.
fn sum_of_squares(values: impl Iterator<Item = u64>) -> i128 {
    values.map(|v| i128::from(v) * i128::from(v)).sum()
}

/// Adjusted Rand index of `labels_pred` against `labels_true` (scikit-learn's
/// `adjusted_rand_score`).
///
/// `ARI = 2·(TP·TN − FN·FP) / ((TP + FN)·(FN + TN) + (TP + FP)·(FP + TN))` on pair
/// counts, with `TP = Σ n_ij² − N`, `FP = Σ a_i² − Σ n_ij²`, `FN = Σ b_j² − Σ n_ij²`,
/// `TN = N² − TP − FP − FN − N` (Hubert & Arabie 1985, as in scikit-learn's
/// `pair_confusion_matrix`); 1 when `FP = FN = 0`. The result is at most 1, about 0 for
/// random labellings, symmetric, and ignores how labels are named.
///
/// ```
/// # fn main() -> mdec_metrics::Result<()> {
/// assert_eq!(mdec_metrics::ari(&[0, 0, 1, 1], &[1, 1, 0, 0])?, 1.0);
/// assert_eq!(mdec_metrics::ari(&[0, 0, 1, 1], &[0, 1, 0, 1])?, -0.5);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`Error::LengthMismatch`](crate::Error::LengthMismatch) and
/// [`Error::Empty`](crate::Error::Empty).
pub fn ari(labels_true: &[usize], labels_pred: &[usize]) -> Result<f64> {
    Ok(Contingency::new(labels_true, labels_pred)?.ari())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Classic formula on unordered pairs: `(Σ C(n_ij,2) − E) / (M − E)`.
    fn classic(table: &Contingency) -> f64 {
        let c2 = |x: u64| (x * x.saturating_sub(1) / 2) as f64;
        let index: f64 = table.nonzero().map(|(_, _, n)| c2(n)).sum();
        let a: f64 = table.cluster_sizes().iter().map(|&x| c2(x)).sum();
        let b: f64 = table.class_sizes().iter().map(|&x| c2(x)).sum();
        let expected = a * b / c2(table.n_samples() as u64);
        let max = (a + b) / 2.0;
        (index - expected) / (max - expected)
    }

    #[test]
    fn matches_the_classic_formula() -> Result<()> {
        let labels_true = [0, 0, 0, 1, 1, 1, 2, 2, 2, 2];
        let labels_pred = [0, 0, 1, 1, 1, 2, 2, 2, 0, 2];
        let table = Contingency::new(&labels_true, &labels_pred)?;
        assert!((table.ari() - classic(&table)).abs() < 1e-12);
        Ok(())
    }
}
