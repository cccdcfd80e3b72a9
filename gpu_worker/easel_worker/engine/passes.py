"""One denoising call on the resident pipeline: txt2img, img2img or inpaint, with or without ControlNet.

Every task is a sequence of these passes (hires fix is two), one per chunk of seeds. SD 1.x/2.x and SDXL run
the same passes on their own families of diffusers pipelines.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from diffusers import (
    StableDiffusionControlNetImg2ImgPipeline,
    StableDiffusionControlNetInpaintPipeline,
    StableDiffusionControlNetPipeline,
    StableDiffusionImg2ImgPipeline,
    StableDiffusionInpaintPipeline,
    StableDiffusionPipeline,
    StableDiffusionXLControlNetImg2ImgPipeline,
    StableDiffusionXLControlNetInpaintPipeline,
    StableDiffusionXLControlNetPipeline,
    StableDiffusionXLImg2ImgPipeline,
    StableDiffusionXLInpaintPipeline,
    StableDiffusionXLPipeline,
)
from PIL import Image

from easel_proto.v1.jobs import GenerationSpec, SdxlConditioning

from .base import Interrupt, PreviewCallback, Skip
from .conditioning import Prompts, conditioned
from .loading import is_xl
from .noise import initial_noise, use_noise
from .preview import latent_preview
from .tome import merged_tokens
from .vae_precision import UpcastDecode, guard_of

Images = list[Image.Image]

# (has an init image, has a mask, has ControlNet) -> the pipeline class for that call
_PIPELINES: dict[tuple[bool, bool, bool], type] = {
    (False, False, False): StableDiffusionPipeline,
    (True, False, False): StableDiffusionImg2ImgPipeline,
    (True, True, False): StableDiffusionInpaintPipeline,
    (False, False, True): StableDiffusionControlNetPipeline,
    (True, False, True): StableDiffusionControlNetImg2ImgPipeline,
    (True, True, True): StableDiffusionControlNetInpaintPipeline,
}
_XL_PIPELINES: dict[tuple[bool, bool, bool], type] = {
    (False, False, False): StableDiffusionXLPipeline,
    (True, False, False): StableDiffusionXLImg2ImgPipeline,
    (True, True, False): StableDiffusionXLInpaintPipeline,
    (False, False, True): StableDiffusionXLControlNetPipeline,
    (True, False, True): StableDiffusionXLControlNetImg2ImgPipeline,
    (True, True, True): StableDiffusionXLControlNetInpaintPipeline,
}


@dataclass
class Pass:
    """What one denoising call does; image None is txt2img, image with mask is inpainting."""

    steps: int
    width: int
    height: int
    prompts: Prompts
    strength: float | None = None  # img2img: how much of the schedule runs; None for txt2img
    image: Images | torch.Tensor | None = None  # init images, or latents (1 per seed)
    mask: Image.Image | None = None
    latent_fill: str | None = None  # inpainting_fill latent_noise / latent_nothing
    control: Any = None  # controlnet.ControlArgs
    latent_output: bool = False
    noise_from: tuple[int, int] | None = None  # (width, height) the noise is drawn at, centred (seed resize)
    # SDXL's refiner switch, as fractions of the whole noise schedule: the base stops at denoising_end and returns
    # latents; the refiner's pass takes those (image) and goes on from denoising_start.
    denoising_end: float | None = None
    denoising_start: float | None = None
    first_step: int = 0  # the model call it starts at, for prompt schedules: a refiner goes on from the base's
    token_merging: float | None = None  # the share of tokens merged before self-attention (tome.py); 0: none


class Progress:
    """Counts denoising iterations across a job's passes and reports them through on_step."""

    def __init__(self, on_step: Callable[[int, int], None], total: int = 1,
                 on_preview: PreviewCallback | None = None) -> None:
        self.on_step, self.total, self.done = on_step, total, 0
        self.on_preview = on_preview
        self.estimate: Estimate | None = None  # the running pass's, for previews
        self.raised: BaseException | None = None  # what on_step raised, to tell it from a pipeline failure
        self.per_batch = 0  # iterations each batch (chunk of seeds) runs, all its passes together
        self.batch_start = 0  # iterations done when the current batch began
        self.seen = 0  # the last count on_step took without raising: a worker's count when a stop is asked for
        self.batch_seen = 0  # that count when the current batch began
        self.stopped: Interrupt | None = None  # the interrupt or skip that ended a pass, for the task to act on

    def begin_batch(self) -> int:
        """A batch starts: a skip asked for before now is dropped (the web UI clears it as a batch starts)."""
        self.batch_start, self.batch_seen = self.done, self.seen
        return self.done

    def end_skipped(self) -> None:
        """The skipped batch counts as run: the next batch's steps are numbered as if it had."""
        self.stopped = None
        self.done = max(self.done, self.batch_start + self.per_batch)

    def __call__(self, pipe: Any, i: int, t: Any, tensors: dict[str, Any]) -> dict[str, Any]:
        self.done += 1
        try:
            total = max(self.total, 1)
            if self.on_preview is not None:
                self.on_preview(min(self.done, total), total, self._preview_of(pipe))
            self.on_step(min(self.done, total), total)
            self.seen = min(self.done, total)
        except Skip as skip:
            if skip.at < self.batch_seen:  # asked for while the batch before was ending: it is over already
                return tensors
            self.raised = skip
            raise
        except BaseException as exc:
            self.raised = exc
            raise
        return tensors


    def _preview_of(self, pipe: Any) -> Callable[[], Image.Image | None]:
        estimate = self.estimate

        def make() -> Image.Image | None:
            if estimate is None or estimate.latents is None:
                return None
            return latent_preview(estimate.latents, is_xl(pipe))
        return make


class Estimate:
    """The denoised estimate (x0) of a pass's last finished step, as its scheduler computed it: what the web UI
    decodes when a run is stopped (its sampler's last prediction), rather than the still noisy latents.

    It wraps the pass's own (fresh) scheduler's step; diffusers keeps the estimate only inside the step."""

    def __init__(self, scheduler: Any) -> None:
        self.latents: torch.Tensor | None = None
        step = scheduler.step

        # wraps: the pipelines pass eta and generator only to a step whose signature names them
        @functools.wraps(step)
        def watched(model_output: torch.Tensor, timestep: Any, sample: torch.Tensor, *args: Any,
                    **kwargs: Any) -> Any:
            out = step(model_output, timestep, sample, *args, **kwargs)
            self.latents = _estimate(scheduler, out, model_output, timestep, sample)
            return out

        scheduler.step = watched


def _estimate(scheduler: Any, out: Any, model_output: torch.Tensor, timestep: Any,
              sample: torch.Tensor) -> torch.Tensor:
    """x0 from a scheduler step: the one it returns (Euler, LMS, Heun, DPM2, DPM++ SDE, DDIM, LCM, ours), the
    one multistep solvers keep (DPM++ 2M/3M, UniPC), else from the noise prediction (PLMS)."""
    if isinstance(out, tuple):
        given = out[1] if len(out) > 1 else None
    else:
        given = getattr(out, "pred_original_sample", None)
        given = getattr(out, "denoised", None) if given is None else given
    if given is not None:
        return given
    config = scheduler.config
    kept = getattr(scheduler, "model_outputs", None)
    if kept and kept[-1] is not None and (config.get("algorithm_type") in ("dpmsolver++", "sde-dpmsolver++")
                                          or config.get("predict_x0", False)):
        return kept[-1]
    alpha = scheduler.alphas_cumprod.to(sample.device)[int(timestep)].to(sample.dtype)
    if config.get("prediction_type") == "v_prediction":
        return alpha**0.5 * sample - (1 - alpha) ** 0.5 * model_output
    return (sample - (1 - alpha) ** 0.5 * model_output) / alpha**0.5


@dataclass
class Job:
    """What every pass of one job shares: the pipeline as set up for the job and its per-call helpers."""

    pipe: StableDiffusionPipeline | StableDiffusionXLPipeline
    spec: GenerationSpec
    new_scheduler: Callable[[Sequence[int]], Any]  # a fresh scheduler for these seeds
    variant: Callable[[type, Any], Any]  # (pipeline class, controlnet) -> that pipeline sharing pipe's parts
    progress: Progress
    files: Mapping[str, Path]  # local files by model id (upscalers, ControlNets, annotators)
    controlnets: Any  # controlnet.ControlNetCache
    step_kwargs: dict[str, Any] = field(default_factory=dict)  # e.g. DDIM's eta
    refiner: Refiner | None = None  # SDXL: the checkpoint that takes over at the switch


    @property
    def device(self) -> torch.device:
        # where the models run: the GPU also when their weights wait on the host between calls (CPU offload)
        return self.pipe._execution_device

    @property
    def dtype(self) -> torch.dtype:
        return self.pipe.unet.dtype


@dataclass
class Refiner:
    """The second checkpoint of an SDXL job: its own Job (pipeline, schedulers) and its own prompt encodings."""

    job: Job
    prompts: Prompts
    hires_prompts: Prompts | None
    switch_at: float  # the fraction of the first pass's steps run on the base


def schedule_fraction(strength: float | None, switch_at: float) -> float:
    """The web UI's refiner switch (a fraction of the pass's own steps) as diffusers' denoising_end/start (a
    fraction of the whole noise schedule): an img2img pass at strength s covers only its last s of it."""
    return 1.0 - (1.0 if strength is None else strength) * (1.0 - switch_at)


def split(scheduler: Any, steps: int, strength: float | None, fraction: float) -> tuple[int, int]:
    """How many of a pass's timesteps run before and after a switch at `fraction` of the noise schedule."""
    probe = copy.deepcopy(scheduler)
    probe.set_timesteps(steps)
    timesteps = probe.timesteps[::probe.order].tolist()
    if strength is not None:
        timesteps = timesteps[steps - min(int(steps * strength), steps):]
    train = probe.config.num_train_timesteps
    cutoff = int(round(train - fraction * train))  # as diffusers cuts for denoising_end and denoising_start
    before = sum(1 for t in timesteps if t >= cutoff)
    return before, len(timesteps) - before


def iterations(scheduler: Any, steps: int, strength: float | None) -> int:
    """How many denoising iterations a pass runs (second-order samplers run more than steps)."""
    if strength is not None and int(steps * strength) == 0:
        return 0
    probe = copy.deepcopy(scheduler)
    probe.set_timesteps(steps)
    total = len(probe.timesteps)
    if strength is None:
        return total
    skipped = steps - min(int(steps * strength), steps)  # as the img2img pipelines cut the schedule
    return max(total - skipped * probe.order, 0)


def run(job: Job, p: Pass, seeds: Sequence[int], subseeds: Sequence[int] = (),
        keep: bool = False) -> Images | torch.Tensor | None:
    """Run one pass for these seeds (and their variation seeds): PIL images, or latents when p.latent_output.

    keep: an Interrupt or Skip from on_step ends the pass with what it made instead of propagating. The pass then
    answers its images decoded from the denoised estimate (whatever p.latent_output), or None when none of its
    steps had finished before the stop was asked for, and job.progress.stopped says which stop it was."""
    spec, pipe = job.spec, job.pipe
    n = len(seeds)
    if p.image is not None and p.denoising_start is None and p.strength is not None and int(p.steps * p.strength) == 0:
        return _roundtrip(pipe, p.image, p.latent_output)
    factor = pipe.vae_scale_factor
    channels = pipe.vae.config.latent_channels
    drawn_at = (channels, p.noise_from[1] // factor, p.noise_from[0] // factor) if p.noise_from else None
    noise = initial_noise((channels, p.height // factor, p.width // factor), seeds, subseeds=subseeds,
                          subseed_strength=spec.subseed_strength or 0.0, drawn_at=drawn_at)
    noise = noise.to(job.device, job.dtype)  # the pipelines take given latents as they are
    scheduler = job.new_scheduler(seeds)
    key = (p.image is not None, p.mask is not None, p.control is not None)
    table = _XL_PIPELINES if is_xl(pipe) else _PIPELINES
    call = job.variant(table[key], p.control.controlnet if p.control is not None else None)
    call.scheduler = scheduler
    kwargs: dict[str, Any] = {
        **p.prompts.batch(n, p.first_step), **job.step_kwargs,
        "guidance_scale": spec.cfg_scale,
        "num_inference_steps": p.steps,
        # CPU generators make a seed give the same image on every device type.
        "generator": [torch.Generator("cpu").manual_seed(seed) for seed in seeds],
        "output_type": "latent" if p.latent_output else "pil",
        "callback_on_step_end": job.progress,
        "callback_on_step_end_tensor_inputs": [],
    }
    if p.image is None:
        kwargs.update(latents=noise, width=p.width, height=p.height)
    else:
        kwargs.update(image=p.image, strength=1.0 if p.strength is None else p.strength)
        if p.denoising_start is None:
            use_noise(scheduler, noise, _latent_fill(pipe, p, noise))
        else:
            kwargs["denoising_start"] = p.denoising_start  # the latents go on as they are, nothing added
    if p.denoising_end is not None:
        kwargs["denoising_end"] = p.denoising_end
    if is_xl(pipe):
        kwargs.update(_xl_conditioning(call, spec.sdxl or SdxlConditioning(), p.width, p.height))
    if p.mask is not None:
        kwargs.update(mask_image=[p.mask] * n, width=p.width, height=p.height)
        if p.strength is not None and p.strength >= 1.0:
            kwargs["latents"] = noise  # at full strength the inpaint pipeline starts from these, unnoised
    if p.control is not None:
        kwargs.update(p.control.kwargs)
    estimate, start = Estimate(scheduler), job.progress.done
    job.progress.estimate = estimate
    try:
        with (conditioned(call, p.prompts, n, p.first_step), merged_tokens(call.unet, p.token_merging, seeds[0]),
              torch.inference_mode()):
            return call(**kwargs).images
    except Interrupt as stop:
        if not keep or stop is not job.progress.raised:
            raise
        job.progress.stopped, job.progress.raised = stop, None
        if estimate.latents is None or (stop.at <= start and not isinstance(stop, Skip)):
            return None  # stopped before one step of this pass was done: nothing half-made
        return decode(call, estimate.latents)


def _xl_conditioning(call: Any, sdxl: SdxlConditioning, width: int, height: int) -> dict[str, Any]:
    """SDXL's size (and, for refiners, aesthetic score) conditioning; diffusers' defaults are the output size."""
    out: dict[str, Any] = {"crops_coords_top_left": (sdxl.crop_top, sdxl.crop_left)}
    if sdxl.original_width or sdxl.original_height:
        out["original_size"] = (sdxl.original_height or height, sdxl.original_width or width)
    if getattr(call.config, "requires_aesthetics_score", False):
        out.update(aesthetic_score=sdxl.aesthetic_score, negative_aesthetic_score=sdxl.negative_aesthetic_score)
    return out


def _latent_fill(pipe: Any, p: Pass, noise: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """For latent noise / latent nothing: replace the masked part of the encoded image before it is noised."""
    if p.mask is None or p.latent_fill not in ("latent_noise", "latent_nothing"):
        return None
    factor = pipe.vae_scale_factor
    small = p.mask.convert("L").resize((p.width // factor, p.height // factor), Image.Resampling.BILINEAR)
    masked = torch.from_numpy(np.array(small) >= 128)[None, None]  # binary, as the pipeline's own latent mask

    def fill(latents: torch.Tensor) -> torch.Tensor:
        where = masked.to(latents.device)
        instead = noise.to(latents) if p.latent_fill == "latent_noise" else torch.zeros_like(latents)
        return torch.where(where, instead, latents)

    return fill


def _roundtrip(pipe: Any, image: Images | torch.Tensor, latent_output: bool) -> Images | torch.Tensor:
    """No denoising at all (strength too low for one step): the init through the VAE and back."""
    latents = image if isinstance(image, torch.Tensor) else encode(pipe, image)
    if latent_output:
        return latents
    return decode(pipe, latents)


def decode(pipe: Any, latents: torch.Tensor) -> Images:
    """Latents (scaled as the UNet sees them) through the VAE to PIL images."""
    with _vae_precision(pipe.vae, decoding=True), torch.inference_mode():  # cast outside: no inference-mode weights
        dtype = torch.float32 if isinstance(pipe.vae.decode, UpcastDecode) else pipe.vae.dtype
        decoded = pipe.vae.decode(latents.to(pipe.vae.device, dtype) / pipe.vae.config.scaling_factor).sample
    return pipe.image_processor.postprocess(decoded, output_type="pil")


def as_images(pipe: Any, out: Images | torch.Tensor) -> Images:
    """A pass's output as images: latents (a latent-output pass whose next pass never ran) decoded."""
    return decode(pipe, out) if isinstance(out, torch.Tensor) else out


def encode(pipe: Any, images: Images) -> torch.Tensor:
    """The images' latents (the VAE's mean, so no randomness), scaled as the UNet expects them."""
    half = guard_of(pipe.vae)
    with _vae_precision(pipe.vae), torch.inference_mode():  # cast outside: no inference-mode weights
        pixels = pipe.image_processor.preprocess(images).to(pipe.device, pipe.vae.dtype)
        latents = pipe.vae.encode(pixels).latent_dist.mode() if half is None else half.encode(pixels)
        latents = latents * pipe.vae.config.scaling_factor
    return latents.to(pipe.unet.dtype)


@contextmanager
def _vae_precision(vae: Any, decoding: bool = False) -> Iterator[None]:
    """SDXL's VAE overflows in float16 (its config says force_upcast): run it in float32 for the call (a decode
    that runs on its float32 copy needs nothing: vae_precision.UpcastDecode). An SD 1.x/2.x VAE runs in its own
    precision, in float32 only after NaNs (vae_precision.py)."""
    dtype = vae.dtype
    upcast = (dtype == torch.float16 and getattr(vae.config, "force_upcast", False) and guard_of(vae) is None
              and not (decoding and isinstance(vae.decode, UpcastDecode)))
    if upcast:
        vae.to(torch.float32)
    try:
        yield
    finally:
        if upcast:
            vae.to(dtype)
