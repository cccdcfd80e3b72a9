"""The gateway's view of the worker pools: what admission checks a job's pool against, with no request per job.

The jobs service owns the list (easel_jobs.pools) and sends all of it on `pools_changed` after each change and
once a minute; the gateway asks `pools_current` when it starts, and until an answer comes it knows the pools of
EASEL_POOLS. Who may use a pool: whoever holds `pools:use:<pool>` through their roles' permissions, or has one
of the roles the pool itself names (`roles`, set through /v1/pools): `may_use_pool`.
"""

from __future__ import annotations

import contextlib
import logging

from nats.aio.client import Client
from nats.aio.subscription import Subscription

from easel_common.natsio import ERROR_CODE_HEADER, ask
from easel_proto import Names
from easel_proto.errors import Conflict, Forbidden, InvalidInput
from easel_proto.permissions import may_use_pool, use_pool
from easel_proto.v1 import pools
from easel_proto.v1.common import Principal
from easel_proto.wire import decode, encode, now

log = logging.getLogger(__name__)


class PoolView:
    """The pools by name, as last heard."""

    def __init__(self, configured: list[str]) -> None:
        at = now()
        self.pools: dict[str, pools.Pool] = {
            name: pools.Pool(name=name, source="config", created_at=at, updated_at=at) for name in configured}
        self._sub: Subscription | None = None

    def check(self, name: str, caller: Principal) -> None:
        """InvalidInput for a pool the deployment does not have, Conflict for a disabled one, Forbidden for one
        the caller may not use."""
        pool = self.pools.get(name)
        if pool is None:
            raise InvalidInput("pool", f"unknown pool {name!r}; known: {', '.join(sorted(self.pools))}")
        if pool.enabled is False:
            raise Conflict(f"pool {name!r} is disabled: it takes no new jobs", field="pool")
        if not may_use_pool(caller, name, pool.roles):
            raise Forbidden(f"this needs the permission {use_pool(name)!r}", permission=use_pool(name))

    def take(self, changed: pools.PoolsChanged) -> None:
        self.pools = {p.name: p for p in changed.pools}

    async def follow(self, nc: Client, names: Names, timeout: float) -> None:
        """Hear every broadcast of the list, and ask for it now (the jobs service may not be up yet: then the
        configured pools stand until its first broadcast)."""
        self._sub = await nc.subscribe(names.pools_changed, cb=self._heard)
        try:
            msg = await ask(nc, names.pools_current, encode(pools.PoolsQuery()), timeout=timeout)
            if not (msg.headers or {}).get(ERROR_CODE_HEADER):
                self.take(decode(pools.PoolsChanged, msg.data))
        except Exception:
            log.info("the jobs service did not tell the pool list yet; using EASEL_POOLS until it does")

    async def _heard(self, msg) -> None:
        try:
            self.take(decode(pools.PoolsChanged, msg.data))
        except Exception:
            log.warning("ignoring a malformed pools_changed message", exc_info=True)

    async def stop(self) -> None:
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
