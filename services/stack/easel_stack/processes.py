"""The cluster's shape on one machine: every service in its own process, as its own NATS identity.

The embedded stack runs auth, registry, jobs and the gateway in one process; a cluster runs each entry point
(`easel-auth`, `easel-registry`, `easel-jobs`, `easel-gateway`, `easel-worker`) as its own process, possibly several
replicas, with only its own settings: its NATS seed, auth's caller key for auth only and the public key for the
others, the database address for the services that own tables. `ProcessCluster` starts exactly that on loopback, for
the load benchmark (`bench/load.py`) and for tests of replicas and of processes that know nothing of each other.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from easel_common import callers, nats_access
from easel_proto import Names
from easel_stack.natsd import NatsServer, free_port

COMMANDS = {"auth": "easel_auth", "registry": "easel_registry", "jobs": "easel_jobs", "gateway": "easel_gateway",
            "worker": "easel_worker"}
PASSED_ON = ("PATH", "HOME", "LANG", "TMPDIR", "VIRTUAL_ENV", "PYTHONPATH", "HF_HUB_OFFLINE")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used (Linux /proc); OSError once it is gone."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Process:
    """One service process and where it answers (`/readyz`: the gateway's HTTP port, else the metrics port)."""

    kind: str
    proc: subprocess.Popen[bytes]
    health_url: str
    url: str = ""

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid)


@dataclass
class ProcessCluster:
    folder: Path
    database_url: str
    namespace: str = "easel"
    pools: list[str] = field(default_factory=lambda: ["default"])
    admin_key: str = ""
    env: dict[str, str] = field(default_factory=dict)  # settings every process gets (limits, engine=null ...)
    natsd: NatsServer | None = None
    processes: list[Process] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.names = Names(self.namespace)
        self.credentials = nats_access.Credentials(self.folder / "credentials")
        self.caller_key = callers.new_private_key()

    async def start_nats(self) -> None:
        self.natsd = NatsServer(self.folder / "nats", configure=lambda port, monitor, store: nats_access.server_config(
            self.names, self.credentials, self.pools, port=port, monitor_port=monitor, store_dir=store))
        await self.natsd.start()

    def _env(self, identity: str, **settings: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k in PASSED_ON}
        env.update({"EASEL_NATS_URL": self.natsd.url, "EASEL_NAMESPACE": self.namespace, "EASEL_LOG_LEVEL": "WARNING",
                    "EASEL_POOLS": json.dumps(self.pools), "EASEL_DATA_DIR": str(self.folder / identity),
                    "EASEL_STORE_DIR": str(self.folder / "objects"),
                    "EASEL_NATS_SEED_FILE": str(self.credentials.ensure(identity)), **self.env, **settings})
        return env

    def spawn(self, kind: str, identity: str | None = None, **settings: str) -> Process:
        """Start one process of `kind` (a service, or a worker with EASEL_POOL in settings)."""
        identity = identity or (nats_access.worker_identity(settings.get("EASEL_POOL", "default"))
                                if kind == "worker" else kind)
        port = free_port()
        extra: dict[str, str] = {"EASEL_METRICS_PORT": str(port)}
        if kind in ("auth", "registry", "jobs"):
            extra["EASEL_DATABASE_URL"] = self.database_url
        if kind == "jobs":  # its trainings (local processes) sign in as the trainer identity
            extra["EASEL_TRAINER_NATS_SEED_FILE"] = str(self.credentials.ensure("trainer"))
        if kind == "auth":
            extra.update(EASEL_CALLER_KEY=self.caller_key, EASEL_ADMIN_KEY=self.admin_key)
        elif kind != "worker":
            extra["EASEL_CALLER_PUBLIC_KEY"] = callers.public_key_text(callers.private_key(self.caller_key))
        url = ""
        if kind == "gateway":
            http = free_port()
            extra.update(EASEL_PORT=str(http), EASEL_METRICS_PORT="0")
            url = health = f"http://127.0.0.1:{http}"
        else:
            health = f"http://127.0.0.1:{port}"
        log = open(self.folder / f"{kind}-{len(self.processes)}.log", "ab")
        proc = subprocess.Popen([sys.executable, "-m", COMMANDS[kind]], env=self._env(identity, **extra, **settings),
                                stdout=log, stderr=subprocess.STDOUT)
        process = Process(kind, proc, health, url)
        self.processes.append(process)
        return process

    def of(self, kind: str) -> list[Process]:
        return [p for p in self.processes if p.kind == kind]

    async def wait_ready(self, timeout: float = 120.0) -> None:
        """Until every process answers /readyz with 200."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient(timeout=5) as http:
            while loop.time() < deadline:
                states = []
                for p in self.processes:
                    if p.proc.poll() is not None:
                        raise RuntimeError(f"{p.kind} exited with {p.proc.returncode}; see {self.folder}")
                    try:
                        states.append((await http.get(f"{p.health_url}/readyz")).status_code == 200)
                    except httpx.TransportError:
                        states.append(False)
                if all(states):
                    return
                await asyncio.sleep(0.2)
        raise RuntimeError(f"the processes were not ready within {timeout}s; see {self.folder}")

    async def stop(self) -> None:
        for p in reversed(self.processes):  # workers first, then the gateways, auth last
            if p.proc.poll() is None:
                p.proc.send_signal(signal.SIGTERM)
        for p in self.processes:
            try:
                await asyncio.to_thread(p.proc.wait, 30)
            except subprocess.TimeoutExpired:
                p.proc.kill()
        if self.natsd is not None:
            await self.natsd.stop()
