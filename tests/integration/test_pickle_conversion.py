"""Pickled checkpoints imported by upload and over HTTP: converted to safetensors in a confined process, hostile
pickles refused without running, limits enforced. Real torch in the converter, a real database and object store."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file
from test_registry_sources import base, http  # noqa: F401  (the loopback file server fixture)

from easel_proto.v1.registry import ModelSource
from easel_registry import conversion, convert, sources
from easel_registry.flows import RegistryFlows
from easel_registry.settings import RegistrySettings
from helpers import REGISTRY_OWNER, import_and_wait, registry_flows

STATE = {"model.diffusion_model.input_blocks.0.0.weight": torch.randn(4, 4, 3, 3),
         "cond_stage_model.transformer.text_model.embeddings.token_embedding.weight": torch.randn(8, 4),
         "first_stage_model.decoder.conv_in.bias": torch.randn(4).half()}


class System:
    """Unpickling this runs a shell command: the marker file appears if the converter ever executes it."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def checkpoint(tmp_path: Path, content: object, name: str = "model.ckpt") -> Path:
    path = tmp_path / name
    torch.save(content, path)
    return path


@pytest.fixture
async def flows(tmp_path: Path) -> AsyncIterator[RegistryFlows]:
    async with registry_flows(tmp_path, import_allow_hosts=["localhost"]) as f:
        yield f


async def upload(flows: RegistryFlows, path: Path, **settings) -> dict:
    upload_id = uuid.uuid4().hex
    await flows.store.put_file(sources.upload_key("t1", REGISTRY_OWNER.user_id, upload_id), path)
    return await import_and_wait(flows, ModelSource(type="upload", uri=upload_id), timeout=60)


async def stored_tensors(flows: RegistryFlows, model: dict, tmp_path: Path) -> dict[str, torch.Tensor]:
    local = tmp_path / "fetched.safetensors"
    await flows.store.get_file(model["files"][0]["key"], local)
    return load_file(local)


async def test_an_uploaded_ckpt_becomes_safetensors_with_the_same_tensors(flows, tmp_path):
    # the shape of an SD checkpoint: the weights under state_dict, training counters beside them
    path = checkpoint(tmp_path, {"state_dict": STATE, "global_step": 470000, "epoch": 6})
    model = await upload(flows, path)
    assert model["status"] == "ready", model
    assert model["format"] == "safetensors" and model["files"][0]["path"] == "model.safetensors"
    tensors = await stored_tensors(flows, model, tmp_path)
    assert tensors.keys() == STATE.keys()
    for name, tensor in STATE.items():
        assert tensors[name].dtype == tensor.dtype and torch.equal(tensors[name], tensor)
    assert model["sha256"] == model["files"][0]["sha256"]  # the digest is of the safetensors Easel serves


async def test_a_ckpt_over_http_keeps_its_name_and_its_checksum_is_the_originals(flows, http, tmp_path):  # noqa: F811
    # no state_dict: the dict itself, its nested dicts flattened with dots; a tied weight is written twice
    shared = torch.randn(3, 3)
    path = checkpoint(tmp_path, {"unet": {"w": shared, "tied": shared}, "vae.b": torch.zeros(2)}, "tiny.pt")
    original = path.read_bytes()
    http.routes["/v1-tiny.ckpt"] = (200, {}, original)
    model = await import_and_wait(flows, ModelSource(type="http", uri=base(http, "localhost") + "/v1-tiny.ckpt",
                                                     sha256=hashlib.sha256(original).hexdigest()), timeout=60)
    assert model["status"] == "ready", model
    assert model["files"][0]["path"] == "v1-tiny.safetensors" and model["format"] == "safetensors"
    tensors = await stored_tensors(flows, model, tmp_path)
    assert sorted(tensors) == ["unet.tied", "unet.w", "vae.b"]
    assert torch.equal(tensors["unet.tied"], shared) and torch.equal(tensors["unet.w"], shared)


@pytest.mark.parametrize("form", ["raw pickle", "torch zip"])
async def test_a_hostile_pickle_is_refused_and_never_runs(flows, http, tmp_path, form):  # noqa: F811
    marker = tmp_path / "pwned"
    if form == "raw pickle":
        path = tmp_path / "evil.ckpt"
        path.write_bytes(pickle.dumps({"state_dict": System(marker)}, protocol=2))
    else:
        path = checkpoint(tmp_path, {"state_dict": {"w": torch.ones(2), "x": System(marker)}}, "evil.ckpt")
    assert not marker.exists()
    http.routes["/evil.ckpt"] = (200, {}, path.read_bytes())
    by_http = await import_and_wait(flows, ModelSource(type="http", uri=base(http, "localhost") + "/evil.ckpt"),
                                    timeout=60)
    by_upload = await upload(flows, path)
    for failed in (by_http, by_upload):
        assert failed["status"] == "failed", failed
        message = failed["error"]["message"]
        assert "pickled checkpoint was refused" in message and "not plain tensors" in message, message
        assert "system" in message  # it names what it would have called
        assert await flows.store.list(f"t1/models/{failed['id']}/") == []
    assert not marker.exists()


async def test_values_that_are_not_tensors_are_refused_by_name(flows, tmp_path):
    failed = await upload(flows, checkpoint(tmp_path, {"state_dict": {"w": torch.ones(2), "name": "fox"}}))
    assert failed["status"] == "failed"
    assert failed["error"]["message"] == "source: the pickled checkpoint was refused: 'name' is a str, not a tensor"


async def test_limits_refuse_a_file_that_is_too_large_or_needs_too_much_memory(http, tmp_path):  # noqa: F811
    path = checkpoint(tmp_path, {"state_dict": STATE})
    http.routes["/big.ckpt"] = (200, {}, path.read_bytes())
    async with registry_flows(tmp_path / "small", import_allow_hosts=["localhost"],
                              import_max_bytes=path.stat().st_size - 1) as flows:
        failed = await import_and_wait(flows, ModelSource(type="http", uri=base(http, "localhost") + "/big.ckpt"))
    assert failed["status"] == "failed" and "larger than the import limit" in failed["error"]["message"]
    async with registry_flows(tmp_path / "tight", convert_memory_bytes=64 * 1024 * 1024) as flows:
        failed = await upload(flows, path)
    assert failed["status"] == "failed"
    assert "more memory than the converter may use" in failed["error"]["message"], failed


async def test_without_torch_the_import_fails_saying_so(tmp_path):
    bare = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True)
    async with registry_flows(tmp_path / "r", convert_python=str(bare / "bin" / "python")) as flows:
        failed = await upload(flows, checkpoint(tmp_path, {"state_dict": STATE}))
    assert failed["status"] == "failed"
    assert "torch is not installed for the converter" in failed["error"]["message"], failed
    assert "EASEL_CONVERT_PYTHON" in failed["error"]["message"]


async def test_with_conversion_off_pickles_are_refused_as_before(tmp_path):
    async with registry_flows(tmp_path, convert_pickles=False) as flows:
        failed = await upload(flows, checkpoint(tmp_path, {"state_dict": STATE}))
    assert failed["error"]["message"] == "source: pickled checkpoints are refused; convert to safetensors"


def test_the_web_ui_reading_of_a_checkpoint():
    def is_tensor(v):
        return isinstance(v, torch.Tensor)

    t = torch.zeros(1)
    # state_dict wins and the rest (counters, optimizer state) is not read, as in the web UI
    assert convert.flatten({"state_dict": {"a": t}, "optimizer_states": [object()]}, is_tensor) == {"a": t}
    assert convert.flatten({"a": {"b": {"c": t}}, 0: t}, is_tensor) == {"a.b.c": t, "0": t}
    for bad, reason in (([t], "a list"), ({}, "no tensors"), ({"state_dict": 3}, "not a dict")):
        with pytest.raises(convert.Refused, match=reason):
            convert.flatten(bad, is_tensor)


PROBE = """import json, os, socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=3).close()
    reached = True
except OSError:
    reached = False
print(json.dumps({"reached": reached, "uid": os.getuid(), "env": sorted(os.environ)}))
"""


async def test_the_converter_has_no_network_no_credentials_and_no_root(monkeypatch):
    """The confinement conversion.run applies, seen from inside: a server the registry reaches on loopback is out
    of reach, none of the registry's variables are there, and a root registry's converter runs as nobody."""
    monkeypatch.setenv("EASEL_S3_SECRET_ACCESS_KEY", "s3cr3t")
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    socket.create_connection(("127.0.0.1", port), timeout=3).close()  # the registry's side reaches it
    base = Path(tempfile.mkdtemp())  # under the world-traversable temp dir, as a data dir would be
    try:
        work = base / "convert"
        work.mkdir()
        probe = work / "probe.py"
        probe.write_text(PROBE)
        python = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else None  # one nobody may run
        settings = RegistrySettings(data_dir=base, convert_python=python, _env_file=None)
        code, out, err = await conversion.run(settings, work, probe, [str(port)])
    finally:
        listener.close()
        shutil.rmtree(base, ignore_errors=True)
    assert code == 0, err
    seen = json.loads(out)
    assert not [k for k in seen["env"] if k.startswith(("EASEL_", "AWS_", "HF_"))], seen["env"]
    if conversion.namespaces_work():
        assert seen["reached"] is False
    if os.geteuid() == 0 and python is not None:
        assert seen["uid"] == 65534
