//! [`cluster_sizes`]: how many samples each cluster (or class) holds.

/// The number of samples with each label: `sizes[j]` counts the `j`s in `labels`.
///
/// The result has `k` entries (zeros for empty clusters), or more when a label is `>= k`:
/// it then widens to `max(labels) + 1` entries, so every sample is counted
/// (`sizes.iter().sum() == labels.len()`) and a caller that expected `k` clusters can tell
/// from `sizes.len() > k` that the labels do not fit.
///
/// ```
/// use mdec_metrics::cluster_sizes;
///
/// assert_eq!(cluster_sizes(&[0, 2, 2, 0, 2], 4), [2, 0, 3, 0]);
/// // A label past `k` widens the result rather than being dropped.
/// assert_eq!(cluster_sizes(&[0, 5], 2), [1, 0, 0, 0, 0, 1]);
/// ```
pub fn cluster_sizes(labels: &[usize], k: usize) -> Vec<usize> {
    let mut sizes = vec![0; k];
    for &label in labels {
        if label >= sizes.len() {
            sizes.resize(label + 1, 0);
        }
        sizes[label] += 1;
    }
    sizes
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn empty_labels_give_k_zeros() {
        assert_eq!(cluster_sizes(&[], 3), [0, 0, 0]);
        assert!(cluster_sizes(&[], 0).is_empty());
    }

    proptest! {
        #[test]
        fn sizes_count_every_sample(labels in prop::collection::vec(0usize..12, 0..200), k in 0usize..10) {
            let sizes = cluster_sizes(&labels, k);
            prop_assert_eq!(sizes.iter().sum::<usize>(), labels.len());
            let widest = labels.iter().map(|&l| l + 1).max().unwrap_or(0);
            prop_assert_eq!(sizes.len(), k.max(widest));
            for (j, &size) in sizes.iter().enumerate() {
                prop_assert_eq!(size, labels.iter().filter(|&&l| l == j).count());
            }
        }
    }
}
