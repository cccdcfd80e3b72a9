"""Registry imports against real files, a real database and a real HTTP server on loopback: SSRF, pickles, headers."""

from __future__ import annotations

import json
import pickle
import struct
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import save_file

from easel_common import egress
from easel_proto.errors import InvalidInput
from easel_proto.v1.registry import ModelRequest, ModelSource
from easel_registry import safety, sources
from easel_registry.flows import RegistryFlows
from helpers import REGISTRY_OWNER, Boom, import_and_wait, registry_flows


class Files(ThreadingHTTPServer):
    """path -> (status, headers, body); a test adds routes as it needs them."""

    routes: dict[str, tuple[int, dict[str, str], bytes]]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        status, headers, body = self.server.routes.get(self.path, (404, {}, b"no"))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture(scope="module")
def http() -> Iterator[Files]:
    server = Files(("127.0.0.1", 0), _Handler)
    server.routes = {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def base(server: Files, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{server.server_address[1]}"


def safetensors_bytes(tmp_path: Path, seed: int = 0) -> bytes:
    path = tmp_path / f"w{seed}.safetensors"
    rng = np.random.default_rng(seed)
    save_file({"model.diffusion_model.w": rng.standard_normal((4, 4)).astype(np.float32)}, str(path))
    return path.read_bytes()


@pytest.fixture
async def flows(tmp_path: Path) -> AsyncIterator[RegistryFlows]:
    async with registry_flows(tmp_path, import_allow_hosts=["localhost"]) as f:
        yield f


async def imported(flows: RegistryFlows, uri: str, **source) -> dict:
    return await import_and_wait(flows, ModelSource(type="http", uri=uri, **source), timeout=10)


@pytest.mark.parametrize(("address", "bad"), [
    ("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.1", True), ("169.254.169.254", True), ("::1", True),
    ("::ffff:127.0.0.1", True), ("fd00:ec2::254", True), ("0.0.0.0", True), ("100.64.0.1", True),
    ("224.0.0.1", True), ("8.8.8.8", False), ("2606:4700:4700::1111", False),
])
def test_only_public_addresses_are_reachable(address, bad):
    assert egress.forbidden_address(address) is bad


async def test_loopback_is_refused_unless_the_host_is_allow_listed(flows, http, tmp_path):
    http.routes["/ok.safetensors"] = (200, {}, safetensors_bytes(tmp_path))
    refused = await imported(flows, base(http) + "/ok.safetensors")
    assert refused["status"] == "failed" and "private or reserved" in refused["error"]["message"]
    ok = await imported(flows, base(http, "localhost") + "/ok.safetensors")
    assert ok["status"] == "ready", ok
    assert ok["format"] == "safetensors" and ok["files"][0]["path"] == "ok.safetensors"
    assert ok["title"] == f"{ok['name']} [{ok['sha256'][:8]}]" and ok["bytes_done"] == ok["size"]


async def test_a_redirect_to_loopback_is_refused(flows, http, tmp_path):
    http.routes["/model.safetensors"] = (200, {}, safetensors_bytes(tmp_path))
    http.routes["/hop"] = (302, {"Location": base(http) + "/model.safetensors"}, b"")
    failed = await imported(flows, base(http, "localhost") + "/hop")
    assert failed["status"] == "failed" and "private or reserved" in failed["error"]["message"]
    http.routes["/loop"] = (302, {"Location": "/loop"}, b"")
    looped = await imported(flows, base(http, "localhost") + "/loop")
    assert looped["status"] == "failed" and "redirects" in looped["error"]["message"]


async def test_a_pickle_is_refused_and_never_runs(flows, http, tmp_path):
    marker = tmp_path / "pwned"
    payload = pickle.dumps(Boom(marker), protocol=4)
    with pytest.raises(InvalidInput, match="pickled checkpoints are refused"):
        sources.validate(ModelSource(type="http", uri=base(http, "localhost") + "/evil.pkl"), flows.settings)
    http.routes["/evil.safetensors"] = (200, {}, payload)
    failed = await imported(flows, base(http, "localhost") + "/evil.safetensors")
    assert failed["status"] == "failed"
    assert failed["error"]["message"] == "source: pickled checkpoints are refused; convert to safetensors"
    assert not marker.exists()
    assert await flows.store.list(f"t1/models/{failed['id']}/") == []


async def test_a_checksum_mismatch_fails_and_leaves_nothing(flows, http, tmp_path):
    http.routes["/c.safetensors"] = (200, {}, safetensors_bytes(tmp_path, 3))
    failed = await imported(flows, base(http, "localhost") + "/c.safetensors", sha256="0" * 64)
    assert failed["status"] == "failed" and "checksum mismatch" in failed["error"]["message"]
    assert await flows.store.list(f"t1/models/{failed['id']}/") == []


async def test_the_same_content_is_stored_once(flows, http, tmp_path):
    http.routes["/d.safetensors"] = (200, {}, safetensors_bytes(tmp_path, 4))
    first = await imported(flows, base(http, "localhost") + "/d.safetensors")
    second = await imported(flows, base(http, "localhost") + "/d.safetensors")
    assert first["sha256"] == second["sha256"] and first["files"] == second["files"]
    assert await flows.store.list(f"t1/models/{second['id']}/") == []
    # deleting the first keeps the files the second still uses
    await flows.models(ModelRequest(principal=REGISTRY_OWNER, model_id=first["id"], delete=True))
    assert await flows.store.exists(second["files"][0]["key"])


def test_safetensors_headers_are_checked(tmp_path):
    good = tmp_path / "good.safetensors"
    good.write_bytes(safetensors_bytes(tmp_path))
    assert "model.diffusion_model.w" in safety.safetensors_header(good)
    cases = {
        "short": b"\x01\x02",
        "huge": struct.pack("<Q", 1 << 40) + b"{}",
        "not json": struct.pack("<Q", 4) + b"abcd",
        "outside": struct.pack("<Q", 60) + json.dumps(
            {"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}).encode().ljust(60),
        "zip": b"PK\x03\x04rest-of-a-torch-file",
    }
    for name, content in cases.items():
        path = tmp_path / f"{name}.safetensors"
        path.write_bytes(content)
        with pytest.raises(InvalidInput):
            safety.safetensors_header(path)


@pytest.mark.parametrize("path", ["../x.safetensors", "/etc/passwd", "a\\b.json", "a/../../b", "a//b", "a/./b"])
def test_traversal_in_paths_is_refused(path):
    with pytest.raises(InvalidInput, match="unsafe file path"):
        safety.check_path(path)


def test_a_folder_keeps_safetensors_and_configs_and_refuses_only_pickles():
    kept = sources.keep_in_folder(["model_index.json", "unet/config.json", "unet/w.safetensors", "unet/w.bin",
                                   "README.md", "tokenizer/vocab.txt"])
    assert kept == ["model_index.json", "unet/config.json", "unet/w.safetensors", "tokenizer/vocab.txt"]
    with pytest.raises(InvalidInput, match="pickled checkpoints are refused"):
        sources.keep_in_folder(["unet/w.safetensors", "vae/diffusion_pytorch_model.bin"])


async def test_an_import_interrupted_by_a_restart_becomes_failed_not_lost(flows):
    from datetime import timedelta

    from easel_registry import service
    from easel_registry.models import Model

    old = service.now() - timedelta(seconds=flows.settings.import_stale_s * 2)
    row = Model(id="m-interrupted", tenant_id="t1", owner_id=REGISTRY_OWNER.user_id, name="half", kind="checkpoint",
                base="sd15", source="https://example.com/x", files=[], visibility="private", shared_roles=[],
                status="importing", bytes_done=10, meta={}, created_at=old, updated_at=old)
    async with flows.sessions() as session:
        await service.create(session, model=row)
    await flows.recover()
    [info] = (await flows.models(ModelRequest(principal=REGISTRY_OWNER, model_id="m-interrupted"))).items
    assert info.status == "failed" and info.error.message == "interrupted; import again"
