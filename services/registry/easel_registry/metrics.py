"""Prometheus metrics of the registry."""

from prometheus_client import Counter, Histogram

# source: the import's source type (http, s3, hf, upload); outcome: ready, failed (refused or broken: the model's
# `error` says why), interrupted (the registry stopped during it) or deleted (the model was deleted meanwhile)
IMPORTS = Counter("easel_registry_imports_total", "Model imports that ended, by source type and outcome.",
                  ["source", "outcome"])
IMPORT_SECONDS = Histogram(
    "easel_registry_import_seconds", "Time from an import's request to its model being ready.", ["source"],
    buckets=(0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 3600),
)


def import_ended(source: str, outcome: str, seconds: float) -> None:
    """Count an import that ended, and time it when it became ready."""
    IMPORTS.labels(source, outcome).inc()
    if outcome == "ready":
        IMPORT_SECONDS.labels(source).observe(seconds)
