"""Liveness, readiness and metrics."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Readiness(BaseModel):
    status: str
    checks: dict[str, bool]


@router.get("/healthz", response_model=Readiness,
            responses={503: {"model": Readiness, "description": "Not alive; `checks` says what failed"}})
async def healthz(request: Request) -> JSONResponse:
    """Alive unless the NATS connection closed for good or has been lost for a minute (easel_common/health.py):
    a liveness probe then restarts the gateway, in case its client is what is stuck."""
    alive, checks = request.app.state.health.alive()
    return JSONResponse({"status": "ok" if alive else "failing", "checks": checks}, status_code=200 if alive else 503)


@router.get("/readyz", response_model=Readiness,
            responses={503: {"model": Readiness, "description": "Not ready; `checks` says what failed"}})
async def readyz(request: Request) -> JSONResponse:
    """Ready when NATS is connected, the services answer and the object store is reachable."""
    state = request.app.state
    checks = dict(zip(
        ("auth", "registry", "jobs", "store"),
        await asyncio.gather(state.services.ping("auth"), state.services.ping("registry"),
                             state.services.ping("jobs"), state.store.healthy()),
        strict=True,
    ))
    checks["nats"] = state.nc.is_connected
    ready = all(checks.values())
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


@router.get("/metrics", include_in_schema=False)
async def metrics() -> Response:
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
