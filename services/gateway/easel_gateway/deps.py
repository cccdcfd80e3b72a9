"""FastAPI dependencies: the caller's identity, checked against the route's permission, and the clients."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBasic, HTTPBasicCredentials, HTTPBearer

from easel_gateway import session
from easel_gateway.admission import Admission, Registry
from easel_gateway.clients import Services
from easel_gateway.permissions import enforce
from easel_gateway.pools import PoolView
from easel_gateway.settings import GatewaySettings
from easel_proto.errors import Unauthenticated
from easel_proto.v1.auth import UserSettings, VerifyKeyReply
from easel_proto.v1.common import Principal, Quotas

_bearer = HTTPBearer(auto_error=False, description="An Easel API key: `Authorization: Bearer esk_...`")
# What web UI clients started with --api-auth send (webuiapi's set_auth): the username, and an API key as password.
_basic = HTTPBasic(auto_error=False, description="Your username, and one of your API keys as the password")


# Dependencies are coroutines: FastAPI runs a plain function in a worker thread, and that hop (six per submission)
# cost a quarter of the gateway's CPU per job (bench/load.py).
async def services(request: Request) -> Services:
    return request.app.state.services


async def registry(request: Request) -> Registry:
    return request.app.state.registry


async def admission(request: Request) -> Admission:
    return request.app.state.admission


async def settings(request: Request) -> GatewaySettings:
    return request.app.state.settings


async def pool_view(request: Request) -> PoolView:
    return request.app.state.pools


async def _verified(request: Request, bearer: HTTPAuthorizationCredentials | None,
                    basic: HTTPBasicCredentials | None) -> VerifyKeyReply:
    if bearer is not None and bearer.credentials:
        return await request.app.state.services.verify(bearer.credentials)
    if basic is not None and basic.password:
        verified = await request.app.state.services.verify(basic.password)
        if verified.principal.username != basic.username:  # a key works only with its own user's name
            raise Unauthenticated("wrong username or API key")
        return verified
    if (token := session.credential(request)) is not None:  # a signed-in browser (its CSRF token checked)
        return await request.app.state.services.verify(token)
    raise Unauthenticated("missing API key: send Authorization: Bearer <key> (or HTTP Basic: username and key)")


async def principal(request: Request,
                    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
                    basic: Annotated[HTTPBasicCredentials | None, Depends(_basic)]) -> Principal:
    """Who is calling, allowed to call this route; their settings go to request.state."""
    verified = await _verified(request, creds, basic)
    caller = verified.principal
    request.state.principal = caller
    request.state.user_settings, request.state.quotas = verified.settings, verified.quotas
    await request.app.state.rate_limiter.check(caller, verified.quotas)
    enforce(request, caller)
    return caller


async def user_settings(request: Request, _caller: Annotated[Principal, Depends(principal)]) -> UserSettings:
    return request.state.user_settings


async def quotas(request: Request, _caller: Annotated[Principal, Depends(principal)]) -> Quotas:
    return request.state.quotas


Caller = Annotated[Principal, Depends(principal)]
Svc = Annotated[Services, Depends(services)]
Reg = Annotated[Registry, Depends(registry)]
Admit = Annotated[Admission, Depends(admission)]
Settings = Annotated[GatewaySettings, Depends(settings)]
Pools = Annotated[PoolView, Depends(pool_view)]
Mine = Annotated[UserSettings, Depends(user_settings)]
Limits = Annotated[Quotas, Depends(quotas)]
