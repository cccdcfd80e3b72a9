"""More of the generate page in a real browser against the embedded stack (fixtures: conftest.py): a ControlNet unit's
advanced settings (a mask painted for the unit, pixel perfect, control and resize modes, the preprocessor's
thresholds and resolution) reach the job's spec; inpaint sketch makes both the init image's new colour and the mask;
the mask canvas paints from the keyboard alone; History's "send to txt2img" restores styles, variation seed, tiling,
refiner and the batch fields, so generating again gives the same spec; Skip ends the running batch of a job with a
batch count of 2 and the job still succeeds. Screenshots go to tests/browser/artifacts/."""

from __future__ import annotations

import io
import uuid

from PIL import Image

from browser_helpers import ARTIFACTS, WAIT_MS, designer, latest_job, open_signed_in, own_controlnet, png, stroke
from helpers import job_status, submit, until_status, wait_for


async def stored(stack, ref: dict) -> Image.Image:
    """An input image the job stored (its key in the object store)."""
    return Image.open(io.BytesIO(await stack._server.config.app.state.store.get(ref["key"])))


async def fill_small_job(page, prompt: str, steps: int = 2) -> None:
    await page.get_by_label("Prompt", exact=True).fill(prompt)
    for label, value in (("Steps", str(steps)), ("Width", "64"), ("Height", "64")):
        await page.get_by_label(label).fill(value)


async def generate(page, count: int) -> None:
    """Click Generate and wait for the new job (the `count`th on the page) to show an image."""
    await page.get_by_role("button", name="Generate").click()
    await page.wait_for_function(f"() => document.querySelectorAll('[data-testid=job]').length === {count}")
    await page.get_by_test_id("job").first.get_by_test_id("job-image").first.wait_for()


async def test_a_controlnet_units_mask_pixel_perfect_modes_and_thresholds_reach_the_job(
        browser, stack, api, admin_headers, tmp_path):
    user, name = await own_controlnet(api, admin_headers, tmp_path)
    context, page = await open_signed_in(browser, stack, user)
    try:
        await fill_small_job(page, "a lighthouse")
        await page.get_by_role("button", name="Add ControlNet unit").click()
        await page.get_by_label("Unit 1 control image").select_option("scribble")
        await stroke(page, page.get_by_test_id("scribble-canvas"), [(0.2, 0.8), (0.5, 0.2), (0.8, 0.8)])
        await page.get_by_label("Unit 1 model").select_option(name)
        await page.get_by_label("Unit 1 preprocessor").select_option("canny")
        await page.get_by_text("Unit 1 advanced").click()
        # canny's thresholds, named and preset from the preprocessor's sliders
        low = page.get_by_label("Unit 1 canny low threshold")
        assert await low.input_value() == "100"
        await low.fill("50")
        await page.get_by_label("Unit 1 canny high threshold").fill("150")
        await page.get_by_label("Unit 1 control mode").select_option("controlnet")
        await page.get_by_label("Unit 1 resize mode").select_option("just_resize")
        await page.get_by_label("Unit 1 pixel perfect").check()
        assert await page.get_by_label("Unit 1 processor resolution").is_disabled()
        # the unit's mask, painted over its control image: the left half
        await page.get_by_label("Unit 1 mask", exact=True).select_option("paint")
        mask_canvas = page.get_by_test_id("controlnet-mask-canvas")
        await page.wait_for_function(
            "() => document.querySelector('[data-testid=controlnet-mask-canvas]')?.width === 64")
        for y in (0.3, 0.4, 0.5, 0.6, 0.7):
            await stroke(page, mask_canvas, [(0.05, y), (0.3, y)])
        await page.screenshot(path=ARTIFACTS / "controlnet-advanced.png")
        await generate(page, 1)

        (unit,) = (await latest_job(api, user))["spec"]["controlnets"]
        assert unit["model"]["name"] == name and unit["module"] == "canny"
        assert (unit["threshold_a"], unit["threshold_b"]) == (50, 150)
        assert unit["control_mode"] == "controlnet" and unit["resize_mode"] == "just_resize"
        assert unit["pixel_perfect"] is True
        mask = (await stored(stack, unit["mask"])).convert("L")
        assert mask.size == (64, 64)
        assert mask.getpixel((10, 32)) > 200 and mask.getpixel((56, 32)) < 30  # painted left, unpainted right

        # without pixel perfect the resolution typed is sent; an uploaded mask replaces the painted one
        await page.get_by_label("Unit 1 pixel perfect").uncheck()
        await page.get_by_label("Unit 1 processor resolution").fill("256")
        await page.get_by_label("Unit 1 mask", exact=True).select_option("upload")
        await page.get_by_label("Unit 1 mask file").set_input_files(
            {"name": "mask.png", "mimeType": "image/png", "buffer": png(64, 64, (255, 255, 255))})
        await page.get_by_alt_text("Unit 1 mask").wait_for()
        await generate(page, 2)
        (unit,) = (await latest_job(api, user))["spec"]["controlnets"]
        assert unit["pixel_perfect"] is False and unit["processor_res"] == 256
        assert (await stored(stack, unit["mask"])).convert("L").getpixel((56, 32)) > 200
    finally:
        await context.close()


async def test_inpaint_sketch_paints_the_init_image_and_the_mask(browser, stack, api, admin_headers):
    user = await designer(api, admin_headers)
    context, page = await open_signed_in(browser, stack, user)
    try:
        await page.get_by_role("tab", name="Image to image").click()
        await page.get_by_label("Init image").set_input_files(
            {"name": "init.png", "mimeType": "image/png", "buffer": png(64, 64)})
        await page.get_by_test_id("init-image").wait_for()
        await page.get_by_label("Edit mode").select_option("inpaint_sketch")
        await page.wait_for_function(
            "() => document.querySelector('[data-testid=inpaint-sketch-canvas]')?.width === 64")
        await page.get_by_label("Inpaint sketch colour").fill("#ff0000")
        for y in (0.45, 0.5, 0.55):
            await stroke(page, page.get_by_test_id("inpaint-sketch-canvas"), [(0.3, y), (0.7, y)])
        await page.get_by_label("Mask blur").fill("5")
        await page.get_by_label("Masked content").select_option("fill")
        await page.screenshot(path=ARTIFACTS / "inpaint-sketch.png")
        await fill_small_job(page, "a red stripe")
        await generate(page, 1)

        spec = (await latest_job(api, user))["spec"]
        assert (spec["mask_blur"], spec["inpainting_fill"]) == (5, "fill")
        init = (await stored(stack, spec["init_images"][0])).convert("RGB")
        assert init.size == (64, 64) and init.getpixel((2, 2)) == (40, 120, 200)  # the init image...
        red, green, blue = init.getpixel((32, 32))
        assert red > 200 and green < 50 and blue < 50  # ...in the sketch's colour where painted
        mask = (await stored(stack, spec["mask"])).convert("L")
        assert mask.getpixel((32, 32)) > 200  # painted: repainted
        assert mask.getpixel((32, 4)) < 30 and mask.getpixel((2, 60)) < 30  # unpainted: kept

        # History's "Send to inpaint" brings the inpaint options back with the image
        await page.get_by_role("link", name="History").click()
        await page.get_by_test_id("history-image").first.click()
        await page.get_by_role("button", name="Send to inpaint").click()
        await page.wait_for_function("() => document.querySelector('[data-testid=mask-canvas]')?.width === 64")
        await page.wait_for_function("() => document.querySelector('input[name=mask_blur]').value === '5'")
        assert await page.get_by_label("Masked content").input_value() == "fill"
    finally:
        await context.close()


async def test_the_mask_canvas_paints_from_the_keyboard(browser, stack, api, admin_headers):
    user = await designer(api, admin_headers)
    context, page = await open_signed_in(browser, stack, user)
    try:
        await page.get_by_role("tab", name="Image to image").click()
        await page.get_by_label("Init image").set_input_files(
            {"name": "init.png", "mimeType": "image/png", "buffer": png(64, 64)})
        await page.get_by_label("Edit mode").select_option("inpaint")
        await page.wait_for_function("() => document.querySelector('[data-testid=mask-canvas]')?.width === 64")
        canvas = page.get_by_role("application", name="Mask canvas: draw with the pointer or the keyboard")
        assert "arrows move the cursor" in await canvas.evaluate(
            "c => document.getElementById(c.getAttribute('aria-describedby')).textContent")
        # Tab reaches the canvas from the control before it: no pointer anywhere
        await page.get_by_role("button", name="Clear mask").focus()
        await page.keyboard.press("Tab")
        assert await canvas.evaluate("c => document.activeElement === c")
        status = page.get_by_test_id("paint-status")
        for _ in range(2):
            await page.keyboard.press("]")
        await status.filter(has_text="32 px").wait_for()
        await page.keyboard.press("Space")  # the brush goes down at the centre...
        await status.filter(has_text="Brush down").wait_for()
        for _ in range(5):
            await page.keyboard.press("ArrowRight")  # ...and paints as it moves
        await page.keyboard.press("Space")
        await status.filter(has_text="Brush up").wait_for()
        for _ in range(10):
            await page.keyboard.press("ArrowUp")  # moving with the brush up paints nothing
        await page.screenshot(path=ARTIFACTS / "inpaint-keyboard.png")
        await fill_small_job(page, "a painted line")
        await generate(page, 1)

        spec = (await latest_job(api, user))["spec"]
        mask = (await stored(stack, spec["mask"])).convert("L")
        assert mask.getpixel((32, 32)) > 200 and mask.getpixel((40, 32)) > 200  # from the centre, rightwards
        assert mask.getpixel((41, 8)) < 30 and mask.getpixel((4, 4)) < 30 and mask.getpixel((32, 60)) < 30
    finally:
        await context.close()


async def test_history_restores_styles_variation_tiling_refiner_and_batches(browser, stack, api, admin_headers):
    user = await designer(api, admin_headers)
    r = await api.patch("/v1/me/settings", headers=user["headers"], json={"styles": [
        {"name": "noir", "prompt": "{prompt}, film noir", "negative_prompt": "colour"},
        {"name": "sharp", "prompt": "sharp focus"}]})
    assert r.status_code == 200, r.text
    job = await submit(api, user["headers"], prompt="a cat on a roof", negative_prompt="blurry",
                       styles=["noir", "sharp"], model="tiny-sdxl", sampler="Euler", cfg_scale=5, steps=2, seed=321,
                       n_iter=2, batch_size=1, subseed=77, subseed_strength=0.3, tiling=True,
                       refiner={"model": "tiny-sdxl", "switch_at": 0.5})
    first = await until_status(api, job["id"], user["headers"], "succeeded", "failed", timeout=WAIT_MS / 1000)
    assert first["status"] == "succeeded", first
    context, page = await open_signed_in(browser, stack, user)
    try:
        await page.get_by_role("link", name="History").click()
        await page.get_by_test_id("history-image").first.wait_for()
        await page.get_by_role("button", name="Open image 1 of: a cat on a roof").click()
        await page.get_by_role("button", name="Send to txt2img").click()
        prompt = page.get_by_label("Prompt", exact=True)
        await page.wait_for_function(
            "() => document.querySelector('textarea[name=prompt]').value === 'a cat on a roof'")
        assert await page.get_by_label("Negative prompt").input_value() == "blurry"
        chips = page.get_by_test_id("style-chip")
        await chips.first.wait_for()
        assert [t.replace("×", "").strip() for t in await chips.all_text_contents()] == ["noir", "sharp"]
        assert await page.get_by_label("Model", exact=True).input_value() == "tiny-sdxl"
        assert await page.get_by_label("Sampler").input_value() == "Euler"
        assert await page.get_by_label("CFG scale").input_value() == "5"
        assert await page.get_by_label("Seed", exact=True).input_value() == "321"
        assert await page.get_by_label("Batch count").input_value() == "2"
        assert await page.get_by_label("Batch size").input_value() == "1"
        assert await page.get_by_label("Tiling").is_checked()
        assert await page.get_by_label("Variations").is_checked()
        assert await page.get_by_label("Variation seed").input_value() == "77"
        assert await page.get_by_label("Variation strength").input_value() == "0.3"
        assert await page.get_by_label("Refiner", exact=True).is_checked()
        assert await page.get_by_label("Refiner checkpoint").input_value() == "tiny-sdxl"
        assert await page.get_by_label("Switch at").input_value() == "0.5"
        assert await prompt.input_value() == "a cat on a roof"
        await page.screenshot(path=ARTIFACTS / "history-restore.png")
        # generating again as restored gives the same job
        await page.get_by_role("button", name="Generate").click()
        await page.get_by_test_id("job").first.wait_for()

        async def again():
            newest = (await api.get("/v1/jobs", params={"limit": 1}, headers=user["headers"])).json()["items"][0]
            return newest if newest["id"] != job["id"] else None

        second = await wait_for(again)
    finally:
        await context.close()
    before, after = first["spec"], second["spec"]
    assert after["prompt"] == before["prompt"] == "a cat on a roof, film noir, sharp focus"
    assert after["negative_prompt"] == before["negative_prompt"] == "blurry, colour"
    for key in ("seeds", "subseeds", "subseed_strength", "tiling", "batch_size", "steps", "cfg_scale", "sampler",
                "width", "height"):
        assert after[key] == before[key], key
    assert after["refiner"]["model"]["name"] == "tiny-sdxl" and after["refiner"]["switch_at"] == 0.5


async def test_skip_ends_the_running_batch_and_the_job_goes_on(browser, stack, api, admin_headers):
    user = await designer(api, admin_headers)
    context, page = await open_signed_in(browser, stack, user)
    try:
        await fill_small_job(page, "two batches, the first skipped", steps=60)
        await page.get_by_label("Seed", exact=True).fill("40")
        await page.get_by_label("Batch count").fill("2")
        await page.get_by_role("button", name="Generate").click()
        card = page.get_by_test_id("job").first
        skip = card.get_by_role("button", name="Skip")
        await skip.wait_for()  # shown once the job runs

        job_id = (await latest_job(api, user))["id"]

        async def first_batch_running():
            job = await job_status(api, job_id, user["headers"])
            return 1 <= ((job.get("progress") or {}).get("step") or 0) < 40

        await wait_for(first_batch_running, timeout=WAIT_MS / 1000, interval=0.05)
        await skip.click()
        job = await until_status(api, job_id, user["headers"], "succeeded", "failed", "canceled", timeout=300)
        await page.screenshot(path=ARTIFACTS / "generate-skip.png")
        await card.get_by_test_id("job-status").filter(has_text=job["status"]).wait_for()
        assert await skip.count() == 0
        assert await card.get_by_role("alert").count() == 0  # the skip was taken (a 409 would show here)
    finally:
        await context.close()
    # the skipped batch kept its image as it was and the second batch ran: the job succeeded, not canceled
    assert job["status"] == "succeeded" and not job["cancel_requested"]
    assert [i["seed"] for i in job["images"]] == [40, 41]


async def test_a_queued_job_shows_its_place_in_its_pools_queue(browser, stack, api, admin_headers):
    # admins of tenants of their own may use any pool; no worker serves `idle`, so its jobs wait there
    other = await designer(api, admin_headers, roles=["admin"], tenant_id=f"qa{uuid.uuid4().hex[:8]}")
    user = await designer(api, admin_headers, roles=["admin"], tenant_id=f"qb{uuid.uuid4().hex[:8]}")
    theirs = await submit(api, other["headers"], pool="idle", steps=1, prompt="waiting first")
    mine = await submit(api, user["headers"], pool="idle", steps=1, prompt="waiting behind someone")
    context, page = await open_signed_in(browser, stack, user)
    try:
        record = await job_status(api, mine["id"], user["headers"])
        assert record["status"] == "queued" and record["queue_position"] >= 1
        # another tenant's job is ahead in the pool: the card says so (the user's own queued jobs number none)
        card = page.get_by_test_id("job").filter(has_text="waiting behind someone")
        place = card.get_by_test_id("queue-place")
        await place.filter(has_text=f"In queue: {record['queue_position']} ahead").wait_for()
        await page.screenshot(path=ARTIFACTS / "generate-queue.png")
        await card.get_by_role("button", name="Cancel").click()
        await card.get_by_test_id("job-status").filter(has_text="cancel").wait_for()
    finally:
        await context.close()
        for job, owner in ((theirs, other), (mine, user)):
            await api.delete(f"/v1/jobs/{job['id']}", headers=owner["headers"])
