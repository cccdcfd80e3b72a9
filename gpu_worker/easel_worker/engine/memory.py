"""Memory modes: how much of a pipeline stays on the GPU, chosen from free memory and the model's family.

  full        every weight resident, whole-batch VAE decode (fastest);
  low         weights resident, the VAE decodes one image at a time and in tiles above its native size;
  offload     low, and each model (text encoders, UNet, VAE) moves to the GPU only while it runs (SDXL on 16 GB);
  sequential  offload per layer with sliced attention: the least memory, the slowest.
"""

from __future__ import annotations

import gc
import logging
from typing import Any

import torch

from easel_proto.errors import InvalidInput

log = logging.getLogger(__name__)

MODES = ("full", "low", "offload", "sequential")
GIB = 1024**3
# Free GiB a family needs at load for (full, low) in half precision: weights, a batch of activations at its native
# size, and the VAE decode (SDXL's runs in 16-bit or float32 at 1024x1024). Below `low` it is offloaded.
NEEDS_GIB = {"sd15": (8.0, 4.0), "sd21": (8.0, 4.0), "sdxl": (20.0, 16.0)}


def choose(setting: str, *, family: str, free: int | None, device_type: str) -> str:
    """The memory mode for a model of `family` with `free` bytes free on the device (None: not a GPU)."""
    if setting != "auto":
        if setting not in MODES:
            raise ValueError(f"EASEL_MEMORY_MODE must be auto or one of {', '.join(MODES)}; got {setting!r}")
        if setting in ("offload", "sequential") and device_type != "cuda":
            return "low"  # offloading moves weights to a GPU while they run: on a CPU they already are in memory
        return setting
    if device_type != "cuda" or free is None or family not in NEEDS_GIB:
        return "full"  # the tiny test models, CPUs
    full, low = NEEDS_GIB[family]
    if free >= full * GIB:
        return "full"
    return "low" if free >= low * GIB else "offload"


def place(pipe: Any, mode: str, device: torch.device) -> Any:
    """Put `pipe` on `device` as `mode` says; returns the pipeline."""
    if mode not in MODES:
        raise InvalidInput("memory_mode", f"unknown memory mode {mode!r}")
    if mode in ("low", "offload", "sequential"):
        pipe.vae.enable_slicing()
        pipe.vae.enable_tiling()  # only images larger than the VAE's native size are decoded in tiles
    if mode == "offload":
        pipe.enable_model_cpu_offload(device=device)
    elif mode == "sequential":
        pipe.enable_attention_slicing()
        pipe.enable_sequential_cpu_offload(device=device)
    else:
        pipe = pipe.to(device)
    return pipe


def offloaded(mode: str) -> bool:
    """Whether the weights move between host and GPU per call (no CUDA graphs, no compiled graph over them)."""
    return mode in ("offload", "sequential")


def release(device: torch.device | str) -> None:
    """Free the weights of models just dropped, now rather than at some later collection (they hold reference cycles),
    and hand them back to the device. The collection also reaches what the process froze once it was up
    (runner.freeze_startup_heap), where a model preloaded at start lives: the process's heap stays unfrozen after."""
    if gc.get_freeze_count():
        gc.unfreeze()
    gc.collect()
    if torch.device(device).type == "cuda":
        torch.cuda.empty_cache()
