"""A tenant's storage quota (`storage_bytes` in its tenant-wide quotas): what it stores, and the check before new work.

**What counts**: every object under the tenant's prefix `{tenant}/` in the object store: models (imported, uploaded,
merged, trained), datasets, job images and inputs, trainings' folders. The store is the one place that holds all of
them, whichever service wrote them, so the figure is measured there (a listing: sizes come with it, one S3
ListObjectsV2 call per 1000 objects, or a directory walk) and needs no bookkeeping that could drift from what is really
kept. Models deduplicated within a tenant share files and count once. Uploads (`{tenant}/uploads/`) count too, until
they are consumed or swept: a model upload is admitted when it starts (POST /v1/models/uploads, refused at the limit)
and its import is not checked again (it turns those bytes into the model, then deletes the upload), so an upload never
blocks its own import; one never imported counts until the registry sweeps it (EASEL_UPLOAD_ABANDON_S, 24 h;
easel_registry.uploads). A dataset's parts are uploads as well while its request runs (deleted once the dataset is
made or refused), so a measurement taken then counts them.

**When**: each service that admits such work (the registry: model uploads, imports and datasets; the jobs service:
jobs and trainings) keeps the figure per tenant in memory and measures every tenant whose quota sets `storage_bytes`
again every `ttl_s` (EASEL_STORAGE_USAGE_TTL_S, 60 s), in the background (`StorageQuota.run`); no other tenant is ever
measured. A check is a dict lookup: only the first check of a tenant whose limit was set since the last pass waits for
a listing.

**Granularity**: work is admitted while the figure is under the limit, so a tenant may go over by what it stores before
the next measurement sees it: work already admitted is never stopped (an import that is running may take the tenant
over by that one model; queued jobs write their images, a training its result). Deleting models, datasets or jobs'
images brings the figure down at the next measurement.

A refusal is `QuotaExceeded` (HTTP 429), like every other quota: `details.limit` is `tenant.storage_bytes`, with
`allowed`, `used` (bytes) and `tenant_id`, and no `retry_after_s` (waiting does not help: deleting or a higher limit
does). Not 413 (the request itself is not too large) nor 507 (the server has room; the tenant's quota is what is full).
"""

from __future__ import annotations

import asyncio
import logging
import time

from easel_common.storage import ObjectStore
from easel_common.tenants import TenantView
from easel_proto.errors import QuotaExceeded

log = logging.getLogger(__name__)


def _size(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} bytes"  # not reached


class StorageUsage:
    """Each tenant's stored bytes, measured in the object store and kept for `ttl_s`."""

    def __init__(self, store: ObjectStore, ttl_s: float = 60.0) -> None:
        self.store, self.ttl_s = store, ttl_s
        self._figures: dict[str, tuple[int, float]] = {}  # tenant -> (bytes, when measured: monotonic)
        self._measuring: dict[str, asyncio.Task[int]] = {}

    async def used(self, tenant_id: str) -> int:
        """The tenant's bytes as last measured; measured now when never measured, again in the background when
        older than ttl_s."""
        figure = self._figures.get(tenant_id)
        if figure is None:
            return await self._measure(tenant_id)
        if time.monotonic() - figure[1] > self.ttl_s and tenant_id not in self._measuring:
            self._start(tenant_id)
        return figure[0]

    def _start(self, tenant_id: str) -> asyncio.Task[int]:
        task = asyncio.create_task(self._run(tenant_id))
        self._measuring[tenant_id] = task
        task.add_done_callback(lambda _t: self._measuring.pop(tenant_id, None))
        return task

    async def _measure(self, tenant_id: str) -> int:
        task = self._measuring.get(tenant_id) or self._start(tenant_id)
        return await asyncio.shield(task)  # callers waiting together share one listing

    async def _run(self, tenant_id: str) -> int:
        try:
            used = await self.store.usage(f"{tenant_id}/")
        except Exception:
            figure = self._figures.get(tenant_id)
            if figure is None:
                raise
            log.warning("could not measure tenant %s's storage; keeping the last figure", tenant_id, exc_info=True)
            return figure[0]
        self._figures[tenant_id] = (used, time.monotonic())
        return used

    async def refresh(self, tenant_id: str) -> None:
        """Measure the tenant again now (a failure keeps the last figure)."""
        try:
            await self._measure(tenant_id)
        except Exception:
            log.warning("could not measure tenant %s's storage", tenant_id, exc_info=True)

    def add(self, tenant_id: str, size: int) -> None:
        """Count bytes this service just stored before the next measurement does (a finished import)."""
        figure = self._figures.get(tenant_id)
        if figure is not None:
            self._figures[tenant_id] = (figure[0] + size, figure[1])

    async def check(self, tenant_id: str, limit: int | None, what: str) -> None:
        """Refuse new work (`what`: "imports", "jobs" ...) while the tenant stores `limit` bytes or more."""
        if limit is None:
            return
        used = await self.used(tenant_id)
        if used >= limit:
            raise QuotaExceeded(
                f"tenant.storage_bytes: tenant {tenant_id} stores {_size(used)} ({used} bytes) of its "
                f"{_size(limit)} ({limit} bytes) limit; no new {what} until it deletes models, datasets or images, "
                "or a platform admin raises the limit", limit="tenant.storage_bytes", allowed=limit, used=used,
                tenant_id=tenant_id)


class StorageQuota:
    """The check as a service makes it: the tenant's limit from the tenants bucket (a TenantView), its bytes from a
    StorageUsage. Costs nothing for a tenant without a storage_bytes limit."""

    def __init__(self, tenants: TenantView, usage: StorageUsage) -> None:
        self.tenants, self.usage = tenants, usage

    async def check(self, tenant_id: str, what: str) -> None:
        quotas = self.tenants.get(tenant_id).quotas
        if quotas is not None:
            await self.usage.check(tenant_id, quotas.storage_bytes, what)

    def add(self, tenant_id: str, size: int) -> None:
        self.usage.add(tenant_id, size)

    async def refresh(self) -> None:
        """Measure every tenant that has a storage limit."""
        for tenant_id, state in list(self.tenants.states.items()):
            if state.quotas is not None and state.quotas.storage_bytes is not None:
                await self.usage.refresh(tenant_id)

    async def run(self) -> None:
        """Forever: keep the limited tenants' figures fresh, so checks do not wait for a listing."""
        while True:
            await self.refresh()
            await asyncio.sleep(self.usage.ttl_s)
