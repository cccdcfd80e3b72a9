"""Run a service until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import signal


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
