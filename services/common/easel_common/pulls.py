"""A durable pull consumer read all the time: pull requests kept open and topped up, messages taken as they come.

nats-py's `fetch` makes every batch a round of its own: a no-wait probe, answered with a status message when nothing
is there, then a waiting request, which returns only once its batch is full or it expires. A consumer that runs for
the life of a service (the jobs service folding worker events, auth storing audit events) paid two requests and a
status message for each small batch, and the first message of a batch waited there for the rest or the expiry. Here,
as the NATS clients that have it call `consume` (NATS ADR-37; nats-py 2.x has no equivalent, hence this module): the
consumer keeps up to `batch` messages asked for on one inbox, asks again once fewer than half of them are still owed,
and hands over whatever has arrived. A quiet consumer costs one request per `expires_s` and an idle heartbeat every
`heartbeat_s`; after a reconnect, or when neither messages nor heartbeats came for two heartbeats (requests lost
some other way), it asks again from nothing.

`fetch(batch, timeout)` keeps nats-py's shape (a list of messages, at least one, or TimeoutError), so the loops written
for nats-py's subscriptions (`natsio.fetched`, the jobs service's EventFolder) read these unchanged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from typing import Any

from nats.aio.client import Client
from nats.aio.msg import Msg

log = logging.getLogger(__name__)
STATUS, PENDING = "Status", "Nats-Pending-Messages"


class Consumer:
    """A continuous reader of one durable pull consumer (made elsewhere: natsio.durable_consumer)."""

    def __init__(self, nc: Client, stream: str, durable: str, *, batch: int = 256, expires_s: float = 30.0,
                 heartbeat_s: float = 5.0) -> None:
        if heartbeat_s > expires_s / 2:  # the server refuses such a request
            raise ValueError("a pull request's idle heartbeat must be at most half its expiry")
        self.nc, self.batch = nc, batch
        self.expires_s, self.heartbeat_s = expires_s, heartbeat_s
        self.subject = f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}"
        self._inbox = nc.new_inbox()
        self._sub: Any = None
        self._arrived: deque[Msg] = deque()
        self._wake = asyncio.Event()
        self._owed = 0  # messages asked for and neither delivered nor given up by the server
        self._heard = time.monotonic()  # the last message or status from the server on this inbox
        self._reconnects = nc.stats["reconnects"]

    async def start(self) -> Consumer:
        self._sub = await self.nc.subscribe(self._inbox, cb=self._arrive)
        return self

    async def release(self) -> None:
        """Stop reading; what arrived and was not taken is handed back (nak) for delivery elsewhere now."""
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
            self._sub = None
        while self._arrived:
            with contextlib.suppress(Exception):  # the connection may be going: redelivered after ack_wait then
                await self._arrived.popleft().nak()

    async def _arrive(self, msg: Msg) -> None:
        self._heard = time.monotonic()
        status = (msg.headers or {}).get(STATUS)
        if not status:
            self._owed = max(0, self._owed - 1)
            self._arrived.append(msg)
            self._wake.set()
        elif status != "100":  # 100: an idle heartbeat, only a sign of life
            self._gave_up(status, msg.headers)

    def _gave_up(self, status: str, headers: dict[str, str]) -> None:
        """A request ended short (408: expired; 409: too many waiting requests, a limit, a leader change, the
        consumer deleted): what it still owed is not coming. Without a count, nothing is counted on any more."""
        try:
            self._owed = max(0, self._owed - int(headers[PENDING]))
        except (KeyError, ValueError):
            self._owed = 0
        if status != "408":
            log.debug("pull request on %s ended: %s %s", self.subject, status, headers.get("Description", ""))

    async def _top_up(self) -> None:
        reconnects = self.nc.stats["reconnects"]
        if reconnects != self._reconnects or time.monotonic() - self._heard > 2 * self.heartbeat_s:
            # requests lost with a connection (or a server's restart): ask from nothing
            self._owed, self._heard, self._reconnects = 0, time.monotonic(), reconnects
        if self._owed > self.batch // 2 or not self.nc.is_connected:
            return
        wanted = self.batch - self._owed
        request = {"batch": wanted, "expires": int(self.expires_s * 1e9),
                   "idle_heartbeat": int(self.heartbeat_s * 1e9)}
        await self.nc.publish(self.subject, json.dumps(request).encode(), reply=self._inbox)
        self._owed += wanted

    async def fetch(self, batch: int = 64, timeout: float | None = 1.0) -> list[Msg]:
        """Up to `batch` of the messages that have arrived, waiting at most `timeout` for the first; TimeoutError
        when none came."""
        await self._top_up()
        if not self._arrived:
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
            except TimeoutError:
                await self._top_up()  # a quiet spell may be a lost request: checked now rather than on the next call
                raise
        taken = [self._arrived.popleft() for _ in range(min(batch, len(self._arrived)))]
        await self._top_up()
        return taken
