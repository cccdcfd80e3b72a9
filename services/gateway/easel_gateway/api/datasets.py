"""/v1/datasets: training images uploaded (a zip, or images one by one with captions), listed, shown, deleted.

The upload is multipart/form-data. Its parts are streamed into the caller's own uploads in the object store, under
an upload the registry records first (so parts a crash leaves behind are swept: easel_registry.uploads); the
registry checks every image, re-encodes it and records the dataset (or refuses it whole, naming the part), and
deletes the uploads either way.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from starlette.datastructures import UploadFile as Part

from easel_gateway.deps import Caller, Reg, Settings
from easel_gateway.errors import SIGNED_IN, declared
from easel_proto.errors import InvalidInput, PayloadTooLarge
from easel_proto.v1 import registry

router = APIRouter(prefix="/v1/datasets", tags=["datasets"], responses=declared(*SIGNED_IN))
DatasetId = Annotated[str, PathParam(max_length=64)]
CHUNK = 1024 * 1024


async def _stash(part: Part, key: str, request: Request, settings, budget: list[int]) -> None:
    """One uploaded part into the object store, through a temp file, counted against the request's cap."""
    folder = Path(settings.data_dir) / "tmp" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=folder)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            while chunk := await part.read(CHUNK):
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    cap = settings.max_dataset_upload_bytes
                    raise PayloadTooLarge(f"the dataset upload is over {cap} bytes", limit=cap)
                f.write(chunk)
        await request.app.state.store.put_file(key, tmp)
    finally:
        tmp.unlink(missing_ok=True)


@router.post("", status_code=201, response_model=registry.DatasetInfo, responses=declared(413))
async def create_dataset(
        caller: Caller, models: Reg, settings: Settings, request: Request,
        name: Annotated[str, Form(min_length=1, max_length=200, pattern=r"^[^/\\\x00-\x1f]+$")],
        archive: Annotated[UploadFile | None, File(description="A zip of images, each with an optional caption in "
                                                               "<image name>.txt beside it")] = None,
        images: Annotated[list[UploadFile] | None, File(description="Images, one part each")] = None,
        captions: Annotated[list[str] | None, Form(description="The images' captions, in the same order "
                                                               "(fewer: the rest have none)")] = None,
        visibility: Annotated[Literal["private", "roles", "public"], Form()] = "private",
        shared_roles: Annotated[list[str] | None, Form()] = None) -> registry.DatasetInfo:
    """Upload a dataset: `archive` (a zip), or `images` with optional `captions`. Every image must decode, be at
    least the registry's minimum size and within the count and size limits, or the whole upload is refused (422
    naming `archive` or `images.<n>`); images are stored re-encoded as PNG under your tenant."""
    images = [i for i in images or [] if isinstance(i, Part)]  # a fuzzer's plain text is no file
    archive = archive if isinstance(archive, Part) else None
    if archive is None and not images:
        raise InvalidInput("images", "send an archive (a zip) or at least one image")
    if archive is not None and images:
        raise InvalidInput("archive", "send either an archive or images, not both")
    captions = list(captions or [])
    if len(captions) > len(images):
        raise InvalidInput("captions", f"{len(captions)} captions for {len(images)} images")
    folder = (await models.start_upload(caller, dataset=True)).key  # recorded before any part is written
    budget = [settings.max_dataset_upload_bytes]
    stored: list[str] = []
    try:
        parts = [archive] if archive is not None else images
        for n, part in enumerate(parts):
            key = f"{folder}/{n}"
            await _stash(part, key, request, settings, budget)
            stored.append(key)
    except BaseException:
        for key in stored:
            await request.app.state.store.delete(key)
        raise
    uploads = [registry.DatasetUpload(key=key, filename=(part.filename or "")[:255],
                                      caption=captions[n] if n < len(captions) else None)
               for n, (key, part) in enumerate(zip(stored, parts, strict=True))]
    try:
        req = registry.CreateDatasetRequest(
            principal=caller, name=name, visibility=visibility, shared_roles=shared_roles or [],
            archive=uploads[0] if archive is not None else None, images=[] if archive is not None else uploads)
    except ValueError as exc:
        raise InvalidInput("captions", str(exc).splitlines()[0]) from None
    return await models.create_dataset(req, timeout=settings.dataset_timeout_s)


@router.get("", response_model=registry.DatasetList)
async def list_datasets(caller: Caller, models: Reg) -> registry.DatasetList:
    """The datasets you may use: your own, those shared with one of your roles, your tenant's public ones (and,
    for a tenant admin, the tenant's). Without their files; GET one for those."""
    return registry.DatasetList(items=await models.list_datasets(caller))


@router.get("/{dataset_id}", response_model=registry.DatasetInfo, responses=declared(404))
async def get_dataset(dataset_id: DatasetId, caller: Caller, models: Reg) -> registry.DatasetInfo:
    return await models.get_dataset(caller, dataset_id)


@router.delete("/{dataset_id}", status_code=204, responses=declared(404))
async def delete_dataset(dataset_id: DatasetId, caller: Caller, models: Reg) -> None:
    """Delete the dataset and its images (its owner or a tenant admin). A training already running keeps the
    copy it fetched."""
    await models.delete_dataset(caller, dataset_id)
