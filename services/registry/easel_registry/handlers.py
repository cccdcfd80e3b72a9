"""NATS request/reply endpoints of the registry."""

from __future__ import annotations

from collections.abc import Mapping

from easel_common.natsio import Endpoint
from easel_proto.v1.registry import ImportModelRequest, ModelInfo, ModelList, ModelLookupRequest, ModelRequest
from easel_registry.flows import RegistryFlows


def endpoints(flows: RegistryFlows) -> list[Endpoint]:
    names = flows.settings.names

    async def lookup(req: ModelLookupRequest, _h: Mapping[str, str]) -> ModelInfo:
        return await flows.lookup(req)

    async def import_(req: ImportModelRequest, _h: Mapping[str, str]) -> ModelInfo:
        return await flows.import_model(req)

    async def models(req: ModelRequest, _h: Mapping[str, str]) -> ModelList:
        return await flows.models(req)

    return [
        Endpoint("lookup", names.registry_lookup, ModelLookupRequest, lookup),
        Endpoint("import", names.registry_import, ImportModelRequest, import_),
        Endpoint("models", names.registry_models, ModelRequest, models),
    ]
