"""Sending deliveries: at least once, each attempt signed, retried on a schedule, then dead-lettered.

Due deliveries are read from the table, so a restarted service (or another replica) picks up where it stopped: a
delivery is taken with a lease (an UPDATE that only one sender wins), sent, and its outcome written. Every attempt
resolves the host again and connects only to a public address (or an allow-listed host), follows no redirect, and
has a time limit; at most `webhook_per_endpoint` attempts go to one endpoint at once.

Signatures follow Standard Webhooks (`standardwebhooks`, its reference implementation): `webhook-id` (the delivery's
id, the same on every attempt), `webhook-timestamp`, and `webhook-signature` with a `v1,` HMAC-SHA256 per secret in
use (the new and, during a rotation's overlap, the previous one). The secrets are stored sealed (sealed.py) and
opened only here, to sign. A delivery whose secret no configured key opens is never sent unsigned: the attempt fails
with `last_error` saying so (by key id) and is retried on the schedule, so configuring the key (and restarting) or
rotating the secret lets it go out.

Before each attempt the delivery's owner must still qualify (owners.py): a delivery written before its owner was
disabled or deleted, or before a tenant-wide endpoint's owner lost jobs:read:any, is not sent; it ends `dead` with
`last_error` saying so (no attempt counted), and a redelivery asked for later is held to the same rule. Where auth
cannot say, the delivery waits for its lease to lapse and is looked at again.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import defaultdict
from datetime import timedelta

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import async_sessionmaker
from standardwebhooks.webhooks import Webhook

from easel_common.egress import pinned, resolve_public
from easel_jobs.settings import JobsSettings
from easel_jobs.webhooks import metrics
from easel_jobs.webhooks.models import CallbackSecret, WebhookDelivery, WebhookEndpoint
from easel_jobs.webhooks.owners import Owners, may_hear
from easel_jobs.webhooks.sealed import CALLBACKS, ENDPOINTS, SecretBox, Unopenable
from easel_proto.errors import EaselError
from easel_proto.wire import now

log = logging.getLogger(__name__)
BATCH = 64
ERROR_CHARS = 300
NOT_ALLOWED = "not sent: the webhook's owner may no longer hear it (disabled, deleted, or without jobs:read:any)"
UNOPENED = ("not sent: its signing secret cannot be opened with the configured keys (sealed under key {key_id}); "
            "rotating the secret, or configuring that key (EASEL_WEBHOOK_SECRET_OLD_KEYS), lets it go out")


def signature(secrets: list[str], msg_id: str, timestamp, body: str) -> str:
    return " ".join(Webhook(secret).sign(msg_id, timestamp, body) for secret in secrets)


class Sender:
    def __init__(self, sessions: async_sessionmaker, settings: JobsSettings, owners: Owners, box: SecretBox) -> None:
        self.sessions, self.settings, self.owners, self.box = sessions, settings, owners, box
        self.wake = asyncio.Event()
        self._slots = asyncio.Semaphore(settings.webhook_concurrency)
        self._per_url: defaultdict[str, asyncio.Semaphore] = defaultdict(
            lambda: asyncio.Semaphore(settings.webhook_per_endpoint))
        self._tasks: set[asyncio.Task[None]] = set()

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            try:
                await self.send_due()
            except Exception:
                log.exception("webhook deliveries: could not look for due ones; will retry")
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), self.settings.webhook_sweep_s)
            except TimeoutError:
                pass
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def send_due(self) -> int:
        """Start an attempt for each due delivery this sender wins; returns how many it started."""
        at = now()
        async with self.sessions.begin() as session:
            due = list((await session.execute(
                select(WebhookDelivery.id, WebhookDelivery.url).where(
                    WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= at,
                    or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < at))
                .order_by(WebhookDelivery.next_attempt_at).limit(BATCH))).all())
        started = 0
        for delivery_id, url in due:
            if self._per_url[url].locked() or self._slots.locked():
                continue  # that endpoint (or this sender) is busy: the next sweep comes back to it
            task = asyncio.create_task(self._attempt(delivery_id, url))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            started += 1
        return started

    async def _attempt(self, delivery_id: str, url: str) -> None:
        async with self._slots, self._per_url[url]:
            at = now()
            lease = at + timedelta(seconds=self.settings.webhook_timeout_s * 2 + 5)
            async with self.sessions.begin() as session:
                won = await session.execute(
                    update(WebhookDelivery).where(
                        WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending",
                        or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < at))
                    .values(lease_until=lease).execution_options(synchronize_session=False))
                if won.rowcount != 1:
                    return  # another sender has it, or it changed
                row = await session.get(WebhookDelivery, delivery_id)
                endpoint = await session.get(WebhookEndpoint, row.endpoint_id) if row.endpoint_id else None
                try:
                    keys, unopened = await self._secrets(session, row, endpoint), None
                except ValueError as exc:  # names the row and the key id (Unopenable), never the secret
                    keys, unopened = [], exc
                body = json.dumps(row.payload, separators=(",", ":"))
            scope = endpoint.scope if endpoint is not None else "user"
            try:
                standing = (await self.owners.standing([row.user_id])).get(row.user_id)
            except Exception:  # auth did not answer: the lease lapses and the delivery is looked at again
                log.warning("webhook delivery %s: could not ask where its owner stands; will retry", delivery_id)
                return
            if not may_hear(standing, scope=scope, tenant_id=row.tenant_id):
                await self._drop(delivery_id)
                return
            if unopened is not None:
                log.error("webhook delivery %s: %s", delivery_id, unopened)
                await self._record(delivery_id, None, UNOPENED.format(
                    key_id=unopened.key_id if isinstance(unopened, Unopenable) else "none"))
                return
            status, error = await self._post(row.url, delivery_id, keys, body)
            await self._record(delivery_id, status, error)

    async def _secrets(self, session, row: WebhookDelivery, endpoint: WebhookEndpoint | None) -> list[str]:
        """The secrets to sign with, opened (sealed.py); [] when the endpoint is gone."""
        if row.endpoint_id:
            owner, table, row_id = endpoint, ENDPOINTS, row.endpoint_id
        else:
            owner, table, row_id = await session.get(CallbackSecret, row.user_id), CALLBACKS, row.user_id
        if owner is None:
            return []
        keys = [self.box.open(table, row_id, owner.secret)]
        if owner.previous_secret and owner.previous_secret_until and owner.previous_secret_until > now():
            keys.append(self.box.open(table, row_id, owner.previous_secret))
        return keys

    async def _drop(self, delivery_id: str) -> None:
        """End a delivery whose owner may no longer hear it, unsent."""
        async with self.sessions.begin() as session:
            row = await session.get(WebhookDelivery, delivery_id)
            if row is None or row.status != "pending":
                return
            row.status, row.next_attempt_at, row.lease_until, row.last_status = "dead", None, None, None
            row.last_error = NOT_ALLOWED
        metrics.DELIVERIES.labels("dropped").inc()

    async def _post(self, url: str, delivery_id: str, keys: list[str], body: str) -> tuple[int | None, str | None]:
        """One attempt: (HTTP status, None) when answered, (None or status, reason) when not delivered."""
        if not keys:
            return None, "no signing secret: the webhook was deleted"
        target = httpx.URL(url)
        try:
            address = await resolve_public(target.host, target.port or (443 if target.scheme == "https" else 80),
                                           self.settings.webhook_allow_hosts, field="url",
                                           hint="webhooks may only reach public hosts (or EASEL_WEBHOOK_ALLOW_HOSTS)")
        except EaselError as exc:
            return None, exc.details.get("reason", str(exc))
        stamp = now()
        connect_to, headers, extensions = pinned(target, address)
        headers |= {"content-type": "application/json", "user-agent": "Easel-Webhooks/1",
                    "webhook-id": delivery_id, "webhook-timestamp": str(int(stamp.timestamp())),
                    "webhook-signature": signature(keys, delivery_id, stamp, body)}
        timeout = httpx.Timeout(self.settings.webhook_timeout_s)
        try:
            async with httpx.AsyncClient(timeout=timeout, follow_redirects=False, trust_env=False) as client:
                response = await client.post(connect_to, content=body.encode(), headers=headers,
                                             extensions=extensions)
        except httpx.TimeoutException:
            return None, "no answer in time"
        except httpx.HTTPError as exc:
            return None, f"could not connect: {type(exc).__name__}"
        if 200 <= response.status_code < 300:
            return response.status_code, None
        return response.status_code, f"answered {response.status_code}"

    async def _record(self, delivery_id: str, status: int | None, error: str | None) -> None:
        schedule = self.settings.webhook_retry_schedule_s
        async with self.sessions.begin() as session:
            row = await session.get(WebhookDelivery, delivery_id)
            if row is None:
                return
            row.attempts += 1
            row.last_status, row.last_error, row.lease_until = status, error and error[:ERROR_CHARS], None
            if error is None:
                row.status, row.delivered_at, row.next_attempt_at = "delivered", now(), None
                outcome = "delivered"
            elif row.attempts > len(schedule):
                row.status, row.next_attempt_at = "dead", None
                outcome = "dead"
                log.warning("webhook delivery %s (%s) dead after %d attempts: %s", row.id, row.type, row.attempts,
                            row.last_error)
            else:
                row.next_attempt_at = now() + timedelta(seconds=schedule[row.attempts - 1])
                outcome = "retry"
        metrics.DELIVERIES.labels(outcome).inc()
