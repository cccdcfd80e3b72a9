"""The caller's webhook endpoints: create, change, rotate, delete; their delivery logs and redelivery.

An endpoint of scope `user` hears about its owner's jobs and trainings; one of scope `tenant` about every user's in
the owner's tenant, so it needs jobs:read:any to create and to see. Nobody sees another tenant's endpoints, and a
404 answers for an endpoint the caller may not see, as for jobs.

Signing secrets are stored sealed (sealed.py). An endpoint's secret is answered once, in the reply that creates or
rotates it; the callback secret is answered to its owner alone. Rotating replaces a secret no configured key opens
(a key the deployment lost): it is dropped, not kept to sign through the overlap, which it could not.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from datetime import datetime, timedelta
from typing import get_args

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from easel_common.egress import check_public_url
from easel_jobs.settings import JobsSettings
from easel_jobs.webhooks.models import CallbackSecret, WebhookDelivery, WebhookEndpoint
from easel_jobs.webhooks.sealed import CALLBACKS, ENDPOINTS, SecretBox, Unopenable
from easel_proto.errors import Conflict, Forbidden, InvalidInput, NotFound
from easel_proto.permissions import JOBS_READ_ANY, allows
from easel_proto.v1 import webhooks
from easel_proto.v1.common import Principal
from easel_proto.wire import now

# every event type the schema names, in its order (job and training ends, then model imports)
ALL_EVENTS = list(get_args(webhooks.WebhookEventType.__value__))


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ and 24 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def view(row: WebhookEndpoint, secret: str | None = None) -> webhooks.WebhookEndpoint:
    return webhooks.WebhookEndpoint(
        id=row.id, user_id=row.user_id, tenant_id=row.tenant_id, scope=row.scope, url=row.url, events=row.events,
        description=row.description, enabled=row.enabled, created_at=row.created_at, secret=secret,
        previous_secret_until=row.previous_secret_until)


def delivery_view(row: WebhookDelivery) -> webhooks.WebhookDelivery:
    return webhooks.WebhookDelivery(
        id=row.id, endpoint_id=row.endpoint_id, url=row.url, type=row.type, subject_id=row.subject_id,
        status=row.status, attempts=row.attempts, next_attempt_at=row.next_attempt_at if row.status == "pending"
        else None, last_status=row.last_status, last_error=row.last_error, created_at=row.created_at,
        delivered_at=row.delivered_at)


def _sees(actor: Principal, row: WebhookEndpoint) -> bool:
    if row.tenant_id != actor.tenant_id:
        return False
    return row.user_id == actor.user_id or (row.scope == "tenant" and allows(actor.permissions, JOBS_READ_ANY))


class Webhooks:
    def __init__(self, sessions: async_sessionmaker, settings: JobsSettings, box: SecretBox) -> None:
        self.sessions, self.settings, self.box = sessions, settings, box

    def _kept(self, table: str, row_id: str, stored: str) -> str | None:
        """A rotated-out secret, kept as it is to sign through the overlap; None when no configured key opens it."""
        try:
            self.box.open(table, row_id, stored)
        except Unopenable:
            return None
        return stored

    def _overlap(self, previous: str | None) -> datetime | None:
        return now() + timedelta(seconds=self.settings.webhook_secret_overlap_s) if previous else None

    async def handle(self, req: webhooks.WebhookRequest) -> webhooks.WebhookReply:
        op = getattr(self, f"_{req.op}")
        async with self.sessions.begin() as session:
            return await op(session, req)

    async def _endpoint(self, session: AsyncSession, req: webhooks.WebhookRequest) -> WebhookEndpoint:
        if not req.endpoint_id:
            raise InvalidInput("endpoint_id", "required")
        row = await session.get(WebhookEndpoint, req.endpoint_id)
        if row is None or not _sees(req.actor, row):
            raise NotFound(f"webhook {req.endpoint_id} not found")
        return row

    async def _list(self, session: AsyncSession, req: webhooks.WebhookRequest) -> webhooks.WebhookReply:
        actor = req.actor
        mine = WebhookEndpoint.user_id == actor.user_id
        visible = or_(mine, WebhookEndpoint.scope == "tenant") if allows(actor.permissions, JOBS_READ_ANY) else mine
        rows = await session.execute(select(WebhookEndpoint).where(WebhookEndpoint.tenant_id == actor.tenant_id,
                                                                   visible).order_by(WebhookEndpoint.created_at))
        return webhooks.WebhookReply(endpoints=[view(r) for r in rows.scalars()])

    async def _get(self, session: AsyncSession, req: webhooks.WebhookRequest) -> webhooks.WebhookReply:
        return webhooks.WebhookReply(endpoints=[view(await self._endpoint(session, req))])

    async def _create(self, session: AsyncSession, req: webhooks.WebhookRequest) -> webhooks.WebhookReply:
        actor = req.actor
        if req.url is None:
            raise InvalidInput("url", "required")
        scope = req.scope or "user"
        if scope == "tenant" and not allows(actor.permissions, JOBS_READ_ANY):
            raise Forbidden("a tenant-wide webhook hears every user's jobs: it needs jobs:read:any",
                            permission=JOBS_READ_ANY)
        owned = await session.scalar(select(func.count()).select_from(WebhookEndpoint)
                                     .where(WebhookEndpoint.user_id == actor.user_id))
        if owned >= self.settings.webhook_max_endpoints:
            raise Conflict(f"at most {self.settings.webhook_max_endpoints} webhooks per user", field="url")
        secret = new_secret()
        url = await check_public_url(req.url, self.settings.webhook_allow_hosts, field="url")
        endpoint_id = str(uuid.uuid4())
        row = WebhookEndpoint(id=endpoint_id, user_id=actor.user_id, tenant_id=actor.tenant_id, scope=scope,
                              url=url, events=_events(req.events),
                              description=req.description or "", enabled=req.enabled is not False,
                              secret=self.box.seal(ENDPOINTS, endpoint_id, secret), created_at=now())
        session.add(row)
        await session.flush()
        return webhooks.WebhookReply(endpoints=[view(row, secret)])

    async def _update(self, session: AsyncSession, req: webhooks.WebhookRequest) -> webhooks.WebhookReply:
        row = await self._endpoint(session, req)
        if req.url is not None:
            row.url = await check_public_url(req.url, self.settings.webhook_allow_hosts, field="url")
        if req.events is not None:
            row.events = _events(req.events)
        if req.description is not None:
            row.description = req.description
        if req.enabled is not None:
            row.enabled = req.enabled
        if req.scope is not None and req.scope != row.scope:
            raise InvalidInput("scope", "cannot change: create another webhook")
        await session.flush()
        return webhooks.WebhookReply(endpoints=[view(row)])

    async def _delete(self, session: AsyncSession, req: webhooks.WebhookRequest) -> webhooks.WebhookReply:
        row = await self._endpoint(session, req)
        shown = view(row)
        await session.delete(row)  # its deliveries go with it (ON DELETE CASCADE): none is tried again
        return webhooks.WebhookReply(endpoints=[shown])

    async def _rotate(self, session: AsyncSession, req: webhooks.WebhookRequest) -> webhooks.WebhookReply:
        row = await self._endpoint(session, req)
        secret = new_secret()  # sealed for this row: the sealed value moves to previous_secret as it is
        row.previous_secret = self._kept(ENDPOINTS, row.id, row.secret)
        row.secret = self.box.seal(ENDPOINTS, row.id, secret)
        row.previous_secret_until = self._overlap(row.previous_secret)
        await session.flush()
        return webhooks.WebhookReply(endpoints=[view(row, secret)])

    async def _deliveries(self, session: AsyncSession, req: webhooks.WebhookRequest) -> webhooks.WebhookReply:
        row = await self._endpoint(session, req)
        stmt = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == row.id)
        if req.status:
            stmt = stmt.where(WebhookDelivery.status == req.status)
        rows = await session.execute(stmt.order_by(WebhookDelivery.created_at.desc()).limit(req.limit or 50))
        return webhooks.WebhookReply(deliveries=[delivery_view(d) for d in rows.scalars()])

    async def _redeliver(self, session: AsyncSession, req: webhooks.WebhookRequest) -> webhooks.WebhookReply:
        row = await self._endpoint(session, req)
        delivery = await session.get(WebhookDelivery, req.delivery_id or "")
        if delivery is None or delivery.endpoint_id != row.id:
            raise NotFound(f"delivery {req.delivery_id} not found")
        if delivery.status == "pending":
            raise Conflict("the delivery is still being tried", field="delivery_id")
        # a fresh round of attempts, under the same webhook-id: receivers that saw it already can tell
        delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, now()
        delivery.lease_until, delivery.url = None, row.url
        await session.flush()
        return webhooks.WebhookReply(deliveries=[delivery_view(delivery)])

    async def _callback_secret(self, session: AsyncSession, req: webhooks.WebhookRequest) -> webhooks.WebhookReply:
        user_id = req.actor.user_id
        row = await session.get(CallbackSecret, user_id)
        if row is None:
            secret = new_secret()
            session.add(CallbackSecret(user_id=user_id, secret=self.box.seal(CALLBACKS, user_id, secret),
                                       created_at=now()))
            await session.flush()
            return webhooks.WebhookReply(secret=secret)
        try:
            return webhooks.WebhookReply(secret=self.box.open(CALLBACKS, user_id, row.secret))
        except Unopenable:
            raise Conflict("the callback secret cannot be opened with the configured keys: rotate it "
                           "(POST /v1/webhooks/callback-secret/rotate)") from None

    async def _rotate_callback_secret(self, session: AsyncSession,
                                      req: webhooks.WebhookRequest) -> webhooks.WebhookReply:
        user_id = req.actor.user_id
        row = await session.get(CallbackSecret, user_id)
        secret = new_secret()
        sealed = self.box.seal(CALLBACKS, user_id, secret)
        if row is None:
            session.add(CallbackSecret(user_id=user_id, secret=sealed, created_at=now()))
        else:
            row.previous_secret, row.secret = self._kept(CALLBACKS, user_id, row.secret), sealed
            row.previous_secret_until = self._overlap(row.previous_secret)
        await session.flush()
        return webhooks.WebhookReply(secret=secret)


def _events(events: list[str] | None) -> list[str]:
    """The filter as given (in a stable order), or every event."""
    if events is not None and not events:
        raise InvalidInput("events", "at least one event, or leave it out for every event")
    return [e for e in ALL_EVENTS if events is None or e in events]
