"""The registry itself holds the line on another tenant's models: `ModelRequest.tenant_id` (a listing, or one
model's sharing) is honoured for the platform admin (tenants:manage) alone, whatever a caller sends past the gateway."""

from __future__ import annotations

import uuid

import pytest

from easel_proto.errors import Forbidden, NotFound
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ImportModelRequest, ModelRequest, ModelSource
from helpers import REGISTRY_OWNER, registry_flows

TENANT_ADMIN = Principal(user_id="u-boss", tenant_id="t2", username="boss", roles=["admin"],
                         permissions=["models:read", "models:write", "users:manage"])
PLATFORM = Principal(user_id="u-root", tenant_id="default", username="root", roles=["admin"],
                     permissions=["*", "tenants:manage"])


async def test_only_the_platform_admin_lists_another_tenants_models(tmp_path):
    async with registry_flows(tmp_path) as flows:
        # a model of tenant t1 (its import fails later: nothing was uploaded; its record is listed all the same)
        model = await flows.import_model(ImportModelRequest(
            principal=REGISTRY_OWNER, name="t1-lora", kind="lora", base="sd15",
            source=ModelSource(type="upload", uri=uuid.uuid4().hex)))
        with pytest.raises(Forbidden):
            await flows.models(ModelRequest(principal=TENANT_ADMIN, all_users=True, tenant_id="t1"))
        own = await flows.models(ModelRequest(principal=TENANT_ADMIN, all_users=True, tenant_id="t2"))
        assert own.items == []
        theirs = await flows.models(ModelRequest(principal=PLATFORM, all_users=True, tenant_id="t1"))
        assert [m.id for m in theirs.items] == [model.id]
        mine = await flows.models(ModelRequest(principal=PLATFORM, all_users=True))  # no tenant: the caller's own
        assert model.id not in {m.id for m in mine.items}


async def test_only_the_platform_admin_shares_another_tenants_model_and_nothing_else_of_it(tmp_path):
    async with registry_flows(tmp_path) as flows:
        model = await flows.import_model(ImportModelRequest(
            principal=REGISTRY_OWNER, name="t1-shared", kind="lora", base="sd15",
            source=ModelSource(type="upload", uri=uuid.uuid4().hex)))
        share = {"model_id": model.id, "visibility": "roles", "shared_roles": ["designers"]}
        # another tenant's admin ('*', which leaves out tenants:manage), naming the tenant or not: refused, and the
        # model stays private
        boss = TENANT_ADMIN.model_copy(update={"permissions": ["*"]})
        with pytest.raises(Forbidden):
            await flows.models(ModelRequest(principal=boss, tenant_id="t1", **share))
        with pytest.raises(NotFound):
            await flows.models(ModelRequest(principal=boss, **share))
        # the platform admin without the tenant: not its tenant's model
        with pytest.raises(NotFound):
            await flows.models(ModelRequest(principal=PLATFORM, **share))
        # naming another tenant than the model's: not found there
        with pytest.raises(NotFound):
            await flows.models(ModelRequest(principal=PLATFORM, tenant_id="t2", **share))
        # its sharing only: no rename, metadata or delete across tenants
        for change in ({"name": "renamed"}, {"metadata": {"a": 1}}, {"delete": True}):
            with pytest.raises(Forbidden):
                await flows.models(ModelRequest(principal=PLATFORM, tenant_id="t1", model_id=model.id, **change))
        (seen,) = (await flows.models(ModelRequest(principal=REGISTRY_OWNER, model_id=model.id))).items
        assert seen.visibility == "private" and seen.name == "t1-shared"
        (shared,) = (await flows.models(ModelRequest(principal=PLATFORM, tenant_id="t1", **share))).items
        assert shared.visibility == "roles" and shared.shared_roles == ["designers"]
        (seen,) = (await flows.models(ModelRequest(principal=REGISTRY_OWNER, model_id=model.id))).items
        assert seen.visibility == "roles" and seen.shared_roles == ["designers"]
