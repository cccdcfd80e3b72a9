"""The web UI on a portrait tablet (768x1024, touch) in a real browser (fixtures: conftest.py): every page an admin
sees, and the platform admin's pools page, is reached through the folded nav ("Menu"), none scrolls sideways, its
main control is visible and no control lies outside the screen; a mask is painted with a finger (real touch events),
without scrolling the page. A screenshot per page goes to tests/browser/artifacts/tablet-*.png."""

from __future__ import annotations

import uuid

from browser_helpers import ARTIFACTS, PASSWORD, designer, open_signed_in, png

TABLET = {"viewport": {"width": 768, "height": 1024}, "has_touch": True}
# each page's main control, by page path: a new page adds its own line
MAIN_CONTROL = {
    "generate": lambda page: page.get_by_role("button", name="Generate", exact=True),
    "history": lambda page: page.get_by_label("Search prompts"),
    "extras": lambda page: page.get_by_label("Upscaler"),
    "models": lambda page: page.get_by_label("Source"),
    "trainings": lambda page: page.get_by_label("Dataset name"),
    "settings": lambda page: page.get_by_label("Default model"),
    "admin/users": lambda page: page.get_by_role("button", name="Create user"),
    "admin/roles": lambda page: page.get_by_label("Role name"),
    "admin/audit": lambda page: page.get_by_label("Action", exact=True),
    "admin/models": lambda page: page.get_by_label("Search models or owners"),
    "admin/usage": lambda page: page.get_by_label("Window"),
    "admin/pools": lambda page: page.get_by_label("Pool name"),
}
# controls outside the screen, sideways: those a scrolling box of their own (a wide table) does not hold
OFF_SCREEN = """() => {
  const scrolls = (el) => { for (let p = el.parentElement; p; p = p.parentElement) {
    const x = getComputedStyle(p).overflowX;
    if ((x === 'auto' || x === 'scroll') && p !== document.scrollingElement) return true;
  } return false; };
  return [...document.querySelectorAll('button, input, select, textarea, a:not(.skip), canvas')]
    .filter((el) => el.getClientRects().length && !scrolls(el))
    .filter((el) => { const r = el.getBoundingClientRect(); return r.left < -1 || r.right > innerWidth + 1; })
    .map((el) => el.outerHTML.slice(0, 120));
}"""
SIDEWAYS = "() => document.scrollingElement.scrollWidth - innerWidth"
# a pool's chart figures that wrap over two lines (an inline element broken in two has two boxes)
BROKEN_FIGURES = """() => [...document.querySelectorAll('[data-testid=pool-status] > div > small')]
  .filter((el) => el.getClientRects().length > 1).map((el) => el.textContent)"""


async def test_every_admin_page_fits_a_portrait_tablet(browser, stack, api, admin_headers):
    admin = await designer(api, admin_headers, roles=["admin"])
    context = await browser.new_context(base_url=stack.gateway_url, **TABLET)
    page = await context.new_page()
    await page.goto("/")
    await page.get_by_label("Username").fill(admin["username"])
    await page.get_by_label("Password").fill(PASSWORD)
    assert await page.evaluate(SIDEWAYS) <= 0
    await page.screenshot(path=ARTIFACTS / "tablet-signin.png")
    await context.close()

    context, page = await open_signed_in(browser, stack, admin, **TABLET)
    try:
        nav, menu = page.locator("#pages-nav"), page.locator(".menu-toggle")
        assert await menu.is_visible() and not await nav.is_visible()  # folded until asked for
        await menu.click()
        assert await menu.get_attribute("aria-expanded") == "true"
        links = nav.get_by_role("link")
        paths = [(await link.get_attribute("href")).removeprefix("#/") for link in await links.all()]
        assert {"generate", "history", "settings", "admin/users", "admin/roles", "admin/audit"} <= set(paths), paths
        assert set(paths) <= set(MAIN_CONTROL), f"pages without a main control listed here: {paths}"
        await menu.click()
        for path in paths:
            await fits(page, path)
    finally:
        await context.close()


async def fits(page, path: str) -> None:
    """Open `path` through the folded nav: its main control shows, nothing scrolls sideways or lies off screen."""
    nav, menu = page.locator("#pages-nav"), page.locator(".menu-toggle")
    await menu.click()
    await nav.locator(f'a[href="#/{path}"]').click()
    await nav.wait_for(state="hidden")  # a page chosen folds the nav again
    control = MAIN_CONTROL[path](page).first
    await control.wait_for()
    await control.scroll_into_view_if_needed()
    assert await control.is_visible() and await control.is_enabled(), path
    await page.wait_for_load_state("networkidle")
    assert await page.evaluate(SIDEWAYS) <= 0, f"{path} scrolls sideways"
    assert await page.evaluate(OFF_SCREEN) == [], path
    await page.screenshot(path=ARTIFACTS / f"tablet-{path.replace('/', '-')}.png", full_page=True)


async def test_the_platform_admins_pools_page_fits_a_portrait_tablet(browser, stack, api, admin_headers):
    """The pools page is the platform admin's alone (pools:manage): a tenant's admin never reaches it above. Its
    pool rows, with their status and charts, and its forms fit the tablet; so does Tenant models with its tenant
    picker."""
    platform = await designer(api, admin_headers, roles=["platform-admin"])
    name = f"tablet-{uuid.uuid4().hex[:6]}"  # a pool made through the API may be edited (a configured one not)
    r = await api.post("/v1/pools", json={"name": name, "gpu_type": "NVIDIA-A10G", "max_workers": 0,
                                          "roles": ["user"], "description": "a pool with a longer description"},
                       headers=platform["headers"])
    assert r.status_code == 201, r.text
    context, page = await open_signed_in(browser, stack, platform, **TABLET)
    try:
        assert await page.locator(".menu-toggle").is_visible()
        await fits(page, "admin/pools")
        await page.get_by_test_id("pool-row").filter(has_text="default").get_by_test_id("pool-status").wait_for()
        assert await page.evaluate(SIDEWAYS) <= 0 and await page.evaluate(OFF_SCREEN) == []
        # each chart's figures stay whole ("1 of 1 workers (0 busy)"), beside the chart or under it
        assert await page.evaluate(BROKEN_FIGURES) == []
        await page.get_by_role("button", name=f"Edit pool {name}").click()  # its edit form, open in the list
        await page.get_by_role("button", name="Save pool").wait_for()
        assert await page.evaluate(SIDEWAYS) <= 0 and await page.evaluate(OFF_SCREEN) == []
        await page.screenshot(path=ARTIFACTS / "tablet-admin-pools-edit.png", full_page=True)
        await fits(page, "admin/models")
        assert await page.get_by_label("Tenant", exact=True).is_visible()
    finally:
        await context.close()
        await api.delete(f"/v1/pools/{name}", headers=platform["headers"])


async def test_a_mask_is_painted_by_touch_without_scrolling_the_page(browser, stack, api, admin_headers):
    user = await designer(api, admin_headers)
    context, page = await open_signed_in(browser, stack, user, **TABLET)
    try:
        await page.get_by_role("tab", name="Image to image").click()
        await page.get_by_label("Init image").set_input_files(
            {"name": "init.png", "mimeType": "image/png", "buffer": png(64, 64)})
        await page.get_by_label("Edit mode").select_option("inpaint")
        canvas = page.get_by_test_id("mask-canvas")
        await page.wait_for_function("() => document.querySelector('[data-testid=mask-canvas]')?.width === 64")
        await canvas.scroll_into_view_if_needed()
        box = await canvas.bounding_box()
        scrolled = await page.evaluate("() => scrollY")
        # a finger's drag across the canvas, as the touch screen sends it (chromium makes it pointer events)
        touch = await context.new_cdp_session(page)
        y = box["y"] + box["height"] / 2
        points = [box["x"] + box["width"] * f for f in (0.2, 0.35, 0.5, 0.65, 0.8)]
        await touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": points[0], "y": y}]})
        for x in points[1:]:
            await touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y - 40}]})
        await touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        painted = await page.evaluate("""() => {
          const c = document.querySelector('[data-testid=mask-canvas]');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; }""")
        assert painted > 64, painted
        assert await page.evaluate("() => scrollY") == scrolled  # the drag painted; it did not scroll the page
        assert await page.evaluate(SIDEWAYS) <= 0
        await page.screenshot(path=ARTIFACTS / "tablet-inpaint-touch.png")
    finally:
        await context.close()
