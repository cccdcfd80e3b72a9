"""The diffusers engine: keeps Stable Diffusion pipelines (SD 1.x/2.x and SDXL) resident and runs jobs on them.

A job's model state (LoRAs, hypernetworks, VAE, tiling, scheduler) is set up here for that job only; the tasks
themselves live in tasks.py (txt2img, hires fix, img2img, inpaint, outpaint) and extras.py.
"""

from __future__ import annotations

import copy
import inspect
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from diffusers import DiffusionPipeline
from PIL import Image

from easel_proto.errors import EaselError, GenerationFailed, InvalidInput
from easel_proto.v1.jobs import GenerationSpec
from easel_proto.v1.registry import ModelInfo
from easel_proto.webui import noise_params
from easel_worker.batching import call_key

from . import batch, gpu, memory, sd_upscale, tasks, vae_precision
from .base import PreviewCallback, StepCallback, Stopped
from .compile import CompileCache, CompiledPart, Compiler, resolve_mode
from .conditioning import Encodings, Prompts, pass_prompts
from .controlnet import ControlNetCache
from .controls import detect_maps
from .extras import run_extras
from .hypernetwork import HypernetworkSlots
from .interrogate import Interrogators
from .loading import is_xl, open_pipeline, wants_aesthetic_score
from .lora import LoraSlots, LoraTimings
from .members import DoneCallback, Members
from .passes import Job, Progress, Refiner, iterations
from .prompting import encode_prompts, encode_prompts_xl
from .samplers import apply_noise_params, eta_kind, make_scheduler
from .tiling import tiled
from .tiny import BUILTIN_MODELS, ensure_tiny_sd
from .tome import merges_tokens
from .vae import VaeCache, swapped_vae

log = logging.getLogger(__name__)
_SD_BASES = frozenset({"sd15", "sd21", "sdxl", "tiny"})  # what this engine's pipelines can run
_SHARED_PARTS = ("vae", "unet", "text_encoder", "text_encoder_2", "tokenizer", "tokenizer_2")
FETCHED_FORMATS = frozenset({"diffusers", "safetensors"})  # artefacts in the object store, materialized by the worker
MAX_RESIDENT_CONTROLNETS = 4  # as many as one job may name

@dataclass
class _Loaded:
    pipe: DiffusionPipeline  # StableDiffusionPipeline or StableDiffusionXLPipeline
    # The checkpoint's own scheduler config: every sampler derives from it, never from the last one used.
    scheduler_config: Any
    # Pristine scheduler per (sampler, schedule): some (DPM2) spend ~0.5 s in their constructor, a deepcopy < 1 ms.
    schedulers: dict[tuple[str, str], Any] = field(default_factory=dict)
    # LoRAs loaded for this pipeline (merged into its weights for a job, out of them between jobs).
    loras: LoraSlots = field(default_factory=LoraSlots)
    # The img2img / inpaint / ControlNet pipelines built from pipe, sharing its weights.
    variants: dict[type, Any] = field(default_factory=dict)
    memory: str = "full"  # memory.MODES: where the weights live
    compiled: list[CompiledPart] = field(default_factory=list)  # its UNet and VAE decode, when compiling

    def scheduler(self, sampler: str, schedule: str | None) -> Any:
        """A fresh scheduler for one pass: they carry per-run state that a canceled job leaves behind."""
        key = (sampler, schedule or "automatic")
        template = self.schedulers.get(key)
        if template is None:
            template = self.schedulers[key] = make_scheduler(sampler, self.scheduler_config, schedule,
                                                                  xl=is_xl(self.pipe))
        return copy.deepcopy(template)

    def variant(self, cls: type, controlnet: Any, dtype: torch.dtype) -> Any:
        """The pipeline of class cls over pipe's current parts (this job's VAE) and `controlnet`."""
        if cls is type(self.pipe) and controlnet is None:
            return self.pipe
        extra: dict[str, Any] = {"controlnet": controlnet} if controlnet is not None else {}
        if "requires_aesthetics_score" in inspect.signature(cls.__init__).parameters:
            extra["requires_aesthetics_score"] = wants_aesthetic_score(self.pipe)  # SDXL's refiner
        made = self.variants.get(cls)
        if made is None:
            # dtype matters: from_pipe casts every shared module to it (float32 when omitted)
            made = self.variants[cls] = cls.from_pipe(self.pipe, dtype=dtype, **extra)
            made.set_progress_bar_config(disable=True)
        for name in _SHARED_PARTS:
            if hasattr(self.pipe, name) and getattr(made, name) is not getattr(self.pipe, name):
                setattr(made, name, getattr(self.pipe, name))
        if controlnet is not None and made.controlnet is not controlnet:
            made.controlnet = controlnet
        return made


class GenerationEngine:
    """Keeps up to max_loaded pipelines resident (LRU) and runs one job at a time on them."""

    def __init__(
        self, cache_dir: Path, device: str | None = None, max_loaded: int = 2, config_dir: Path | None = None, *,
        compile_mode: str = "off", compile_cache_dir: Path | None = None, memory_mode: str = "auto",
        dtype: str = "auto", xformers: bool = False, compiler: Compiler | None = None,
    ) -> None:
        if max_loaded < 1:
            raise ValueError("max_loaded must be at least 1")
        self.cache_dir = Path(cache_dir)
        # Local diffusers config folders per base (config_dir/<base>) for single-file checkpoints.
        self.config_dir = Path(config_dir) if config_dir is not None else None
        # Where each fetched model was last materialized, so generate can reload one that was evicted.
        self._local: dict[str, Path] = {}
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        # Half precision halves memory and time on GPUs; CPUs lack fast fp16 kernels.
        self.dtype = gpu.weights_dtype(dtype, self.device)
        gpu.configure_backends(self.device)
        memory.choose(memory_mode, family="sd15", free=None, device_type=self.device.type)  # a bad value fails here
        self.memory_mode = memory_mode
        self.xformers = xformers and gpu.xformers_available()
        if xformers and not self.xformers:
            log.warning("EASEL_XFORMERS is set but xformers cannot be imported; attention runs on PyTorch's SDPA")
        mode = resolve_mode(compile_mode, self.device)
        self._compiler = compiler or Compiler(
            mode, CompileCache(compile_cache_dir or self.cache_dir / "compiled"), gpu=gpu.gpu_kind(self.device))
        self.max_loaded = max_loaded
        self._loaded: OrderedDict[str, _Loaded] = OrderedDict()
        # Pipelines are stateful (the scheduler is swapped per job), so jobs must not interleave.
        self._lock = threading.RLock()
        self._broken: str | None = None
        self.last_lora_timings = LoraTimings()  # the last job's LoRA load / attach / detach seconds
        self._vaes = VaeCache()
        self._vae_upcast: set[str] = set()  # VAEs (by model id) that gave NaNs in float16: run in float32
        self._hypernetworks = HypernetworkSlots(self.device)
        self._controlnets = ControlNetCache(MAX_RESIDENT_CONTROLNETS, cache_dir=self.cache_dir,
                                            config_dir=self.config_dir)
        self._interrogators = Interrogators(self.device, self.dtype)

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
                mode = memory.choose(self.memory_mode, family=model.base, free=gpu.free_bytes(self.device),
                                     device_type=self.device.type)
                pipe = self._open(source, model, mode)
            except EaselError:
                raise
            except Exception as exc:
                self._note_failure(exc)
                raise GenerationFailed(
                    f"could not load model {model.name!r}: {_describe(exc)}", model=model.id
                ) from exc
            self._loaded[model.id] = _Loaded(pipe, pipe.scheduler.config, memory=mode,
                                             compiled=self._compiled_parts(pipe, model, mode),
                                             loras=LoraSlots(merge=not memory.offloaded(mode)))
            if not is_xl(pipe):  # over the compiled decode: its NaNs are retried in float32 too
                vae_precision.guard(pipe.vae, key=model.id, upcast=self._vae_upcast)
            return time.perf_counter() - start

    def generate(
        self,
        spec: GenerationSpec,
        on_step: StepCallback,
        files: Mapping[str, Path] | None = None,
        inputs: Mapping[str, Image.Image] | None = None,
        on_preview: PreviewCallback | None = None,
    ) -> list[Image.Image]:
        """Run the spec's task; one image per seed. Exceptions raised by on_step propagate unchanged.
        on_preview: offered a cheap preview of the denoising estimate before each on_step (base.PreviewCallback).

        files: local paths by model id (needed only for what is not resident: checkpoint, LoRAs, VAE,
        hypernetworks, embeddings, ControlNets, annotators, upscalers). inputs: decoded input images by
        InputImage.key. LoRAs, hypernetworks, VAE and tiling apply to this job only.
        """
        files, inputs = dict(files or {}), dict(inputs or {})
        with self._lock:
            if spec.task == "extras":
                return self._guarded(spec, None, lambda: self._faces(
                    spec, run_extras(spec, inputs, files, device=self.device), files))
            if spec.task == "detect":
                return self._guarded(spec, None, lambda: detect_maps(spec, inputs, files, device=self.device))
            _check_spec(spec)
            refined = self._refiner_of(spec, files)
            self.load(spec.model, files.get(spec.model.id))
            loaded = self._loaded[spec.model.id]
            _check_steps(spec, loaded.scheduler_config["num_train_timesteps"])
            pipe = loaded.pipe
            progress = Progress(on_step, on_preview=on_preview)

            def run() -> list[Image.Image]:
                template = loaded.scheduler(spec.sampler, spec.scheduler)
                _check_sampler_steps(spec, template)
                chunks = sd_upscale.calls(spec) if spec.sd_upscale is not None else len(tasks.chunks(spec))
                progress.per_batch = sum(iterations(template, steps, strength)
                                         for steps, strength in tasks.stages(spec))
                progress.total = chunks * progress.per_batch
                vae = None
                if spec.vae is not None:
                    vae = self._vaes.get(spec.vae, files.get(spec.vae.id), like=pipe.vae, device=self.device,
                                         dtype=self.dtype)
                with ExitStack() as stack:
                    # compiled graphs only for jobs that leave the modules as loaded (compile.py); LoRAs do, as
                    # they are merged into the weights (lora.py)
                    plain = not (spec.hypernetworks or spec.tiling or merges_tokens(spec))
                    parts = loaded.compiled + (refined.compiled if refined is not None else [])
                    stack.enter_context(self._compiler.serving(parts, plain))
                    stack.enter_context(loaded.loras.applied(pipe, spec.model, spec.loras or [], files,
                                                             self._compiler.structure))
                    stack.enter_context(self._hypernetworks.applied(pipe.unet, spec.model, spec.hypernetworks or [],
                                                                    files))
                    job = self._job(loaded, spec, progress, files, vae, stack)
                    order = getattr(template, "order", 1)  # model calls per step: the prompt schedule's unit
                    prompts, hires_prompts = _prompts(pipe, spec, files, order)
                    if refined is not None:
                        # LoRAs are made for the base; the job's VAE and tiling apply to both
                        job.refiner = Refiner(self._job(refined, spec, progress, files, vae, stack),
                                              *_prompts(refined.pipe, spec, files, order),
                                              switch_at=spec.refiner.switch_at)
                    if spec.sd_upscale is not None:
                        return sd_upscale.image_by_tiles(job, prompts, inputs)
                    if spec.task == "txt2img":
                        return tasks.text_to_image(job, prompts, hires_prompts, inputs)
                    return tasks.image_to_image(job, prompts, inputs)

            try:
                images = self._guarded(spec, progress, lambda: self._faces(spec, run(), files))
            finally:
                self.last_lora_timings = loaded.loras.last
            if progress.stopped is not None:  # interrupted: what it made, for the worker to keep
                raise Stopped(images, progress.stopped)
            return images

    def generate_batch(
        self,
        specs: Sequence[GenerationSpec],
        on_steps: Sequence[StepCallback],
        files: Mapping[str, Path] | None = None,
        on_previews: Sequence[PreviewCallback | None] | None = None,
        on_done: DoneCallback | None = None,
    ) -> list[Any]:
        """Several txt2img jobs that may share a UNet call (the worker's batching.batch_key) run as one batch
        (batch.py): each job's outcome in order (its images, Stopped, or the exception that ended it), each also
        given to on_done as soon as it is known. An on_step that raises ends only its own job. The first spec's
        shared settings (model, LoRAs, hypernetworks, VAE, tiling, size, sampler, steps, CFG) apply to all."""
        if len(specs) > 1 and (len({call_key(each) for each in specs}) > 1 or call_key(specs[0]) is None):
            raise ValueError("these jobs cannot share a UNet call (batching.call_key)")
        files, members = dict(files or {}), Members(specs, on_steps, on_previews, on_done)
        spec, loaded = specs[0], None
        with self._lock:
            try:
                self.load(spec.model, files.get(spec.model.id))
                loaded = self._loaded[spec.model.id]
                _check_steps(spec, loaded.scheduler_config["num_train_timesteps"])
                template = loaded.scheduler(spec.sampler, spec.scheduler)
                _check_sampler_steps(spec, template)
                pipe = loaded.pipe
                vae = None if spec.vae is None else self._vaes.get(spec.vae, files.get(spec.vae.id), like=pipe.vae,
                                                                    device=self.device, dtype=self.dtype)
                with ExitStack() as stack:
                    plain = not (spec.hypernetworks or spec.tiling)
                    stack.enter_context(self._compiler.serving(loaded.compiled, plain))
                    stack.enter_context(loaded.loras.applied(pipe, spec.model, spec.loras or [], files,
                                                             self._compiler.structure))
                    stack.enter_context(self._hypernetworks.applied(pipe.unet, spec.model, spec.hypernetworks or [],
                                                                    files))
                    job = self._job(loaded, spec, Progress(lambda done, total: None), files, vae, stack)
                    prompts: list[Any] = []
                    for member in members.all:  # each job's own texts, embeddings and clip skip
                        try:
                            _check_spec(member.spec)
                            prompts.append(_prompts(pipe, member.spec, files, getattr(template, "order", 1))[0])
                        except EaselError as exc:
                            prompts.append(None)
                            members.finish(member, exc)
                    for group in batch.groups(members.live(), prompts):
                        batch.text_to_image(job, members, group, prompts)
            except Exception as exc:
                if not isinstance(exc, EaselError):
                    self._note_failure(exc)
                    exc = GenerationFailed(f"generation failed: {_describe(exc)}", model=spec.model.id)
                for member in members.live():
                    members.finish(member, exc)
            finally:
                if loaded is not None:
                    self.last_lora_timings = loaded.loras.last
        return members.outcomes()

    def _faces(self, spec: GenerationSpec, images: list[Image.Image], files: Mapping[str, Path]) -> list[Image.Image]:
        """The spec's face restoration passes on each image (the web UI restores after all sampling)."""
        if not spec.face_restore:
            return images
        from .faces import run_face_passes

        return [run_face_passes(image, spec.face_restore, files, device=str(self.device)) for image in images]

    def interrogate(self, spec: GenerationSpec, files: Mapping[str, Path] | None = None,
                    inputs: Mapping[str, Image.Image] | None = None) -> list[str]:
        """An interrogate job's text: its image described by its interrogator model (files: its local folder by
        model id); no diffusion model runs."""
        with self._lock:
            return self._guarded(spec, None, lambda: self._interrogators.run(spec, inputs or {}, files or {}))

    def _job(self, loaded: _Loaded, spec: GenerationSpec, progress: Progress, files: Mapping[str, Path],
             vae: Any, stack: ExitStack) -> Job:
        """A Job on loaded's pipeline with the job's VAE and tiling entered on `stack` (undone when it closes)."""
        pipe = loaded.pipe
        if vae is not None and spec.vae is not None and not is_xl(pipe):
            vae_precision.guard(vae, key=spec.vae.id, upcast=self._vae_upcast)
        stack.enter_context(swapped_vae(pipe, vae))
        stack.enter_context(tiled(pipe.unet, pipe.vae, enabled=bool(spec.tiling)))
        return Job(pipe=pipe, spec=spec, new_scheduler=_scheduler_factory(loaded, spec),
                   variant=lambda cls, net: loaded.variant(cls, net, self.dtype), progress=progress, files=files,
                   controlnets=self._controlnets, step_kwargs=_step_kwargs(spec))

    def _refiner_of(self, spec: GenerationSpec, files: Mapping[str, Path]) -> _Loaded | None:
        """The job's SDXL refiner, resident (loaded before the base, so the base stays the most recently used)."""
        if spec.refiner is None:
            return None
        model = spec.refiner.model
        if model.base != "sdxl" or spec.model.base != "sdxl":
            raise InvalidInput("refiner", f"a refiner refines SDXL with SDXL; got {model.base} {model.name!r} for "
                               f"{spec.model.base} {spec.model.name!r}")
        if model.id == spec.model.id:
            return None  # switching to the same weights changes nothing
        self.load(model, files.get(model.id))
        return self._loaded[model.id]

    def _guarded(self, spec: GenerationSpec, progress: Progress | None, run: Any) -> list[Image.Image]:
        """run(), with unexpected failures turned into GenerationFailed (and a poisoned device noted)."""
        try:
            return run()
        except Exception as exc:
            if isinstance(exc, EaselError) or (progress is not None and exc is progress.raised):
                raise
            self._note_failure(exc)
            raise GenerationFailed(f"generation failed: {_describe(exc)}", model=spec.model.id) from exc

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
            if name in BUILTIN_MODELS:
                return ensure_tiny_sd(self.cache_dir, name)
            raise InvalidInput("model", f"unknown builtin model {name!r}", model_id=model.id)
        raise InvalidInput("model", f"source {model.source!r} is not supported by this worker yet", model_id=model.id)

    def _open(self, source: Path, model: ModelInfo, mode: str) -> DiffusionPipeline:
        """Load a pipeline folder or single file onto the device as memory mode `mode` says, set up for serving."""
        single_file = model.format == "safetensors"  # builtin models are diffusers folders too
        pipe = open_pipeline(source, model.base, single_file=single_file, dtype=self.dtype,
                             cache_dir=self.cache_dir, config_dir=self.config_dir)
        pipe.set_progress_bar_config(disable=True)  # progress goes through on_step, not stderr
        for name in _SHARED_PARTS:
            # inference only; and loading a LoRA (peft marks base weights frozen) then changes no flag a compiled
            # graph's guards check, so it does not recompile
            part = getattr(pipe, name, None)
            if isinstance(part, torch.nn.Module):
                part.requires_grad_(False)
        if pipe.unet.dtype != self.dtype:
            # diffusers releases older than the dtype keyword ignore it and load float32.
            pipe = pipe.to(dtype=self.dtype)
        # The VAE keeps the dtype it has: SDXL's (force_upcast) is run in float32 per call, by passes.decode and
        # by diffusers' own pipelines alike, as float16 overflows in it (NaN, black images); SD 1.x/2.x's runs in
        # float16 and again in float32 only when that gives NaNs (vae_precision.py, installed by load).
        pipe = memory.place(pipe, mode, self.device)
        if self.device.type == "cuda":
            # Convolutions run faster in NHWC on tensor cores; SDPA attention is already diffusers' default.
            pipe.unet.to(memory_format=torch.channels_last)
            pipe.vae.to(memory_format=torch.channels_last)
            if self.xformers:
                pipe.enable_xformers_memory_efficient_attention()
        return pipe

    def share_compiled(self, mirror: Any) -> None:
        """Look for compiled artefacts in `mirror` too, and copy new ones there (compile.Mirror)."""
        if self._compiler.cache is not None:
            self._compiler.cache.mirror = mirror

    def _compiled_parts(self, pipe: DiffusionPipeline, model: ModelInfo, mode: str) -> list[CompiledPart]:
        """The UNet's forward and the VAE's decode served through compiled graphs (compile.py), unless compiling
        is off or the weights move between host and GPU per call."""
        if not self._compiler.enabled or memory.offloaded(mode):
            return []
        identity = model.sha256 or f"{model.id}:{model.source}"
        vae = pipe.vae
        if is_xl(pipe) and vae_precision.upcast_per_call(vae):
            # compiled in the dtype it runs in, on a copy no pipeline casts (vae_precision.UpcastDecode)
            vae = vae_precision.UpcastDecode(pipe.vae, vae_precision.float32_copy(pipe.vae, pipe.vae.device)).full
        parts = [self._compiler.attach(pipe.unet, "forward", part="unet", model=identity),
                 self._compiler.attach(vae, "decode", part="vae", model=identity)]
        return [part for part in parts if part is not None]

    def _evict(self, keep: int) -> None:
        """Drop least recently used pipelines until at most keep remain."""
        if len(self._loaded) <= keep:
            return
        while len(self._loaded) > keep:
            self._loaded.popitem(last=False)
        memory.release(self.device)  # the next load has room

    def _note_failure(self, exc: BaseException) -> None:
        """Mark the engine unhealthy on errors that leave the device unusable."""
        if isinstance(exc, torch.OutOfMemoryError):
            if self.device.type == "cuda":
                torch.cuda.empty_cache()  # recoverable: the next, smaller job may fit
            return
        if isinstance(exc, torch.AcceleratorError) or "CUDA error" in str(exc):
            self._broken = _describe(exc)


def _scheduler_factory(loaded: _Loaded, spec: GenerationSpec):
    """A fresh scheduler per pass, with the job's eta and per-seed noise where the sampler takes them."""

    noise = noise_params(spec.sampler, spec.s_churn, spec.s_tmin, spec.s_tmax, spec.s_noise)

    def new(seeds: Sequence[int]) -> Any:
        scheduler = loaded.scheduler(spec.sampler, spec.scheduler)
        apply_noise_params(scheduler, noise)
        if eta_kind(spec.sampler) == "ancestral" and spec.eta is not None:
            scheduler.eta = spec.eta
        if hasattr(scheduler, "noise_sampler_seed"):
            # DPM++ SDE's Brownian noise: one tree per image, seeded by it, so batching changes nothing
            scheduler.noise_sampler_seed = list(seeds)
        return scheduler

    return new


def _step_kwargs(spec: GenerationSpec) -> dict[str, Any]:
    """DDIM takes eta through the pipeline (Euler a through its scheduler); samplers whose noise diffusers
    cannot scale ("fixed") run at eta 1 whatever a client sends, as most send a default eta with any sampler."""
    return {"eta": spec.eta} if spec.eta is not None and eta_kind(spec.sampler) == "ddim" else {}


def _prompts(pipe: Any, spec: GenerationSpec, files: Mapping[str, Path], order: int) -> tuple[Prompts, Prompts | None]:
    """The first pass's conditioning and the hires pass's (its own schedule: its steps count after the first
    pass's), each distinct text encoded once; order: the sampler's model calls per step."""
    embeddings = {}
    for embedding in spec.embeddings or []:
        path = files.get(embedding.model.id)
        if path is None:
            raise GenerationFailed(f"embedding {embedding.name!r} has not been fetched to this worker",
                                   model=embedding.model.id)
        embeddings[embedding.name] = path

    def encode(positives: list[str], negatives: list[str]) -> Any:
        if is_xl(pipe):
            # the web UI reads SDXL's penultimate layers whatever the clip skip
            return encode_prompts_xl(pipe, positives, negatives, embeddings=embeddings)
        cond, uncond = encode_prompts(pipe, positives, negatives, clip_skip=spec.clip_skip or 1,
                                      embeddings=embeddings)
        return cond, uncond, None, None

    encodings = Encodings(encode)
    negative = spec.negative_prompt or ""
    prompts = pass_prompts(encodings, spec.prompt, negative, steps=spec.steps, order=order)
    hires = spec.hires
    if hires is None:
        return prompts, None
    return prompts, pass_prompts(encodings, hires.prompt or spec.prompt, hires.negative_prompt or negative,
                                 steps=spec.steps, order=order, hires_steps=hires.steps,
                                 field="hires.prompt" if hires.prompt else "prompt")


def _check_spec(spec: GenerationSpec) -> None:
    """Reject what the pipeline would fail on, naming the field instead of a stack trace."""
    noise_params(spec.sampler, spec.s_churn, spec.s_tmin, spec.s_tmax, spec.s_noise)
    sizes = [("width", spec.width), ("height", spec.height)]
    if spec.hires is not None:
        if spec.task != "txt2img":
            raise InvalidInput("hires", "hires fix applies to txt2img only")
        sizes += [("hires.width", spec.hires.width), ("hires.height", spec.hires.height)]
    for name, value in sizes:
        if value < 8 or value % 8:
            raise InvalidInput(name, f"must be a positive multiple of 8, got {value}")
    if spec.sd_upscale is not None:
        sd_upscale.check(spec)
    if spec.subseeds and len(spec.subseeds) != len(spec.seeds):
        raise InvalidInput("subseeds", f"one variation seed per seed: {len(spec.subseeds)} for {len(spec.seeds)}")


def _check_steps(spec: GenerationSpec, most: int) -> None:
    for name, steps in (("steps", spec.steps), ("hires.steps", spec.hires.steps if spec.hires else 0)):
        if steps > most:
            raise InvalidInput(name, f"at most {most} for this model")


def _check_sampler_steps(spec: GenerationSpec, scheduler: Any) -> None:
    """LCM distils a fixed schedule: it can take at most that many steps."""
    most = scheduler.config.get("original_inference_steps")
    if most is None:
        return
    for name, steps in (("steps", spec.steps), ("hires.steps", spec.hires.steps if spec.hires else 0)):
        if steps > most:
            raise InvalidInput(name, f"at most {most} with sampler {spec.sampler!r}")


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
