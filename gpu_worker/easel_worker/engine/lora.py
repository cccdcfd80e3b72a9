"""LoRAs on a resident pipeline: merged into the base weights for one job, the base bits put back after it.

A LoRA is loaded once per pipeline (`load_lora_weights` under an adapter name derived from its model id), and
its peft layers are then taken out of the modules at once: the modules keep the structure they were loaded with,
so the UNet's compiled graph (compile.py, which reads the weights as inputs) serves LoRA jobs too and no LoRA swap
recompiles it. The peft layers are kept aside, still pointing at the base layers they wrap. A job merges exactly
its own adapters at their weights into those base weights, in place (peft's merge, so DoRA and LoRA biases merge
as peft computes them), after keeping a copy of every weight it touches; when it ends, however it ends, the
copies are written back, so the next job runs the plain base bit for bit.

A pipeline whose weights are offloaded to the host between calls (memory.py; never compiled) keeps the peft layers
in its modules instead, as the offload hooks expect: a job switches on exactly its adapters at its weights and
switches every adapter off when it ends.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from easel_proto.errors import GenerationFailed, InvalidInput
from easel_proto.v1.jobs import LoraSpec
from easel_proto.v1.registry import ModelInfo

log = logging.getLogger(__name__)

MAX_RESIDENT_LORAS = 8  # adapters kept loaded per pipeline (at least as many as one job may name)
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")
_COMPONENTS = ("unet", "text_encoder", "text_encoder_2")


def adapter_name(model: ModelInfo) -> str:
    """A peft adapter name for the model: module-attribute safe, distinct per id and content."""
    key = f"{model.id}\0{model.sha256 or ''}"
    return f"lora_{_UNSAFE.sub('_', model.id)[:48]}_{hashlib.sha256(key.encode()).hexdigest()[:8]}"


@dataclass
class LoraTimings:
    """Seconds the last job spent loading LoRA files, merging adapters into the weights and restoring them."""

    load_s: float = 0.0
    attach_s: float = 0.0
    detach_s: float = 0.0
    loaded: int = 0  # LoRAs read from disk for that job (the rest were resident)


@dataclass
class LoraSlots:
    """The adapters loaded on one pipeline, least recently used first, with their peft layers kept aside."""

    capacity: int = MAX_RESIDENT_LORAS
    merge: bool = True  # merged per job; False: peft layers left in the modules, switched on per job (offload)
    adapters: OrderedDict[str, str] = field(default_factory=OrderedDict)  # adapter name -> model id
    layers: dict[str, list[Any]] = field(default_factory=dict)  # adapter name -> its peft layers, out of the modules
    last: LoraTimings = field(default_factory=LoraTimings)

    @contextmanager
    def applied(self, pipe: Any, base: ModelInfo, loras: Sequence[LoraSpec], paths: Mapping[str, Path],
                structure: AbstractContextManager[Any] | None = None):
        """Within the block, pipe's weights carry these LoRAs at their weights; the base's own bits after it.
        structure: held while a LoRA is loaded (peft wraps the modules until it is taken out again), so that no
        compile traces the modules half-changed (compile.Compiler.structure)."""
        self.last = timings = LoraTimings()
        if not loras:
            yield
            return
        started = time.perf_counter()
        try:
            with structure or nullcontext():
                names = [self._ensure(pipe, base, i, lora.model, paths) for i, lora in enumerate(loras)]
                self._trim(pipe, keep=set(names))
        except BaseException:
            if not self.merge:  # load_lora_weights switches on what it loads
                with suppress(Exception):
                    pipe.disable_lora()
            raise
        timings.load_s = time.perf_counter() - started
        if not self.merge:
            with self._switched(pipe, names, loras):
                yield
            return
        saved: dict[int, tuple[torch.nn.Parameter, torch.Tensor, torch.Tensor]] = {}
        try:
            started = time.perf_counter()
            with torch.no_grad():
                for name, lora in zip(names, loras, strict=True):
                    weight = 1.0 if lora.weight is None else float(lora.weight)
                    if weight != 0.0:
                        _merge(self.layers[name], name, weight, saved)
            timings.attach_s = time.perf_counter() - started
            yield
        finally:
            started = time.perf_counter()
            with torch.no_grad():
                for param, data, copy in saved.values():
                    data.copy_(copy)  # into the original storage: same bits, same address (CUDA graphs)
                    param.data = data
            for name in names:
                for layer in self.layers.get(name, []):
                    layer.merged_adapters.clear()
            timings.detach_s = time.perf_counter() - started

    @contextmanager
    def _switched(self, pipe: Any, names: list[str], loras: Sequence[LoraSpec]):
        try:
            started = time.perf_counter()
            pipe.enable_lora()
            pipe.set_adapters(names, adapter_weights=[1.0 if s.weight is None else s.weight for s in loras])
            self.last.attach_s = time.perf_counter() - started
            yield
        finally:
            started = time.perf_counter()
            pipe.disable_lora()
            self.last.detach_s = time.perf_counter() - started

    def _ensure(self, pipe: Any, base: ModelInfo, index: int, lora: ModelInfo, paths: Mapping[str, Path]) -> str:
        """Load the LoRA onto pipe unless it already is; return its adapter name."""
        field_name = f"loras.{index}.name"
        if lora.kind != "lora":
            raise InvalidInput(field_name, f"{lora.name!r} is a {lora.kind}, not a LoRA", model_id=lora.id)
        if lora.base != base.base:
            raise InvalidInput(field_name, f"base {lora.base} LoRA {lora.name!r} on a {base.base} checkpoint "
                               f"{base.name!r}", model_id=lora.id)
        name = adapter_name(lora)
        if name in self.adapters:
            self.adapters.move_to_end(name)
            return name
        path = paths.get(lora.id)
        if path is None:
            raise GenerationFailed(f"LoRA {lora.name!r} has not been fetched to this worker", model=lora.id)
        expected = _lora_weight_count(Path(path))
        try:
            pipe.load_lora_weights(str(path), adapter_name=name)
        except Exception as exc:
            if self.merge:
                _take_out(pipe)
            _drop(pipe, name)
            raise InvalidInput(field_name, f"LoRA {lora.name!r} does not fit model {base.name!r}: "
                               f"{type(exc).__name__}: {str(exc).strip()[:200]}", model_id=lora.id) from exc
        attached = _attached_weight_count(pipe, name)
        layers = _take_out(pipe) if self.merge else []
        if attached == 0 or (expected and attached < expected):
            _drop(pipe, name)
            raise InvalidInput(field_name, f"LoRA {lora.name!r} does not fit model {base.name!r}: "
                               f"{attached} of {expected} weights match", model_id=lora.id)
        self.adapters[name] = lora.id
        self.layers[name] = layers
        self.last.loaded += 1
        return name

    def _trim(self, pipe: Any, keep: set[str]) -> None:
        """Unload least recently used adapters beyond capacity, never one of the running job's."""
        for name in list(self.adapters):
            if len(self.adapters) <= max(self.capacity, len(keep)):
                break
            if name not in keep:
                model_id = self.adapters.pop(name)
                self.layers.pop(name, None)
                _drop(pipe, name)
                log.info("unloaded LoRA %s (adapter %s) to make room", model_id, name)


def _merge(layers: Sequence[Any], name: str, weight: float,
           saved: dict[int, tuple[torch.nn.Parameter, torch.Tensor, torch.Tensor]]) -> None:
    """Adapter `name` at `weight` into its base layers' weights, in place; each weight (and bias) it changes is
    copied into `saved` first, once per job, with the storage it had."""
    for layer in layers:
        base = layer.get_base_layer()
        for param in (base.weight, getattr(base, "bias", None)):
            if param is not None and id(param) not in saved:
                saved[id(param)] = (param, param.data, param.data.clone())
        layer.set_scale(name, weight)  # the adapter's alpha / rank times the job's weight
        layer.merge(safe_merge=False, adapter_names=[name])


def _take_out(pipe: Any) -> list[Any]:
    """Every peft layer out of the pipeline's modules, its base layer back in its place; the peft layers."""
    from peft.tuners.tuners_utils import BaseTunerLayer

    out = []
    for component in _COMPONENTS:
        module = getattr(pipe, component, None)
        if module is None:
            continue
        outer = [(key, m) for key, m in module.named_modules() if isinstance(m, BaseTunerLayer)]
        outer = [(key, m) for key, m in outer if not any(key.startswith(f"{k}.") for k, _ in outer)]
        for key, layer in outer:
            parent_key, _, attr = key.rpartition(".")
            setattr(module.get_submodule(parent_key), attr, layer.get_base_layer())
            out.append(layer)
    return out


def _drop(pipe: Any, name: str) -> None:
    with suppress(Exception):  # half-loaded adapters may be missing from some components
        pipe.delete_adapters([name])


def _lora_weight_count(path: Path) -> int:
    """How many LoRA matrices (down/up, A/B) the file holds; 0 when unreadable (the load then says why)."""
    try:
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as f:
            keys = list(f.keys())
    except Exception:
        return 0
    return sum(1 for k in keys if k.endswith(".weight") and ("lora" in k.lower()))


def _attached_weight_count(pipe: Any, name: str) -> int:
    """How many LoRA matrices of adapter `name` landed in the pipeline's modules."""
    count = 0
    for component in ("unet", "text_encoder", "text_encoder_2"):
        module = getattr(pipe, component, None)
        if module is None:
            continue
        count += sum(1 for key, _ in module.named_parameters() if f".{name}." in key and ".lora_" in key)
    return count
