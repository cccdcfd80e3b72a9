"""Hypernetwork files for tests, in the layout the trainer writes (built with the trainer's own modules)."""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import save_file

from easel_trainer.methods.hypernetwork import HyperModule, dropout_structure

WIDTHS = (32, 64)  # the tiny UNet's attention inputs: its text width (cross) and its channels (self)


def write(dest: Path, widths=WIDTHS, *, seed: int = 0, layers=(1, 2, 1), activation: str = "relu",
          layer_norm: bool = False, use_dropout: bool = False, last_layer_dropout: bool = False,
          scale: float = 0.3, **meta: str) -> Path:
    """A hypernetwork file in the trainer's layout, from the trainer's own modules with weights big enough to see."""
    torch.manual_seed(seed)
    dropouts = dropout_structure(list(layers), use_dropout, last_layer_dropout)
    tensors = {}
    for width in widths:
        for side in (0, 1):
            module = HyperModule(width, list(layers), activation, layer_norm, False, dropouts, "Normal")
            for key, value in module.state_dict().items():
                tensors[f"{width}.{side}.{key}"] = value + torch.randn(value.shape) * scale * (value.ndim == 2)
    settings = {"layer_structure": json.dumps(list(layers)), "activation_func": activation,
                "is_layer_norm": str(layer_norm).lower(), "use_dropout": str(use_dropout).lower(),
                "last_layer_dropout": str(last_layer_dropout).lower(), "activate_output": "false",
                "dropout_structure": json.dumps(dropouts)} | meta
    save_file(tensors, dest, metadata=settings)
    return dest
