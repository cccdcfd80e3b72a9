"""POST /inference as a Kubernetes web UI queue agent posts it: the brief's request, verbatim, returns an image
made with the checkpoint, ControlNet and annotator it names."""

from __future__ import annotations

import base64
import io
import json
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import boto3
import httpx
import pytest
import torch
from PIL import Image

from easel_stack.stack import EmbeddedStack
from easel_worker.engine import build_tiny_sd
from easel_worker.engine.tiny_parts import build_tiny_controlnet, build_tiny_hed
from helpers import ensure_tenant, s3_server_env, stack_with_env, wait_for

pytestmark = pytest.mark.slow
SEED_REQUEST = Path("/work/shared/reference/seed-inference.json")
SOURCES = "webui-sources"
CHECKPOINT, CONTROLNET, ANNOTATOR = "v1-5-pruned.ckpt", "control_v11p_sd15_scribble", "ControlNetHED"


@pytest.fixture(scope="module")
def s3_env() -> Iterator[dict[str, str]]:
    with s3_server_env("easel-webui", EASEL_IMPORT_ALLOW_BUCKETS=f'["{SOURCES}"]') as env:
        yield env


@pytest.fixture(scope="module")
async def wstack(s3_env, session_dir, nats_url, database_url) -> AsyncIterator[EmbeddedStack]:
    """A stack whose store is S3, so models can be imported from a folder there; one worker."""
    name = f"webui-{uuid.uuid4().hex[:6]}"  # a stack per module that uses it; they share the database
    async with stack_with_env(s3_env, data_dir=session_dir / name, database_url=database_url,
                              worker_log=session_dir / f"{name}-worker.log") as stack:
        yield stack


@pytest.fixture(scope="module")
async def wapi(wstack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=wstack.gateway_url, timeout=600) as client:
        yield client


def build_checkpoint(dest: Path, tmp: Path) -> Path:
    """The tiny pipeline with a UNet that attends only at 1/8 of the latent size: the brief asks 512x512, where
    the built-in tiny UNet's attention over 128x128 tokens takes ~20 s a step on a CPU; this one, ~1 s."""
    from diffusers import UNet2DConditionModel

    shutil.copytree(build_tiny_sd(tmp / "tiny-sd"), dest)
    shutil.rmtree(dest / "unet")
    torch.manual_seed(0)
    UNet2DConditionModel(
        block_out_channels=(32, 32, 64, 64), layers_per_block=1, sample_size=32, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "DownBlock2D", "DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D", "UpBlock2D", "UpBlock2D"), cross_attention_dim=32,
        attention_head_dim=8, norm_num_groups=32,
    ).save_pretrained(dest / "unet", safe_serialization=True)
    return dest


async def member(api, stack: EmbeddedStack, tenant: str, roles: tuple[str, ...] = ("user",)) -> dict:
    """A new user of `tenant` with an API key (`headers`, `key`)."""
    admin = {"Authorization": f"Bearer {stack.admin_key}"}
    await ensure_tenant(api, admin, tenant)
    r = await api.post("/v1/users", headers=admin, json={"username": f"w{uuid.uuid4().hex[:8]}", "tenant_id": tenant,
                                                         "roles": list(roles)})
    assert r.status_code == 201, r.text
    user = r.json()
    r = await api.post(f"/v1/users/{user['id']}/keys", json={"name": "t"}, headers=admin)
    user["key"] = r.json()["secret"]
    user["headers"] = {"Authorization": f"Bearer {user['key']}"}
    return user


async def import_from_s3(api, admin: dict, s3, folder: Path, name: str, kind: str) -> dict:
    """Upload a model (a folder, or one file) to the source bucket and import it for the whole tenant."""
    prefix = f"{uuid.uuid4().hex[:8]}/"
    files = [folder] if folder.is_file() else sorted(p for p in folder.rglob("*") if p.is_file())
    for path in files:
        key = prefix + (path.name if folder.is_file() else path.relative_to(folder).as_posix())
        s3.put_object(Bucket=SOURCES, Key=key, Body=path.read_bytes())
    uri = f"s3://{SOURCES}/{prefix}{folder.name}" if folder.is_file() else f"s3://{SOURCES}/{prefix}"
    r = await api.post("/v1/models", headers=admin, json={
        "name": name, "kind": kind, "base": "tiny", "visibility": "public", "source": {"type": "s3", "uri": uri}})
    assert r.status_code == 201, r.text

    async def ready():
        model = (await api.get(f"/v1/models/{r.json()['id']}", headers=admin)).json()
        assert model["status"] != "failed", model
        return model if model["status"] == "ready" else None

    return await wait_for(ready, timeout=120)


@pytest.fixture(scope="module")
async def webui_models(wapi, wstack, s3_env, tmp_path_factory) -> dict[str, dict]:
    """The names the brief's request uses, in a tenant of their own (so they are the only ones by those names):
    a tiny checkpoint, a tiny ControlNet and the tiny HED annotator."""
    s3 = boto3.client("s3", endpoint_url=s3_env["EASEL_S3_ENDPOINT_URL"], region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing-secret")
    s3.create_bucket(Bucket=SOURCES)
    tmp = tmp_path_factory.mktemp("webui-models")
    tiny = build_checkpoint(tmp / "checkpoint", tmp)
    tenant = f"webui-{uuid.uuid4().hex[:6]}"
    admin = (await member(wapi, wstack, tenant, ("admin",)))["headers"]
    return {
        "tenant": tenant,
        "checkpoint": await import_from_s3(wapi, admin, s3, tiny, CHECKPOINT, "checkpoint"),
        "controlnet": await import_from_s3(wapi, admin, s3, build_tiny_controlnet(tmp / "cn", tiny), CONTROLNET,
                                           "controlnet"),
        "annotator": await import_from_s3(wapi, admin, s3, build_tiny_hed(tmp / "hed.safetensors"), ANNOTATOR,
                                          "annotator"),
    }


@pytest.fixture
async def wuser(wapi, wstack, webui_models) -> dict:
    return await member(wapi, wstack, webui_models["tenant"])


@pytest.mark.timeout(900)
@pytest.mark.skipif(not SEED_REQUEST.exists(), reason="the brief's request is not on this machine")
async def test_the_brief_request_verbatim_returns_an_image(wapi, wuser, webui_models):
    body = SEED_REQUEST.read_bytes()
    r = await wapi.post("/inference", params={"endpoint_name": "default"}, content=body,
                        headers={**wuser["headers"], "Content-Type": "application/json"})
    assert r.status_code == 200, r.text[:500]
    out = r.json()
    (image,) = out["images"]
    assert Image.open(io.BytesIO(base64.b64decode(image))).size == (512, 512)
    info = json.loads(out["info"])
    assert info["all_seeds"] == [1115411476] and info["sd_model_name"] == CHECKPOINT
    assert info["sd_model_hash"] == webui_models["checkpoint"]["sha256"][:8]
    assert info["sampler_name"] == "DPM++ SDE Karras" and info["steps"] == 20
    assert out["parameters"]["prompt"] == json.loads(body)["txt2img_payload"]["prompt"]
    (job,) = (await wapi.get("/v1/jobs", headers=wuser["headers"])).json()["items"]
    spec = job["spec"]
    assert spec["model"]["id"] == webui_models["checkpoint"]["id"]
    (unit,) = spec["controlnets"]
    assert unit["model"]["id"] == webui_models["controlnet"]["id"]
    assert unit["annotator"]["id"] == webui_models["annotator"]["id"] and unit["module"] == "scribble_hed"
    assert (unit["weight"], unit["guidance_end"], unit["processor_res"]) == (0.7, 0.7, 512)


async def test_tasks_and_a_bad_payload_answer_in_the_web_ui_shape(wapi, wuser, webui_models):
    small = {"prompt": "a fox", "steps": 2, "width": 64, "height": 64, "seed": 4}
    r = await wapi.post("/inference", headers=wuser["headers"], json={
        "task": "text-to-image", "model": CHECKPOINT, "txt2img_payload": small})
    assert r.status_code == 200, r.text[:300]
    assert json.loads(r.json()["info"])["sd_model_name"] == CHECKPOINT
    image = r.json()["images"][0]
    r = await wapi.post("/inference", headers=wuser["headers"], json={
        "task": "image-to-image", "model": "tiny-sd",
        "img2img_payload": {**small, "init_images": [image], "denoising_strength": 0.5}})
    assert r.status_code == 200, r.text[:300]
    assert json.loads(r.json()["info"])["sd_model_name"] == "tiny-sd"
    r = await wapi.post("/inference", headers=wuser["headers"], json={
        "task": "extra-single-image", "extras_payload": {"image": image, "upscaler_1": "Lanczos",
                                                         "upscaling_resize": 2}})
    assert r.status_code == 200, r.text[:300]
    assert Image.open(io.BytesIO(base64.b64decode(r.json()["image"]))).size == (128, 128)
    for body, field in (({"task": "paint-a-picture"}, "task"),
                        ({"task": "text-to-image", "model": "no-such-model", "txt2img_payload": small}, "model"),
                        ({"task": "text-to-image", "txt2img_payload": {**small, "steps": 0}},
                         "txt2img_payload.steps"),
                        ({"task": "text-to-image"}, "txt2img_payload")):
        r = await wapi.post("/inference", headers=wuser["headers"], json=body)
        assert r.status_code == 422 and r.json()["detail"].startswith(f"{field}:"), r.text[:300]
    r = await wapi.post("/inference", params={"endpoint_name": "gpu-xl"}, headers=wuser["headers"], json={
        "task": "text-to-image", "txt2img_payload": small})
    assert r.status_code == 422 and r.json()["detail"].startswith("endpoint_name:"), r.text[:300]
