"""LoRAs on a resident pipeline: attached (peft adapters) for one job, detached after it, kept loaded LRU.

A LoRA is loaded once per pipeline (`load_lora_weights` under an adapter name derived from its model id) and
stays in memory, disabled, for later jobs. A job activates exactly its own adapters with their weights; when it
ends, however it ends, every adapter is disabled again, so the next job runs the plain base bit for bit.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from easel_proto.errors import GenerationFailed, InvalidInput
from easel_proto.v1.jobs import LoraSpec
from easel_proto.v1.registry import ModelInfo

log = logging.getLogger(__name__)

MAX_RESIDENT_LORAS = 8  # adapters kept loaded per pipeline (at least as many as one job may name)
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def adapter_name(model: ModelInfo) -> str:
    """A peft adapter name for the model: module-attribute safe, distinct per id and content."""
    key = f"{model.id}\0{model.sha256 or ''}"
    return f"lora_{_UNSAFE.sub('_', model.id)[:48]}_{hashlib.sha256(key.encode()).hexdigest()[:8]}"


@dataclass
class LoraTimings:
    """Seconds the last job spent loading LoRA files, activating adapters and detaching them."""

    load_s: float = 0.0
    attach_s: float = 0.0
    detach_s: float = 0.0
    loaded: int = 0  # LoRAs read from disk for that job (the rest were resident)


@dataclass
class LoraSlots:
    """The adapters loaded on one pipeline, least recently used first."""

    capacity: int = MAX_RESIDENT_LORAS
    adapters: OrderedDict[str, str] = field(default_factory=OrderedDict)  # adapter name -> model id
    last: LoraTimings = field(default_factory=LoraTimings)

    @contextmanager
    def applied(self, pipe: Any, base: ModelInfo, loras: Sequence[LoraSpec], paths: Mapping[str, Path]):
        """Within the block, pipe runs with exactly these LoRAs at their weights; none after it."""
        self.last = timings = LoraTimings()
        if not loras:
            yield
            return
        try:
            # inside the try: load_lora_weights activates what it loads, so a failure must still disable
            started = time.perf_counter()
            names = [self._ensure(pipe, base, i, lora.model, paths) for i, lora in enumerate(loras)]
            self._trim(pipe, keep=set(names))
            timings.load_s = time.perf_counter() - started
            started = time.perf_counter()
            pipe.enable_lora()
            pipe.set_adapters(names, adapter_weights=[1.0 if s.weight is None else s.weight for s in loras])
            timings.attach_s = time.perf_counter() - started
            yield
        finally:
            started = time.perf_counter()
            pipe.disable_lora()
            timings.detach_s = time.perf_counter() - started

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
            _drop(pipe, name)
            raise InvalidInput(field_name, f"LoRA {lora.name!r} does not fit model {base.name!r}: "
                               f"{type(exc).__name__}: {str(exc).strip()[:200]}", model_id=lora.id) from exc
        attached = _attached_weight_count(pipe, name)
        if attached == 0 or (expected and attached < expected):
            _drop(pipe, name)
            raise InvalidInput(field_name, f"LoRA {lora.name!r} does not fit model {base.name!r}: "
                               f"{attached} of {expected} weights match", model_id=lora.id)
        self.adapters[name] = lora.id
        self.last.loaded += 1
        return name

    def _trim(self, pipe: Any, keep: set[str]) -> None:
        """Unload least recently used adapters beyond capacity, never one of the running job's."""
        for name in list(self.adapters):
            if len(self.adapters) <= max(self.capacity, len(keep)):
                break
            if name not in keep:
                model_id = self.adapters.pop(name)
                _drop(pipe, name)
                log.info("unloaded LoRA %s (adapter %s) to make room", model_id, name)


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
