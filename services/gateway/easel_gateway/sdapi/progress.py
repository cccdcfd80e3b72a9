"""Progress and interruption, per caller: the web UI has one global job; Easel answers about the caller's own.

/sdapi/v1/progress: the caller's running job (else 0 with the count of their queued ones), with its live preview
(the latest one, kept between the progress events that carry one: previews.py).
/internal/progress: the caller's job by the web UI task id it was submitted with (force_task_id).
/sdapi/v1/interrupt: cancel the caller's running and queued jobs (a running one keeps the images it made);
/sdapi/v1/skip: end the current batch of the caller's running jobs, which go on with their next.
Nobody else's job is ever seen or touched.
"""

from __future__ import annotations

import asyncio
import base64
import io
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query
from PIL import Image

from easel_gateway.errors import SIGNED_IN, declared
from easel_gateway.sdapi import shapes
from easel_gateway.sdapi.context import Context, Ctx
from easel_gateway.sdapi.payloads import TaskProgress
from easel_gateway.sdapi.run import task_key
from easel_proto.errors import Conflict, NotFound
from easel_proto.v1 import jobs

router = APIRouter(tags=["web UI"], responses=declared(*SIGNED_IN, webui=True))
RUNNING = ("processing", "starting")


async def _mine(ctx: Context, *statuses: str) -> list[jobs.JobRecord]:
    """The caller's own jobs in these statuses (at most 100 each), oldest first."""
    out: list[jobs.JobRecord] = []
    for status in statuses:
        reply = await ctx.svc.list_jobs(jobs.ListJobsRequest(principal=ctx.caller, status=status, limit=100))
        out += reply.items
    return sorted(out, key=lambda r: r.created_at)


def _fraction(record: jobs.JobRecord) -> float:
    if record.status == "succeeded":
        return 1.0
    progress = record.progress
    return min(1.0, progress.step / progress.steps) if progress and progress.steps else 0.0


def _eta(record: jobs.JobRecord, fraction: float) -> float | None:
    """Seconds left, from how long the job has run and how far it got."""
    if record.started_at is None or fraction <= 0:
        return None
    elapsed = (datetime.now(UTC) - record.started_at).total_seconds()
    return max(0.0, elapsed / fraction - elapsed)


def _png(preview: str | None) -> str | None:
    """A worker's preview (a data: URI, WebP) as the web UI's current_image: base64 PNG without a prefix."""
    if not preview or "," not in preview:
        return None
    try:
        with Image.open(io.BytesIO(base64.b64decode(preview.split(",", 1)[1], validate=True))) as image:
            out = io.BytesIO()
            image.convert("RGB").save(out, "PNG")
    except (ValueError, OSError):  # not an image: nothing to show rather than a failed poll
        return None
    return base64.b64encode(out.getvalue()).decode("ascii")


async def _latest(ctx: Context, record: jobs.JobRecord) -> jobs.Progress | None:
    """The running job's latest live preview: its last progress event's, else the last one a worker sent before."""
    progress = record.progress
    if progress is None or progress.preview or record.status not in RUNNING:
        return progress
    kept = await ctx.state.previews.latest(record.id)
    return jobs.Progress(step=kept.step, steps=kept.steps, preview=kept.preview) if kept else None


@router.get("/sdapi/v1/progress", response_model=shapes.ProgressResponse)
async def progress(ctx: Ctx, skip_current_image: bool = Query(False)) -> dict[str, Any]:  # noqa: B008
    """How far the caller's current job is, with current_image: its latest live preview (a small, cheap projection
    of the latents, a grid for a batch; kept until the job ends; null before the first, or with
    skip_current_image)."""
    running = await _mine(ctx, *RUNNING)
    queued = await _mine(ctx, "queued")
    # a listed job carries no progress; the job itself does
    current = await ctx.svc.get_job(ctx.caller, running[0].id) if running else None
    fraction = _fraction(current) if current else 0.0
    steps = current.progress if current and current.progress else None
    shown = await _latest(ctx, current) if current and not skip_current_image else None
    image = await asyncio.to_thread(_png, shown.preview) if shown and shown.preview else None
    return {
        "progress": fraction, "eta_relative": (_eta(current, fraction) or 0.0) if current else 0.0,
        "state": {"skipped": False, "interrupted": bool(current and current.cancel_requested),
                  "job": current.id if current else "", "job_count": len(running) + len(queued),
                  "job_timestamp": current.created_at.strftime("%Y%m%d%H%M%S") if current else "0", "job_no": 0,
                  "sampling_step": steps.step if steps else 0, "sampling_steps": steps.steps if steps else 0},
        "current_image": image,
        "textinfo": None if current else ("In queue..." if queued else None),
    }


@router.post("/internal/progress", response_model=shapes.InternalProgressResponse)
async def task_progress(body: TaskProgress, ctx: Ctx) -> dict[str, Any]:
    """The caller's job submitted as web UI task `id_task`."""
    found = []
    if body.id_task:
        reply = await ctx.svc.list_jobs(jobs.ListJobsRequest(principal=ctx.caller, limit=1,
                                                             idempotency_key=task_key(body.id_task)))
        found = reply.items
    if not found:
        return {"active": False, "queued": False, "completed": False, "progress": None, "eta": None,
                "live_preview": None, "id_live_preview": -1, "textinfo": "Waiting..."}
    record = await ctx.svc.get_job(ctx.caller, found[0].id)
    fraction = _fraction(record)
    shown = await _latest(ctx, record) if record.status in RUNNING and body.live_preview else None
    preview = shown.preview if shown else None
    done = record.status in ("succeeded", "failed", "canceled")
    return {"active": record.status in RUNNING, "queued": record.status == "queued", "completed": done,
            "progress": fraction if record.status in RUNNING or done else None,
            "eta": _eta(record, fraction) if record.status in RUNNING else None,
            # the web UI's page shows a data URL as it is; the id tells a client it has seen this one
            "live_preview": preview,
            "id_live_preview": (shown.step if preview else
                                body.id_live_preview if body.id_live_preview is not None else -1),
            "textinfo": {"queued": _in_queue(record), "failed": "Failed", "canceled": "Interrupted"}.get(record.status)}


def _in_queue(record: jobs.JobRecord) -> str:
    """The web UI's "In queue: N/M" as far as Easel tells it: the queued jobs of the pool ahead of this one."""
    ahead = record.queue_position
    return "In queue..." if ahead is None else "In queue: next" if ahead == 0 else f"In queue: {ahead} ahead"


async def _cancel(ctx: Context, statuses: tuple[str, ...], skip: bool = False) -> None:
    for record in await _mine(ctx, *statuses):
        try:
            await ctx.svc.cancel_job(ctx.caller, record.id, skip=skip)
        except (Conflict, NotFound):  # it ended meanwhile
            continue


@router.post("/sdapi/v1/interrupt", response_model=shapes.EmptyResponse)
async def interrupt(ctx: Ctx) -> dict[str, Any]:
    """Stop the caller's running jobs at their next step and drop their queued ones; a waiting txt2img/img2img
    answers with the images they made (the batch that was running decoded as it was at that step, as the web UI
    does; none when not one step of it had finished) and their infotexts."""
    await _cancel(ctx, (*RUNNING, "queued"))
    return {}


@router.post("/sdapi/v1/skip", response_model=shapes.EmptyResponse)
async def skip(ctx: Ctx) -> dict[str, Any]:
    """End the current batch of the caller's running jobs at its next step, keeping its images as they are; each job
    goes on with its next batch (n_iter), as the web UI's skip does. Queued jobs are untouched."""
    await _cancel(ctx, RUNNING, skip=True)
    return {}
