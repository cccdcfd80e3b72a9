"""The gateway's audit events travel many to a message: what it buffered is published when it shuts down, what the
audit stream refused for a while arrives once it is back (none lost), and auth stores batches and an older
gateway's single events alike, each event once."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import nats
import pytest
from fastapi import FastAPI, Response
from nats.js.api import ConsumerConfig
from sqlalchemy import select

from easel_auth.audit import AuditRecorder
from easel_auth.main import MIGRATIONS as AUTH_MIGRATIONS
from easel_auth.models import AuditEvent as AuditRow
from easel_common import db
from easel_common.natsio import ensure_streams
from easel_gateway.audit import AuditLog
from easel_gateway.settings import GatewaySettings
from easel_proto import Names
from easel_proto.v1 import audit
from easel_proto.wire import encode
from helpers import namespace, wait_for


@pytest.fixture
async def audit_stream(nats_url) -> AsyncIterator[tuple]:
    """A connection and the names of a fresh namespace whose audit stream exists."""
    nc = await nats.connect(nats_url)
    names = Names(namespace())
    await ensure_streams(nc, names, ("audit",))
    yield nc, names
    with contextlib.suppress(Exception):
        await nc.jetstream().delete_stream(names.stream("audit")["name"])
    await nc.close()


def gateway(nc, names: Names, linger: float) -> FastAPI:
    """An app behind the gateway's AuditLog, with one audited route (a sign-out: action auth.logout)."""
    app = FastAPI()

    @app.post("/v1/auth/logout")
    async def logout() -> Response:
        return Response(status_code=204)

    app.state.settings = GatewaySettings(namespace=names.ns, audit_linger_s=linger)
    app.state.nc = nc
    app.add_middleware(AuditLog)
    return app


@contextlib.asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Run the app's lifespan as a server does: started, then shut down when the block ends."""
    inbox: asyncio.Queue = asyncio.Queue()
    outbox: asyncio.Queue = asyncio.Queue()
    life = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get,
                                   outbox.put))
    await inbox.put({"type": "lifespan.startup"})
    assert (await outbox.get())["type"] == "lifespan.startup.complete"
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client:
            yield client
    finally:
        await inbox.put({"type": "lifespan.shutdown"})
        assert (await outbox.get())["type"] == "lifespan.shutdown.complete"
        await life


async def sign_outs(client: httpx.AsyncClient, n: int) -> None:
    for _ in range(n):
        assert (await client.post("/v1/auth/logout")).status_code == 204


async def stored(nc, names: Names) -> tuple[int, list[audit.AuditEvent]]:
    """The audit stream's messages: how many, and the events they carry."""
    js = nc.jetstream()
    count = (await js.stream_info(names.stream("audit")["name"])).state.messages
    events: list[audit.AuditEvent] = []
    if count:
        sub = await js.pull_subscribe(names.all_audit_events(), stream=names.stream("audit")["name"],
                                      config=ConsumerConfig(inactive_threshold=10))
        for msg in await sub.fetch(count, timeout=5):
            if msg.subject == names.audit_batch:
                events += audit.AuditBatch.model_validate_json(msg.data).items
            else:
                events.append(audit.AuditEvent.model_validate_json(msg.data))
        await sub.unsubscribe()
    return count, events


async def test_the_gateway_publishes_what_it_buffered_when_it_shuts_down(audit_stream):
    nc, names = audit_stream
    async with serving(gateway(nc, names, linger=5.0)) as client:  # far longer than the test waits
        await sign_outs(client, 7)
        assert (await stored(nc, names))[0] == 0  # still lingering
    count, events = await stored(nc, names)  # the app has stopped
    assert count == 1  # one message for all of them
    assert len(events) == len({e.id for e in events}) == 7
    assert all(e.action == "auth.logout" and e.outcome == "ok" and e.status == 204 for e in events)


async def test_events_the_stream_refused_for_a_while_arrive_once_it_is_back(audit_stream):
    """The audit stream is away (as while auth makes it again, or a NATS cluster elects its JetStream leader):
    publishes are refused at once. The events wait and arrive when it is back, however long the old three tries
    would have taken."""
    nc, names = audit_stream
    async with serving(gateway(nc, names, linger=0.05)) as client:
        await sign_outs(client, 3)
        await wait_for(lambda: _holds(nc, names, 3), timeout=10)
        await nc.jetstream().delete_stream(names.stream("audit")["name"])
        await sign_outs(client, 40)  # answered at once, audit or not
        await asyncio.sleep(2.0)
        await ensure_streams(nc, names, ("audit",))
        _, events = await wait_for(lambda: _holds(nc, names, 40), timeout=20)
    assert len({e.id for e in events}) == 40 and all(e.action == "auth.logout" for e in events)


async def _holds(nc, names: Names, n: int):
    count, events = await stored(nc, names)
    return (count, events) if len({e.id for e in events}) >= n else None


def _event(action: str = "job.submit") -> audit.AuditEvent:
    return audit.AuditEvent(id=str(uuid.uuid4()), at=datetime.now(UTC), tenant_id="t1", actor_id=str(uuid.uuid4()),
                            actor_name="carol", action=action, target="job:1", source="127.0.0.1", outcome="ok",
                            status=201, details={"route": "/v1/jobs"})


async def test_auth_stores_batches_and_an_older_gateways_single_events_each_once(audit_stream, database_url):
    nc, names = audit_stream
    engine = db.make_engine(database_url)
    await db.migrate(engine, AUTH_MIGRATIONS, "alembic_version_auth")
    js = nc.jetstream()
    batch = [_event() for _ in range(5)]
    single = _event("key.revoke")
    payload = encode(audit.AuditBatch(items=batch))
    await js.publish(names.audit_batch, payload, headers={"Nats-Msg-Id": "b1"})
    await js.publish(names.audit_event(single.action), encode(single), headers={"Nats-Msg-Id": single.id})
    await js.publish(names.audit_batch, payload, headers={"Nats-Msg-Id": "b1-again"})  # the same batch twice
    await js.publish(names.audit_batch, json.dumps({"items": [{"id": "x"}]}).encode())  # malformed: dropped
    recorder = AuditRecorder(nc, names, db.sessions(engine))
    await recorder.start()
    ids = [e.id for e in [*batch, single]]
    try:
        async def rows():
            async with db.sessions(engine)() as session:
                found = list((await session.execute(select(AuditRow).where(AuditRow.id.in_(ids)))).scalars())
            return found if len(found) == len(ids) else None

        found = await wait_for(rows, timeout=20)
        # the consumer has acked everything, the malformed message too: nothing is left to redeliver
        info = await wait_for(lambda: _drained(js, names), timeout=10)
        assert info.num_ack_pending == 0
    finally:
        await recorder.stop()
        await engine.dispose()
    assert sorted(r.id for r in found) == sorted(ids)
    assert {r.action for r in found} == {"job.submit", "key.revoke"}


async def _drained(js, names: Names):
    info = await js.consumer_info(names.stream("audit")["name"], names.auth_audit_consumer)
    return info if info.num_pending == 0 and info.num_ack_pending == 0 else None
