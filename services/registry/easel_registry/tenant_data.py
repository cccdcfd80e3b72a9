"""A tenant's models and datasets: counted before the tenant is deleted, removed when it is purged.

Only a platform admin (tenants:manage) asks, through the gateway, with their caller statement. A purge stops the
tenant's imports in progress, deletes its model and dataset rows, and then everything left in the object store
under `{tenant}/` (the jobs service removed its own objects first; what remains is the registry's, or stray).
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, func, select

from easel_proto.permissions import TENANTS_MANAGE, require
from easel_proto.v1 import auth
from easel_registry.flows import RegistryFlows
from easel_registry.models import Dataset, Model, Upload

log = logging.getLogger(__name__)


async def handle(flows: RegistryFlows, req: auth.TenantContentsRequest) -> auth.TenantContents:
    require(req.actor, TENANTS_MANAGE)
    tenant_id = req.tenant_id
    async with flows.sessions() as session:
        model_ids = list((await session.execute(select(Model.id).where(Model.tenant_id == tenant_id))).scalars())
        datasets = await session.scalar(select(func.count()).where(Dataset.tenant_id == tenant_id)) or 0
    if req.purge:
        for model_id in model_ids:  # an import in progress stops (its clean-up removes what it wrote)
            task = flows._tasks.get(model_id)
            if task is not None:
                task.cancel()
        async with flows.sessions.begin() as session:
            await session.execute(delete(Model).where(Model.tenant_id == tenant_id)
                                  .execution_options(synchronize_session=False))
            await session.execute(delete(Dataset).where(Dataset.tenant_id == tenant_id)
                                  .execution_options(synchronize_session=False))
            await session.execute(delete(Upload).where(Upload.tenant_id == tenant_id)
                                  .execution_options(synchronize_session=False))
        keys = await flows.store.list(f"{tenant_id}/")
        for key in keys:
            await flows.store.delete(key)
        log.warning("tenant %s purged: %d models, %d datasets and %d objects removed", tenant_id, len(model_ids),
                    datasets, len(keys))
    return auth.TenantContents(tenant_id=tenant_id, counts={"models": len(model_ids), "datasets": datasets})
