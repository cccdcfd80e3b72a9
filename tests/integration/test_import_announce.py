"""The ends of imports reach the registry's stream even when the registry died before telling: the mark written with
the row's end is published at the next pass, and a repeat (a crash after publishing, before clearing the mark) stores
nothing twice."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import nats
from sqlalchemy import update

from easel_common.natsio import ensure_streams
from easel_proto import Names
from easel_proto.v1.registry import ModelImportEnded
from easel_proto.wire import decode
from easel_registry.announce import Announcer
from easel_registry.models import IMPORTING, Model
from easel_registry.service import now
from helpers import namespace, registry_flows


async def test_an_import_orphaned_by_a_dead_registry_is_announced_failed_once(tmp_path: Path, nats_url: str) -> None:
    names = Names(namespace())
    stream = names.stream("registry")["name"]
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    try:
        await ensure_streams(nc, names, ("registry",))
        async with registry_flows(tmp_path) as flows:
            at = now() - timedelta(minutes=5)  # its registry died mid-import: nothing published, nothing touched
            orphan = Model(id=str(uuid.uuid4()), tenant_id="t", owner_id="u", name="orphan", kind="lora",
                           base="sd15", source="http://example.com/x", visibility="private", status=IMPORTING,
                           files=[], shared_roles=[], meta={}, created_at=at, updated_at=at)
            async with flows.sessions() as session:
                session.add(orphan)
                await session.commit()
            announcer = Announcer(nc, names, flows.sessions)
            assert await announcer.flush() == 0  # still importing: nothing to tell

            await flows.recover()  # the next registry to start fails it, marked to be announced
            assert await announcer.flush() == 1
            msg = await js.get_last_msg(stream, names.registry_model_event(orphan.id, "import_failed"))
            event = decode(ModelImportEnded, msg.data)
            assert (event.model.id, event.model.status, event.model.error.code) == (orphan.id, "failed", "interrupted")
            assert event.model.owner_id == "u" and event.model.tenant_id == "t"
            assert await announcer.flush() == 0  # told once

            # a registry that published and died before clearing the mark publishes again: the stream keeps one
            async with flows.sessions() as session:
                await session.execute(update(Model).where(Model.id == orphan.id).values(announce=True))
                await session.commit()
            assert await announcer.flush() == 1
            assert (await js.stream_info(stream)).state.messages == 1
    finally:
        await js.delete_stream(stream)
        await nc.close()
