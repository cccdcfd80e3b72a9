"""EASEL_STREAM_REPLICAS: on a three-server NATS cluster (what the chart deploys) Easel's streams are kept by all
three, so losing one server loses no queued job; on a single server they stay at one replica."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from pathlib import Path

import pytest

from easel_common.natsio import close, connect, ensure_streams
from easel_common.settings import CommonSettings
from easel_stack.natsd import binary
from helpers import namespace


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@pytest.fixture
def nats_cluster(tmp_path: Path):
    """Three nats-servers with JetStream, routed to each other; yields their client URLs."""
    ports = free_ports(6)
    clients, routes = ports[:3], ports[3:]
    servers = []
    for i in range(3):
        others = ",".join(f"nats://127.0.0.1:{p}" for j, p in enumerate(routes) if j != i)
        servers.append(subprocess.Popen(
            [binary(), "-a", "127.0.0.1", "-p", str(clients[i]), "-n", f"n{i}", "-js", "-sd", str(tmp_path / f"n{i}"),
             "--cluster_name", "easel", "--cluster", f"nats://127.0.0.1:{routes[i]}", "--routes", others],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        yield [f"nats://127.0.0.1:{p}" for p in clients]
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.wait(timeout=10)


def test_the_setting_is_read_and_bounded(monkeypatch):
    monkeypatch.setenv("EASEL_STREAM_REPLICAS", "3")
    assert CommonSettings().stream_replicas == 3
    monkeypatch.setenv("EASEL_STREAM_REPLICAS", "0")
    with pytest.raises(ValueError):
        CommonSettings()


@pytest.mark.slow
async def test_streams_are_replicated_on_every_server_of_a_cluster(nats_cluster):
    names = CommonSettings(namespace=namespace()).names
    nc = await connect(nats_cluster[0], "replicas-test")
    try:
        js = nc.jetstream()
        for _ in range(100):  # the cluster elects its JetStream meta leader first
            try:
                await ensure_streams(nc, names, ("jobs", "audit"), replicas=3)
                break
            except Exception:  # noqa: BLE001 - "JetStream system temporarily unavailable" until then
                await asyncio.sleep(0.2)
        for key in ("jobs", "audit"):
            info = await js.stream_info(names.stream(key)["name"])
            assert info.config.num_replicas == 3
            assert info.cluster.leader and len(info.cluster.replicas or []) == 2  # the other two servers
        await ensure_streams(nc, names, ("jobs",), replicas=3)  # idempotent on a restart
    finally:
        await close(nc)


async def test_a_single_server_keeps_one_replica(nats_url):
    names = CommonSettings(namespace=namespace()).names
    nc = await connect(nats_url, "replicas-test")
    try:
        await ensure_streams(nc, names, ("audit",))
        info = await nc.jetstream().stream_info(names.stream("audit")["name"])
        assert info.config.num_replicas == 1
        await nc.jetstream().delete_stream(names.stream("audit")["name"])
    finally:
        await close(nc)
