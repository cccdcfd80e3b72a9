"""Run one worker process: `python -m easel_worker` (settings from EASEL_* variables)."""

from __future__ import annotations

import asyncio
import logging

from easel_common.logs import configure_logging
from easel_common.metrics import serve_metrics
from easel_common.natsio import close, connect
from easel_common.runner import run_until_signalled
from easel_common.storage import open_store
from easel_worker.engine import Engine, GenerationEngine, NullEngine
from easel_worker.settings import WorkerSettings
from easel_worker.worker import Worker

log = logging.getLogger(__name__)


def make_engine(settings: WorkerSettings) -> Engine:
    if settings.engine == "null":
        return NullEngine()
    from diffusers.utils import logging as diffusers_logging

    diffusers_logging.disable_progress_bar()  # progress goes to SSE, not to the worker's stderr
    return GenerationEngine(settings.cache_dir, device=settings.device, max_loaded=settings.max_loaded_models)


async def serve(settings: WorkerSettings) -> None:
    nc = await connect(settings.nats_url, f"easel-worker-{settings.worker_id}")
    store = open_store(settings)
    worker = Worker(settings, nc, make_engine(settings), store)
    await worker.start()
    serve_metrics(settings.metrics_port)
    log.info("worker %s pulling jobs for pool %s", settings.worker_id, settings.pool)
    try:
        await run_until_signalled()
    finally:
        await worker.stop()
        await store.close()
        await close(nc)


def main() -> None:
    settings = WorkerSettings()
    configure_logging(settings.log_level)
    asyncio.run(serve(settings))
