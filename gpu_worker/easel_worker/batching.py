"""Which queued jobs a worker runs together as one batch (engine.generate_batch), and how long it waits for them.

`batch_key` is the whole rule: two jobs with the same key share every UNet call, so they may run as one batch; None
is a job that always runs alone. What batches: txt2img with one chunk per job (no batch_size smaller than its seeds)
and a plain prompt (no prompt editing, alternation or AND), on the same checkpoint, VAE, LoRAs and hypernetworks
with the same weights, tiling, size, sampler and schedule, steps, CFG scale, eta and sampler noise settings, and SDXL
conditioning. Prompts, negative prompts, seeds, variation seeds and seed resize, clip skip and embeddings may differ
per job (each row is encoded and seeded on its own). What does not batch: img2img, inpaint and outpaint, hires fix,
refiners, ControlNet, face restoration, SD upscale, extras, detect, interrogate and merges.

`gather` is the policy (EASEL_BATCH_MAX_JOBS, EASEL_BATCH_MAX_IMAGES, EASEL_BATCH_WAIT_MS, a setting of the pool's
workers): with a batchable job in hand, take more from the pool's queue until the batch is full or the wait is over,
counted from the first job, so no job waits longer than that for its batch to fill; the first job that does not fit
ends the gathering and runs next.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

from easel_common.prompts import pass_texts
from easel_proto.errors import InvalidInput
from easel_proto.v1.jobs import GenerationSpec

T = TypeVar("T")


@dataclass(frozen=True)
class BatchPolicy:
    """At most max_jobs jobs of at most max_images images together, gathered for at most wait_s."""

    max_jobs: int = 1
    max_images: int = 16
    wait_s: float = 0.0

    @property
    def enabled(self) -> bool:
        return self.max_jobs > 1


def batch_key(spec: GenerationSpec) -> Hashable | None:
    """What jobs must share to run as one batch; None for a job that always runs alone."""
    key = call_key(spec)
    return key if key is not None and _plain(spec) else None


def call_key(spec: GenerationSpec) -> Hashable | None:
    """What every row of one batched call shares (the engine refuses a batch whose jobs differ in it); None for a
    task the batched call cannot run."""
    if spec.task != "txt2img" or any((spec.hires, spec.refiner, spec.controlnets, spec.face_restore, spec.sd_upscale,
                                      spec.init_images, spec.mask, spec.outpaint, spec.extras, spec.interrogate,
                                      spec.merge)):
        return None
    if spec.token_merging_ratio:
        return None  # its random token cells follow the first seed of its call (engine/tome.py)
    if spec.batch_size is not None and spec.batch_size < len(spec.seeds):
        return None  # a job of several chunks: its skip ends one chunk, which a shared call cannot do
    model = spec.model
    return (
        (model.id, model.sha256, model.source, model.format, model.base),
        spec.vae.id if spec.vae is not None else None,
        tuple(lora.model_dump_json() for lora in spec.loras or []),
        tuple(network.model_dump_json() for network in spec.hypernetworks or []),
        bool(spec.tiling), spec.width, spec.height,
        spec.sampler, spec.scheduler or "automatic", spec.steps, spec.cfg_scale,
        spec.eta, spec.s_churn, spec.s_tmin, spec.s_tmax, spec.s_noise,
        spec.sdxl.model_dump_json() if spec.sdxl is not None else None,
    )


def _plain(spec: GenerationSpec) -> bool:
    """One prompt of weight 1 with nothing scheduled, and a negative prompt with nothing scheduled: its encodings
    are the same at every step (conditioning.Prompts.plain), so its rows need no hook."""
    try:
        texts = pass_texts(spec.prompt, spec.negative_prompt or "", spec.steps)
    except InvalidInput:
        return False  # the engine names the field when the job runs alone
    parts = list(texts.parts.values())
    return len(parts) == 1 and parts[0][0] == 1.0 and len(parts[0][1]) == 1 and len(texts.negative) == 1


@dataclass
class Candidate(Generic[T]):
    """A job taken from the queue: what it carries for the caller, its key and its images."""

    item: T
    key: Hashable | None
    images: int


async def gather(first: Candidate[T], policy: BatchPolicy, take: Callable[[float], Awaitable[Candidate[T] | None]],
                 clock: Callable[[], float] = time.monotonic) -> tuple[list[Candidate[T]], Candidate[T] | None]:
    """(the batch, starting with `first`; the job taken that did not fit, to run next, or None).

    take(timeout): the next job within timeout seconds (0: only one already fetched), or None. Never waits past
    policy.wait_s from the call: a lone job starts at most that late."""
    batch, images = [first], first.images
    if first.key is None or not policy.enabled:
        return batch, None
    deadline = clock() + policy.wait_s
    while len(batch) < policy.max_jobs and images < policy.max_images:
        got = await take(max(0.0, deadline - clock()))
        if got is None:
            break
        if got.key != first.key or images + got.images > policy.max_images:
            return batch, got
        batch.append(got)
        images += got.images
    return batch, None
