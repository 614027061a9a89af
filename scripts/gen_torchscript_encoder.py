"""Writes the tiny TorchScript encoder fixture used by mdec-ae's tests.

    PYTHONPATH=~/.cache/mdec/torch-2.11.0 python3 scripts/gen_torchscript_encoder.py

Creates crates/mdec-ae/tests/fixtures/tiny_encoder.pt: a scripted 1x8x8 -> 3 encoder
(conv 3x3/4, ReLU, 2x2 max pool, linear 64 -> 3) with seeded weights, and prints the
embedding of the reference input `x[0, 0, i, j] = (i * 8 + j) / 64`, `x[1] = 1 - x[0]`,
which the Rust test compares against (pasted there with this script's name).
"""

import pathlib

import torch


class TinyEncoder(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.fc = torch.nn.Linear(4 * 4 * 4, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = torch.nn.functional.max_pool2d(torch.relu(self.conv(x)), 2)
        return self.fc(x.flatten(1))


def main() -> None:
    torch.manual_seed(0)
    model = TinyEncoder().eval()
    scripted = torch.jit.script(model)
    out = pathlib.Path(__file__).resolve().parent.parent / "crates/mdec-ae/tests/fixtures/tiny_encoder.pt"
    out.parent.mkdir(parents=True, exist_ok=True)
    scripted.save(str(out))
    base = (torch.arange(64, dtype=torch.float32) / 64).view(1, 1, 8, 8)
    x = torch.cat([base, 1 - base])
    with torch.no_grad():
        z = scripted(x)
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    print("expected embedding:", [[round(v, 6) for v in row] for row in z.tolist()])


if __name__ == "__main__":
    main()
