"""A NATS client signed in as one of a stack's identities that records what the server refuses it."""

from __future__ import annotations

import asyncio

import nats
from nats.aio.client import Client

from easel_common.nats_access import inbox_prefix


class Probe:
    """Publishes and subscribes as `identity`; `denied(...)` says whether the server refused it."""

    def __init__(self, nc: Client, errors: list[str]) -> None:
        self.nc, self.errors = nc, errors

    @classmethod
    async def sign_in(cls, stack, identity: str) -> Probe:
        errors: list[str] = []

        async def on_error(exc: Exception) -> None:
            errors.append(str(exc).lower())

        seed = stack.identity(identity).seed_file
        nc = await nats.connect(stack.nats_url, nkeys_seed=str(seed), inbox_prefix=inbox_prefix(identity),
                                error_cb=on_error, allow_reconnect=False, name=f"probe-{identity}")
        return cls(nc, errors)

    async def _refused(self, kind: str, subject: str, timeout: float = 2.0) -> bool:
        wanted = f'permissions violation for {kind} to "{subject.lower()}"'
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if any(wanted in e for e in self.errors):
                return True
            await asyncio.sleep(0.02)
        return False

    async def publish_denied(self, subject: str, data: bytes = b"{}", timeout: float = 2.0) -> bool:
        await self.nc.publish(subject, data)
        await self.nc.flush()
        return await self._refused("publish", subject, timeout)

    async def subscribe_denied(self, subject: str, timeout: float = 2.0) -> bool:
        await self.nc.subscribe(subject)
        await self.nc.flush()
        return await self._refused("subscription", subject, timeout)

    async def close(self) -> None:
        await self.nc.close()
