"""Prometheus metrics of the jobs service."""

from prometheus_client import Counter, Histogram

JOBS = Counter("easel_jobs_total", "Jobs entering each status.", ["status", "pool"])
QUEUE_WAIT = Histogram(
    "easel_job_queue_wait_seconds", "Time from submission to a worker starting the job.", ["pool"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
ROUTED = Counter("easel_jobs_routed_total", "Jobs queued, by where: a worker's own queue (direct) or the pool's.",
                 ["pool", "route"])
REROUTED = Counter("easel_jobs_rerouted_total", "Jobs moved from a worker's own queue to the pool, by reason.",
                   ["pool", "reason"])
