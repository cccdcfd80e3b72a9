"""From the ends of jobs, trainings and model imports to deliveries, so nothing that ends while the service is down
goes unannounced.

Jobs: the event folder (folding.py), which reads every job's terminal event on its durable consumer to end the row,
hands the ends to `on_job_ends` once their rows are written, and acks those events only after the deliveries are
made; a service that stops in between has the events delivered to the folder again, which folds nothing new and
hands them over again (the row ended: nothing is missed). The statement that ends a row also says whether the job
has anyone to tell (statements.TELL); where it did not (an end the folder saw again, the jobs service's own
`failed` and `canceled` events, SQLite), one statement per batch asks. Trainings and model imports: a durable
consumer each (the trainings stream, the registry's stream).

An event only says that something may have ended: its row says what did. A job's end is announced only when its row
is terminal, and the payload is built from the row, so a stray or forged event announces nothing that did not
happen. Each (endpoint, job or training) makes one delivery whose id is derived from the pair: an end seen twice (a
redelivery after a crash) inserts nothing new.

Before the folder handed them over, job ends had a durable consumer of their own (`jobs_webhooks_consumer`).
`catch_up` announces what it still holds and deletes it once it is empty and nothing else reads it (the replicas of
an earlier version, during a rolling upgrade).

Model records are the registry's, not this service's: an import's end is taken from the registry's event itself
(easel_registry.announce), which only the registry's NATS identity may publish (easel_common.nats_access); the
intake still checks that the subject, the event and the model agree before announcing it.

Deliveries follow their owners' current rights (owners.py): an endpoint whose owner is disabled or deleted, or a
tenant-wide one whose owner no longer holds jobs:read:any, gets no delivery; nor does a job's callback whose owner
is disabled or deleted. Where auth cannot say, nothing is written and the end is handled again later.

Most jobs have nobody to tell, and cost nothing here beyond the folder's statement.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import DeliverPolicy
from nats.js.errors import NotFoundError
from sqlalchemy import bindparam, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from easel_common import db
from easel_common.natsio import ensure_streams, pull_config
from easel_common.pulls import Consumer
from easel_jobs import flows as job_flows
from easel_jobs.models import TERMINAL, Job
from easel_jobs.settings import JobsSettings
from easel_jobs.statements import TELL
from easel_jobs.trainings.models import Training
from easel_jobs.webhooks.models import WebhookDelivery, WebhookEndpoint
from easel_jobs.webhooks.owners import Owners, may_hear
from easel_proto.naming import IMPORT_EVENTS, TERMINAL_EVENTS
from easel_proto.v1.registry import ModelImportEnded
from easel_proto.wire import decode, now

log = logging.getLogger(__name__)
WAIT_FOR_ROW_S = 0.5  # catch_up: a terminal event seen before its row changed comes back after this long
GIVE_UP_AFTER = 120  # ... this many times (a minute): an event whose row never ends announces nothing
BATCH = 64  # catch_up: job ends fetched (and looked up) at once
UNREAD_S = 5.0  # catch_up: the old consumer is deleted once empty and unread by anyone else this long
_JOB = Job.__table__
# Whether a job's end may have anyone to tell (statements.TELL), for one job and for many at once (those not
# returned have nobody); built once. An endpoint's `events` are not looked at here: `_deliver` filters them.
WANTED = select(TELL).where(_JOB.c.id == bindparam("b_id"))
WANTED_OF = select(_JOB.c.id).where(_JOB.c.id.in_(bindparam("b_ids", expanding=True)), TELL)


def delivery_id(target: str, subject_id: str) -> str:
    """The webhook-id of the one delivery of a job's or training's end to an endpoint (or callback URL)."""
    return "msg_" + hashlib.sha256(f"{target}\n{subject_id}".encode()).hexdigest()[:32]


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def job_payload(row: Job, public_url: str | None) -> dict[str, Any]:
    record = job_flows.record(row)
    base = (public_url or "").rstrip("/")
    images = [{"index": i.index, "seed": i.seed, "url": f"{base}/v1/jobs/{row.id}/images/{i.index}"}
              for i in record.images or []]
    data = record.model_dump(mode="json", exclude={"spec", "progress", "cancel_requested", "images"})
    data |= {"task": record.spec.task, "images": images}
    return {"type": f"job.{row.status}", "timestamp": _when(row.finished_at) or now().isoformat(), "data": data}


def training_payload(row: Training) -> dict[str, Any]:
    data = {"id": row.id, "status": row.status, "user_id": row.user_id, "tenant_id": row.tenant_id,
            "pool": row.pool, "method": row.method, "name": row.name, "model_id": row.model_id,
            "created_at": _when(row.created_at), "finished_at": _when(row.finished_at), "error": row.error}
    return {"type": f"training.{row.status}", "timestamp": _when(row.finished_at) or now().isoformat(),
            "data": data}


def model_payload(event: ModelImportEnded, kind: str) -> dict[str, Any]:
    m = event.model
    data = {"id": m.id, "status": m.status, "user_id": m.owner_id, "tenant_id": m.tenant_id, "name": m.name,
            "kind": m.kind, "base": m.base, "title": m.title, "sha256": m.sha256, "size": m.size,
            "created_at": _when(m.created_at), "finished_at": _when(event.at),
            "error": m.error.model_dump(mode="json") if m.error else None}
    return {"type": f"model.{kind}", "timestamp": _when(event.at), "data": data}


class Intake:
    def __init__(self, sessions: async_sessionmaker, settings: JobsSettings, wake: Callable[[], None],
                 owners: Owners) -> None:
        self.sessions, self.settings, self.names, self.wake = sessions, settings, settings.names, wake
        self.owners = owners
        self.engine = db.Lanes(db.autocommit(sessions.kw["bind"]), keep=1)  # one statement per event

    async def consumers(self, nc: Any) -> tuple[Any, Any]:
        """The durable consumers of trainings' and imports' ends. Created the first time from now on: the events
        before webhooks existed announce nothing. (Job ends come from the event folder: `on_job_ends`.)"""
        js, names = nc.jetstream(), self.names
        # the registry's stream may not exist yet (it is the registry's, made by whichever of the two starts first)
        await ensure_streams(nc, names, ("registry",), replicas=self.settings.stream_replicas)
        made = []
        for stream, durable, subjects in (
                (names.stream("trainings")["name"], names.jobs_webhooks_trainings_consumer,
                 [names.training_status("*", kind) for kind in TERMINAL_EVENTS]),
                (names.stream("registry")["name"], names.jobs_webhooks_models_consumer,
                 [names.registry_model_event("*", kind) for kind in IMPORT_EVENTS])):
            config = pull_config(durable, subjects)
            config.deliver_policy = DeliverPolicy.NEW  # the same at every start, so creating again changes nothing
            await js.add_consumer(stream, config)
            made.append(await Consumer(nc, stream, durable).start())  # read continuously (pulls.py)
        return made[0], made[1]

    async def on_job_ends(self, ends: list[tuple[str, bool | None]]) -> None:
        """Jobs whose terminal events the folder has just folded: (job id, whether the job has anyone to tell, as
        the statement that ended its row said; None where it did not say, which one statement for them all asks).
        Raises when something could not be done: the folder then has those events delivered again."""
        wanted = {job_id for job_id, tell in ends if tell}
        unknown = sorted({job_id for job_id, tell in ends if tell is None} - wanted)
        if unknown:
            async with self.engine.connect() as conn:
                wanted |= set((await conn.execute(WANTED_OF, {"b_ids": unknown})).scalars())
        added = 0
        for job_id in sorted(wanted):
            async with self.sessions.begin() as session:
                row = await session.get(Job, job_id)
                if row is None or row.status not in TERMINAL:  # the event ended nothing: a later one will
                    continue
                added += await self._deliver(session, "job", row.id, row.user_id, row.tenant_id,
                                             f"job.{row.status}", job_payload(row, self.settings.public_url),
                                             callback=getattr(row, "callback_url", None))
        if added:
            self.wake()

    async def catch_up(self, nc: Any, stopping: asyncio.Event) -> None:
        """Announce the job ends an earlier version's own consumer still holds, then delete it: once it is empty and
        no other process has pulled from it for `UNREAD_S` (replicas of that version, during a rolling upgrade,
        still read it and announce the ends they fold). Returns at once where there is none."""
        js, stream, durable = nc.jetstream(), self.names.stream("events")["name"], self.names.jobs_webhooks_consumer
        try:
            await js.consumer_info(stream, durable)
        except NotFoundError:
            return
        except Exception:  # it is looked for again at the next start
            log.warning("could not look for the earlier job-ends consumer", exc_info=True)
            return
        sub = await js.pull_subscribe_bind(durable, stream)
        unread_since = None
        while not stopping.is_set():
            try:
                msgs = await sub.fetch(BATCH, timeout=1.0)
            except (TimeoutError, NatsTimeout):
                msgs = []
            except Exception:  # broker gone for a moment, or the consumer deleted by another replica
                log.warning("reading the earlier job-ends consumer failed; retrying", exc_info=True)
                await asyncio.sleep(1.0)
                msgs = []
            if msgs:
                unread_since = None
                await self.on_job_events(msgs)
                continue
            try:
                info = await js.consumer_info(stream, durable)
            except NotFoundError:
                break
            except Exception:
                continue
            if info.num_pending or info.num_ack_pending or info.num_waiting:
                unread_since = None
                continue
            unread_since = unread_since or asyncio.get_running_loop().time()
            if asyncio.get_running_loop().time() - unread_since >= UNREAD_S:
                with contextlib.suppress(NotFoundError):
                    await js.delete_consumer(stream, durable)
                log.info("the earlier job-ends consumer is empty and unread: deleted")
                break
        with contextlib.suppress(Exception):
            await sub.unsubscribe()

    async def on_job_events(self, msgs: list[Any]) -> None:
        """A batch of job ends from the earlier consumer (catch_up): one statement says which jobs may have anyone
        to tell; the others' events are acked at once. A message that fails is retried after a pause, alone."""
        try:
            async with self.engine.connect() as conn:
                ids = sorted({msg.subject.split(".")[-2] for msg in msgs})
                wanted = set((await conn.execute(WANTED_OF, {"b_ids": ids})).scalars())
        except Exception:
            log.exception("could not look up %d job ends; will retry", len(msgs))
            for msg in msgs:
                await msg.nak(delay=1.0)
            return
        for msg in msgs:
            try:
                await self.on_job_event(msg, wanted=msg.subject.split(".")[-2] in wanted)
            except Exception:
                log.exception("could not handle %s; will retry", msg.subject)
                await msg.nak(delay=1.0)

    async def on_job_event(self, msg: Any, wanted: bool | None = None) -> None:
        """One job end (`wanted`: whether its job may have anyone to tell, when the caller has looked it up)."""
        job_id = msg.subject.split(".")[-2]
        if wanted is None:
            async with self.engine.connect() as conn:
                wanted = bool((await conn.execute(WANTED, {"b_id": job_id})).scalar())
        if not wanted:  # no such job, or nobody to tell
            await msg.ack()
            return
        async with self.sessions.begin() as session:
            row = await session.get(Job, job_id)
            if row is None:
                await msg.ack()
                return
            if row.status not in TERMINAL:
                await self._later(msg, f"job {job_id}")
                return
            added = await self._deliver(session, "job", row.id, row.user_id, row.tenant_id, f"job.{row.status}",
                                        job_payload(row, self.settings.public_url),
                                        callback=getattr(row, "callback_url", None))
        await msg.ack()
        if added:
            self.wake()

    async def on_training_event(self, msg: Any) -> None:
        training_id = msg.subject.split(".")[-3]
        async with self.sessions.begin() as session:
            row = await session.get(Training, training_id)
            if row is None:
                await msg.ack()
                return
            if row.status not in TERMINAL:
                await self._later(msg, f"training {training_id}")
                return
            added = await self._deliver(session, "training", row.id, row.user_id, row.tenant_id,
                                        f"training.{row.status}", training_payload(row))
        await msg.ack()
        if added:
            self.wake()

    async def on_model_event(self, msg: Any) -> None:
        """An import's end, as the registry published it (it alone may: nats_access.py)."""
        *_, model_id, kind = msg.subject.split(".")
        try:
            event = decode(ModelImportEnded, msg.data)
        except ValueError:  # pydantic's ValidationError and JSON errors alike
            event = None
        expected = "ready" if kind == "imported" else "failed"
        if event is None or event.model.id != model_id or event.model.status != expected:
            log.warning("ignoring a malformed import event on %s", msg.subject)
            await msg.ack()
            return
        model = event.model
        async with self.sessions.begin() as session:
            added = await self._deliver(session, "model", model.id, model.owner_id, model.tenant_id,
                                        f"model.{kind}", model_payload(event, kind))
        await msg.ack()
        if added:
            self.wake()

    async def _later(self, msg: Any, what: str) -> None:
        if msg.metadata.num_delivered >= GIVE_UP_AFTER:
            log.warning("%s: a terminal event, but the row never ended; announcing nothing", what)
            await msg.ack()
        else:
            await msg.nak(delay=WAIT_FOR_ROW_S)

    async def _deliver(self, session: AsyncSession, kind: str, subject_id: str, user_id: str, tenant_id: str,
                       type_: str, payload: dict[str, Any], callback: str | None = None) -> int:
        """Insert a pending delivery for each enabled endpoint that wants this event (and the job's callback), whose
        owner may hear it now (owners.py)."""
        rows = await session.execute(select(WebhookEndpoint).where(
            WebhookEndpoint.tenant_id == tenant_id, WebhookEndpoint.enabled.is_(True),
            or_(WebhookEndpoint.user_id == user_id, WebhookEndpoint.scope == "tenant")))
        targets = [(e.id, e.id, e.user_id, e.url, e.scope) for e in rows.scalars() if type_ in e.events]
        if callback and kind == "job":
            targets.append((f"callback:{callback}", None, user_id, callback, "user"))
        if targets:
            standing = await self.owners.standing(t[2] for t in targets)
            targets = [t for t in targets if may_hear(standing.get(t[2]), scope=t[4], tenant_id=tenant_id)]
        added, at = 0, now()
        for target, endpoint_id, owner, url, _scope in targets:
            key = delivery_id(target, subject_id)
            if await session.get(WebhookDelivery, key) is not None:
                continue
            session.add(WebhookDelivery(id=key, endpoint_id=endpoint_id, user_id=owner, tenant_id=tenant_id,
                                        url=url, type=type_, subject_id=subject_id, payload=payload,
                                        status="pending", attempts=0, next_attempt_at=at, created_at=at))
            added += 1
        return added
