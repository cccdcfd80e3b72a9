"""Cross-request batching: several txt2img jobs that share the model, its LoRAs and VAE, the size, the sampler, the
steps and the CFG scale run as one pipeline call, each job its own rows.

Each row keeps what makes its job's pixels: its prompt's encodings (encoded per job, with its own embeddings and
clip skip), its initial noise drawn from its seed on the CPU (variation seed and seed resize included), its own CPU
generator for the sampler's per-step noise, and DPM++ SDE's Brownian tree seeded by it. So a job's image is the one
it gets alone, within the rounding a larger batch may bring. Prompts of different token lengths cannot share a call
(their encodings differ in length): such jobs run in separate calls, one after the other. A job with prompt editing,
alternation or AND runs alone (its hooks rewrite every row of the call). worker's batching.batch_key decides which
jobs are offered together; this module only runs them.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

import torch
from PIL import Image

from easel_proto.v1.jobs import SdxlConditioning

from .base import Interrupt, Skip
from .conditioning import Prompts, conditioned
from .loading import is_xl
from .members import AllLeft, Member, Members
from .noise import initial_noise
from .passes import _PIPELINES, _XL_PIPELINES, Estimate, Job, _xl_conditioning, decode, iterations
from .preview import latent_preview
from .tasks import _seed_resize


def groups(members: Sequence[Member], prompts: Sequence[Prompts]) -> list[list[Member]]:
    """The members that can share one call: plain prompts whose encodings have the same shapes; any other job
    alone. In the members' order."""
    shared: dict[tuple, list[Member]] = {}
    out: list[list[Member]] = []
    for member in members:
        p = prompts[member.index]
        if not p.plain:
            out.append([member])
            continue
        shape = tuple(None if t is None else tuple(t.shape[1:]) for t in (p.cond, p.uncond, p.pooled, p.uncond_pooled))
        group = shared.get(shape)
        if group is None:
            group = shared[shape] = []
            out.append(group)
        group.append(member)
    return out


def text_to_image(job: Job, members: Members, group: list[Member], prompts: Sequence[Prompts]) -> None:
    """One txt2img call for the group's jobs; each job's outcome goes to `members` (its images, or what stopped
    it). job: the batch's shared set-up (pipeline, scheduler factory, the spec the jobs share)."""
    spec, pipe = job.spec, job.pipe
    factor, channels = pipe.vae_scale_factor, pipe.vae.config.latent_channels
    shape = (channels, spec.height // factor, spec.width // factor)
    seeds: list[int] = []
    noises, embeds = [], []
    for member in group:
        own = member.spec
        member.rows = (len(seeds), len(seeds) + len(own.seeds))
        seeds += own.seeds
        drawn_at = _seed_resize(own)
        noises.append(initial_noise(shape, own.seeds, subseeds=own.subseeds or [],
                                    subseed_strength=own.subseed_strength or 0.0,
                                    drawn_at=(channels, drawn_at[1] // factor, drawn_at[0] // factor)
                                    if drawn_at else None))
        embeds.append(prompts[member.index].batch(len(own.seeds)))
    scheduler = job.new_scheduler(seeds)
    call = job.variant((_XL_PIPELINES if is_xl(pipe) else _PIPELINES)[(False, False, False)], None)
    call.scheduler = scheduler
    estimate, done = Estimate(scheduler), 0
    total = max(iterations(scheduler, spec.steps, None), 1)
    xl = is_xl(pipe)

    def preview(member: Member):
        def make() -> Image.Image | None:
            latents = estimate.latents
            return None if latents is None else latent_preview(latents[member.rows[0]:member.rows[1]], xl)
        return make

    def kept(member: Member, stop: Interrupt) -> list[Image.Image] | None:
        # as a job alone: nothing when none of its steps had finished when the stop was asked for
        if estimate.latents is None or (stop.at <= 0 and not isinstance(stop, Skip)):
            return None
        return decode(call, estimate.latents[member.rows[0]:member.rows[1]])

    def on_step_end(_pipe: Any, _i: int, _t: Any, tensors: dict[str, Any]) -> dict[str, Any]:
        nonlocal done
        done += 1
        members.step(group, min(done, total), total, preview, kept)
        return tensors

    kwargs: dict[str, Any] = {
        **{key: torch.cat([e[key] for e in embeds]) for key in embeds[0]}, **job.step_kwargs,
        "guidance_scale": spec.cfg_scale,
        "num_inference_steps": spec.steps,
        "generator": [torch.Generator("cpu").manual_seed(seed) for seed in seeds],
        "output_type": "pil",
        "callback_on_step_end": on_step_end,
        "callback_on_step_end_tensor_inputs": [],
        "latents": torch.cat(noises).to(job.device, job.dtype),
        "width": spec.width,
        "height": spec.height,
    }
    if xl:
        kwargs.update(_xl_conditioning(call, spec.sdxl or SdxlConditioning(), spec.width, spec.height))
    alone = prompts[group[0].index] if len(group) == 1 else None
    try:
        with conditioned(call, alone, len(seeds)) if alone is not None else nullcontext(), torch.inference_mode():
            images = call(**kwargs).images
    except AllLeft:
        return
    for member in members.live(group):
        members.finish(member, images[member.rows[0]:member.rows[1]])
