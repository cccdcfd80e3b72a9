"""Tasks as passes over chunks of seeds: txt2img with hires fix, img2img, inpaint and outpaint.

With an SDXL refiner, the first pass stops at the switch and the refiner finishes it; once switched, a hires
pass runs on the refiner too (as in the web UI).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import torch
from PIL import Image

from easel_proto.errors import GenerationFailed, InvalidInput
from easel_proto.v1.jobs import GenerationSpec
from easel_proto.v1.registry import ModelInfo
from easel_proto.webui import LATENT_UPSCALE_MODES

from .base import Skip
from .conditioning import Prompts
from .controlnet import fit_image
from .controls import Controls, prepare_controls
from .inpaint import InpaintPlan, plan_inpaint
from .masks import flatten
from .passes import Images, Job, Pass, Refiner, as_images, encode, run, schedule_fraction, split
from .upscalers import upscale, upscale_latents


def stages(spec: GenerationSpec) -> list[tuple[int, float | None]]:
    """(steps, strength) of each pass that every chunk of seeds runs; strength None starts from noise."""
    if spec.task != "txt2img":
        return [(spec.steps, _strength(spec.denoising_strength, 0.75))]
    if spec.hires is None:
        return [(spec.steps, None)]
    return [(spec.steps, None), (spec.hires.steps, _strength(spec.hires.denoising_strength, 0.7))]


def chunks(spec: GenerationSpec) -> list[list[int]]:
    """Indices into spec.seeds, batch_size at a time (all at once without one)."""
    size = spec.batch_size or len(spec.seeds)
    return [list(range(i, min(i + size, len(spec.seeds)))) for i in range(0, len(spec.seeds), size)]


def text_to_image(job: Job, prompts: Prompts, hires_prompts: Prompts | None,
                  inputs: Mapping[str, Image.Image]) -> Images:
    """txt2img, then (hires fix) upscale and refine each result with a second, img2img pass."""
    spec = job.spec
    controls = prepare_controls(job, inputs)
    hires = spec.hires
    latent_hires = hires is not None and (hires.upscaler or "Latent") in LATENT_UPSCALE_MODES
    first = Pass(spec.steps, spec.width, spec.height, prompts, latent_output=latent_hires,
                 control=controls.args(spec.width, spec.height, img2img=False) if controls else None,
                 noise_from=_seed_resize(spec), token_merging=spec.token_merging_ratio)
    refiner = _switching(job, first)
    images: Images = []
    for seeds, subseeds in _batches(spec):
        calls = job.progress.begin_batch()
        out = run(job, first, seeds, subseeds, keep=True)
        after = job
        if refiner is not None:
            out = _then(job, out, partial(_refine, refiner, first, seeds=seeds, subseeds=subseeds,
                                          latent_output=latent_hires, first_step=job.progress.done - calls), job.pipe)
            after, prompts, hires_prompts, controls = refiner.job, refiner.prompts, refiner.hires_prompts, None
        if hires is not None:
            out = _then(job, out, partial(_hires, after, prompts=hires_prompts or prompts, controls=controls,
                                          seeds=seeds, subseeds=subseeds), after.pipe)
        if _batch_ended(job, out, images):
            break
    return images


def _then(job: Job, out: Images | torch.Tensor | None, stage: Callable[[Images | torch.Tensor], Any],
          pipe: Any) -> Images | torch.Tensor | None:
    """The batch's next stage on `out`, unless an interrupt or skip ended it; a stage stopped before one of its
    steps was done leaves what the stage before made (decoded with `pipe`'s VAE when it is latents): the web UI
    returns the first pass's images when an interrupt comes before the hires pass."""
    if job.progress.stopped is not None or out is None:
        return out
    following = stage(out)
    if following is None:
        return as_images(pipe, out)
    return following


def _batch_ended(job: Job, out: Images | None, images: Images) -> bool:
    """Add a batch's images; True when an interrupt ends the job here (a skip ends only the batch)."""
    if out is not None:
        images += out
    stop = job.progress.stopped
    if isinstance(stop, Skip):
        job.progress.end_skipped()
        return False
    return stop is not None


def _switching(job: Job, first: Pass) -> Refiner | None:
    """The job's refiner when it takes over within `first`, which it then stops at the switch (returning
    latents); None when the switch comes after the last step. A switch before the first step is refused."""
    refiner = job.refiner
    if refiner is None:
        return None
    if first.control is not None and first.image is not None and first.mask is None:
        raise InvalidInput("refiner", "a refiner does not run with ControlNet img2img; leave one of them out")
    fraction = schedule_fraction(first.strength, refiner.switch_at)
    before, after = split(job.new_scheduler([0]), first.steps, first.strength, fraction)
    if after == 0:
        return None
    if before == 0:
        raise InvalidInput("refiner.switch_at", f"switches before the first of {first.steps} steps; raise it or "
                           "use the refiner as the model")
    first.denoising_end, first.latent_output = fraction, True
    return refiner


def _refine(refiner: Refiner, first: Pass, latents: torch.Tensor, seeds: Sequence[int], subseeds: Sequence[int],
            latent_output: bool, first_step: int) -> Images | torch.Tensor:
    """The rest of the first pass on the refiner, from the base's latents (the base made first_step model calls:
    the prompts' schedule goes on from there, as in the web UI, whose refiner takes over mid-sampling)."""
    rest = Pass(first.steps, first.width, first.height, refiner.prompts, strength=first.strength, image=latents,
                denoising_start=first.denoising_end, latent_output=latent_output, first_step=first_step,
                token_merging=first.token_merging)
    return run(refiner.job, rest, seeds, subseeds, keep=True)


def _hires(job: Job, first: Images | torch.Tensor, prompts: Prompts, controls: Controls | None,
           seeds: Sequence[int], subseeds: Sequence[int]) -> Images:
    hires = job.spec.hires
    name = hires.upscaler or "Latent"
    if name in LATENT_UPSCALE_MODES:
        image = upscale_latents(first, name, hires.width, hires.height, scale_factor=job.pipe.vae_scale_factor)
    else:
        path = _model_path(job, hires.upscaler_model, "hires.upscaler")
        image = [upscale(im, name, width=hires.width, height=hires.height, model_path=path, device=job.device)
                 for im in first]
    second = Pass(hires.steps, hires.width, hires.height, prompts, strength=_strength(hires.denoising_strength, 0.7),
                  image=image, control=controls.args(hires.width, hires.height, img2img=True, hires=True)
                  if controls else None, token_merging=hires.token_merging_ratio)
    return run(job, second, seeds, subseeds, keep=True)


def image_to_image(job: Job, prompts: Prompts, inputs: Mapping[str, Image.Image]) -> Images:
    """img2img from the first init image; inpainting when the job has a mask, outpainting when it pads."""
    spec = job.spec
    if not spec.init_images:
        raise InvalidInput("init_images", "img2img needs an init image")
    init = flatten(_input(inputs, spec.init_images[0].key, "init_images.0"))
    plan: InpaintPlan | None = None
    if spec.mask is not None or spec.outpaint is not None:
        mask = _input(inputs, spec.mask.key, "mask") if spec.mask is not None else None
        plan = plan_inpaint(spec, init, mask)
    controls = prepare_controls(job, inputs, source=plan.source if plan else None)
    width, height = spec.width, spec.height
    if plan is not None:
        image: Image.Image | torch.Tensor = plan.image
    elif spec.resize_mode == "latent_upscale":
        # encoded at its own size (in whole latent pixels), then the latents are stretched to the output's
        factor = job.pipe.vae_scale_factor
        size = (max(factor, init.width // factor * factor), max(factor, init.height // factor * factor))
        image = upscale_latents(encode(job.pipe, [init.resize(size, Image.Resampling.LANCZOS)]), "Latent",
                                width, height, scale_factor=factor)
    else:
        image = fit_image(init, width, height, spec.resize_mode or "just_resize")
    images: Images = []
    for seeds, subseeds in _batches(spec):
        batch = image.repeat(len(seeds), 1, 1, 1) if isinstance(image, torch.Tensor) else [image] * len(seeds)
        step = Pass(spec.steps, width, height, prompts, strength=_strength(spec.denoising_strength, 0.75),
                    image=batch, mask=plan.mask if plan else None, latent_fill=spec.inpainting_fill,
                    control=controls.args(width, height, img2img=True) if controls else None,
                    token_merging=spec.token_merging_ratio)
        refiner = _switching(job, step)
        calls = job.progress.begin_batch()
        out = run(job, step, seeds, subseeds, keep=True)
        if refiner is not None:
            out = _then(job, out, partial(_refine, refiner, step, seeds=seeds, subseeds=subseeds, latent_output=False,
                                          first_step=job.progress.done - calls), job.pipe)
        if _batch_ended(job, [plan.finish(im) for im in out] if plan and out is not None else out, images):
            break
    return images


def _batches(spec: GenerationSpec) -> list[tuple[list[int], list[int]]]:
    subseeds = spec.subseeds or []
    return [([spec.seeds[i] for i in idx], [subseeds[i] for i in idx] if subseeds else []) for idx in chunks(spec)]


def _seed_resize(spec: GenerationSpec) -> tuple[int, int] | None:
    w, h = spec.seed_resize_from_w or 0, spec.seed_resize_from_h or 0
    return (w, h) if w > 0 and h > 0 and (w, h) != (spec.width, spec.height) else None


def _strength(value: float | None, default: float) -> float:
    """A denoising strength; the contract's default where a client sent null."""
    return default if value is None else float(value)


def _input(inputs: Mapping[str, Image.Image], key: str, field: str) -> Image.Image:
    image = inputs.get(key)
    if image is None:
        raise GenerationFailed(f"input image {key} was not read for this job", field=field)
    return image


def _model_path(job: Job, model: ModelInfo | None, field: str) -> Path | None:
    if model is None:
        return None
    path = job.files.get(model.id)
    if path is None:
        raise GenerationFailed(f"{field}: {model.name!r} has not been fetched to this worker", model=model.id)
    return path
