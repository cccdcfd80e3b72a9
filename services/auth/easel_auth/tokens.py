"""Access tokens (short-lived JWTs) and refresh tokens (opaque, stored hashed, rotated on every use)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from pathlib import Path

import jwt

from easel_auth.settings import AuthSettings
from easel_common.kept_secrets import kept_secret
from easel_proto.errors import TokenExpired, Unauthenticated
from easel_proto.wire import now

ISSUER = "easel"
ALGORITHM = "HS256"
REFRESH_PREFIX = "esr_"


def signing_key(settings: AuthSettings) -> str:
    """The JWT key from settings; in dev, generated once and kept in the data dir so restarts keep sessions."""
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value()
    return kept_secret(Path(settings.data_dir) / "jwt.secret")


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and not token.startswith("esk_")


def issue_access(key: str, *, user_id: str, tenant_id: str, session_id: str, ttl_s: int) -> str:
    issued = now()
    claims = {"iss": ISSUER, "sub": user_id, "tid": tenant_id, "sid": session_id, "jti": uuid.uuid4().hex,
              "typ": "access", "iat": issued, "exp": issued + timedelta(seconds=ttl_s)}
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_access(key: str, token: str) -> dict:
    """The claims of a valid access token; expired, forged or malformed tokens are refused."""
    try:
        claims = jwt.decode(token, key, algorithms=[ALGORITHM], issuer=ISSUER,
                            options={"require": ["exp", "iat", "sub", "sid", "iss"]})
    except jwt.ExpiredSignatureError as exc:
        raise TokenExpired("access token expired: refresh it or sign in again") from exc
    except jwt.PyJWTError as exc:
        raise Unauthenticated("invalid access token") from exc
    if claims.get("typ") != "access":
        raise Unauthenticated("invalid access token")
    return claims


def new_refresh() -> tuple[str, str]:
    """A refresh token and the digest stored for it."""
    token = REFRESH_PREFIX + secrets.token_urlsafe(32)
    return token, digest(token)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
