"""Turn a client's txt2img request into a fully resolved job, checking every limit first."""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

from easel_gateway.clients import Services
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import InvalidInput, Unavailable
from easel_proto.v1 import jobs
from easel_proto.v1.common import Principal

SEED_SPACE = 2**32


@contextlib.asynccontextmanager
async def admitted(state: Any) -> AsyncIterator[None]:
    """Hold one of the gateway's submission slots; when all are taken, refuse at once (503, Retry-After)."""
    if state.submit_slots <= 0:
        raise Unavailable("too many submissions in flight; retry shortly", retry_after_s=1)
    state.submit_slots -= 1
    try:
        yield
    finally:
        state.submit_slots += 1


def request_hash(body: jobs.Txt2ImgRequest) -> str:
    canonical = json.dumps(body.model_dump(mode="json", exclude_none=True), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _at_most(field: str, value: int, limit: int) -> int:
    if value > limit:
        raise InvalidInput(field, f"must be at most {limit} (got {value})", limit=limit)
    return value


async def resolve(body: jobs.Txt2ImgRequest, caller: Principal, settings: GatewaySettings,
                  services: Services) -> tuple[str, jobs.GenerationSpec]:
    """The pool and the spec a worker will run; raises InvalidInput naming the first bad field."""
    pool = body.pool or settings.default_pool
    if pool not in settings.pools:
        raise InvalidInput("pool", f"unknown pool {pool!r}; known: {', '.join(settings.pools)}")
    steps = _at_most("steps", body.steps or settings.default_steps, settings.max_steps)
    batch = _at_most("batch_size", body.batch_size or 1, settings.max_batch_size)
    model = await services.model(body.model or settings.default_model, caller)
    width = _at_most("width", body.width or model.default_width or 512, settings.max_width)
    height = _at_most("height", body.height or model.default_height or 512, settings.max_height)
    seed = body.seed if body.seed is not None and body.seed >= 0 else secrets.randbelow(SEED_SPACE)
    spec = jobs.GenerationSpec(
        prompt=body.prompt, negative_prompt=body.negative_prompt or "", model=model,
        sampler=body.sampler or settings.default_sampler, steps=steps,
        cfg_scale=body.cfg_scale if body.cfg_scale is not None else settings.default_cfg_scale,
        width=width, height=height, seeds=[(seed + i) % SEED_SPACE for i in range(batch)],
    )
    return pool, spec
