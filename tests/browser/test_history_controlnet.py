"""History's "send to txt2img" restores a job's ControlNet units in a real browser (fixtures: conftest.py): the
unit's control image and mask come back from the job's stored inputs (GET /v1/jobs/{id}/inputs/...), with its
preprocessor, model, weight, guidance range, modes and thresholds, so generating again gives the same units."""

from __future__ import annotations

import base64
import io

from PIL import Image, ImageDraw

from browser_helpers import ARTIFACTS, latest_job, open_signed_in, own_controlnet
from helpers import submit, until_status

UNIT_FIELDS = ("module", "weight", "guidance_start", "guidance_end", "control_mode", "resize_mode", "pixel_perfect",
               "threshold_a", "threshold_b", "processor_res")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _scribble() -> bytes:
    image = Image.new("RGB", (64, 64), (255, 255, 255))
    ImageDraw.Draw(image).line([(8, 56), (32, 8), (56, 56)], fill=(0, 0, 0), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _half_mask() -> bytes:
    image = Image.new("RGB", (64, 64), (0, 0, 0))
    ImageDraw.Draw(image).rectangle([0, 0, 31, 63], fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


async def _input(api, user, job_id: str, field: str) -> Image.Image:
    r = await api.get(f"/v1/jobs/{job_id}/inputs/{field}", headers=user["headers"])
    assert r.status_code == 200, r.text
    return Image.open(io.BytesIO(r.content)).convert("L")


async def test_send_to_txt2img_restores_a_controlnet_unit_with_its_image_and_mask(
        browser, stack, api, admin_headers, tmp_path):
    user, name = await own_controlnet(api, admin_headers, tmp_path)
    unit = {"model": name, "module": "canny", "image": _b64(_scribble()), "mask": _b64(_half_mask()), "weight": 0.8,
            "guidance_start": 0.1, "guidance_end": 0.9, "control_mode": "controlnet", "resize_mode": "just_resize",
            "threshold_a": 50, "threshold_b": 150, "processor_res": 256}
    first = await submit(api, user["headers"], prompt="a restored unit", steps=2, width=64, height=64, seed=9,
                         controlnets=[unit])
    first = await until_status(api, first["id"], user["headers"], "succeeded", "failed", timeout=240)
    assert first["status"] == "succeeded", first
    context, page = await open_signed_in(browser, stack, user)
    try:
        await page.goto("/#/history")
        await page.get_by_test_id("history-image").first.click()
        await page.get_by_role("button", name="Send to txt2img").click()
        await page.get_by_alt_text("Unit 1 control image").wait_for()
        assert await page.get_by_label("Unit 1 model").input_value() == name
        assert await page.get_by_label("Unit 1 preprocessor").input_value() == "canny"
        assert await page.get_by_label("Unit 1 weight").input_value() == "0.8"
        assert await page.get_by_label("Unit 1 guidance start").input_value() == "0.1"
        await page.get_by_text("Unit 1 advanced").click()
        assert await page.get_by_label("Unit 1 control mode").input_value() == "controlnet"
        assert await page.get_by_label("Unit 1 canny low threshold").input_value() == "50"
        assert await page.get_by_label("Unit 1 mask", exact=True).input_value() == "upload"
        await page.get_by_alt_text("Unit 1 mask").wait_for()
        await page.screenshot(path=ARTIFACTS / "history-controlnet-restored.png", full_page=True)

        await page.get_by_role("button", name="Generate").click()
        await page.get_by_test_id("job").first.get_by_test_id("job-image").first.wait_for()
        again = await latest_job(api, user)
        assert again["id"] != first["id"]
        (before,), (after,) = first["spec"]["controlnets"], again["spec"]["controlnets"]
        assert after["model"]["name"] == name
        assert {k: after[k] for k in UNIT_FIELDS} == {k: before[k] for k in UNIT_FIELDS}
        # the same control image and mask, read back through the inputs route
        for field in ("controlnets.0.image", "controlnets.0.mask"):
            old, new = await _input(api, user, first["id"], field), await _input(api, user, again["id"], field)
            assert old.size == new.size == (64, 64) and list(old.getdata()) == list(new.getdata()), field
    finally:
        await context.close()

