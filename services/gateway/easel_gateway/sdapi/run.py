"""Run a web UI call's job(s) synchronously: resolve, queue, wait for the end, read the images.

Every job is an ordinary Easel job of the caller's (quotas, queue, cancel, /v1/jobs). A job is submitted under the
Idempotency-Key `webui-task:<task id>`, so /internal/progress finds it; a call that runs several jobs keys the
others `webui-task:<task id>/<n>`. The task id is the client's force_task_id, else its Idempotency-Key header,
else one derived from the caller and the request (`auto(<digest>)`), which names the same call's jobs only for
`webui_idempotency_window_s`: a client that retries a call after a time-out gets its first jobs, not new ones.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from easel_gateway import admission, events
from easel_gateway.admission import Admitted
from easel_gateway.sdapi.context import Context
from easel_gateway.sdapi.convert import Converted
from easel_gateway.sdapi.fields import as_sent
from easel_proto.errors import EaselError, GenerationFailed, InvalidInput, Unavailable
from easel_proto.naming import TERMINAL_EVENTS, image_key
from easel_proto.v1 import jobs

T = TypeVar("T")
TASK_PREFIX = "webui-task:"
MAX_TASK_ID = 200  # as force_task_id (payloads.py): the key `webui-task:<id>/<n>` fits the jobs' 255


async def task_id(ctx: Context, force_task_id: str | None) -> str:
    """The call's task id: the client's force_task_id, else its Idempotency-Key, else derived from the caller and
    the request (and then good for `webui_idempotency_window_s` only, see ctx.key_window_s)."""
    given = force_task_id or ctx.request.headers.get("idempotency-key")
    if given:
        if len(given) > MAX_TASK_ID:  # only the header can be longer; truncating it could merge two keys
            raise InvalidInput("Idempotency-Key", f"at most {MAX_TASK_ID} characters")
        return given
    request = ctx.request
    call = f"{ctx.caller.user_id}\n{request.method} {request.url.path}?{request.url.query}\n".encode()
    body = await request.body()  # what the client sent, read once already by the route
    digest = await asyncio.to_thread(_digest, call, body) if len(body) > 64 * 1024 else _digest(call, body)
    ctx.key_window_s = ctx.settings.webui_idempotency_window_s
    return f"auto({digest})"


def _digest(call: bytes, body: bytes) -> str:
    return hashlib.sha256(call + body).hexdigest()[:32]


def task_key(task: str, n: int = 0) -> str:
    """The Idempotency-Key of job `n` of a web UI call."""
    return f"{TASK_PREFIX}{task}" if n == 0 else f"{TASK_PREFIX}{task}/{n}"


@dataclass
class Done:
    """A finished job and its images: all when it succeeded, those it made before it stopped when interrupted."""

    record: jobs.JobRecord
    pngs: list[bytes]


async def prepare(ctx: Context, converted: Converted) -> Admitted:
    """Admit one job; refusals name the payload's fields."""
    async with admission.slot(ctx.state):
        with as_sent(converted.names):
            return await ctx.admission.admit(converted.job, ctx.caller, ctx.mine, ctx.known)


async def queue(ctx: Context, job: Admitted, key: str | None, patient: bool = False) -> jobs.JobRecord:
    async with admission.slot(ctx.state, patient):
        reply = await ctx.svc.create_job(job.create_request(ctx.caller, key, ctx.limits, ctx.key_window_s))
    audit = getattr(ctx.request.state, "audit", None) or {}
    audit.setdefault("target", f"job:{reply.job.id}")  # the audit record names the call's first job
    ctx.request.state.audit = audit
    return reply.job


async def finish(ctx: Context, record: jobs.JobRecord) -> Done:
    """Wait for the job's end; its images if it succeeded, the ones it made if interrupted (canceled: the batches it
    finished and the one it stopped in, as the web UI returns them; none if no step was done), its error if it
    failed."""
    if record.status not in TERMINAL_EVENTS:
        async for event in events.follow(ctx.state.nc, ctx.svc, ctx.caller, record):
            if event["event"] in TERMINAL_EVENTS:
                break
        record = await ctx.svc.get_job(ctx.caller, record.id)
    if record.status == "failed":
        if record.error is None:
            raise GenerationFailed(f"job {record.id} failed")
        raise EaselError.from_wire(record.error)
    if record.status not in ("succeeded", "canceled"):
        return Done(record, [])
    keys = [image_key(record.tenant_id, record.user_id, record.id, image.index) for image in record.images]
    return Done(record, list(await asyncio.gather(*(ctx.store.get(key) for key in keys))))


async def run(ctx: Context, converted: Converted, key: str | None) -> Done:
    """One job from payload to images; a worker's refusal also names the payload's field."""
    record = await queue(ctx, await prepare(ctx, converted), key)
    with as_sent(converted.names):
        return await finish(ctx, record)


async def run_all(ctx: Context, converted: Sequence[Converted], task: str) -> list[Done]:
    """Several jobs of one call: all resolved first (a bad one queues none), then run concurrently.

    The call is let in or refused whole: its first job takes its place in the gateway's line as any submission
    does (refused at once when the gateway is full); the others then wait their turn (gate.PATIENT_WAIT_S). Should
    one still be refused, the call's jobs already queued are canceled before the 503: the answer never says
    "refused" of a call whose jobs run."""
    prepared = [await prepare(ctx, c) for c in converted]
    queued: list[str] = []
    refused: list[Unavailable] = []

    def piece(n: int) -> Callable[[], Awaitable[Done]]:
        async def go() -> Done:
            if refused:
                raise refused[0]
            try:
                record = await queue(ctx, prepared[n], task_key(task, n), patient=n > 0)
            except Unavailable as exc:
                refused.append(exc)
                await _cancel(ctx, queued)
                raise
            queued.append(record.id)
            if refused:  # refused meanwhile: this one goes too
                await _cancel(ctx, [record.id])
                raise refused[0]
            with as_sent(converted[n].names):
                return await finish(ctx, record)
        return go

    return await bounded(ctx, [piece(n) for n in range(len(prepared))])


async def _cancel(ctx: Context, job_ids: Sequence[str]) -> None:
    for job_id in list(job_ids):
        try:
            await ctx.svc.cancel_job(ctx.caller, job_id)
        except EaselError:  # ended already, or the jobs service is the trouble: the job keeps its own end
            pass


async def bounded(ctx: Context, work: Sequence[Callable[[], Awaitable[T]]]) -> list[T]:
    """Run `work` concurrently, at most as many at once as the caller may have jobs; results in order.

    The first failure is raised once every started piece has ended (their jobs are never canceled)."""
    slots = asyncio.Semaphore(ctx.limits.max_concurrent_jobs or len(work) or 1)

    async def one(piece: Callable[[], Awaitable[T]]) -> T:
        async with slots:
            return await piece()

    results = await asyncio.gather(*(one(piece) for piece in work), return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return list(results)
