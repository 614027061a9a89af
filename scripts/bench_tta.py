"""PyTorch side of `cargo xtask bench`'s time to accuracy: the `dcec` and `mdec` presets of
`mdec run`, from the raw MNIST IDX files to clusters, in PyTorch eager.

The same algorithm and settings as `mdec run --preset <dcec|mdec>` (see
`mdec_cluster::preset`):

1. Hold out 10% (seeded) to validate pretraining; pretrain the autoencoder of
   `scripts/bench_ae.py` on the rest: MSE, Adam 1e-3, batches of `--batch-size` (default 256,
   the presets'; the CPU budget of `cargo xtask bench` passes 32), shuffled epochs, one
   validation pass per epoch. `mdec` augments each batch as DEC-DA does (rotation uniform in
   +-10 degrees, integer shift in +-3 px, bilinear, fill 0; one `affine_grid` /
   `grid_sample` over the batch, per-sample parameters), and reconstructs the augmented
   image.
2. Embed all images and run scikit-learn's `KMeans(n_clusters=10, n_init=20)` on them; the
   centroids start the clustering layer (Student's t kernel, alpha = 1).
3. IDEC training: `MSE + 0.1 * KL(P || Q)` (KL summed over clusters, mean over the batch),
   Adam 1e-3 over the autoencoder and the centroids (`mdec`: cosine decay to 1e-5 over the
   run, augmented inputs), batches of `--batch-size` in a shuffled order per epoch, the
   target P recomputed on clean images every 140 iterations, stop when fewer than 0.1% of the labels
   change between two updates or after `--max-iter` iterations.

After the k-means initialisation and at every update it prints one JSON line with the wall
clock (`time.time()`), the iteration and the clustering accuracy (Hungarian matching), so
the caller measures the time from its own start of this process.

    PYTHONPATH=<cache>/torch-2.11.0:<cache>/bench-python python3 scripts/bench_tta.py \
        --preset mdec --epochs 15 --batch-size 32 --max-iter 2100 --seed 0
"""

import argparse
import json
import math
import pathlib
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from bench_ae import ARCHS, load_mnist

BATCH = 256  # the presets' batch size, the default of --batch-size
EVAL_BATCH = 1024
UPDATE_INTERVAL = 140
TOL = 0.001
GAMMA = 0.1
LR = 1e-3
MIN_LR = 1e-5
ROTATION = 10.0
SHIFT = 3
VALIDATION = 0.1


def augment(xs: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """DEC-DA's augmentation, one random rotation and integer shift per image."""
    b, _, h, w = xs.shape
    angle = (torch.rand(b, generator=gen) * 2 - 1) * math.radians(ROTATION)
    shift = torch.randint(-SHIFT, SHIFT + 1, (b, 2), generator=gen).float()
    cos, sin = angle.cos(), angle.sin()
    theta = torch.stack(
        [
            torch.stack([cos, -sin, 2 * shift[:, 1] / w], 1),
            torch.stack([sin, cos, 2 * shift[:, 0] / h], 1),
        ],
        1,
    ).to(xs.device)
    grid = F.affine_grid(theta, list(xs.shape), align_corners=False)
    return F.grid_sample(xs, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def embed(model, xs: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return torch.cat([model.encode(b) for b in xs.split(EVAL_BATCH)])


def soft_assign(zs: torch.Tensor, mu: torch.Tensor) -> torch.Tensor:
    """Student's t kernel with alpha = 1: q_ij proportional to 1 / (1 + |z_i - mu_j|^2)."""
    q = 1.0 / (1.0 + torch.cdist(zs, mu).square())
    return q / q.sum(1, keepdim=True)


def target_distribution(q: torch.Tensor) -> torch.Tensor:
    weight = q.square() / q.sum(0)
    return (weight / weight.sum(1, keepdim=True)).detach()


def cluster_acc(truth: np.ndarray, pred: np.ndarray) -> float:
    from scipy.optimize import linear_sum_assignment

    k = max(truth.max(), pred.max()) + 1
    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (pred, truth), 1)
    rows, cols = linear_sum_assignment(-counts)
    return counts[rows, cols].sum() / truth.size


def emit(**fields) -> None:
    print(json.dumps({"side": "pytorch", "time": time.time(), **fields}), flush=True)


def pretrain(model, xs, args, device, rng, gen) -> None:
    n_val = int(round(VALIDATION * xs.shape[0]))
    order = torch.from_numpy(rng.permutation(xs.shape[0]))
    val, train = xs[order[:n_val]], xs[order[n_val:]]
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    for epoch in range(args.epochs):
        perm = torch.from_numpy(rng.permutation(train.shape[0])).to(device)
        for idx in perm.split(args.batch_size):
            batch = train.index_select(0, idx)
            if args.preset == "mdec":
                batch = augment(batch, gen)
            loss = F.mse_loss(model(batch), batch)
            opt.zero_grad()
            loss.backward()
            opt.step()
        with torch.no_grad():
            val_loss = sum(F.mse_loss(model(b), b, reduction="sum").item() for b in val.split(EVAL_BATCH))
        emit(event="epoch", epoch=epoch + 1, val_loss=val_loss / val.numel())


def cluster(model, xs, labels, args, device, rng, gen) -> None:
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    zs = embed(model, xs)
    with threadpool_limits(limits=args.threads):
        km = KMeans(n_clusters=10, n_init=20, random_state=args.seed).fit(zs.cpu().numpy())
    mu = nn.Parameter(torch.from_numpy(km.cluster_centers_).float().to(device))
    opt = torch.optim.Adam([*model.parameters(), mu], lr=LR)
    n = xs.shape[0]
    steps = math.ceil(n / args.batch_size)
    epochs = max(math.ceil(args.max_iter / steps), 1)
    last, p_all, order = None, None, None
    it = 0
    while True:
        if it % UPDATE_INTERVAL == 0 or it >= args.max_iter:
            with torch.no_grad():
                q_all = soft_assign(embed(model, xs), mu)
            p_all = target_distribution(q_all)
            pred = q_all.argmax(1).cpu().numpy()
            delta = None if last is None else float((pred != last).mean())
            emit(event="update", iteration=it, acc=cluster_acc(labels, pred), delta_label=delta)
            last = pred
            if (delta is not None and delta < TOL) or it >= args.max_iter:
                return
        epoch, b = divmod(it, steps)
        if b == 0:
            order = torch.from_numpy(rng.permutation(n)).to(device)
        idx = order[b * args.batch_size : (b + 1) * args.batch_size]
        batch = xs.index_select(0, idx)
        if args.preset == "mdec":
            batch = augment(batch, gen)
            lr = MIN_LR + (LR - MIN_LR) * (1 + math.cos(math.pi * (epoch + b / steps) / epochs)) / 2
            for group in opt.param_groups:
                group["lr"] = lr
        zs = model.encode(batch)
        log_q = soft_assign(zs, mu).log()
        loss = F.mse_loss(model.decode(zs), batch) + GAMMA * F.kl_div(
            log_q, p_all.index_select(0, idx), reduction="batchmean"
        )
        opt.zero_grad()
        loss.backward()
        opt.step()
        it += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", choices=("dcec", "mdec"), required=True)
    parser.add_argument("--data", default="data/mnist")
    parser.add_argument("--split", choices=("train", "test", "all"), default="test")
    parser.add_argument("--epochs", type=int, required=True)
    parser.add_argument(
        "--batch-size", type=int, default=BATCH, help="batch size of pretraining and clustering (default %(default)s)"
    )
    parser.add_argument("--max-iter", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    if args.batch_size < 1:
        parser.error("--batch-size must be at least 1")
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    rng = np.random.default_rng(args.seed)
    gen = torch.Generator().manual_seed(args.seed)

    raw, labels = load_mnist(pathlib.Path(args.data), args.split)
    xs = torch.from_numpy(raw.astype(np.float32) / 255.0).unsqueeze(1).to(device)
    emit(event="loaded", samples=int(xs.shape[0]))
    model = ARCHS[args.preset]().to(device)
    pretrain(model, xs, args, device, rng, gen)
    cluster(model, xs, labels.astype(np.int64), args, device, rng, gen)


if __name__ == "__main__":
    main()
