"""The gateway's submission gate: at most `max_inflight_submits` submissions in flight on this replica.

One that finds every place taken waits in line at most `submit_queue_wait_s` for one, and is otherwise refused
with 503 `unavailable` and `Retry-After` before any work (no lookup, no decode, nothing stored or queued). The
limit is small on purpose: a place is held from admission to the jobs service's answer, which takes a few
milliseconds while the jobs service keeps up, so a few dozen places carry hundreds of submissions a second; when it
falls behind, they fill at once and the rest are refused within the wait, instead of piling up until the request
deadline passes (measured in docs/performance.md).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from easel_proto.errors import Unavailable

RETRY_AFTER_S = 1
# A web UI call's later jobs, once its first is in: they wait their turn this long rather than the usual moment, so
# an accepted call is not cut in half by the crowd behind it
PATIENT_WAIT_S = 30.0


class SubmitGate:
    """The places of one gateway replica; the line is first come, first served."""

    def __init__(self, limit: int, max_wait_s: float) -> None:
        self.limit, self.max_wait_s = limit, max_wait_s
        self._places = asyncio.Semaphore(limit)

    @contextlib.asynccontextmanager
    async def enter(self, patient: bool = False) -> AsyncIterator[None]:
        """Hold a place while the block runs; Unavailable (503, Retry-After) if none frees up within the wait
        (`patient`: the long one, for the rest of a call already let in)."""
        if self._places.locked():  # every place taken, or others in line first
            try:
                await asyncio.wait_for(self._places.acquire(), PATIENT_WAIT_S if patient else self.max_wait_s)
            except TimeoutError:
                raise Unavailable("too many submissions in flight on this gateway; retry shortly",
                                  limit="max_inflight_submits", allowed=self.limit,
                                  retry_after_s=RETRY_AFTER_S) from None
        else:
            await self._places.acquire()
        try:
            yield
        finally:
            self._places.release()
