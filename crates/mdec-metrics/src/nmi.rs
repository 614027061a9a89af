//! Normalised mutual information (NMI), with scikit-learn's conventions.
//!
//! With `n_ij` the contingency table, `a_i` the cluster sizes, `b_j` the class sizes and
//! `N` the number of samples (natural logarithms throughout):
//!
//! ```text
//! MI(U, V) = Σ_ij (n_ij / N) · ln( N·n_ij / (a_i·b_j) )
//! H(U)     = −Σ_i (a_i / N) · ln(a_i / N)
//! NMI      = MI / mean(H(U), H(V))
//! ```
//!
//! where `mean` is the arithmetic mean by default, or the geometric mean, min or max
//! ([`Normalization`]); this is scikit-learn's `normalized_mutual_info_score`
//! (`average_method`, default `"arithmetic"` since 0.22), after Vinh, Epps & Bailey,
//! *Information theoretic measures for clusterings comparison*, JMLR 2010.
//!
//! Conventions, as in scikit-learn: two labellings that each put every sample in one
//! cluster (both entropies zero) have NMI 1; otherwise an MI of exactly 0 gives NMI 0.

use crate::contingency::Contingency;
use crate::error::Result;

/// How mutual information is normalised by the two entropies `H(U)` and `H(V)`.
///
/// Matches scikit-learn's `average_method`; every choice gives a value in `[0, 1]`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Normalization {
    /// `(H(U) + H(V)) / 2`, scikit-learn's default (`"arithmetic"`).
    #[default]
    Arithmetic,
    /// `√(H(U)·H(V))` (`"geometric"`), Strehl & Ghosh 2002; scikit-learn's NMI before 0.22.
    Geometric,
    /// `min(H(U), H(V))` (`"min"`).
    Min,
    /// `max(H(U), H(V))` (`"max"`).
    Max,
}

impl Normalization {
    /// The generalised mean of the two entropies that divides the mutual information.
    pub fn mean(self, h_true: f64, h_pred: f64) -> f64 {
        match self {
            Self::Arithmetic => (h_true + h_pred) / 2.0,
            Self::Geometric => (h_true * h_pred).sqrt(),
            Self::Min => h_true.min(h_pred),
            Self::Max => h_true.max(h_pred),
        }
    }
}

impl Contingency {
    /// Mutual information in nats: `MI(U, V) = Σ_ij (n_ij / N) · ln(N·n_ij / (a_i·b_j))`,
    /// with `a_i` the cluster sizes and `b_j` the class sizes (Vinh et al., JMLR 2010).
    pub fn mutual_info(&self) -> f64 {
        let n = self.n_samples() as f64;
        let (a, b) = (self.cluster_sizes(), self.class_sizes());
        let mi: f64 = self
            .nonzero()
            .map(|(i, j, n_ij)| {
                // Integer products keep the ratio exact (and so ln 1 = 0 exactly) for
                // independent cells, as long as they stay below 2^53.
                let ratio = (u128::from(n_ij) * self.n_samples() as u128) as f64
                    / (u128::from(a[i]) * u128::from(b[j])) as f64;
                n_ij as f64 / n * ratio.ln()
            })
            .sum();
        mi.max(0.0)
    }

    /// Entropy `H(V)` of the true classes, in nats.
    pub fn class_entropy(&self) -> f64 {
        entropy(self.class_sizes(), self.n_samples())
    }

    /// Entropy `H(U)` of the predicted clusters, in nats.
    pub fn cluster_entropy(&self) -> f64 {
        entropy(self.cluster_sizes(), self.n_samples())
    }

    /// NMI of this table with the given normalisation: `MI / mean(H(U), H(V))`, 1 when
    /// both sides are a single cluster, 0 when `MI = 0`; see [`nmi_with`].
    pub fn nmi(&self, normalization: Normalization) -> f64 {
        if self.n_clusters() == 1 && self.n_classes() == 1 {
            return 1.0;
        }
        let mi = self.mutual_info();
        if mi == 0.0 {
            return 0.0;
        }
        let mean = normalization.mean(self.class_entropy(), self.cluster_entropy());
        if mean > 0.0 {
            // MI ≤ min(H(U), H(V)) ≤ mean; clamping only absorbs rounding.
            (mi / mean).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// Entropy `−Σ (s/N) ln(s/N)` of a partition with part sizes `sizes` summing to `n`.
fn entropy(sizes: &[u64], n: usize) -> f64 {
    let n = n as f64;
    let ln_n = n.ln();
    let h: f64 = sizes
        .iter()
        .map(|&s| s as f64 / n * ((s as f64).ln() - ln_n))
        .sum();
    (-h).max(0.0)
}

/// NMI of `labels_pred` against `labels_true`, arithmetic normalisation
/// (scikit-learn's default).
///
/// `NMI = MI(U, V) / ((H(U) + H(V)) / 2)` with `MI(U, V) = Σ_ij (n_ij/N) · ln(N·n_ij /
/// (a_i·b_j))` and `H(U) = −Σ_i (a_i/N) · ln(a_i/N)` over the contingency table `n_ij`
/// (Vinh, Epps & Bailey, JMLR 2010; scikit-learn's `normalized_mutual_info_score`). The
/// result lies in `[0, 1]`, is symmetric in its arguments and ignores how labels are
/// named. Two single-cluster labellings score 1; otherwise zero MI scores 0.
///
/// ```
/// # fn main() -> mdec_metrics::Result<()> {
/// // The same partition under other names.
/// assert_eq!(mdec_metrics::nmi(&[0, 0, 1, 1], &[9, 9, 4, 4])?, 1.0);
/// // Independent partitions.
/// assert_eq!(mdec_metrics::nmi(&[0, 0, 1, 1], &[0, 1, 0, 1])?, 0.0);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`Error::LengthMismatch`](crate::Error::LengthMismatch) and
/// [`Error::Empty`](crate::Error::Empty).
pub fn nmi(labels_true: &[usize], labels_pred: &[usize]) -> Result<f64> {
    nmi_with(labels_true, labels_pred, Normalization::default())
}

/// NMI of `labels_pred` against `labels_true` with the chosen [`Normalization`].
///
/// `NMI = MI(U, V) / mean(H(U), H(V))`, scikit-learn's
/// `normalized_mutual_info_score(labels_true, labels_pred, average_method=...)`.
///
/// # Errors
///
/// [`Error::LengthMismatch`](crate::Error::LengthMismatch) and
/// [`Error::Empty`](crate::Error::Empty).
pub fn nmi_with(
    labels_true: &[usize],
    labels_pred: &[usize],
    normalization: Normalization,
) -> Result<f64> {
    Ok(Contingency::new(labels_true, labels_pred)?.nmi(normalization))
}

/// Mutual information `MI(U, V)` of two labellings, in nats (scikit-learn's
/// `mutual_info_score`).
///
/// # Errors
///
/// [`Error::LengthMismatch`](crate::Error::LengthMismatch) and
/// [`Error::Empty`](crate::Error::Empty).
pub fn mutual_info(labels_true: &[usize], labels_pred: &[usize]) -> Result<f64> {
    Ok(Contingency::new(labels_true, labels_pred)?.mutual_info())
}

/// Stability of a clustering between two successive assignments: the NMI of the
/// previous assignment against the current one (arithmetic normalisation).
///
/// DeepCluster (Caron et al., ECCV 2018, §4.1) tracks `NMI(A_{t−1}, A_t)` across epochs
/// to see when the assignments stop changing: 1 means the same partition (whatever the
/// cluster ids), values near 0 mean the clusters were reshuffled. NMI is symmetric, so
/// the order of the arguments does not matter. DeepCluster's code used scikit-learn
/// before 0.22, whose NMI was the geometric one; pass [`Normalization::Geometric`] to
/// [`nmi_with`] to reproduce its curves exactly.
///
/// ```
/// # fn main() -> mdec_metrics::Result<()> {
/// let epoch_1 = [0, 0, 1, 1, 2, 2];
/// let epoch_2 = [2, 2, 0, 0, 1, 1]; // same clusters, new ids
/// assert_eq!(mdec_metrics::stability_nmi(&epoch_1, &epoch_2)?, 1.0);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`Error::LengthMismatch`](crate::Error::LengthMismatch) when the assignments cover
/// different numbers of samples and [`Error::Empty`](crate::Error::Empty).
pub fn stability_nmi(previous: &[usize], current: &[usize]) -> Result<f64> {
    nmi(previous, current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizations_order_as_means_do() -> Result<()> {
        let labels_true = [0, 0, 0, 1, 1, 1, 2, 2, 2];
        let labels_pred = [0, 0, 1, 1, 1, 1, 1, 2, 2];
        let get = |m| nmi_with(&labels_true, &labels_pred, m);
        let (min, geo, ari, max) = (
            get(Normalization::Min)?,
            get(Normalization::Geometric)?,
            get(Normalization::Arithmetic)?,
            get(Normalization::Max)?,
        );
        // Dividing by a larger mean gives a smaller NMI: min ≥ geometric ≥ arithmetic ≥ max.
        assert!(
            min >= geo && geo >= ari && ari >= max,
            "{min} {geo} {ari} {max}"
        );
        Ok(())
    }

    #[test]
    fn entropy_of_uniform_partition_is_ln_k() -> Result<()> {
        let table = Contingency::new(&[0, 1, 2, 3], &[0, 0, 0, 0])?;
        assert!((table.class_entropy() - 4f64.ln()).abs() < 1e-15);
        assert_eq!(table.cluster_entropy(), 0.0);
        Ok(())
    }
}
