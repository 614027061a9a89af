//! The contingency table (confusion matrix) of predicted clusters against true classes.
//!
//! Every clustering metric in this crate is a function of this table, so it is built
//! once, in linear time, and shared: [`crate::evaluate`] computes ACC, NMI and ARI from a
//! single [`Contingency`].

use crate::error::{Error, Result};

/// Above this many distinct-label slots per sample, labels are compacted by sorting
/// instead of through a direct lookup table.
const LOOKUP_SLOTS_PER_SAMPLE: usize = 4;

/// Lookup tables up to this size are always fine, whatever the number of samples.
const LOOKUP_MIN_SLOTS: usize = 1 << 16;

/// Contingency tables with at most this many cells (or at most one cell per sample)
/// are counted densely in one pass; larger ones go through a bucket sort.
const DENSE_MIN_CELLS: usize = 1 << 12;

/// Counts of samples per (predicted cluster, true class) pair.
///
/// Rows are clusters and columns are classes, both in ascending order of their original
/// label: row `i` is the cluster labelled [`Contingency::cluster_labels`]`()[i]`, column
/// `j` the class labelled [`Contingency::class_labels`]`()[j]`. Labels need not be
/// contiguous: `{3, 7, 100}` become rows `0, 1, 2`.
///
/// The table is stored sparsely (only non-zero cells, row by row), so it costs
/// `O(n + k + c)` memory for `n` samples, `k` clusters and `c` classes, even when every
/// sample has its own label. Building it takes `O(n + k·c)` time when the table is small
/// and `O(n log c)` otherwise; there is no `O(n²)` step.
///
/// ```
/// use mdec_metrics::Contingency;
///
/// # fn main() -> mdec_metrics::Result<()> {
/// let table = Contingency::new(&[0, 0, 1, 1], &[5, 5, 5, 9])?;
/// assert_eq!(table.cluster_labels(), &[5, 9]);
/// assert_eq!(table.to_dense(), vec![vec![2, 1], vec![0, 1]]);
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contingency {
    /// Original label of each row (cluster), ascending.
    cluster_labels: Vec<usize>,
    /// Original label of each column (class), ascending.
    class_labels: Vec<usize>,
    /// Number of samples in each cluster (row sums).
    cluster_sizes: Vec<u64>,
    /// Number of samples in each class (column sums).
    class_sizes: Vec<u64>,
    /// Row `i` owns `cols[row_ptr[i]..row_ptr[i + 1]]` and the same range of `counts`.
    row_ptr: Vec<usize>,
    /// Column index of each non-zero cell, ascending within a row.
    cols: Vec<usize>,
    /// Count of each non-zero cell.
    counts: Vec<u64>,
}

impl Contingency {
    /// Builds the table of `labels_pred` (rows) against `labels_true` (columns).
    ///
    /// # Errors
    ///
    /// [`Error::LengthMismatch`] when the slices differ in length and [`Error::Empty`]
    /// when they are empty.
    pub fn new(labels_true: &[usize], labels_pred: &[usize]) -> Result<Self> {
        check_labels(labels_true, labels_pred)?;
        let classes = Compacted::new(labels_true);
        let clusters = Compacted::new(labels_pred);
        let (k, c) = (clusters.labels.len(), classes.labels.len());

        let dense_limit = labels_true.len().max(DENSE_MIN_CELLS);
        let (row_ptr, cols, counts) = match k.checked_mul(c) {
            Some(cells) if cells <= dense_limit => {
                count_dense(&clusters.index, &classes.index, k, c)
            }
            _ => count_sparse(&clusters, &classes.index, c),
        };

        Ok(Self {
            cluster_labels: clusters.labels,
            class_labels: classes.labels,
            cluster_sizes: clusters.sizes,
            class_sizes: classes.sizes,
            row_ptr,
            cols,
            counts,
        })
    }

    /// Number of samples `n` (the sum of all cells).
    pub fn n_samples(&self) -> usize {
        // Each size is at most the input length, which is a usize.
        self.cluster_sizes.iter().sum::<u64>() as usize
    }

    /// Number of distinct predicted clusters `k` (rows).
    pub fn n_clusters(&self) -> usize {
        self.cluster_labels.len()
    }

    /// Number of distinct true classes `c` (columns).
    pub fn n_classes(&self) -> usize {
        self.class_labels.len()
    }

    /// Original label of each row, in ascending order.
    pub fn cluster_labels(&self) -> &[usize] {
        &self.cluster_labels
    }

    /// Original label of each column, in ascending order.
    pub fn class_labels(&self) -> &[usize] {
        &self.class_labels
    }

    /// Number of samples in each cluster (row sums `a_i`).
    pub fn cluster_sizes(&self) -> &[u64] {
        &self.cluster_sizes
    }

    /// Number of samples in each class (column sums `b_j`).
    pub fn class_sizes(&self) -> &[u64] {
        &self.class_sizes
    }

    /// Count of samples in row (cluster index) `cluster` and column (class index)
    /// `class`; `0` for indices out of range.
    ///
    /// Indices are positions in [`Self::cluster_labels`] and [`Self::class_labels`],
    /// not the original labels.
    pub fn count(&self, cluster: usize, class: usize) -> u64 {
        if cluster >= self.n_clusters() {
            return 0;
        }
        let (cols, counts) = self.row(cluster);
        cols.binary_search(&class).map_or(0, |pos| counts[pos])
    }

    /// The non-zero cells as `(cluster index, class index, count)`, row by row.
    pub fn nonzero(&self) -> impl Iterator<Item = (usize, usize, u64)> + '_ {
        (0..self.n_clusters()).flat_map(move |i| {
            let (cols, counts) = self.row(i);
            cols.iter().zip(counts).map(move |(&j, &n)| (i, j, n))
        })
    }

    /// The full table as `n_clusters` rows of `n_classes` counts.
    ///
    /// This allocates `k·c` cells; use [`Self::nonzero`] when both are large.
    pub fn to_dense(&self) -> Vec<Vec<u64>> {
        let c = self.n_classes();
        (0..self.n_clusters())
            .map(|i| {
                let mut row = vec![0; c];
                let (cols, counts) = self.row(i);
                for (&j, &n) in cols.iter().zip(counts) {
                    row[j] = n;
                }
                row
            })
            .collect()
    }

    /// Column indices and counts of the non-zero cells of row `i`.
    fn row(&self, i: usize) -> (&[usize], &[u64]) {
        let range = self.row_ptr[i]..self.row_ptr[i + 1];
        (&self.cols[range.clone()], &self.counts[range])
    }
}

/// Builds the confusion matrix of predicted clusters (rows) against true classes
/// (columns); the same as [`Contingency::new`].
///
/// # Errors
///
/// [`Error::LengthMismatch`] when the slices differ in length and [`Error::Empty`] when
/// they are empty.
pub fn confusion_matrix(labels_true: &[usize], labels_pred: &[usize]) -> Result<Contingency> {
    Contingency::new(labels_true, labels_pred)
}

/// Checks that two label slices can be compared.
pub(crate) fn check_labels(left: &[usize], right: &[usize]) -> Result<()> {
    if left.len() != right.len() {
        return Err(Error::LengthMismatch {
            left: left.len(),
            right: right.len(),
        });
    }
    if left.is_empty() {
        return Err(Error::Empty { what: "labels" });
    }
    Ok(())
}

/// Labels mapped onto `0..k`, keeping their order.
struct Compacted {
    /// Distinct original labels, ascending.
    labels: Vec<usize>,
    /// Compact index of each sample's label.
    index: Vec<usize>,
    /// Number of samples per compact index.
    sizes: Vec<u64>,
}

impl Compacted {
    /// Compacts `labels` with a lookup table when the largest label is small relative to
    /// the number of samples (the common case, `O(n + max)`), by sorting otherwise
    /// (`O(n log k)`).
    fn new(labels: &[usize]) -> Self {
        let max = labels.iter().copied().max().unwrap_or(0);
        let slots = labels
            .len()
            .saturating_mul(LOOKUP_SLOTS_PER_SAMPLE)
            .max(LOOKUP_MIN_SLOTS);
        let (labels_sorted, index) = if max < slots {
            let mut lookup = vec![usize::MAX; max + 1];
            for &l in labels {
                lookup[l] = 0;
            }
            let mut distinct = Vec::new();
            for (l, slot) in lookup.iter_mut().enumerate() {
                if *slot == 0 {
                    *slot = distinct.len();
                    distinct.push(l);
                }
            }
            (
                distinct,
                labels.iter().map(|&l| lookup[l]).collect::<Vec<_>>(),
            )
        } else {
            let mut distinct = labels.to_vec();
            distinct.sort_unstable();
            distinct.dedup();
            let index = labels
                .iter()
                .map(|l| distinct.binary_search(l).unwrap_or_default())
                .collect::<Vec<_>>();
            (distinct, index)
        };
        let sizes = crate::cluster_sizes(&index, labels_sorted.len())
            .into_iter()
            .map(|size| size as u64)
            .collect();
        Self {
            labels: labels_sorted,
            index,
            sizes,
        }
    }
}

/// Sparse rows: `(row_ptr, cols, counts)`.
type Csr = (Vec<usize>, Vec<usize>, Vec<u64>);

/// Counts into a dense `k × c` table in one pass, then keeps the non-zero cells.
fn count_dense(rows: &[usize], cols: &[usize], k: usize, c: usize) -> Csr {
    let mut table = vec![0u64; k * c];
    for (&i, &j) in rows.iter().zip(cols) {
        table[i * c + j] += 1;
    }
    let mut row_ptr = Vec::with_capacity(k + 1);
    let (mut nz_cols, mut nz_counts) = (Vec::new(), Vec::new());
    row_ptr.push(0);
    for row in table.chunks_exact(c) {
        for (j, &n) in row.iter().enumerate().filter(|(_, n)| **n > 0) {
            nz_cols.push(j);
            nz_counts.push(n);
        }
        row_ptr.push(nz_cols.len());
    }
    (row_ptr, nz_cols, nz_counts)
}

/// Bucket-sorts the samples by cluster, then counts each cluster's classes with a
/// reused scratch row: `O(n log c)` time, `O(n + k + c)` memory.
fn count_sparse(clusters: &Compacted, classes: &[usize], c: usize) -> Csr {
    let k = clusters.labels.len();
    let mut start = Vec::with_capacity(k + 1);
    start.push(0usize);
    for &size in &clusters.sizes {
        start.push(start[start.len() - 1] + size as usize);
    }
    let mut cursor = start[..k].to_vec();
    let mut by_cluster = vec![0usize; classes.len()];
    for (&i, &j) in clusters.index.iter().zip(classes) {
        by_cluster[cursor[i]] = j;
        cursor[i] += 1;
    }

    let mut scratch = vec![0u64; c];
    let mut touched = Vec::new();
    let mut row_ptr = Vec::with_capacity(k + 1);
    let (mut nz_cols, mut nz_counts) = (Vec::new(), Vec::new());
    row_ptr.push(0);
    for window in start.windows(2) {
        for &j in &by_cluster[window[0]..window[1]] {
            if scratch[j] == 0 {
                touched.push(j);
            }
            scratch[j] += 1;
        }
        touched.sort_unstable();
        for j in touched.drain(..) {
            nz_cols.push(j);
            nz_counts.push(scratch[j]);
            scratch[j] = 0;
        }
        row_ptr.push(nz_cols.len());
    }
    (row_ptr, nz_cols, nz_counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Naive reference: a dense table over the sorted distinct labels.
    fn naive(labels_true: &[usize], labels_pred: &[usize]) -> Vec<Vec<u64>> {
        let mut classes = labels_true.to_vec();
        classes.sort_unstable();
        classes.dedup();
        let mut clusters = labels_pred.to_vec();
        clusters.sort_unstable();
        clusters.dedup();
        let mut table = vec![vec![0; classes.len()]; clusters.len()];
        for (t, p) in labels_true.iter().zip(labels_pred) {
            let i = clusters.iter().position(|x| x == p).unwrap();
            let j = classes.iter().position(|x| x == t).unwrap();
            table[i][j] += 1;
        }
        table
    }

    #[test]
    fn non_contiguous_labels_are_compacted() -> Result<()> {
        let table = Contingency::new(&[3, 7, 100, 7], &[1, 1, 0, 0])?;
        assert_eq!(table.class_labels(), &[3, 7, 100]);
        assert_eq!(table.cluster_labels(), &[0, 1]);
        assert_eq!(table.to_dense(), vec![vec![0, 1, 1], vec![1, 1, 0]]);
        assert_eq!(table.cluster_sizes(), &[2, 2]);
        assert_eq!(table.class_sizes(), &[1, 2, 1]);
        assert_eq!(table.n_samples(), 4);
        assert_eq!(table.count(1, 0), 1);
        assert_eq!(table.count(0, 0), 0);
        assert_eq!(table.count(9, 0), 0);
        Ok(())
    }

    #[test]
    fn huge_labels_use_the_sorting_path() -> Result<()> {
        let labels_true = [usize::MAX, 0, usize::MAX, 5];
        let labels_pred = [1 << 40, 1 << 40, 2, 2];
        let table = Contingency::new(&labels_true, &labels_pred)?;
        assert_eq!(table.to_dense(), naive(&labels_true, &labels_pred));
        Ok(())
    }

    #[test]
    fn all_distinct_labels_use_the_sparse_path() -> Result<()> {
        // 10_000 x 10_000 cells would be 800 MB dense; sparse it is 10_000 cells.
        let n = 10_000;
        let labels: Vec<usize> = (0..n).collect();
        let reversed: Vec<usize> = (0..n).rev().collect();
        let table = Contingency::new(&labels, &reversed)?;
        assert_eq!(table.nonzero().count(), n);
        assert!(
            table
                .nonzero()
                .all(|(i, j, n_ij)| i + j == n - 1 && n_ij == 1)
        );
        Ok(())
    }

    #[test]
    fn sparse_and_dense_paths_agree() {
        let labels_true: Vec<usize> = (0..500).map(|i| (i * 7919) % 37).collect();
        let labels_pred: Vec<usize> = (0..500).map(|i| (i * 104_729) % 41).collect();
        let classes = Compacted::new(&labels_true);
        let clusters = Compacted::new(&labels_pred);
        let dense = count_dense(&clusters.index, &classes.index, 41, 37);
        let sparse = count_sparse(&clusters, &classes.index, 37);
        assert_eq!(dense, sparse);
    }

    #[test]
    fn invalid_inputs_are_typed_errors() {
        assert_eq!(
            Contingency::new(&[0, 1], &[0]),
            Err(Error::LengthMismatch { left: 2, right: 1 })
        );
        assert_eq!(
            Contingency::new(&[], &[]),
            Err(Error::Empty { what: "labels" })
        );
    }

    proptest::proptest! {
        #[test]
        fn matches_naive_table(
            pairs in proptest::collection::vec((0usize..6, 0usize..8), 1..60),
            spread in 1usize..1000,
        ) {
            let labels_true: Vec<usize> = pairs.iter().map(|p| p.0 * spread).collect();
            let labels_pred: Vec<usize> = pairs.iter().map(|p| p.1).collect();
            let table = Contingency::new(&labels_true, &labels_pred).unwrap();
            proptest::prop_assert_eq!(table.to_dense(), naive(&labels_true, &labels_pred));
            let classes = Compacted::new(&labels_true);
            let clusters = Compacted::new(&labels_pred);
            let (k, c) = (clusters.labels.len(), classes.labels.len());
            proptest::prop_assert_eq!(
                count_dense(&clusters.index, &classes.index, k, c),
                count_sparse(&clusters, &classes.index, c)
            );
        }
    }
}
