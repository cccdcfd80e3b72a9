"""The gateway keeps a running job's latest live preview between the progress events that carry one, one per job,
and lets it go when the job ends, when nobody polls it, or to make room (easel_gateway/previews.py)."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from easel_common.natsio import close, connect, ensure_streams
from easel_gateway.previews import LatestPreviews
from easel_proto import Names
from easel_proto.v1 import jobs
from easel_proto.wire import encode, now
from helpers import namespace, wait_for


@pytest.fixture
async def events(nats_url):
    names = Names(namespace())
    nc = await connect(nats_url, "previews-test")
    await ensure_streams(nc, names, ("events",))
    js = nc.jetstream()

    async def publish(job_id: str, kind: str, step: int = 0, preview: str | None = None) -> None:
        if kind == "progress":
            data = encode(jobs.JobProgress(job_id=job_id, step=step, steps=30, at=now(), preview=preview))
        else:
            data = b"{}"
        await js.publish(names.job_events(job_id, kind), data)

    yield nc, names, publish
    await close(nc)


async def test_the_latest_preview_stays_between_previews_and_goes_with_the_job(events):
    nc, names, publish = events
    previews = LatestPreviews(nc, names)
    job = uuid.uuid4().hex
    await publish(job, "processing")
    await publish(job, "progress", 3, "data:image/webp;base64,AAAA")
    await publish(job, "progress", 4)
    await previews.latest(job)  # the first poll starts the watch, which reads what came before

    async def kept():
        seen = await previews.latest(job)
        return seen if seen and seen.step == 3 else None

    await wait_for(kept, timeout=10)
    await publish(job, "progress", 5)
    await publish(job, "progress", 6, "data:image/webp;base64,BBBB")
    await publish(job, "progress", 7)
    await wait_for(lambda: _step(previews, job, 6), timeout=10)
    assert (await previews.latest(job)).preview == "data:image/webp;base64,BBBB"

    await publish(job, "succeeded")  # the end: nothing of it is kept
    await wait_for(lambda: _gone(previews), timeout=10)
    await previews.close()


async def test_watches_are_bounded_and_dropped_when_nobody_polls(events):
    nc, names, publish = events
    previews = LatestPreviews(nc, names, max_jobs=2, idle_s=1.0)
    first, second, third = (uuid.uuid4().hex for _ in range(3))
    for job in (first, second, third):
        await publish(job, "progress", 3, "data:image/webp;base64,AAAA")
        await previews.latest(job)
    assert len(previews) == 2  # the least recently polled made room
    await wait_for(lambda: _step(previews, third, 3), timeout=10)
    for _ in range(8):  # only the third is polled: the second goes quiet for longer than idle_s
        await asyncio.sleep(0.2)
        assert (await previews.latest(third)).step == 3
    assert len(previews) == 1
    await previews.close()
    assert len(previews) == 0


async def _step(previews: LatestPreviews, job: str, step: int) -> bool:
    seen = await previews.latest(job)
    return seen is not None and seen.step == step


async def _gone(previews: LatestPreviews) -> bool:
    return len(previews) == 0

