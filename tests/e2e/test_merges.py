"""POST /v1/models/merge on the embedded stack: two tiny web-UI checkpoints merged on the worker, the result
registered as the caller's private model, generating images of its own; no one else sees or merges it."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import httpx
import numpy as np
import pytest
import torch
from PIL import Image
from safetensors.torch import load_file, save_file

from easel_worker.engine import build_tiny_sd
from helpers import events, submit, until_status, wait_for
from webui_layout import to_single_file

pytestmark = pytest.mark.slow


def tiny_pair(tmp: Path) -> tuple[bytes, bytes]:
    """The tiny pipeline as one web-UI file, and a copy whose UNet weights are moved by seeded noise."""
    a = to_single_file(build_tiny_sd(tmp / "tiny-sd"), tmp / "a.safetensors")
    torch.manual_seed(5)
    tensors = load_file(a)
    for key, value in tensors.items():
        if key.startswith("model.diffusion_model.") and value.is_floating_point():
            tensors[key] = value + 0.5 * torch.randn_like(value) * (value.std() if value.numel() > 1 else 1.0)
    save_file(tensors, tmp / "b.safetensors")
    return a.read_bytes(), (tmp / "b.safetensors").read_bytes()


async def person(api: httpx.AsyncClient, admin: dict, role: str) -> dict:
    r = await api.post("/v1/users", json={"username": f"m{uuid.uuid4().hex[:8]}", "roles": [role]}, headers=admin)
    assert r.status_code == 201, r.text
    user = r.json()
    r = await api.post(f"/v1/users/{user['id']}/keys", json={"name": "t"}, headers=admin)
    user["headers"] = {"Authorization": f"Bearer {r.json()['secret']}"}
    return user


async def upload_checkpoint(api: httpx.AsyncClient, user: dict, name: str, data: bytes) -> dict:
    upload = (await api.post("/v1/models/uploads", headers=user["headers"])).json()
    r = await api.put(upload["url"], content=data, headers=user["headers"])
    assert r.status_code == 204, r.text
    r = await api.post("/v1/models", headers=user["headers"], json={
        "name": name, "kind": "checkpoint", "base": "tiny", "source": {"type": "upload", "uri": upload["upload_id"]}})
    assert r.status_code == 201, r.text

    async def ready():
        model = (await api.get(f"/v1/models/{r.json()['id']}", headers=user["headers"])).json()
        assert model["status"] != "failed", model
        return model if model["status"] == "ready" else None

    return await wait_for(ready, timeout=120)


@pytest.fixture(scope="module")
async def merging(api, admin_headers, tmp_path_factory) -> dict:
    """alice and bob may import and merge; alice owns two tiny checkpoints, A and B."""
    role = f"merger-{uuid.uuid4().hex[:6]}"
    r = await api.post("/v1/roles", headers=admin_headers, json={
        "name": role, "permissions": ["models:read", "models:write", "jobs:create", "pools:use:*"]})
    assert r.status_code == 201, r.text
    alice, bob = await person(api, admin_headers, role), await person(api, admin_headers, role)
    a, b = tiny_pair(tmp_path_factory.mktemp("merge"))
    return {"alice": alice, "bob": bob, "a": await upload_checkpoint(api, alice, f"a-{role}", a),
            "b": await upload_checkpoint(api, alice, f"b-{role}", b)}


async def image(api: httpx.AsyncClient, headers: dict, model: str) -> np.ndarray:
    job = await submit(api, headers, model=model, seed=77, steps=2, width=64, height=64)
    done = await until_status(api, job["id"], headers, "succeeded", "failed", timeout=180)
    assert done["status"] == "succeeded", done
    r = await api.get(f"/v1/jobs/{job['id']}/images/0", headers=headers)
    return np.asarray(Image.open(io.BytesIO(r.content)).convert("RGB"), dtype=np.int16)


async def test_a_weighted_sum_becomes_the_callers_model_and_generates_its_own_images(api, merging):
    alice, a, b = merging["alice"], merging["a"], merging["b"]
    r = await api.post("/v1/models/merge", headers=alice["headers"], json={
        "primary_model_name": a["name"], "secondary_model_name": b["id"], "interp_method": "Weighted sum",
        "multiplier": 0.5, "custom_name": "half-and-half"})
    assert r.status_code == 201, r.text
    job = r.json()
    assert r.headers["Location"] == f"/v1/jobs/{job['id']}" and job["spec"]["task"] == "merge"
    seen = await events(api, job["id"], alice["headers"], timeout=180)
    assert seen[-1][0] == "succeeded", seen
    done = await until_status(api, job["id"], alice["headers"], "succeeded")
    assert done["model_id"] and done["images"] == []

    merged = (await api.get(f"/v1/models/{done['model_id']}", headers=alice["headers"])).json()
    assert merged["name"] == "half-and-half" and merged["kind"] == "checkpoint" and merged["base"] == "tiny"
    assert merged["visibility"] == "private" and merged["status"] == "ready" and merged["format"] == "safetensors"
    assert merged["title"] == f"half-and-half [{merged['sha256'][:8]}]" and merged["owner_id"] == alice["id"]
    assert merged["metadata"]["merge_job"] == job["id"] and merged["metadata"]["inputs"] == [a["id"], b["id"]]

    pictures = {name: await image(api, alice["headers"], model) for name, model in
                (("a", a["id"]), ("b", b["id"]), ("merged", merged["id"]))}
    # the same merged model at the same seed draws the same picture (to a CPU's rounding), the inputs others
    again = np.abs(await image(api, alice["headers"], merged["id"]) - pictures["merged"]).mean()
    to_a = np.abs(pictures["merged"] - pictures["a"]).mean()
    to_b = np.abs(pictures["merged"] - pictures["b"]).mean()
    assert again < 1 and to_a > 4 and to_b > 4, (again, to_a, to_b)

    # bob, in the same tenant, neither sees nor uses it
    bob = merging["bob"]
    assert (await api.get(f"/v1/models/{merged['id']}", headers=bob["headers"])).status_code == 404
    r = await api.post("/v1/jobs", headers=bob["headers"], json={"prompt": "x", "model": merged["id"], "steps": 1})
    assert r.status_code == 422 and "model" in r.text


async def test_nobody_merges_a_model_they_may_not_use(api, merging):
    bob, a = merging["bob"], merging["a"]
    r = await api.post("/v1/models/merge", headers=bob["headers"], json={
        "primary_model_name": a["id"], "interp_method": "No interpolation", "save_as_half": True})
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == "primary_model_name"
    mine = merging["alice"]
    r = await api.post("/v1/models/merge", headers=mine["headers"], json={
        "primary_model_name": a["id"], "secondary_model_name": "tiny-sd"})
    assert r.status_code == 422 and r.json()["details"]["field"] == "secondary_model_name"  # a folder
    r = await api.post("/v1/models/merge", headers=mine["headers"], json={
        "primary_model_name": a["id"], "secondary_model_name": a["id"], "interp_method": "Add difference"})
    assert r.status_code == 422 and r.json()["details"]["field"] == "tertiary_model_name"
    r = await api.post("/v1/models/merge", headers=mine["headers"], json={
        "primary_model_name": a["id"], "secondary_model_name": a["id"], "checkpoint_format": "ckpt"})
    assert r.status_code == 422 and r.json()["details"]["field"] == "checkpoint_format"


async def test_merging_takes_models_write(api, admin_headers, merging):
    reader = await person(api, admin_headers, "user")  # models:read only
    r = await api.post("/v1/models/merge", headers=reader["headers"], json={
        "primary_model_name": merging["a"]["id"], "interp_method": "No interpolation"})
    assert r.status_code == 403 and "models:write" in r.text


async def test_a_failed_merge_leaves_no_model_and_no_file(api, merging, stack):
    """discard_weights that match every weight: the worker refuses to write an empty checkpoint, the job fails
    naming the field, and neither a model nor a file stays."""
    alice, a = merging["alice"], merging["a"]
    before = {m["id"] for m in (await api.get("/v1/models", headers=alice["headers"])).json()["items"]}
    r = await api.post("/v1/models/merge", headers=alice["headers"], json={
        "primary_model_name": a["id"], "interp_method": "No interpolation", "discard_weights": ".",
        "custom_name": "nothing-left"})
    assert r.status_code == 201, r.text
    done = await until_status(api, r.json()["id"], alice["headers"], "succeeded", "failed", timeout=180)
    assert done["status"] == "failed" and done["model_id"] is None, done
    assert done["error"]["details"]["field"] == "discard_weights"
    after = {m["id"] for m in (await api.get("/v1/models", headers=alice["headers"])).json()["items"]}
    assert after == before
    objects = Path(stack.options.data_dir) / "objects"
    assert not [p for p in objects.rglob("merge-*") if done["id"] in p.parts]


async def test_a_name_the_caller_already_has_is_refused_for_a_merge_and_an_upload(api, merging):
    """`<lora:name>` and the web UI's checkpoint list pick one model per name: a merge's custom_name or an upload
    that repeats one of the caller's checkpoints is a 409 naming the field, and nothing is queued or recorded."""
    alice, a = merging["alice"], merging["a"]
    before = {m["id"] for m in (await api.get("/v1/models", headers=alice["headers"])).json()["items"]}
    r = await api.post("/v1/models/merge", headers=alice["headers"], json={
        "primary_model_name": a["id"], "interp_method": "No interpolation", "custom_name": a["name"]})
    assert r.status_code == 409 and r.json()["details"]["field"] == "custom_name", r.text
    upload = (await api.post("/v1/models/uploads", headers=alice["headers"])).json()
    r = await api.post("/v1/models", headers=alice["headers"], json={
        "name": a["name"], "kind": "checkpoint", "base": "tiny",
        "source": {"type": "upload", "uri": upload["upload_id"]}})
    assert r.status_code == 409 and r.json()["details"] == {"field": "name", "model_id": a["id"]}, r.text
    after = {m["id"] for m in (await api.get("/v1/models", headers=alice["headers"])).json()["items"]}
    assert after == before
