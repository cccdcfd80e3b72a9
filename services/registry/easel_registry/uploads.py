"""Model uploads: started here (POST /v1/models/uploads), their bytes PUT through the gateway (or POSTed straight to
S3) to `{tenant}/uploads/{user}/{id}`, then imported (source {type: upload}).

Starting one is refused while the tenant is at its storage limit (`tenant.storage_bytes`, 429), as an import is; its
bytes count in the tenant's storage from then on (easel_common.storage_quota), and an import of it is not checked
again: it turns bytes already admitted into the model. The row records who started it and when it was last touched
(started, or an import of it begun). It goes, with the file, when:
- an import of it succeeds (the file became the model),
- an import of it is refused because the name is taken (409): the file is removed at once, not left to the sweep,
- nothing touched it for `upload_abandon_s` (EASEL_UPLOAD_ABANDON_S, 24 h): the sweep, every `upload_sweep_s`.
A failed import keeps the upload until the sweep, so the owner can import it again.

A dataset upload (POST /v1/datasets: `dataset` set, trainings:create) is recorded the same way before the gateway
writes its parts, under `{key}/{n}`: the registry removes it when it takes the dataset (datasets.py), whatever the
outcome, and the sweep removes one a gateway crash left behind, parts included.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_common.storage import ObjectStore
from easel_common.storage_quota import StorageQuota
from easel_proto.errors import NotFound
from easel_proto.permissions import MODELS_WRITE, TRAININGS_CREATE, require
from easel_proto.v1.registry import UploadRequest, UploadStarted
from easel_registry.models import Upload
from easel_registry.service import now
from easel_registry.settings import RegistrySettings
from easel_registry.sources import upload_key

log = logging.getLogger(__name__)


class Uploads:
    def __init__(self, settings: RegistrySettings, sessions: async_sessionmaker, store: ObjectStore) -> None:
        self.settings, self.sessions, self.store = settings, sessions, store

    async def start(self, req: UploadRequest, storage: StorageQuota | None) -> UploadStarted:
        """Record a new upload for the caller, unless their tenant is at its storage limit; with upload_id, the
        caller's upload about to be PUT (NotFound unless theirs and not swept), touched."""
        p = req.principal
        require(p, TRAININGS_CREATE if req.dataset else MODELS_WRITE)
        if req.upload_id is not None:
            return await self._existing(p.tenant_id, p.user_id, req.upload_id)
        if storage is not None:
            await storage.check(p.tenant_id, "datasets" if req.dataset else "uploads")
        at = now()
        row = Upload(id=uuid.uuid4().hex, tenant_id=p.tenant_id, user_id=p.user_id, created_at=at, touched_at=at)
        async with self.sessions.begin() as session:
            session.add(row)
        return self._started(row)

    async def _existing(self, tenant_id: str, user_id: str, upload_id: str) -> UploadStarted:
        async with self.sessions.begin() as session:
            row = await session.get(Upload, upload_id)
            if row is None or (row.tenant_id, row.user_id) != (tenant_id, user_id):
                raise NotFound(f"upload {upload_id!r} not found: start one with POST /v1/models/uploads",
                               field="upload_id")
            row.touched_at = now()
            return self._started(row)

    def _started(self, row: Upload) -> UploadStarted:
        return UploadStarted(upload_id=row.id, key=upload_key(row.tenant_id, row.user_id, row.id),
                             created_at=row.created_at,
                             abandon_at=row.touched_at + timedelta(seconds=self.settings.upload_abandon_s))

    async def touch(self, tenant_id: str, user_id: str, upload_id: str) -> None:
        """An import of it begins: the sweep leaves it for another upload_abandon_s."""
        async with self.sessions.begin() as session:
            row = await session.get(Upload, upload_id)
            if row is not None and (row.tenant_id, row.user_id) == (tenant_id, user_id):
                row.touched_at = now()

    async def remove(self, tenant_id: str, user_id: str, upload_id: str) -> None:
        """The file (a dataset's parts under it too) and the record (imported, or refused for good)."""
        key = upload_key(tenant_id, user_id, upload_id)
        for part in await self.store.list(key + "/"):
            await self.store.delete(part)
        await self.store.delete(key)
        async with self.sessions.begin() as session:
            await session.execute(delete(Upload).where(Upload.id == upload_id, Upload.tenant_id == tenant_id,
                                                       Upload.user_id == user_id))

    async def sweep_once(self) -> int:
        """Remove the uploads nothing touched for upload_abandon_s, files first; returns how many."""
        cutoff = now() - timedelta(seconds=self.settings.upload_abandon_s)
        async with self.sessions() as session:
            stale = list((await session.execute(select(Upload).where(Upload.touched_at < cutoff)
                                                .limit(1000))).scalars())
        for row in stale:
            await self.remove(row.tenant_id, row.user_id, row.id)
        if stale:
            log.info("%d abandoned uploads removed", len(stale))
        return len(stale)

    async def sweep(self) -> None:
        """Forever: sweep abandoned uploads every upload_sweep_s."""
        while True:
            try:
                await self.sweep_once()
            except Exception:  # the database or the store away for a moment must not end the sweeping
                log.exception("sweeping abandoned uploads failed")
            await asyncio.sleep(self.settings.upload_sweep_s)
