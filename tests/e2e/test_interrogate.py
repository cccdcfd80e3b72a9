"""POST /sdapi/v1/interrogate through the whole stack, called by the unmodified `webuiapi` client: tiny CLIP
interrogator and tagger models imported from S3 folders, a 422 naming the model when none is imported, the web
UI's 404 for an unknown model name, and another user's private interrogator never used."""

from __future__ import annotations

import asyncio
import uuid

import boto3
import pytest
import test_inference as webui
import webuiapi
from interrogator_models import build_tiny_clip_interrogator, build_tiny_tagger
from PIL import Image

from helpers import wait_for

pytestmark = pytest.mark.slow
s3_env, wstack, wapi = webui.s3_env, webui.wstack, webui.wapi
SOURCES = webui.SOURCES
# sigmoid(bias): 1girl .953, solo .047, long_hair .953, "smile (happy)" .731, outdoors .269, sky .622, tree .450,
# rating:safe .993 (interrogator_models.TAGS)
BIAS = [3.0, -3.0, 3.0, 1.0, -1.0, 0.5, -0.2, 5.0]


@pytest.fixture(scope="module")
def s3(s3_env):
    client = boto3.client("s3", endpoint_url=s3_env["EASEL_S3_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing-secret")
    client.create_bucket(Bucket=SOURCES)
    return client


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("interrogators")
    return {"clip": build_tiny_clip_interrogator(tmp / "clip", {"mediums": ["a photo", "a painting"]}),
            "tagger": build_tiny_tagger(tmp / "tagger", bias=BIAS)}


async def import_folder(api, headers: dict, s3, folder, name: str, visibility: str) -> dict:
    prefix = f"{uuid.uuid4().hex[:8]}/"
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        s3.put_object(Bucket=SOURCES, Key=prefix + path.relative_to(folder).as_posix(), Body=path.read_bytes())
    r = await api.post("/v1/models", headers=headers, json={
        "name": name, "kind": "interrogator", "base": "sd15", "visibility": visibility,
        "source": {"type": "s3", "uri": f"s3://{SOURCES}/{prefix}"}})
    assert r.status_code == 201, r.text

    async def ready():
        model = (await api.get(f"/v1/models/{r.json()['id']}", headers=headers)).json()
        assert model["status"] != "failed", model
        return model if model["status"] == "ready" else None

    return await wait_for(ready, timeout=120)


async def client(stack, user: dict) -> webuiapi.WebUIApi:
    return await asyncio.to_thread(webuiapi.WebUIApi, baseurl=f"{stack.gateway_url}/sdapi/v1",
                                   username=user["username"], password=user["key"])


async def interrogate(api: webuiapi.WebUIApi, model: str, shade: int = 40) -> str:
    """The caption of a plain picture (the same call again within a short window is the same job: vary `shade`
    for a new one)."""
    image = Image.new("RGB", (96, 64), (180, 60, shade))
    return (await asyncio.to_thread(api.interrogate, image, model=model)).info


async def test_interrogate_with_imported_models_and_their_boundaries(wapi, wstack, s3, folders):
    tenant = f"interrogate-{uuid.uuid4().hex[:6]}"
    alice = await webui.member(wapi, wstack, tenant)
    bob = await webui.member(wapi, wstack, tenant, ("admin",))
    alice_api, bob_api = await client(wstack, alice), await client(wstack, bob)

    # nothing imported: a 422 that names the model to import, before any job
    with pytest.raises(RuntimeError) as refused:
        await interrogate(alice_api, "clip")
    assert refused.value.args[0] == 422, refused.value.args[1]
    assert "no clip interrogator model is imported" in refused.value.args[1] and "interrogator" in refused.value.args[1]

    # bob's private CLIP interrogator: his calls use it, alice's never do
    private = await import_folder(wapi, bob["headers"], s3, folders["clip"], "bobs-blip", "private")
    caption = await interrogate(bob_api, "clip")
    words, *terms = caption.split(", ")
    assert words.strip() and terms and terms[-1] in ("a photo", "a painting")
    with pytest.raises(RuntimeError) as refused:
        await interrogate(alice_api, "clip")
    assert refused.value.args[0] == 422, refused.value.args[1]
    for name in ("bobs-blip", private["id"]):  # by name or id: the web UI's answer to a model it does not have
        with pytest.raises(RuntimeError) as unknown:
            await interrogate(alice_api, name)
        assert unknown.value.args[0] == 404 and "Model not found" in unknown.value.args[1]
    r = await wapi.post("/sdapi/v1/options", headers=alice["headers"],
                        json={"easel_interrogate_clip_model": "bobs-blip"})
    assert r.status_code == 200, r.text
    with pytest.raises(RuntimeError) as refused:
        await interrogate(alice_api, "clip")
    assert refused.value.args[0] == 422 and "easel_interrogate_clip_model" in refused.value.args[1]

    # a tagger shared with the tenant: alice's tags, as her saved web UI options write them
    await import_folder(wapi, bob["headers"], s3, folders["tagger"], "tenant-tagger", "public")
    assert await interrogate(alice_api, "deepdanbooru") == "1girl, long hair, sky, smile \\(happy\\)"
    r = await wapi.post("/sdapi/v1/options", headers=alice["headers"], json={
        "interrogate_deepbooru_score_threshold": 0.7, "deepbooru_sort_alpha": False, "deepbooru_escape": False})
    assert r.status_code == 200, r.text
    assert await interrogate(alice_api, "deepdanbooru", shade=41) == "1girl, long hair, smile (happy)"
    assert await interrogate(alice_api, "tenant-tagger", shade=42) == "1girl, long hair, smile (happy)"  # by name

    # an interrogate job is one of alice's jobs, with no images
    jobs = (await wapi.get("/v1/jobs", headers=alice["headers"], params={"limit": 10})).json()["items"]
    assert jobs[0]["spec"]["task"] == "interrogate" and jobs[0]["status"] == "succeeded" and jobs[0]["images"] == []
    # a bad image is refused naming the field
    r = await wapi.post("/sdapi/v1/interrogate", headers=alice["headers"],
                        json={"image": "not base64!", "model": "deepdanbooru"})
    assert r.status_code == 422 and r.json()["details"]["field"] == "image"
    r = await wapi.post("/sdapi/v1/interrogate", headers=alice["headers"], json={"model": "deepdanbooru"})
    assert r.status_code == 404 and r.json()["detail"] == "Image not found"
