"""A starting worker's preload refs, answered only when they are on its pool's preload list.

Workers are an untrusted boundary: one could name any tenant's private model by id. A worker asks on its own pool's
subject (`registry_preload(pool)`: NATS lets `worker-{pool}` publish on no other), so the subject names the pool;
the registry answers only the refs on that pool's list and refuses (logs) the rest. A pool's list is its
`preload_models` in the jobs service's pool records (`pools_current`: pools made through /v1/pools, and the
configured ones) and, for pools the Helm chart defines, their `preloadModels` (EASEL_POOL_PRELOAD_MODELS).
"""

from __future__ import annotations

import logging

from nats.aio.client import Client

from easel_common.natsio import Call, request
from easel_proto.errors import Forbidden
from easel_proto.v1 import pools
from easel_proto.v1.registry import PreloadReply, PreloadRequest
from easel_registry.flows import RegistryFlows

log = logging.getLogger(__name__)


class PoolPreloads:
    def __init__(self, nc: Client, flows: RegistryFlows) -> None:
        self.nc, self.flows, self.settings = nc, flows, flows.settings

    async def listed(self, pool: str) -> set[str]:
        """The refs `pool`'s workers may preload: the chart's list for it and its pool record's."""
        refs = set(self.settings.pool_preload_models.get(pool, []))
        current = await request(self.nc, self.settings.names.pools_current, pools.PoolsQuery(), pools.PoolsChanged,
                                timeout=self.settings.request_timeout_s)
        for record in current.pools:
            if record.name == pool:
                refs.update(record.preload_models or [])
        return refs

    async def resolve(self, req: PreloadRequest, call: Call) -> PreloadReply:
        pool = call.subject.rsplit(".", 1)[-1]  # the asking worker's pool: NATS holds it to its own subject
        if req.pool != pool:
            log.warning("refused a preload request on pool %s's subject naming pool %s", pool, req.pool)
            raise Forbidden(f"pool: a worker of pool {pool} asks for its own pool's preload_models only")
        listed = await self.listed(pool)
        refused = [ref for ref in req.refs if ref not in listed]
        if refused:
            log.warning("refused preload refs of pool %s not on its preload_models: %s", pool, ", ".join(refused))
        reply = await self.flows.preload(PreloadRequest(pool=pool, refs=[r for r in req.refs if r in listed]))
        reply.missing = [*(reply.missing or []), *refused]  # nothing of them: as if they named no model
        return reply
