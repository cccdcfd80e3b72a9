"""Resumable checkpoints, written atomically and without pickles.

A checkpoint is a folder `checkpoints/step-<step, 8 digits>/`:
- `trainable.safetensors`: every trained parameter by the method's stable name (adapter weights, new token rows,
  hypernetwork modules, or the whole UNet for DreamBooth: never the frozen base);
- `optimizer.safetensors`: the optimizer's per-parameter tensors as `state.<index>.<name>`;
- `rng.safetensors`: torch's CPU and CUDA generator states;
- `state.json`: the step, the loss history, the optimizer's hyper-parameters and scalar state, the LR scheduler's
  and grad scaler's state, Python's and NumPy's RNG states, and the digest of the spec it belongs to.

It is assembled in a hidden folder and renamed into place, so a folder named step-N is always complete. Why not
accelerate's save_state: it writes whole models (the full UNet for a LoRA, the whole text encoder for textual
inversion), pickles optimizer and RNG state, and writes in place, so a kill mid-write leaves a broken checkpoint.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file

from easel_proto.errors import InvalidInput

_NAME = re.compile(r"^step-(\d{8})$")
VERSION = 1


@dataclass
class Saved:
    """What a checkpoint restores besides tensors already copied into place."""

    step: int
    losses: list[float] = field(default_factory=list)
    path: Path | None = None


def folder_name(step: int) -> str:
    return f"step-{step:08d}"


def latest(root: Path) -> Path | None:
    """The newest complete checkpoint under root (checkpoints/), or None."""
    if not root.is_dir():
        return None
    found = [(int(m[1]), p) for p in root.iterdir() if (m := _NAME.match(p.name)) and (p / "state.json").is_file()]
    return max(found)[1] if found else None


def save(root: Path, *, step: int, losses: list[float], trainables: dict[str, torch.nn.Parameter],
         optimizer: torch.optim.Optimizer, scheduler: Any, scaler: Any, digest: str, method: str,
         keep: int) -> Path:
    """Write the checkpoint of `step` and drop all but the newest `keep`; return its folder."""
    root.mkdir(parents=True, exist_ok=True)
    final = root / folder_name(step)
    tmp = root / f".{folder_name(step)}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    names = list(trainables)
    save_file({n: p.detach().to("cpu").contiguous() for n, p in trainables.items()}, str(tmp / "trainable.safetensors"))
    opt_tensors, opt_state = _flatten_optimizer(optimizer.state_dict())
    save_file(opt_tensors, str(tmp / "optimizer.safetensors"))
    save_file(_rng_tensors(), str(tmp / "rng.safetensors"))
    state = {
        "version": VERSION, "step": step, "method": method, "spec_digest": digest, "param_names": names,
        "losses": losses, "optimizer": opt_state, "lr_scheduler": scheduler.state_dict(),
        "scaler": scaler.state_dict() if scaler is not None else None,
        "python_random": _python_random(), "numpy_random": _numpy_random(),
    }
    _write_json(tmp / "state.json", state)
    _fsync_folder(tmp)
    if final.exists():  # the same step again (stopped right after a periodic checkpoint): keep the newer
        shutil.rmtree(final)
    os.replace(tmp, final)
    _fsync_folder(root)
    for old in sorted(p for p in root.iterdir() if _NAME.match(p.name))[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
    for stale in root.glob(".step-*.tmp-*"):  # left by a killed attempt
        shutil.rmtree(stale, ignore_errors=True)
    return final


def restore(folder: Path, *, trainables: dict[str, torch.nn.Parameter], optimizer: torch.optim.Optimizer,
            scheduler: Any, scaler: Any, digest: str, method: str) -> Saved:
    """Load a checkpoint into the live objects; InvalidInput when it belongs to another spec."""
    state = json.loads((folder / "state.json").read_text(encoding="utf-8"))
    if state.get("version") != VERSION or state.get("method") != method or state.get("spec_digest") != digest:
        raise InvalidInput("spec", f"the work dir's checkpoint {folder.name} is of another training (method, base, "
                           "dataset or settings differ): use a fresh work dir")
    if state["param_names"] != list(trainables):
        raise InvalidInput("spec", f"checkpoint {folder.name} holds other parameters than this run trains")
    weights = load_file(str(folder / "trainable.safetensors"))
    with torch.no_grad():
        for name, param in trainables.items():
            param.copy_(weights[name].to(param.device, param.dtype))
    optimizer.load_state_dict(_unflatten_optimizer(load_file(str(folder / "optimizer.safetensors")),
                                                   state["optimizer"]))
    scheduler.load_state_dict(state["lr_scheduler"])
    if scaler is not None and state.get("scaler"):
        scaler.load_state_dict(state["scaler"])
    _restore_rng(load_file(str(folder / "rng.safetensors")), state)
    return Saved(step=int(state["step"]), losses=[float(x) for x in state["losses"]], path=folder)


def _flatten_optimizer(state: dict) -> tuple[dict[str, torch.Tensor], dict]:
    tensors: dict[str, torch.Tensor] = {}
    scalars: dict[str, dict[str, Any]] = {}
    for index, entries in state["state"].items():
        for key, value in entries.items():
            if isinstance(value, torch.Tensor):
                tensors[f"state.{index}.{key}"] = value.detach().to("cpu").contiguous()
            else:
                scalars.setdefault(str(index), {})[key] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def _unflatten_optimizer(tensors: dict[str, torch.Tensor], saved: dict) -> dict:
    state: dict[int, dict[str, Any]] = {}
    for name, value in tensors.items():
        _, index, key = name.split(".", 2)
        state.setdefault(int(index), {})[key] = value
    for index, entries in saved["scalars"].items():
        state.setdefault(int(index), {}).update(entries)
    groups = []
    for g in saved["param_groups"]:
        g = dict(g)
        if isinstance(g.get("betas"), list):
            g["betas"] = tuple(g["betas"])  # JSON has no tuples
        groups.append(g)
    return {"state": state, "param_groups": groups}


def _rng_tensors() -> dict[str, torch.Tensor]:
    out = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            out[f"cuda.{i}"] = s
    return out


def _python_random() -> list:
    version, internal, gauss = random.getstate()
    return [version, list(internal), gauss]


def _numpy_random() -> list:
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return [kind, keys.tolist(), int(pos), int(has_gauss), float(cached)]


def _restore_rng(tensors: dict[str, torch.Tensor], state: dict) -> None:
    torch.set_rng_state(tensors["torch"])
    cuda = [tensors[f"cuda.{i}"] for i in range(len(tensors) - 1) if f"cuda.{i}" in tensors]
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all(cuda)
    version, internal, gauss = state["python_random"]
    random.setstate((version, tuple(internal), gauss))
    kind, keys, pos, has_gauss, cached = state["numpy_random"]
    np.random.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))


def _write_json(path: Path, data: Any) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(data, f)
        f.flush()
        os.fsync(f.fileno())


def _fsync_folder(path: Path) -> None:
    for file in path.iterdir() if path.is_dir() else []:
        if file.is_file():
            with open(file, "rb") as f:
                os.fsync(f.fileno())
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
