"""The audit log, from one table: which routes are audited, and the middleware that records them.

`AuditLog` sits outside the app, so it sees every audited request's final status, denied ones included. For each
it builds an `AuditEvent` (who, what, target, when, source address, outcome) and hands it to `AuditBuffer`, which
publishes the events many to a message (`AuditBatch`) to the audit stream from one background task, so no response
waits on it; the auth service stores them.

An event never holds a request body, a header, a query string or a key's secret. Its target is made of the
route's path parameters (`user:<id>/key:<id>`), or, for a route that creates something, the new object's id.
A route may add safe facts with `request.state.audit = {...}`: `target` replaces the computed target,
`actor_name` (or `username`) and `tenant_id` name an actor who is not signed in yet (a login); the rest goes
into `details`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import uuid
from collections import deque
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from easel_gateway.metrics import AUDIT_DROPPED
from easel_proto.v1.audit import AuditEvent
from easel_proto.v1.common import Principal
from easel_proto.wire import encode, now

log = logging.getLogger(__name__)

AUDITED: dict[tuple[str, str], str] = {
    ("POST", "/v1/auth/login"): "auth.login",
    ("POST", "/v1/auth/refresh"): "auth.refresh",
    ("POST", "/v1/auth/logout"): "auth.logout",
    ("POST", "/v1/auth/session"): "auth.login",  # the browser's sign-in (api/session.py)
    ("POST", "/v1/auth/session/refresh"): "auth.refresh",
    ("DELETE", "/v1/auth/session"): "auth.logout",
    ("POST", "/v1/jobs"): "job.submit",
    ("DELETE", "/v1/jobs/{job_id}"): "job.cancel",
    ("PATCH", "/v1/me/settings"): "settings.update",
    ("PUT", "/v1/me/password"): "password.change",
    ("POST", "/v1/me/keys"): "key.create",
    ("DELETE", "/v1/me/keys/{key_id}"): "key.revoke",
    ("POST", "/v1/users"): "user.create",
    ("PATCH", "/v1/users/{user_id}"): "user.update",
    ("DELETE", "/v1/users/{user_id}"): "user.delete",
    ("POST", "/v1/users/{user_id}/keys"): "key.create",
    ("DELETE", "/v1/users/{user_id}/keys/{key_id}"): "key.revoke",
    ("PUT", "/v1/users/{user_id}/password"): "password.set",
    ("POST", "/v1/roles"): "role.create",
    ("PUT", "/v1/roles/{name}"): "role.update",
    ("DELETE", "/v1/roles/{name}"): "role.delete",
    ("POST", "/v1/tenants"): "tenant.create",
    ("PATCH", "/v1/tenants/{tenant_id}"): "tenant.update",
    ("DELETE", "/v1/tenants/{tenant_id}"): "tenant.delete",
    ("GET", "/v1/audit"): "audit.read",
    ("POST", "/v1/models"): "model.import",
    ("POST", "/v1/models/merge"): "model.merge",
    ("PATCH", "/v1/models/{model_id}"): "model.update",
    ("DELETE", "/v1/models/{model_id}"): "model.delete",
    ("PUT", "/v1/models/uploads/{upload_id}"): "model.upload",
    ("POST", "/v1/datasets"): "dataset.create",
    ("DELETE", "/v1/datasets/{dataset_id}"): "dataset.delete",
    ("POST", "/v1/trainings"): "training.create",
    ("DELETE", "/v1/trainings/{training_id}"): "training.cancel",
    ("POST", "/v1/trainings/{training_id}/checkpoints/{step}/register"): "training.register_checkpoint",
    # the web UI's API: generation submits jobs, options are the caller's settings, interrupt cancels jobs
    ("POST", "/sdapi/v1/txt2img"): "job.submit",
    ("POST", "/sdapi/v1/img2img"): "job.submit",
    ("POST", "/sdapi/v1/extra-single-image"): "job.submit",
    ("POST", "/sdapi/v1/extra-batch-images"): "job.submit",
    ("POST", "/inference"): "job.submit",
    ("POST", "/controlnet/detect"): "job.submit",
    ("POST", "/sdapi/v1/interrogate"): "job.submit",
    ("POST", "/sdapi/v1/options"): "settings.update",
    ("POST", "/sdapi/v1/create/embedding"): "training.draft",
    ("POST", "/sdapi/v1/create/hypernetwork"): "training.draft",
    ("POST", "/sdapi/v1/train/embedding"): "training.create",
    ("POST", "/sdapi/v1/train/hypernetwork"): "training.create",
    ("POST", "/sdapi/v1/interrupt"): "job.cancel",
    ("POST", "/sdapi/v1/skip"): "job.cancel",
}

# Routes that create something: the kind of the new object and the field of the 2xx JSON reply that names it.
# Only that one field is read from the reply (which, for a key, also holds the secret; it is never kept).
CREATES: dict[tuple[str, str], tuple[str, str]] = {
    ("POST", "/v1/jobs"): ("job", "id"),
    ("POST", "/v1/users"): ("user", "id"),
    ("POST", "/v1/users/{user_id}/keys"): ("key", "id"),
    ("POST", "/v1/me/keys"): ("key", "id"),
    ("POST", "/v1/roles"): ("role", "name"),
    ("POST", "/v1/tenants"): ("tenant", "id"),
    ("POST", "/v1/models"): ("model", "id"),
    ("POST", "/v1/models/merge"): ("job", "id"),  # the merge job; its model comes when it succeeds
    ("POST", "/v1/datasets"): ("dataset", "id"),
    ("POST", "/v1/trainings"): ("training", "id"),
}

UNAUTHENTICATED_TENANT = "default"
_MAX_REPLY = 64 * 1024  # a creation reply is small; anything bigger is not looked into
_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9._:@/-]{1,200}$")
_RESERVED = ("target", "actor_name", "username", "tenant_id", "actor_id")
BATCH_EVENTS = 500  # the most events an AuditBatch may hold (proto/schemas/v1/audit.json)
BATCH_BYTES = 256 * 1024  # a batch stays well under NATS' max_payload (1 MiB by default)
BUFFER_EVENTS = 10_000  # events waiting while NATS does not take them; beyond it the oldest are dropped
RETRY_S = (0.2, 5.0)  # the wait before a batch's second try, doubling up to the second figure
PUBLISH_TIMEOUT_S = 2.0  # for JetStream's ack of one batch
SHUTDOWN_WAIT_S = 5.0  # at shutdown, for what is buffered to be stored


def outcome(status: int) -> str:
    """ok (2xx and 3xx), denied (401, 403, 404, 429), invalid (other 4xx), error (5xx)."""
    if status >= 500:
        return "error"
    if status in (401, 403, 404, 429):
        return "denied"
    if status >= 400:
        return "invalid"
    return "ok"


def _kind(param: str, template: str) -> str:
    """`job_id` -> job; otherwise the path segment before the parameter, singular (`/roles/{name}` -> role)."""
    if param.endswith("_id"):
        return param[:-3]
    segments = template.split("/")
    for before, segment in zip(segments, segments[1:], strict=False):
        match = _PARAM.fullmatch(segment)
        if match and match.group(1) == param and not _PARAM.fullmatch(before):
            return before.removesuffix("s") or param
    return param


def target_of(template: str, path_params: dict[str, Any], caller: Principal | None,
              created: str | None = None, created_kind: str | None = None) -> str | None:
    """`user:<id>/key:<id>` from the route's parameters; /v1/me routes act on the caller's own user."""
    parts: list[str] = []
    if template.startswith("/v1/me") and caller is not None:
        parts.append(f"user:{caller.user_id}")
    for param in _PARAM.findall(template):
        if param in path_params:
            parts.append(f"{_kind(param, template)}:{path_params[param]}")
    if created is not None and created_kind is not None:
        parts.append(f"{created_kind}:{created}")
    return "/".join(parts)[:255] or None


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def source_of(scope: Scope, trust_forwarded_for: bool) -> str | None:
    """The client's address; behind a trusted proxy, the address that proxy saw (last X-Forwarded-For hop)."""
    if trust_forwarded_for:
        forwarded = _header(scope, b"x-forwarded-for")
        if forwarded:
            hops = [h.strip() for h in forwarded.split(",") if h.strip()]
            if hops:
                return hops[-1][:64]
    client = scope.get("client")
    return str(client[0])[:64] if client else None


def _safe_details(extra: dict[str, Any]) -> dict[str, Any]:
    """Only short plain values a route chose to add; anything that looks like a key is dropped."""
    out: dict[str, Any] = {}
    for key, value in extra.items():
        if key in _RESERVED:
            continue
        if isinstance(value, bool | int | float) or value is None:
            out[str(key)[:64]] = value
        elif isinstance(value, str) and "esk_" not in value and len(value) <= 200:
            out[str(key)[:64]] = value
    return out


def _created_id(body: bytes, field: str) -> str | None:
    try:
        reply = json.loads(body)
    except ValueError:
        return None
    value = reply.get(field) if isinstance(reply, dict) else None
    return value if isinstance(value, str) and _SAFE_VALUE.match(value) else None


def build_event(scope: Scope, action: str, status: int, *, trust_forwarded_for: bool,
                created: str | None = None) -> AuditEvent:
    """The event for one finished request, from what the gateway learned about it (never its body)."""
    state = scope.get("state") or {}
    caller = state.get("principal")
    caller = caller if isinstance(caller, Principal) else None
    extra = state.get("audit")
    extra = dict(extra) if isinstance(extra, dict) else {}
    template = getattr(scope.get("route"), "path", "")
    kind = CREATES.get((scope["method"], template), (None, None))[0]
    target = extra.get("target")
    if not isinstance(target, str) or not target:
        target = target_of(template, scope.get("path_params") or {}, caller, created, kind)
    details: dict[str, Any] = {"method": scope["method"], "route": template}
    if caller is not None and caller.key_id:
        details["key"] = caller.key_id  # the key's public prefix, never its secret
    details.update(_safe_details(extra))
    if caller is not None:
        tenant, actor_id, actor_name = caller.tenant_id, caller.user_id, caller.username
    else:
        name = extra.get("actor_name") or extra.get("username") or state.get("audit_actor_name")
        tenant = extra.get("tenant_id") or UNAUTHENTICATED_TENANT
        actor_id, actor_name = extra.get("actor_id"), (str(name)[:64] if name else None)
    return AuditEvent(id=str(uuid.uuid4()), at=now(), tenant_id=str(tenant), actor_id=actor_id,
                      actor_name=actor_name, action=action, target=target, source=source_of(scope, trust_forwarded_for),
                      outcome=outcome(status), status=status, details=details)


class AuditBuffer:
    """Audit events waiting to be published, many to one JetStream message (an `AuditBatch` on `audit_batch`).

    One message and one ack carry up to BATCH_EVENTS events instead of two messages each, here and in auth. A batch
    leaves when its oldest event has waited `audit_linger_s`, or at once when the batch is full (BATCH_EVENTS or
    BATCH_BYTES). One flusher task publishes, a batch at a time, and awaits JetStream's ack; a batch NATS did not
    take is tried again with the same `Nats-Msg-Id` (stored once) and backoff until it is, while new events wait
    behind it. Only the waiting events are bounded: beyond BUFFER_EVENTS the oldest are dropped, counted in
    `easel_audit_dropped_total` and logged by number, never by content.
    """

    def __init__(self) -> None:
        self._events: deque[tuple[float, bytes]] = deque()  # (when it came, the encoded event), oldest first
        self._bytes = 0
        self._sending = 0  # events of the batch being published
        self._dropped = 0  # dropped since the last log line saying so
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping = False
        self._flusher: asyncio.Task[None] | None = None
        self._app: Any = None  # the app whose connection and settings publish: the latest that recorded an event
        self._js: tuple[Any, Any] | None = None  # (connection, its JetStream context): made once, not per batch

    def add(self, app: Any, event: bytes) -> None:
        """Buffer one encoded event; never waits."""
        self._app = app
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # an app served again on another loop (tests): start afresh there
            self._loop, self._wake, self._flusher = loop, asyncio.Event(), None
        if len(self._events) >= BUFFER_EVENTS:
            _, oldest = self._events.popleft()
            self._bytes -= len(oldest)
            self._dropped += 1
            AUDIT_DROPPED.inc()
        self._events.append((loop.time(), event))
        self._bytes += len(event)
        if len(self._events) == 1 or self._full():
            self._wake.set()  # an empty buffer's first event starts the linger; a full batch goes now
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())

    def _full(self) -> bool:
        return len(self._events) >= BATCH_EVENTS or self._bytes >= BATCH_BYTES

    def _take(self) -> list[bytes]:
        """The oldest events, up to a batch (at least one, however large)."""
        batch: list[bytes] = []
        size = 0
        while self._events and len(batch) < BATCH_EVENTS:
            event = self._events[0][1]
            if batch and size + len(event) > BATCH_BYTES:
                break
            self._events.popleft()
            batch.append(event)
            size += len(event)
        self._bytes -= size
        return batch

    async def _flush(self) -> None:
        loop = asyncio.get_running_loop()
        while self._events or not self._stopping:
            if not self._events:
                self._wake.clear()
                await self._wake.wait()
                continue
            settings = self._app.state.settings
            wait = self._events[0][0] + settings.audit_linger_s - loop.time()
            if wait > 0 and not self._full() and not self._stopping:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), wait)
                continue
            await self._publish(self._take())

    async def _publish(self, batch: list[bytes]) -> None:
        """Publish one batch until JetStream stores it; the same id every try, so a try whose ack was lost is not
        stored twice (and auth would store each event once anyway)."""
        # the events are JSON already: joined, they are exactly `encode(AuditBatch(items=...))`, without encoding twice
        payload = b'{"items":[' + b",".join(batch) + b"]}"
        headers = {"Nats-Msg-Id": f"audit-batch-{uuid.uuid4()}"}
        self._sending = len(batch)  # counted as lost if shutdown cancels this
        delay, failed = RETRY_S[0], False
        while True:
            try:
                state = self._app.state
                await self._jetstream(state.nc).publish(state.settings.names.audit_batch, payload, headers=headers,
                                                        timeout=PUBLISH_TIMEOUT_S)
                break
            except Exception as exc:
                if not failed:
                    log.warning("%d audit events not stored yet (%s); trying again until they are", len(batch),
                                type(exc).__name__)
                failed = True
            self._report_dropped()
            await asyncio.sleep(delay)
            delay = min(delay * 2, RETRY_S[1])
        self._sending = 0
        if failed:
            log.warning("%d audit events were stored once NATS took them again", len(batch))
        self._report_dropped()

    def _jetstream(self, nc: Any) -> Any:
        if self._js is None or self._js[0] is not nc:
            self._js = (nc, nc.jetstream())
        return self._js[1]

    def _report_dropped(self) -> None:
        if self._dropped:
            log.error("dropped %d audit events: more than %d waited while NATS did not take them", self._dropped,
                      BUFFER_EVENTS)
            self._dropped = 0

    def reopen(self) -> None:
        """Linger again (the app starts anew after a shutdown)."""
        self._stopping = False

    async def close(self, timeout: float = SHUTDOWN_WAIT_S) -> None:
        """Publish everything buffered now (no linger), waiting at most `timeout`; what is left then is dropped,
        counted and logged by number."""
        self._stopping = True
        self._wake.set()
        if self._events and (self._flusher is None or self._flusher.done()):
            self._flusher = asyncio.create_task(self._flush())
        flusher = self._flusher
        if flusher is None or flusher.done():
            return
        done, _ = await asyncio.wait({flusher}, timeout=timeout)
        if done:
            return
        flusher.cancel()
        await asyncio.gather(flusher, return_exceptions=True)
        lost = len(self._events) + self._sending
        if lost:
            AUDIT_DROPPED.inc(lost)
            log.error("dropped %d audit events at shutdown: NATS did not take them within %.0f s", lost, timeout)
        self._events.clear()
        self._bytes = self._sending = 0


class AuditLog:
    """Record every audited request (see AUDITED) once its status is known; publish without delaying it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.buffer = AuditBuffer()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await self.app(scope, self._flushing(receive), send)
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        scope.setdefault("state", {})  # so what routes put in request.state is visible here afterwards
        status = 500
        reply = bytearray()
        watch_reply = False

        async def capture(message: Message) -> None:
            nonlocal status, watch_reply
            if message["type"] == "http.response.start":
                status = message["status"]
                route = scope.get("route")
                watch_reply = 200 <= status < 300 and (scope["method"], getattr(route, "path", "")) in CREATES
            elif message["type"] == "http.response.body" and watch_reply:
                reply.extend(message.get("body", b""))
                if len(reply) > _MAX_REPLY:
                    watch_reply = False
                    reply.clear()
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            self._record(scope, status, bytes(reply) if watch_reply else b"")

    def _record(self, scope: Scope, status: int, reply: bytes) -> None:
        route = scope.get("route")
        action = AUDITED.get((scope["method"], getattr(route, "path", "")))
        if action is None:
            return
        app = scope.get("app")
        try:
            settings = app.state.settings
            created = None
            if reply:
                created = _created_id(reply, CREATES[(scope["method"], route.path)][1])
            event = build_event(scope, action, status, created=created,
                                trust_forwarded_for=settings.trust_forwarded_for)
            payload = encode(event)
        except Exception as exc:  # never fail a request over its audit record; say so, without its content
            log.error("could not build the audit event for %s: %s", action, type(exc).__name__)
            return
        self.buffer.add(app, payload)

    def _flushing(self, receive: Receive) -> Receive:
        """At shutdown, publish what is buffered before the app closes its connection (a bounded wait)."""
        async def wrapped() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.buffer.reopen()
            elif message["type"] == "lifespan.shutdown":
                await self.buffer.close()
            return message

        return wrapped
