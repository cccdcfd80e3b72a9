"""Every Easel service in this process, a nats-server and worker processes beside it.

Pools change at run time (`/v1/pools`): the stack hears the jobs service's `pools_changed` broadcast, has its
nats-server admit the workers of every pool that exists (the authorization include rewritten, then a reload that keeps
every connection), and runs each API pool's workers by its queue (easel_stack.autoscale).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from easel_auth.flows import admin_key_path
from easel_auth.main import AuthService
from easel_auth.settings import AuthSettings
from easel_common import nats_access
from easel_common.environment import system_env
from easel_common.natsio import Identity, close, connect, request
from easel_gateway.main import create_app
from easel_gateway.settings import GatewaySettings
from easel_jobs.main import JobsService
from easel_jobs.settings import JobsSettings
from easel_proto.errors import EaselError
from easel_proto.v1.pools import PoolsChanged, PoolsQuery
from easel_proto.wire import decode
from easel_registry.main import RegistryService
from easel_registry.settings import RegistrySettings
from easel_stack.autoscale import Autoscaler
from easel_stack.natsd import NatsServer, free_port
from easel_stack.supervise import Child, Supervisor
from easel_worker.settings import WorkerSettings

log = logging.getLogger(__name__)
NOT_FOR_WORKERS = {"EASEL_DATABASE_URL", "EASEL_CALLER_PUBLIC_KEY", "EASEL_NATS_SEED_FILE"}
AUTHORIZATION = "authorization.conf"  # beside nats-server.conf, which includes it


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # the stack owns SIGINT/SIGTERM and shuts uvicorn down itself
        yield


@dataclass
class StackOptions:
    data_dir: Path = Path(".easel")
    port: int = 7860
    host: str = "127.0.0.1"
    namespace: str = "easel"
    nats_url: str | None = None  # None: start a nats-server in data_dir
    database_url: str | None = None  # None: SQLite in data_dir
    workers: int = 1  # fixed workers of the configured pools (EASEL_POOL of worker_env, else "default")
    worker_env: dict[str, str] = field(default_factory=dict)
    worker_log: Path | None = None  # None: the worker logs to this terminal
    pools: list[str] | None = None  # None: EASEL_POOLS (default: one pool, "default")
    settings: dict = field(default_factory=dict)  # more settings for the in-process services (ack_wait_s=...)


class WorkerProcess:
    """A `python -m easel_worker` child."""

    def __init__(self, env: dict[str, str], log: Path | None) -> None:
        self.env, self.log = env, log
        self.child: Child | None = None  # its supervision
        self.proc = self._spawn()

    @property
    def pool(self) -> str:
        return self.env.get("EASEL_POOL", "default")

    def _spawn(self) -> subprocess.Popen[bytes]:
        out = open(self.log, "ab") if self.log else None
        return subprocess.Popen([sys.executable, "-m", "easel_worker"], env=self.env, stdout=out,
                                stderr=subprocess.STDOUT if out else None)

    async def restart(self) -> None:
        """The same worker again (same settings and metrics port; a new id): it crashed or was killed."""
        self.proc = self._spawn()

    @property
    def health_url(self) -> str:
        return f"http://127.0.0.1:{self.env['EASEL_METRICS_PORT']}"

    async def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM (the worker finishes or releases its job), then SIGKILL if it hangs."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                await asyncio.to_thread(self.proc.wait, timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                await asyncio.to_thread(self.proc.wait)
        return self.proc.returncode

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait()


class EmbeddedStack:
    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.data_dir = options.data_dir.resolve()
        self.natsd: NatsServer | None = None
        self.nc: Client | None = None  # the stack's own helper connection (identity "stack")
        self.connections: list[Client] = []
        self.credentials = nats_access.Credentials(self.data_dir / "nats" / "credentials")
        self.services: list = []
        self.workers: list[WorkerProcess] = []
        self._server: _Server | None = None
        self._serve_task: asyncio.Task[None] | None = None
        self.gateway_url = ""
        self.admin_key: str | None = None
        self.supervisor = Supervisor()
        self.autoscaler = Autoscaler(self)
        self.admitted: set[str] = set()  # the pools whose workers nats-server admits now
        self._configured: set[str] = set()  # those of the authorization last written
        self._admitting = asyncio.Lock()

    def _common(self) -> dict:
        opts = self.options
        values = {"data_dir": self.data_dir, "namespace": opts.namespace, "nats_url": self.nats_url,
                  **opts.settings}
        if opts.database_url:
            values["database_url"] = opts.database_url
        if opts.pools is not None:
            values["pools"] = opts.pools
        return values

    def _trainer(self) -> dict:
        """The jobs service's trainings run as local processes, each signing in as the `trainer` identity."""
        seed = self.identity("trainer").seed_file
        return {"trainer_launcher": "local", **({"trainer_nats_seed_file": seed} if seed else {})}

    @property
    def config_pools(self) -> list[str]:
        """The pools of the settings (EASEL_POOLS, or the options'): the stack's fixed workers serve these."""
        return JobsSettings(**self._common()).pools

    @property
    def pools(self) -> list[str]:
        """Every pool whose workers NATS admits: the configured ones, those created through the API, and any whose
        workers are still stopping."""
        names = self.config_pools
        for name in [*self.autoscaler.pools, *self.autoscaler.pools_with_workers()]:
            if name not in names:
                names.append(name)
        return names

    @property
    def nats_url(self) -> str:
        return self.options.nats_url or (self.natsd.url if self.natsd else "")

    @property
    def secured(self) -> bool:
        """Whether the stack runs its own nats-server, with an identity and permissions for each process."""
        return self.natsd is not None

    def identity(self, name: str) -> Identity:
        """How a process of this stack signs in to NATS as `name` (anonymously on a NATS it did not start)."""
        return Identity(name, self.credentials.ensure(name) if self.secured else None)

    async def connect_as(self, name: str) -> Client:
        """A new NATS connection as one of the stack's identities (tests use it to act as a worker or service)."""
        nc = await connect(self.nats_url, f"easel-{name}", self.identity(name))
        self.connections.append(nc)
        return nc

    def _server_config(self, port: int, monitor_port: int, folder: Path) -> str:
        names, pools = JobsSettings(**self._common()).names, self.pools
        nats_access.write_private(folder / AUTHORIZATION, nats_access.authorization_include(names, self.credentials,
                                                                                              pools))
        self._configured = set(pools)
        return nats_access.server_config(names, self.credentials, pools, port=port, monitor_port=monitor_port,
                                         store_dir=folder, include=AUTHORIZATION)

    async def admit(self) -> None:
        """Have nats-server admit the workers of exactly the pools of `pools` (a reload when they changed): a new
        pool's seed is made, every worker's deny list names its consumer, a gone pool's identity is removed."""
        async with self._admitting:
            if self.natsd is not None and set(self.pools) != self.admitted:
                await self.natsd.reload()
                self.admitted = self._configured
                log.info("NATS admits the workers of pools %s", sorted(self.admitted))

    async def queue_depth(self, pool: str) -> int:
        """Jobs waiting in the pool's consumer (its `num_pending`, as KEDA reads it); 0 before it exists."""
        assert self.nc is not None
        names = JobsSettings(**self._common()).names
        try:
            info = await self.nc.jetstream().consumer_info(names.stream("jobs")["name"], names.worker_consumer(pool),
                                                           timeout=2)
        except NotFoundError:
            return 0
        return int(info.num_pending or 0)

    async def _ask_pools(self) -> None:
        """The current pool list, in case the jobs service's first broadcast was missed."""
        names = JobsSettings(**self._common()).names
        try:
            current = await request(self.nc, names.pools_current, PoolsQuery(), PoolsChanged, timeout=5)
        except EaselError as exc:  # the broadcast comes within a minute anyway
            log.warning("could not read the pool list: %s", exc)
            return
        self.autoscaler.follow(current.pools)

    async def _on_pools_changed(self, msg: Msg) -> None:
        try:
            changed = decode(PoolsChanged, msg.data)
        except ValidationError:
            log.warning("ignored a malformed pools_changed message")
            return
        self.autoscaler.follow(changed.pools)

    def worker_env(self, pool: str | None = None) -> dict[str, str]:
        """A worker's environment: the settings it reads and the system's, nothing else (easel_common.environment)."""
        wanted = {f"EASEL_{name.upper()}" for name in WorkerSettings.model_fields} - NOT_FOR_WORKERS
        env = system_env(wanted)
        env.update({"EASEL_NATS_URL": self.nats_url, "EASEL_DATA_DIR": str(self.data_dir),
                    "EASEL_NAMESPACE": self.options.namespace, "EASEL_POOLS": json.dumps(self.pools)})
        env.update(self.options.worker_env)
        pool = pool or env.get("EASEL_POOL", "default")
        identity = self.identity(nats_access.worker_identity(pool))
        if identity.seed_file is not None:
            env["EASEL_NATS_SEED_FILE"] = str(identity.seed_file)
        return env

    async def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.options.nats_url is None:
            self.natsd = NatsServer(self.data_dir / "nats", configure=self._server_config)
            await self.natsd.start()
            self.admitted = self._configured
        self.nc = await self.connect_as("stack")
        # before the jobs service starts, so its first broadcast is heard
        await self.nc.subscribe(JobsSettings(**self._common()).names.pools_changed, cb=self._on_pools_changed)
        auth = AuthService(AuthSettings(**self._common()), await self.connect_as("auth"))  # makes the caller key
        registry = RegistryService(RegistrySettings(**self._common()), await self.connect_as("registry"))
        jobs = JobsService(JobsSettings(**{**self._trainer(), **self._common()}), await self.connect_as("jobs"))
        for svc in (auth, registry, jobs):
            await svc.start()
            self.services.append(svc)
        self.admin_key = auth.generated_admin_key or self._configured_admin_key(auth.settings)
        await self._start_gateway()
        for _ in range(self.options.workers):
            self.start_worker()
        if self.natsd is not None:
            natsd = self.natsd
            self.supervisor.watch("nats-server", lambda: natsd.proc.poll() if natsd.proc else None, natsd.start)
        self.supervisor.start()
        await self.wait_ready()
        await self._ask_pools()
        self.autoscaler.start()

    @staticmethod
    def _configured_admin_key(settings: AuthSettings) -> str | None:
        if settings.admin_key:
            return settings.admin_key.get_secret_value()
        path = admin_key_path(settings)
        return path.read_text().strip() if path.exists() else None

    async def _start_gateway(self) -> None:
        settings = GatewaySettings(**self._common(), host=self.options.host, port=self.options.port)
        config = uvicorn.Config(create_app(settings, nc=await self.connect_as("gateway")), host=settings.host,
                                port=settings.port,
                                log_config=None, access_log=False, lifespan="on")
        self._server = _Server(config)
        self._serve_task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._serve_task.done():
                self._serve_task.result()
                raise RuntimeError("the gateway stopped during start-up")
            await asyncio.sleep(0.02)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.gateway_url = f"http://{settings.host}:{port}"

    def start_worker(self, **env: str) -> WorkerProcess:
        log = self.options.worker_log
        # each worker process exposes its own /metrics; pick a port no other worker holds
        env = {"EASEL_METRICS_PORT": str(free_port()), **env}
        worker = WorkerProcess({**self.worker_env(env.get("EASEL_POOL")), **env}, log)
        self.workers.append(worker)
        # kept alive while it is one of the stack's workers (a test that takes one out of the list owns it)
        worker.child = self.supervisor.watch(f"worker {worker.proc.pid}",
                                             lambda: worker.proc.poll() if worker in self.workers else None,
                                             worker.restart)
        return worker

    def retire_worker(self, worker: WorkerProcess) -> None:
        """No longer one of the stack's workers: the caller stops it, and its exit starts nothing again."""
        if worker in self.workers:
            self.workers.remove(worker)
        if worker.child is not None:
            self.supervisor.forget(worker.child)

    async def wait_ready(self, timeout: float = 120.0) -> None:
        """Until the gateway and every worker say they are ready (a worker: it takes jobs, busy or not, so a stack
        restarted with a backlog is ready as soon as its processes are)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient(base_url=self.gateway_url, timeout=5) as http:
            while loop.time() < deadline:
                for w in self.workers:
                    if w.proc.poll() is not None:
                        raise RuntimeError(f"a worker exited with {w.proc.returncode} during start-up")
                urls = ["/readyz", *(f"{w.health_url}/readyz" for w in self.workers)]
                if all([await _answers(http, url) for url in urls]):
                    return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"the stack was not ready within {timeout}s")

    async def stop(self) -> None:
        await self.autoscaler.stop()
        await self.supervisor.stop()
        await asyncio.gather(*(w.stop() for w in self.workers), return_exceptions=True)
        if self._server is not None:
            self._server.should_exit = True
            await self._serve_task
        for svc in reversed(self.services):
            await svc.stop()
        for nc in self.connections:
            await close(nc)
        if self.natsd is not None:
            await self.natsd.stop()


async def _answers(http: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await http.get(url)).status_code == 200
    except httpx.TransportError:
        return False
