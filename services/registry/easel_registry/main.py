"""The registry service: model records, imports into the object store, and lookups for the gateway."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nats.aio.client import Client

from easel_common import callers, db
from easel_common.health import Check
from easel_common.logs import configure_logging
from easel_common.natsio import EndpointServer
from easel_common.runner import run, serve, service_checks
from easel_common.settings import CommonSettings
from easel_common.storage import open_store
from easel_common.storage_quota import StorageQuota, StorageUsage
from easel_common.tenants import TenantView
from easel_registry import handlers
from easel_registry.announce import Announcer
from easel_registry.datasets import DatasetFlows
from easel_registry.flows import RegistryFlows
from easel_registry.preload import PoolPreloads
from easel_registry.settings import RegistrySettings
from easel_registry.trainings import Registrations

MIGRATIONS = Path(__file__).parent / "migrations"


class RegistryService:
    """Lifecycle: start() migrates and fails interrupted imports, then serves and keeps sweeping imports whose
    progress stopped (another registry died mid-import); stop() cancels running imports."""

    def __init__(self, settings: CommonSettings, nc: Client) -> None:
        if not isinstance(settings, RegistrySettings):
            settings = RegistrySettings(**settings.model_dump())
        self.settings, self.nc = settings, nc
        self.engine = db.make_engine(settings.database_url)
        self.store = open_store(settings)
        self.flows = RegistryFlows(settings, db.sessions(self.engine), self.store)
        self.datasets = DatasetFlows(settings, db.sessions(self.engine), self.store)
        self.registrations = Registrations(self.flows)
        # the ends of imports, for webhooks (announce.py)
        self.announcer = Announcer(nc, settings.names, db.sessions(self.engine), replicas=settings.stream_replicas)
        self.flows.ended = self.announcer.wake.set
        # tenants' storage_bytes quotas, from the bucket auth writes (easel_common.storage_quota)
        self.tenants = TenantView(nc, settings.names)
        self.storage = StorageQuota(self.tenants, StorageUsage(self.store, settings.storage_usage_ttl_s))
        self.flows.storage = self.datasets.storage = self.storage
        self.server = EndpointServer(nc, settings.names.service("registry"), "0.3.0",
                                     "model and dataset records, imports, registering trainings",
                                     verifier=callers.load_verifier(settings.caller_public_key, settings.data_dir))
        self._sweeper: asyncio.Task[None] | None = None
        self._storage: asyncio.Task[None] | None = None
        self._uploads: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await db.migrate(self.engine, MIGRATIONS, "alembic_version_registry")
        await self.flows.recover()
        await self.tenants.start()
        await self.announcer.start()
        await self.server.start(handlers.endpoints(self.flows, self.datasets, self.registrations,
                                                   PoolPreloads(self.nc, self.flows)))
        self._sweeper = asyncio.create_task(self.flows.sweep_stale())
        self._storage = asyncio.create_task(self.storage.run())  # tenants' stored bytes
        self._uploads = asyncio.create_task(self.flows.uploads.sweep())  # abandoned model uploads

    def checks(self) -> list[Check]:
        return service_checks(self.engine, self.server)

    async def stop(self) -> None:
        for task in (self._sweeper, self._storage, self._uploads):
            if task is not None:
                task.cancel()
        await self.server.stop()
        await self.flows.stop()
        await self.announcer.stop()
        await self.tenants.stop()
        await self.store.close()
        await self.engine.dispose()


def main() -> None:
    settings = RegistrySettings()
    configure_logging(settings.log_level)
    run(serve(settings, "easel-registry", lambda nc: RegistryService(settings, nc), identity="registry"))
