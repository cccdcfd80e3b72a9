"""Data functions over job rows; every state change is a guarded update, so replays are harmless.

The per-job statements (insert, first claim, transitions; statements.py) are single statements, one round trip
each, run on an autocommit connection where nothing else shares their transaction (db.autocommit), straight on the
asyncpg connection there (easel_common.direct)."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Row, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from easel_common import direct
from easel_jobs import statements
from easel_jobs.models import ACTIVE, ENDED_EARLY, TERMINAL, Job
from easel_jobs.statements import CHANGED, JOBS
from easel_proto.errors import Conflict, InvalidInput, NotFound
from easel_proto.naming import image_key, lease_digest, worker_token
from easel_proto.v1 import common, jobs
from easel_proto.wire import now

Db = AsyncSession | AsyncConnection  # what the statements below run on: either has execute()


async def get(session: AsyncSession, *, job_id: str, owner: common.Principal | None = None,
              any_owner: bool = False) -> Job:
    """A job; with `owner`, only if it is theirs, or in their tenant with `any_owner` (else NotFound, no hint)."""
    job = await session.get(Job, job_id)
    if job is None:
        raise NotFound(f"job {job_id} not found")
    if owner is not None:
        visible = job.tenant_id == owner.tenant_id and (any_owner or job.user_id == owner.user_id)
        if not visible:
            raise NotFound(f"job {job_id} not found")
    return job


async def queue_position(session: AsyncSession, *, job: Job) -> int | None:
    """How many queued jobs of the job's pool, anyone's, were submitted before it (0: it is next); None unless it is
    queued. One count over the index (pool, status, created_at); the pool's queue is first in, first out, save a
    worker holding a job's model taking it early (routing.py)."""
    if job.status != "queued":
        return None
    ahead = or_(Job.created_at < job.created_at, and_(Job.created_at == job.created_at, Job.id < job.id))
    stmt = select(func.count()).select_from(Job).where(Job.pool == job.pool, Job.status == "queued", ahead)
    return int((await session.execute(stmt)).scalar_one())


async def get_by_idempotency_key(db: Db, *, user_id: str, key: str) -> Row | None:
    stmt = select(JOBS).where(JOBS.c.user_id == user_id, JOBS.c.idempotency_key == key)
    return (await db.execute(stmt)).first()


def _dialect(db: Db) -> str:
    return (db.dialect if isinstance(db, AsyncConnection) else db.bind.dialect).name


def new_job(job_id: str, req: jobs.CreateJobRequest) -> dict[str, Any]:
    """The row a submission inserts, as column values."""
    owner = req.principal
    return dict(
        id=job_id, user_id=owner.user_id, tenant_id=owner.tenant_id, pool=req.pool, status="queued",
        spec=req.spec.model_dump(mode="json"),
        image_keys=[image_key(owner.tenant_id, owner.user_id, job_id, i) for i in range(len(req.spec.seeds))],
        images=len(req.spec.seeds), idempotency_key=req.idempotency_key, request_hash=req.request_hash,
        attempts=0, cancel_requested=False, worker_id=None, lease=None, queue_seq=None, error=None,
        created_at=now(), started_at=None, finished_at=None, load_s=None, generation_s=None, steps_per_s=None,
        callback_url=req.callback_url,
    )


def names_earlier(earlier: Row, req: jobs.CreateJobRequest) -> bool:
    """Whether an earlier job under the request's Idempotency-Key is the one the key names: always for a client's
    key; for a key that holds only `idempotency_window_s` (one the gateway derived from the caller and the
    request), a job created within that window that did not fail or get canceled (the same call again, after
    those, is meant to run again)."""
    window = req.idempotency_window_s
    if window is None:
        return True
    return now() - earlier.created_at < timedelta(seconds=window) and earlier.status not in ENDED_EARLY


async def create(db: Db, *, job_id: str, req: jobs.CreateJobRequest) -> tuple[SimpleNamespace | Row, bool]:
    """Insert a queued job, or return the earlier one submitted with the same Idempotency-Key.

    One INSERT ... ON CONFLICT DO NOTHING: concurrent retries with one key insert one row. A key that holds only
    for a window (`idempotency_window_s`, the keys the gateway derives) is taken off an earlier job it no longer
    names (`names_earlier`), which keeps it as `{key}@{its id}`, so the new job can have it."""
    values = new_job(job_id, req)
    key = req.idempotency_key
    if not key:
        await direct.run(db, statements.INSERT, values)
        return SimpleNamespace(**values), True
    for _ in range(3):
        if await direct.run(db, statements.insert_new(_dialect(db)), values) is not None:
            return SimpleNamespace(**values), True
        earlier = await get_by_idempotency_key(db, user_id=req.principal.user_id, key=key)
        if earlier is None:
            continue  # taken off its job a moment ago: try again
        if names_earlier(earlier, req):
            return _same_request(earlier, req), False
        await db.execute(update(JOBS).where(JOBS.c.id == earlier.id, JOBS.c.idempotency_key == key)
                         .values(idempotency_key=f"{key[:200]}@{earlier.id}"))
    raise Conflict("Idempotency-Key is being used by concurrent requests; retry", field="Idempotency-Key")


def _same_request(earlier: Row, req: jobs.CreateJobRequest) -> Row:
    if req.request_hash and earlier.request_hash and req.request_hash != earlier.request_hash:
        raise Conflict("Idempotency-Key was already used for a different request", field="Idempotency-Key")
    return earlier


def _cursor(job: Job) -> str:
    return base64.urlsafe_b64encode(f"{job.created_at.isoformat()}|{job.id}".encode()).decode()


def _parse_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        created, job_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return datetime.fromisoformat(created), job_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("cursor", "not a cursor this API returned") from exc


async def list_for(session: AsyncSession, *, owner: common.Principal, limit: int, cursor: str | None,
                   status: str | None, all_users: bool = False, idempotency_key: str | None = None,
                   prompt: str | None = None) -> tuple[list[Job], str | None]:
    """The owner's jobs (or, with all_users, their tenant's), newest first, a page at a time; `prompt`: only
    those whose prompt contains it, ignoring case."""
    stmt = select(Job).where(Job.tenant_id == owner.tenant_id)
    if not all_users or idempotency_key is not None:  # a key names one of the caller's own jobs
        stmt = stmt.where(Job.user_id == owner.user_id)
    if idempotency_key is not None:
        stmt = stmt.where(Job.idempotency_key == idempotency_key)
    if status:
        stmt = stmt.where(Job.status == status)
    if prompt:  # the text is a bound parameter; LIKE's own wildcards in it are escaped
        escaped = prompt.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Job.spec["prompt"].as_string().ilike(f"%{escaped}%", escape="\\"))
    if cursor:
        created, job_id = _parse_cursor(cursor)
        stmt = stmt.where(or_(Job.created_at < created, and_(Job.created_at == created, Job.id < job_id)))
    rows = list((await session.execute(stmt.order_by(Job.created_at.desc(), Job.id.desc()).limit(limit + 1))).scalars())
    page = rows[:limit]
    return page, (_cursor(page[-1]) if len(rows) > limit else None)


async def transition(db: Db, *, job_id: str, to: str, allowed_from: tuple[str, ...],
                     lease: str | None = None, tell: bool = False, **values: Any) -> Row | None:
    """Move a job to `to` only from `allowed_from` (and, with `lease`, only in the run holding it); None when it
    was elsewhere (a replay, a race, a stale or forged event). With `tell`, on PostgreSQL, the row returned also
    says whether the job has anyone to tell of its end (`tell`; statements.TELL). Not on SQLite, for which
    RETURNING's columns are written unqualified (the subquery would compare the endpoints with themselves): there
    the row has no `tell`, and the webhook intake asks itself.

    One guarded UPDATE ... RETURNING: this runs several times per job, so it stays a single statement.
    """
    stmt = statements.transition(to, tuple(allowed_from), tuple(sorted(values)), lease is not None,
                                 tell and _dialect(db) == "postgresql")
    params = {f"b_{column}": value for column, value in values.items()}
    params["b_id"] = job_id
    if lease is not None:
        params["b_lease"] = lease_digest(lease)
    return await direct.run(db, stmt, params)


def _dialect(db: Db) -> str:
    return (db.dialect if isinstance(db, AsyncConnection) else db.get_bind().dialect).name


async def mark_processing(db: Db, *, runs: list[tuple[str, str]]) -> None:
    """`starting` -> `processing` for each (job id, lease) whose run still holds its job, in one statement."""
    await db.execute(statements.MARK_PROCESSING,
                     {"b_runs": [(job_id, lease_digest(lease)) for job_id, lease in runs]})


async def claim_fresh(db: Db, *, job_id: str, worker_id: str, pool: str, lease: str,
                      sequence: int | None = None) -> Row | None:
    """Start a job no run ever held (its first claim, the common case) in one guarded UPDATE; None for any other
    job, which `claim` decides. Such a job can have no result yet, nor a run to replace."""
    params = {"b_id": job_id, "b_pool": pool, "b_worker": worker_id, "b_lease": lease_digest(lease),
              "b_seq": sequence, "b_at": now()}
    return await direct.run(db, statements.CLAIM_FRESH, params)


async def lock_run(session: AsyncSession, *, job_id: str) -> str | None:
    """The digest of the job's current lease, with its row locked for the transaction (on PostgreSQL): a claim
    that follows knows exactly which run it replaces."""
    stmt = select(Job.lease).where(Job.id == job_id).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def claim(session: AsyncSession, *, job_id: str, worker_id: str, delivery: int, pool: str,
                lease: str, sequence: int | None = None) -> tuple[Row | None, str]:
    """A worker of `pool` starts a job; this run's `lease` (kept as a digest) is what its events must carry.

    Returns (job, 'starting') to run it, (job, 'canceled') when a pending cancel ends it now, and
    (None, status) when it already ended or runs elsewhere: the worker drops the message either way.
    A later delivery (`delivery` > 1) is JetStream handing back a job whose worker died or timed out, so it
    restarts a started job, but only when it is the message that started the run (`sequence`, the message's
    stream sequence, is recorded as `queue_seq`): should the message of a handed-over run come back while another
    run holds the job, it starts nothing. A first delivery of a job another worker started is a second copy of its
    message (one moved from a worker's own queue, or handed over, to the pool): refused, so exactly one worker runs
    the job. A job of another pool is never started.
    """
    guard = [Job.id == job_id, Job.pool == pool, Job.status.in_(ACTIVE), Job.cancel_requested.is_(False)]
    if delivery == 1:
        guard.append(or_(Job.status == "queued", Job.worker_id == worker_id))
    elif sequence is not None:
        guard.append(or_(Job.status == "queued", Job.queue_seq.is_(None), Job.queue_seq == sequence))
    started = (await session.execute(
        update(Job).where(*guard)
        .values(status="starting", worker_id=worker_id, attempts=Job.attempts + 1, lease=lease_digest(lease),
                queue_seq=sequence, started_at=func.coalesce(Job.started_at, now()))
        .returning(*CHANGED).execution_options(synchronize_session=False))).first()
    if started is not None:
        return started, "starting"
    job = await session.get(Job, job_id)
    if job is None or job.pool != pool:
        return None, "failed"
    if job.status in TERMINAL or _runs_elsewhere(job, worker_id=worker_id, delivery=delivery, sequence=sequence):
        return None, job.status
    canceled = await transition(session, job_id=job_id, to="canceled", allowed_from=ACTIVE, finished_at=now())
    return canceled, "canceled"


def _runs_elsewhere(job: Job, *, worker_id: str, delivery: int, sequence: int | None) -> bool:
    """Whether a claim's message is not one that may start the job now (claim's guard, in Python)."""
    if job.status == "queued":
        return False
    if delivery == 1:
        return job.worker_id != worker_id
    return sequence is not None and job.queue_seq is not None and job.queue_seq != sequence


async def running_on(session: AsyncSession, *, worker_ids: list[str]) -> list[Job]:
    """The started jobs whose current run is on one of these workers."""
    stmt = select(Job).where(Job.status.in_(("starting", "processing")), Job.worker_id.in_(worker_ids))
    return list((await session.execute(stmt)).scalars())


async def take_back(session: AsyncSession, *, job_id: str, lease: str) -> bool:
    """Put a started job back to queued while the run holding `lease` (a digest) still has it: its worker is gone.
    False when that run no longer holds it (it ended, another claim replaced it, or another replica was first).

    The lease stays until the next claim replaces it: should the gone run's result come after all, before
    anyone else starts the job, it still counts, and the job does not run again.
    """
    stmt = (update(Job).where(Job.id == job_id, Job.status.in_(("starting", "processing")), Job.lease == lease)
            .values(status="queued").execution_options(synchronize_session=False))
    return (await session.execute(stmt)).rowcount == 1


async def release(session: AsyncSession, *, job_id: str, worker_key: str) -> bool:
    """Put a job its worker (by worker_token) had started back to queued: the worker is gone, and a first
    delivery elsewhere must be able to claim it. False when the job is not started by that worker."""
    job = await session.get(Job, job_id)
    if job is None or job.status not in ("starting", "processing") or worker_token(job.worker_id or "") != worker_key:
        return False
    stmt = (update(Job).where(Job.id == job_id, Job.status.in_(("starting", "processing")),
                              Job.worker_id == job.worker_id)
            .values(status="queued").execution_options(synchronize_session=False))
    return (await session.execute(stmt)).rowcount == 1


async def request_cancel(session: AsyncSession, *, job: Job) -> str:
    """Cancel a job now if it is queued, else flag it for its worker; returns what happened."""
    if job.status in TERMINAL:
        raise Conflict(f"job already {job.status}", status=job.status)
    if job.status == "queued" and await transition(session, job_id=job.id, to="canceled", allowed_from=("queued",),
                                                   finished_at=now(), cancel_requested=True) is not None:
        return "canceled"
    await session.execute(update(Job).where(Job.id == job.id, Job.status.in_(ACTIVE))
                          .values(cancel_requested=True).execution_options(synchronize_session=False))
    return "interrupt"
