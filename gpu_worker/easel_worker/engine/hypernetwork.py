"""Hypernetworks (the web UI's `<hypernet:name:weight>`) on a resident UNet, for one job only.

A hypernetwork holds, per attention input width, two residual MLPs: one rewrites what every attention's key
projection reads, the other what its value projection reads (x + mlp(x) * weight), in self- and cross-attention
alike wherever the width matches, as the web UI applies them. Several chain in order. They act through forward
pre-hooks on `to_k`/`to_v` that live only while the job runs, so the next job runs the plain UNet bit for bit.

File layout (what easel_trainer writes; the web UI's pickled dict, flattened): tensors
`<width>.<0: k | 1: v>.linear.<i>.<weight|bias>`, `i` the index in the web UI's nn.Sequential (per layer: Linear,
activation, LayerNorm, Dropout, each only where it applies), and the settings as metadata strings:
layer_structure, dropout_structure (JSON lists), activation_func, is_layer_norm, use_dropout, activate_output,
last_layer_dropout ("true"/"false"). Missing settings take the web UI's defaults when it loads an old file.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from torch import nn

from easel_proto.errors import GenerationFailed, InvalidInput
from easel_proto.v1.jobs import HypernetworkSpec
from easel_proto.v1.registry import ModelInfo

MAX_RESIDENT = 8
_KEY = re.compile(r"^(\d+)\.([01])\.(linear\.\d+\.(?:weight|bias))$")
# The web UI's activation names: every torch activation by its lower-cased class name, and its own seven on top
# ("swish" is Hardswish there).
_ACTIVATIONS: dict[str, type[nn.Module]] = {
    **{cls.__name__.lower(): cls for cls in vars(nn.modules.activation).values()
       if isinstance(cls, type) and issubclass(cls, nn.Module) and cls.__module__ == nn.modules.activation.__name__},
    "linear": nn.Identity, "relu": nn.ReLU, "leakyrelu": nn.LeakyReLU, "elu": nn.ELU, "swish": nn.Hardswish,
    "tanh": nn.Tanh, "sigmoid": nn.Sigmoid,
}

Pair = tuple[nn.Module, nn.Module]  # (k, v) MLPs of one width


def load_hypernetwork(path: Path, field: str, name: str) -> dict[int, Pair]:
    """The file's MLPs by width, in float32 on the CPU; InvalidInput on `field` when it is not one."""
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = f.metadata() or {}
            tensors = {key: f.get_tensor(key) for key in f.keys()}  # noqa: SIM118 (safe_open is not a dict)
    except (SafetensorError, OSError) as exc:
        raise InvalidInput(field, f"{name}: not a readable .safetensors file ({exc})") from None
    states: dict[int, tuple[dict, dict]] = {}
    for key, value in tensors.items():
        match = _KEY.match(key)
        if match is None:
            raise InvalidInput(field, f"{name}: {key!r} is not a hypernetwork weight (<width>.<0|1>.linear.<i>.…)")
        states.setdefault(int(match[1]), ({}, {}))[int(match[2])][match[3].removeprefix("linear.")] = value
    if not states:
        raise InvalidInput(field, f"{name}: holds no hypernetwork weights")
    try:
        return {width: tuple(_mlp(width, meta, state) for state in pair) for width, pair in states.items()}
    except (ValueError, KeyError, RuntimeError) as exc:
        raise InvalidInput(field, f"{name}: the weights do not match its settings ({str(exc).strip()[:200]})") from None


def _mlp(width: int, meta: Mapping[str, str], state: dict[str, torch.Tensor]) -> nn.Module:
    """The web UI's nn.Sequential for one width, rebuilt from the settings, with the state loaded (strict)."""
    layers = [float(x) for x in json.loads(meta.get("layer_structure") or "[1, 2, 1]")]
    activation = meta.get("activation_func") or "linear"
    if activation not in _ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}")
    norm = meta.get("is_layer_norm", "false") == "true"
    activate_output = meta.get("activate_output", "true") == "true"
    dropouts = json.loads(meta["dropout_structure"]) if meta.get("dropout_structure") else _dropouts(layers, meta)
    parts: list[nn.Module] = []
    for i in range(len(layers) - 1):
        wide = int(width * layers[i + 1])
        parts.append(nn.Linear(int(width * layers[i]), wide))
        if activation != "linear" and (i < len(layers) - 2 or activate_output):
            parts.append(_ACTIVATIONS[activation]())
        if norm:
            parts.append(nn.LayerNorm(wide))
        if i + 1 < len(dropouts) and dropouts[i + 1] > 0:
            parts.append(nn.Identity())  # the web UI's Dropout: a no-op at inference, kept for the indices
    mlp = nn.Sequential(*parts)
    mlp.load_state_dict(state, strict=True)
    return mlp.eval().requires_grad_(False)


def _dropouts(layers: list[float], meta: Mapping[str, str]) -> list[float]:
    """A file without dropout_structure: the web UI's rule from use_dropout and last_layer_dropout."""
    if meta.get("use_dropout", "false") != "true":
        return [0.0] * len(layers)
    last = 0.3 if meta.get("last_layer_dropout", "false") == "true" else 0.0
    return [0.0] + [0.3] * (len(layers) - 3) + [last, 0.0]


class HypernetworkSlots:
    """Hypernetworks loaded on one device, least recently used first."""

    def __init__(self, device: torch.device, capacity: int = MAX_RESIDENT) -> None:
        self.device, self.capacity = device, capacity
        self.loaded: OrderedDict[str, dict[int, Pair]] = OrderedDict()

    def get(self, model: ModelInfo, path: Path | None, field: str) -> dict[int, Pair]:
        key = f"{model.id}\0{model.sha256 or ''}"
        if key in self.loaded:
            self.loaded.move_to_end(key)
            return self.loaded[key]
        if path is None:
            raise GenerationFailed(f"hypernetwork {model.name!r} has not been fetched to this worker", model=model.id)
        mlps = load_hypernetwork(Path(path), field, model.name)
        mlps = {w: (k.to(self.device), v.to(self.device)) for w, (k, v) in mlps.items()}
        self.loaded[key] = mlps
        while len(self.loaded) > self.capacity:
            self.loaded.popitem(last=False)
        return mlps

    @contextmanager
    def applied(self, unet: nn.Module, base: ModelInfo, specs: Sequence[HypernetworkSpec],
                files: Mapping[str, Path]):
        """Within the block, unet's attentions read through these hypernetworks at their weights; never after."""
        if not specs:
            yield
            return
        chain = []
        widths = attention_widths(unet)
        for i, spec in enumerate(specs):
            field = f"hypernetworks.{i}.name"
            model = spec.model
            if model.kind != "hypernetwork":
                raise InvalidInput(field, f"{model.name!r} is a {model.kind}, not a hypernetwork", model_id=model.id)
            if model.base != base.base:
                raise InvalidInput(field, f"base {model.base} hypernetwork {model.name!r} on a {base.base} "
                                   f"checkpoint {base.name!r}", model_id=model.id)
            mlps = self.get(model, files.get(model.id), field)
            if not set(mlps) & widths:
                raise InvalidInput(field, f"hypernetwork {model.name!r} does not fit model {base.name!r}: its widths "
                                   f"{sorted(mlps)}, the model's attention inputs {sorted(widths)}", model_id=model.id)
            chain.append((mlps, 1.0 if spec.weight is None else float(spec.weight)))
        handles = _hook(unet, chain)
        try:
            yield
        finally:
            for handle in handles:
                handle.remove()


def attention_widths(unet: nn.Module) -> set[int]:
    return {m.to_k.in_features for m in unet.modules() if hasattr(m, "to_k") and hasattr(m, "to_v")}


def _hook(unet: nn.Module, chain: list[tuple[dict[int, Pair], float]]) -> list[Any]:
    handles = []
    for attention in unet.modules():
        if not (hasattr(attention, "to_k") and hasattr(attention, "to_v")):
            continue
        width = attention.to_k.in_features
        for side, projection in enumerate((attention.to_k, attention.to_v)):
            steps = [(mlps[width][side], weight) for mlps, weight in chain if width in mlps]
            if steps:
                handles.append(projection.register_forward_pre_hook(_through(steps)))
    return handles


def _through(steps: list[tuple[nn.Module, float]]):
    def pre(_projection: nn.Module, args: tuple) -> tuple:
        x = args[0]
        y = x.float()  # the web UI runs hypernetworks in float32 whatever the UNet's precision
        for mlp, weight in steps:
            y = y + mlp(y) * weight
        return (y.to(x.dtype), *args[1:])

    return pre
