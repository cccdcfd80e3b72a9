"""POST /v1/models/merge: the web UI's checkpoint merger (which has no API route of its own) as a job.

The merge runs on a GPU worker as a job of task `merge`, with everything a job has: the queue, its quotas, events
(GET /v1/jobs/{id}/events), cancel (DELETE /v1/jobs/{id}). Once the merged checkpoint is registered as the
caller's private model the job is `succeeded` and its record names the model (`model_id`).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Request, Response

from easel_gateway.admission import request_hash, slot
from easel_gateway.admission.merge import admit_merge
from easel_gateway.api.jobs import view
from easel_gateway.deps import Caller, Limits, Mine, Reg, Settings, Svc
from easel_gateway.errors import SIGNED_IN, declared
from easel_proto.permissions import JOBS_CREATE, require
from easel_proto.v1 import jobs

router = APIRouter(prefix="/v1/models", tags=["models"], responses=declared(*SIGNED_IN))


@router.post("/merge", status_code=201, response_model=jobs.JobRecord,
             responses={200: {"model": jobs.JobRecord,
                        "description": "An earlier merge with the same Idempotency-Key"}, **declared(409)})
async def merge_models(body: jobs.MergeRequest, caller: Caller, mine: Mine, limits: Limits, svc: Svc, models: Reg,
                       settings: Settings, response: Response, request: Request,
                       idempotency_key: Annotated[str | None, Header(max_length=255)] = None) -> jobs.JobRecord:
    """Merge checkpoints as the web UI's Checkpoint Merger does (Weighted sum A*(1-M)+B*M, Add difference
    A+(B-C)*M, No interpolation; save_as_half, bake_in_vae, discard_weights, custom_name), with its field names.
    Needs models:write and jobs:create. The reply is the queued job: follow it at /v1/jobs/{id}; once succeeded,
    `model_id` is the new model, private to the caller."""
    require(caller, JOBS_CREATE)  # the route's rule is models:write; a merge is also a job
    async with slot(request.app.state):
        pool, spec = await admit_merge(body, caller, mine, settings, models, request.app.state.pools)
        reply = await svc.create_job(jobs.CreateJobRequest(
            principal=caller, pool=pool, spec=spec, idempotency_key=idempotency_key,
            request_hash=request_hash(body), quotas=limits))
    if not reply.created:
        response.status_code = 200
    response.headers["Location"] = f"/v1/jobs/{reply.job.id}"
    return view(reply.job)
