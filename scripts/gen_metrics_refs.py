#!/usr/bin/env python3
"""Reference values for the mdec-metrics tests (crates/mdec-metrics/tests/reference.rs).

Run once, by hand, with scikit-learn installed (`pip install scikit-learn`); paste the
printed values into the Rust test. Nothing in the build runs this script.

    python3 scripts/gen_metrics_refs.py

Generated with scikit-learn 1.9.1, scipy 1.17.1, numpy 2.4.6.

ACC is computed as the deep-clustering papers do: Hungarian assignment
(scipy.optimize.linear_sum_assignment) maximising the matched counts of the
contingency table; unmatched clusters count as wrong.
"""

import numpy as np
import scipy
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix

# Fixed label vectors, written out literally (the Rust test copies them).
CASES = {
    # 3 classes, 3 clusters with non-contiguous ids, some noise (30 labels).
    "noisy_three": (
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
        [7, 7, 7, 7, 7, 7, 7, 3, 3, 100, 3, 3, 3, 3, 3, 3, 7, 3, 100, 3, 100, 100, 100, 100, 100, 100, 7, 100, 3, 100],
    ),
    # More clusters (5) than classes (3) (32 labels).
    "more_clusters": (
        [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2],
        [0, 0, 0, 0, 0, 4, 4, 4, 1, 0, 4, 1, 1, 1, 1, 2, 2, 2, 2, 1, 0, 3, 3, 3, 3, 3, 3, 2, 3, 3, 4, 3],
    ),
    # Fewer clusters (2) than classes (4) (30 labels).
    "fewer_clusters": (
        [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3],
        [5, 5, 5, 5, 5, 5, 9, 5, 5, 5, 5, 5, 9, 5, 5, 9, 9, 9, 9, 9, 5, 9, 9, 9, 9, 5, 9, 9, 9, 9],
    ),
    # Sparse class ids {3, 7, 100, 250}, 4 clusters, close to random (24 labels).
    "sparse_ids": (
        [3, 7, 100, 250, 3, 7, 100, 250, 3, 7, 100, 250, 3, 3, 7, 7, 100, 100, 250, 250, 3, 7, 100, 250],
        [1, 1, 2, 2, 0, 0, 3, 3, 1, 2, 3, 0, 0, 1, 2, 3, 1, 2, 3, 0, 2, 2, 1, 1],
    ),
}

# Degenerate labellings, to pin down scikit-learn's conventions for the limit cases.
DEGENERATE = {
    "one_sample": ([0], [5]),
    "single_cluster_both": ([1, 1, 1], [2, 2, 2]),
    "distinct_vs_single": ([0, 1, 2, 3], [0, 0, 0, 0]),
    "distinct_both": ([0, 1, 2, 3], [3, 2, 1, 0]),
    "pairs_vs_distinct": ([0, 0, 1, 1], [0, 1, 2, 3]),
}

# Reconstruction pair (float32 in the Rust test).
ORIGINAL = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0, 0.33, 0.0, 0.62]
RECONSTRUCTED = [0.05, 0.12, 0.2, 0.55, 0.7, 0.95, 0.98, 0.3, 0.02, 0.6]


def acc(labels_true, labels_pred):
    table = contingency_matrix(labels_true, labels_pred)  # classes x clusters
    rows, cols = linear_sum_assignment(table, maximize=True)
    return table[rows, cols].sum() / len(labels_true)


def main():
    print(f"# scikit-learn {sklearn.__version__}, scipy {scipy.__version__}, numpy {np.__version__}")
    for name, (labels_true, labels_pred) in CASES.items():
        assert len(labels_true) == len(labels_pred), name
        print(f"{name} (n = {len(labels_true)}):")
        print(f"  acc        = {float(acc(labels_true, labels_pred))!r}")
        for method in ("arithmetic", "geometric", "min", "max"):
            value = normalized_mutual_info_score(labels_true, labels_pred, average_method=method)
            print(f"  nmi_{method:<10} = {float(value)!r}")
        print(f"  ari        = {float(adjusted_rand_score(labels_true, labels_pred))!r}")

    print("degenerate (acc, nmi arithmetic, ari):")
    for name, (labels_true, labels_pred) in DEGENERATE.items():
        values = (
            float(acc(labels_true, labels_pred)),
            float(normalized_mutual_info_score(labels_true, labels_pred)),
            float(adjusted_rand_score(labels_true, labels_pred)),
        )
        print(f"  {name:<20} = {values!r}")

    x = np.asarray(ORIGINAL, dtype=np.float32).astype(np.float64)
    y = np.asarray(RECONSTRUCTED, dtype=np.float32).astype(np.float64)
    mse = np.mean((x - y) ** 2)
    print("reconstruction:")
    print(f"  mse              = {float(mse)!r}")
    for data_range in (1.0, 2.0):
        psnr = 10.0 * np.log10(data_range**2 / mse)
        print(f"  psnr(range={data_range}) = {float(psnr)!r}")


if __name__ == "__main__":
    main()
