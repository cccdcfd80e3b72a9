"""Run a service process until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import gc
import signal
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from nats.aio.client import Client
from sqlalchemy.ext.asyncio import AsyncEngine

from easel_common import db
from easel_common.health import LOST_FOR_S, Check, Health
from easel_common.health import serve as serve_http
from easel_common.natsio import EndpointServer, close, connect
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


def run(main: Coroutine[Any, Any, Any]) -> Any:
    """Run a process's main coroutine on uvloop where it is installed, else on asyncio's own loop. A service spends
    most of its CPU per job on NATS and PostgreSQL messages (bench/load.py), and uvloop's socket and callback
    handling costs a fraction of asyncio's."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


def freeze_startup_heap() -> None:
    """Move what start-up built (modules, schemas, routes, connections) out of the garbage collector's sight, once a
    process is up. A full collection otherwise walks that whole heap each time (50-190 ms on a 2-core VM, every
    request in flight stalled meanwhile; a null-engine worker under load ran one about every 30 s); after this it
    walks only what came since. Garbage with reference cycles among the frozen is never collected: a worker's engine
    unfreezes before it frees a dropped model (easel_worker.engine.memory.release). Only in a process's entry point:
    a test process that froze would never free its garbage."""
    gc.collect()
    gc.freeze()


def nats_checks(nc: Client) -> list[Check]:
    """Connected (ready), and not closed for good (alive: reconnecting forever is the client's job, a closed
    connection never comes back)."""
    return [Check("nats", lambda: nc.is_connected, lost_after_s=LOST_FOR_S),
            Check("nats_open", lambda: not nc.is_closed, liveness=True)]


def service_checks(engine: AsyncEngine, server: EndpointServer) -> list[Check]:
    """What /readyz of a database-backed service waits for besides NATS: the database answers (lost for a while,
    liveness fails too), the endpoints are served."""
    return [Check("database", lambda: db.reachable(engine), lost_after_s=LOST_FOR_S),
            Check("serving", lambda: server.serving)]


async def serve(settings: CommonSettings, name: str, build: Callable[[Client], Service], *, identity: str) -> None:
    """Connect to NATS as `identity`, start the service `build` makes, serve its metrics and health (`/healthz`,
    `/readyz`: its own checks and NATS), stop cleanly on a signal."""
    nc = await connect(settings.nats_url, name, settings.nats_identity(identity))
    service = build(nc)
    health = Health([*nats_checks(nc), *getattr(service, "checks", list)()])
    # up while starting: probes see "not ready" meanwhile
    server = serve_http(settings.metrics_port, health, getattr(service, "routes", dict)())
    health.start()
    try:
        await service.start()
        freeze_startup_heap()
        await run_until_signalled()
    finally:
        await service.stop()
        await health.stop()
        if server is not None:
            server.shutdown()
        await close(nc)
