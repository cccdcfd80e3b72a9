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
    # Models loaded before the worker takes its first job (EASEL_PRELOAD_MODELS, a JSON list: its pool's
    # preload_models): built-in ids or names, or imported models' ids, resolved by the registry (preload.py).
    preload_models: list[str] = Field(default_factory=list, max_length=32)
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
    # At most one progress event per this many seconds besides a run's first and last steps and those with a
    # preview (EASEL_PROGRESS_MIN_INTERVAL_S; 0: every step): ten a second is a smooth bar, where a fast GPU steps
    # a hundred times a second.
    progress_min_interval_s: float = Field(default=0.1, ge=0)
    # Cross-request batching (batching.py), a setting of a pool's workers: with a job that can share its UNet calls,
    # take up to batch_max_jobs queued jobs of at most batch_max_images images together, waiting at most
    # batch_wait_ms for them. Off (1) by default: a batch pays off only where one call leaves the GPU idle.
    batch_max_jobs: int = Field(default=1, ge=1)
    batch_max_images: int = Field(default=16, ge=1)
    batch_wait_ms: float = Field(default=50.0, ge=0)
    # GPU speed (engine/compile.py, engine/memory.py). compile: torch.compile the UNet and VAE per resolution
    # bucket in the background (auto: "default" on CUDA, off elsewhere); the compiled artefacts are kept under
    # compile_cache_dir (default <model cache>/compiled, the volume every worker of the pool shares).
    compile: Literal["auto", "off", "default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs"] = "auto"
    compile_cache_dir: Path | None = None
    # Also keep them in the object store (_compiled/) for every worker of the deployment. Off by default: compiled
    # artefacts are code a worker runs, so turning it on trusts every worker that can write the store.
    compile_cache_store: bool = False
    # Where the weights live and how the VAE decodes: auto chooses from free GPU memory and the model's family.
    memory_mode: Literal["auto", "full", "low", "offload", "sequential"] = "auto"
    # Weights' precision: auto is float16 on CUDA (the SDXL VAE in bfloat16 where the GPU has it), float32 on CPU.
    dtype: Literal["auto", "float16", "bfloat16", "float32"] = "auto"
    # xformers attention instead of PyTorch's SDPA where the package is installed (its pixels differ slightly).
    xformers: bool = False

    @property
    def cache_dir(self) -> Path:
        return self.model_cache_dir or self.data_dir / "models"

    @property
    def compiled_dir(self) -> Path:
        return self.compile_cache_dir or self.cache_dir / "compiled"

    @property
    def store_cache_dir(self) -> Path:
        """Where models fetched from the object store are kept (builtin ones live beside, in cache_dir)."""
        return self.cache_dir / "store"
