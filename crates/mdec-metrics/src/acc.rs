//! Clustering accuracy (ACC) under the best one-to-one matching of clusters to classes.
//!
//! ACC is the standard accuracy of deep clustering papers (DEC, Xie et al. 2016, eq. 10;
//! IDEC, DCEC):
//!
//! ```text
//! ACC = max_m  Σ_i 1{ y_i = m(c_i) } / n
//! ```
//!
//! where `y_i` is the true class of sample `i`, `c_i` its cluster and `m` ranges over
//! one-to-one maps from clusters to classes. The best `m` is a maximum-weight bipartite
//! matching on the contingency table, found with the Hungarian (Kuhn–Munkres) algorithm
//! of the [`hungarian`] crate on the cost `max(N) − N_ij`, as the reference
//! implementations do with `scipy.optimize.linear_sum_assignment`.
//!
//! The cost matrix may be rectangular. With more clusters than classes, only as many
//! clusters as there are classes are matched and the samples of the others count as
//! wrong; with fewer clusters than classes, some classes receive no cluster.

use crate::contingency::Contingency;
use crate::error::{Error, Result};

/// Largest `n_clusters × n_classes` cost matrix the Hungarian step builds (16 Mi cells).
pub const MAX_ASSIGNMENT_CELLS: usize = 1 << 24;

/// The optimal one-to-one matching of predicted clusters to true classes.
///
/// Built by [`matching`] or [`Contingency::matching`]; used for ACC, for reordering the
/// confusion-matrix figure and for translating cluster ids into class ids in reports.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Matching {
    /// `(cluster label, class label)` for every matched cluster, by ascending cluster.
    pairs: Vec<(usize, usize)>,
    /// Labels of the clusters left without a class, ascending.
    unmatched: Vec<usize>,
    /// Samples whose cluster is matched to their own class.
    correct: u64,
    /// Total number of samples.
    n_samples: u64,
}

impl Matching {
    /// `(cluster label, class label)` for every matched cluster, by ascending cluster
    /// label. Labels are the original ones, not compacted indices.
    pub fn pairs(&self) -> &[(usize, usize)] {
        &self.pairs
    }

    /// The class that cluster `cluster` (an original label) is matched to, or `None` if
    /// the cluster is unmatched or never occurred.
    pub fn class_of(&self, cluster: usize) -> Option<usize> {
        self.pairs
            .binary_search_by_key(&cluster, |&(k, _)| k)
            .ok()
            .map(|pos| self.pairs[pos].1)
    }

    /// Labels of the clusters that got no class (only when there are more clusters than
    /// classes), ascending. Their samples count as misclassified.
    pub fn unmatched_clusters(&self) -> &[usize] {
        &self.unmatched
    }

    /// Number of samples whose cluster is matched to their true class.
    pub fn correct(&self) -> u64 {
        self.correct
    }

    /// Total number of samples.
    pub fn n_samples(&self) -> u64 {
        self.n_samples
    }

    /// Clustering accuracy `correct / n_samples`, in `(0, 1]`.
    pub fn acc(&self) -> f64 {
        self.correct as f64 / self.n_samples as f64
    }

    /// Translates each predicted cluster into its matched class (`None` for unmatched
    /// clusters), e.g. to draw a confusion matrix in class order or to report errors.
    pub fn map_clusters(&self, labels_pred: &[usize]) -> Vec<Option<usize>> {
        labels_pred.iter().map(|&k| self.class_of(k)).collect()
    }
}

impl Contingency {
    /// The optimal cluster → class matching of this table (Hungarian algorithm).
    ///
    /// Takes `O(k·c)` memory and about `O(min(k, c)²·max(k, c))` time for `k` clusters and
    /// `c` classes: microseconds for MNIST's 10 × 10.
    ///
    /// # Errors
    ///
    /// [`Error::AssignmentTooLarge`] when `k·c` exceeds [`MAX_ASSIGNMENT_CELLS`].
    pub fn matching(&self) -> Result<Matching> {
        let (k, c) = (self.n_clusters(), self.n_classes());
        let too_large = Error::AssignmentTooLarge {
            n_clusters: k,
            n_classes: c,
            max_cells: MAX_ASSIGNMENT_CELLS,
        };
        let cells = k.checked_mul(c).ok_or_else(|| too_large.clone())?;
        if cells > MAX_ASSIGNMENT_CELLS {
            return Err(too_large);
        }

        // Maximise the matched counts by minimising `max − count` (non-negative integers,
        // as the `hungarian` crate requires).
        let max = self.nonzero().map(|(_, _, n)| n).max().unwrap_or(0);
        let mut cost = vec![max; cells];
        for (i, j, n) in self.nonzero() {
            cost[i * c + j] = max - n;
        }
        let assignment = hungarian::minimize(&cost, k, c);

        let mut pairs = Vec::with_capacity(k.min(c));
        let mut unmatched = Vec::new();
        let mut correct = 0;
        for (i, &cluster) in self.cluster_labels().iter().enumerate() {
            match assignment.get(i).copied().flatten() {
                Some(j) => {
                    pairs.push((cluster, self.class_labels()[j]));
                    correct += self.count(i, j);
                }
                None => unmatched.push(cluster),
            }
        }
        Ok(Matching {
            pairs,
            unmatched,
            correct,
            n_samples: self.n_samples() as u64,
        })
    }

    /// Clustering accuracy of this table; see [`acc`].
    ///
    /// # Errors
    ///
    /// [`Error::AssignmentTooLarge`] when `k·c` exceeds [`MAX_ASSIGNMENT_CELLS`].
    pub fn acc(&self) -> Result<f64> {
        Ok(self.matching()?.acc())
    }
}

/// Clustering accuracy (ACC) of `labels_pred` against `labels_true` under the best
/// one-to-one cluster → class matching (Hungarian algorithm).
///
/// `ACC = max_m Σ_i 1{y_i = m(c_i)} / n` (Xie et al., *Unsupervised Deep Embedding for
/// Clustering Analysis*, ICML 2016, eq. 10). Clusters left unmatched when there are
/// more clusters than classes count as wrong. The result lies in `(0, 1]`.
///
/// ```
/// # fn main() -> mdec_metrics::Result<()> {
/// // Clusters 7 → class 0 and 3 → class 1; one sample of class 1 sits in cluster 7.
/// let acc = mdec_metrics::acc(&[0, 0, 1, 1], &[7, 7, 7, 3])?;
/// assert_eq!(acc, 0.75);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// [`Error::LengthMismatch`], [`Error::Empty`], and [`Error::AssignmentTooLarge`] when
/// the numbers of clusters and classes are both huge (see [`MAX_ASSIGNMENT_CELLS`]).
pub fn acc(labels_true: &[usize], labels_pred: &[usize]) -> Result<f64> {
    Contingency::new(labels_true, labels_pred)?.acc()
}

/// The optimal cluster → class matching behind [`acc`].
///
/// ```
/// # fn main() -> mdec_metrics::Result<()> {
/// // Three clusters, two classes: cluster 2 stays unmatched.
/// let m = mdec_metrics::matching(&[0, 0, 1, 1, 1], &[5, 5, 1, 1, 2])?;
/// assert_eq!(m.pairs(), &[(1, 1), (5, 0)]);
/// assert_eq!(m.unmatched_clusters(), &[2]);
/// assert_eq!(m.class_of(5), Some(0));
/// assert_eq!(m.correct(), 4);
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// The same as [`acc`].
pub fn matching(labels_true: &[usize], labels_pred: &[usize]) -> Result<Matching> {
    Contingency::new(labels_true, labels_pred)?.matching()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fewer_clusters_than_classes_leave_classes_empty() -> Result<()> {
        let m = matching(&[0, 0, 1, 1, 2, 2], &[4, 4, 4, 4, 9, 9])?;
        assert_eq!(m.pairs(), &[(4, 0), (9, 2)]);
        assert!(m.unmatched_clusters().is_empty());
        assert_eq!(m.correct(), 4);
        assert!((m.acc() - 4.0 / 6.0).abs() < 1e-15);
        assert_eq!(m.map_clusters(&[9, 4, 5]), vec![Some(2), Some(0), None]);
        Ok(())
    }

    #[test]
    fn too_large_assignment_is_an_error() -> Result<()> {
        let n = 5000;
        let labels: Vec<usize> = (0..n).collect();
        assert_eq!(
            acc(&labels, &labels),
            Err(Error::AssignmentTooLarge {
                n_clusters: n,
                n_classes: n,
                max_cells: MAX_ASSIGNMENT_CELLS
            })
        );
        Ok(())
    }
}
