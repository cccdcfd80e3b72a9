"""A tenant's usage: its jobs added up per period (hour or day, UTC) and user in one aggregate query."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from easel_jobs.models import Job
from easel_proto.permissions import JOBS_READ_ANY, TENANTS_MANAGE, require
from easel_proto.v1 import jobs

_SQLITE_FORMAT = {"hour": "%Y-%m-%d %H:00:00", "day": "%Y-%m-%d 00:00:00"}


def _period(dialect: str, bucket: str):
    """The start of the period a job was submitted in, as UTC."""
    if dialect == "postgresql":
        return func.date_trunc(bucket, func.timezone("UTC", Job.created_at))
    return func.strftime(_SQLITE_FORMAT[bucket], Job.created_at)  # SQLite (the service's single-node store)


def _as_utc(value: datetime | str) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def usage(session: AsyncSession, req: jobs.UsageRequest) -> jobs.UsageReply:
    """Per period and user: jobs submitted in [since, until) in the principal's tenant, the images they made,
    their workers' load and generation seconds and how many failed. Another tenant's only for the platform
    admin (tenants:manage)."""
    require(req.principal, JOBS_READ_ANY)
    tenant_id = req.tenant_id or req.principal.tenant_id
    if tenant_id != req.principal.tenant_id:
        require(req.principal, TENANTS_MANAGE)
    bucket = req.bucket or "day"
    period = _period(session.bind.dialect.name, bucket).label("period")
    images = case((Job.status == "succeeded", Job.images), else_=func.coalesce(Job.images_kept, 0))
    gpu = func.coalesce(Job.load_s, 0.0) + func.coalesce(Job.generation_s, 0.0)
    stmt = (select(period, Job.user_id, func.count(Job.id), func.sum(images), cast(func.sum(gpu), Float),
                   func.sum(case((Job.status == "failed", 1), else_=0)))
            .where(Job.tenant_id == tenant_id, Job.created_at >= req.since, Job.created_at < req.until)
            .group_by(period, Job.user_id).order_by(period, Job.user_id))
    rows = (await session.execute(stmt)).all()
    return jobs.UsageReply(rows=[
        jobs.UsageRow(period=_as_utc(p), user_id=user_id, jobs=n, images=int(made or 0), gpu_seconds=float(gpu or 0),
                      failed=int(failed or 0))
        for p, user_id, n, made, gpu, failed in rows])
