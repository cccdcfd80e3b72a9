"""The unmodified `webuiapi` client (PyPI) against Easel over real HTTP, signed in with HTTP Basic as a web UI
started with --api-auth expects: generation, inpainting, a ControlNet unit, models, options, progress, interrupt.

webuiapi is synchronous (requests); its calls run in threads so the stack in this event loop keeps serving.
"""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
import test_inference as webui
import webuiapi
from PIL import Image, ImageDraw

from helpers import wait_for

pytestmark = pytest.mark.slow
CHECKPOINT, CONTROLNET = webui.CHECKPOINT, webui.CONTROLNET
# The same S3-backed stack with the tiny checkpoint, ControlNet and annotator as test_inference (one per module).
s3_env, wstack, wapi, webui_models, wuser = webui.s3_env, webui.wstack, webui.wapi, webui.webui_models, webui.wuser


async def client(stack, user: dict) -> webuiapi.WebUIApi:
    return await asyncio.to_thread(webuiapi.WebUIApi, baseurl=f"{stack.gateway_url}/sdapi/v1",
                                   username=user["username"], password=user["key"])


def picture(width: int = 64, height: int = 64) -> Image.Image:
    image = Image.new("RGB", (width, height), (40, 90, 160))
    ImageDraw.Draw(image).rectangle((16, 16, 48, 48), fill=(250, 250, 250))
    return image


async def specs(wapi_client, user) -> list[dict]:
    items = (await wapi_client.get("/v1/jobs", headers=user["headers"], params={"limit": 100})).json()["items"]
    return [job["spec"] for job in reversed(items)]


async def test_txt2img(wstack, wuser, wapi):
    api = await client(wstack, wuser)
    result = await asyncio.to_thread(api.txt2img, prompt="a red fox", negative_prompt="blurry", seed=1234,
                                     steps=3, width=64, height=64, sampler_name="Euler a", batch_size=2)
    assert [im.size for im in result.images] == [(64, 64)] * 2
    assert result.info["all_seeds"] == [1234, 1235] and result.info["sd_model_name"] == "tiny-sd"
    assert result.parameters["prompt"] == "a red fox"
    assert "Seed: 1234" in result.image.info["parameters"]
    (spec,) = await specs(wapi, wuser)
    assert spec["eta"] == 1.0 and spec["scheduler"] == "automatic"  # what webuiapi sends by default


async def test_prompt_editing_alternation_and_and_change_the_image_and_keep_the_prompt_as_written(wstack, wuser):
    api = await client(wstack, wuser)

    async def txt2img(prompt: str) -> webuiapi.WebUIApiResult:
        return await asyncio.to_thread(api.txt2img, prompt=prompt, seed=5, steps=4, width=64, height=64,
                                       sampler_name="Euler a")

    def pixels(result: webuiapi.WebUIApiResult) -> np.ndarray:
        return np.asarray(result.image.convert("RGB"), dtype=int)

    fox, owl = pixels(await txt2img("a red fox")), pixels(await txt2img("a blue owl"))
    edited = await txt2img("[a red fox:a blue owl:0.5]")
    assert not np.array_equal(pixels(edited), fox) and not np.array_equal(pixels(edited), owl)
    assert edited.info["prompt"] == "[a red fox:a blue owl:0.5]"
    assert edited.image.info["parameters"].startswith("[a red fox:a blue owl:0.5]\n")
    assert np.array_equal(pixels(await txt2img("[a red fox:a blue owl:0]")), owl)
    assert not np.array_equal(pixels(await txt2img("a red fox AND a blue owl :0.8")), fox)
    with pytest.raises(RuntimeError) as refused:  # more AND parts than a pass may have: before any work
        await txt2img(" AND ".join(f"part {i}" for i in range(33)))
    assert refused.value.args[0] == 422 and "AND parts" in refused.value.args[1]


async def test_img2img_with_a_mask_repaints_only_the_masked_area(wstack, wuser, wapi):
    api = await client(wstack, wuser)
    init = picture()
    mask = Image.new("L", (64, 64), 0)
    ImageDraw.Draw(mask).rectangle((0, 0, 31, 63), fill=255)  # repaint the left half
    result = await asyncio.to_thread(api.img2img, images=[init], mask_image=mask, prompt="a blue wall", seed=7,
                                     steps=3, width=64, height=64, denoising_strength=0.9, inpainting_fill=1,
                                     mask_blur=2, inpaint_full_res=False, sampler_name="Euler a")
    (image,) = result.images
    assert image.size == (64, 64)
    out, before = np.asarray(image.convert("RGB"), dtype=int), np.asarray(init, dtype=int)
    assert np.abs(out[:, 44:] - before[:, 44:]).max() <= 2  # far from the mask: the init image
    assert np.abs(out[:, :24] - before[:, :24]).mean() > 10  # inside it: repainted
    (spec,) = await specs(wapi, wuser)
    assert spec["mask"] is not None and spec["denoising_strength"] == 0.9 and spec["inpainting_fill"] == "original"


async def test_a_controlnet_unit_and_the_extension_endpoints(wstack, wuser, wapi, webui_models):
    api = await client(wstack, wuser)
    title = webui_models["controlnet"]["title"]
    assert title in await asyncio.to_thread(api.controlnet_model_list)
    assert "canny" in await asyncio.to_thread(api.controlnet_module_list)
    unit = webuiapi.ControlNetUnit(image=picture(), module="canny", model=title, weight=0.8, guidance_end=0.9,
                                   threshold_a=100, threshold_b=200)
    checkpoint = {"sd_model_checkpoint": webui_models["checkpoint"]["title"]}  # the UNet the ControlNet was made for
    result = await asyncio.to_thread(api.txt2img, prompt="a square", seed=3, steps=3, width=64, height=64,
                                     sampler_name="Euler a", controlnet_units=[unit], override_settings=checkpoint,
                                     alwayson_scripts={})  # webuiapi's default dict would keep the unit for later calls
    assert result.image.size == (64, 64)
    (spec,) = await specs(wapi, wuser)
    (cn,) = spec["controlnets"]
    assert cn["model"]["name"] == CONTROLNET and cn["module"] == "canny" and cn["weight"] == 0.8
    assert spec["model"]["name"] == CHECKPOINT
    assert (cn["threshold_a"], cn["threshold_b"], cn["resize_mode"]) == (100, 200, "resize_and_fill")
    detected = await asyncio.to_thread(api.controlnet_detect, images=[picture()], module="canny")
    (edges,) = detected.images
    edge_map = np.asarray(edges.convert("L"))  # at the processor's resolution: 512 for a 64x64 picture
    k = edge_map.shape[0] // 64
    assert edge_map.shape == (64 * k, 64 * k) and k > 1
    top_edge, inside = edge_map[15 * k:18 * k, 24 * k:40 * k], edge_map[28 * k:36 * k, 28 * k:36 * k]
    assert top_edge.max() > 128 and inside.max() < 128  # lines on the square's border, none inside


async def test_models_and_the_current_model_per_user(wstack, wuser, wapi, webui_models):
    api = await client(wstack, wuser)
    titles = await asyncio.to_thread(api.util_get_model_names)
    assert webui_models["checkpoint"]["title"] in titles and "tiny-sd" in titles
    assert await asyncio.to_thread(api.util_get_current_model) == "tiny-sd"
    await asyncio.to_thread(api.util_set_model, webui_models["checkpoint"]["title"])
    assert await asyncio.to_thread(api.util_get_current_model) == webui_models["checkpoint"]["title"]
    result = await asyncio.to_thread(api.txt2img, prompt="a fox", seed=2, steps=2, width=64, height=64)
    assert result.info["sd_model_name"] == CHECKPOINT
    other = await client(wstack, await webui.member(wapi, wstack, webui_models["tenant"]))
    assert await asyncio.to_thread(other.util_get_current_model) == "tiny-sd"  # options are per user


async def test_the_whole_option_table_per_user_and_what_cannot_be_honoured_is_refused(wstack, wuser, wapi,
                                                                                      webui_models):
    api = await client(wstack, wuser)
    options = await asyncio.to_thread(api.get_options)
    assert len(options) > 250  # the web UI's whole table, not the handful Easel acts on
    assert options["send_seed"] is True and options["eta_noise_seed_delta"] == 0
    assert options["quicksettings_list"] == ["sd_model_checkpoint"] and options["sd_model_checkpoint"] == "tiny-sd"
    assert len(options["sd_checkpoint_hash"]) == 64
    await asyncio.to_thread(api.set_options, {"send_seed": False, "my_extension_option": 3})
    mine = await asyncio.to_thread(api.get_options)
    assert mine["send_seed"] is False and mine["my_extension_option"] == 3
    assert await asyncio.to_thread(api.set_options, mine) is None  # the table read back posts unchanged
    other = await client(wstack, await webui.member(wapi, wstack, webui_models["tenant"]))
    assert (await asyncio.to_thread(other.get_options))["send_seed"] is True  # saved options are per user
    for change, words in (({"eta_noise_seed_delta": 31337}, "eta_noise_seed_delta"),
                          ({"samples_format": "jpg"}, "PNG"), ({"send_size": "yes"}, "send_size")):
        refused = await asyncio.to_thread(api.set_options, {"send_seed": True, **change})
        assert words in refused["detail"], refused
    after = await asyncio.to_thread(api.get_options)
    assert (after["eta_noise_seed_delta"], after["samples_format"], after["send_seed"]) == (0, "png", False)


async def test_lists_hashes_and_model_routes_answer_as_the_web_ui_does(wstack, wuser):
    api = await client(wstack, wuser)
    upscalers = await asyncio.to_thread(api.get_upscalers)
    assert {"None", "Lanczos", "Nearest"} <= {u["name"] for u in upscalers}
    assert all(isinstance(u["scale"], float) and u["scale"] > 0 for u in upscalers), upscalers
    models = await asyncio.to_thread(api.get_sd_models)
    assert all(m["hash"] and len(m["sha256"]) == 64 for m in models), models
    tiny = next(m for m in models if m["model_name"] == "tiny-sd")
    result = await asyncio.to_thread(api.txt2img, prompt="a fox", seed=2, steps=2, width=64, height=64)
    assert result.info["sd_model_name"] == "tiny-sd" and result.info["sd_model_hash"] == tiny["hash"]
    assert f"Model hash: {tiny['sha256'][:10]}" in result.info["infotexts"][0]
    assert await asyncio.to_thread(api.refresh_checkpoints) is None
    for route in ("refresh-vae", "refresh-loras", "refresh-embeddings"):
        r = await asyncio.to_thread(api.session.post, f"{api.baseurl}/{route}")
        assert r.status_code == 200 and r.json() is None, route
    for route in ("reload-checkpoint", "unload-checkpoint"):
        r = await asyncio.to_thread(api.session.post, f"{api.baseurl}/{route}")
        assert r.status_code == 200 and r.json() == {}, route
    memory = await asyncio.to_thread(api.get_memory)
    assert memory["ram"]["total"] > 0 and "cuda" in memory


async def test_progress_and_interrupt(wstack, wuser):
    api = await client(wstack, wuser)
    idle = await asyncio.to_thread(api.get_progress)
    assert idle["progress"] == 0 and idle["state"]["job_count"] == 0
    call = asyncio.create_task(asyncio.to_thread(api.txt2img, prompt="a long night", seed=5, steps=150, width=64,
                                                 height=64, sampler_name="Euler a"))

    async def running():
        if call.done():
            call.result()  # it ended (failed) before it was seen running: say why
        state = await asyncio.to_thread(api.get_progress)
        return state if state["progress"] > 0 else None

    state = await wait_for(running, timeout=120, interval=0.1)
    assert state["state"]["sampling_steps"] == 150 and state["state"]["job_count"] == 1
    await asyncio.to_thread(api.interrupt)
    result = await call
    assert len(result.images) == 1 and result.info["all_seeds"] == [5]  # the image as it was, as the web UI returns
