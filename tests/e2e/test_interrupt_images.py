"""Interrupt and skip return what was made, as the web UI does: an unmodified `webuiapi` client interrupts a long
txt2img and gets its image as it was (with its infotext); skip ends only the running batch of an n_iter call. The
native API keeps an interrupted job's images on its record, downloadable like a finished job's.

webuiapi is synchronous (requests); its calls run in threads so the stack in this event loop keeps serving.
"""

from __future__ import annotations

import asyncio
import base64
import io
import uuid

import httpx
import numpy as np
import pytest
import webuiapi
from PIL import Image

from helpers import new_user, wait_for

pytestmark = pytest.mark.slow
LONG = {"prompt": "a long night", "steps": 150, "width": 64, "height": 64, "sampler_name": "Euler",
        "scheduler": "Automatic"}


async def client(stack, user: dict) -> webuiapi.WebUIApi:
    return await asyncio.to_thread(webuiapi.WebUIApi, baseurl=f"{stack.gateway_url}/sdapi/v1",
                                   username=user["username"], password=user["key"])


async def uninterrupted(api, user: dict, **payload) -> list[Image.Image]:
    """The same call run whole, as a new job (its own task id: the same request again would name the first)."""
    r = await api.post("/sdapi/v1/txt2img", auth=httpx.BasicAuth(user["username"], user["key"]),
                       json={**LONG, **payload, "force_task_id": f"whole-{uuid.uuid4().hex}"})
    assert r.status_code == 200, r.text
    return [Image.open(io.BytesIO(base64.b64decode(b))) for b in r.json()["images"]]


def px(image: Image.Image) -> np.ndarray:
    return np.asarray(image.convert("RGB")).astype(int)


async def running(api: webuiapi.WebUIApi, call: asyncio.Task, below: int = 150) -> dict:
    """Wait until the call's job has done a few steps (fewer than `below`, as progress counts them)."""

    async def seen():
        if call.done():
            call.result()  # it ended before it was seen running: say why
        state = await asyncio.to_thread(api.get_progress)
        return state if 2 <= state["state"]["sampling_step"] < below else None

    return await wait_for(seen, timeout=180, interval=0.05)


async def test_interrupt_returns_the_image_as_it_was_and_the_job_keeps_it(stack, api, user):
    webui = await client(stack, user)
    call = asyncio.create_task(asyncio.to_thread(webui.txt2img, seed=77, **LONG))
    await running(webui, call, below=30)
    await asyncio.to_thread(webui.interrupt)
    result = await call
    (image,) = result.images
    assert image.size == (64, 64) and px(image).std() > 5.0  # a picture, not a blank
    assert result.info["all_seeds"] == [77] and "Steps: 150" in result.info["infotexts"][0]
    assert "Seed: 77" in image.info["parameters"]  # the PNG carries its infotext, as a finished one's does

    (job,) = (await api.get("/v1/jobs", headers=user["headers"])).json()["items"]
    record = (await api.get(f"/v1/jobs/{job['id']}", headers=user["headers"])).json()
    assert record["status"] == "canceled" and [i["seed"] for i in record["images"]] == [77]
    r = await api.get(record["images"][0]["url"], headers=user["headers"])
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert np.array_equal(px(Image.open(io.BytesIO(r.content))), px(image))
    assert (await api.get(f"/v1/jobs/{job['id']}/images/1", headers=user["headers"])).status_code == 404

    # the finished image is another: the interrupt kept the one made so far
    (full,) = await uninterrupted(api, user, seed=77)
    assert np.abs(px(full) - px(image)).mean() > 1.0


async def test_skip_ends_the_running_batch_and_the_next_runs_whole(stack, api, user):
    webui = await client(stack, user)
    call = asyncio.create_task(asyncio.to_thread(webui.txt2img, seed=300, n_iter=2, **LONG))
    await running(webui, call, below=50)  # within the first batch: progress counts both batches' 300 steps as 150
    await asyncio.to_thread(webui.skip)
    result = await call
    skipped, second = result.images
    assert result.info["all_seeds"] == [300, 301]
    (job,) = (await api.get("/v1/jobs", headers=user["headers"])).json()["items"]
    assert job["status"] == "succeeded" and len(job["images"]) == 2

    whole = await uninterrupted(api, user, seed=300, n_iter=2)
    assert np.abs(px(whole[0]) - px(skipped)).mean() > 1.0 and px(skipped).std() > 5.0
    assert np.abs(px(whole[1]) - px(second)).max() <= 2


async def test_another_user_can_neither_skip_nor_interrupt_nor_fetch_the_images(stack, api, user, admin_headers):
    webui, other = await client(stack, user), await new_user(api, admin_headers)
    stranger = await client(stack, other)
    call = asyncio.create_task(asyncio.to_thread(webui.txt2img, seed=9, **LONG))
    await running(webui, call, below=30)
    await asyncio.to_thread(stranger.skip)
    await asyncio.to_thread(stranger.interrupt)
    await asyncio.sleep(0.5)
    (job,) = (await api.get("/v1/jobs", headers=user["headers"])).json()["items"]
    job = (await api.get(f"/v1/jobs/{job['id']}", headers=user["headers"])).json()
    # neither reached it (the row may still say starting: a processing event is written a moment late)
    assert job["status"] in ("starting", "processing") and not job["cancel_requested"]
    assert 0 < job["progress"]["step"] < 150
    await asyncio.to_thread(webui.interrupt)
    result = await call
    assert len(result.images) == 1
    job = (await api.get(f"/v1/jobs/{job['id']}", headers=user["headers"])).json()
    assert job["status"] == "canceled" and len(job["images"]) == 1
    assert (await api.get(f"/v1/jobs/{job['id']}/images/0", headers=other["headers"])).status_code == 404
