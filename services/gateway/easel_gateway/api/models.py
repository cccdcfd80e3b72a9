"""/v1/models: import (from Hugging Face, HTTP, S3 or an upload), list, read, change, delete, share."""

from __future__ import annotations

import asyncio
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from easel_gateway.clients import Services
from easel_gateway.deps import Caller, Reg, Settings, Svc
from easel_gateway.errors import SIGNED_IN, declared
from easel_proto.errors import InvalidInput, PayloadTooLarge
from easel_proto.permissions import TENANTS_MANAGE, USERS_MANAGE, require
from easel_proto.v1 import auth, registry
from easel_proto.v1.common import Principal

router = APIRouter(prefix="/v1/models", tags=["models"], responses=declared(*SIGNED_IN))
_FIELDS = registry.ImportModelRequest.model_fields
UPLOAD_ID = r"^[0-9a-f]{32}$"
# the same choices as the registry's request, from the one definition in proto
Kind = _FIELDS["kind"].annotation
Base = _FIELDS["base"].annotation
Visibility = _FIELDS["visibility"].annotation


class ImportBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    kind: Kind  # type: ignore[valid-type]
    base: Base  # type: ignore[valid-type]
    source: registry.ModelSource
    visibility: Visibility = "private"  # type: ignore[valid-type]
    shared_roles: list[str] = []
    metadata: dict[str, Any] = {}


class ModelPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=200, pattern=r"^[^/\\\x00-\x1f]+$")
    visibility: Visibility = None  # type: ignore[valid-type]
    shared_roles: list[str] | None = None
    metadata: dict[str, Any] | None = None


class UploadForm(BaseModel):
    """POST multipart/form-data to url with these fields first and the file last (S3's browser upload)."""

    url: str
    fields: dict[str, str]


class Upload(BaseModel):
    upload_id: str
    url: str
    form: UploadForm | None = Field(default=None, description="With an S3 object store: upload straight to it")
    abandon_at: datetime | None = Field(default=None, description="Removed then unless imported before")


def _build(model_type: type[BaseModel], /, **values: Any) -> Any:
    try:
        return model_type(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise InvalidInput(".".join(str(p) for p in first["loc"]) or "body", first["msg"]) from None


@router.post("", status_code=201, response_model=registry.ModelInfo)
async def import_model(body: ImportBody, caller: Caller, models: Reg) -> registry.ModelInfo:
    """Start an import; the reply has status `importing`, and GET /v1/models/{id} shows its progress."""
    req = _build(registry.ImportModelRequest, principal=caller, **body.model_dump())
    return await models.import_model(req)


@router.get("", response_model=registry.ModelList, responses=declared(403))
async def list_models(caller: Caller, models: Reg, kind: Annotated[str | None, Query(max_length=16)] = None,
                      base: Annotated[str | None, Query(max_length=16)] = None,
                      all_users: bool = False,
                      tenant: Annotated[str | None, Query(max_length=64, description=(
                          "With all_users: another tenant's models (the platform admin's, tenants:manage)"))] = None,
                      ) -> registry.ModelList:
    """The models the caller may use: built-ins, their own, their tenant's public ones, those shared with a role
    (all_users: every model of the tenant with its owner and visibility, no built-ins; a tenant admin's,
    users:manage; with `tenant`, that tenant's, for the platform admin)."""
    if tenant is not None and not all_users:
        raise InvalidInput("tenant", "only with all_users=true (another tenant's models, whoever owns them)")
    if all_users:
        require(caller, USERS_MANAGE)
    if tenant not in (None, caller.tenant_id):
        require(caller, TENANTS_MANAGE)
    return registry.ModelList(items=await models.list_models(caller, kind, base, all_users=all_users, tenant=tenant))


@router.post("/uploads", status_code=201, response_model=Upload)
async def new_upload(caller: Caller, request: Request, settings: Settings, models: Reg) -> Upload:
    """An upload id; PUT the file's bytes to the url (or, with an S3 store, POST them with `form` straight to the
    bucket), then import with source {type: upload, uri: upload_id}. Refused (429, `tenant.storage_bytes`) while the
    tenant is at its storage limit; an upload not imported within EASEL_UPLOAD_ABANDON_S (24 h) is removed."""
    started = await models.start_upload(caller)
    presign = getattr(request.app.state.store, "upload_form", None)
    form = None
    if presign is not None:
        form = UploadForm(**await asyncio.to_thread(presign, started.key, max_bytes=settings.max_upload_bytes))
    return Upload(upload_id=started.upload_id, url=f"/v1/models/uploads/{started.upload_id}", form=form,
                  abandon_at=started.abandon_at)


@router.put("/uploads/{upload_id}", status_code=204, responses=declared(404, 413))
async def put_upload(upload_id: Annotated[str, PathParam(pattern=UPLOAD_ID)], request: Request, caller: Caller,
                     settings: Settings, models: Reg) -> None:
    """Stream the request body into the object store (through a temp file, capped by EASEL_MAX_UPLOAD_BYTES); 404
    for an upload the caller did not start or that was removed as abandoned."""
    cap = settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > cap:
        raise PayloadTooLarge(f"upload over {cap} bytes", limit=cap)
    started = await models.start_upload(caller, upload_id)  # the registry says where its bytes go
    folder = Path(settings.data_dir) / "tmp" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder)
    tmp = Path(name)
    try:
        seen = 0
        with os.fdopen(fd, "wb") as f:
            async for chunk in request.stream():
                seen += len(chunk)
                if seen > cap:
                    raise PayloadTooLarge(f"upload over {cap} bytes", limit=cap)
                f.write(chunk)
        if seen == 0:
            raise InvalidInput("body", "the upload is empty")
        await request.app.state.store.put_file(started.key, tmp)
    finally:
        tmp.unlink(missing_ok=True)


@router.get("/{model_id}", response_model=registry.ModelInfo, responses=declared(404))
async def get_model(model_id: Annotated[str, PathParam(max_length=64)], caller: Caller, models: Reg
                    ) -> registry.ModelInfo:
    return await models.get_model(caller, model_id)


@router.patch("/{model_id}", response_model=registry.ModelInfo, responses=declared(403, 404, 409))
async def update_model(model_id: Annotated[str, PathParam(max_length=64)], body: ModelPatch, caller: Caller,
                       models: Reg, svc: Svc, request: Request,
                       tenant: Annotated[str | None, Query(max_length=64, description=(
                           "The model's tenant when it is another's: the platform admin's (tenants:manage), who may "
                           "change its visibility and shared_roles (roles of that tenant) only"))] = None,
                       ) -> registry.ModelInfo:
    """Rename, share (visibility roles or public needs models:share) or change the metadata; with `tenant`, the
    platform admin shares a model of that tenant (audited with the tenant as `model_tenant`)."""
    if tenant not in (None, caller.tenant_id):
        require(caller, TENANTS_MANAGE)
        request.state.audit = {"model_tenant": tenant}
        if body.shared_roles:
            await _check_tenant_roles(svc, caller, tenant, body.shared_roles)
    req = _build(registry.ModelRequest, principal=caller, model_id=model_id, tenant_id=tenant,
                 **body.model_dump(exclude_unset=True))
    return await models.update_model(req)


async def _check_tenant_roles(svc: Services, caller: Principal, tenant: str, names: list[str]) -> None:
    """Sharing in another tenant names roles of that tenant (built in or its own), never the platform's."""
    known = {r.name for r in await svc.roles(auth.RolesRequest(actor=caller, tenant_id=tenant))}
    if unknown := sorted(set(names) - known):
        raise InvalidInput("shared_roles", f"not roles of tenant {tenant}: {', '.join(unknown)}")


@router.delete("/{model_id}", status_code=204, responses=declared(404))
async def delete_model(model_id: Annotated[str, PathParam(max_length=64)], caller: Caller, models: Reg) -> None:
    """Delete the record and its files (files another model of the tenant shares stay)."""
    await models.delete_model(caller, model_id)
