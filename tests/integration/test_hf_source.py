"""Hugging Face imports against a fake Hub on loopback, spoken to by the real huggingface_hub client.

The fake Hub answers the calls an import makes: model info at a revision (GET /api/models/{repo}/revision/{rev}),
the recursive file listing (GET /api/models/{repo}/tree/{commit}) and file downloads (HEAD and GET
/{repo}/resolve/{commit}/{path}, with the X-Repo-Commit, ETag and Content-Length headers the client requires).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np
import pytest
from safetensors.numpy import save_file

from easel_proto.errors import InvalidInput
from easel_proto.v1.registry import ModelSource
from easel_registry import sources
from easel_registry.flows import RegistryFlows
from easel_registry.safety import PICKLE_REFUSED
from easel_registry.settings import RegistrySettings
from helpers import Boom, import_and_wait, registry_flows

TOKEN = "hf_secret_token_123"
API = re.compile(r"^/api/models/(?P<repo>[^/]+/[^/]+)(?:/(?P<kind>revision|tree)/(?P<rev>[^/]+))?$")
RESOLVE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/resolve/(?P<rev>[^/]+)/(?P<path>.+)$")


@dataclass
class Repo:
    refs: dict[str, str]  # branch or tag -> commit
    commits: dict[str, dict[str, bytes]]  # commit (40 hex) -> path -> content
    token: str | None = None  # a private repo answers only to this token


class FakeHub(ThreadingHTTPServer):
    repos: dict[str, Repo]
    seen: list[tuple[str, str, str | None]]  # method, path, Authorization header

    def resolved(self, repo_id: str) -> list[str]:
        """The file paths the client downloaded (GET) from a repo."""
        return [p.split("/resolve/", 1)[1].split("/", 1)[1] for m, p, _ in self.seen
                if m == "GET" and p.startswith(f"/{repo_id}/resolve/")]


def commit_id(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()


def blob_id(content: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(content) + content).hexdigest()


class _Handler(BaseHTTPRequestHandler):
    server: FakeHub

    def do_GET(self) -> None:  # noqa: N802
        self._answer(with_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(with_body=False)

    def _answer(self, with_body: bool) -> None:
        path = urlsplit(self.path).path
        self.server.seen.append((self.command, path, self.headers.get("Authorization")))
        if api := API.match(path):
            found = self._commit(api["repo"], unquote(api["rev"] or "main"))
            if found is None:
                return
            sha, files = found
            if api["kind"] == "tree":
                listing = [{"type": "file", "path": p, "size": len(c), "oid": blob_id(c), **_lfs(p, c, "oid")}
                           for p, c in sorted(files.items())]
                return self._send(200, {}, json.dumps(listing).encode(), with_body)
            siblings = [{"rfilename": p, "size": len(c), "blobId": blob_id(c), **_lfs(p, c, "sha256")}
                        for p, c in sorted(files.items())]
            info = {"id": api["repo"], "modelId": api["repo"], "sha": sha, "private": False, "siblings": siblings}
            return self._send(200, {}, json.dumps(info).encode(), with_body)
        if resolve := RESOLVE.match(path):
            found = self._commit(resolve["repo"], unquote(resolve["rev"]))
            if found is None:
                return
            sha, files = found
            content = files.get(unquote(resolve["path"]))
            if content is None:
                return self._send(404, {"X-Error-Code": "EntryNotFound", "X-Repo-Commit": sha}, b"{}", with_body)
            headers = {"X-Repo-Commit": sha, "ETag": f'"{hashlib.sha256(content).hexdigest()}"'}
            return self._send(200, headers, content, with_body)
        self._send(404, {}, b"{}", with_body)

    def _commit(self, repo_id: str, revision: str) -> tuple[str, dict[str, bytes]] | None:
        """The commit a revision names, or None once the error is sent (as the Hub sends it)."""
        repo = self.server.repos.get(repo_id)
        if repo is None or (repo.token and self.headers.get("Authorization") != f"Bearer {repo.token}"):
            status = 404 if repo is None else 401
            self._send(status, {"X-Error-Code": "RepoNotFound"}, b'{"error":"Repository not found"}', True)
            return None
        sha = repo.refs.get(revision, revision)
        if sha not in repo.commits:
            self._send(404, {"X-Error-Code": "RevisionNotFound"}, b'{"error":"Invalid rev id"}', True)
            return None
        return sha, repo.commits[sha]

    def _send(self, status: int, headers: dict[str, str], body: bytes, with_body: bool) -> None:
        self.send_response(status)
        for k, v in {"Content-Type": "application/json", **headers}.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, *_args) -> None:
        pass


def _lfs(path: str, content: bytes, sha_key: str) -> dict:
    if not path.endswith(".safetensors"):
        return {}
    return {"lfs": {sha_key: hashlib.sha256(content).hexdigest(), "size": len(content), "pointerSize": 134}}


@pytest.fixture(scope="module")
def hub() -> Iterator[FakeHub]:
    server = FakeHub(("127.0.0.1", 0), _Handler)
    server.repos, server.seen = {}, []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture
async def flows(tmp_path: Path, hub: FakeHub, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RegistryFlows]:
    monkeypatch.setenv("EASEL_HF_ENDPOINT", f"http://127.0.0.1:{hub.server_address[1]}/")
    async with registry_flows(tmp_path) as f:
        yield f


def weights(tmp_path: Path, seed: int) -> bytes:
    path = tmp_path / f"w{seed}.safetensors"
    save_file({"conv_in.weight": np.random.default_rng(seed).standard_normal((4, 4)).astype(np.float32)},
              str(path))
    return path.read_bytes()


def add_repo(hub: FakeHub, repo_id: str, files: dict[str, bytes], token: str | None = None,
             tags: dict[str, dict[str, bytes]] | None = None) -> None:
    """A repo whose main branch holds `files`; each tag points to a commit of its own."""
    commits = {commit_id(f"{repo_id}@main"): files}
    refs = {"main": commit_id(f"{repo_id}@main")}
    for tag, tagged in (tags or {}).items():
        commits[commit_id(f"{repo_id}@{tag}")] = tagged
        refs[tag] = commit_id(f"{repo_id}@{tag}")
    hub.repos[repo_id] = Repo(refs=refs, commits=commits, token=token)


def pipeline(tmp_path: Path, seed: int) -> dict[str, bytes]:
    """A tiny diffusers-style folder."""
    return {
        "model_index.json": json.dumps({"_class_name": "StableDiffusionPipeline",
                                        "unet": ["diffusers", "UNet2DConditionModel"]}).encode(),
        "unet/config.json": json.dumps({"_class_name": "UNet2DConditionModel", "sample_size": 8}).encode(),
        "unet/diffusion_pytorch_model.safetensors": weights(tmp_path, seed),
    }


async def imported(flows: RegistryFlows, repo_id: str, kind: str = "checkpoint", **source) -> dict:
    return await import_and_wait(flows, ModelSource(type="hf", uri=repo_id, **source), kind=kind)


def settings_for(hub: FakeHub, tmp_path: Path, **extra) -> RegistrySettings:
    return RegistrySettings(data_dir=tmp_path, hf_endpoint=f"http://127.0.0.1:{hub.server_address[1]}",
                            _env_file=None, **extra)


async def test_a_single_safetensors_repo_lands_with_its_bytes_and_sha256(flows, hub, tmp_path):
    content = weights(tmp_path, 1)
    add_repo(hub, "acme/single", {"model.safetensors": content, "README.md": b"# hi", ".gitattributes": b"*"})
    model = await imported(flows, "acme/single")
    assert model["status"] == "ready", model
    assert model["format"] == "safetensors" and model["metadata"]["imported_from"] == "hf://acme/single"
    assert model["sha256"] == hashlib.sha256(content).hexdigest() and model["size"] == len(content)
    [stored] = model["files"]
    assert stored["path"] == "model.safetensors" and stored["sha256"] == model["sha256"]
    assert await flows.store.get(stored["key"]) == content
    assert hub.resolved("acme/single") == ["model.safetensors"]  # the README is never fetched


async def test_a_subfolder_at_a_tag_lands_as_a_pipeline_and_its_pickles_are_dropped(flows, hub, tmp_path):
    marker = tmp_path / "pwned"
    old, new = pipeline(tmp_path, 2), pipeline(tmp_path, 3)
    extras = {"sd/unet/diffusion_pytorch_model.bin": pickle.dumps(Boom(marker)), "sd/README.md": b"#",
              "other/x.safetensors": weights(tmp_path, 4)}
    add_repo(hub, "acme/pipes", {**{f"sd/{p}": c for p, c in new.items()}, **extras},
             tags={"v1": {**{f"sd/{p}": c for p, c in old.items()}, **extras}})
    model = await imported(flows, "acme/pipes", revision="v1", subfolder="sd")
    assert model["status"] == "ready", model
    assert model["format"] == "diffusers" and model["metadata"]["imported_from"] == "hf://acme/pipes@v1/sd"
    assert [f["path"] for f in model["files"]] == sorted(old)
    for f in model["files"]:
        assert await flows.store.get(f["key"]) == old[f["path"]]  # the tag's bytes, not main's
        assert f["sha256"] == hashlib.sha256(old[f["path"]]).hexdigest()
    assert sorted(hub.resolved("acme/pipes")) == sorted(f"sd/{p}" for p in old)
    assert not marker.exists()


async def test_a_folder_whose_only_weights_are_pickles_is_refused_before_download(flows, hub, tmp_path):
    add_repo(hub, "acme/pickled", {"config.json": b"{}", "pytorch_model.bin": pickle.dumps({"w": 1})})
    failed = await imported(flows, "acme/pickled")
    assert failed["status"] == "failed"
    assert failed["error"]["message"] == f"source: {PICKLE_REFUSED} (pytorch_model.bin)"
    assert hub.resolved("acme/pickled") == []


async def test_pickled_bytes_named_safetensors_are_refused_and_never_run(flows, hub, tmp_path):
    marker = tmp_path / "pwned"
    add_repo(hub, "acme/disguised", {"model.safetensors": pickle.dumps(Boom(marker), protocol=4)})
    failed = await imported(flows, "acme/disguised")
    assert failed["status"] == "failed" and failed["error"]["message"] == f"source: {PICKLE_REFUSED}"
    assert not marker.exists()
    assert await flows.store.list(f"t1/models/{failed['id']}/") == []


@pytest.mark.parametrize(("repo_id", "revision", "subfolder", "message"), [
    ("acme/nobody", None, None, "source.uri: acme/nobody (revision main) was not found or needs a token"),
    ("acme/known", "v9", None, "source.uri: acme/known (revision v9) was not found or needs a token"),
    ("acme/known", None, "missing", "source: nothing in acme/known under missing"),
])
def test_an_unknown_repo_revision_or_subfolder_fails_clearly(hub, tmp_path, repo_id, revision, subfolder, message):
    add_repo(hub, "acme/known", {"model.safetensors": weights(tmp_path, 5)})
    source = ModelSource(type="hf", uri=repo_id, revision=revision, subfolder=subfolder)
    with pytest.raises(InvalidInput) as caught:
        sources.fetch_hf(source, settings_for(hub, tmp_path), tmp_path / "dest", sources.Progress())
    assert caught.value.message == message
    assert hub.resolved(repo_id) == []


def test_a_repo_over_the_import_limit_is_refused_before_download(hub, tmp_path):
    add_repo(hub, "acme/big", {"model.safetensors": weights(tmp_path, 6)})
    settings = settings_for(hub, tmp_path, import_max_bytes=64)
    with pytest.raises(InvalidInput, match="larger than the import limit of 64 bytes"):
        sources.fetch_hf(ModelSource(type="hf", uri="acme/big"), settings, tmp_path / "dest", sources.Progress())
    assert hub.resolved("acme/big") == []


async def test_a_token_reaches_the_hub_and_never_the_stored_model(flows, hub, tmp_path):
    content = weights(tmp_path, 7)
    add_repo(hub, "acme/gated", {"model.safetensors": content}, token=TOKEN)
    refused = await imported(flows, "acme/gated")
    assert refused["status"] == "failed" and "was not found or needs a token" in refused["error"]["message"]
    start = len(hub.seen)
    model = await imported(flows, "acme/gated", token=TOKEN)
    assert model["status"] == "ready", model
    assert await flows.store.get(model["files"][0]["key"]) == content
    calls = [auth for _m, path, auth in hub.seen[start:] if "acme/gated" in path]
    assert len(calls) >= 3 and set(calls) == {f"Bearer {TOKEN}"}  # info, listing, download: all authorized
    assert model["metadata"]["imported_from"] == "hf://acme/gated"
    assert TOKEN not in json.dumps(model, default=str) and TOKEN not in json.dumps(refused, default=str)


def test_a_hub_that_does_not_answer_fails_the_import_saying_so(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = RegistrySettings(data_dir=tmp_path, hf_endpoint=f"http://127.0.0.1:{port}", _env_file=None)
    with pytest.raises(InvalidInput) as caught:
        sources.fetch_hf(ModelSource(type="hf", uri="acme/any"), settings, tmp_path / "dest", sources.Progress())
    assert caught.value.message.startswith(f"source.uri: could not reach the Hugging Face Hub at http://127.0.0.1:{port}")
