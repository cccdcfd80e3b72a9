"""/v1/pools: the worker pools as objects, for the platform admin (pools:manage; '*' does not grant it).

The jobs service keeps the list (easel_jobs.pools) and checks the caller's permission itself. Pools from the
deployment's configuration (EASEL_POOLS, the Helm values) are shown with `source: config` and are read-only here
(409 naming `name`). Deleting a pool, or disabling it, moves its queued jobs to `move_to` or, without it, fails
them saying why; none is lost. A pool's `roles` let holders of those roles use it (`pools:use:<pool>`), beside the
grants roles carry themselves. `GET /v1/pools/{name}/status` is also open to whoever may use the pool.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from easel_gateway.deps import Caller, Svc
from easel_gateway.errors import SIGNED_IN, declared
from easel_proto.v1 import pools
from easel_proto.v1.common import Principal

router = APIRouter(prefix="/v1/pools", tags=["pools"], responses=declared(*SIGNED_IN))
POOL = r"^[a-z0-9][a-z0-9_-]{0,31}$"
Name = Annotated[str, Path(pattern=POOL, max_length=32)]
MoveTo = Annotated[str | None, Query(pattern=POOL, max_length=32,
                                     description="Move the pool's queued jobs here; unset: they fail, saying why")]


class PoolChange(BaseModel):
    pool: pools.Pool
    moved_jobs: int = Field(default=0, description="Queued jobs moved to move_to")
    failed_jobs: int = Field(default=0, description="Queued jobs failed (no move_to)")


def _seen(request: Request, pool: pools.Pool, gone: bool = False) -> None:
    """This gateway knows its own change at once (others hear the jobs service's broadcast)."""
    view = request.app.state.pools
    if gone:
        view.pools.pop(pool.name, None)
    else:
        view.pools[pool.name] = pool


def _req(caller: Principal, op: str, **fields) -> pools.PoolRequest:
    return pools.PoolRequest(actor=caller, op=op, **fields)


@router.get("", response_model=list[pools.Pool])
async def list_pools(caller: Caller, svc: Svc) -> list[pools.Pool]:
    """Every pool, the configured ones (`source: config`) with those made here."""
    return (await svc.pools(_req(caller, "list"))).pools


@router.post("", status_code=201, response_model=pools.Pool, responses=declared(409))
async def create_pool(body: pools.PoolSpec, caller: Caller, svc: Svc, request: Request) -> pools.Pool:
    """Make a pool: its queue's consumer is made at once; workers come from the embedded stack's autoscaler or
    the Kubernetes pool controller."""
    made = (await svc.pools(_req(caller, "create", spec=body))).pools[0]
    _seen(request, made)
    return made


@router.get("/{name}", response_model=pools.Pool, responses=declared(404))
async def get_pool(name: Name, caller: Caller, svc: Svc) -> pools.Pool:
    return (await svc.pools(_req(caller, "get", name=name))).pools[0]


@router.patch("/{name}", response_model=PoolChange, responses=declared(404, 409))
async def update_pool(name: Name, body: pools.PoolUpdate, caller: Caller, svc: Svc, request: Request,
                      move_to: MoveTo = None) -> PoolChange:
    """Change the fields given (`gpu_type` or `instance_type` set to "" clears it). `enabled: false` stops new
    jobs at once; its queued jobs move to `move_to`, or fail."""
    reply = await svc.pools(_req(caller, "update", name=name, update=body, move_to=move_to))
    _seen(request, reply.pools[0])
    return PoolChange(pool=reply.pools[0], moved_jobs=reply.moved_jobs or 0, failed_jobs=reply.failed_jobs or 0)


@router.delete("/{name}", response_model=PoolChange, responses=declared(404, 409))
async def delete_pool(name: Name, caller: Caller, svc: Svc, request: Request, move_to: MoveTo = None) -> PoolChange:
    """Delete a pool made here; its queued jobs move to `move_to`, or fail. Jobs already running finish."""
    reply = await svc.pools(_req(caller, "delete", name=name, move_to=move_to))
    _seen(request, reply.pools[0], gone=True)
    return PoolChange(pool=reply.pools[0], moved_jobs=reply.moved_jobs or 0, failed_jobs=reply.failed_jobs or 0)


@router.get("/{name}/status", response_model=pools.PoolStatus, responses=declared(404))
async def pool_status(name: Name, caller: Caller, svc: Svc) -> pools.PoolStatus:
    """Its workers (what each holds and does), queue depth and oldest waiting job, jobs per minute, failures in
    the last hour. Needs pools:manage, or use of the pool."""
    return (await svc.pools(_req(caller, "status", name=name))).status
