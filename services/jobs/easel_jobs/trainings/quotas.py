"""Training quotas, checked in the transaction that inserts the training, under the user's lock:

- **max_concurrent_trainings**: trainings now `queued`, `starting` or `running`; the new one must fit.
- **gpu_seconds_per_month**: the GPU time a user's trainings used this UTC month (from the trainer's start to the
  end, one GPU each) plus their jobs' generation seconds, as the job quota counts them; a training is admitted while
  the sum is under the limit (its own cost is unknown until it ends).

An idempotent retry of a training already accepted is never refused. Over a limit: `QuotaExceeded` (429) naming it
in `details.limit`, with `allowed`, `used` and `retry_after_s` where waiting helps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from easel_jobs.models import Job
from easel_jobs.trainings.models import ACTIVE, Training
from easel_proto.errors import QuotaExceeded
from easel_proto.v1.trainings import CreateTrainingRequest

CONCURRENCY_RETRY_S = 60  # a training ends in minutes, not seconds
_LOCK_CLASS = 0x45534C54  # "ESLT": this lock's own advisory-lock key space


async def lock(session: AsyncSession, user_id: str) -> None:
    """Hold the user's training lock until the transaction ends (PostgreSQL: an advisory lock; SQLite: its one
    write lock, taken now by a no-op write)."""
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:cls, hashtext(:user))"),
                              {"cls": _LOCK_CLASS, "user": user_id})
    else:
        await session.execute(update(Training).where(text("0")).values(status=Training.status)
                              .execution_options(synchronize_session=False))


def month_start(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def trained_seconds(tenant_id: str, user_id: str, since: datetime) -> Select:
    """The GPU-seconds of the user's trainings created since `since` (one row, one column): what both GPU-second
    quotas, this one and the job quota's, charge for trainings."""
    return (select(func.coalesce(func.sum(Training.gpu_s), 0.0))
            .where(Training.user_id == user_id, Training.tenant_id == tenant_id, Training.created_at >= since))


async def check(session: AsyncSession, req: CreateTrainingRequest, at: datetime | None = None) -> None:
    """Raise QuotaExceeded when this training would go over one of the user's quotas."""
    q, owner = req.quotas, req.principal
    if q is None or (q.max_concurrent_trainings is None and q.gpu_seconds_per_month is None):
        return
    await lock(session, owner.user_id)
    if req.idempotency_key and await session.scalar(select(Training.id).where(
            Training.user_id == owner.user_id, Training.idempotency_key == req.idempotency_key)):
        return
    at = at or datetime.now(UTC)
    mine = (Training.user_id == owner.user_id, Training.tenant_id == owner.tenant_id)
    if q.max_concurrent_trainings is not None:
        active = await session.scalar(select(func.count()).where(*mine, Training.status.in_(ACTIVE)))
        allowed = q.max_concurrent_trainings
        if active + 1 > allowed:
            details = {"limit": "max_concurrent_trainings", "allowed": allowed, "used": active}
            if allowed > 0:
                details["retry_after_s"] = CONCURRENCY_RETRY_S
            raise QuotaExceeded(f"max_concurrent_trainings: {active} of {allowed} trainings already queued or "
                                "running; wait for one to finish", **details)
    if q.gpu_seconds_per_month is not None:
        month = month_start(at)
        trained = await session.scalar(trained_seconds(owner.tenant_id, owner.user_id, month))
        generated = await session.scalar(select(func.coalesce(func.sum(Job.generation_s), 0.0))
                                         .where(Job.user_id == owner.user_id, Job.tenant_id == owner.tenant_id,
                                                Job.created_at >= month))
        used, allowed_s = float(trained) + float(generated), q.gpu_seconds_per_month
        if used >= allowed_s:
            next_month = (month + timedelta(days=32)).replace(day=1)
            details = {"limit": "gpu_seconds_per_month", "allowed": allowed_s, "used": round(used, 3)}
            if allowed_s > 0:
                details["retry_after_s"] = max(1, int((next_month - at).total_seconds()))
            raise QuotaExceeded(f"gpu_seconds_per_month: {used:.1f} of {allowed_s:g} GPU-seconds used this month "
                                "(UTC)", **details)
