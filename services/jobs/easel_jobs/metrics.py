"""Prometheus metrics of the jobs service."""

import functools
import math

from prometheus_client import Counter, Histogram
from prometheus_client.metrics import MetricWrapperBase

from easel_jobs.models import TERMINAL

JOBS = Counter("easel_jobs_total", "Jobs entering each status.", ["status", "pool"])
QUEUE_WAIT = Histogram(
    "easel_job_queue_wait_seconds", "Time from submission to a worker starting the job.", ["pool"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
LATENCY = Histogram(
    "easel_job_latency_seconds", "Time from submission to a succeeded job's images being ready.", ["pool"],
    buckets=(0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600),
)
ROUTED = Counter("easel_jobs_routed_total", "Jobs queued, by where: a worker's own queue (direct) or the pool's.",
                 ["pool", "route"])
REROUTED = Counter("easel_jobs_rerouted_total", "Jobs moved from a worker's own queue to the pool, by reason.",
                   ["pool", "reason"])
DEAD_LETTERED = Counter("easel_jobs_dead_lettered_total",
                        "Jobs failed because every delivery ended without a worker's answer.", ["pool"])
# Tenants are a bounded set (teams), users are not: nothing here is labelled by user.
TENANT_JOBS = Counter("easel_tenant_jobs_total", "Jobs of a tenant entering each status.", ["tenant", "status"])
TENANT_GPU_SECONDS = Counter("easel_tenant_gpu_seconds_total",
                             "Worker time (model loading and generation) of a tenant's succeeded jobs.",
                             ["tenant", "pool"])
IMAGES = Counter("easel_images_generated_total", "Images of succeeded jobs.", ["pool", "tenant"])


@functools.lru_cache(maxsize=8192)
def child(metric: MetricWrapperBase, *labels: str) -> MetricWrapperBase:
    """`metric.labels(*labels)`, looked up once: every job counts into the same few series (no series is ever
    removed here, so a child kept stays the one exported)."""
    return metric.labels(*labels)


def entered(status: str, pool: str, tenant: str) -> None:
    """Count a job entering `status`, per pool and per tenant."""
    child(JOBS, status, pool).inc()
    child(TENANT_JOBS, tenant, status).inc()


def succeeded(pool: str, tenant: str, *, images: int, latency_s: float, worker_s: tuple[float | None, ...]) -> None:
    """Count a succeeded job: its images, its latency, and its worker time (load and generation seconds, as its
    result reports them) for its tenant."""
    child(IMAGES, pool, tenant).inc(images)
    child(LATENCY, pool).observe(latency_s)
    # a worker's figures, so only sane ones count: a counter that takes a NaN or a negative is broken for good
    seconds = sum(s for s in worker_s if s is not None and math.isfinite(s) and s > 0)
    child(TENANT_GPU_SECONDS, tenant, pool).inc(seconds)


def prime(pools: list[str]) -> None:
    """Export every configured pool's counters at 0 from the start: `rate()` and `increase()` miss the first
    event of a series that appears with it, which an alert on a pool's first failure would."""
    for pool in pools:
        for status in ("queued", "starting", *TERMINAL):  # the statuses JOBS counts
            JOBS.labels(status, pool)
        DEAD_LETTERED.labels(pool)
RETENTION_JOBS = Counter("easel_retention_jobs_expired_total",
                         "Jobs whose images and inputs were deleted under their tenant's retention.", ["tenant"])
RETENTION_OBJECTS = Counter("easel_retention_objects_deleted_total",
                            "Objects (images, captions, inputs) deleted under a tenant's retention.", ["tenant"])
RETENTION_BYTES = Counter("easel_retention_bytes_freed_total",
                          "Bytes of objects deleted under a tenant's retention.", ["tenant"])
