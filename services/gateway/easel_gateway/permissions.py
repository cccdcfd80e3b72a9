"""What each endpoint needs, in one place; `enforce` checks it before any handler runs."""

from __future__ import annotations

from fastapi import Request

from easel_proto.errors import EaselError
from easel_proto.permissions import (
    AUDIT_READ,
    JOBS_CREATE,
    MODELS_READ,
    MODELS_WRITE,
    ROLES_MANAGE,
    USERS_MANAGE,
    require,
)
from easel_proto.v1.common import Principal

PUBLIC = "public"  # no key needed
SELF = "self"  # any signed-in user, on their own jobs, keys and settings

RULES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("POST", "/v1/jobs"): JOBS_CREATE,
    ("GET", "/v1/jobs"): SELF,
    ("GET", "/v1/jobs/{job_id}"): SELF,
    ("DELETE", "/v1/jobs/{job_id}"): SELF,
    ("GET", "/v1/jobs/{job_id}/images/{index}"): SELF,
    ("GET", "/v1/jobs/{job_id}/events"): SELF,
    ("POST", "/v1/auth/login"): PUBLIC,
    ("POST", "/v1/auth/refresh"): PUBLIC,
    ("POST", "/v1/auth/logout"): SELF,
    ("GET", "/v1/me"): SELF,
    ("PUT", "/v1/me/password"): SELF,
    ("GET", "/v1/me/settings"): SELF,
    ("PATCH", "/v1/me/settings"): SELF,
    ("GET", "/v1/me/keys"): SELF,
    ("POST", "/v1/me/keys"): SELF,
    ("DELETE", "/v1/me/keys/{key_id}"): SELF,
    ("GET", "/v1/users"): USERS_MANAGE,
    ("POST", "/v1/users"): USERS_MANAGE,
    ("GET", "/v1/users/{user_id}"): USERS_MANAGE,
    ("PATCH", "/v1/users/{user_id}"): USERS_MANAGE,
    ("DELETE", "/v1/users/{user_id}"): USERS_MANAGE,
    ("GET", "/v1/users/{user_id}/keys"): USERS_MANAGE,
    ("POST", "/v1/users/{user_id}/keys"): USERS_MANAGE,
    ("DELETE", "/v1/users/{user_id}/keys/{key_id}"): USERS_MANAGE,
    ("PUT", "/v1/users/{user_id}/password"): USERS_MANAGE,
    ("GET", "/v1/roles"): ROLES_MANAGE,
    ("POST", "/v1/roles"): ROLES_MANAGE,
    ("PUT", "/v1/roles/{name}"): ROLES_MANAGE,
    ("DELETE", "/v1/roles/{name}"): ROLES_MANAGE,
    ("GET", "/v1/audit"): AUDIT_READ,
    # sharing (visibility roles or public) also needs models:share, checked by the registry
    ("POST", "/v1/models"): MODELS_WRITE,
    ("GET", "/v1/models"): MODELS_READ,
    ("GET", "/v1/models/{model_id}"): MODELS_READ,
    ("PATCH", "/v1/models/{model_id}"): MODELS_WRITE,
    ("DELETE", "/v1/models/{model_id}"): MODELS_WRITE,
    ("POST", "/v1/models/uploads"): MODELS_WRITE,
    ("PUT", "/v1/models/uploads/{upload_id}"): MODELS_WRITE,
}


def rule_for(request: Request) -> str:
    route = request.scope.get("route")
    rule = RULES.get((request.method, getattr(route, "path", "")))
    if rule is None:  # a new endpoint without a rule is a bug, and must not be open meanwhile
        raise EaselError(f"no permission rule for {request.method} {getattr(route, 'path', '?')}")
    return rule


def enforce(request: Request, caller: Principal) -> None:
    """Refuse (403, naming the permission) a caller whose roles do not grant what the route needs."""
    rule = rule_for(request)
    if rule not in (PUBLIC, SELF):
        require(caller, rule)
