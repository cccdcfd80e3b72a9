"""Fine-tuning through the API on the embedded stack: datasets uploaded and checked, trainings of each method on the
built-in tiny model with their loss per step over SSE, their results registered as the owner's models and used in
txt2img, bad input refused before anything runs, cancel, and a killed trainer that resumes."""

from __future__ import annotations

import math
import os
import signal
import uuid
import zipfile
from io import BytesIO
from pathlib import Path

import httpx
import pytest

from helpers import new_user, submit, until_status, wait_for
from training_helpers import (
    TRAINER_PERMISSIONS,
    dataset_zip,
    follow,
    image_bytes,
    new_dataset,
    trainer_user,
    training_body,
    upload_dataset,
)


@pytest.fixture(scope="module")
async def alice(api, admin_headers):
    return await trainer_user(api, admin_headers)


@pytest.fixture(scope="module")
async def dataset(api, alice):
    return await new_dataset(api, alice["headers"])


async def test_a_zip_becomes_a_dataset_of_re_encoded_images_with_their_captions(api, alice, stack):
    data = dataset_zip(3, extra={"set/.DS_Store": b"x", "__MACOSX/set/._img0.png": b"x", "set/notes.json": b"{}"})
    created = await new_dataset(api, alice["headers"], data=data, name="my fields")
    assert (created["images"], created["min_side"], created["name"]) == (3, 64, "my fields")
    files = created["files"]
    assert [f["path"] for f in files] == ["images/0000.png", "images/0001.png", "images/0002.png"]
    assert [f["caption"] for f in files] == ["a striped field number 0", None, "a striped field number 2"]
    assert all(f["key"].startswith(f"{alice['tenant_id']}/datasets/{created['id']}/") for f in files)
    listed = (await api.get("/v1/datasets", headers=alice["headers"])).json()["items"]
    assert created["id"] in [d["id"] for d in listed]
    assert (await api.get(f"/v1/datasets/{created['id']}", headers=alice["headers"])).json()["images"] == 3
    # images one by one, with captions in the same order (JPEG in, PNG stored)
    r = await api.post("/v1/datasets", headers=alice["headers"], data={"name": "parts", "captions": ["first"]},
                       files=[("images", ("a.jpg", image_bytes(1, fmt="JPEG"), "image/jpeg")),
                              ("images", ("b.png", image_bytes(2, (80, 96)), "image/png"))])
    assert r.status_code == 201, r.text
    parts = r.json()
    assert [(f["caption"], f["width"], f["height"]) for f in parts["files"]] == [("first", 64, 64), (None, 80, 96)]
    assert parts["min_side"] == 64
    uploads = Path(stack.data_dir) / "objects" / alice["tenant_id"] / "uploads" / alice["id"]
    assert not uploads.exists() or not any(p.is_file() for p in uploads.rglob("*"))  # the uploads are gone
    assert (await api.delete(f"/v1/datasets/{parts['id']}", headers=alice["headers"])).status_code == 204
    assert (await api.get(f"/v1/datasets/{parts['id']}", headers=alice["headers"])).status_code == 404


def _zip_with(name: str, data: bytes, *, symlink: bool = False) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("ok.png", image_bytes(0))
        info = zipfile.ZipInfo(name)
        if symlink:
            info.external_attr = (0o120777 << 16)
        zf.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize(("archive", "field", "reason"), [
    (_zip_with("../evil.png", image_bytes(1)), "archive", "unsafe"),
    (_zip_with("/abs.png", image_bytes(1)), "archive", "unsafe"),
    (_zip_with("link.png", b"/etc/passwd", symlink=True), "archive", "symbolic link"),
    (_zip_with("broken.png", b"not an image at all"), "archive", "decode"),
    (_zip_with("tiny.png", image_bytes(1, (16, 16))), "archive", "too small"),
    (b"PK\x03\x04 not really a zip", "archive", "zip"),
    (dataset_zip(0, extra={"readme.txt": b"hi"}), "archive", "no images"),
])
async def test_a_bad_archive_is_refused_whole_naming_it(api, alice, stack, archive, field, reason):
    datasets = Path(stack.data_dir) / "objects" / alice["tenant_id"] / "datasets"

    def stored() -> set[str]:  # the tenant's dataset folders (its other users' too)
        return {f.relative_to(datasets).parts[0] for f in datasets.rglob("*") if f.is_file()} \
            if datasets.exists() else set()

    before, folders = (await api.get("/v1/datasets", headers=alice["headers"])).json()["items"], stored()
    r = await upload_dataset(api, alice["headers"], archive)
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == field and reason in r.json()["message"]
    assert (await api.get("/v1/datasets", headers=alice["headers"])).json()["items"] == before
    assert stored() <= folders  # nothing half-stored


async def test_a_dataset_shared_with_a_role_is_seen_by_its_members_only(api, admin_headers, alice):
    """Sharing needs models:share; a dataset shared with a role is usable by that role's members, by no one else."""
    r = await api.post("/v1/datasets", headers=alice["headers"], data={"name": "open", "visibility": "public"},
                       files={"archive": ("set.zip", dataset_zip(1), "application/zip")})
    assert r.status_code == 403 and r.json()["details"]["permission"] == "models:share", r.text
    team = f"team-{uuid.uuid4().hex[:6]}"
    r = await api.post("/v1/roles", json={"name": team, "permissions": [*TRAINER_PERMISSIONS, "models:share"]},
                       headers=admin_headers)
    assert r.status_code == 201, r.text
    owner = await new_user(api, admin_headers, roles=["user", team])
    member = await new_user(api, admin_headers, roles=["user", team])
    other = await trainer_user(api, admin_headers)
    r = await api.post("/v1/datasets", headers=owner["headers"],
                       data={"name": "team set", "visibility": "roles", "shared_roles": [team]},
                       files={"archive": ("set.zip", dataset_zip(2), "application/zip")})
    assert r.status_code == 201, r.text
    shared = r.json()
    assert (await api.get(f"/v1/datasets/{shared['id']}", headers=member["headers"])).json()["images"] == 2
    assert shared["id"] in [d["id"] for d in (await api.get("/v1/datasets", headers=member["headers"])).json()["items"]]
    assert (await api.delete(f"/v1/datasets/{shared['id']}", headers=member["headers"])).status_code == 403
    assert (await api.get(f"/v1/datasets/{shared['id']}", headers=other["headers"])).status_code == 404
    assert shared["id"] not in [d["id"] for d in (await api.get("/v1/datasets", headers=other["headers"])).json()[
        "items"]]
    r = await api.post("/v1/trainings", json=training_body("lora", shared["id"]), headers=other["headers"])
    assert r.status_code == 422 and r.json()["details"]["field"] == "dataset", r.text
    r = await api.post("/v1/datasets", headers=owner["headers"],
                       data={"name": "nobody", "visibility": "roles", "shared_roles": ["bad role!"]},
                       files={"archive": ("set.zip", dataset_zip(1), "application/zip")})
    assert r.status_code == 422 and r.json()["details"]["field"] == "shared_roles", r.text


async def test_a_bad_image_among_images_is_named(api, alice):
    r = await api.post("/v1/datasets", headers=alice["headers"], data={"name": "x"},
                       files=[("images", ("a.png", image_bytes(1), "image/png")),
                              ("images", ("b.png", b"\x89PNG garbage", "image/png"))])
    assert r.status_code == 422 and r.json()["details"]["field"] == "images.1", r.text


async def test_a_user_without_trainings_create_may_not_upload_or_train(api, user, dataset):
    assert (await upload_dataset(api, user["headers"])).status_code == 403
    r = await api.post("/v1/trainings", json=training_body("lora", dataset["id"]), headers=user["headers"])
    assert r.status_code == 403 and r.json()["details"]["permission"] == "trainings:create"


@pytest.mark.parametrize(("change", "field"), [
    ({"base_model": "no-such-model"}, "base_model"),
    ({"dataset": "no-such-dataset"}, "dataset"),
    ({"max_steps": 10**6}, "max_steps"),
    ({"max_steps": None, "epochs": None}, "max_steps"),
    ({"max_steps": None, "epochs": 10**5}, "epochs"),
    ({"resolution": 4096}, "resolution"),
    ({"resolution": 128}, "resolution"),  # the dataset's images are 64 pixels
    ({"resolution": 60}, "resolution"),
    ({"batch_size": 64}, "batch_size"),
    ({"lora": {"rank": 200}}, "lora.rank"),
    ({"method": "dreambooth"}, "dreambooth"),
    ({"method": "textual_inversion"}, "textual_inversion"),
    ({"method": "hypernetwork", "hypernetwork": {"layer_structure": [2, 1]}}, "hypernetwork.layer_structure"),
    ({"pool": "nowhere"}, "pool"),
    ({"colour": "red"}, "colour"),
    ({"samples": {"prompts": ["x"], "steps": 1000}}, "samples.steps"),
])
async def test_bad_input_is_a_422_naming_the_field_and_launches_nothing(api, alice, dataset, change, field):
    body = {k: v for k, v in (training_body("lora", dataset["id"]) | change).items() if v is not None}
    if "max_steps" in change and change["max_steps"] is None:
        body.pop("max_steps", None)
    r = await api.post("/v1/trainings", json=body, headers=alice["headers"])
    assert r.status_code == 422, r.text
    assert r.json()["details"]["field"] == field, r.text
    assert (await api.get("/v1/trainings", headers=alice["headers"])).json()["items"] == [] or all(
        t["request"] != body for t in (await api.get("/v1/trainings", headers=alice["headers"])).json()["items"])


@pytest.mark.parametrize("nulls", [
    {"samples": None, "lora": None, "learning_rates": None, "hypernetwork": None},
    {"lora": {"rank": None, "alpha": None}, "samples": {"prompts": ["x"], "steps": None}, "batch_size": None,
     "repeats": None, "epochs": None},
])
async def test_fields_sent_as_null_mean_their_defaults(api, alice, dataset, nulls):
    """Found by the fuzzer: `"samples": null`, then `"lora": {"rank": null}`, were 500s."""
    body = training_body("lora", dataset["id"], resolution=128) | nulls
    r = await api.post("/v1/trainings", json=body, headers=alice["headers"])
    assert r.status_code == 422 and r.json()["details"]["field"] == "resolution", r.text


async def test_a_pool_the_caller_may_not_use_is_refused(api, alice, dataset):
    r = await api.post("/v1/trainings", json=training_body("lora", dataset["id"], pool="crashy"),
                       headers=alice["headers"])
    assert r.status_code == 403 and r.json()["details"]["permission"] == "pools:use:crashy"


def _refused(r: httpx.Response, limit: str, *, retry: bool = True) -> None:
    assert r.status_code == 429, r.text
    assert r.json()["code"] == "quota_exceeded" and r.json()["details"]["limit"] == limit, r.text
    assert ("Retry-After" in r.headers) == retry, r.headers  # a quota of 0 never passes: no point retrying


async def test_trainings_are_held_to_the_users_quotas(api, admin_headers, stack):
    """max_concurrent_trainings counts queued and running trainings (a canceled one frees its place);
    gpu_seconds_per_month refuses a training once the month's GPU time is used. A refusal records nothing."""
    bob = await trainer_user(api, admin_headers)
    r = await api.patch(f"/v1/users/{bob['id']}", json={"quotas": {"max_concurrent_trainings": 1}},
                        headers=admin_headers)
    assert r.status_code == 200, r.text
    data = await new_dataset(api, bob["headers"])
    body = training_body("lora", data["id"], max_steps=5000, samples={"prompts": []})
    first = await api.post("/v1/trainings", json=body, headers=bob["headers"])
    assert first.status_code == 201, first.text
    _refused(await api.post("/v1/trainings", json=body, headers=bob["headers"]), "max_concurrent_trainings")
    assert [t["id"] for t in (await api.get("/v1/trainings", headers=bob["headers"])).json()["items"]] == [
        first.json()["id"]]
    assert (await api.delete(f"/v1/trainings/{first.json()['id']}", headers=bob["headers"])).status_code == 202
    again = await api.post("/v1/trainings", json=body, headers=bob["headers"])
    assert again.status_code == 201, again.text
    assert (await api.delete(f"/v1/trainings/{again.json()['id']}", headers=bob["headers"])).status_code == 202

    async def stopped() -> bool:  # canceled as they were launched: no run of either is left training for nobody
        return not any((Path(stack.data_dir) / "trainings" / t.json()["id"]).exists() for t in (first, again))

    await wait_for(stopped, timeout=60, interval=0.5)

    r = await api.patch(f"/v1/users/{bob['id']}", json={"quotas": {"gpu_seconds_per_month": 0}},
                        headers=admin_headers)
    assert r.status_code == 200, r.text
    _refused(await api.post("/v1/trainings", json=body, headers=bob["headers"]), "gpu_seconds_per_month",
             retry=False)
    assert len((await api.get("/v1/trainings", headers=bob["headers"])).json()["items"]) == 2
    # listed newest first, a page at a time, by status
    page = (await api.get("/v1/trainings", params={"limit": 1}, headers=bob["headers"])).json()
    assert [t["id"] for t in page["items"]] == [again.json()["id"]] and page["next_cursor"]
    rest = (await api.get("/v1/trainings", params={"limit": 1, "cursor": page["next_cursor"]},
                          headers=bob["headers"])).json()
    assert [t["id"] for t in rest["items"]] == [first.json()["id"]] and rest["next_cursor"] is None
    canceled = (await api.get("/v1/trainings", params={"status": "canceled"}, headers=bob["headers"])).json()
    assert len(canceled["items"]) == 2
    assert (await api.get("/v1/trainings", params={"status": "running"}, headers=bob["headers"])).json()[
        "items"] == []
    r = await api.get("/v1/trainings", params={"cursor": "not-a-cursor"}, headers=bob["headers"])
    assert r.status_code == 422 and r.json()["details"]["field"] == "cursor", r.text


async def _txt2img(api, headers, prompt: str) -> bytes:
    job = await submit(api, headers, prompt=prompt, steps=3, seed=3, sampler="Euler")
    await until_status(api, job["id"], headers, "succeeded")
    return (await api.get(f"/v1/jobs/{job['id']}/images/0", headers=headers)).content


async def _trained(api, alice, body) -> tuple[dict, list]:
    r = await api.post("/v1/trainings", json=body, headers=alice["headers"])
    assert r.status_code == 201, r.text
    training = r.json()
    assert training["status"] == "queued" and r.headers["Location"] == f"/v1/trainings/{training['id']}"
    seen = await follow(api, training["id"], alice["headers"])
    return training, seen


@pytest.mark.slow
@pytest.mark.parametrize("method", ["lora", "textual_inversion", "hypernetwork", "dreambooth_lora", "dreambooth"])
async def test_each_method_trains_through_the_api_and_its_model_changes_txt2img(api, alice, dataset, method):
    body = training_body(method, dataset["id"])
    training, seen = await _trained(api, alice, body)
    names = [name for name, _ in seen]
    assert names[0] == "queued" and names[-1] == "succeeded", names
    assert names.index("starting") < names.index("running") < names.index("succeeded")
    losses = {d["step"]: d["progress"]["loss"] for name, d in seen if name == "progress"}
    assert sorted(losses) == list(range(1, 13)) and all(math.isfinite(v) for v in losses.values())
    done = seen[-1][1]
    assert done["status"] == "succeeded" and done["model_id"] and done["step"] == 12
    assert [s["step"] for s in done["samples"]] == [6, 12]
    png = await api.get(done["samples"][1]["url"], headers=alice["headers"])
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")

    model = (await api.get(f"/v1/models/{done['model_id']}", headers=alice["headers"])).json()
    kind = {"lora": "lora", "dreambooth_lora": "lora", "textual_inversion": "embedding",
            "hypernetwork": "hypernetwork", "dreambooth": "checkpoint"}[method]
    assert (model["kind"], model["base"], model["status"], model["visibility"]) == (kind, "tiny", "ready", "private")
    assert model["owner_id"] == alice["id"] and model["metadata"]["training_id"] == training["id"]
    name = model["name"]
    if method == "textual_inversion":
        assert name == body["textual_inversion"]["token"]
        # the token is now an embedding of alice's: another one with it would shadow it in her prompts
        r = await api.post("/v1/trainings", json=body, headers=alice["headers"])
        assert r.status_code == 422 and r.json()["details"]["field"] == "textual_inversion.token", r.text
        plain, used = f"a photo of {name[:3]} field", f"a photo of {name} field"
    elif kind == "lora":
        plain, used = "a photo of sks field", f"a photo of sks field <lora:{name}:1>"
        # a LoRA is no base to train on
        r = await api.post("/v1/trainings", json=training_body("lora", dataset["id"], base_model=name),
                           headers=alice["headers"])
        assert r.status_code == 422 and r.json()["details"]["field"] == "base_model", r.text
    elif kind == "hypernetwork":
        plain, used = "a striped field", f"a striped field <hypernet:{name}:1>"
    else:
        plain, used = "a striped field", None
    if used is not None:
        assert await _txt2img(api, alice["headers"], plain) != await _txt2img(api, alice["headers"], used)
    else:  # a checkpoint: the same job on the base and on it
        job = await submit(api, alice["headers"], prompt=plain, steps=3, seed=3, model=model["id"])
        await until_status(api, job["id"], alice["headers"], "succeeded")
        mine = (await api.get(f"/v1/jobs/{job['id']}/images/0", headers=alice["headers"])).content
        assert mine != await _txt2img(api, alice["headers"], plain)
    logs = (await api.get(f"/v1/trainings/{training['id']}/logs", headers=alice["headers"])).json()
    assert logs["lines"], logs


@pytest.mark.slow
async def test_a_canceled_training_leaves_no_model_and_no_objects(api, alice, dataset, stack):
    body = training_body("lora", dataset["id"], max_steps=2000, checkpoint_every=2)
    r = await api.post("/v1/trainings", json=body, headers=alice["headers"])
    training = r.json()

    async def checkpointed():
        record = (await api.get(f"/v1/trainings/{training['id']}", headers=alice["headers"])).json()
        return record["status"] == "running" and record["step"] >= 2

    await wait_for(checkpointed, timeout=300, interval=0.5)
    r = await api.delete(f"/v1/trainings/{training['id']}", headers=alice["headers"])
    assert r.status_code == 202 and r.json()["status"] == "canceled", r.text
    assert (await api.delete(f"/v1/trainings/{training['id']}", headers=alice["headers"])).status_code == 409
    prefix = Path(stack.data_dir) / "objects" / alice["tenant_id"] / "trainings" / training["id"]

    async def cleaned():
        left = [p.relative_to(prefix).as_posix() for p in prefix.rglob("*") if p.is_file()] if prefix.exists() else []
        return all(p.startswith("samples/") or p == "trainer.log" for p in left) and not (
            Path(stack.data_dir) / "trainings" / training["id"]).exists()

    await wait_for(cleaned, timeout=60, interval=0.5)
    models = (await api.get("/v1/models", headers=alice["headers"])).json()["items"]
    assert not any(m["metadata"].get("training_id") == training["id"] for m in models)


@pytest.mark.slow
async def test_a_killed_trainer_is_relaunched_and_continues_from_its_checkpoint(api, alice, dataset, stack):
    body = training_body("lora", dataset["id"], max_steps=16, checkpoint_every=4, samples={"prompts": []})
    r = await api.post("/v1/trainings", json=body, headers=alice["headers"])
    training = r.json()
    folder = Path(stack.data_dir) / "trainings" / training["id"]

    async def past_checkpoint():  # a checkpoint lands by a rename: its folder is a whole one
        return (folder / "pid").is_file() and any((folder / "work" / "checkpoints").glob("step-*"))

    await wait_for(past_checkpoint, timeout=300, interval=0.2)
    os.killpg(int((folder / "pid").read_text()), signal.SIGKILL)
    seen = await follow(api, training["id"], alice["headers"])
    starts = [d for name, d in seen if name == "started"]
    assert len(starts) == 2 and starts[0]["resumed_from"] is None and starts[1]["resumed_from"] >= 4
    resumed = starts[1]["resumed_from"]
    second = seen[[n for n, _ in seen].index("started", [n for n, _ in seen].index("started") + 1):]
    steps = [d["step"] for name, d in second if name == "progress"]
    assert steps == list(range(resumed + 1, 17))  # the counter continues, it does not restart
    assert seen[-1][1]["status"] == "succeeded" and seen[-1][1]["attempts"] == 2


@pytest.mark.slow
async def test_a_trainer_that_fails_fails_the_training_with_its_last_log_lines(api, alice, dataset, stack):
    """fp16 needs CUDA: the CPU stack's trainer refuses the run once it starts. The training fails with the run's
    error (naming the field) and its last lines of output, and leaves no model and no objects but its log."""
    r = await api.post("/v1/trainings", json=training_body("lora", dataset["id"], mixed_precision="fp16"),
                       headers=alice["headers"])
    assert r.status_code == 201, r.text
    training = r.json()
    seen = await follow(api, training["id"], alice["headers"])
    done = seen[-1][1]
    assert seen[-1][0] == "failed" and done["status"] == "failed" and done["model_id"] is None, seen
    assert done["error"]["details"]["field"] == "mixed_precision", done["error"]
    assert any("fp16" in line for line in done["error"]["details"]["log_tail"]), done["error"]
    logs = (await api.get(f"/v1/trainings/{training['id']}/logs", headers=alice["headers"])).json()["lines"]
    assert any("fp16" in line for line in logs), logs
    prefix = Path(stack.data_dir) / "objects" / alice["tenant_id"] / "trainings" / training["id"]

    async def cleaned():
        left = [p.relative_to(prefix).as_posix() for p in prefix.rglob("*") if p.is_file()] if prefix.exists() else []
        return left == ["trainer.log"] and not (Path(stack.data_dir) / "trainings" / training["id"]).exists()

    await wait_for(cleaned, timeout=60, interval=0.5)
    models = (await api.get("/v1/models", headers=alice["headers"])).json()["items"]
    assert not any(m["metadata"].get("training_id") == training["id"] for m in models)


# What a web UI client sends: every argument of the web UI's create_embedding / train_embedding (and the
# hypernetwork ones), as its API passes them through (`create_embedding(**args)`, `train_embedding(**args)`).
def _webui_train(kind: str, name: str, data_root: str) -> dict:
    body = {"id_task": "task(abc123)", f"{kind}_name": name, "learn_rate": "0.05", "batch_size": 2,
            "gradient_step": 1, "data_root": data_root, "log_directory": "textual_inversion", "training_width": 64,
            "training_height": 64, "varsize": False, "steps": 8, "clip_grad_mode": "disabled",
            "clip_grad_value": "0.1", "shuffle_tags": False, "tag_drop_out": 0, "latent_sampling_method": "once",
            "use_weight": False, "create_image_every": 4, f"save_{kind}_every": 4,
            "template_filename": "subject_filewords.txt" if kind == "embedding" else "hypernetwork.txt",
            "preview_from_txt2img": False, "preview_prompt": "", "preview_negative_prompt": "", "preview_steps": 2,
            "preview_sampler_name": "Euler a", "preview_cfg_scale": 7, "preview_seed": -1, "preview_width": 64,
            "preview_height": 64}
    if kind == "embedding":
        body["save_image_with_stored_embedding"] = True
    return body


@pytest.mark.slow
async def test_the_web_uis_create_and_train_calls_make_trainings_of_the_caller(api, alice, dataset):
    auth = httpx.BasicAuth(alice["username"], alice["key"])
    token = f"wui{alice['id'][:6]}"
    r = await api.post("/sdapi/v1/create/embedding", auth=auth,
                       json={"name": token, "num_vectors_per_token": 2, "overwrite_old": False, "init_text": "field"})
    assert r.status_code == 200 and r.json() == {"info": f"create embedding filename: {token}"}, r.text
    r = await api.post("/sdapi/v1/train/embedding", auth=auth, json=_webui_train("embedding", token, "fields"))
    assert r.status_code == 200, r.text
    assert r.json()["info"].startswith(f"train embedding complete: filename: {token} ") and r.json()[
        "info"].endswith("error: None"), r.text
    models = (await api.get("/v1/models", params={"kind": "embedding"}, headers=alice["headers"])).json()["items"]
    assert token in [m["name"] for m in models]
    # created again without overwrite_old: the web UI refuses an existing name too
    r = await api.post("/sdapi/v1/create/embedding", auth=auth, json={"name": token, "num_vectors_per_token": 1})
    assert r.status_code == 409 and r.json()["error"] == "Conflict"

    hn = f"hn{alice['id'][:6]}"
    r = await api.post("/sdapi/v1/create/hypernetwork", auth=auth, json={
        "name": hn, "enable_sizes": ["32", "64"], "overwrite_old": False, "layer_structure": "1, 2, 1",
        "activation_func": "relu", "weight_init": "Normal", "add_layer_norm": False, "use_dropout": False,
        "dropout_structure": "0, 0, 0"})
    assert r.status_code == 200, r.text
    r = await api.post("/sdapi/v1/train/hypernetwork", auth=auth,
                       json=_webui_train("hypernetwork", hn, dataset["id"]))
    assert r.status_code == 200 and r.json()["info"].endswith("error: None"), r.text
    r = await api.post("/sdapi/v1/train/hypernetwork", auth=auth, json=_webui_train("hypernetwork", "nope", "x"))
    assert r.status_code == 422 and "hypernetwork_name" in r.json()["detail"], r.text


@pytest.mark.parametrize(("dropouts", "reason"), [("0, 0.3", "one rate per layer"), ("0.2, 0.3, 0", "first and last"),
                                                  ("0, 1.5, 0", "less than 1"), ("0, x, 0", "a list of rates")])
async def test_the_web_uis_create_hypernetwork_refuses_a_dropout_structure_it_cannot_train(api, alice, dropouts,
                                                                                            reason):
    auth = httpx.BasicAuth(alice["username"], alice["key"])
    r = await api.post("/sdapi/v1/create/hypernetwork", auth=auth, json={
        "name": f"hn{uuid.uuid4().hex[:6]}", "layer_structure": "1, 2, 1", "use_dropout": True,
        "dropout_structure": dropouts})
    assert r.status_code == 422 and r.json()["details"]["field"] == "dropout_structure", r.text
    assert reason in r.json()["details"]["reason"], r.text


@pytest.mark.parametrize(("change", "field"), [
    ({"steps": 10**6}, "steps"),
    ({"training_width": 4096, "training_height": 4096}, "training_width"),
    ({"training_height": 128}, "training_height"),
    ({"preview_steps": 1000}, "preview_steps"),
    ({"learn_rate": "fast"}, "learn_rate"),
    ({"data_root": "/nowhere/at/all"}, "data_root"),
    # the web UI's options Easel's trainer has not: refused, not dropped
    ({"learn_rate": "0.05:10, 0.01"}, "learn_rate"),
    ({"shuffle_tags": True}, "shuffle_tags"),
    ({"tag_drop_out": 0.1}, "tag_drop_out"),
    ({"latent_sampling_method": "random"}, "latent_sampling_method"),
    ({"varsize": True}, "varsize"),
    ({"use_weight": True}, "use_weight"),
    ({"clip_grad_mode": "value"}, "clip_grad_mode"),
    ({"preview_from_txt2img": True, "preview_width": 128}, "preview_width"),
    ({"preview_sampler_name": "DPM fast"}, "preview_sampler_name"),
    ({"preview_sampler_name": None, "preview_sampler_index": 999}, "preview_sampler_index"),
])
async def test_the_web_uis_train_call_names_the_argument_it_refuses(api, alice, dataset, change, field):
    """Refused before anything runs, naming the web UI's argument as the client sent it (steps, not max_steps)."""
    auth = httpx.BasicAuth(alice["username"], alice["key"])
    token = f"bad{uuid.uuid4().hex[:6]}"
    r = await api.post("/sdapi/v1/create/embedding", auth=auth, json={"name": token, "num_vectors_per_token": 1})
    assert r.status_code == 200, r.text
    before = (await api.get("/v1/trainings", headers=alice["headers"])).json()["items"]
    r = await api.post("/sdapi/v1/train/embedding", auth=auth,
                       json=_webui_train("embedding", token, dataset["id"]) | change)
    assert r.status_code == 422 and r.json()["details"]["field"] == field, r.text
    assert (await api.get("/v1/trainings", headers=alice["headers"])).json()["items"] == before
