"""/v1/auth/session: the browser's sign-in, with the tokens in HttpOnly cookies (easel_gateway.session)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel

from easel_gateway import session
from easel_gateway.api.signin import Credentials, _attribute, source
from easel_gateway.deps import Caller, Svc
from easel_gateway.errors import SIGN_IN, SIGNED_IN, declared
from easel_proto.errors import Unauthenticated
from easel_proto.v1 import auth

router = APIRouter(prefix="/v1/auth/session", tags=["auth"])


class SessionInfo(BaseModel):
    """A browser session's owner; its tokens are in the cookies, out of scripts' reach."""

    user_id: str | None
    tenant_id: str | None
    expires_in: int
    refresh_expires_in: int


def _info(pair: auth.TokenPair) -> SessionInfo:
    return SessionInfo(user_id=pair.user_id, tenant_id=pair.tenant_id, expires_in=pair.expires_in,
                       refresh_expires_in=pair.refresh_expires_in)


@router.post("", response_model=SessionInfo, responses=declared(*SIGN_IN))
async def session_sign_in(body: Credentials, request: Request, response: Response, svc: Svc) -> SessionInfo:
    """Sign a browser in: as POST /v1/auth/login, but the tokens are set as HttpOnly SameSite=Strict cookies
    (Secure over https), with an `easel_csrf` cookie whose value cookie-authenticated writes must send back in
    the X-CSRF-Token header."""
    request.state.audit = {"username": body.username}
    pair = await svc.login(auth.LoginRequest(username=body.username, password=body.password,
                                             source=source(request)))
    _attribute(request, pair)
    session.set_cookies(request, response, pair)
    return _info(pair)


@router.post("/refresh", response_model=SessionInfo, responses=declared(*SIGN_IN, 403))
async def session_refresh(request: Request, response: Response, svc: Svc) -> SessionInfo:
    """New session cookies for the refresh cookie (each works once), when the access cookie has lapsed."""
    token = request.cookies.get(session.REFRESH)
    if not token:
        raise Unauthenticated("no session to refresh: sign in again")
    session.check_csrf(request)
    pair = await svc.refresh(auth.RefreshRequest(refresh_token=token, source=source(request)))
    _attribute(request, pair)
    session.set_cookies(request, response, pair, renewing=True)
    return _info(pair)


@router.delete("", status_code=204, responses=declared(*SIGNED_IN))
async def session_sign_out(request: Request, caller: Caller, svc: Svc,
                           everywhere: Annotated[bool, Query(description="End every session of the user, on "
                                                             "every browser and client, too")] = False) -> Response:
    """Sign out: ends the session (its access and refresh tokens stop working at once) and clears the cookies."""
    await svc.logout(auth.LogoutRequest(principal=caller, refresh_token=request.cookies.get(session.REFRESH),
                                        everywhere=everywhere))
    response = Response(status_code=204)
    session.clear_cookies(request, response)
    return response
