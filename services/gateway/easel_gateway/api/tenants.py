"""/v1/tenants: tenants as objects, for the platform admin (tenants:manage) only.

A tenant is created with its first admin (role admin in it). Disabling a tenant locks its users out at once (auth
refuses their credentials; every gateway drops what it cached of them) and holds its queued jobs until it is
enabled again. Deleting one needs it empty, or `purge=true`: then the gateway disables it, asks the jobs service and
the registry to remove their data of it (each checks the caller's statement and tenants:manage itself), and last
auth removes its users and the tenant.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from easel_gateway.deps import Caller, Svc
from easel_gateway.errors import SIGNED_IN, declared
from easel_proto.errors import Conflict, InvalidInput
from easel_proto.v1 import auth
from easel_proto.v1.common import Quotas

router = APIRouter(prefix="/v1/tenants", tags=["tenants"], responses=declared(*SIGNED_IN))
TENANT_ID = r"^[a-z0-9][a-z0-9-]*$"
TenantId = Annotated[str, Path(pattern=TENANT_ID, max_length=64)]


class FirstAdmin(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    password: str | None = Field(default=None, max_length=1024)
    api_key: bool = Field(default=False, description="Also make them an API key, shown once in the reply")


RETENTION = "Days a job's images and inputs are kept after it ends (then deleted; the job's record stays)."


class NewTenant(BaseModel):
    id: str = Field(min_length=1, max_length=64, pattern=TENANT_ID)
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    admin: FirstAdmin
    quotas: Quotas | None = None
    retention_days: int | None = Field(default=None, ge=0, le=3650, description=RETENTION)


class TenantPatch(BaseModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    disabled: bool | None = None
    quotas: Quotas | None = Field(default=None, description="Tenant-wide limits; {} clears them")
    retention_days: int | None = Field(default=None, ge=0, le=3650, description=RETENTION + " 0 clears it.")


class CreatedTenant(auth.Tenant):
    admin: auth.User
    admin_key: auth.ApiKey | None = Field(default=None, description="The first admin's key; shown only here")


class DeletedTenant(BaseModel):
    tenant: auth.Tenant
    removed: dict[str, int] = Field(description="What was removed with it, by kind (users, jobs, models, ...)")


@router.get("", response_model=list[auth.Tenant])
async def list_tenants(caller: Caller, svc: Svc) -> list[auth.Tenant]:
    """Every tenant, with its number of users."""
    return (await svc.tenants(auth.TenantsRequest(actor=caller))).items


@router.post("", status_code=201, response_model=CreatedTenant, responses=declared(409))
async def create_tenant(body: NewTenant, caller: Caller, svc: Svc) -> CreatedTenant:
    """Create a tenant with its first admin (a password, or an API key shown once, or both)."""
    reply = await svc.tenants(auth.TenantsRequest(
        actor=caller, action="create", tenant_id=body.id, display_name=body.display_name, quotas=body.quotas,
        retention_days=body.retention_days,
        admin_username=body.admin.username, admin_password=body.admin.password, admin_key=body.admin.api_key))
    return CreatedTenant(**reply.items[0].model_dump(), admin=reply.admin, admin_key=reply.admin_key)


@router.get("/{tenant_id}", response_model=auth.Tenant, responses=declared(404))
async def get_tenant(tenant_id: TenantId, caller: Caller, svc: Svc) -> auth.Tenant:
    return (await svc.tenants(auth.TenantsRequest(actor=caller, action="get", tenant_id=tenant_id))).items[0]


@router.patch("/{tenant_id}", response_model=auth.Tenant, responses=declared(404))
async def update_tenant(tenant_id: TenantId, body: TenantPatch, caller: Caller, svc: Svc) -> auth.Tenant:
    """Rename, disable or enable a tenant, or set its quotas; its users feel it at every gateway at once."""
    return (await svc.tenants(auth.TenantsRequest(actor=caller, action="update", tenant_id=tenant_id,
                                                  display_name=body.display_name, disabled=body.disabled,
                                                  quotas=body.quotas, retention_days=body.retention_days))).items[0]


@router.delete("/{tenant_id}", response_model=DeletedTenant, responses=declared(404, 409))
async def delete_tenant(tenant_id: TenantId, caller: Caller, svc: Svc,
                        purge: Annotated[bool, Query(description="Remove its users, jobs, models and datasets "
                                                                 "too")] = False) -> DeletedTenant:
    """Delete an empty tenant (else 409 naming what remains), or with `purge=true` everything in it."""
    if tenant_id == caller.tenant_id:
        raise InvalidInput("tenant_id", "you cannot delete your own tenant")
    tenant = (await svc.tenants(auth.TenantsRequest(actor=caller, action="get", tenant_id=tenant_id))).items[0]
    ask = auth.TenantContentsRequest(actor=caller, tenant_id=tenant_id)
    held = {"users": tenant.users or 0, **await svc.tenant_contents("jobs", ask),
            **await svc.tenant_contents("registry", ask)}
    remaining = {kind: n for kind, n in held.items() if n}
    if remaining and not purge:
        listed = ", ".join(f"{n} {kind}" for kind, n in remaining.items())
        raise Conflict(f"tenant {tenant_id} is not empty: {listed} remain; remove them, or delete with purge=true",
                       field="tenant_id", remaining=remaining)
    if purge:
        # nothing new comes in, and no held job starts, while it is emptied
        await svc.tenants(auth.TenantsRequest(actor=caller, action="update", tenant_id=tenant_id, disabled=True))
        purging = ask.model_copy(update={"purge": True})
        await svc.tenant_contents("jobs", purging)
        await svc.tenant_contents("registry", purging)
    reply = await svc.tenants(auth.TenantsRequest(actor=caller, action="delete", tenant_id=tenant_id, purge=purge))
    return DeletedTenant(tenant=reply.items[0], removed=remaining)
