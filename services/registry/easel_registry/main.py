"""The registry service: resolves model names for the gateway."""

from __future__ import annotations

import asyncio

from nats.aio.client import Client

from easel_common.logs import configure_logging
from easel_common.natsio import EndpointServer
from easel_common.runner import serve
from easel_common.settings import CommonSettings
from easel_registry import handlers


class RegistryService:
    def __init__(self, settings: CommonSettings, nc: Client) -> None:
        self.settings = settings
        self.server = EndpointServer(nc, settings.names.service("registry"), "0.1.0", "model lookups")

    async def start(self) -> None:
        await self.server.start(handlers.endpoints(self.settings.names))

    async def stop(self) -> None:
        await self.server.stop()


def main() -> None:
    settings = CommonSettings()
    configure_logging(settings.log_level)
    asyncio.run(serve(settings, "easel-registry", lambda nc: RegistryService(settings, nc)))
