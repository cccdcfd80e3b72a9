"""The Extras page in a real browser against the embedded stack (fixtures: conftest.py): an image sent from History
is upscaled (an extras job, its bigger image shown); PNG info reads the parameters of a PNG a txt2img job made,
dropped on the page, and sends them to img2img (with the image) and to txt2img, whose job then runs with them."""

from __future__ import annotations

import base64

from PIL import Image

from browser_helpers import ARTIFACTS, WAIT_MS, designer, open_signed_in
from helpers import submit, until_status, wait_for

PROMPT = "a lighthouse at dusk, (stormy sea:1.2)"


async def _made_png(api, user: dict) -> tuple[dict, bytes]:
    job = await submit(api, user["headers"], prompt=PROMPT, negative_prompt="blurry", steps=2, seed=4242,
                       sampler="Euler", cfg_scale=6.5, width=64, height=64)
    job = await until_status(api, job["id"], user["headers"], "succeeded", "failed", timeout=WAIT_MS / 1000)
    assert job["status"] == "succeeded", job
    return job, (await api.get(job["images"][0]["url"], headers=user["headers"])).content


async def _drop(page, data: bytes) -> None:
    """Drop `data` as a PNG file on the PNG info drop zone, as a file dragged from the desktop."""
    transfer = await page.evaluate_handle("""(b64) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], 'made.png', { type: 'image/png' }));
        return dt;
    }""", base64.b64encode(data).decode())
    await page.get_by_test_id("png-drop").dispatch_event("drop", {"dataTransfer": transfer})


async def _newest_job(api, user: dict, not_ids: set[str]) -> dict | None:
    items = (await api.get("/v1/jobs", params={"limit": 1}, headers=user["headers"])).json()["items"]
    return items[0] if items and items[0]["id"] not in not_ids else None


async def test_an_image_sent_from_history_is_upscaled_on_extras(browser, stack, api, admin_headers, tmp_path):
    user = await designer(api, admin_headers)
    made, _ = await _made_png(api, user)
    context, page = await open_signed_in(browser, stack, user)
    try:
        await page.get_by_role("link", name="History").click()
        await page.get_by_test_id("history-image").first.click()
        await page.get_by_role("button", name="Send to extras").click()
        await page.get_by_test_id("extras-input").wait_for()
        await page.get_by_label("Upscaler", exact=True).select_option("Lanczos")
        await page.get_by_label("Scale", exact=True).fill("2")
        await page.get_by_role("button", name="Upscale").click()
        card = page.get_by_test_id("job")
        await card.get_by_test_id("job-image").wait_for()
        size = await card.get_by_test_id("job-image").evaluate("i => [i.naturalWidth, i.naturalHeight]")
        assert size == [128, 128]
        await page.screenshot(path=ARTIFACTS / "extras.png", full_page=True)
        job = await wait_for(lambda: _newest_job(api, user, {made["id"]}))
    finally:
        await context.close()
    assert job["status"] == "succeeded" and job["spec"]["extras"]["upscaler"] == "Lanczos", job
    out = tmp_path / "up.png"
    out.write_bytes((await api.get(job["images"][0]["url"], headers=user["headers"])).content)
    assert Image.open(out).size == (128, 128)


async def test_png_info_reads_a_dropped_png_and_sends_it_to_img2img_and_txt2img(browser, stack, api, admin_headers):
    user = await designer(api, admin_headers)
    made, png = await _made_png(api, user)
    context, page = await open_signed_in(browser, stack, user)
    try:
        await page.get_by_role("link", name="Extras").click()
        await _drop(page, png)
        params = page.get_by_test_id("png-params")
        await params.wait_for()
        shown = {k: await params.locator(f"dd[data-param='{k}']").text_content()
                 for k in ("Prompt", "Negative prompt", "Steps", "Sampler", "CFG scale", "Seed", "Model")}
        assert shown == {"Prompt": PROMPT, "Negative prompt": "blurry", "Steps": "2", "Sampler": "Euler",
                         "CFG scale": "6.5", "Seed": "4242", "Model": "tiny-sd"}, shown
        await page.screenshot(path=ARTIFACTS / "png-info.png", full_page=True)

        # to img2img: the parameters and the image itself as the init image
        await page.get_by_role("button", name="Send to img2img").click()
        await page.get_by_test_id("init-image").wait_for()
        assert await page.get_by_role("tab", name="Image to image").get_attribute("aria-selected") == "true"
        assert await page.get_by_label("Prompt", exact=True).input_value() == PROMPT

        # to txt2img: the form filled, and the job runs with it
        await page.get_by_role("link", name="Extras").click()
        await _drop(page, png)
        await page.get_by_test_id("png-params").wait_for()
        await page.get_by_role("button", name="Send to txt2img").click()
        await page.wait_for_function(
            "(p) => document.querySelector('textarea[name=prompt]')?.value === p", arg=PROMPT)
        await page.wait_for_function("() => document.querySelector('select[name=model]')?.value === 'tiny-sd'")
        for label, value in (("Steps", "2"), ("Seed", "4242"), ("Width", "64"), ("Height", "64"),
                             ("CFG scale", "6.5")):
            assert await page.get_by_label(label, exact=True).input_value() == value, label
        assert await page.get_by_label("Negative prompt").input_value() == "blurry"
        assert await page.get_by_label("Sampler").input_value() == "Euler"
        await page.get_by_role("button", name="Generate").click()
        job = await wait_for(lambda: _newest_job(api, user, {made["id"]}))
    finally:
        await context.close()
    job = await until_status(api, job["id"], user["headers"], "succeeded", "failed", timeout=WAIT_MS / 1000)
    spec, first = job["spec"], made["spec"]
    for key in ("prompt", "negative_prompt", "steps", "sampler", "cfg_scale", "width", "height", "seeds"):
        assert spec[key] == first[key], key
    assert job["status"] == "succeeded" and job["images"][0]["seed"] == 4242
