"""The jobs service's consumer of worker events: a fetched batch at a time into the job rows.

A `processing` event is held back for `HOLD_S` before it is written: a run that ends within that time (its
terminal event, with the same lease, comes in the meantime) goes from `starting` straight to its end in the row,
one write instead of two, while the event stream (and so SSE) still shows every event. The ones still held when
their time is up are written together, in one statement. A held event is acked only once written or made moot, so
a service that stops before either leaves it to be delivered again.

A batch's terminal events, once folded, are handed to `ends` (the webhook intake's `on_job_ends`: job id and whether
the job has anyone to tell, where the fold said) and acked only after it returns; should it fail, they come again
after a pause and are folded (which changes nothing now) and handed over again. So a job's end is announced after its
row ended, and even when the service stops between the two.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from nats.errors import TimeoutError as NatsTimeout

from easel_jobs.flows import JobFlows
from easel_proto.naming import LEASE_HEADER, TERMINAL_EVENTS

log = logging.getLogger(__name__)
HOLD_S = 0.5  # how late the row may show `processing`; jobs shorter than this never write it
BATCH = 64


class EventFolder:
    """Fetches the `jobs-service` consumer's events and folds them into rows, until stopped."""

    def __init__(self, flows: JobFlows, sub: Any, stopping: asyncio.Event, hold_s: float = HOLD_S,
                 ends: Callable[[list[tuple[str, bool | None]]], Awaitable[None]] | None = None) -> None:
        self.flows, self.sub, self.stopping, self.hold_s, self.ends = flows, sub, stopping, hold_s, ends
        self._held: dict[tuple[str, str], tuple[Any, float]] = {}  # (job id, lease) -> (processing message, due)
        self._ended: list[tuple[Any, str, bool | None]] = []  # this batch's folded ends: (message, job id, tell)

    async def run(self) -> None:
        while not self.stopping.is_set():
            try:
                msgs = await self.sub.fetch(BATCH, timeout=self._wait())
            except (TimeoutError, NatsTimeout):
                msgs = []
            except Exception:  # broker gone for a moment: the client reconnects, we retry
                if self.stopping.is_set():
                    break
                log.warning("fetch failed; retrying", exc_info=True)
                await asyncio.sleep(0.5)
                continue
            for msg in msgs:
                await self._take(msg)
            await self._hand_over()
            await self._write_due(time.monotonic())
        with contextlib.suppress(Exception):  # stopping: what is held now is written rather than redelivered
            await self._write_due(float("inf"))
        release = getattr(self.sub, "release", None)  # a pulls.Consumer hands back what it read ahead
        if release is not None:
            await release()

    def _wait(self) -> float:
        """How long a fetch may wait: until the first held event is due, at most a second."""
        if not self._held:
            return 1.0
        return max(0.01, min(min(due for _, due in self._held.values()) - time.monotonic(), 1.0))

    async def _take(self, msg: Any) -> None:
        *_, job_id, kind = msg.subject.split(".")
        lease = (msg.headers or {}).get(LEASE_HEADER)
        if kind == "processing" and lease:
            earlier = self._held.get((job_id, lease))
            if earlier is not None:  # a redelivery of one held already
                await earlier[0].ack()
            self._held[(job_id, lease)] = (msg, time.monotonic() + self.hold_s)
            return
        try:
            tell = await self.flows.apply_event(msg.subject, msg.data, msg.headers)
        except Exception:
            log.exception("could not fold %s; will retry", msg.subject)
            await msg.nak(delay=1.0)
            return
        if self.ends is not None and kind in TERMINAL_EVENTS:
            self._ended.append((msg, job_id, tell))  # acked once handed over
        else:
            await msg.ack()
        held = self._held.pop((job_id, lease), None) if lease else None
        if held is not None:  # that run has ended: its `processing` would change nothing now
            await held[0].ack()

    async def _hand_over(self) -> None:
        """The batch's folded ends to `ends`, then acked; again later when that fails."""
        ended, self._ended = self._ended, []
        if not ended or self.ends is None:
            return
        try:
            await self.ends([(job_id, tell) for _, job_id, tell in ended])
        except Exception:
            log.exception("could not hand %d job ends over; will retry", len(ended))
            for msg, _, _ in ended:
                await msg.nak(delay=1.0)
            return
        for msg, _, _ in ended:
            await msg.ack()

    async def _write_due(self, now: float) -> None:
        due = [run for run, (_, at) in self._held.items() if at <= now]
        if not due:
            return
        try:
            await self.flows.mark_processing(due)
        except Exception:
            log.exception("could not fold %d processing events; will retry", len(due))
            for run in due:
                self._held[run] = (self._held[run][0], time.monotonic() + 1.0)
            return
        for run in due:
            msg, _ = self._held.pop(run)
            await msg.ack()
