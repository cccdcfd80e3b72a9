"""Replay and follow one training's events from the trainings stream, for SSE.

A training's stream holds its status changes (`{id}.status.{status}`, the jobs service's) and its run's events
(`{id}.run.{type}`, the trainer's, each with the run's lease). A client sees the status changes and the run's
`started`, `progress`, `sample`, `checkpoint`, `interrupted` and `log` (a TrainingLogEvent) events as they come,
named so; the run's own end (`succeeded`, `failed`) is not passed on, the training's status says how it ended
(after the model is registered).
A run event is passed on only when it carries the launched run's lease (the record's `run` is its digest): the
`trainer` identity may publish on any training's run subjects, so a run (or anyone with that identity) cannot show
another training's follower made-up progress. A terminal status is held until the record shows it, as for jobs.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from nats.aio.client import Client
from nats.js.api import ConsumerConfig, DeliverPolicy

from easel_gateway.clients import Services
from easel_gateway.training.views import view
from easel_proto.naming import LEASE_HEADER, lease_digest
from easel_proto.v1 import trainings
from easel_proto.v1.common import Principal

IDLE_CHECK_S = 10.0
TERMINAL = ("succeeded", "failed", "canceled")
FORWARDED_RUN_EVENTS = ("started", "progress", "sample", "checkpoint", "interrupted", "log")


async def follow(nc: Client, svc: Services, caller: Principal, record: trainings.TrainingRecord,
                 after_seq: int = 0) -> AsyncIterator[dict]:
    """Every event of the training in order (from after_seq), ending with its terminal status."""
    js = nc.jetstream()
    if after_seq:
        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=after_seq + 1)
    else:
        config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
    run = record.run  # set once, when the training is launched; its run's events come only after that
    sub = await js.subscribe(svc.names.training_events(record.id), stream=svc.names.stream("trainings")["name"],
                             ordered_consumer=True, config=config)
    try:
        while True:
            try:
                msg = await sub.next_msg(timeout=IDLE_CHECK_S)
            except TimeoutError:
                current = await svc.get_training(caller, record.id)
                if current.status in TERMINAL:  # its events aged out, or the end was never published
                    yield {"event": current.status, "data": view(current).model_dump_json()}
                    return
                continue
            *_, source, kind = msg.subject.split(".")
            if source == "run":
                if kind not in FORWARDED_RUN_EVENTS:
                    continue
                sent = (msg.headers or {}).get(LEASE_HEADER)
                if not sent:
                    continue
                if run is None:  # launched since the stream was opened (or a forgery before the launch)
                    run = (await svc.get_training(caller, record.id)).run
                if run is None or lease_digest(sent) != run:
                    continue
            if source == "status" and kind in TERMINAL:
                current = await _settled(svc, caller, record.id)
                if current is None or current.status != kind:
                    continue
                yield {"event": kind, "data": view(current).model_dump_json(),
                       "id": str(msg.metadata.sequence.stream)}
                return
            yield {"event": kind, "data": msg.data.decode(), "id": str(msg.metadata.sequence.stream)}
    finally:
        await sub.unsubscribe()


async def _settled(svc: Services, caller: Principal, training_id: str,
                   patience: float = 5.0) -> trainings.TrainingRecord | None:
    """The record once it shows an end (so a client reading it next agrees), or None within `patience`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while loop.time() < deadline:
        current = await svc.get_training(caller, training_id)
        if current.status in TERMINAL:
            return current
        await asyncio.sleep(0.05)
    return None
