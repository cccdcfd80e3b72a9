"""An SDXL checkpoint as people share them (one .safetensors in the web UI's layout) through the whole stack:
uploaded, checked for its base, imported, and generated with by a worker that shapes it from
EASEL_MODEL_CONFIG_DIR/sdxl."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from easel_worker.engine.tiny import build_tiny_sdxl
from helpers import stack_with_env, submit, until_status, wait_for
from webui_layout import to_single_file


@pytest.fixture(scope="module")
def sdxl_file(tmp_path_factory) -> tuple[Path, bytes]:
    """(a config folder holding sdxl/ without weights, the tiny-sdxl weights as one web UI checkpoint)."""
    root = tmp_path_factory.mktemp("sdxl")
    folder = build_tiny_sdxl(root / "configs" / "sdxl")
    data = to_single_file(folder, root / "xl.safetensors", xl=True).read_bytes()
    for weights in folder.rglob("*.safetensors"):
        weights.unlink()
    return root / "configs", data


@pytest.fixture(scope="module")
async def xstack(sdxl_file, session_dir, nats_url, database_url) -> AsyncIterator:
    async with stack_with_env({"EASEL_MODEL_CONFIG_DIR": str(sdxl_file[0])}, data_dir=session_dir / "sdxl-stack",
                              database_url=database_url,
                              worker_log=session_dir / "sdxl-worker.log") as stack:
        yield stack


async def _import(api: httpx.AsyncClient, headers: dict, data: bytes, base: str) -> dict:
    upload = (await api.post("/v1/models/uploads", headers=headers)).json()
    assert (await api.put(upload["url"], content=data, headers=headers)).status_code == 204
    r = await api.post("/v1/models", json={"name": f"xl-{uuid.uuid4().hex[:6]}", "kind": "checkpoint", "base": base,
                                           "source": {"type": "upload", "uri": upload["upload_id"]}},
                       headers=headers)
    assert r.status_code == 201, r.text

    async def settled():
        model = (await api.get(f"/v1/models/{r.json()['id']}", headers=headers)).json()
        return model if model["status"] != "importing" else None

    return await wait_for(settled, timeout=60)


async def _pixels(api: httpx.AsyncClient, headers: dict, model: str) -> bytes:
    job = await submit(api, headers, prompt="a fox", model=model, seed=5, steps=2)
    job = await until_status(api, job["id"], headers, "succeeded", "failed")
    assert job["status"] == "succeeded", job
    image = await api.get(job["images"][0]["url"], headers=headers)
    return Image.open(io.BytesIO(image.content)).tobytes()


async def test_an_sdxl_single_file_checkpoint_is_checked_imported_and_generates(xstack, sdxl_file):
    admin = {"Authorization": f"Bearer {xstack.admin_key}"}
    async with httpx.AsyncClient(base_url=xstack.gateway_url, timeout=60) as api:
        wrong = await _import(api, admin, sdxl_file[1], base="sd15")
        assert wrong["status"] == "failed" and "SDXL weights" in wrong["error"]["message"], wrong
        model = await _import(api, admin, sdxl_file[1], base="sdxl")
        assert model["status"] == "ready" and model["format"] == "safetensors", model
        await xstack.wait_ready()
        # the same weights as the built-in tiny-sdxl, so the same pixels
        assert await _pixels(api, admin, model["title"]) == await _pixels(api, admin, "tiny-sdxl")
