"""The diffusers engine: loads Stable Diffusion pipelines and runs txt2img on them."""

from __future__ import annotations

import copy
import gc
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from diffusers import StableDiffusionPipeline
from PIL import Image

from easel_proto.errors import EaselError, GenerationFailed, InvalidInput
from easel_proto.v1.jobs import GenerationSpec
from easel_proto.v1.registry import ModelInfo

from .base import StepCallback
from .loading import open_pipeline
from .lora import LoraSlots, LoraTimings
from .samplers import make_scheduler
from .tiny import TINY_SD, ensure_tiny_sd

_SD_BASES = frozenset({"sd15", "sd21", "tiny"})  # what StableDiffusionPipeline can run
FETCHED_FORMATS = frozenset({"diffusers", "safetensors"})  # artefacts in the object store, materialized by the worker


@dataclass
class _Loaded:
    pipe: StableDiffusionPipeline
    # The checkpoint's own scheduler config: every sampler derives from it, never from the last one used.
    scheduler_config: Any
    # Pristine scheduler per sampler: some (DPM2) spend ~0.5 s in their constructor, a deepcopy < 1 ms.
    schedulers: dict[str, Any] = field(default_factory=dict)
    # LoRA adapters loaded on this pipeline (disabled between jobs).
    loras: LoraSlots = field(default_factory=LoraSlots)

    def scheduler(self, sampler: str) -> Any:
        """A fresh scheduler for one job: they carry per-run state that a canceled job leaves behind."""
        template = self.schedulers.get(sampler)
        if template is None:
            template = self.schedulers[sampler] = make_scheduler(sampler, self.scheduler_config)
        return copy.deepcopy(template)


class GenerationEngine:
    """Keeps up to max_loaded pipelines resident (LRU) and runs one job at a time on them."""

    def __init__(
        self, cache_dir: Path, device: str | None = None, max_loaded: int = 2, config_dir: Path | None = None
    ) -> None:
        if max_loaded < 1:
            raise ValueError("max_loaded must be at least 1")
        self.cache_dir = Path(cache_dir)
        # Local diffusers config folders per base (config_dir/<base>) for single-file checkpoints.
        self.config_dir = Path(config_dir) if config_dir is not None else None
        # Where each fetched model was last materialized, so text_to_image can reload one that was evicted.
        self._local: dict[str, Path] = {}
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        # Half precision halves memory and time on GPUs; CPUs lack fast fp16 kernels.
        self.dtype = torch.float16 if self.device.type == "cuda" else torch.float32
        self.max_loaded = max_loaded
        self._loaded: OrderedDict[str, _Loaded] = OrderedDict()
        # Pipelines are stateful (the scheduler is swapped per job), so jobs must not interleave.
        self._lock = threading.RLock()
        self._broken: str | None = None
        self.last_lora_timings = LoraTimings()  # the last job's LoRA load / attach / detach seconds

    def loaded_models(self) -> list[str]:
        """Ids of resident models, least recently used first."""
        return list(self._loaded)

    def load(self, model: ModelInfo, local: Path | None = None) -> float:
        """Make the model resident; return seconds spent (0.0 when it already was).

        Builtin models are built here; fetched ones ("diffusers", "safetensors") load from `local`, the path
        the worker's ModelCache materialized.
        """
        with self._lock:
            if local is not None:
                self._local[model.id] = Path(local)
            if model.id in self._loaded:
                self._loaded.move_to_end(model.id)
                return 0.0
            start = time.perf_counter()
            try:
                source = self._resolve(model)
                # Evict first so the device never holds max_loaded + 1 pipelines at its peak.
                self._evict(keep=self.max_loaded - 1)
                pipe = self._open(source, model)
            except EaselError:
                raise
            except Exception as exc:
                self._note_failure(exc)
                raise GenerationFailed(
                    f"could not load model {model.name!r}: {_describe(exc)}", model=model.id
                ) from exc
            self._loaded[model.id] = _Loaded(pipe, pipe.scheduler.config)
            return time.perf_counter() - start

    def text_to_image(
        self, spec: GenerationSpec, on_step: StepCallback, lora_paths: Mapping[str, Path] | None = None
    ) -> list[Image.Image]:
        """Run txt2img; one image per seed. Exceptions raised by on_step propagate unchanged.

        spec.loras apply to this job only; lora_paths maps each LoRA's model id to its local .safetensors file
        (needed only for a LoRA not already loaded on the pipeline).
        """
        _check_spec(spec)
        with self._lock:
            self.load(spec.model)
            loaded = self._loaded[spec.model.id]
            if spec.steps > loaded.scheduler_config["num_train_timesteps"]:
                raise InvalidInput("steps", f"at most {loaded.scheduler_config['num_train_timesteps']} for this model")
            pipe = loaded.pipe
            pipe.scheduler = loaded.scheduler(spec.sampler)
            from_caller: list[BaseException] = []

            def step_end(p: StableDiffusionPipeline, i: int, t: Any, tensors: dict[str, Any]) -> dict[str, Any]:
                try:
                    # Second-order samplers run more iterations than spec.steps; report what really runs.
                    on_step(i + 1, len(p.scheduler.timesteps))
                except BaseException as exc:
                    from_caller.append(exc)
                    raise
                return tensors

            try:
                with loaded.loras.applied(pipe, spec.model, spec.loras or [], lora_paths or {}), \
                        torch.inference_mode():
                    out = pipe(
                        **pipeline_args(spec), callback_on_step_end=step_end, callback_on_step_end_tensor_inputs=[]
                    )
            except Exception as exc:
                if isinstance(exc, EaselError) or (from_caller and exc is from_caller[0]):
                    raise
                self._note_failure(exc)
                raise GenerationFailed(f"generation failed: {_describe(exc)}", model=spec.model.id) from exc
            finally:
                self.last_lora_timings = loaded.loras.last
            return list(out.images)

    def healthy(self) -> bool:
        """False after a device error that poisons the CUDA context; the worker should restart."""
        if self._broken is not None:
            return False
        return self.device.type != "cuda" or torch.cuda.is_available()

    def _resolve(self, model: ModelInfo) -> Path:
        """The local folder or file holding the model's weights, building a builtin one if needed."""
        if model.kind != "checkpoint":
            raise InvalidInput("model", f"{model.name!r} is a {model.kind}, not a checkpoint", model_id=model.id)
        if model.base not in _SD_BASES:
            raise InvalidInput("model", f"base {model.base!r} is not supported by this worker yet", model_id=model.id)
        if model.format in FETCHED_FORMATS:
            local = self._local.get(model.id)
            if local is None:
                raise GenerationFailed(f"model {model.name!r} has not been fetched to this worker", model=model.id)
            return local
        scheme, _, name = model.source.partition(":")
        if scheme == "builtin":
            if name == TINY_SD:
                return ensure_tiny_sd(self.cache_dir)
            raise InvalidInput("model", f"unknown builtin model {name!r}", model_id=model.id)
        raise InvalidInput("model", f"source {model.source!r} is not supported by this worker yet", model_id=model.id)

    def _open(self, source: Path, model: ModelInfo) -> StableDiffusionPipeline:
        """Load a pipeline folder or single file onto the device, set up for serving."""
        single_file = model.format == "safetensors"  # builtin models are diffusers folders too
        pipe = open_pipeline(source, model.base, single_file=single_file, dtype=self.dtype,
                             cache_dir=self.cache_dir, config_dir=self.config_dir)
        pipe.set_progress_bar_config(disable=True)  # progress goes through on_step, not stderr
        pipe = pipe.to(self.device)
        if pipe.unet.dtype != self.dtype:
            # diffusers releases older than the dtype keyword ignore it and load float32.
            pipe = pipe.to(dtype=self.dtype)
        if self.device.type == "cuda":
            # Convolutions run faster in NHWC on tensor cores; SDPA attention is already diffusers' default.
            pipe.unet.to(memory_format=torch.channels_last)
            pipe.vae.to(memory_format=torch.channels_last)
        return pipe

    def _evict(self, keep: int) -> None:
        """Drop least recently used pipelines until at most keep remain."""
        if len(self._loaded) <= keep:
            return
        while len(self._loaded) > keep:
            self._loaded.popitem(last=False)
        gc.collect()  # pipelines hold reference cycles; free their weights now, not at some later GC
        if self.device.type == "cuda":
            torch.cuda.empty_cache()  # hand freed weights back so the next load has room

    def _note_failure(self, exc: BaseException) -> None:
        """Mark the engine unhealthy on errors that leave the device unusable."""
        if isinstance(exc, torch.OutOfMemoryError):
            if self.device.type == "cuda":
                torch.cuda.empty_cache()  # recoverable: the next, smaller job may fit
            return
        if isinstance(exc, torch.AcceleratorError) or "CUDA error" in str(exc):
            self._broken = _describe(exc)


def pipeline_args(spec: GenerationSpec) -> dict[str, Any]:
    """Per-image pipeline arguments for a job; lists so that compatible jobs can later be concatenated."""
    n = len(spec.seeds)
    return {
        "prompt": [spec.prompt] * n,
        "negative_prompt": [spec.negative_prompt or ""] * n,
        # CPU generators make a seed give the same image on every device type.
        "generator": [torch.Generator("cpu").manual_seed(seed) for seed in spec.seeds],
        "guidance_scale": spec.cfg_scale,
        "num_inference_steps": spec.steps,
        "width": spec.width,
        "height": spec.height,
        "output_type": "pil",
    }


def _check_spec(spec: GenerationSpec) -> None:
    """Reject what the pipeline would fail on, naming the field instead of a stack trace."""
    for name in ("width", "height"):
        value = getattr(spec, name)
        if value < 8 or value % 8:
            raise InvalidInput(name, f"must be a positive multiple of 8, got {value}")


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
