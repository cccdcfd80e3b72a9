"""Browser sessions: the login's access and refresh tokens kept in HttpOnly cookies, with CSRF protection.

The web UI never sees a token: POST /v1/auth/session sets them as cookies no script can read. A request with no
Authorization header is authenticated by the access-token cookie (`credential`, the one hook deps.py calls).
CSRF: double-submit token. Sign-in also sets a random `easel_csrf` cookie that scripts may read; every
cookie-authenticated request other than GET/HEAD/OPTIONS must echo it in the `X-CSRF-Token` header, or is refused
403. A cross-site page can neither read the cookie nor set the header, and the cookies are SameSite=Strict besides.
Bearer and API-key callers send no cookie and are unaffected.
"""

from __future__ import annotations

import secrets

from fastapi import Request, Response

from easel_proto.errors import Forbidden
from easel_proto.v1 import auth

ACCESS = "easel_access"
REFRESH = "easel_refresh"
CSRF = "easel_csrf"
CSRF_HEADER = "X-CSRF-Token"
REFRESH_PATH = "/v1/auth/session"  # the refresh cookie goes only to the session endpoints
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})


def credential(request: Request) -> str | None:
    """The access token of a browser session, after its CSRF check; None when there is no session cookie."""
    token = request.cookies.get(ACCESS)
    if not token:
        return None
    if request.method not in SAFE:
        check_csrf(request)
    return token


def check_csrf(request: Request) -> None:
    cookie, header = request.cookies.get(CSRF, ""), request.headers.get(CSRF_HEADER, "")
    if not cookie or not header or not secrets.compare_digest(cookie.encode(), header.encode()):
        raise Forbidden(f"a signed-in browser's write needs the {CSRF_HEADER} header (the {CSRF} cookie's value)",
                        field=CSRF_HEADER)


def _secure(request: Request) -> bool:
    configured = request.app.state.settings.session_cookie_secure
    return request.url.scheme == "https" if configured is None else configured


def set_cookies(request: Request, response: Response, pair: auth.TokenPair, *, renewing: bool = False) -> None:
    """The session's cookies; a sign-in gets a new CSRF token, a refresh keeps it (requests in flight carry it)."""
    secure = _secure(request)
    csrf = (renewing and request.cookies.get(CSRF)) or secrets.token_urlsafe(32)
    response.set_cookie(ACCESS, pair.access_token, max_age=pair.expires_in, path="/", httponly=True,
                        secure=secure, samesite="strict")
    response.set_cookie(REFRESH, pair.refresh_token, max_age=pair.refresh_expires_in, path=REFRESH_PATH,
                        httponly=True, secure=secure, samesite="strict")
    # readable by the app's script, which echoes it in X-CSRF-Token; it lives as long as the refresh token
    response.set_cookie(CSRF, csrf, max_age=pair.refresh_expires_in, path="/",
                        httponly=False, secure=secure, samesite="strict")


def clear_cookies(request: Request, response: Response) -> None:
    secure = _secure(request)
    for name, path in ((ACCESS, "/"), (REFRESH, REFRESH_PATH), (CSRF, "/")):
        response.delete_cookie(name, path=path, secure=secure, httponly=name != CSRF, samesite="strict")
