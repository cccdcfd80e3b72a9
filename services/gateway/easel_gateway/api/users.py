"""/v1/users and /v1/me: accounts and API keys."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from easel_gateway.deps import Admin, Caller, Svc
from easel_proto.v1 import auth
from easel_proto.v1.common import Principal

router = APIRouter(tags=["users"])


class NewUser(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    roles: list[str] = ["user"]
    tenant_id: str | None = Field(default=None, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")


class NewKey(BaseModel):
    name: str = Field(default="default", min_length=1, max_length=100)


@router.get("/v1/me", response_model=Principal)
async def me(caller: Caller) -> Principal:
    return caller


@router.post("/v1/users", status_code=201, response_model=auth.User)
async def create_user(body: NewUser, caller: Admin, svc: Svc) -> auth.User:
    """Create a user (admins only)."""
    return await svc.create_user(auth.CreateUserRequest(actor=caller, username=body.username, roles=body.roles,
                                                        tenant_id=body.tenant_id))


@router.post("/v1/users/{user_id}/keys", status_code=201, response_model=auth.ApiKey)
async def create_key(user_id: str, body: NewKey, caller: Caller, svc: Svc) -> auth.ApiKey:
    """Create an API key for yourself (or anyone, as an admin); `secret` is shown only in this reply."""
    return await svc.create_key(auth.CreateKeyRequest(actor=caller, user_id=user_id, name=body.name))
