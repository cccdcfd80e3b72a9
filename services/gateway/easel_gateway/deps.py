"""FastAPI dependencies: the caller's identity and the service clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from easel_gateway.clients import Services
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import Forbidden, Unauthenticated
from easel_proto.v1.common import Principal

_bearer = HTTPBearer(auto_error=False, description="An Easel API key: `Authorization: Bearer esk_...`")


def services(request: Request) -> Services:
    return request.app.state.services


def settings(request: Request) -> GatewaySettings:
    return request.app.state.settings


async def principal(request: Request,
                    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> Principal:
    if creds is None or not creds.credentials:
        raise Unauthenticated("missing API key: send Authorization: Bearer <key>")
    return await services(request).verify(creds.credentials)


async def admin(caller: Annotated[Principal, Depends(principal)]) -> Principal:
    if "admin" not in caller.roles:
        raise Forbidden("this needs the admin role")
    return caller


Caller = Annotated[Principal, Depends(principal)]
Admin = Annotated[Principal, Depends(admin)]
Svc = Annotated[Services, Depends(services)]
Settings = Annotated[GatewaySettings, Depends(settings)]
