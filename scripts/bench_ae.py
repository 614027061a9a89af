"""PyTorch side of `cargo xtask bench`: autoencoder training and embedding throughput.

The same `dcec`, `mdec` and `dense` autoencoders as mdec-ae (default configs, latent 10,
ReLU, linear output, PyTorch's default initialisation as mdec-ae's `WeightInit::Torch`),
in PyTorch eager on MNIST 1x28x28:

- `train`: pretraining samples/s, MSE, Adam 1e-3, batches of 256. Without augmentation the
  images are one tensor on the device, a random permutation and `index_select` batches
  (the fastest plain loop); with augmentation a `Dataset` of PIL images with torchvision
  `RandomRotation(ROTATION)` + `ColorJitter(contrast=CONTRAST)` + `ToTensor()` behind a
  `DataLoader` (shuffle, `--workers` worker processes).
- `embed`: encoder inference samples/s over the first `--n` images of MNIST (train then
  test), in chunks of `--chunk` images (one figure per chunk), batches of 1024, under
  `torch.inference_mode()`.

- `versions`: one line with the Python, torch, torchvision and scikit-learn versions.

Every configuration runs `--repeats` timed windows after one warm-up window and prints one
JSON object with the samples/s of each window on stdout.

    PYTHONPATH=<cache>/torch-2.11.0:<cache>/bench-python python3 scripts/bench_ae.py \
        train --arch dcec --batches 40 --repeats 5
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

# Must match ROTATION and CONTRAST in crates/mdec-ae/examples/bench_pretrain.rs.
ROTATION = 15.0
CONTRAST = 0.5
BATCH = 256
EMBED_BATCH = 1024
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def read_idx(path: pathlib.Path) -> np.ndarray:
    for candidate in (path, path.with_name(path.name + ".gz")):
        if candidate.exists():
            opener = gzip.open if candidate.suffix == ".gz" else open
            with opener(candidate, "rb") as f:
                data = f.read()
            ndim = data[3]
            dims = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim)]
            return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)
    raise SystemExit(f"{path}: not found; run `cargo xtask fetch-mnist`")


def load_mnist(folder: pathlib.Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    """Raw uint8 images [n, 28, 28] and labels [n] of `train`, `test` or `all` (train then test)."""
    parts = ("train", "test") if split == "all" else (split,)
    images = [read_idx(folder / FILES[p][0]) for p in parts]
    labels = [read_idx(folder / FILES[p][1]) for p in parts]
    return np.concatenate(images), np.concatenate(labels)


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

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.c3(F.relu(self.c2(F.relu(self.c1(x))))))
        return self.latent(x.flatten(1))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.fc(z)).view(-1, 128, 3, 3)
        x = F.relu(self.d2(F.relu(self.d3(x))))
        return self.d1(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


class Mdec(nn.Module):
    """MDEC: [conv 3x3 same -> ReLU -> 2x2 max pool (ceil)] x (32, 64, 128) -> dense latent;
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
            self.dec.append(nn.Conv2d(channels[i], channels[max(i - 1, 0)], 3, 1, 1))
        self.out = nn.Conv2d(channels[0], 1, 3, 1, 1)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        for conv in self.enc:
            x = F.max_pool2d(F.relu(conv(x)), 2, ceil_mode=True)
        return self.latent(x.flatten(1))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        c, s = self.last
        x = F.relu(self.fc(z)).view(-1, c, s, s)
        for conv, size in zip(self.dec, reversed(self.sizes)):
            x = F.relu(conv(F.interpolate(x, size=(size, size), mode="nearest")))
        return self.out(x)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


class Dense(nn.Module):
    """DEC / IDEC (Xie et al. 2016): 784-500-500-2000-10, ReLU, linear latent and output."""

    def __init__(self, latent: int = 10, hidden=(500, 500, 2000), d: int = 784) -> None:
        super().__init__()
        widths = [d, *hidden]
        self.enc = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths, widths[1:]))
        self.latent = nn.Linear(widths[-1], latent)
        back = [latent, *reversed(hidden)]
        self.dec = nn.ModuleList(nn.Linear(a, b) for a, b in zip(back, back[1:]))
        self.out = nn.Linear(hidden[0], d)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(1)
        for layer in self.enc:
            x = F.relu(layer(x))
        return self.latent(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        for layer in self.dec:
            z = F.relu(layer(z))
        return self.out(z).view(-1, 1, 28, 28)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decode(self.encode(x))


ARCHS = {"dcec": Dcec, "mdec": Mdec, "dense": Dense}


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def step(model, opt, xs):
    loss = F.mse_loss(model(xs), xs)
    opt.zero_grad()
    loss.backward()
    opt.step()


def plain(arch, images, batches, repeats, device) -> list[float]:
    """One warm-up window then `repeats` timed windows of `batches` batches each."""
    torch.manual_seed(0)
    model = ARCHS[arch]().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    images = images.to(device)
    rates = []
    for window in range(repeats + 1):
        perm = torch.randperm(images.shape[0], device=device)
        sync(device)
        start = time.perf_counter()
        for b in range(batches):
            step(model, opt, images.index_select(0, perm[b * BATCH : (b + 1) * BATCH]))
        sync(device)
        if window > 0:
            rates.append(batches * BATCH / (time.perf_counter() - start))
    return rates


class PilMnist(torch.utils.data.Dataset):
    def __init__(self, raw: np.ndarray, transform) -> None:
        self.raw, self.transform = raw, transform

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, i: int) -> torch.Tensor:
        from PIL import Image

        return self.transform(Image.fromarray(self.raw[i], mode="L"))


def augmented(arch, raw, batches, repeats, workers, device) -> list[float]:
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
        pin_memory=device.type == "cuda",
    )
    model = ARCHS[arch]().to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rates = []
    it = iter(loader)
    for window in range(repeats + 1):
        sync(device)
        start = time.perf_counter()
        for _ in range(batches):
            try:
                xs = next(it)
            except StopIteration:
                it = iter(loader)
                xs = next(it)
            step(model, opt, xs.to(device, non_blocking=True))
        sync(device)
        if window > 0:
            rates.append(batches * BATCH / (time.perf_counter() - start))
    return rates


def forward_flops(arch: str) -> float:
    """Multiply-adds x 2 of convolutions, transposed convolutions and linear layers."""
    model = ARCHS[arch]()
    total = 0.0

    def conv_hook(m, inp, out):
        nonlocal total
        k = m.kernel_size[0] * m.kernel_size[1]
        spatial = inp[0].shape[2:] if isinstance(m, nn.ConvTranspose2d) else out.shape[2:]
        total += 2 * k * m.in_channels * m.out_channels * spatial[0] * spatial[1]

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


def train(args, device) -> None:
    raw, _ = load_mnist(pathlib.Path(args.data), "train")
    raw = raw[: (args.repeats + 1) * args.batches * BATCH]
    images = torch.from_numpy(raw.astype(np.float32) / 255.0).unsqueeze(1)
    for arch in args.arch:
        flops = 3 * forward_flops(arch)
        for aug in (False, True):
            if aug:
                rates = augmented(arch, raw, args.batches, args.repeats, args.workers, device)
            else:
                rates = plain(arch, images, args.batches, args.repeats, device)
            emit(
                mode="train",
                arch=arch,
                augment=aug,
                batch_size=BATCH,
                batches=args.batches,
                samples_per_sec=rates,
                flops_per_sample=flops,
                workers=args.workers if aug else 0,
            )


def embed(args, device) -> None:
    raw, _ = load_mnist(pathlib.Path(args.data), "all")
    images = torch.from_numpy(raw[: args.n].astype(np.float32) / 255.0).unsqueeze(1).to(device)
    for arch in args.arch:
        torch.manual_seed(0)
        model = ARCHS[arch]().to(device).eval()
        rates = []
        with torch.inference_mode():
            model.encode(images[:EMBED_BATCH])  # warm-up
            for start in range(0, images.shape[0], args.chunk):
                chunk = images[start : start + args.chunk]
                sync(device)
                t0 = time.perf_counter()
                zs = torch.cat([model.encode(xs) for xs in chunk.split(EMBED_BATCH)])
                zs.cpu()
                sync(device)
                rates.append(chunk.shape[0] / (time.perf_counter() - t0))
        emit(mode="embed", arch=arch, n=images.shape[0], chunk=args.chunk, batch_size=EMBED_BATCH, samples_per_sec=rates)


def emit(**fields) -> None:
    print(json.dumps({"side": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(), **fields}), flush=True)


def versions(args, device) -> None:
    import platform

    import sklearn
    import torchvision

    print(
        f"Python {platform.python_version()}, torch {torch.__version__}, "
        f"torchvision {torchvision.__version__}, scikit-learn {sklearn.__version__}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("train", "embed", "versions"))
    parser.add_argument("--data", default="data/mnist")
    parser.add_argument("--arch", choices=tuple(ARCHS), action="append", help="default: all")
    parser.add_argument("--batches", type=int, default=40, help="train: batches per timed window")
    parser.add_argument("--repeats", type=int, default=5, help="train: timed windows")
    parser.add_argument("--workers", type=int, default=2, help="train: DataLoader workers with augmentation")
    parser.add_argument("--n", type=int, default=70_000, help="embed: images")
    parser.add_argument("--chunk", type=int, default=10_000, help="embed: images per timed chunk")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    args.arch = args.arch or list(ARCHS)
    torch.set_num_threads(args.threads)
    {"train": train, "embed": embed, "versions": versions}[args.mode](args, torch.device(args.device))


if __name__ == "__main__":
    main()
