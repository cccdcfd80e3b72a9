"""Worker pools as objects: the list (rows seeded from EASEL_POOLS, the rest made through /v1/pools), kept in step
with the pool consumers and told to everyone who follows it.

The jobs service owns the rows. Each change is followed by the full list on `pools_changed` (core NATS), and the
list is sent again every `pools_broadcast_s`, so a listener that missed one (the gateway's admission cache, the
embedded autoscaler, the Kubernetes controller) catches up; one that just started asks `pools_current`. Replicas
follow the broadcast too, so each one's own view (which `submit` checks, costing a dict lookup) stays current.

Config pools (source `config`) are read-only through the API: the environment (or the Helm values) defines them.
A pool deleted or disabled with queued jobs has them moved to `move_to`, or failed saying why: none is lost.
"""

from __future__ import annotations

import contextlib
import logging

from nats.aio.client import Client
from nats.aio.subscription import Subscription
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_common.natsio import pull_config
from easel_jobs import metrics
from easel_jobs.pools import drain, labels, service, status
from easel_jobs.routing import Board
from easel_jobs.settings import JobsSettings
from easel_proto.errors import Conflict, Forbidden, InvalidInput, NotFound
from easel_proto.permissions import POOLS_MANAGE, allows, may_use_pool, require
from easel_proto.v1 import pools
from easel_proto.v1.common import Principal
from easel_proto.wire import decode, encode, now

log = logging.getLogger(__name__)


class Pools:
    """The pool list: rows, this replica's view of them, the consumers, the broadcast."""

    def __init__(self, nc: Client, sessions: async_sessionmaker, settings: JobsSettings, board: Board,
                 fail_job) -> None:
        self.nc, self.js, self.sessions, self.settings = nc, nc.jetstream(), sessions, settings
        self.names, self.board, self.fail_job = settings.names, board, fail_job
        self.current: dict[str, pools.Pool] = {}
        self.on_change: list = []  # callables(list of pool names) told when the view changes (demand, metrics)
        self._sub: Subscription | None = None

    # --- the list, this replica's view, the broadcast -------------------------------------------------------------

    async def start(self) -> None:
        """Seed the configured pools, load the view, make every pool's consumer, follow other replicas."""
        if made := await service.seed(self.sessions, self.names.ns, self.settings.pools):
            log.info("pools seeded from EASEL_POOLS: %s", ", ".join(made))
        await self.reload()
        for name in self.current:
            await self.ensure_consumer(name)
        self._sub = await self.nc.subscribe(self.names.pools_changed, cb=self._heard)
        await self.broadcast("started")

    async def stop(self) -> None:
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()

    async def reload(self) -> list[pools.Pool]:
        async with self.sessions() as session:
            listed = [service.view(r) for r in await service.list_all(session, ns=self.names.ns)]
        self._set(listed)
        return listed

    def _set(self, listed: list[pools.Pool]) -> None:
        self.current = {p.name: p for p in listed}
        for listener in self.on_change:
            listener(list(self.current))

    async def _heard(self, msg) -> None:
        """Another replica's broadcast (or our own): take its list as the view."""
        try:
            self._set(decode(pools.PoolsChanged, msg.data).pools)
        except Exception:
            log.warning("ignoring a malformed pools_changed message", exc_info=True)

    async def broadcast(self, reason: str) -> None:
        """Send the full list on pools_changed."""
        listed = list(self.current.values())
        await self.nc.publish(self.names.pools_changed, encode(pools.PoolsChanged(pools=listed, reason=reason)))

    async def tick(self) -> None:
        """Once a minute: read the rows again (another replica may have changed them), make any missing consumer,
        and broadcast, so listeners that missed a change catch up."""
        for name in {p.name for p in await self.reload()}:
            try:
                await self.ensure_consumer(name)
            except Exception:  # one pool's trouble must not keep the list from the others
                log.warning("could not make pool %s's consumer", name, exc_info=True)
        await self.broadcast("periodic")

    def snapshot(self) -> pools.PoolsChanged:
        return pools.PoolsChanged(pools=list(self.current.values()), reason="current")

    def check_open(self, name: str) -> None:
        """Refuse a job for a pool this replica does not know or that is disabled (its view: no query)."""
        pool = self.current.get(name)
        if pool is None:
            raise InvalidInput("pool", f"unknown pool {name!r}")
        if pool.enabled is False:
            raise Conflict(f"pool {name!r} is disabled: it takes no new jobs", field="pool")

    # --- consumers -----------------------------------------------------------------------------------------------

    async def ensure_consumer(self, name: str) -> None:
        """The pool's durable consumer, before any worker runs (workers may not create or change it), so a pool
        scaled to zero has one for KEDA to read its backlog from."""
        stream = self.names.stream("jobs")["name"]
        await self.js.add_consumer(stream, pull_config(
            self.names.worker_consumer(name), [self.names.job_queue(name)], ack_wait=self.settings.ack_wait_s,
            max_deliver=self.settings.max_deliver))
        metrics.prime([name])

    async def drop_consumer(self, name: str) -> None:
        stream = self.names.stream("jobs")["name"]
        with contextlib.suppress(Exception):  # gone already
            await self.js.delete_consumer(stream, self.names.worker_consumer(name))

    # --- pools_manage ----------------------------------------------------------------------------------------------

    async def handle(self, req: pools.PoolRequest) -> pools.PoolReply:
        if req.op == "status":
            return await self._status(req)
        require(req.actor, POOLS_MANAGE)
        return await getattr(self, f"_{req.op}")(req)

    async def _list(self, req: pools.PoolRequest) -> pools.PoolReply:
        return pools.PoolReply(pools=await self.reload())

    async def _get(self, req: pools.PoolRequest) -> pools.PoolReply:
        async with self.sessions() as session:
            return pools.PoolReply(pools=[service.view(await self._row(session, req.name))])

    async def _row(self, session, name: str | None, lock: bool = False):
        if not name:
            raise InvalidInput("name", "required")
        row = await service.get(session, ns=self.names.ns, name=name, lock=lock)
        if row is None:
            raise NotFound(f"pool {name!r} not found", field="name")
        return row

    async def _create(self, req: pools.PoolRequest) -> pools.PoolReply:
        if req.spec is None:
            raise InvalidInput("spec", "required")
        _check_sizes(req.spec.min_workers or 0, 1 if req.spec.max_workers is None else req.spec.max_workers)
        labels.check(gpu_type=req.spec.gpu_type, instance_type=req.spec.instance_type,
                     node_selector=req.spec.node_selector)
        async with self.sessions.begin() as session:
            if await service.get(session, ns=self.names.ns, name=req.spec.name) is not None:
                raise Conflict(f"pool {req.spec.name!r} exists already", field="name")
            try:
                made = service.view(await service.create(session, ns=self.names.ns, spec=req.spec))
            except IntegrityError as exc:  # another replica made it just now
                raise Conflict(f"pool {req.spec.name!r} exists already", field="name") from exc
        await self.ensure_consumer(made.name)
        await self._changed(f"created:{made.name}")
        return pools.PoolReply(pools=[made])

    async def _update(self, req: pools.PoolRequest) -> pools.PoolReply:
        change = req.update or pools.PoolUpdate()
        given = {f: v for f, v in change.model_dump(exclude_none=True).items()}
        closing = given.get("enabled") is False
        if req.move_to is not None and not closing:
            raise InvalidInput("move_to", "only with enabled=false (or on delete)")
        if req.move_to is not None:
            self._target(req.move_to, req.name or "")
        labels.check(gpu_type=change.gpu_type, instance_type=change.instance_type, node_selector=change.node_selector)
        async with self.sessions.begin() as session:
            row = await self._row(session, req.name, lock=True)
            _writable(row)
            was_enabled = row.enabled
            _check_sizes(given.get("min_workers", row.min_workers), given.get("max_workers", row.max_workers))
            for field, value in given.items():
                if field in ("gpu_type", "instance_type") and value == "":
                    value = None  # "" clears them
                setattr(row, field, value)
            row.updated_at = now()
            changed = service.view(row)
        reply = pools.PoolReply(pools=[changed])
        if closing and was_enabled:
            self.current[changed.name] = changed  # this replica refuses new jobs before the queued ones move
            reply.moved_jobs, reply.failed_jobs = await self._empty(changed.name, req.move_to, "disabled")
        await self._changed(f"updated:{changed.name}")
        return reply

    async def _delete(self, req: pools.PoolRequest) -> pools.PoolReply:
        async with self.sessions.begin() as session:
            row = await self._row(session, req.name, lock=True)
            _writable(row)
            if req.move_to is not None:
                self._target(req.move_to, row.name)
            gone = service.view(row)
            await session.delete(row)
        self.current.pop(gone.name, None)  # this replica refuses new jobs before the queued ones move
        moved, failed = await self._empty(gone.name, req.move_to, "deleted")
        await self.drop_consumer(gone.name)
        await drain.purge(self.js, self.names, gone.name)  # what is left: messages of jobs already started
        await self._changed(f"deleted:{gone.name}")
        return pools.PoolReply(pools=[gone], moved_jobs=moved, failed_jobs=failed)

    def _target(self, move_to: str, name: str) -> None:
        target = self.current.get(move_to)
        if move_to == name or target is None or target.enabled is False:
            raise InvalidInput("move_to", f"must be another enabled pool (got {move_to!r})")

    async def _empty(self, name: str, move_to: str | None, why: str) -> tuple[int, int]:
        if move_to is not None:
            self._target(move_to, name)
        return await drain.empty(self.sessions, self.js, self.names, name, move_to, why, self.fail_job)

    async def _changed(self, reason: str) -> None:
        await self.reload()
        await self.broadcast(reason)

    async def _status(self, req: pools.PoolRequest) -> pools.PoolReply:
        async with self.sessions() as session:
            row = await self._row(session, req.name)
            pool = service.view(row)
            if not (may_use_pool(req.actor, pool.name, pool.roles) or _manages(req.actor)):
                raise Forbidden(f"this needs the permission 'pools:manage' or 'pools:use:{pool.name}'",
                                permission=POOLS_MANAGE)
            return pools.PoolReply(status=await status.of(session, pool, self.board))


def _manages(actor: Principal) -> bool:
    return allows(actor.permissions, POOLS_MANAGE)


def _writable(row) -> None:
    if row.source == "config":
        raise Conflict(f"pool {row.name!r} comes from the deployment's configuration (EASEL_POOLS or the Helm values); "
                       "change it there", field="name")


def _check_sizes(low: int, high: int) -> None:
    if high < low:
        raise InvalidInput("max_workers", f"must be at least min_workers ({low})")

