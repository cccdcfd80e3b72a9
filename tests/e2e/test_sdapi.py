"""The web UI's API over HTTP: generation as the caller's jobs, lists, per-user options and progress, png-info,
the web UI's error shape, HTTP Basic auth."""

from __future__ import annotations

import asyncio
import base64
import io
import json
import uuid

import httpx
import pytest
from PIL import Image

from helpers import new_user, until_status, wait_for

SMALL = {"steps": 3, "width": 64, "height": 64, "sampler_name": "Euler a"}


def basic(user: dict) -> httpx.BasicAuth:
    return httpx.BasicAuth(user["username"], user["key"])


def png(b64: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(b64)))


async def job_ids(api, user) -> list[str]:
    r = await api.get("/v1/jobs", headers=user["headers"], params={"limit": 100})
    return [job["id"] for job in r.json()["items"]]


async def test_txt2img_answers_in_the_web_ui_shape_and_is_the_callers_job(api, user):
    r = await api.post("/sdapi/v1/txt2img", auth=basic(user), json={
        "prompt": "a red fox", "negative_prompt": "blurry", "seed": 42, "batch_size": 2, "width": 67,
        **{k: v for k, v in SMALL.items() if k != "width"}, "force_task_id": f"t-{uuid.uuid4().hex}",
        "styles": [""], "restore_faces": False, "s_churn": 0, "do_not_save_grid": True})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["images"]) == 2
    assert [png(b).size for b in body["images"]] == [(64, 64)] * 2  # 67 is floored to a multiple of 8
    assert body["parameters"]["prompt"] == "a red fox" and body["parameters"]["seed"] == 42
    info = json.loads(body["info"])  # a JSON string, as clients parse it
    assert info["all_seeds"] == [42, 43] and info["seed"] == 42
    assert info["sd_model_name"] == "tiny-sd" and info["sampler_name"] == "Euler a" and info["steps"] == 3
    assert info["negative_prompt"] == "blurry" and info["index_of_first_image"] == 0
    assert len(info["infotexts"]) == 2 and "Seed: 43" in info["infotexts"][1]
    (job,) = (await api.get("/v1/jobs", headers=user["headers"])).json()["items"]
    assert job["status"] == "succeeded" and [i["seed"] for i in job["images"]] == [42, 43]


async def test_sdxl_from_the_web_ui_api_with_its_options_and_refiner(api, user):
    r = await api.post("/sdapi/v1/txt2img", auth=basic(user), json={
        "prompt": "a red fox", "seed": 5, **SMALL, "refiner_checkpoint": "tiny-sdxl", "refiner_switch_at": 0.5,
        "override_settings": {"sd_model_checkpoint": "tiny-sdxl", "sdxl_crop_top": 16,
                              "sdxl_refiner_low_aesthetic_score": 2.5}})
    assert r.status_code == 200, r.text
    info = json.loads(r.json()["info"])
    assert info["sd_model_name"] == "tiny-sdxl" and png(r.json()["images"][0]).size == (64, 64)
    assert "Refiner: tiny-sdxl, Refiner switch at: 0.5" in info["infotexts"][0]
    (job, *_) = (await api.get("/v1/jobs", headers=user["headers"])).json()["items"]
    assert job["spec"]["sdxl"]["crop_top"] == 16 and job["spec"]["refiner"]["switch_at"] == 0.5


async def test_send_images_false_returns_no_images_but_the_info(api, user):
    r = await api.post("/sdapi/v1/txt2img", auth=basic(user), json={"prompt": "x", "seed": 3, "send_images": False,
                                                                   **SMALL})
    assert r.status_code == 200, r.text
    assert r.json()["images"] == [] and json.loads(r.json()["info"])["all_seeds"] == [3]


async def test_new_samplers_and_schedules_and_an_unknown_scheduler_as_the_web_ui_takes_it(api, user):
    r = await api.post("/sdapi/v1/txt2img", auth=basic(user), json={
        "prompt": "x", "seed": 3, **SMALL, "sampler_name": "DPM++ 3M SDE", "scheduler": "Align Your Steps"})
    assert r.status_code == 200, r.text
    assert "Sampler: DPM++ 3M SDE, Schedule type: Align Your Steps" in json.loads(r.json()["info"])["infotexts"][0]
    r = await api.post("/sdapi/v1/txt2img", auth=basic(user), json={"prompt": "x", "seed": 3, "scheduler": "zigzag",
                                                                   **SMALL})
    assert r.status_code == 200, r.text  # the web UI falls back to automatic
    assert "'zigzag'" in json.loads(r.json()["info"])["warnings"][0]


async def test_png_info_reads_back_the_parameters_of_a_generated_image(api, user):
    r = await api.post("/sdapi/v1/txt2img", headers=user["headers"], json={
        "prompt": "a lighthouse", "negative_prompt": "fog", "seed": 9, **SMALL})
    image = r.json()["images"][0]
    r = await api.post("/sdapi/v1/png-info", headers=user["headers"], json={"image": "data:image/png;base64," + image})
    assert r.status_code == 200, r.text
    out = r.json()
    assert "Seed: 9" in out["info"]
    params = out["parameters"]
    assert params["Prompt"] == "a lighthouse" and params["Negative prompt"] == "fog"
    assert params["Seed"] == "9" and params["Steps"] == "3" and params["Sampler"] == "Euler a"
    assert (params["Size-1"], params["Size-2"]) == ("64", "64")


async def test_lists_in_the_web_ui_shapes(api, user):
    auth = basic(user)
    samplers = (await api.get("/sdapi/v1/samplers", auth=auth)).json()
    euler_a = next(s for s in samplers if s["name"] == "Euler a")
    assert "k_euler_a" in euler_a["aliases"] and euler_a["options"] == {}
    assert next(s for s in samplers if s["name"] == "DPM++ 2M Karras")["options"] == {"scheduler": "karras"}
    # what "automatic" means for a sampler, as the web UI 1.10 lists it
    assert next(s for s in samplers if s["name"] == "DPM++ 2M")["options"] == {"scheduler": "karras"}
    assert next(s for s in samplers if s["name"] == "DPM++ 3M SDE")["options"] == {"scheduler": "exponential"}
    assert {"DPM++ 3M SDE", "DPM++ 2M SDE Heun"} <= {s["name"] for s in samplers}
    assert not {"DPM fast", "DPM adaptive", "Restart", "DDIM CFG++"} & {s["name"] for s in samplers}  # not run
    schedulers = (await api.get("/sdapi/v1/schedulers", auth=auth)).json()
    assert {"name": "karras", "label": "Karras"}.items() <= next(s for s in schedulers if s["name"] == "karras").items()
    assert [s["name"] for s in schedulers] == ["automatic", "uniform", "karras", "exponential", "polyexponential",
                                               "sgm_uniform", "kl_optimal", "align_your_steps", "simple", "normal",
                                               "ddim", "beta"]
    models = (await api.get("/sdapi/v1/sd-models", auth=auth)).json()
    tiny = next(m for m in models if m["model_name"] == "tiny-sd")
    assert set(tiny) == {"title", "model_name", "hash", "sha256", "filename", "config"} and tiny["title"] == "tiny-sd"
    upscalers = [u["name"] for u in (await api.get("/sdapi/v1/upscalers", auth=auth)).json()]
    assert {"None", "Lanczos", "Nearest"} <= set(upscalers)
    modes = [m["name"] for m in (await api.get("/sdapi/v1/latent-upscale-modes", auth=auth)).json()]
    assert "Latent" in modes and "Latent (nearest-exact)" in modes
    scripts = (await api.get("/sdapi/v1/scripts", auth=auth)).json()
    assert "x/y/z plot" in scripts["txt2img"] and "loopback" in scripts["img2img"]
    assert "loopback" not in scripts["txt2img"]
    info = (await api.get("/sdapi/v1/script-info", auth=auth)).json()
    xyz = next(s for s in info if s["name"] == "x/y/z plot" and not s["is_img2img"])
    assert xyz["args"][0]["choices"][:2] == ["Nothing", "Seed"]
    assert (await api.get("/sdapi/v1/embeddings", auth=auth)).json() == {"loaded": {}, "skipped": {}}
    for empty in ("hypernetworks", "face-restorers", "extensions", "loras", "sd-vae"):
        assert (await api.get(f"/sdapi/v1/{empty}", auth=auth)).json() == [], empty
    assert "ram" in (await api.get("/sdapi/v1/memory", auth=auth)).json()
    flags = (await api.get("/sdapi/v1/cmd-flags", auth=auth)).json()
    assert flags["api"] is True and flags["api_auth"] is None
    assert (await api.post("/sdapi/v1/refresh-checkpoints", auth=auth)).status_code == 200
    assert (await api.get("/controlnet/version", auth=auth)).json() == {"version": 2}
    modules = (await api.get("/controlnet/module_list", auth=auth)).json()
    assert "canny" in modules["module_list"]
    assert [s["name"] for s in modules["module_detail"]["canny"]["sliders"]][1:] == [
        "Canny Low Threshold", "Canny High Threshold"]


async def test_prompt_styles_are_the_callers_own(api, admin_headers):
    alice, bob = await new_user(api, admin_headers), await new_user(api, admin_headers)
    style = {"name": "noir", "prompt": "{prompt}, black and white", "negative_prompt": "color"}
    r = await api.patch("/v1/me/settings", json={"styles": [style]}, headers=alice["headers"])
    assert r.status_code == 200, r.text
    mine = await wait_for(lambda: _styles(api, alice))
    assert mine == [style]
    assert (await api.get("/sdapi/v1/prompt-styles", auth=basic(bob))).json() == []
    r = await api.post("/sdapi/v1/txt2img", auth=basic(alice), json={"prompt": "a cat", "styles": ["noir"], **SMALL})
    assert r.status_code == 200, r.text
    assert json.loads(r.json()["info"])["prompt"] == "a cat, black and white"


async def _styles(api, who):
    return (await api.get("/sdapi/v1/prompt-styles", auth=basic(who))).json()


async def test_options_round_trip_per_user(api, admin_headers):
    alice, bob = await new_user(api, admin_headers), await new_user(api, admin_headers)
    before = (await api.get("/sdapi/v1/options", auth=basic(bob))).json()
    r = await api.post("/sdapi/v1/options", auth=basic(alice), json={
        "sd_model_checkpoint": "tiny-sd", "CLIP_stop_at_last_layers": 2, "grid_format": "jpg",
        "return_grid": False})
    assert r.status_code == 200, r.text
    got = (await api.get("/sdapi/v1/options", auth=basic(alice))).json()
    assert got["sd_model_checkpoint"] == "tiny-sd" and got["CLIP_stop_at_last_layers"] == 2
    assert got["grid_format"] == "jpg" and got["return_grid"] is False and got["sd_vae"] == "Automatic"
    settings = (await api.get("/v1/me/settings", headers=alice["headers"])).json()
    assert settings["model"] == "tiny-sd" and settings["clip_skip"] == 2
    assert (await api.get("/sdapi/v1/options", auth=basic(bob))).json() == before  # nobody else's changed
    r = await api.post("/sdapi/v1/options", auth=basic(alice), json={"sd_model_checkpoint": "no-such-model",
                                                                     "grid_format": "webp"})
    assert r.status_code == 422 and "sd_model_checkpoint" in r.json()["detail"], r.text
    assert (await api.get("/sdapi/v1/options", auth=basic(alice))).json()["grid_format"] == "jpg"


@pytest.mark.parametrize(("payload", "field", "words"), [
    ({"sampler_name": "Warp Drive"}, "sampler_name", "unknown sampler"),
    ({"sampler_name": None, "sampler_index": "Nope"}, "sampler_index", "unknown sampler"),
    ({"sampler_name": "DPM adaptive"}, "sampler_name", "not available on Easel"),
    ({"sampler_name": "Heun", "s_churn": 1.0}, "s_churn", "cannot take churn"),
    ({"steps": 0}, "steps", "greater than or equal to 1"),
    ({"restore_faces": True}, "restore_faces", "no face restorer"),
    ({"alwayson_scripts": {"ADetailer": {"args": [True]}}}, "alwayson_scripts.ADetailer", "not found"),
    ({"script_name": "outpainting mk2"}, "script_name", "not found"),
    ({"script_name": "loopback"}, "script_name", "not found"),  # an img2img script
    ({"override_settings": {"sd_model_checkpoint": "no-such-model"}}, "override_settings.sd_model_checkpoint",
     "unknown checkpoint model"),
    ({"override_settings": {"CLIP_stop_at_last_layers": 40}}, "override_settings.CLIP_stop_at_last_layers",
     "less than or equal to 12"),
    ({"override_settings": {"token_merging_ratio": 0.95}}, "override_settings.token_merging_ratio", "within 0..0.9"),
    ({"enable_hr": True, "hr_upscaler": "Magic 9x"}, "hr_upscaler", "Magic 9x"),
    ({"styles": ["", "missing"]}, "styles.1", "unknown style"),
    ({"alwayson_scripts": {"controlnet": {"args": [{"enabled": False}, {
        "enabled": True, "model": "tiny-sd", "weight": 5, "image": "aGk="}]}}},
     "alwayson_scripts.controlnet.args.1.weight", "less than or equal to 2"),
    ({"alwayson_scripts": {"controlnet": {"args": [{"enabled": True, "model": "x", "guidance_start": 0.8,
                                                    "guidance_end": 0.2}]}}},
     "alwayson_scripts.controlnet.args.0.guidance_start", "after guidance_end"),
    ({"refiner_checkpoint": "tiny-sdxl", "refiner_switch_at": 0.5}, "refiner_checkpoint", "SDXL checkpoints only"),
    ({"override_settings": {"sdxl_crop_top": 32, "sdxl_crop_left": 0}}, "override_settings.sdxl_crop_top",
     "SDXL checkpoints only"),
    ({"override_settings": {"sd_model_checkpoint": "tiny-sdxl"}, "refiner_checkpoint": "tiny-sd"},
     "refiner_checkpoint", "base tiny checkpoint"),
    ({"script_name": "x/y/z plot", "script_args": [99, "1,2"]}, "script_args.0", "no axis 99"),
    ({"script_name": "x/y/z plot", "script_args": ["Steps", "1,two"]}, "script_args.1", "Steps"),
    ({"script_name": "x/y/z plot", "script_args": ["Sampler", "", ["Euler a", "Bogus"]]}, "script_args.1",
     "unknown sampler"),
])
async def test_bad_input_is_a_422_in_the_web_ui_shape_naming_the_field(api, user, payload, field, words):
    before = await job_ids(api, user)
    r = await api.post("/sdapi/v1/txt2img", auth=basic(user), json={"prompt": "a fox", **SMALL, **payload})
    assert r.status_code == 422, r.text[:300]
    body = r.json()
    assert {"error", "detail", "body", "errors"} <= set(body)
    assert body["detail"].startswith(f"{field}:") and words in body["detail"], body
    assert await job_ids(api, user) == before  # nothing queued


async def test_img2img_without_an_init_image_is_refused(api, user):
    r = await api.post("/sdapi/v1/img2img", auth=basic(user), json={"prompt": "a fox"})
    assert r.status_code == 422 and r.json()["detail"].startswith("init_images:"), r.text
    r = await api.post("/sdapi/v1/img2img", auth=basic(user), json={"init_images": ["not base64!"]})
    assert r.status_code == 422 and r.json()["detail"].startswith("init_images.0:"), r.text


async def test_basic_auth_takes_the_username_and_a_key_of_that_user(api, admin_headers):
    alice, bob = await new_user(api, admin_headers), await new_user(api, admin_headers)
    assert (await api.get("/sdapi/v1/options", auth=basic(alice))).status_code == 200
    for auth in (httpx.BasicAuth(bob["username"], alice["key"]), httpx.BasicAuth(alice["username"], "esk_wrong")):
        r = await api.get("/sdapi/v1/options", auth=auth)
        assert r.status_code == 401, r.text
        assert r.headers["www-authenticate"].startswith("Basic")
        assert {"error", "detail"} <= set(r.json())
    r = await api.get("/sdapi/v1/options")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Basic")
    # Basic works on Easel's own API too
    assert (await api.get("/v1/me", auth=basic(alice))).json()["username"] == alice["username"]


async def test_a_client_that_leaves_does_not_lose_its_job(api, user, stack):
    task = f"leaver-{uuid.uuid4().hex}"
    body = {"prompt": "a slow fox", "seed": 5, "force_task_id": task, **SMALL, "steps": 30}
    async with httpx.AsyncClient(base_url=stack.gateway_url, timeout=0.5) as impatient:
        with pytest.raises(httpx.ReadTimeout):
            await impatient.post("/sdapi/v1/txt2img", auth=basic(user), json=body)

    async def completed():
        r = await api.post("/internal/progress", auth=basic(user), json={"id_task": task})
        return r.json() if r.json()["completed"] else None

    state = await wait_for(completed, timeout=120)
    assert state["progress"] == 1.0
    (job,) = (await api.get("/v1/jobs", headers=user["headers"])).json()["items"]
    assert job["status"] == "succeeded" and len(job["images"]) == 1


async def test_two_users_at_once_each_see_and_interrupt_only_their_own(api, admin_headers):
    alice, bob = await new_user(api, admin_headers), await new_user(api, admin_headers)
    long = {**SMALL, "steps": 150, "prompt": "a long night"}
    alice_call = asyncio.create_task(api.post("/sdapi/v1/txt2img", auth=basic(alice), json={**long, "seed": 1}))

    async def alice_running():
        r = (await api.get("/sdapi/v1/progress", auth=basic(alice))).json()
        return r if r["state"]["sampling_step"] > 0 else None

    state = await wait_for(alice_running, timeout=120, interval=0.05)
    assert 0 < state["progress"] < 1 and state["state"]["sampling_steps"] == 150 and state["state"]["job_count"] == 1
    bob_call = asyncio.create_task(api.post("/sdapi/v1/txt2img", auth=basic(bob), json={**SMALL, "seed": 2,
                                                                                       "prompt": "bob's"}))
    await wait_for(lambda: _count(api, bob), timeout=30)
    mine = (await api.get("/sdapi/v1/progress", auth=basic(bob))).json()
    assert mine["state"]["sampling_steps"] in (0, 3)  # bob sees his own job, never alice's 150 steps
    assert (await api.post("/sdapi/v1/interrupt", auth=basic(alice))).status_code == 200
    alice_r, bob_r = await alice_call, await bob_call
    assert alice_r.status_code == 200 and len(alice_r.json()["images"]) == 1  # interrupted: the image as it was
    assert bob_r.status_code == 200 and len(bob_r.json()["images"]) == 1
    (alice_job,) = (await api.get("/v1/jobs", headers=alice["headers"])).json()["items"]
    assert alice_job["status"] == "canceled"
    (bob_job,) = (await api.get("/v1/jobs", headers=bob["headers"])).json()["items"]
    await until_status(api, bob_job["id"], bob["headers"], "succeeded")
    idle = (await api.get("/sdapi/v1/progress", auth=basic(bob))).json()
    assert idle["progress"] == 0 and idle["state"]["job_count"] == 0


async def _count(api, who):
    return (await api.get("/sdapi/v1/progress", auth=basic(who))).json()["state"]["job_count"]


async def test_two_users_at_once_both_get_their_own_images(api, admin_headers):
    alice, bob = await new_user(api, admin_headers), await new_user(api, admin_headers)
    calls = [api.post("/sdapi/v1/txt2img", auth=basic(who), json={**SMALL, "prompt": f"{name}'s fox", "seed": seed})
             for who, name, seed in ((alice, "alice", 10), (bob, "bob", 20))]
    alice_r, bob_r = await asyncio.gather(*calls)
    assert alice_r.status_code == bob_r.status_code == 200
    assert json.loads(alice_r.json()["info"])["all_seeds"] == [10]
    assert json.loads(bob_r.json()["info"])["all_seeds"] == [20]
    for who, prompt in ((alice, "alice's fox"), (bob, "bob's fox")):
        (job,) = (await api.get("/v1/jobs", headers=who["headers"])).json()["items"]
        assert job["spec"]["prompt"] == prompt and job["status"] == "succeeded"


async def test_skip_ends_the_running_batch_and_leaves_the_queued_job(api, user):
    long = asyncio.create_task(api.post("/sdapi/v1/txt2img", auth=basic(user), json={
        **SMALL, "steps": 150, "prompt": "long", "seed": 1}))

    async def running():
        r = (await api.get("/sdapi/v1/progress", auth=basic(user))).json()
        return r if r["state"]["sampling_step"] > 0 else None

    await wait_for(running, timeout=120, interval=0.05)
    short = asyncio.create_task(api.post("/sdapi/v1/txt2img", auth=basic(user), json={
        **SMALL, "prompt": "short", "seed": 2}))
    await wait_for(lambda: _queued(api, user), timeout=30)
    assert (await api.post("/sdapi/v1/skip", auth=basic(user))).status_code == 200
    long_r, short_r = await long, await short
    # its only batch ended early: the job is done, with that image as it was
    assert len(long_r.json()["images"]) == 1 and len(short_r.json()["images"]) == 1
    statuses = {j["spec"]["prompt"]: j["status"] for j in (await api.get("/v1/jobs", headers=user["headers"])).json()[
        "items"]}
    assert statuses == {"long": "succeeded", "short": "succeeded"}


async def _queued(api, who):
    r = await api.get("/v1/jobs", headers=who["headers"], params={"status": "queued"})
    return r.json()["items"]


async def test_extras_upscale_one_image_or_a_batch(api, user):
    source = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(source, format="PNG")
    data = base64.b64encode(source.getvalue()).decode()
    r = await api.post("/sdapi/v1/extra-single-image", auth=basic(user), json={
        "image": data, "upscaler_1": "Lanczos", "upscaling_resize": 2})
    assert r.status_code == 200, r.text[:300]
    assert png(r.json()["image"]).size == (64, 48) and "Lanczos" in r.json()["html_info"]
    r = await api.post("/sdapi/v1/extra-batch-images", auth=basic(user), json={
        "imageList": [{"data": data, "name": "a"}, {"data": "data:image/png;base64," + data, "name": "b"}],
        "resize_mode": 1, "upscaling_resize_w": 40, "upscaling_resize_h": 40, "upscaler_1": "Nearest"})
    assert r.status_code == 200, r.text[:300]
    assert [png(i).size for i in r.json()["images"]] == [(40, 40), (40, 40)]
    r = await api.post("/sdapi/v1/extra-batch-images", auth=basic(user), json={
        "imageList": [{"data": data}, {"data": "bm90IGFuIGltYWdl"}], "upscaler_1": "Lanczos"})
    assert r.status_code == 422 and r.json()["detail"].startswith("imageList.1.data:"), r.text[:300]


async def test_hires_fix_from_the_web_ui_fields(api, user):
    r = await api.post("/sdapi/v1/txt2img", auth=basic(user), json={
        **SMALL, "prompt": "a harbour", "enable_hr": True, "hr_scale": 2, "hr_upscaler": "", "denoising_strength": 0.5,
        "hr_second_pass_steps": 2, "hr_sampler_name": "Use same sampler"})
    assert r.status_code == 200, r.text[:300]
    assert png(r.json()["images"][0]).size == (128, 128)
    assert json.loads(r.json()["info"])["denoising_strength"] == 0.5
    (job,) = (await api.get("/v1/jobs", headers=user["headers"])).json()["items"]
    assert job["spec"]["hires"]["upscaler"] == "Latent" and job["spec"]["hires"]["steps"] == 2


async def test_the_same_call_again_within_the_window_is_the_first_calls_job(api, user, stack, monkeypatch):
    """A web UI client sends no key; one that retries a call (after a time-out, say) gets its first job back."""
    monkeypatch.setattr(stack._server.config.app.state.settings, "webui_idempotency_window_s", 60.0)
    body = {"prompt": "a retried fox", "seed": -1, **SMALL}
    first = await api.post("/sdapi/v1/txt2img", auth=basic(user), json=body)
    again = await api.post("/sdapi/v1/txt2img", auth=basic(user), json=body)
    assert first.status_code == again.status_code == 200, again.text
    assert json.loads(again.json()["info"])["all_seeds"] == json.loads(first.json()["info"])["all_seeds"]
    assert len(await job_ids(api, user)) == 1
    other = await api.post("/sdapi/v1/txt2img", auth=basic(user), json={**body, "prompt": "another fox"})
    assert other.status_code == 200 and len(await job_ids(api, user)) == 2  # another request is another job


async def test_the_same_call_again_after_the_window_or_with_its_own_key_is_a_new_job(api, user, stack, monkeypatch):
    monkeypatch.setattr(stack._server.config.app.state.settings, "webui_idempotency_window_s", 0.5)
    body = {"prompt": "a fox twice", "seed": 3, **SMALL}
    assert (await api.post("/sdapi/v1/txt2img", auth=basic(user), json=body)).status_code == 200
    await asyncio.sleep(1.0)  # past the window: the same call is meant to run again
    assert (await api.post("/sdapi/v1/txt2img", auth=basic(user), json=body)).status_code == 200
    assert len(await job_ids(api, user)) == 2
    for key in ("a", "b"):  # a client's own keys say which calls are one
        r = await api.post("/sdapi/v1/txt2img", auth=basic(user), json=body, headers={"Idempotency-Key": key})
        assert r.status_code == 200
    again = await api.post("/sdapi/v1/txt2img", auth=basic(user), json=body, headers={"Idempotency-Key": "a"})
    assert again.status_code == 200 and len(await job_ids(api, user)) == 4
    too_long = await api.post("/sdapi/v1/txt2img", auth=basic(user), json=body, headers={"Idempotency-Key": "k" * 201})
    assert too_long.status_code == 422 and too_long.json()["detail"].startswith("Idempotency-Key:"), too_long.text
    assert len(await job_ids(api, user)) == 4
