"""Job quotas enforced at submission: concurrent jobs, images per day, GPU-seconds per month.

`check` runs inside the transaction that inserts the job (`flows.JobFlows.submit`), so the count and the insert
are one step. What counts, for one user (tenant_id, user_id):

- **max_concurrent_jobs**: jobs now `queued`, `starting` or `processing`. A running job whose cancel was
  requested still counts until its worker stops it (it still holds the GPU). The new job must fit:
  active + 1 <= limit.
- **images_per_day**: images (`len(spec.seeds)`, the batch size), not jobs, of the jobs submitted since the last
  UTC midnight, except jobs that never produced anything for the user through no choice of theirs or
  before using a GPU:
  * a job canceled before a worker started it does not count (no GPU time was spent);
  * a failed job does not count (no images were delivered; failures to queue, worker crashes and generation
    errors are not the user's doing, so resubmitting costs nothing).
  Everything else counts: queued and running jobs (so a burst of submissions cannot overshoot the quota),
  succeeded jobs, and jobs canceled after they started. The whole batch of the new job must fit:
  used + batch <= limit; a batch larger than the daily limit can never pass and says so.
- **gpu_seconds_per_month**: the sum of `generation_s` (worker-reported generation time; only succeeded jobs
  report it) of the jobs submitted since the first of this UTC month, plus the GPU time of the user's trainings
  created this month (`trainings.quotas.trained_seconds`, as the training quota counts it: one quota for both).
  A job's cost is unknown until it runs, so a new job is admitted while used < limit; the last job of the month
  may go past the limit.

Usage is charged to the day and month in which the job was submitted. Over a limit, `QuotaExceeded` (429) names
it in `details.limit` with `allowed`, `used` and `retry_after_s` (seconds until it could pass: the next UTC
midnight, the next month, or a few seconds for concurrency; left out when the request can never pass).

An idempotent retry of a job that was already accepted is never refused (the caller gets the first job back).

**Tenant-wide quotas** (a platform admin sets them on the tenant; the jobs service reads them from the tenants KV
bucket, easel_common.tenants): the same three limits, counted the same way over every user of the tenant together
(trainings' GPU-seconds included), so the tenant's users together stay within them. A refusal names the tenant's
limit: `details.limit` is `tenant.<limit>`, with `tenant_id`. Each user's own limits are capped at the tenant's by
auth, so one user alone cannot go past the tenant's either.

Concurrency: on PostgreSQL a transaction-scoped advisory lock per user serializes submissions from any number
of gateways and jobs-service replicas, so two submissions cannot both take the last slot; a tenant with quotas adds
a lock per tenant (taken after the user's, always in that order). On SQLite a no-op write first takes the database's
write lock, which has the same effect.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, false, func, literal, not_, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from easel_jobs.models import ACTIVE, ENDED_EARLY, Job
from easel_jobs.trainings.models import Training
from easel_jobs.trainings.quotas import trained_seconds
from easel_proto.errors import QuotaExceeded
from easel_proto.v1 import jobs
from easel_proto.v1.common import Quotas

CONCURRENCY_RETRY_S = 5
# the first of the two int4 advisory-lock keys: this lock's own key space (the migrations use one bigint key)
_LOCK_CLASS = 0x45534C51  # "ESLQ"


def day_start(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def month_start(at: datetime) -> datetime:
    return day_start(at).replace(day=1)


def next_month(at: datetime) -> datetime:
    first = month_start(at)
    return (first + timedelta(days=32)).replace(day=1)


def _seconds_until(moment: datetime, at: datetime) -> int:
    return max(1, int((moment - at).total_seconds() + 0.999))


async def _lock(session: AsyncSession, user_id: str) -> None:
    """Hold the user's submission lock until the transaction ends."""
    dialect = session.bind.dialect.name
    if dialect == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:cls, hashtext(:user))"),
                              {"cls": _LOCK_CLASS, "user": user_id})
    elif dialect == "sqlite":
        # a write takes SQLite's single write lock now, before counting (a read-then-write transaction would
        # fail with SQLITE_BUSY instead of waiting for the other writer)
        await session.execute(update(Job).where(text("0")).values(status=Job.status)
                              .execution_options(synchronize_session=False))


def _refused(limit: str, message: str, *, allowed: float, used: float, retry_at: datetime | None,
             at: datetime, retry_s: int | None = None, **more: object) -> QuotaExceeded:
    details: dict = {"limit": limit, "allowed": allowed, "used": used, **more}
    if retry_s is not None:
        details["retry_after_s"] = retry_s
    elif retry_at is not None:
        details["retry_after_s"] = _seconds_until(retry_at, at)
    return QuotaExceeded(message, **details)


def _limits_jobs(q: Quotas | None) -> bool:
    return q is not None and not (q.max_concurrent_jobs is None and q.images_per_day is None
                                  and q.gpu_seconds_per_month is None)


def needed(req: jobs.CreateJobRequest, tenant: Quotas | None = None) -> bool:
    """Whether the submitter (or their tenant) has a job quota to check (else the job is inserted without a
    transaction)."""
    return _limits_jobs(req.quotas) or _limits_jobs(tenant)


async def check(session: AsyncSession, req: jobs.CreateJobRequest, at: datetime | None = None,
                tenant: Quotas | None = None) -> None:
    """Raise QuotaExceeded when this job would go over one of the submitter's job quotas, or of their tenant's
    (`tenant`: the tenant-wide quotas, None when it has none)."""
    at = at or datetime.now(UTC)
    if _limits_jobs(req.quotas):
        await _lock(session, req.principal.user_id)
        if await _check_user(session, req, at):
            return  # an idempotent retry of a job already accepted
    if _limits_jobs(tenant):
        await _lock(session, f"tenant:{req.principal.tenant_id}")
        await _check_tenant(session, req, tenant, at)


async def _check_user(session: AsyncSession, req: jobs.CreateJobRequest, at: datetime) -> bool:
    """The user's own limits; True when the request is an idempotent retry of a job already accepted."""
    q, owner = req.quotas, req.principal
    # one statement counts all three (the trainings' GPU-seconds in a subquery, only where that quota is set), and
    # finds an earlier job under the same Idempotency-Key
    today, month = day_start(at), month_start(at)
    trained = (trained_seconds(owner.tenant_id, owner.user_id, month).scalar_subquery()
               if q.gpu_seconds_per_month is not None else literal(0.0))
    refunded = or_(Job.status == "failed", and_(Job.status == "canceled", Job.started_at.is_(None)))
    same_key = Job.idempotency_key == req.idempotency_key if req.idempotency_key else false()
    named = and_(same_key, Job.status.not_in(ENDED_EARLY)) if req.idempotency_window_s else same_key
    usage = (await session.execute(
        select(func.count().filter(Job.status.in_(ACTIVE)),
               func.coalesce(func.sum(Job.images).filter(Job.created_at >= today, not_(refunded)), 0),
               func.coalesce(func.sum(Job.generation_s).filter(Job.created_at >= month), 0.0),
               func.max(Job.created_at).filter(named), trained)
        .where(Job.user_id == owner.user_id, Job.tenant_id == owner.tenant_id,
               or_(Job.status.in_(ACTIVE), Job.created_at >= month, same_key)))).one()
    active, used, generated_s, earlier_at, trained_s = usage
    if earlier_at is not None and _holds(req, earlier_at, at):
        return True  # an idempotent retry of a job already accepted

    if q.max_concurrent_jobs is not None and active + 1 > q.max_concurrent_jobs:
        allowed = q.max_concurrent_jobs
        raise _refused("max_concurrent_jobs",
                       f"max_concurrent_jobs: {active} of {allowed} jobs already queued or running; "
                       "wait for one to finish", allowed=allowed, used=active, retry_at=None, at=at,
                       retry_s=CONCURRENCY_RETRY_S if allowed > 0 else None)

    if q.images_per_day is not None:
        batch = len(req.spec.seeds)
        allowed = q.images_per_day
        if used + batch > allowed:
            if batch > allowed:
                message = f"images_per_day: a batch of {batch} images is more than the daily limit of {allowed}"
                retry_at = None
            else:
                message = (f"images_per_day: {used} of {allowed} images used today (UTC); this job needs {batch} "
                           "more")
                retry_at = today + timedelta(days=1)
            raise _refused("images_per_day", message, allowed=allowed, used=used, retry_at=retry_at, at=at)

    if q.gpu_seconds_per_month is not None:
        allowed_s, used_s = q.gpu_seconds_per_month, float(generated_s) + float(trained_s)
        if used_s >= allowed_s:
            raise _refused("gpu_seconds_per_month",
                           f"gpu_seconds_per_month: {used_s:.1f} of {allowed_s:g} GPU-seconds used this month (UTC)",
                           allowed=allowed_s, used=round(float(used_s), 3),
                           retry_at=next_month(at) if allowed_s > 0 else None, at=at)
    return False


async def _check_tenant(session: AsyncSession, req: jobs.CreateJobRequest, q: Quotas, at: datetime) -> None:
    """The tenant's limits, over all its users' jobs together (an idempotent retry of the submitter's is let
    through, as for their own limits)."""
    owner, tenant_id = req.principal, req.principal.tenant_id
    today, month = day_start(at), month_start(at)
    trained = (select(func.coalesce(func.sum(Training.gpu_s), 0.0))
               .where(Training.tenant_id == tenant_id, Training.created_at >= month).scalar_subquery()
               if q.gpu_seconds_per_month is not None else literal(0.0))
    refunded = or_(Job.status == "failed", and_(Job.status == "canceled", Job.started_at.is_(None)))
    same_key = (and_(Job.user_id == owner.user_id, Job.idempotency_key == req.idempotency_key)
                if req.idempotency_key else false())
    named = and_(same_key, Job.status.not_in(ENDED_EARLY)) if req.idempotency_window_s else same_key
    active, used, generated_s, earlier_at, trained_s = (await session.execute(
        select(func.count().filter(Job.status.in_(ACTIVE)),
               func.coalesce(func.sum(Job.images).filter(Job.created_at >= today, not_(refunded)), 0),
               func.coalesce(func.sum(Job.generation_s).filter(Job.created_at >= month), 0.0),
               func.max(Job.created_at).filter(named), trained)
        .where(Job.tenant_id == tenant_id, or_(Job.status.in_(ACTIVE), Job.created_at >= month, same_key)))).one()
    if earlier_at is not None and _holds(req, earlier_at, at):
        return
    who = f"tenant {tenant_id}"
    if q.max_concurrent_jobs is not None and active + 1 > q.max_concurrent_jobs:
        allowed = q.max_concurrent_jobs
        raise _refused("tenant.max_concurrent_jobs",
                       f"tenant.max_concurrent_jobs: {who} has {active} of {allowed} jobs queued or running; wait "
                       "for one to finish", allowed=allowed, used=active, retry_at=None, at=at,
                       retry_s=CONCURRENCY_RETRY_S if allowed > 0 else None, tenant_id=tenant_id)
    if q.images_per_day is not None:
        batch, allowed = len(req.spec.seeds), q.images_per_day
        if used + batch > allowed:
            never = batch > allowed
            message = (f"tenant.images_per_day: a batch of {batch} images is more than {who}'s daily limit of "
                       f"{allowed}" if never else
                       f"tenant.images_per_day: {who} used {used} of {allowed} images today (UTC); this job needs "
                       f"{batch} more")
            raise _refused("tenant.images_per_day", message, allowed=allowed, used=used,
                           retry_at=None if never else today + timedelta(days=1), at=at, tenant_id=tenant_id)
    if q.gpu_seconds_per_month is not None:
        allowed_s, used_s = q.gpu_seconds_per_month, float(generated_s) + float(trained_s)
        if used_s >= allowed_s:
            raise _refused("tenant.gpu_seconds_per_month",
                           f"tenant.gpu_seconds_per_month: {who} used {used_s:.1f} of {allowed_s:g} GPU-seconds "
                           "this month (UTC)", allowed=allowed_s, used=round(used_s, 3),
                           retry_at=next_month(at) if allowed_s > 0 else None, at=at, tenant_id=tenant_id)


def _holds(req: jobs.CreateJobRequest, earlier_at: datetime, at: datetime) -> bool:
    """Whether the earlier job under the request's key is the one it names: a key the gateway derived holds only
    for a window after that job's creation (service.names_earlier)."""
    window = req.idempotency_window_s
    if earlier_at.tzinfo is None:  # SQLite hands back an aggregate's timestamp without its zone
        earlier_at = earlier_at.replace(tzinfo=UTC)
    return window is None or at - earlier_at < timedelta(seconds=window)
