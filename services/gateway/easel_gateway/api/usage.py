"""/v1/usage: a tenant's images, jobs, GPU-seconds, failures and quota rejections per period, user and role, for
admins (jobs:read:any). The jobs service adds the jobs up in one query; names and roles are auth's; quota rejections
are the audit log's refused submissions (429 on job.submit), counted where the caller may read the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from easel_gateway.deps import Caller, Settings, Svc
from easel_gateway.errors import SIGNED_IN, declared
from easel_proto.permissions import AUDIT_READ, JOBS_READ_ANY, TENANTS_MANAGE, USERS_MANAGE, allows, require
from easel_proto.v1 import audit, auth, jobs
from easel_proto.v1.common import Principal

router = APIRouter(prefix="/v1/usage", tags=["usage"], responses=declared(*SIGNED_IN))
MAX_DAYS = 90
HOURLY_UP_TO_DAYS = 2  # shorter windows come per hour unless `bucket` says otherwise
AUDIT_PAGES = 20  # at most 20 pages of 500 refused submissions are counted; `quota_rejections_complete` says so


class Totals(BaseModel):
    jobs: int = 0
    images: int = 0
    gpu_seconds: float = 0.0
    failed: int = 0
    quota_rejections: int | None = Field(default=None, description="null where they were not counted")


class PeriodUsage(Totals):
    period: AwareDatetime = Field(description="The period's start (UTC)")


class UserUsage(Totals):
    user_id: str
    username: str | None = None
    roles: list[str] = []


class RoleUsage(Totals):
    role: str


class Usage(BaseModel):
    tenant_id: str
    since: AwareDatetime
    until: AwareDatetime
    bucket: Literal["hour", "day"]
    totals: Totals
    periods: list[PeriodUsage] = Field(description="Every period of the window, oldest first (empty ones too)")
    users: list[UserUsage] = Field(description="Most GPU-seconds first")
    roles: list[RoleUsage] = Field(description="A user counts for each of their roles; empty without users:manage")
    quota_rejections_complete: bool = Field(description="False when they were not counted, or only in part")


def _add(into: Totals, jobs_: int = 0, images: int = 0, gpu: float = 0.0, failed: int = 0,
         rejected: int | None = None) -> None:
    into.jobs, into.images, into.failed = into.jobs + jobs_, into.images + images, into.failed + failed
    into.gpu_seconds = round(into.gpu_seconds + gpu, 3)
    if rejected is not None:
        into.quota_rejections = (into.quota_rejections or 0) + rejected


def _start(at: datetime, bucket: str) -> datetime:
    at = at.astimezone(UTC)
    return at.replace(minute=0, second=0, microsecond=0) if bucket == "hour" else \
        at.replace(hour=0, minute=0, second=0, microsecond=0)


async def _rejections(svc, settings, caller: Principal, tenant_id: str, since: datetime, until: datetime
                      ) -> tuple[list[audit.AuditEvent], bool]:
    """The tenant's submissions refused with 429 in the window, and whether all of them were read."""
    found, cursor = [], None
    for _ in range(AUDIT_PAGES):
        query = audit.AuditQuery(actor=caller, tenant_id=tenant_id, action="job.submit", outcome="denied",
                                 since=since, until=until, limit=500, cursor=cursor)
        page = await svc.call(settings.names.auth_audit_query, query, audit.AuditPage, caller)
        found += [e for e in page.items if e.status == 429 and e.actor_id]
        if not (cursor := page.next_cursor):
            return found, True
    return found, False


@router.get("", response_model=Usage, responses=declared(403))
async def read_usage(caller: Caller, svc: Svc, settings: Settings,
                     days: Annotated[int, Query(ge=1, le=MAX_DAYS, description="The window: the last `days` days")] = 7,
                     bucket: Literal["hour", "day"] | None = Query(
                         default=None, description=f"Per hour or day; by default per hour up to {HOURLY_UP_TO_DAYS} "
                                                   "days"),
                     tenant: Annotated[str | None, Query(max_length=64, description="Another tenant's (the platform "
                                                                                    "admin's, tenants:manage)")] = None,
                     ) -> Usage:
    """What the tenant's users used over the last `days` days, per period, user and role."""
    require(caller, JOBS_READ_ANY)
    tenant_id = tenant or caller.tenant_id
    if tenant_id != caller.tenant_id:
        require(caller, TENANTS_MANAGE)
    bucket = bucket or ("hour" if days <= HOURLY_UP_TO_DAYS else "day")
    until = datetime.now(UTC)
    since = _start(until - timedelta(days=days), bucket)
    reply = await svc.call(settings.names.jobs_usage, jobs.UsageRequest(
        principal=caller, tenant_id=tenant_id, since=since, until=until, bucket=bucket), jobs.UsageReply, caller)
    # names and roles (auth's users of that tenant), quota rejections (its audit log); another tenant's only reach
    # here with tenants:manage, which auth checks again
    people = ({u.id: u for u in await svc.users(auth.UsersRequest(actor=caller, tenant_id=tenant_id))}
              if allows(caller.permissions, USERS_MANAGE) else {})
    counted = allows(caller.permissions, AUDIT_READ)
    refused, complete = await _rejections(svc, settings, caller, tenant_id, since, until) if counted else ([], False)

    zero = 0 if counted else None
    periods: dict[datetime, PeriodUsage] = {}
    at = since
    while at < until:
        periods[at] = PeriodUsage(period=at, quota_rejections=zero)
        at += timedelta(hours=1) if bucket == "hour" else timedelta(days=1)
    users: dict[str, UserUsage] = {}
    roles: dict[str, RoleUsage] = {}
    totals = Totals(quota_rejections=zero)

    def targets(user_id: str, at: datetime) -> list[Totals]:
        if user_id not in users:
            person = people.get(user_id)
            users[user_id] = UserUsage(user_id=user_id, username=person.username if person else None,
                                       roles=list(person.roles or []) if person else [], quota_rejections=zero)
        period = periods.setdefault(_start(at, bucket), PeriodUsage(period=_start(at, bucket), quota_rejections=zero))
        return [totals, period, users[user_id]] + [
            roles.setdefault(role, RoleUsage(role=role, quota_rejections=zero)) for role in users[user_id].roles]

    for row in reply.rows:
        for into in targets(row.user_id, row.period):
            _add(into, row.jobs, row.images, row.gpu_seconds, row.failed)
    for event in refused:
        for into in targets(event.actor_id, event.at):
            _add(into, rejected=1)
    return Usage(tenant_id=tenant_id, since=since, until=until, bucket=bucket, totals=totals,
                 periods=sorted(periods.values(), key=lambda p: p.period),
                 users=sorted(users.values(), key=lambda u: (-u.gpu_seconds, -u.images, u.username or u.user_id)),
                 roles=sorted(roles.values(), key=lambda r: (-r.gpu_seconds, -r.images, r.role)),
                 quota_rejections_complete=complete and counted)
