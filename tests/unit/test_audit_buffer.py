"""The gateway's audit buffer: batches bounded by count and bytes, and, while NATS takes nothing, a bounded buffer
that drops its oldest events, counted and logged by number, never by content."""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

from easel_gateway.audit import BATCH_BYTES, BATCH_EVENTS, BUFFER_EVENTS, AuditBuffer
from easel_gateway.metrics import AUDIT_DROPPED
from easel_gateway.settings import GatewaySettings
from easel_proto.v1.audit import AuditBatch, AuditEvent
from easel_proto.wire import encode


class FakeJetStream:
    """Refuses every publish until `up`; then keeps each batch's events."""

    def __init__(self) -> None:
        self.up = False
        self.tried: list[str] = []  # each try's Nats-Msg-Id
        self.batches: list[tuple[str, bytes, dict]] = []

    def jetstream(self):
        return self

    async def publish(self, subject, payload, headers=None, timeout=None):
        self.tried.append(headers["Nats-Msg-Id"])
        if not self.up:
            raise TimeoutError
        self.batches.append((subject, payload, headers))


def event(marker: str, size: int = 0) -> bytes:
    return encode(AuditEvent(id=str(uuid.uuid4()), at=datetime.now(UTC), tenant_id="t", action="job.submit",
                             outcome="ok", target=marker, details={"pad": "x" * size} if size else {}))


def app_with(js: FakeJetStream) -> SimpleNamespace:
    return SimpleNamespace(state=SimpleNamespace(settings=GatewaySettings(audit_linger_s=0.01), nc=js))


async def published(js: FakeJetStream, n: int) -> list[AuditEvent]:
    for _ in range(500):
        events = [e for _, payload, _ in js.batches for e in AuditBatch.model_validate_json(payload).items]
        if len(events) >= n:
            return events
        await asyncio.sleep(0.01)
    raise AssertionError(f"{n} events were not published")


async def test_a_full_buffer_drops_its_oldest_events_by_number_and_keeps_the_rest_until_nats_takes_them(caplog):
    js, buffer = FakeJetStream(), AuditBuffer()
    app = app_with(js)
    before = AUDIT_DROPPED._value.get()
    for i in range(BUFFER_EVENTS + 7):
        buffer.add(app, event(f"marker-{i}"))
    assert AUDIT_DROPPED._value.get() == before + 7
    with caplog.at_level(logging.WARNING, logger="easel_gateway.audit"):
        await asyncio.sleep(1.0)  # NATS refuses: tried and tried again (longer than three tries take)
        js.up = True
        events = await published(js, BUFFER_EVENTS)
        await buffer.close()
    assert [e.target for e in events] == [f"marker-{i}" for i in range(7, BUFFER_EVENTS + 7)]  # each once, in order
    assert any("dropped 7 audit events" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    assert not any("marker-" in r.getMessage() for r in caplog.records)  # never what they held
    ids = [headers["Nats-Msg-Id"] for _, _, headers in js.batches]
    assert len(ids) == len(set(ids)) == BUFFER_EVENTS // BATCH_EVENTS
    tries = js.tried.count(ids[0])  # the first batch, tried again and again under its one id, then stored
    assert tries >= 3 and js.tried[:tries] == [ids[0]] * tries
    assert {subject for subject, _, _ in js.batches} == {"easel.audit.batch"}


async def test_batches_stay_under_the_byte_bound():
    js, buffer = FakeJetStream(), AuditBuffer()
    js.up = True
    app = app_with(js)
    for i in range(300):
        buffer.add(app, event(f"marker-{i}", size=2000))
    events = await published(js, 300)
    await buffer.close()
    assert len(events) == 300 and len(js.batches) >= 3
    assert all(len(payload) <= BATCH_BYTES + 16 for _, payload, _ in js.batches)
