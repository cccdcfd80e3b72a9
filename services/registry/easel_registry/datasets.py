"""Datasets: training images a user uploaded, checked, re-encoded and stored under `{tenant}/datasets/{id}/`.

The registry owns them for the reasons it owns models: it already takes untrusted uploads from the object store,
checks their content and applies the access rules (owner, shared with roles, the tenant's admins; anyone else gets
404). The gateway streams the uploaded parts into the caller's own uploads (`{tenant}/uploads/{user}/...`) and names
them here; nothing else is read. A dataset is complete or absent: it is recorded only once every image is stored,
and whatever a refused upload wrote is removed, the uploads too (they serve one request).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_common.storage import ObjectStore, check_key
from easel_common.storage_quota import StorageQuota
from easel_proto.errors import Forbidden, InvalidInput, NotFound
from easel_proto.naming import dataset_prefix
from easel_proto.permissions import MODELS_SHARE, TRAININGS_CREATE, USERS_MANAGE, allows, require
from easel_proto.v1.registry import CreateDatasetRequest, DatasetFile, DatasetInfo, DatasetList, DatasetRequest
from easel_registry import access, dataset_checks
from easel_registry.flows import check_roles
from easel_registry.models import Dataset, Upload
from easel_registry.service import now
from easel_registry.settings import RegistrySettings

log = logging.getLogger(__name__)
MAX_LISTED = 1000  # datasets a listing returns, newest first


def to_info(row: Dataset, *, with_files: bool = True) -> DatasetInfo:
    return DatasetInfo(id=row.id, name=row.name, owner_id=row.owner_id, tenant_id=row.tenant_id,
                       visibility=row.visibility, shared_roles=row.shared_roles or [], images=row.images,
                       min_side=row.min_side, size=row.size, created_at=row.created_at,
                       files=[DatasetFile(**f) for f in row.files or []] if with_files else [])


class DatasetFlows:
    def __init__(self, settings: RegistrySettings, sessions: async_sessionmaker, store: ObjectStore) -> None:
        self.settings, self.sessions, self.store = settings, sessions, store
        self.tmp_root = Path(settings.data_dir) / "tmp" / "datasets"
        self.storage: StorageQuota | None = None  # the tenant's storage_bytes quota (easel_common.storage_quota)
        self.limits = dataset_checks.Limits(max_images=settings.max_dataset_images,
                                            max_bytes=settings.max_dataset_bytes,
                                            min_side=settings.min_dataset_side,
                                            max_pixels=settings.max_dataset_image_pixels)

    async def create(self, req: CreateDatasetRequest) -> DatasetInfo:
        """Check every image, store the dataset, record it; refused whole (422 naming the part) otherwise."""
        p = req.principal
        require(p, TRAININGS_CREATE)
        if req.visibility != "private" or req.shared_roles:
            require(p, MODELS_SHARE)
        shared_roles = check_roles(req.visibility, req.shared_roles)
        if (req.archive is None) == (not req.images):
            raise InvalidInput("archive", "send either an archive or images, not both")
        if self.storage is not None:
            await self.storage.check(p.tenant_id, "datasets")
        own = f"{p.tenant_id}/uploads/{p.user_id}/"
        uploads = ([req.archive] if req.archive else []) + list(req.images)
        for i, upload in enumerate(uploads):
            field = "archive" if req.archive else f"images.{i}"
            if not check_key(upload.key, field).startswith(own):
                raise Forbidden(f"{field}: not one of your uploads")
        self.tmp_root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=self.tmp_root))
        dataset_id = str(uuid.uuid4())
        prefix = dataset_prefix(p.tenant_id, dataset_id)
        try:
            locals_ = []
            for i, upload in enumerate(uploads):
                local = tmp / f"part-{i}"
                try:
                    await self.store.get_file(upload.key, local)
                except NotFound:
                    raise InvalidInput("archive" if req.archive else f"images.{i}", "the upload is gone") from None
                locals_.append(local)
            if req.archive:
                prepared = await asyncio.to_thread(dataset_checks.images_from_archive, locals_[0], self.limits)
            else:
                parts = [dataset_checks.Part(local, f"images.{i}", up.caption)
                         for i, (local, up) in enumerate(zip(locals_, req.images, strict=True))]
                prepared = await asyncio.to_thread(dataset_checks.images_from_parts, parts, self.limits)
            files = await self._store(prefix, prepared)
            row = Dataset(id=dataset_id, tenant_id=p.tenant_id, owner_id=p.user_id, name=req.name.strip() or "dataset",
                          visibility=req.visibility, shared_roles=shared_roles,
                          images=len(files), min_side=min(min(f["width"], f["height"]) for f in files),
                          size=sum(f["size"] for f in files), files=files, created_at=now())
            async with self.sessions() as session:
                session.add(row)
                await session.commit()
        except BaseException:
            await asyncio.shield(self._remove(prefix))
            raise
        finally:
            for upload in uploads:  # an upload serves one request, whatever its outcome
                await self.store.delete(upload.key)
            await self._forget(p.tenant_id, p.user_id, uploads)
            await asyncio.to_thread(shutil.rmtree, tmp, True)
        log.info("dataset %s: %d images", dataset_id, row.images)
        return to_info(row)

    async def _forget(self, tenant_id: str, user_id: str, uploads: list) -> None:
        """The caller's upload records the parts were written under (`{tenant}/uploads/{user}/{upload id}/{n}`,
        uploads.py): taken now, they are not the sweep's any more."""
        own = f"{tenant_id}/uploads/{user_id}/"
        ids = {u.key[len(own):].split("/", 1)[0] for u in uploads if "/" in u.key[len(own):]}
        if ids:
            async with self.sessions.begin() as session:
                await session.execute(delete(Upload).where(Upload.id.in_(ids), Upload.tenant_id == tenant_id,
                                                           Upload.user_id == user_id))

    async def _store(self, prefix: str, prepared: list[dataset_checks.Prepared]) -> list[dict]:
        files = []
        for n, image in enumerate(prepared):
            path = f"images/{n:04d}.png"
            await self.store.put(prefix + path, image.png, "image/png")
            entry = {"path": path, "key": prefix + path, "size": len(image.png), "sha256": image.sha256,
                     "width": image.width, "height": image.height, "caption": image.caption, "caption_key": None}
            if image.caption is not None:
                entry["caption_key"] = f"{prefix}images/{n:04d}.txt"
                await self.store.put(entry["caption_key"], image.caption.encode(), "text/plain")
            files.append(entry)
        return files

    async def _remove(self, prefix: str) -> None:
        for key in await self.store.list(prefix):
            await self.store.delete(key)

    async def datasets(self, req: DatasetRequest) -> DatasetList:
        """List the caller's usable datasets (dataset_id null), or get or delete one; one the caller may not see
        is not found."""
        p = req.principal
        if req.dataset_id is None:
            stmt = select(Dataset).where(Dataset.tenant_id == p.tenant_id)
            if not allows(p.permissions, USERS_MANAGE):  # a tenant admin sees the tenant's; others what they may use
                stmt = stmt.where(or_(Dataset.owner_id == p.user_id, Dataset.visibility != "private"))
            async with self.sessions() as session:
                rows = await session.scalars(stmt.order_by(Dataset.created_at.desc()).limit(MAX_LISTED))
                return DatasetList(items=[to_info(r, with_files=False) for r in rows if access.can_use(r, p)])
        async with self.sessions() as session:
            row = await session.get(Dataset, req.dataset_id)
            if row is None or not access.can_use(row, p):
                raise NotFound(f"dataset {req.dataset_id!r} not found", dataset_id=req.dataset_id)
            if not req.delete:
                return DatasetList(items=[to_info(row)])
            require(p, TRAININGS_CREATE)
            if not access.can_manage(row, p):
                raise Forbidden("only the dataset's owner or a tenant admin may delete it")
            info = to_info(row)
            await session.delete(row)
            await session.commit()
        await self._remove(dataset_prefix(row.tenant_id, row.id))
        return DatasetList(items=[info])
