"""/v1/roles: built-in and custom roles with their permissions and quotas (roles:manage)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from easel_gateway.deps import Caller, Svc
from easel_gateway.errors import SIGNED_IN, declared
from easel_proto.v1 import auth
from easel_proto.v1.common import Quotas

router = APIRouter(prefix="/v1/roles", tags=["roles"], responses=declared(*SIGNED_IN))
ROLE_NAME = r"^[a-z][a-z0-9_-]{0,63}$"
RoleName = Annotated[str, Path(pattern=ROLE_NAME)]


class RoleBody(BaseModel):
    permissions: list[str]
    quotas: Quotas | None = None


class NewRole(RoleBody):
    name: str = Field(pattern=ROLE_NAME)


@router.get("", response_model=list[auth.Role], responses=declared(403))
async def list_roles(caller: Caller, svc: Svc, tenant: Annotated[str | None, Query(max_length=64, description=(
        "The built-in roles and another tenant's own (the platform admin's, tenants:manage; else 403)"))] = None,
                     ) -> list[auth.Role]:
    return await svc.roles(auth.RolesRequest(actor=caller, tenant_id=tenant))


@router.post("", status_code=201, response_model=auth.Role, responses=declared(409))
async def create_role(body: NewRole, caller: Caller, svc: Svc) -> auth.Role:
    """Create a custom role; unknown permission names are refused."""
    return (await svc.roles(auth.RolesRequest(actor=caller, name=body.name, permissions=body.permissions,
                                              quotas=body.quotas)))[0]


@router.put("/{name}", response_model=auth.Role, responses=declared(404, 409))
async def replace_role(name: RoleName, body: RoleBody, caller: Caller, svc: Svc) -> auth.Role:
    """Replace a custom role's permissions and quotas; its members are affected at once."""
    return (await svc.roles(auth.RolesRequest(actor=caller, name=name, permissions=body.permissions,
                                              quotas=body.quotas)))[0]


@router.delete("/{name}", status_code=204, responses=declared(404, 409))
async def delete_role(name: RoleName, caller: Caller, svc: Svc) -> None:
    await svc.roles(auth.RolesRequest(actor=caller, name=name, delete=True))
