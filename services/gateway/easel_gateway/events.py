"""Replay and follow one job's events from the event stream, for SSE."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from nats.aio.client import Client
from nats.js.api import ConsumerConfig, DeliverPolicy

from easel_gateway.clients import Services
from easel_gateway.queue_watch import QUEUE_CHECK_S
from easel_proto.naming import TERMINAL_EVENTS, event_type
from easel_proto.v1 import jobs
from easel_proto.v1.common import Principal

IDLE_CHECK_S = 10.0


def _place(position: int) -> dict:
    """A `queue` event: the job's place in its pool's queue (no id: it is not in the stream)."""
    return {"event": "queue", "data": json.dumps({"queue_position": position})}


async def follow(nc: Client, svc: Services, caller: Principal, record: jobs.JobRecord,
                 after_seq: int = 0) -> AsyncIterator[dict]:
    """Every event of the job in order (from after_seq), ending with its terminal event; while the job is queued,
    `queue` events with its queue_position, after its `queued` event and whenever the figure changes (read from the
    gateway's shared watch of its pool's queue, queue_watch.py, not asked for by each stream)."""
    js = nc.jetstream()
    subject = svc.names.job_events(record.id, "*")
    if after_seq:  # a reconnecting client: continue after the last event it saw
        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=after_seq + 1)
    else:
        config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
    sub = await js.subscribe(subject, stream=svc.names.stream("events")["name"], ordered_consumer=True, config=config)
    waiting, sent = record.status == "queued", None  # sent: the queue_position the client was last told
    place = svc.queue.watch(record.pool, record.id) if waiting else None
    if waiting and after_seq and record.queue_position is not None:  # a reconnecting client past its queued event
        sent = record.queue_position
        yield _place(sent)
    try:
        while True:
            try:
                msg = await sub.next_msg(timeout=QUEUE_CHECK_S if waiting else IDLE_CHECK_S)
            except TimeoutError:
                if waiting and place is not None and place.fresh(IDLE_CHECK_S) and not place.left:
                    if place.position is not None and place.position != sent:  # still queued: its pool's answer
                        sent = place.position
                        yield _place(sent)
                    continue
                # Quiet for a while, or out of its queue: if the job ended and its events aged out, end from the record.
                current = await svc.get_job(caller, record.id)
                if current.status in TERMINAL_EVENTS:
                    yield {"event": current.status, "data": current.model_dump_json()}
                    return
                waiting = waiting and current.status == "queued"
                if not waiting and place is not None:
                    place.close()
                if waiting and current.queue_position is not None and current.queue_position != sent:
                    sent = current.queue_position
                    yield _place(sent)
                continue
            kind = event_type(msg.subject)
            if kind in TERMINAL_EVENTS and await _settled(svc, caller, record.id) != kind:
                # the job did not end this way: a stale run's event, or one published by someone who may publish
                # events but holds no lease on this job; the real end still comes (or the record tells it)
                continue
            yield {"event": kind, "data": msg.data.decode(), "id": str(msg.metadata.sequence.stream)}
            if kind in TERMINAL_EVENTS:
                return
            if kind != "queued":
                waiting = False
                if place is not None:
                    place.close()
            elif waiting and sent is None and record.queue_position is not None:
                sent = record.queue_position
                yield _place(sent)
    finally:
        if place is not None:
            place.close()
        await sub.unsubscribe()


async def _settled(svc: Services, caller: Principal, job_id: str, patience: float = 5.0) -> str | None:
    """Hold a terminal event until the job record shows how the job ended (so a client that reads the job next
    agrees); that status, or None when the record shows no end within `patience`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while loop.time() < deadline:
        status = (await svc.get_job(caller, job_id)).status
        if status in TERMINAL_EVENTS:
            return status
        await asyncio.sleep(0.02)
    return None
