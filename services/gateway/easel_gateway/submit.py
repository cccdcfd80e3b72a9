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
from easel_proto.permissions import require, use_pool
from easel_proto.v1 import jobs
from easel_proto.v1.auth import UserSettings
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo

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


def _first(*values: Any) -> Any:
    return next((v for v in values if v is not None), None)


async def model_of_kind(services: Services, name: str, caller: Principal, kind: str, field: str):
    """The named model if it is of `kind`; InvalidInput on `field` otherwise, saying what it is instead."""
    try:
        return await services.model(name, caller, kind=kind, field=field)
    except InvalidInput:
        try:
            other = await services.model(name, caller, field=field)
        except InvalidInput:
            other = None
        if other is not None and other.kind != kind:
            raise InvalidInput(field, f"{name!r} is a {other.kind}, not a {kind}", kind=other.kind) from None
        raise


async def resolve(body: jobs.Txt2ImgRequest, caller: Principal, mine: UserSettings, settings: GatewaySettings,
                  services: Services) -> tuple[str, jobs.GenerationSpec]:
    """The pool and the spec a worker will run: the request, else the caller's own settings, else the server's.

    Raises InvalidInput naming the first bad field, Forbidden for a pool the caller may not use.
    """
    pool = _first(body.pool, mine.pool, settings.default_pool)
    if pool not in settings.pools:
        raise InvalidInput("pool", f"unknown pool {pool!r}; known: {', '.join(settings.pools)}")
    require(caller, use_pool(pool))
    steps = _at_most("steps", _first(body.steps, mine.steps, settings.default_steps), settings.max_steps)
    batch = _at_most("batch_size", body.batch_size or 1, settings.max_batch_size)
    model = await model_of_kind(services, _first(body.model, mine.model, settings.default_model), caller,
                                "checkpoint", "model")
    loras = await resolve_loras(body.loras or [], model, caller, services)
    width = _at_most("width", _first(body.width, mine.width, model.default_width), settings.max_width)
    height = _at_most("height", _first(body.height, mine.height, model.default_height), settings.max_height)
    seed = body.seed if body.seed is not None and body.seed >= 0 else secrets.randbelow(SEED_SPACE)
    spec = jobs.GenerationSpec(
        prompt=body.prompt, negative_prompt=_first(body.negative_prompt, mine.negative_prompt, ""), model=model,
        loras=loras,
        sampler=_first(body.sampler, mine.sampler, settings.default_sampler), steps=steps,
        cfg_scale=_first(body.cfg_scale, mine.cfg_scale, settings.default_cfg_scale),
        width=width, height=height, seeds=[(seed + i) % SEED_SPACE for i in range(batch)],
    )
    return pool, spec


async def resolve_loras(wanted: list[jobs.LoraRequest], model: ModelInfo, caller: Principal,
                        services: Services) -> list[jobs.LoraSpec]:
    """Each requested LoRA as the caller may use it; InvalidInput on loras.<i>.name for an unknown one, one of
    another kind, one made for another base than the checkpoint's, or one named twice."""
    out: list[jobs.LoraSpec] = []
    for i, item in enumerate(wanted):
        field = f"loras.{i}.name"
        lora = await model_of_kind(services, item.name, caller, "lora", field)
        if lora.base != model.base:
            raise InvalidInput(field, f"base {lora.base} LoRA {item.name!r} on a {model.base} checkpoint "
                               f"{model.name!r}", base=lora.base, model_base=model.base)
        if lora.format != "safetensors":
            raise InvalidInput(field, f"LoRA {item.name!r} is not a single .safetensors file", format=lora.format)
        if any(prev.model.id == lora.id for prev in out):
            raise InvalidInput(field, f"LoRA {item.name!r} is named twice")
        out.append(jobs.LoraSpec(model=lora, weight=1.0 if item.weight is None else item.weight))
    return out
