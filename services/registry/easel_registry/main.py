"""The registry service: model records, imports into the object store, and lookups for the gateway."""

from __future__ import annotations

import asyncio
from pathlib import Path

from nats.aio.client import Client

from easel_common import callers, db
from easel_common.health import Check
from easel_common.logs import configure_logging
from easel_common.natsio import EndpointServer
from easel_common.runner import serve, service_checks
from easel_common.settings import CommonSettings
from easel_common.storage import open_store
from easel_registry import handlers
from easel_registry.datasets import DatasetFlows
from easel_registry.flows import RegistryFlows
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
        self.server = EndpointServer(nc, settings.names.service("registry"), "0.3.0",
                                     "model and dataset records, imports, registering trainings",
                                     verifier=callers.load_verifier(settings.caller_public_key, settings.data_dir))
        self._sweeper: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await db.migrate(self.engine, MIGRATIONS, "alembic_version_registry")
        await self.flows.recover()
        await self.server.start(handlers.endpoints(self.flows, self.datasets, self.registrations))
        self._sweeper = asyncio.create_task(self.flows.sweep_stale())

    def checks(self) -> list[Check]:
        return service_checks(self.engine, self.server)

    async def stop(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
        await self.server.stop()
        await self.flows.stop()
        await self.store.close()
        await self.engine.dispose()


def main() -> None:
    settings = RegistrySettings()
    configure_logging(settings.log_level)
    asyncio.run(serve(settings, "easel-registry", lambda nc: RegistryService(settings, nc), identity="registry"))
