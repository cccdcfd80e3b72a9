"""What the browser tests share: where chromium is, its flags, the screenshot folder, signing in through the form."""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from helpers import new_user

CHROMIUM = Path(os.environ.get("EASEL_CHROMIUM", "/usr/bin/chromium"))
# As root in a closed network: no sandbox, and none of chromium's own background connections
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).parent / "artifacts"  # a screenshot per page (gitignored)
DIST = Path(__file__).resolve().parents[2] / "webui" / "dist" / "index.html"
PASSWORD = "a long enough password 1"
WAIT_MS = 120_000  # for a job to run: the machine running the tests may be busy


async def designer(api: httpx.AsyncClient, admin_headers: dict[str, str], **fields) -> dict:
    """A new user who signs in with PASSWORD (`fields`: roles, tenant_id)."""
    return await new_user(api, admin_headers, password=PASSWORD, **fields)


async def open_signed_in(browser, stack, user: dict, shot: str | None = None):
    """A fresh browser context (its own cookies) at 1280x800, signed in as `user` through the sign-in form;
    `shot`: save the filled-in form as this screenshot."""
    context = await browser.new_context(base_url=stack.gateway_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(WAIT_MS)
    page = await context.new_page()
    await page.goto("/")
    await page.get_by_label("Username").fill(user["username"])
    await page.get_by_label("Password").fill(PASSWORD)
    if shot:
        await page.screenshot(path=ARTIFACTS / shot)
    await page.get_by_role("button", name="Sign in").click()
    await page.get_by_test_id("username").wait_for()
    return context, page
