"""Prometheus metrics of a worker."""

from prometheus_client import Counter, Gauge, Histogram

JOBS = Counter("easel_worker_jobs_total", "Jobs a worker finished, by outcome.", ["pool", "outcome"])
GENERATION_SECONDS = Histogram(
    "easel_worker_generation_seconds", "Time spent generating a job's images.", ["pool"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128),
)
LOAD_SECONDS = Histogram("easel_worker_model_load_seconds", "Time spent loading models.", ["pool"])
STEPS_PER_SECOND = Gauge("easel_worker_steps_per_second", "Denoising steps per second of the last job.", ["pool"])
BUSY = Gauge("easel_worker_busy", "1 while the worker runs a job.", ["pool"])
