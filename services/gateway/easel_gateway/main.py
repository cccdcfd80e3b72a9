"""The gateway app: FastAPI over NATS; it keeps no state of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI
from nats.aio.client import Client

from easel_common.health import Health
from easel_common.logs import configure_logging
from easel_common.natsio import close, connect
from easel_common.runner import freeze_startup_heap, nats_checks
from easel_common.storage import open_store
from easel_gateway import errors, sdapi, webapp
from easel_gateway.admission import Admission, Registry
from easel_gateway.admission.gate import SubmitGate
from easel_gateway.api import (
    audit,
    datasets,
    health,
    jobs,
    links,
    me,
    merges,
    models,
    pools,
    roles,
    session,
    signin,
    submit,
    tenants,
    trainings,
    usage,
    users,
    webhooks,
)
from easel_gateway.audit import AuditLog
from easel_gateway.clients import Services
from easel_gateway.held import PerUser
from easel_gateway.links import Links
from easel_gateway.metrics import EVENT_STREAMS
from easel_gateway.middleware import BodyLimit, RequestMetrics
from easel_gateway.openapi import operation_id
from easel_gateway.pools import PoolView
from easel_gateway.previews import LatestPreviews
from easel_gateway.ratelimit import RateLimiter
from easel_gateway.settings import GatewaySettings

DESCRIPTION = """Easel runs Stable Diffusion for many people at once.

Authenticate with `Authorization: Bearer <API key>` (or HTTP Basic: your username, and an API key as the
password). Submit a job with `POST /v1/jobs`, follow it with `GET /v1/jobs/{id}/events` (Server-Sent Events),
fetch images from `GET /v1/jobs/{id}/images/{n}`. Errors have one shape: `{"code", "message", "details"}`.

The AUTOMATIC1111 web UI's API is served too (`/sdapi/v1/*`, `/controlnet/*`, `/inference`,
`/internal/progress`), so web UI clients work unchanged; there, errors have the web UI's shape
`{"error", "detail", "body", "errors"}`."""


def create_app(settings: GatewaySettings | None = None, nc: Client | None = None, *,
               freeze_heap: bool = False) -> FastAPI:
    """The app; pass `nc` to use a connection made elsewhere (the embedded stack does), else it connects.
    freeze_heap: the gateway process's own entry point (runner.freeze_startup_heap once started)."""
    settings = settings or GatewaySettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = nc is None
        conn = await connect(settings.nats_url, "easel-gateway", settings.nats_identity("gateway")) if own else nc
        app.state.nc = conn
        app.state.store = open_store(settings)
        app.state.links = Links(settings, app.state.store)
        app.state.services = Services(conn, settings.names, timeout=settings.request_timeout_s,
                                      auth_ttl=settings.auth_cache_ttl_s)
        app.state.registry = Registry(app.state.services, ttl=settings.auth_cache_ttl_s)
        app.state.services.on_user_changed.append(app.state.registry.forget)
        app.state.admission = Admission(settings, app.state.registry, app.state.store, app.state.pools)
        await app.state.pools.follow(conn, settings.names, timeout=settings.request_timeout_s)
        await app.state.services.follow_changes()
        app.state.rate_limiter = RateLimiter(conn, settings.names)
        await app.state.rate_limiter.start()
        app.state.health = Health(nats_checks(conn))
        app.state.health.start()
        app.state.previews = LatestPreviews(conn, settings.names)  # web UI polls' live previews (previews.py)
        if freeze_heap:
            freeze_startup_heap()
        try:
            yield
        finally:
            await app.state.previews.close()
            await app.state.health.stop()
            await app.state.pools.stop()
            await app.state.services.close()
            await app.state.store.close()
            if own:
                await close(conn)

    app = FastAPI(title="Easel", version="0.1.0", description=DESCRIPTION, lifespan=lifespan,
                  generate_unique_id_function=operation_id)
    app.state.settings = settings
    app.state.pools = PoolView(settings.pools)  # the live list once the app starts (pools.py)
    app.state.submit_gate = SubmitGate(settings.max_inflight_submits, settings.submit_queue_wait_s)
    errors.install(app)
    app.state.webui_tasks = set()  # web UI calls still running (their clients may have gone)
    app.state.webui_slots = PerUser("max_webui_tasks_per_user")
    app.state.sse_slots = PerUser("max_sse_streams_per_user", EVENT_STREAMS)
    for router in (jobs.router, merges.router, models.router, datasets.router, trainings.router, roles.router,
                   signin.router, session.router, me.router, users.router, tenants.router, webhooks.router,
                   links.router, pools.router, audit.router, usage.router, health.router, *sdapi.ROUTERS,
                   webapp.router):
        app.include_router(router)
    submit.install(app)  # POST /v1/jobs without FastAPI's per-request machinery (api/submit.py)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes,
                       larger={("POST", "/v1/datasets"): settings.max_dataset_upload_bytes})
    app.add_middleware(AuditLog)  # outside BodyLimit: it sees every final status
    app.add_middleware(RequestMetrics)
    return app


def main() -> None:
    settings = GatewaySettings()
    configure_logging(settings.log_level)
    # no access log: configure_logging silences uvicorn.access anyway, and formatting its lines costs CPU per request
    uvicorn.run(create_app(settings, freeze_heap=True), host=settings.host, port=settings.port, log_config=None,
                access_log=False)
