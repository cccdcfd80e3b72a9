"""The generate page's prompt pickers and further fields in a real browser (fixtures: conftest.py): the user's saved
settings fill the form when it opens, a LoRA picked by keyboard lands in the prompt at the cursor, a saved style is
chosen, "Reuse last seed" takes the last finished job's seed, the variation seed fields reach the job; the refiner
shows only for an SDXL model and, with tiling, reaches the job. All checked on the job's spec through the API."""

from __future__ import annotations

import uuid

from browser_helpers import ARTIFACTS, WAIT_MS, designer, open_signed_in
from helpers import new_user, submit, tiny_lora, until_status, upload_model, wait_for


async def _newest_other_than(api, user: dict, job_id: str | None) -> dict | None:
    """The user's newest job unless it is `job_id` (the page's submission has not arrived yet): None to wait on."""
    items = (await api.get("/v1/jobs", params={"limit": 1}, headers=user["headers"])).json()["items"]
    return items[0] if items and items[0]["id"] != job_id else None


async def test_pickers_saved_defaults_reused_seed_and_variation_reach_the_job(browser, stack, api, admin_headers,
                                                                             tmp_path):
    # a tenant of its own: its LoRA (public in its tenant) stays out of every other test's listings
    tenant = f"extras-{uuid.uuid4().hex[:6]}"
    owner = await new_user(api, admin_headers, roles=["admin"], tenant_id=tenant)
    user = await designer(api, admin_headers, tenant_id=tenant)
    lora = await upload_model(api, owner["headers"], f"fox-{uuid.uuid4().hex[:6]}", "lora", tiny_lora(tmp_path, 3))
    r = await api.patch("/v1/me/settings", headers=user["headers"], json={
        "steps": 3, "width": 64, "height": 64, "negative_prompt": "blurry",
        "styles": [{"name": "noir", "prompt": "{prompt}, film noir"}]})
    assert r.status_code == 200, r.text
    earlier = await submit(api, user["headers"], seed=4321, steps=1, width=8, height=8)
    context, page = await open_signed_in(browser, stack, user)
    try:
        # the saved defaults are in the form
        await page.wait_for_function(
            "() => document.querySelector('textarea[name=negative_prompt]').value === 'blurry'")
        assert await page.get_by_label("Steps").input_value() == "3"
        assert await page.get_by_label("Width").input_value() == "64"

        # a LoRA, found by typing and picked with the keyboard, goes where the cursor was
        prompt = page.get_by_label("Prompt", exact=True)
        await prompt.fill("a fox in snow")
        await prompt.evaluate("t => { t.focus(); t.setSelectionRange(5, 5); }")
        search = page.get_by_role("combobox", name="Find a lora")
        await search.fill(lora["name"][4:])
        await page.get_by_role("option", name=lora["name"]).wait_for()
        await search.press("ArrowDown")
        await search.press("Enter")
        assert await prompt.input_value() == f"a fox <lora:{lora['name']}:1> in snow"
        # a saved style, chosen from the same picker
        await page.get_by_label("Kind", exact=True).select_option("style")
        await page.get_by_role("combobox", name="Find a style").fill("noi")
        await page.get_by_role("option", name="noir").click()
        await page.get_by_test_id("style-chip").filter(has_text="noir").wait_for()

        # the last finished job's seed, then a variation seed
        await until_status(api, earlier["id"], user["headers"], "succeeded", timeout=WAIT_MS / 1000)
        await page.get_by_role("button", name="Reuse last seed").click()
        await page.wait_for_function("() => document.querySelector('input[name=seed]').value === '4321'")
        await page.get_by_label("Variations").check()
        await page.get_by_label("Variation seed").fill("77")
        await page.get_by_label("Variation strength").fill("0.3")
        await page.screenshot(path=ARTIFACTS / "generate-extras.png")
        await page.get_by_role("button", name="Generate").click()
        job = await wait_for(lambda: _newest_other_than(api, user, earlier["id"]))
        await page.get_by_test_id("job").filter(has_text="film noir").wait_for()
    finally:
        await context.close()

    job = await until_status(api, job["id"], user["headers"], "succeeded", "failed", timeout=WAIT_MS / 1000)
    assert job["status"] == "succeeded", job
    spec = job["spec"]
    assert [x["model"]["id"] for x in spec["loras"]] == [lora["id"]]
    assert "<lora" not in spec["prompt"] and spec["prompt"].endswith("film noir")
    assert spec["negative_prompt"].startswith("blurry")
    assert spec["seeds"][0] == 4321 and spec["subseeds"][0] == 77 and spec["subseed_strength"] == 0.3
    assert (spec["steps"], spec["width"], spec["height"]) == (3, 64, 64)


async def test_the_refiner_shows_for_an_sdxl_model_and_reaches_the_job(browser, stack, api, admin_headers):
    user = await designer(api, admin_headers)
    context, page = await open_signed_in(browser, stack, user)
    try:
        await page.get_by_label("Prompt", exact=True).fill("a red fox")
        for label, value in (("Steps", "2"), ("Width", "64"), ("Height", "64")):
            await page.get_by_label(label).fill(value)
        refiner = page.get_by_label("Refiner", exact=True)
        await page.get_by_label("Model", exact=True).select_option("tiny-sd")
        assert await refiner.count() == 0  # not an SDXL model
        await page.get_by_label("Model", exact=True).select_option("tiny-sdxl")
        await refiner.check()
        await page.get_by_label("Refiner checkpoint").select_option("tiny-sdxl")
        await page.get_by_label("Switch at").fill("0.5")
        await page.get_by_label("Tiling").check()
        await page.screenshot(path=ARTIFACTS / "generate-refiner.png")
        await page.get_by_role("button", name="Generate").click()
        job = await wait_for(lambda: _newest_other_than(api, user, None))
    finally:
        await context.close()

    job = await until_status(api, job["id"], user["headers"], "succeeded", "failed", timeout=WAIT_MS / 1000)
    assert job["status"] == "succeeded", job
    spec = job["spec"]
    assert spec["model"]["name"] == "tiny-sdxl" and spec["tiling"] is True
    assert spec["refiner"]["model"]["name"] == "tiny-sdxl" and spec["refiner"]["switch_at"] == 0.5
