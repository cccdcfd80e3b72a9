"""What every training method provides the loop: its trainable parameters, their learning rates, and its artefact."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save

from easel_proto.v1.trainings import TrainingSpec

from ..models import Base
from ..spec import Rates

SAVE_DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
# The web UI's names for the base families, as kohya's ss_base_model_version spells them.
BASE_VERSIONS = {"sd15": "sd_v1", "sd21": "sd_v2", "sdxl": "sdxl_base_v1-0", "tiny": "tiny"}


@dataclass
class Exported:
    """An artefact written to its final place in the work dir."""

    kind: str  # the registry kind to register it as: lora, embedding, hypernetwork, checkpoint
    format: str  # safetensors (one file) or diffusers (a folder)
    path: Path
    name: str
    metadata: dict[str, Any] = field(default_factory=dict)


class Method:
    """A training method over a loaded base. The loop calls, in order: prepare(), param_groups() / trainables()
    (the optimizer's and the checkpoints'), train(True) around steps, expand() on every prompt, export() at the
    end and close() always."""

    text_trains = False  # whether the text encoders' output depends on trained weights (no text cache then)

    def __init__(self, spec: TrainingSpec, base: Base, rates: Rates) -> None:
        self.spec, self.base, self.rates = spec, base, rates

    def prepare(self, device: torch.device, weight_dtype: torch.dtype) -> None:
        """Freeze the base, move it to the device in weight_dtype, and add what trains (in float32)."""
        raise NotImplementedError

    def param_groups(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def trainables(self) -> dict[str, torch.nn.Parameter]:
        """Every trained parameter under a stable name (checkpoints store them by it)."""
        return {name: p for group in self.param_groups() for name, p in zip(group["names"], group["params"],
                                                                            strict=True)}

    def modules(self) -> list[torch.nn.Module]:
        """The modules whose train/eval mode follows the loop's."""
        return [self.base.unet]

    def train(self, mode: bool) -> None:
        for module in self.modules():
            module.train(mode)

    def expand(self, prompt: str) -> str:
        """The prompt as the tokenizers should see it (textual inversion spells out its vectors)."""
        return prompt

    def export(self, dest: Path, metadata: dict[str, str]) -> Exported:
        raise NotImplementedError

    def close(self) -> None:
        """Undo what prepare() hooked into the base."""

    @property
    def save_dtype(self) -> torch.dtype:
        return SAVE_DTYPES[self.spec.save_precision or "fp16"]


def freeze(*modules: Any) -> None:
    for module in modules:
        if module is not None:
            module.requires_grad_(False)


def place(base: Base, device: torch.device, weight_dtype: torch.dtype) -> None:
    """Every module of the base frozen, on the device in weight_dtype."""
    freeze(base.unet, base.vae, *base.text_encoders)
    for module in (base.unet, base.vae, *base.text_encoders):
        # only cast what differs: diffusers warns on every .to(dtype), even a no-op one
        module.to(device) if module.dtype == weight_dtype else module.to(device, weight_dtype)
    for module in (base.vae, *base.text_encoders):
        module.eval()


def group(names_and_params: list[tuple[str, torch.nn.Parameter]], lr: float) -> dict[str, Any]:
    return {"params": [p for _, p in names_and_params], "names": [n for n, _ in names_and_params], "lr": lr}


def save_tensors(tensors: dict[str, torch.Tensor], dest: Path, metadata: dict[str, str]) -> Path:
    """Write a .safetensors file atomically (a temporary name beside it, then a rename), byte for byte the same
    for the same tensors and metadata."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    data = canonical(save({k: v.detach().to("cpu").contiguous() for k, v in tensors.items()}, metadata=metadata))
    tmp = dest.with_name(f".{dest.name}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, dest)
    return dest


def canonical(data: bytes) -> bytes:
    """The safetensors bytes with the header's keys sorted. safetensors writes its metadata from a hash map whose
    order changes from process to process, so equal weights would give files of different sha256 (and the
    registry dedupes models by it)."""
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    text = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data section stays 8-byte aligned, as safetensors writes it
    return struct.pack("<Q", len(text)) + text + data[8 + length :]


def replace_folder(tmp: Path, dest: Path) -> Path:
    """Move a finished folder into place, replacing an earlier one."""
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(tmp, dest)
    return dest


def digest(path: Path) -> tuple[str, int]:
    """(sha256, size) as the registry computes them: a file's own digest, or for a folder the digest of its sorted
    "<sha256>  <path>" manifest."""
    path = Path(path)
    if path.is_file():
        return _file_digest(path), path.stat().st_size
    lines, size = [], 0
    for name, file in sorted((p.relative_to(path).as_posix(), p) for p in path.rglob("*") if p.is_file()):
        lines.append(f"{_file_digest(file)}  {name}\n")
        size += file.stat().st_size
    return hashlib.sha256("".join(lines).encode()).hexdigest(), size


def _file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
