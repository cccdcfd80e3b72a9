"""Prometheus exposition for processes that have no HTTP server of their own."""

from __future__ import annotations

import logging

from prometheus_client import start_http_server

log = logging.getLogger(__name__)


def serve_metrics(port: int | None) -> None:
    """Expose /metrics on `port` (0 or None: not exposed, e.g. when the gateway serves them)."""
    if not port:
        return
    try:
        start_http_server(port, addr="0.0.0.0")
    except OSError as exc:  # several services on one dev machine: the first one wins the port
        log.warning("metrics not exposed: port %d: %s", port, exc)
        return
    log.info("metrics on :%d/metrics", port)
