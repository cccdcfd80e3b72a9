"""The one registry client of the gateway: model lookups for jobs and settings, listings, and the model endpoints.

Every request goes through `Services.call`, which signs it with the caller's statement: the registry answers only
with what that caller may see.
"""

from __future__ import annotations

from cachetools import TTLCache

from easel_gateway.clients import Services
from easel_proto.errors import InvalidInput, NotFound
from easel_proto.v1 import registry
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo

LABELS = {"lora": "LoRA", "vae": "VAE", "controlnet": "ControlNet"}


class Registry:
    """The registry as the gateway calls it; lookups and usable-model listings are cached per caller for `ttl`."""

    def __init__(self, services: Services, ttl: float) -> None:
        self.services = services
        # as brief as the credential cache: a burst of jobs costs one lookup per name, and a user change
        # (revoked, disabled, new roles) drops the user's entries at once (`forget`)
        self._models: TTLCache[tuple[str, str], ModelInfo] = TTLCache(maxsize=10_000, ttl=ttl)
        self._usable: TTLCache[tuple[str, str, str], list[ModelInfo]] = TTLCache(maxsize=10_000, ttl=ttl)

    def forget(self, user_id: str) -> None:
        """Drop what is cached for a user (their roles, and so what they may see, may have changed)."""
        for cache in (self._models, self._usable):
            for key in [k for k in cache if k[0] == user_id]:
                cache.pop(key, None)

    async def _lookup(self, name: str, caller: Principal, kind: str | None, field: str) -> ModelInfo:
        cache_key = (caller.user_id, f"{kind}\0{name}" if kind else name)
        if (cached := self._models.get(cache_key)) is not None:
            return cached
        try:
            model = await self.services.call(self.services.names.registry_lookup,
                                             registry.ModelLookupRequest(name=name, principal=caller, kind=kind),
                                             ModelInfo, caller)
        except NotFound as exc:
            what = f"{kind} " if kind else ""
            raise InvalidInput(field, f"unknown {what}model {name!r}") from exc
        except InvalidInput as exc:  # the registry names "model" (still importing, failed); say which one
            if field == "model" or exc.details.get("field") != "model":
                raise
            raise InvalidInput(field, str(exc.details.get("reason", exc.message))) from exc
        self._models[cache_key] = model
        return model

    async def model(self, name: str, caller: Principal, kind: str | None = None,
                    field: str = "model") -> ModelInfo:
        """The model `name` (id, name, title or short hash) as the caller may see it, of `kind` if given;
        InvalidInput on `field` otherwise, saying what it is instead when it is of another kind."""
        try:
            return await self._lookup(name, caller, kind, field)
        except InvalidInput:
            if kind is None:
                raise
            try:
                other = await self._lookup(name, caller, None, field)
            except InvalidInput:
                other = None
            if other is not None and other.kind != kind:
                raise InvalidInput(field, f"{name!r} is a {other.kind}, not a {kind}", kind=other.kind) from None
            raise

    async def for_checkpoint(self, name: str, caller: Principal, kind: str, field: str,
                             checkpoint: ModelInfo) -> ModelInfo:
        """The named model of `kind`, made for the same base as the checkpoint."""
        model = await self.model(name, caller, kind, field)
        if model.base != checkpoint.base:
            raise InvalidInput(field, f"base {model.base} {LABELS.get(kind, kind)} {name!r} on a {checkpoint.base} "
                               f"checkpoint {checkpoint.name!r}", base=model.base, model_base=checkpoint.base)
        return model

    async def usable(self, caller: Principal, kind: str, base: str) -> list[ModelInfo]:
        """The ready models of kind and base the caller may use, cached like lookups: every job's prompt is
        matched against the caller's embeddings, which must not cost a listing per job."""
        cache_key = (caller.user_id, kind, base)
        if (cached := self._usable.get(cache_key)) is not None:
            return cached
        listed = await self.list_models(caller, kind, base)
        self._usable[cache_key] = ready = [m for m in listed if m.status == "ready"]
        return ready

    async def _models_call(self, req: registry.ModelRequest) -> list[ModelInfo]:
        reply = await self.services.call(self.services.names.registry_models, req, registry.ModelList, req.principal)
        return reply.items

    async def list_models(self, caller: Principal, kind: str | None = None,
                          base: str | None = None, all_users: bool = False,
                          tenant: str | None = None) -> list[ModelInfo]:
        """Every model the caller may use (of a kind and base), whatever its status; never cached. all_users: every
        model of the caller's tenant (or of `tenant`: tenants:manage) instead, whoever owns it (users:manage)."""
        return await self._models_call(registry.ModelRequest(principal=caller, kind=kind, base=base,
                                                             all_users=all_users, tenant_id=tenant))

    async def get_model(self, caller: Principal, model_id: str) -> ModelInfo:
        return (await self._models_call(registry.ModelRequest(principal=caller, model_id=model_id)))[0]

    async def import_model(self, req: registry.ImportModelRequest) -> ModelInfo:
        return await self.services.call(self.services.names.registry_import, req, ModelInfo, req.principal)

    async def start_upload(self, caller: Principal, upload_id: str | None = None, *,
                           dataset: bool = False) -> registry.UploadStarted:
        """A new model upload (the registry records it and checks the tenant's storage quota), or with upload_id the
        caller's upload about to be PUT (404 unless theirs and not swept); with `dataset`, the record a dataset's
        parts are written under (swept with them should this gateway stop half way)."""
        req = registry.UploadRequest(principal=caller, upload_id=upload_id, dataset=dataset)
        return await self.services.call(self.services.names.registry_uploads, req, registry.UploadStarted, caller)

    async def update_model(self, req: registry.ModelRequest) -> ModelInfo:
        return (await self._models_call(req))[0]

    async def delete_model(self, caller: Principal, model_id: str) -> None:
        await self._models_call(registry.ModelRequest(principal=caller, model_id=model_id, delete=True))

    # --- datasets (the registry owns them: easel_registry.datasets) ---------------------------------------------

    async def _datasets_call(self, req: registry.DatasetRequest) -> list[registry.DatasetInfo]:
        reply = await self.services.call(self.services.names.registry_datasets, req, registry.DatasetList,
                                         req.principal)
        return reply.items

    async def create_dataset(self, req: registry.CreateDatasetRequest, timeout: float) -> registry.DatasetInfo:
        return await self.services.call(self.services.names.registry_create_dataset, req, registry.DatasetInfo,
                                        req.principal, timeout=timeout)

    async def list_datasets(self, caller: Principal) -> list[registry.DatasetInfo]:
        return await self._datasets_call(registry.DatasetRequest(principal=caller))

    async def get_dataset(self, caller: Principal, dataset_id: str) -> registry.DatasetInfo:
        return (await self._datasets_call(registry.DatasetRequest(principal=caller, dataset_id=dataset_id)))[0]

    async def dataset(self, caller: Principal, dataset_id: str, field: str) -> registry.DatasetInfo:
        """A dataset the caller may use, for a training; InvalidInput on `field` otherwise."""
        try:
            return await self.get_dataset(caller, dataset_id)
        except NotFound:
            raise InvalidInput(field, f"unknown dataset {dataset_id!r}") from None

    async def delete_dataset(self, caller: Principal, dataset_id: str) -> None:
        await self._datasets_call(registry.DatasetRequest(principal=caller, dataset_id=dataset_id, delete=True))
