"""Imports, lookups and changes to models: the registry's orchestration (database, object store, fetchers)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.ext.asyncio import async_sessionmaker

from easel_common.storage import ObjectStore, check_key
from easel_common.storage_quota import StorageQuota
from easel_proto.errors import Conflict, EaselError, Forbidden, InvalidInput, NotFound
from easel_proto.permissions import MODELS_READ, MODELS_SHARE, MODELS_WRITE, TENANTS_MANAGE, USERS_MANAGE, require
from easel_proto.v1.common import Error
from easel_proto.v1.registry import (
    ImportModelRequest,
    ModelInfo,
    ModelList,
    ModelLookupRequest,
    ModelRequest,
    PreloadReply,
    PreloadRequest,
    UploadRequest,
    UploadStarted,
)
from easel_registry import access, base_configs, catalog, conversion, metrics, safety, service, sources
from easel_registry.models import IMPORTING, READY, Model
from easel_registry.settings import RegistrySettings
from easel_registry.sources import Fetched, Progress
from easel_registry.uploads import Uploads

log = logging.getLogger(__name__)
PROGRESS_EVERY_S = 0.5
HEARTBEAT_S = 10.0
BASE_CONFIG_RETRY_S = 300.0
MAX_METADATA_BYTES = 64 * 1024
_ROLE = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
_LOOKS_LIKE_HASH = re.compile(r"^[0-9a-f]{8}$|\[[0-9a-f]{8}\]$")


class RegistryFlows:
    def __init__(self, settings: RegistrySettings, sessions: async_sessionmaker, store: ObjectStore) -> None:
        self.settings, self.sessions, self.store = settings, sessions, store
        self.tmp_root = Path(settings.data_dir) / "tmp" / "imports"
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._slots = asyncio.Semaphore(settings.import_concurrency)
        self._config_locks: dict[str, asyncio.Lock] = {}
        self._config_retry_at: dict[str, float] = {}  # per base: when to look for its configs again
        self.ended: Callable[[], None] = lambda: None  # an import ended (the announcer publishes it)
        self.storage: StorageQuota | None = None  # the tenant's storage_bytes quota (easel_common.storage_quota)
        self.uploads = Uploads(settings, sessions, store)

    # --- lookups ------------------------------------------------------------------------------------------------

    async def lookup(self, req: ModelLookupRequest) -> ModelInfo:
        """The model `req.name` names (id, name, title or short hash) among those the caller may use."""
        builtin = catalog.find(req.name)
        if builtin is not None and (req.kind is None or builtin.kind == req.kind):
            return builtin
        usable = await self._usable(req, req.name)
        if not usable and (title := service.TITLE.match(req.name)):
            # A web UI title whose hash differs from ours (another copy of the same file, converted to
            # safetensors): the name alone decides when it is unambiguous.
            by_name = await self._usable(req, title["name"])
            usable = by_name if len({m.id for m in by_name}) == 1 else []
        if not usable:
            raise NotFound(f"model {req.name!r} not found", name=req.name)
        # an exact id first, then ready ones, then the caller's own; rows come newest first
        usable.sort(key=lambda m: (m.id != req.name, m.status != READY, m.owner_id != req.principal.user_id))
        model = usable[0]
        if model.status == IMPORTING:
            raise InvalidInput("model", f"model {req.name!r} is still importing")
        if model.status != READY:
            reason = (model.error or {}).get("message", "unknown reason")
            raise InvalidInput("model", f"model {req.name!r} failed to import: {reason}")
        return service.to_info(model)

    async def preload(self, req: PreloadRequest) -> PreloadReply:
        """The ready models `req.refs` name, for a pool's starting workers: built-in ids or names, or imported models'
        ids (a name alone could be anyone's). Only refs on the asking pool's preload list reach this (preload.py)."""
        found, missing = [], []
        async with self.sessions() as session:
            for ref in req.refs:
                builtin = catalog.find(ref)
                model = None if builtin is not None else await service.get(session, model_id=ref)
                if builtin is not None:
                    found.append(builtin)
                elif model is not None and model.status == READY:
                    found.append(service.to_info(model))
                else:
                    missing.append(ref)
        return PreloadReply(items=found, missing=missing)

    async def _usable(self, req: ModelLookupRequest, ref: str) -> list[Model]:
        async with self.sessions() as session:
            rows = await service.find(session, ref=ref, tenant_id=req.principal.tenant_id)
        return [m for m in rows if access.can_use(m, req.principal) and (req.kind is None or m.kind == req.kind)]

    async def models(self, req: ModelRequest) -> ModelList:
        """List (model_id null), get, update or delete; a model the caller may not see is not found. With tenant_id
        another tenant's, the platform admin's alone (tenants:manage): list its models, or read or share one of them."""
        p = req.principal
        if req.model_id is None:
            require(p, MODELS_READ)
            if req.all_users:  # the admin's view: every model of the tenant, whoever owns it, no built-ins
                require(p, USERS_MANAGE)
                if req.tenant_id not in (None, p.tenant_id):
                    require(p, TENANTS_MANAGE)  # another tenant's models: the platform admin's alone
                async with self.sessions() as session:
                    rows = await service.list_in_tenant(session, tenant_id=req.tenant_id or p.tenant_id,
                                                        kind=req.kind, base=req.base)
                return ModelList(items=[service.to_info(m) for m in rows])
            builtins = [m for m in catalog.BUILTIN if (not req.kind or m.kind == req.kind)
                        and (not req.base or m.base == req.base)]
            async with self.sessions() as session:
                rows = await service.list_in_tenant(session, tenant_id=p.tenant_id, kind=req.kind, base=req.base)
            return ModelList(items=builtins + [service.to_info(m) for m in rows if access.can_use(m, p)])
        if (builtin := catalog.find(req.model_id)) is not None and builtin.id == req.model_id:
            if req.delete or self._changes(req):
                raise Forbidden("built-in models cannot be changed")
            return ModelList(items=[builtin])
        elsewhere = req.tenant_id not in (None, p.tenant_id)
        if elsewhere:  # another tenant's model: the platform admin's alone, and only its sharing
            require(p, TENANTS_MANAGE)
            if req.delete or req.name is not None or req.metadata is not None:
                raise Forbidden("in another tenant, only a model's visibility and shared_roles may be changed")
        async with self.sessions() as session:
            model = await service.get(session, model_id=req.model_id)
            seen = model is not None and (model.tenant_id == req.tenant_id if elsewhere else access.can_use(model, p))
            if not seen:
                raise NotFound(f"model {req.model_id!r} not found", model_id=req.model_id)
            if not req.delete and not self._changes(req):
                return ModelList(items=[service.to_info(model)])
            require(p, MODELS_WRITE)
            if not elsewhere and not access.can_manage(model, p):
                raise Forbidden("only the model's owner or a tenant admin may change it")
            if req.delete:
                return ModelList(items=[await self._delete(session, model)])
            self._apply(model, req)
            model.updated_at = service.now()
            await service.commit_named(session, model)
            return ModelList(items=[service.to_info(model)])

    @staticmethod
    def _changes(req: ModelRequest) -> bool:
        return any(v is not None for v in (req.name, req.visibility, req.shared_roles, req.metadata))

    def _apply(self, model: Model, req: ModelRequest) -> None:
        if req.name is not None:
            model.name = _check_name(req.name)
        if req.visibility is not None or req.shared_roles is not None:
            visibility = req.visibility or model.visibility
            roles = req.shared_roles if req.shared_roles is not None else model.shared_roles
            if visibility != "private" or req.shared_roles:
                require(req.principal, MODELS_SHARE)
            model.visibility, model.shared_roles = visibility, check_roles(visibility, roles)
        if req.metadata is not None:
            model.meta = _check_metadata(req.metadata)

    async def _delete(self, session, model: Model) -> ModelInfo:
        info = service.to_info(model)
        keep = await service.keys_in_use(session, tenant_id=model.tenant_id, sha256=model.sha256,
                                         exclude_id=model.id)
        await service.delete(session, model=model)
        task = self._tasks.get(model.id)
        if task is not None:
            task.cancel()  # its clean-up removes what it wrote
        for f in model.files or []:
            if f["key"] not in keep:
                await self.store.delete(f["key"])
        return info

    # --- imports ------------------------------------------------------------------------------------------------

    async def start_upload(self, req: UploadRequest) -> UploadStarted:
        """A new model upload for the caller (uploads.py), refused while the tenant is at its storage limit."""
        return await self.uploads.start(req, self.storage)

    async def import_model(self, req: ImportModelRequest) -> ModelInfo:
        """Record the model as importing and fetch it in the background; the reply comes at once."""
        p = req.principal
        require(p, MODELS_WRITE)
        visibility = req.visibility or "private"
        if visibility != "private" or req.shared_roles:
            require(p, MODELS_SHARE)
        sources.validate(req.source, self.settings)
        upload = req.source.uri if req.source.type == "upload" else None
        if self.storage is not None and upload is None:  # an upload's bytes were admitted when it started
            await self.storage.check(p.tenant_id, "imports")
        at = service.now()
        model = Model(
            id=str(uuid.uuid4()), tenant_id=p.tenant_id, owner_id=p.user_id, name=_check_name(req.name),
            kind=req.kind, base=req.base, format=None, source=sources.describe(req.source), files=[],
            visibility=visibility, shared_roles=check_roles(visibility, req.shared_roles or []),
            status=IMPORTING, bytes_done=0, meta=_check_metadata(req.metadata or {}), created_at=at, updated_at=at,
        )
        try:
            async with self.sessions() as session:
                await service.create(session, model=model)
        except Conflict:
            if upload is not None:  # refused for its name (409): the upload goes now, not at the sweep
                await self.uploads.remove(p.tenant_id, p.user_id, upload)
            raise
        if upload is not None:
            await self.uploads.touch(p.tenant_id, p.user_id, upload)
        task = asyncio.create_task(self._run(model.id, req))
        self._tasks[model.id] = task
        task.add_done_callback(lambda _t, mid=model.id: self._tasks.pop(mid, None))
        return service.to_info(model)

    async def _run(self, model_id: str, req: ImportModelRequest) -> None:
        p = req.principal
        progress = Progress()
        reporter = asyncio.create_task(self._report(model_id, progress))
        prefix = f"{p.tenant_id}/models/{model_id}/"
        self.tmp_root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=self.tmp_root))
        started, outcome = time.monotonic(), "failed"
        try:
            async with self._slots:
                fetched = await self._fetch(req, tmp, progress)
                if any(f.pickled for f in fetched):
                    fetched, req = await self._convert(fetched, req, tmp)
                values = await asyncio.to_thread(inspect, fetched, req)
                files = await self.store_files(fetched, values["sha256"], p.tenant_id, model_id, prefix)
                if values["format"] == "safetensors" and req.kind in ("checkpoint", "controlnet"):
                    await self.base_configs(req.base)  # before `ready`: a worker may load it at once
            reporter.cancel()
            size = sum(f.size for f in fetched)
            async with self.sessions() as session:
                done = await service.finish(session, model_id=model_id, values={
                    **values, "files": files, "size": size, "bytes_done": size, "bytes_total": size,
                    "short_hash": values["sha256"][:8]})
            if not done:  # deleted while importing
                await self._clean(prefix)
            elif req.source.type == "upload":  # the file became the model
                await self.uploads.remove(p.tenant_id, p.user_id, req.source.uri)
            if done and self.storage is not None:  # counted before the next measurement (a dedupe: until then)
                self.storage.add(p.tenant_id, size)
            outcome = "ready" if done else "deleted"
            log.info("model %s imported (%d bytes)", model_id, size)
        except asyncio.CancelledError:
            progress.canceled, outcome = True, "interrupted"
            await asyncio.shield(self._failed(model_id, prefix, Error(code="interrupted",
                                                                       message="interrupted; import again")))
            raise
        except EaselError as exc:
            await self._failed(model_id, prefix, exc.to_wire())
        except Exception as exc:  # a bug or an unexpected I/O error: say which, without internals
            log.exception("import of model %s failed", model_id)
            await self._failed(model_id, prefix, Error(code="internal",
                                                       message=f"the import failed: {type(exc).__name__}"))
        finally:
            reporter.cancel()
            metrics.import_ended(req.source.type, outcome, time.monotonic() - started)
            self.ended()
            await asyncio.to_thread(shutil.rmtree, tmp, True)

    async def _fetch(self, req: ImportModelRequest, tmp: Path, progress: Progress) -> list[Fetched]:
        source, s = req.source, self.settings
        if source.type == "http":
            return [await sources.fetch_http(source.uri, s, tmp, progress)]
        if source.type == "s3":
            return await asyncio.to_thread(sources.fetch_s3, source.uri, s, tmp, progress)
        if source.type == "hf":
            return await asyncio.to_thread(sources.fetch_hf, source, s, tmp, progress)
        key = sources.upload_key(req.principal.tenant_id, req.principal.user_id, source.uri)
        return [await sources.fetch_upload(key, self.store, tmp, progress, convert=s.convert_pickles)]

    async def _convert(self, fetched: list[Fetched], req: ImportModelRequest,
                       tmp: Path) -> tuple[list[Fetched], ImportModelRequest]:
        """Pickled checkpoints become safetensors in a confined process; a checksum names the original file."""
        if len(fetched) != 1:
            safety.refuse_pickled_name(next(f.path for f in fetched if f.pickled))
        [original] = fetched
        if req.source.sha256 and req.source.sha256 != original.sha256:
            raise InvalidInput("source.sha256", f"checksum mismatch: expected {req.source.sha256}, "
                                                f"got {original.sha256}")
        converted = await conversion.to_safetensors(original, self.settings, tmp)
        checked = req.model_copy(update={"source": req.source.model_copy(update={"sha256": None})})
        return [converted], checked

    async def base_configs(self, base: str) -> None:
        """Best effort: a single-file checkpoint needs its base's configs in the store (base_configs.py); the
        first import of each base fetches them. A failure is logged and retried after BASE_CONFIG_RETRY_S; the
        model stays usable where workers have EASEL_MODEL_CONFIG_DIR or the configs are imported offline."""
        if not self.settings.fetch_base_configs or base not in base_configs.REPOS:
            return
        lock = self._config_locks.setdefault(base, asyncio.Lock())
        async with lock:
            if time.monotonic() < self._config_retry_at.get(base, 0.0):
                return
            try:
                await base_configs.ensure(self.store, base, self.settings, self.tmp_root.parent / "configs")
                self._config_retry_at[base] = float("inf")  # present: nothing more to do in this process
            except Exception as exc:  # never fails the import: the worker names what is missing
                self._config_retry_at[base] = time.monotonic() + BASE_CONFIG_RETRY_S
                message = exc.message if isinstance(exc, EaselError) else type(exc).__name__
                log.warning("could not store the %s configs (single-file checkpoints of that base need them; "
                            "`easel configs import` adds them offline): %s", base, message)

    async def store_files(self, fetched: list[Fetched], sha256: str, tenant_id: str, model_id: str,
                     prefix: str) -> list[dict]:
        """Copy into the object store, unless a ready model of the tenant already holds the same content."""
        async with self.sessions() as session:
            twin = await service.find_ready_by_sha(session, tenant_id=tenant_id, sha256=sha256, exclude_id=model_id)
        if twin is not None and twin.files:
            return list(twin.files)
        files = []
        for f in fetched:
            key = check_key(prefix + f.path)
            await self.store.put_file(key, f.local)
            files.append({"path": f.path, "key": key, "size": f.size, "sha256": f.sha256})
        return files

    async def _report(self, model_id: str, progress: Progress) -> None:
        """Write progress to the row at most every PROGRESS_EVERY_S, and a heartbeat while nothing moves."""
        last, quiet = (-1, None), 0.0
        while True:
            await asyncio.sleep(PROGRESS_EVERY_S)
            quiet += PROGRESS_EVERY_S
            current = (progress.done, progress.total)
            if current == last and quiet < HEARTBEAT_S:
                continue
            with contextlib.suppress(Exception):  # progress is best effort; the import goes on
                async with self.sessions() as session:
                    await service.set_progress(session, model_id=model_id, done=current[0], total=current[1])
                last, quiet = current, 0.0

    async def _failed(self, model_id: str, prefix: str, error: Error) -> None:
        """No half-written files stay visible: remove what this import wrote, then record why it failed."""
        try:
            await self._clean(prefix)
        finally:
            async with self.sessions() as session:
                await service.fail(session, model_id=model_id, error=error)
        log.info("import of model %s failed: %s", model_id, error.message)

    async def _clean(self, prefix: str) -> None:
        """Remove every object this import wrote (a deduplicated import wrote none)."""
        for key in await self.store.list(prefix):
            await self.store.delete(key)

    async def recover(self) -> None:
        async with self.sessions() as session:
            ids = await service.fail_stale(session, older_than_s=self.settings.import_stale_s)
        if ids:
            log.warning("%d interrupted imports marked failed", len(ids))
            self.ended()

    async def sweep_stale(self) -> None:
        """Forever: mark failed the imports whose progress stopped; running imports touch their row every
        HEARTBEAT_S, so only orphans go stale."""
        while True:
            await asyncio.sleep(self.settings.import_stale_s / 2)
            try:
                await self.recover()
            except Exception:  # the database being away for a moment must not end the sweeping
                log.exception("sweeping stale imports failed")

    async def stop(self) -> None:
        """Cancel running imports; each records itself as interrupted and removes what it wrote."""
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def inspect(fetched: list[Fetched], req: ImportModelRequest) -> dict:
    """Blocking: content checks on the downloaded files, the model's digest, its format."""
    tensor_names: list[str] = []
    for f in fetched:
        safety.check_path(f.path)
        safety.refuse_pickled_name(f.path)
        if f.path.endswith(".safetensors"):
            tensor_names += [k for k in safety.safetensors_header(f.local) if k != "__metadata__"]
    single = len(fetched) == 1 and fetched[0].path.endswith(".safetensors") and "/" not in fetched[0].path
    if single:
        sha256 = fetched[0].sha256
    else:
        manifest = "".join(f"{f.sha256}  {f.path}\n" for f in sorted(fetched, key=lambda f: f.path))
        sha256 = hashlib.sha256(manifest.encode()).hexdigest()
    if not single and req.kind == "checkpoint" and not any(f.path == "model_index.json" for f in fetched):
        raise InvalidInput("source", "a checkpoint folder must be a diffusers pipeline (model_index.json at its root)")
    if req.kind == "hypernetwork":
        safety.check_hypernetwork(tensor_names, single=single)
    if req.kind == "interrogator":
        safety.check_interrogator([f.path for f in fetched])
    if req.kind in ("face_restorer", "face_detector"):
        safety.check_face_model(req.kind, tensor_names, single=single)
    if req.source.sha256 and req.source.sha256 != sha256:
        raise InvalidInput("source.sha256", f"checksum mismatch: expected {req.source.sha256}, got {sha256}")
    detected = safety.detected_base(tensor_names)
    if detected == "sdxl" and req.base in ("sd15", "sd21"):
        raise InvalidInput("base", f"the weights are SDXL weights, not {req.base}")
    return {"sha256": sha256, "format": "safetensors" if single else "diffusers"}


def _check_name(name: str) -> str:
    if _LOOKS_LIKE_HASH.search(name) or name != name.strip():
        raise InvalidInput("name", "must not look like a short hash or a title, nor start or end with spaces")
    return name


def check_roles(visibility: str, roles: list[str]) -> list[str]:
    for role in roles:
        if not _ROLE.match(role):
            raise InvalidInput("shared_roles", f"{role!r} is not a role name")
    if visibility == "roles" and not roles:
        raise InvalidInput("shared_roles", "name at least one role when visibility is 'roles'")
    return sorted(set(roles))


def _check_metadata(metadata: dict) -> dict:
    if len(json.dumps(metadata)) > MAX_METADATA_BYTES:
        raise InvalidInput("metadata", f"must be at most {MAX_METADATA_BYTES} bytes of JSON")
    return metadata
