"""Liveness and readiness of a service process, served beside its metrics (`/healthz`, `/readyz`, `/metrics`).

The checks run on the service's own event loop every `interval_s` (a NATS connection or a database session is not
safe to touch from another thread); the HTTP server, a thread like prometheus_client's own, only reads their last
results. So a wedged event loop shows as well: when the checks stop running, the process is no longer alive.

- **alive** (`/healthz`, Kubernetes' liveness probe): the loop runs, no check marked `liveness` fails (a NATS
  connection closed for good, a worker whose GPU is broken), and NATS or the database has not been unreachable for
  `LOST_FOR_S` (the broker or database may be fine and this process's client stuck). Failing it gets the process
  restarted.
- **ready** (`/readyz`, readiness): alive, and every check passes (NATS connected, database reachable, a worker
  able to take jobs). Failing it only takes the process out of rotation for a while.

prometheus_client's `start_http_server` serves metrics only, and FastAPI would be a second web stack in processes
that have none; a 60-line handler on the standard library's threading server is all three endpoints need.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

log = logging.getLogger(__name__)
Probe = Callable[[], bool | Awaitable[bool]]


LOST_FOR_S = 60.0  # a dependency unreachable this long fails liveness too: restart, in case the client is stuck


@dataclass(frozen=True)
class Check:
    name: str
    probe: Probe
    liveness: bool = False  # failing it means the process should be restarted, not just left alone for a while
    lost_after_s: float | None = None  # failing this long fails liveness as well (a lost NATS or database)


class Health:
    """Runs the checks every `interval_s` on the event loop; `alive()` and `ready()` read the last results."""

    def __init__(self, checks: list[Check], *, interval_s: float = 2.0, timeout_s: float = 3.0,
                 stall_s: float = 30.0) -> None:
        self.checks, self.interval_s, self.timeout_s, self.stall_s = checks, interval_s, timeout_s, stall_s
        self._results: dict[str, bool] = {}
        self._failing_since: dict[str, float] = {}
        self._at = 0.0  # monotonic time of the last round; 0: none yet
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def check_now(self) -> dict[str, bool]:
        """Run every check once and keep the results."""
        results = {}
        for check in self.checks:
            results[check.name] = await self._probe(check)
        self._results, self._at = results, time.monotonic()
        for name, ok in results.items():
            if ok:
                self._failing_since.pop(name, None)
            else:
                self._failing_since.setdefault(name, self._at)
        return results

    async def _probe(self, check: Check) -> bool:
        try:
            outcome = check.probe()
            if inspect.isawaitable(outcome):
                outcome = await asyncio.wait_for(outcome, self.timeout_s)
            return bool(outcome)
        except Exception as exc:  # a check that cannot tell says no
            log.debug("health check %s failed: %r", check.name, exc)
            return False

    async def _run(self) -> None:
        while True:
            await self.check_now()
            await asyncio.sleep(self.interval_s)

    def alive(self) -> tuple[bool, dict[str, bool]]:
        now = time.monotonic()
        running = self._at == 0.0 or now - self._at <= self.stall_s  # starting counts as alive
        live = {c.name: self._results.get(c.name, True) for c in self.checks if c.liveness}
        for check in self.checks:
            since = self._failing_since.get(check.name)
            if check.lost_after_s is not None and since is not None and now - since > check.lost_after_s:
                live[check.name] = False
        return running and all(live.values()), {"event_loop": running, **live}

    def ready(self) -> tuple[bool, dict[str, bool]]:
        alive, _ = self.alive()
        results = {c.name: self._results.get(c.name, False) for c in self.checks}
        return alive and self._at > 0.0 and all(results.values()), results


def serve(port: int | None, health: Health | None = None,
          routes: dict[str, Callable[[], dict]] | None = None) -> ThreadingHTTPServer | None:
    """Serve /metrics, /healthz and /readyz on `port` in a thread (0 or None: not served), and each of `routes` as
    JSON (a snapshot the service keeps; read from this thread, so never a live object it is changing)."""
    routes = routes or {}
    if not port:
        return None

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the standard library's name
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, generate_latest(), CONTENT_TYPE_LATEST)
            elif path in routes:
                self._send(200, json.dumps(routes[path]()).encode(), "application/json")
            elif path in ("/healthz", "/readyz") and health is not None:
                ok, checks = health.alive() if path == "/healthz" else health.ready()
                status = ("ok" if ok else "failing") if path == "/healthz" else ("ready" if ok else "not ready")
                self._send(200 if ok else 503, json.dumps({"status": status, "checks": checks}).encode(),
                           "application/json")
            else:
                self._send(404, b'{"code": "not_found"}', "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:  # probes every few seconds: not worth a log line
            return

    try:
        server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    except OSError as exc:  # several services on one dev machine: the first one wins the port
        log.warning("health and metrics not served: port %d: %s", port, exc)
        return None
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name="health", daemon=True).start()
    log.info("metrics and health on :%d", port)
    return server
