"""/v1/jobs: submit, read, list, follow, fetch images, cancel."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi.responses import Response as RawResponse
from pydantic import BeforeValidator
from sse_starlette import EventSourceResponse
from starlette.background import BackgroundTask

from easel_gateway import events
from easel_gateway.admission import slot
from easel_gateway.deps import Caller, Settings, Svc
from easel_gateway.errors import SIGNED_IN, declared
from easel_gateway.held import Slot
from easel_gateway.links import Links
from easel_gateway.openapi import EVENT_STREAM, PNG
from easel_proto.errors import Gone, InvalidInput, NotFound
from easel_proto.naming import image_key
from easel_proto.permissions import JOBS_READ_ANY, require
from easel_proto.v1 import jobs
from easel_proto.webui import SAMPLER_ALIASES

router = APIRouter(prefix="/v1/jobs", tags=["jobs"], responses=declared(*SIGNED_IN))


def _sampler_alias(body: Any) -> Any:
    """Old clients' sampler names (k_euler_a, ...) mean the web UI's."""
    sampler = body.get("sampler") if isinstance(body, dict) else None
    if isinstance(sampler, str) and sampler in SAMPLER_ALIASES:  # anything else is the model's to refuse
        return {**body, "sampler": SAMPLER_ALIASES[sampler]}
    return body


NativeRequest = Annotated[jobs.JobRequest, BeforeValidator(_sampler_alias)]


def view(record: jobs.JobRecord, links: Links | None = None) -> jobs.JobRecord:
    """The record with each image's path, and (`links`) a time-limited link that needs no credential."""
    for image in record.images:
        image.url = f"/v1/jobs/{record.id}/images/{image.index}"
        if links is not None and record.expired_at is None:
            image.link, image.link_expires_at = links.link(
                image_key(record.tenant_id, record.user_id, record.id, image.index))
    return record


def _links(request: Request, wanted: bool) -> Links | None:
    return request.app.state.links if wanted else None


LinksParam = Annotated[bool, Query(description="Give each image a time-limited `link` that needs no credential "
                                               "(EASEL_IMAGE_LINK_TTL_S)")]


@router.post("", status_code=201, response_model=jobs.JobRecord,
             responses={200: {"model": jobs.JobRecord,
                        "description": "An earlier job with the same Idempotency-Key"}, **declared(409)})
async def create_job(body: NativeRequest, caller: Caller, response: Response, request: Request,
                     idempotency_key: Annotated[str | None, Header(max_length=255)] = None) -> jobs.JobRecord:
    """Queue a job: txt2img, img2img (init_images; inpaint with mask, outpaint), hires fix, ControlNet, or
    extras (upscale init_images). Every field is checked, and bad input refused with a 422 naming it, before
    anything is stored or queued; retries with the same Idempotency-Key return the same job."""
    if not body.prompt and not body.styles and not body.init_images and body.extras is None:
        raise InvalidInput("prompt", "a txt2img job needs a prompt")
    # the caller's settings and quotas, the admission and the clients straight from where `principal` and the app
    # put them: as dependencies (Mine, Limits, Admit, Svc) they were ten more for FastAPI to solve per submission
    app, state = request.app.state, request.state
    async with slot(app):
        admitted = await app.admission.admit(body, caller, state.user_settings)
        reply = await app.services.create_job(admitted.create_request(caller, idempotency_key, state.quotas))
    if not reply.created:
        response.status_code = 200
    response.headers["Location"] = f"/v1/jobs/{reply.job.id}"
    return view(reply.job)


@router.get("", response_model=jobs.ListJobsReply)
async def list_jobs(caller: Caller, svc: Svc, request: Request, limit: Annotated[int, Query(ge=1, le=100)] = 20,
                    cursor: str | None = None, status: jobs.JobStatus | None = None,
                    all_users: bool = False, links: LinksParam = False,
                    prompt: Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")] = None,
                    ) -> jobs.ListJobsReply:
    """The caller's own jobs, newest first (all_users: everyone's in the tenant, with jobs:read:any); `prompt`:
    only those whose prompt contains it, ignoring case."""
    if all_users:
        require(caller, JOBS_READ_ANY)
    reply = await svc.list_jobs(jobs.ListJobsRequest(principal=caller, limit=limit, cursor=cursor, status=status,
                                                     all_users=all_users, prompt=prompt or None))
    reply.items = [view(r, _links(request, links)) for r in reply.items]
    return reply


@router.get("/{job_id}", response_model=jobs.JobRecord, responses=declared(404))
async def get_job(job_id: str, caller: Caller, svc: Svc, request: Request,
                  links: LinksParam = False) -> jobs.JobRecord:
    return view(await svc.get_job(caller, job_id), _links(request, links))


@router.delete("/{job_id}", response_model=jobs.JobRecord, status_code=202, responses=declared(404, 409))
async def cancel_job(job_id: str, caller: Caller, svc: Svc) -> jobs.JobRecord:
    """Cancel: a queued job never runs; a running one stops at its next step."""
    return view(await svc.cancel_job(caller, job_id))


@router.post("/{job_id}/skip", response_model=jobs.JobRecord, status_code=202, responses=declared(404, 409))
async def skip_job(job_id: str, caller: Caller, svc: Svc) -> jobs.JobRecord:
    """Skip the running batch: the worker ends the batch (of the job's `n_iter`) at its next step, keeps its images
    as they are and goes on with the next batch, as the web UI's skip; a job not running is a 409 naming `status`."""
    return view(await svc.cancel_job(caller, job_id, skip=True))


@router.get("/{job_id}/images/{index}", response_class=RawResponse,
            responses={**PNG, **declared(404, 410)})
async def get_image(job_id: str, index: int, caller: Caller, svc: Svc, request: Request) -> RawResponse:
    record = await svc.get_job(caller, job_id)
    # a succeeded job's images, and those an interrupted (canceled) one made before it stopped
    if not any(image.index == index for image in record.images):
        raise NotFound(f"job {job_id} has no image {index}")
    if record.expired_at is not None:
        raise Gone(f"job {job_id}'s images were deleted on {record.expired_at:%Y-%m-%d} (its tenant keeps them for a "
                   "limited time)")
    data = await request.app.state.store.get(image_key(record.tenant_id, record.user_id, record.id, index))
    return RawResponse(data, media_type="image/png",
                       headers={"Cache-Control": "private, max-age=86400", "ETag": f'"{job_id}-{index}"'})


_INPUT_FIELD = re.compile(r"^(init_images\.(?P<init>\d+)|mask|controlnets\.(?P<unit>\d+)\.(?P<part>image|mask))$")


def _input_of(spec: jobs.GenerationSpec, field: str) -> jobs.InputImage | None:
    """The stored input image `field` names in a spec (init_images.N, mask, controlnets.N.image, controlnets.N.mask),
    or None when the spec has none there; a name of another form is a 422."""
    match = _INPUT_FIELD.match(field)
    if match is None:
        raise InvalidInput("field", "name an input image: init_images.N, mask, controlnets.N.image or "
                                    "controlnets.N.mask")
    if match["init"] is not None:
        images, at = spec.init_images or [], int(match["init"])
        return images[at] if at < len(images) else None
    if match["unit"] is not None:
        units, at = spec.controlnets or [], int(match["unit"])
        return getattr(units[at], match["part"]) if at < len(units) else None
    return spec.mask


@router.get("/{job_id}/inputs/{field}", response_class=RawResponse,
            responses={**PNG, **declared(404, 410)})
async def get_job_input(job_id: str, field: str, caller: Caller, svc: Svc, request: Request) -> RawResponse:
    """One of the job's own input images, as it was stored (a PNG): `init_images.N`, `mask`, `controlnets.N.image`
    or `controlnets.N.mask`; seen by whoever may see the job. A ControlNet unit on the init image has no image."""
    record = await svc.get_job(caller, job_id)
    found = _input_of(record.spec, field)
    # inputs live under their owner (naming.input_key): a key anywhere else is no input of this job
    if found is None or not found.key.startswith(f"{record.tenant_id}/{record.user_id}/inputs/"):
        raise NotFound(f"job {job_id} has no input {field}")
    if record.expired_at is not None:
        raise Gone(f"job {job_id}'s inputs were deleted on {record.expired_at:%Y-%m-%d} (its tenant keeps them for a "
                   "limited time)")
    data = await request.app.state.store.get(found.key)
    return RawResponse(data, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


async def _holding(stream: AsyncIterator[dict], slot: Slot) -> AsyncIterator[dict]:
    """The stream, giving its slot back when it ends, however it ends."""
    try:
        async for event in stream:
            yield event
    finally:
        slot.release()
        await stream.aclose()


@router.get("/{job_id}/events", response_class=EventSourceResponse,
            responses={**EVENT_STREAM, **declared(404)})
async def job_events(job_id: str, caller: Caller, svc: Svc, settings: Settings, request: Request,
                     last_event_id: Annotated[str | None, Header()] = None) -> EventSourceResponse:
    """Server-Sent Events: queued, starting, processing, progress per step, then succeeded/failed/canceled.
    A user has at most max_sse_streams_per_user streams open at once (429 beyond)."""
    record = await svc.get_job(caller, job_id)
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0
    slot = request.app.state.sse_slots.take(caller.user_id, settings.max_sse_streams_per_user, caller.tenant_id)
    stream = events.follow(request.app.state.nc, svc, caller, record, after_seq=after)
    # the background task also gives the slot back where the stream never starts (a HEAD request)
    return EventSourceResponse(_holding(stream, slot), ping=15, background=BackgroundTask(slot.release))
