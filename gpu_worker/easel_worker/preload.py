"""A pool's `preload_models` (EASEL_PRELOAD_MODELS), made ready before the worker takes its first job.

The worker asks the registry which models the refs name (`registry_preload(pool)`: its pool's workers alone may ask,
with no user, and only refs on the pool's preload list are answered; built-in ids or names, or imported models' ids),
then fetches each into its disk cache and loads the checkpoints into memory, up to EASEL_MAX_LOADED_MODELS (the
engine evicts the least recently used beyond that). It does so before it pulls jobs or puts its presence, so the first
job routed to it finds the model resident and the pool's status shows it. A ref that names no ready model, or a model
that fails to load, is logged and skipped: the worker still serves.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from nats.aio.client import Client

from easel_common.natsio import request
from easel_proto import Names
from easel_proto.errors import EaselError
from easel_proto.v1.registry import ModelInfo, PreloadReply, PreloadRequest
from easel_worker.cache import FETCHED_FORMATS, ModelCache

log = logging.getLogger(__name__)


async def resolve(nc: Client, names: Names, pool: str, refs: list[str], timeout: float) -> list[ModelInfo]:
    """The ready models `refs` name; what names none is logged."""
    reply = await request(nc, names.registry_preload(pool), PreloadRequest(pool=pool, refs=refs), PreloadReply,
                          timeout=timeout)
    if reply.missing:
        log.warning("preload_models of pool %s: %s name no ready model on the pool's list "
                    "(an imported model is named by its id)",
                    pool, ", ".join(reply.missing))
    return reply.items


async def preload(models: list[ModelInfo], cache: ModelCache | None, load: Callable[[ModelInfo, Path | None], float],
                  base_configs: Callable[[ModelInfo], Awaitable[None]]) -> list[str]:
    """Fetch each model (cache None: the engine fetches nothing) and load the checkpoints; the ids made ready."""
    ready = []
    for model in models:
        try:
            if cache is None or model.format not in FETCHED_FORMATS:  # built-in, or an engine that loads nothing
                if model.kind == "checkpoint":
                    await asyncio.to_thread(load, model, None)
            else:
                async with cache.use(model) as local:
                    if model.kind == "checkpoint":
                        await base_configs(model)
                        await asyncio.to_thread(load, model, local)
            ready.append(model.id)
        except Exception as exc:  # never fatal: the job that needs it loads it, or says why it cannot
            message = exc.message if isinstance(exc, EaselError) else f"{type(exc).__name__}: {exc}"
            log.warning("could not preload model %s (%s): %s", model.id, model.name, message)
    return ready
