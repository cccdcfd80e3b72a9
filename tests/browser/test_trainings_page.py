"""The Trainings page in a real browser against the embedded stack (fixtures: conftest.py): a user uploads a dataset
with its progress, starts a LoRA training from the form on the built-in tiny model, follows it to the end (status,
the loss of every step as a chart, the sample images as they come, the trainer's log lines), registers a
checkpoint, and uses the result in Generate in one click (the LoRA's tag reaches the job); a long training is canceled
from the page, and a failed one shows its error in its log; another user sees none of it, and a user without
trainings:create has no Trainings page."""

from __future__ import annotations

import uuid

from browser_helpers import ARTIFACTS, WAIT_MS, designer, open_signed_in
from helpers import until_status, wait_for
from training_helpers import TRAINER_PERMISSIONS, dataset_zip, training_body, until_training

TRAINING_MS = 600_000  # a training of 12 steps on a busy CPU


async def _trainer(api, admin_headers) -> dict:
    role = f"trainer-{uuid.uuid4().hex[:8]}"
    r = await api.post("/v1/roles", json={"name": role, "permissions": TRAINER_PERMISSIONS}, headers=admin_headers)
    assert r.status_code == 201, r.text
    return await designer(api, admin_headers, roles=["user", role])


async def _upload(page, name: str, data: bytes) -> None:
    await page.get_by_label("Dataset name").fill(name)
    await page.get_by_label("Images or a zip").set_input_files(
        {"name": "set.zip", "mimeType": "application/zip", "buffer": data})
    await page.get_by_role("button", name="Upload", exact=True).click()
    await page.get_by_test_id("dataset-percent").filter(has_text="100%").wait_for()
    await page.get_by_test_id("dataset-row").filter(has_text=name).wait_for()


async def _fill(page, dataset: str, *, max_steps: int, every: int, prompts: str) -> None:
    form = page.get_by_role("form", name="Start a training")
    await form.get_by_label("Method").select_option("lora")
    await form.get_by_label("Base model").select_option("tiny-sd")
    await form.get_by_label("Dataset", exact=True).select_option(label=f"{dataset} (4 images)")
    for label, value in (("Max steps", max_steps), ("Resolution", 64), ("Batch size", 2), ("Seed", 7),
                         ("Checkpoint every", every), ("Learning rate (unet)", "0.001"),
                         ("Sample every", every), ("Sample steps", 2)):
        await form.get_by_label(label, exact=True).fill(str(value))
    await form.get_by_label("Sample prompts").fill(prompts)


async def test_a_lora_trained_from_the_page_shows_its_loss_and_samples_and_is_used_in_one_click(
        browser, stack, api, admin_headers):
    user = await _trainer(api, admin_headers)
    other = await _trainer(api, admin_headers)
    dataset = f"stripes-{uuid.uuid4().hex[:6]}"
    data = dataset_zip(4)
    context, page = await open_signed_in(browser, stack, user)
    try:
        await page.get_by_role("link", name="Trainings").click()
        await _upload(page, dataset, data)
        bar = page.locator("#dataset-bar")
        assert int(await bar.get_attribute("max")) >= len(data)
        assert await bar.get_attribute("value") == await bar.get_attribute("max")
        assert "4" in await page.get_by_test_id("dataset-row").filter(has_text=dataset).text_content()

        # a bad field comes back beside its input (the images are 64 pixels: 128 is refused)
        await _fill(page, dataset, max_steps=12, every=6, prompts="a striped field")
        form = page.get_by_role("form", name="Start a training")
        await form.get_by_label("Resolution", exact=True).fill("128")
        await form.get_by_role("button", name="Start training").click()
        await form.locator(".field.invalid", has=page.get_by_label("Resolution", exact=True)).get_by_role(
            "alert").wait_for()
        await form.get_by_label("Resolution", exact=True).fill("64")
        await form.get_by_role("button", name="Start training").click()

        detail = page.get_by_test_id("training-detail")
        await detail.wait_for()
        await page.get_by_test_id("training-row").first.wait_for()
        await detail.get_by_test_id("training-status").filter(has_text="succeeded").wait_for(timeout=TRAINING_MS)
        # every step's loss, from the training's events, drawn as a line
        chart = detail.get_by_role("img", name="Loss per step")
        await page.wait_for_function(
            "() => document.querySelector('.linechart svg')?.getAttribute('data-points') === '12'",
            timeout=TRAINING_MS)
        assert (await chart.get_attribute("aria-label")).startswith("Loss per step: 12 points")
        assert len((await detail.locator("polyline").get_attribute("points")).split()) == 12
        # the samples at steps 6 and 12, loaded
        samples = detail.get_by_test_id("training-sample")
        await wait_for(lambda: _count_is(samples, 2), timeout=WAIT_MS / 1000)
        assert await samples.evaluate_all("imgs => imgs.every(i => i.complete && i.naturalWidth > 0)")
        # the trainer's log: its progress lines, published as the training's events
        log = detail.get_by_role("log", name="Trainer log")
        await log.get_by_test_id("log-line").filter(has_text="step 12/12: loss").wait_for()
        assert await log.get_by_test_id("log-line").filter(has_text="step 1/12: loss").count() == 1
        await page.screenshot(path=ARTIFACTS / "trainings.png", full_page=True)

        # the model kept at step 6, registered on request
        await detail.get_by_role("button", name="Register step 6").click()
        await detail.get_by_role("button", name="Use step 6").wait_for()

        training = (await api.get("/v1/trainings", headers=user["headers"])).json()["items"][0]
        model = (await api.get(f"/v1/models/{training['model_id']}", headers=user["headers"])).json()
        assert model["kind"] == "lora" and model["owner_id"] == user["id"]
        # one click: Generate with the LoRA's tag in the prompt, on the base model
        await detail.get_by_role("button", name="Use in Generate").click()
        tag = f"<lora:{model['name']}:1>"
        await page.wait_for_function("(tag) => document.querySelector('textarea[name=prompt]')?.value === tag",
                                     arg=tag)
        # on the training's base checkpoint (chosen once the page's model list arrives)
        await page.wait_for_function("() => document.querySelector('select[name=model]')?.value === 'tiny-sd'")
        for label, value in (("Steps", "2"), ("Width", "64"), ("Height", "64")):
            await page.get_by_label(label, exact=True).fill(value)
        await page.get_by_role("button", name="Generate").click()
        job = await wait_for(lambda: _newest_job(api, user))
    finally:
        await context.close()
    job = await until_status(api, job["id"], user["headers"], "succeeded", "failed", timeout=WAIT_MS / 1000)
    assert job["status"] == "succeeded", job
    assert [x["model"]["id"] for x in job["spec"]["loras"]] == [model["id"]]

    # another trainer of the tenant sees none of it, in the page or the API
    context, page = await open_signed_in(browser, stack, other)
    try:
        await page.get_by_role("link", name="Trainings").click()
        await page.get_by_role("region", name="Your trainings").get_by_text("No trainings yet.").wait_for()
        datasets = page.get_by_role("region", name="Your datasets")
        await datasets.locator("[data-testid=no-datasets], [data-testid=dataset-row]").first.wait_for()
        assert dataset not in await page.content() and training["name"] not in await page.content()
    finally:
        await context.close()
    assert (await api.get(f"/v1/trainings/{training['id']}", headers=other["headers"])).status_code == 404
    assert (await api.get(f"/v1/datasets/{training['dataset']}", headers=other["headers"])).status_code == 404


async def _count_is(locator, n: int) -> bool:
    return await locator.count() == n


async def _newest_job(api, user: dict) -> dict | None:
    items = (await api.get("/v1/jobs", params={"limit": 1}, headers=user["headers"])).json()["items"]
    return items[0] if items else None


async def test_a_running_training_draws_its_loss_and_is_canceled_from_the_page(browser, stack, api, admin_headers):
    user = await _trainer(api, admin_headers)
    dataset = f"long-{uuid.uuid4().hex[:6]}"
    context, page = await open_signed_in(browser, stack, user)
    try:
        await page.get_by_role("link", name="Trainings").click()
        await _upload(page, dataset, dataset_zip(4))
        await _fill(page, dataset, max_steps=2000, every=0, prompts="")
        await page.get_by_role("button", name="Start training").click()
        detail = page.get_by_test_id("training-detail")
        # the loss chart grows with the running training's progress events
        await page.wait_for_function(
            "() => Number(document.querySelector('.linechart svg')?.getAttribute('data-points')) >= 2",
            timeout=TRAINING_MS)
        assert await detail.get_by_test_id("training-status").text_content() == "running"
        await detail.get_by_role("button", name="Cancel training").click()
        await detail.get_by_test_id("training-status").filter(has_text="canceled").wait_for()
        await page.get_by_test_id("training-row").filter(has_text="canceled").wait_for()
        assert await detail.get_by_role("button", name="Use in Generate").count() == 0

        # a training that fails (fp16 needs CUDA: the CPU trainer refuses it) shows its error in its log
        mine = (await api.get("/v1/datasets", headers=user["headers"])).json()["items"]
        dataset_id = next(d["id"] for d in mine if d["name"] == dataset)
        r = await api.post("/v1/trainings", json=training_body("lora", dataset_id, mixed_precision="fp16",
                                                               name=f"broken-{uuid.uuid4().hex[:6]}"),
                           headers=user["headers"])
        assert r.status_code == 201, r.text
        failed = await until_training(api, r.json()["id"], user["headers"], "failed", "succeeded")
        assert failed["status"] == "failed", failed
        await page.reload()
        await page.get_by_role("button", name=f"Open training {failed['name']}").click()
        await detail.get_by_test_id("training-status").filter(has_text="failed").wait_for()
        line = detail.get_by_role("log", name="Trainer log").locator(".log-error").filter(has_text="fp16")
        await line.first.wait_for()
        await page.screenshot(path=ARTIFACTS / "trainings-failed.png", full_page=True)
        # its dataset deleted from the page
        await page.get_by_role("button", name=f"Delete dataset {dataset}").click()
        await page.get_by_test_id("dataset-row").filter(has_text=dataset).wait_for(state="detached")
    finally:
        await context.close()
    trainings = (await api.get("/v1/trainings", headers=user["headers"])).json()["items"]
    assert [t["status"] for t in trainings] == ["failed", "canceled"] and trainings[1]["model_id"] is None
    assert dataset not in [d["name"] for d in (await api.get("/v1/datasets", headers=user["headers"])).json()["items"]]


async def test_a_user_without_trainings_create_has_no_trainings_page(browser, stack, api, admin_headers):
    user = await designer(api, admin_headers)
    context, page = await open_signed_in(browser, stack, user)
    try:
        nav = page.get_by_role("navigation", name="Pages")
        await nav.get_by_role("link", name="Extras").wait_for()
        assert await nav.get_by_role("link", name="Trainings").count() == 0
    finally:
        await context.close()
