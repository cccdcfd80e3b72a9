"""NATS request/reply endpoints of the registry."""

from __future__ import annotations

from easel_common.natsio import Call, Endpoint
from easel_proto.v1.auth import TenantContents, TenantContentsRequest
from easel_proto.v1.registry import (
    CreateDatasetRequest,
    DatasetInfo,
    DatasetList,
    DatasetRequest,
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
from easel_proto.v1.trainings import RegisterTrainingRequest
from easel_registry import tenant_data
from easel_registry.datasets import DatasetFlows
from easel_registry.flows import RegistryFlows
from easel_registry.preload import PoolPreloads
from easel_registry.trainings import Registrations


def endpoints(flows: RegistryFlows, datasets: DatasetFlows, registrations: Registrations,
              preloads: PoolPreloads) -> list[Endpoint]:
    names = flows.settings.names

    async def lookup(req: ModelLookupRequest, _c: Call) -> ModelInfo:
        return await flows.lookup(req)

    async def import_(req: ImportModelRequest, _c: Call) -> ModelInfo:
        return await flows.import_model(req)

    async def models(req: ModelRequest, _c: Call) -> ModelList:
        return await flows.models(req)

    async def preload(req: PreloadRequest, call: Call) -> PreloadReply:
        return await preloads.resolve(req, call)

    async def start_upload(req: UploadRequest, _c: Call) -> UploadStarted:
        return await flows.start_upload(req)

    async def dataset_requests(req: DatasetRequest, _c: Call) -> DatasetList:
        return await datasets.datasets(req)

    async def create_dataset(req: CreateDatasetRequest, _c: Call) -> DatasetInfo:
        return await datasets.create(req)

    async def register(req: RegisterTrainingRequest, _c: Call) -> ModelInfo:
        return await registrations.register(req)

    async def tenant(req: TenantContentsRequest, _c: Call) -> TenantContents:
        return await tenant_data.handle(flows, req)

    return [
        Endpoint("lookup", names.registry_lookup, ModelLookupRequest, lookup),
        Endpoint("import", names.registry_import, ImportModelRequest, import_),
        Endpoint("models", names.registry_models, ModelRequest, models),
        Endpoint("uploads", names.registry_uploads, UploadRequest, start_upload),
        Endpoint("datasets", names.registry_datasets, DatasetRequest, dataset_requests),
        Endpoint("datasets-create", names.registry_create_dataset, CreateDatasetRequest, create_dataset),
        # serves no user: only the jobs identity may publish here (nats_access.py); see easel_registry.trainings
        Endpoint("register", names.registry_register, RegisterTrainingRequest, register, caller=False),
        # serves no user: a starting worker resolves its pool's preload_models on its own pool's subject (only that
        # pool's workers may publish there), answered only for refs on the pool's list (preload.py)
        Endpoint("preload", names.registry_preload("*"), PreloadRequest, preload, caller=False),
        # a platform admin's count or purge of a tenant's models and datasets (tenant_data.py)
        Endpoint("tenant", names.registry_tenant, TenantContentsRequest, tenant),
    ]
