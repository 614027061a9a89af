"""PyTorch side of `cargo xtask bench ae`: autoencoder pretraining throughput.

The same `dcec` and `mdec` autoencoders as mdec-ae (default configs, latent 10, ReLU,
linear output, MSE, Adam 1e-3), trained in PyTorch eager on MNIST 1x28x28 with batches of
256, on 2 torch threads:

- without augmentation: the images as one float tensor, a random permutation per epoch and
  `index_select` batches (the fastest plain loop);
- with augmentation: a `Dataset` of PIL images with torchvision
  `RandomRotation(ROTATION)` + `ColorJitter(contrast=CONTRAST)` + `ToTensor()` behind a
  `DataLoader` (shuffle, num_workers 0 and 2; the faster is reported).

Prints one JSON object per configuration on stdout.

    PYTHONPATH=<cache>/torch-2.11.0:<cache>/bench-python python3 scripts/bench_ae.py \
        --data data/mnist --batches 40
"""

import argparse
import gzip
import json
import pathlib
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

ROTATION = 15.0
CONTRAST = 0.5
BATCH = 256


def read_idx(path: pathlib.Path) -> np.ndarray:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_mnist(folder: pathlib.Path) -> np.ndarray:
    for name in ("train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"):
        if (folder / name).exists():
            return read_idx(folder / name)
    raise SystemExit(f"{folder}: no train-images-idx3-ubyte; run `cargo xtask fetch-mnist`")


class Dcec(nn.Module):
    """Guo et al. 2017: 5x5/32 s2 -> 5x5/64 s2 -> 3x3/128 s2 (valid) -> dense 10, mirrored."""

    def __init__(self, latent: int = 10) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(1, 32, 5, 2, 2)
        self.c2 = nn.Conv2d(32, 64, 5, 2, 2)
        self.c3 = nn.Conv2d(64, 128, 3, 2, 0)
        self.latent = nn.Linear(128 * 3 * 3, latent)
        self.fc = nn.Linear(latent, 128 * 3 * 3)
        self.d3 = nn.ConvTranspose2d(128, 64, 3, 2, 0, output_padding=0)
        self.d2 = nn.ConvTranspose2d(64, 32, 5, 2, 2, output_padding=1)
        self.d1 = nn.ConvTranspose2d(32, 1, 5, 2, 2, output_padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.c3(F.relu(self.c2(F.relu(self.c1(x))))))
        z = self.latent(x.flatten(1))
        x = F.relu(self.fc(z)).view(-1, 128, 3, 3)
        x = F.relu(self.d2(F.relu(self.d3(x))))
        return self.d1(x)


class Mdec(nn.Module):
    """MDEC: [conv 3x3 same -> ReLU -> 2x2 max pool (ceil)] x (32, 64, 128) -> dense 10;
    decoder: dense -> [nearest upsample to the mirrored size -> conv 3x3 -> ReLU] -> conv 3x3."""

    def __init__(self, latent: int = 10, channels=(32, 64, 128), size: int = 28) -> None:
        super().__init__()
        self.sizes = []
        self.enc = nn.ModuleList()
        c_in, s = 1, size
        for c in channels:
            self.enc.append(nn.Conv2d(c_in, c, 3, 1, 1))
            self.sizes.append(s)
            s = (s + 1) // 2
            c_in = c
        self.last = (c_in, s)
        self.latent = nn.Linear(c_in * s * s, latent)
        self.fc = nn.Linear(latent, c_in * s * s)
        self.dec = nn.ModuleList()
        for i in reversed(range(len(channels))):
            out = channels[max(i - 1, 0)]
            self.dec.append(nn.Conv2d(channels[i], out, 3, 1, 1))
        self.out = nn.Conv2d(channels[0], 1, 3, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for conv in self.enc:
            x = F.max_pool2d(F.relu(conv(x)), 2, ceil_mode=True)
        z = self.latent(x.flatten(1))
        c, s = self.last
        x = F.relu(self.fc(z)).view(-1, c, s, s)
        for conv, size in zip(self.dec, reversed(self.sizes)):
            x = F.relu(conv(F.interpolate(x, size=(size, size), mode="nearest")))
        return self.out(x)


def step(model, opt, xs):
    loss = F.mse_loss(model(xs), xs)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


def plain(arch: str, images: torch.Tensor, batches: int, warmup: int) -> float:
    torch.manual_seed(0)
    model = Dcec() if arch == "dcec" else Mdec()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    perm = torch.randperm(images.shape[0])
    for b in range(warmup):
        step(model, opt, images.index_select(0, perm[b * BATCH : (b + 1) * BATCH]))
    start = time.perf_counter()
    for b in range(batches):
        idx = perm[(warmup + b) * BATCH : (warmup + b + 1) * BATCH]
        step(model, opt, images.index_select(0, idx))
    return batches * BATCH / (time.perf_counter() - start)


class PilMnist(torch.utils.data.Dataset):
    def __init__(self, raw: np.ndarray, transform) -> None:
        self.raw, self.transform = raw, transform

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, i: int) -> torch.Tensor:
        from PIL import Image

        return self.transform(Image.fromarray(self.raw[i], mode="L"))


def augmented(arch: str, raw: np.ndarray, batches: int, warmup: int, workers: int) -> float:
    from torchvision import transforms

    torch.manual_seed(0)
    transform = transforms.Compose(
        [transforms.RandomRotation(ROTATION), transforms.ColorJitter(contrast=CONTRAST), transforms.ToTensor()]
    )
    loader = torch.utils.data.DataLoader(
        PilMnist(raw, transform),
        batch_size=BATCH,
        shuffle=True,
        num_workers=workers,
        drop_last=True,
        persistent_workers=workers > 0,
    )
    model = Dcec() if arch == "dcec" else Mdec()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    it = iter(loader)
    for _ in range(warmup):
        step(model, opt, next(it))
    start = time.perf_counter()
    for _ in range(batches):
        step(model, opt, next(it))
    return batches * BATCH / (time.perf_counter() - start)


def forward_flops(arch: str) -> float:
    """Multiply-adds x 2 of convolutions, transposed convolutions and linear layers."""
    model = Dcec() if arch == "dcec" else Mdec()
    total = 0.0

    def conv_hook(m, inp, out):
        nonlocal total
        k = m.kernel_size[0] * m.kernel_size[1]
        if isinstance(m, nn.ConvTranspose2d):
            total += 2 * k * m.in_channels * m.out_channels * inp[0].shape[2] * inp[0].shape[3]
        else:
            total += 2 * k * m.in_channels * m.out_channels * out.shape[2] * out.shape[3]

    def linear_hook(m, inp, out):
        nonlocal total
        total += 2 * m.in_features * m.out_features

    for m in model.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            m.register_forward_hook(conv_hook)
        elif isinstance(m, nn.Linear):
            m.register_forward_hook(linear_hook)
    with torch.no_grad():
        model(torch.zeros(1, 1, 28, 28))
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="data/mnist")
    parser.add_argument("--batches", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--arch", choices=("dcec", "mdec"), action="append")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    raw = load_mnist(pathlib.Path(args.data))
    need = (args.batches + args.warmup) * BATCH
    raw = raw[: max(need, BATCH)]
    images = torch.from_numpy(raw.astype(np.float32) / 255.0).unsqueeze(1)
    for arch in args.arch or ("dcec", "mdec"):
        flops = 3 * forward_flops(arch)
        for aug in (False, True):
            if aug:
                best, best_workers = 0.0, 0
                for workers in (0, 2):
                    sps = augmented(arch, raw, args.batches, args.warmup, workers)
                    if sps > best:
                        best, best_workers = sps, workers
                sps, extra = best, {"num_workers": best_workers}
            else:
                sps, extra = plain(arch, images, args.batches, args.warmup), {}
            print(
                json.dumps(
                    {
                        "side": "pytorch",
                        "arch": arch,
                        "augment": aug,
                        "batch_size": BATCH,
                        "batches": args.batches,
                        "threads": torch.get_num_threads(),
                        "samples_per_sec": round(sps, 1),
                        "flops_per_sample": flops,
                        "gflops": round(sps * flops / 1e9, 2),
                        "torch": torch.__version__,
                        **extra,
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
