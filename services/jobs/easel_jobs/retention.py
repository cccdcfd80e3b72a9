"""Retention: a tenant's jobs keep their images and inputs for `retention_days` after they end (its TenantState,
set with PATCH /v1/tenants/{id}); then a sweep deletes them and marks the job expired (the record stays, and its
images answer 410).

What a job owns in the store is its folder (`{tenant}/{user}/jobs/{id}/`: images, captions) and the input images
its spec names. Inputs are stored once per content and may serve several jobs of their owner, so an input is
deleted only when no job of its owner that still keeps its images names it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from sqlalchemy import String, cast, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_common.storage import ObjectStore
from easel_common.tenants import TenantView
from easel_jobs.metrics import RETENTION_BYTES, RETENTION_JOBS, RETENTION_OBJECTS
from easel_jobs.models import TERMINAL, Job
from easel_proto.naming import job_prefix
from easel_proto.wire import now

log = logging.getLogger(__name__)
BATCH = 200  # jobs expired per tenant and sweep; the next sweep takes the rest


def input_keys(spec: Any, prefix: str) -> Iterator[str]:
    """Every object key under `prefix` the spec names (init images, masks, ControlNet inputs, wherever they sit)."""
    if isinstance(spec, dict):
        for name, value in spec.items():
            if name == "key" and isinstance(value, str) and value.startswith(prefix):
                yield value
            else:
                yield from input_keys(value, prefix)
    elif isinstance(spec, list):
        for value in spec:
            yield from input_keys(value, prefix)


class Retention:
    def __init__(self, sessions: async_sessionmaker, store: ObjectStore, tenants: TenantView) -> None:
        self.sessions, self.store, self.tenants = sessions, store, tenants

    async def sweep(self) -> int:
        """Expire what is due in every tenant with a retention; returns how many jobs expired."""
        expired = 0
        for tenant_id, state in list(self.tenants.states.items()):
            if state.retention_days:
                expired += await self.expire_tenant(tenant_id, state.retention_days)
        return expired

    async def expire_tenant(self, tenant_id: str, days: int) -> int:
        cutoff = now() - timedelta(days=days)
        async with self.sessions() as session:
            due = (await session.execute(
                select(Job.id, Job.user_id, Job.spec).where(
                    Job.tenant_id == tenant_id, Job.status.in_(TERMINAL), Job.finished_at < cutoff,
                    Job.expired_at.is_(None)).order_by(Job.finished_at).limit(BATCH))).all()
        for job_id, user_id, spec in due:
            await self._expire(tenant_id, user_id, job_id, spec)
        if due:
            RETENTION_JOBS.labels(tenant_id).inc(len(due))
            log.info("retention: expired %d jobs of tenant %s", len(due), tenant_id)
        return len(due)

    async def _expire(self, tenant_id: str, user_id: str, job_id: str, spec: dict) -> None:
        # objects first, then the mark: a sweep cut short leaves the job unmarked, and the next one finishes it
        keys = await self.store.list(job_prefix(tenant_id, user_id, job_id))
        async with self.sessions() as session:
            for key in set(input_keys(spec, f"{tenant_id}/{user_id}/inputs/")):
                still_used = (await session.execute(select(Job.id).where(
                    Job.user_id == user_id, Job.id != job_id, Job.expired_at.is_(None),
                    cast(Job.spec, String).contains(key)).limit(1))).first()
                if still_used is None:
                    keys.append(key)
        freed = 0
        for key in keys:
            size = await self.store.size(key)
            await self.store.delete(key)
            freed += size or 0
        async with self.sessions.begin() as session:
            await session.execute(update(Job).where(Job.id == job_id, Job.expired_at.is_(None))
                                  .values(expired_at=now()))
        RETENTION_OBJECTS.labels(tenant_id).inc(len(keys))
        RETENTION_BYTES.labels(tenant_id).inc(freed)
