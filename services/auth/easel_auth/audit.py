"""The audit log: rows from the gateway's audit events, and the admin's query over them.

The gateway publishes one `AuditEvent` per audited request to the audit stream; a durable consumer here
writes each one once (replays are ignored by id). Reading needs `audit:read` and sees only the reader's tenant.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import UTC, datetime

from nats.aio.client import Client
from pydantic import ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from easel_auth.models import AuditEvent as AuditRow
from easel_common.natsio import Call, Endpoint, consume, durable_consumer
from easel_proto import Names
from easel_proto.errors import InvalidInput
from easel_proto.permissions import AUDIT_READ, require
from easel_proto.v1 import audit
from easel_proto.wire import decode

log = logging.getLogger(__name__)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _clip(value: str | None, size: int) -> str | None:
    return value[:size] if value is not None else None


async def record(session: AsyncSession, event: audit.AuditEvent) -> bool:
    """Store one event; False when it is already stored (a redelivery)."""
    if await session.get(AuditRow, event.id) is not None:
        return False
    session.add(AuditRow(
        id=event.id, at=_utc(event.at), tenant_id=event.tenant_id[:64], actor_id=_clip(event.actor_id, 36),
        actor_name=_clip(event.actor_name, 64), action=event.action[:64], target=_clip(event.target, 255),
        source=_clip(event.source, 64), outcome=event.outcome, status=event.status, details=event.details or {},
    ))
    return True


def view(row: AuditRow) -> audit.AuditEvent:
    return audit.AuditEvent(id=row.id, at=row.at, tenant_id=row.tenant_id, actor_id=row.actor_id,
                            actor_name=row.actor_name, action=row.action, target=row.target, source=row.source,
                            outcome=row.outcome, status=row.status, details=row.details or {})


def _cursor(row: AuditRow) -> str:
    return base64.urlsafe_b64encode(f"{_utc(row.at).isoformat()}|{row.id}".encode()).decode()


def _parse_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        at, event_id = base64.urlsafe_b64decode(cursor.encode()).decode().split("|", 1)
        return _utc(datetime.fromisoformat(at)), event_id
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput("cursor", "not a cursor this API returned") from exc


def _escape_like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def query(session: AsyncSession, q: audit.AuditQuery) -> audit.AuditPage:
    """The actor's tenant's events matching q, newest first, a page at a time."""
    stmt = select(AuditRow).where(AuditRow.tenant_id == q.actor.tenant_id)
    if q.actor_id:
        stmt = stmt.where(AuditRow.actor_id == q.actor_id)
    if q.action:
        stmt = stmt.where(AuditRow.action == q.action)
    if q.target:
        stmt = stmt.where(AuditRow.target.like(_escape_like(q.target) + "%", escape="\\"))
    if q.outcome:
        stmt = stmt.where(AuditRow.outcome == q.outcome)
    if q.since:
        stmt = stmt.where(AuditRow.at >= _utc(q.since))
    if q.until:
        stmt = stmt.where(AuditRow.at < _utc(q.until))
    if q.cursor:
        at, event_id = _parse_cursor(q.cursor)
        stmt = stmt.where(or_(AuditRow.at < at, and_(AuditRow.at == at, AuditRow.id < event_id)))
    limit = q.limit or 100
    rows = list((await session.execute(
        stmt.order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit + 1))).scalars())
    page = rows[:limit]
    return audit.AuditPage(items=[view(r) for r in page], next_cursor=_cursor(page[-1]) if len(rows) > limit else None)


def endpoints(names: Names, sessions: async_sessionmaker) -> list[Endpoint]:
    async def read(req: audit.AuditQuery, _c: Call) -> audit.AuditPage:
        require(req.actor, AUDIT_READ)
        async with sessions.begin() as session:
            return await query(session, req)

    return [Endpoint("audit_query", names.auth_audit_query, audit.AuditQuery, read)]


class AuditRecorder:
    """The durable consumer that turns audit events into rows."""

    def __init__(self, nc: Client, names: Names, sessions: async_sessionmaker) -> None:
        self.nc, self.names, self.sessions = nc, names, sessions
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        sub = await durable_consumer(self.nc, self.names.stream("audit")["name"], self.names.auth_audit_consumer,
                                     [self.names.all_audit_events()])
        self._task = asyncio.create_task(consume(sub, self.handle, self._stopping))

    async def handle(self, msg) -> None:
        try:
            event = decode(audit.AuditEvent, msg.data)
        except ValidationError:  # retrying cannot fix it; say which message, never what it held
            log.warning("dropping a malformed audit event on %s", msg.subject)
            return
        try:
            async with self.sessions.begin() as session:
                await record(session, event)
        except IntegrityError:  # another replica stored the same event a moment before
            log.debug("audit event %s already stored", event.id)

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
