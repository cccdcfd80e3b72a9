"""Prometheus metrics of trainings (the jobs service's /metrics)."""

from __future__ import annotations

import math

from prometheus_client import Counter

from easel_jobs.metrics import TENANT_GPU_SECONDS

TRAININGS = Counter("easel_trainings_total", "Trainings entering each status.", ["status", "pool"])
TENANT_TRAININGS = Counter("easel_tenant_trainings_total", "Trainings of a tenant entering each status.",
                           ["tenant", "status"])


def entered(status: str, pool: str, tenant: str) -> None:
    TRAININGS.labels(status, pool).inc()
    TENANT_TRAININGS.labels(tenant, status).inc()


def ended(status: str, pool: str, tenant: str, *, gpu_s: float) -> None:
    """Count a training's end and the GPU time it used (from the trainer's start), with the tenant's jobs'."""
    entered(status, pool, tenant)
    if math.isfinite(gpu_s) and gpu_s > 0:
        TENANT_GPU_SECONDS.labels(tenant, pool).inc(gpu_s)
