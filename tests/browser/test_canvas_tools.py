"""The generate page's canvas tools in a real browser against the embedded stack: a mask painted by brush on the
img2img init image reaches the job (stored, white where painted, black elsewhere, with the inpaint options set), a
sketch over it becomes the init image, outpaint grows the image, which History sends back to inpaint; a ControlNet
unit whose control image is a scribble drawn on the page runs, its detected map previewed first. Screenshots go to
tests/browser/artifacts/ (fixtures: conftest.py)."""

from __future__ import annotations

import io

from PIL import Image

from browser_helpers import ARTIFACTS, designer, latest_job, open_signed_in, own_controlnet, png, stroke


async def test_a_mask_painted_on_the_init_image_reaches_the_job(browser, stack, api, admin_headers):
    user = await designer(api, admin_headers)
    context, page = await open_signed_in(browser, stack, user)
    try:
        await page.get_by_role("tab", name="Image to image").click()
        await page.get_by_label("Init image").set_input_files(
            {"name": "init.png", "mimeType": "image/png", "buffer": png(64, 64)})
        await page.get_by_test_id("init-image").wait_for()
        await page.get_by_label("Edit mode").select_option("inpaint")
        canvas = page.get_by_test_id("mask-canvas")
        await page.wait_for_function(
            "() => document.querySelector('[data-testid=mask-canvas]')?.width === 64")
        for y in (0.45, 0.5, 0.55):  # a band across the middle; the top and the corners stay unpainted
            await stroke(page, canvas, [(0.3, y), (0.7, y)])
        await page.screenshot(path=ARTIFACTS / "inpaint.png")
        await page.get_by_label("Mask blur").fill("6")
        await page.get_by_label("Masked content").select_option("latent_noise")
        await page.get_by_label("Inpaint area").select_option("masked")
        await page.get_by_label("Only masked padding (px)").fill("16")
        await page.get_by_label("Prompt", exact=True).fill("a red door")
        await page.get_by_label("Steps").fill("2")
        await page.get_by_label("Width").fill("64")
        await page.get_by_label("Height").fill("64")
        await page.get_by_role("button", name="Generate").click()
        await page.get_by_test_id("job").first.get_by_test_id("job-image").first.wait_for()

        spec = (await latest_job(api, user))["spec"]
        assert spec["task"] in ("img2img", "inpaint") and len(spec["init_images"]) == 1
        assert (spec["mask_blur"], spec["inpainting_fill"]) == (6, "latent_noise")
        assert spec["inpaint_full_res"] is True and spec["inpaint_full_res_padding"] == 16
        assert spec["inpainting_mask_invert"] is False
        stored = spec["mask"]
        assert (stored["width"], stored["height"]) == (64, 64)
        mask = Image.open(io.BytesIO(await stack._server.config.app.state.store.get(stored["key"]))).convert("L")
        assert mask.getpixel((32, 32)) > 200  # painted: white, repainted
        assert mask.getpixel((32, 4)) < 30 and mask.getpixel((2, 60)) < 30  # unpainted: black, kept

        # sketch: red strokes drawn over the init image make the job's init image
        await page.get_by_label("Edit mode").select_option("sketch")
        await page.wait_for_function(
            "() => document.querySelector('[data-testid=sketch-canvas]')?.width === 64")
        await page.get_by_label("Sketch colour").fill("#ff0000")
        for y in (0.45, 0.5, 0.55):
            await stroke(page, page.get_by_test_id("sketch-canvas"), [(0.3, y), (0.7, y)])
        await page.screenshot(path=ARTIFACTS / "sketch.png")
        await page.get_by_role("button", name="Generate").click()
        await page.wait_for_function("() => document.querySelectorAll('[data-testid=job]').length === 2")
        await page.get_by_test_id("job").first.get_by_test_id("job-image").first.wait_for()
        spec = (await latest_job(api, user))["spec"]
        assert spec["mask"] is None
        drawn = Image.open(io.BytesIO(await stack._server.config.app.state.store.get(
            spec["init_images"][0]["key"]))).convert("RGB")
        assert drawn.size == (64, 64) and drawn.getpixel((2, 2)) == (40, 120, 200)  # the init image...
        red, green, blue = drawn.getpixel((32, 32))
        assert red > 200 and green < 50 and blue < 50  # ...with the sketch on it

        # outpaint: the same init image grows by the pixels added on its sides
        await page.get_by_label("Edit mode").select_option("outpaint")
        await page.get_by_label("Add right").fill("16")
        await page.get_by_label("Add bottom").fill("8")
        await page.get_by_role("button", name="Generate").click()
        await page.wait_for_function("() => document.querySelectorAll('[data-testid=job]').length === 3")
        image = page.get_by_test_id("job").first.get_by_test_id("job-image").first
        await image.wait_for()
        await page.screenshot(path=ARTIFACTS / "outpaint.png")
        assert await image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [80, 72]
        spec = (await latest_job(api, user))["spec"]
        assert spec["outpaint"] == {"left": 0, "right": 16, "top": 0, "bottom": 8} and spec["mask"] is None

        # History's "Send to inpaint" opens that image on img2img, ready for a mask
        await page.get_by_role("link", name="History").click()
        await page.get_by_test_id("history-image").first.click()
        await page.get_by_role("button", name="Send to inpaint").click()
        await page.wait_for_function(
            "() => document.querySelector('[data-testid=mask-canvas]')?.width === 80")
        assert await page.get_by_label("Edit mode").input_value() == "inpaint"
    finally:
        await context.close()


async def test_a_controlnet_unit_with_a_drawn_scribble_runs(browser, stack, api, admin_headers, tmp_path):
    user, name = await own_controlnet(api, admin_headers, tmp_path)

    context, page = await open_signed_in(browser, stack, user)
    try:
        await page.get_by_label("Prompt", exact=True).fill("a house")
        await page.get_by_label("Steps").fill("2")
        await page.get_by_label("Width").fill("64")
        await page.get_by_label("Height").fill("64")
        await page.get_by_role("button", name="Add ControlNet unit").click()
        await page.get_by_label("Unit 1 control image").select_option("scribble")
        canvas = page.get_by_test_id("scribble-canvas")
        await stroke(page, canvas, [(0.2, 0.8), (0.5, 0.2), (0.8, 0.8), (0.2, 0.8)])  # a roof
        assert await page.get_by_label("Unit 1 preprocessor").input_value() == "invert"
        await page.get_by_label("Unit 1 model").select_option(name)
        await page.get_by_label("Unit 1 weight").fill("0.8")
        await page.get_by_label("Unit 1 guidance end").fill("0.9")
        await page.get_by_role("button", name="Preview unit 1 map").click()
        detected = page.get_by_test_id("controlnet-map")
        await detected.wait_for()
        assert await detected.evaluate("img => img.complete && img.naturalWidth") > 0
        await page.screenshot(path=ARTIFACTS / "controlnet.png")
        await page.get_by_role("button", name="Generate").click()
        card = page.get_by_test_id("job").first
        await card.get_by_test_id("job-image").first.wait_for()
        assert await card.get_by_test_id("job-status").text_content() == "succeeded"

        (unit,) = (await latest_job(api, user))["spec"]["controlnets"]
        assert unit["model"]["name"] == name and unit["module"] == "invert"
        assert (unit["weight"], unit["guidance_start"], unit["guidance_end"]) == (0.8, 0.0, 0.9)
        scribble = Image.open(io.BytesIO(await stack._server.config.app.state.store.get(unit["image"]["key"])))
        assert scribble.size == (64, 64)
        gray = scribble.convert("L")
        assert gray.getpixel((2, 2)) > 200  # the canvas is white...
        assert min(gray.getdata()) < 50  # ...with the black scribble on it
    finally:
        await context.close()
