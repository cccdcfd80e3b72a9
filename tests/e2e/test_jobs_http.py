"""A user drives the whole stack over HTTP: submit, follow, fetch, list, cancel."""

from __future__ import annotations

import io

import pytest
from httpx_sse import aconnect_sse
from PIL import Image

from helpers import events, job_status, new_user, submit, until_status


async def test_txt2img_end_to_end(api, user):
    job = await submit(api, user["headers"], steps=5, batch_size=2, seed=7, width=64, height=48)
    assert job["status"] == "queued"
    seen = await events(api, job["id"], user["headers"])
    # `queue` events (the job's place in its pool's queue) come only while it waits, before it starts
    places = [i for i, (k, _) in enumerate(seen) if k == "queue"]
    assert all(isinstance(seen[i][1]["queue_position"], int) and seen[i - 1][0] in ("queued", "queue")
               for i in places)
    kinds = [k for k, _ in seen if k != "queue"]
    assert kinds[:3] == ["queued", "starting", "processing"]
    assert kinds[-1] == "succeeded"
    steps = [d["step"] for k, d in seen if k == "progress"]
    assert steps == [1, 2, 3, 4, 5]
    assert {d["steps"] for k, d in seen if k == "progress"} == {5}

    done = await job_status(api, job["id"], user["headers"])
    assert done["status"] == "succeeded"
    assert [im["seed"] for im in done["images"]] == [7, 8]
    assert done["timings"]["generation_s"] > 0 and done["timings"]["queue_s"] >= 0
    for image in done["images"]:
        r = await api.get(image["url"], headers=user["headers"])
        assert r.status_code == 200 and r.headers["content-type"] == "image/png"
        png = Image.open(io.BytesIO(r.content))
        assert png.size == (64, 48)
        assert f"Seed: {image['seed']}" in png.info["parameters"]


async def test_same_seed_gives_the_same_image(api, user):
    pixels = []
    for _ in range(2):
        job = await submit(api, user["headers"], seed=1234, steps=3)
        await until_status(api, job["id"], user["headers"], "succeeded")
        r = await api.get(f"/v1/jobs/{job['id']}/images/0", headers=user["headers"])
        pixels.append(Image.open(io.BytesIO(r.content)).tobytes())
    other = await submit(api, user["headers"], seed=4321, steps=3)
    await until_status(api, other["id"], user["headers"], "succeeded")
    r = await api.get(f"/v1/jobs/{other['id']}/images/0", headers=user["headers"])
    assert pixels[0] == pixels[1]
    assert Image.open(io.BytesIO(r.content)).tobytes() != pixels[0]


async def test_defaults_fill_what_the_client_left_out(api, user):
    r = await api.post("/v1/jobs", json={"prompt": "just a prompt"}, headers=user["headers"])
    assert r.status_code == 201, r.text
    spec = r.json()["spec"]
    assert spec["model"]["name"] == "tiny-sd"
    assert (spec["width"], spec["height"], spec["sampler"]) == (64, 64, "Euler a")
    assert spec["steps"] == 20 and len(spec["seeds"]) == 1 and spec["seeds"][0] >= 0
    await until_status(api, r.json()["id"], user["headers"], "succeeded")


async def test_list_shows_only_own_jobs_a_page_at_a_time(api, admin_headers):
    alice, bob = await new_user(api, admin_headers), await new_user(api, admin_headers)
    mine = [(await submit(api, alice["headers"], steps=1))["id"] for _ in range(3)]
    theirs = (await submit(api, bob["headers"], steps=1))["id"]
    r = await api.get("/v1/jobs", params={"limit": 2}, headers=alice["headers"])
    page1 = r.json()
    assert len(page1["items"]) == 2 and page1["next_cursor"]
    r = await api.get("/v1/jobs", params={"limit": 2, "cursor": page1["next_cursor"]}, headers=alice["headers"])
    page2 = r.json()
    assert page2["next_cursor"] is None
    listed = [j["id"] for j in page1["items"] + page2["items"]]
    assert listed == list(reversed(mine))  # newest first
    assert theirs not in listed
    for job_id in mine + [theirs]:
        await until_status(api, job_id, alice["headers"] if job_id in mine else bob["headers"], "succeeded")


async def test_another_users_job_is_not_found(api, admin_headers):
    alice, bob = await new_user(api, admin_headers), await new_user(api, admin_headers)
    job = await submit(api, alice["headers"], steps=1)
    await until_status(api, job["id"], alice["headers"], "succeeded")
    for method, path in [("GET", ""), ("GET", "/images/0"), ("GET", "/events"), ("DELETE", "")]:
        r = await api.request(method, f"/v1/jobs/{job['id']}{path}", headers=bob["headers"])
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["code"] == "not_found"
    r = await api.get(f"/v1/jobs/{job['id']}", headers=alice["headers"])
    assert r.status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer esk_00000000_" + "x" * 43},
                                     {"Authorization": "Bearer not-a-key"}, {"Authorization": "Basic Zm9vOmJhcg=="}])
async def test_missing_or_wrong_key_is_401(api, headers):
    r = await api.post("/v1/jobs", json={"prompt": "x"}, headers=headers)
    assert r.status_code == 401
    assert r.json()["code"] == "unauthenticated"
    assert r.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("body", "field"), [
    ({"prompt": "x", "width": 65}, "width"),
    ({"prompt": "x", "height": 4096}, "height"),
    ({"prompt": "x", "steps": 0}, "steps"),
    ({"prompt": "x", "steps": 1000}, "steps"),
    ({"prompt": "x", "batch_size": 100}, "batch_size"),
    ({"prompt": "x", "sampler": "Euler z"}, "sampler"),
    ({"prompt": "x", "sampler": {}}, "sampler"),  # once a 500 (the fuzzer's find)
    ({"prompt": "x", "sampler": ["Euler a"]}, "sampler"),
    ({"prompt": "x", "model": "no-such-model"}, "model"),
    ({"prompt": "x", "pool": "gpu-xl"}, "pool"),
    ({"prompt": ""}, "prompt"),
    ({"steps": 4}, "prompt"),
    ({"prompt": "x", "steps": "many"}, "steps"),
    ({"prompt": "x", "colour": "red"}, "colour"),
])
async def test_bad_input_is_422_naming_the_field_and_queues_nothing(api, user, body, field):
    r = await api.post("/v1/jobs", json=body, headers=user["headers"])
    assert r.status_code == 422, r.text
    problem = r.json()
    assert problem["code"] == "validation_error"
    assert problem["details"]["field"] == field
    assert field in problem["message"]
    assert (await api.get("/v1/jobs", headers=user["headers"])).json()["items"] == []


@pytest.mark.parametrize("content", [b'{"prompt": "x",', b'\xff\xfe{"prompt"'])
async def test_malformed_json_is_422_naming_the_body(api, user, content):
    r = await api.post("/v1/jobs", content=content, headers={**user["headers"], "content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["code"] == "validation_error" and r.json()["details"]["field"] == "body", r.text


async def test_a_wrong_method_is_405_listing_every_method_of_the_path(api, user):
    r = await api.put("/v1/jobs/some-job", headers=user["headers"])
    assert r.status_code == 405 and r.json()["code"] == "method_not_allowed"
    assert r.headers["allow"] == "DELETE, GET"  # both routes of the path, not the first one's alone
    r = await api.options("/v1/models/uploads", headers=user["headers"])
    assert r.status_code == 405 and r.headers["allow"] == "POST"  # its own path's, not /v1/models/{model_id}'s


async def test_oversized_body_is_413(api, user, stack):
    limit = 20 * 1024 * 1024
    r = await api.post("/v1/jobs", content=b'{"prompt": "' + b"a" * (limit + 10) + b'"}',
                       headers={**user["headers"], "content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["code"] == "payload_too_large"
    r = await api.post("/sdapi/v1/txt2img", content=b"x" * (limit + 1), headers=user["headers"])
    assert r.status_code == 413 and r.json()["error"] == "PayloadTooLarge"  # the web UI's shape on its paths


async def test_idempotency_key_returns_the_same_job(api, user):
    headers = {**user["headers"], "Idempotency-Key": "order-17"}
    body = {"prompt": "a boat", "steps": 1, "width": 64, "height": 64}
    first = await api.post("/v1/jobs", json=body, headers=headers)
    again = await api.post("/v1/jobs", json=body, headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    other = await api.post("/v1/jobs", json={**body, "prompt": "a plane"}, headers=headers)
    assert other.status_code == 409
    assert other.json()["details"]["field"] == "Idempotency-Key"
    listed = (await api.get("/v1/jobs", headers=user["headers"])).json()["items"]
    assert [j["id"] for j in listed] == [first.json()["id"]]
    await until_status(api, first.json()["id"], user["headers"], "succeeded")


async def test_health_readiness_metrics_and_docs(api, user):
    assert (await api.get("/healthz")).json()["status"] == "ok"
    ready = await api.get("/readyz")
    assert ready.status_code == 200 and all(ready.json()["checks"].values())
    job = await submit(api, user["headers"], steps=1)
    await until_status(api, job["id"], user["headers"], "succeeded")
    text = (await api.get("/metrics")).text
    assert 'easel_jobs_total{pool="default",status="succeeded"}' in text
    assert "easel_job_queue_wait_seconds_count" in text
    assert 'easel_http_request_duration_seconds_count{method="POST",route="/v1/jobs",status="201"}' in text
    assert (await api.get("/docs")).status_code == 200
    paths = (await api.get("/openapi.json")).json()["paths"]
    expected = {"/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/events", "/v1/jobs/{job_id}/images/{index}"}
    assert expected <= set(paths)
    # error answers are declared in the shape they come in (tests/security/test_fuzz_api.py checks every one)
    declared = paths["/v1/jobs/{job_id}"]["get"]["responses"]
    assert {"401", "403", "404", "422", "429"} <= set(declared)
    assert declared["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    webui = paths["/sdapi/v1/txt2img"]["post"]["responses"]["422"]
    assert webui["content"]["application/json"]["schema"]["$ref"].endswith("/WebUIErrorBody")


async def test_event_stream_resumes_after_last_event_id(api, user):
    job = await submit(api, user["headers"], steps=3)
    seen = [(k, d) for k, d in await events(api, job["id"], user["headers"]) if k != "queue"]  # stream events only
    async with aconnect_sse(api, "GET", f"/v1/jobs/{job['id']}/events",
                            headers={**user["headers"], "Last-Event-ID": "0"}) as source:
        ids = [int(sse.id) async for sse in source.aiter_sse()]
    assert len(ids) == len(seen)
    resume_after = ids[2]
    async with aconnect_sse(api, "GET", f"/v1/jobs/{job['id']}/events",
                            headers={**user["headers"], "Last-Event-ID": str(resume_after)}) as source:
        rest = [(sse.event, int(sse.id)) async for sse in source.aiter_sse()]
    assert [i for _, i in rest] == ids[3:]
    assert rest[-1][0] == "succeeded"
