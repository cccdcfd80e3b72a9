"""One denoising call on the resident pipeline: txt2img, img2img or inpaint, with or without ControlNet.

Every task is a sequence of these passes (hires fix is two), one per chunk of seeds. SD 1.x/2.x and SDXL run
the same passes on their own families of diffusers pipelines.
"""

from __future__ import annotations

import copy
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

from easel_proto.v1.jobs import GenerationSpec

from .loading import is_xl
from .noise import initial_noise, use_noise

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
class Prompts:
    """A pass's conditioning for one image: (1, tokens, hidden) each; SDXL adds pooled vectors (1, projection)."""

    cond: torch.Tensor
    uncond: torch.Tensor
    pooled: torch.Tensor | None = None
    uncond_pooled: torch.Tensor | None = None

    def batch(self, n: int) -> dict[str, torch.Tensor]:
        out = {"prompt_embeds": self.cond.repeat(n, 1, 1), "negative_prompt_embeds": self.uncond.repeat(n, 1, 1)}
        if self.pooled is not None and self.uncond_pooled is not None:
            out.update(pooled_prompt_embeds=self.pooled.repeat(n, 1),
                       negative_pooled_prompt_embeds=self.uncond_pooled.repeat(n, 1))
        return out


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


class Progress:
    """Counts denoising iterations across a job's passes and reports them through on_step."""

    def __init__(self, on_step: Callable[[int, int], None], total: int = 1) -> None:
        self.on_step, self.total, self.done = on_step, total, 0
        self.raised: BaseException | None = None  # what on_step raised, to tell it from a pipeline failure

    def __call__(self, pipe: Any, i: int, t: Any, tensors: dict[str, Any]) -> dict[str, Any]:
        self.done += 1
        try:
            total = max(self.total, 1)
            self.on_step(min(self.done, total), total)
        except BaseException as exc:
            self.raised = exc
            raise
        return tensors


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

    @property
    def device(self) -> torch.device:
        return self.pipe.device

    @property
    def dtype(self) -> torch.dtype:
        return self.pipe.unet.dtype


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


def run(job: Job, p: Pass, seeds: Sequence[int], subseeds: Sequence[int] = ()) -> Images | torch.Tensor:
    """Run one pass for these seeds (and their variation seeds): PIL images, or latents when p.latent_output."""
    spec, pipe = job.spec, job.pipe
    n = len(seeds)
    if p.image is not None and p.strength is not None and int(p.steps * p.strength) == 0:
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
        **p.prompts.batch(n), **job.step_kwargs,
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
        kwargs.update(image=p.image, strength=p.strength)
        use_noise(scheduler, noise, _latent_fill(pipe, p, noise))
    if p.mask is not None:
        kwargs.update(mask_image=[p.mask] * n, width=p.width, height=p.height)
        if p.strength is not None and p.strength >= 1.0:
            kwargs["latents"] = noise  # at full strength the inpaint pipeline starts from these, unnoised
    if p.control is not None:
        kwargs.update(p.control.kwargs)
    with torch.inference_mode():
        return call(**kwargs).images


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
    with _vae_precision(pipe.vae), torch.inference_mode():  # cast outside: no inference-mode weights
        decoded = pipe.vae.decode(latents.to(pipe.vae.dtype) / pipe.vae.config.scaling_factor).sample
    return pipe.image_processor.postprocess(decoded, output_type="pil")


def encode(pipe: Any, images: Images) -> torch.Tensor:
    """The images' latents (the VAE's mean, so no randomness), scaled as the UNet expects them."""
    with _vae_precision(pipe.vae), torch.inference_mode():  # cast outside: no inference-mode weights
        pixels = pipe.image_processor.preprocess(images).to(pipe.device, pipe.vae.dtype)
        latents = pipe.vae.encode(pixels).latent_dist.mode() * pipe.vae.config.scaling_factor
    return latents.to(pipe.unet.dtype)


@contextmanager
def _vae_precision(vae: Any) -> Iterator[None]:
    """SDXL's VAE overflows in float16 (its config says force_upcast): run it in float32 for the call."""
    dtype = vae.dtype
    upcast = dtype == torch.float16 and getattr(vae.config, "force_upcast", False)
    if upcast:
        vae.to(torch.float32)
    try:
        yield
    finally:
        if upcast:
            vae.to(dtype)
