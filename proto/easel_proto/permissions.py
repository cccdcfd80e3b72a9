"""Permission names and how a granted set is matched: '*' grants everything, 'a:b:*' every 'a:b:<x>'."""

from __future__ import annotations

import re

from easel_proto.errors import Forbidden
from easel_proto.v1.common import Principal

JOBS_CREATE = "jobs:create"
JOBS_READ_ANY = "jobs:read:any"
JOBS_CANCEL_ANY = "jobs:cancel:any"
MODELS_READ = "models:read"
MODELS_WRITE = "models:write"
MODELS_SHARE = "models:share"
TRAININGS_CREATE = "trainings:create"
USERS_MANAGE = "users:manage"
ROLES_MANAGE = "roles:manage"
AUDIT_READ = "audit:read"
# Acting across tenants is never implied by '*': a tenant's admins have '*' within their tenant only.
TENANTS_MANAGE = "tenants:manage"
# Worker pools (their GPUs, who may use them) are the platform's, shared by every tenant: beyond '*' too.
POOLS_MANAGE = "pools:manage"
BEYOND_WILDCARD = ("tenants:", POOLS_MANAGE)  # prefixes '*' does not cover
_POOL = re.compile(r"^(\*|[a-z0-9][a-z0-9-]{0,31})$")
KNOWN = (JOBS_CREATE, JOBS_READ_ANY, JOBS_CANCEL_ANY, MODELS_READ, MODELS_WRITE, MODELS_SHARE, TRAININGS_CREATE,
         USERS_MANAGE, ROLES_MANAGE, AUDIT_READ, TENANTS_MANAGE, POOLS_MANAGE)


def use_pool(pool: str) -> str:
    return f"pools:use:{pool}"


def may_use_pool(principal: Principal, pool: str, pool_roles: list[str] | None = None) -> bool:
    """Whether the caller may send work to `pool`: pools:use:<pool> from their roles' permissions, or one of their
    roles named in the pool's own `roles` list (set through /v1/pools)."""
    return allows(principal.permissions, use_pool(pool)) or not set(principal.roles).isdisjoint(pool_roles or ())


def allows(granted: list[str], needed: str) -> bool:
    """True when one granted permission covers `needed`."""
    for perm in granted:
        if perm == needed or (perm == "*" and not _beyond(needed)):
            return True
        if perm.endswith(":*") and needed.startswith(perm[:-1]):
            return True
    return False


def _beyond(needed: str) -> bool:
    """Whether '*' leaves `needed` out: a permission beyond it, or a wildcard covering one ('pools:*')."""
    if needed.startswith(BEYOND_WILDCARD):
        return True
    return needed.endswith("*") and any(b.startswith(needed[:-1]) for b in BEYOND_WILDCARD)


def require(principal: Principal, needed: str) -> None:
    """Raise Forbidden naming the missing permission."""
    if not allows(principal.permissions, needed):
        raise Forbidden(f"this needs the permission {needed!r}", permission=needed)


def valid(perm: str) -> bool:
    """A permission Easel knows: a listed name, '*', 'pools:use:<pool>' or a known prefix with ':*'."""
    if perm == "*" or perm in KNOWN:
        return True
    if perm.startswith("pools:use:"):
        return bool(_POOL.match(perm.removeprefix("pools:use:")))
    if perm.endswith(":*"):
        return any(k.startswith(perm[:-1]) for k in KNOWN)
    return False
