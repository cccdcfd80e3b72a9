"""Permission names and the one table that says what each endpoint needs."""

from __future__ import annotations

import pytest

from easel_gateway.main import create_app
from easel_gateway.permissions import PUBLIC, RULES
from easel_proto.permissions import allows, may_use_pool, valid
from easel_proto.v1.common import Principal


@pytest.mark.parametrize(("granted", "needed", "ok"), [
    (["*"], "users:manage", True),
    (["*"], "tenants:manage", False),
    (["*"], "tenants:*", False),
    (["tenants:*"], "tenants:manage", True),
    (["jobs:create"], "jobs:create", True),
    (["jobs:create"], "jobs:read:any", False),
    (["pools:use:*"], "pools:use:gpu-xl", True),
    (["pools:use:default"], "pools:use:gpu-xl", False),
    ([], "jobs:create", False),
    # pools are the platform's: a tenant admin's '*' neither holds pools:manage nor a wildcard that would cover it
    (["*"], "pools:manage", False),
    (["*"], "pools:*", False),
    (["*"], "pools:use:*", True),
    (["*", "pools:manage"], "pools:manage", True),
    (["pools:*"], "pools:manage", True),
])
def test_granted_permissions_cover_what_they_name(granted, needed, ok):
    assert allows(granted, needed) is ok


@pytest.mark.parametrize(("perm", "ok"), [
    ("jobs:create", True), ("pools:use:gpu-xl", True), ("pools:use:*", True), ("jobs:*", True), ("*", True),
    ("jobs:destroy", False), ("pools:use:GPU", False), ("pools:use:", False), ("wizard:*", False), ("", False),
])
def test_unknown_permission_names_are_not_valid(perm, ok):
    assert valid(perm) is ok


def test_every_endpoint_declares_its_permission_in_the_one_table():
    paths = create_app().openapi()["paths"]
    ours = {(method.upper(), path) for path, ops in paths.items() for method in ops} | {("GET", "/metrics")}
    ours |= {("GET", "/"), ("GET", "/assets/{name}")}  # the web UI's page and files (webapp.py)
    assert ours - RULES.keys() == set(), "add these endpoints to easel_gateway.permissions.RULES"
    assert RULES.keys() - ours == set(), "RULES names endpoints that no longer exist"
    assert {path for (_, path), rule in RULES.items() if rule == PUBLIC} == {
        "/healthz", "/readyz", "/metrics", "/v1/auth/login", "/v1/auth/refresh",
        "/v1/auth/session", "/v1/auth/session/refresh", "/", "/assets/{name}",
        "/v1/links/{token}"}  # an image link is its own credential (links.py)


@pytest.mark.parametrize(("permissions", "roles", "pool_roles", "ok"), [
    (["pools:use:gpu"], ["user"], [], True),  # the role's own grant
    (["jobs:create"], ["artists"], ["artists", "ops"], True),  # a role the pool names
    (["jobs:create"], ["user"], ["artists"], False),
    (["pools:use:other"], ["artists"], None, False),
])
def test_a_pool_is_usable_through_a_grant_or_one_of_its_roles(permissions, roles, pool_roles, ok):
    caller = Principal(user_id="u", tenant_id="t", username="u", roles=roles, permissions=permissions)
    assert may_use_pool(caller, "gpu", pool_roles) is ok
