"""The registry service: resolves model names for the gateway."""

from __future__ import annotations

import asyncio

from nats.aio.client import Client

from easel_common.logs import configure_logging
from easel_common.metrics import serve_metrics
from easel_common.natsio import EndpointServer, close, connect
from easel_common.runner import run_until_signalled
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


async def _serve(settings: CommonSettings) -> None:
    nc = await connect(settings.nats_url, "easel-registry")
    svc = RegistryService(settings, nc)
    await svc.start()
    serve_metrics(settings.metrics_port)
    try:
        await run_until_signalled()
    finally:
        await svc.stop()
        await close(nc)


def main() -> None:
    settings = CommonSettings()
    configure_logging(settings.log_level)
    asyncio.run(_serve(settings))
