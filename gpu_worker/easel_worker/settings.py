"""Worker settings (EASEL_* environment variables)."""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path
from typing import Literal

from pydantic import Field

from easel_common.settings import CommonSettings


class WorkerSettings(CommonSettings):
    pool: str = "default"
    # A random part makes the name of this worker's own queue unguessable to the other pools' workers (NATS can
    # deny them each pool's consumer by name, not every worker's).
    worker_id: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(8)}")
    engine: Literal["diffusers", "null"] = "diffusers"
    device: str | None = None
    model_cache_dir: Path | None = None
    max_loaded_models: int = 2
    cache_budget_bytes: int = Field(default=50 * 1024**3, ge=0)  # disk cache of fetched models (LRU)
    model_config_dir: Path | None = None  # <base>/ diffusers config folders for single-file checkpoints
    claim_patience_s: float = 30.0
    shutdown_grace_s: float = 25.0
    # How often it puts what it holds in the workers bucket: also its heartbeat. The jobs service takes a worker
    # silent for three of them (EASEL_PRESENCE_STALE_S, 6 s) for dead and hands its running job to another.
    presence_interval_s: float = Field(default=2.0, gt=0)
    null_step_s: float = Field(default=0.0, ge=0)  # EASEL_ENGINE=null: seconds each denoising step takes
    # Live previews in progress events (EASEL_PREVIEW_*): every this many steps (0: none), at most one per
    # preview_min_interval_s, each a data: URI of at most preview_max_bytes (a larger one is left out).
    preview_every: int = Field(default=3, ge=0)
    preview_min_interval_s: float = Field(default=0.5, ge=0)
    preview_max_bytes: int = Field(default=32 * 1024, ge=1024)

    @property
    def cache_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"

    @property
    def store_cache_dir(self) -> Path:
        """Where models fetched from the object store are kept (builtin ones live beside, in cache_dir)."""
        return self.cache_dir / "store"
