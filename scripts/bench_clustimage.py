"""clustimage (PyPI) on a folder of images with one sub-folder per class, for the defect-crops
part of `cargo xtask bench`: its PCA or HOG features, then its k-means or agglomerative
clustering, asked for the true number of classes. Prints one JSON line: ACC (Hungarian
matching), NMI, ARI, the number of clusters it returned and the wall time of
`fit_transform`.

    python3 scripts/bench_clustimage.py DIR --method pca|hog --cluster kmeans|agglomerative
"""

import argparse
import json
import os
import time

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score


def accuracy(truth, pred):
    classes, clusters = np.unique(truth), np.unique(pred)
    counts = np.zeros((len(clusters), len(classes)))
    for i, c in enumerate(clusters):
        for j, t in enumerate(classes):
            counts[i, j] = np.sum((pred == c) & (truth == t))
    rows, cols = linear_sum_assignment(-counts)
    return counts[rows, cols].sum() / len(truth)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir")
    parser.add_argument("--method", choices=["pca", "hog"], required=True)
    parser.add_argument("--cluster", choices=["kmeans", "agglomerative"], required=True)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    from clustimage import Clustimage

    paths = sorted(
        os.path.join(root, name)
        for root, _, names in os.walk(args.dir)
        for name in names
        if name.endswith(".png")
    )
    kinds = sorted({os.path.basename(os.path.dirname(p)) for p in paths})
    truth = np.array([kinds.index(os.path.basename(os.path.dirname(p))) for p in paths])
    k = len(kinds)
    started = time.time()
    model = Clustimage(
        method=args.method,
        dim=(64, 64),
        grayscale=args.method == "hog",
        ncores=args.threads,
        use_image_cache=False,
        use_thumbnail_cache=False,
        verbose="error",
    )
    results = model.fit_transform(
        paths, cluster=args.cluster, evaluate="silhouette", min_clust=k, max_clust=k + 1
    )
    seconds = time.time() - started
    by_path = dict(zip(results["pathnames"], results["labels"]))
    pred = np.array([by_path[p] for p in paths])
    print(
        json.dumps(
            {
                "method": args.method,
                "cluster": args.cluster,
                "acc": accuracy(truth, pred),
                "nmi": normalized_mutual_info_score(truth, pred),
                "ari": adjusted_rand_score(truth, pred),
                "clusters": int(len(np.unique(pred))),
                "seconds": seconds,
            }
        )
    )


if __name__ == "__main__":
    main()
