"""The web UI edition in a real browser (Debian's chromium, driven by Playwright) against the embedded stack:
sign in, generate with live progress, send to img2img, history paging and search, per-user isolation, sign out.
Each page is saved as a screenshot under tests/browser/artifacts/ (fixtures: conftest.py)."""

from __future__ import annotations

import uuid

from browser_helpers import ARTIFACTS, WAIT_MS, designer, open_signed_in
from helpers import submit, until_status


async def test_sign_in_and_txt2img_show_live_progress_then_the_image(browser, stack, api, admin_headers):
    user = await designer(api, admin_headers)
    context, page = await open_signed_in(browser, stack, user, shot="signin.png")
    try:
        assert await page.get_by_test_id("username").text_content() == user["username"]
        await page.get_by_label("Prompt", exact=True).fill("a lighthouse at dusk")
        await page.get_by_label("Steps").fill("8")
        await page.get_by_label("Width").fill("64")
        await page.get_by_label("Height").fill("64")
        await page.get_by_role("button", name="Generate").click()
        card = page.get_by_test_id("job").first
        await card.get_by_test_id("job-step").filter(has_text="Step").wait_for()
        assert await card.get_by_test_id("job-preview").is_visible()
        await page.screenshot(path=ARTIFACTS / "generate-progress.png")
        image = card.get_by_test_id("job-image").first
        await image.wait_for()
        assert await image.evaluate("img => img.complete && img.naturalWidth") == 64
        assert await card.get_by_test_id("job-status").text_content() == "succeeded"
        await page.screenshot(path=ARTIFACTS / "generate.png")

        # a long run shows its live preview (latents, as its progress events carry them) while it runs
        await page.get_by_label("Steps").fill("150")
        await page.get_by_role("button", name="Generate").click()
        live = page.get_by_test_id("live-preview").first
        await live.wait_for()
        assert await live.evaluate("img => img.decode().then(() => img.naturalWidth)") == 32  # the tiny latent's
        await page.screenshot(path=ARTIFACTS / "generate-live-preview.png")
        await page.get_by_test_id("job").filter(has=live).get_by_role("button", name="Cancel").click()

        # a bad field's error shows next to that field, from the API's {code, message, details.field}
        await page.get_by_label("Steps").fill("5000")  # over the gateway's max_steps
        await page.get_by_role("button", name="Generate").click()
        steps_error = page.locator(".field.invalid", has=page.get_by_label("Steps")).get_by_role("alert")
        await steps_error.wait_for()
        assert "150" in await steps_error.text_content()
    finally:
        await context.close()


async def test_history_pages_searches_and_sends_an_image_to_img2img(browser, stack, api, admin_headers):
    user = await designer(api, admin_headers)
    tag = uuid.uuid4().hex[:6]
    first = await submit(api, user["headers"], prompt=f"a red fox {tag}", steps=2)
    for n in range(12):  # a page holds 12: thirteen jobs make two pages
        await submit(api, user["headers"], prompt=f"filler {n} {tag}", steps=1, width=8, height=8)
    context, page = await open_signed_in(browser, stack, user)
    try:
        await page.get_by_role("link", name="History").click()
        await page.get_by_test_id("page-number").filter(has_text="Page 1").wait_for()
        tiles = page.locator(".gallery > li")
        await page.wait_for_function("() => document.querySelectorAll('.gallery > li').length === 12")
        assert "red fox" not in await page.locator(".gallery").inner_html()
        await page.get_by_role("button", name="Older").click()
        await page.get_by_test_id("page-number").filter(has_text="Page 2").wait_for()
        await page.wait_for_function("() => document.querySelectorAll('.gallery > li').length === 1")
        assert await tiles.count() == 1
        assert await page.get_by_role("button", name="Older").is_disabled()
        await page.get_by_role("button", name="Newer").click()
        await page.get_by_test_id("page-number").filter(has_text="Page 1").wait_for()

        # search by prompt finds the fox, opens it with its infotext, and sends it to img2img
        await until_status(api, first["id"], user["headers"], "succeeded", timeout=WAIT_MS / 1000)
        await page.get_by_label("Search prompts").fill("RED FOX")
        await page.get_by_role("button", name="Search").click()
        await page.wait_for_function("() => document.querySelectorAll('.gallery > li').length === 1")
        await page.get_by_test_id("history-image").first.wait_for()
        await page.screenshot(path=ARTIFACTS / "history.png")
        await page.get_by_test_id("history-image").first.click()
        infotext = await page.get_by_test_id("infotext").text_content()
        assert f"a red fox {tag}" in infotext and "Steps: 2" in infotext and "Seed: 1" in infotext
        await page.get_by_role("button", name="Send to img2img").click()
        await page.get_by_test_id("init-image").wait_for()
        assert await page.get_by_role("tab", name="Image to image").get_attribute("aria-selected") == "true"
        assert await page.get_by_label("Prompt", exact=True).input_value() == f"a red fox {tag}"
        await page.screenshot(path=ARTIFACTS / "img2img.png")
        await page.get_by_role("button", name="Generate").click()
        await page.get_by_test_id("job").first.get_by_test_id("job-image").first.wait_for()
        latest = (await api.get("/v1/jobs", params={"limit": 1}, headers=user["headers"])).json()["items"][0]
        assert latest["spec"]["task"] == "img2img" and len(latest["spec"]["init_images"]) == 1
    finally:
        await context.close()


async def test_a_designer_never_sees_another_designers_jobs(browser, stack, api, admin_headers):
    owner, other = await designer(api, admin_headers), await designer(api, admin_headers)
    secret = f"a secret prompt {uuid.uuid4().hex[:6]}"
    job = await submit(api, owner["headers"], prompt=secret, steps=1)
    context, page = await open_signed_in(browser, stack, other)
    try:
        await page.get_by_role("link", name="History").click()
        await page.get_by_text("No jobs yet.").wait_for()
        await page.goto(f"/#/generate?tab=img2img&job={job['id']}&image=0")  # the owner's job, by its id
        await page.locator(".form-error").wait_for()
        assert secret not in await page.content()
        assert await page.get_by_label("Prompt", exact=True).input_value() == ""
    finally:
        await context.close()


async def test_signing_out_ends_the_session_in_the_browser_and_on_the_server(browser, stack, api, admin_headers):
    user = await designer(api, admin_headers)
    context, page = await open_signed_in(browser, stack, user)
    try:
        cookies = {c["name"]: c["value"] for c in await context.cookies()}
        assert set(cookies) >= {"easel_access", "easel_refresh", "easel_csrf"}
        assert "easel_access" not in await page.evaluate("document.cookie")  # HttpOnly: out of scripts' reach
        await page.get_by_role("button", name="Sign out", exact=True).click()
        await page.get_by_role("button", name="Sign in").wait_for()
        await page.reload()
        await page.get_by_role("button", name="Sign in").wait_for()  # no session left in this browser
        replay = await api.get("/v1/me", cookies={"easel_access": cookies["easel_access"]})
        assert replay.status_code == 401  # and the old cookie is dead on the server
    finally:
        await context.close()
