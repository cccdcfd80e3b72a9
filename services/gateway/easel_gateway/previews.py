"""The latest live preview of each running job that web UI clients poll, kept between the progress events that carry
one: a worker puts a preview in every few steps' event only, so the job's last event alone would show none most of
the time (/sdapi/v1/progress's `current_image`, /internal/progress's `live_preview`).

Bounded: one preview per watched job; a watch starts at a job's first poll, follows its events (an ordered consumer,
as SSE does) and ends with the job, after `idle_s` without a poll, or to make room for a newer one (`max_jobs`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from nats.aio.client import Client
from nats.js.api import ConsumerConfig, DeliverPolicy

from easel_proto import Names
from easel_proto.naming import TERMINAL_EVENTS, event_type
from easel_proto.v1 import jobs
from easel_proto.wire import decode

log = logging.getLogger(__name__)


@dataclass
class _Watch:
    asked: float
    latest: jobs.JobProgress | None = None  # the last progress event that carried a preview
    sub: Any = None
    task: asyncio.Task | None = field(default=None, repr=False)


class LatestPreviews:
    def __init__(self, nc: Client, names: Names, max_jobs: int = 256, idle_s: float = 30.0) -> None:
        self.nc, self.names, self.max_jobs, self.idle_s = nc, names, max_jobs, idle_s
        self._watches: dict[str, _Watch] = {}

    def __len__(self) -> int:
        return len(self._watches)

    async def latest(self, job_id: str) -> jobs.JobProgress | None:
        """The running job's last progress event with a preview seen so far (None before one came, and at a job's
        first poll, while its events are read); the caller has already read the job, so it may see it."""
        now = time.monotonic()
        for stale in [j for j, w in self._watches.items() if now - w.asked > self.idle_s]:
            self._drop(stale)
        watch = self._watches.get(job_id)
        if watch is None:
            while len(self._watches) >= self.max_jobs:
                self._drop(min(self._watches, key=lambda j: self._watches[j].asked))
            watch = self._watches[job_id] = _Watch(asked=now)
            try:
                watch.sub = await self.nc.jetstream().subscribe(
                    self.names.job_events(job_id, "*"), stream=self.names.stream("events")["name"],
                    ordered_consumer=True, config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL))
            except Exception:  # a preview is a nicety: the poll answers without it
                log.debug("no preview watch for job %s", job_id, exc_info=True)
                self._watches.pop(job_id, None)
                return None
            if self._watches.get(job_id) is not watch:  # dropped meanwhile (to make room)
                with contextlib.suppress(Exception):
                    await watch.sub.unsubscribe()
                return None
            watch.task = asyncio.create_task(self._follow(job_id, watch))
        watch.asked = now
        return watch.latest

    async def _follow(self, job_id: str, watch: _Watch) -> None:
        try:
            async for msg in watch.sub.messages:
                kind = event_type(msg.subject)
                if kind in TERMINAL_EVENTS:
                    break
                if kind == "progress":
                    event = decode(jobs.JobProgress, msg.data)
                    if event.preview:
                        watch.latest = event
        except asyncio.CancelledError:
            raise
        except Exception:
            log.debug("preview watch for job %s ended", job_id, exc_info=True)
        finally:
            if self._watches.get(job_id) is watch:
                del self._watches[job_id]
            with contextlib.suppress(Exception):
                await watch.sub.unsubscribe()

    def _drop(self, job_id: str) -> None:
        watch = self._watches.pop(job_id, None)
        if watch is not None and watch.task is not None:
            watch.task.cancel()  # its finally unsubscribes

    async def close(self) -> None:
        tasks = [w.task for w in self._watches.values() if w.task is not None]
        for job_id in list(self._watches):
            self._drop(job_id)
        await asyncio.gather(*tasks, return_exceptions=True)
