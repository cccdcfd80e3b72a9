"""DreamBooth prior preservation with class images Easel generates first (as the owner's txt2img jobs on a worker),
and the models a training keeps at its checkpoints, registered on request by its owner only."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import restart_jobs, submit, until_status, wait_for
from training_helpers import follow, new_dataset, trainer_user, training_body, until_training

ACTIVE_JOB = ("queued", "starting", "processing")


@pytest.fixture(scope="module")
async def carol(api, admin_headers):
    return await trainer_user(api, admin_headers)


@pytest.fixture(scope="module")
async def fields(api, carol):
    return await new_dataset(api, carol["headers"])


def _generating(dataset_id: str, count: int, **over) -> dict:
    body = training_body("dreambooth_lora", dataset_id, **over)
    body["dreambooth"] = {"instance_prompt": "a photo of sks field", "class_prompt": "a photo of a field",
                          "num_class_images": count, "class_steps": 2, "class_negative_prompt": "blurry"}
    return body


async def _image(api, headers, prompt: str) -> bytes:
    job = await submit(api, headers, prompt=prompt, steps=3, seed=3, sampler="Euler")
    await until_status(api, job["id"], headers, "succeeded")
    return (await api.get(f"/v1/jobs/{job['id']}/images/0", headers=headers)).content


@pytest.mark.slow
async def test_class_images_are_generated_on_a_worker_then_trained_on_and_a_checkpoint_registers(
        api, admin_headers, carol, fields):
    r = await api.post("/v1/trainings", json=_generating(fields["id"], 2), headers=carol["headers"])
    assert r.status_code == 201, r.text
    training = r.json()
    assert training["status"] == "preparing" and training["class_images"]["total"] == 2, training
    seen = await follow(api, training["id"], carol["headers"])
    names = [name for name, _ in seen]
    assert names[-1] == "succeeded", seen[-1]
    # preparing (with the count over SSE), then queued, then the run
    assert names.index("preparing") < names.index("queued") < names.index("starting") < names.index("running")
    counts = [d["class_images"]["done"] for name, d in seen if name == "preparing"]
    assert counts[0] == 0 and counts[-1] == 2, counts
    started = next(d for name, d in seen if name == "started")
    assert started["class_images"] == 2  # the trainer used both for prior preservation

    done = seen[-1][1]
    assert done["class_images"]["done"] == 2 and len(done["class_images"]["job_ids"]) == 1, done["class_images"]
    job = (await api.get(f"/v1/jobs/{done['class_images']['job_ids'][0]}", headers=carol["headers"])).json()
    assert (job["status"], job["user_id"], len(job["images"])) == ("succeeded", carol["id"], 2), job
    spec = job["spec"]
    assert (spec["prompt"], spec["negative_prompt"], spec["width"], spec["seeds"]) == (
        "a photo of a field", "blurry", 64, [7, 8])
    logs = (await api.get(f"/v1/trainings/{training['id']}/logs", headers=carol["headers"])).json()["lines"]
    assert any("prior preservation: 2 class images" in line for line in logs), logs

    # the model kept at step 6 (checkpoint_every 6 of 12), registered on request
    assert [c["step"] for c in done["checkpoints"]] == [6] and done["checkpoints"][0]["kind"] == "lora"
    other = await trainer_user(api, admin_headers)
    r = await api.post(f"/v1/trainings/{training['id']}/checkpoints/6/register", headers=other["headers"])
    assert r.status_code == 404, r.text
    r = await api.post(f"/v1/trainings/{training['id']}/checkpoints/5/register", headers=carol["headers"])
    assert r.status_code == 404 and r.json()["details"]["steps"] == [6], r.text
    r = await api.post(f"/v1/trainings/{training['id']}/checkpoints/6/register", headers=carol["headers"])
    assert r.status_code == 201, r.text
    model = r.json()
    assert (model["name"], model["kind"], model["visibility"], model["owner_id"]) == (
        f"{done['name']}-step6", "lora", "private", carol["id"])
    assert model["id"] != done["model_id"]
    again = await api.post(f"/v1/trainings/{training['id']}/checkpoints/6/register", headers=carol["headers"])
    assert again.status_code == 201 and again.json()["id"] == model["id"], again.text
    record = (await api.get(f"/v1/trainings/{training['id']}", headers=carol["headers"])).json()
    assert record["checkpoints"][0]["model_id"] == model["id"]
    assert (await api.get(f"/v1/models/{model['id']}", headers=other["headers"])).status_code == 404
    plain = await _image(api, carol["headers"], "a photo of sks field")
    assert plain != await _image(api, carol["headers"], f"a photo of sks field <lora:{model['name']}:1>")


@pytest.mark.slow
async def test_cancel_while_generating_class_images_stops_the_jobs_and_deletes_their_images(
        api, carol, fields, stack):
    body = _generating(fields["id"], 12)
    body["dreambooth"]["class_steps"] = 40
    r = await api.post("/v1/trainings", json=body, headers=carol["headers"])
    assert r.status_code == 201, r.text
    training = r.json()

    async def generating():
        record = (await api.get(f"/v1/trainings/{training['id']}", headers=carol["headers"])).json()
        return record if record["class_images"]["job_ids"] else None

    record = await wait_for(generating, timeout=120, interval=0.1)
    assert record["status"] == "preparing"
    r = await api.delete(f"/v1/trainings/{training['id']}", headers=carol["headers"])
    assert r.status_code == 202 and r.json()["status"] == "canceled", r.text
    record = await until_training(api, training["id"], carol["headers"], "canceled")
    job_ids = record["class_images"]["job_ids"]
    objects = Path(stack.data_dir) / "objects" / carol["tenant_id"] / carol["id"] / "jobs"

    async def cleaned():
        for job_id in job_ids:
            job = (await api.get(f"/v1/jobs/{job_id}", headers=carol["headers"])).json()
            if job["status"] in ACTIVE_JOB or (objects / job_id).exists() and any((objects / job_id).iterdir()):
                return False
        return True

    await wait_for(cleaned, timeout=120, interval=0.5)
    # no job is submitted for it later, and the training made no objects
    await until_training(api, training["id"], carol["headers"], "canceled")
    after = (await api.get(f"/v1/trainings/{training['id']}", headers=carol["headers"])).json()
    assert after["class_images"]["job_ids"] == job_ids
    prefix = Path(stack.data_dir) / "objects" / carol["tenant_id"] / "trainings" / training["id"]
    assert not prefix.exists() or not [p for p in prefix.rglob("*") if p.is_file()]


@pytest.mark.parametrize(("dreambooth", "field"), [
    ({"class_prompt": "a field", "num_class_images": 201}, "dreambooth.num_class_images"),
    ({"num_class_images": 2}, "dreambooth.class_prompt"),
])
async def test_bad_class_image_requests_are_refused_naming_the_field(api, carol, fields, dreambooth, field):
    body = training_body("dreambooth_lora", fields["id"])
    body["dreambooth"] |= dreambooth
    r = await api.post("/v1/trainings", json=body, headers=carol["headers"])
    assert r.status_code == 422 and r.json()["details"]["field"] == field, r.text
    assert (await api.get("/v1/trainings", params={"status": "preparing"}, headers=carol["headers"])).json()[
        "items"] == []


@pytest.mark.slow
async def test_a_restarted_jobs_service_goes_on_generating_where_it_was(api, carol, fields, stack):
    """The generation's state is in the training's row: a new jobs service (nothing in memory) picks it up, and the
    training does not stay preparing."""
    body = _generating(fields["id"], 6, max_steps=2, checkpoint_every=0, samples={"prompts": []})
    r = await api.post("/v1/trainings", json=body, headers=carol["headers"])
    assert r.status_code == 201, r.text
    training = r.json()

    async def first_job():
        record = (await api.get(f"/v1/trainings/{training['id']}", headers=carol["headers"])).json()
        return record if record["class_images"]["job_ids"] else None

    await wait_for(first_job, timeout=120, interval=0.1)
    await restart_jobs(stack)
    seen = await follow(api, training["id"], carol["headers"])
    assert seen[-1][0] == "succeeded", seen[-1]
    done = seen[-1][1]
    assert done["class_images"]["done"] == 6 and len(done["class_images"]["job_ids"]) == 2, done["class_images"]
    assert next(d for name, d in seen if name == "started")["class_images"] == 6
