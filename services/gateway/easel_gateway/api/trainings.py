"""/v1/trainings: fine-tune a model (LoRA, DreamBooth, textual inversion, hypernetwork), follow it, cancel it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response
from fastapi import Path as PathParam
from fastapi.responses import Response as RawResponse
from sse_starlette import EventSourceResponse
from starlette.background import BackgroundTask

from easel_gateway.api.jobs import _holding
from easel_gateway.deps import Caller, Limits, Mine, Pools, Reg, Settings, Svc
from easel_gateway.errors import SIGNED_IN, declared
from easel_gateway.openapi import EVENT_STREAM, PNG
from easel_gateway.training import admit, events
from easel_gateway.training import logs as training_logs
from easel_gateway.training.views import view
from easel_proto.errors import NotFound
from easel_proto.naming import training_prefix
from easel_proto.permissions import JOBS_READ_ANY, require
from easel_proto.v1 import trainings
from easel_proto.v1.registry import ModelInfo

router = APIRouter(prefix="/v1/trainings", tags=["trainings"], responses=declared(*SIGNED_IN))
TrainingId = Annotated[str, PathParam(max_length=64)]


@router.post("", status_code=201, response_model=trainings.TrainingRecord, responses=declared(409))
async def create_training(body: trainings.TrainingRequest, caller: Caller, mine: Mine, limits: Limits,
                          settings: Settings, models: Reg, svc: Svc, response: Response, pools: Pools,
                          idempotency_key: Annotated[str | None, Header(max_length=255)] = None
                          ) -> trainings.TrainingRecord:
    """Queue a training: a method, a base checkpoint and a dataset you may use, and the run's settings. Every field
    is checked (a 422 naming it) before anything is recorded; the result is registered as your private model
    (`model_id` once `succeeded`). Needs trainings:create and pools:use:<pool>. A retry with the same
    Idempotency-Key returns the first training."""
    created = await admit.admit(body, caller, mine, limits, settings, models, idempotency_key, pools=pools)
    record = await svc.create_training(created)
    response.headers["Location"] = f"/v1/trainings/{record.id}"
    return view(record)


@router.get("", response_model=trainings.ListTrainingsReply)
async def list_trainings(caller: Caller, svc: Svc, limit: Annotated[int, Query(ge=1, le=100)] = 20,
                         cursor: Annotated[str | None, Query(max_length=500)] = None,
                         status: trainings.TrainingStatus | None = None,
                         all_users: bool = False) -> trainings.ListTrainingsReply:
    """Your trainings, newest first (all_users: everyone's in your tenant, with jobs:read:any)."""
    if all_users:
        require(caller, JOBS_READ_ANY)
    reply = await svc.list_trainings(trainings.ListTrainingsRequest(principal=caller, limit=limit, cursor=cursor,
                                                                    status=status, all_users=all_users))
    reply.items = [view(r) for r in reply.items]
    return reply


@router.get("/{training_id}", response_model=trainings.TrainingRecord, responses=declared(404))
async def get_training(training_id: TrainingId, caller: Caller, svc: Svc) -> trainings.TrainingRecord:
    """Status, step, loss, learning rate and ETA (`progress`), samples, and the registered `model_id`."""
    return view(await svc.get_training(caller, training_id))


@router.delete("/{training_id}", status_code=202, response_model=trainings.TrainingRecord,
               responses=declared(404, 409))
async def cancel_training(training_id: TrainingId, caller: Caller, svc: Svc) -> trainings.TrainingRecord:
    """Cancel: a queued training never runs; a running one is stopped and what it wrote removed (no model)."""
    return view(await svc.cancel_training(caller, training_id))


@router.get("/{training_id}/samples/{index}", response_class=RawResponse,
            responses={**PNG, **declared(404)})
async def get_sample(training_id: TrainingId, index: Annotated[int, PathParam(ge=0, le=100_000)], caller: Caller,
                     svc: Svc, request: Request) -> RawResponse:
    record = await svc.get_training(caller, training_id)
    if not 0 <= index < len(record.samples):
        raise NotFound(f"training {training_id} has no sample {index}")
    sample = record.samples[index]
    key = (f"{training_prefix(record.tenant_id, record.id)}samples/"
           f"step-{sample.step:08d}-{sample.prompt}.png")
    data = await request.app.state.store.get(key)
    return RawResponse(data, media_type="image/png", headers={"Cache-Control": "private, max-age=86400"})


@router.post("/{training_id}/checkpoints/{step}/register", status_code=201, response_model=ModelInfo,
             responses=declared(404, 409))
async def register_checkpoint(training_id: TrainingId, step: Annotated[int, PathParam(ge=1, le=1_000_000)],
                              caller: Caller, svc: Svc) -> ModelInfo:
    """Register the model the training kept at checkpoint `step` (its record's `checkpoints`) as the training
    owner's private model `{name}-step{step}`: while it runs, or once it succeeded. Only its owner (or jobs:cancel:any
    in the tenant) may; asked again, the same model comes back."""
    return await svc.register_checkpoint(caller, training_id, step)


@router.get("/{training_id}/logs", response_model=trainings.TrainingLogs, responses=declared(404))
async def get_logs(training_id: TrainingId, caller: Caller, svc: Svc, request: Request,
                   lines: Annotated[int, Query(ge=1, le=5000)] = 200,
                   after: Annotated[int, Query(ge=0, le=2**63)] = 0) -> trainings.TrainingLogs:
    """The trainer's log: its last `lines` lines, or with `after` (a `cursor`, or the id of an SSE `log` event)
    the first `lines` published since, oldest first, each with its time and level (`entries`). Its warnings,
    errors and progress lines, secrets masked, bounded (`dropped` counts what it left out). A run that published
    nothing (it died first, or its lines aged out) answers with the last lines of its output (`lines` only)."""
    record = await svc.get_training(caller, training_id)
    found = await training_logs.read(request.app.state.nc, svc.names, record, lines=lines, after=after)
    if found.entries or after:
        return found
    return await svc.training_logs(caller, training_id, lines)


@router.get("/{training_id}/events", response_class=EventSourceResponse,
            responses={**EVENT_STREAM, **declared(404)})
async def training_events(training_id: TrainingId, caller: Caller, svc: Svc, settings: Settings,
                          request: Request, last_event_id: Annotated[str | None, Header()] = None
                          ) -> EventSourceResponse:
    """Server-Sent Events: queued, starting, running; the run's started, progress (every step: loss, lr, ETA),
    sample, checkpoint, interrupted, log (a batch of its log lines, as `GET .../logs` shows them); then succeeded,
    failed or canceled (the record)."""
    record = await svc.get_training(caller, training_id)
    after = int(last_event_id) if last_event_id and last_event_id.isdigit() else 0
    slot = request.app.state.sse_slots.take(caller.user_id, settings.max_sse_streams_per_user, caller.tenant_id)
    stream = events.follow(request.app.state.nc, svc, caller, record, after_seq=after)
    return EventSourceResponse(_holding(stream, slot), ping=15, background=BackgroundTask(slot.release))
