"""A designer watches a running job's live preview: in its SSE progress events, and in /sdapi/v1/progress as the web
UI's current_image, for the owner only."""

from __future__ import annotations

import asyncio
import base64
import io
import uuid

import httpx
from PIL import Image

from helpers import events, new_user, submit, until_status, wait_for


def image_of(uri: str) -> Image.Image:
    head, data = uri.split(",", 1)
    assert head == "data:image/webp;base64"
    image = Image.open(io.BytesIO(base64.b64decode(data)))
    image.load()
    return image


async def test_progress_events_carry_a_preview_that_the_job_record_does_not_keep(api, user):
    job = await submit(api, user["headers"], steps=7, width=64, height=48)
    seen = await events(api, job["id"], user["headers"])
    progress = [d for kind, d in seen if kind == "progress"]
    assert [d["step"] for d in progress] == list(range(1, 8))
    previews = {d["step"]: d["preview"] for d in progress if d.get("preview")}
    assert set(previews) == {3, 6}  # every third step (EASEL_PREVIEW_EVERY), not the last
    for uri in previews.values():
        image = image_of(uri)
        assert image.size[0] < 64 and image.size[0] * 48 == image.size[1] * 64  # the latent's size and shape
        assert len(uri) <= 32 * 1024
    assert seen[-1][0] == "succeeded"
    record = await api.get(f"/v1/jobs/{job['id']}", headers=user["headers"])
    assert record.json()["progress"] is None and "data:image" not in record.text


async def test_sdapi_progress_shows_the_owner_its_current_image_and_nobody_else(api, admin_headers):
    alice, bob = await new_user(api, admin_headers), await new_user(api, admin_headers)
    as_alice = httpx.BasicAuth(alice["username"], alice["key"])
    as_bob = httpx.BasicAuth(bob["username"], bob["key"])
    job = await submit(api, alice["headers"], steps=150, width=64, height=64)

    async def previewed():
        r = (await api.get("/sdapi/v1/progress", auth=as_alice)).json()
        return r if r["current_image"] else None

    state = await wait_for(previewed, timeout=120, interval=0.02)
    assert state["state"]["job"] == job["id"]
    current = Image.open(io.BytesIO(base64.b64decode(state["current_image"])))
    assert current.format == "PNG" and current.size[0] < 64  # the web UI's field: base64 PNG, latent-sized
    skipped = (await api.get("/sdapi/v1/progress", auth=as_alice, params={"skip_current_image": "true"})).json()
    assert skipped["current_image"] is None and skipped["state"]["job"] == job["id"]
    theirs = (await api.get("/sdapi/v1/progress", auth=as_bob)).json()
    assert theirs["current_image"] is None and theirs["state"]["job"] == ""  # alice's preview is hers alone
    assert (await api.delete(f"/v1/jobs/{job['id']}", headers=alice["headers"])).status_code == 202
    await until_status(api, job["id"], alice["headers"], "canceled")
    assert (await api.get("/sdapi/v1/progress", auth=as_alice)).json()["current_image"] is None


async def test_sdapi_progress_keeps_the_latest_preview_until_the_job_ends(api, user):
    as_user = httpx.BasicAuth(user["username"], user["key"])
    # submitted as a web UI task would be, so /internal/progress finds it by its task id
    task_id = f"task-{uuid.uuid4().hex[:8]}"
    job = await submit(api, {**user["headers"], "Idempotency-Key": f"webui-task:{task_id}"}, steps=150, width=128,
                       height=128)  # slow enough (about 4x the work of 64x64) to be polled many times

    async def previewed():
        r = (await api.get("/sdapi/v1/progress", auth=as_user)).json()
        return r if r["current_image"] else None

    first = await wait_for(previewed, timeout=120, interval=0.02)
    # a worker sends a preview every third step only; the polls in between still show the latest one
    polls, tasks = [], []
    while len(polls) < 12:
        r = (await api.get("/sdapi/v1/progress", auth=as_user)).json()
        t = (await api.post("/internal/progress", auth=as_user, json={"id_task": task_id, "live_preview": True}))
        if r["state"]["job"] != job["id"] or not t.json()["active"]:
            break  # it ended
        polls.append(r)
        tasks.append(t.json())
        await asyncio.sleep(0.25)  # progress events are spaced; polls a few steps apart
    assert len(polls) >= 3, "the job ended before it was polled"
    assert all(p["current_image"] for p in polls)
    assert len({p["state"]["sampling_step"] for p in [first, *polls]}) > 2  # steps went on meanwhile
    assert all(t["live_preview"].startswith("data:image/webp;base64,") and t["id_live_preview"] > 0 for t in tasks)
    if (await api.delete(f"/v1/jobs/{job['id']}", headers=user["headers"])).status_code == 202:  # else it ended
        await until_status(api, job["id"], user["headers"], "canceled")
    else:
        await until_status(api, job["id"], user["headers"], "succeeded")
    assert (await api.get("/sdapi/v1/progress", auth=as_user)).json()["current_image"] is None


async def test_a_batchs_preview_is_a_grid_of_its_images(api, user):
    job = await submit(api, user["headers"], steps=7, width=64, height=48, batch_size=2)
    seen = await events(api, job["id"], user["headers"])
    previews = [image_of(d["preview"]) for kind, d in seen if kind == "progress" and d.get("preview")]
    assert previews and seen[-1][0] == "succeeded"
    # two latent-sized images (the tiny model's latents are half the picture's side) side by side
    assert {p.size for p in previews} == {(64, 24)}
