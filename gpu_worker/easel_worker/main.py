"""Run one worker process: `python -m easel_worker` (settings from EASEL_* variables)."""

from __future__ import annotations

import logging

from easel_common.logs import configure_logging
from easel_common.nats_access import worker_identity
from easel_common.runner import run, serve
from easel_common.storage import open_store
from easel_worker.engine import Engine, NullEngine
from easel_worker.settings import WorkerSettings
from easel_worker.worker import Worker

log = logging.getLogger(__name__)


def make_engine(settings: WorkerSettings) -> Engine:
    if settings.engine == "null":
        return NullEngine(step_s=settings.null_step_s)
    # imported here: torch and diffusers take seconds to load, which the null engine never needs
    from diffusers.utils import logging as diffusers_logging

    from easel_worker.engine import GenerationEngine

    diffusers_logging.disable_progress_bar()  # progress goes to SSE, not to the worker's stderr
    return GenerationEngine(settings.cache_dir, device=settings.device, max_loaded=settings.max_loaded_models,
                            config_dir=settings.model_config_dir, compile_mode=settings.compile,
                            compile_cache_dir=settings.compiled_dir, memory_mode=settings.memory_mode,
                            dtype=settings.dtype, xformers=settings.xformers)


def main() -> None:
    settings = WorkerSettings()
    configure_logging(settings.log_level)
    name = f"easel-worker-{settings.worker_id}"
    # on uvloop where installed, as the services: a worker's own CPU per job is mostly NATS messages (bench/load.py)
    run(serve(settings, name, lambda nc: Worker(settings, nc, make_engine(settings), open_store(settings)),
              identity=worker_identity(settings.pool)))
