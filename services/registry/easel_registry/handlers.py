"""NATS request/reply endpoints of the registry."""

from __future__ import annotations

from collections.abc import Mapping

from easel_common.natsio import Endpoint
from easel_proto import Names
from easel_proto.errors import NotFound
from easel_proto.v1.registry import ModelInfo, ModelLookupRequest
from easel_registry import catalog


def endpoints(names: Names) -> list[Endpoint]:
    async def lookup(req: ModelLookupRequest, _h: Mapping[str, str]) -> ModelInfo:
        model = catalog.find(req.name)
        if model is None:
            raise NotFound(f"model {req.name!r} not found", name=req.name)
        return model

    return [Endpoint("lookup", names.registry_lookup, ModelLookupRequest, lookup)]
