"""NATS endpoints and JetStream consumers of the jobs service."""

from __future__ import annotations

from easel_common.natsio import Call, Endpoint, deadline_of
from easel_jobs.flows import JobFlows
from easel_jobs.pools.manage import Pools
from easel_jobs.tenant_data import TenantData
from easel_jobs.usage import usage
from easel_jobs.webhooks.manage import Webhooks
from easel_proto.v1 import auth, jobs, pools, webhooks


def endpoints(flows: JobFlows) -> list[Endpoint]:
    names = flows.names

    async def create(req: jobs.CreateJobRequest, call: Call) -> jobs.CreateJobReply:
        return await flows.submit(req, deadline=deadline_of(call.headers))

    async def get(req: jobs.JobRef, _c: Call) -> jobs.JobRecord:
        return await flows.get(req)

    async def list_(req: jobs.ListJobsRequest, _c: Call) -> jobs.ListJobsReply:
        return await flows.list(req)

    async def cancel(req: jobs.JobRef, _c: Call) -> jobs.JobRecord:
        return await flows.cancel(req)

    async def usage_(req: jobs.UsageRequest, _c: Call) -> jobs.UsageReply:
        async with flows.sessions() as session:
            return await usage(session, req)

    async def claim(req: jobs.ClaimJobRequest, call: Call) -> jobs.ClaimJobReply:
        # the pool is the subject's last token: NATS lets a worker claim only on its own pool's subject
        return await flows.claim(req, pool=call.subject.rsplit(".", 1)[-1])

    return [
        Endpoint("create", names.jobs_create, jobs.CreateJobRequest, create),
        Endpoint("get", names.jobs_get, jobs.JobRef, get),
        Endpoint("list", names.jobs_list, jobs.ListJobsRequest, list_),
        Endpoint("cancel", names.jobs_cancel, jobs.JobRef, cancel),
        Endpoint("usage", names.jobs_usage, jobs.UsageRequest, usage_),
        Endpoint("claim", names.jobs_claim("*"), jobs.ClaimJobRequest, claim, caller=False),
    ]


def tenant_endpoint(data: TenantData) -> Endpoint:
    """A platform admin's count or purge of a tenant's jobs and trainings (tenant_data.py)."""
    async def tenant(req: auth.TenantContentsRequest, _c: Call) -> auth.TenantContents:
        return await data.handle(req)

    return Endpoint("tenant", data.names.jobs_tenant, auth.TenantContentsRequest, tenant)


def webhooks_endpoint(manager: Webhooks) -> Endpoint:
    """The caller's webhook endpoints and their deliveries (webhooks/manage.py)."""
    async def manage(req: webhooks.WebhookRequest, _c: Call) -> webhooks.WebhookReply:
        return await manager.handle(req)

    return Endpoint("webhooks", manager.settings.names.jobs_webhooks, webhooks.WebhookRequest, manage)


def pools_endpoints(manager: Pools) -> list[Endpoint]:
    """The pool list managed (pools_manage, for a caller) and read as it is now (pools_current, for any identity
    NATS lets ask: the same list the broadcast carries)."""
    async def manage(req: pools.PoolRequest, _c: Call) -> pools.PoolReply:
        return await manager.handle(req)

    async def current(_req: pools.PoolsQuery, _c: Call) -> pools.PoolsChanged:
        return manager.snapshot()

    return [Endpoint("pools", manager.names.pools_manage, pools.PoolRequest, manage),
            Endpoint("pools-current", manager.names.pools_current, pools.PoolsQuery, current, caller=False)]


def worker_event_subjects(flows: JobFlows) -> list[str]:
    """The events the jobs service folds into rows (progress stays in the stream for SSE)."""
    return [flows.names.job_events("*", kind) for kind in ("processing", "succeeded", "failed", "canceled")]
