"""NATS endpoints and JetStream consumers of the jobs service."""

from __future__ import annotations

from collections.abc import Mapping

from easel_common.natsio import Endpoint
from easel_jobs.flows import JobFlows
from easel_proto.v1 import jobs


def endpoints(flows: JobFlows) -> list[Endpoint]:
    names = flows.names

    async def create(req: jobs.CreateJobRequest, _h: Mapping[str, str]) -> jobs.CreateJobReply:
        return await flows.submit(req)

    async def get(req: jobs.JobRef, _h: Mapping[str, str]) -> jobs.JobRecord:
        return await flows.get(req)

    async def list_(req: jobs.ListJobsRequest, _h: Mapping[str, str]) -> jobs.ListJobsReply:
        return await flows.list(req)

    async def cancel(req: jobs.JobRef, _h: Mapping[str, str]) -> jobs.JobRecord:
        return await flows.cancel(req)

    async def claim(req: jobs.ClaimJobRequest, _h: Mapping[str, str]) -> jobs.ClaimJobReply:
        return await flows.claim(req)

    return [
        Endpoint("create", names.jobs_create, jobs.CreateJobRequest, create),
        Endpoint("get", names.jobs_get, jobs.JobRef, get),
        Endpoint("list", names.jobs_list, jobs.ListJobsRequest, list_),
        Endpoint("cancel", names.jobs_cancel, jobs.JobRef, cancel),
        Endpoint("claim", names.jobs_claim, jobs.ClaimJobRequest, claim),
    ]


def worker_event_subjects(flows: JobFlows) -> list[str]:
    """The events the jobs service folds into rows (progress stays in the stream for SSE)."""
    return [flows.names.job_events("*", kind) for kind in ("processing", "succeeded", "failed", "canceled")]
