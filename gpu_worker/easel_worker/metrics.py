"""Prometheus metrics of a worker."""

from prometheus_client import Counter, Gauge, Histogram

JOBS = Counter("easel_worker_jobs_total", "Jobs a worker finished, by outcome.", ["pool", "outcome"])
GENERATION_SECONDS = Histogram(
    "easel_worker_generation_seconds", "Time spent generating a job's images.", ["pool"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128),
)
LOAD_SECONDS = Histogram(
    "easel_worker_model_load_seconds", "Time spent loading models into memory, by model kind.", ["pool", "kind"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128),
)
STEPS_PER_SECOND = Gauge("easel_worker_steps_per_second", "Denoising steps per second of the last job.", ["pool"])
BUSY = Gauge("easel_worker_busy", "1 while the worker runs a job.", ["pool"])

CACHE_HITS = Counter(
    "easel_worker_model_cache_hits_total", "Models found complete and verified in the disk cache.", ["kind"])
CACHE_MISSES = Counter(
    "easel_worker_model_cache_misses_total", "Models that needed at least one file downloaded.", ["kind"])
BYTES_DOWNLOADED = Counter("easel_worker_model_bytes_downloaded_total", "Model bytes fetched from the object store.")
CACHE_EVICTIONS = Counter("easel_worker_model_cache_evictions_total", "Models removed from the disk cache (LRU).")
