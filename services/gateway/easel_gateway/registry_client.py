"""The registry's model endpoints, as the gateway calls them (lookups for jobs stay in clients.Services.model)."""

from __future__ import annotations

from easel_gateway.clients import Services
from easel_proto.v1 import registry
from easel_proto.v1.common import Principal


async def _models(svc: Services, req: registry.ModelRequest) -> list[registry.ModelInfo]:
    return (await svc.call(svc.names.registry_models, req, registry.ModelList, req.principal)).items


async def import_model(svc: Services, req: registry.ImportModelRequest) -> registry.ModelInfo:
    return await svc.call(svc.names.registry_import, req, registry.ModelInfo, req.principal)


async def list_models(svc: Services, principal: Principal, kind: str | None, base: str | None
                      ) -> list[registry.ModelInfo]:
    return await _models(svc, registry.ModelRequest(principal=principal, kind=kind, base=base))


async def get_model(svc: Services, principal: Principal, model_id: str) -> registry.ModelInfo:
    return (await _models(svc, registry.ModelRequest(principal=principal, model_id=model_id)))[0]


async def update_model(svc: Services, req: registry.ModelRequest) -> registry.ModelInfo:
    return (await _models(svc, req))[0]


async def delete_model(svc: Services, principal: Principal, model_id: str) -> None:
    await _models(svc, registry.ModelRequest(principal=principal, model_id=model_id, delete=True))
