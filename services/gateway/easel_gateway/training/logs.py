"""A training's log, read from the trainings stream: the `run.log` batches its trainer published.

Only batches with the launched run's lease count (the record's `run` is its digest), as for the run's other events:
the `trainer` identity may publish on any training's subjects. Each line carries the stream sequence of its batch as
`seq`, and `cursor` is the last one read, so a client pages on with `after` (or follows the SSE `log` events, whose
ids are the same sequences). The trainer bounds what it publishes (easel_trainer.logs); READ_LIMIT bounds a read.
"""

from __future__ import annotations

from collections import deque

from nats.aio.client import Client
from nats.js.api import ConsumerConfig, DeliverPolicy

from easel_proto.naming import LEASE_HEADER, Names, lease_digest
from easel_proto.v1 import trainings

READ_LIMIT = 10_000  # batches read at most for one answer
WAIT_S = 2.0


async def read(nc: Client, names: Names, record: trainings.TrainingRecord, *, lines: int,
               after: int = 0) -> trainings.TrainingLogs:
    """The last `lines` lines (after=0), or the first `lines` published after the batch `after` (whole batches)."""
    found = trainings.TrainingLogs(training_id=record.id, lines=[], entries=[], cursor=after, dropped=0)
    if record.run is None:
        return found
    if after:
        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=after + 1)
    else:
        config = ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
    sub = await nc.jetstream().subscribe(names.training_run_events(record.id, "log"),
                                         stream=names.stream("trainings")["name"], ordered_consumer=True,
                                         config=config)
    kept: deque[trainings.TrainingLogLine] = deque(maxlen=None if after else lines)
    try:
        info = await sub.consumer_info()
        if not info.num_pending and not info.delivered.consumer_seq:
            return found
        for _ in range(READ_LIMIT):
            try:
                msg = await sub.next_msg(timeout=WAIT_S)
            except TimeoutError:
                break
            seq = msg.metadata.sequence.stream
            sent = (msg.headers or {}).get(LEASE_HEADER)
            if sent and lease_digest(sent) == record.run:
                try:
                    batch = trainings.TrainingLogEvent.model_validate_json(msg.data)
                except ValueError:
                    batch = None
                if batch is not None:
                    for line in batch.lines:
                        line.seq = seq
                        kept.append(line)
                    found.dropped += batch.dropped or 0
            found.cursor = seq
            if not msg.metadata.num_pending or (after and len(kept) >= lines):
                break
    finally:
        await sub.unsubscribe()
    found.entries = list(kept)
    found.lines = [f"{line.level.upper()} {line.text}" for line in found.entries]
    return found
