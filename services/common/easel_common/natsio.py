"""NATS plumbing shared by every process: connect, streams, typed request/reply, service endpoints."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import ssl
import time
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import nats
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BadRequestError
from nats.micro import ServiceConfig, add_service
from nats.micro.request import ERROR_CODE_HEADER, ERROR_HEADER, Request
from nats.micro.service import Service
from pydantic import BaseModel, ValidationError

from easel_common.callers import Holder, Verifier
from easel_common.nats_access import inbox_prefix, responder
from easel_common.pulls import Consumer
from easel_proto import Names
from easel_proto.errors import EaselError, Forbidden, InvalidInput, Unavailable
from easel_proto.v1.common import Error, Principal
from easel_proto.wire import decode, encode

log = logging.getLogger(__name__)
STATUS_HEADER, NO_RESPONDERS = "Status", "503"  # what nats-server sends a request no one subscribes to
DEADLINE_HEADER = "Easel-Deadline"
# A caller waits this long past the deadline it sends: a service stores nothing after the deadline, so an answer
# sent just before it still arrives, and a caller that hears nothing may say that nothing was done.
REPLY_GRACE_S = 0.5
R = TypeVar("R", bound=BaseModel)
Q = TypeVar("Q", bound=BaseModel)

_RETENTION = {"workqueue": RetentionPolicy.WORK_QUEUE, "limits": RetentionPolicy.LIMITS}


@dataclass(frozen=True)
class Identity:
    """How a process signs in to NATS: its identity's name (which fixes its inbox), nkey seed file and TLS."""

    name: str
    seed_file: Path | None = None
    tls: ssl.SSLContext | None = None


def tls_context(ca_file: Path | None, cert_file: Path | None = None, key_file: Path | None = None) -> ssl.SSLContext:
    """A client TLS context that verifies the server (against ca_file, else the system's CAs)."""
    context = ssl.create_default_context(cafile=str(ca_file) if ca_file else None)
    if cert_file is not None:
        context.load_cert_chain(str(cert_file), str(key_file) if key_file else None)
    return context


async def connect(url: str, name: str, identity: Identity | None = None) -> Client:
    """Connect with endless reconnects: a broker restart must not take a service down."""
    options: dict[str, Any] = {}
    if identity is not None:
        options["inbox_prefix"] = inbox_prefix(identity.name)
        if identity.seed_file is not None:
            options["nkeys_seed"] = str(identity.seed_file)
        if identity.tls is not None:
            options["tls"] = identity.tls
    return await nats.connect(
        url, name=name, max_reconnect_attempts=-1, reconnect_time_wait=0.5, connect_timeout=5,
        allow_reconnect=True, error_cb=_log_error, **options,
    )


async def _log_error(exc: Exception) -> None:
    # a permissions violation arrives here, not at the call that caused it: say it loudly
    log.warning("NATS: %s", exc)


async def ensure_streams(nc: Client, names: Names, keys: tuple[str, ...] = ("jobs", "events", "advisories"), *,
                         replicas: int = 1) -> None:
    """Create or update streams (by default the jobs service's: job queue, events, advisories); idempotent.
    `replicas` (EASEL_STREAM_REPLICAS) is how many servers of a NATS cluster keep each stream."""
    js = nc.jetstream()
    for key in keys:
        spec = names.stream(key)
        config = StreamConfig(
            name=spec["name"], subjects=spec["subjects"], retention=_RETENTION[spec["retention"]],
            storage=StorageType.FILE, max_age=float(spec.get("max_age_s", 0)) or None,
            discard=DiscardPolicy.OLD, duplicate_window=120.0, num_replicas=replicas,
        )
        try:
            await js.add_stream(config)
        except BadRequestError:
            await js.update_stream(config)


def principal_headers(user_id: str, tenant_id: str) -> dict[str, str]:
    """Tenancy travels in the headers of every message that acts for a user."""
    return {"Easel-Tenant": tenant_id, "Easel-User": user_id}


def deadline_of(headers: Mapping[str, str]) -> float | None:
    """The caller's deadline (epoch seconds) from a request's headers; None when it sent none."""
    try:
        return float(headers[DEADLINE_HEADER])
    except (KeyError, ValueError):
        return None


@dataclass(frozen=True)
class Caller:
    """A statement auth signed about the user a request is made for, and the key that proves holding it."""

    statement: str
    holder: Holder


class _Inboxes:
    """A connection's inboxes for the services' answers: one subscription per service on
    `{reply_prefix(identity, service)}.{random}.*`, each request waiting on its own last token."""

    def __init__(self, base: str) -> None:
        self.base = base  # `_INBOX.{identity}`: the connection's inbox_prefix (holding no reference to it)
        self.prefixes: dict[str, str] = {}
        self.waiting: dict[str, asyncio.Future[Msg]] = {}
        self.lock = asyncio.Lock()

    async def prefix(self, nc: Client, service: str) -> str:
        if service in self.prefixes:
            return self.prefixes[service]
        async with self.lock:
            if service not in self.prefixes:
                prefix = f"{self.base}.{service}.{secrets.token_hex(8)}"
                await nc.subscribe(f"{prefix}.*", cb=self._heard)
                self.prefixes[service] = prefix
        return self.prefixes[service]

    async def _heard(self, msg: Msg) -> None:
        waiting = self.waiting.pop(msg.subject.rsplit(".", 1)[-1], None)
        if waiting is not None and not waiting.done():
            waiting.set_result(msg)


_INBOXES: weakref.WeakKeyDictionary[Client, _Inboxes] = weakref.WeakKeyDictionary()


async def ask(nc: Client, subject: str, payload: bytes, *, timeout: float,
              headers: Mapping[str, str] | None = None) -> Msg:
    """`nc.request`, with the reply subject under the caller's inbox for the service that answers `subject`
    (nats_access.reply_prefix): the one place that service may publish its answer, a grant that holds across a
    nats-server reload. Subjects no service answers (JetStream's API) go through `nc.request`."""
    service = responder(subject)
    if service is None:
        return await nc.request(subject, payload, timeout=timeout, headers=dict(headers or {}))
    inboxes = _INBOXES.get(nc)
    if inboxes is None:
        inboxes = _INBOXES[nc] = _Inboxes(nc.new_inbox().rsplit(".", 1)[0])
    prefix = await inboxes.prefix(nc, service)
    token = secrets.token_hex(8)
    waiting: asyncio.Future[Msg] = asyncio.get_running_loop().create_future()
    inboxes.waiting[token] = waiting
    try:
        await nc.publish(subject, payload, reply=f"{prefix}.{token}", headers=dict(headers or {}))
        msg = await asyncio.wait_for(waiting, timeout)
    except TimeoutError as exc:
        raise NatsTimeout from exc
    finally:
        inboxes.waiting.pop(token, None)
    if msg.headers and msg.headers.get(STATUS_HEADER) == NO_RESPONDERS:
        raise NoRespondersError
    return msg


async def request(nc: Client, subject: str, message: BaseModel, reply_type: type[R], *,
                  timeout: float, headers: Mapping[str, str] | None = None, caller: Caller | None = None) -> R:
    """Send a typed request; a remote error comes back raised as its EaselError subclass."""
    # The deadline lets an overloaded service skip work whose caller has already given up on it.
    sent = {**(headers or {}), DEADLINE_HEADER: f"{time.time() + timeout:.3f}"}
    body = encode(message)
    if caller is not None:
        sent.update(caller.holder.headers(caller.statement, subject, body))
    try:
        msg = await ask(nc, subject, body, timeout=timeout + REPLY_GRACE_S, headers=sent)
    except (TimeoutError, NatsTimeout, NoRespondersError) as exc:
        raise Unavailable(f"no answer from {subject.split('.', 1)[-1]}", subject=subject) from exc
    if msg.headers and ERROR_CODE_HEADER in msg.headers:
        raise EaselError.from_wire(decode(Error, msg.data))
    return decode(reply_type, msg.data)


@dataclass(frozen=True)
class Call:
    """What a handler knows about a request besides its body: the subject it came on, its headers, and the
    caller (verified from the signed statement; None on endpoints that serve no user)."""

    subject: str
    headers: Mapping[str, str] = field(default_factory=dict)
    caller: Principal | None = None


Handler = Callable[[Any, Call], Awaitable[BaseModel]]
PRINCIPAL_FIELDS = ("principal", "actor")


@dataclass
class Endpoint:
    """One request/reply endpoint: the subject, its request type and the handler.

    With `caller` (the default) a request must carry a caller statement the service verifies, and the principal its
    body names must be that caller: a service never takes a body's word for who is calling. Endpoints that serve no
    user (sign-in, a worker's claim) say caller=False; NATS permissions decide who may reach them.
    """

    name: str
    subject: str
    request_type: type[BaseModel]
    handler: Handler
    caller: bool = True


def bind_caller(request: BaseModel, caller: Principal) -> None:
    """Refuse a request whose body names another principal than the verified caller."""
    for name in PRINCIPAL_FIELDS:
        claimed = getattr(request, name, None)
        if isinstance(claimed, Principal) and claimed != caller:
            raise Forbidden(f"{name}: the request names another caller than the one the gateway vouched for")


class EndpointServer:
    """Serves endpoints as a NATS micro service; each request runs in its own task."""

    def __init__(self, nc: Client, name: str, version: str, description: str,
                 verifier: Verifier | None = None) -> None:
        self._nc = nc
        self._config = ServiceConfig(name=name, version=version, description=description)
        self._verifier = verifier
        self._service: Service | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self, endpoints: list[Endpoint]) -> None:
        if self._verifier is None and any(ep.caller for ep in endpoints):
            raise RuntimeError("endpoints that act for a caller need a verifier of caller statements")
        self._service = await add_service(self._nc, self._config)
        for ep in endpoints:
            await self._service.add_endpoint(name=ep.name, subject=ep.subject, handler=self._spawn(ep))

    def _spawn(self, ep: Endpoint) -> Callable[[Request], Awaitable[None]]:
        async def handle(req: Request) -> None:
            # micro awaits handlers one at a time per subscription; a task per request keeps
            # a slow database call from holding up every other caller.
            task = asyncio.create_task(self._answer(ep, req))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

        return handle

    async def _answer(self, ep: Endpoint, req: Request) -> None:
        try:
            headers = req.headers or {}
            deadline = deadline_of(headers)
            if deadline is not None and deadline < time.time():
                raise Unavailable(f"{ep.name}: the caller's deadline passed before the request was served")
            caller = self._verifier.verify(headers, req.subject, req.data) if ep.caller else None
            try:
                body = decode(ep.request_type, req.data)
                if caller is not None:
                    bind_caller(body, caller)
                reply = await ep.handler(body, Call(req.subject, headers, caller))
            except ValidationError as exc:
                first = exc.errors()[0]
                field = ".".join(str(p) for p in first["loc"]) or "body"
                raise InvalidInput(field, first["msg"]) from exc
            await req.respond(encode(reply))
        except EaselError as exc:
            await self._respond_error(req, exc)
        except Exception as exc:  # the catch-all: log it here, send no internals
            log.exception("%s failed", ep.subject)
            await self._respond_error(req, EaselError(f"internal error in {ep.name}: {type(exc).__name__}"))

    @staticmethod
    async def _respond_error(req: Request, exc: EaselError) -> None:
        # NATS micro wants a numeric code in the header; Easel's own code travels in the body
        headers = {ERROR_HEADER: exc.message[:200] or exc.code, ERROR_CODE_HEADER: str(exc.status)}
        try:
            await req.respond(encode(exc.to_wire()), headers=headers)
        except Exception:  # the requester may be gone; nothing to tell
            log.debug("could not deliver error reply", exc_info=True)

    @property
    def serving(self) -> bool:
        """Whether the endpoints are subscribed (a readiness check)."""
        return self._service is not None and not self._nc.is_closed

    async def stop(self) -> None:
        if self._service is not None:
            await self._service.stop()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)


def pull_config(durable: str, filter_subjects: list[str], *, ack_wait: float = 30.0, max_deliver: int = -1,
                **extra: Any) -> ConsumerConfig:
    """A durable pull consumer with explicit acks."""
    # `name` as well as `durable_name`: the create request then names the consumer (and a single filter) in its
    # subject, which is what NATS permissions can hold an identity to
    return ConsumerConfig(
        name=durable, durable_name=durable, ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
        filter_subjects=filter_subjects if len(filter_subjects) > 1 else None,
        filter_subject=filter_subjects[0] if len(filter_subjects) == 1 else None,
        ack_wait=ack_wait, max_deliver=max_deliver, max_ack_pending=10_000, **extra,
    )


async def durable_consumer(nc: Client, stream: str, durable: str, filter_subjects: list[str], *,
                           ack_wait: float = 30.0, max_deliver: int = -1) -> Any:
    """Create (or update) a durable pull consumer and return a continuous reader of it (pulls.Consumer: pull
    requests kept open, messages taken as they arrive; `fetch` as on nats-py's subscriptions)."""
    # With no explicit action the server creates the consumer or updates its editable fields.
    await nc.jetstream().add_consumer(stream, pull_config(durable, filter_subjects, ack_wait=ack_wait,
                                                          max_deliver=max_deliver))
    return await Consumer(nc, stream, durable).start()


async def fetched(sub: Any, stopping: asyncio.Event, batch: int = 64) -> AsyncIterator[list[Any]]:
    """The messages of a pull subscription, a fetched batch at a time, until `stopping` is set."""
    while not stopping.is_set():
        try:
            msgs = await sub.fetch(batch, timeout=1.0)
        except (TimeoutError, NatsTimeout):
            continue
        except Exception:  # broker gone for a moment: the client reconnects, we retry
            if stopping.is_set():
                return
            log.warning("fetch failed; retrying", exc_info=True)
            await asyncio.sleep(0.5)
            continue
        yield msgs
    if isinstance(sub, Consumer):  # what arrived and was not handled goes back at once, not after ack_wait
        await sub.release()


async def consume(sub: Any, handle: Callable[[Any], Awaitable[None]], stopping: asyncio.Event, *,
                  batch: int = 64, auto_ack: bool = True) -> None:
    """Fetch and handle messages until `stopping` is set; a failed message is retried after a pause.

    With auto_ack=False the handler acks (or naks) each message itself.
    """
    async for msgs in fetched(sub, stopping, batch):
        for msg in msgs:
            try:
                await handle(msg)
                if auto_ack:
                    await msg.ack()
            except Exception:
                log.exception("could not handle %s; will retry", msg.subject)
                await msg.nak(delay=1.0)


async def consume_batches(sub: Any, handle: Callable[[list[Any]], Awaitable[None]], stopping: asyncio.Event, *,
                          batch: int = 64, linger: float = 0.0) -> None:
    """Like `consume`, a fetched batch per call of `handle`: acked together once handled, retried together after a
    pause when it fails (so `handle` must be idempotent). After a batch that was not full, wait `linger` seconds
    before fetching again, so that messages arriving one by one are handled several at a time."""
    async for msgs in fetched(sub, stopping, batch):
        try:
            await handle(msgs)
        except Exception:
            log.exception("could not handle %d messages on %s; will retry", len(msgs), msgs[0].subject)
            for msg in msgs:
                await msg.nak(delay=1.0)
            continue
        for msg in msgs:
            await msg.ack()
        if linger and len(msgs) < batch:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopping.wait(), linger)


async def close(nc: Client) -> None:
    """Flush what was published, then close; used once a process has stopped its own subscribers.

    (drain() would wait out its timeout on the pull subscriptions' pending requests.)
    """
    if nc.is_closed:
        return
    with contextlib.suppress(Exception):
        await nc.flush(timeout=2)
    await nc.close()
