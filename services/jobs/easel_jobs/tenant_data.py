"""A tenant's data in the jobs service: counted before a tenant is deleted, removed when it is purged.

Only a platform admin (tenants:manage) asks, through the gateway (the request carries their caller statement, as
every request for a user does). A purge deletes the tenant's job and training rows and their objects in the store
(each job's folder, the users' uploaded inputs, the trainings' folders), tells the workers running any of its
jobs to stop, and stops the runs of its trainings that were launched. The registry removes the tenant's models and
datasets, and whatever else is left under `{tenant}/`.
"""

from __future__ import annotations

import contextlib
import logging

from nats.aio.client import Client
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_common.storage import ObjectStore
from easel_jobs.models import ACTIVE, Job
from easel_jobs.trainings.launchers import Launcher
from easel_jobs.trainings.models import LAUNCHED, Training
from easel_proto import Names
from easel_proto.permissions import TENANTS_MANAGE, require
from easel_proto.v1 import auth, jobs
from easel_proto.wire import encode, now

log = logging.getLogger(__name__)


def _jobs_object(key: str, tenant_id: str) -> bool:
    """Whether an object under the tenant's prefix is the jobs service's: a job's output, an input, a training's."""
    parts = key.removeprefix(f"{tenant_id}/").split("/")
    return parts[0] == "trainings" or (len(parts) > 1 and parts[1] in ("jobs", "inputs"))


class TenantData:
    def __init__(self, nc: Client, sessions: async_sessionmaker, names: Names, store: ObjectStore,
                 launcher: Launcher | None = None) -> None:
        self.nc, self.sessions, self.names, self.store, self.launcher = nc, sessions, names, store, launcher

    async def handle(self, req: auth.TenantContentsRequest) -> auth.TenantContents:
        require(req.actor, TENANTS_MANAGE)
        tenant_id = req.tenant_id
        async with self.sessions() as session:
            counts = {
                "jobs": await session.scalar(select(func.count()).where(Job.tenant_id == tenant_id)) or 0,
                "trainings": await session.scalar(select(func.count()).where(Training.tenant_id == tenant_id)) or 0,
            }
        if req.purge:
            await self.purge(tenant_id)
        return auth.TenantContents(tenant_id=tenant_id, counts=counts)

    async def purge(self, tenant_id: str) -> None:
        async with self.sessions.begin() as session:
            running = list((await session.execute(select(Job.id).where(
                Job.tenant_id == tenant_id, Job.status.in_(ACTIVE[1:])))).scalars())
            launched = list((await session.execute(select(Training.id).where(
                Training.tenant_id == tenant_id, Training.status.in_(LAUNCHED)))).scalars())
            await session.execute(delete(Job).where(Job.tenant_id == tenant_id)
                                  .execution_options(synchronize_session=False))
            await session.execute(delete(Training).where(Training.tenant_id == tenant_id)
                                  .execution_options(synchronize_session=False))
        for job_id in running:  # their rows are gone: whatever the workers report now changes nothing
            await self.nc.publish(self.names.job_interrupt(job_id), encode(jobs.JobCancel(job_id=job_id, at=now())))
        for training_id in launched if self.launcher is not None else []:
            with contextlib.suppress(Exception):  # a run already gone
                await self.launcher.cancel(training_id)
                await self.launcher.forget(training_id)
        removed = 0
        for key in await self.store.list(f"{tenant_id}/"):
            if _jobs_object(key, tenant_id):
                await self.store.delete(key)
                removed += 1
        log.warning("tenant %s purged: its jobs and trainings, and %d objects, removed", tenant_id, removed)
