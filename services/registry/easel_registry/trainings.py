"""Registering a finished training's artefact as its owner's model (`{ns}.registry.register`).

This endpoint serves no user (caller=False): it takes the owner from the body. It may, because only the `jobs`
NATS identity can publish to its subject (nats_access.py: the gateway may not), and the jobs service verified the
owner from auth's signed statement when the training was created, and launched the run whose lease the result
carried. What the endpoint still refuses to take on trust: it reads only the training's own prefix
(`{owner's tenant}/trainings/{training_id}/`), checks the files as any import is checked (safetensors headers, no
pickles, the hypernetwork layout, SDXL weights on an SD 1.x base) and that their digest is the one the trainer
reported, and records the model private to the owner. It copies the files to `{tenant}/models/{id}/` and deletes
nothing: the training's objects are the jobs service's to clean. Registering again for the same training returns the
same model (a retry after a lost reply), and `unregister` removes it, so no half-registered model stays.

A merge job's result (origin `merge`, easel_jobs.merges) is registered the same way from the job's folder
(`{tenant}/{user}/jobs/{job_id}/`, the owner's own), with source `merge:{job_id}`; there the registry also removes
the job's copy of the file, registered or refused, so a failed merge leaves no file behind.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import select

from easel_common.storage import check_key
from easel_proto.errors import Conflict, InvalidInput, NotFound
from easel_proto.naming import job_prefix, training_prefix
from easel_proto.v1.registry import ImportModelRequest, ModelInfo, ModelSource
from easel_proto.v1.trainings import RegisterTrainingRequest
from easel_registry import service, sources
from easel_registry.flows import RegistryFlows, inspect
from easel_registry.models import READY, Model

META_KEY = "training_id"
MAX_NAME = 200
MAX_SUFFIX = 1000
MERGE_KEY = "merge_job"


class Registrations:
    def __init__(self, flows: RegistryFlows) -> None:
        self.flows = flows

    async def _registered(self, req: RegisterTrainingRequest) -> Model | None:
        async with self.flows.sessions() as session:
            rows = await session.scalars(select(Model).where(
                Model.tenant_id == req.owner.tenant_id, Model.owner_id == req.owner.user_id,
                Model.source == sources.describe(_source(req))))
            return next(iter(rows), None)

    async def register(self, req: RegisterTrainingRequest) -> ModelInfo:
        if req.origin != "merge":
            return await self._register(req)
        owner = req.owner
        if req.prefix != job_prefix(owner.tenant_id, owner.user_id, req.training_id):
            raise InvalidInput("prefix", "is not the owner's job folder")
        try:
            return await self._register(req)
        finally:  # the job's copy is consumed either way: registered under models/, or refused
            key = check_key(req.prefix + req.artefact.path, "artefact.path")
            if key.endswith(".safetensors") and "/" not in req.artefact.path:
                await asyncio.shield(self.flows.store.delete(key))

    async def _register(self, req: RegisterTrainingRequest) -> ModelInfo:
        owner, artefact = req.owner, req.artefact
        merge = req.origin == "merge"
        prefix = (job_prefix(owner.tenant_id, owner.user_id, req.training_id) if merge
                  else training_prefix(owner.tenant_id, req.training_id))
        if req.prefix != prefix:
            raise InvalidInput("prefix", "is not the owner's training prefix")
        earlier = await self._registered(req)
        if req.unregister:
            if earlier is None:
                raise NotFound(f"training {req.training_id} registered no model")
            async with self.flows.sessions() as session:
                model = await session.get(Model, earlier.id)
                return await self.flows._delete(session, model)
        if earlier is not None:
            return service.to_info(earlier)
        root = check_key(prefix + artefact.path.rstrip("/"), "artefact.path")
        if artefact.format == "safetensors":
            keys = [root] if await self.flows.store.exists(root) else []
        else:
            keys = await self.flows.store.list(root + "/")
        if not keys:
            raise InvalidInput("artefact.path", "the training's artefact is not in the store")
        tmp_root = Path(self.flows.settings.data_dir) / "tmp" / "imports"
        tmp_root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=tmp_root))
        model_id = str(uuid.uuid4())
        model_prefix = f"{owner.tenant_id}/models/{model_id}/"
        try:
            fetched = []
            for key in keys:
                rel = Path(key).name if artefact.format == "safetensors" else key[len(root) + 1:]
                local = tmp / rel
                local.parent.mkdir(parents=True, exist_ok=True)
                await self.flows.store.get_file(key, local)
                size, digest = await asyncio.to_thread(sources.hash_file, local)
                fetched.append(sources.Fetched(rel, local, size, digest))
            check = ImportModelRequest(principal=owner, name=req.name, kind=artefact.kind, base=artefact.base,
                                       source=_source(req))
            values = await asyncio.to_thread(inspect, fetched, check)
            files = await self.flows.store_files(fetched, values["sha256"], owner.tenant_id, model_id, model_prefix)
            size = sum(f.size for f in fetched)
            at = service.now()
            model = Model(id=model_id, tenant_id=owner.tenant_id, owner_id=owner.user_id, name=req.name,
                          kind=artefact.kind, base=artefact.base, format=values["format"],
                          source=sources.describe(check.source), sha256=values["sha256"],
                          short_hash=values["sha256"][:8], size=size, files=files, visibility="private",
                          shared_roles=[], status=READY, bytes_done=size, bytes_total=size,
                          meta={**(artefact.metadata or {}), **(req.metadata or {}),
                                (MERGE_KEY if merge else META_KEY): req.training_id},
                          created_at=at, updated_at=at)
            model = await self._create(model)
        except BaseException:
            await asyncio.shield(self.flows._clean(model_prefix))
            raise
        finally:
            await asyncio.to_thread(shutil.rmtree, tmp, True)
        return service.to_info(model)


    async def _create(self, model: Model) -> Model:
        """Record the model under its name, or the first free `name-2`, `name-3`, ... when its owner already has a
        model of that kind and name (a result is never refused for its name)."""
        columns = {c.key: getattr(model, c.key) for c in Model.__mapper__.column_attrs}
        base = model.name
        for n in range(1, MAX_SUFFIX + 1):
            name = base if n == 1 else f"{base[:MAX_NAME - len(str(n)) - 1]}-{n}"
            try:
                async with self.flows.sessions() as session:
                    return await service.create(session, model=Model(**{**columns, "name": name}))
            except Conflict:
                if n == MAX_SUFFIX:
                    raise
        raise AssertionError("unreachable")


def _source(req: RegisterTrainingRequest) -> ModelSource:
    # the digest the trainer reported must be what is in the store; a model a training kept at a checkpoint step is
    # one of its own (registered again, the same one; never taken for the training's result)
    uri = f"{req.training_id}#step{req.step}" if req.step is not None else req.training_id
    return ModelSource(type="merge" if req.origin == "merge" else "training", uri=uri,
                       sha256=req.artefact.sha256 or None)
