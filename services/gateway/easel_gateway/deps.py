"""FastAPI dependencies: the caller's identity, checked against the route's permission, and the clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from easel_gateway.clients import Services
from easel_gateway.permissions import enforce
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import Unauthenticated
from easel_proto.v1.auth import UserSettings
from easel_proto.v1.common import Principal, Quotas

_bearer = HTTPBearer(auto_error=False, description="An Easel API key: `Authorization: Bearer esk_...`")


def services(request: Request) -> Services:
    return request.app.state.services


def settings(request: Request) -> GatewaySettings:
    return request.app.state.settings


async def principal(request: Request,
                    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    """Who is calling, allowed to call this route; their settings go to request.state."""
    if creds is None or not creds.credentials:
        raise Unauthenticated("missing API key: send Authorization: Bearer <key>")
    verified = await services(request).verify(creds.credentials)
    caller = verified.principal
    request.state.principal = caller
    request.state.user_settings, request.state.quotas = verified.settings, verified.quotas
    await request.app.state.rate_limiter.check(caller, verified.quotas)
    enforce(request, caller)
    return caller


def user_settings(request: Request, _caller: Annotated[Principal, Depends(principal)]) -> UserSettings:
    return request.state.user_settings


def quotas(request: Request, _caller: Annotated[Principal, Depends(principal)]) -> Quotas:
    return request.state.quotas


Caller = Annotated[Principal, Depends(principal)]
Svc = Annotated[Services, Depends(services)]
Settings = Annotated[GatewaySettings, Depends(settings)]
Mine = Annotated[UserSettings, Depends(user_settings)]
Limits = Annotated[Quotas, Depends(quotas)]
