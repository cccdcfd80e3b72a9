"""Seamless tiling for one job: every convolution pads circularly, so the image wraps at its edges."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from torch import nn


@contextmanager
def tiled(*modules: nn.Module, enabled: bool = True) -> Iterator[None]:
    """Within the block the modules' Conv2d layers pad circularly; their own padding is back after."""
    convs = [m for module in modules if enabled for m in module.modules() if isinstance(m, nn.Conv2d)]
    own = [conv.padding_mode for conv in convs]
    for conv in convs:
        conv.padding_mode = "circular"
    try:
        yield
    finally:
        for conv, mode in zip(convs, own, strict=True):
            conv.padding_mode = mode
