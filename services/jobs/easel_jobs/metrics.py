"""Prometheus metrics of the jobs service."""

from prometheus_client import Counter, Histogram

JOBS = Counter("easel_jobs_total", "Jobs entering each status.", ["status", "pool"])
QUEUE_WAIT = Histogram(
    "easel_job_queue_wait_seconds", "Time from submission to a worker starting the job.", ["pool"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
