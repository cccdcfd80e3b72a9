"""The device side of the engine: CUDA backend switches, the GPU's kind, its free memory, the weights' dtype."""

from __future__ import annotations

import logging
import platform

import torch

log = logging.getLogger(__name__)

DTYPES = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32}


def configure_backends(device: torch.device) -> None:
    """Once per process on CUDA: TF32 for the float32 matmuls and convolutions left (the upcast VAE, the
    samplers' maths) and cuDNN picking its fastest convolution per shape. Nothing on other devices."""
    if device.type != "cuda":
        return
    # "high" is TF32 for float32 matmuls (torch.backends.cuda.matmul.allow_tf32 through the stable API, which does
    # not mix with the newer fp32_precision flags); cuDNN's convolutions take TF32 by default (cudnn.allow_tf32).
    torch.set_float32_matmul_precision("high")
    torch.backends.cudnn.benchmark = True


def weights_dtype(setting: str, device: torch.device) -> torch.dtype:
    """The UNet's and text encoders' dtype: half precision on GPUs (CPUs lack fast fp16 kernels)."""
    if setting != "auto":
        return DTYPES[setting]
    return torch.float16 if device.type == "cuda" else torch.float32


def gpu_kind(device: torch.device) -> str:
    """What compiled kernels depend on: the GPU's name, compute capability and CUDA version; the CPU's arch."""
    if device.type == "cuda":
        major, minor = torch.cuda.get_device_capability(device)
        return f"{torch.cuda.get_device_name(device)} sm{major}{minor} cuda{torch.version.cuda}"
    return f"{device.type}-{platform.machine()}"


def free_bytes(device: torch.device) -> int | None:
    """Free memory on the device in bytes; None where it is not a GPU (host memory is not the limit there)."""
    if device.type != "cuda":
        return None
    free, _total = torch.cuda.mem_get_info(device)
    return free


def xformers_available() -> bool:
    try:
        import xformers.ops  # noqa: F401
    except Exception:
        return False
    return True
