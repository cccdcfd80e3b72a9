"""NATS identities from `easel nats-config` into the chart: the authorization the NATS chart is handed is exactly
the permission table's, a nats-server runs with it, and each pod's mounted seed signs in as its own identity."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
from pathlib import Path

import pytest
import yaml

from chart_helpers import CI_VALUES
from easel_common import nats_access
from easel_common.natsio import Identity, close, connect
from easel_proto import Names
from easel_stack.natsd import binary

TWO_POOLS = next(p for p in CI_VALUES if p.stem == "two-pools-values")
POOLS = ["sd15", "sdxl"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def deployment(render, identities):
    """The two-pool chart for namespace `acme`: its objects, and the files nats-config wrote."""
    made = identities(POOLS, "acme")
    objects = render(TWO_POOLS, {"natsNamespace": "acme"}, pools=POOLS, nats_namespace="acme")
    return objects, made


def nats_chart_values(objects: list[dict]) -> dict:
    stub = next(o for o in objects if o["metadata"]["name"] == "nats-stub-values")
    return json.loads(stub["data"]["values.json"])


def test_nats_is_handed_the_permission_table_and_no_secret(deployment):
    objects, made = deployment
    users = nats_chart_values(objects)["config"]["merge"]["authorization"]["users"]
    secret = yaml.safe_load((made / "nats-identities.secret.yaml").read_text())
    seeds = secret["stringData"]
    assert sorted(seeds) == sorted(["gateway.nk", "auth.nk", "registry.nk", "jobs.nk", "trainer.nk", "worker-sd15.nk",
                                    "worker-sdxl.nk"])
    by_key = {u["nkey"]: u["permissions"] for u in users}
    for key, seed in seeds.items():
        identity = key.removesuffix(".nk")
        expected = nats_access.permissions(Names("acme"), identity, POOLS).server_block()
        assert by_key[nats_access.public_key(seed)] == json.loads(json.dumps(expected)), identity
    values_text = (made / "nats-values.yaml").read_text()
    assert not any(seed in values_text for seed in seeds.values())
    assert oct((made / "nats-identities.secret.yaml").stat().st_mode & 0o777) == "0o600"


def test_each_deployment_mounts_the_seed_of_its_identity(deployment):
    objects, made = deployment
    secret = yaml.safe_load((made / "nats-identities.secret.yaml").read_text())
    for d in (o for o in objects if o["kind"] == "Deployment"):
        pod = d["spec"]["template"]["spec"]
        (volume,) = [v for v in pod["volumes"] if v.get("secret", {}).get("secretName") == secret["metadata"]["name"]]
        (item,) = volume["secret"]["items"]
        assert item["key"] in secret["stringData"], d["metadata"]["name"]
        component = d["metadata"]["labels"]["app.kubernetes.io/component"]
        if component == "gpu-worker":
            assert item["key"] == f"worker-{d['metadata']['labels']['easel.dev/pool']}.nk"
        else:
            assert item["key"] == f"{component}.nk"


def test_a_nats_server_runs_with_it_and_admits_each_pod_as_itself(deployment, tmp_path):
    objects, made = deployment
    nats = nats_chart_values(objects)["config"]
    port, monitor = free_port(), free_port()
    # what the NATS chart writes (listen port, monitoring, JetStream) with Easel's merge on top
    config = {"port": port, "http_port": monitor, "jetstream": {"store_dir": str(tmp_path / "js")}, **nats["merge"]}
    (tmp_path / "nats.conf").write_text(json.dumps(config))
    checked = subprocess.run([binary(), "-c", str(tmp_path / "nats.conf"), "-t"], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    server = subprocess.Popen([binary(), "-c", str(tmp_path / "nats.conf")], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        asyncio.run(_sign_in_as_each(f"nats://127.0.0.1:{port}", made, tmp_path))
    finally:
        server.terminate()
        server.wait(timeout=10)


async def _sign_in_as_each(url: str, made: Path, tmp_path: Path) -> None:
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1])), timeout=0.2).close()
            break
        except OSError:
            await asyncio.sleep(0.05)
    seeds = yaml.safe_load((made / "nats-identities.secret.yaml").read_text())["stringData"]
    for key, seed in seeds.items():
        path = tmp_path / key  # as the pod sees it: the Secret's key mounted as a file
        path.write_text(seed)
        nc = await connect(url, f"test-{key}", Identity(key.removesuffix(".nk"), path))
        assert nc.is_connected
        await close(nc)
    stranger = tmp_path / "stranger.nk"
    stranger.write_text(nats_access.new_seed())
    with pytest.raises(Exception):  # noqa: B017 - nats-py raises its own errors for a refused sign-in
        await asyncio.wait_for(_connect_once(url, stranger), timeout=10)


async def _connect_once(url: str, seed: Path) -> None:
    import nats

    nc = await nats.connect(url, nkeys_seed=str(seed), allow_reconnect=False, max_reconnect_attempts=0,
                            connect_timeout=2)
    await nc.close()
