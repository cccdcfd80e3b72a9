"""The ends of imports, published for the jobs service's webhooks (`model.imported`, `model.import_failed`).

An import's end is written with a mark (`announce`, set by the same UPDATE that makes the row ready or failed);
the announcer publishes each marked row on `{ns}.registry.events.{model_id}.{imported|import_failed}` (stream
`{NS}_REGISTRY`, which the jobs service reads with its own durable consumer) and clears the mark once JetStream has
stored the event. A registry that stops in between publishes it at its next start, and a NATS outage only delays
it (the announcer tries again every RETRY_S). The `Nats-Msg-Id` (model id and event) makes two replicas publishing
the same row store one message; a later repeat is absorbed by the intake's delivery ids.

Only the registry's NATS identity may publish on these subjects (easel_common.nats_access), so the intake takes an
event there as the registry's word.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from nats.aio.client import Client
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_common.natsio import ensure_streams
from easel_proto import Names
from easel_proto.v1.registry import ModelImportEnded
from easel_proto.wire import encode
from easel_registry import service
from easel_registry.models import READY, Model

log = logging.getLogger(__name__)
RETRY_S = 10.0
BATCH = 100


def event_type(model: Model) -> str:
    return "imported" if model.status == READY else "import_failed"


class Announcer:
    def __init__(self, nc: Client, names: Names, sessions: async_sessionmaker, *, replicas: int = 1) -> None:
        self.nc, self.names, self.sessions, self.replicas = nc, names, sessions, replicas
        self.wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await ensure_streams(self.nc, self.names, ("registry",), replicas=self.replicas)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        while True:
            self.wake.clear()
            try:
                await self.flush()
            except Exception:  # NATS or the database away for a moment: the marks stay, the next pass sends them
                log.exception("publishing the ends of imports failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), RETRY_S)

    async def flush(self) -> int:
        """Publish every marked import's end; returns how many."""
        js, sent = self.nc.jetstream(), 0
        while True:
            async with self.sessions() as session:
                rows = list(await session.scalars(select(Model).where(Model.announce.is_(True))
                                                  .order_by(Model.updated_at).limit(BATCH)))
            for model in rows:
                kind = event_type(model)
                body = encode(ModelImportEnded(model=service.to_info(model), at=model.updated_at))
                await js.publish(self.names.registry_model_event(model.id, kind), body,
                                 headers={"Nats-Msg-Id": f"{model.id}.{kind}"})
                async with self.sessions() as session:
                    await session.execute(update(Model).where(Model.id == model.id).values(announce=False))
                    await session.commit()
                sent += 1
            if len(rows) < BATCH:
                return sent

    async def stop(self) -> None:
        """Stop, after one last pass (best effort: what it misses goes out at the next start)."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.flush(), 2.0)
