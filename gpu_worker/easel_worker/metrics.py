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
BATCH_JOBS = Histogram("easel_worker_batch_jobs", "Jobs run together in one batch, with batching on (1: alone).",
                       ["pool"], buckets=(1, 2, 3, 4, 6, 8, 12, 16, 24, 32))
BATCHED_JOBS = Counter("easel_worker_batched_jobs_total", "Jobs that ran in a batch with other jobs.", ["pool"])
GPU_MEMORY_USED = Gauge("easel_worker_gpu_memory_used_bytes", "GPU memory in use on the worker's device.", ["pool"])
GPU_MEMORY_FREE = Gauge("easel_worker_gpu_memory_free_bytes", "GPU memory free on the worker's device.", ["pool"])

CACHE_HITS = Counter(
    "easel_worker_model_cache_hits_total", "Models found complete and verified in the disk cache.", ["kind"])
CACHE_MISSES = Counter(
    "easel_worker_model_cache_misses_total", "Models that needed at least one file downloaded.", ["kind"])
BYTES_DOWNLOADED = Counter("easel_worker_model_bytes_downloaded_total", "Model bytes fetched from the object store.")
CACHE_EVICTIONS = Counter("easel_worker_model_cache_evictions_total", "Models removed from the disk cache (LRU).")
