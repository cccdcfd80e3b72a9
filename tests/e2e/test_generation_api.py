"""POST /v1/jobs beyond txt2img: img2img, styles, LoRA tags, ControlNet, hires fix, extras. Every bad field is a
422 naming it, before any input image is stored or any job queued."""

from __future__ import annotations

import base64
import io
import uuid

import numpy as np
import pytest
from PIL import Image
from safetensors.numpy import save

from helpers import ensure_tenant, tiny_lora, until_status, upload_model, wait_for
from hypernetworks import write as write_hypernetwork


def png_b64(width: int, height: int, color=(200, 40, 40)) -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def random_weights(seed: int) -> bytes:
    return save({"emb_params": np.random.default_rng(seed).standard_normal((1, 32)).astype(np.float32)})


@pytest.fixture(scope="module")
async def world(api, admin_headers, tmp_path_factory) -> dict:
    """A tenant of its own (so no other test's models are visible) with a LoRA, a ControlNet and an embedding."""
    suffix = uuid.uuid4().hex[:6]
    tenant = f"gen-{suffix}"
    await ensure_tenant(api, admin_headers, tenant)
    r = await api.post("/v1/users", json={"username": f"genadmin{suffix}", "tenant_id": tenant, "roles": ["admin"]},
                       headers=admin_headers)
    assert r.status_code == 201, r.text
    key = (await api.post(f"/v1/users/{r.json()['id']}/keys", json={"name": "t"}, headers=admin_headers)).json()
    owner = {"Authorization": f"Bearer {key['secret']}"}
    tmp = tmp_path_factory.mktemp("generation")
    lora = await upload_model(api, owner, f"fox-{suffix}", "lora", tiny_lora(tmp, 21))
    controlnet = await upload_model(api, owner, f"edges-{suffix}", "controlnet", random_weights(1))
    embedding = await upload_model(api, owner, f"shiny{suffix}.safetensors", "embedding", random_weights(2))
    hypernetwork = await upload_model(api, owner, f"glow-{suffix}", "hypernetwork",
                                      write_hypernetwork(tmp / "glow.safetensors").read_bytes())
    return {"tenant": tenant, "lora": lora, "controlnet": controlnet, "embedding": embedding,
            "hypernetwork": hypernetwork}


@pytest.fixture
async def member(api, admin_headers, world) -> dict:
    """A plain user of the world's tenant."""
    r = await api.post("/v1/users", json={"username": f"m{uuid.uuid4().hex[:8]}", "tenant_id": world["tenant"]},
                       headers=admin_headers)
    assert r.status_code == 201, r.text
    user = r.json()
    key = (await api.post(f"/v1/users/{user['id']}/keys", json={"name": "t"}, headers=admin_headers)).json()
    user["headers"] = {"Authorization": f"Bearer {key['secret']}"}
    return user


def _unit(world, **fields) -> dict:
    return {"model": world["controlnet"]["name"], "image": png_b64(64, 64), **fields}


BAD = {  # name: (body, field, words in the message)
    "bad base64": (lambda w: {"init_images": ["not base64!"]}, "init_images.0", "base64"),
    "not an image": (lambda w: {"init_images": [png_b64(64, 64), base64.b64encode(b"hello").decode()]},
                     "init_images.1", "is not a PNG"),
    "mask without init image": (lambda w: {"mask": png_b64(64, 64)}, "mask", "init_images"),
    "unknown style": (lambda w: {"styles": ["no-such-style"]}, "styles.0", "unknown style"),
    "unknown lora tag": (lambda w: {"prompt": "a fox <lora:no-such-lora:0.8>"}, "prompt", "unknown lora"),
    "lora tag of another kind": (lambda w: {"prompt": "a fox <lora:tiny-sd:1>"}, "prompt",
                                 "is a checkpoint, not a lora"),
    "unknown hypernetwork tag": (lambda w: {"prompt": "a fox <hypernet:x:1>"}, "prompt", "unknown hypernetwork"),
    "hypernetwork weight": (lambda w: {"prompt": f"a fox <hypernet:{w['hypernetwork']['name']}:11>"}, "prompt",
                            "outside -10..10"),
    "unknown controlnet model": (lambda w: {"controlnets": [{"model": "no-such-cn", "image": png_b64(64, 64)}]},
                                 "controlnets.0.model", "unknown controlnet"),
    "lora as controlnet": (lambda w: {"controlnets": [_unit(w, model=w["lora"]["name"])]}, "controlnets.0.model",
                           "is a lora, not a controlnet"),
    "unknown module": (lambda w: {"controlnets": [_unit(w), _unit(w, module="depth_wizard")]},
                       "controlnets.1.module", "canny"),
    "missing annotator": (lambda w: {"controlnets": [_unit(w, module="softedge_hed")]}, "controlnets.0.module",
                          "ControlNetHED"),
    "guidance start after end": (lambda w: {"controlnets": [_unit(w, guidance_start=0.8, guidance_end=0.2)]},
                                 "controlnets.0.guidance_start", "guidance_end"),
    "control image missing on txt2img": (lambda w: {"controlnets": [{"model": w["controlnet"]["name"]}]},
                                         "controlnets.0.image", "required"),
    "hires too large": (lambda w: {"controlnets": [_unit(w)], "hires": {"width": 4096}}, "hires.width",
                        "over the limit"),
    "unknown hires upscaler": (lambda w: {"controlnets": [_unit(w)], "hires": {"upscaler": "Magic 9000"}},
                               "hires.upscaler", "Latent"),
    "too many images": (lambda w: {"batch_size": 8, "n_iter": 3}, "n_iter", "at most 16"),
    "sdxl conditioning on sd": (lambda w: {"sdxl": {"original_width": 1024}}, "sdxl.original_width",
                                "SDXL checkpoints only"),
    "refiner on sd": (lambda w: {"refiner": {"model": "tiny-sdxl"}}, "refiner.model", "SDXL checkpoints only"),
    "sd refiner on sdxl": (lambda w: {"model": "tiny-sdxl", "refiner": {"model": "tiny-sd"}}, "refiner.model",
                           "base tiny checkpoint"),
    "refiner for extras": (lambda w: {"init_images": [png_b64(64, 64)], "extras": {"scale": 2},
                                      "refiner": {"model": "tiny-sdxl"}}, "refiner", "does not apply to extras"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
async def test_bad_input_is_a_422_naming_the_field_and_leaves_nothing_behind(api, stack, world, member, case):
    make, field, words = BAD[case]
    body = {"prompt": "a fox", "steps": 2, "width": 64, "height": 64, **make(world)}
    r = await api.post("/v1/jobs", json=body, headers=member["headers"])
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "validation_error" and problem["details"]["field"] == field, problem
    assert words in problem["message"], problem
    assert (await api.get("/v1/jobs", headers=member["headers"])).json()["items"] == []
    store = stack._server.config.app.state.store
    assert await store.list(f"{world['tenant']}/{member['id']}/") == []


async def _done(api, who, job_id: str) -> dict:
    job = await until_status(api, job_id, who["headers"], "succeeded", "failed")
    assert job["status"] == "succeeded", job
    return job


async def _pixels(api, who, job: dict, index: int = 0) -> Image.Image:
    r = await api.get(job["images"][index]["url"], headers=who["headers"])
    assert r.status_code == 200, r.text
    return Image.open(io.BytesIO(r.content))


async def test_a_lora_tag_in_the_prompt_applies_the_lora(api, world, member):
    lora = world["lora"]
    results = {}
    for name, body in (("plain", {"prompt": "a fox"}),
                       ("tag", {"prompt": f"a fox <lora:{lora['name']}:0.9>"}),
                       ("field", {"prompt": "a fox", "loras": [{"name": lora["name"], "weight": 0.9}]})):
        r = await api.post("/v1/jobs", json={**body, "seed": 3, "steps": 2, "width": 64, "height": 64},
                           headers=member["headers"])
        assert r.status_code == 201, r.text
        results[name] = await _done(api, member, r.json()["id"])
    spec = results["tag"]["spec"]
    assert [(x["model"]["id"], x["weight"]) for x in spec["loras"]] == [(lora["id"], 0.9)]
    assert "<lora" not in spec["prompt"] and spec["prompt"].startswith("a fox")
    images = {name: (await _pixels(api, member, job)).tobytes() for name, job in results.items()}
    assert images["tag"] != images["plain"]
    assert images["tag"] == images["field"]


async def test_a_hypernetwork_tag_applies_the_hypernetwork_and_the_web_ui_lists_it(api, world, member):
    hypernetwork = world["hypernetwork"]
    jobs = {}
    for name, prompt in (("plain", "a fox"), ("tag", f"a fox <hypernet:{hypernetwork['name']}:0.6>")):
        r = await api.post("/v1/jobs", json={"prompt": prompt, "seed": 3, "steps": 2, "width": 64, "height": 64},
                           headers=member["headers"])
        assert r.status_code == 201, r.text
        jobs[name] = await _done(api, member, r.json()["id"])
    spec = jobs["tag"]["spec"]
    assert [(x["model"]["id"], x["weight"]) for x in spec["hypernetworks"]] == [(hypernetwork["id"], 0.6)]
    assert "<hypernet" not in spec["prompt"]
    assert (await _pixels(api, member, jobs["tag"])).tobytes() != (await _pixels(api, member, jobs["plain"])).tobytes()
    listed = (await api.get("/sdapi/v1/hypernetworks", headers=member["headers"])).json()
    assert {"name": hypernetwork["name"], "path": hypernetwork["title"]} in listed


async def test_saved_styles_are_merged_into_the_prompts(api, member):
    styles = [{"name": "warm", "prompt": "golden light", "negative_prompt": "blurry"},
              {"name": "framed", "prompt": "a photo of {prompt}, framed"}]
    r = await api.patch("/v1/me/settings", json={"styles": styles}, headers=member["headers"])
    assert r.status_code == 200, r.text

    async def accepted():  # the gateway drops its cached settings when the change is announced
        r = await api.post("/v1/jobs", json={"prompt": "a fox", "negative_prompt": "dark", "styles": ["warm", "framed"],
                                             "steps": 1, "width": 64, "height": 64}, headers=member["headers"])
        assert r.status_code in (201, 422), r.text
        return r.json() if r.status_code == 201 else None

    job = await wait_for(accepted, timeout=10)
    assert job["spec"]["prompt"] == "a photo of a fox, golden light, framed"
    assert job["spec"]["negative_prompt"] == "dark, blurry"
    await _done(api, member, job["id"])


async def test_embeddings_named_in_the_prompt_are_resolved(api, world, member):
    word = world["embedding"]["name"].removesuffix(".safetensors")
    r = await api.post("/v1/jobs", json={"prompt": f"a {word} fox", "steps": 1, "width": 64, "height": 64},
                       headers=member["headers"])
    assert r.status_code == 201, r.text
    assert [(e["name"], e["model"]["id"]) for e in r.json()["spec"]["embeddings"]] == [
        (word, world["embedding"]["id"])]
    await api.delete(f"/v1/jobs/{r.json()['id']}", headers=member["headers"])


async def test_img2img_gives_the_requested_size_and_stores_the_init_image(api, stack, world, member):
    init = png_b64(96, 80, (30, 90, 200))
    r = await api.post("/v1/jobs", json={"prompt": "a fox", "init_images": [init], "denoising_strength": 0.6,
                                         "steps": 2, "width": 64, "height": 48, "seed": 5},
                       headers=member["headers"])
    assert r.status_code == 201, r.text
    spec = r.json()["spec"]
    assert spec["task"] == "img2img" and spec["denoising_strength"] == 0.6
    stored = spec["init_images"][0]
    assert (stored["width"], stored["height"]) == (96, 80)
    assert stored["key"].startswith(f"{world['tenant']}/{member['id']}/inputs/")
    assert await stack._server.config.app.state.store.exists(stored["key"])
    job = await _done(api, member, r.json()["id"])
    assert (await _pixels(api, member, job)).size == (64, 48)


async def test_hires_fix_output_has_the_hires_size(api, member):
    r = await api.post("/v1/jobs", json={"prompt": "a fox", "steps": 2, "width": 64, "height": 48, "seed": 2,
                                         "hires": {"scale": 1.5, "steps": 1}}, headers=member["headers"])
    assert r.status_code == 201, r.text
    hires = r.json()["spec"]["hires"]
    assert (hires["width"], hires["height"], hires["upscaler"], hires["prompt"]) == (96, 72, "Latent", "a fox")
    job = await _done(api, member, r.json()["id"])
    assert (await _pixels(api, member, job)).size == (96, 72)


async def test_extras_upscales_each_image_by_the_scale(api, member):
    r = await api.post("/v1/jobs", json={"init_images": [png_b64(40, 24), png_b64(30, 30)],
                                         "extras": {"upscaler": "Lanczos", "scale": 2}}, headers=member["headers"])
    assert r.status_code == 201, r.text
    assert r.json()["spec"]["task"] == "extras"
    job = await _done(api, member, r.json()["id"])
    assert [(await _pixels(api, member, job, i)).size for i in range(2)] == [(80, 48), (60, 60)]


async def test_img2img_without_a_size_takes_the_init_images_and_outpaint_adds_its_padding(api, member):
    sizes = []
    for extra in ({}, {"outpaint": {"left": 16, "bottom": 8}}, {"width": 64}):
        r = await api.post("/v1/jobs", json={"prompt": "a fox", "init_images": [png_b64(96, 72)], "steps": 1,
                                             **extra}, headers=member["headers"])
        assert r.status_code == 201, r.text
        sizes.append((r.json()["spec"]["width"], r.json()["spec"]["height"]))
        await api.delete(f"/v1/jobs/{r.json()['id']}", headers=member["headers"])
    assert sizes == [(96, 72), (112, 80), (64, 48)]  # a width alone keeps the init image's aspect
    r = await api.post("/v1/jobs", json={"prompt": "a fox", "init_images": [png_b64(96, 72)],
                                         "outpaint": {"left": 12}}, headers=member["headers"])
    assert r.status_code == 422 and r.json()["details"]["field"] == "outpaint.left", r.text
