"""Model imports through the gateway: HTTP (loopback, allow-listed), S3, uploads; dedupe, checksums, access."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import boto3
import httpx
import numpy as np
import pytest
from PIL import Image
from safetensors.numpy import save_file

from easel_proto.errors import NotFound
from easel_proto.v1.common import Principal
from easel_proto.v1.registry import ModelInfo, ModelLookupRequest
from easel_stack.stack import EmbeddedStack
from easel_worker.engine import build_tiny_sd
from helpers import as_gateway, metric, metric_reaches, s3_server_env, stack_with_env, wait_for

pytestmark = pytest.mark.slow
SOURCES = "model-sources"


class _Files(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = self.server.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *_args) -> None:
        pass


@pytest.fixture(scope="module")
def files() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    server.routes = {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


@pytest.fixture(scope="module")
def s3_env() -> Iterator[dict[str, str]]:
    # "localhost" may reach loopback; 127.0.0.1 stays refused, so both sides of the SSRF rule are tested
    with s3_server_env("easel-models", EASEL_IMPORT_ALLOW_HOSTS='["localhost"]',
                       EASEL_IMPORT_ALLOW_BUCKETS=f'["{SOURCES}"]') as env:
        yield env


@pytest.fixture(scope="module")
def s3(s3_env):
    client = boto3.client("s3", endpoint_url=s3_env["EASEL_S3_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing-secret")
    client.create_bucket(Bucket=SOURCES)
    return client


@pytest.fixture(scope="module")
async def mstack(s3_env, session_dir, nats_url, database_url) -> AsyncIterator[EmbeddedStack]:
    async with stack_with_env(s3_env, data_dir=session_dir / "models-stack",
                              database_url=database_url, workers=0,
                              worker_log=session_dir / "models-worker.log") as stack:
        yield stack


@pytest.fixture(scope="module")
async def mapi(mstack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=mstack.gateway_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
async def people(mapi, mstack) -> dict:
    """alice and bob may import; carol only reads; bob and carol are in their own roles."""
    admin = {"Authorization": f"Bearer {mstack.admin_key}"}
    suffix = uuid.uuid4().hex[:6]
    modeler, artists = f"modeler-{suffix}", f"artists-{suffix}"
    for role, perms in ((modeler, ["models:read", "models:write", "models:share"]), (artists, ["models:read"])):
        r = await mapi.post("/v1/roles", json={"name": role, "permissions": perms}, headers=admin)
        assert r.status_code == 201, r.text
    out = {"roles": {"artists": artists}}
    for name, roles in (("alice", [modeler]), ("bob", [modeler, artists]), ("carol", ["user"])):
        r = await mapi.post("/v1/users", json={"username": f"{name}{suffix}", "roles": roles}, headers=admin)
        assert r.status_code == 201, r.text
        user = r.json()
        r = await mapi.post(f"/v1/users/{user['id']}/keys", json={"name": "t"}, headers=admin)
        user["headers"] = {"Authorization": f"Bearer {r.json()['secret']}"}
        user["principal"] = Principal(**(await mapi.get("/v1/me", headers=user["headers"])).json())
        out[name] = user
    return out


def weights(tmp_path: Path, seed: int, keys: tuple[str, ...] = ("model.diffusion_model.w",)) -> bytes:
    path = tmp_path / f"{seed}.safetensors"
    rng = np.random.default_rng(seed)
    save_file({k: rng.standard_normal((8, 8)).astype(np.float32) for k in keys}, str(path))
    return path.read_bytes()


async def start_import(api, who, source: dict, name: str | None = None, **fields) -> dict:
    body = {"name": name or f"m-{uuid.uuid4().hex[:6]}", "kind": "checkpoint", "base": "sd15", "source": source,
            **fields}
    r = await api.post("/v1/models", json=body, headers=who["headers"])
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "importing"
    return r.json()


async def finished(api, who, model_id: str) -> dict:
    async def done():
        model = (await api.get(f"/v1/models/{model_id}", headers=who["headers"])).json()
        return model if model["status"] != "importing" else None

    return await wait_for(done, timeout=60)


async def lookup(stack: EmbeddedStack, who, name: str) -> ModelInfo:
    return await as_gateway(stack, stack.services[1].settings.names.registry_lookup,
                            ModelLookupRequest(name=name, principal=who["principal"]), ModelInfo, who["principal"])


async def test_an_http_import_becomes_ready_with_its_title_and_can_be_looked_up(mapi, mstack, people, files,
                                                                                 tmp_path):
    files.routes["/sd15.safetensors"] = weights(tmp_path, 1)
    port = files.server_address[1]
    alice = people["alice"]
    imported = metric("easel_registry_imports_total", source="http", outcome="ready")
    timed = metric("easel_registry_import_seconds_count", source="http")
    started = await start_import(mapi, alice, {"type": "http", "uri": f"http://localhost:{port}/sd15.safetensors"},
                                 name="fox-v1")
    model = await finished(mapi, alice, started["id"])
    assert model["status"] == "ready", model
    assert await metric_reaches("easel_registry_imports_total", imported + 1, source="http", outcome="ready") \
        == imported + 1
    assert metric("easel_registry_import_seconds_count", source="http") == timed + 1
    assert model["format"] == "safetensors" and model["bytes_done"] == model["size"] == len(
        files.routes["/sd15.safetensors"])
    assert model["title"] == f"fox-v1 [{model['sha256'][:8]}]"
    assert model["files"][0]["key"].startswith(f"{alice['principal'].tenant_id}/models/{model['id']}/")
    for ref in (model["id"], model["title"], model["sha256"][:8]):
        assert (await lookup(mstack, alice, ref)).id == model["id"]
    # A title copied from a web UI install carries that file's hash: the unambiguous name still finds ours.
    other_hash = "00000000" if not model["sha256"].startswith("00000000") else "11111111"
    assert (await lookup(mstack, alice, f"fox-v1 [{other_hash}]")).id == model["id"]
    with pytest.raises(NotFound):
        await lookup(mstack, alice, f"fox-v2 [{other_hash}]")
    listed = (await mapi.get("/v1/models", params={"kind": "checkpoint", "base": "sd15"},
                             headers=alice["headers"])).json()["items"]
    assert model["id"] in {m["id"] for m in listed}
    assert (await mapi.get("/v1/models", params={"kind": "lora"}, headers=alice["headers"])).json()["items"] == []


async def test_loopback_without_the_allow_list_is_refused(mapi, people, files, tmp_path):
    files.routes["/x.safetensors"] = weights(tmp_path, 2)
    port = files.server_address[1]
    failed = await finished(mapi, people["alice"], (await start_import(
        mapi, people["alice"], {"type": "http", "uri": f"http://127.0.0.1:{port}/x.safetensors"}))["id"])
    assert failed["status"] == "failed" and "private or reserved" in failed["error"]["message"]
    r = await mapi.post("/v1/models", json={"name": "evil", "kind": "checkpoint", "base": "sd15", "source": {
        "type": "http", "uri": f"http://localhost:{port}/evil.pkl"}}, headers=people["alice"]["headers"])
    assert r.status_code == 422 and "pickled checkpoints are refused" in r.json()["message"]


async def test_s3_single_file_and_diffusers_folder(mapi, people, s3, tmp_path):
    alice = people["alice"]
    s3.put_object(Bucket=SOURCES, Key="single/lora.safetensors", Body=weights(tmp_path, 5))
    layout = {"model_index.json": b'{"_class_name": "StableDiffusionPipeline"}',
              "unet/config.json": b"{}", "unet/diffusion_pytorch_model.safetensors": weights(tmp_path, 6),
              "unet/diffusion_pytorch_model.bin": b"\x80\x04pickled", "README.md": b"hi"}
    for path, body in layout.items():
        s3.put_object(Bucket=SOURCES, Key=f"pipe/{path}", Body=body)
    single = await finished(mapi, alice, (await start_import(
        mapi, alice, {"type": "s3", "uri": f"s3://{SOURCES}/single/lora.safetensors"}, kind="lora"))["id"])
    assert single["status"] == "ready" and single["files"][0]["path"] == "lora.safetensors", single
    folder = await finished(mapi, alice, (await start_import(
        mapi, alice, {"type": "s3", "uri": f"s3://{SOURCES}/pipe/"}))["id"])
    assert folder["status"] == "ready" and folder["format"] == "diffusers", folder
    assert sorted(f["path"] for f in folder["files"]) == [
        "model_index.json", "unet/config.json", "unet/diffusion_pytorch_model.safetensors"]
    r = await mapi.post("/v1/models", json={"name": "x", "kind": "checkpoint", "base": "sd15", "source": {
        "type": "s3", "uri": "s3://easel-models/anyone/else.safetensors"}}, headers=alice["headers"])
    assert r.status_code == 422, r.text  # never Easel's own bucket


async def test_uploads_are_imported_and_the_same_content_is_stored_once(mapi, mstack, people, s3_env, tmp_path):
    alice = people["alice"]
    content = weights(tmp_path, 7)
    ids = []
    for _ in range(2):
        upload = (await mapi.post("/v1/models/uploads", headers=alice["headers"])).json()
        r = await mapi.put(upload["url"], content=content, headers=alice["headers"])
        assert r.status_code == 204, r.text
        model = await finished(mapi, alice, (await start_import(
            mapi, alice, {"type": "upload", "uri": upload["upload_id"]}))["id"])
        assert model["status"] == "ready", model
        ids.append(model)
    assert ids[0]["sha256"] == ids[1]["sha256"] and ids[0]["files"] == ids[1]["files"]
    store = boto3.client("s3", endpoint_url=s3_env["EASEL_S3_ENDPOINT_URL"], region_name="us-east-1",
                         aws_access_key_id="testing", aws_secret_access_key="testing-secret")
    tenant = alice["principal"].tenant_id
    second = store.list_objects_v2(Bucket="easel-models", Prefix=f"{tenant}/models/{ids[1]['id']}/")
    assert second.get("KeyCount", 0) == 0  # the second import points at the first's files
    uploads = store.list_objects_v2(Bucket="easel-models", Prefix=f"{tenant}/uploads/{alice['id']}/")
    assert uploads.get("KeyCount", 0) == 0  # consumed


async def test_with_an_s3_store_uploads_go_straight_to_the_bucket_through_a_presigned_form(mapi, people, tmp_path):
    alice = people["alice"]
    content = weights(tmp_path, 8)
    upload = (await mapi.post("/v1/models/uploads", headers=alice["headers"])).json()
    form = upload["form"]
    policy = json.loads(base64.b64decode(form["fields"]["policy"]))
    caps = [c for c in policy["conditions"] if isinstance(c, list) and c[0] == "content-length-range"]
    assert caps and caps[0][1] == 1 and caps[0][2] > 0  # S3 refuses empty or oversized uploads itself
    assert {"key": form["fields"]["key"]} in policy["conditions"]  # signed for this one key only
    assert form["fields"]["key"].endswith(f"/uploads/{alice['id']}/{upload['upload_id']}")
    async with httpx.AsyncClient() as s3_client:  # no Easel credentials: the form is the authorization
        r = await s3_client.post(form["url"], data=form["fields"], files={"file": ("m.safetensors", content)})
    assert r.status_code in (200, 204), r.text
    model = await finished(mapi, alice, (await start_import(
        mapi, alice, {"type": "upload", "uri": upload["upload_id"]}))["id"])
    assert model["status"] == "ready", model
    assert model["sha256"] == hashlib.sha256(content).hexdigest()


async def test_a_checksum_mismatch_fails_with_its_reason_and_leaves_no_files(mapi, people, s3, s3_env, tmp_path):
    alice = people["alice"]
    s3.put_object(Bucket=SOURCES, Key="sum/w.safetensors", Body=weights(tmp_path, 8))
    refused = metric("easel_registry_imports_total", source="s3", outcome="failed")
    failed = await finished(mapi, alice, (await start_import(
        mapi, alice, {"type": "s3", "uri": f"s3://{SOURCES}/sum/w.safetensors", "sha256": "0" * 64}))["id"])
    assert failed["status"] == "failed" and "checksum mismatch" in failed["error"]["message"]
    assert await metric_reaches("easel_registry_imports_total", refused + 1, source="s3", outcome="failed") \
        == refused + 1
    store = boto3.client("s3", endpoint_url=s3_env["EASEL_S3_ENDPOINT_URL"], region_name="us-east-1",
                         aws_access_key_id="testing", aws_secret_access_key="testing-secret")
    listed = store.list_objects_v2(Bucket="easel-models",
                                   Prefix=f"{alice['principal'].tenant_id}/models/{failed['id']}/")
    assert listed.get("KeyCount", 0) == 0


async def test_private_models_are_invisible_and_shared_ones_usable_by_the_role(mapi, mstack, people, files,
                                                                               tmp_path):
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    files.routes["/p.safetensors"] = weights(tmp_path, 9)
    port = files.server_address[1]
    model = await finished(mapi, alice, (await start_import(
        mapi, alice, {"type": "http", "uri": f"http://localhost:{port}/p.safetensors"}))["id"])
    url = f"/v1/models/{model['id']}"
    for who in (bob, carol):
        assert (await mapi.get(url, headers=who["headers"])).status_code == 404
        listed = (await mapi.get("/v1/models", headers=who["headers"])).json()["items"]
        assert model["id"] not in {m["id"] for m in listed}
        with pytest.raises(NotFound):
            await lookup(mstack, who, model["id"])
    assert (await mapi.patch(url, json={"name": "mine"}, headers=bob["headers"])).status_code == 404
    assert (await mapi.delete(url, headers=bob["headers"])).status_code == 404
    r = await mapi.patch(url, json={"visibility": "roles", "shared_roles": [people["roles"]["artists"]]},
                         headers=alice["headers"])
    assert r.status_code == 200 and r.json()["visibility"] == "roles", r.text
    assert (await mapi.get(url, headers=bob["headers"])).status_code == 200
    assert (await lookup(mstack, bob, model["title"])).id == model["id"]
    assert (await mapi.get(url, headers=carol["headers"])).status_code == 404
    assert (await mapi.delete(url, headers=bob["headers"])).status_code == 403  # may use it, not delete it
    assert (await mapi.delete(url, headers=alice["headers"])).status_code == 204
    assert (await mapi.get(url, headers=alice["headers"])).status_code == 404


async def test_a_job_runs_on_an_imported_model_as_on_the_same_weights_built_in(mapi, mstack, people, s3, tmp_path):
    """Import a diffusers folder from S3, generate with it by its title: same pixels as the built-in tiny-sd."""
    folder = build_tiny_sd(tmp_path / "tiny")  # the same deterministic weights as the built-in model
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        s3.put_object(Bucket=SOURCES, Key=f"tiny/{path.relative_to(folder).as_posix()}", Body=path.read_bytes())
    admin = {"Authorization": f"Bearer {mstack.admin_key}"}
    r = await mapi.post("/v1/users", json={"username": f"dave{uuid.uuid4().hex[:6]}",
                                           "roles": ["user", people["roles"]["artists"]]}, headers=admin)
    dave = r.json()
    r = await mapi.post(f"/v1/users/{dave['id']}/keys", json={"name": "t"}, headers=admin)
    dave["headers"] = {"Authorization": f"Bearer {r.json()['secret']}"}
    alice = people["alice"]
    model = await finished(mapi, alice, (await start_import(
        mapi, alice, {"type": "s3", "uri": f"s3://{SOURCES}/tiny/"}, base="tiny", visibility="roles",
        shared_roles=[people["roles"]["artists"]]))["id"])
    assert model["status"] == "ready", model
    mstack.start_worker()
    await mstack.wait_ready()
    pixels = []
    for name in (model["title"], "tiny-sd"):
        r = await mapi.post("/v1/jobs", json={"prompt": "a fox", "model": name, "seed": 5, "steps": 2,
                                              "width": 64, "height": 64}, headers=dave["headers"])
        assert r.status_code == 201, r.text
        done = await wait_for(lambda job_id=r.json()["id"]: _succeeded(mapi, dave, job_id), timeout=120)
        image = await mapi.get(done["images"][0]["url"], headers=dave["headers"])
        pixels.append(Image.open(io.BytesIO(image.content)).tobytes())
    assert pixels[0] == pixels[1]


async def _succeeded(api, who, job_id):
    job = (await api.get(f"/v1/jobs/{job_id}", headers=who["headers"])).json()
    assert job["status"] != "failed", job
    return job if job["status"] == "succeeded" else None


def _tiny_lora(tmp_path: Path, seed: int) -> bytes:
    """A random LoRA for the tiny model's UNet, as one .safetensors file in diffusers' layout."""
    import torch
    from diffusers import StableDiffusionPipeline, UNet2DConditionModel
    from peft import LoraConfig
    from peft.utils import get_peft_model_state_dict

    unet = UNet2DConditionModel.from_pretrained(build_tiny_sd(tmp_path / f"tiny-{seed}") / "unet")
    torch.manual_seed(seed)
    unet.add_adapter(LoraConfig(r=4, lora_alpha=4, target_modules=["to_k", "to_q", "to_v", "to_out.0"],
                                init_lora_weights=False))
    StableDiffusionPipeline.save_lora_weights(tmp_path / f"lora-{seed}", weight_name="lora.safetensors",
                                              unet_lora_layers=get_peft_model_state_dict(unet))
    return (tmp_path / f"lora-{seed}" / "lora.safetensors").read_bytes()


async def test_a_lora_changes_a_job_and_never_leaks_into_the_next(mapi, mstack, people, s3, tmp_path):
    """Import a LoRA from S3; a job with it differs from the plain image, and the plain job after it is unchanged."""
    s3.put_object(Bucket=SOURCES, Key="loras/fox.safetensors", Body=_tiny_lora(tmp_path, 11))
    admin = {"Authorization": f"Bearer {mstack.admin_key}"}
    r = await mapi.post("/v1/users", json={"username": f"erin{uuid.uuid4().hex[:6]}",
                                           "roles": ["user", people["roles"]["artists"]]}, headers=admin)
    erin = r.json()
    r = await mapi.post(f"/v1/users/{erin['id']}/keys", json={"name": "t"}, headers=admin)
    erin["headers"] = {"Authorization": f"Bearer {r.json()['secret']}"}
    alice = people["alice"]
    shared = {"visibility": "roles", "shared_roles": [people["roles"]["artists"]]}
    lora = await finished(mapi, alice, (await start_import(
        mapi, alice, {"type": "s3", "uri": f"s3://{SOURCES}/loras/fox.safetensors"}, name="fox-lora", kind="lora",
        base="tiny", **shared))["id"])
    assert lora["status"] == "ready" and lora["format"] == "safetensors", lora
    s3.put_object(Bucket=SOURCES, Key="loras/xl.safetensors", Body=_tiny_lora(tmp_path, 12))
    xl = await finished(mapi, alice, (await start_import(
        mapi, alice, {"type": "s3", "uri": f"s3://{SOURCES}/loras/xl.safetensors"}, name="xl-lora", kind="lora",
        base="sdxl", **shared))["id"])
    assert xl["status"] == "ready", xl
    if not mstack.workers:
        mstack.start_worker()
    await mstack.wait_ready()

    async def image(**extra) -> bytes:
        r = await mapi.post("/v1/jobs", json={"prompt": "a fox", "model": "tiny-sd", "seed": 5, "steps": 2,
                                              "width": 64, "height": 64, **extra}, headers=erin["headers"])
        assert r.status_code == 201, r.text
        done = await wait_for(lambda job_id=r.json()["id"]: _succeeded(mapi, erin, job_id), timeout=120)
        assert [x["model"]["id"] for x in done["spec"]["loras"]] == ([lora["id"]] if extra else [])
        got = await mapi.get(done["images"][0]["url"], headers=erin["headers"])
        return Image.open(io.BytesIO(got.content)).tobytes()

    plain = await image()
    with_lora = await image(loras=[{"name": lora["title"], "weight": 1}])
    assert with_lora != plain
    assert await image() == plain  # bit for bit: the LoRA was detached
    assert await image(loras=[{"name": lora["id"], "weight": 1.0}]) == with_lora

    before = (await mapi.get("/v1/jobs", headers=erin["headers"])).json()["items"]
    for loras, reason in (([{"name": xl["title"]}], "base sdxl LoRA"),
                          ([{"name": "no-such-lora"}], "unknown lora model"),
                          ([{"name": "tiny-sd"}], "is a checkpoint, not a lora"),
                          ([{"name": lora["id"]}, {"name": lora["title"]}], "named twice")):
        r = await mapi.post("/v1/jobs", json={"prompt": "a fox", "steps": 2, "loras": loras},
                            headers=erin["headers"])
        assert r.status_code == 422, r.text
        problem = r.json()
        assert problem["details"]["field"] == f"loras.{len(loras) - 1}.name" and reason in problem["message"], problem
    r = await mapi.post("/v1/jobs", json={"prompt": "a fox", "loras": [{"name": lora["id"], "weight": 11}]},
                        headers=erin["headers"])
    assert r.status_code == 422 and "loras" in r.json()["details"]["field"], r.text
    r = await mapi.post("/v1/jobs", json={"prompt": "a fox", "model": lora["title"]}, headers=erin["headers"])
    assert r.status_code == 422 and r.json()["details"]["field"] == "model"
    assert "is a lora, not a checkpoint" in r.json()["message"]
    assert (await mapi.get("/v1/jobs", headers=erin["headers"])).json()["items"] == before  # nothing queued
