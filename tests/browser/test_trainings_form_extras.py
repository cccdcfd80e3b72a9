"""The Trainings page's smaller parts in a real browser (fixtures: conftest.py): images uploaded one by one with a
caption typed beside each (the caption stored with its image, an image left without one has none), the GPU pool
chosen in the form (the pools the user may use offered; a pool that does not exist named beside the field), and
the trainings list paged past its first 20 (the list answered page by page as GET /v1/trainings pages it)."""

from __future__ import annotations

import json
import uuid

from browser_helpers import ARTIFACTS, designer, open_signed_in
from training_helpers import TRAINER_PERMISSIONS, image_bytes


async def _trainer(api, admin_headers) -> dict:
    role = f"trainer-{uuid.uuid4().hex[:8]}"
    r = await api.post("/v1/roles", json={"name": role, "permissions": TRAINER_PERMISSIONS}, headers=admin_headers)
    assert r.status_code == 201, r.text
    return await designer(api, admin_headers, roles=["user", role])


async def test_captions_typed_per_image_and_the_pool_reach_the_api(browser, stack, api, admin_headers):
    user = await _trainer(api, admin_headers)
    name = f"captioned-{uuid.uuid4().hex[:6]}"
    context, page = await open_signed_in(browser, stack, user)
    try:
        await page.get_by_role("link", name="Trainings").click()
        await page.get_by_label("Dataset name").fill(name)
        await page.get_by_label("Images or a zip").set_input_files(
            [{"name": f"img{i}.png", "mimeType": "image/png", "buffer": image_bytes(i)} for i in range(3)])
        await page.get_by_label("Caption of img1.png").fill("a striped cat")
        await page.screenshot(path=ARTIFACTS / "trainings-captions.png")
        await page.get_by_role("button", name="Upload", exact=True).click()
        await page.get_by_test_id("dataset-row").filter(has_text=name).wait_for()
        dataset = next(d for d in (await api.get("/v1/datasets", headers=user["headers"])).json()["items"]
                       if d["name"] == name)
        files = (await api.get(f"/v1/datasets/{dataset['id']}", headers=user["headers"])).json()["files"]
        assert sorted((f["caption"] or "") for f in files) == ["", "", "a striped cat"], files

        # the pools the user may use are offered; one that does not exist is refused beside the field
        form = page.get_by_role("form", name="Start a training")
        assert "default" in await page.eval_on_selector_all("#training-pools option", "os => os.map((o) => o.value)")
        await form.get_by_label("Base model").select_option("tiny-sd")
        await form.get_by_label("Dataset", exact=True).select_option(label=f"{name} (3 images)")
        await form.get_by_label("GPU pool").fill("no-such-pool")
        await form.get_by_role("button", name="Start training").click()
        pool_field = form.locator(".field").filter(has=page.get_by_label("GPU pool"))
        await pool_field.locator(".error").wait_for()
        assert "no-such-pool" in await pool_field.locator(".error").text_content()
        assert (await api.get("/v1/trainings", headers=user["headers"])).json()["items"] == []
    finally:
        await context.close()


def _record(n: int) -> dict:
    return {"id": f"t{n:03d}", "name": f"training {n}", "method": "lora", "status": "succeeded", "step": 4,
            "total_steps": 4}


async def test_the_trainings_list_pages_past_its_first_20(browser, stack, api, admin_headers):
    user = await _trainer(api, admin_headers)
    context, page = await open_signed_in(browser, stack, user)
    asked = []

    async def pages(route):
        # the list as GET /v1/trainings answers it: 20 a page, then the rest after its next_cursor
        url = route.request.url
        asked.append(url)
        first = "cursor=" not in url
        body = {"items": [_record(n) for n in (range(23, 3, -1) if first else range(3, 0, -1))],
                "next_cursor": "after-t004" if first else None}
        await route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    try:
        await page.route("**/v1/trainings?*", pages)
        await page.get_by_role("link", name="Trainings").click()
        rows = page.get_by_test_id("training-row")
        await rows.filter(has_text="training 23").wait_for()
        assert await rows.count() == 20
        await page.get_by_role("button", name="Older").click()
        await rows.filter(has_text="training 3").wait_for()
        assert await rows.count() == 3 and await page.get_by_test_id("trainings-page").text_content() == "Page 2"
        assert "cursor=after-t004" in asked[-1] and "limit=20" in asked[-1]
        assert await page.get_by_role("button", name="Older").is_disabled()
        await page.get_by_role("button", name="Newer").click()
        await rows.filter(has_text="training 23").wait_for()
        assert await rows.count() == 20
    finally:
        await context.close()
