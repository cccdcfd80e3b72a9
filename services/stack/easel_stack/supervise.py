"""The embedded stack's supervisor: what dies is started again, with backoff, as Kubernetes would.

A child that exits with 0 stopped because it was told to (a SIGTERM drain) and stays stopped; one that crashes or
is killed comes back after 1 s, then 2, 4 ... up to `MAX_BACKOFF_S` while it keeps dying; a run of `STEADY_S`
resets the backoff.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)
POLL_S = 0.5
MAX_BACKOFF_S = 30.0
STEADY_S = 60.0


@dataclass
class Child:
    """Something to keep alive: `exited()` gives its exit code once it is gone (None while it runs)."""

    name: str
    exited: Callable[[], int | None]
    restart: Callable[[], Awaitable[None]]
    failures: int = 0
    started_at: float = field(default_factory=time.monotonic)
    due: float | None = None  # when the pending restart happens


class Supervisor:
    def __init__(self) -> None:
        self.children: list[Child] = []
        self.restarts = 0
        self._task: asyncio.Task[None] | None = None

    def watch(self, name: str, exited: Callable[[], int | None], restart: Callable[[], Awaitable[None]]) -> Child:
        child = Child(name, exited, restart)
        self.children.append(child)
        return child

    def forget(self, child: Child) -> None:
        if child in self.children:
            self.children.remove(child)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(POLL_S)
            for child in list(self.children):
                try:
                    await self._tend(child)
                except Exception:  # a restart that failed is tried again after the next backoff
                    log.exception("could not restart %s", child.name)
                    child.failures += 1
                    child.due = time.monotonic() + self._backoff(child)

    async def _tend(self, child: Child) -> None:
        code = child.exited()
        if code is None or code == 0:
            return
        now = time.monotonic()
        if child.due is None:
            if now - child.started_at >= STEADY_S:
                child.failures = 0
            child.due = now + self._backoff(child)
            log.warning("%s exited with %s; starting it again in %.0f s", child.name, code, child.due - now)
            return
        if now < child.due:
            return
        child.failures += 1
        await child.restart()
        child.due, child.started_at = None, time.monotonic()
        self.restarts += 1
        log.warning("%s started again", child.name)

    @staticmethod
    def _backoff(child: Child) -> float:
        return min(MAX_BACKOFF_S, 2.0 ** child.failures)
