"""scikit-learn side of `cargo xtask bench`'s metrics comparison: ACC, NMI and ARI on the
labels written by the `bench_metrics` example of mdec-metrics.

    python3 scripts/bench_metrics.py [--labels target/bench/labels_70000.u8] [--repeats 50]

The file holds `2n` bytes: the true labels, then the predicted ones. ACC is the usual
vectorised deep-clustering implementation (scikit-learn's `contingency_matrix`, then SciPy's
Hungarian `linear_sum_assignment`); NMI is `normalized_mutual_info_score` (arithmetic mean,
scikit-learn's default, as mdec-metrics); ARI is `adjusted_rand_score`; `all` runs the three.
Prints one JSON object per metric: the value and the seconds of each of `repeats` calls.
"""

import argparse
import json
import time

import numpy as np
import sklearn
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix


def acc(truth: np.ndarray, pred: np.ndarray) -> float:
    counts = contingency_matrix(truth, pred)
    rows, cols = linear_sum_assignment(-counts)
    return counts[rows, cols].sum() / truth.size


def all_three(truth: np.ndarray, pred: np.ndarray) -> float:
    normalized_mutual_info_score(truth, pred)
    adjusted_rand_score(truth, pred)
    return acc(truth, pred)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--labels", default="target/bench/labels_70000.u8")
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    raw = np.fromfile(args.labels, dtype=np.uint8).astype(np.int64)
    n = raw.size // 2
    truth, pred = raw[:n], raw[n:]
    metrics = {
        "acc": acc,
        "nmi": normalized_mutual_info_score,
        "ari": adjusted_rand_score,
        "all": all_three,
    }
    for name, f in metrics.items():
        seconds, value = [], None
        for _ in range(args.repeats):
            start = time.perf_counter()
            value = float(f(truth, pred))
            seconds.append(time.perf_counter() - start)
        print(json.dumps({"side": "scikit-learn", "sklearn": sklearn.__version__, "metric": name, "n": n, "value": value, "seconds": seconds}), flush=True)


if __name__ == "__main__":
    main()
