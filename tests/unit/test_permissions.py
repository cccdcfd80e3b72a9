"""Permission names and the one table that says what each endpoint needs."""

from __future__ import annotations

import pytest

from easel_gateway.main import create_app
from easel_gateway.permissions import PUBLIC, RULES
from easel_proto.permissions import allows, valid


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
    assert ours - RULES.keys() == set(), "add these endpoints to easel_gateway.permissions.RULES"
    assert RULES.keys() - ours == set(), "RULES names endpoints that no longer exist"
    assert {path for (_, path), rule in RULES.items() if rule == PUBLIC} == {
        "/healthz", "/readyz", "/metrics", "/v1/auth/login", "/v1/auth/refresh",
        "/v1/links/{token}"}  # an image link is its own credential (links.py)
