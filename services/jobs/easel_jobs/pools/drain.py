"""Emptying a pool that is deleted or disabled: its queued jobs go to another pool, or fail saying why.

The rows decide: each queued job is moved (its row's pool changed while it is still queued, then a copy queued on
the other pool) or failed, one guarded statement each, so a job a worker starts meanwhile is left to run. Then the
pool's queue messages of those jobs are deleted; a copy left behind by a crash is harmless, as a claim starts only a
job of the claiming worker's pool (`service.claim`).
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Awaitable, Callable

from nats.js import JetStreamContext
from nats.js.errors import APIError, NotFoundError
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_common.natsio import principal_headers
from easel_jobs.pools import service
from easel_proto import Names
from easel_proto.errors import Gone
from easel_proto.v1 import common, jobs
from easel_proto.wire import encode

log = logging.getLogger(__name__)
FailJob = Callable[..., Awaitable[bool]]


async def empty(sessions: async_sessionmaker, js: JetStreamContext, names: Names, pool: str, move_to: str | None,
                why: str, fail_job: FailJob) -> tuple[int, int]:
    """Move the pool's queued jobs to `move_to`, or fail them (`why`: deleted or disabled); (moved, failed)."""
    async with sessions() as session:
        waiting = await service.queued(session, pool=pool)
    handled, moved, failed = set(), 0, 0
    for job in waiting:
        if move_to is not None:
            async with sessions.begin() as session:
                ok = await service.move(session, job_id=job.id, from_pool=pool, to_pool=move_to)
            if ok:
                owner = common.Principal(user_id=job.user_id, tenant_id=job.tenant_id, username="")
                message = jobs.JobSubmitted(job_id=job.id, principal=owner, pool=move_to, spec=job.spec,
                                            image_keys=job.image_keys, submitted_at=job.created_at)
                await js.publish(names.job_queue(move_to), encode(message),
                                 headers={"Nats-Msg-Id": f"{job.id}.moved.{move_to}",
                                          **principal_headers(job.user_id, job.tenant_id)})
                moved += 1
        else:
            error = Gone(f"pool {pool} was {why} before the job started", pool=pool).to_wire()
            ok = await fail_job(job.id, error, allowed_from=("queued",))
            failed += int(ok)
        if ok:
            handled.add(job.id)
    if handled:
        await _delete_messages(js, names, pool, handled)
    log.info("pool %s %s: %d queued job(s) moved to %s, %d failed", pool, why, moved, move_to, failed)
    return moved, failed


async def _delete_messages(js: JetStreamContext, names: Names, pool: str, job_ids: set[str]) -> None:
    """Take the jobs' messages out of the pool's queue and its workers' own queues."""
    stream = names.stream("jobs")["name"]
    for subject_filter in (names.job_queue(pool), names.all_job_direct(pool)):
        info = await js.stream_info(stream, subjects_filter=subject_filter)
        for subject, count in (info.state.subjects or {}).items():
            seq = 0
            for _ in range(count):
                try:
                    msg = await js.get_msg(stream, seq=seq, subject=subject, next=True)
                except NotFoundError:
                    break
                seq = msg.seq + 1
                if json.loads(msg.data).get("job_id") in job_ids:
                    with contextlib.suppress(APIError):  # acked or deleted meanwhile
                        await js.delete_msg(stream, msg.seq)


async def purge(js: JetStreamContext, names: Names, pool: str) -> None:
    """A deleted pool's queues emptied for good (what is left there belongs to jobs that started)."""
    stream = names.stream("jobs")["name"]
    for subject in (names.job_queue(pool), names.all_job_direct(pool)):
        with contextlib.suppress(APIError):
            await js.purge_stream(stream, subject=subject)
