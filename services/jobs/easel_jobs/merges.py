"""A merge job's result registered as its owner's model, before the job is `succeeded`.

The worker puts the merged checkpoint in the job's folder (`{tenant}/{user}/jobs/{id}/merge-{run}.safetensors`) and
names it in its `succeeded` event. Folding that event, the jobs service asks the registry to register the file
(`{ns}.registry.register`, origin `merge`: the endpoint only the jobs identity may ask), which checks it like any
import, copies it under `{tenant}/models/{id}/` and removes the job's copy, whatever it decides. Only then is the job
`succeeded`, with `model_id`. A registry that refuses fails the job with its reason (nothing registered, no file
left); one that does not answer leaves the event to be folded again (a registration is idempotent per job).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING

from easel_common.natsio import request
from easel_jobs.models import ACTIVE, Job
from easel_proto.errors import EaselError, GenerationFailed, Unavailable
from easel_proto.naming import job_prefix, lease_digest, merge_path, run_id
from easel_proto.v1 import common, jobs, trainings
from easel_proto.v1.registry import ModelInfo

if TYPE_CHECKING:
    from easel_jobs.flows import JobFlows

log = logging.getLogger(__name__)


class Merges:
    def __init__(self, flows: JobFlows, timeout_s: float) -> None:
        self.flows, self.timeout_s = flows, timeout_s

    async def _request(self, job: Job, output: jobs.MergeOutput | None, unregister: bool = False
                       ) -> trainings.RegisterTrainingRequest:
        spec = jobs.GenerationSpec.model_validate(job.spec)
        merge = spec.merge
        inputs = [m for m in (spec.model, merge.secondary, merge.tertiary) if m is not None] if merge else []
        artefact = trainings.TrainingArtefact(
            kind="checkpoint", base=spec.model.base, format="safetensors",
            path=output.path if output else merge_path(run_id(job.lease or "")),
            sha256=output.sha256 if output else "", size=output.size if output else 0,
            name=merge.name if merge else job.id)
        return trainings.RegisterTrainingRequest(
            owner=common.Principal(user_id=job.user_id, tenant_id=job.tenant_id, username=""),
            training_id=job.id, name=merge.name if merge else job.id, artefact=artefact,
            prefix=job_prefix(job.tenant_id, job.user_id, job.id), origin="merge", unregister=unregister,
            metadata={"merge_job": job.id, "interp_method": merge.interp_method if merge else None,
                      "multiplier": merge.multiplier if merge else None, "inputs": [m.id for m in inputs]})

    async def register(self, job_id: str, lease: str, output: jobs.MergeOutput) -> str | None:
        """The new model's id once registered; None when the registry refused it (the job is failed, saying why)
        or the event is not the current run's. Raises Unavailable when the registry did not answer (retry)."""
        async with self.flows.sessions() as session:
            job = await session.get(Job, job_id)
        if job is None or job.lease != lease_digest(lease) or job.status not in ACTIVE:
            return None  # a stale run's or a replayed event: the row says how the job ended
        if job.spec.get("task") != "merge" or output.path != merge_path(run_id(job.lease)):
            await self.flows.fail(job_id, GenerationFailed("the result is not this run's merged checkpoint").to_wire())
            return None
        req = await self._request(job, output)
        try:
            model = await request(self.flows.nc, self.flows.names.registry_register, req, ModelInfo,
                                  timeout=self.timeout_s)
        except Unavailable:
            log.warning("merge job %s: the registry did not answer; will retry", job_id)
            raise
        except EaselError as exc:
            await self.flows.fail(job_id, exc.to_wire())
            return None
        return model.id

    async def unregister(self, job_id: str) -> None:
        """Remove the model a merge job registered (the job ended otherwise)."""
        async with self.flows.sessions() as session:
            job = await session.get(Job, job_id)
        if job is None:
            return
        with contextlib.suppress(EaselError):
            await request(self.flows.nc, self.flows.names.registry_register, await self._request(job, None, True),
                          ModelInfo, timeout=self.timeout_s)
