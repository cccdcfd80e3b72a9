"""Tenant states on NATS: the KV bucket `{NS}_TENANTS`, one `TenantState` per tenant (key: its id).

Auth owns the tenants table and writes a tenant's state here whenever it changes (and all of them when it starts,
so the bucket never lags the table for long); the jobs service follows the bucket with a KV watch (`TenantView`),
so knowing whether a tenant is disabled, or what its quotas are, costs it no request at claim or submission time.
A tenant missing from the bucket is enabled and has no tenant-wide quotas.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from nats.aio.client import Client
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BadRequestError, BucketNotFoundError, KeyNotFoundError
from nats.js.kv import KeyValue
from pydantic import ValidationError

from easel_proto import Names
from easel_proto.v1.auth import TenantState
from easel_proto.wire import decode, encode

log = logging.getLogger(__name__)


async def open_bucket(nc: Client, names: Names) -> KeyValue:
    """The tenants bucket, made on first use by whichever of auth and jobs starts first (same settings)."""
    js = nc.jetstream()
    with contextlib.suppress(BucketNotFoundError):
        return await js.key_value(names.tenants_bucket)
    config = KeyValueConfig(bucket=names.tenants_bucket, history=1, storage=StorageType.FILE,
                            description="tenant states: disabled, tenant-wide quotas")
    try:
        return await js.create_key_value(config)
    except BadRequestError:  # the other service made it first
        return await js.key_value(names.tenants_bucket)


async def put_state(kv: KeyValue, state: TenantState) -> None:
    await kv.put(state.tenant_id, encode(state))


async def delete_state(kv: KeyValue, tenant_id: str) -> None:
    with contextlib.suppress(KeyNotFoundError):
        await kv.delete(tenant_id)


class TenantView:
    """A local copy of the bucket, kept by a watch. `on_enabled(tenant_id, revision)` runs when a tenant that was
    disabled is enabled again (the jobs service queues its held jobs again then)."""

    def __init__(self, nc: Client, names: Names,
                 on_enabled: Callable[[str, int], Awaitable[None]] | None = None) -> None:
        self.nc, self.names, self.on_enabled = nc, names, on_enabled
        self.states: dict[str, TenantState] = {}
        self._watcher: KeyValue.KeyWatcher | None = None
        self._task: asyncio.Task[None] | None = None

    def get(self, tenant_id: str) -> TenantState:
        return self.states.get(tenant_id) or TenantState(tenant_id=tenant_id)

    def disabled(self, tenant_id: str) -> bool:
        state = self.states.get(tenant_id)
        return state is not None and state.disabled

    def any_disabled(self) -> bool:
        return any(s.disabled for s in self.states.values())

    async def start(self) -> None:
        """Load the current states (waits for them, up to 10 s), then follow changes."""
        kv = await open_bucket(self.nc, self.names)
        self._watcher = await kv.watchall()
        loaded = asyncio.Event()
        self._task = asyncio.create_task(self._follow(self._watcher, loaded))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(loaded.wait(), 10.0)

    async def _follow(self, watcher: KeyValue.KeyWatcher, loaded: asyncio.Event) -> None:
        async for entry in watcher:
            if entry is None:  # the current values have all arrived
                loaded.set()
                continue
            was = self.states.get(entry.key)
            if entry.operation in ("DEL", "PURGE"):
                self.states.pop(entry.key, None)
                now = None
            else:
                try:
                    now = self.states[entry.key] = decode(TenantState, entry.value)
                except ValidationError:
                    log.warning("ignoring a malformed tenant state for %r", entry.key)
                    continue
            if was is not None and was.disabled and now is not None and not now.disabled and self.on_enabled:
                try:
                    await self.on_enabled(entry.key, entry.revision or 0)
                except Exception:
                    log.exception("could not queue tenant %s's held jobs again", entry.key)

    async def stop(self) -> None:
        if self._watcher is not None:
            with contextlib.suppress(Exception):
                await self._watcher.stop()
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
