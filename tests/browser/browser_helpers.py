"""What the browser tests share: where chromium is, its flags, the screenshot folder, signing in through the form."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path

import httpx
from PIL import Image

from easel_worker.engine import build_tiny_sd
from easel_worker.engine.tiny_parts import build_tiny_controlnet
from helpers import new_user, wait_for

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


async def open_signed_in(browser, stack, user: dict, shot: str | None = None, **options):
    """A fresh browser context (its own cookies) at 1280x800, signed in as `user` through the sign-in form;
    `shot`: save the filled-in form as this screenshot; `options`: the context's others (a tablet's viewport,
    has_touch)."""
    options.setdefault("viewport", {"width": 1280, "height": 800})
    context = await browser.new_context(base_url=stack.gateway_url, **options)
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


def png(width: int, height: int, color=(40, 120, 200)) -> bytes:
    """A plain PNG of one colour."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


async def stroke(page, canvas, points: list[tuple[float, float]]) -> None:
    """Drag the mouse over `canvas` through `points` (fractions of its width and height)."""
    await canvas.scroll_into_view_if_needed()  # the mouse only reaches what is in the viewport
    box = await canvas.bounding_box()
    xy = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    await page.mouse.move(*xy[0])
    await page.mouse.down()
    for x, y in xy[1:]:
        await page.mouse.move(x, y, steps=4)
    await page.mouse.up()


async def latest_job(api: httpx.AsyncClient, user: dict) -> dict:
    """The user's newest job."""
    return (await api.get("/v1/jobs", params={"limit": 1}, headers=user["headers"])).json()["items"][0]


async def own_controlnet(api, admin_headers, tmp_path) -> tuple[dict, str]:
    """A user who may import models, and their own tiny ControlNet (private, ready): (user, model name)."""
    role = f"cn-{uuid.uuid4().hex[:6]}"
    r = await api.post("/v1/roles", json={"name": role, "permissions": ["models:read", "models:write"]},
                       headers=admin_headers)
    assert r.status_code == 201, r.text
    user = await designer(api, admin_headers, roles=["user", role])
    folder = build_tiny_controlnet(tmp_path / "cn", build_tiny_sd(tmp_path / "tiny"))
    upload = (await api.post("/v1/models/uploads", headers=user["headers"])).json()
    content = (folder / "diffusion_pytorch_model.safetensors").read_bytes()
    assert (await api.put(upload["url"], content=content, headers=user["headers"])).status_code == 204
    name = f"edges-{uuid.uuid4().hex[:6]}"
    r = await api.post("/v1/models", headers=user["headers"], json={
        "name": name, "kind": "controlnet", "base": "tiny", "source": {"type": "upload", "uri": upload["upload_id"]}})
    assert r.status_code == 201, r.text

    async def ready():
        model = (await api.get(f"/v1/models/{r.json()['id']}", headers=user["headers"])).json()
        assert model["status"] != "failed", model
        return model["status"] == "ready"

    await wait_for(ready, timeout=120)
    return user, name
