"""/v1/me: the caller's identity, own settings and own API keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from easel_gateway.admission import Registry
from easel_gateway.admission.limits import check_pool
from easel_gateway.admission.vae import NO_VAE
from easel_gateway.api.users import NewKey, NewPassword, new_key_request
from easel_gateway.deps import Caller, Pools, Reg, Svc
from easel_gateway.errors import SIGNED_IN, declared
from easel_gateway.pools import PoolView
from easel_proto.v1 import auth
from easel_proto.v1.common import Principal

router = APIRouter(prefix="/v1/me", tags=["me"], responses=declared(*SIGNED_IN))


@router.get("", response_model=Principal)
async def me(caller: Caller) -> Principal:
    return caller


@router.get("/settings", response_model=auth.UserSettings)
async def get_settings(caller: Caller, svc: Svc) -> auth.UserSettings:
    """Your defaults for the fields a job leaves out."""
    return await svc.settings(caller)


@router.patch("/settings", response_model=auth.UserSettings, responses=declared(409))  # a disabled pool
async def update_settings(patch: Annotated[auth.UserSettings, Body()], caller: Caller, svc: Svc, models: Reg,
                          pools: Pools) -> auth.UserSettings:
    """Change some of your defaults; a field set to null goes back to the server's default. A model, VAE or pool
    must be one you may use."""
    await _usable(patch, caller, models, pools)
    return await svc.settings(caller, patch.model_dump(mode="json", exclude_unset=True))


async def _usable(patch: auth.UserSettings, caller: Principal, models: Registry, pools: PoolView) -> None:
    """A saved default that names nothing usable would fail every later job that leaves the field out: refuse it
    now, naming the field, as /sdapi/v1/options does."""
    if patch.pool is not None:
        check_pool(patch.pool, caller, pools)
    if patch.model is not None:
        await models.model(patch.model, caller, "checkpoint", "model")
    if patch.vae is not None and patch.vae not in NO_VAE:
        await models.model(patch.vae, caller, "vae", "vae")


@router.get("/keys", response_model=list[auth.ApiKey])
async def list_keys(caller: Caller, svc: Svc) -> list[auth.ApiKey]:
    return await svc.keys(auth.KeysRequest(actor=caller, user_id=caller.user_id))


@router.post("/keys", status_code=201, response_model=auth.ApiKey)
async def create_key(body: NewKey, caller: Caller, svc: Svc) -> auth.ApiKey:
    """A new key for yourself, optionally expiring; `secret` is shown only in this reply."""
    return await svc.create_key(new_key_request(caller, caller.user_id, body))


@router.delete("/keys/{key_id}", response_model=auth.ApiKey, responses=declared(404))
async def revoke_key(key_id: str, caller: Caller, svc: Svc) -> auth.ApiKey:
    """Revoke one of your keys; every gateway refuses it within moments."""
    return (await svc.keys(auth.KeysRequest(actor=caller, user_id=caller.user_id, key_id=key_id)))[0]


@router.put("/password", status_code=204)
async def change_password(body: NewPassword, caller: Caller, svc: Svc) -> None:
    """Change your password (send current_password); your other sign-in sessions end."""
    await svc.password(auth.PasswordRequest(actor=caller, user_id=caller.user_id, new_password=body.new_password,
                                            current_password=body.current_password))
