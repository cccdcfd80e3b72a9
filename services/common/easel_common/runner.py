"""Run a service process until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from typing import Protocol

from nats.aio.client import Client

from easel_common.metrics import serve_metrics
from easel_common.natsio import close, connect
from easel_common.settings import CommonSettings


class Service(Protocol):
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


async def run_until_signalled() -> None:
    """Wait for SIGINT/SIGTERM; the caller then shuts down gracefully."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def serve(settings: CommonSettings, name: str, build: Callable[[Client], Service], *, identity: str) -> None:
    """Connect to NATS as `identity`, start the service `build` makes, expose metrics, stop cleanly on a signal."""
    nc = await connect(settings.nats_url, name, settings.nats_identity(identity))
    service = build(nc)
    await service.start()
    serve_metrics(settings.metrics_port)
    try:
        await run_until_signalled()
    finally:
        await service.stop()
        await close(nc)
