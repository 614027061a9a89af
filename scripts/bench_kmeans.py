#!/usr/bin/env python3
"""scikit-learn's KMeans on the data written by the `bench_kmeans` example.

    python3 scripts/bench_kmeans.py [--data target/bench/kmeans_70000x10.npy] [--threads 2] [--repeats 3]

Prints one JSON line: median seconds of `KMeans(n_clusters=10, n_init=20).fit` (k-means++
seeding, Lloyd, tol 1e-4, max_iter 300, scikit-learn's defaults) limited to `--threads`
threads, and the inertia. Install scikit-learn with
`python3 -m pip install --target <dir> scikit-learn` and set PYTHONPATH if missing.
"""

import argparse
import json
import os
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="target/bench/kmeans_70000x10.npy")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    import numpy as np
    import sklearn
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    xs = np.load(args.data)
    times = []
    model = None
    with threadpool_limits(limits=args.threads):
        for _ in range(args.repeats):
            start = time.perf_counter()
            model = KMeans(n_clusters=10, n_init=20, random_state=args.seed).fit(xs)
            times.append(time.perf_counter() - start)
    times.sort()
    print(json.dumps({
        "impl": f"scikit-learn {sklearn.__version__}",
        "data": args.data,
        "n": int(xs.shape[0]), "d": int(xs.shape[1]), "k": 10, "n_init": 20,
        "threads": args.threads, "dtype": str(xs.dtype),
        "seconds_median": times[len(times) // 2], "seconds": times,
        "inertia": float(model.inertia_), "n_iter": int(model.n_iter_),
    }))


if __name__ == "__main__":
    main()
