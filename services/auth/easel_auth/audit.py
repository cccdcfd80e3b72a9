"""The audit log: rows from the gateway's audit events, and the admin's query over them.

The gateway publishes its audit events to the audit stream many to a message (an `AuditBatch` on `audit_batch`;
a gateway of an older release, one `AuditEvent` per message on `audit_event`); a durable consumer here writes each
event once (replays, of a batch too, are ignored by id). Reading needs `audit:read` and sees only the reader's
tenant.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import UTC, datetime

from nats.aio.client import Client
from pydantic import ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from easel_auth.models import AuditEvent as AuditRow
from easel_common import db, direct
from easel_common.natsio import Call, Endpoint, consume_batches, durable_consumer
from easel_proto import Names
from easel_proto.errors import InvalidInput
from easel_proto.permissions import AUDIT_READ, TENANTS_MANAGE, require
from easel_proto.v1 import audit
from easel_proto.wire import decode

log = logging.getLogger(__name__)
LINGER_S = 0.1  # how long an audit event may wait to be stored with others (it is in the audit stream already)
# messages fetched (and stored in one statement) at a time: a batch message holds up to 500 events, so at most
# 32,000 rows (some 16 MiB of them) at once, while an older gateway's single events still go 64 at a time
FETCH = 64


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _clip(value: str | None, size: int) -> str | None:
    return value[:size] if value is not None else None


_ON_CONFLICT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
# one statement built once per dialect, executed for every row (compiled once, sent in one round trip)
_INSERT = {dialect: insert(AuditRow.__table__).on_conflict_do_nothing(index_elements=["id"])
           for dialect, insert in _ON_CONFLICT.items()}


def _row(event: audit.AuditEvent) -> dict:
    return dict(id=event.id, at=_utc(event.at), tenant_id=event.tenant_id[:64], actor_id=_clip(event.actor_id, 36),
                actor_name=_clip(event.actor_name, 64), action=event.action[:64], target=_clip(event.target, 255),
                source=_clip(event.source, 64), outcome=event.outcome, status=event.status,
                details=event.details or {})


async def record(conn: AsyncConnection, events: list[audit.AuditEvent]) -> None:
    """Store events in one statement; those stored already (a redelivery, another replica's) are skipped by id."""
    rows = list({event.id: _row(event) for event in events}.values())
    await direct.run_many(conn, _INSERT[conn.dialect.name], rows)  # on PostgreSQL, straight on asyncpg


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
    """The events of the actor's tenant (or of `q.tenant_id`, checked by the caller) matching q, newest first, a page
    at a time."""
    stmt = select(AuditRow).where(AuditRow.tenant_id == (q.tenant_id or q.actor.tenant_id))
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
        if req.tenant_id not in (None, req.actor.tenant_id):
            require(req.actor, TENANTS_MANAGE)  # another tenant's log: the platform admin's alone
        async with sessions.begin() as session:
            return await query(session, req)

    return [Endpoint("audit_query", names.auth_audit_query, audit.AuditQuery, read)]


class AuditRecorder:
    """The durable consumer that turns audit events into rows, a fetched batch per statement."""

    def __init__(self, nc: Client, names: Names, sessions: async_sessionmaker) -> None:
        self.nc, self.names = nc, names
        # one statement per batch: no transaction around it, on a connection held while batches keep coming
        self.engine = db.Lanes(db.autocommit(sessions.kw["bind"]), keep=1)
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        sub = await durable_consumer(self.nc, self.names.stream("audit")["name"], self.names.auth_audit_consumer,
                                     [self.names.all_audit_events()])
        # a short wait between fetches stores the messages of several gateways (or single events) together
        self._task = asyncio.create_task(consume_batches(sub, self.handle, self._stopping, batch=FETCH,
                                                         linger=LINGER_S))

    async def handle(self, msgs: list) -> None:
        """Store the events of fetched messages: batches on `audit_batch`, single events on any other audit
        subject (an older gateway's, during a rolling upgrade)."""
        events = []
        batch_subject = self.names.audit_batch
        for msg in msgs:
            try:
                if msg.subject == batch_subject:
                    events += decode(audit.AuditBatch, msg.data).items
                else:
                    events.append(decode(audit.AuditEvent, msg.data))
            except ValidationError:  # retrying cannot fix it; say which message, never what it held
                log.warning("dropping a malformed audit message on %s", msg.subject)
        async with self.engine.connect() as conn:
            await record(conn, events)

    async def stop(self) -> None:
        self._stopping.set()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
        await self.engine.aclose()
