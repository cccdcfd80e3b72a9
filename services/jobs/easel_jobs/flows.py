"""Job orchestration: the database, the queue and the event stream kept in step."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING

from nats.aio.client import Client
from nats.js.api import RawStreamMsg
from nats.js.errors import NotFoundError
from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_common import db
from easel_common.natsio import principal_headers
from easel_common.storage_quota import StorageQuota
from easel_common.tenants import TenantView
from easel_jobs import quotas, service
from easel_jobs.merges import Merges
from easel_jobs.metrics import DEAD_LETTERED, QUEUE_WAIT, child, entered, succeeded
from easel_jobs.models import ACTIVE, Job
from easel_jobs.routing import Router
from easel_proto import Names
from easel_proto.errors import Conflict, DeliveriesExhausted, QuotaExceeded, Unauthenticated, Unavailable
from easel_proto.naming import LEASE_HEADER, TERMINAL_EVENTS, lease_digest, run_id
from easel_proto.v1 import common, jobs
from easel_proto.wire import decode, encode, now

if TYPE_CHECKING:
    from easel_jobs.pools.manage import Pools

log = logging.getLogger(__name__)


def record(job: Job | Row, progress: jobs.Progress | None = None,
           spec: jobs.GenerationSpec | None = None) -> jobs.JobRecord:
    """The API view of a row (`spec`: its spec, when the caller has it parsed already)."""
    spec = spec or jobs.GenerationSpec.model_validate(job.spec)
    done = job.status == "succeeded"
    end = job.finished_at
    return jobs.JobRecord(
        id=job.id, status=job.status, user_id=job.user_id, tenant_id=job.tenant_id, pool=job.pool, spec=spec,
        created_at=job.created_at, started_at=job.started_at, finished_at=end,
        # an interrogate job's output is text (naming.text_key), not images
        images=[jobs.ImageRef(index=i, seed=s) for i, s in enumerate(spec.seeds[:_made(job, done)])]
        if spec.task not in ("interrogate", "merge") else [],
        progress=progress, error=common.Error.model_validate(job.error) if job.error else None,
        attempts=job.attempts, cancel_requested=job.cancel_requested, model_id=getattr(job, "model_id", None),
        expired_at=getattr(job, "expired_at", None),
        timings=jobs.Timings(
            queue_s=(job.started_at - job.created_at).total_seconds() if job.started_at else None,
            load_s=job.load_s, generation_s=job.generation_s, steps_per_s=job.steps_per_s,
            total_s=(end - job.created_at).total_seconds() if end else None,
        ),
    )


def _made(job: Job | Row, succeeded: bool) -> int:
    """How many of the job's images exist: all when it succeeded; those an interrupted run made (canceled)."""
    if succeeded:
        return len(job.image_keys)
    return (getattr(job, "images_kept", None) or 0) if job.status == "canceled" else 0


class JobFlows:
    def __init__(self, nc: Client, sessions: async_sessionmaker, names: Names, router: Router | None = None,
                 register_timeout_s: float = 120.0) -> None:
        self.nc, self.js, self.sessions, self.names = nc, nc.jetstream(), sessions, names
        # single statements (an insert without quotas, a first claim, a transition) need no BEGIN and COMMIT
        self.engine = db.Lanes(db.autocommit(sessions.kw["bind"]))  # connections held between statements
        self.router = router  # None: every job goes to its pool's queue
        # tenant states (disabled, tenant-wide quotas) from the tenants KV bucket; None: no tenant is limited
        self.tenants: TenantView | None = None
        self.pools: Pools | None = None  # the pool list (easel_jobs.pools); None: any pool is taken
        self.storage: StorageQuota | None = None  # tenants' storage_bytes quota; None: not checked
        self.events_stream = names.stream("events")["name"]
        self.merges = Merges(self, register_timeout_s)

    async def check_storage(self, tenant_id: str, what: str) -> None:
        """Refuse new work (`what`: jobs, trainings) while the tenant is at its storage_bytes quota (a cached
        figure: easel_common.storage_quota)."""
        if self.storage is not None:
            await self.storage.check(tenant_id, what)

    async def _check_storage(self, req: jobs.CreateJobRequest) -> None:
        """A tenant at its storage_bytes stores no new images; an idempotent retry of a job already accepted is let
        through, as for the other quotas."""
        try:
            await self.check_storage(req.principal.tenant_id, "jobs")
        except QuotaExceeded:
            if req.idempotency_key:
                async with self.engine.connect() as conn:
                    earlier = await service.get_by_idempotency_key(conn, user_id=req.principal.user_id,
                                                                   key=req.idempotency_key)
                if earlier is not None and service.names_earlier(earlier, req):
                    return
            raise

    async def _event(self, job_id: str, type_: str, message: jobs.BaseModel, msg_id: str | None = None) -> None:
        headers = {"Nats-Msg-Id": msg_id} if msg_id else None
        await self.js.publish(self.names.job_events(job_id, type_), encode(message), headers=headers)

    async def _status_event(self, job: Job | Row, status: str) -> None:
        await self._event(job.id, status, jobs.JobStatusEvent(job_id=job.id, status=status, at=now(),
                                                              worker_id=job.worker_id, attempt=max(job.attempts, 1)),
                          msg_id=f"{job.id}.{status}.{job.attempts}")

    async def submit(self, req: jobs.CreateJobRequest, deadline: float | None = None) -> jobs.CreateJobReply:
        """Record the job, then queue it; a job that cannot be queued is marked failed, never lost.

        `deadline` (epoch seconds): when the caller stops waiting for the answer. A job is stored only before it, so
        a caller that gave up (and answered its client with an error) never leaves one behind."""
        if self.pools is not None:  # a pool deleted or disabled since the gateway's view of the list was sent
            self.pools.check_open(req.pool)
        job_id = str(uuid.uuid4())
        tenant_quotas = None
        if self.tenants is not None:
            if self.tenants.disabled(req.principal.tenant_id):
                raise Unauthenticated(f"tenant {req.principal.tenant_id} is disabled")
            tenant_quotas = self.tenants.get(req.principal.tenant_id).quotas
            if tenant_quotas is not None and tenant_quotas.storage_bytes is not None:
                await self._check_storage(req)
        if quotas.needed(req, tenant_quotas):  # the count and the insert are one step, under the user's lock
            async with self.sessions.begin() as session:
                await quotas.check(session, req, tenant=tenant_quotas)
                job, created = await service.create(session, job_id=job_id, req=req)
                _before(deadline)
        else:
            async with self.engine.connect() as conn:
                _before(deadline)
                job, created = await service.create(conn, job_id=job_id, req=req)
        if not created:
            return jobs.CreateJobReply(job=record(job), created=False)
        # the queued message names its owner and nothing else of the caller: no key, session, roles or permissions
        owner = common.Principal(user_id=job.user_id, tenant_id=job.tenant_id, username=req.principal.username)
        message = jobs.JobSubmitted(job_id=job.id, principal=owner, pool=job.pool, spec=req.spec,
                                    image_keys=job.image_keys, submitted_at=job.created_at)
        try:
            queue = (await self.router.route(job.id, job.pool, req.spec) if self.router is not None
                     else self.names.job_queue(job.pool))
            # The queued event and the queue message leave together, the event first: one connection keeps their
            # order and each stream stores in arrival order, so the `starting` a claim publishes (a round trip to a
            # worker later) comes after `queued` in the job's events. One round trip instead of two; the answer
            # still waits for both acks. Should the event not be stored, the job is failed below and a worker's
            # claim of its message is refused (the row is no longer queued).
            outcomes = await asyncio.gather(
                self._status_event(job, "queued"),
                self.js.publish(queue, encode(message),
                                headers={"Nats-Msg-Id": job.id, **principal_headers(job.user_id, job.tenant_id)}),
                return_exceptions=True)
            for outcome in outcomes:
                if isinstance(outcome, BaseException):
                    raise outcome
        except Exception as exc:
            log.exception("could not queue job %s", job.id)
            if self.router is not None:  # a worker reserved for it is free for the next job at once
                with contextlib.suppress(Exception):
                    await self.router.unroute(job.id)
            error = Unavailable("the job queue did not accept the job").to_wire()
            await self._finish(job.id, "failed", error)
            with contextlib.suppress(Exception):  # the broker may be the thing that is down
                await self._event(job.id, "failed", jobs.JobFailed(job_id=job.id, at=now(), error=error),
                                  msg_id=f"{job.id}.failed")
            raise Unavailable("the job queue is unavailable; the job was not queued", job_id=job.id) from exc
        entered("queued", job.pool, job.tenant_id)
        return jobs.CreateJobReply(job=record(job, spec=req.spec), created=True)

    async def _progress(self, job: Job) -> jobs.Progress | None:
        if job.status not in ("starting", "processing"):
            return None
        try:
            msg = await self.js.get_last_msg(self.events_stream, self.names.job_events(job.id, "progress"))
        except NotFoundError:
            return None
        event = decode(jobs.JobProgress, msg.data)
        return jobs.Progress(step=event.step, steps=event.steps, preview=event.preview)

    async def get(self, ref: jobs.JobRef) -> jobs.JobRecord:
        async with self.sessions() as session:
            job = await service.get(session, job_id=ref.job_id, owner=ref.principal, any_owner=ref.any_owner)
            position = await service.queue_position(session, job=job)
        out = record(job, await self._progress(job))
        out.queue_position = position
        return out

    async def list(self, req: jobs.ListJobsRequest) -> jobs.ListJobsReply:
        async with self.sessions() as session:
            page, cursor = await service.list_for(session, owner=req.principal, limit=req.limit, cursor=req.cursor,
                                                  status=req.status, all_users=req.all_users,
                                                  idempotency_key=req.idempotency_key, prompt=req.prompt)
        return jobs.ListJobsReply(items=[record(j) for j in page], next_cursor=cursor)

    async def cancel(self, ref: jobs.JobRef) -> jobs.JobRecord:
        if ref.skip:
            return await self.skip(ref)
        async with self.sessions.begin() as session:
            job = await service.get(session, job_id=ref.job_id, owner=ref.principal, any_owner=ref.any_owner)
            outcome = await service.request_cancel(session, job=job)
        async with self.sessions() as session:
            job = await service.get(session, job_id=ref.job_id)
        if outcome == "canceled":
            entered("canceled", job.pool, job.tenant_id)
            await self._status_event(job, "canceled")
        else:
            cancel = jobs.JobCancel(job_id=job.id, at=now())
            await self.nc.publish(self.names.job_interrupt(job.id), encode(cancel))
        return record(job)

    async def skip(self, ref: jobs.JobRef) -> jobs.JobRecord:
        """The web UI's skip: the running job's worker ends its current batch and goes on with the next."""
        async with self.sessions() as session:
            job = await service.get(session, job_id=ref.job_id, owner=ref.principal, any_owner=ref.any_owner)
        if job.status not in ("starting", "processing"):
            raise Conflict(f"job {job.status}: only a running job's batch can be skipped", field="status",
                           status=job.status)
        await self.nc.publish(self.names.job_interrupt(job.id), encode(jobs.JobCancel(job_id=job.id, at=now(),
                                                                                      skip=True)))
        return record(job)

    async def run_result(self, job_id: str, lease: str | None) -> RawStreamMsg | None:
        """The terminal event (succeeded, failed, canceled) the run holding `lease` (a digest) already published,
        from the event stream: there before this service has folded it when its consumer lags (after an outage)."""
        if not lease:
            return None
        for kind in TERMINAL_EVENTS:
            try:
                msg = await self.js.get_last_msg(self.events_stream, self.names.job_events(job_id, kind))
            except NotFoundError:
                continue
            sent = (msg.headers or {}).get(LEASE_HEADER)
            if sent and lease_digest(sent) == lease:
                return msg
        return None

    async def claim(self, req: jobs.ClaimJobRequest, pool: str) -> jobs.ClaimJobReply:
        """A worker of `pool` (known from the subject it could claim on) asks to start a job; the reply's lease is
        what its events must carry."""
        if await self._held(req.job_id):
            return jobs.ClaimJobReply(proceed=False, status="queued")
        lease = secrets.token_urlsafe(24)
        async with self.engine.connect() as conn:
            job = await service.claim_fresh(conn, job_id=req.job_id, worker_id=req.worker_id, pool=pool, lease=lease,
                                            sequence=req.sequence)
        if job is None:
            return await self._claim_again(req, pool, lease)
        return await self._started(job, lease, replaced=None)

    async def _held(self, job_id: str) -> bool:
        """Whether a job waits for its disabled tenant: not yet started, it is not handed to a worker (whose copy of
        the queue message is dropped); `requeue_tenant` queues it again when the tenant is enabled. A job that had
        started runs on. Costs a lookup only while some tenant is disabled."""
        if self.tenants is None or not self.tenants.any_disabled():
            return False
        async with self.sessions() as session:
            row = (await session.execute(select(Job.tenant_id, Job.status).where(Job.id == job_id))).first()
        return row is not None and row.status == "queued" and self.tenants.disabled(row.tenant_id)

    async def requeue_tenant(self, tenant_id: str, revision: int) -> int:
        """Queue again the tenant's jobs that waited while it was disabled (every queued one: a copy meeting a
        message still in the queue is harmless, as the claim lets one run). Replicas doing the same at once send
        the same message id, which JetStream keeps once."""
        async with self.sessions() as session:
            held = list((await session.execute(select(Job).where(Job.tenant_id == tenant_id,
                                                                 Job.status == "queued"))).scalars())
        for job in held:
            owner = common.Principal(user_id=job.user_id, tenant_id=job.tenant_id, username="")
            message = jobs.JobSubmitted(job_id=job.id, principal=owner, pool=job.pool, spec=job.spec,
                                        image_keys=job.image_keys, submitted_at=job.created_at)
            await self.js.publish(self.names.job_queue(job.pool), encode(message),
                                  headers={"Nats-Msg-Id": f"{job.id}.resume.{revision}",
                                           **principal_headers(job.user_id, job.tenant_id)})
        if held:
            log.info("tenant %s enabled again: %d queued job(s) sent to their pools", tenant_id, len(held))
        return len(held)

    async def _claim_again(self, req: jobs.ClaimJobRequest, pool: str, lease: str) -> jobs.ClaimJobReply:
        """The claim of a job that a run held before (or that is not queued): what `service.claim` decides.

        At most one run per result: should the current run's result be in the event stream already, not yet folded
        into the row (this service's consumer lags, say after NATS was away), it is folded now and the claim
        refused, whatever order the two arrive in. Only a job that was started before can have one."""
        async with self.sessions() as session:
            current = await session.get(Job, req.job_id)
        if current is not None and current.lease and current.status in ACTIVE:
            done = await self.run_result(req.job_id, current.lease)
            if done is not None:
                await self.apply_event(done.subject, done.data, done.headers)
                async with self.sessions() as session:
                    folded = await session.get(Job, req.job_id)
                return jobs.ClaimJobReply(proceed=False, status=folded.status if folded else "failed")
        async with self.sessions.begin() as session:
            replaced = await service.lock_run(session, job_id=req.job_id)
            job, status = await service.claim(session, job_id=req.job_id, worker_id=req.worker_id,
                                              delivery=req.delivery, pool=pool, lease=lease, sequence=req.sequence)
        if job is None:
            return jobs.ClaimJobReply(proceed=False, status=status)
        if status == "canceled":
            await self._status_event(job, "canceled")
            return jobs.ClaimJobReply(proceed=False, status="canceled")
        return await self._started(job, lease, replaced)

    async def _started(self, job: Row, lease: str, replaced: str | None) -> jobs.ClaimJobReply:
        if replaced:
            # the run this claim replaces may still be going (a worker that was only slow, or whose message timed
            # out): tell it to stop, as its events no longer count
            await self.revoke(job.id, replaced)
        if job.attempts == 1:
            child(QUEUE_WAIT, job.pool).observe((job.started_at - job.created_at).total_seconds())
        entered("starting", job.pool, job.tenant_id)
        await self._status_event(job, "starting")
        return jobs.ClaimJobReply(proceed=True, status="starting", lease=lease)

    async def revoke(self, job_id: str, lease_digest: str) -> None:
        """Tell whichever worker runs the job under that lease to stop and report nothing (core NATS: a worker
        that misses it is still held off by the lease)."""
        message = jobs.JobRevoke(job_id=job_id, run=run_id(lease_digest), at=now())
        await self.nc.publish(self.names.job_revoke(job_id), encode(message))

    async def fail(self, job_id: str, error: common.Error, allowed_from: tuple[str, ...] = ACTIVE) -> bool:
        """End a job as failed with `error` (no worker's word needed) and say so in its events; False when it was
        no longer in `allowed_from`."""
        async with self.engine.connect() as conn:
            changed = await service.transition(conn, job_id=job_id, to="failed", allowed_from=allowed_from,
                                               finished_at=now(), error=error.model_dump(mode="json"))
        if changed is None:
            return False
        entered("failed", changed.pool, changed.tenant_id)
        await self._event(job_id, "failed", jobs.JobFailed(job_id=job_id, at=now(), error=error),
                          msg_id=f"{job_id}.failed")
        return True

    async def _finish(self, job_id: str, status: str, error: common.Error | None = None, *, lease: str | None = None,
                      tell: bool = False, **values: object) -> Row | None:
        async with self.engine.connect() as conn:
            changed = await service.transition(
                conn, job_id=job_id, to=status, allowed_from=ACTIVE, finished_at=now(), lease=lease, tell=tell,
                error=error.model_dump(mode="json") if error else None, **values)
        if changed is not None:
            entered(status, changed.pool, changed.tenant_id)
        return changed

    async def apply_event(self, subject: str, data: bytes, headers: Mapping[str, str] | None) -> bool | None:
        """Fold a worker's event into the job row. Only an event carrying the lease of the job's current run counts:
        duplicates, late events of an earlier run and events anyone else publishes change nothing. (The jobs
        service's own events carry no lease; it changed the row before publishing them.)

        Returns, when this event ended the job's row, whether the job has anyone to tell of its end (a callback or
        an enabled webhook endpoint: statements.TELL, read in the same statement); None when it ended nothing here
        (or on SQLite, which does not say): the webhook intake then looks for itself."""
        lease = (headers or {}).get(LEASE_HEADER)
        *_, job_id, kind = subject.split(".")
        message_type = {"processing": jobs.JobStatusEvent, "succeeded": jobs.JobResult, "failed": jobs.JobFailed,
                        "canceled": jobs.JobStatusEvent}.get(kind)
        if not lease or message_type is None:
            return None
        event = decode(message_type, data)
        if event.job_id != job_id:  # the row changed must be the one whose events SSE clients follow
            log.warning("ignoring a %s event for job %s published on job %s's subject", kind, event.job_id, job_id)
            return None
        if kind == "processing":
            await self.mark_processing([(job_id, lease)])
            return None
        if kind == "succeeded":
            timings = event.timings
            registered: dict[str, object] = {}
            if event.merged is not None:
                model_id = await self.merges.register(job_id, lease, event.merged)
                if model_id is None:
                    return None  # refused (the job failed, saying why) or not the current run's result
                registered["model_id"] = model_id
            done = await self._finish(job_id, "succeeded", lease=lease, tell=True, load_s=timings.load_s,
                                      generation_s=timings.generation_s, steps_per_s=timings.steps_per_s,
                                      **registered)
            if done is None and registered:  # it ended otherwise meanwhile: the model must not stay
                await self.merges.unregister(job_id)
            if done is not None:
                succeeded(done.pool, done.tenant_id, images=len(event.image_keys),
                          latency_s=(now() - done.created_at).total_seconds(),
                          worker_s=(timings.load_s, timings.generation_s))
        elif kind == "failed":
            done = await self._finish(job_id, "failed", event.error, lease=lease, tell=True)
        else:
            kept = await self._kept(job_id, event.image_keys) if event.image_keys else 0
            done = await self._finish(job_id, "canceled", lease=lease, tell=True,
                                      **({"images_kept": kept} if kept else {}))
        return getattr(done, "tell", None)

    async def _kept(self, job_id: str, made: list[str]) -> int:
        """How many images an interrupted run wrote: the job's first ones, as its worker names them (keys that are
        not the job's first count none)."""
        async with self.sessions() as session:
            row = await session.get(Job, job_id)
        keys = row.image_keys if row is not None else []
        return len(made) if made == keys[:len(made)] else 0

    async def mark_processing(self, runs: list[tuple[str, str]]) -> None:
        """Fold `processing` events, (job id, lease) each, into their rows at once."""
        async with self.engine.connect() as conn:
            await service.mark_processing(conn, runs=runs)

    async def on_deliveries_exhausted(self, data: bytes) -> None:
        """A job's every delivery ended without an answer: mark it failed with the reason."""
        advisory = json.loads(data)
        seq, stream = advisory["stream_seq"], advisory["stream"]
        try:
            msg = await self.js.get_msg(stream, seq)
        except NotFoundError:
            return  # already handled by an earlier replay of this advisory
        submitted = decode(jobs.JobSubmitted, msg.data)
        error = DeliveriesExhausted(
            f"the job was delivered {advisory.get('deliveries')} times and no worker finished it "
            "(worker crashed or timed out)", deliveries=advisory.get("deliveries")).to_wire()
        if await self.fail(submitted.job_id, error):
            DEAD_LETTERED.labels(submitted.pool).inc()
        await self.js.delete_msg(stream, seq)


def _before(deadline: float | None) -> None:
    """Refuse to store anything once the caller's deadline has passed: it has answered its client already."""
    if deadline is not None and time.time() >= deadline:
        raise Unavailable("the caller's deadline passed before the job was stored; it was not created")
