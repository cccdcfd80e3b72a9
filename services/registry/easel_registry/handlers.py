"""NATS request/reply endpoints of the registry."""

from __future__ import annotations

from easel_common.natsio import Call, Endpoint
from easel_proto.v1.registry import ImportModelRequest, ModelInfo, ModelList, ModelLookupRequest, ModelRequest
from easel_registry.flows import RegistryFlows


def endpoints(flows: RegistryFlows) -> list[Endpoint]:
    names = flows.settings.names

    async def lookup(req: ModelLookupRequest, _c: Call) -> ModelInfo:
        return await flows.lookup(req)

    async def import_(req: ImportModelRequest, _c: Call) -> ModelInfo:
        return await flows.import_model(req)

    async def models(req: ModelRequest, _c: Call) -> ModelList:
        return await flows.models(req)

    return [
        Endpoint("lookup", names.registry_lookup, ModelLookupRequest, lookup),
        Endpoint("import", names.registry_import, ImportModelRequest, import_),
        Endpoint("models", names.registry_models, ModelRequest, models),
    ]
