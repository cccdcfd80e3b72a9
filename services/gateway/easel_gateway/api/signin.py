"""/v1/auth: sign in with a password for short-lived access tokens; refresh; sign out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from easel_gateway.audit import source_of
from easel_gateway.deps import Caller, Svc
from easel_gateway.errors import SIGN_IN, SIGNED_IN, declared
from easel_proto.v1 import auth

router = APIRouter(prefix="/v1/auth", tags=["auth"])


class Credentials(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class Refresh(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=512)


class Logout(BaseModel):
    refresh_token: str | None = Field(default=None, max_length=512)
    everywhere: bool = Field(default=False, description="End every session of the user, not only this one")


def _attribute(request: Request, pair: auth.TokenPair) -> None:
    """File a successful sign-in under the user's own tenant in the audit log."""
    audit = getattr(request.state, "audit", None) or {}
    request.state.audit = {**audit, "tenant_id": pair.tenant_id, "actor_id": pair.user_id}


def source(request: Request) -> str | None:
    """The client's address as the audit log records it, for per-address sign-in limits."""
    return source_of(request.scope, request.app.state.settings.trust_forwarded_for)


@router.post("/login", response_model=auth.TokenPair, responses=declared(*SIGN_IN))
async def login(body: Credentials, request: Request, svc: Svc) -> auth.TokenPair:
    """Trade a username and password for an access token (Bearer) and a refresh token.

    Repeated failures for a username or from an address are slowed, then locked for a while (429).
    """
    request.state.audit = {"username": body.username}
    pair = await svc.login(auth.LoginRequest(username=body.username, password=body.password,
                                             source=source(request)))
    _attribute(request, pair)
    return pair


@router.post("/refresh", response_model=auth.TokenPair, responses=declared(*SIGN_IN))
async def refresh(body: Refresh, request: Request, svc: Svc) -> auth.TokenPair:
    """A new token pair for a refresh token; each refresh token works once."""
    pair = await svc.refresh(auth.RefreshRequest(refresh_token=body.refresh_token, source=source(request)))
    _attribute(request, pair)
    return pair


@router.post("/logout", status_code=204, responses=declared(*SIGNED_IN))
async def logout(body: Logout, caller: Caller, svc: Svc) -> None:
    """End the session of the access token used (and of the refresh token, if given)."""
    await svc.logout(auth.LogoutRequest(principal=caller, refresh_token=body.refresh_token,
                                        everywhere=body.everywhere))
