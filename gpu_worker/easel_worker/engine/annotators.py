"""ControlNet 1.1's HED edge network (the Apache-2.0 "ControlNetHED" annotator), read from a .safetensors file.

The network: the RGB image (0..255) minus a learned `norm`, five blocks of 3x3 conv + ReLU (each block but the
first starts with a 2x2 max-pool), a 1x1 projection to one channel after each block; the five projections are
upsampled to the input size, averaged, and squashed by a sigmoid into an edge probability.

Expected keys (the original `ControlNetHED.pth` names; convert that pickle with
`safetensors.torch.save_file(torch.load(path), "ControlNetHED.safetensors")`):

    norm                              (1, 3, 1, 1)
    block{1..5}.convs.{j}.weight      (out, in, 3, 3)   j = 0..n-1 (the original has 2, 2, 3, 3, 3 convs)
    block{1..5}.convs.{j}.bias        (out,)
    block{1..5}.projection.weight     (1, out, 1, 1)
    block{1..5}.projection.bias       (1,)

Channel widths and conv counts are read from the shapes, so smaller networks of the same layout load alike.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from torch import nn

from easel_proto.errors import GenerationFailed

BLOCKS = 5
_CONV_KEY = re.compile(r"^block(\d)\.convs\.(\d+)\.weight$")


class _Block(nn.Module):
    """Convs with ReLU, then a 1x1 projection of the result to one edge channel."""

    def __init__(self, widths: list[tuple[int, int]]) -> None:
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(i, o, 3, padding=1) for i, o in widths)
        self.projection = nn.Conv2d(widths[-1][1], 1, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        for conv in self.convs:
            x = F.relu(conv(x))
        return x, self.projection(x)


class HedNet(nn.Module):
    """The HED network; `widths[b]` lists block b's (in, out) channels per conv."""

    def __init__(self, widths: list[list[tuple[int, int]]]) -> None:
        super().__init__()
        if len(widths) != BLOCKS:
            raise ValueError(f"HED has {BLOCKS} blocks, got {len(widths)}")
        self.norm = nn.Parameter(torch.zeros(1, 3, 1, 1))
        for b, block in enumerate(widths, start=1):
            self.add_module(f"block{b}", _Block(block))

    @classmethod
    def from_state_dict(cls, state: dict[str, torch.Tensor]) -> HedNet:
        """Build a network shaped like the weights and load them (strict: every key must match)."""
        widths: list[list[tuple[int, int]]] = [[] for _ in range(BLOCKS)]
        for key in sorted(state, key=_conv_order):
            match = _CONV_KEY.match(key)
            if match and 1 <= int(match[1]) <= BLOCKS:
                out, inp = state[key].shape[:2]
                widths[int(match[1]) - 1].append((int(inp), int(out)))
        if any(not block for block in widths) or "norm" not in state:
            raise ValueError("not a ControlNet HED state dict (expected norm and block1..5.convs.*)")
        net = cls(widths)
        net.load_state_dict(state, strict=True)
        return net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Edge probability (B, 1, H, W) in [0, 1] for RGB images (B, 3, H, W) valued 0..255."""
        size = x.shape[-2:]
        h = x - self.norm
        maps = []
        for b in range(1, BLOCKS + 1):
            if b > 1:
                h = F.max_pool2d(h, kernel_size=2, stride=2)
            h, projection = getattr(self, f"block{b}")(h)
            maps.append(F.interpolate(projection, size=size, mode="bilinear", align_corners=False))
        return torch.sigmoid(torch.cat(maps, dim=1).mean(dim=1, keepdim=True))


def _conv_order(key: str) -> tuple[int, int, str]:
    match = _CONV_KEY.match(key)
    return (int(match[1]), int(match[2]), key) if match else (0, 0, key)


@lru_cache(maxsize=2)
def _load(path: str, _mtime_ns: int, _size: int, device: str) -> HedNet:
    return HedNet.from_state_dict(load_file(path)).to(device).eval()


def load_hed(path: Path, device: torch.device | str = "cpu") -> HedNet:
    """The HED network in `path` on `device`; the two most recently used stay loaded."""
    try:
        stat = Path(path).stat()  # in the cache key: a file replaced in place is loaded afresh
        return _load(str(Path(path).resolve()), stat.st_mtime_ns, stat.st_size, str(torch.device(device)))
    except (OSError, ValueError, RuntimeError) as exc:
        raise GenerationFailed(f"could not load the HED annotator {Path(path).name}: {exc}") from exc


def hed_edges(image: np.ndarray, path: Path, device: torch.device | str = "cpu") -> np.ndarray:
    """Soft edge map (H, W) uint8 of an RGB uint8 image (H, W, 3), with the network stored at `path`."""
    net = load_hed(path, device)
    param = next(net.parameters())
    x = torch.from_numpy(np.ascontiguousarray(image)).to(param.device, param.dtype).permute(2, 0, 1)[None]
    with torch.inference_mode():
        edges = net(x)[0, 0].float().cpu().numpy()
    return (edges * 255.0).round().clip(0, 255).astype(np.uint8)
