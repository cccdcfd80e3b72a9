"""/v1/users: accounts and their keys, for admins (users:manage)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime, BaseModel, Field

from easel_gateway.deps import Caller, Svc
from easel_gateway.errors import SIGNED_IN, declared
from easel_proto.v1 import auth
from easel_proto.v1.common import Principal, Quotas

router = APIRouter(prefix="/v1/users", tags=["users"], responses=declared(*SIGNED_IN))


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    roles: list[str] = ["user"]
    tenant_id: str | None = Field(default=None, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")
    password: str | None = Field(default=None, max_length=1024)


class UserPatch(BaseModel):
    disabled: bool | None = None
    roles: list[str] | None = None
    quotas: Quotas | None = Field(default=None, description="Per-user override of the roles' quotas; {} clears it")


class NewPassword(BaseModel):
    new_password: str = Field(max_length=1024)
    current_password: str | None = Field(default=None, max_length=1024)


class NewKey(BaseModel):
    name: str = Field(default="default", min_length=1, max_length=100)
    expires_at: AwareDatetime | None = None


def new_key_request(caller: Principal, user_id: str, body: NewKey) -> auth.CreateKeyRequest:
    return auth.CreateKeyRequest(actor=caller, user_id=user_id, name=body.name, expires_at=body.expires_at)


@router.get("", response_model=list[auth.User], responses=declared(403))
async def list_users(caller: Caller, svc: Svc,
                     tenant: Annotated[str | None, Query(max_length=64, description=(
                         "Another tenant's users (the platform admin's, tenants:manage; else 403)"))] = None,
                     ) -> list[auth.User]:
    """Every user in the caller's tenant (or, for the platform admin, in `tenant`)."""
    return await svc.users(auth.UsersRequest(actor=caller, tenant_id=tenant))


@router.post("", status_code=201, response_model=auth.User, responses=declared(409))
async def create_user(body: NewUser, caller: Caller, svc: Svc) -> auth.User:
    return await svc.create_user(auth.CreateUserRequest(actor=caller, username=body.username, roles=body.roles,
                                                        tenant_id=body.tenant_id, password=body.password))


@router.get("/{user_id}", response_model=auth.User, responses=declared(404))
async def get_user(user_id: str, caller: Caller, svc: Svc) -> auth.User:
    return (await svc.users(auth.UsersRequest(actor=caller, user_id=user_id)))[0]


@router.patch("/{user_id}", response_model=auth.User, responses=declared(404))
async def update_user(user_id: str, body: UserPatch, caller: Caller, svc: Svc) -> auth.User:
    """Disable or enable a user, or replace their roles; takes effect at every gateway at once."""
    return (await svc.users(auth.UsersRequest(actor=caller, user_id=user_id, disabled=body.disabled,
                                              roles=body.roles, quotas=body.quotas)))[0]


@router.put("/{user_id}/password", status_code=204, responses=declared(404))
async def set_password(user_id: str, body: NewPassword, caller: Caller, svc: Svc) -> None:
    """Set a user's password; their sign-in sessions end."""
    await svc.password(auth.PasswordRequest(actor=caller, user_id=user_id, new_password=body.new_password))


@router.delete("/{user_id}", response_model=auth.User, responses=declared(404))
async def delete_user(user_id: str, caller: Caller, svc: Svc) -> auth.User:
    return (await svc.users(auth.UsersRequest(actor=caller, user_id=user_id, delete=True)))[0]


@router.get("/{user_id}/keys", response_model=list[auth.ApiKey], responses=declared(404),
            operation_id="list_user_keys")
async def list_keys(user_id: str, caller: Caller, svc: Svc) -> list[auth.ApiKey]:
    return await svc.keys(auth.KeysRequest(actor=caller, user_id=user_id))


@router.post("/{user_id}/keys", status_code=201, response_model=auth.ApiKey, responses=declared(404),
             operation_id="create_user_key")
async def create_key(user_id: str, body: NewKey, caller: Caller, svc: Svc) -> auth.ApiKey:
    """Create an API key for a user; `secret` is shown only in this reply."""
    return await svc.create_key(new_key_request(caller, user_id, body))


@router.delete("/{user_id}/keys/{key_id}", response_model=auth.ApiKey, responses=declared(404),
               operation_id="revoke_user_key")
async def revoke_key(user_id: str, key_id: str, caller: Caller, svc: Svc) -> auth.ApiKey:
    return (await svc.keys(auth.KeysRequest(actor=caller, user_id=user_id, key_id=key_id)))[0]


